package dev.ticketproof.kernel.bound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link PhiBounds} against phi itself on dense grids: every returned range contains what the grid finds (sound)
 * and exceeds it by no more than its documented slack (tight), on intervals left of 0, right of 0, across 0 and of
 * width 0.
 */
class PhiBoundsTest {
  static final String[] ALL = {"relu", "leaky-relu(0.2)", "tanh", "sigmoid", "softplus", "elu(0.5)", "elu", "elu(2)",
      "silu", "gelu", "softplus(2)", "softplus(0.5)", "relu6", "hardtanh", "hardtanh(0,3)", "hardtanh(-2,0.5)", "selu",
      "celu", "celu(0.5)", "hardswish", "gelu-tanh", "hardsigmoid", "mish"};

  /** Intervals: left of 0, right of 0, across 0 (both ways round), a point, wide. */
  static final double[][] INTERVALS = {{-3, -0.5}, {0.25, 2}, {-1, 0.5}, {-0.2, 3}, {0.7, 0.7}, {-0.3, -0.3},
      {-6, 6}, {0, 1}, {-1, 0}};

  /** n + 1 equally spaced points of [a, b], and the point of [a, b] nearest 0. */
  static double[] grid(double a, double b, int n) {
    double[] t = new double[n + 2];
    for (int s = 0; s <= n; s++) t[s] = s == n ? b : a + (b - a) * s / n;
    t[n + 1] = Math.max(a, Math.min(b, 0));
    return t;
  }

  static boolean closedForm(String name) { return !midpoint(name); }

  /** The families whose slopes come from phi' at the midpoint and the curvature bound. */
  static boolean midpoint(String name) {
    return name.equals("silu") || name.equals("gelu") || name.equals("gelu-tanh") || name.equals("mish");
  }

