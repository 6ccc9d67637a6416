package dev.ticketproof.activation;

import java.util.function.UnaryOperator;
import org.apache.commons.math3.analysis.differentiation.DerivativeStructure;
import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;

/** Builds {@link UnivariateDifferentiableFunction} pieces from an expression over {@link DerivativeStructure}. */
final class Pieces {
  private Pieces() {}

  /**
   * A piece defined by one expression in Commons Math's automatic differentiation; {@code value(double)} evaluates
   * the same expression at order 0, so value and derivatives cannot disagree.
   */
  static UnivariateDifferentiableFunction of(UnaryOperator<DerivativeStructure> expression) {
    return new UnivariateDifferentiableFunction() {
      @Override public DerivativeStructure value(DerivativeStructure t) { return expression.apply(t); }

      @Override public double value(double x) {
        return expression.apply(new DerivativeStructure(1, 0, 0, x)).getValue();
      }
    };
  }

  /** The linear piece t -> c t. */
  static UnivariateDifferentiableFunction linear(double c) { return of(t -> t.multiply(c)); }

  /**
   * The clamp t -> min(max(t, lo), hi), piecewise: t between the clamps, constant outside. At a clamp the piece is
   * the one on the side it is taken from ({@code fromLeft}: the left piece of an activation, whose one-sided
   * derivatives at 0 it gives).
   */
  static UnivariateDifferentiableFunction clamp(double lo, double hi, boolean fromLeft) {
    return of(t -> {
      double v = t.getValue();
      if (v < lo || (fromLeft && v == lo)) return t.multiply(0).add(lo);
      if (v > hi || (!fromLeft && v == hi)) return t.multiply(0).add(hi);
      return t;
    });
  }

  /** The standard normal CDF composed with t, with derivatives through probabilists' Hermite polynomials. */
  static DerivativeStructure normalCdf(DerivativeStructure t) {
    int order = t.getOrder();
    double x = t.getValue();
    double[] f = new double[order + 1];
    f[0] = Gelu.normalCdf(x);
    if (order > 0) {
      double density = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
      // Phi^(k)(x) = (-1)^(k-1) He_{k-1}(x) density(x); He_0 = 1, He_1 = x, He_{j+1} = x He_j - j He_{j-1}.
      double hePrev = 0;
      double he = 1;
      for (int k = 1; k <= order; k++) {
        int j = k - 1;
        if (j > 0) {
          double next = x * he - (j - 1) * hePrev;
          hePrev = he;
          he = next;
        }
        f[k] = ((j % 2 == 0) ? 1 : -1) * he * density;
      }
    }
    return t.compose(f);
  }
}
