package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.json;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on the fourteenth round's ResNets of bottleneck blocks: inspect shows the blocks and their spec, a
 * ticket holds at the defaults (but the search), keeps every prediction and verifies against the state dict and the
 * whole model, and an activation that cannot carry the block's input is refused naming the block, writing nothing.
 */
@Tag("end-to-end")
class Round14CommandsTest {
  @TempDir Path tmp;

  @Test void inspectShowsTheBottleneckBlocksAndTheirSpec() {
    CommandRun i = run("inspect", fx("round14_tv_whole.pt"), "--input-shape", "3,16,16");
    assertThat(i.code()).as(i.err()).isZero();
    assertThat(i.out()).contains("bottleneck block 'layer2.0'").contains("\"conv3\": {\"name\": \"layer2.0.conv3\"")
        .contains("\"conv2\": {\"name\": \"layer2.0.conv2\", \"stride\": 2, \"padding\": 1}");
  }

  /**
   * The defaults but for the adversarial search (which only measures a lower bound); docs/import.md has the
   * fourteenth round's numbers at the defaults.
   */
  @Test void aTicketHoldsKeepsThePredictionsAndVerifiesAgainstStateDictAndWholeModel() {
    Path t = tmp.resolve("b.tpz");
    CommandRun c = run("construct", "--target", fx("round14_tv_sd.pt"), "--input-box", "0,1", "--search", "0",
        "--data", fx("round14_shapes_input.npy"), "--labels", fx("round14_shapes_y.npy"), "--format", "json",
        "--no-progress", "--out", t.toString());
    JsonObject o = json(c);
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(o.get("dataRelError").getAsDouble()).isLessThan(0.01);
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
    for (String target : new String[] {"round14_tv_sd.pt", "round14_tv_whole.pt"}) {
      CommandRun v = run("verify", t.toString(), "--target", fx(target), "--no-progress");
      assertThat(v.code()).as(target + ": " + v.err()).isZero();
    }
  }

  @Test void anActivationThatCannotCarryTheInputIsRefusedNamingTheBlock() {
    Path out = tmp.resolve("y.npy");
    CommandRun e = run("eval", "--target", fx("round14_kuangliu_sd.pt"), "--activation", "tanh", "--input",
        fx("round14_shapes_input.npy"), "--out", out.toString(), "--no-progress");
    assertThat(e.code()).isEqualTo(2);
    assertThat(e.err()).contains("bottleneck block 'layer1.0': activation tanh").contains("not for tanh");
    assertThat(Files.exists(out)).isFalse();
  }

  /** timm's ResNet-D, at the defaults but the search: the ticket holds, keeps every prediction, verifies whole. */
  @Test void aTicketOfATimmResNetDHoldsAndVerifiesAgainstTheWholeModel() {
    Path t = tmp.resolve("d.tpz");
    JsonObject o = json(run("construct", "--target", fx("round14_timmd_sd.pt"), "--input-box", "0,1", "--search",
        "0", "--data", fx("round14_shapes32_input.npy"), "--labels", fx("round14_shapes32_y.npy"), "--format", "json",
        "--no-progress", "--out", t.toString()));
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(o.get("dataRelError").getAsDouble()).isLessThan(0.01);
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
    CommandRun v = run("verify", t.toString(), "--target", fx("round14_timmd_whole.pt"), "--no-progress");
    assertThat(v.code()).as(v.err()).isZero();
  }

  /** eval says how the bottleneck blocks are computed, with the channels of the first one's conv layer. */
  @Test void theCommandsSayHowBottleneckBlocksAreComputed() {
    for (String[] c : new String[][] {{"round14_tv_sd.pt", "relu", "16 channels and gives 20"},
        {"round14_silu_sd.pt", "silu", "16 channels and gives 36"}}) {
      CommandRun e = ResNetCommandsTest.runCapturingNotes("eval", "--target", fx(c[0]), "--activation", c[1],
          "--input", fx("round14_shapes_input.npy"), "--out", tmp.resolve("n.npy").toString(), "--no-progress");
      assertThat(e.code()).as(e.err()).isZero();
      assertThat(e.err()).contains("bottleneck blocks (layer1.0, ...) are each computed as a conv layer that carries "
          + "the block's input").contains("layer1.0's conv layer reads " + c[2]);
    }
  }
}