  @Test
  void slopesContainEverySecantAndNoMore() {
    SplittableRandom rng = new SplittableRandom(3);
    for (String name : ALL) {
      Activation phi = ActivationCatalog.parse(name);
      PhiBounds pb = PhiBounds.of(phi);
      for (double[] iv : INTERVALS) {
        double[] s = pb.slopes(iv[0], iv[1]);
        String what = name + " on [" + iv[0] + ", " + iv[1] + "]";
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double t : grid(iv[0], iv[1], 400)) {
          if (t == 0 && pb.piecewiseLinear()) continue; // the kink: phi' there is a convention, no secant's slope
          double d = phi.derivative(t);
          lo = Math.min(lo, d);
          hi = Math.max(hi, d);
          if (t > iv[0]) {
            // phi' just left of t: a one-sided limit at a kink inside (hardswish's 3/2 at t = 3) is a secant's sup
            double left = phi.derivative(t - 1e-12);
            lo = Math.min(lo, left);
            hi = Math.max(hi, left);
          }
        }
        for (int k = 0; k < 200; k++) {
          double u = iv[0] + (iv[1] - iv[0]) * rng.nextDouble();
          double v = iv[0] + (iv[1] - iv[0]) * rng.nextDouble();
          if (Math.abs(u - v) < 1e-6) continue;
          double secant = (phi.value(u) - phi.value(v)) / (u - v);
          assertThat(secant).as(what + ": secant at " + u + ", " + v).isBetween(s[0] - 1e-9, s[1] + 1e-9);
        }
        assertThat(s[0]).as(what + ": lower slope").isLessThanOrEqualTo(lo);
        assertThat(s[1]).as(what + ": upper slope").isGreaterThanOrEqualTo(hi);
        if (closedForm(name)) {
          assertThat(s[0]).as(what + ": lower slope, tight").isGreaterThanOrEqualTo(lo - 1e-9);
          assertThat(s[1]).as(what + ": upper slope, tight").isLessThanOrEqualTo(hi + 1e-9);
        } else if (midpoint(name)) {
          // phi'(c) plus or minus M (b - a) / 2: at most M (b - a) wide, within [-L, L]
          assertThat(s[1] - s[0]).as(what + ": midpoint slopes' width")
              .isLessThanOrEqualTo(pb.curvature() * (iv[1] - iv[0]) + 1e-8);
          assertThat(s[0]).as(what).isGreaterThanOrEqualTo(-phi.lipschitz());
          assertThat(s[1]).as(what).isLessThanOrEqualTo(phi.lipschitz());
        } else {
          assertThat(s).as(what + ": the Lipschitz fallback").containsExactly(-phi.lipschitz(), phi.lipschitz());
        }
      }
    }
  }

  @Test
  void relaxationContainsTheGraphAndIsNarrow() {
    for (String name : ALL) {
      Activation phi = ActivationCatalog.parse(name);
      PhiBounds pb = PhiBounds.of(phi);
      for (double[] iv : INTERVALS) {
        double a = iv[0];
        double b = iv[1];
        double[] r = pb.relax(a, b);
        String what = name + " on [" + a + ", " + b + "]";
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double t : grid(a, b, 2000)) {
          double g = phi.value(t) - r[0] * t;
          lo = Math.min(lo, g);
          hi = Math.max(hi, g);
        }
        assertThat(r[1]).as(what + ": g-").isLessThanOrEqualTo(lo);
        assertThat(r[2]).as(what + ": g+").isGreaterThanOrEqualTo(hi);
        boolean smooth = !Double.isNaN(pb.curvature());
        double allowance = 1e-8 * (1 + Math.abs(a) + Math.abs(b))
            + (smooth ? pb.curvature() * Math.pow((b - a) / PhiBounds.GRID, 2) / 8 : 0);
        if (!closedForm(name) && !midpoint(name)) {
          // no closed form: alpha 0 and phi's image
          assertThat(r[0]).as(what).isZero();
          double[] im = phi.image(a, b);
          assertThat(new double[] {r[1], r[2]}).as(what).containsExactly(im[0], im[1]);
          continue;
        }
        assertThat(r[2] - r[1]).as(what + ": width of the parallelogram").isLessThanOrEqualTo(hi - lo + 2 * allowance);
        // the slope: exact on one side of the kink, the chord for smooth phi and across the kink
        if (pb.piecewiseLinear() && (a >= 0 || b <= 0)) {
          assertThat(r[0]).as(what).isEqualTo(phi.derivative(a >= 0 ? Math.max(a, 1) : Math.min(b, -1)));
        } else if ((smooth || pb.piecewiseLinear()) && b > a) {
          assertThat(r[0]).as(what + ": chord").isCloseTo((phi.value(b) - phi.value(a)) / (b - a),
              org.assertj.core.data.Offset.offset(1e-12));
        } else if (!smooth && !pb.piecewiseLinear()) {
          // slopes stated, no curvature bound: alpha is the lower bound of phi' on [a, b], not 0 and phi's image
          double s0 = pb.slopes(a, b)[0];
          assertThat(r[0]).as(what + ": the lower slope").isBetween(s0, s0 + 1e-9);
        }
      }
    }
  }

  @Test
  void curvatureBoundsPhiSecondDerivativeClosely() {
    for (String name : ALL) {
      Activation phi = ActivationCatalog.parse(name);
      double c = PhiBounds.of(phi).curvature();
      boolean kink = name.startsWith("elu") || name.startsWith("celu") || name.equals("selu");
      boolean twice = name.equals("tanh") || name.equals("sigmoid") || name.startsWith("softplus") || midpoint(name)
          || kink;
      if (!twice) {
        assertThat(c).as(name).isNaN();
        continue;
      }
      double most = 0;
      double h = 1e-4;
      for (double t : grid(-6, 6, 12000)) {
        // ELU(alpha != 1) and SELU: phi' jumps at 0 (PhiBounds.jump), Lipschitz on each side
        if (Math.abs(t) <= h && PhiBounds.of(phi).jump() > 0) continue;
        most = Math.max(most, Math.abs((phi.derivative(t + h) - phi.derivative(t - h)) / (2 * h)));
      }
      assertThat(c).as(name).isGreaterThanOrEqualTo(most).isLessThanOrEqualTo(most * (kink ? 1.01 : 1.001));
    }
  }

  /**
   * The jump of phi' at 0 is |m+ - m-| rounded up (0 where phi' is continuous), and a grid takes a node at 0 only
   * when asked to and when 0 lies strictly between two of its points.
   */
  @Test
  void theJumpOfTheDerivativeAtZeroPutsANodeThereOnly() {
    for (String name : ALL) {
      Activation phi = ActivationCatalog.parse(name);
      double j = PhiBounds.of(phi).jump();
      double exact = Math.abs(phi.derivative(1e-300) - phi.derivative(-1e-300));
      assertThat(j).as(name).isGreaterThanOrEqualTo(exact).isLessThanOrEqualTo(exact * (1 + 1e-8));
      if (exact > 0) assertThat(j).as(name).isGreaterThan(exact);
    }
    assertThat(PhiBounds.of(ActivationCatalog.parse("elu(0.5)")).jump()).isGreaterThan(0.5).isLessThan(0.5 + 1e-9);
    assertThat(PhiBounds.gridPoints(-1, 2, 4, true)).containsExactly(-1, -0.25, 0, 0.5, 1.25, 2);
    assertThat(PhiBounds.gridPoints(-1, 2, 4, false)).containsExactly(-1, -0.25, 0.5, 1.25, 2);
    assertThat(PhiBounds.gridPoints(-1, 3, 4, true)).containsExactly(-1, 0, 1, 2, 3);
    assertThat(PhiBounds.gridPoints(-2, 0, 2, true)).containsExactly(-2, -1, 0);
    assertThat(PhiBounds.gridPoints(0, 2, 2, true)).containsExactly(0, 1, 2);
    assertThat(PhiBounds.gridPoints(0.5, 0.5, 2, true)).containsExactly(0.5, 0.5, 0.5);
    assertThat(PhiBounds.gridPoints(-3, 1, 1, true)).containsExactly(-3, 0, 1);
  }

  @Test
  void differenceRangeOfPiecewiseLinearPhiIsExact() {
    SplittableRandom rng = new SplittableRandom(5);
    for (String name : ALL) {
      Activation phi = ActivationCatalog.parse(name);
      PhiBounds pb = PhiBounds.of(phi);
      if (!pb.piecewiseLinear()) continue; // the smooth ones: theSmoothDifferenceRangeHoldsAndIsExactAtAPoint
      for (int k = 0; k < 200; k++) {
        double zl = -2 + 4 * rng.nextDouble();
        double zh = zl + (k % 5 == 0 ? 0 : 2 * rng.nextDouble());
        double dl = -1 + 2 * rng.nextDouble();
        double dh = dl + (k % 7 == 0 ? 0 : rng.nextDouble());
        double[] r = pb.differenceRange(zl, zh, dl, dh);
        String what = name + " z in [" + zl + ", " + zh + "], d in [" + dl + ", " + dh + "]";
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        // the extremes lie at z in {zl, zh, 0, -d}; d at its ends (phi is non-decreasing)
        for (double d : new double[] {dl, dh}) {
          for (double z : new double[] {zl, zh, 0, -d, zl + (zh - zl) / 3}) {
            if (z < zl || z > zh) continue;
            double v = phi.value(z + d) - phi.value(z);
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
        }
        double tol = 1e-8 * (1 + Math.abs(zl) + Math.abs(zh) + Math.abs(dl) + Math.abs(dh));
        assertThat(r[0]).as(what).isLessThanOrEqualTo(lo).isGreaterThanOrEqualTo(lo - tol);
        assertThat(r[1]).as(what).isGreaterThanOrEqualTo(hi).isLessThanOrEqualTo(hi + tol);
      }
    }
  }

  @Test
  void piecewiseRelaxationOfAnyTwoSlopes() {
    SplittableRandom rng = new SplittableRandom(9);
    for (int k = 0; k < 300; k++) {
      double mNeg = -2 + 4 * rng.nextDouble();
      double mPos = -2 + 4 * rng.nextDouble();
      double a = -2 + 3 * rng.nextDouble();
      double b = a + (k % 9 == 0 ? 0 : 2 * rng.nextDouble());
      double[] r = PhiBounds.piecewise(a, b, mNeg, mPos);
      String what = "slopes " + mNeg + ", " + mPos + " on [" + a + ", " + b + "]";
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (double t : new double[] {a, b, Math.max(a, Math.min(b, 0)), (a + b) / 2}) {
        double g = (t >= 0 ? mPos * t : mNeg * t) - r[0] * t;
        lo = Math.min(lo, g);
        hi = Math.max(hi, g);
      }
      double tol = 1e-8 * (1 + Math.abs(a) + Math.abs(b)) * (1 + Math.abs(mNeg) + Math.abs(mPos));
      assertThat(r[1]).as(what).isLessThanOrEqualTo(lo).isGreaterThanOrEqualTo(lo - tol);
      assertThat(r[2]).as(what).isGreaterThanOrEqualTo(hi).isLessThanOrEqualTo(hi + tol);
      if (a >= 0) assertThat(r).as(what).containsExactly(mPos, 0, 0);
      if (b <= 0 && a < 0) assertThat(r).as(what).containsExactly(mNeg, 0, 0);
    }
  }

  /**
   * The range of phi(z + d) - phi(z) over [zl, zh] x [dl, dh] for every phi but ReLU and leaky ReLU (above), each
   * non-decreasing or with one interior minimum (SiLU, GELU, its tanh approximation, Mish, hardswish), with or
   * without a curvature bound: every difference on a grid of the rectangle, and at the d that puts z + d at phi's
   * minimum, lies in it (with the phi of the catalog, an independent implementation), and at a point it is the
   * difference up to rounding. For the families with a minimum, the rectangles placed so that [z + dl, z + dh] holds
   * it are half of them, and the points where z + d crosses it are counted.
   */
  @Test
  void theSmoothDifferenceRangeHoldsAndIsExactAtAPoint() {
    SplittableRandom rng = new SplittableRandom(11);
    for (String name : ALL) {
      Activation phi = ActivationCatalog.parse(name);
      PhiBounds pb = PhiBounds.of(phi);
      if (pb.piecewiseLinear()) continue;
      double[] min = dev.ticketproof.kernel.KernelActivation.of(phi.name()).minimum();
      int across = 0;
      for (int trial = 0; trial < 200; trial++) {
        double zl = -4 + 8 * rng.nextDouble();
        double zh = trial % 4 == 0 ? zl : zl + (trial % 3 == 0 ? 1e-9 : 2 * rng.nextDouble());
        double dl = -0.5 + rng.nextDouble();
        double dh = trial % 5 == 0 ? dl : dl + 0.3 * rng.nextDouble();
        if (min != null && trial % 2 == 1) {
          // put phi's minimum inside [zl + dl, zl + dh]
          zl = min[0] - dl - (dh - dl) * rng.nextDouble();
          zh = trial % 3 == 0 ? zl : zl + 0.2 * rng.nextDouble();
        }
        double[] r = pb.differenceRange(zl, zh, dl, dh);
        for (double z : grid(zl, zh, 16)) {
          double[] ds = grid(dl, dh, 16);
          ds[ds.length - 1] = min == null ? dl : Math.max(dl, Math.min(dh, min[0] - z));
          for (double d : ds) {
            double v = phi.value(z + d) - phi.value(z);
            assertThat(v).as(name + " z " + z + " d " + d).isBetween(r[0] - 1e-15, r[1] + 1e-15);
          }
          if (min != null && z + dl < min[0] && z + dh > min[0]) across++;
        }
        if (zl == zh && dl == dh) {
          // the catalog's difference with cancellation errs by a few ulps of its operands: the two ranges overlap
          double v = phi.value(zl + dl) - phi.value(zl);
          double e = 0x1p-49 * (Math.abs(phi.value(zl + dl)) + Math.abs(phi.value(zl)));
          assertThat(r[1] - r[0]).as(name + " at a point").isLessThan(1e-10);
          assertThat(v + e).isGreaterThanOrEqualTo(r[0]);
          assertThat(v - e).isLessThanOrEqualTo(r[1]);
        } else if (zl == zh && min != null) {
          // at a point z, the range of phi over [z + dl, z + dh] minus phi(z), from a fine grid, up to rounding
          double lo = Double.POSITIVE_INFINITY;
          double hi = Double.NEGATIVE_INFINITY;
          for (double d : grid(dl, dh, 4000)) {
            lo = Math.min(lo, phi.value(zl + d) - phi.value(zl));
            hi = Math.max(hi, phi.value(zl + d) - phi.value(zl));
          }
          double tol = 1e-6 * (dh - dl) * (dh - dl) + 1e-10;
          assertThat(r[0]).as(name + " at " + zl + ", lower end").isGreaterThanOrEqualTo(lo - tol);
          assertThat(r[1]).as(name + " at " + zl + ", upper end").isLessThanOrEqualTo(hi + tol);
        }
      }
      if (min != null) assertThat(across).as(name + ": points whose z + d crosses the minimum").isGreaterThan(100);
    }
  }

  /**
   * {@link PhiBounds#images}: phi(y) - phi(z) lies in it for z and y on grids of wide ranges (units far into
   * saturation, differences larger than a bounded phi's range) for every family of the kernel; for a monotone phi its
   * ends are phi(yl) - phi(zh) and phi(yh) - phi(zl) up to rounding (so it is the smallest interval that holds for
   * every pair); ranges with NaN ends (overflowed) give none. With z's ends exchanged (phi(yl) - phi(zl)) the first
   * check fails for every family whose range of z is not a point.
   */
  @Test
  void theDifferenceOfImagesHoldsForEveryPairAndIsTight() {
    SplittableRandom rng = new SplittableRandom(17);
    String[] names = java.util.Arrays.copyOf(ALL, ALL.length + 2);
    names[ALL.length] = "softsign";
    names[ALL.length + 1] = "log-sigmoid";
    for (String name : names) {
      dev.ticketproof.kernel.KernelActivation phi =
          dev.ticketproof.kernel.KernelActivation.of(ActivationCatalog.parse(name).name());
      PhiBounds pb = PhiBounds.of(phi);
      String base = name.contains("(") ? name.substring(0, name.indexOf('(')) : name;
      assertThat(pb.bounded()).as(name + " bounded").isEqualTo(
          java.util.Set.of("tanh", "sigmoid", "softsign", "hardtanh", "relu6", "hardsigmoid").contains(base));
      for (int trial = 0; trial < 200; trial++) {
        double zl = -12 + 24 * rng.nextDouble();
        double zh = trial % 7 == 0 ? zl : zl + 10 * rng.nextDouble();
        double yl = zl + (-8 + 16 * rng.nextDouble());
        double yh = trial % 5 == 0 ? yl : yl + 10 * rng.nextDouble();
        double[] r = pb.images(zl, zh, yl, yh);
        String what = name + " z in [" + zl + ", " + zh + "], y in [" + yl + ", " + yh + "]";
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double z : grid(zl, zh, 40)) {
          for (double y : grid(yl, yh, 40)) {
            double v = phi.value(y) - phi.value(z);
            assertThat(v).as(what + " at z " + z + ", y " + y).isBetween(r[0], r[1]);
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
        }
        if (phi.nonDecreasing()) {
          double tol = 1e-9 * (1 + Math.abs(lo) + Math.abs(hi));
          assertThat(r[0]).as(what + ", lower end").isGreaterThanOrEqualTo(lo - tol);
          assertThat(r[1]).as(what + ", upper end").isLessThanOrEqualTo(hi + tol);
        }
      }
      assertThat(pb.images(Double.NaN, Double.NaN, 0, 1)).as(name + " of overflowed ranges").isNull();
      assertThat(pb.images(0, 1, Double.NaN, Double.NaN)).as(name + " of overflowed ranges").isNull();
    }
  }
}
