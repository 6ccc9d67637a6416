package dev.ticketproof.kernel.lemma;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.kernel.Verdict;
import dev.ticketproof.kernel.lemma.SubsetSumCertificate.Generated;
import dev.ticketproof.kernel.lemma.SubsetSumCertificate.Values;
import dev.ticketproof.random.Uniform;
import dev.ticketproof.random.UniformProduct;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.subsetsum.SubsetSumCertificates;
import org.junit.jupiter.api.Test;

class SubsetSumCheckerTest {
  private static final Generated BASE = new Generated(11L, 3L, 100L, 15, Uniform.symmetric(1));

  private static SubsetSumCertificate good() {
    SubsetSumCertificate c = SubsetSumCertificates.certify(BASE, 0.3141, 1e-3, SubsetSum.Mode.MIN_SIZE);
    assertThat(SubsetSumChecker.check(c).isHolds()).as(c.toString()).isTrue();
    return c;
  }

  @Test
  void acceptsSolverOutputForEveryModeAndBothDistributions() {
    for (SubsetSum.Mode mode : SubsetSum.Mode.values()) {
      for (var dist : new dev.ticketproof.random.Distribution[] {Uniform.symmetric(1), UniformProduct.standard()}) {
        for (int t = 0; t < 50; t++) {
          Generated base = new Generated(5L, t, 0L, 18, dist);
          double z = dev.ticketproof.random.WeightField.uniform(5L, -1L, t, -1, 1);
          SubsetSumCertificate c = SubsetSumCertificates.certify(base, z, 1e-3, mode);
          boolean within = SubsetSum.solve(base.values(), z, 1e-3, mode).withinEps();
          Verdict v = SubsetSumChecker.check(c);
          assertThat(v.isHolds()).as(mode + " " + c + " " + v).isEqualTo(within);
          if (!within) {
            assertThat(v.reason()).contains("exceeds the tolerance");
          }
        }
      }
    }
  }

  @Test
  void rejectsAWrongIndex() {
    SubsetSumCertificate c = good();
    int[] idx = c.indices();
    int replaced = idx[0] == 14 ? 13 : 14;
    if (java.util.Arrays.stream(idx).noneMatch(i -> i == replaced)) {
      idx[0] = replaced;
      java.util.Arrays.sort(idx);
      Verdict v = SubsetSumChecker.check(c.withIndices(idx));
      assertThat(v.isHolds()).isFalse();
      assertThat(v.reason()).contains("exceeds the claimed error");
    }
    Verdict dropped = SubsetSumChecker.check(c.withIndices(java.util.Arrays.copyOf(c.indices(), c.indices().length - 1)));
    assertThat(dropped.isHolds()).isFalse();
  }

  @Test
  void rejectsAChangedTargetAndSeed() {
    SubsetSumCertificate c = good();
    assertThat(SubsetSumChecker.check(c.withTarget(c.target() + 2e-3)).isHolds()).isFalse();
    assertThat(SubsetSumChecker.check(c.withBase(new Generated(12L, 3L, 100L, 15, Uniform.symmetric(1)))).isHolds())
        .isFalse();
    assertThat(SubsetSumChecker.check(c.withBase(new Generated(11L, 4L, 100L, 15, Uniform.symmetric(1)))).isHolds())
        .isFalse();
  }

  @Test
  void rejectsNanAndInfinities() {
    SubsetSumCertificate c = good();
    assertThat(SubsetSumChecker.check(c.withTarget(Double.NaN)).reason()).contains("target");
    assertThat(SubsetSumChecker.check(c.withTarget(Double.POSITIVE_INFINITY)).reason()).contains("target");
    assertThat(SubsetSumChecker.check(c.withClaimedError(Double.NaN)).reason()).contains("claimed error");
    assertThat(SubsetSumChecker.check(c.withClaimedError(Double.POSITIVE_INFINITY)).reason()).contains("claimed error");
    double[] x = BASE.values();
    x[c.indices()[0]] = Double.NaN;
    assertThat(SubsetSumChecker.check(c.withBase(new Values(x))).reason()).contains("not finite");
    assertThat(SubsetSumChecker.check(new SubsetSumCertificate(BASE, 0.1, new int[0], 0.1, Double.NaN)).reason())
        .contains("tolerance");
  }

