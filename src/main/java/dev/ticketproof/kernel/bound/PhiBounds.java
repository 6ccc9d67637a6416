package dev.ticketproof.kernel.bound;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.kernel.KernelActivation;

/**
 * What the differential bound needs to know about an activation phi of the kernel
 * ({@code dev.ticketproof.kernel.KernelActivation}), on an interval [a, b]:
 *
 * <ul>
 *   <li>{@link #slopes}: an interval [s-, s+] that contains every secant slope (phi(u) - phi(v)) / (u - v) with u, v in
 *       [a, b] (by the mean-value theorem, the range of phi' on [a, b]);</li>
 *   <li>{@link #relax}: a slope alpha and an interval [g-, g+] with phi(t) - alpha t in [g-, g+] for every t in
 *       [a, b] (a parallelogram around the graph).</li>
 * </ul>
 * Every returned interval is widened by the rounding of phi, phi', exp and tanh in floating point (a few ulps):
 * {@link Rounding#evalSlack}, or relative to the value for phi's evaluations without cancellation
 * ({@link #psi}, {@link #value}, {@link #difference}). The slopes over an interval and the curvature of each family are the
 * kernel's ({@link KernelActivation#slopes}, {@link KernelActivation#curvature}). A family with a curvature bound M
 * but no slope formula (SiLU, GELU, its tanh approximation, Mish) takes phi' at the midpoint plus or minus M times
 * the half-width; a family without either (none of the kernel's) falls back to the Lipschitz constant: slopes in
 * [-L, L], and alpha = 0 with phi's image. ELU(alpha != 1) and SELU state the curvature on each side of 0, where phi'
 * jumps by {@link #jump}.
 */
final class PhiBounds {
  private final Activation phi;
  private final String base;
  private final double param;
  /** The kernel's definition of phi's family (its slopes and curvature), or null for a name it does not know. */
  private final KernelActivation kernel;
  /** {psiUlps, diffUlps} of the family's evaluations without cancellation, or null (read once, not per value). */
  private final double[] ulps;
  private final boolean bounded;

  private PhiBounds(Activation phi) {
    this.phi = phi;
    String n = phi.name();
    int open = n.indexOf('(');
    this.base = open < 0 ? n : n.substring(0, open);
    this.param = base.equals("leaky-relu") ? Double.parseDouble(n.substring(open + 1, n.length() - 1)) : Double.NaN;
    this.kernel = phi instanceof KernelActivation k ? k : KernelActivation.family(n);
    this.ulps = kernel == null ? null : kernel.accuracy();
    // phi's image of [-1e300, 1e300]: within [-1e6, 1e6] only for the bounded families (the others reach 1e298)
    double[] all = phi.image(-1e300, 1e300);
    this.bounded = Math.abs(all[0]) < 1e6 && Math.abs(all[1]) < 1e6;
  }

  static PhiBounds of(Activation phi) { return new PhiBounds(phi); }

  /** Whether phi's image of the reals is bounded (tanh, sigmoid, softsign, hardtanh, relu6, hardsigmoid). */
  boolean bounded() { return bounded; }

  /** Whether phi is piecewise linear with its kink at 0 (relu, leaky-relu). */
  boolean piecewiseLinear() { return base.equals("relu") || base.equals("leaky-relu"); }

  /** phi(t) as the bound evaluates it: phi_0 + psi(t) for a family with an accurate psi, else the kernel's phi. */
  double value(double t) { return accurate() ? phi.phi0() + kernel.psi(t) : phi.value(t); }

  /**
   * A bound on the error of {@link #value}'s result v at t: phi_0 + psi(t) errs by psi's slack, phi0Error and the
   * addition's rounding (2^-52 |v| taken); relu is exact, leaky relu one product (u |v|, u = 2^-53, or an underflow);
   * the others (exp, tanh, log1p: a few ulps) {@link Rounding#evalSlack}.
   */
  double valueSlack(double t, double v) {
    if (accurate()) return psiSlack(kernel.psi(t)) + phi.phi0Error() + 0x1p-52 * Math.abs(v);
    return piecewiseLinear() ? 0x1p-52 * Math.abs(v) + Double.MIN_NORMAL : Rounding.evalSlack(v);
  }

