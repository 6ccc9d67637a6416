package dev.ticketproof.subsetsum;

import java.util.Arrays;

/**
 * Smallest subsets within eps over candidates sorted by value (the engine of {@link SubsetSum.Mode#MIN_SIZE}).
 *
 * <ul>
 *   <li>size 0 and 1: a scan;</li>
 *   <li>size 2: two pointers on the sorted candidates, O(n);</li>
 *   <li>size 3: for each candidate, two pointers on the candidates after it, the upper one started below the
 *       largest candidate that can complete a triple, O(n^2);</li>
 *   <li>size 4: two disjoint pairs; the n(n-1)/2 pair sums are hashed into buckets of equal width, and each pair
 *       is looked up among the pairs before it, then inserted, so the search stops at the first hit (typically
 *       after a fraction of the pairs), O(n^2) for smooth distributions; when every candidate is positive, only the
 *       pairs that can be part of a hit are listed (see {@link #quadruplePositive()});</li>
 *   <li>size k &ge; 5: depth-first enumeration of k - 2 candidates in increasing position with interval pruning
 *       (the sums of the r smallest and of the r largest candidates bound what r more candidates can add), each
 *       leaf looking up the missing pair in the pair table; the enumeration stops after a node budget.</li>
 * </ul>
 *
 * <p>Sizes 0 to 4 are searched exhaustively: the first size with a subset within eps is the minimum cardinality up
 * to 4. Decisions on computed sums are widened by a slack of a few ulps of the total magnitude and every candidate
 * subset is confirmed by {@link SubsetSum#error(double[], double, int[], int)}, so no subset within eps is missed
 * except when the exact error lies within that slack of eps.
 *
 * <p>One instance per thread ({@link #get()}); it keeps its arrays between calls.
 */
final class MinSizeSearch {
  private static final ThreadLocal<MinSizeSearch> LOCAL = ThreadLocal.withInitial(MinSizeSearch::new);
  private static final int N = SubsetSum.MAX_N;

  // candidates sorted by value; perm maps a position to the caller's index
  private final double[] s = new double[N];
  private final int[] perm = new int[N];
  private final double[] pre = new double[N + 1];
  private final int[] count = new int[N + 1];
  private final boolean[] used = new boolean[N];
  private final int[] pick = new int[N];
  private final int[] idx = new int[N];
  private double[] x;
  private int n;
  private double z;
  private double eps;
  private double window;

  // pair table: every pair of positions (in the callers' index order), hashed by sum into buckets of equal width
  private double[] pairSum = new double[0];
  private int[] pairCode = new int[0];
  private int[] next = new int[0];
  private int[] head = new int[0];
  private final int[] posOf = new int[N];
  private int pairs;
  private int buckets;
  private double pairLo;
  private double pairInv;
  private double margin;
  private boolean tablePrepared;
  /** Pairs 0 .. inserted-1 are in the buckets. */
  private int inserted;

  // enumeration budget
  private long nodes;
  private long budget;
  boolean exhausted;
  /** The first size whose enumeration ran out of budget (meaningful when {@link #exhausted}). */
  int exhaustedAt;

  static MinSizeSearch get() { return LOCAL.get(); }

  /** A new, independent instance (for a second search alive at the same time on the same thread). */
  static MinSizeSearch fresh() { return new MinSizeSearch(); }

  /** Order-preserving map of a double onto a signed long. */
  static long sortable(double d) {
    long b = Double.doubleToLongBits(d);
    return b ^ ((b >> 63) & Long.MAX_VALUE);
  }

  /**
   * Loads candidates {@code x} (length at most {@link SubsetSum#MAX_N}) for target z and tolerance eps; sorts them.
   */
  void load(double[] values, double target, double tolerance) {
    double abs = Math.abs(target);
    for (int i = 0; i < values.length; i++) abs += Math.abs(values[i]);
    load(values, values.length, target, tolerance, abs);
  }

  /**
   * Loads candidates {@code values[0..count)} for target z and tolerance eps, with the decisions' slack taken from
   * {@code abs} (at least \( |z| + \sum_i |x_i| \) over the candidates) instead of the candidates' own sum; sorts them.
   */
  void load(double[] values, int size, double target, double tolerance, double abs) {
    x = values;
    n = size;
    tablePrepared = false;
    sortByValue(values, n, n, s, perm, count);
    pre[0] = 0;
    for (int p = 0; p < n; p++) pre[p + 1] = pre[p] + s[p];
    retarget(target, tolerance, abs);
  }

