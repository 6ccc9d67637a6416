package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.DerivativeStructure;
import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;
import org.apache.commons.math3.analysis.solvers.BrentSolver;

/**
 * GELU's tanh approximation (PyTorch's {@code nn.GELU(approximate='tanh')}),
 * \( \phi(t) = \tfrac t2 (1 + \tanh(k (t + 0.044715\, t^3))) \) with \( k = \sqrt{2/\pi} \) as a double:
 * \( \phi(0) = 0 \), \( m_- = m_+ = 1/2 \), Lipschitz \( \max\phi' = 1.12899306865877176... \) at
 * \( t \approx 1.4185040 \) (mpmath, 40 digits; the smallest double not below it), and remainder
 * \( |\phi(t) - t/2| = |t \tanh(k(t + 0.044715 t^3))|/2 \le (k/2) t^2 \) on all of R (the sup of the ratio is its
 * limit k/2 at 0; k/2 is exact). It is evaluated as \( t\,\sigma(2k(t + 0.044715 t^3)) \) (the same function:
 * \( (1 + \tanh u)/2 = \sigma(2u) \)), which keeps its relative accuracy in the lower tail where 1 + tanh cancels.
 * Not monotone: the minimum \( \approx -0.1700408 \) is at \( t^* \approx -0.7524614 \).
 */
public record GeluTanh() implements SelfGated {
  /** sqrt(2/pi), rounded to a double. */
  static final double K = Math.sqrt(2 / Math.PI);
  static final double C = 0.044715;

  /** max phi' = 1.12899306865877176143... (mpmath, 40 digits): the smallest double not below it. */
  static final double LIPSCHITZ = 1.128993068658772;

  /** The argument of the minimum, solved once with Brent's method on phi'(t) = 0. */
  static final double ARGMIN = new BrentSolver(1e-16, 1e-16).solve(200, GeluTanh::slope, -1, -0.5);

  /** 2 k (t + 0.044715 t^3): phi(t) = t sigma(g(t)), since (1 + tanh(u)) / 2 = sigma(2u). */
  private static double g(double t) { return 2 * K * (t + C * t * t * t); }

  private static double slope(double t) {
    double s = Sigmoid.logistic(g(t));
    return s + t * s * (1 - s) * 2 * K * (1 + 3 * C * t * t);
  }

  @Override public String name() { return "gelu-tanh"; }

  @Override public double value(double t) {
    return t == Double.NEGATIVE_INFINITY ? 0 : t * Sigmoid.logistic(g(t));
  }

  @Override public double derivative(double t) { return Double.isInfinite(t) ? (t > 0 ? 1 : 0) : slope(t); }

  @Override public double slopeAtZero() { return 0.5; }

  @Override public double lipschitz() { return LIPSCHITZ; }

  @Override public double remainderConstant() { return K / 2; }

  @Override public double argmin() { return ARGMIN; }

  @Override public UnivariateDifferentiableFunction right() {
    // t sigma(g) with g = 2k(t + C t^3), sigma(g) = e^g / (1 + e^g) for g < 0 so that e^-g cannot overflow
    return Pieces.of(t -> {
      DerivativeStructure g = t.multiply(t).multiply(t).multiply(C).add(t).multiply(2 * K);
      DerivativeStructure s = g.getValue() < 0 ? g.exp().divide(g.exp().add(1)) : g.negate().exp().add(1).reciprocal();
      return t.multiply(s);
    });
  }
}
