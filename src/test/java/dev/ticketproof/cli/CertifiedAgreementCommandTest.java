package dev.ticketproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.io.DType;
import dev.ticketproof.io.Npy;
import dev.ticketproof.kernel.TicketFile;
import dev.ticketproof.measure.Evaluator;
import dev.ticketproof.targets.Builtins;
import dev.ticketproof.targets.Digits;
import dev.ticketproof.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code certifiedAgreement} of a local certificate: the trained digits CNN around 12 test digits (radius 0 and
 * 0.05): construct and verify report the same count, at most the number of points; at radius 0 the certified points
 * are those where target and ticket have the same argmax; a larger radius certifies no more.
 */
class CertifiedAgreementCommandTest {
  @TempDir Path tmp;

  static int argmax(double[] v) {
    int best = 0;
    for (int k = 1; k < v.length; k++) if (v[k] > v[best]) best = k;
    return best;
  }

  /** The test digits as an array [N, 1, 8, 8] in a .npy file. */
  private Path points(List<double[]> xs) throws java.io.IOException {
    double[] flat = new double[xs.size() * 64];
    for (int p = 0; p < xs.size(); p++) System.arraycopy(xs.get(p), 0, flat, 64 * p, 64);
    Path pts = tmp.resolve("pts.npy");
    Npy.write(pts, Tensor.of(flat, xs.size(), 1, 8, 8), DType.FLOAT64);
    return pts;
  }

  @Test
  void constructAndVerifyReportTheKernelsAgreement() throws Exception {
    List<double[]> xs = Digits.testSet().inputs().subList(0, 12);
    Path pts = points(xs);
    int previous = Integer.MAX_VALUE;
    for (String radius : new String[] {"0", "0.05"}) {
      Path t = tmp.resolve("t" + radius + ".tpz");
      JsonObject c = VerifyWitnessTest.json(ImportCommandsTest.run("construct", "--target", "builtin:digits-cnn",
          "--input-box", "0,1", "--rho", "12", "--eps", "0.02", "--around", pts.toString(), "--radius", radius,
          "--search", "0", "--samples", "4", "--out", t.toString(), "--format", "json", "--no-progress"));
      JsonObject v = VerifyWitnessTest.json(ImportCommandsTest.run("verify", t.toString(), "--around", pts.toString(),
          "--samples", "4", "--format", "json", "--no-progress"));
      int agreed = c.get("certifiedAgreement").getAsInt();
      assertThat(c.get("aroundPoints").getAsInt()).isEqualTo(12);
      assertThat(v.get("aroundPoints").getAsInt()).isEqualTo(12);
      assertThat(v.get("certifiedAgreement").getAsInt()).as("verify recomputes it").isEqualTo(agreed);
      assertThat(agreed).as("radius " + radius).isBetween(0, 12).isLessThanOrEqualTo(previous);
      previous = agreed;
      if (radius.equals("0")) {
        // the ticket errs by a few hundredths, the test digits' margins are mostly several units: most are certified
        assertThat(agreed).isGreaterThanOrEqualTo(10);
        Evaluator.Pair ev = Evaluator.of(TicketFile.read(t),
            Builtins.of("digits-cnn", ActivationCatalog.parse("relu")));
        int same = 0;
        for (double[] x : xs) if (argmax(ev.target().apply(x)) == argmax(ev.ticket().apply(x))) same++;
        // at a point both margins are exact up to rounding (ReLU, l+1): exactly the points where they agree
        assertThat(agreed).as("certified points of the 12 where the argmaxes are equal").isEqualTo(same);
      }
    }
  }

  /**
   * {@code --form-budget}: recorded in the certificate and read back by verify, which recomputes the same bound;
   * a budget that is not a positive count is refused with exit 2, naming the flag, and nothing is written.
   */
  @Test
  void theFormBudgetGoesFromConstructToVerify() throws Exception {
    Path pts = points(Digits.testSet().inputs().subList(0, 2));
    Path t = tmp.resolve("small.tpz");
    JsonObject c = VerifyWitnessTest.json(ImportCommandsTest.run("construct", "--target", "builtin:digits-cnn",
        "--input-box", "0,1", "--rho", "12", "--eps", "0.02", "--around", pts.toString(), "--radius", "0.05",
        "--form-budget", "1K", "--search", "0", "--samples", "4", "--out", t.toString(), "--format", "json",
        "--no-progress"));
    assertThat(c.get("formBudget").getAsLong()).isEqualTo(1024);
    JsonObject v = VerifyWitnessTest.json(ImportCommandsTest.run("verify", t.toString(), "--around", pts.toString(),
        "--samples", "4", "--format", "json", "--no-progress"));
    assertThat(v.get("formBudget").getAsLong()).isEqualTo(1024);
    assertThat(v.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(v.get("differentialBound").getAsDouble()).isEqualTo(c.get("differentialBound").getAsDouble());
    for (String bad : new String[] {"0", "-3", "8X", "lots"}) {
      Path out = tmp.resolve("bad.tpz");
      CommandRun r = ImportCommandsTest.run("construct", "--target", "builtin:digits-cnn", "--input-box",
          "0,1", "--rho", "4", "--eps", "0.05", "--form-budget", bad, "--out", out.toString(), "--no-progress");
      assertThat(r.code()).as(bad).isEqualTo(2);
      assertThat(r.err()).contains("--form-budget").contains(bad);
      assertThat(out).doesNotExist();
    }
  }
}
