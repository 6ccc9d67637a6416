package dev.ticketproof.subsetsum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.ticketproof.kernel.lemma.SubsetSumCertificate;
import dev.ticketproof.kernel.lemma.SubsetSumChecker;
import dev.ticketproof.random.Distribution;
import dev.ticketproof.random.Uniform;
import dev.ticketproof.random.UniformProduct;
import dev.ticketproof.random.WeightField;
import dev.ticketproof.stats.BoundVerdict;
import dev.ticketproof.stats.EmpiricalBound;
import dev.ticketproof.stats.EmpiricalBound.Direction;
import dev.ticketproof.subsetsum.SubsetSum.Mode;
import org.apache.commons.statistics.distribution.BinomialDistribution;
import org.apache.commons.statistics.inference.KolmogorovSmirnovTest;
import org.apache.commons.statistics.inference.SignificanceResult;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Properties of [subset-sum-products]: the law of W V (W ~ U(-2,2), V ~ U(-1,1)), its uniform mixture weight
 * (ln 2)/2, the per-target failure rate at n = 15, eps = 0.01 (bounded through the mixture argument), the
 * reference figure for products of two U(-1,1), kernel re-checks of product witnesses, and the products width.
 *
 * <p>Proof page: proofs/subset-sum-products.md
 */
class SubsetSumProductsProperties {
  /** The seed; {@code -Dtp.statSeed=N} shifts it (scripts/fresh-seeds.sh). */
  private static final long SEED = Long.getLong("tp.statSeed", 20220517L) + (20220718L - 20220517L);
  private static final double ALPHA = EmpiricalBound.MAX_ALPHA;
  private static final double Q = Products.MIXTURE_WEIGHT;

  @Test
  void productLawPassesKolmogorovSmirnovAtAFixedSeed() {
    UniformProduct d = UniformProduct.standard();
    double[] x = new double[20_000];
    for (int i = 0; i < x.length; i++) x[i] = d.value(SEED, 0, i);
    SignificanceResult r = KolmogorovSmirnovTest.withDefaults().test(x, Products::cdf);
    assertThat(r.getPValue()).as("KS statistic %.5f, p = %.3g, seed %d", r.getStatistic(), r.getPValue(), SEED)
        .isGreaterThan(ALPHA);
    // and P(|X| <= 1) = (1 + ln 2)/2 by an exact binomial interval
    long inside = 0;
    for (double v : x) if (Math.abs(v) <= 1) inside++;
    BoundVerdict v = EmpiricalBound.check(x.length, inside, (1 + Math.log(2)) / 2, Direction.EQUAL);
    assertThat(v.consistent()).as(v.message()).isTrue();
  }

