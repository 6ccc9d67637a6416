package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.UnivariateFunction;
import org.apache.commons.math3.analysis.differentiation.DerivativeStructure;
import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.univariate.BrentOptimizer;
import org.apache.commons.math3.optim.univariate.SearchInterval;
import org.apache.commons.math3.optim.univariate.UnivariateObjectiveFunction;
import org.apache.commons.math3.optim.univariate.UnivariatePointValuePair;

/**
 * Derives an activation's constants from its analytic pieces instead of trusting typed-in numbers.
 *
 * <ul>
 *   <li>phi(0), m-, m+ and the Taylor coefficients at 0: Commons Math {@link DerivativeStructure} (automatic
 *       differentiation, exact up to rounding) on the left and right pieces at 0.</li>
 *   <li>Lipschitz constant: \( \sup_t |\phi'(t)| \), with \( \phi' \) by automatic differentiation, scanned on
 *       [-{@value #LIPSCHITZ_RANGE}, {@value #LIPSCHITZ_RANGE}] with step {@value #LIPSCHITZ_STEP} on each side of
 *       0, the best grid point refined with {@link BrentOptimizer}, and the one-sided limits m-, m+ included.
 *       (For every catalog activation |phi'| is monotone beyond |t| = 10, so the range suffices.)</li>
 *   <li>Remainder power p: 3 if both pieces have zero second derivative at 0, else 2. Remainder constant:
 *       \( \sup_{0<|t|\le r} |\phi(t) - \phi(0) - m_\pm t|/|t|^p \) as the maximum of its limit at 0,
 *       \( |\phi^{(p)}(0^\pm)|/p! \), and a scan of the ratio (evaluated with the activation's own
 *       {@code value}) on a geometric grid of {@value #REMAINDER_POINTS} points per side from
 *       {@value #REMAINDER_MIN} to min(r, {@value #REMAINDER_MAX}), refined with Brent's method. The lower end
 *       keeps the cancellation in the numerator below ~1e-10 relative; between 0 and it the ratio is within
 *       O(t) of its limit. The local model counts as exact when the derivatives of order 2 and 3 vanish at 0 and the
 *       scanned remainder is everywhere within 8 ulps of the terms (the rounding of phi's evaluation, e.g.
 *       hardsigmoid's (t + 3)/6); such a side adds nothing to the remainder constant.</li>
 * </ul>
 * The results are numerical derivations, not proofs: the proof page states the closed forms, and tests check
 * that typed-in constants agree with these.
 */
public final class ConstantDerivation {
  static final double LIPSCHITZ_RANGE = 40;
  static final double LIPSCHITZ_STEP = 1e-3;
  static final double REMAINDER_MIN = 1e-2;
  static final double REMAINDER_MAX = 1e3;
  static final int REMAINDER_POINTS = 4000;

  private ConstantDerivation() {}

  /** Derives the constants of a catalog activation (it must implement {@link AnalyticPieces}). */
  public static DerivedConstants derive(Activation phi) {
    if (!(phi instanceof AnalyticPieces pieces)) {
      throw new IllegalArgumentException("constant derivation needs analytic pieces, " + phi.name()
          + " (" + phi.getClass().getName() + ") does not implement AnalyticPieces");
    }
    return derive(phi, pieces.left(), pieces.right(), phi.remainderRadius());
  }