  /**
   * Sorts {@code values[0..n)} ascending into {@code sorted}, with {@code perm[p]} the index of {@code sorted[p]};
   * ties by index. A bucket pass over [min, max] (n buckets) and an insertion pass: O(n) for values spread smoothly
   * over their range (the random candidates), O(n^2) at worst (n &le; {@link SubsetSum#MAX_N}). Only the first
   * {@code k} positions are sorted: the insertion pass stops after the bucket that holds the k-th smallest value
   * (every later bucket holds larger values); {@code sorted} is not written after that bucket.
   *
   * @param count scratch of at least n + 1 ints
   */
  static void sortByValue(double[] values, int n, int k, double[] sorted, int[] perm, int[] count) {
    if (n == 0) return;
    double lo = values[0];
    double hi = values[0];
    for (int i = 1; i < n; i++) {
      lo = Math.min(lo, values[i]);
      hi = Math.max(hi, values[i]);
    }
    double scale = hi > lo ? (n - 1) / (hi - lo) : 0.0;
    java.util.Arrays.fill(count, 0, n + 1, 0);
    for (int i = 0; i < n; i++) count[bucketOf(values[i], lo, scale, n) + 1]++;
    for (int b = 0; b < n; b++) count[b + 1] += count[b];
    // count[b] is now the start of bucket b; the insertion pass covers the buckets up to the one with position k - 1
    int end = n;
    if (k < n) {
      int b = 0;
      while (count[b + 1] < k) b++;
      end = count[b + 1];
    }
    for (int i = 0; i < n; i++) perm[count[bucketOf(values[i], lo, scale, n)]++] = i;
    for (int p = 0; p < end; p++) {
      int i = perm[p];
      double v = values[i];
      int q = p;
      while (q > 0 && sorted[q - 1] > v) {
        sorted[q] = sorted[q - 1];
        perm[q] = perm[q - 1];
        q--;
      }
      sorted[q] = v;
      perm[q] = i;
    }
  }

  private static int bucketOf(double v, double lo, double scale, int n) {
    int b = (int) ((v - lo) * scale);
    return b < 0 ? 0 : b >= n ? n - 1 : b;
  }

  /** Changes the target (and tolerance) of the loaded candidates; the pair table stays valid. */
  void retarget(double target, double tolerance) {
    double abs = Math.abs(target);
    for (int p = 0; p < n; p++) abs += Math.abs(s[p]);
    retarget(target, tolerance, abs);
  }

  private void retarget(double target, double tolerance, double abs) {
    z = target;
    eps = tolerance;
    window = tolerance + 16 * Math.ulp(abs);
    margin = 4 * Math.ulp(abs);
  }

  /** Indices (the caller's) of the candidates at the given sorted positions, ascending. */
  private int[] indicesOf(int[] positions, int k) {
    int[] r = new int[k];
    for (int j = 0; j < k; j++) r[j] = perm[positions[j]];
    Arrays.sort(r);
    return r;
  }

  /** Whether the subset at the given sorted positions is within eps (exact error). */
  private boolean confirm(int[] positions, int k) {
    for (int j = 0; j < k; j++) idx[j] = perm[positions[j]];
    Arrays.sort(idx, 0, k);
    return SubsetSum.error(x, z, idx, k) <= eps;
  }

  private boolean confirm(int a) {
    pick[0] = a;
    return confirm(pick, 1);
  }

  private boolean confirm(int a, int b) {
    pick[0] = a;
    pick[1] = b;
    return confirm(pick, 2);
  }

  private boolean confirm(int a, int b, int c) {
    pick[0] = a;
    pick[1] = b;
    pick[2] = c;
    return confirm(pick, 3);
  }

  private boolean confirm(int a, int b, int c, int d) {
    pick[0] = a;
    pick[1] = b;
    pick[2] = c;
    pick[3] = d;
    return confirm(pick, 4);
  }

  /** Whether z is reachable, up to eps, by exactly k candidates (between the k smallest and the k largest). */
  private boolean sizeInRange(int k) {
    return z >= pre[k] - window && z <= pre[n] - pre[n - k] + window;
  }

