package dev.ticketproof.subsetsum;

import java.util.Arrays;

/**
 * Subsets within eps of least l1 norm \( L(S) = \sum_{i \in S} |x_i| \) (the engine of
 * {@link SubsetSum.Mode#MIN_NORM}). Called with a target in reach (see {@link SubsetSum#outOfReach}).
 *
 * <p>Write \( \sigma = \sum_S x_i \), H for the candidates of z's sign ("helpers") and C for the others
 * ("cancellers"), and \( m(S) = \sum_{S \cap C} |x_i| \) for the cancelled mass. Then
 * \( L(S) = |\sigma| + 2 m(S) \), and for S within eps \( L(S) \ge |z| - \varepsilon + 2 m(S) \): a least-norm subset
 * cancels as little as possible.
 *
 * <ul>
 *   <li>|z| &le; eps: the empty set (L = 0).</li>
 *   <li>n &le; {@link SubsetSum#MIN_NORM_EXACT_N}: complete branch and bound over the candidates by increasing
 *       magnitude, started from the {@link SubsetSum.Mode#MIN_SIZE} answer; a branch is cut when its norm plus a
 *       lower bound for the rest (\( \max(|r| - \varepsilon, \mu) \), or \( 2\mu \) when one more candidate cannot
 *       land within eps, with r the remaining distance and \( \mu \) the smallest remaining magnitude) is not below
 *       the best norm. Exact least norm.</li>
 *   <li>larger n: the canceller subsets are enumerated by increasing mass m (best first, from the empty one); for
 *       each, the sorted-candidate search finds whether at most 4 helpers sum to \( |z| + m \) within eps. The
 *       first hit has \( L \le |z| + \varepsilon + 2m \), while every subset within eps that cancels at least m has
 *       \( L \ge |z| - \varepsilon + 2m \): so the hit is within 2 eps of the least norm among the subsets with at
 *       most 4 helpers (a hit of helpers only, m = 0, is within 2 eps of the least norm of all). After
 *       {@link #CHECKS} canceller subsets without a hit, the {@link SubsetSum.Mode#MIN_SIZE} answer is returned,
 *       without the 2 eps guarantee (it is computed only then). Those canceller subsets cancel at most the mass of
 *       the 5 smallest cancellers (2^5 = 32), so the helpers above |z| plus that mass (and eps) are left out of the
 *       search: they are part of no hit.</li>
 * </ul>
 */
final class MinNormSearch {
  /** Canceller subsets tried per instance above {@link SubsetSum#MIN_NORM_EXACT_N}. */
  static final int CHECKS = 32;
  /** {@code 2^BOUND >= CHECKS}: the enumeration's canceller subsets cancel at most the BOUND smallest cancellers' mass. */
  private static final int BOUND = 32 - Integer.numberOfLeadingZeros(CHECKS - 1);

  private static final ThreadLocal<MinNormSearch> LOCAL = ThreadLocal.withInitial(MinNormSearch::new);

  private final MinSizeSearch helpers = MinSizeSearch.fresh();
  private final double[] hv = new double[SubsetSum.MAX_N];
  private final int[] hIdx = new int[SubsetSum.MAX_N];
  private final double[] cm = new double[SubsetSum.MAX_N];
  private final int[] cIdx = new int[SubsetSum.MAX_N];
  private final double[] cv = new double[SubsetSum.MAX_N];
  private final int[] cAt = new int[SubsetSum.MAX_N];
  /** Cancellers put in order so far: cm[0..ordered) and cIdx[0..ordered) (position in cv, then caller's index). */
  private int ordered;
  private final int[] cPos = new int[SubsetSum.MAX_N];
  // best-first enumeration of canceller subsets: node = (mass, last element, node of the set without it)
  private final double[] nodeMass = new double[2 * CHECKS + 2];
  private final int[] nodeLast = new int[2 * CHECKS + 2];
  private final int[] nodeRest = new int[2 * CHECKS + 2];
  private final int[] heap = new int[2 * CHECKS + 2];
  private final double[] low = new double[BOUND];
  private final int[] lowAt = new int[BOUND];

  /** Whether the last enumeration on this thread ended before {@link #CHECKS} (the 2 eps guarantee holds). */
  private boolean completed;

  private MinNormSearch() {}

  /**
   * Whether the last {@link SubsetSum.Mode#MIN_NORM} call on this thread that reached the canceller enumeration
   * ended by its own bound or a hit rather than at {@link #CHECKS} (for tests and measurements).
   */
  static boolean lastCompleted() {
    return LOCAL.get().completed;
  }

  static int[] solve(double[] x, double z, double eps) {
    if (Math.abs(z) <= eps) {
      return new int[0];
    }
    if (x.length <= SubsetSum.MIN_NORM_EXACT_N) {
      int[] init = SubsetSum.minSize(x, z, eps);
      if (!(SubsetSum.error(x, z, init, init.length) <= eps)) {
        return init;
      }
      return new Exact(x, z, eps).run(init);
    }
    return LOCAL.get().near(x, z, eps);
  }

