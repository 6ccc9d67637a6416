package dev.ticketproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ticketproof.report.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepCommandTest {
  private static CommandRun run(String... args) { return CommandRun.of(args); }

  private static final String SPEC = "{\"target\": \"builtin:small-fc\", \"construction\": [\"l+1\", \"2l\"], "
      + "\"rho\": [3, 5], \"eps\": 0.1, \"seed\": {\"from\": 1, \"to\": 2}, \"samples\": 4}";

  /** The rows without the timing column (everything else is reproducible). */
  private static List<Map<String, String>> withoutTimes(Table t) {
    List<Map<String, String>> rows = new ArrayList<>();
    for (Map<String, String> r : t.rows()) {
      Map<String, String> m = new LinkedHashMap<>(r);
      m.remove("seconds");
      m.remove("searchSeconds");
      rows.add(m);
    }
    return rows;
  }

  @Test
  void oneRowPerGridPointWithEveryFieldConstructPrints(@TempDir Path dir) throws IOException {
    Path spec = Files.writeString(dir.resolve("spec.json"), SPEC);
    Path csv = dir.resolve("r.csv");
    CommandRun r = run("sweep", spec.toString(), "--out", csv.toString(), "--threads", "2", "--no-progress");
    assertThat(r.code()).as(r.err()).isZero();
    Table t = Table.read(csv);
    assertThat(t.rows()).hasSize(8);
    // the grid in order: construction slowest, seed fastest
    assertThat(t.rows().get(0).get("args"))
        .isEqualTo("--target builtin:small-fc --construction l+1 --rho 3 --eps 0.1 --seed 1 --samples 4");
    assertThat(t.rows().get(7).get("args"))
        .isEqualTo("--target builtin:small-fc --construction 2l --rho 5 --eps 0.1 --seed 2 --samples 4");
    CommandRun c = run("construct", "--target", "builtin:small-fc", "--construction", "2l", "--rho", "5", "--eps", "0.1",
        "--seed", "2", "--samples", "4", "--format", "json", "--no-progress", "--threads", "1");
    JsonObject o = JsonParser.parseString(c.out()).getAsJsonObject();
    assertThat(t.columns()).containsAll(o.keySet());
    Map<String, String> last = t.rows().get(7);
    assertThat(last.get("--rho")).isEqualTo("5");
    assertThat(last.get("exitCode")).isEqualTo("0");
    assertThat(last.get("ticketParams")).isEqualTo(o.get("ticketParams").getAsString());
    assertThat(last.get("certifiedBound")).isEqualTo(o.get("certifiedBound").getAsString());
    assertThat(JsonParser.parseString(last.get("layers"))).isEqualTo(o.get("layers"));
  }

  @Test
  void resumesAndGivesTheSameRowsOnOneOrTwoThreads(@TempDir Path dir) throws IOException {
    Path spec = Files.writeString(dir.resolve("spec.json"), SPEC);
    Path a = dir.resolve("a.csv");
    Path b = dir.resolve("b.csv");
    assertThat(run("sweep", spec.toString(), "--out", a.toString(), "--threads", "2", "--no-progress").code())
        .isZero();
    assertThat(run("sweep", spec.toString(), "--out", b.toString(), "--threads", "1", "--no-progress").code())
        .isZero();
    Table ta = Table.read(a);
    assertThat(withoutTimes(ta)).isEqualTo(withoutTimes(Table.read(b)));

    // drop two rows: a second run redoes exactly those and leaves the others untouched
    Table partial = new Table();
    for (int i = 0; i < ta.rows().size(); i++) {
      if (i != 2 && i != 5) partial.add(ta.rows().get(i));
    }
    partial.write(a);
    CommandRun r = run("sweep", spec.toString(), "--out", a.toString(), "--no-progress");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("2 run, 6 already in");
    Table resumed = Table.read(a);
    assertThat(withoutTimes(resumed)).isEqualTo(withoutTimes(ta));
    for (int i = 0; i < 8; i++) {
      if (i != 2 && i != 5) assertThat(resumed.rows().get(i)).isEqualTo(ta.rows().get(i));
    }
  }

  @Test
  void badSpecsNameTheFieldAndWriteNothing(@TempDir Path dir) throws IOException {
    String[][] cases = {
        {"{\"target\": \"builtin:small-fc\", \"seeds\": [1, 2]}", "field 'seeds'"},
        {"{\"target\": \"builtin:small-fc\", \"rho\": \"many\"}", "field 'rho'"},
        {"{\"target\": \"builtin:small-fc\", \"rho\": []}", "field 'rho'"},
        {"{\"target\": \"builtin:small-fc\", \"seed\": {\"from\": 3, \"to\": 1}}", "field 'seed'"},
        {"{\"target\": [\"builtin:small-fc\", \"builtin:nothing\"]}", "field 'target'"},
        {"{\"target\": \"builtin:small-fc\", \"activation\": [\"relu\", \"abs\"]}", "field 'activation'"},
        {"{\"target\": \"builtin:small-fc\", \"mode\": \"fastest\"}", "field 'mode'"},
        {"{\"target\": \"builtin:small-fc\", \"threads\": 2}", "field 'threads'"},
        {"{\"rho\": 4}", "field 'target'"},
        {"{\"target\": \"builtin:small-fc\", \"rho\": 100000}", "field 'rho'"},
        {"[1, 2]", "JSON object"},
        {"{\"target\": ", "not valid JSON"},
    };
    for (String[] c : cases) {
      Path spec = Files.writeString(dir.resolve("spec.json"), c[0]);
      Path csv = dir.resolve("r.csv");
      CommandRun r = run("sweep", spec.toString(), "--out", csv.toString(), "--no-progress");
      assertThat(r.code()).as(c[0] + " -> " + r.err()).isEqualTo(2);
      assertThat(r.err()).as(c[0]).contains(spec.toString()).contains(c[1]);
      assertThat(csv).as(c[0]).doesNotExist();
    }
    Path spec = Files.writeString(dir.resolve("ok.json"), "{\"target\": \"builtin:small-fc\"}");
    Path notSweep = Files.writeString(dir.resolve("other.csv"), "a,b\n1,2\n");
    CommandRun r = run("sweep", spec.toString(), "--out", notSweep.toString(), "--no-progress");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("other.csv").contains("'args'");
    assertThat(Files.readString(notSweep)).isEqualTo("a,b\n1,2\n");
  }
}