  /**
   * A subset of minimum cardinality within eps among the sizes 0 to {@code maxSize} (at most 4), as the caller's
   * indices ascending; null when no subset of size at most {@code maxSize} is within eps.
   */
  int[] upTo(int maxSize) {
    if (Math.abs(z) <= eps) return new int[0];
    if (maxSize >= 1 && n >= 1) {
      for (int p = 0; p < n; p++) {
        if (Math.abs(s[p] - z) <= window && confirm(p)) return indicesOf(pick, 1);
      }
    }
    if (maxSize >= 2 && n >= 2 && sizeInRange(2) && pair()) return indicesOf(pick, 2);
    if (maxSize >= 3 && n >= 3 && sizeInRange(3) && triple()) return indicesOf(pick, 3);
    if (maxSize >= 4 && n >= 4 && sizeInRange(4) && quadruple()) return indicesOf(pick, 4);
    return null;
  }

  /** Two pointers: every pair not visited is farther from z than a visited one. */
  private boolean pair() {
    int i = 0;
    int j = n - 1;
    if (n >= 2 && s[0] + s[j] - z > window) {
      // the pairs (0, j) more than window above z are no hits and move j down: skip them by bisection
      int lo = 0;
      while (j - lo > 1) {
        int mid = (lo + j) >>> 1;
        if (s[0] + s[mid] - z > window) j = mid;
        else lo = mid;
      }
      j = lo;
    }
    while (i < j) {
      double t = s[i] + s[j];
      if (Math.abs(t - z) <= window && confirm(i, j)) return true;
      int lt = t < z ? 1 : 0;
      i += lt;
      j -= 1 - lt;
    }
    return false;
  }

  private boolean triple() {
    int top = n - 1; // no third candidate above s[top] can complete a triple (the bound falls as a grows)
    for (int a = 0; a < n - 2; a++) {
      double sa = s[a];
      if (sa + s[a + 1] + s[a + 2] > z + window) break;
      if (sa + s[n - 2] + s[n - 1] < z - window) continue;
      double cap = z - sa - s[a + 1] + window + margin;
      if (top > a + 2 && s[top] > cap) {
        // down to the last candidate at most cap, or to a + 2, by bisection
        int lo = a + 2;
        while (top - lo > 1) {
          int mid = (lo + top) >>> 1;
          if (s[mid] > cap) top = mid;
          else lo = mid;
        }
        top = lo;
      }
      if (tripleFrom(a, top)) return true;
    }
    return false;
  }

  /** Two pointers over the candidates after a, up to top, for z - s[a]. */
  private boolean tripleFrom(int a, int top) {
    double sa = s[a];
    int i = a + 1;
    int j = top;
    while (i < j) {
      double t = sa + s[i] + s[j];
      if (Math.abs(t - z) <= window && confirm(a, i, j)) return true;
      int lt = t < z ? 1 : 0;
      i += lt;
      j -= 1 - lt;
    }
    return false;
  }

  /**
   * Lists the n(n-1)/2 pairs (sum and positions) in the callers' index order, which is random for random
   * candidates, so that an incremental search meets a hit early; empties the buckets.
   */
  private void prepareTable() {
    if (tablePrepared) return;
    tablePrepared = true;
    int p = n * (n - 1) / 2;
    int b = Integer.highestOneBit(Math.max(1, p - 1)) << 1;
    if (pairSum.length < p) {
      pairSum = new double[p];
      pairCode = new int[p];
      next = new int[p];
    }
    if (head.length < b) head = new int[b];
    pairs = p;
    buckets = b;
    for (int q = 0; q < n; q++) posOf[perm[q]] = q;
    int e = 0;
    for (int i = 0; i < n; i++) {
      int pi = posOf[i];
      double si = s[pi];
      for (int j = i + 1; j < n; j++) {
        int pj = posOf[j];
        pairSum[e] = si + s[pj];
        pairCode[e++] = pi << 8 | pj;
      }
    }
    double lo = s[0] + s[1];
    double hi = s[n - 2] + s[n - 1];
    pairLo = lo;
    pairInv = hi > lo ? b / (hi - lo) : 0.0;
    Arrays.fill(head, 0, b, -1);
    inserted = 0;
  }

