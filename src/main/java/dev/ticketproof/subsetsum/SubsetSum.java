package dev.ticketproof.subsetsum;

import java.util.Arrays;

/**
 * Solvers for the random subset-sum problem over real-valued candidates: given a base set
 * \( x_0, \dots, x_{n-1} \), a target \( z \) and a tolerance \( \varepsilon > 0 \), find
 * \( S \subseteq \{0, \dots, n-1\} \) with \( |z - \sum_{i \in S} x_i| \le \varepsilon \).
 *
 * <p>Three strategies ({@link Mode}):
 * <ul>
 *   <li>{@link Mode#MIN_SIZE}: a subset of minimum cardinality within eps (the reference solver's choice, so ticket
 *       sizes compare). Subsets are enumerated by size 0, 1, 2, ... with incremental partial sums and an early exit
 *       at the first subset within eps (lexicographic order of indices inside one size). Once the enumeration has
 *       cost about \( 4 \cdot 2^{n/2} \) subsets without a hit, the exact optimum is computed first, so that
 *       infeasible instances cost \( O(2^{n/2}) \) and not \( 2^n \) (above n = 40: after \( 2^{22} \) subsets, feasibility
 *       is decided by the branch and bound of {@link Mode#FIRST_HIT}). n &le; 62.</li>
 *   <li>{@link Mode#EXACT}: a subset with the optimal error \( \min_S |z - \sum_S x_i| \), by meet-in-the-middle:
 *       the \( 2^{\lceil n/2 \rceil} \) and \( 2^{\lfloor n/2 \rfloor} \) subset sums of the two halves are generated
 *       already sorted (merging \( L \) with \( L + x \) for each element, Horowitz and Sahni) and scanned with two
 *       pointers. Time and memory \( O(2^{n/2}) \); n &le; 40 ({@link #EXACT_MAX_N}). It proves infeasibility: when
 *       it reports {@code withinEps == false}, no subset is within eps.</li>
 *   <li>{@link Mode#FIRST_HIT}: depth-first branch and bound over the candidates sorted by decreasing magnitude,
 *       pruning every branch whose reachable interval of sums cannot get closer to z than the best error so far;
 *       it stops at the first subset within eps. After \( 4 \cdot 2^{n/2} \) nodes without a hit it falls back to
 *       the exact optimum. n &le; 62.</li>
 * </ul>
 *
 * <p>In every mode, when no subset is within eps the solver returns a subset with the optimal error (as
 * {@link Mode#EXACT} computes it) and {@code withinEps == false}: the base set is never redrawn. For n &gt; 40
 * that optimum is found by the exhaustive branch and bound, whose worst case is \( 2^n \) nodes.
 *
 * <p>Subset sums inside the searches are accumulated in floating point, so decisions are exact up to a rounding of
 * at most n units in the last place of the partial sums; the reported {@link Solution#achievedError()} is
 * recomputed from the chosen indices with a compensated (Neumaier) sum, accurate to about one ulp.
 *
 * <p>The class is stateless and thread-safe: scratch space lives in a per-thread workspace, so a call allocates
 * only its result (and, for n &gt; 32, the meet-in-the-middle tables).
 */
public final class SubsetSum {
  /** Largest base set for {@link Mode#MIN_SIZE} and {@link Mode#FIRST_HIT} (indices fit a 63-bit mask). */
  public static final int MAX_N = 62;
  /** Largest base set for {@link Mode#EXACT} (two tables of \( 2^{20} \) sums). */
  public static final int EXACT_MAX_N = 40;
  /** Largest base set for {@link Mode#MIN_NORM} (two tables of \( 2^{15} \) entries). */
  public static final int MIN_NORM_MAX_N = 30;
  /** Half-table sizes up to this many entries are kept in the per-thread workspace between calls. */
  private static final int CACHED_HALF_BITS = 16;

