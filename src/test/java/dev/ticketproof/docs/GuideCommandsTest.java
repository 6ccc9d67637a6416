package dev.ticketproof.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Runs every {@code ./ticketproof} command line of docs/guide.md, in order, as written (a line ending in a backslash
 * continues on the next), in a temporary directory laid out as the guide assumes: {@code model.pt},
 * {@code x_test.npy} and {@code y_test.npy} are the shipped {@code digits_cnn.pt} (a numbered {@code nn.Sequential},
 * {@code synflow-conv}) and its 360 test images and labels, as section 1 suggests for a first try. Each must exit 0
 * and print a result, and the files the guide names must be written. The certified-agreement section's file
 * {@code src/main/resources/targets/digits/digits_test_x.npy} is, in the temporary directory, the 8 images of
 * {@code examples/x.npy}: with all 360 its two commands take two minutes (their numbers are measured in
 * docs/bounds.md, "Certified agreement"). The Python line of section 4 is left out (it needs PyTorch).
 */
@Tag("end-to-end")
class GuideCommandsTest {
  static final Path PAGE = Path.of("docs", "guide.md");
  static final Path DIGITS = Path.of("src", "main", "resources", "targets", "digits");

  @TempDir Path tmp;

  /** The guide's command lines, without {@code ./ticketproof}, continuations joined. */
  static List<String> commandLines() throws IOException {
    String page = Files.readString(PAGE).replaceAll("\\\\\\n\\s*", " ");
    Matcher m = Pattern.compile("^\\./ticketproof ([^\\n]*)", Pattern.MULTILINE).matcher(page);
    List<String> lines = new ArrayList<>();
    while (m.find()) lines.add(m.group(1).trim());
    return lines;
  }

  /** The {@code name value} lines of construct's and verify's plain output. */
  static Map<String, String> fields(String out) {
    Map<String, String> f = new LinkedHashMap<>();
    for (String line : out.split("\\R")) {
      String[] kv = line.trim().split("\\s+", 2);
      if (kv.length == 2 && kv[0].matches("[a-z][A-Za-z0-9]*")) f.putIfAbsent(kv[0], kv[1].trim());
    }
    return f;
  }

  @Test
  void everyGuideCommandLineRunsAsWritten() throws IOException {
    Files.copy(DIGITS.resolve("digits_cnn.pt"), tmp.resolve("model.pt"));
    Files.copy(DIGITS.resolve("digits_test_x.npy"), tmp.resolve("x_test.npy"));
    Files.copy(DIGITS.resolve("digits_test_y.npy"), tmp.resolve("y_test.npy"));
    Files.createDirectories(tmp.resolve(DIGITS));
    Files.copy(Path.of("examples", "x.npy"), tmp.resolve(DIGITS).resolve("digits_test_x.npy"));

    List<String> lines = commandLines();
    assertThat(lines).as("command lines in the guide").hasSizeGreaterThanOrEqualTo(8);
    for (String line : lines) {
      DocCommands.Run r = DocCommands.run(line, tmp);
      String[] args = r.args();
      String what = String.format("guide: ./ticketproof %s%nstdout: %s%nstderr: %s", line, r.out(), r.err());
      assertThat(r.code()).as(what).isZero();
      assertThat(r.out()).as(what).isNotBlank();
      Map<String, String> f = fields(r.out());
      if (args[0].equals("construct") && line.contains("--labels")) {
        // section 2: "The output reports the kernel's verdict, the parameter counts (target, dense source, ticket),
        // the number of subset-sum instances and how many missed eps, the certified bound, the searched lower bound
        // and the sampled error in the box, the error on your data, and the target's and the ticket's accuracy and
        // agreement."
        assertThat(f).as(what).containsKeys("verdict", "targetParams", "sourceParams", "ticketParams", "instances",
            "failedInstances", "certifiedBound", "lowerBound", "measuredMaxError", "dataMaxError", "targetAccuracy",
            "ticketAccuracy", "agreement");
      }
      if (args[0].equals("construct") || args[0].equals("verify")) assertThat(f.get("verdict")).as(what).isEqualTo("holds");
      if (line.contains("--around")) {
        // radius 0, ReLU: certified exactly where target and ticket predict the same class (all 8 here)
        assertThat(f.get("aroundPoints")).as(what).isEqualTo("8");
        assertThat(f.get("certifiedAgreement")).as(what).isEqualTo("8");
      }
    }
    for (String written : new String[] {"y.npy", "model.tpz", "digits.tpz", "y_ticket.npy", "ticket.pt",
        "ticket.json"}) {
      assertThat(tmp.resolve(written)).as("written by the guide's commands").isRegularFile();
    }
  }

  /** Every {@code --flag} the guide names is an option of some command (or of docs/ticket_loader.py's). */
  @Test
  void everyFlagTheGuideNamesIsAnOption() throws IOException {
    TreeSet<String> options = new TreeSet<>();
    collect(Main.commandLine(), options);
    TreeSet<String> unknown = new TreeSet<>();
    Matcher m = CliDocsTest.FLAG.matcher(Files.readString(PAGE));
    while (m.find()) if (!options.contains(m.group())) unknown.add(m.group());
    assertThat(unknown).isEmpty();
  }

  private static void collect(CommandLine cl, TreeSet<String> options) {
    CommandSpec spec = cl.getCommandSpec();
    spec.options().forEach(o -> options.addAll(List.of(o.names())));
    cl.getSubcommands().values().forEach(sub -> collect(sub, options));
  }

  /** Every output field the guide names in a code span ({@code `certifiedBound`}) is one the code writes. */
  @Test
  void everyFieldTheGuideNamesIsWrittenByTheCode() throws IOException {
    Matcher m = Pattern.compile("`([a-z][a-z0-9]*[A-Z][A-Za-z0-9]*)`").matcher(Files.readString(PAGE));
    TreeSet<String> named = new TreeSet<>();
    while (m.find()) named.add(m.group(1));
    assertThat(named).as("fields named in the guide").hasSizeGreaterThanOrEqualTo(10);
    StringBuilder code = new StringBuilder();
    try (var s = Files.walk(Path.of("src", "main", "java"))) {
      for (Path p : s.filter(p -> p.toString().endsWith(".java")).toList()) code.append(Files.readString(p));
    }
    List<String> missing = named.stream().filter(n -> !code.toString().contains("\"" + n + "\"")).toList();
    assertThat(missing).as("fields named in the guide that no code writes").isEmpty();
  }
}
