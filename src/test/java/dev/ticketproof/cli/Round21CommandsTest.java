package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.concat;
import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.json;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on the twenty-first round's pre-activation ResNets under names of their own (fixtures
 * {@code round21_*}, made by train_round21.py), read through their JSON specs' {@code preact-resnet}: a ticket holds,
 * lies within 1 % of the target on the test shapes and keeps every prediction, and verify recomputes it from the
 * checkpoint and the spec.
 */
@Tag("end-to-end")
class Round21CommandsTest {
  @TempDir Path tmp;

  private JsonObject ticket(String name, String file, String... more) {
    Path t = tmp.resolve(name + ".tpz");
    String target = fx("round21_" + file);
    String arch = fx("round21_" + name + ".json");
    String[] args = {"construct", "--target", target, "--arch", arch, "--input-box", "0,1", "--data",
        fx("round13_shapes_input.npy"), "--labels", fx("round13_shapes_y.npy"), "--search", "0", "--format", "json",
        "--no-progress", "--out", t.toString()};
    JsonObject o = json(run(concat(args, more)));
    System.out.printf("round21 %s: rho %d, eps %.3g, ticket %.3g off the target on the data, agreement %.3f, %.1f s%n",
        name, o.get("rho").getAsInt(), o.get("eps").getAsDouble(), o.get("dataRelError").getAsDouble(),
        o.get("agreement").getAsDouble(), o.get("seconds").getAsDouble());
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(o.get("dataRelError").getAsDouble()).isLessThan(0.01);
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
    CommandRun v = run("verify", t.toString(), "--target", target, "--arch", arch, "--samples", "0", "--search", "0",
        "--no-progress");
    assertThat(v.code()).as(v.err()).isZero();
    return o;
  }

  /** GELU blocks named block1.0, ..., the input normalised with constants: at the defaults. */
  @Test void theGeluNetUnderItsOwnNamesGetsATicketAtTheDefaults() {
    JsonObject o = ticket("custom", "custom_ckpt.pt");
    assertThat(o.get("epsBasis").getAsString()).isEqualTo("calibrated");
  }

  /** wide_basic blocks (the stride on conv2, projections of the block's input), at a smaller width. */
  @Test void theWideBasicNetGetsATicket() {
    ticket("wide", "wide_sd.pt", "--rho", "60", "--eps", "0.0005");
  }
}