  /**
   * Derives the constants of {@code phi} from its pieces.
   *
   * @param phi the activation (its {@code value} is used for the remainder scan); not modified
   * @param left the piece for t &lt; 0
   * @param right the piece for t &ge; 0
   * @param radius the radius r of the remainder bound, &gt; 0, may be infinite
   */
  public static DerivedConstants derive(Activation phi, UnivariateDifferentiableFunction left,
      UnivariateDifferentiableFunction right, double radius) {
    if (!(radius > 0)) {
      throw new IllegalArgumentException("remainder radius must be > 0, got " + radius);
    }
    double[] l = taylor(left, 0, 3);
    double[] r = taylor(right, 0, 3);
    double phi0 = r[0];
    double gap = Math.abs(l[0] - r[0]);
    double mMinus = l[1];
    double mPlus = r[1];

    // Lipschitz constant
    double best = Math.max(Math.abs(mMinus), Math.abs(mPlus));
    double bestT = 0;
    int steps = (int) Math.round(LIPSCHITZ_RANGE / LIPSCHITZ_STEP);
    for (int side = -1; side <= 1; side += 2) {
      UnivariateDifferentiableFunction piece = side < 0 ? left : right;
      UnivariateFunction absSlope = t -> Math.abs(taylor(piece, t, 1)[1]);
      double sideBest = -1;
      int sideIdx = 0;
      for (int i = 1; i <= steps; i++) {
        double v = absSlope.value(side * i * LIPSCHITZ_STEP);
        if (v > sideBest) {
          sideBest = v;
          sideIdx = i;
        }
      }
      double lo = side * Math.max(sideIdx - 1, 0) * LIPSCHITZ_STEP;
      double hi = side * Math.min(sideIdx + 1, steps) * LIPSCHITZ_STEP;
      UnivariatePointValuePair p = maximise(absSlope, Math.min(lo, hi), Math.max(lo, hi), side * sideIdx
          * LIPSCHITZ_STEP);
      double v = Math.max(p.getValue(), sideBest);
      if (v > best) {
        best = v;
        bestT = p.getValue() >= sideBest ? p.getPoint() : side * sideIdx * LIPSCHITZ_STEP;
      }
    }

    // Remainder power and constant
    boolean cubic = l[2] == 0 && r[2] == 0;
    int power = cubic ? 3 : 2;
    double limit = Math.max(Math.abs(l[power]), Math.abs(r[power])) / factorial(power);
    double remainder = limit;
    double remainderT = 0;
    double reach = Math.min(radius, REMAINDER_MAX);
    boolean exact = l[2] == 0 && r[2] == 0 && l[3] == 0 && r[3] == 0;
    if (reach > REMAINDER_MIN) {
      double ratio = Math.pow(reach / REMAINDER_MIN, 1.0 / (REMAINDER_POINTS - 1));
      for (int side = -1; side <= 1; side += 2) {
        final int s = side;
        final double m = side < 0 ? mMinus : mPlus;
        UnivariateFunction q = u -> {
          double t = s * u;
          return Math.abs(phi.value(t) - phi0 - m * t) / Math.pow(u, power);
        };
        double sideBest = -1;
        int sideIdx = 0;
        double u = REMAINDER_MIN;
        boolean noise = true;
        for (int i = 0; i < REMAINDER_POINTS; i++, u *= ratio) {
          double t = s * Math.min(u, reach);
          double v = q.value(Math.min(u, reach));
          if (v > sideBest) {
            sideBest = v;
            sideIdx = i;
          }
          double scale = Math.max(Math.abs(phi.value(t)), Math.max(Math.abs(phi0), Math.abs(m * t)));
          noise &= v * Math.pow(Math.min(u, reach), power) <= 8 * Math.ulp(scale);
        }
        if (noise) {
          continue; // only the rounding of phi's evaluation: no remainder on this side beyond its limit at 0
        }
        exact = false;
        double lo = REMAINDER_MIN * Math.pow(ratio, Math.max(sideIdx - 1, 0));
        double hi = Math.min(reach, REMAINDER_MIN * Math.pow(ratio, Math.min(sideIdx + 1, REMAINDER_POINTS - 1)));
        double start = Math.min(hi, Math.max(lo, REMAINDER_MIN * Math.pow(ratio, sideIdx)));
        double v = sideBest;
        double at = start;
        if (hi > lo) {
          UnivariatePointValuePair p = maximise(q, lo, hi, start);
          if (p.getValue() > v) {
            v = p.getValue();
            at = p.getPoint();
          }
        }
        if (v > remainder) {
          remainder = v;
          remainderT = s * at;
        }
      }
    }
    // An exact local model has no remainder to speak of; report it with the conventional power 2.
    return new DerivedConstants(phi0, gap, mMinus, mPlus, best, bestT, exact ? 2 : power, remainder, remainderT,
        exact);
  }

  /** Value and derivatives up to {@code order} of f at t, by automatic differentiation. */
  static double[] taylor(UnivariateDifferentiableFunction f, double t, int order) {
    DerivativeStructure y = f.value(new DerivativeStructure(1, order, 0, t));
    double[] out = new double[order + 1];
    for (int k = 0; k <= order; k++) {
      out[k] = y.getPartialDerivative(k);
    }
    return out;
  }

  private static UnivariatePointValuePair maximise(UnivariateFunction f, double lo, double hi, double start) {
    if (!(hi > lo)) {
      return new UnivariatePointValuePair(start, f.value(start));
    }
    double s = Math.min(Math.max(start, lo), hi);
    return new BrentOptimizer(1e-12, 1e-14).optimize(new MaxEval(500), new UnivariateObjectiveFunction(f),
        GoalType.MAXIMIZE, new SearchInterval(lo, hi, s));
  }

  private static int factorial(int n) { return n <= 1 ? 1 : n * factorial(n - 1); }
}
