package dev.ticketproof.subsetsum;

import dev.ticketproof.limits.BadParameter;
import java.util.Arrays;

/**
 * Solvers for the random subset-sum problem over real-valued candidates: given a base set
 * \( x_0, \dots, x_{n-1} \), a target \( z \) and a tolerance \( \varepsilon > 0 \), find
 * \( S \subseteq \{0, \dots, n-1\} \) with \( |z - \sum_{i \in S} x_i| \le \varepsilon \).
 *
 * <p>Every mode first checks in O(n) whether z is within reach: if \( z > \sum_i x_i^+ + \varepsilon \) (or
 * \( z < \sum_i x_i^- - \varepsilon \)) no subset is within eps, and the optimum, all positive (all negative)
 * candidates, is returned at once with {@code withinEps == false}.
 *
 * <p>Four strategies ({@link Mode}):
 * <ul>
 *   <li>{@link Mode#MIN_SIZE}: a subset of minimum cardinality within eps (the reference solver's choice, so ticket
 *       sizes compare), searched over the candidates sorted by value ({@code MinSizeSearch}): sizes 0 and 1 by a
 *       scan, 2 by two pointers, 3 by one candidate and two pointers, 4 by two disjoint pairs from a hashed table
 *       of pair sums, and 5, 6, ... by enumerating all but two candidates with interval pruning and looking the
 *       last two up in the pair table. <b>Guarantee:</b> when the minimum cardinality is at most 4, the result has
 *       it (exhaustive search, no budget). For n &le; 40 the result always has the minimum cardinality: when a
 *       first part of the enumeration of sizes 5, 6, ... (2^(n/2) nodes) finds nothing, the exact optimum decides
 *       feasibility and a meet in the middle by size (the two halves' sorted subset sums grouped by cardinality)
 *       finds the minimum in O(n 2^(n/2)). Above 40 the enumeration has {@link #MIN_SIZE_BUDGET} nodes; when they
 *       run out at size k, every subset within eps has at least k elements and the returned subset is a
 *       near-minimal one (the branch and bound's first hit shrunk by dropping one element or replacing two by one
 *       while it stays within eps), an upper bound on the minimum. n &le; {@link #MAX_N}.</li>
 *   <li>{@link Mode#EXACT}: a subset with the optimal error \( \min_S |z - \sum_S x_i| \), by meet-in-the-middle:
 *       the \( 2^{\lceil n/2 \rceil} \) and \( 2^{\lfloor n/2 \rfloor} \) subset sums of the two halves are generated
 *       already sorted (merging \( L \) with \( L + x \) for each element, Horowitz and Sahni) and scanned with two
 *       pointers. Time and memory \( O(2^{n/2}) \); n &le; 40 ({@link #EXACT_MAX_N}). It proves infeasibility: when
 *       it reports {@code withinEps == false}, no subset is within eps.</li>
 *   <li>{@link Mode#FIRST_HIT}: depth-first branch and bound over the candidates sorted by decreasing magnitude,
 *       pruning every branch whose reachable interval of sums cannot get closer to z than the best error so far;
 *       it stops at the first subset within eps. For n &le; 40, after \( 4 \cdot 2^{n/2} \) nodes without a hit it
 *       falls back to the exact optimum; above 40, after {@link #FIRST_HIT_BUDGET} nodes without a hit, it returns
 *       the better of the best subset found and the exact optimum over the first 40 candidates. n &le;
 *       {@link #MAX_N}.</li>
 *   <li>{@link Mode#MIN_NORM}: a subset within eps of least l1 norm \( \sum_{i \in S} |x_i| \), the factor by which
 *       the kept weights pass their inputs' errors on ({@code MinNormSearch}). <b>Guarantee:</b> for n &le;
 *       {@link #MIN_NORM_EXACT_N} the exact minimum (complete branch and bound); above, within 2 eps of the least norm
 *       among the subsets whose candidates of z's sign number at most 4, unless the search stops at its work budget
 *       (then the {@link Mode#MIN_SIZE} answer). n &le; {@link #MAX_N}.</li>
 * </ul>
 *
 * <p>When no subset within eps is found, the answer has {@code withinEps == false} and carries the best subset
 * found. For n &le; 40 every mode then returns the optimal error (as {@link Mode#EXACT} computes it): no subset is
 * within eps. Above 40 infeasibility is proven only for targets out of reach; otherwise {@code withinEps == false}
 * means that none was found within the budgets (the better of the branch and bound's best subset and the exact
 * optimum over the first 40 candidates is returned).
 *
 * <p>Subset sums inside the searches are accumulated in floating point and compared with a slack of a few ulps;
 * every subset is confirmed, and the reported {@link Solution#achievedError()} recomputed, from the chosen indices
 * with a compensated (Neumaier) sum, accurate to about one ulp. Results are deterministic (no randomness; ties are
 * broken by a fixed order) and independent of the calling thread.
 *
 * <p>The class is stateless and thread-safe: scratch space lives in per-thread workspaces, so a call allocates
 * little besides its result (and, for n &gt; 32, the meet-in-the-middle tables).
 */
