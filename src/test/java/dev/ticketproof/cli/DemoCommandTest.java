package dev.ticketproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The demo end to end (slow group: {@code .ci/run} runs the demo itself after the tests, and its exit code is 0
 * only when every certificate holds with the measured errors within the bounds).
 */
class DemoCommandTest {
  @Tag("slow")
  @Test
  void demoBuildsAndVerifiesEveryBuiltinTicket() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute("demo", "--no-progress", "--format", "json", "--search", "64");
    assertThat(code).as(err.toString()).isZero();
    JsonObject o = JsonParser.parseString(out.toString()).getAsJsonObject();
    assertThat(o.getAsJsonArray("rows")).hasSize(DemoCommand.ROWS.size());
    for (var el : o.getAsJsonArray("rows")) {
      JsonObject r = el.getAsJsonObject();
      assertThat(r.get("verdict").getAsString()).as(r.toString()).isEqualTo("holds");
      assertThat(r.get("measuredMaxError").getAsDouble()).as(r.toString())
          .isLessThanOrEqualTo(r.get("lowerBound").getAsDouble());
      assertThat(r.get("lowerBound").getAsDouble()).as(r.toString())
          .isLessThanOrEqualTo(r.get("certifiedBound").getAsDouble());
      assertThat(r.get("searchEvaluations").getAsLong()).as(r.toString()).isBetween(64L - 8, 64L);
      if (r.has("targetAccuracy")) {
        assertThat(r.get("targetAccuracy").getAsDouble()).isGreaterThan(0.9);
        // trained targets at the demo's settings: the ticket predicts what the target predicts
        assertThat(r.get("agreement").getAsDouble()).as(r.toString()).isEqualTo(1.0);
      }
      if (r.has("radius")) {
        // the local certificate says something where the whole box's does not: below the target's outputs
        assertThat(r.get("certifiedBound").getAsDouble()).as(r.toString())
            .isLessThan(r.get("maxTargetOutput").getAsDouble());
        assertThat(r.get("certifiedAgreement").getAsInt()).as(r.toString())
            .isBetween(0, r.get("aroundPoints").getAsInt());
      }
    }
  }
}
