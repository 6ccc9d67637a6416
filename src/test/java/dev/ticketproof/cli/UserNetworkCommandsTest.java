package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.concat;
import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ticketproof.io.TensorFiles;
import dev.ticketproof.measure.DataCheck;
import dev.ticketproof.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on networks as users bring them: a fully connected whole model's ticket evaluated on [N, F] data as its
 * target reads it, data outside the certified box named by construct, and a preset's failure under the one prefix
 * where its names are.
 */
class UserNetworkCommandsTest {
  @TempDir Path tmp;

  @Test void aFullyConnectedTicketReadsTheDataItsTargetReads() {
    // an MLP on 6 features: the data are [6, 6], which the target reads as 6 examples of [6]
    String target = fx("whole_hardtanh.pt");
    String x = fx("whole_hardtanh_input.npy");
    Path ticket = tmp.resolve("mlp.tpz");
    CommandRun c = run("construct", "--target", target, "--input-box", "-8,8", "--rho", "4", "--eps", "0.05", "--search",
        "0", "--samples", "0", "--data", x, "--no-progress", "--format", "json", "--out", ticket.toString());
    assertThat(c.code()).as(c.err()).isZero();
    double dataMaxError = JsonParser.parseString(c.out()).getAsJsonObject().get("dataMaxError").getAsDouble();
    Path yt = tmp.resolve("ticket.npy");
    CommandRun e = run("eval", "--ticket", ticket.toString(), "--target", target, "--input", x, "--out", yt.toString(),
        "--dtype", "float64");
    assertThat(e.code()).as(e.err()).isZero();
    Path yf = tmp.resolve("target.npy");
    CommandRun f = run("eval", "--target", target, "--input", x, "--out", yf.toString(), "--dtype", "float64");
    assertThat(f.code()).as(f.err()).isZero();
    Tensor ticketOut = TensorFiles.readNpy(yt).tensor();
    Tensor targetOut = TensorFiles.readNpy(yf).tensor();
    assertThat(ticketOut.shape()).containsExactly(targetOut.shape());
    double max = 0;
    for (int i = 0; i < ticketOut.size(); i++) {
      max = Math.max(max, Math.abs(ticketOut.data()[i] - targetOut.data()[i]));
    }
    // the largest difference on the data is the one construct measured
    assertThat(max).isCloseTo(dataMaxError, org.assertj.core.api.Assertions.within(1e-9 * (1 + dataMaxError)));
  }

  @Test void constructNamesDataOutsideTheBox() {
    String[] args = {"construct", "--target", "builtin:digits-cnn", "--rho", "2", "--eps", "0.1", "--search", "0",
        "--samples", "0", "--no-progress", "--format", "json", "--data",
        fx("data_x.pt")};
    CommandRun inside = run(concat(args, "--input-box", "0,1"));
    assertThat(inside.code()).as(inside.err()).isZero();
    assertThat(inside.err()).doesNotContain("outside the input box");
    CommandRun outside = run(concat(args, "--input-box", "0,0.5"));
    assertThat(outside.code()).as(outside.err()).isZero();
    JsonObject o = JsonParser.parseString(outside.out()).getAsJsonObject();
    assertThat(o.get("dataInBox").getAsBoolean()).isFalse();
    assertThat(outside.err()).contains("construct: warning: --data " + fx("data_x.pt") + ": ")
        .contains("inputs have values outside the input box [0, 0.5] (the values range from 0 to 1; the box [0, 1] "
            + "holds them)").contains("give the range the network's inputs take as --input-box LO,HI");
  }

  @Test void outsideBoxCountsTheInputsAndGivesABoxThatHoldsThem() {
    List<double[]> xs = List.of(new double[] {0.5, -0.25}, new double[] {-7.8362, 2}, new double[] {1, 7.6074});
    assertThat(DataCheck.outsideBox(xs, -8, 8)).isNull();
    assertThat(DataCheck.outsideBox(xs, -1, 1)).isEqualTo("2 of 3 inputs have values outside the input box [-1, 1] "
        + "(the values range from -7.84 to 7.61; the box [-7.84, 7.61] holds them)");
    // the box suggested keeps the given ends where they are wider
    assertThat(DataCheck.outsideBox(xs, -10, 0.5)).endsWith("the box [-10, 7.61] holds them)");
    assertThat(DataCheck.inBox(xs, -7.84, 7.61)).isTrue();
    // a value inside the box is never shown beyond its end: 12.0571 against 12.057186 is not rounded to 12.1
    List<double[]> near = List.of(new double[] {-2, 12.0571}, new double[] {0.0141, 3});
    assertThat(DataCheck.outsideBox(near, 0, 12.057186)).contains("the values range from -2 to 12.057;");
    assertThat(DataCheck.outsideBox(List.of(new double[] {0.01433, 30}), 0.014325, 20)).contains("range from 0.01433 to");
    assertThat(DataCheck.outsideBox(near, new double[] {-1, 0}, new double[] {0, 12.057186}))
        .contains("channel 0: box [-1, 0], values from -2 to 0.0141");
    assertThat(DataCheck.outsideBox(List.of(new double[] {-2, 12.0571}), new double[] {0, 0},
        new double[] {1, 12.057186})).contains("channel 0: box [0, 1], values from -2 to -2");
  }

  @Test void aPresetThatFindsItsNamesUnderAPrefixSaysWhyTheyDoNotFit() {
    // a checkpoint {"model_state_dict", "optimizer", "epoch"} of a numbered Sequential with a BatchNorm: the names as
    // they are have no N.weight, the ones under 'model_state_dict.' do, but with a BatchNorm synflow-conv cannot read
    String f = fx("ckpt_bn_sequential.pt");
    CommandRun r = run("inspect", f, "--arch", "synflow-conv");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("synflow-conv on " + f + " (under prefix 'model_state_dict.'): unsupported layer: "
        + "tensor '1.weight' has shape [2] (expected a conv weight of rank 4 or a linear weight of rank 2; a rank-1 "
        + "weight is a BatchNorm's, which synflow-conv does not read: describe the network in a JSON spec");
    // a JSON spec reads it under the prefix
    CommandRun ok = run("inspect", f, "--arch", fx("ckpt_bn_sequential.json"));
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("tensors read under prefix 'model_state_dict.'");
  }
}
