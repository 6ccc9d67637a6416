package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.json;
import static dev.ticketproof.cli.ImportCommandsTest.npy;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on the nineteenth round's networks (fixtures {@code round19_*}, made by train_round19.py): deeper nets
 * of bounded activations (an MLP of six tanh layers, four sigmoid convs with BatchNorm) and nets trained on inputs of
 * their raw scale (tanh on the digits' values 0..16, ELU on pixel values 0..255). eval gives PyTorch's float64 outputs,
 * and a ticket at the defaults holds, lies within 1 % of the target on the test digits and keeps every prediction
 * whose target margin exceeds twice the ticket's error there. On the deep tanh MLP the differential bound over the
 * whole box takes the difference of tanh's images where the difference outgrows tanh's range ([differential-bound]
 * step 5, "Bounded phi"): without it the certified bound was 214, 5.2 times below the recursion's 1,124; with it 22.9.
 */
class Round19CommandsTest {
  @TempDir Path tmp;

  /** max |y - ref| of {@code eval} (with its arguments) against PyTorch's outputs, or the outputs when ref is null. */
  private double[] eval(String reference, String... args) {
    Path y = tmp.resolve("y" + System.nanoTime() + ".npy");
    String[] all = java.util.Arrays.copyOf(args, args.length + 5);
    System.arraycopy(new String[] {"--out", y.toString(), "--format", "json", "--no-progress"}, 0, all, args.length,
        5);
    json(run(all));
    double[] a = npy(y);
    if (reference == null) return a;
    double[] b = npy(Path.of(fx(reference)));
    assertThat(a).hasSameSizeAs(b);
    double diff = 0;
    for (int i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
    return new double[] {diff};
  }

  @Test void evalGivesPyTorchsOutputs() {
    String x = fx("round19_digits_input.npy");
    for (String n : new String[] {"deeptanh", "deepsig"}) {
      assertThat(eval("round19_" + n + "_output.npy", "eval", "--target", fx("round19_" + n + "_whole.pt"), "--input",
          x)[0]).as(n).isLessThanOrEqualTo(1e-12);
    }
    assertThat(eval("round19_raw16tanh_output.npy", "eval", "--target", fx("round19_raw16tanh_whole.pt"), "--input",
        fx("round19_raw16_input.npy"))[0]).isLessThanOrEqualTo(1e-12);
    assertThat(eval("round19_raw255elu_output.npy", "eval", "--target", fx("round19_raw255elu_whole.pt"), "--input",
        fx("round19_raw255_input.npy"))[0]).isLessThanOrEqualTo(1e-11);
  }

  /**
   * construct at the defaults on the test digits (inputs {@code input}, box {@code box}); verify says holds; the
   * ticket lies within 1 % of the target on the data, and a prediction it changes is one where the target's margin
   * between its two largest outputs is at most twice the ticket's largest error on that input (a near tie).
   */
  private JsonObject ticketAtTheDefaults(String name, String input, String box) {
    Path t = tmp.resolve(name + ".tpz");
    String target = fx("round19_" + name + "_whole.pt");
    JsonObject o = json(run("construct", "--target", target, "--input-box", box, "--data", fx(input), "--labels",
        fx("round19_digits_y.npy"), "--search", "0", "--format", "json", "--no-progress", "--out", t.toString()));
    System.out.printf("%s: rho %d, eps %.3g, lambda %.3g, builds %d, failed %d, ticket %.3g off the target on the "
        + "data, agreement %.3f, certified %.3g (recursion %.3g), %.1f s%n", name, o.get("rho").getAsInt(),
        o.get("eps").getAsDouble(), o.get("lambda").getAsDouble(), o.get("builds").getAsInt(),
        o.get("failedInstances").getAsLong(), o.get("dataRelError").getAsDouble(), o.get("agreement").getAsDouble(),
        o.get("certifiedBound").getAsDouble(), o.get("recursionBound").getAsDouble(), o.get("seconds").getAsDouble());
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(o.get("dataRelError").getAsDouble()).isLessThan(0.01);
    double[] ref = npy(Path.of(fx("round19_" + name + "_output.npy")));
    double[] got = eval(null, "eval", "--ticket", t.toString(), "--target", target, "--input", fx(input));
    assertThat(got).hasSameSizeAs(ref);
    int classes = 10;
    for (int i = 0; i < ref.length / classes; i++) {
      int a = 0;
      int b = 0;
      double err = 0;
      for (int c = 0; c < classes; c++) {
        if (ref[i * classes + c] > ref[i * classes + a]) a = c;
        if (got[i * classes + c] > got[i * classes + b]) b = c;
        err = Math.max(err, Math.abs(ref[i * classes + c] - got[i * classes + c]));
      }
      if (a == b) continue;
      double margin = ref[i * classes + a] - ref[i * classes + b];
      assertThat(margin).as(name + ": input " + i + " changes its prediction " + a + " -> " + b
          + " at a margin of more than twice the error " + err).isLessThanOrEqualTo(2 * err);
    }
    CommandRun v = run("verify", t.toString(), "--target", target, "--samples", "0", "--search", "0", "--no-progress");
    assertThat(v.code()).as(v.out() + v.err()).isZero();
    return o;
  }

  @Test void aDeepTanhMlpGetsATicketAndABoundFarBelowTheRecursion() {
    JsonObject o = ticketAtTheDefaults("deeptanh", "round19_digits_input.npy", "0,1");
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
    assertThat(o.get("certifiedBound").getAsDouble()).isLessThan(o.get("recursionBound").getAsDouble() / 20);
  }

  @Test void aDeepSigmoidCnnGetsATicket() {
    ticketAtTheDefaults("deepsig", "round19_digits_input.npy", "0,1");
  }

  @Test void aTanhCnnOnRawDigitsGetsATicket() {
    JsonObject o = ticketAtTheDefaults("raw16tanh", "round19_raw16_input.npy", "data");
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
  }

  @Test void anEluCnnOnPixelValuesGetsATicket() {
    JsonObject o = ticketAtTheDefaults("raw255elu", "round19_raw255_input.npy", "0,255");
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
  }
}
