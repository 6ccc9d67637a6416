package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;

/**
 * \( t^2 \): \( \phi(0) = 0 \), \( m_- = m_+ = 0 \), no global Lipschitz constant (reported as +infinity),
 * remainder exactly \( t^2 \). In the catalog so that it can be rejected: \( m_+ + m_- = 0 \).
 */
public record Square() implements Activation, AnalyticPieces {
  @Override public String name() { return "square"; }

  @Override public double value(double t) { return t * t; }

  @Override public double derivative(double t) { return 2 * t; }

  @Override public double phi0() { return 0; }

  @Override public double slopeMinus() { return 0; }

  @Override public double slopePlus() { return 0; }

  @Override public double lipschitz() { return Double.POSITIVE_INFINITY; }

  @Override public double remainderConstant() { return 1; }

  @Override public int remainderPower() { return 2; }

  @Override public double remainderRadius() { return Double.POSITIVE_INFINITY; }

  @Override public double[] image(double lo, double hi) { return Images.withTurningPoint(this::value, 0, lo, hi); }

  @Override public UnivariateDifferentiableFunction left() { return right(); }

  @Override public UnivariateDifferentiableFunction right() { return Pieces.of(t -> t.multiply(t)); }
}
