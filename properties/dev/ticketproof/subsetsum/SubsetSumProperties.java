package dev.ticketproof.subsetsum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.ticketproof.kernel.Verdict;
import dev.ticketproof.kernel.lemma.SubsetSumCertificate;
import dev.ticketproof.kernel.lemma.SubsetSumChecker;
import dev.ticketproof.random.WeightField;
import dev.ticketproof.stats.BoundVerdict;
import dev.ticketproof.stats.EmpiricalBound;
import dev.ticketproof.stats.EmpiricalBound.Direction;
import dev.ticketproof.subsetsum.SubsetSum.Mode;
import dev.ticketproof.subsetsum.SubsetSum.Solution;
import java.util.Arrays;
import java.util.Locale;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Properties of [subset-sum]: solver witnesses re-check in the kernel, solvers agree with brute force, infeasible
 * instances are reported, the per-target statistic and the "all z" coverage agree with the reference numbers,
 * coverage is monotone in the base set, and the width bound with the project's C meets 1 - delta.
 *
 * <p>Proof page: proofs/subset-sum.md
 */
class SubsetSumProperties {
  /** The seed; {@code -Dtp.statSeed=N} runs the statistical properties under another one (scripts/fresh-seeds.sh). */
  static final long SEED = Long.getLong("tp.statSeed", 20220517L);
  private static final double ALPHA = EmpiricalBound.MAX_ALPHA;

