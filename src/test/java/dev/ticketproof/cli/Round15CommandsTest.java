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
 * The commands on the fifteenth round's whole ResNets, whose modules have other strides and epsilons than the preset
 * infers: they say which, and a ticket of the model the file holds (not of the preset's reading) holds and keeps every
 * prediction; a pre-activation ResNet of another epsilon is refused, writing nothing.
 */
@Tag("end-to-end")
class Round15CommandsTest {
  @TempDir Path tmp;

  /** The defaults but for the adversarial search (which only measures a lower bound). */
  @Test void aTicketOfTheOriginalResNetsBlocksHoldsAndKeepsThePredictions() {
    Path t = tmp.resolve("c.tpz");
    CommandRun c = run("construct", "--target", fx("round15_caffe_whole.pt"), "--input-box", "0,1", "--search", "0",
        "--data", fx("round15_shapes_input.npy"), "--labels", fx("round15_shapes_y.npy"), "--format", "json",
        "--no-progress", "--out", t.toString());
    JsonObject o = json(c);
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(o.get("dataRelError").getAsDouble()).isLessThan(0.01);
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
    CommandRun v = run("verify", t.toString(), "--target", fx("round15_caffe_whole.pt"), "--no-progress");
    assertThat(v.code()).as(v.err()).isZero();
    // the state dict is read with the stride on conv2: another target, which the ticket's hash does not match
    CommandRun sd = run("verify", t.toString(), "--target", fx("round15_caffe_sd.pt"), "--no-progress");
    assertThat(sd.code()).as(sd.err()).isNotZero();
  }

  /**
   * eval says where the whole model's modules differ from the preset's rules, and on the state dict that it does not
   * say where a bottleneck block's stride is.
   */
  @Test void theCommandsSayWhatTheModulesSayAndWhatAStateDictDoesNot() {
    CommandRun whole = ResNetCommandsTest.runCapturingNotes("eval", "--target", fx("round15_caffe_whole.pt"),
        "--input", fx("round15_shapes_input.npy"), "--out", tmp.resolve("w.npy").toString(), "--no-progress");
    assertThat(whole.code()).as(whole.err()).isZero();
    assertThat(whole.err()).contains("note: read with the hyper-parameters of the modules of")
        .contains("layer2.0.conv1 stride: 2, padding: 0 (the preset's: stride: 1, padding: 0)")
        .doesNotContain("a state dict does not say");
    CommandRun sd = ResNetCommandsTest.runCapturingNotes("eval", "--target", fx("round15_caffe_sd.pt"),
        "--input", fx("round15_shapes_input.npy"), "--out", tmp.resolve("s.npy").toString(), "--no-progress");
    assertThat(sd.code()).as(sd.err()).isZero();
    assertThat(sd.err()).contains("a state dict does not say on which conv a block's stride is")
        .doesNotContain("hyper-parameters of the modules");
  }

  @Test void aPreActivationResNetOfAnotherEpsilonIsRefusedWritingNothing() {
    Path out = tmp.resolve("y.npy");
    CommandRun e = run("eval", "--target", fx("round15_preacteps_whole.pt"), "--input",
        fx("round15_shapes_input.npy"), "--out", out.toString(), "--no-progress");
    assertThat(e.code()).isEqualTo(2);
    assertThat(e.err()).contains("layer1.0.bn1 eps: 0.001");
    assertThat(Files.exists(out)).isFalse();
  }
}
