package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;

/**
 * Leaky ReLU, \( \psi_a(t) = t \) for \( t \ge 0 \) and \( a t \) for \( t < 0 \) (for \( 0 \le a \le 1 \) this is
 * \( \max(t, a t) \)): \( \phi(0) = 0 \), \( m_- = a \), \( m_+ = 1 \), Lipschitz \( \max(1, |a|) \), exact
 * local model. {@code a = -1} gives |t|, which the catalog accepts but the [identity] hypothesis rejects
 * (\( m_+ + m_- = 0 \)).
 *
 * @param a the negative slope, finite
 */
public record LeakyRelu(double a) implements Activation, AnalyticPieces {
  /** The default negative slope (PyTorch's). */
  public static final double DEFAULT_SLOPE = 0.01;

  public LeakyRelu {
    if (!Double.isFinite(a)) {
      throw new IllegalArgumentException("leaky-relu needs a finite negative slope a, got a=" + a);
    }
  }

  @Override public String name() { return "leaky-relu(" + a + ")"; }

  @Override public double value(double t) { return t >= 0 ? t : a * t; }

  @Override public double derivative(double t) { return t >= 0 ? 1 : (t < 0 ? a : Double.NaN); }

  @Override public double phi0() { return 0; }

  @Override public double slopeMinus() { return a; }

  @Override public double slopePlus() { return 1; }

  @Override public double lipschitz() { return Math.max(1, Math.abs(a)); }

  @Override public double remainderConstant() { return 0; }

  @Override public int remainderPower() { return 2; }

  @Override public double remainderRadius() { return Double.POSITIVE_INFINITY; }

  @Override public double[] image(double lo, double hi) { return Images.withTurningPoint(this::value, 0, lo, hi); }

  @Override public UnivariateDifferentiableFunction left() { return Pieces.linear(a); }

  @Override public UnivariateDifferentiableFunction right() { return Pieces.linear(1); }
}
