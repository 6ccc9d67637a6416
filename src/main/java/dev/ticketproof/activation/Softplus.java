package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;

/**
 * Softplus, \( \phi(t) = \ln(1 + e^{\beta t})/\beta \) (PyTorch's {@code nn.Softplus(beta)}, without its threshold:
 * see {@code targets.WholeModels}): \( \phi(0) = \ln 2/\beta \), \( m_- = m_+ = 1/2 \), Lipschitz 1, and remainder
 * \( |\phi(t) - \ln 2/\beta - t/2| \le \beta t^2/8 \) on all of R (since \( \phi'' = \beta\sigma(1 - \sigma) \le
 * \beta/4 \) with \( \sigma = \sigma(\beta t) \)). Named {@code softplus} for beta = 1, else {@code softplus(beta)}.
 *
 * @param beta the sharpness, finite and &gt; 0
 */
public record Softplus(double beta) implements Activation, AnalyticPieces {
  public Softplus {
    if (!(beta > 0 && beta < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("softplus needs a finite beta > 0, got beta=" + beta);
    }
  }

  /** The softplus of beta = 1, ln(1 + e^t). */
  public Softplus() { this(1); }

  @Override public String name() { return beta == 1 ? "softplus" : "softplus(" + beta + ")"; }

  @Override public double value(double t) {
    double u = beta * t;
    return (u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u))) / beta;
  }

  @Override public double derivative(double t) { return Sigmoid.logistic(beta * t); }

  @Override public double phi0() { return Math.log(2) / beta; }

  /**
   * ln 2 / beta is not a double: one ulp of ln 2 covers the rounding of {@link #phi0()} for beta = 1, three ulps of
   * the quotient otherwise (Math.log is within one ulp, the division adds half of one).
   */
  @Override public double phi0Error() { return beta == 1 ? Math.ulp(Math.log(2)) : 3 * Math.ulp(phi0()); }

  @Override public double slopeMinus() { return 0.5; }

  @Override public double slopePlus() { return 0.5; }

  @Override public double lipschitz() { return 1; }

  /** beta / 8, exact in binary. */
  @Override public double remainderConstant() { return beta / 8; }

  @Override public int remainderPower() { return 2; }

  @Override public double remainderRadius() { return Double.POSITIVE_INFINITY; }

  /** The image of [lo, hi], widened outwards by a few ulps for rounding in {@link #value}, inside [0, inf]. */
  @Override public double[] image(double lo, double hi) {
    return Images.widen(Images.nondecreasing(this::value, lo, hi), 0, Double.POSITIVE_INFINITY);
  }

  @Override public UnivariateDifferentiableFunction left() { return right(); }

  @Override public UnivariateDifferentiableFunction right() {
    return Pieces.of(t -> t.multiply(beta).exp().log1p().divide(beta));
  }
}