  @Test
  void densityDominatesTheUniformComponentExactlyAtWeightQ() {
    // q/2 is the U[-1,1] density times q: the minimum of (1/4) ln(2/|x|) on [-1, 1] is attained at |x| = 1
    assertThat(Q).isEqualTo(Math.log(2) / 2);
    assertThat(Products.density(1.0)).isEqualTo(Q / 2);
    assertThat(Products.density(-1.0)).isEqualTo(Q / 2);
    double prevResidualCdf = 0;
    for (int k = -4000; k <= 4000; k++) {
      double x = k / 2000.0;
      assertThat(Products.density(x)).as("x=%s", x).isGreaterThanOrEqualTo(Math.abs(x) <= 1 ? Q / 2 : 0);
      // residual law R: cdf (F(x) - q U(x)) / (1 - q) is a cdf (non-decreasing from 0 to 1)
      double u = Math.min(1, Math.max(0, (x + 1) / 2));
      double residualCdf = (Products.cdf(x) - Q * u) / (1 - Q);
      assertThat(residualCdf).as("x=%s", x).isGreaterThanOrEqualTo(prevResidualCdf - 1e-15);
      prevResidualCdf = residualCdf;
    }
    assertThat(prevResidualCdf).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-15));
  }

  @Test
  void witnessesOverProductBaseSetsRecheckInTheKernel() {
    qt().withFixedSeed(SEED).withExamples(100)
        .forAll(integers().between(1, 22), longs().all(), doubles().between(1, 4))
        .checkAssert((n, seed, negLog10Eps) -> {
          double eps = Math.pow(10, -negLog10Eps);
          SubsetSumCertificate.Generated base = BaseSets.generated(seed, 0, n, true);
          double z = WeightField.uniform(seed, BaseSets.TARGET_STREAM, 0, -1, 1);
          for (Mode mode : Mode.values()) {
            SubsetSumCertificate c = SubsetSumCertificates.certify(base, z, eps, mode);
            boolean within = SubsetSum.solve(base.values(), z, eps, mode).withinEps();
            assertThat(SubsetSumChecker.check(c).isHolds()).as("seed=%d n=%d eps=%g %s", seed, n, eps, c)
                .isEqualTo(within);
          }
        });
  }

  /**
   * Per-target failure at n = 15, eps = 0.01 is at most the mixture bound sum_k P(K = k) f_U(k), K ~ Bin(n, q),
   * f_U(k) the per-target failure with k U(-1,1) candidates (adding candidates never hurts). The bound uses the
   * upper Clopper-Pearson ends of the f_U(k); the products rate is contradicted only when its lower end exceeds it.
   */
  @Test
  void failureRateAtFifteenIsBelowTheMixtureBound() {
    checkMixtureBound(20_000, 3_000);
  }

  @Test
  @Tag("slow")
  void failureRateAtFifteenIsBelowTheMixtureBoundAtFullSize() {
    checkMixtureBound(100_000, 20_000);
  }

  private static void checkMixtureBound(int trials, int uniformTrials) {
    int n = 15;
    double eps = 0.01;
    Experiments.StatsResult products = Experiments.stats(n, eps, trials, SEED, Mode.MIN_SIZE, true, null);
    BinomialDistribution k = BinomialDistribution.of(n, Q);
    double bound = 0;
    StringBuilder parts = new StringBuilder();
    for (int j = 0; j <= n; j++) {
      double fu = j == 0 ? 1 - eps : uniformFailureUpper(j, eps, uniformTrials);
      bound += k.probability(j) * Math.min(1, fu);
      parts.append(String.format(java.util.Locale.ROOT, " f_U(%d)<=%.4f", j, fu));
    }
    BoundVerdict v = EmpiricalBound.check(products.trials(), products.failures(), Math.min(1, bound), Direction.AT_MOST);
    assertThat(v.consistent()).as("products failure vs mixture bound %.4f (seed %d):%s; %s", bound, SEED, parts,
        v.message()).isTrue();
    // the mixture argument only bounds; record that the product law actually does nearly as well as U(-1,1)
    assertThat(products.failureRate()).isLessThan(bound);
  }

  /** Upper Clopper-Pearson end (alpha = 1e-6) of the per-target failure with j U(-1,1) candidates. */
  private static double uniformFailureUpper(int j, double eps, int trials) {
    Experiments.StatsResult r = Experiments.stats(j, eps, trials, SEED + 100 + j, Mode.MIN_SIZE, false, null);
    return EmpiricalBound.clopperPearson(r.trials(), r.failures(), ALPHA)[1];
  }

  /** Reference (author's code): products of two U(-1,1), n = 15, eps = 0.01: per-target failure 3.55 %. */
  @Test
  void twoUnitUniformsFailureAgreesWithTheReference() {
    UniformProduct d = new UniformProduct(Uniform.symmetric(1), Uniform.symmetric(1));
    int trials = 20_000;
    long failures = 0;
    double[] x = new double[15];
    for (int t = 0; t < trials; t++) {
      BaseSets.fill(SEED, t, d, x, 15);
      if (!SubsetSum.solve(x, BaseSets.target(SEED, t), 0.01, Mode.MIN_SIZE).withinEps()) failures++;
    }
    // the reference's trial count is not stated; we take the 100,000 of its companion statistic
    SubsetSumProperties.assertAgreesWithReference("W,V ~ U(-1,1) failure", trials, failures, 0.0355, 100_000, 0.00005);
  }

  /**
   * The products width bound meets 1 - delta, with coverage measured on ALL n candidates of the width (133 to 220
   * on this grid) by {@link #coversAllLowerBound}, which never claims a coverage that does not hold.
   */
  @Test
  void productsWidthBoundMeetsOneMinusDelta() {
    double[] grid = {0.2, 0.1, 0.05};
    Distribution d = BaseSets.distribution(true);
    for (double eps : grid) {
      for (double delta : grid) {
        int n = WidthBound.products(eps, delta);
        int trials = 200;
        long covered = 0;
        double[] x = new double[n];
        for (int t = 0; t < trials; t++) {
          BaseSets.fill(SEED, t, d, x, n);
          if (coversAllLowerBound(x, eps)) covered++;
        }
        BoundVerdict v = EmpiricalBound.check(trials, covered, 1 - delta, Direction.AT_LEAST);
        assertThat(v.consistent()).as("eps=%g delta=%g n=%d (all candidates), covered %d/%d, seed %d: %s", eps,
            delta, n, covered, trials, SEED, v.message()).isTrue();
      }
    }
  }

  /** Candidates whose subset sums are enumerated exactly by {@link #coversAllLowerBound}. */
  static final int EXACT = 16;

  /**
   * A sound lower bound of "every z in [-1, 1] is within eps of a subset sum" that uses every candidate. The exact
   * subset sums of the first {@link #EXACT} candidates give the largest interval [a, b] around 0 (the empty sum)
   * every point of which is within eps of a sum (consecutive sorted sums at most 2 eps apart). A further candidate
   * x (smallest magnitude first) extends it to [a, b] united with [a + x, b + x] when the two overlap
   * (|x| <= b - a): the earlier sums cover the first, the same sums plus x the second. Covered when [a, b] contains [-1, 1]. It can miss a coverage,
   * never invent one, so a check of P(cover) >= 1 - delta with it can only err towards failing.
   */
  static boolean coversAllLowerBound(double[] x, double eps) { return coversAllLowerBound(x, eps, EXACT); }

  /** As {@link #coversAllLowerBound(double[], double)} with the first {@code exact} candidates enumerated. */
  static boolean coversAllLowerBound(double[] x, double eps, int exact) {
    int k = Math.min(exact, x.length);
    double[] sums = new double[1 << k];
    for (int mask = 1; mask < sums.length; mask++) {
      sums[mask] = sums[mask & (mask - 1)] + x[Integer.numberOfTrailingZeros(mask)];
    }
    java.util.Arrays.sort(sums);
    int zero = java.util.Arrays.binarySearch(sums, 0.0);
    if (zero < 0) zero = -zero - 1; // only -0.0 sums: the empty sum sits next to them
    zero = Math.min(zero, sums.length - 1);
    int hi = zero;
    while (hi + 1 < sums.length && sums[hi + 1] - sums[hi] <= 2 * eps) hi++;
    int lo = zero;
    while (lo > 0 && sums[lo] - sums[lo - 1] <= 2 * eps) lo--;
    double a = sums[lo] - eps;
    double b = sums[hi] + eps;
    double[] byMagnitude = java.util.Arrays.stream(x, k, x.length).boxed()
        .sorted(java.util.Comparator.comparingDouble(Math::abs)).mapToDouble(Double::doubleValue).toArray();
    for (int i = 0; i < byMagnitude.length && !(a <= -1 && b >= 1); i++) { // smallest first: each is likelier to fit
      double v = byMagnitude[i];
      if (Math.abs(v) <= b - a) {
        a = Math.min(a, a + v);
        b = Math.max(b, b + v);
      }
    }
    return a <= -1 && b >= 1;
  }

  /** The lower bound agrees with the exact check where both apply: it never claims more, and rarely less. */
  @Test
  void coverageLowerBoundIsSoundAgainstTheExactCheck() {
    Distribution d = BaseSets.distribution(true);
    int claimedByBound = 0;
    int exact = 0;
    for (int t = 0; t < 400; t++) {
      int n = 18 + t % 8;
      double eps = 0.005 + 0.02 * (t % 3);
      double[] x = new double[n];
      BaseSets.fill(SEED + 7, t, d, x, n);
      boolean bound = coversAllLowerBound(x, eps);
      boolean truth = Coverage.coversAll(x, eps);
      if (bound) {
        claimedByBound++;
        assertThat(truth).as("seed %d trial %d n=%d eps=%g: the bound claims a coverage the exact check denies",
            SEED + 7, t, n, eps).isTrue();
      }
      if (truth) exact++;
    }
    System.out.printf("SubsetSumProductsProperties: lower bound finds %d of %d exact coverages%n", claimedByBound,
        exact);
    assertThat(claimedByBound).as("the bound finds most coverages (exact %d)", exact)
        .isGreaterThanOrEqualTo(exact / 2);
  }
}
