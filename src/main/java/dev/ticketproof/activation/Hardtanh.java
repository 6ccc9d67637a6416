package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;

/**
 * Hardtanh, \( \phi(t) = \min(\max(t, \mathrm{min}), \mathrm{max}) \) (PyTorch's {@code nn.Hardtanh(min_val,
 * max_val)}, default -1, 1). With min &lt; 0 &lt; max it is the identity near 0: \( \phi(0) = 0 \),
 * \( m_- = m_+ = 1 \), Lipschitz 1, and the local model is exact on \( |t| \le r = \min(-\mathrm{min}, \mathrm{max})
 * \) (M = 0; beyond r the Lipschitz constant bounds the remainder). With min = 0 it is ReLU up to max
 * (\( m_- = 0 \), r = max: {@link Relu6} is hardtanh(0, 6)); with max = 0, \( m_+ = 0 \), \( m_- = 1 \),
 * r = -min. If 0 lies outside [min, max], phi is constant near 0 (m- = m+ = 0), which the [identity] hypothesis
 * rejects.
 *
 * @param min the lower clamp, finite
 * @param max the upper clamp, finite, &gt; min
 */
public record Hardtanh(double min, double max) implements Activation, AnalyticPieces {
  public Hardtanh {
    if (!(Double.isFinite(min) && Double.isFinite(max) && min < max)) {
      throw new IllegalArgumentException("hardtanh needs finite min < max, got min=" + min + ", max=" + max);
    }
  }

  @Override public String name() { return "hardtanh(" + min + "," + max + ")"; }

  @Override public double value(double t) { return Math.min(Math.max(t, min), max); }

  @Override public double derivative(double t) { return Double.isNaN(t) ? Double.NaN : t >= min && t < max ? 1 : 0; }

  @Override public double phi0() { return value(0); }

  @Override public double slopeMinus() { return min < 0 && max >= 0 ? 1 : 0; }

  @Override public double slopePlus() { return min <= 0 && max > 0 ? 1 : 0; }

  @Override public double lipschitz() { return 1; }

  @Override public double remainderConstant() { return 0; }

  @Override public int remainderPower() { return 2; }

  /** The distance from 0 to the nearest clamp that is not at 0 (infinite when phi is constant near 0). */
  @Override public double remainderRadius() {
    double r = Double.POSITIVE_INFINITY;
    if (min < 0) r = Math.min(r, -min);
    if (max > 0) r = Math.min(r, max);
    return min > 0 || max < 0 ? Math.min(Math.abs(min), Math.abs(max)) : r;
  }

  @Override public double[] image(double lo, double hi) { return Images.nondecreasing(this::value, lo, hi); }

  @Override public UnivariateDifferentiableFunction left() { return Pieces.clamp(min, max, true); }

  @Override public UnivariateDifferentiableFunction right() { return Pieces.clamp(min, max, false); }
}
