package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;

/**
 * cos t: \( \phi(0) = 1 \), \( m_- = m_+ = 0 \), Lipschitz 1, remainder \( |\cos t - 1| \le t^2/2 \) on R. In the
 * catalog so that it can be rejected: \( m_+ + m_- = 0 \).
 */
public record Cosine() implements Activation, AnalyticPieces {
  @Override public String name() { return "cos"; }

  @Override public double value(double t) { return Math.cos(t); }

  @Override public double derivative(double t) { return -Math.sin(t); }

  @Override public double phi0() { return 1; }

  @Override public double slopeMinus() { return 0; }

  @Override public double slopePlus() { return 0; }

  @Override public double lipschitz() { return 1; }

  @Override public double remainderConstant() { return 0.5; }

  @Override public int remainderPower() { return 2; }

  @Override public double remainderRadius() { return Double.POSITIVE_INFINITY; }

  /** The image of [lo, hi]: endpoint values, plus 1 or -1 when a multiple of 2 pi or an odd multiple of pi is inside. */
  @Override public double[] image(double lo, double hi) {
    Images.checkInterval(lo, hi);
    if (Double.isInfinite(lo) || Double.isInfinite(hi) || hi - lo >= 2 * Math.PI) {
      return new double[] {-1, 1};
    }
    double min = Math.min(Math.cos(lo), Math.cos(hi));
    double max = Math.max(Math.cos(lo), Math.cos(hi));
    if (Math.floor(hi / (2 * Math.PI)) >= Math.ceil(lo / (2 * Math.PI))) {
      max = 1;
    }
    if (Math.floor((hi - Math.PI) / (2 * Math.PI)) >= Math.ceil((lo - Math.PI) / (2 * Math.PI))) {
      min = -1;
    }
    return new double[] {min, max};
  }

  @Override public UnivariateDifferentiableFunction left() { return right(); }

  @Override public UnivariateDifferentiableFunction right() { return Pieces.of(t -> t.cos()); }
}
