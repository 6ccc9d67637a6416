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
 * The commands on the ninth round of users' networks (fixtures {@code user9_*}): a CNN trained with
 * {@code nn.RReLU}, a CNN padded by {@code nn.ZeroPad2d} modules, a CNN under spectral normalisation (whole and as
 * state dicts), and what is refused: other padding modules, quantized models, a channels-last batch.
 */
class UserNets9CommandsTest {
  @TempDir Path tmp;

  private JsonObject construct(String net, String target, String data, String... extra) {
    String[] base = {"construct", "--target", fx(target), "--input-box", "0,1", "--data", fx(data + "_input.npy"),
        "--labels", fx(data + "_y.npy"), "--format", "json", "--no-progress", "--out",
        tmp.resolve(net + ".tpz").toString()};
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    CommandRun r = run(args);
    assertThat(r.code()).as(r.err()).isZero();
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    return o;
  }

  /**
   * Small tickets (rho 8, eps 0.01) of the RReLU, zero-padded and spectral-normed CNNs verify, and the spectral one
   * against its state dict with the JSON spec too (one target hash).
   */
  @Test void ticketsOfTheNinthRoundVerify() {
    String[] fast = {"--rho", "8", "--eps", "0.01", "--search", "0", "--samples", "4"};
    JsonObject rrelu = construct("rrelu", "user9_rrelu_whole.pt", "user9_rrelu", fast);
    assertThat(rrelu.get("activation").getAsString()).isEqualTo("leaky-relu(" + (1.0 / 8 + 1.0 / 3) / 2 + ")");
    construct("zeropad", "user9_zeropad_whole.pt", "user9_zeropad", fast);
    construct("spectral", "user9_spectral_whole.pt", "user9_spectral", fast);
    for (String net : new String[] {"rrelu", "zeropad", "spectral"}) {
      CommandRun v = run("verify", tmp.resolve(net + ".tpz").toString(), "--target", fx("user9_" + net + "_whole.pt"),
          "--no-progress");
      assertThat(v.code()).as(v.err()).isZero();
    }
    CommandRun v = run("verify", tmp.resolve("spectral.tpz").toString(), "--target", fx("user9_spectral.pt"), "--arch",
        fx("user9_spectral.json"), "--no-progress");
    assertThat(v.code()).as(v.err()).isZero();
  }