public final class SubsetSum {
  /** Largest base set for {@link Mode#MIN_SIZE}, {@link Mode#FIRST_HIT} and {@link Mode#MIN_NORM}. */
  public static final int MAX_N = 256;
  /** Largest base set for {@link Mode#EXACT} (two tables of \( 2^{20} \) sums). */
  public static final int EXACT_MAX_N = 40;
  /** Largest base set for which {@link Mode#MIN_NORM} returns the exact least norm. */
  public static final int MIN_NORM_EXACT_N = 16;
  /** Node budget of the {@link Mode#MIN_SIZE} enumeration of sizes 5 and more above n = 40. */
  public static final long MIN_SIZE_BUDGET = 1L << 20;
  /** Node budget of {@link Mode#FIRST_HIT} (and of the near-minimal fallback of {@link Mode#MIN_SIZE}) above n = 40. */
  public static final long FIRST_HIT_BUDGET = 1L << 20;
  /** Half-table sizes up to this many entries are kept in the per-thread workspace between calls. */
  private static final int CACHED_HALF_BITS = 16;

  /** Search strategy; see the class documentation. */
  public enum Mode {
    /** Minimum-cardinality subset within eps (reference behaviour; exact up to size 4, see the class doc). */
    MIN_SIZE(MAX_N, "min-size"),
    /** Optimal error by meet-in-the-middle; proves infeasibility. */
    EXACT(EXACT_MAX_N, "exact"),
    /** Branch and bound, stops at the first subset within eps. */
    FIRST_HIT(MAX_N, "first-hit"),
    /**
     * Least l1 norm \( \sum_S |x_i| \) among the subsets within eps (exact for n &le; {@link #MIN_NORM_EXACT_N},
     * near-least above, see the class doc): the kept weights then pass their inputs' errors on as little as
     * possible.
     */
    MIN_NORM(MAX_N, "min-norm");

    private final int maxN;
    private final String cliName;

    Mode(int maxN, String cliName) {
      this.maxN = maxN;
      this.cliName = cliName;
    }

    /** The largest base-set size this mode accepts. */
    public int maxN() { return maxN; }

    /** The command-line spelling ({@code min-size}, {@code exact}, {@code first-hit}, {@code min-norm}). */
    public String cliName() { return cliName; }

    /**
     * The mode with the given command-line spelling.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static Mode ofCliName(String name) {
      for (Mode m : values()) {
        if (m.cliName.equals(name)) {
          return m;
        }
      }
      throw new BadParameter("mode", "mode '" + name
          + "' is unknown, expected min-size, exact, first-hit or min-norm");
    }
  }

  /**
   * A solver's answer.
   *
   * @param indices the chosen indices, strictly ascending (may be empty: the empty sum is 0)
   * @param achievedError \( |z - \sum_{i \in S} x_i| \), recomputed with a compensated sum
   * @param withinEps whether {@code achievedError <= eps}; when false, {@code indices} is the best subset found
   *     (for n &le; 40, or a target out of reach, one with the optimal error: no subset is within eps)
   */
  public record Solution(int[] indices, double achievedError, boolean withinEps) {
    /** The number of chosen candidates. */
    public int size() { return indices.length; }

