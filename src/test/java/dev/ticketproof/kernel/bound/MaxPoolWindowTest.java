package dev.ticketproof.kernel.bound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.kernel.TargetPlan;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The max pooling step of the differential bound on one window, against the definition: random affine forms of
 * four inputs x_i and differences d_i over three shared symbols (so that the forms' differences cancel, which the
 * reference input's gap reads) or as intervals, evaluated at corners and random points of the symbols and radii.
 * max_i x_i must lie in the pooled target form and max_i (x_i + d_i) - max_i x_i in the pooled difference form.
 * Narrow and wide windows, near-dominated and tied ones, make both relaxations (the reference input's form and the
 * interval) win in turn.
 */
class MaxPoolWindowTest {
  static final int K = 3;

  /** A 2x2 map of one unit whose four neurons hold forms over K shared symbols (or intervals). */
  static FormMap map(SplittableRandom rng, double scale, double spreadOfCentres, boolean symbolic) {
    FormMap m = new FormMap(1, 2, 2, 1, 0, 1, K, 1, true, symbolic);
    double base = scale * (2 * rng.nextDouble() - 1);
    for (int n = 0; n < 4; n++) {
      m.c[n] = base + spreadOfCentres * (2 * rng.nextDouble() - 1);
      m.r[n] = rng.nextInt(3) == 0 ? 0 : 0.2 * scale * rng.nextDouble();
      if (symbolic) {
        for (int k = 0; k < K; k++) m.coef[n * K + k] = scale * 0.5 * (2 * rng.nextDouble() - 1);
      }
    }
    return m;
  }

  static double value(FormMap m, int n, double[] eta, double[] noise) {
    double v = m.c[n] + noise[n] * m.r[n];
    if (m.coef != null) for (int k = 0; k < K; k++) v += m.coef[n * K + k] * eta[k];
    return v;
  }

  static boolean inside(FormMap m, int n, double[] eta, double v) {
    double centre = value(m, n, eta, new double[] {0, 0, 0, 0});
    return Math.abs(v - centre) <= m.r[n] * (1 + 1e-12) + 1e-12;
  }

  @Test
  void pooledFormsHoldTheMaximumAndTheDifferenceOfMaxima() {
    TargetPlan.Pool pool = new TargetPlan.Pool(false, true, 2, 2, 0, new int[] {1, 2, 2}, new int[] {1, 1, 1});
    SplittableRandom rng = new SplittableRandom(20241129);
    int checked = 0;
    int referenceWins = 0;
    for (int c = 0; c < 3000; c++) {
      boolean symbolic = c % 3 != 0;
      double spread = new double[] {0, 0.05, 0.5, 2}[c % 4];
      FormMap x = map(rng, 1, spread, symbolic);
      FormMap d = map(rng, 0.1, spread * 0.1, symbolic);
      FormMap tx = new FormMap(1, 1, 1, 2, 0, 1, K, 1, true, symbolic);
      FormMap td = new FormMap(1, 1, 1, 2, 0, 1, K, 1, true, symbolic);
      int[] ref = new int[1];
      double[] gaps = new double[4];
      double[] xs = x.spreads();
      double[] ds = d.spreads();
      DifferentialBound.Pass.maxWindows(pool, x, xs, null, null, 0, 0, tx, new double[1], ref, gaps);
      DifferentialBound.Pass.maxWindows(pool, d, ds, x, xs, 0, 0, td, new double[1], ref, gaps);
      DifferentialBound.Pass.finish(tx, new double[1]);
      DifferentialBound.Pass.finish(td, new double[1]);
      if (td.r[0] < 0.5 * (ds[0] + ds[1] + ds[2] + ds[3])) referenceWins++;
      for (int s = 0; s < 64; s++) {
        double[] eta = new double[K];
        double[] nx = new double[4];
        double[] nd = new double[4];
        for (int k = 0; k < K; k++) eta[k] = s < 8 ? ((s >> k & 1) == 0 ? -1 : 1) : 2 * rng.nextDouble() - 1;
        for (int n = 0; n < 4; n++) {
          nx[n] = s % 2 == 0 ? (rng.nextBoolean() ? -1 : 1) : 2 * rng.nextDouble() - 1;
          nd[n] = s % 4 < 2 ? (rng.nextBoolean() ? -1 : 1) : 2 * rng.nextDouble() - 1;
        }
        double mx = Double.NEGATIVE_INFINITY;
        double mk = Double.NEGATIVE_INFINITY;
        for (int n = 0; n < 4; n++) {
          mx = Math.max(mx, value(x, n, eta, nx));
          mk = Math.max(mk, value(x, n, eta, nx) + value(d, n, eta, nd));
        }
        assertThat(inside(tx, 0, eta, mx)).as("case %d sample %d: max %s in %s +- %s", c, s, mx, tx.c[0], tx.r[0])
            .isTrue();
        assertThat(inside(td, 0, eta, mk - mx)).as("case %d sample %d: difference %s in %s +- %s", c, s, mk - mx,
            td.c[0], td.r[0]).isTrue();
        checked++;
      }
    }
    assertThat(checked).isEqualTo(3000 * 64);
    System.out.printf("max pooling windows: %d cases, the difference narrower than the inputs' mean spread in %d%n",
        3000, referenceWins);
  }
}
