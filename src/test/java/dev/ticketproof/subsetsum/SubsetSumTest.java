package dev.ticketproof.subsetsum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.subsetsum.SubsetSum.Mode;
import dev.ticketproof.subsetsum.SubsetSum.Solution;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;

class SubsetSumTest {
  private static double bruteOptimum(double[] x, double z) {
    double best = Double.POSITIVE_INFINITY;
    for (long m = 0; m < (1L << x.length); m++) {
      best = Math.min(best, SubsetSum.error(x, z, m));
    }
    return best;
  }

  private static int bruteMinSize(double[] x, double z, double eps) {
    int best = Integer.MAX_VALUE;
    for (long m = 0; m < (1L << x.length); m++) {
      if (SubsetSum.error(x, z, m) <= eps) {
        best = Math.min(best, Long.bitCount(m));
      }
    }
    return best;
  }

  private static double sum(double[] x, int[] idx) {
    double s = 0;
    for (int i : idx) s += x[i];
    return s;
  }

  @Test
  void allModesAgreeWithBruteForceOnSmallInstances() {
    UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(42L);
    for (int trial = 0; trial < 400; trial++) {
      int n = rng.nextInt(13);
      double[] x = new double[n];
      for (int i = 0; i < n; i++) x[i] = rng.nextDouble(-1, 1);
      double z = rng.nextDouble(-1.5, 1.5);
      double eps = Math.pow(10, -rng.nextDouble(1, 4));
      double opt = bruteOptimum(x, z);
      int minSize = bruteMinSize(x, z, eps);
      for (Mode mode : Mode.values()) {
        Solution s = SubsetSum.solve(x, z, eps, mode);
        String ctx = "trial " + trial + " mode " + mode + " n=" + n + " z=" + z + " eps=" + eps + " " + s;
        assertThat(s.achievedError()).as(ctx).isCloseTo(Math.abs(z - sum(x, s.indices())), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.withinEps()).as(ctx).isEqualTo(opt <= eps);
        if (!s.withinEps() || mode == Mode.EXACT) {
          assertThat(s.achievedError()).as(ctx).isLessThanOrEqualTo(opt + 1e-12);
        }
        if (mode == Mode.MIN_SIZE && s.withinEps()) {
          assertThat(s.size()).as(ctx).isEqualTo(minSize);
        }
        int[] idx = s.indices();
        for (int k = 1; k < idx.length; k++) assertThat(idx[k]).as(ctx).isGreaterThan(idx[k - 1]);
      }
    }
  }

  @Test
  void infeasibleTinyCandidatesReturnTheBestSubset() {
    double[] x = new double[20];
    for (int i = 0; i < x.length; i++) x[i] = 1e-3 * (i + 1);
    // total is 0.21: target 1 cannot be reached, the best subset takes everything
    for (Mode mode : Mode.values()) {
      Solution s = SubsetSum.solve(x, 1.0, 0.01, mode);
      assertThat(s.withinEps()).as(mode.toString()).isFalse();
      assertThat(s.size()).as(mode.toString()).isEqualTo(20);
      assertThat(s.achievedError()).as(mode.toString()).isCloseTo(0.79, org.assertj.core.data.Offset.offset(1e-12));
    }
  }

  @Test
  void largeBaseSetsWork() {
    UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(7L);
    double[] x = new double[SubsetSum.MAX_N];
    for (int i = 0; i < x.length; i++) x[i] = rng.nextDouble(-1, 1);
    for (int n : new int[] {41, 62, 64, 128, 256}) {
      double[] xn = java.util.Arrays.copyOf(x, n);
      for (Mode mode : new Mode[] {Mode.MIN_SIZE, Mode.FIRST_HIT, Mode.MIN_NORM}) {
        Solution s = SubsetSum.solve(xn, 0.377, 1e-6, mode);
        assertThat(s.withinEps()).as("n=%d %s %s", n, mode, s).isTrue();
        assertThat(s.achievedError()).isCloseTo(Math.abs(0.377 - sum(xn, s.indices())), org.assertj.core.data.Offset.offset(1e-12));
      }
    }
    double[] tiny = new double[SubsetSum.MAX_N];
    for (int i = 0; i < tiny.length; i++) tiny[i] = 1e-4;
    for (Mode mode : new Mode[] {Mode.MIN_SIZE, Mode.FIRST_HIT, Mode.MIN_NORM}) {
      Solution s = SubsetSum.solve(tiny, 1.0, 1e-3, mode);
      assertThat(s.withinEps()).as(mode.toString()).isFalse();
      assertThat(s.size()).as(mode.toString()).isEqualTo(SubsetSum.MAX_N);
    }
    double[] x40 = java.util.Arrays.copyOf(x, 40);
    Solution e = SubsetSum.solve(x40, 0.377, 1e-3, Mode.EXACT);
    assertThat(e.achievedError()).isLessThan(1e-6);
  }

