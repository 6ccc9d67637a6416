package dev.ticketproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** One version everywhere: the pom's, the library's, {@code --version}'s and the one docs/library.md depends on. */
class VersionTest {
  @Test
  void versionOptionPrintsThePomVersion() throws Exception {
    String pom = Files.readString(Path.of("pom.xml"));
    Matcher m = Pattern.compile("<artifactId>ticketproof</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
    assertThat(m.find()).as("project version in pom.xml").isTrue();
    assertThat(dev.ticketproof.api.Version.get()).isEqualTo(m.group(1));
    CommandRun r = ActivationsCommandTest.run("--version");
    assertThat(r.code()).isZero();
    assertThat(r.out().trim()).isEqualTo("ticketproof " + m.group(1));
    // every command's --version (its help lists it) prints the same line
    for (String[] args : new String[][] {{"construct", "--version"}, {"subset-sum", "-V"},
        {"subset-sum", "width", "--version"}, {"report", "-V"}}) {
      CommandRun sub = ActivationsCommandTest.run(args);
      assertThat(sub.code()).as(String.join(" ", args)).isZero();
      assertThat(sub.out().trim()).as(String.join(" ", args)).isEqualTo("ticketproof " + m.group(1));
    }
    Matcher doc = Pattern.compile("<artifactId>ticketproof</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(Path.of("docs/library.md")));
    assertThat(doc.find()).as("the consumer project's dependency in docs/library.md").isTrue();
    assertThat(doc.group(1)).as("the version docs/library.md depends on").isEqualTo(m.group(1));
  }
}
