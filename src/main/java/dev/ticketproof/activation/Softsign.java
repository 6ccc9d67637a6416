package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;

/**
 * Softsign (PyTorch's {@code nn.Softsign}), \( \phi(t) = t/(1 + |t|) \): \( \phi(0) = 0 \), \( m_- = m_+ = 1 \),
 * Lipschitz 1 (\( \phi'(t) = 1/(1 + |t|)^2 \)), and remainder \( |\phi(t) - t| = t^2/(1 + |t|) \le t^2 \) on all
 * of R (the sup of the ratio is its limit 1 at 0, where \( \phi'' \) jumps from 2 to -2).
 */
public record Softsign() implements Activation, AnalyticPieces {
  @Override public String name() { return "softsign"; }

  @Override public double value(double t) { return t / (1 + Math.abs(t)); }

  @Override public double derivative(double t) {
    double s = 1 + Math.abs(t);
    return 1 / (s * s);
  }

  @Override public double phi0() { return 0; }

  @Override public double slopeMinus() { return 1; }

  @Override public double slopePlus() { return 1; }

  @Override public double lipschitz() { return 1; }

  @Override public double remainderConstant() { return 1; }

  @Override public int remainderPower() { return 2; }

  @Override public double remainderRadius() { return Double.POSITIVE_INFINITY; }

  /** The image of [lo, hi], widened outwards by a few ulps for rounding in {@link #value}, inside [-1, 1]. */
  @Override public double[] image(double lo, double hi) {
    return Images.widen(Images.nondecreasing(this::value, lo, hi), -1, 1);
  }

  /** t / (1 - t), which is phi for t &lt; 0. */
  @Override public UnivariateDifferentiableFunction left() { return Pieces.of(t -> t.divide(t.negate().add(1))); }

  /** t / (1 + t), which is phi for t &ge; 0. */
  @Override public UnivariateDifferentiableFunction right() { return Pieces.of(t -> t.divide(t.add(1))); }
}