    /** The k-th chosen index (ascending), without copying the array. */
    public int index(int k) { return indices[k]; }

    /** A copy of the chosen indices, strictly ascending. */
    @Override public int[] indices() { return indices.clone(); }

    @Override public boolean equals(Object o) {
      return o instanceof Solution s && Arrays.equals(indices, s.indices)
          && Double.compare(achievedError, s.achievedError) == 0 && withinEps == s.withinEps;
    }

    @Override public int hashCode() { return Arrays.hashCode(indices) * 31 + Double.hashCode(achievedError); }

    @Override public String toString() {
      return "Solution" + Arrays.toString(indices) + " error=" + achievedError + (withinEps ? " (within eps)" : " (best, not within eps)");
    }
  }

  private SubsetSum() {}

  /**
   * Solves one subset-sum instance.
   *
   * @param base the candidates \( x_i \), finite; {@code 0 <= base.length <= mode.maxN()}. Not modified.
   * @param target the target z, finite
   * @param eps the tolerance, finite and {@code > 0}
   * @param mode the strategy
   * @return the chosen subset; never null
   * @throws IllegalArgumentException when a hypothesis is violated (the message names it and the value)
   */
  public static Solution solve(double[] base, double target, double eps, Mode mode) {
    check(base, target, eps, mode);
    int[] idx = outOfReach(base, target, eps);
    if (idx == null) {
      switch (mode) {
        case MIN_SIZE: idx = minSize(base, target, eps); break;
        case EXACT: idx = indices(exactMask(base, target)); break;
        case FIRST_HIT: idx = firstHit(base, target, eps); break;
        case MIN_NORM: idx = MinNormSearch.solve(base, target, eps); break;
        default: throw new AssertionError(mode);
      }
    }
    double err = error(base, target, idx, idx.length);
    return new Solution(idx, err, err <= eps);
  }

  /**
   * The optimal error \( \min_S |z - \sum_S x_i| \) over all subsets (meet-in-the-middle).
   *
   * @param base candidates, finite, length at most {@link #EXACT_MAX_N}. Not modified.
   * @param target the target, finite
   * @return the optimal error, recomputed with a compensated sum
   */
  public static double optimalError(double[] base, double target) {
    check(base, target, 1.0, Mode.EXACT);
    return error(base, target, exactMask(base, target));
  }

  /** {@code |target - sum_{i in mask} base[i]|} with a compensated (Neumaier) sum; base.length &le; 63. */
  static double error(double[] base, double target, long mask) {
    return error(base, target, indices(mask), Long.bitCount(mask));
  }

  /**
   * {@code |target - sum_{j < len} base[idx[j]]|} with a compensated (Neumaier) sum, the terms in the order of
   * {@code idx} (callers pass ascending indices, so the value does not depend on how a subset was found).
   */
  static double error(double[] base, double target, int[] idx, int len) {
    double s = -target;
    double c = 0;
    for (int j = 0; j < len; j++) {
      double x = base[idx[j]];
      double t = s + x;
      c += Math.abs(s) >= Math.abs(x) ? (s - t) + x : (x - t) + s;
      s = t;
    }
    return Math.abs(s + c);
  }

  /** The indices of a mask, ascending. */
  private static int[] indices(long mask) {
    int[] idx = new int[Long.bitCount(mask)];
    int k = 0;
    for (long m = mask; m != 0; m &= m - 1) {
      idx[k++] = Long.numberOfTrailingZeros(m);
    }
    return idx;
  }

