package dev.ticketproof.subsetsum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;

class CoverageTest {
  /** Largest gap from the fully sorted list of all 2^n subset sums. */
  private static double bruteGap(double[] x, double lo, double hi, double eps) {
    double[] s = new double[1 << x.length];
    for (int m = 1; m < s.length; m++) {
      s[m] = s[m & (m - 1)] + x[Integer.numberOfTrailingZeros(m)];
    }
    Arrays.sort(s);
    double gap = 0;
    double prev = Double.NaN;
    for (double v : s) {
      if (v < lo - eps || v > hi + eps) continue;
      gap = Math.max(gap, Double.isNaN(prev) ? 2 * (v - lo) : v - prev);
      prev = v;
    }
    return Double.isNaN(prev) ? Double.POSITIVE_INFINITY : Math.max(gap, 2 * (hi - prev));
  }

  @Test
  void agreesWithTheSortedListOfAllSubsetSums() {
    UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(99L);
    int covered = 0;
    for (int t = 0; t < 300; t++) {
      int n = 1 + rng.nextInt(14);
      double[] x = new double[n];
      for (int i = 0; i < n; i++) x[i] = rng.nextDouble(-1, 1);
      double eps = Math.pow(10, -rng.nextDouble(0.3, 2.5));
      double brute = bruteGap(x, -1, 1, eps);
      double fast = Coverage.maxGap(x, -1, 1, eps);
      String ctx = "t=" + t + " n=" + n + " eps=" + eps + " x=" + Arrays.toString(x);
      assertThat(fast <= 2 * eps).as(ctx).isEqualTo(brute <= 2 * eps);
      if (brute > eps) {
        assertThat(fast).as(ctx).isEqualTo(brute);
      }
      if (Coverage.coversAll(x, eps)) covered++;
    }
    assertThat(covered).as("both outcomes occur").isBetween(30, 270);
  }

  @Test
  void decidesEveryTargetOfADenseGrid() {
    UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(5L);
    for (int t = 0; t < 40; t++) {
      double[] x = new double[10];
      for (int i = 0; i < x.length; i++) x[i] = rng.nextDouble(-1, 1);
      double eps = 0.05;
      boolean all = true;
      for (int k = 0; k <= 4000 && all; k++) {
        double z = -1 + 2.0 * k / 4000;
        all = SubsetSum.optimalError(x, z) <= eps;
      }
      // coverage implies every grid point is covered; a grid of spacing h = 5e-4 can only miss uncovered sets
      // narrower than h, that is coverage gaps below 2 eps + 2 h
      double gap = Coverage.maxGap(x, -1, 1, eps);
      if (Coverage.coversAll(x, eps)) {
        assertThat(all).as("t=" + t).isTrue();
      }
      if (all) {
        assertThat(gap).as("t=" + t).isLessThanOrEqualTo(2 * eps + 2 * 5e-4);
      } else {
        assertThat(gap).as("t=" + t).isGreaterThan(2 * eps);
      }
    }
  }

  @Test
  void simpleCases() {
    // sums {0, 0.5, 1, 1.5} do not reach -1
    assertThat(Coverage.coversAll(new double[] {0.5, 1.0}, 0.25)).isFalse();
    // sums {-1, -0.5, 0, 0.5, 1, ...}: gaps of 0.5 = 2 eps
    assertThat(Coverage.coversAll(new double[] {-1.0, 0.5, 1.0}, 0.25)).isTrue();
    assertThat(Coverage.coversAll(new double[] {-1.0, 0.5, 1.0}, 0.24)).isFalse();
    assertThat(Coverage.maxGap(new double[0], -1, 1, 0.1)).isEqualTo(2.0);
    assertThat(Coverage.maxGap(new double[] {5.0}, 2, 3, 0.1)).isInfinite();
    assertThatThrownBy(() -> Coverage.coversAll(new double[41], 0.1)).hasMessageContaining("41");
    assertThatThrownBy(() -> Coverage.coversAll(new double[] {Double.NaN}, 0.1)).hasMessageContaining("NaN");
    assertThatThrownBy(() -> Coverage.coversAll(new double[3], 0)).hasMessageContaining("eps");
  }

  @Test
  void widthBoundFormulas() {
    assertThat(WidthBound.uniform(0.01, 0.05)).isEqualTo((int) Math.ceil(6 * Math.log(100)));
    assertThat(WidthBound.uniform(0.05, 0.01)).isEqualTo((int) Math.ceil(6 * Math.log(100)));
    double q = Math.log(2) / 2;
    assertThat(WidthBound.products(0.01, 0.1))
        .isEqualTo((int) Math.ceil(2 / q * 6 * Math.log(200) + 8 / q * Math.log(20)));
    assertThatThrownBy(() -> WidthBound.uniform(0.6, 0.7)).hasMessageContaining("min(eps, delta)");
    assertThatThrownBy(() -> WidthBound.uniform(0, 0.1)).hasMessageContaining("eps");
    assertThatThrownBy(() -> WidthBound.uniform(0.1, Double.NaN)).hasMessageContaining("delta");
  }

  @Test
  void productLaw() {
    // P(|X| <= 1) = (1 + ln 2) / 2; density integrates to the cdf
    assertThat(Products.absCdf(1)).isCloseTo((1 + Math.log(2)) / 2, org.assertj.core.data.Offset.offset(1e-15));
    assertThat(Products.cdf(-2)).isZero();
    assertThat(Products.cdf(2)).isEqualTo(1.0);
    double integral = 0;
    int steps = 200_000;
    for (int k = 0; k < steps; k++) {
      double a = 0.3 + 1.2 * k / steps;
      double b = 0.3 + 1.2 * (k + 1) / steps;
      integral += (b - a) * (Products.density(a) + 4 * Products.density((a + b) / 2) + Products.density(b)) / 6;
    }
    assertThat(integral).isCloseTo(Products.cdf(1.5) - Products.cdf(0.3), org.assertj.core.data.Offset.offset(1e-12));
    // the residual of the mixture is a density: non-negative, zero at |x| = 1 from the left
    for (double x = -2; x <= 2; x += 1e-3) {
      assertThat(Products.residualDensity(x)).as("x=" + x).isGreaterThanOrEqualTo(-1e-15);
    }
    assertThat(Products.residualDensity(1.0)).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-15));
  }
}