  @Test
  void rejectsAClaimedErrorThatIsTooSmall() {
    SubsetSumCertificate c = good();
    double exact = SubsetSumChecker.exactError(BASE.values(), c.indices(), c.target()).doubleValue();
    assertThat(exact).isGreaterThan(0);
    assertThat(SubsetSumChecker.check(c.withClaimedError(Math.nextDown(c.claimedError()))).isHolds())
        .as("the certified claim is tight").isFalse();
    assertThat(SubsetSumChecker.check(c.withClaimedError(exact / 2)).reason()).contains("exceeds the claimed error");
  }

  @Test
  void rejectsDuplicateUnsortedAndOutOfRangeIndices() {
    SubsetSumCertificate c = good();
    assertThat(SubsetSumChecker.check(c.withIndices(new int[] {2, 2})).reason()).contains("duplicate");
    assertThat(SubsetSumChecker.check(c.withIndices(new int[] {3, 1})).reason()).contains("ascending");
    assertThat(SubsetSumChecker.check(c.withIndices(new int[] {15})).reason()).contains("outside");
    assertThat(SubsetSumChecker.check(c.withIndices(new int[] {-1})).reason()).contains("outside");
  }

  @Test
  void rejectsAClaimAboveTheTolerance() {
    SubsetSumCertificate c = new SubsetSumCertificate(new Values(new double[] {0.5}), 0.5 + 0x1p-20,
        new int[] {0}, 0x1p-20, 0x1p-21);
    assertThat(SubsetSumChecker.check(c).reason()).contains("exceeds the tolerance");
    assertThat(SubsetSumChecker.check(c.withClaimedError(0x1p-20)).isHolds()).isFalse();
    SubsetSumCertificate ok = new SubsetSumCertificate(new Values(new double[] {0.5}), 0.5 + 0x1p-20,
        new int[] {0}, 0x1p-20, 0x1p-20);
    assertThat(SubsetSumChecker.check(ok).isHolds()).isTrue();
  }

  @Test
  void exactErrorSeesBelowTheRoundingOfDoubleSums() {
    // 1 + 2^-60 - 1 rounds to 0 in double arithmetic; the exact error is 2^-60
    double[] x = {1.0, 0x1p-60};
    assertThat(SubsetSumChecker.exactError(x, new int[] {0, 1}, 1.0).doubleValue()).isEqualTo(0x1p-60);
    SubsetSumCertificate c = new SubsetSumCertificate(new Values(x), 1.0, new int[] {0, 1}, 0.0, 1e-3);
    assertThat(SubsetSumChecker.check(c).reason()).contains("exceeds the claimed error");
  }

  @Test
  void rejectsProducerSuppliedDistributionsAndHugeBaseSets() {
    SubsetSumCertificate c = good();
    dev.ticketproof.random.Distribution forged = (seed, stream, index) -> 0.0;
    assertThat(SubsetSumChecker.check(c.withBase(new Generated(11L, 3L, 100L, 15, forged))).reason())
        .contains("distribution");
    assertThat(SubsetSumChecker.check(c.withBase(new Generated(11L, 3L, 100L, Integer.MAX_VALUE, Uniform.symmetric(1))))
        .reason()).contains("size");
    assertThat(SubsetSumChecker.check(c.withBase(new Generated(11L, 3L, -1L, 15, Uniform.symmetric(1)))).reason())
        .contains("firstIndex");
    assertThat(SubsetSumChecker.check(c.withBase(null)).isHolds()).isFalse();
  }
}
