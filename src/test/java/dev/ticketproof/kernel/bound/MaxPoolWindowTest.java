package dev.ticketproof.kernel.bound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.kernel.TargetPlan;
import java.util.SplittableRandom;
import org.apache.commons.numbers.core.DD;
import org.junit.jupiter.api.Test;

/**
 * The max pooling step of the differential bound on one window, against the definition: random affine forms of
 * four inputs x_i and differences d_i over shared symbols (so that the forms' differences cancel, which the
 * reference input's gap reads) or as intervals, evaluated at corners and random points of the symbols and radii.
 * max_i x_i must lie in the pooled target form and max_i (x_i + d_i) - max_i x_i in the pooled difference form.
 * Three geometries: every input's window the whole (1 x 3) image; 2 x 2 windows at the inputs' own positions of a
 * 3 x 3 image (the pooled window the whole image); and of a 3 x 5 image, pooled into two windows side by side (each
 * at its own position). Coefficients are drawn per window or are the same in every window
 * (as a convolution's features have, which cancel only where the windows are aligned by their positions). Narrow and
 * wide windows, near-dominated and tied ones, make both relaxations (the reference input's form and the interval)
 * win in turn.
 */
class MaxPoolWindowTest {
  /** An input map: a 2x2 map of one unit, each neuron's window either the whole 1x3 image or its own 2x2 pixels. */
  static FormMap map(SplittableRandom rng, int geometry, double scale, double spreadOfCentres, boolean symbolic) {
    FormMap m = geometry == 0 ? new FormMap(1, 2, 2, 1, 1, 0, 0, 1, 3, 1, true, symbolic)
        : new FormMap(1, 2, geometry == 1 ? 2 : 4, 1, 1, 0, 0, 2, 2, 1, false, symbolic);
    double base = scale * (2 * rng.nextDouble() - 1);
    // half of the maps have the same coefficients in every window (as a convolution's features have), which cancel
    // only where the windows are aligned by their positions
    boolean conv = rng.nextBoolean();
    double[] kernel = new double[m.size()];
    for (int k = 0; k < kernel.length; k++) kernel[k] = scale * 0.5 * (2 * rng.nextDouble() - 1);
    for (int n = 0; n < m.c.length; n++) {
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
    SplittableRandom rng = new SplittableRandom(20241129);
    int cases = 6000;
    int checked = 0;
    int[] referenceWins = new int[3];
    for (int c = 0; c < cases; c++) {
      // 0: windows over a shared 1x3 image; 1: 2x2 windows at their positions of a 3x3 image, one pooled window (the
      // whole image); 2: the same on a 3x5 image, two pooled windows side by side (each 3x3, not the whole image)
      int geometry = c % 3;
      int w0 = geometry == 2 ? 5 : 3;
      int symbols = geometry == 0 ? 3 : 3 * w0;
      int ow = geometry == 2 ? 2 : 1;
      TargetPlan.Pool pool = new TargetPlan.Pool(false, true, 2, 2, 2, 2, 0, 0, new int[] {1, 2, 2 * ow},
          new int[] {1, 1, ow});
      boolean symbolic = c % 4 != 0;
      double spread = new double[] {0, 0.05, 0.5, 2}[c / 3 % 4];
      FormMap x = map(rng, geometry, 1, spread, symbolic);
      FormMap d = map(rng, geometry, 0.1, spread * 0.1, symbolic);
      // the pooled map: stride 2; its window 3 pixels (or 3 symbols) wide, the whole image unless there are two
      FormMap tx = new FormMap(1, 1, ow, 2, 2, 0, 0, geometry == 0 ? 1 : 3, 3, 1, geometry != 2,
          symbolic);
      FormMap td = new FormMap(1, 1, ow, 2, 2, 0, 0, geometry == 0 ? 1 : 3, 3, 1, geometry != 2,
          symbolic);
      int[] ref = new int[ow];
      double[] gaps = new double[4 * ow];
      double[] xs = x.spreads();
      double[] ds = d.spreads();
      DifferentialBound.Pass.maxWindows(pool, x, xs, null, null, 0, 0, tx, new double[ow], ref, gaps);
      DifferentialBound.Pass.maxWindows(pool, d, ds, x, xs, 0, 0, td, new double[ow], ref, gaps);
      DifferentialBound.Pass.finish(tx, new double[ow], Rounding.gamma(2));
      DifferentialBound.Pass.finish(td, new double[ow], Rounding.gamma(2));
      for (int o = 0; o < ow; o++) {
        double mean = 0;
        for (int q = 0; q < 4; q++) mean += ds[q / 2 * x.w + 2 * o + q % 2] / 4;
        if (td.coef != null && td.r[o] < mean) referenceWins[geometry]++;
      }
      for (int s = 0; s < 64; s++) {
        double[] eta = new double[symbols];
        for (int k = 0; k < symbols; k++) {
          eta[k] = s < 8 ? ((s >> (k % 3) & 1) == 0 ? -1 : 1) : 2 * rng.nextDouble() - 1;
        }
        double[] vx = new double[x.c.length];
        double[] vd = new double[x.c.length];
        for (int n = 0; n < vx.length; n++) {
          vx[n] = value(x, n, eta, w0, s % 2 == 0 ? (rng.nextBoolean() ? -1 : 1) : 2 * rng.nextDouble() - 1);
          vd[n] = value(d, n, eta, w0, s % 4 < 2 ? (rng.nextBoolean() ? -1 : 1) : 2 * rng.nextDouble() - 1);
        }
        for (int o = 0; o < ow; o++) {
          double mx = Double.NEGATIVE_INFINITY;
          double mk = Double.NEGATIVE_INFINITY;
          for (int q = 0; q < 4; q++) {
            int n = q / 2 * x.w + 2 * o + q % 2;
            mx = Math.max(mx, vx[n]);
            mk = Math.max(mk, vx[n] + vd[n]);
          }
          assertThat(inside(tx, o, eta, w0, mx)).as("case %d sample %d window %d: max %s in %s +- %s", c, s, o, mx,
              tx.c[o], tx.r[o]).isTrue();
          assertThat(inside(td, o, eta, w0, mk - mx)).as("case %d sample %d window %d: difference %s in %s +- %s", c,
              s, o, mk - mx, td.c[o], td.r[o]).isTrue();
          checked++;
        }
      }
    }
    assertThat(checked).isEqualTo(cases / 3 * 64 * 4);
    // both relaxations are exercised: the reference input's form (narrow) wins in some windows of each geometry
    for (int g = 0; g < 3; g++) {
      assertThat(referenceWins[g]).as("windows of geometry " + g + " where the difference is narrower than the mean"
          + " spread of the inputs' differences").isPositive();
    }
  }

  /**
   * The upper end of v_m - v_r for two neurons of one map ({@code hiMinus}: the gaps of a max pooling's window, the
   * margins of the outputs) is the largest difference of their forms over the symbols and residuals, c_m - c_r +
   * sum |a_m - a_r| + r_m + r_r, computed here in double-double from the coefficients expanded onto the image's
   * pixels, and no more than its rounding slack above it. Maps of 1 or 2 input channels whose windows are smaller than
   * the image (strides 1 and 2, paddings 0 and 1, drawn for rows and columns apart, windows of 2 or 3 pixels at
   * their own origins, overlapping in part;
   * the same coefficients in every window, as a convolution's, or drawn per window), absolute maps and interval
   * maps; neurons of one unit and of two. A coefficient read at a wrong pixel, channel or window leaves the sum of
   * the differences off by about a coefficient.
   */
  @Test
  void theGapOfTwoNeuronsIsTheLargestDifferenceOfTheirForms() {
    SplittableRandom rng = new SplittableRandom(20261129);
    int checked = 0;
    for (int c = 0; c < 600; c++) {
      int kind = c % 5;
      boolean symbolic = kind != 4;
      boolean absolute = kind == 3;
      int cin = c % 3 == 0 ? 1 : 2;
      // strides and paddings of rows and columns apart (a pooling with unequal sides): a row's read as a column's
      // places the window elsewhere
      int sy = 1 + rng.nextInt(2);
      int sx = 1 + rng.nextInt(2);
      int py = rng.nextInt(2);
      int px = rng.nextInt(2);
      int h = 2 + rng.nextInt(3);
      int w = 2 + rng.nextInt(3);
      int rh = 2 + rng.nextInt(2);
      int rw = 2 + rng.nextInt(2);
      // the image: the last window ends inside it, the first starts at -py, -px
      int h0 = (h - 1) * sy - py + rh;
      int w0 = (w - 1) * sx - px + rw;
      FormMap m = new FormMap(2, h, w, sy, sx, py, px, absolute ? h0 : rh, absolute ? w0 : rw, cin, absolute, symbolic);
      boolean conv = rng.nextBoolean();
      double[][] kernel = new double[2][m.size()];
      for (double[] k : kernel) for (int z = 0; z < k.length; z++) k[z] = 2 * rng.nextDouble() - 1;
      for (int n = 0; n < m.c.length; n++) {
        m.c[n] = 2 * rng.nextDouble() - 1;
        m.r[n] = rng.nextInt(3) == 0 ? 0 : 0.2 * rng.nextDouble();
        if (!symbolic) continue;
        int pos = n % m.positions();
        for (int ch = 0; ch < cin; ch++) {
          for (int dy = 0; dy < m.rh; dy++) {
            for (int dx = 0; dx < m.rw; dx++) {
              int iy = m.originY(pos / w) + dy;
              int ix = m.originX(pos % w) + dx;
              int z = (ch * m.rh + dy) * m.rw + dx;
              // pixels outside the image have coefficient 0
              boolean inside = iy >= 0 && iy < h0 && ix >= 0 && ix < w0;
              m.coef[n * m.size() + z] = !inside ? 0 : conv ? kernel[n / m.positions()][z] : 2 * rng.nextDouble() - 1;
            }
          }
        }
      }
      double[] sp = m.spreads();
      for (int s = 0; s < 12; s++) {
        int a = rng.nextInt(m.c.length);
        int b = s % 3 == 0 ? rng.nextInt(m.c.length) : a / m.positions() * m.positions() + rng.nextInt(m.positions());
        if (a == b) continue;
        DD l1 = DD.ZERO;
        if (symbolic) {
          double[] da = dense(m, a, h0, w0);
          double[] db = dense(m, b, h0, w0);
          for (int z = 0; z < da.length; z++) l1 = l1.add(DD.of(da[z]).subtract(DD.of(db[z])).abs());
          l1 = l1.add(DD.of(m.r[a])).add(DD.of(m.r[b]));
        } else {
          l1 = DD.of(sp[a]).add(DD.of(sp[b]));
        }
        DD sup = DD.of(m.c[a]).subtract(DD.of(m.c[b])).add(l1);
        double mag = Math.abs(m.c[a]) + Math.abs(m.c[b]) + l1.doubleValue();
        double got = DifferentialBound.Pass.hiMinus(m, sp, a, b);
        String kindName = absolute ? "absolute" : symbolic ? "windows" : "intervals";
        String what = String.format("case %d neurons %d, %d (%s, strides %dx%d, pads %dx%d, window %dx%d of %dx%d, %d"
            + " channels)", c, a, b, kindName, sy, sx, py, px, m.rh, m.rw, h0, w0, cin);
        assertThat(DD.of(got).subtract(sup).hi()).as(what + ": " + got + " below the largest difference " + sup)
            .isGreaterThanOrEqualTo(0);
        double slack = 2 * (Rounding.gamma(2L * m.size() + 4) * mag + Double.MIN_NORMAL);
        assertThat(DD.of(got).subtract(sup).hi()).as(what + ": " + got + " above the largest difference " + sup)
            .isLessThanOrEqualTo(slack);
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(6000);
  }

  /** The coefficients of neuron n, channel by channel, at the pixels of the h0 x w0 image (0 outside its window). */
  static double[] dense(FormMap m, int n, int h0, int w0) {
    double[] out = new double[m.cin * h0 * w0];
    int pos = n % m.positions();
    for (int ch = 0; ch < m.cin; ch++) {
      for (int dy = 0; dy < m.rh; dy++) {
        for (int dx = 0; dx < m.rw; dx++) {
          int iy = m.originY(pos / m.w) + dy;
          int ix = m.originX(pos % m.w) + dx;
          double v = m.coef[n * m.size() + (ch * m.rh + dy) * m.rw + dx];
          if (iy < 0 || iy >= h0 || ix < 0 || ix >= w0) continue;
          out[(ch * h0 + iy) * w0 + ix] = v;
        }
      }
    }
    return out;
  }
}
