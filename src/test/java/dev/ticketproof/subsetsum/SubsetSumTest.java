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
    double[] x = new double[62];
    for (int i = 0; i < x.length; i++) x[i] = rng.nextDouble(-1, 1);
    for (Mode mode : new Mode[] {Mode.MIN_SIZE, Mode.FIRST_HIT}) {
      Solution s = SubsetSum.solve(x, 0.377, 1e-6, mode);
      assertThat(s.withinEps()).isTrue();
    }
    double[] tiny = new double[62];
    for (int i = 0; i < tiny.length; i++) tiny[i] = 1e-4;
    assertThat(SubsetSum.solve(tiny, 1.0, 1e-3, Mode.FIRST_HIT).withinEps()).isFalse();
    assertThat(SubsetSum.solve(tiny, 1.0, 1e-3, Mode.MIN_SIZE).size()).isEqualTo(62);
    double[] x40 = java.util.Arrays.copyOf(x, 40);
    Solution e = SubsetSum.solve(x40, 0.377, 1e-3, Mode.EXACT);
    assertThat(e.achievedError()).isLessThan(1e-6);
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
    assertThatThrownBy(() -> SubsetSum.solve(new double[63], 0, 0.1, Mode.MIN_SIZE)).hasMessageContaining("63");
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
}
