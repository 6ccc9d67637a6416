package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;

/**
 * ReLU, \( \phi(t) = \max(t, 0) \): \( \phi(0) = 0 \), \( m_- = 0 \), \( m_+ = 1 \), Lipschitz 1, and the local
 * model is exact (remainder 0 on all of R).
 */
public record Relu() implements Activation, AnalyticPieces {
  @Override public String name() { return "relu"; }

  @Override public double value(double t) { return Math.max(0.0, t); }

  @Override public double derivative(double t) { return t >= 0 ? 1 : (t < 0 ? 0 : Double.NaN); }

  @Override public double phi0() { return 0; }

  @Override public double slopeMinus() { return 0; }

  @Override public double slopePlus() { return 1; }

  @Override public double lipschitz() { return 1; }

  @Override public double remainderConstant() { return 0; }

  @Override public int remainderPower() { return 2; }

  @Override public double remainderRadius() { return Double.POSITIVE_INFINITY; }

  @Override public double[] image(double lo, double hi) { return Images.nondecreasing(this::value, lo, hi); }

  @Override public UnivariateDifferentiableFunction left() { return Pieces.linear(0); }

  @Override public UnivariateDifferentiableFunction right() { return Pieces.linear(1); }
}