  private int bucket(double v) {
    double f = (v - pairLo) * pairInv;
    return f <= 0 ? 0 : f >= buckets ? buckets - 1 : (int) f;
  }

  private void insert(int e) {
    int k = bucket(pairSum[e]);
    next[e] = head[k];
    head[k] = e;
  }

  /**
   * Two disjoint pairs whose sums add up to z within eps. Pair e is looked up among the pairs before it and then
   * inserted, so the search may stop long before the table is complete; every two pairs are compared once.
   */
  private boolean quadruple() {
    if (s[0] > 0) return quadruplePositive();
    prepareTable();
    for (int e = 0; e < pairs; e++) {
      double se = pairSum[e];
      double v = z - se;
      int code = pairCode[e];
      int a = code >>> 8;
      int b = code & 0xFF;
      int k1 = bucket(v + window + margin);
      for (int k = bucket(v - window - margin); k <= k1; k++) {
        for (int f = head[k]; f >= 0; f = next[f]) {
          if (f >= e) continue;
          if (Math.abs(se + pairSum[f] - z) > window) continue;
          int cf = pairCode[f];
          int c = cf >>> 8;
          int d = cf & 0xFF;
          if (a == c || a == d || b == c || b == d) continue;
          if (confirm(a, b, c, d)) return true;
        }
      }
      if (e == inserted) {
        insert(e);
        inserted++;
      }
    }
    return false;
  }

  /**
   * Two disjoint pairs within eps of z when every candidate is positive (the helpers of
   * {@link SubsetSum.Mode#MIN_NORM}): the larger pair of a hit sums to at most z + eps minus the two smallest
   * candidates, the smaller one to at most (z + eps) / 2, so only the pairs up to the first bound are hashed and
   * only those up to the second looked up. The cost follows the number of such pairs, small for targets below the
   * typical candidate. Leaves the shared pair table to be rebuilt by {@link #prepareTable()}.
   */
  private boolean quadruplePositive() {
    tablePrepared = false;
    double w = window + margin;
    double maxPair = z - s[0] - s[1] + w;
    int cap = n * (n - 1) / 2;
    if (pairSum.length < cap) {
      pairSum = new double[cap];
      pairCode = new int[cap];
      next = new int[cap];
    }
    int p = 0;
    double hi = s[0] + s[1];
    for (int i = 0; i < n - 1 && s[i] + s[i + 1] <= maxPair; i++) {
      for (int j = i + 1; j < n; j++) {
        double t = s[i] + s[j];
        if (t > maxPair) break;
        hi = Math.max(hi, t);
        pairSum[p] = t;
        pairCode[p++] = i << 8 | j;
      }
    }
    if (p < 2) return false;
    int b = Integer.highestOneBit(p - 1) << 1;
    if (head.length < b) head = new int[b];
    buckets = b;
    pairLo = s[0] + s[1];
    pairInv = hi > pairLo ? b / (hi - pairLo) : 0.0;
    Arrays.fill(head, 0, b, -1);
    for (int e = 0; e < p; e++) insert(e);
    double half = z / 2 + w;
    for (int e = 0; e < p; e++) {
      double se = pairSum[e];
      if (se > half) continue;
      double v = z - se;
      int code = pairCode[e];
      int a = code >>> 8;
      int c = code & 0xFF;
      int k1 = bucket(v + w);
      for (int k = bucket(v - w); k <= k1; k++) {
        for (int f = head[k]; f >= 0; f = next[f]) {
          if (f == e || Math.abs(se + pairSum[f] - z) > window) continue;
          int cf = pairCode[f];
          int d = cf >>> 8;
          int g = cf & 0xFF;
          if (a == d || a == g || c == d || c == g) continue;
          if (confirm(a, c, d, g)) return true;
        }
      }
    }
    return false;
  }

