package dev.ticketproof.kernel;

import dev.ticketproof.activation.Activation;
import java.util.Map;
import java.util.function.DoublePredicate;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import org.apache.commons.numbers.gamma.Erfc;

/**
 * The kernel's own activation functions, written independently of the activation catalog (JDK and Commons Numbers
 * only): the checkers evaluate phi, its constants, Lipschitz constant, interval images, slopes over intervals and
 * curvature with these, so a wrong constant in the catalog cannot make the kernel certify a false bound. Only the
 * {@code Activation} interface (a type, no code) is shared with the catalog.
 *
 * <p>One {@link Formula} per family ({@link #FORMULAS}, keyed by the catalog's base name): adding an activation to
 * the kernel is one entry there. Constants that are not doubles are rounded outward so that bounds stay bounds
 * (remainder and Lipschitz constants up, minima down, phi(0) with its rounding error); the true values, computed with
 * mpmath at 30 to 40 digits, are stated at each family.
 */
public final class KernelActivation implements Activation {
  private static final double INF = Double.POSITIVE_INFINITY;
  private static final Predicate<double[]> NO_PARAMETER = p -> p.length == 0;

  /** A function of a family's parameters and t. */
  interface Fn {
    double at(double[] p, double t);
  }

  /** Bounds {lo, hi} on phi' over [a, b] (a &lt;= b), before the caller widens them for rounding. */
  interface SlopeRange {
    double[] over(double[] p, double a, double b);
  }

  /** One parameter satisfying a condition. */
  private static Predicate<double[]> one(DoublePredicate ok) { return p -> p.length == 1 && ok.test(p[0]); }

  /**
   * The kernel's definition of one family of activations.
   *
   * @param valid which parameter lists name a member (an empty list: no parameter)
   * @param piecewiseLinear whether the value is exact in floating point (a clamp or one multiplication at most)
   * @param value phi_p(t), of (p, t)
   * @param derivative phi_p'(t) (at a kink, the right derivative)
   * @param local the local model at 0 of phi_p
   * @param lipschitz a global Lipschitz constant of phi_p
   * @param minAt where a non-monotone phi_p takes its interior minimum (NaN for a monotone family); phi_p is
   *     non-increasing before it and non-decreasing after
   * @param min that minimum, rounded down
   * @param slopes bounds on phi_p' over an interval (exact up to rounding), or null: the Lipschitz constant
   * @param curvature a Lipschitz constant of phi_p' on (-inf, 0] and on [0, inf) (one-sided at 0; a bound on
   *     |phi_p''| wherever it exists), else NaN; phi_p' is continuous but at 0, where it may jump by |m+ - m-|
   * @param accurate evaluations without cancellation with their error bounds, or null
   */
  record Formula(Predicate<double[]> valid, boolean piecewiseLinear, Fn value, Fn derivative,
      Function<double[], Local> local, ToDoubleFunction<double[]> lipschitz, double minAt, double min,
      SlopeRange slopes, ToDoubleFunction<double[]> curvature, Accurate accurate) {
    /** A family without an interior minimum, slope ranges or curvature. */
    static Formula monotone(Predicate<double[]> valid, boolean piecewiseLinear, Fn value, Fn derivative,
        Function<double[], Local> local, ToDoubleFunction<double[]> lipschitz) {
      return new Formula(valid, piecewiseLinear, value, derivative, local, lipschitz, Double.NaN, Double.NaN, null,
          p -> Double.NaN, null);
    }

    /** This family with an interior minimum (so not monotone), non-increasing before it, non-decreasing after. */
    Formula withMinimum(double at, double value) {
      return new Formula(valid, piecewiseLinear, this.value, derivative, local, lipschitz, at, value, slopes,
          curvature, accurate);
    }

    /** This family with bounds on phi' over intervals. */
    Formula withSlopes(SlopeRange range) {
      return new Formula(valid, piecewiseLinear, value, derivative, local, lipschitz, minAt, min, range, curvature,
          accurate);
    }

    /** This family with the slopes {phi'(a), phi'(b)} over [a, b]: its derivative is non-decreasing. */
    Formula convexSlopes() { return withSlopes((p, a, b) -> new double[] {derivative.at(p, a), derivative.at(p, b)}); }

    /** This family with its slopes over [a, b] for a derivative that is even and decreasing in |t| (tanh, sigmoid). */
    Formula peakedSlopes() {
      return withSlopes((p, a, b) -> new double[] {derivative.at(p, Math.abs(a) > Math.abs(b) ? a : b),
          derivative.at(p, a > 0 ? a : b < 0 ? b : 0)});
    }

    /** This family with a Lipschitz constant of phi' and accurate evaluations (or null). */
    Formula withCurvature(ToDoubleFunction<double[]> bound, Accurate a) {
      return new Formula(valid, piecewiseLinear, value, derivative, local, lipschitz, minAt, min, slopes, bound, a);
    }
  }

