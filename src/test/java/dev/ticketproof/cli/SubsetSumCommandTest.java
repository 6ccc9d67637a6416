package dev.ticketproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

class SubsetSumCommandTest {
  private static CommandRun run(String... args) { return CommandRun.of(args); }

  @Test
  void statsPrintsTheContractFields() {
    CommandRun r = run("subset-sum", "stats", "--n", "15", "--eps", "0.01", "--trials", "3000", "--seed", "1", "--format", "json",
        "--no-progress");
    assertThat(r.code()).as(r.err()).isZero();
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    assertThat(o.keySet()).containsExactlyInAnyOrder("n", "eps", "trials", "failures", "failureRate", "ci95",
        "meanSubsetSize", "nanosPerInstance");
    assertThat(o.get("n").getAsInt()).isEqualTo(15);
    assertThat(o.get("trials").getAsLong()).isEqualTo(3000);
    long failures = o.get("failures").getAsLong();
    assertThat(o.get("failureRate").getAsDouble()).isEqualTo(failures / 3000.0);
    double lo = o.getAsJsonArray("ci95").get(0).getAsDouble();
    double hi = o.getAsJsonArray("ci95").get(1).getAsDouble();
    assertThat(lo).isLessThanOrEqualTo(failures / 3000.0);
    assertThat(hi).isGreaterThanOrEqualTo(failures / 3000.0);
    assertThat(o.get("meanSubsetSize").getAsDouble()).isBetween(1.5, 3.5);
    assertThat(o.get("nanosPerInstance").getAsDouble()).isPositive();
  }

  @Test
  void statsIsReproducibleAndDependsOnTheSeed() {
    String[] a = {"subset-sum", "stats", "--trials", "2000", "--eps", "0.001", "--mode", "exact", "--format", "json", "--no-progress"};
    JsonObject x = JsonParser.parseString(run(a).out()).getAsJsonObject();
    JsonObject y = JsonParser.parseString(run(a).out()).getAsJsonObject();
    assertThat(x.get("failures")).isEqualTo(y.get("failures"));
    assertThat(x.get("meanSubsetSize")).isEqualTo(y.get("meanSubsetSize"));
    String[] b = a.clone();
    b = java.util.Arrays.copyOf(b, b.length + 2);
    b[b.length - 2] = "--seed";
    b[b.length - 1] = "2";
    JsonObject z = JsonParser.parseString(run(b).out()).getAsJsonObject();
    assertThat(z.get("meanSubsetSize")).isNotEqualTo(x.get("meanSubsetSize"));
  }

  @Test
  void coveragePrintsTheContractFields() {
    CommandRun r = run("subset-sum", "coverage", "--n", "12", "--eps", "0.01", "--trials", "200", "--format", "json", "--no-progress");
    assertThat(r.code()).as(r.err()).isZero();
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    assertThat(o.keySet()).containsExactlyInAnyOrder("n", "eps", "trials", "covered", "coverage", "ci95");
    assertThat(o.get("coverage").getAsDouble()).isEqualTo(o.get("covered").getAsLong() / 200.0);
  }

  @Test
  void widthAndTablesAndProducts() {
    CommandRun w = run("subset-sum", "width", "--eps", "0.01", "--delta", "0.05", "--format", "json");
    assertThat(w.code()).as(w.err()).isZero();
    assertThat(JsonParser.parseString(w.out()).getAsJsonObject().get("n").getAsInt())
        .isEqualTo((int) Math.ceil(6 * Math.log(100)));
    CommandRun wp = run("subset-sum", "width", "--eps", "0.1", "--delta", "0.1", "--products", "--trials", "50", "--no-progress");
    assertThat(wp.code()).as(wp.err()).isZero();
    assertThat(wp.out()).contains("products").contains("lower bound");
    CommandRun t = run("subset-sum", "stats", "--trials", "1000", "--products", "--mode", "first-hit", "--no-progress");
    assertThat(t.code()).as(t.err()).isZero();
    assertThat(t.out()).contains("failure rate").contains("W*V").contains("first-hit");
  }

  @Test
  void badInputExitsTwoNamingTheFlagAndRange() {
    assertBad(run("subset-sum", "stats", "--n", "0"), "--n", "[1, 256]");
    assertBad(run("subset-sum", "stats", "--n", "257"), "--n", "[1, 256]");
    assertBad(run("subset-sum", "stats", "--n", "257", "--mode", "min-norm"), "--n", "[1, 256]");
    assertBad(run("subset-sum", "stats", "--n", "41", "--mode", "exact"), "--n", "[1, 40]");
    assertBad(run("subset-sum", "stats", "--eps", "0"), "--eps", "(0, 1]");
    assertBad(run("subset-sum", "stats", "--eps", "NaN"), "--eps", "(0, 1]");
    assertBad(run("subset-sum", "stats", "--eps", "-1"), "--eps", "(0, 1]");
    assertBad(run("subset-sum", "stats", "--trials", "0"), "--trials", "[1, ");
    assertBad(run("subset-sum", "stats", "--mode", "fastest"), "--mode", "min-size, exact, first-hit or min-norm");
    assertBad(run("subset-sum", "stats", "--format", "xml"), "--format", "json or table");
    assertBad(run("subset-sum", "coverage", "--n", "33"), "--n", "[1, 32]");
    assertBad(run("subset-sum", "width", "--delta", "0"), "--delta", "(0, 1]");
    assertBad(run("subset-sum", "width", "--eps", "0.9", "--delta", "0.9"), "--eps", "0.5");
    CommandRun parse = run("subset-sum", "stats", "--n", "many");
    assertThat(parse.code()).isEqualTo(2);
    assertThat(parse.err()).contains("--n");
  }

  private static void assertBad(CommandRun r, String flag, String range) {
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains(flag).contains(range);
    assertThat(r.out()).isEmpty();
  }

  private static JsonObject documented(String heading, int which) throws java.io.IOException {
    String doc = java.nio.file.Files.readString(java.nio.file.Path.of("docs", "cli.md"));
    int at = doc.indexOf(heading);
    assertThat(at).as(heading).isNotNegative();
    int start = doc.indexOf("```json", at) + "```json".length();
    return JsonParser.parseString(doc.substring(start, doc.indexOf("```", start))).getAsJsonObject();
  }

  /** The JSON examples in docs/cli.md are the commands' actual outputs (nanosPerInstance aside). */
  @Test
  void documentedExamplesAreTheActualOutputs() throws java.io.IOException {
    JsonObject stats = documented("### `subset-sum stats`", 0);
    JsonObject actual = JsonParser.parseString(run("subset-sum", "stats", "--n", "15", "--eps", "0.01", "--trials",
        "100000", "--seed", "1", "--format", "json", "--no-progress").out()).getAsJsonObject();
    assertThat(actual.keySet()).isEqualTo(stats.keySet());
    stats.remove("nanosPerInstance");
    actual.remove("nanosPerInstance");
    assertThat(actual).isEqualTo(stats);
    JsonObject cov = documented("### `subset-sum coverage`", 0);
    assertThat(JsonParser.parseString(run("subset-sum", "coverage", "--n", "15", "--eps", "0.01", "--trials", "400",
        "--seed", "1", "--format", "json", "--no-progress").out())).isEqualTo(cov);
    JsonObject width = documented("### `subset-sum width`", 0);
    assertThat(JsonParser.parseString(run("subset-sum", "width", "--eps", "0.01", "--delta", "0.01", "--format",
        "json").out())).isEqualTo(width);
  }
}
