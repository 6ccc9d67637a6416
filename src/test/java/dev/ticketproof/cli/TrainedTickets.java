package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.json;
import static dev.ticketproof.cli.ImportCommandsTest.npy;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.ticketproof.measure.Goals;
import java.nio.file.Path;

/** The commands on a trained network of the fixtures, as the rounds' tests run them. */
final class TrainedTickets {
  private final Path tmp;

  TrainedTickets(Path tmp) { this.tmp = tmp; }

  /** max |y - ref| of {@code eval} (with its arguments) against PyTorch's outputs, or the outputs when ref is null. */
  double[] eval(String reference, String... args) {
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

  /**
   * construct at the defaults on the test digits (inputs {@code input}, labels {@code labels}, box {@code box}) of the
   * whole model {@code prefix + name + "_whole.pt"}; verify says holds; the ticket lies within 1 % of the target on
   * the data and changes no prediction but near ties ({@link #keepsPredictions}). PyTorch's outputs are
   * {@code prefix + name + "_output.npy"}.
   */
  JsonObject ticketAtTheDefaults(String prefix, String name, String input, String labels, String box) {
    Path t = tmp.resolve(name + ".tpz");
    String target = fx(prefix + name + "_whole.pt");
    JsonObject o = json(run("construct", "--target", target, "--input-box", box, "--data", fx(input), "--labels",
        fx(labels), "--search", "0", "--format", "json", "--no-progress", "--out", t.toString()));
    System.out.printf("%s: rho %d, eps %.3g, lambda %.3g, builds %d, failed %d, ticket %.3g off the target on the "
        + "data, agreement %.3f, certified %.3g (recursion %.3g), %.1f s%n", name, o.get("rho").getAsInt(),
        o.get("eps").getAsDouble(), o.get("lambda").getAsDouble(), o.get("builds").getAsInt(),
        o.get("failedInstances").getAsLong(), o.get("dataRelError").getAsDouble(), o.get("agreement").getAsDouble(),
        o.get("certifiedBound").getAsDouble(), o.get("recursionBound").getAsDouble(), o.get("seconds").getAsDouble());
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(o.get("dataRelError").getAsDouble()).isLessThan(0.01);
    double[] ref = npy(Path.of(fx(prefix + name + "_output.npy")));
    double[] got = eval(null, "eval", "--ticket", t.toString(), "--target", target, "--input", fx(input));
    assertThat(got).hasSameSizeAs(ref);
    keepsPredictions(name, ref, got, 10);
    CommandRun v = run("verify", t.toString(), "--target", target, "--samples", "0", "--search", "0", "--no-progress");
    assertThat(v.code()).as(v.out() + v.err()).isZero();
    return o;
  }

  /**
   * The largest margin, as a fraction of the largest |target output| on the data, at which a ticket at the defaults may
   * change a prediction: twice the error the calibration aims at (a quarter of the 1 % goal). A changed prediction
   * always has a target margin of at most twice the ticket's error on that input, so the check is against this fixed
   * share of the outputs' scale, which a ticket whose error on an input exceeds the calibration's aim can miss.
   */
  static final double NEAR_TIE = 2 * Goals.SAFETY * Goals.DEFAULT_OUTPUT_REL;

  /**
   * Asserts that the ticket's outputs {@code got} (row-major, {@code classes} per input) predict the class of
   * PyTorch's {@code ref} on every input but near ties: inputs whose top two reference outputs differ by at most
   * {@link #NEAR_TIE} times the largest |reference output|. Prints each changed prediction with its margin.
   */
  static void keepsPredictions(String name, double[] ref, double[] got, int classes) {
    assertThat(got).hasSameSizeAs(ref);
    double largest = 0;
    for (double v : ref) largest = Math.max(largest, Math.abs(v));
    for (int i = 0; i < ref.length / classes; i++) {
      int a = 0;
      int b = 0;
      for (int c = 0; c < classes; c++) {
        if (ref[i * classes + c] > ref[i * classes + a]) a = c;
        if (got[i * classes + c] > got[i * classes + b]) b = c;
      }
      if (a == b) continue;
      double margin = ref[i * classes + a] - ref[i * classes + b];
      System.out.printf("%s: input %d changes its prediction %d -> %d at a margin of %.3g %% of the largest output%n",
          name, i, a, b, 100 * margin / largest);
      assertThat(margin).as(name + ": input " + i + " changes its prediction " + a + " -> " + b + " at a margin of "
          + margin + ", more than " + NEAR_TIE + " of the largest output " + largest).isLessThanOrEqualTo(
          NEAR_TIE * largest);
    }
  }
}
