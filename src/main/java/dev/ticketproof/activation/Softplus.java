package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;

/**
 * Softplus, \( \phi(t) = \ln(1 + e^t) \): \( \phi(0) = \ln 2 \), \( m_- = m_+ = 1/2 \), Lipschitz 1, and
 * remainder \( |\phi(t) - \ln 2 - t/2| \le t^2/8 \) on all of R (since \( \phi'' = \sigma(1 - \sigma) \le 1/4 \)).
 */
public record Softplus() implements Activation, AnalyticPieces {
  @Override public String name() { return "softplus"; }

  @Override public double value(double t) {
    return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
  }

  @Override public double derivative(double t) { return Sigmoid.logistic(t); }

  @Override public double phi0() { return Math.log(2); }

  /** ln 2 is not a double: one ulp covers the rounding of {@link #phi0()}. */
  @Override public double phi0Error() { return Math.ulp(Math.log(2)); }

  @Override public double slopeMinus() { return 0.5; }

  @Override public double slopePlus() { return 0.5; }

  @Override public double lipschitz() { return 1; }

  @Override public double remainderConstant() { return 1.0 / 8.0; }

  @Override public int remainderPower() { return 2; }

  @Override public double remainderRadius() { return Double.POSITIVE_INFINITY; }

  /** The image of [lo, hi], widened outwards by a few ulps for rounding in {@link #value}, inside [0, inf]. */
  @Override public double[] image(double lo, double hi) {
    return Images.widen(Images.nondecreasing(this::value, lo, hi), 0, Double.POSITIVE_INFINITY);
  }

  @Override public UnivariateDifferentiableFunction left() { return right(); }

  @Override public UnivariateDifferentiableFunction right() { return Pieces.of(t -> t.exp().log1p()); }
}
