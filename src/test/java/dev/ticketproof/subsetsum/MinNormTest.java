package dev.ticketproof.subsetsum;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.random.WeightField;
import org.junit.jupiter.api.Test;

/** {@code min-norm} finds, among the subsets within eps, one of least squared norm (checked by brute force). */
class MinNormTest {
  @Test
  void matchesBruteForceOnSmallInstances() {
    int feasible = 0;
    for (int t = 0; t < 400; t++) {
      int n = 1 + t % 14;
      double[] x = new double[n];
      for (int i = 0; i < n; i++) x[i] = WeightField.uniform(11, t, i, -1, 1);
      double z = WeightField.uniform(12, 0, t, -1.5, 1.5);
      double eps = t % 3 == 0 ? 0.1 : 0.01;
      SubsetSum.Solution s = SubsetSum.solve(x, z, eps, SubsetSum.Mode.MIN_NORM);
      double bestNorm = Double.POSITIVE_INFINITY;
      for (long m = 0; m < (1L << n); m++) {
        if (SubsetSum.error(x, z, m) <= eps) {
          double q = 0;
          for (int i = 0; i < n; i++) if ((m >> i & 1) != 0) q += x[i] * x[i];
          bestNorm = Math.min(bestNorm, q);
        }
      }
      String what = "instance " + t + " n=" + n + " z=" + z + " eps=" + eps;
      if (bestNorm == Double.POSITIVE_INFINITY) {
        assertThat(s.withinEps()).as(what).isFalse();
        assertThat(s.achievedError()).as(what).isEqualTo(SubsetSum.optimalError(x, z));
      } else {
        feasible++;
        assertThat(s.withinEps()).as(what).isTrue();
        double q = 0;
        for (int i : s.indices()) q += x[i] * x[i];
        assertThat(q).as(what).isCloseTo(bestNorm, org.assertj.core.data.Offset.offset(1e-12));
      }
    }
    assertThat(feasible).isGreaterThan(100);
  }
}