  /** Whether the family has an accurate psi ({@link KernelActivation#accuracy}). */
  private boolean accurate() { return ulps != null; }

  /**
   * psi(t) = phi(t) - phi(0) without cancellation ({@link KernelActivation#psi}) where the family has a formula for
   * it; else phi(t) - phi_0 with the kernel's phi_0 (which differs from phi(0) by at most phi0Error).
   */
  double psi(double t) {
    return accurate() ? kernel.psi(t) : phi.value(t) - phi.phi0();
  }

  /**
   * A bound on the error of {@link #psi}'s value v at t: psiUlps 2^-52 |v| + MIN_NORMAL with the accurate formula;
   * else phi's evaluation slack plus the subtraction's rounding, 2^-53 (|phi(t)| + |phi_0|) (phi(t) = v + phi_0).
   */
  double psiSlack(double v) {
    if (accurate()) return ulps[0] * 0x1p-52 * Math.abs(v) + Double.MIN_NORMAL;
    double f = Math.abs(v) + Math.abs(phi.phi0());
    return Rounding.evalSlack(f) + 0x1p-53 * 2 * f;
  }

  /** Slope of a piecewise-linear phi for t &lt; 0. */
  double negSlope() { return base.equals("relu") ? 0 : param; }

  /** The kernel's bounds on phi' over [a, b] ({@link KernelActivation#slopes}), or null when it states none. */
  private double[] closedSlopes(double a, double b) { return kernel == null ? null : kernel.slopes(a, b); }

  /** {s-, s+}: bounds on phi' (and on every secant slope) over [a, b]. */
  double[] slopes(double a, double b) {
    if (piecewiseLinear()) {
      double m = negSlope();
      if (b <= 0) return new double[] {m, m};
      if (a >= 0) return new double[] {1, 1};
      return new double[] {Math.min(m, 1), Math.max(m, 1)};
    }
    double[] s = closedSlopes(a, b);
    if (s == null) return Double.isNaN(curvature()) || jump() > 0 ? lipschitzSlopes() : midpointSlopes(a, b);
    double lo = s[0] - Rounding.evalSlack(s[0]);
    return new double[] {kernel.nonDecreasing() ? Math.max(0, lo) : lo, s[1] + Rounding.evalSlack(s[1])};
  }

  /**
   * A Lipschitz constant of phi' (a bound on |phi''| wherever it exists) when phi' is Lipschitz, else NaN: the
   * kernel's ({@link KernelActivation#curvature}; tanh 0.7699, sigmoid 0.0963, softplus(beta) beta / 4, SiLU 1/2,
   * GELU and its tanh approximation 0.79788456080287, Mish 0.64420463723698, CELU(alpha) 1/alpha, ELU(1) 1).
   */
  double curvature() { return kernel == null ? Double.NaN : kernel.curvature(); }

  /**
   * A bound on the jump of phi' at 0, |phi'(0+) - phi'(0-)| = |m+ - m-| (the local model's slopes, within slopeError
   * of the true ones): 0 where the two are stated equal (phi' continuous: every family with a curvature bound but
   * ELU(alpha != 1) and SELU), else rounded up. With a curvature bound M_2, |phi'(u) - phi'(v)| &lt;= M_2 |u - v| +
   * jump when 0 lies between u and v (inclusive), M_2 |u - v| otherwise.
   */
  double jump() {
    if (kernel == null || kernel.slopePlus() == kernel.slopeMinus()) return 0;
    return Rounding.up(Math.abs(kernel.slopePlus() - kernel.slopeMinus()) + 2 * kernel.slopeError());
  }

  /** The ends of n equal subintervals of [a, b], with 0 added when {@code node} and a &lt; 0 &lt; b (in order). */
  static double[] gridPoints(double a, double b, int n, boolean node) {
    double[] t = new double[n + 2];
    int k = 0;
    for (int s = 0; s <= n; s++) {
      double x = s == n ? b : a + (b - a) * s / n;
      if (node && k > 0 && t[k - 1] < 0 && x > 0) t[k++] = 0;
      t[k++] = x;
    }
    return java.util.Arrays.copyOf(t, k);
  }