  @Test
  void targetsOutOfReachReturnAllCandidatesOfTheirSign() {
    UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(8L);
    for (int trial = 0; trial < 50; trial++) {
      int n = 1 + rng.nextInt(SubsetSum.MAX_N);
      double[] x = new double[n];
      double pos = 0;
      double neg = 0;
      for (int i = 0; i < n; i++) {
        x[i] = rng.nextDouble(-1, 1);
        if (x[i] > 0) pos += x[i];
        else neg += x[i];
      }
      boolean above = trial % 2 == 0;
      double z = above ? pos + 0.01 + rng.nextDouble() : neg - 0.01 - rng.nextDouble();
      for (Mode mode : Mode.values()) {
        if (n > mode.maxN()) continue;
        Solution s = SubsetSum.solve(x, z, 1e-3, mode);
        String ctx = "trial " + trial + " n=" + n + " mode " + mode;
        assertThat(s.withinEps()).as(ctx).isFalse();
        int[] idx = s.indices();
        int k = 0;
        for (int i = 0; i < n; i++) {
          if (above ? x[i] > 0 : x[i] < 0) {
            assertThat(idx[k++]).as(ctx).isEqualTo(i);
          }
        }
        assertThat(k).as(ctx).isEqualTo(idx.length);
      }
    }
  }

  /** Brute force over all subsets of at most 4 of the candidates: the least size within eps, or 5 if none. */
  private static int bruteMinSizeUpToFour(double[] x, double z, double eps) {
    int n = x.length;
    if (Math.abs(z) <= eps) return 0;
    int best = 5;
    for (int a = 0; a < n; a++) {
      if (SubsetSum.error(x, z, 1L << a) <= eps) return 1;
      for (int b = a + 1; b < n; b++) {
        double sab = x[a] + x[b];
        if (Math.abs(sab - z) <= eps + 1e-12 && SubsetSum.error(x, z, 1L << a | 1L << b) <= eps) best = Math.min(best, 2);
        if (best <= 3) continue;
        for (int c = b + 1; c < n; c++) {
          double sabc = sab + x[c];
          long mabc = 1L << a | 1L << b | 1L << c;
          if (Math.abs(sabc - z) <= eps + 1e-12 && SubsetSum.error(x, z, mabc) <= eps) best = Math.min(best, 3);
          if (best <= 4) continue;
          for (int d = c + 1; d < n; d++) {
            if (Math.abs(sabc + x[d] - z) <= eps + 1e-12 && SubsetSum.error(x, z, mabc | 1L << d) <= eps) best = 4;
          }
        }
      }
    }
    return best;
  }

  @Test
  void minSizeIsExactUpToFourOnWiderSets() {
    UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(9L);
    int[] seen = new int[6];
    for (int trial = 0; trial < 60; trial++) {
      int n = trial % 2 == 0 ? 24 : 40;
      double[] x = new double[n];
      for (int i = 0; i < n; i++) x[i] = rng.nextDouble(-1, 1);
      double z = rng.nextDouble(-1, 1);
      double eps = Math.pow(10, -3 - rng.nextInt(3));
      int brute = bruteMinSizeUpToFour(x, z, eps);
      Solution s = SubsetSum.solve(x, z, eps, Mode.MIN_SIZE);
      String ctx = "trial " + trial + " n=" + n + " z=" + z + " eps=" + eps + " " + s;
      seen[Math.min(brute, 5)]++;
      if (brute <= 4) {
        assertThat(s.withinEps()).as(ctx).isTrue();
        assertThat(s.size()).as(ctx).isEqualTo(brute);
      } else if (s.withinEps()) {
        assertThat(s.size()).as(ctx).isGreaterThanOrEqualTo(5);
      } else {
        assertThat(SubsetSum.optimalError(x, z)).as(ctx).isGreaterThan(eps);
      }
    }
    assertThat(seen[3] + seen[4]).as("sizes seen " + java.util.Arrays.toString(seen)).isGreaterThan(10);
    assertThat(seen[5]).as("sizes seen " + java.util.Arrays.toString(seen)).isGreaterThan(0);
  }

  @Test
  void minSizeIsExactUpToFortyEvenForLargeMinima() {
    // eps = 1e-6 at n = 18..20: the minima are large (often 7 to 10), beyond the cheap enumeration, so the meet in
    // the middle by size decides; brute force over all 2^n subsets
    UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(11L);
    int feasible = 0;
    int large = 0;
    for (int trial = 0; trial < 24; trial++) {
      int n = 18 + trial % 3;
      double[] x = new double[n];
      for (int i = 0; i < n; i++) x[i] = rng.nextDouble(-1, 1);
      double z = rng.nextDouble(-1, 1);
      double eps = 1e-6;
      double[] sums = new double[1 << n];
      int min = Integer.MAX_VALUE;
      for (int m = 1; m < sums.length; m++) {
        sums[m] = sums[m & (m - 1)] + x[Integer.numberOfTrailingZeros(m)];
        if (Integer.bitCount(m) < min && Math.abs(sums[m] - z) <= eps + 1e-12 && SubsetSum.error(x, z, m) <= eps) {
          min = Integer.bitCount(m);
        }
      }
      Solution s = SubsetSum.solve(x, z, eps, Mode.MIN_SIZE);
      String ctx = "trial " + trial + " n=" + n + " z=" + z + " " + s;
      if (min == Integer.MAX_VALUE) {
        assertThat(s.withinEps()).as(ctx).isFalse();
        assertThat(s.achievedError()).as(ctx).isEqualTo(SubsetSum.optimalError(x, z));
      } else {
        feasible++;
        if (min >= 5) large++;
        assertThat(s.withinEps()).as(ctx).isTrue();
        assertThat(s.size()).as(ctx).isEqualTo(min);
      }
    }
    assertThat(large).as("feasible " + feasible).isGreaterThan(3);
  }

