package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;

/**
 * Hardsigmoid (PyTorch's {@code nn.Hardsigmoid}), \( \phi(t) = \mathrm{relu6}(t + 3)/6 \): 0 for t &le; -3,
 * \( 1/2 + t/6 \) on [-3, 3], 1 for t &ge; 3. \( \phi(0) = 1/2 \), \( m_- = m_+ = 1/6 \), Lipschitz 1/6, and the
 * local model is exact on \( |t| \le r = 3 \) (M = 0). 1/6 is not a double: the stated slope is the double
 * nearest it, within {@link #slopeError()} = ulp(1/6) (the true gap is 9.3e-18), and the Lipschitz constant is
 * rounded up.
 */
public record Hardsigmoid() implements Activation, AnalyticPieces {
  @Override public String name() { return "hardsigmoid"; }

  @Override public double value(double t) { return Math.min(Math.max(t + 3, 0), 6) / 6; }

  @Override public double derivative(double t) { return Double.isNaN(t) ? Double.NaN : t >= -3 && t < 3 ? 1.0 / 6 : 0; }

  @Override public double phi0() { return 0.5; }

  @Override public double slopeMinus() { return 1.0 / 6; }

  @Override public double slopePlus() { return 1.0 / 6; }

  /** ulp(1/6) &ge; |1/6 - fl(1/6)|. */
  @Override public double slopeError() { return Math.ulp(1.0 / 6); }

  /** 1/6 rounded up (the nearest double is below 1/6). */
  @Override public double lipschitz() { return Math.nextUp(1.0 / 6); }

  @Override public double remainderConstant() { return 0; }

  @Override public int remainderPower() { return 2; }

  @Override public double remainderRadius() { return 3; }

  /** The image of [lo, hi], widened outwards by a few ulps for rounding in {@link #value}, inside [0, 1]. */
  @Override public double[] image(double lo, double hi) {
    return Images.widen(Images.nondecreasing(this::value, lo, hi), 0, 1);
  }

  @Override public UnivariateDifferentiableFunction left() { return piece(true); }

  @Override public UnivariateDifferentiableFunction right() { return piece(false); }

  private static UnivariateDifferentiableFunction piece(boolean fromLeft) {
    UnivariateDifferentiableFunction clamp = Pieces.clamp(0, 6, fromLeft);
    return Pieces.of(t -> clamp.value(t.add(3)).divide(6));
  }
}