  /**
   * phi' on [a, b] within M w of phi'(c), c the midpoint and w the half-width (phi' is M-Lipschitz), widened by the
   * evaluation of phi'(c) and clipped to [-L, L].
   */
  private double[] midpointSlopes(double a, double b) {
    double c = a + (b - a) / 2;
    double d = kernel.derivative(c);
    double r = Rounding.up(Rounding.up(curvature() * Math.nextUp(Math.max(c - a, b - c))) + Rounding.evalSlack(d));
    double l = phi.lipschitz();
    return new double[] {Math.max(-l, Math.nextDown(d - r)), Math.min(l, Math.nextUp(d + r))};
  }

  private double[] lipschitzSlopes() {
    double l = phi.lipschitz();
    return new double[] {-l, l};
  }

  /**
   * {alpha, g-, g+} with g- &lt;= phi(t) - alpha t &lt;= g+ on [a, b]. Piecewise-linear phi: exact slope on one
   * side of 0, else the chord, with g evaluated at a, 0, b (g is piecewise linear). Phi with a curvature bound
   * ({@link #curvature}: tanh, sigmoid, softplus, SiLU, GELU, its tanh approximation, Mish, CELU, ELU, SELU): alpha
   * is the chord slope and g's range comes from {@link #gridRange}. Other phi whose slopes over [a, b] the kernel
   * bounds (relu6, hardtanh, hardswish, hardsigmoid, and those with a curvature bound when a = b): alpha = the lower
   * bound s of phi' on [a, b], so g is non-decreasing and its range is [g(a), g(b)]; the rounding of alpha (relative 2^-30 at most) can
   * break monotonicity by at most 2^-30 |alpha| (b - a), which is added. Others: alpha = 0 and phi's image.
   */
  double[] relax(double a, double b) {
    if (piecewiseLinear()) {
      double m = negSlope();
      if (b <= 0) return new double[] {m, 0, 0};
      if (a >= 0) return new double[] {1, 0, 0};
      return piecewise(a, b, m, 1);
    }
    double[] s = closedSlopes(a, b);
    boolean twice = !Double.isNaN(curvature());
    if (s == null && !twice) {
      double[] im = phi.image(a, b);
      return new double[] {0, im[0], im[1]};
    }
    if (twice && b > a) return gridRange(a, b, (value(b) - value(a)) / (b - a));
    if (s == null) s = midpointSlopes(a, b);
    double alpha = s[0];
    double va = value(a);
    double vb = value(b);
    double ga = va - alpha * a;
    double gb = vb - alpha * b;
    // phi's values, and the product and the subtraction of each g: 2 u (|phi| + |alpha t|)
    double slack = Math.max(valueSlack(a, va) + Rounding.gamma(2) * (Math.abs(va) + Math.abs(alpha * a)),
        valueSlack(b, vb) + Rounding.gamma(2) * (Math.abs(vb) + Math.abs(alpha * b)))
        + Rounding.REL * Math.abs(alpha) * (b - a);
    return new double[] {alpha, Math.min(ga, gb) - slack, Math.max(ga, gb) + slack};
  }

  /** Subintervals of {@link #gridRange}. */
  static final int GRID = 64;