  static double norm(double[] x, int[] idx) {
    double t = 0;
    for (int i : idx) t += Math.abs(x[i]);
    return t;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // canceller enumeration (n > MIN_NORM_EXACT_N)

  private int[] near(double[] x, double z, double eps) {
    int n = x.length;
    double sign = z > 0 ? 1 : -1;
    double za = Math.abs(z);
    int nh = 0;
    int nc = 0;
    // branch-free split: every candidate is written to both lists, and only the list it belongs to advances
    for (int i = 0; i < n; i++) {
      double v = sign * x[i];
      hv[nh] = v;
      hIdx[nh] = i;
      cv[nc] = -v;
      cAt[nc] = i;
      nh += v > 0 ? 1 : 0;
      nc += v < 0 ? 1 : 0;
    }
    // The CHECKS canceller subsets of the enumeration cancel at most the mass of the BOUND smallest cancellers (their
    // 2^BOUND subsets are CHECKS candidates), so the targets stay at most |z| plus that mass, and a helper above it
    // (plus the window) is part of no hit: such helpers are left out of the helpers' search.
    double habs = za; // the helpers' search's scale, as the search computes it: |z| plus the helpers, in index order
    for (int i = 0; i < nh; i++) habs += hv[i];
    double cancelled = smallestMass(nc);
    double reach = za + cancelled + eps + 64 * Math.ulp(habs + cancelled);
    int kept = 0;
    for (int i = 0; i < nh; i++) {
      double v = hv[i];
      hv[kept] = v;
      hIdx[kept] = hIdx[i];
      kept += v <= reach ? 1 : 0;
    }
    helpers.load(hv, kept, za, eps, habs);
    int size = 0;
    int created = 0;
    int node = -1; // the empty canceller set first
    double mass = 0;
    completed = false;
    for (int check = 0; check < CHECKS; check++) {
      if (check > 0) helpers.retarget(za + mass, eps);
      int[] h = helpers.upTo(4);
      if (h != null) {
        int[] s = union(h, node);
        if (SubsetSum.error(x, z, s, s.length) <= eps) {
          completed = true;
          return s; // best first: within 2 eps of every subset with at most 4 helpers
        }
      }
      if (check == 0) {
        // the BOUND smallest cancellers are in order already (smallestMass); later ones are put in order as the
        // enumeration reaches them (not needed when helpers alone hit)
        ordered = Math.min(nc, BOUND);
        for (int p = 0; p < ordered; p++) {
          cm[p] = low[p];
          cPos[p] = lowAt[p];
          cIdx[p] = cAt[lowAt[p]];
        }
      }
      // successors of the current node: extend by the next canceller, or replace the last one by it
      int last = node < 0 ? -1 : nodeLast[node];
      if (last + 1 < nc) {
        if (last + 1 == ordered) orderNext(nc);
        nodeMass[created] = mass + cm[last + 1];
        nodeLast[created] = last + 1;
        nodeRest[created] = node;
        size = push(size, created++);
        if (node >= 0) {
          int rest = nodeRest[node];
          nodeMass[created] = (rest < 0 ? 0 : nodeMass[rest]) + cm[last + 1];
          nodeLast[created] = last + 1;
          nodeRest[created] = rest;
          size = push(size, created++);
        }
      }
      if (size == 0) {
        completed = true;
        break;
      }
      node = heap[0];
      mass = nodeMass[node];
      size = pop(size);
    }
    // no hit: the min-size answer (or, when nothing is within eps, the best subset found)
    return SubsetSum.minSize(x, z, eps);
  }

  /**
   * The sum of the {@link #BOUND} smallest of the cancellers {@code cv[0..nc)} (of all when there are fewer); leaves
   * them in {@code low}, ascending, ties by position, with their positions in {@code lowAt}.
   */
  private double smallestMass(int nc) {
    double[] low = this.low;
    int[] lowAt = this.lowAt;
    Arrays.fill(low, Double.POSITIVE_INFINITY);
    for (int i = 0; i < nc; i++) {
      double v = cv[i];
      if (v < low[BOUND - 1]) {
        int q = BOUND - 1;
        while (q > 0 && low[q - 1] > v) {
          low[q] = low[q - 1];
          lowAt[q] = lowAt[q - 1];
          q--;
        }
        low[q] = v;
        lowAt[q] = i;
      }
    }
    double m = 0;
    for (int q = 0; q < Math.min(nc, BOUND); q++) m += low[q];
    return m;
  }

  /**
   * Puts the next canceller in order: the least of {@code cv[0..nc)} after the last one ordered, by magnitude and then
   * position (the order of a stable sort), so that cm and cIdx grow by one.
   */
  private void orderNext(int nc) {
    double pv = cm[ordered - 1];
    int pi = cPos[ordered - 1];
    double best = Double.POSITIVE_INFINITY;
    int at = -1;
    for (int i = 0; i < nc; i++) {
      double v = cv[i];
      if ((v > pv || (v == pv && i > pi)) && (v < best || at < 0)) {
        best = v;
        at = i;
      }
    }
    cm[ordered] = best;
    cPos[ordered] = at;
    cIdx[ordered] = cAt[at];
    ordered++;
  }

  /** The caller's indices of helpers {@code h} (helper positions) and of the cancellers of {@code node}, ascending. */
  private int[] union(int[] h, int node) {
    int k = 0;
    for (int q = node; q >= 0; q = nodeRest[q]) k++;
    int[] s = new int[h.length + k];
    for (int j = 0; j < h.length; j++) s[j] = hIdx[h[j]];
    int o = h.length;
    for (int q = node; q >= 0; q = nodeRest[q]) s[o++] = cIdx[nodeLast[q]];
    Arrays.sort(s);
    return s;
  }

  private boolean less(int a, int b) {
    return nodeMass[a] < nodeMass[b] || (nodeMass[a] == nodeMass[b] && a < b);
  }

  private int push(int size, int id) {
    int i = size;
    heap[i] = id;
    while (i > 0 && less(heap[i], heap[(i - 1) / 2])) {
      int p = (i - 1) / 2;
      int t = heap[p];
      heap[p] = heap[i];
      heap[i] = t;
      i = p;
    }
    return size + 1;
  }

  private int pop(int size) {
    int n = size - 1;
    heap[0] = heap[n];
    int i = 0;
    while (true) {
      int l = 2 * i + 1;
      if (l >= n) break;
      int c = l + 1 < n && less(heap[l + 1], heap[l]) ? l + 1 : l;
      if (!less(heap[c], heap[i])) break;
      int t = heap[c];
      heap[c] = heap[i];
      heap[i] = t;
      i = c;
    }
    return n;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // exact branch and bound (n <= MIN_NORM_EXACT_N)

  private static final class Exact {
    private final double[] x;
    private final double z;
    private final double eps;
    private final double window;
    private final int n;
    private final double[] v;
    private final int[] ord;
    private final double[] sufPos;
    private final double[] sufNeg;
    private final int[] chosen;
    private final int[] idx;
    private int[] best;
    private double bestNorm;

    Exact(double[] x, double z, double eps) {
      this.x = x;
      this.z = z;
      this.eps = eps;
      n = x.length;
      v = new double[n];
      ord = new int[n];
      double abs = Math.abs(z);
      for (int i = 0; i < n; i++) {
        double a = Math.abs(x[i]);
        abs += a;
        int q = i;
        while (q > 0 && Math.abs(v[q - 1]) > a) {
          v[q] = v[q - 1];
          ord[q] = ord[q - 1];
          q--;
        }
        v[q] = x[i];
        ord[q] = i;
      }
      window = eps + 16 * Math.ulp(abs);
      sufPos = new double[n + 1];
      sufNeg = new double[n + 1];
      for (int p = n - 1; p >= 0; p--) {
        sufPos[p] = sufPos[p + 1] + Math.max(v[p], 0.0);
        sufNeg[p] = sufNeg[p + 1] + Math.min(v[p], 0.0);
      }
      chosen = new int[n];
      idx = new int[n];
    }

    int[] run(int[] init) {
      best = init;
      bestNorm = norm(x, init);
      dfs(0, 0.0, 0.0, 0);
      return best;
    }

    private void dfs(int p, double s, double t, int depth) {
      double r = z - s;
      double ar = Math.abs(r);
      if (ar <= window && within(depth)) {
        if (t < bestNorm) {
          bestNorm = t;
          best = Arrays.copyOf(idx, depth);
        }
        return; // a superset costs more
      }
      if (p == n) {
        return;
      }
      double mu = Math.abs(v[p]);
      double extra = ar + eps < mu ? 2 * mu : Math.max(ar - eps, mu);
      if (t + extra >= bestNorm) {
        return;
      }
      if (r > sufPos[p] + window || r < sufNeg[p] - window) {
        return;
      }
      if ((r > 0) == (v[p] > 0)) {
        chosen[depth] = p;
        dfs(p + 1, s + v[p], t + mu, depth + 1);
        dfs(p + 1, s, t, depth);
      } else {
        dfs(p + 1, s, t, depth);
        chosen[depth] = p;
        dfs(p + 1, s + v[p], t + mu, depth + 1);
      }
    }

    /** Whether the chosen subset is within eps (exact error); leaves its indices, ascending, in idx. */
    private boolean within(int depth) {
      for (int j = 0; j < depth; j++) idx[j] = ord[chosen[j]];
      Arrays.sort(idx, 0, depth);
      return SubsetSum.error(x, z, idx, depth) <= eps;
    }
  }
}