  /**
   * Evaluations without cancellation ([differential-bound], "Floating point"): psi(t) = phi(t) - phi(0) within
   * psiUlps 2^-52 |v| + MIN_NORMAL of its value v (finite for finite t); D(z, d) = phi(z + d) - phi(z) within
   * (diffUlps + |fl(z + d)|) 2^-52 |v| + MIN_NORMAL (NaN where not covered).
   */
  record Accurate(double psiUlps, Fn psi, double diffUlps, Difference diff) {}

  /** D(z, d) of a family's parameters. */
  interface Difference {
    double at(double[] p, double z, double d);
  }

  /** k (tanh(k (z + d)) - tanh(k z)) = k sinh(k d) / (cosh(k fl(z + d)) cosh(k z)), NaN where cosh may overflow. */
  private static double tanhDifference(double k, double z, double d) {
    double a = k * (z + d);
    return Math.max(Math.abs(a), Math.max(Math.abs(k * z), Math.abs(k * d))) <= 700
        ? k * Math.sinh(k * d) / Math.cosh(a) / Math.cosh(k * z) : Double.NaN;
  }

  /**
   * The slopes over [a, b] of a phi that is linear with slope s_k on the pieces between the sorted breakpoints
   * c_1 &lt; ... &lt; c_n (slopes s_0, ..., s_n): the slopes of the pieces [a, b] meets (a point meets the piece its
   * right derivative is on).
   */
  private static double[] pieces(double a, double b, double[] breaks, double[] slopes) {
    double lo = INF;
    double hi = -INF;
    for (int k = 0; k < slopes.length; k++) {
      double left = k == 0 ? -INF : breaks[k - 1];
      double right = k == breaks.length ? INF : breaks[k];
      if (a < right && b >= left) {
        lo = Math.min(lo, slopes[k]);
        hi = Math.max(hi, slopes[k]);
      }
    }
    return new double[] {lo, hi};
  }

  /** clamp(t, lo, hi), exact in floating point. */
  private static double clamp(double t, double lo, double hi) { return Math.min(Math.max(t, lo), hi); }

  /**
   * The local model of hardtanh(lo, hi) = clamp(t, lo, hi) with lo &lt;= 0 &lt; hi: slope 1 on the sides where the clamp
   * is away from 0 (m- = 0 when lo = 0), exact up to the nearest clamp.
   */
  private static Local hardtanhLocal(double lo, double hi) {
    return new Local(0, 0, lo < 0 ? 1 : 0, 1, 0, 2, lo < 0 ? Math.min(-lo, hi) : hi);
  }

  /** SELU's scale lambda and alpha (PyTorch's constants, as doubles) and its negative coefficient lambda alpha. */
  private static final double SELU_SCALE = 1.0507009873554805;
  private static final double SELU_NEG = 1.6732632423543772 * SELU_SCALE;

  /** sqrt(2 / pi) as a double: the tanh approximation of GELU is defined with it. */
  private static final double GELU_TANH_K = Math.sqrt(2 / Math.PI);

