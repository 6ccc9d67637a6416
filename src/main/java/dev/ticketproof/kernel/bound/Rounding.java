package dev.ticketproof.kernel.bound;

/**
 * Outward rounding of the differential bound. With unit roundoff u = 2^-53, a sum of N products computed in
 * double precision differs from the exact sum by at most gamma_N = N u / (1 - N u) times the sum of the absolute
 * values of its terms; for N &lt;= 2^22 (checked where sums are formed) gamma_N &lt;= {@link #gamma}(N) &lt;= 2^-30 =
 * {@link #REL}. So
 * <ul>
 *   <li>every linear combination of N terms adds gamma(N) times the sum of |coefficient| * magnitude of its terms to
 *       the radius (the count of the sum, not the largest one allowed: the slack of a sum of a few hundred terms
 *       would otherwise be 2^22 / a few hundred times too large, and deep networks amplify it layer by layer);</li>
 *   <li>every sum of non-negative terms (a radius, a magnitude) is rounded up by {@link #up};</li>
 *   <li>every evaluation of phi, phi', exp or tanh (accurate to a few ulps) is widened by {@link #evalSlack}.</li>
 * </ul>
 */
final class Rounding {
  private Rounding() {}

  /** 2^-30: bounds gamma_N for sums of at most {@link #MAX_TERMS} terms. */
  static final double REL = 0x1p-30;

  /** The largest number of terms one sum may have for {@link #REL} to bound its rounding. */
  static final long MAX_TERMS = 1L << 22;

  /**
   * An upper bound on gamma_n = n u / (1 - n u) for 1 &lt;= n &lt;= {@link #MAX_TERMS}: 2^(ceil(log2 n) - 52). Since
   * n u &lt;= 2^-31, gamma_n &lt;= n u (1 + 2^-30) &lt; 2 n u &lt;= 2^(ceil(log2 n) + 1) u; a power of two, exact.
   *
   * @throws IllegalArgumentException when n is out of that range
   */
  static double gamma(long n) {
    if (n < 1 || n > MAX_TERMS) {
      throw new IllegalArgumentException(n + " terms in one sum, more than the " + MAX_TERMS
          + " the rounding slack covers");
    }
    return Math.scalb(1.0, 64 - Long.numberOfLeadingZeros(n - 1) - 52);
  }

  /** A computed non-negative sum, rounded up. */
  static double up(double x) { return x * (1 + REL) + Double.MIN_NORMAL; }

  /** Slack for the evaluation of phi, phi', exp or tanh at a value of magnitude about |v|. */
  static double evalSlack(double v) { return 0x1p-40 * (1 + Math.abs(v)); }

  static void checkTerms(long n, String where) {
    if (n > MAX_TERMS) {
      throw new IllegalArgumentException(where + ": " + n + " terms in one sum, more than the " + MAX_TERMS
          + " the rounding slack covers");
    }
  }
}