  /**
   * The smallest subset within eps among the sizes 5 to n, enumerated size by size within a budget of
   * {@code nodeBudget} enumeration nodes (sizes 0 to 4 must have been excluded by {@link #upTo(int)}); null when
   * none was found. {@link #exhausted} tells whether the budget ran out, {@link #exhaustedAt} at which size.
   */
  int[] fromFive(long nodeBudget) {
    nodes = 0;
    budget = nodeBudget;
    exhausted = false;
    if (n < 5) return null;
    prepareTable();
    while (inserted < pairs) insert(inserted++);
    Arrays.fill(used, 0, n, false);
    for (int k = 5; k <= n; k++) {
      if (!sizeInRange(k)) continue;
      if (prefix(k, k - 2, 0, 0, 0.0)) {
        // pick[0..k-2) are the prefix positions, pick[k-2], pick[k-1] the pair
        return indicesOf(pick, k);
      }
      if (exhausted) {
        exhaustedAt = k;
        return null;
      }
    }
    return null;
  }

  private boolean prefix(int k, int depth, int level, int from, double partial) {
    if (level == depth) return lookup(k, z - partial);
    int rest = k - level - 1; // picks after this one, the pair included
    double maxRest = pre[n] - pre[n - rest];
    double minRest = pre[rest];
    for (int j = from, last = n - (depth - level); j <= last; j++) {
      if (++nodes > budget) {
        exhausted = true;
        return false;
      }
      double np = partial + s[j];
      double rem = z - np;
      if (rem < minRest - window) break;
      if (rem > maxRest + window) continue;
      used[j] = true;
      pick[level] = j;
      boolean hit = prefix(k, depth, level + 1, j + 1, np);
      used[j] = false;
      if (hit) return true;
      if (exhausted) return false;
    }
    return false;
  }

  /** A pair disjoint from the prefix with sum within [v - window, v + window] whose subset is within eps. */
  private boolean lookup(int k, double v) {
    int k1 = bucket(v + window + margin);
    for (int q = bucket(v - window - margin); q <= k1; q++) {
      for (int f = head[q]; f >= 0; f = next[f]) {
        if (Math.abs(pairSum[f] - v) > window) continue;
        int cf = pairCode[f];
        int a = cf >>> 8;
        int c = cf & 0xFF;
        if (used[a] || used[c]) continue;
        pick[k - 2] = a;
        pick[k - 1] = c;
        if (confirm(pick, k)) return true;
      }
    }
    return false;
  }

  /**
   * Local improvement of a subset within eps (the caller's indices): repeatedly drops one candidate, or replaces
   * two by one, while the subset stays within eps. Returns the (possibly) smaller subset, ascending.
   */
  int[] shrink(int[] subset) {
    boolean[] in = new boolean[n];
    int[] pos = new int[n];
    for (int p = 0; p < n; p++) pos[perm[p]] = p;
    int k = subset.length;
    int[] cur = new int[k];
    for (int j = 0; j < k; j++) {
      cur[j] = pos[subset[j]];
      in[cur[j]] = true;
    }
    boolean changed = true;
    while (changed && k > 1) {
      changed = false;
      double sum = 0;
      for (int j = 0; j < k; j++) sum += s[cur[j]];
      // drop one
      for (int j = 0; j < k && !changed; j++) {
        int[] t = without(cur, k, j, -1);
        if (Math.abs(sum - s[cur[j]] - z) <= window && confirm(t, k - 1)) {
          in[cur[j]] = false;
          System.arraycopy(t, 0, cur, 0, k - 1);
          k--;
          changed = true;
        }
      }
      // two by one
      for (int j = 0; j < k && !changed; j++) {
        for (int l = j + 1; l < k && !changed; l++) {
          double need = z - (sum - s[cur[j]] - s[cur[l]]);
          int c = Arrays.binarySearch(s, 0, n, need - window);
          if (c < 0) c = -c - 1;
          while (c > 0 && s[c - 1] >= need - window) c--;
          for (; c < n && s[c] <= need + window; c++) {
            if (in[c]) continue;
            int[] t = without(cur, k, j, l);
            t[k - 2] = c;
            if (confirm(t, k - 1)) {
              in[cur[j]] = false;
              in[cur[l]] = false;
              in[c] = true;
              System.arraycopy(t, 0, cur, 0, k - 1);
              k--;
              changed = true;
              break;
            }
          }
        }
      }
    }
    return indicesOf(cur, k);
  }

  private static int[] without(int[] cur, int k, int j, int l) {
    int[] t = new int[k];
    int o = 0;
    for (int m = 0; m < k; m++) {
      if (m != j && m != l) t[o++] = cur[m];
    }
    return t;
  }
}
