package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;
import org.apache.commons.math3.analysis.solvers.BrentSolver;

/**
 * Mish (PyTorch's {@code nn.Mish}), \( \phi(t) = t \tanh(\ln(1 + e^t)) \): \( \phi(0) = 0 \),
 * \( m_- = m_+ = \tanh(\ln 2) = 3/5 \), which is not a double: the stated slope is the double 0.6, within
 * {@link #slopeError()} = ulp(0.6) of 3/5 (the true gap is 2.2e-17). Lipschitz
 * \( \max\phi' = 1.08849816125172786... \) at \( t \approx 1.4905712 \), and remainder
 * \( |\phi(t) - 3t/5| \le M t^2 \) on all of R with \( M = 0.32140460761018041... \), the sup of the ratio, attained
 * at \( t \approx -0.1766188 \) (above its limit 8/25 at 0); both rounded up (mpmath, 40 digits). Not monotone: the
 * minimum \( \approx -0.3088434 \) is at \( t^* \approx -1.1924312 \).
 */
public record Mish() implements SelfGated {
  /** max phi' = 1.08849816125172786122... (mpmath, 40 digits): the smallest double not below it. */
  static final double LIPSCHITZ = 1.088498161251728;

  /** sup |phi(t) - 3t/5| / t^2 = 0.32140460761018041610... (mpmath, 40 digits): the smallest double not below it. */
  static final double REMAINDER = 0.32140460761018047;

  /** The argument of the minimum, solved once with Brent's method on phi'(t) = 0. */
  static final double ARGMIN = new BrentSolver(1e-16, 1e-16).solve(200, Mish::slope, -1.5, -1);

  private static double softplus(double t) { return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t)); }

  private static double slope(double t) {
    double th = Math.tanh(softplus(t));
    return th + t * (1 - th * th) * Sigmoid.logistic(t);
  }

  @Override public String name() { return "mish"; }

  @Override public double value(double t) { return t == Double.NEGATIVE_INFINITY ? 0 : t * Math.tanh(softplus(t)); }

  @Override public double derivative(double t) { return Double.isInfinite(t) ? (t > 0 ? 1 : 0) : slope(t); }

  @Override public double slopeAtZero() { return 0.6; }

  /** ulp(0.6) &ge; |3/5 - 0.6|. */
  @Override public double slopeError() { return Math.ulp(0.6); }

  @Override public double lipschitz() { return LIPSCHITZ; }

  @Override public double remainderConstant() { return REMAINDER; }

  @Override public double argmin() { return ARGMIN; }

  @Override public UnivariateDifferentiableFunction right() { return Pieces.of(t -> t.multiply(t.exp().log1p().tanh())); }
}
