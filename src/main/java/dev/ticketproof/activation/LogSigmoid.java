package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;

/**
 * The log-sigmoid (PyTorch's {@code nn.LogSigmoid}), \( \phi(t) = \ln \sigma(t) = -\ln(1 + e^{-t}) \), the mirror
 * image of softplus: \( \phi(0) = -\ln 2 \), \( m_- = m_+ = 1/2 \), Lipschitz 1 (\( \phi'(t) = \sigma(-t) \)), and
 * remainder \( |\phi(t) + \ln 2 - t/2| \le t^2/8 \) on all of R (since \( |\phi''| = \sigma(1 - \sigma) \le 1/4 \)).
 */
public record LogSigmoid() implements Activation, AnalyticPieces {
  @Override public String name() { return "log-sigmoid"; }

  /** -ln(1 + e^-t), written so that neither branch overflows or cancels. */
  @Override public double value(double t) { return t < 0 ? t - Math.log1p(Math.exp(t)) : -Math.log1p(Math.exp(-t)); }

  @Override public double derivative(double t) { return Sigmoid.logistic(-t); }

  @Override public double phi0() { return -Math.log(2); }

  /** ln 2 is not a double: Math.log is within one ulp. */
  @Override public double phi0Error() { return Math.ulp(Math.log(2)); }

  @Override public double slopeMinus() { return 0.5; }

  @Override public double slopePlus() { return 0.5; }

  @Override public double lipschitz() { return 1; }

  /** 1/8, exact in binary. */
  @Override public double remainderConstant() { return 0.125; }

  @Override public int remainderPower() { return 2; }

  @Override public double remainderRadius() { return Double.POSITIVE_INFINITY; }

  /** The image of [lo, hi], widened outwards by a few ulps for rounding in {@link #value}, inside [-inf, 0]. */
  @Override public double[] image(double lo, double hi) {
    return Images.widen(Images.nondecreasing(this::value, lo, hi), Double.NEGATIVE_INFINITY, 0);
  }

  @Override public UnivariateDifferentiableFunction left() { return right(); }

  @Override public UnivariateDifferentiableFunction right() {
    return Pieces.of(t -> t.negate().exp().log1p().negate());
  }
}
