package dev.ticketproof.subsetsum;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.random.WeightField;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * {@code min-norm} finds, among the subsets within eps, one of least l1 norm: exactly for n &le; 16, and above within
 * 2 eps of the least norm among the subsets with at most 4 candidates of z's sign (checked by brute force).
 */
class MinNormTest {
  private static double l1(double[] x, int[] idx) {
    double q = 0;
    for (int i : idx) q += Math.abs(x[i]);
    return q;
  }

  /** Per subset mask: the sum and the l1 norm, built incrementally. */
  private static double[][] sumsAndNorms(double[] x) {
    int size = 1 << x.length;
    double[] s = new double[size];
    double[] q = new double[size];
    for (int m = 1; m < size; m++) {
      int i = Integer.numberOfTrailingZeros(m);
      s[m] = s[m & (m - 1)] + x[i];
      q[m] = q[m & (m - 1)] + Math.abs(x[i]);
    }
    return new double[][] {s, q};
  }

  /** Whether subset m is within eps: the incremental sum decides unless it is within 1e-12 of the boundary. */
  private static boolean within(double[] x, double z, double eps, double sum, long m) {
    double e = Math.abs(z - sum);
    if (Math.abs(e - eps) > 1e-12) return e <= eps;
    return SubsetSum.error(x, z, m) <= eps;
  }

  @Test
  void exactLeastNormUpToSixteen() {
    int feasible = 0;
    for (int t = 0; t < 400; t++) {
      int n = 1 + t % SubsetSum.MIN_NORM_EXACT_N;
      double[] x = new double[n];
      for (int i = 0; i < n; i++) x[i] = WeightField.uniform(11, t, i, -1, 1);
      double z = WeightField.uniform(12, 0, t, -1.5, 1.5);
      double eps = t % 3 == 0 ? 0.1 : t % 3 == 1 ? 0.01 : 0.001;
      SubsetSum.Solution s = SubsetSum.solve(x, z, eps, SubsetSum.Mode.MIN_NORM);
      double[][] sq = sumsAndNorms(x);
      double bestNorm = Double.POSITIVE_INFINITY;
      for (int m = 0; m < sq[0].length; m++) {
        if (sq[1][m] < bestNorm && within(x, z, eps, sq[0][m], m)) bestNorm = sq[1][m];
      }
      String what = "instance " + t + " n=" + n + " z=" + z + " eps=" + eps + " " + s;
      if (bestNorm == Double.POSITIVE_INFINITY) {
        assertThat(s.withinEps()).as(what).isFalse();
        assertThat(s.achievedError()).as(what).isEqualTo(SubsetSum.optimalError(x, z));
      } else {
        feasible++;
        assertThat(s.withinEps()).as(what).isTrue();
        assertThat(l1(x, s.indices())).as(what).isCloseTo(bestNorm, Offset.offset(1e-12));
      }
    }
    assertThat(feasible).isGreaterThan(200);
  }

  @Test
  void withinTwoEpsOfTheLeastNormWithAtMostFourHelpersAbove() {
    withinTwoEps(1);
  }

  @Test
  void withinTwoEpsWithCandidatesOfEqualMagnitude() {
    // candidates on a grid of 1/16: many cancellers of equal magnitude, put in order by index among equals
    withinTwoEps(16);
  }

  /** The 2 eps guarantee at n = 17 to 20, candidates U(-1, 1) (rounded to multiples of 1/grid when grid > 1). */
  private static void withinTwoEps(int grid) {
    int completed = 0;
    int cases = 0;
    for (int t = 0; t < 40; t++) {
      int n = 17 + t % 4;
      double[] x = new double[n];
      for (int i = 0; i < n; i++) {
        double u = WeightField.uniform(13, t, i, -1, 1);
        x[i] = grid > 1 ? Math.rint(u * grid) / grid : u;
      }
      double z = WeightField.uniform(14, 0, t, -1, 1);
      if (grid > 1) z = Math.rint(z * grid) / grid + 0.0004; // reachable on the grid, not exactly
      double eps = t % 2 == 0 ? 0.01 : 0.001;
      SubsetSum.Solution s = SubsetSum.solve(x, z, eps, SubsetSum.Mode.MIN_NORM);
      boolean done = MinNormSearch.lastCompleted();
      SubsetSum.Solution minSize = SubsetSum.solve(x, z, eps, SubsetSum.Mode.MIN_SIZE);
      String what = "instance " + t + " n=" + n + " z=" + z + " eps=" + eps + " " + s;
      assertThat(s.withinEps()).as(what).isEqualTo(minSize.withinEps());
      if (!s.withinEps() || Math.abs(z) <= eps) continue;
      cases++;
      long helpers = 0;
      for (int i = 0; i < n; i++) if (x[i] * z > 0) helpers |= 1L << i;
      long minSizeMask = 0;
      for (int i : minSize.indices()) minSizeMask |= 1L << i;
      if (done && Long.bitCount(minSizeMask & helpers) <= 4) {
        assertThat(l1(x, s.indices())).as(what).isLessThanOrEqualTo(l1(x, minSize.indices()) + 2 * eps + 1e-12);
      }
      double[][] sq = sumsAndNorms(x);
      double best4 = Double.POSITIVE_INFINITY;
      for (int m = 0; m < sq[0].length; m++) {
        if (Long.bitCount(m & helpers) <= 4 && sq[1][m] < best4 && within(x, z, eps, sq[0][m], m)) best4 = sq[1][m];
      }
      if (done) {
        completed++;
        assertThat(l1(x, s.indices())).as(what + " least norm with <= 4 helpers " + best4)
            .isLessThanOrEqualTo(best4 + 2 * eps + 1e-12);
      }
    }
    assertThat(cases).isGreaterThan(30);
    assertThat(completed).as("instances where the enumeration ended by its bound").isGreaterThan(cases / 2);
  }

  @Test
  void sameSignSubsetsAreFoundOnWideSets() {
    // with 256 candidates a subset of z's sign within eps usually exists (measured: 43 of these 50 instances; the
    // others have small |z|): then the norm is |sum| <= |z| + eps
    int sameSign = 0;
    for (int t = 0; t < 50; t++) {
      double[] x = new double[256];
      for (int i = 0; i < x.length; i++) x[i] = WeightField.uniform(15, t, i, -1, 1);
      double z = WeightField.uniform(16, 0, t, -1, 1);
      SubsetSum.Solution s = SubsetSum.solve(x, z, 1e-4, SubsetSum.Mode.MIN_NORM);
      assertThat(s.withinEps()).as("instance %d", t).isTrue();
      if (l1(x, s.indices()) <= Math.abs(z) + 1e-4 + 1e-12) sameSign++;
    }
    assertThat(sameSign).isGreaterThanOrEqualTo(40);
  }
}