  @Test
  void minSizeBeyondTheBudgetReturnsASmallSubsetWithinEps() {
    // eps = 1e-9 with 60 candidates: the minimum size is about 6, beyond what the budget enumerates
    UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(10L);
    double[] x = new double[60];
    for (int i = 0; i < x.length; i++) x[i] = rng.nextDouble(-1, 1);
    Solution s = SubsetSum.solve(x, 0.61803, 1e-9, Mode.MIN_SIZE);
    assertThat(s.withinEps()).as(s.toString()).isTrue();
    assertThat(s.size()).as(s.toString()).isGreaterThanOrEqualTo(5).isLessThanOrEqualTo(20);
  }

  @Test
  void preconditionsNameTheHypothesis() {
    double[] x = {0.5, -0.25};
    assertThatThrownBy(() -> SubsetSum.solve(x, 0.1, 0.0, Mode.EXACT)).hasMessageContaining("eps");
    assertThatThrownBy(() -> SubsetSum.solve(x, 0.1, Double.NaN, Mode.EXACT)).hasMessageContaining("eps");
    assertThatThrownBy(() -> SubsetSum.solve(x, Double.NaN, 0.1, Mode.EXACT)).hasMessageContaining("target");
    assertThatThrownBy(() -> SubsetSum.solve(new double[] {1, Double.POSITIVE_INFINITY}, 0, 0.1, Mode.MIN_SIZE))
        .hasMessageContaining("base value 1");
    assertThatThrownBy(() -> SubsetSum.solve(new double[41], 0, 0.1, Mode.EXACT)).hasMessageContaining("41");
    assertThatThrownBy(() -> SubsetSum.solve(new double[257], 0, 0.1, Mode.MIN_SIZE)).hasMessageContaining("257");
    assertThatThrownBy(() -> SubsetSum.solve(new double[257], 0, 0.1, Mode.MIN_NORM)).hasMessageContaining("257");
    assertThatThrownBy(() -> Mode.ofCliName("fast")).hasMessageContaining("fast");
  }

  @Test
  void concurrentCallsGiveTheSameAnswers() throws Exception {
    UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(3L);
    int cases = 2000;
    double[][] xs = new double[cases][];
    double[] zs = new double[cases];
    for (int c = 0; c < cases; c++) {
      xs[c] = new double[8 + rng.nextInt(14)];
      for (int i = 0; i < xs[c].length; i++) xs[c][i] = rng.nextDouble(-1, 1);
      zs[c] = rng.nextDouble(-1, 1);
    }
    Solution[] serial = new Solution[cases];
    for (int c = 0; c < cases; c++) serial[c] = SubsetSum.solve(xs[c], zs[c], 1e-3, Mode.EXACT);
    Solution[] parallel = java.util.stream.IntStream.range(0, cases).parallel()
        .mapToObj(c -> SubsetSum.solve(xs[c], zs[c], 1e-3, Mode.EXACT)).toArray(Solution[]::new);
    assertThat(parallel).containsExactly(serial);
  }

  @Test
  void wideSetsGiveTheSameAnswersOnAnyThreadInAnyOrder() {
    UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(4L);
    int cases = 600;
    double[][] xs = new double[cases][];
    double[] zs = new double[cases];
    for (int c = 0; c < cases; c++) {
      xs[c] = new double[8 + rng.nextInt(121)];
      for (int i = 0; i < xs[c].length; i++) xs[c][i] = rng.nextDouble(-1, 1);
      zs[c] = rng.nextDouble(-1.2, 1.2);
    }
    for (Mode mode : new Mode[] {Mode.MIN_SIZE, Mode.FIRST_HIT, Mode.MIN_NORM}) {
      Solution[] serial = new Solution[cases];
      for (int c = 0; c < cases; c++) serial[c] = SubsetSum.solve(xs[c], zs[c], 1e-4, mode);
      Solution[] parallel = java.util.stream.IntStream.range(0, cases).parallel()
          .map(c -> cases - 1 - c)
          .mapToObj(c -> SubsetSum.solve(xs[c], zs[c], 1e-4, mode)).toArray(Solution[]::new);
      for (int c = 0; c < cases; c++) {
        assertThat(parallel[cases - 1 - c]).as("%s case %d", mode, c).isEqualTo(serial[c]);
      }
    }
  }
}