  /**
   * When z is out of reach (above the sum of the positive candidates plus eps, or below the sum of the negative
   * ones minus eps, with a margin for rounding), the optimal subset: all positive (negative) candidates. Otherwise
   * null. O(n).
   */
  static int[] outOfReach(double[] x, double z, double eps) {
    // sum and sum of magnitudes in two interleaved chains each (the order only moves the rounding, see the slack)
    double s0 = 0;
    double s1 = 0;
    double a0 = 0;
    double a1 = 0;
    int n = x.length;
    int i = 0;
    for (; i + 1 < n; i += 2) {
      s0 += x[i];
      a0 += Math.abs(x[i]);
      s1 += x[i + 1];
      a1 += Math.abs(x[i + 1]);
    }
    if (i < n) {
      s0 += x[i];
      a0 += Math.abs(x[i]);
    }
    double sum = s0 + s1;
    double abs = a0 + a1;
    double pos = (abs + sum) / 2;
    double neg = (sum - abs) / 2;
    double slack = 8 * (n + 2) * Math.ulp(Math.max(abs, Math.abs(z)) + eps);
    boolean above = z - pos > eps + slack;
    if (!above && !(neg - z > eps + slack)) {
      return null;
    }
    // branch-free selection: write every index, advance only past the chosen ones
    int[] idx = new int[n + 1];
    int k = 0;
    double sign = above ? 1 : -1;
    for (int j = 0; j < n; j++) {
      idx[k] = j;
      k += sign * x[j] > 0 ? 1 : 0;
    }
    return Arrays.copyOf(idx, k);
  }

