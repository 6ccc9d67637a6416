package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.json;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.ticketproof.kernel.TicketFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on the twenty-fourth round's networks (fixtures {@code round24_*}, made by train_round24.py), whose
 * inputs are not on [-1, 1], given to construct with their data and no box: a GELU MLP on eight raw features of
 * scales 1 to 2e5, and a Conv1d net on signals of unit variance. The default box holds the data (each feature's range,
 * each channel's), the ticket holds, lies within 1 % of the target on the data, keeps every prediction, and its
 * certificate is not vacuous; verify recomputes it from the file.
 */
@Tag("end-to-end")
class Round24CommandsTest {
  @TempDir Path tmp;

  private JsonObject ticket(String name, String note) throws Exception {
    Path t = tmp.resolve(name + ".tpz");
    CommandRun c = run("construct", "--target", fx("round24_" + name + "_whole.pt"), "--data",
        fx("round24_" + name + "_input.npy"), "--labels", fx("round24_" + name + "_y.npy"), "--search", "0",
        "--format", "json", "--no-progress", "--out", t.toString());
    assertThat(c.err()).contains(note);
    JsonObject o = json(c);
    System.out.printf("round24 %s: rho %d, eps %.3g, lambda %.3g, %.3g off the target on the data, agreement %.3f, "
        + "certified %.3g against outputs up to %.3g%n", name, o.get("rho").getAsInt(), o.get("eps").getAsDouble(),
        o.get("lambda").getAsDouble(), o.get("dataRelError").getAsDouble(), o.get("agreement").getAsDouble(),
        o.get("certifiedBound").getAsDouble(), o.get("maxTargetOutput").getAsDouble());
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(o.get("dataInBox").getAsBoolean()).isTrue();
    assertThat(o.get("dataRelError").getAsDouble()).isLessThan(0.01);
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
    assertThat(o.get("certifiedBound").getAsDouble()).isLessThan(o.get("maxTargetOutput").getAsDouble());
    assertThat(TicketFile.read(t).header().version()).isEqualTo(5);
    CommandRun v = run("verify", t.toString(), "--target", fx("round24_" + name + "_whole.pt"), "--samples", "0",
        "--search", "0", "--no-progress");
    assertThat(v.code()).as(v.err()).isZero();
    return o;
  }

  /** Raw features of unequal scales: the box is each feature's range, each feature's copies take its own scale. */
  @Test void aTabularMlpOnRawFeaturesGetsATicketThatApproximatesIt() throws Exception {
    JsonObject o = ticket("tabular", "lie in [0.0309, 1.94e+05], beyond [-1, 1], on features of unequal scales, so the"
        + " box is each feature's range in them");
    assertThat(o.get("inputBoxes").getAsJsonArray()).hasSize(8);
  }

  /** Signals beyond [-1, 1]: the box is their channel's range. */
  @Test void aSignalNetGetsATicketOnTheRangeOfItsSignals() throws Exception {
    ticket("signal", "so the box is each input channel's range in them");
  }
}
