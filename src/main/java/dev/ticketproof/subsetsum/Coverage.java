package dev.ticketproof.subsetsum;

/**
 * The "all z" event of [subset-sum]: every \( z \in [lo, hi] \) (by default \( [-1, 1] \)) has a subset \( S \)
 * with \( |z - \sum_{i \in S} x_i| \le \varepsilon \).
 *
 * <p>Equivalently, with \( s_1 \le \dots \le s_m \) the subset sums lying in \( [lo - \varepsilon, hi + \varepsilon] \):
 * \( m \ge 1 \), \( s_1 \le lo + \varepsilon \), \( s_m \ge hi - \varepsilon \) and every gap
 * \( s_{k+1} - s_k \le 2\varepsilon \). The check is exact up to the rounding of the subset sums (at most n ulps).
 *
 * <p>Method: the two halves' subset sums are generated sorted (as in {@link SubsetSum.Mode#EXACT}); for each sum a
 * of the first half the sums b of the second half with \( a + b \) in the window are visited and dropped into
 * buckets of width \( \varepsilon \), keeping only each bucket's minimum and maximum. Gaps inside a bucket are at
 * most \( \varepsilon \), so the largest gap is the largest difference between a bucket's minimum and the
 * maximum of the previous non-empty bucket. Time: \( O(2^{n/2} + W + 1/\varepsilon) \) where W is the number of
 * subset sums in the window (about a third of \( 2^n \) for n around 20, U[-1,1] candidates); memory
 * \( O(2^{n/2} + 1/\varepsilon) \). n &le; {@link #MAX_N}; \( \varepsilon \ge \) {@link #MIN_EPS} relative to the
 * window width (bucket count at most \( 10^8 \)).
 */
public final class Coverage {
  /** Largest base set (window enumeration is \( O(2^n) \) in the worst case). */
  public static final int MAX_N = 40;
  /** Smallest eps relative to the window width. */
  public static final double MIN_EPS = 1e-8;

  private Coverage() {}

  /** Whether every z in [-1, 1] is within eps of a subset sum of {@code base}. */
  public static boolean coversAll(double[] base, double eps) {
    return maxGap(base, -1.0, 1.0, eps) <= 2 * eps;
  }

  /**
   * The coverage gap: the largest distance that must be bridged, defined as the maximum of
   * {@code 2 (s_1 - lo)}, {@code 2 (hi - s_m)} and the gaps {@code s_{k+1} - s_k} between consecutive subset sums
   * in \( [lo - \varepsilon, hi + \varepsilon] \) (positive infinity when there is no sum in the window).
   * Every z in [lo, hi] is within eps of a subset sum iff the result is {@code <= 2 eps}.
   *
   * <p>Gaps are resolved exactly only up to \( 2\varepsilon \): a result above \( 2\varepsilon \) proves
   * non-coverage, a result at most \( 2\varepsilon \) proves coverage, and the value itself is exact whenever it
   * exceeds \( \varepsilon \).
   *
   * @param base candidates, finite, at most {@link #MAX_N}. Not modified.
   * @param lo lower end of the target interval, finite
   * @param hi upper end, finite, {@code >= lo}
   * @param eps tolerance, {@code > 0}, with {@code (hi - lo) / eps <= 1e8}
   * @return the coverage gap
   */
  public static double maxGap(double[] base, double lo, double hi, double eps) {
    if (base == null || base.length > MAX_N) {
      throw new IllegalArgumentException("coverage needs a base set of size <= " + MAX_N + ", got "
          + (base == null ? "null" : base.length));
    }
    for (int i = 0; i < base.length; i++) {
      if (!Double.isFinite(base[i])) {
        throw new IllegalArgumentException("base value " + i + " must be finite, got " + base[i]);
      }
    }
    if (!(Double.isFinite(lo) && Double.isFinite(hi) && lo <= hi)) {
      throw new IllegalArgumentException("coverage interval needs finite lo <= hi, got [" + lo + ", " + hi + "]");
    }
    if (!(eps > 0 && (hi - lo) / eps <= 1 / MIN_EPS)) {
      throw new IllegalArgumentException("eps must be > 0 and at least " + MIN_EPS + " times the interval width, got " + eps);
    }
    int n = base.length;
    int ha = (n + 1) / 2;
    int hb = n - ha;
    double[] as = new double[1 << ha];
    double[] bs = new double[1 << hb];
    double[] tmp = new double[1 << ha];
    sortedSums(base, 0, ha, as, tmp);
    sortedSums(base, ha, hb, bs, tmp);
    double wlo = lo - eps;
    double whi = hi + eps;
    int buckets = (int) Math.ceil((whi - wlo) / eps) + 1;
    double[] bmin = new double[buckets];
    double[] bmax = new double[buckets];
    java.util.Arrays.fill(bmin, Double.POSITIVE_INFINITY);
    java.util.Arrays.fill(bmax, Double.NEGATIVE_INFINITY);
    double inv = 1.0 / eps;
    int nb = bs.length;
    // for ascending a, the window of b moves left: [first, last] with a + b in [wlo, whi]
    int first = nb;
    int last = nb - 1;
    for (double a : as) {
      while (last >= 0 && a + bs[last] > whi) last--;
      if (last < 0) break;
      while (first > 0 && a + bs[first - 1] >= wlo) first--;
      // first may exceed last when no b fits; also values above last have been excluded
      for (int j = Math.min(first, last + 1); j <= last; j++) {
        double s = a + bs[j];
        if (s < wlo) continue;
        int k = (int) ((s - wlo) * inv);
        if (k >= buckets) k = buckets - 1;
        if (s < bmin[k]) bmin[k] = s;
        if (s > bmax[k]) bmax[k] = s;
      }
    }
    double gap = 0;
    double prev = Double.NaN;
    for (int k = 0; k < buckets; k++) {
      if (bmin[k] == Double.POSITIVE_INFINITY) continue;
      if (Double.isNaN(prev)) {
        gap = Math.max(gap, 2 * (bmin[k] - lo));
      } else {
        gap = Math.max(gap, bmin[k] - prev);
      }
      prev = bmax[k];
    }
    if (Double.isNaN(prev)) {
      return Double.POSITIVE_INFINITY;
    }
    return Math.max(gap, 2 * (hi - prev));
  }

  /** Sorted subset sums of x[from..from+len) into out (length 2^len), using tmp as scratch. */
  static void sortedSums(double[] x, int from, int len, double[] out, double[] tmp) {
    double[] cs = (len % 2 == 0) ? out : tmp;
    double[] ns = (len % 2 == 0) ? tmp : out;
    cs[0] = 0.0;
    int size = 1;
    for (int b = 0; b < len; b++) {
      double v = x[from + b];
      int i = 0;
      int k = 0;
      int o = 0;
      while (i < size && k < size) {
        double s2 = cs[k] + v;
        if (cs[i] <= s2) {
          ns[o++] = cs[i++];
        } else {
          ns[o++] = s2;
          k++;
        }
      }
      while (i < size) ns[o++] = cs[i++];
      while (k < size) ns[o++] = cs[k++] + v;
      size <<= 1;
      double[] t = cs;
      cs = ns;
      ns = t;
    }
  }
}
