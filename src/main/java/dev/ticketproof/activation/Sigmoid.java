package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;

/**
 * The logistic sigmoid \( \sigma(t) = 1/(1 + e^{-t}) \): \( \phi(0) = 1/2 \), \( m_- = m_+ = 1/4 \),
 * Lipschitz 1/4, and the exact cubic remainder \( |\sigma(t) - 1/2 - t/4| \le |t|^3/48 \) on all of R
 * (since \( \sigma(t) - 1/2 = \tanh(t/2)/2 \)).
 */
public record Sigmoid() implements Activation, AnalyticPieces {
  @Override public String name() { return "sigmoid"; }

  @Override public double value(double t) { return logistic(t); }

  /** The logistic function, evaluated without overflow for either sign of t. */
  static double logistic(double t) {
    if (t >= 0) {
      return 1 / (1 + Math.exp(-t));
    }
    double e = Math.exp(t);
    return e / (1 + e);
  }

  @Override public double derivative(double t) {
    double s = logistic(t);
    return s * (1 - s);
  }

  @Override public double phi0() { return 0.5; }

  @Override public double slopeMinus() { return 0.25; }

  @Override public double slopePlus() { return 0.25; }

  @Override public double lipschitz() { return 0.25; }

  /** 1/48, rounded up to the next double so that the bound stays an upper bound. */
  @Override public double remainderConstant() { return Math.nextUp(1.0 / 48.0); }

  @Override public int remainderPower() { return 3; }

  @Override public double remainderRadius() { return Double.POSITIVE_INFINITY; }

  /** The image of [lo, hi], widened outwards by a few ulps for rounding in {@link #value}, inside [0, 1]. */
  @Override public double[] image(double lo, double hi) {
    return Images.widen(Images.nondecreasing(this::value, lo, hi), 0, 1);
  }

  @Override public UnivariateDifferentiableFunction left() { return right(); }

  @Override public UnivariateDifferentiableFunction right() {
    return Pieces.of(t -> t.negate().exp().add(1).reciprocal());
  }
}
