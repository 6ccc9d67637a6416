package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;

/**
 * ELU, \( \phi(t) = t \) for \( t \ge 0 \) and \( \alpha (e^t - 1) \) for \( t < 0 \): \( \phi(0) = 0 \),
 * \( m_- = \alpha \), \( m_+ = 1 \), Lipschitz \( \max(1, \alpha) \), and remainder
 * \( |\phi(t) - m_\pm t| \le (\alpha/2) t^2 \) on all of R (zero for t &ge; 0; for t &lt; 0,
 * \( 0 \le e^t - 1 - t \le t^2/2 \)). Only for \( \alpha = 1 \) is it differentiable at 0.
 *
 * @param alpha the scale of the negative part, finite and &ge; 0
 */
public record Elu(double alpha) implements Activation, AnalyticPieces {
  public Elu {
    if (!(alpha >= 0 && alpha < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("elu needs a finite alpha >= 0, got alpha=" + alpha);
    }
  }

  @Override public String name() { return "elu(" + alpha + ")"; }

  @Override public double value(double t) { return t >= 0 ? t : alpha * Math.expm1(t); }

  @Override public double derivative(double t) { return t >= 0 ? 1 : (t < 0 ? alpha * Math.exp(t) : Double.NaN); }

  @Override public double phi0() { return 0; }

  @Override public double slopeMinus() { return alpha; }

  @Override public double slopePlus() { return 1; }

  @Override public double lipschitz() { return Math.max(1, alpha); }

  @Override public double remainderConstant() { return alpha / 2; }

  @Override public int remainderPower() { return 2; }

  @Override public double remainderRadius() { return Double.POSITIVE_INFINITY; }

  /** The image of [lo, hi], widened outwards by a few ulps for rounding in {@link #value}, inside [-alpha, inf]. */
  @Override public double[] image(double lo, double hi) {
    return Images.widen(Images.nondecreasing(this::value, lo, hi), -alpha, Double.POSITIVE_INFINITY);
  }

  @Override public UnivariateDifferentiableFunction left() { return Pieces.of(t -> t.expm1().multiply(alpha)); }

  @Override public UnivariateDifferentiableFunction right() { return Pieces.linear(1); }
}
