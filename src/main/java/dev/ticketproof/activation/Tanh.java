package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;

/**
 * The hyperbolic tangent: \( \phi(0) = 0 \), \( m_- = m_+ = 1 \), Lipschitz 1, and the exact cubic remainder
 * \( |\tanh t - t| \le |t|^3/3 \) on all of R (the sup of \( |\tanh t - t|/|t|^3 \) is its limit 1/3 at 0).
 */
public record Tanh() implements Activation, AnalyticPieces {
  @Override public String name() { return "tanh"; }

  @Override public double value(double t) { return Math.tanh(t); }

  @Override public double derivative(double t) {
    double y = Math.tanh(t);
    return 1 - y * y;
  }

  @Override public double phi0() { return 0; }

  @Override public double slopeMinus() { return 1; }

  @Override public double slopePlus() { return 1; }

  @Override public double lipschitz() { return 1; }

  /** 1/3, rounded up to the next double so that the bound stays an upper bound. */
  @Override public double remainderConstant() { return Math.nextUp(1.0 / 3.0); }

  @Override public int remainderPower() { return 3; }

  @Override public double remainderRadius() { return Double.POSITIVE_INFINITY; }

  /** The image of [lo, hi], widened outwards by a few ulps for rounding in {@link #value}, inside [-1, 1]. */
  @Override public double[] image(double lo, double hi) {
    return Images.widen(Images.nondecreasing(this::value, lo, hi), -1, 1);
  }

  @Override public UnivariateDifferentiableFunction left() { return right(); }

  @Override public UnivariateDifferentiableFunction right() { return Pieces.of(t -> t.tanh()); }
}
