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
 * The commands on classifiers that end in a function on their outputs (fixtures {@code user10_*}): eval computes
 * PyTorch's outputs with it, the ticket approximates the outputs before it and applies it to its own, and the
 * reports give the bound after it.
 */
class UserNets10CommandsTest {
  @TempDir Path tmp;

  /**
   * For a final sigmoid, log-softmax and softmax: eval gives PyTorch's outputs; construct (at the defaults) and verify
   * report the output activation, its Lipschitz constant and L times the certified bound (rounded up); the ticket's
   * outputs through eval --ticket are within that bound of the target's on the test inputs (which lie in the box)
   * and predict the same classes; the export's spec names the function and its module.
   */
  @Test void theTicketAppliesTheOutputActivationAndTheBoundCarriesOverIt() {
    String[][] cases = {{"sigmoid", "sigmoid", "0.25", "0,1"}, {"logsoftmax", "log-softmax", "2.0", "0,1"},
        {"softmax", "softmax", "0.5", "data"}};
    for (String[] c : cases) {
      String target = fx("user10_" + c[0] + "_whole.pt");
      String input = fx("user10_" + c[0] + "_input.npy");
      Path y = tmp.resolve(c[0] + "_y.npy");
      JsonObject e = json(run("eval", "--target", target, "--input", input, "--out", y.toString(), "--format",
          "json"));
      assertThat(e.get("outputActivation").getAsString()).isEqualTo(c[1]);
      assertThat(run("inspect", target).out()).contains("\"outputActivation\": \"" + c[1] + "\"")
          .contains("outputs through " + c[1] + " (after the last layer");
      double[] ref = npy(Path.of(fx("user10_" + c[0] + "_output.npy")));
      double[] out = npy(y);
      for (int i = 0; i < ref.length; i++) assertThat(Math.abs(out[i] - ref[i])).as(c[0]).isLessThan(1e-6);

      Path t = tmp.resolve(c[0] + ".tpz");
      CommandRun cr = run("construct", "--target", target, "--input-box", c[3], "--data", input, "--labels",
          fx("user10_" + c[0] + "_y.npy"), "--search", "0", "--samples", "4", "--format", "json", "--no-progress",
          "--out", t.toString());
      JsonObject o = json(cr);
      assertThat(cr.err()).contains("construct: note: the target applies " + c[1] + " to its outputs after its "
          + "last layer; the ticket approximates the outputs before it");
      assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
      assertThat(o.get("outputActivation").getAsString()).isEqualTo(c[1]);
      double lip = Double.parseDouble(c[2]);
      assertThat(o.get("outputActivationLipschitz").getAsDouble()).isEqualTo(lip);
      double bound = o.get("certifiedBound").getAsDouble();
      double after = o.get("certifiedBoundAfterOutputActivation").getAsDouble();
      assertThat(after).isGreaterThanOrEqualTo(lip * bound).isLessThanOrEqualTo(Math.nextUp(lip * bound));
      assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);

      Path yt = tmp.resolve(c[0] + "_yt.npy");
      JsonObject et = json(run("eval", "--ticket", t.toString(), "--target", target, "--input", input, "--out",
          yt.toString(), "--format", "json", "--no-progress"));
      assertThat(et.get("outputActivation").getAsString()).isEqualTo(c[1]);
      double[] ticket = npy(yt);
      int classes = ticket.length / 60;
      double worst = 0;
      for (int n = 0; n < 60; n++) {
        int a = 0;
        int b = 0;
        for (int k = 0; k < classes; k++) {
          worst = Math.max(worst, Math.abs(ticket[n * classes + k] - out[n * classes + k]));
          if (out[n * classes + k] > out[n * classes + a]) a = k;
          if (ticket[n * classes + k] > ticket[n * classes + b]) b = k;
        }
        if (classes == 1) {
          assertThat(ticket[n] > 0.5).as("%s example %d", c[0], n).isEqualTo(out[n] > 0.5);
        } else {
          assertThat(b).as("%s example %d", c[0], n).isEqualTo(a);
        }
      }
      assertThat(worst).as(c[0]).isGreaterThan(0).isLessThanOrEqualTo(after);

      CommandRun vr = run("verify", t.toString(), "--target", target, "--format", "json", "--no-progress");
      JsonObject v = json(vr);
      assertThat(v.get("certifiedBoundAfterOutputActivation").getAsDouble()).isEqualTo(after);
      assertThat(vr.err()).contains("verify: note: the target applies " + c[1]);

      Path x = tmp.resolve(c[0] + "_x.pt");
      assertThat(run("export", t.toString(), "--target", target, "--out", x.toString()).code()).isZero();
      JsonObject spec = JsonParser.parseString(readString(tmp.resolve(c[0] + "_x.json"))).getAsJsonObject();
      assertThat(spec.get("outputActivation").getAsString()).isEqualTo(c[1]);
      assertThat(spec.getAsJsonObject("outputActivationModule").get("class").getAsString())
          .isEqualTo(c[1].equals("sigmoid") ? "Sigmoid" : c[1].equals("softmax") ? "Softmax" : "LogSoftmax");
    }
  }

  /** A network without output activation has none of the fields. */
  @Test void aNetworkWithoutOutputActivationHasNoneOfItsFields() {
    CommandRun r = run("construct", "--target", "builtin:small-fc", "--rho", "4", "--eps", "0.05", "--search", "0",
        "--samples", "2", "--format", "json", "--no-progress");
    JsonObject o = json(r);
    assertThat(o.keySet()).doesNotContain("outputActivation", "outputActivationLipschitz",
        "certifiedBoundAfterOutputActivation");
    assertThat(r.err()).doesNotContain("applies");
  }

  /** A softmax over a feature map's rows is bad input: exit 2 naming the module, nothing written. */
  @Test void aSoftmaxOverTheRowsIsRefusedAndNothingIsWritten() {
    Path t = tmp.resolve("bad.tpz");
    CommandRun r = run("construct", "--target", fx("user10_bad_softmax_dim.pt"), "--input-shape", "1,8,8", "--out",
        t.toString(), "--no-progress");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("user10_bad_softmax_dim.pt: module '3' (torch.nn.modules.activation.Softmax): dim "
        + "2: the normalisation must run over the output channels");
    assertThat(t).doesNotExist();
  }

  private static String readString(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