  /** Search strategy; see the class documentation. */
  public enum Mode {
    /** Minimum-cardinality subset within eps (reference behaviour). */
    MIN_SIZE(MAX_N, "min-size"),
    /** Optimal error by meet-in-the-middle; proves infeasibility. */
    EXACT(EXACT_MAX_N, "exact"),
    /** Branch and bound, stops at the first subset within eps. */
    FIRST_HIT(MAX_N, "first-hit"),
    /**
     * Least Euclidean norm \( \sum_S x_i^2 \) among the subsets within eps (meet-in-the-middle over all subsets;
     * n &le; {@link #MIN_NORM_MAX_N}): the kept weights then pass their inputs' errors on as little as possible.
     */
    MIN_NORM(MIN_NORM_MAX_N, "min-norm");

    private final int maxN;
    private final String cliName;

    Mode(int maxN, String cliName) {
      this.maxN = maxN;
      this.cliName = cliName;
    }

    /** The largest base-set size this mode accepts. */
    public int maxN() { return maxN; }

    /** The command-line spelling ({@code min-size}, {@code exact}, {@code first-hit}). */
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
      throw new IllegalArgumentException("unknown mode '" + name
          + "', expected min-size, exact, first-hit or min-norm");
    }
  }

  /**
   * A solver's answer.
   *
   * @param indices the chosen indices, strictly ascending (may be empty: the empty sum is 0)
   * @param achievedError \( |z - \sum_{i \in S} x_i| \), recomputed with a compensated sum
   * @param withinEps whether {@code achievedError <= eps}; when false, no subset is within eps and
   *     {@code indices} has the optimal error
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
    long mask;
    switch (mode) {
      case MIN_SIZE: mask = minSize(base, target, eps); break;
      case EXACT: mask = exactMask(base, target); break;
      case FIRST_HIT: mask = firstHit(base, target, eps); break;
      case MIN_NORM: mask = minNorm(base, target, eps); break;
      default: throw new AssertionError(mode);
    }
    return solution(base, target, eps, mask);
  }

  /**
   * The optimal error \( \min_S |z - \sum_S x_i| \) over all subsets (meet-in-the-middle for n &le; 40, exhaustive
   * branch and bound above).
   *
   * @param base candidates, finite, length at most {@link #MAX_N}. Not modified.
   * @param target the target, finite
   * @return the optimal error, recomputed with a compensated sum
   */
  public static double optimalError(double[] base, double target) {
    check(base, target, 1.0, Mode.MIN_SIZE);
    return error(base, target, best(base, target));
  }

  /** {@code |target - sum_{i in mask} base[i]|} with a compensated (Neumaier) sum. */
  static double error(double[] base, double target, long mask) {
    double s = -target;
    double c = 0;
    for (long m = mask; m != 0; m &= m - 1) {
      double x = base[Long.numberOfTrailingZeros(m)];
      double t = s + x;
      c += Math.abs(s) >= Math.abs(x) ? (s - t) + x : (x - t) + s;
      s = t;
    }
    return Math.abs(s + c);
  }

  private static Solution solution(double[] base, double target, double eps, long mask) {
    int[] idx = new int[Long.bitCount(mask)];
    int k = 0;
    for (long m = mask; m != 0; m &= m - 1) {
      idx[k++] = Long.numberOfTrailingZeros(m);
    }
    double err = error(base, target, mask);
    return new Solution(idx, err, err <= eps);
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
  // min-norm

  /**
   * Among the subsets within eps, one of least \( \sum_S x_i^2 \) (the first found in a fixed order on ties); when
   * none is within eps, the optimal-error subset. Meet in the middle: the subsets of the second half sorted by sum,
   * and for every subset of the first half a scan of the window of second-half sums that lands within eps.
   */
  private static long minNorm(double[] x, double z, double eps) {
    int n = x.length;
    int h = n / 2;
    Half left = Half.of(x, 0, h);
    Half right = Half.of(x, h, n);
    long best = -1;
    double bestNorm = Double.POSITIVE_INFINITY;
    double slack = 4 * Math.ulp(1.0) * (Math.abs(z) + n);
    double[] sorted = right.sums;
    int nr = sorted.length;
    for (int k = 0; k < left.sums.length; k++) {
      if (left.norms[k] >= bestNorm) continue;
      double lo = z - left.sums[k] - eps - slack;
      double hi = z - left.sums[k] + eps + slack;
      int i = Arrays.binarySearch(sorted, lo);
      if (i < 0) i = -i - 1;
      while (i > 0 && sorted[i - 1] >= lo) i--;
      for (; i < nr && sorted[i] <= hi; i++) {
        double norm = left.norms[k] + right.norms[i];
        if (norm < bestNorm) {
          long mask = left.masks[k] | ((long) right.masks[i] << h);
          if (error(x, z, mask) <= eps) {
            bestNorm = norm;
            best = mask;
          }
        }
      }
    }
    return best >= 0 ? best : exactMask(x, z);
  }

  /** All subsets of x[from, to) sorted by sum, with their squared norms and masks (relative to {@code from}). */
  private record Half(double[] sums, double[] norms, int[] masks) {
    static Half of(double[] x, int from, int to) {
      int size = 1 << (to - from);
      double[] s = new double[size];
      double[] q = new double[size];
      int[] m = new int[size];
      double[] s2 = new double[size];
      double[] q2 = new double[size];
      int[] m2 = new int[size];
      int len = 1;
      for (int j = from; j < to; j++) {
        double v = x[j];
        int bit = 1 << (j - from);
        // merge the sorted list with itself shifted by v (Horowitz and Sahni)
        int a = 0;
        int b = 0;
        int o = 0;
        while (a < len || b < len) {
          boolean takeA = b >= len || (a < len && s[a] <= s[b] + v);
          if (takeA) {
            s2[o] = s[a];
            q2[o] = q[a];
            m2[o++] = m[a++];
          } else {
            s2[o] = s[b] + v;
            q2[o] = q[b] + v * v;
            m2[o++] = m[b++] | bit;
          }
        }
        len *= 2;
        double[] ts = s;
        s = s2;
        s2 = ts;
        double[] tq = q;
        q = q2;
        q2 = tq;
        int[] tm = m;
        m = m2;
        m2 = tm;
      }
      return new Half(s, q, m);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // min-size

  private static long minSize(double[] x, double z, double eps) {
    int n = x.length;
    // Work allowed before feasibility is decided: 4 * 2^(n/2) subsets (the cost of the meet-in-the-middle
    // optimum) up to n = 40, 2^22 subsets above.
    double budget = n <= EXACT_MAX_N ? Math.max(64.0, 4.0 * Math.pow(2.0, n / 2.0)) : 0x1p22;
    double spent = 0;
    boolean feasibleKnown = false;
    double comb = 1; // C(n, k)
    for (int k = 0; k <= n; k++) {
      if (!feasibleKnown && spent + comb > budget && spent > 0) {
        long m = optimumOrHit(x, z, eps);
        if (!(error(x, z, m) <= eps)) {
          return m;
        }
        feasibleKnown = true;
      }
      long m = ofSize(x, z, eps, 0, k, 0.0, 0L);
      if (m >= 0) {
        return m;
      }
      spent += comb;
      comb = comb * (n - k) / (k + 1);
    }
    // No subset within eps (only reached when every size was enumerated).
    return optimumOrHit(x, z, eps);
  }

  /** First subset (lexicographic) of exactly {@code k} indices from {@code start..n-1} within eps, or -1. */
  private static long ofSize(double[] x, double z, double eps, int start, int k, double partial, long mask) {
    int n = x.length;
    if (k == 0) {
      return Math.abs(partial - z) <= eps ? mask : -1L;
    }
    if (k == 1) {
      double r = z - partial;
      for (int j = start; j < n; j++) {
        if (Math.abs(r - x[j]) <= eps) {
          return mask | (1L << j);
        }
      }
      return -1L;
    }
    for (int j = start, last = n - k; j <= last; j++) {
      long m = ofSize(x, z, eps, j + 1, k - 1, partial + x[j], mask | (1L << j));
      if (m >= 0) {
        return m;
      }
    }
    return -1L;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // optimum

  /** A mask with the optimal error: meet-in-the-middle up to EXACT_MAX_N, exhaustive branch and bound above. */
  private static long best(double[] x, double z) {
    return optimumOrHit(x, z, 0.0);
  }

  /**
   * Up to EXACT_MAX_N: a mask with the optimal error (meet-in-the-middle). Above: branch and bound that stops at
   * the first subset within eps, and otherwise completes and returns the optimum. Either way the result is within
   * eps iff some subset is.
   */
  private static long optimumOrHit(double[] x, double z, double eps) {
    if (x.length <= EXACT_MAX_N) {
      return exactMask(x, z);
    }
    Workspace w = Workspace.get();
    w.prepare(x, z, eps, Long.MAX_VALUE);
    w.dfs(0, 0.0, 0L);
    return w.bestMask;
  }

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

  private static long firstHit(double[] x, double z, double eps) {
    int n = x.length;
    Workspace w = Workspace.get();
    long budget = n <= EXACT_MAX_N ? (long) Math.max(256.0, 4.0 * Math.pow(2.0, n / 2.0)) : Long.MAX_VALUE;
    w.prepare(x, z, eps, budget);
    w.dfs(0, 0.0, 0L);
    if (w.bestErr <= eps || !w.aborted) {
      return w.bestMask;
    }
    return exactMask(x, z);
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

    // branch and bound state
    private double[] vals = new double[MAX_N];
    private int[] order = new int[MAX_N];
    private final double[] sufPos = new double[MAX_N + 1];
    private final double[] sufNeg = new double[MAX_N + 1];
    private int n;
    private double z;
    private double eps;
    private long nodes;
    private long budget;
    boolean aborted;
    double bestErr;
    long bestMask;

    static Workspace get() { return LOCAL.get(); }

    double[] tableA(int bits, boolean cache) {
      if (!cache) return new double[1 << bits];
      if (a.length < (1 << bits)) a = new double[1 << bits];
      return a;
    }

    double[] tableB(int bits, boolean cache) {
      if (!cache) return new double[1 << bits];
      if (b.length < (1 << bits)) b = new double[1 << bits];
      return b;
    }

    double[] tmpSums(int bits, boolean cache) {
      if (!cache) return new double[1 << bits];
      if (t.length < (1 << bits)) t = new double[1 << bits];
      return t;
    }

    int[] masksA(int bits, boolean cache) {
      if (!cache) return new int[1 << bits];
      if (am.length < (1 << bits)) am = new int[1 << bits];
      return am;
    }

    int[] masksB(int bits, boolean cache) {
      if (!cache) return new int[1 << bits];
      if (bm.length < (1 << bits)) bm = new int[1 << bits];
      return bm;
    }

    int[] tmpMasks(int bits, boolean cache) {
      if (!cache) return new int[1 << bits];
      if (tm.length < (1 << bits)) tm = new int[1 << bits];
      return tm;
    }

    /** Sorts candidates by decreasing magnitude and computes suffix sums of positive and negative parts. */
    void prepare(double[] x, double target, double tolerance, long nodeBudget) {
      n = x.length;
      z = target;
      eps = tolerance;
      budget = nodeBudget;
      nodes = 0;
      aborted = false;
      for (int i = 0; i < n; i++) {
        // insertion sort by |x| descending (n <= 62)
        double v = x[i];
        int j = i;
        while (j > 0 && Math.abs(vals[j - 1]) < Math.abs(v)) {
          vals[j] = vals[j - 1];
          order[j] = order[j - 1];
          j--;
        }
        vals[j] = v;
        order[j] = i;
      }
      sufPos[n] = 0;
      sufNeg[n] = 0;
      for (int i = n - 1; i >= 0; i--) {
        sufPos[i] = sufPos[i + 1] + Math.max(vals[i], 0.0);
        sufNeg[i] = sufNeg[i + 1] + Math.min(vals[i], 0.0);
      }
      bestErr = Math.abs(z);
      bestMask = 0L;
    }

    /** Returns true when the search must stop (hit within eps or node budget exhausted). */
    boolean dfs(int i, double partial, long mask) {
      double r = z - partial;
      double err = Math.abs(r);
      if (err < bestErr) {
        bestErr = err;
        bestMask = mask;
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
      long with = mask | (1L << order[i]);
      if ((r > 0) == (v > 0)) {
        return dfs(i + 1, partial + v, with) || dfs(i + 1, partial, mask);
      }
      return dfs(i + 1, partial, mask) || dfs(i + 1, partial + v, with);
    }
  }
}
