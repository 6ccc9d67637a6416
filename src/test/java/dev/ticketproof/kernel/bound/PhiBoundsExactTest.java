package dev.ticketproof.kernel.bound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import java.util.SplittableRandom;
import org.apache.commons.numbers.core.DD;
import org.junit.jupiter.api.Test;

/**
 * {@link PhiBounds} against phi in double-double arithmetic ({@link ExactStepsTest#phi}), on intervals of every width
 * from 1e-12 to 4 and at magnitudes up to 1e4, with non-dyadic ends: where a double sample cannot tell a returned end
 * from phi's own rounding, the exact value can. Every returned range must contain the exact values it claims to.
 */
class PhiBoundsExactTest {
  static final double[] WIDTHS = {0, 1e-12, 1e-9, 1e-6, 1e-3, 0.1, 4};

  /** A non-dyadic interval [a, a + width] with a in [-3, 3]. */
  static double[] interval(SplittableRandom rng, int k) {
    double a = -3 + 6 * rng.nextDouble();
    return new double[] {a, a + WIDTHS[k % WIDTHS.length] * (1 + rng.nextDouble())};
  }

  static String show(double[] v) { return java.util.Arrays.toString(v); }

  /**
   * ELU (alpha at most 1) relaxes by alpha = the smaller end slope, so g = phi - alpha t is non-decreasing and its
   * range is [g(a), g(b)]: both, exact, lie within [g-, g+].
   */
  @Test
  void eluRelaxationContainsTheExactEnds() {
    SplittableRandom rng = new SplittableRandom(13);
    for (String name : new String[] {"elu", "elu(0.5)"}) {
      Activation phi = ActivationCatalog.parse(name);
      PhiBounds pb = PhiBounds.of(phi);
      for (int k = 0; k < 700; k++) {
        double[] iv = interval(rng, k);
        double[] r = pb.relax(iv[0], iv[1]);
        for (double t : iv) {
          DD g = ExactStepsTest.phi(phi, DD.of(t)).subtract(DD.ofProduct(r[0], t));
          String what = name + " on " + show(iv) + ": relaxation " + show(r) + ", g(" + t + ") = " + g.doubleValue()
              + " (seed 13, interval " + k + ")";
          assertThat(g.subtract(r[1]).hi()).as(what + " below g-").isGreaterThanOrEqualTo(0);
          assertThat(DD.of(r[2]).subtract(g).hi()).as(what + " above g+").isGreaterThanOrEqualTo(0);
        }
      }
    }
  }

  /**
   * Tanh, sigmoid, softplus relax by the chord over a grid: the exact g = phi - alpha t at 200 points of [a, b] lies
   * within [g-, g+], and on intervals of width at least 0.1 the parallelogram is no wider than the exact range of g
   * plus its documented interpolation error M_2 (width / 64)^2 / 8 on each side, the sampling's own M_2 (width / 200)^2 / 8
   * and 1e-7 (1 + |a| + |b|).
   */
  @Test
  void smoothRelaxationContainsTheExactGraph() {
    SplittableRandom rng = new SplittableRandom(17);
    for (String name : new String[] {"tanh", "sigmoid", "softplus"}) {
      Activation phi = ActivationCatalog.parse(name);
      PhiBounds pb = PhiBounds.of(phi);
      for (int k = 0; k < 70; k++) {
        double[] iv = interval(rng, k);
        double[] r = pb.relax(iv[0], iv[1]);
        DD lo = null;
        DD hi = null;
        for (int s = 0; s <= 200; s++) {
          double t = s == 200 ? iv[1] : iv[0] + (iv[1] - iv[0]) * s / 200;
          DD g = ExactStepsTest.phi(phi, DD.of(t)).subtract(DD.ofProduct(r[0], t));
          lo = lo == null || g.subtract(lo).hi() < 0 ? g : lo;
          hi = hi == null || g.subtract(hi).hi() > 0 ? g : hi;
        }
        String what = name + " on " + show(iv) + ": relaxation " + show(r) + " (seed 17, interval " + k + ")";
        assertThat(lo.subtract(r[1]).hi()).as(what + " g- above the exact g " + lo.doubleValue())
            .isGreaterThanOrEqualTo(0);
        assertThat(DD.of(r[2]).subtract(hi).hi()).as(what + " g+ below the exact g " + hi.doubleValue())
            .isGreaterThanOrEqualTo(0);
        double width = iv[1] - iv[0];
        if (width >= 0.1) {
          assertThat(r[2] - r[1]).as(what + " width").isLessThanOrEqualTo(hi.subtract(lo).doubleValue()
              + 2 * pb.curvature() * (Math.pow(width / PhiBounds.GRID, 2) + Math.pow(width / 200, 2)) / 8 + 1e-7 * (1 + Math.abs(iv[0])
              + Math.abs(iv[1])));
        }
      }
    }
  }

