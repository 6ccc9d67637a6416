package dev.ticketproof.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every {@code ./ticketproof} command line of the README, in order, as written, in a temporary directory that
 * holds a copy of {@code examples/} (file arguments resolve there, and outputs such as {@code t.tpz} land there);
 * each must exit 0. {@code demo} is left out: CI runs it after the tests.
 */
@Tag("end-to-end")
class ReadmeCommandsTest {
  @TempDir Path tmp;

  static List<String> commandLines() throws IOException {
    Matcher m = Pattern.compile("^\\s*\\./ticketproof ([^#\\n]*)", Pattern.MULTILINE)
        .matcher(Files.readString(Path.of("README.md")));
    List<String> lines = new ArrayList<>();
    while (m.find()) lines.add(m.group(1).trim());
    return lines;
  }

  @Test
  void everyReadmeCommandLineRunsAsWritten() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("examples"))) {
      Files.createDirectories(tmp.resolve("examples"));
      for (Path p : s.toList()) Files.copy(p, tmp.resolve("examples").resolve(p.getFileName()));
    }
    List<String> lines = commandLines();
    assertThat(lines).as("command lines in the README").hasSizeGreaterThanOrEqualTo(10);
    int ran = 0;
    for (String line : lines) {
      if (line.startsWith("demo")) continue;
      DocCommands.Run r = DocCommands.run(line, tmp);
      assertThat(r.code()).as("README: ./ticketproof %s%nstdout: %s%nstderr: %s", line, r.out(), r.err()).isZero();
      assertThat(r.out()).as("README: ./ticketproof %s prints a result", line).isNotBlank();
      ran++;
    }
    assertThat(ran).isEqualTo(lines.size() - lines.stream().filter(l -> l.startsWith("demo")).count());
    for (String written : new String[] {"t.tpz", "m.tpz", "y.npy", "y_ticket.npy", "ticket.pt", "ticket.json"}) {
      assertThat(tmp.resolve(written)).as("written by the README's commands").isRegularFile();
    }
  }
}
