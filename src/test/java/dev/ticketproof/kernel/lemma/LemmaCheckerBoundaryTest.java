package dev.ticketproof.kernel.lemma;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.kernel.Verdict;
import dev.ticketproof.kernel.lemma.SubsetSumCertificate.Generated;
import dev.ticketproof.random.Uniform;
import org.junit.jupiter.api.Test;

/** The lemma checkers at the ends of their ranges: the last value accepted and the first one refused. */
class LemmaCheckerBoundaryTest {
  static void rejected(Verdict v, String reasonPart) {
    assertThat(v.isHolds()).as(v.toString()).isFalse();
    assertThat(v.reason()).contains(reasonPart);
  }

  /** The empty subset of a target 0 has error exactly 0: a claim and a tolerance of 0 hold. */
  static SubsetSumCertificate empty(int n) {
    return new SubsetSumCertificate(new Generated(3L, 1L, 0L, n, Uniform.symmetric(1)), 0, new int[0], 0, 0);
  }

  @Test
  void subsetSumZeroErrorZeroToleranceAndTheLargestBaseSet() {
    assertThat(SubsetSumChecker.check(empty(0)).isHolds()).isTrue();
    assertThat(SubsetSumChecker.check(empty(SubsetSumChecker.MAX_GENERATED)).isHolds()).isTrue();
    rejected(SubsetSumChecker.check(empty(SubsetSumChecker.MAX_GENERATED + 1)), "generated base-set size");
    rejected(SubsetSumChecker.check(empty(-1)), "generated base-set size");
    rejected(SubsetSumChecker.check(empty(4).withIndices(new int[] {-1})), "outside [0, 4)");
    rejected(SubsetSumChecker.check(empty(4).withIndices(new int[] {4})), "outside [0, 4)");
    rejected(SubsetSumChecker.check(empty(4).withClaimedError(-0x1p-1074)), "claimed error must be");
    rejected(SubsetSumChecker.check(new SubsetSumCertificate(empty(4).base(), 0, new int[0], 0, -0x1p-1074)),
        "tolerance must be");
  }

  @Test
  void signSplitEpsAndIndicesAtTheirEnds() {
    SignSplitCertificate c = dev.ticketproof.construct.IdentityConstruction.signSplit(
        new dev.ticketproof.activation.Relu(), 0.8, dev.ticketproof.construct.IdentityConstruction.SignSplitSource
            .uniform(7, 1, 2, 40), 1e-3, dev.ticketproof.subsetsum.SubsetSum.Mode.MIN_SIZE);
    assertThat(IdentityChecker.check(c).isHolds()).isTrue();
    rejected(IdentityChecker.check(new SignSplitCertificate(c.activation(), c.slopeMinus(), c.slopePlus(),
        c.target(), c.seed(), c.firstStream(), c.secondStream(), c.copies(), c.first(), c.second(), c.positive(),
        c.negative(), c.errorPlus(), c.errorMinus(), c.coefficient(), 0, false)), "eps must be > 0");
    rejected(IdentityChecker.check(c.withSets(new int[] {-1}, c.negative())), "outside [0, 40)");
    rejected(IdentityChecker.check(new SignSplitCertificate(c.activation(), c.slopeMinus(), c.slopePlus(),
        c.target(), c.seed(), c.firstStream(), c.secondStream(), -1, c.first(), c.second(), new int[0],
        new int[0], c.errorPlus(), c.errorMinus(), c.coefficient(), c.eps(), c.withinEps())), "copies must be >= 0");
  }
}
