package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;

/**
 * Hardswish (PyTorch's {@code nn.Hardswish}), \( \phi(t) = t\,\mathrm{relu6}(t + 3)/6 \): 0 for t &le; -3,
 * \( t^2/6 + t/2 \) on [-3, 3], t for t &ge; 3. \( \phi(0) = 0 \), \( m_- = m_+ = 1/2 \), Lipschitz 3/2 (the slope
 * just left of 3), and remainder \( |\phi(t) - t/2| \le t^2/6 \) on all of R (equality on [-3, 3]; outside,
 * \( |t|/2 \le t^2/6 \)), 1/6 rounded up. Not monotone: its minimum -3/8 is at t = -3/2.
 */
public record Hardswish() implements SelfGated {
  @Override public String name() { return "hardswish"; }

  @Override public double value(double t) { return t * Math.min(Math.max(t + 3, 0), 6) / 6; }

  @Override public double derivative(double t) {
    return Double.isNaN(t) ? Double.NaN : t < -3 ? 0 : t >= 3 ? 1 : (2 * t + 3) / 6;
  }

  @Override public double slopeAtZero() { return 0.5; }

  @Override public double lipschitz() { return 1.5; }

  /** 1/6, rounded up to the next double (the nearest double is below 1/6). */
  @Override public double remainderConstant() { return Math.nextUp(1.0 / 6); }

  @Override public double argmin() { return -1.5; }

  @Override public UnivariateDifferentiableFunction right() {
    return Pieces.of(t -> t.multiply(Pieces.clamp(0, 6, false).value(t.add(3))).divide(6));
  }
}
