package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on the thirteenth round's pre-activation ResNets, read as post-activation ResNets of doubled width:
 * inspect says so with the channel counts, a ticket of the rewritten network holds and verifies against the state
 * dict and the whole model, and a RobustBench WideResNet's names are found in a checkpoint.
 */
@Tag("end-to-end")
class Round13CommandsTest {
  @TempDir Path tmp;

  @Test void inspectSaysThePreActivationNetworkIsReadRewritten() {
    CommandRun[] r = new CommandRun[1];
    String err = ProgressAndErrorsTest.capturingStderr(() -> r[0] = run("inspect", fx("round13_wrn_ckpt.pt"),
        "--input-shape", "3,32,32"));
    CommandRun i = r[0];
    assertThat(i.code()).as(i.err()).isZero();
    assertThat(i.out()).contains("architecture: read as a pre-activation WideResNet (3 blocks adding their input with "
        + "no activation after the sum, a final bn1 and activation) rewritten to a post-activation ResNet of doubled "
        + "width").contains("the stream of 8/8/16/32 channels is carried in 16/16/32/64 channels and each block reads "
        + "24/24/48 channels").contains("residual block 'block3.layer.0'").doesNotContain("save it as a .json spec");
    assertThat(err).contains("are those of a pre-activation ResNet (state_dict.conv1, "
        + "state_dict.block1.layer.0.conv1, ...)");
  }

  /**
   * The defaults but for the adversarial search (which only measures a lower bound), on the seventh round's
   * pre-activation ResNet (refused then): the ticket of the rewritten network holds, keeps every prediction on the
   * held-out images, and verifies against the state dict and the whole model (one target); docs/import.md has the
   * thirteenth round's numbers at the defaults.
   */
  @Test void aTicketOfTheRewrittenNetworkHoldsAndVerifies() {
    Path t = tmp.resolve("p.tpz");
    CommandRun c = run("construct", "--target", fx("user7_preact.pt"), "--input-box", "0,1", "--search", "0",
        "--data", fx("round13_shapes_input.npy"), "--labels", fx("round13_shapes_y.npy"), "--format", "json",
        "--no-progress", "--out", t.toString());
    assertThat(c.code()).as(c.err()).isZero();
    JsonObject o = JsonParser.parseString(c.out()).getAsJsonObject();
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(o.get("dataRelError").getAsDouble()).isLessThan(0.01);
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
    for (String target : new String[] {"user7_preact.pt", "user7_preact_whole.pt"}) {
      CommandRun v = run("verify", t.toString(), "--target", fx(target), "--no-progress");
      assertThat(v.code()).as(target + ": " + v.err()).isZero();
    }
  }
}
