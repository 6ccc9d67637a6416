package dev.ticketproof.kernel.bound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.kernel.TargetPlan;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The max pooling step of the differential bound on one window, against the definition: random affine forms of
 * four inputs x_i and differences d_i over shared symbols (so that the forms' differences cancel, which the
 * reference input's gap reads) or as intervals, evaluated at corners and random points of the symbols and radii.
 * max_i x_i must lie in the pooled target form and max_i (x_i + d_i) - max_i x_i in the pooled difference form.
 * Two geometries: every input's window the whole (1 x 3) image, and 2 x 2 windows at the inputs' own positions of a
 * 3 x 3 image (the pooled window the whole image), with coefficients drawn per window or the same in every window
 * (as a convolution's features have, which cancel only where the windows are aligned by their positions). Narrow and
 * wide windows, near-dominated and tied ones, make both relaxations (the reference input's form and the interval)
 * win in turn.
 */
class MaxPoolWindowTest {
  /** An input map: a 2x2 map of one unit, each neuron's window either the whole 1x3 image or its own 2x2 pixels. */
  static FormMap map(SplittableRandom rng, boolean shifted, double scale, double spreadOfCentres, boolean symbolic) {
    FormMap m = shifted ? new FormMap(1, 2, 2, 1, 0, 2, 2, 1, false, symbolic)
        : new FormMap(1, 2, 2, 1, 0, 1, 3, 1, true, symbolic);
    double base = scale * (2 * rng.nextDouble() - 1);
    // half of the maps have the same coefficients in every window (as a convolution's features have), which cancel
    // only where the windows are aligned by their positions
    boolean conv = rng.nextBoolean();
    double[] kernel = new double[m.size()];
    for (int k = 0; k < kernel.length; k++) kernel[k] = scale * 0.5 * (2 * rng.nextDouble() - 1);
    for (int n = 0; n < 4; n++) {
      m.c[n] = base + spreadOfCentres * (2 * rng.nextDouble() - 1);
      m.r[n] = rng.nextInt(3) == 0 ? 0 : 0.2 * scale * rng.nextDouble();
      if (symbolic) {
        for (int k = 0; k < m.size(); k++) {
          m.coef[n * m.size() + k] = conv ? kernel[k] : scale * 0.5 * (2 * rng.nextDouble() - 1);
        }
      }
    }
    return m;
  }

  /** The form's value at symbols eta (image of width w0, row-major) with radius share noise[n] of neuron n. */
  static double value(FormMap m, int n, double[] eta, int w0, double noise) {
    double v = m.c[n] + noise * m.r[n];
    if (m.coef == null) return v;
    int oy = m.originY(n % (m.h * m.w) / m.w);
    int ox = m.originX(n % m.w);
    for (int dy = 0; dy < m.rh; dy++) {
      for (int dx = 0; dx < m.rw; dx++) v += m.coef[n * m.size() + dy * m.rw + dx] * eta[(oy + dy) * w0 + ox + dx];
    }
    return v;
  }

  static boolean inside(FormMap m, int n, double[] eta, int w0, double v) {
    return Math.abs(v - value(m, n, eta, w0, 0)) <= m.r[n] * (1 + 1e-12) + 1e-12;
  }

  @Test
  void pooledFormsHoldTheMaximumAndTheDifferenceOfMaxima() {
    TargetPlan.Pool pool = new TargetPlan.Pool(false, true, 2, 2, 0, new int[] {1, 2, 2}, new int[] {1, 1, 1});
    SplittableRandom rng = new SplittableRandom(20241129);
    int cases = 4000;
    int checked = 0;
    int[] referenceWins = new int[2];
    for (int c = 0; c < cases; c++) {
      boolean shifted = c % 2 == 1;
      int w0 = 3;
      int symbols = shifted ? 9 : 3;
      boolean symbolic = c % 3 != 0;
      double spread = new double[] {0, 0.05, 0.5, 2}[c / 2 % 4];
      FormMap x = map(rng, shifted, 1, spread, symbolic);
      FormMap d = map(rng, shifted, 0.1, spread * 0.1, symbolic);
      // the pooled map: stride 2, its window (2 + 1 = 3 pixels, or 3 symbols) the whole image
      FormMap tx = new FormMap(1, 1, 1, 2, 0, shifted ? 3 : 1, 3, 1, true, symbolic);
      FormMap td = new FormMap(1, 1, 1, 2, 0, shifted ? 3 : 1, 3, 1, true, symbolic);
      int[] ref = new int[1];
      double[] gaps = new double[4];
      double[] xs = x.spreads();
      double[] ds = d.spreads();
      DifferentialBound.Pass.maxWindows(pool, x, xs, null, null, 0, 0, tx, new double[1], ref, gaps);
      DifferentialBound.Pass.maxWindows(pool, d, ds, x, xs, 0, 0, td, new double[1], ref, gaps);
      DifferentialBound.Pass.finish(tx, new double[1]);
      DifferentialBound.Pass.finish(td, new double[1]);
      if (td.coef != null && td.r[0] < 0.25 * (ds[0] + ds[1] + ds[2] + ds[3])) referenceWins[shifted ? 1 : 0]++;
      for (int s = 0; s < 64; s++) {
        double[] eta = new double[symbols];
        for (int k = 0; k < symbols; k++) {
          eta[k] = s < 8 ? ((s >> (k % 3) & 1) == 0 ? -1 : 1) : 2 * rng.nextDouble() - 1;
        }
        double mx = Double.NEGATIVE_INFINITY;
        double mk = Double.NEGATIVE_INFINITY;
        for (int n = 0; n < 4; n++) {
          double vx = value(x, n, eta, w0, s % 2 == 0 ? (rng.nextBoolean() ? -1 : 1) : 2 * rng.nextDouble() - 1);
          double vd = value(d, n, eta, w0, s % 4 < 2 ? (rng.nextBoolean() ? -1 : 1) : 2 * rng.nextDouble() - 1);
          mx = Math.max(mx, vx);
          mk = Math.max(mk, vx + vd);
        }
        assertThat(inside(tx, 0, eta, w0, mx)).as("case %d sample %d: max %s in %s +- %s", c, s, mx, tx.c[0],
            tx.r[0]).isTrue();
        assertThat(inside(td, 0, eta, w0, mk - mx)).as("case %d sample %d: difference %s in %s +- %s", c, s,
            mk - mx, td.c[0], td.r[0]).isTrue();
        checked++;
      }
    }
    assertThat(checked).isEqualTo(cases * 64);
    // both relaxations are exercised: the reference input's form (narrow) wins in some windows of each geometry
    assertThat(referenceWins[0]).as("windows over a shared image where the difference is narrow").isPositive();
    assertThat(referenceWins[1]).as("windows at their own positions where the difference is narrow").isPositive();
  }
}