  /**
   * The regression MLP's 32 outputs have scales from 0.01 to 100: the report names the output whose error is the
   * largest relative to its own scale (as eval's outputs give it), and construct warns when that error exceeds the
   * goal where the whole output vector's relative error, that of the largest outputs, hides it.
   */
  @Test void theWorstOutputOnItsOwnScaleIsReported() {
    Path t = tmp.resolve("ae.tpz");
    CommandRun r = run("construct", "--target", fx("user9_ae32_whole.pt"), "--input-box", "data", "--data",
        fx("user9_ae32_input.npy"), "--rho", "8", "--eps", "0.001", "--search", "0", "--samples", "4", "--format",
        "json", "--no-progress", "--out", t.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    Path yt = tmp.resolve("yt.npy");
    Path y = tmp.resolve("y.npy");
    assertThat(run("eval", "--ticket", t.toString(), "--target", fx("user9_ae32_whole.pt"), "--input",
        fx("user9_ae32_input.npy"), "--out", yt.toString(), "--no-progress").code()).isZero();
    assertThat(run("eval", "--target", fx("user9_ae32_whole.pt"), "--input", fx("user9_ae32_input.npy"), "--out",
        y.toString()).code()).isZero();
    double[] a = dev.ticketproof.io.TensorFiles.readNpy(y).tensor().data();
    double[] b = dev.ticketproof.io.TensorFiles.readNpy(yt).tensor().data();
    double[] err = new double[32];
    double[] mag = new double[32];
    for (int i = 0; i < a.length; i++) {
      err[i % 32] = Math.max(err[i % 32], Math.abs(a[i] - b[i]));
      mag[i % 32] = Math.max(mag[i % 32], Math.abs(a[i]));
    }
    int worst = 0;
    for (int j = 1; j < 32; j++) if (err[j] / mag[j] > err[worst] / mag[worst]) worst = j;
    assertThat(o.get("dataWorstOutput").getAsInt()).isEqualTo(worst);
    assertThat(o.get("dataWorstOutputRelError").getAsDouble()).isCloseTo(err[worst] / mag[worst],
        org.assertj.core.data.Offset.offset(1e-12));
    double whole = o.get("dataRelError").getAsDouble();
    System.out.printf("ae32 rho 8 eps 1e-3: whole-vector error %.3g, output %d on its own scale %.3g%n", whole, worst,
        err[worst] / mag[worst]);
    // the smallest outputs (scale 0.01) are far worse on their own scale than the vector's error says
    assertThat(err[worst] / mag[worst]).isGreaterThan(2 * whole).isGreaterThan(0.01);
    assertThat(r.err()).contains("construct: warning: output " + worst + " is ").contains("relative to its own scale");
  }

  /**
   * The training loop's checkpoint with numpy values and the argparse options: construct finds the state dict under
   * {@code model.}, builds and verifies; inspect lists the numpy values and the options as skipped.
   */
  @Test void aCheckpointWithNumpyValuesBuildsAndVerifies() {
    JsonObject o = construct("ckpt", "user9_ckpt_numpy.pt", "user9_ckpt", "--arch", fx("user9_ckpt.json"), "--rho",
        "8", "--eps", "0.01", "--search", "0", "--samples", "4");
    assertThat(o.get("agreement").getAsDouble()).isGreaterThan(0.5);
    CommandRun v = run("verify", tmp.resolve("ckpt.tpz").toString(), "--target", fx("user9_ckpt_numpy.pt"), "--arch",
        fx("user9_ckpt.json"), "--no-progress");
    assertThat(v.code()).as(v.err()).isZero();
    CommandRun i = run("inspect", fx("user9_ckpt_numpy.pt"));
    assertThat(i.code()).as(i.err()).isZero();
    assertThat(i.out()).contains("skipped (not tensors): epoch, optimizer.param_groups, best_acc, losses, args");
  }

  /**
   * Images saved as int32 pixels 0..255 are read as they are (integer inputs may be what a network takes), with a
   * note that says so and how to scale them, beside the warning that they leave the box [0, 1].
   */
  @Test void integerPixelsGetANoteSayingHowToScaleThem() {
    java.io.PrintStream saved = System.err;
    java.io.ByteArrayOutputStream notes = new java.io.ByteArrayOutputStream();
    CommandRun r;
    try {
      System.setErr(new java.io.PrintStream(notes, true, java.nio.charset.StandardCharsets.UTF_8));
      r = run("construct", "--target", fx("user9_rrelu_whole.pt"), "--input-box", "0,1", "--data",
          fx("user9_rrelu_input_i32.npy"), "--rho", "8", "--eps", "0.01", "--search", "0", "--samples", "4",
          "--no-progress", "--out", tmp.resolve("i.tpz").toString());
    } finally {
      System.setErr(saved);
    }
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(notes.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("user9_rrelu_input_i32.npy: int32 values 0..255, as image pixels are stored")
        .contains("x.astype('float32') / 255");
    assertThat(r.err()).contains("60 of 60 inputs have values outside the input box [0, 1]");
  }

  /** At the defaults: the goal met on the data, every prediction kept. */
  @Tag("slow")
  @Test void theNinthRoundMeetsTheGoalAtTheDefaults() {
    for (String net : new String[] {"rrelu", "zeropad", "spectral"}) {
      JsonObject o = construct(net, "user9_" + net + "_whole.pt", "user9_" + net);
      assertThat(o.get("dataRelError").getAsDouble()).as(net).isLessThanOrEqualTo(0.01);
      assertThat(o.get("agreement").getAsDouble()).as(net).isEqualTo(1.0);
    }
  }

  /**
   * Refused by construct with exit 2, naming the file and module, writing nothing: a reflection padding, a quantized
   * model (state dict and whole), and the zero-padded CNN's test images saved channels-last.
   */
  @Test void whatCannotBeReadIsRefusedByConstruct() {
    Path t = tmp.resolve("t.tpz");
    CommandRun c = run("construct", "--target", fx("user9_bad_reflectpad.pt"), "--input-box", "0,1", "--out", t.toString());
    assertThat(c.code()).isEqualTo(2);
    assertThat(c.err()).contains("user9_bad_reflectpad.pt: module '0' (torch.nn.modules.padding.ReflectionPad2d)");
    for (String f : new String[] {"user9_quantized.pt", "user9_quantized_whole.pt"}) {
      CommandRun q = run("construct", "--target", fx(f), "--input-box", "0,1", "--out", t.toString());
      assertThat(q.code()).as(f).isEqualTo(2);
      assertThat(q.err()).contains(f + ": a quantized model").contains("torch.save(model.state_dict(), PATH)");
    }
    CommandRun n = run("construct", "--target", fx("user9_zeropad_whole.pt"), "--data", fx("user9_zeropad_input_nhwc.npy"),
        "--labels", fx("user9_zeropad_y.npy"), "--input-box", "0,1", "--out", t.toString());
    assertThat(n.code()).isEqualTo(2);
    assertThat(n.err()).contains("--data").contains("user9_zeropad_input_nhwc.npy").contains("got [24, 16, 16, 3]")
        .contains("expected a batch of shape [24, 3, 16, 16]")
        .contains("which looks like channels-last [N, H, W, C]: transpose it to [N, C, H, W]");
    assertThat(t).doesNotExist();
  }
}
