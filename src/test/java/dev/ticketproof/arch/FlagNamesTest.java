package dev.ticketproof.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Library code speaks of its parameters, never of the command line's flags: no string literal in main code outside
 * {@code dev.ticketproof.cli} contains a flag ({@code --name}). The command line names the flag itself
 * ({@code BadParameter} carries which parameter was at fault). Comments are not checked.
 */
class FlagNamesTest {
  static final Path MAIN = Path.of("src/main/java");
  static final Path CLI = MAIN.resolve("dev/ticketproof/cli");
  /** Two dashes and a letter, not inside a word or a longer run of dashes. */
  static final Pattern FLAG = Pattern.compile("(?<![\\w-])--[a-zA-Z]");

  /** The string literals (and text blocks) of a Java source, each with its line; comments are skipped. */
  static List<String> literals(String s) {
    List<String> out = new ArrayList<>();
    int line = 1;
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (s.startsWith("//", i)) {
        int j = s.indexOf('\n', i);
        i = j < 0 ? s.length() : j;
      } else if (s.startsWith("/*", i)) {
        int j = s.indexOf("*/", i + 2) + 2;
        line += count(s, i, j);
        i = j;
      } else if (s.startsWith("\"\"\"", i)) {
        int j = s.indexOf("\"\"\"", i + 3);
        out.add(line + ": " + s.substring(i + 3, j));
        line += count(s, i, j);
        i = j + 3;
      } else if (c == '"' || c == '\'') {
        int j = i + 1;
        while (s.charAt(j) != c) j += s.charAt(j) == '\\' ? 2 : 1;
        if (c == '"') out.add(line + ": " + s.substring(i + 1, j));
        i = j + 1;
      } else {
        if (c == '\n') line++;
        i++;
      }
    }
    return out;
  }

  private static int count(String s, int from, int to) {
    int n = 0;
    for (int k = from; k < to; k++) if (s.charAt(k) == '\n') n++;
    return n;
  }

  @Test
  void theScannerFindsFlagsInLiteralsOnly() {
    String src = "class A {\n  // \"--in-a-comment\"\n  /* \"--in-a-block\" */\n  char q = '\"';\n"
        + "  String s = \"a \\\" quote then --upto \" + x + \"----\";\n  String t = \"\"\"\n  give --arch\n  \"\"\";\n}\n";
    List<String> flagged = literals(src).stream().filter(l -> FLAG.matcher(l).find()).toList();
    assertThat(flagged).containsExactly("5: a \\\" quote then --upto ", "6: \n  give --arch\n  ");
  }

  @Test
  void noLibraryMessageNamesAFlag() throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java") && !p.startsWith(CLI)).toList()) {
        for (String l : literals(Files.readString(f))) {
          if (FLAG.matcher(l).find()) found.add(MAIN.relativize(f) + ":" + l);
        }
      }
    }
    assertThat(found).as("string literals naming a command-line flag outside dev.ticketproof.cli").isEmpty();
  }
}