  private static double[] base(long seed, long stream, int n) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) x[i] = WeightField.uniform(seed, stream, i, -1, 1);
    return x;
  }

  private static double[] allSums(double[] x) {
    double[] s = new double[1 << x.length];
    for (int m = 1; m < s.length; m++) s[m] = s[m & (m - 1)] + x[Integer.numberOfTrailingZeros(m)];
    return s;
  }

  // ---- 1. witnesses, brute force, infeasibility -------------------------------------------------------------

  @Test
  void everyWitnessRechecksInTheKernel() {
    qt().withFixedSeed(SEED).withExamples(150)
        .forAll(integers().between(1, 24), longs().all(), doubles().between(1, 5))
        .checkAssert((n, seed, negLog10Eps) -> {
          double eps = Math.pow(10, -negLog10Eps);
          double z = WeightField.uniform(seed, BaseSets.TARGET_STREAM, 0, -1, 1);
          SubsetSumCertificate.Generated base = BaseSets.generated(seed, 0, n, false);
          for (Mode mode : Mode.values()) {
            SubsetSumCertificate c = SubsetSumCertificates.certify(base, z, eps, mode);
            Solution s = SubsetSum.solve(base.values(), z, eps, mode);
            Verdict v = SubsetSumChecker.check(c);
            assertThat(v.isHolds()).as("seed=%d n=%d eps=%g mode=%s %s %s", seed, n, eps, mode, c, v)
                .isEqualTo(s.withinEps());
            assertThat(s.achievedError()).as("claimed error within one ulp of the exact error")
                .isCloseTo(c.claimedError(), org.assertj.core.data.Offset.offset(Math.ulp(c.claimedError()) * 2));
          }
        });
  }

  @Test
  void everyWitnessRechecksInTheKernelOnWideSets() {
    qt().withFixedSeed(SEED + 5).withExamples(40)
        .forAll(integers().between(25, SubsetSum.MAX_N), longs().all(), doubles().between(1, 6))
        .checkAssert((n, seed, negLog10Eps) -> {
          double eps = Math.pow(10, -negLog10Eps);
          double z = WeightField.uniform(seed, BaseSets.TARGET_STREAM, 5, -1, 1);
          SubsetSumCertificate.Generated base = BaseSets.generated(seed, 0, n, false);
          for (Mode mode : new Mode[] {Mode.MIN_SIZE, Mode.FIRST_HIT, Mode.MIN_NORM}) {
            SubsetSumCertificate c = SubsetSumCertificates.certify(base, z, eps, mode);
            Solution s = SubsetSum.solve(base.values(), z, eps, mode);
            Verdict v = SubsetSumChecker.check(c);
            assertThat(v.isHolds()).as("seed=%d n=%d eps=%g mode=%s %s %s", seed, n, eps, mode, c, v)
                .isEqualTo(s.withinEps());
          }
        });
  }

  @Test
  void targetsOutOfReachAreReportedWithTheOptimumUpToTheLargestSets() {
    // z beyond the sum of the positive (negative) candidates: the optimum takes exactly the positive (negative) ones
    qt().withFixedSeed(SEED + 6).withExamples(60)
        .forAll(integers().between(1, SubsetSum.MAX_N), longs().all(), doubles().between(1e-9, 2))
        .checkAssert((n, seed, beyond) -> {
          double[] x = base(seed, 6, n);
          boolean above = (seed & 1) == 0;
          double reach = 0;
          int count = 0;
          for (double v : x) {
            if (above ? v > 0 : v < 0) {
              reach += v;
              count++;
            }
          }
          double eps = 1e-3;
          double z = above ? reach + eps + beyond : reach - eps - beyond;
          int[] expected = new int[count];
          int k = 0;
          for (int i = 0; i < n; i++) if (above ? x[i] > 0 : x[i] < 0) expected[k++] = i;
          for (Mode mode : Mode.values()) {
            if (n > mode.maxN()) continue;
            Solution s = SubsetSum.solve(x, z, eps, mode);
            String ctx = String.format(Locale.ROOT, "seed=%d n=%d z=%s mode=%s %s", seed, n, z, mode, s);
            assertThat(s.withinEps()).as(ctx).isFalse();
            assertThat(s.indices()).as(ctx).containsExactly(expected);
          }
        });
  }

  @Test
  void exactEqualsTheBruteForceOptimumUpToSixteen() {
    qt().withFixedSeed(SEED + 1).withExamples(120)
        .forAll(integers().between(0, 16), longs().all(), doubles().between(-2, 2))
        .checkAssert((n, seed, z) -> {
          double[] x = base(seed, 1, n);
          double[] s = allSums(x);
          double best = Double.POSITIVE_INFINITY;
          for (double v : s) best = Math.min(best, Math.abs(z - v));
          Solution e = SubsetSum.solve(x, z, 1e-3, Mode.EXACT);
          assertThat(e.achievedError()).as("seed=%d n=%d z=%s", seed, n, z)
              .isCloseTo(best, org.assertj.core.data.Offset.offset(1e-13));
          assertThat(e.withinEps()).isEqualTo(best <= 1e-3 || e.achievedError() <= 1e-3);
        });
  }

  @Test
  void minSizeHasTheBruteForceMinimumCardinalityUpToFourteen() {
    qt().withFixedSeed(SEED + 2).withExamples(150)
        .forAll(integers().between(0, 14), longs().all(), doubles().between(1, 4))
        .checkAssert((n, seed, negLog10Eps) -> {
          double eps = Math.pow(10, -negLog10Eps);
          double[] x = base(seed, 2, n);
          double z = WeightField.uniform(seed, BaseSets.TARGET_STREAM, 2, -1, 1);
          int min = Integer.MAX_VALUE;
          for (long m = 0; m < (1L << n); m++) {
            if (SubsetSum.error(x, z, m) <= eps) min = Math.min(min, Long.bitCount(m));
          }
          Solution s = SubsetSum.solve(x, z, eps, Mode.MIN_SIZE);
          String ctx = String.format(Locale.ROOT, "seed=%d n=%d eps=%g z=%s %s", seed, n, eps, z, s);
          if (min == Integer.MAX_VALUE) {
            assertThat(s.withinEps()).as(ctx).isFalse();
          } else {
            assertThat(s.withinEps()).as(ctx).isTrue();
            assertThat(s.size()).as(ctx).isEqualTo(min);
          }
        });
  }

  @Test
  void infeasibleInstancesAreReportedWithTheOptimum() {
    // Candidates of magnitude below 0.9/n can never reach target 1: the optimum takes exactly the positive ones.
    qt().withFixedSeed(SEED + 3).withExamples(60)
        .forAll(integers().between(1, 40), longs().all(), doubles().between(1, 6))
        .checkAssert((n, seed, negLog10Eps) -> {
          double eps = Math.pow(10, -negLog10Eps);
          double[] x = new double[n];
          for (int i = 0; i < n; i++) x[i] = WeightField.uniform(seed, 3, i, -0.9 / n, 0.9 / n);
          long positives = 0;
          for (int i = 0; i < n; i++) if (x[i] > 0) positives |= 1L << i;
          double optimum = SubsetSum.error(x, 1.0, positives);
          for (Mode mode : Mode.values()) {
            if (n > mode.maxN()) continue;
            Solution s = SubsetSum.solve(x, 1.0, eps, mode);
            String ctx = String.format(Locale.ROOT, "seed=%d n=%d eps=%g mode=%s %s", seed, n, eps, mode, s);
            assertThat(s.withinEps()).as(ctx).isFalse();
            assertThat(s.achievedError()).as(ctx).isEqualTo(optimum);
          }
        });
  }

  // ---- 2. the "one z" reference statistic ------------------------------------------------------------------

  /** Reference (author's code): n = 15, eps = 0.01, 100,000 draws: failure 0.404 %, mean minimal size 2.29. */
  private static final double REF_FAILURE = 0.00404;
  private static final double REF_MEAN_SIZE = 2.29;
  private static final long REF_TRIALS = 100_000;
  /** Reference size distribution in percent of all draws, sizes 0..5, stated to 0.1 % (size 5: 0.01 %). */
  private static final double[] REF_SIZES = {1.0, 13.7, 44.9, 35.8, 4.1, 0.38};
  private static final double[] REF_SIZES_HALF_UNIT = {0.05, 0.05, 0.05, 0.05, 0.05, 0.005};

  @Test
  void oneTargetStatisticAgreesWithTheReference() {
    checkReferenceStatistic(20_000);
  }

  @Test
  @Tag("slow")
  void oneTargetStatisticAgreesWithTheReferenceAtFullSize() {
    checkReferenceStatistic(100_000);
  }

  /**
   * Two-sample agreement: our Clopper-Pearson interval and the reference's (from its stated rate, its trial count
   * and its rounding), both at alpha = 1e-6, must overlap.
   */
  static void assertAgreesWithReference(String what, long trials, long events, double refRate, long refTrials,
      double refHalfUnit) {
    double[] ours = EmpiricalBound.clopperPearson(trials, events, ALPHA);
    long refLoEvents = (long) Math.floor(Math.max(0, refRate - refHalfUnit) * refTrials);
    long refHiEvents = (long) Math.ceil(Math.min(1, refRate + refHalfUnit) * refTrials);
    double refLo = EmpiricalBound.clopperPearson(refTrials, refLoEvents, ALPHA)[0];
    double refHi = EmpiricalBound.clopperPearson(refTrials, refHiEvents, ALPHA)[1];
    assertThat(ours[1] >= refLo && ours[0] <= refHi)
        .as("%s: ours %d/%d = %.5f, interval [%.5f, %.5f]; reference %.5f over %d, interval [%.5f, %.5f] (seed %d)",
            what, events, trials, (double) events / trials, ours[0], ours[1], refRate, refTrials, refLo, refHi, SEED)
        .isTrue();
  }

  private static void checkReferenceStatistic(int trials) {
    Experiments.StatsResult r = Experiments.stats(15, 0.01, trials, SEED, Mode.MIN_SIZE, false, null);
    assertAgreesWithReference("failure rate", r.trials(), r.failures(), REF_FAILURE, REF_TRIALS, 0.000005);
    long[] c = r.sizeCounts();
    for (int k = 0; k < REF_SIZES.length; k++) {
      assertAgreesWithReference("size " + k, r.trials(), c[k], REF_SIZES[k] / 100, REF_TRIALS,
          REF_SIZES_HALF_UNIT[k] / 100);
    }
    // mean size over successful draws: normal two-sample comparison at alpha = 1e-6, plus the rounding of 2.29
    long ok = r.trials() - r.failures();
    double mean = r.meanSubsetSize();
    double m2 = 0;
    for (int k = 0; k < c.length; k++) m2 += c[k] * (k - mean) * (k - mean);
    double var = m2 / (ok - 1);
    double zq = NormalDistribution.of(0, 1).inverseSurvivalProbability(ALPHA / 2);
    double tol = zq * Math.sqrt(var / ok + var / REF_TRIALS) + 0.005;
    assertThat(Math.abs(mean - REF_MEAN_SIZE))
        .as("mean size %.4f (var %.4f, %d successes) vs reference %.2f, tolerance %.4f, seed %d", mean, var, ok,
            REF_MEAN_SIZE, tol, SEED)
        .isLessThanOrEqualTo(tol);
  }

  // ---- 3. "all z" coverage table ---------------------------------------------------------------------------

  /** Rows of the reconstructed reference table (proofs/subset-sum.md): n, eps, measured probability (stated to two digits, 0.995 to three). */
  private static final double[][] COVERAGE_TABLE = {
      {12, 1e-2, 0.72}, {14, 1e-2, 0.92}, {15, 1e-2, 0.93}, {16, 1e-2, 0.96}, {18, 1e-2, 0.995},
      {18, 1e-3, 0.92}, {20, 1e-3, 0.98}, {20, 1e-4, 0.76}, {22, 1e-4, 0.93}, {24, 1e-4, 0.995}};

  @Test
  void allTargetsCoverageAgreesWithTheTable() {
    for (double[] row : COVERAGE_TABLE) {
      int n = (int) row[0];
      if (row[1] < 1e-3) continue; // eps = 1e-4 rows in the slow run
      int trials = n <= 16 ? 1500 : n <= 18 ? 600 : 250;
      checkCoverageRow(n, row[1], row[2], trials);
    }
  }

  @Test
  @Tag("slow")
  void allTargetsCoverageAgreesWithTheTableAtSmallEps() {
    for (double[] row : COVERAGE_TABLE) {
      if (row[1] < 1e-3) checkCoverageRow((int) row[0], row[1], row[2], 400);
    }
  }

  private static void checkCoverageRow(int n, double eps, double claimed, int trials) {
    Experiments.CoverageResult r = Experiments.coverage(n, eps, trials, SEED, false, null);
    double half = claimed == 0.995 ? 0.0005 : 0.005;
    double[] ci = EmpiricalBound.clopperPearson(r.trials(), r.covered(), ALPHA);
    assertThat(ci[1] >= claimed - half && ci[0] <= claimed + half)
        .as("n=%d eps=%g: covered %d/%d = %.4f, interval [%.4f, %.4f] vs table %.3f (seed %d)", n, eps,
            r.covered(), r.trials(), r.coverage(), ci[0], ci[1], claimed, SEED)
        .isTrue();
  }

  // ---- 4. monotonicity and the width bound ------------------------------------------------------------------

  @Test
  void addingCandidatesNeverLosesCoverage() {
    qt().withFixedSeed(SEED + 4).withExamples(200)
        .forAll(integers().between(1, 14), longs().all(), doubles().between(0.5, 2.5))
        .checkAssert((n, seed, negLog10Eps) -> {
          double eps = Math.pow(10, -negLog10Eps);
          double[] x = base(seed, 4, n + 1);
          double[] fewer = Arrays.copyOf(x, n);
          double z = WeightField.uniform(seed, BaseSets.TARGET_STREAM, 4, -1, 1);
          String ctx = String.format(Locale.ROOT, "seed=%d n=%d eps=%g", seed, n, eps);
          if (Coverage.coversAll(fewer, eps)) {
            assertThat(Coverage.coversAll(x, eps)).as(ctx).isTrue();
          }
          assertThat(SubsetSum.optimalError(x, z)).as(ctx).isLessThanOrEqualTo(SubsetSum.optimalError(fewer, z));
          if (SubsetSum.solve(fewer, z, eps, Mode.MIN_SIZE).withinEps()) {
            assertThat(SubsetSum.solve(x, z, eps, Mode.MIN_SIZE).withinEps()).as(ctx).isTrue();
          }
        });
  }

  /**
   * The width bound meets 1 - delta at its critical points. For m = min(eps, delta) <= 1/2 the width is
   * n(m) = ceil(C ln(1/m)); coverage grows with eps and n, and 1 - delta <= 1 - m, so it suffices to check
   * P(cover, eps = m, n = k) >= 1 - m at m_k = exp(-k/C), the smallest m with width k.
   */
  @Test
  void widthBoundMeetsOneMinusDeltaAtItsCriticalPoints() {
    assertThat(criticalPointViolations(WidthBound.C, 16)).isEmpty();
  }

  @Test
  @Tag("slow")
  void widthBoundMeetsOneMinusDeltaAtItsCriticalPointsUpToTwentyTwo() {
    assertThat(criticalPointViolations(WidthBound.C, 22)).isEmpty();
  }

  /**
   * The same check has the power to reject a constant that is too small: with C = 5 the first critical point is
   * k = 4, m = e^{-4/5} = 0.449, where the coverage (about 0.48) is 0.07 below 1 - m = 0.551.
   */
  @Test
  void widthConstantFiveIsRejected() {
    java.util.List<String> violations = criticalPointViolations(5, 4);
    System.out.println("SubsetSumProperties: C = 5 rejected at " + violations);
    assertThat(violations).as("C = 5 must fail at its first critical point (seed %d)", SEED).isNotEmpty();
  }

  /** A shortfall of coverage below 1 - m_k that the critical-point check must detect. */
  static final double SHORTFALL = 0.07;
  /** The probability of missing such a shortfall (1 - power). */
  static final double MISS = 1e-4;

  /**
   * Base sets per critical point (power calculation, proofs/subset-sum.md): a coverage {@link #SHORTFALL} below
   * 1 - m makes the Clopper-Pearson interval at {@link #ALPHA} lie wholly below 1 - m with probability at least
   * 1 - {@link #MISS} once (z_{alpha/2} + z_{miss})^2 p (1 - p) / d^2 base sets are drawn, p (1 - p) <= 1/4.
   */
  static int trialsForPower() {
    NormalDistribution z = NormalDistribution.of(0, 1);
    double sum = z.inverseSurvivalProbability(ALPHA / 2) + z.inverseSurvivalProbability(MISS);
    return (int) Math.ceil(sum * sum * 0.25 / (SHORTFALL * SHORTFALL));
  }

  /** The critical points k of the width bound with constant c (k up to maxK) whose coverage is below 1 - m_k. */
  static java.util.List<String> criticalPointViolations(double c, int maxK) {
    int trials = trialsForPower();
    java.util.List<String> violations = new java.util.ArrayList<>();
    int firstK = (int) Math.ceil(c * Math.log(2));
    for (int k = firstK; k <= maxK; k++) {
      double m = Math.exp(-k / c);
      while (WidthBound.uniform(m, m, c) > k) m = Math.nextUp(m); // rounding of C ln(1/m) at the step
      assertThat(WidthBound.uniform(m, m, c)).as("width at m_k").isEqualTo(k);
      Experiments.CoverageResult r = Experiments.coverage(k, m, trials, SEED + k, false, null);
      BoundVerdict v = EmpiricalBound.check(r.trials(), r.covered(), 1 - m, Direction.AT_LEAST);
      if (!v.consistent()) {
        violations.add(String.format(Locale.ROOT, "C=%g k=%d m=%.5f seed=%d: covered %d/%d: %s", c, k, m, SEED + k,
            r.covered(), r.trials(), v.message()));
      }
    }
    return violations;
  }

  /**
   * The width bound on a grid of (eps, delta), coverage measured with ALL n candidates of the width through the sound
   * lower bound {@link SubsetSumProductsProperties#coversAllLowerBound} (with only the first 16, coverage at
   * eps = 0.01 is about 0.97, below 1 - delta = 0.99: a check that passed by luck).
   */
  @Test
  void widthBoundMeetsOneMinusDeltaOnAGrid() {
    double[] grid = {0.5, 0.2, 0.1, 0.05, 0.01};
    for (double eps : grid) {
      for (double delta : grid) {
        int n = WidthBound.uniform(eps, delta);
        int trials = 200;
        long covered = 0;
        double[] x = new double[n];
        for (int t = 0; t < trials; t++) {
          BaseSets.fill(SEED, t, BaseSets.distribution(false), x, n);
          if (SubsetSumProductsProperties.coversAllLowerBound(x, eps, 12)) covered++;
        }
        BoundVerdict v = EmpiricalBound.check(trials, covered, 1 - delta, Direction.AT_LEAST);
        assertThat(v.consistent()).as("eps=%g delta=%g n=%d (all candidates), covered %d/%d, seed=%d: %s", eps,
            delta, n, covered, trials, SEED, v.message()).isTrue();
      }
    }
  }
}
