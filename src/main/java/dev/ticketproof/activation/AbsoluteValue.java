package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;

/**
 * |t|: \( \phi(0) = 0 \), \( m_- = -1 \), \( m_+ = 1 \), Lipschitz 1, exact local model. It is in the catalog so
 * that it can be rejected: \( m_+ + m_- = 0 \), so the sign split reconstructs \( 0 \cdot x \), not x.
 */
public record AbsoluteValue() implements Activation, AnalyticPieces {
  @Override public String name() { return "abs"; }

  @Override public double value(double t) { return Math.abs(t); }

  @Override public double derivative(double t) { return t >= 0 ? 1 : (t < 0 ? -1 : Double.NaN); }

  @Override public double phi0() { return 0; }

  @Override public double slopeMinus() { return -1; }

  @Override public double slopePlus() { return 1; }

  @Override public double lipschitz() { return 1; }

  @Override public double remainderConstant() { return 0; }

  @Override public int remainderPower() { return 2; }

  @Override public double remainderRadius() { return Double.POSITIVE_INFINITY; }

  @Override public double[] image(double lo, double hi) { return Images.withTurningPoint(this::value, 0, lo, hi); }

  @Override public UnivariateDifferentiableFunction left() { return Pieces.linear(-1); }

  @Override public UnivariateDifferentiableFunction right() { return Pieces.linear(1); }
}
