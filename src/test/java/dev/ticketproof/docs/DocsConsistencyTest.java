package dev.ticketproof.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.activation.IdentityHypothesis;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The three faces of every lemma name each other (proof page, property class, construction); the README counts the
 * activations the catalog supports; the README's command lines run in {@link ReadmeCommandsTest}, the guide's in
 * {@link GuideCommandsTest}.
 */
class DocsConsistencyTest {
  static final Path ROOT = Path.of(".");

  static List<Path> files(String dir, String suffix) throws IOException {
    try (Stream<Path> s = Files.walk(ROOT.resolve(dir))) {
      return s.filter(p -> p.toString().endsWith(suffix)).toList();
    }
  }

  @Test
  void everyProofPageHasAPropertyClassThatNamesIt() throws IOException {
    List<Path> pages = files("proofs", ".md");
    assertThat(pages).isNotEmpty();
    StringBuilder props = new StringBuilder();
    for (Path p : files("properties", ".java")) props.append(Files.readString(p));
    for (Path page : pages) {
      String name = "proofs/" + page.getFileName();
      if (page.getFileName().toString().equals("README.md")) continue;
      assertThat(props.toString()).as("a property class naming " + name).contains(name);
    }
  }

  @Test
  void everyProofPageReferenceInTheCodeExists() throws IOException {
    Pattern ref = Pattern.compile("proofs/([a-z0-9-]+)\\.md");
    List<String> missing = new ArrayList<>();
    for (String dir : new String[] {"src/main/java", "src/test/java", "properties", "docs", "proofs"}) {
      for (Path f : files(dir, dir.equals("docs") || dir.equals("proofs") ? ".md" : ".java")) {
        Matcher m = ref.matcher(Files.readString(f));
        while (m.find()) {
          if (!Files.exists(ROOT.resolve("proofs/" + m.group(1) + ".md"))) missing.add(f + " -> " + m.group());
        }
      }
    }
    assertThat(missing).isEmpty();
  }

  @Test
  void theReadmeCountsTheSupportedActivations() throws IOException {
    List<String> words = List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty");
    Matcher m = Pattern.compile("\\b([a-z]+)\\s+activations, from")
        .matcher(Files.readString(ROOT.resolve("README.md")).replaceAll("\\s+", " "));
    assertThat(m.find()).as("the README's count of activations").isTrue();
    long supported = ActivationCatalog.all().stream().filter(IdentityHypothesis::holds).count();
    assertThat(words.indexOf(m.group(1))).as("README: '%s activations'", m.group(1)).isEqualTo((int) supported);
  }
}