  /** softplus_beta(t) = ln(1 + e^(beta t)) / beta, evaluated without overflow. */
  private static double softplus(double beta, double t) {
    double u = beta * t;
    return (u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u))) / beta;
  }

  /** The families the kernel knows, by base name. */
  static final Map<String, Formula> FORMULAS = Map.ofEntries(
      Map.entry("relu", Formula.monotone(NO_PARAMETER, true, (p, t) -> Math.max(0.0, t), (p, t) -> t >= 0 ? 1 : 0,
          p -> new Local(0, 0, 0, 1, 0, 2, INF), p -> 1)),
      Map.entry("leaky-relu", Formula.monotone(one(a -> true), true, (p, t) -> t >= 0 ? t : p[0] * t,
          (p, t) -> t >= 0 ? 1 : p[0], p -> new Local(0, 0, p[0], 1, 0, 2, INF), p -> Math.max(1, Math.abs(p[0])))),
      Map.entry("tanh", Formula.monotone(NO_PARAMETER, false, (p, t) -> Math.tanh(t),
          (p, t) -> 1 - Math.tanh(t) * Math.tanh(t), p -> new Local(0, 0, 1, 1, Math.nextUp(1.0 / 3), 3, INF), p -> 1)
          // tanh'' = -2u(1 - u^2) with u = tanh t, largest at u^2 = 1/3: 4 / (3 sqrt 3) = 0.76980..., rounded up
          .peakedSlopes().withCurvature(p -> 0.7699,
              new Accurate(3, (p, t) -> Math.tanh(t), 10, (p, z, d) -> tanhDifference(1, z, d)))),
      Map.entry("sigmoid", Formula.monotone(NO_PARAMETER, false, (p, t) -> logistic(t),
          (p, t) -> logistic(t) * (1 - logistic(t)),
          p -> new Local(0.5, 0, 0.25, 0.25, Math.nextUp(1.0 / 48), 3, INF), p -> 0.25)
          // sigma'' = s(1 - s^2)/4 with s = 1 - 2 sigma, largest at s^2 = 1/3: sqrt 3 / 18 = 0.096225..., rounded up
          .peakedSlopes().withCurvature(p -> 0.0963,
              new Accurate(3, (p, t) -> Math.tanh(t / 2) / 2, 10, (p, z, d) -> tanhDifference(0.5, z, d)))),
      // alpha (e^t - 1 - t) lies in [0, alpha t^2 / 2] for t <= 0; alpha / 2 is exact in binary
      Map.entry("elu", Formula.monotone(one(a -> a >= 0), false, (p, t) -> t >= 0 ? t : p[0] * Math.expm1(t),
          (p, t) -> t >= 0 ? 1 : p[0] * Math.exp(t), p -> new Local(0, 0, p[0], 1, p[0] / 2, 2, INF),
          p -> Math.max(1, p[0]))
          // phi' = alpha e^t for t < 0 (increasing, up to alpha), 1 for t >= 0
          .withSlopes((p, a, b) -> new double[] {a >= 0 ? 1 : b >= 0 ? Math.min(p[0] * Math.exp(a), 1)
              : p[0] * Math.exp(a), a >= 0 ? 1 : b >= 0 ? Math.max(p[0], 1) : p[0] * Math.exp(b)})
          // phi' is alpha-Lipschitz on each side of 0 (alpha e^t, 1) and jumps there by |1 - alpha| = |m+ - m-|
          .withCurvature(p -> p[0], null)),
      // softplus(beta) = ln(1 + e^(beta t)) / beta (beta = 1 without a parameter): phi(0) = ln 2 / beta, carried with
      // its rounding (ulp(ln 2) for beta = 1; else 3 ulps: Math.log within 1 ulp, divided by beta), phi'' =
      // beta sigma(1 - sigma) <= beta / 4, so M = beta / 8 (exact in binary)
      Map.entry("softplus", Formula.monotone(p -> p.length == 0 || (p.length == 1 && p[0] > 0), false,
          (p, t) -> softplus(beta(p), t), (p, t) -> logistic(beta(p) * t),
          p -> new Local(Math.log(2) / beta(p), p.length == 0 ? Math.ulp(Math.log(2))
              : 3 * Math.ulp(Math.log(2) / beta(p)), 0.5, 0.5, beta(p) / 8, 2, INF), p -> 1)
          .convexSlopes().withCurvature(p -> beta(p) / 4, null)),
      // max phi' = 1.0998393201288670... at t = 2.3993572..., rounded up; the minimum -0.27846454276107379... at
      // t = -1.27846454..., rounded down
      Map.entry("silu", Formula.monotone(NO_PARAMETER, false, (p, t) -> t * logistic(t),
          (p, t) -> logistic(t) + t * logistic(t) * (1 - logistic(t)), p -> new Local(0, 0, 0.5, 0.5, 0.25, 2, INF),
          p -> 1.099839320128867).withMinimum(-1.2784645427610738, -0.27846454276107384)
          // phi'' = sigma'(t) (2 + t (1 - 2 sigma(t))), largest in magnitude at t = 0: 1/2 (exact)
          .withCurvature(p -> 0.5, null)),
      // M = 1/sqrt(2 pi) = 0.398942280401432677939... and max phi' = 1.1289041451851549... at t = sqrt 2, rounded
      // up; the minimum -0.16997120747990366... at t = -0.75179152..., rounded down
      Map.entry("gelu", Formula.monotone(NO_PARAMETER, false, (p, t) -> t * (0.5 * Erfc.value(-t * Math.sqrt(0.5))),
          (p, t) -> 0.5 * Erfc.value(-t * Math.sqrt(0.5)) + t * Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI),
          p -> new Local(0, 0, 0.5, 0.5, 0.3989422804014327, 2, INF), p -> 1.128904145185155)
          .withMinimum(-0.7517915246935645, -0.1699712074799037)
          // phi'' = (2 - t^2) e^(-t^2/2) / sqrt(2 pi), largest in magnitude at t = 0: 0.797884560802865355..., rounded up
          .withCurvature(p -> 0.79788456080287, null)),
      // t (1 + tanh(k (t + 0.044715 t^3))) / 2 with k = sqrt(2/pi) as a double: |phi(t) - t/2| <= (k/2) t^2 (the sup
      // of the ratio is its limit at 0; k/2 is exact); max phi' = 1.12899306865877176... at t = 1.41850400...,
      // rounded up; the minimum -0.170040750571254040... at t = -0.75246142..., rounded down (mpmath, 40 digits)
      Map.entry("gelu-tanh", Formula.monotone(NO_PARAMETER, false, (p, t) -> geluTanh(t),
          (p, t) -> geluTanhDerivative(t), p -> new Local(0, 0, 0.5, 0.5, GELU_TANH_K / 2, 2, INF),
          p -> 1.128993068658772).withMinimum(-0.7524614220710162, -0.17004075057125406)
          // max |phi''| = k = 0.797884560802865... at t = 0 (mpmath, 40 digits), rounded up
          .withCurvature(p -> 0.79788456080287, null)),
      // hardtanh(lo, hi) = clamp(t, lo, hi) with lo <= 0 < hi (else phi is constant near 0), relu6 = hardtanh(0, 6):
      // exact (M = 0) up to the nearest clamp; slope 1 between the clamps, 0 outside
      Map.entry("hardtanh", Formula.monotone(p -> p.length == 2 && p[0] <= 0 && p[1] > 0, true,
          (p, t) -> clamp(t, p[0], p[1]), (p, t) -> t >= p[0] && t < p[1] ? 1 : 0, p -> hardtanhLocal(p[0], p[1]),
          p -> 1).withSlopes((p, a, b) -> pieces(a, b, new double[] {p[0], p[1]}, new double[] {0, 1, 0}))),
      Map.entry("relu6", Formula.monotone(NO_PARAMETER, true, (p, t) -> clamp(t, 0, 6), (p, t) -> t >= 0 && t < 6 ? 1 : 0,
          p -> hardtanhLocal(0, 6), p -> 1)
          .withSlopes((p, a, b) -> pieces(a, b, new double[] {0, 6}, new double[] {0, 1, 0}))),
      // SELU: lambda t for t > 0, lambda alpha (e^t - 1) for t <= 0 (lambda alpha one double, as PyTorch computes it
      // in double precision); remainder as ELU's: (lambda alpha / 2) t^2, exact in binary; phi' increases to
      // lambda alpha > lambda on t < 0
      Map.entry("selu", Formula.monotone(NO_PARAMETER, false, (p, t) -> t > 0 ? SELU_SCALE * t : SELU_NEG * Math.expm1(t),
          (p, t) -> t >= 0 ? SELU_SCALE : SELU_NEG * Math.exp(t),
          p -> new Local(0, 0, SELU_NEG, SELU_SCALE, SELU_NEG / 2, 2, INF), p -> SELU_NEG)
          .withSlopes((p, a, b) -> new double[] {a >= 0 ? SELU_SCALE
              : b >= 0 ? Math.min(SELU_NEG * Math.exp(a), SELU_SCALE) : SELU_NEG * Math.exp(a),
              a >= 0 ? SELU_SCALE : SELU_NEG * Math.exp(Math.min(b, 0))})
          // phi'' = lambda alpha e^t on t < 0, 0 on t > 0; phi' jumps at 0 by lambda alpha - lambda = |m+ - m-|
          .withCurvature(p -> SELU_NEG, null)),
      // CELU(alpha) = alpha (e^(t/alpha) - 1) for t < 0, t for t >= 0, alpha > 0: m- = m+ = 1, remainder
      // alpha (e^u - 1 - u) <= alpha u^2 / 2 = t^2 / (2 alpha) with u = t / alpha, rounded up; phi' non-decreasing
      Map.entry("celu", Formula.monotone(one(a -> a > 0), false, (p, t) -> t >= 0 ? t : p[0] * Math.expm1(t / p[0]),
          (p, t) -> t >= 0 ? 1 : Math.exp(t / p[0]), p -> new Local(0, 0, 1, 1, Math.nextUp(0.5 / p[0]), 2, INF),
          p -> 1).convexSlopes()
          // phi' = e^(t/alpha) (t < 0), 1 (t >= 0) is continuous and (1/alpha)-Lipschitz; 1/alpha rounded up
          .withCurvature(p -> Math.nextUp(1 / p[0]), null)),
      // hardswish t relu6(t + 3) / 6: t^2/6 + t/2 on [-3, 3], 0 below, t above; |phi(t) - t/2| <= t^2 / 6 on all of
      // R (1/6 rounded up); phi' = (2t + 3)/6 in (-3, 3), at most 3/2; minimum -3/8 at t = -3/2 (both exact)
      Map.entry("hardswish", Formula.monotone(NO_PARAMETER, false, (p, t) -> t * clamp(t + 3, 0, 6) / 6,
          (p, t) -> t < -3 ? 0 : t >= 3 ? 1 : (2 * t + 3) / 6, p -> new Local(0, 0, 0.5, 0.5, Math.nextUp(1.0 / 6), 2, INF),
          p -> 1.5).withMinimum(-1.5, -0.375).withSlopes((p, a, b) -> hardswishSlopes(a, b))),
      // hardsigmoid relu6(t + 3) / 6: 1/2 + t/6 on [-3, 3] (exact there, r = 3), its value rounded; the slope 1/6 is
      // not a double: stated rounded, with slopeError ulp(1/6); the Lipschitz constant 1/6 rounded up
      Map.entry("hardsigmoid", Formula.monotone(NO_PARAMETER, false, (p, t) -> clamp(t + 3, 0, 6) / 6,
          (p, t) -> t >= -3 && t < 3 ? 1.0 / 6 : 0, p -> new Local(0.5, 0, 1.0 / 6, 1.0 / 6, 0, 2, 3, Math.ulp(1.0 / 6)),
          p -> Math.nextUp(1.0 / 6)).withSlopes((p, a, b) -> pieces(a, b, new double[] {-3, 3},
              new double[] {0, 1.0 / 6, 0}))),
      // Mish t tanh(softplus(t)): m = tanh(ln 2) = 3/5, stated as 0.6 with slopeError ulp(0.6); sup |phi(t) - 3t/5|/t^2
      // = 0.321404607610180416... at t = -0.17661880..., max phi' = 1.088498161251727861... at t = 1.49057118...,
      // both rounded up; the minimum -0.308843413017250406... at t = -1.19243121..., rounded down (mpmath, 40 digits)
      Map.entry("mish", Formula.monotone(NO_PARAMETER, false, (p, t) -> mish(t), (p, t) -> mishDerivative(t),
          p -> new Local(0, 0, 0.6, 0.6, 0.32140460761018047, 2, INF, Math.ulp(0.6)), p -> 1.088498161251728)
          .withMinimum(-1.1924312145154952, -0.30884341301725043)
          // max |phi''| = 0.644204637236972429... at t = -0.0879344..., rounded up (mpmath, 40 digits)
          .withCurvature(p -> 0.64420463723698, null)),
      // softsign t / (1 + |t|): |phi(t) - t| = t^2 / (1 + |t|) <= t^2; phi' = 1 / (1 + |t|)^2, even and decreasing in
      // |t|; |phi''| = 2 / (1 + |t|)^3 <= 2 on each side of 0 (it jumps there from 2 to -2, phi' does not)
      Map.entry("softsign", Formula.monotone(NO_PARAMETER, false, (p, t) -> t / (1 + Math.abs(t)),
          (p, t) -> 1 / ((1 + Math.abs(t)) * (1 + Math.abs(t))), p -> new Local(0, 0, 1, 1, 1, 2, INF), p -> 1)
          .peakedSlopes().withCurvature(p -> 2, null)),
      // log-sigmoid ln sigma(t) = -softplus(-t): phi(0) = -ln 2 with its rounding (ulp(ln 2)), M = 1/8 as softplus's;
      // phi' = sigma(-t) decreases, so its range over [a, b] is {phi'(b), phi'(a)}; |phi''| = sigma(1 - sigma) <= 1/4
      Map.entry("log-sigmoid", Formula.monotone(NO_PARAMETER, false, (p, t) -> -softplus(1, -t),
          (p, t) -> logistic(-t), p -> new Local(-Math.log(2), Math.ulp(Math.log(2)), 0.5, 0.5, 0.125, 2, INF),
          p -> 1).withSlopes((p, a, b) -> new double[] {logistic(-b), logistic(-a)}).withCurvature(p -> 0.25, null)));

  /** Mish, t tanh(softplus(t)). */
  private static double mish(double t) { return t == -INF ? 0 : t * Math.tanh(softplus(1, t)); }

  private static double mishDerivative(double t) {
    double th = Math.tanh(softplus(1, t));
    return th + t * (1 - th * th) * logistic(t);
  }

  /**
   * The tanh approximation of GELU, t (1 + tanh(u)) / 2 = t sigma(2u) with u = k (t + 0.044715 t^3): the logistic
   * form keeps its relative accuracy in the lower tail, where 1 + tanh(u) cancels.
   */
  private static double geluTanh(double t) {
    return t == -INF ? 0 : t * logistic(2 * GELU_TANH_K * (t + 0.044715 * t * t * t));
  }

  private static double geluTanhDerivative(double t) {
    double s = logistic(2 * GELU_TANH_K * (t + 0.044715 * t * t * t));
    return s + t * s * (1 - s) * 2 * GELU_TANH_K * (1 + 3 * 0.044715 * t * t);
  }

  /**
   * Hardswish's phi' over [a, b]: 0 left of -3, (2t + 3)/6 (increasing) on [-3, 3), 1 from 3 on: the pieces, the
   * middle one from its value at max(a, -3) up to its value at min(b, 3).
   */
  private static double[] hardswishSlopes(double a, double b) {
    double[] s = pieces(a, b, new double[] {-3, 3}, new double[] {0, (2 * Math.max(a, -3) + 3) / 6, 1});
    if (a < 3 && b >= -3) s[1] = Math.max(s[1], (2 * Math.min(b, 3) + 3) / 6);
    return s;
  }

  private static double beta(double[] p) { return p.length == 0 ? 1 : p[0]; }

  /**
   * The local model at 0 of a known activation: \( \phi(t) = \phi_0 + m_\pm t + R(t) \) with
   * \( |R(t)| \le M |t|^p + \delta |t| \) for \( |t| \le r \), \( |\phi(0) - \phi_0| \le \) phi0Error, and
   * \( \delta \) = slopeError bounding the rounding of slopes that are not doubles (3/5 for Mish, 1/6 for
   * hardsigmoid; 0 for the others).
   */
  public record Local(double phi0, double phi0Error, double slopeMinus, double slopePlus, double remainderConstant,
      int remainderPower, double radius, double slopeError) {
    /** A local model whose slopes are doubles. */
    public Local(double phi0, double phi0Error, double slopeMinus, double slopePlus, double remainderConstant,
        int remainderPower, double radius) {
      this(phi0, phi0Error, slopeMinus, slopePlus, remainderConstant, remainderPower, radius, 0);
    }
  }

  private final String name;
  private final Formula formula;
  /** The family's parameters (none for a family without). */
  private final double[] p;
  private final Local local;

  private KernelActivation(String name, Formula formula, double[] p) {
    this.name = name;
    this.formula = formula;
    this.p = p;
    this.local = formula.local().apply(p);
  }

  /**
   * As {@link #of}, for any member of a family the kernel knows ({@code leaky-relu(a)} with any finite a: the lemma
   * checkers take any slope), or null. Parameters are finite numbers in parentheses, separated by commas.
   */
  public static KernelActivation family(String name) {
    if (name == null) return null;
    int open = name.indexOf('(');
    double[] p = new double[0];
    if (open >= 0) {
      if (!name.endsWith(")")) return null;
      String[] parts = name.substring(open + 1, name.length() - 1).split(",", -1);
      p = new double[parts.length];
      for (int k = 0; k < parts.length; k++) {
        try {
          p[k] = Double.parseDouble(parts[k]);
        } catch (NumberFormatException e) {
          return null;
        }
        if (!Double.isFinite(p[k])) return null;
      }
    }
    Formula f = FORMULAS.get(open >= 0 ? name.substring(0, open) : name);
    return f != null && f.valid().test(p) ? new KernelActivation(name, f, p) : null;
  }

  /**
   * The kernel's activation of that catalog name ({@code relu}, {@code leaky-relu(a)} with 0 &lt;= a &lt;= 1,
   * {@code tanh}, {@code sigmoid}, {@code elu(alpha)} with alpha &gt;= 0, {@code softplus}, {@code softplus(beta)}
   * with beta &gt; 0, {@code silu}, {@code gelu}, {@code gelu-tanh}, {@code relu6}, {@code hardtanh(lo,hi)} with
   * lo &lt;= 0 &lt; hi, {@code selu}, {@code celu(alpha)} with alpha &gt; 0, {@code hardswish}, {@code hardsigmoid},
   * {@code mish}, {@code softsign}, {@code log-sigmoid}), or null for a name the kernel does not know.
   */
  public static KernelActivation of(String name) {
    KernelActivation k = family(name);
    return k != null && k.formula == FORMULAS.get("leaky-relu") && !(k.p[0] >= 0 && k.p[0] <= 1) ? null : k;
  }

  /** The base names of the families the kernel knows, sorted, for messages. */
  public static String families() { return String.join(", ", new java.util.TreeSet<>(FORMULAS.keySet())); }

  /** Whether the value is exact in floating point (a clamp or one multiplication at most). */
  public boolean piecewiseLinear() { return formula.piecewiseLinear(); }

  /** The local model at 0. */
  public Local local() { return local; }

  /**
   * Whether phi is non-decreasing: not with an interior minimum (SiLU, GELU, GELU(tanh), hardswish, Mish), nor with a
   * negative slope m- (leaky ReLU(a), a &lt; 0); every other family is non-decreasing.
   */
  public boolean nonDecreasing() { return Double.isNaN(formula.minAt()) && local.slopeMinus() >= 0; }

  /** {where, value} of phi's interior minimum ({@link Formula#minAt}, value rounded down), or null if monotone. */
  public double[] minimum() {
    return Double.isNaN(formula.minAt()) ? null : new double[] {formula.minAt(), formula.min()};
  }

  /** The {@link SlopeRange} over [a, b], or null when the family states none (the Lipschitz constant bounds them). */
  public double[] slopes(double a, double b) { return formula.slopes() == null ? null : formula.slopes().over(p, a, b); }

  /** {@link Formula#curvature}: a Lipschitz constant of phi' on each side of 0, where it may jump by |m+ - m-|. */
  public double curvature() { return formula.curvature().applyAsDouble(p); }

  /** phi(t) - phi(0) without cancellation ({@link Accurate}), or NaN for a family without the formulas. */
  public double psi(double t) { return formula.accurate() == null ? Double.NaN : formula.accurate().psi().at(p, t); }

  /** phi(z + d) - phi(z) without cancellation ({@link Accurate}), or NaN. */
  public double difference(double z, double d) {
    return formula.accurate() == null ? Double.NaN : formula.accurate().diff().at(p, z, d);
  }

  /** {psiUlps, diffUlps} of {@link Accurate}, or null for a family without the formulas. */
  public double[] accuracy() {
    Accurate a = formula.accurate();
    return a == null ? null : new double[] {a.psiUlps(), a.diffUlps()};
  }

  @Override public String name() { return name; }

  @Override public double value(double t) { return formula.value().at(p, t); }

  @Override public double derivative(double t) { return formula.derivative().at(p, t); }

  @Override public double phi0() { return local.phi0(); }

  @Override public double phi0Error() { return local.phi0Error(); }

  @Override public double slopeError() { return local.slopeError(); }

  @Override public double slopeMinus() { return local.slopeMinus(); }

  @Override public double slopePlus() { return local.slopePlus(); }

  @Override public double lipschitz() { return formula.lipschitz().applyAsDouble(p); }

  @Override public double remainderConstant() { return local.remainderConstant(); }

  @Override public int remainderPower() { return local.remainderPower(); }

  @Override public double remainderRadius() { return local.radius(); }

  @Override
  public double[] image(double lo, double hi) {
    if (!(lo <= hi)) throw new IllegalArgumentException("image of [" + lo + ", " + hi + "]: need lo <= hi");
    double vlo = value(lo);
    double vhi = value(hi);
    // monotone families: the ends; computed values are widened by a few ulps so that rounding never shrinks it
    double lower = Math.min(vlo, vhi);
    double upper = Math.max(vlo, vhi);
    if (lo < formula.minAt() && hi > formula.minAt()) lower = formula.min();
    if (!formula.piecewiseLinear()) {
      lower -= 4 * Math.ulp(lower);
      upper += 4 * Math.ulp(upper);
    }
    return new double[] {lower, upper};
  }

  @Override public String toString() { return name; }

  private static double logistic(double t) {
    if (t >= 0) return 1 / (1 + Math.exp(-t));
    double e = Math.exp(t);
    return e / (1 + e);
  }
}