  /**
   * {alpha, lo, hi} with lo &lt;= phi(t) - alpha t &lt;= hi on [a, b], for twice differentiable phi: g = phi - alpha t
   * at the ends of {@link #GRID} subintervals, widened by the interpolation error M_2 delta^2 / 8 and rounding.
   */
  double[] gridRange(double a, double b, double alpha) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    double widest = 0;
    double prev = a;
    boolean endsOnly = DifferentialBound.mutation == DifferentialBound.Mutation.TARGET_GRID_ENDS_ONLY;
    double slack = 0;
    // a node at 0, where phi' may jump: on each subinterval phi' is then M_2-Lipschitz
    for (double t : gridPoints(a, b, endsOnly ? 1 : GRID, jump() > 0)) {
      double v = value(t);
      double g = v - alpha * t;
      lo = Math.min(lo, g);
      hi = Math.max(hi, g);
      // phi's value, and the product and the subtraction: 2 u (|phi(t)| + |alpha t|)
      slack = Math.max(slack, valueSlack(t, v) + Rounding.gamma(2) * (Math.abs(v) + Math.abs(alpha * t)));
      widest = Math.max(widest, Rounding.up(t - prev));
      prev = t;
    }
    double bulge = endsOnly ? 0 : Rounding.up(curvature() * widest * widest / 8);
    slack = Rounding.up(bulge + slack);
    return new double[] {alpha, lo - slack, hi + slack};
  }

  /**
   * {lo, hi} with lo &lt;= phi(z + d) - phi(z) &lt;= hi for all z in [zl, zh] and d in [dl, dh], for piecewise-linear
   * phi and for every other phi that is non-decreasing or has one interior minimum; else null. Piecewise linear: phi
   * is non-decreasing, so the difference is non-decreasing in d; as a function of z it is piecewise linear with kinks
   * at -d and 0, so its extremes over [zl, zh] lie at zl, zh, -d or 0 (exact up to rounding). The others: the range
   * of D(zc, d) over [dl, dh] at the midpoint zc of [zl, zh], widened by K w with w the half-width and K a bound on
   * |dD/dz| = |phi'(z + d) - phi'(z)|: the width of phi's slopes over the hull of z and z + d ({@link #slopes}), or
   * M_2 max|d| with a curvature bound, the smaller (exact at a point up to rounding). That range is [D(zc, dl),
   * D(zc, dh)] for non-decreasing phi, and for phi non-increasing up to its minimum and non-decreasing after it
   * (SiLU, GELU, its tanh approximation, Mish, hardswish), phi's range over [zc + dl, zc + dh] minus phi(zc): the
   * larger end, and the smaller end or phi's minimum when the interval reaches where it is taken.
   */
  double[] differenceRange(double zl, double zh, double dl, double dh) {
    if (piecewiseLinear()) return new double[] {extreme(zl, zh, dl, false), extreme(zl, zh, dh, true)};
    double[] min = kernel == null ? null : kernel.minimum();
    if (kernel == null || !(kernel.nonDecreasing() || min != null)) return null;
    // D(z, d) = phi(z + d) - phi(z) has |dD/dz| = |phi'(z + d) - phi'(z)| <= K (both slopes lie in phi's slopes over
    // the hull; with phi' M_2-Lipschitz, K = M_2 |d| too); so on [zl, zh] x [dl, dh], with any zc,
    // min_d D(zc, d) - K w <= D <= max_d D(zc, d) + K w, w = max |z - zc|
    double zc = zl + (zh - zl) / 2;
    double w = Math.nextUp(Math.max(Math.abs(zc - zl), Math.abs(zh - zc)));
    double hullLo = Math.min(zl, Math.nextDown(zl + dl));
    double hullHi = Math.max(zh, Math.nextUp(zh + dh));
    double[] s = slopes(hullLo, hullHi);
    double k = Math.nextUp(s[1] - s[0]);
    if (!Double.isNaN(curvature())) {
      // phi'(z + d) - phi'(z): M_2 |d|, plus the jump at 0 when the hull (rounded outward) holds 0
      double j = hullLo <= 0 && hullHi >= 0 ? jump() : 0;
      k = Math.min(k, Rounding.up(Rounding.up(curvature() * Math.max(Math.abs(dl), Math.abs(dh))) + j));
    }
    double e = Rounding.up(k * w);
    double lo = difference(zc, dl, false);
    double hi = difference(zc, dh, true);
    if (min != null) {
      lo = Math.min(lo, difference(zc, dh, false));
      hi = Math.max(hi, difference(zc, dl, true));
      // the rounded ends are within 2^-53 of the exact ones, the stated minimum's place within an ulp of the true one
      double a = zc + dl;
      double b = zc + dh;
      double margin = 0x1p-50 * (Math.abs(a) + Math.abs(b) + Math.abs(min[0])) + Double.MIN_NORMAL;
      if (a <= min[0] + margin && b >= min[0] - margin) {
        double vz = phi.value(zc);
        double slack = Rounding.up(Rounding.evalSlack(vz) + Rounding.evalSlack(min[1])
            + 0x1p-52 * (Math.abs(vz) + Math.abs(min[1])));
        lo = Math.min(lo, min[1] - vz - slack);
      }
    }
    return new double[] {Math.nextDown(lo - e), Math.nextUp(hi + e)};
  }

  /**
   * phi(Y) - phi(Z), which holds phi(y) - phi(z) for every z in [zl, zh] and y in [yl, yh]: phi's images of both
   * ranges are the kernel's ({@link KernelActivation#image}), and the subtraction is rounded outward; null for ranges
   * that overflowed (NaN ends). It is the narrower where the difference is wide against phi's range over them (bounded
   * phi, saturated units).
   */
  double[] images(double zl, double zh, double yl, double yh) {
    if (!(zl <= zh && yl <= yh)) return null;
    double[] z = phi.image(zl, zh);
    double[] y = phi.image(yl, yh);
    // each end widened by phi's evaluation slack, the subtraction by 2^-52 of its operands
    double lo = y[0] - z[1] - Rounding.up(Rounding.evalSlack(y[0]) + Rounding.evalSlack(z[1])
        + 0x1p-52 * (Math.abs(y[0]) + Math.abs(z[1])));
    double hi = y[1] - z[0] + Rounding.up(Rounding.evalSlack(y[1]) + Rounding.evalSlack(z[0])
        + 0x1p-52 * (Math.abs(y[1]) + Math.abs(z[0])));
    return new double[] {Math.nextDown(lo), Math.nextUp(hi)};
  }

  /**
   * phi(z + d) - phi(z) rounded outward (down, or up when {@code up}). With the family's formula without
   * cancellation ({@link KernelActivation#difference}) within (its ulps + |fl(z + d)|) 2^-52 of its value plus
   * MIN_NORMAL; else the rounding of z + d moves phi's argument by at most 2^-52 |z + d| (phi is lip-Lipschitz),
   * each value of phi errs by its evaluation slack, the subtraction by 2^-52 of its operands.
   */
  private double difference(double z, double d, boolean up) {
    double a = z + d;
    double v = kernel == null ? Double.NaN : kernel.difference(z, d);
    if (!Double.isNaN(v)) {
      double slack = Rounding.up((ulps[1] + Math.abs(a)) * 0x1p-52 * Math.abs(v));
      return up ? v + slack : v - slack;
    }
    double va = phi.value(a);
    double vz = phi.value(z);
    double slack = Rounding.up(phi.lipschitz() * Math.abs(a) * 0x1p-52 + Rounding.evalSlack(va) + Rounding.evalSlack(vz)
        + 0x1p-52 * (Math.abs(va) + Math.abs(vz))) + Double.MIN_NORMAL;
    return up ? va - vz + slack : va - vz - slack;
  }

  private double extreme(double zl, double zh, double d, boolean max) {
    double best = max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    double[] zs = {zl, zh, -d, 0};
    for (double z : zs) {
      if (!(z >= zl && z <= zh)) continue;
      double v = pl(z + d) - pl(z);
      best = max ? Math.max(best, v) : Math.min(best, v);
    }
    double slack = 4 * Rounding.gamma(4) * (Math.abs(zl) + Math.abs(zh) + Math.abs(d)) + Double.MIN_NORMAL;
    return max ? best + slack : best - slack;
  }

  private double pl(double t) { return t >= 0 ? t : negSlope() * t; }

  /**
   * {alpha, g-, g+} for the piecewise-linear f(t) = mPos t (t &gt;= 0), mNeg t (t &lt; 0) on [a, b]: the exact
   * slope when [a, b] lies on one side of 0, else the chord; g = f - alpha t is evaluated at a, 0 and b
   * (its extremes), each with a relative rounding slack.
   */
  static double[] piecewise(double a, double b, double mNeg, double mPos) {
    if (a >= 0) return new double[] {mPos, 0, 0};
    if (b <= 0) return new double[] {mNeg, 0, 0};
    double fa = mNeg * a;
    double fb = mPos * b;
    double alpha = (fb - fa) / (b - a);
    double ga = fa - alpha * a;
    double gb = fb - alpha * b;
    double lo = Math.min(0, Math.min(ga, gb));
    double hi = Math.max(0, Math.max(ga, gb));
    double slack = 4 * Rounding.gamma(4) * (Math.abs(mNeg * a) + Math.abs(mPos * b) + Math.abs(alpha) * (b - a));
    return new double[] {alpha, lo - slack, hi + slack};
  }
}
