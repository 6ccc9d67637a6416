package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static dev.ticketproof.cli.UserNets2CommandsTest.relativeError;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ticketproof.io.DType;
import dev.ticketproof.io.Fixtures;
import dev.ticketproof.io.Npy;
import dev.ticketproof.io.TensorFiles;
import dev.ticketproof.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on the sixth round of users' networks (fixtures {@code user6_*}): a dict of two whole models read by
 * the prefix of one, a first nn.Unflatten, 28x28 images without a channel axis, and a single-output binary
 * classifier whose predictions are the sign of its logit.
 */
class UserNets6CommandsTest {
  @TempDir Path tmp;

  @Test void aDictOfTwoWholeModelsIsRefusedWithoutAPrefixAndReadWithOne() {
    Path y = tmp.resolve("y.npy");
    CommandRun no = run("eval", "--target", fx("user6_model_ema_whole.pt"), "--input", fx("user6_mlp_input.npy"), "--out",
        y.toString());
    assertThat(no.code()).isEqualTo(2);
    assertThat(no.err()).contains("user6_model_ema_whole.pt holds 2 whole models, under 'model.', 'ema.': give the prefix "
        + "of one (e.g. model.)").contains("--prefix");
    assertThat(y).doesNotExist();
    CommandRun ok = run("eval", "--target", fx("user6_model_ema_whole.pt"), "--prefix", "model", "--input",
        fx("user6_mlp_input.npy"), "--out", y.toString());
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(relativeError(y, "user6_mlp_output.npy")).isLessThanOrEqualTo(1e-14);

    CommandRun spec = run("inspect", fx("user6_model_ema_whole.pt"), "--prefix", "ema.");
    assertThat(spec.code()).as(spec.err()).isZero();
    assertThat(spec.out()).contains("architecture from the module tree").contains("\"input\": [64]")
        .contains("tensors read under prefix 'ema.'");
    CommandRun none = run("inspect", fx("user6_model_ema_whole.pt"), "--prefix", "optimizer.");
    assertThat(none.code()).isEqualTo(2);
    assertThat(none.err()).contains("holds no whole model under it");
  }

  @Test void evalReadsFlatRowsThroughAFirstUnflattenAndImagesWithoutAChannelAxis() throws Exception {
    Path y = tmp.resolve("y.npy");
    CommandRun r = run("eval", "--target", fx("user6_unflatten_whole.pt"), "--input", fx("user6_unflatten_input.npy"),
        "--out", y.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(relativeError(y, "user6_unflatten_output.npy")).isLessThanOrEqualTo(1e-14);

    Tensor x = TensorFiles.readNpy(Fixtures.path("user6_mnistmlp_input.npy")).tensor(); // [60, 1, 28, 28]
    Path x2 = tmp.resolve("x2.npy");
    Npy.write(x2, Tensor.of(x.data(), new int[] {x.dim(0), 28, 28}), DType.FLOAT32);
    Path y2 = tmp.resolve("y2.npy");
    CommandRun s = run("eval", "--target", fx("user6_mnistmlp_whole.pt"), "--input", x2.toString(), "--out", y2.toString());
    assertThat(s.code()).as(s.err()).isZero();
    assertThat(relativeError(y2, "user6_mnistmlp_output.npy")).isLessThanOrEqualTo(1e-14);
  }

  /**
   * A binary classifier with one output (BCEWithLogits): labels 0 and 1 are accepted, a prediction is the sign of
   * the logit, so the accuracy is PyTorch's (computed here from its stored outputs), and a label 2 is refused.
   */
  @Test void aSingleOutputPredictsBySignAndTakesLabelsZeroAndOne() {
    Tensor out = TensorFiles.readNpy(Fixtures.path("user6_binary_output.npy")).tensor();
    Tensor labels = TensorFiles.readNpy(Fixtures.path("user6_binary_y.npy")).tensor();
    int right = 0;
    for (int i = 0; i < out.size(); i++) if ((out.data()[i] > 0 ? 1 : 0) == (int) labels.data()[i]) right++;
    double accuracy = (double) right / out.size();
    assertThat(accuracy).isBetween(0.6, 0.99); // the argmax of one output, always class 0, would give the even share

    Path t = tmp.resolve("b.tpz");
    CommandRun r = run("construct", "--target", fx("user6_binary_whole.pt"), "--input-box", "-2.08,3.98", "--rho", "16",
        "--eps", "0.01", "--search", "0", "--data", fx("user6_binary_input.npy"), "--labels", fx("user6_binary_y.npy"),
        "--format", "json", "--no-progress", "--out", t.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    assertThat(o.get("targetAccuracy").getAsDouble()).isEqualTo(accuracy);
    assertThat(o.get("dataInBox").getAsBoolean()).isTrue();

    Path bad = tmp.resolve("y3.npy");
    double[] three = labels.data().clone();
    three[5] = 2;
    try {
      Npy.write(bad, Tensor.of(three, new int[] {three.length}), DType.FLOAT32); // labels of integer values
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Path no = tmp.resolve("no.tpz");
    CommandRun b = run("construct", "--target", fx("user6_binary_whole.pt"), "--data", fx("user6_binary_input.npy"),
        "--labels", bad.toString(), "--out", no.toString());
    assertThat(b.code()).isEqualTo(2);
    assertThat(b.err()).contains("label 2 at index 5, but the network has one output, read as a binary classifier's "
        + "logit").contains("labels must be 0 or 1");
    assertThat(no).doesNotExist();
  }

  /**
   * The search's share of the run is planned from the start: the percentage of the plain progress lines never falls
   * (it fell from 99 % to 52 % as the search started when the search was planned only then).
   */
  @Test void theProgressOfAConstructWithALongSearchNeverFalls() {
    Path t = tmp.resolve("p.tpz");
    CommandRun[] r = new CommandRun[1];
    String err = ProgressAndErrorsTest.capturingStderr(() -> r[0] = run("construct", "--target",
        fx("user6_binary_whole.pt"), "--input-box", "-2.08,3.98", "--rho", "16", "--eps", "0.01", "--search", "3000",
        "--out", t.toString()));
    assertThat(r[0].code()).as(r[0].err()).isZero();
    java.util.List<Integer> percents = new java.util.ArrayList<>();
    for (String line : err.split("\n")) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("^construct: (\\d+) %, ").matcher(line);
      if (m.find()) percents.add(Integer.parseInt(m.group(1)));
    }
    assertThat(err).contains("adversarial search");
    assertThat(percents).hasSizeGreaterThan(3).isSorted().endsWith(100);
  }

  /** A value of float32 data just above the box (an image's 1 after interpolation) is shown above it. */
  @Test void aValueJustOutsideTheBoxIsShownOutsideIt() {
    java.util.List<double[]> xs = java.util.List.of(new double[] {0, 0.5}, new double[] {(double) 1.0000001f, 0});
    assertThat(dev.ticketproof.measure.DataCheck.outsideBox(xs, 0, 1)).isEqualTo("1 of 2 inputs have values outside "
        + "the input box [0, 1] (the values range from 0 to 1.0000001; the box [0, 1.01] holds them)");
    assertThat(dev.ticketproof.measure.DataCheck.outsideBox(xs, 0.25, 1)).isEqualTo("2 of 2 inputs have values "
        + "outside the input box [0.25, 1] (the values range from 0 to 1.0000001; the box [0, 1.01] holds them)");
  }
}
