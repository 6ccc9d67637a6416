package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;

/**
 * SELU (PyTorch's {@code nn.SELU}), \( \phi(t) = \lambda t \) for \( t > 0 \) and \( \lambda\alpha (e^t - 1) \) for
 * \( t \le 0 \), with \( \lambda = 1.0507009873554804934... \), \( \alpha = 1.6732632423543772848... \) as doubles
 * and \( \lambda\alpha \) their product rounded to one double ({@link #NEGATIVE}, as PyTorch computes it in double
 * precision): \( \phi(0) = 0 \), \( m_- = \lambda\alpha \approx 1.7580993 \), \( m_+ = \lambda \), Lipschitz
 * \( \lambda\alpha \) (the slope just left of 0), and remainder \( (\lambda\alpha/2) t^2 \) on all of R (as ELU's:
 * zero for t &ge; 0). Its slopes differ at 0, like ELU(alpha != 1): a sign split or the symmetric linearisation.
 */
public record Selu() implements Activation, AnalyticPieces {
  /** lambda. */
  public static final double SCALE = 1.0507009873554805;
  /** alpha. */
  public static final double ALPHA = 1.6732632423543772;
  /** lambda alpha, rounded to a double: the coefficient of e^t - 1. */
  public static final double NEGATIVE = ALPHA * SCALE;

  @Override public String name() { return "selu"; }

  @Override public double value(double t) { return t > 0 ? SCALE * t : NEGATIVE * Math.expm1(t); }

  @Override public double derivative(double t) {
    return t >= 0 ? SCALE : (t < 0 ? NEGATIVE * Math.exp(t) : Double.NaN);
  }

  @Override public double phi0() { return 0; }

  @Override public double slopeMinus() { return NEGATIVE; }

  @Override public double slopePlus() { return SCALE; }

  @Override public double lipschitz() { return NEGATIVE; }

  /** lambda alpha / 2, exact in binary. */
  @Override public double remainderConstant() { return NEGATIVE / 2; }

  @Override public int remainderPower() { return 2; }

  @Override public double remainderRadius() { return Double.POSITIVE_INFINITY; }

  /** The image of [lo, hi], widened outwards by a few ulps for rounding in {@link #value}, inside [-lambda alpha, inf]. */
  @Override public double[] image(double lo, double hi) {
    return Images.widen(Images.nondecreasing(this::value, lo, hi), -NEGATIVE, Double.POSITIVE_INFINITY);
  }

  @Override public UnivariateDifferentiableFunction left() { return Pieces.of(t -> t.expm1().multiply(NEGATIVE)); }

  @Override public UnivariateDifferentiableFunction right() { return Pieces.linear(SCALE); }
}