  /**
   * The exact range of phi(z + d) - phi(z) of piecewise-linear phi over boxes where |d| may exceed |z| (the
   * difference is monotone in z between its kinks, so its extremes lie at the ends): contained, and no wider than
   * 1e-8 relative; at magnitudes 1e-3 to 1e3, and 1e-300 times those, where the relative slack underflows below
   * the absolute one.
   */
  @Test
  void differenceRangeContainsTheExactExtremes() {
    SplittableRandom rng = new SplittableRandom(19);
    for (String name : new String[] {"relu", "leaky-relu(0.2)", "leaky-relu(0.01)"}) {
      Activation phi = ActivationCatalog.parse(name);
      PhiBounds pb = PhiBounds.of(phi);
      for (int k = 0; k < 2000; k++) {
        double scale = Math.pow(10, rng.nextInt(7) - 3) * (k % 10 == 9 ? 1e-300 : 1);
        double zl = (2 * rng.nextDouble() - 1) * scale * (k % 3 == 0 ? 0.01 : 1);
        double zh = zl + (k % 4 == 0 ? 0 : rng.nextDouble() * scale * (k % 3 == 0 ? 0.01 : 1));
        double dl = (2 * rng.nextDouble() - 1) * scale;
        double dh = dl + (k % 5 == 0 ? 0 : rng.nextDouble() * scale);
        double[] r = pb.differenceRange(zl, zh, dl, dh);
        DD min = null;
        DD max = null;
        for (double z : new double[] {zl, zh}) {
          for (double d : new double[] {dl, dh}) {
            DD zz = DD.of(z);
            DD v = ExactStepsTest.phi(phi, zz.add(d)).subtract(ExactStepsTest.phi(phi, zz));
            min = min == null || v.subtract(min).hi() < 0 ? v : min;
            max = max == null || v.subtract(max).hi() > 0 ? v : max;
          }
        }
        String what = name + " z in [" + zl + ", " + zh + "], d in [" + dl + ", " + dh + "]: " + show(r)
            + " vs exact [" + min.doubleValue() + ", " + max.doubleValue() + "] (seed 19, case " + k + ")";
        assertThat(min.subtract(r[0]).hi()).as(what).isGreaterThanOrEqualTo(0);
        assertThat(DD.of(r[1]).subtract(max).hi()).as(what).isGreaterThanOrEqualTo(0);
        double tol = 1e-8 * (Math.abs(zl) + Math.abs(zh) + Math.abs(dl) + Math.abs(dh)) + 1e-300;
        assertThat(r[1] - r[0]).as(what + " width").isLessThanOrEqualTo(max.subtract(min).doubleValue() + 2 * tol);
      }
    }
  }

  /**
   * relu is exact and leaky relu one product: the value at t lies within its slack of the exact phi(t), at
   * magnitudes 1e-3 to 1e6, where the product's rounding (up to 2^-53 |phi(t)|) exceeds the slack's absolute part.
   */
  @Test
  void valueOfPiecewiseLinearPhiLiesWithinItsSlack() {
    SplittableRandom rng = new SplittableRandom(29);
    int rounded = 0;
    for (String name : new String[] {"relu", "leaky-relu(0.2)", "leaky-relu(0.01)"}) {
      Activation phi = ActivationCatalog.parse(name);
      PhiBounds pb = PhiBounds.of(phi);
      for (int k = 0; k < 2000; k++) {
        double t = (2 * rng.nextDouble() - 1) * Math.pow(10, rng.nextInt(10) - 3);
        double v = pb.value(t);
        double err = Math.abs(ExactStepsTest.phi(phi, DD.of(t)).subtract(v).doubleValue());
        rounded += err > 0 ? 1 : 0;
        assertThat(err).as(name + " at " + t + ": value " + v + " (seed 29, case " + k + ")")
            .isLessThanOrEqualTo(pb.valueSlack(t, v));
      }
    }
    assertThat(rounded).as("values whose product rounds").isPositive();
  }

  /**
   * The relaxation of f(t) = mPos t (t &gt;= 0), mNeg t (t &lt; 0) for slopes and ends of magnitudes 1e-3 to 1e4:
   * g = f - alpha t, exact at a, 0 and b (its extremes), lies within [g-, g+], no more than 1e-8 relative outside.
   */
  @Test
  void piecewiseRelaxationContainsTheExactExtremes() {
    SplittableRandom rng = new SplittableRandom(23);
    for (int k = 0; k < 3000; k++) {
      double ms = Math.pow(10, rng.nextInt(5) - 2);
      double ts = Math.pow(10, rng.nextInt(6) - 2);
      double mNeg = (2 * rng.nextDouble() - 1) * ms;
      double mPos = (2 * rng.nextDouble() - 1) * ms;
      double a = -ts * rng.nextDouble();
      double b = k % 3 == 0 ? -a * (1 + 1e-3 * rng.nextDouble()) : ts * rng.nextDouble();
      double[] r = PhiBounds.piecewise(a, b, mNeg, mPos);
      DD min = null;
      DD max = null;
      for (double t : new double[] {a, 0, b}) {
        DD g = DD.ofProduct(t >= 0 ? mPos : mNeg, t).subtract(DD.ofProduct(r[0], t));
        min = min == null || g.subtract(min).hi() < 0 ? g : min;
        max = max == null || g.subtract(max).hi() > 0 ? g : max;
      }
      String what = "slopes " + mNeg + ", " + mPos + " on [" + a + ", " + b + "]: " + show(r) + " vs exact ["
          + min.doubleValue() + ", " + max.doubleValue() + "] (seed 23, case " + k + ")";
      assertThat(min.subtract(r[1]).hi()).as(what).isGreaterThanOrEqualTo(0);
      assertThat(DD.of(r[2]).subtract(max).hi()).as(what).isGreaterThanOrEqualTo(0);
      double tol = 1e-8 * (Math.abs(a) + Math.abs(b)) * (Math.abs(mNeg) + Math.abs(mPos) + Math.abs(r[0]));
      assertThat(r[2] - r[1]).as(what + " width").isLessThanOrEqualTo(max.subtract(min).doubleValue() + 2 * tol);
    }
  }
}
