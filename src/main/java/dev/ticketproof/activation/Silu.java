package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;
import org.apache.commons.math3.analysis.solvers.BrentSolver;

/**
 * SiLU (swish), \( \phi(t) = t \sigma(t) \): \( \phi(0) = 0 \), \( m_- = m_+ = 1/2 \), Lipschitz
 * \( \max|\phi'| = \phi'(t_L) \approx 1.0998393 \) where \( t_L \tanh(t_L/2) = 2 \) (\( t_L \approx 2.3993573 \)),
 * and remainder \( |\phi(t) - t/2| = |t \tanh(t/2)|/2 \le t^2/4 \) on all of R. Not monotone: its minimum
 * \( t^* + 1 \approx -0.2784645 \) is at \( t^* \approx -1.2784645 \), the root of \( 1 + t(1 - \sigma(t)) = 0 \).
 */
public record Silu() implements SelfGated {
  /** max |phi'| = 1.09983932012886691695... (mpmath, 30 digits): the smallest double not below it. */
  static final double LIPSCHITZ = 1.099839320128867;

  /** The argument of the minimum, solved once with Brent's method on phi'(t) = 0. */
  static final double ARGMIN = new BrentSolver(1e-16, 1e-16)
      .solve(200, t -> 1 + t * (1 - Sigmoid.logistic(t)), -2, -1);

  @Override public String name() { return "silu"; }

  @Override public double value(double t) {
    return t == Double.NEGATIVE_INFINITY ? 0 : t * Sigmoid.logistic(t);
  }

  @Override public double derivative(double t) {
    if (t == Double.NEGATIVE_INFINITY) {
      return 0;
    }
    double s = Sigmoid.logistic(t);
    return t == Double.POSITIVE_INFINITY ? 1 : s + t * s * (1 - s);
  }

  @Override public double slopeAtZero() { return 0.5; }

  @Override public double lipschitz() { return LIPSCHITZ; }

  @Override public double remainderConstant() { return 0.25; }

  @Override public double argmin() { return ARGMIN; }

  @Override public UnivariateDifferentiableFunction right() {
    return Pieces.of(t -> t.multiply(t.negate().exp().add(1).reciprocal()));
  }
}