  private static void check(double[] base, double target, double eps, Mode mode) {
    if (mode == null) {
      throw new IllegalArgumentException("mode must not be null");
    }
    if (base == null) {
      throw new IllegalArgumentException("base set must not be null");
    }
    if (base.length > mode.maxN()) {
      throw new IllegalArgumentException("base set size n=" + base.length + " exceeds the limit " + mode.maxN()
          + " of mode " + mode.cliName());
    }
    for (int i = 0; i < base.length; i++) {
      if (!Double.isFinite(base[i])) {
        throw new IllegalArgumentException("base value " + i + " must be finite, got " + base[i]);
      }
    }
    if (!Double.isFinite(target)) {
      throw new IllegalArgumentException("target must be finite, got " + target);
    }
    if (eps > 0 && eps < Double.POSITIVE_INFINITY) {
      return;
    }
    throw new IllegalArgumentException("eps must be finite and > 0, got " + eps);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // min-size

  /**
   * Sizes 0 to 4 exhaustively; then sizes 5, 6, ... by enumeration. For n &le; 40, when the first 2^(n/2) nodes of
   * that enumeration (about the cost of the meet-in-the-middle optimum) find nothing, the exact optimum decides
   * feasibility and the meet in the middle by size finds the minimum. Above 40 the enumeration has
   * {@link #MIN_SIZE_BUDGET} nodes; if they run out, a subset within eps (the first hit of the branch and bound)
   * shrunk locally.
   */
  static int[] minSize(double[] x, double z, double eps) {
    MinSizeSearch search = MinSizeSearch.get();
    search.load(x, z, eps);
    int[] r = search.upTo(4);
    if (r != null) {
      return r;
    }
    int n = x.length;
    if (n <= EXACT_MAX_N) {
      r = search.fromFive(Math.min(MIN_SIZE_BUDGET, 1L << Math.max(10, n / 2)));
      if (r != null) {
        return r;
      }
      int[] opt = indices(exactMask(x, z));
      if (!search.exhausted || !(error(x, z, opt, opt.length) <= eps)) {
        return opt; // no subset within eps: the optimum
      }
      long m = minSizeByHalves(x, z, eps, search.exhaustedAt);
      return m >= 0 ? indices(m) : opt;
    }
    r = search.fromFive(MIN_SIZE_BUDGET);
    if (r != null) {
      return r;
    }
    int[] fallback = firstHit(x, z, eps);
    if (!(error(x, z, fallback, fallback.length) <= eps)) {
      return fallback;
    }
    return search.shrink(fallback);
  }

  /**
   * For n &le; 40: a subset of minimum cardinality (at least {@code fromSize}) within eps, or -1 when there is
   * none. Meet in the middle by size: the subset sums of each half, sorted, are grouped by cardinality (a stable
   * counting sort keeps every group sorted); for k = fromSize, fromSize + 1, ... and every split k = i + j, two
   * pointers over the first half's sums of cardinality i (ascending) and the second half's of cardinality j
   * (descending) visit the pair closest to z. Time O(n 2^(n/2)).
   */
  private static long minSizeByHalves(double[] x, double z, double eps, int fromSize) {
    int n = x.length;
    int ha = (n + 1) / 2;
    int hb = n - ha;
    double[] ts = new double[1 << ha];
    int[] tm = new int[1 << ha];
    double[] as = new double[1 << ha];
    int[] am = new int[1 << ha];
    double[] bs = new double[1 << hb];
    int[] bm = new int[1 << hb];
    sortedSums(x, 0, ha, as, am, ts, tm);
    int[] aStart = byCardinality(as, am, ha, ts, tm);
    double[] ag = ts;
    int[] agm = tm;
    ts = as;
    tm = am;
    sortedSums(x, ha, hb, bs, bm, ts, tm);
    int[] bStart = byCardinality(bs, bm, hb, ts, tm);
    double[] bg = ts;
    int[] bgm = tm;
    double abs = Math.abs(z);
    for (double v : x) abs += Math.abs(v);
    double window = eps + 16 * Math.ulp(abs);
    for (int k = fromSize; k <= n; k++) {
      for (int i = Math.max(0, k - hb), last = Math.min(k, ha); i <= last; i++) {
        int p = aStart[i];
        int pe = aStart[i + 1];
        int qs = bStart[k - i];
        int q = bStart[k - i + 1] - 1;
        while (p < pe && q >= qs) {
          double t = ag[p] + bg[q];
          if (Math.abs(t - z) <= window) {
            long mask = (agm[p] & 0xFFFFFFFFL) | ((long) bgm[q] << ha);
            if (error(x, z, mask) <= eps) {
              return mask;
            }
          }
          if (t < z) p++;
          else q--;
        }
      }
    }
    return -1;
  }

  /**
   * Stable counting sort of the 2^bits sums (and masks) by the masks' cardinality into {@code outSums},
   * {@code outMasks}; returns the start of each cardinality (length bits + 2).
   */
  private static int[] byCardinality(double[] sums, int[] masks, int bits, double[] outSums, int[] outMasks) {
    int size = 1 << bits;
    int[] start = new int[bits + 2];
    for (int e = 0; e < size; e++) start[Integer.bitCount(masks[e]) + 1]++;
    for (int c = 0; c <= bits; c++) start[c + 1] += start[c];
    int[] fill = Arrays.copyOf(start, bits + 1);
    for (int e = 0; e < size; e++) {
      int o = fill[Integer.bitCount(masks[e])]++;
      outSums[o] = sums[e];
      outMasks[o] = masks[e];
    }
    return start;
  }

  /** A mask with the optimal error (meet-in-the-middle, n <= EXACT_MAX_N). */
  private static long exactMask(double[] x, double z) {
    int n = x.length;
    int ha = (n + 1) / 2;
    int hb = n - ha;
    Workspace w = Workspace.get();
    boolean cache = ha <= CACHED_HALF_BITS;
    double[] as = w.tableA(ha, cache);
    int[] am = w.masksA(ha, cache);
    double[] bs = w.tableB(hb, cache);
    int[] bm = w.masksB(hb, cache);
    double[] ts = w.tmpSums(ha, cache);
    int[] tm = w.tmpMasks(ha, cache);
    sortedSums(x, 0, ha, as, am, ts, tm);
    sortedSums(x, ha, hb, bs, bm, ts, tm);
    int na = 1 << ha;
    int nb = 1 << hb;
    // Two pointers: a ascending, b descending; for each a the sums a + B[j] bracket z at j and j + 1.
    double bestErr = Double.POSITIVE_INFINITY;
    int bi = 0;
    int bj = 0;
    int j = nb - 1;
    for (int i = 0; i < na; i++) {
      double a = as[i];
      while (j >= 0 && a + bs[j] > z) {
        j--;
      }
      if (j >= 0) {
        double e = z - (a + bs[j]);
        if (e < bestErr) {
          bestErr = e;
          bi = i;
          bj = j;
        }
      }
      if (j + 1 < nb) {
        double e = (a + bs[j + 1]) - z;
        if (e < bestErr) {
          bestErr = e;
          bi = i;
          bj = j + 1;
        }
      }
    }
    return (am[bi] & 0xFFFFFFFFL) | ((bm[bj] & 0xFFFFFFFFL) << ha);
  }

  /**
   * Writes the 2^len subset sums of x[from..from+len) into sums (ascending), with their masks relative to
   * {@code from}, by repeated merging of L and L + x.
   */
  private static void sortedSums(double[] x, int from, int len, double[] sums, int[] masks, double[] tmp, int[] tmpM) {
    // Build alternately in (sums, masks) and (tmp, tmpM) so that the final table lands in sums.
    double[] cs = (len % 2 == 0) ? sums : tmp;
    int[] cm = (len % 2 == 0) ? masks : tmpM;
    double[] ns = (len % 2 == 0) ? tmp : sums;
    int[] nm = (len % 2 == 0) ? tmpM : masks;
    cs[0] = 0.0;
    cm[0] = 0;
    int size = 1;
    for (int b = 0; b < len; b++) {
      double v = x[from + b];
      int bit = 1 << b;
      int i = 0;
      int k = 0;
      int o = 0;
      if (v >= 0) {
        // merge cs[i] and cs[k] + v
        while (i < size && k < size) {
          double s2 = cs[k] + v;
          if (cs[i] <= s2) {
            ns[o] = cs[i];
            nm[o++] = cm[i++];
          } else {
            ns[o] = s2;
            nm[o++] = cm[k++] | bit;
          }
        }
      } else {
        // cs[k] + v is shifted left: merge with it as the first stream
        while (i < size && k < size) {
          double s2 = cs[k] + v;
          if (s2 <= cs[i]) {
            ns[o] = s2;
            nm[o++] = cm[k++] | bit;
          } else {
            ns[o] = cs[i];
            nm[o++] = cm[i++];
          }
        }
      }
      while (i < size) {
        ns[o] = cs[i];
        nm[o++] = cm[i++];
      }
      while (k < size) {
        ns[o] = cs[k] + v;
        nm[o++] = cm[k++] | bit;
      }
      size <<= 1;
      double[] ts = cs;
      cs = ns;
      ns = ts;
      int[] tm = cm;
      cm = nm;
      nm = tm;
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // first hit

  /**
   * Branch and bound, stopping at the first subset within eps. n &le; 40: after 4 * 2^(n/2) nodes the exact
   * optimum instead. Above: after {@link #FIRST_HIT_BUDGET} nodes without a hit, the better of the best subset found
   * and the exact optimum over the first 40 candidates.
   */
  static int[] firstHit(double[] x, double z, double eps) {
    int n = x.length;
    Workspace w = Workspace.get();
    long budget = n <= EXACT_MAX_N ? (long) Math.max(256.0, 4.0 * Math.pow(2.0, n / 2.0)) : FIRST_HIT_BUDGET;
    w.prepare(x, z, eps, budget);
    w.dfs(0, 0.0, 0);
    if (w.bestErr <= eps || !w.aborted) {
      int[] idx = new int[w.bestLen];
      for (int j = 0; j < w.bestLen; j++) idx[j] = w.order[w.best[j]];
      Arrays.sort(idx);
      return idx;
    }
    int[] opt = indices(exactMask(n <= EXACT_MAX_N ? x : Arrays.copyOf(x, EXACT_MAX_N), z));
    if (n > EXACT_MAX_N) {
      int[] idx = new int[w.bestLen];
      for (int j = 0; j < w.bestLen; j++) idx[j] = w.order[w.best[j]];
      Arrays.sort(idx);
      if (error(x, z, idx, idx.length) < error(x, z, opt, opt.length)) {
        return idx;
      }
    }
    return opt;
  }

  /** Per-thread scratch space. */
  private static final class Workspace {
    private static final ThreadLocal<Workspace> LOCAL = ThreadLocal.withInitial(Workspace::new);

    private double[] a = new double[0];
    private double[] b = new double[0];
    private double[] t = new double[0];
    private int[] am = new int[0];
    private int[] bm = new int[0];
    private int[] tm = new int[0];

    // branch and bound state: candidates by decreasing magnitude, the current and the best subset as positions
    private final double[] vals = new double[MAX_N];
    final int[] order = new int[MAX_N];
    private final long[] keys = new long[MAX_N];
    private final double[] sufPos = new double[MAX_N + 1];
    private final double[] sufNeg = new double[MAX_N + 1];
    private final int[] chosen = new int[MAX_N];
    final int[] best = new int[MAX_N];
    int bestLen;
    private int n;
    private double z;
    private double eps;
    private long nodes;
    private long budget;
    boolean aborted;
    double bestErr;

    static Workspace get() { return LOCAL.get(); }

    // tables of 2^bits entries: with cache the thread's own, grown when too short, else new ones

    private static double[] fit(double[] cached, int bits) {
      return cached.length < 1 << bits ? new double[1 << bits] : cached;
    }

    private static int[] fit(int[] cached, int bits) { return cached.length < 1 << bits ? new int[1 << bits] : cached; }

    double[] tableA(int bits, boolean cache) { return cache ? (a = fit(a, bits)) : new double[1 << bits]; }

    double[] tableB(int bits, boolean cache) { return cache ? (b = fit(b, bits)) : new double[1 << bits]; }

    double[] tmpSums(int bits, boolean cache) { return cache ? (t = fit(t, bits)) : new double[1 << bits]; }

    int[] masksA(int bits, boolean cache) { return cache ? (am = fit(am, bits)) : new int[1 << bits]; }

    int[] masksB(int bits, boolean cache) { return cache ? (bm = fit(bm, bits)) : new int[1 << bits]; }

    int[] tmpMasks(int bits, boolean cache) { return cache ? (tm = fit(tm, bits)) : new int[1 << bits]; }

    /** Sorts candidates by decreasing magnitude and computes suffix sums of positive and negative parts. */
    void prepare(double[] x, double target, double tolerance, long nodeBudget) {
      n = x.length;
      z = target;
      eps = tolerance;
      budget = nodeBudget;
      nodes = 0;
      aborted = false;
      for (int i = 0; i < n; i++) {
        keys[i] = (MinSizeSearch.sortable(-Math.abs(x[i])) & ~0xFFL) | i;
      }
      Arrays.sort(keys, 0, n);
      for (int p = 0; p < n; p++) {
        // restore the exact order of magnitudes (the key dropped 8 low bits) by insertion
        int i = (int) (keys[p] & 0xFF);
        double v = x[i];
        int q = p;
        while (q > 0 && Math.abs(vals[q - 1]) < Math.abs(v)) {
          vals[q] = vals[q - 1];
          order[q] = order[q - 1];
          q--;
        }
        vals[q] = v;
        order[q] = i;
      }
      sufPos[n] = 0;
      sufNeg[n] = 0;
      for (int i = n - 1; i >= 0; i--) {
        sufPos[i] = sufPos[i + 1] + Math.max(vals[i], 0.0);
        sufNeg[i] = sufNeg[i + 1] + Math.min(vals[i], 0.0);
      }
      bestErr = Math.abs(z);
      bestLen = 0;
    }

    /** Returns true when the search must stop (hit within eps or node budget exhausted). */
    boolean dfs(int i, double partial, int depth) {
      double r = z - partial;
      double err = Math.abs(r);
      if (err < bestErr) {
        bestErr = err;
        System.arraycopy(chosen, 0, best, 0, depth);
        bestLen = depth;
        if (err <= eps) {
          return true;
        }
      }
      if (i == n) {
        return false;
      }
      double lo = partial + sufNeg[i];
      double hi = partial + sufPos[i];
      double dist = z < lo ? lo - z : (z > hi ? z - hi : 0.0);
      if (dist >= bestErr) {
        return false;
      }
      if (++nodes > budget) {
        aborted = true;
        return true;
      }
      double v = vals[i];
      if ((r > 0) == (v > 0)) {
        return include(i, partial + v, depth) || dfs(i + 1, partial, depth);
      }
      return dfs(i + 1, partial, depth) || include(i, partial + v, depth);
    }

    private boolean include(int i, double partial, int depth) {
      chosen[depth] = i;
      return dfs(i + 1, partial, depth + 1);
    }
  }
}
