package dev.ticketproof.activation;

import java.util.function.DoubleUnaryOperator;

/** Exact images of intervals under the catalog's activations. */
final class Images {
  private Images() {}

  /** Slack, in units in the last place, added on both sides of the image of a function computed with rounding. */
  static final int SLACK_ULPS = 4;

  /**
   * Widens {lower, upper} outwards by {@link #SLACK_ULPS} ulps, so that floating-point evaluations of phi (which
   * need not be monotone at the last-bit level) stay inside the image.
   */
  static double[] widen(double[] image) {
    return widen(image, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
  }

  /**
   * As {@link #widen(double[])}, but never beyond [inf, sup], the exact range of phi over R (so that, e.g., the image
   * of sigmoid stays inside [0, 1] and a nonnegative activation keeps a nonnegative image).
   */
  static double[] widen(double[] image, double inf, double sup) {
    image[0] = Math.max(inf, image[0] - SLACK_ULPS * Math.ulp(image[0]));
    image[1] = Math.min(sup, image[1] + SLACK_ULPS * Math.ulp(image[1]));
    return image;
  }

  static void checkInterval(double lo, double hi) {
    if (!(lo <= hi)) {
      throw new IllegalArgumentException("image(lo, hi) needs lo <= hi (no NaN), got lo=" + lo + ", hi=" + hi);
    }
  }

  /** Image of [lo, hi] under a nondecreasing phi. */
  static double[] nondecreasing(DoubleUnaryOperator phi, double lo, double hi) {
    checkInterval(lo, hi);
    return new double[] {phi.applyAsDouble(lo), phi.applyAsDouble(hi)};
  }

  /**
   * Image of [lo, hi] under a phi that is monotone on (-inf, c] and on [c, inf) with an extremum at c: the
   * endpoint values, plus phi(c) when c lies strictly inside.
   */
  static double[] withTurningPoint(DoubleUnaryOperator phi, double c, double lo, double hi) {
    checkInterval(lo, hi);
    double a = phi.applyAsDouble(lo);
    double b = phi.applyAsDouble(hi);
    double min = Math.min(a, b);
    double max = Math.max(a, b);
    if (lo < c && c < hi) {
      double v = phi.applyAsDouble(c);
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return new double[] {min, max};
  }
}
