package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.json;
import static dev.ticketproof.cli.ImportCommandsTest.npy;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on RobustBench's DeepMind ResNets (fixtures {@code round17_dm_*}, made by train_round17_dm.py), read
 * without an architecture: eval gives PyTorch's float64 outputs and says how the names were read, a ticket at the
 * defaults holds, keeps every prediction and verifies against the state dict and the whole model, and a whole model
 * whose forward is not what its names give is refused, writing nothing.
 */
@Tag("end-to-end")
class Round17DeepMindCommandsTest {
  @TempDir Path tmp;

  /** max |y - ref| of {@code eval --target} against PyTorch's outputs. */
  private double evalError(String target, String input, String reference) {
    Path y = tmp.resolve("y.npy");
    json(run("eval", "--target", fx(target), "--input", fx(input), "--out", y.toString(), "--format", "json",
        "--no-progress"));
    double[] a = npy(y);
    double[] b = npy(Path.of(fx(reference)));
    assertThat(a).hasSameSizeAs(b);
    double diff = 0;
    for (int i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
    System.out.printf("eval %s: max |y - PyTorch| %.3g%n", target, diff);
    return diff;
  }

  @Test void evalGivesPyTorchsOutputs() {
    String x = "round13_shapes32_input.npy";
    for (String[] c : new String[][] {{"round17_dm_wrn_relu_sd.pt", "wrn_relu"},
        {"round17_dm_wrn_relu_whole.pt", "wrn_relu"}, {"round17_dm_wrn_swish_whole.pt", "wrn_swish"},
        {"round17_dm_pre_relu_sd.pt", "pre_relu"}, {"round17_dm_pre_relu_whole.pt", "pre_relu"},
        {"round17_dm_pre_silu_whole.pt", "pre_silu"}, {"round17_dm_small_sd.pt", "small"},
        {"round17_dm_small_whole.pt", "small"}}) {
      assertThat(evalError(c[0], x, "round17_dm_" + c[1] + "_output.npy")).as(c[0]).isLessThanOrEqualTo(1e-12);
    }
    assertThat(evalError("round17_dm_pre_relu_whole.pt", "round17_dm_odd39_input.npy",
        "round17_dm_odd39_output.npy")).isLessThanOrEqualTo(1e-12);
  }

  @Test void evalSaysHowTheNamesWereRead() {
    CommandRun c = ResNetCommandsTest.runCapturingNotes("eval", "--target", fx("round17_dm_wrn_swish_whole.pt"),
        "--input", fx("round13_shapes32_input.npy"), "--out", tmp.resolve("y.npy").toString(), "--no-progress");
    assertThat(c.code()).as(c.err()).isZero();
    assertThat(c.err()).contains("are those of a pre-activation ResNet (init_conv, layer.0.block.0.conv_0, ...; "
        + "DMWideResNet, RobustBench's dm_wide_resnet.py)").contains("read as a pre-activation DMWideResNet")
        .contains("the input is normalised first, (x - mean) / std with the tensors 'mean' and 'std'")
        .contains("note: activation silu, the one the activation modules of").doesNotContain("warning:");
  }

  /**
   * At the defaults: the ticket holds, keeps every prediction, and verifies against the state dict and the whole
   * model. docs/import.md has the numbers.
   */
  @Test void aTicketAtTheDefaultsHoldsAndVerifies() {
    Path t = tmp.resolve("dm.tpz");
    JsonObject o = json(run("construct", "--target", fx("round17_dm_small_sd.pt"), "--input-box", "0,1", "--data",
        fx("round17_dm_data6_input.npy"), "--labels", fx("round17_dm_data6_y.npy"), "--format", "json",
        "--no-progress", "--out", t.toString()));
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
    assertThat(o.get("dataRelError").getAsDouble()).isLessThan(0.01);
    System.out.printf("round17_dm_small_sd.pt: rho %d, eps %.3g, ticket %.3g off the target on the data, certified "
        + "%.3g, lowerBound %.3g, %.1f s%n", o.get("rho").getAsInt(), o.get("eps").getAsDouble(),
        o.get("dataRelError").getAsDouble(), o.get("certifiedBound").getAsDouble(), o.get("lowerBound").getAsDouble(),
        o.get("seconds").getAsDouble());
    for (String target : new String[] {"round17_dm_small_sd.pt", "round17_dm_small_whole.pt"}) {
      CommandRun v = run("verify", t.toString(), "--target", fx(target), "--no-progress");
      assertThat(v.code()).as(target + ": " + v.err()).isZero();
    }
  }

  @Test void aWholeModelWhoseForwardIsNotReadIsRefusedWritingNothing() {
    for (String[] c : new String[][] {
        {"round17_dm_pre_stride3_whole.pt", "module 'layer_1.0' (robustbench.model_zoo.architectures.dm_wide_resnet."
            + "_PreActBlock): _stride 3"},
        {"round17_dm_pre_pad_whole.pt", "DMPreActResNet): padding 2: its forward pads the input with zeros"},
        {"round17_dm_pre_nostd_sd.pt", "no tensor 'std' (expected [3, 1, 1]"}}) {
      Path out = tmp.resolve("y.npy");
      CommandRun e = run("eval", "--target", fx(c[0]), "--input", fx("round13_shapes32_input.npy"), "--out",
          out.toString(), "--no-progress");
      assertThat(e.code()).as(c[0]).isEqualTo(2);
      assertThat(e.err()).contains(c[0]).contains(c[1]);
      assertThat(Files.exists(out)).isFalse();
    }
  }
}
