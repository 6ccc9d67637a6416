package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;
import org.apache.commons.math3.analysis.solvers.BrentSolver;
import org.apache.commons.numbers.gamma.Erfc;

/**
 * GELU (exact, not the tanh approximation), \( \phi(t) = t \Phi(t) \) with the standard normal CDF
 * \( \Phi(t) = (1 + \mathrm{erf}(t/\sqrt 2))/2 \): \( \phi(0) = 0 \), \( m_- = m_+ = 1/2 \), Lipschitz
 * \( \phi'(\sqrt 2) = (1 + \mathrm{erf}\,1)/2 + 1/(e\sqrt\pi) \approx 1.1289041 \), and remainder
 * \( |\phi(t) - t/2| = |t| |\Phi(t) - 1/2| \le t^2/\sqrt{2\pi} \approx 0.3989423\, t^2 \) on all of R. Not
 * monotone: the minimum \( \approx -0.1699712 \) is at \( t^* \approx -0.7517915 \), the root of
 * \( \Phi(t) + t\Phi'(t) = 0 \).
 */
public record Gelu() implements SelfGated {
  private static final double SQRT_HALF = Math.sqrt(0.5);
  private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

  /**
   * max |phi'| \( = (1 + \mathrm{erf}\,1)/2 + 1/(e\sqrt\pi) = 1.12890414518515478634... \) (mpmath, 40 digits): the
   * smallest double not below it.
   */
  static final double LIPSCHITZ = 1.128904145185155;

  /** \( 1/\sqrt{2\pi} = 0.398942280401432677939... \) (mpmath, 40 digits): the smallest double not below it. */
  static final double REMAINDER = 0.3989422804014327;

  /** The argument of the minimum, solved once with Brent's method on phi'(t) = 0. */
  static final double ARGMIN = new BrentSolver(1e-16, 1e-16)
      .solve(200, t -> normalCdf(t) + t * density(t), -1, -0.5);

  /**
   * The standard normal CDF \( (1 + \mathrm{erf}(t/\sqrt2))/2 = \mathrm{erfc}(-t/\sqrt2)/2 \), evaluated with
   * Commons Numbers' erfc, which stays accurate in the lower tail where 1 + erf cancels.
   */
  static double normalCdf(double t) { return 0.5 * Erfc.value(-t * SQRT_HALF); }

  static double density(double t) { return INV_SQRT_2PI * Math.exp(-0.5 * t * t); }

  @Override public String name() { return "gelu"; }

  @Override public double value(double t) { return t == Double.NEGATIVE_INFINITY ? 0 : t * normalCdf(t); }

  @Override public double derivative(double t) {
    if (Double.isInfinite(t)) {
      return t > 0 ? 1 : 0;
    }
    return normalCdf(t) + t * density(t);
  }

  @Override public double slopeAtZero() { return 0.5; }

  @Override public double lipschitz() { return LIPSCHITZ; }

  @Override public double remainderConstant() { return REMAINDER; }

  @Override public double argmin() { return ARGMIN; }

  @Override public UnivariateDifferentiableFunction right() { return Pieces.of(t -> t.multiply(Pieces.normalCdf(t))); }
}
