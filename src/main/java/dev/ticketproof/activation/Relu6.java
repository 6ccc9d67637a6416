package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;

/**
 * ReLU6, \( \phi(t) = \min(\max(t, 0), 6) \) (PyTorch's {@code nn.ReLU6}), hardtanh(0, 6): \( \phi(0) = 0 \),
 * \( m_- = 0 \), \( m_+ = 1 \), Lipschitz 1, and the local model of ReLU is exact on \( |t| \le 6 \) (M = 0, r = 6;
 * beyond the clamp the Lipschitz constant bounds the remainder).
 */
public record Relu6() implements Activation, AnalyticPieces {
  private static final Hardtanh CLAMP = new Hardtanh(0, 6);

  @Override public String name() { return "relu6"; }

  @Override public double value(double t) { return CLAMP.value(t); }

  @Override public double derivative(double t) { return CLAMP.derivative(t); }

  @Override public double phi0() { return 0; }

  @Override public double slopeMinus() { return 0; }

  @Override public double slopePlus() { return 1; }

  @Override public double lipschitz() { return 1; }

  @Override public double remainderConstant() { return 0; }

  @Override public int remainderPower() { return 2; }

  @Override public double remainderRadius() { return 6; }

  @Override public double[] image(double lo, double hi) { return CLAMP.image(lo, hi); }

  @Override public UnivariateDifferentiableFunction left() { return CLAMP.left(); }

  @Override public UnivariateDifferentiableFunction right() { return CLAMP.right(); }
}
