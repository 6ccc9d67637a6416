package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;

/**
 * CELU (PyTorch's {@code nn.CELU(alpha)}), \( \phi(t) = t \) for \( t \ge 0 \) and \( \alpha (e^{t/\alpha} - 1) \)
 * for \( t < 0 \): continuously differentiable for every alpha, \( \phi(0) = 0 \), \( m_- = m_+ = 1 \), Lipschitz 1,
 * and remainder \( |\phi(t) - t| \le t^2/(2\alpha) \) on all of R (with \( u = t/\alpha \),
 * \( \alpha (e^u - 1 - u) \in [0, \alpha u^2/2] \) for u &le; 0), 1/(2 alpha) rounded up. CELU(1) is ELU(1).
 *
 * @param alpha the scale, finite and &gt; 0
 */
public record Celu(double alpha) implements Activation, AnalyticPieces {
  public Celu {
    if (!(alpha > 0 && alpha < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("celu needs a finite alpha > 0, got alpha=" + alpha);
    }
  }

  @Override public String name() { return "celu(" + alpha + ")"; }

  @Override public double value(double t) { return t >= 0 ? t : alpha * Math.expm1(t / alpha); }

  @Override public double derivative(double t) { return t >= 0 ? 1 : (t < 0 ? Math.exp(t / alpha) : Double.NaN); }

  @Override public double phi0() { return 0; }

  @Override public double slopeMinus() { return 1; }

  @Override public double slopePlus() { return 1; }

  @Override public double lipschitz() { return 1; }

  /** 1/(2 alpha): the correctly rounded quotient, one ulp up so that it is not below the true value. */
  @Override public double remainderConstant() { return Math.nextUp(0.5 / alpha); }

  @Override public int remainderPower() { return 2; }

  @Override public double remainderRadius() { return Double.POSITIVE_INFINITY; }

  /** The image of [lo, hi], widened outwards by a few ulps for rounding in {@link #value}, inside [-alpha, inf]. */
  @Override public double[] image(double lo, double hi) {
    return Images.widen(Images.nondecreasing(this::value, lo, hi), -alpha, Double.POSITIVE_INFINITY);
  }

  @Override public UnivariateDifferentiableFunction left() {
    return Pieces.of(t -> t.divide(alpha).expm1().multiply(alpha));
  }

  @Override public UnivariateDifferentiableFunction right() { return Pieces.linear(1); }
}
