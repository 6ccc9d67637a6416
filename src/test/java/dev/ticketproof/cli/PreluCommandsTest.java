package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.json;
import static dev.ticketproof.cli.ImportCommandsTest.npy;
import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Networks with activations of the ReLU family of their own slopes (fixtures {@code prelu_*}, trained with PyTorch):
 * nn.PReLU with a slope per channel, and nn.ReLU, nn.LeakyReLU(0.2) and nn.PReLU() in one network, were refused
 * ('one learned slope per channel ... is a different activation in each channel'; 'the whole model uses several
 * activations'). They are read as ReLU of doubled channels: eval --target gives PyTorch's outputs, the spec that
 * inspect derives reads the state dict the same way, and construct builds a ticket that holds and keeps the
 * predictions.
 */
class PreluCommandsTest {
  @TempDir Path tmp;

  /** ||a - b||_inf / ||b||_inf. */
  private static double relative(double[] a, double[] b) {
    assertThat(a).hasSameSizeAs(b);
    double d = 0;
    double n = 0;
    for (int k = 0; k < a.length; k++) {
      d = Math.max(d, Math.abs(a[k] - b[k]));
      n = Math.max(n, Math.abs(b[k]));
    }
    return d / n;
  }

  private double[] eval(String... targetArgs) {
    Path y = tmp.resolve("y" + System.nanoTime() + ".npy");
    String[] args = new String[targetArgs.length + 5];
    args[0] = "eval";
    System.arraycopy(targetArgs, 0, args, 1, targetArgs.length);
    args[targetArgs.length + 1] = "--out";
    args[targetArgs.length + 2] = y.toString();
    args[targetArgs.length + 3] = "--format";
    args[targetArgs.length + 4] = "json";
    json(run(args));
    return npy(y);
  }

  @Test void wholeModelsGivePyTorchsOutputs() {
    for (String n : new String[] {"cnn", "mlp", "bn"}) {
      double[] y = eval("--target", fx("prelu_" + n + "_whole.pt"), "--input", fx("prelu_" + n + "_x.npy"));
      assertThat(relative(y, npy(Path.of(fx("prelu_" + n + "_output.npy"))))).as(n).isLessThan(1e-12);
    }
  }

  /** inspect's spec names the prelu layers and reads the state dict as the whole model is read. */
  @Test void theDerivedSpecReadsTheStateDict() throws Exception {
    CommandRun i = run("inspect", fx("prelu_cnn_whole.pt"), "--format", "json");
    assertThat(i.code()).as(i.err()).isZero();
    JsonObject arch = JsonParser.parseString(i.out()).getAsJsonObject().getAsJsonObject("arch");
    assertThat(arch.get("activation").getAsString()).isEqualTo("relu");
    assertThat(arch.toString()).contains("{\"type\":\"prelu\",\"name\":\"2\"}");
    Path spec = Files.writeString(tmp.resolve("cnn.json"), arch.toString());
    double[] y = eval("--target", fx("prelu_cnn.pt"), "--arch", spec.toString(), "--input", fx("prelu_cnn_x.npy"));
    assertThat(relative(y, npy(Path.of(fx("prelu_cnn_output.npy"))))).isLessThan(1e-12);
  }

  @Test void aTicketOfTheMixedMlpHoldsAndKeepsThePredictions() {
    Path t = tmp.resolve("mlp.tpz");
    JsonObject o = json(run("construct", "--target", fx("prelu_mlp_whole.pt"), "--input-box", "0,1", "--rho", "24",
        "--eps", "0.002", "--data", fx("prelu_mlp_x.npy"), "--labels", fx("prelu_mlp_y.npy"), "--search", "0",
        "--samples", "4", "--format", "json", "--no-progress", "--out", t.toString()));
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(o.get("activation").getAsString()).isEqualTo("relu");
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
    assertThat(o.get("dataRelError").getAsDouble()).isLessThan(0.02);
    CommandRun v = run("verify", t.toString(), "--target", fx("prelu_mlp_whole.pt"));
    assertThat(v.code()).as(v.out() + v.err()).isZero();
  }
}
