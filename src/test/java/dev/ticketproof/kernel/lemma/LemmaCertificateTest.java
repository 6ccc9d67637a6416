package dev.ticketproof.kernel.lemma;

import static dev.ticketproof.kernel.lemma.LemmaCheckerBoundaryTest.rejected;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.construct.IdentityConstruction;
import dev.ticketproof.kernel.lemma.SubsetSumCertificate.Generated;
import dev.ticketproof.kernel.lemma.SubsetSumCertificate.Values;
import dev.ticketproof.random.Uniform;
import dev.ticketproof.random.UniformProduct;
import dev.ticketproof.subsetsum.SubsetSum;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The lemma certificates as values (content equality, copies of their arrays, readable text) and the checkers'
 * remaining rejections, each at the end of its range.
 */
class LemmaCertificateTest {
  static final Uniform U = Uniform.symmetric(1);

  static SignSplitCertificate signSplit() {
    return IdentityConstruction.signSplit(new dev.ticketproof.activation.Relu(), 0.8,
        IdentityConstruction.SignSplitSource.uniform(7, 1, 2, 40), 1e-3, SubsetSum.Mode.MIN_SIZE);
  }

  /** The certificate with one component changed, for each component. */
  static List<SignSplitCertificate> everyComponentChanged(SignSplitCertificate c) {
    int[] p = c.positive();
    int[] n = c.negative();
    int[] p2 = Arrays.copyOf(p, p.length + 1);
    p2[p.length] = 39;
    int[] n2 = Arrays.copyOf(n, n.length + 1);
    n2[n.length] = 39;
    return List.of(
        c.withActivation("leaky-relu(0.5)", c.slopeMinus(), c.slopePlus()),
        c.withActivation(c.activation(), 0.5, c.slopePlus()),
        c.withActivation(c.activation(), c.slopeMinus(), 2),
        c.withTarget(0.7), c.withSeed(8),
        new SignSplitCertificate(c.activation(), c.slopeMinus(), c.slopePlus(), c.target(), c.seed(), 9,
            c.secondStream(), c.copies(), c.first(), c.second(), p, n, c.errorPlus(), c.errorMinus(), c.coefficient(),
            c.eps(), c.withinEps()),
        new SignSplitCertificate(c.activation(), c.slopeMinus(), c.slopePlus(), c.target(), c.seed(),
            c.firstStream(), 9, c.copies(), c.first(), c.second(), p, n, c.errorPlus(), c.errorMinus(),
            c.coefficient(), c.eps(), c.withinEps()),
        new SignSplitCertificate(c.activation(), c.slopeMinus(), c.slopePlus(), c.target(), c.seed(),
            c.firstStream(), c.secondStream(), 41, c.first(), c.second(), p, n, c.errorPlus(), c.errorMinus(),
            c.coefficient(), c.eps(), c.withinEps()),
        new SignSplitCertificate(c.activation(), c.slopeMinus(), c.slopePlus(), c.target(), c.seed(),
            c.firstStream(), c.secondStream(), c.copies(), Uniform.symmetric(2), c.second(), p, n, c.errorPlus(),
            c.errorMinus(), c.coefficient(), c.eps(), c.withinEps()),
        new SignSplitCertificate(c.activation(), c.slopeMinus(), c.slopePlus(), c.target(), c.seed(),
            c.firstStream(), c.secondStream(), c.copies(), c.first(), Uniform.symmetric(2), p, n, c.errorPlus(),
            c.errorMinus(), c.coefficient(), c.eps(), c.withinEps()),
        c.withSets(p2, n), c.withSets(p, n2),
        c.withClaims(c.errorPlus() * 2, c.errorMinus(), c.coefficient(), c.withinEps()),
        c.withClaims(c.errorPlus(), c.errorMinus() * 2, c.coefficient(), c.withinEps()),
        c.withClaims(c.errorPlus(), c.errorMinus(), c.coefficient() * 2, c.withinEps()),
        c.withClaims(c.errorPlus(), c.errorMinus(), c.coefficient(), !c.withinEps()),
        new SignSplitCertificate(c.activation(), c.slopeMinus(), c.slopePlus(), c.target(), c.seed(),
            c.firstStream(), c.secondStream(), c.copies(), c.first(), c.second(), p, n, c.errorPlus(),
            c.errorMinus(), c.coefficient(), c.eps() * 2, c.withinEps()));
  }

  @Test
  void aSignSplitCertificateIsItsContent() {
    SignSplitCertificate c = signSplit();
    SignSplitCertificate copy = c.withSets(c.positive().clone(), c.negative().clone());
    assertThat(copy).isEqualTo(c).hasSameHashCodeAs(c).isNotSameAs(c);
    assertThat(c).isNotEqualTo(null).isNotEqualTo("a certificate");
    List<SignSplitCertificate> changed = everyComponentChanged(c);
    assertThat(changed).hasSize(17);
    for (SignSplitCertificate d : changed) assertThat(d).as(d.toString()).isNotEqualTo(c);
    // the arrays are copied on the way in and out
    int[] p = c.positive();
    p[0] = 39;
    assertThat(c.positive()).isNotEqualTo(p);
    assertThat(c.toString()).contains("S+=" + Arrays.toString(c.positive()))
        .contains("S-=" + Arrays.toString(c.negative())).contains("K=" + c.coefficient())
        .contains("withinEps=" + c.withinEps());
  }

  @Test
  void aSubsetSumCertificateIsItsContent() {
    Generated g = new Generated(3, 1, 0, 8, U);
    SubsetSumCertificate c = new SubsetSumCertificate(g, 0.25, new int[] {1, 4}, 0.5, 0.75);
    SubsetSumCertificate copy = new SubsetSumCertificate(new Generated(3, 1, 0, 8, U), 0.25, new int[] {1, 4}, 0.5,
        0.75);
    assertThat(copy).isEqualTo(c).hasSameHashCodeAs(c);
    assertThat(c).isNotEqualTo(null).isNotEqualTo(g);
    for (SubsetSumCertificate d : List.of(c.withBase(new Generated(3, 1, 0, 9, U)), c.withTarget(0.3),
        c.withIndices(new int[] {1, 5}), c.withClaimedError(0.4),
        new SubsetSumCertificate(g, 0.25, new int[] {1, 4}, 0.5, 0.7))) {
      assertThat(d).as(d.toString()).isNotEqualTo(c);
    }
    int[] s = c.indices();
    s[0] = 0;
    assertThat(c.indices()).containsExactly(1, 4);
    assertThat(c.toString()).contains("indices=[1, 4]").contains("target=0.25").contains("claimedError=0.5")
        .contains("tolerance=0.75");

    Values v = new Values(new double[] {0.5, -1});
    assertThat(new Values(new double[] {0.5, -1})).isEqualTo(v).hasSameHashCodeAs(v);
    assertThat(v).isNotEqualTo(new Values(new double[] {0.5, 1})).isNotEqualTo(g);
    assertThat(v.size()).isEqualTo(2);
    assertThat(new Values(null).size()).isZero();
    assertThat(v.toString()).contains("[0.5, -1.0]");
    double[] raw = v.values();
    raw[0] = 7;
    assertThat(v.values()).containsExactly(0.5, -1);
  }

  @Test
  void aGeneratedBaseSetStartsAtItsFirstIndex() {
    double[] all = new Generated(3, 1, 0, 8, U).values();
    Generated tail = new Generated(3, 1, 5, 3, U);
    assertThat(tail.size()).isEqualTo(3);
    assertThat(tail.values()).containsExactly(Arrays.copyOfRange(all, 5, 8));
  }

  @Test
  void subsetSumCheckerRefusesForeignDistributionsDuplicatesAndMissingValues() {
    SubsetSumCertificate c = LemmaCheckerBoundaryTest.empty(4);
    assertThat(SubsetSumChecker.check(c.withBase(new Generated(3, 1, 0, 4, new UniformProduct(U, U)))).isHolds())
        .isTrue();
    dev.ticketproof.random.Distribution foreign = (seed, stream, index) -> 0.5;
    rejected(SubsetSumChecker.check(c.withBase(new Generated(3, 1, 0, 4, foreign))),
        "must be random.Uniform or random.UniformProduct, got " + foreign.getClass().getName());
    rejected(SubsetSumChecker.check(c.withBase(new Generated(3, 1, 0, 4, null))),
        "must be random.Uniform or random.UniformProduct, got null");
    rejected(SubsetSumChecker.check(new SubsetSumCertificate(c.base(), 0, new int[0], 0, Double.POSITIVE_INFINITY)),
        "tolerance must be finite");
    assertThat(SubsetSumChecker.check(new SubsetSumCertificate(c.base(), 0, new int[0], 0, Double.MAX_VALUE))
        .isHolds()).isTrue();
    rejected(SubsetSumChecker.check(c.withIndices(new int[] {2, 2})), "(duplicate)");
    rejected(SubsetSumChecker.check(c.withIndices(new int[] {2, 1})), "not strictly ascending at position 1");
    rejected(SubsetSumChecker.check(c.withBase(new Values(null))), "base set has no values");
  }

  /** A sign split with both sets empty: e+ = e- = K = |w| exactly (relu: m+ = 1, m- = 0). */
  static SignSplitCertificate emptySplit(double w, double eps, boolean within, double claim) {
    return new SignSplitCertificate("relu", 0, 1, w, 7, 1, 2, 0, U, U, new int[0], new int[0], claim, claim, claim,
        eps, within);
  }

  @Test
  void signSplitAtTheEndsOfEpsCopiesAndTheClaims() {
    // no copies at all is a valid (if useless) certificate; -1 copies is not
    assertThat(IdentityChecker.check(emptySplit(0.5, 0.5, true, 0.5)).isHolds()).isTrue();
    // max(e+, e-) exactly eps is within eps; one ulp of eps less is not
    rejected(IdentityChecker.check(emptySplit(0.5, 0.5, false, 0.5)), "withinEps is recorded as false");
    assertThat(IdentityChecker.check(emptySplit(0.5, Math.nextDown(0.5), false, 0.5)).isHolds()).isTrue();
    rejected(IdentityChecker.check(emptySplit(0.5, Math.nextDown(0.5), true, 0.5)), "withinEps is recorded as true");
    // an exact error 0 may be claimed as the smallest subnormal, not as two, and never below 0
    assertThat(IdentityChecker.check(emptySplit(0, 1, true, Double.MIN_VALUE)).isHolds()).isTrue();
    rejected(IdentityChecker.check(emptySplit(0, 1, true, 2 * Double.MIN_VALUE)), "overstates");
    rejected(IdentityChecker.check(emptySplit(0, 1, true, -Double.MIN_VALUE)), "claimed e+ must be >= 0");
    // the set named in a reason is the set at fault
    SignSplitCertificate c = signSplit();
    rejected(IdentityChecker.check(c.withSets(c.positive(), new int[] {40})), "S- index 40 is outside [0, 40)");
    rejected(IdentityChecker.check(c.withSets(new int[] {40}, c.negative())), "S+ index 40 is outside [0, 40)");
  }

  static final dev.ticketproof.activation.Activation TANH = ActivationCatalog.parse("tanh");

  static LinearisationCertificate withRadius(LinearisationCertificate c, double r) {
    return new LinearisationCertificate(c.activation(), c.phi0(), c.slope(), c.remainderConstant(),
        c.remainderPower(), r, c.lambda(), c.inputBound(), c.readout(), c.bias(), c.bound());
  }

  @Test
  void linearisationAtTheEndsOfLambdaTheInputBoundAndTheRadius() {
    LinearisationCertificate c = IdentityConstruction.linearise(TANH, 0.25, 2);
    assertThat(IdentityChecker.check(c).isHolds()).isTrue();
    assertThat(IdentityChecker.check(IdentityConstruction.linearise(TANH, 0.25, 0)).isHolds()).isTrue();
    rejected(IdentityChecker.check(c.withLambda(0)), "need lambda > 0");
    rejected(IdentityChecker.check((LinearisationCertificate) null), "incomplete linearisation certificate");
    rejected(IdentityChecker.check(withRadius(c, Double.NaN)), "remainder radius is NaN");
    // a producer may claim a smaller radius than the kernel's; lambda B must stay within it
    assertThat(IdentityChecker.check(withRadius(c, 0.5)).isHolds()).isTrue();
    rejected(IdentityChecker.check(withRadius(c, Math.nextDown(0.5))), "lambda B = 0.5 exceeds the remainder radius");
    // the readout and bias are part of the claim
    rejected(IdentityChecker.check(c.withReadout(c.readout() * 1.01, c.bias())), "claimed bound");
  }

  static SymmetricLinearisationCertificate withRadius(SymmetricLinearisationCertificate c, double r) {
    return new SymmetricLinearisationCertificate(c.activation(), c.slopeMinus(), c.slopePlus(),
        c.remainderConstant(), c.remainderPower(), r, c.lambda(), c.inputBound(), c.readout(), c.bound());
  }

  @Test
  void symmetricLinearisationAtTheEndsOfLambdaTheInputBoundAndTheRadius() {
    dev.ticketproof.activation.Activation elu = ActivationCatalog.parse("elu(0.5)");
    SymmetricLinearisationCertificate c = IdentityConstruction.lineariseSymmetric(elu, 0.25, 2);
    assertThat(IdentityChecker.check(c).isHolds()).isTrue();
    assertThat(IdentityChecker.check(IdentityConstruction.lineariseSymmetric(elu, 0.25, 0)).isHolds()).isTrue();
    rejected(IdentityChecker.check(c.withLambda(0)), "need lambda > 0");
    rejected(IdentityChecker.check((SymmetricLinearisationCertificate) null), "incomplete symmetric");
    rejected(IdentityChecker.check(withRadius(c, Double.NaN)), "remainder radius is NaN");
    assertThat(IdentityChecker.check(withRadius(c, 0.5)).isHolds()).isTrue();
    rejected(IdentityChecker.check(withRadius(c, Math.nextDown(0.5))), "lambda B = 0.5 exceeds the remainder radius");
  }

  @Test
  void constantNeuronOfNothingOrOfAnUnknownActivation() {
    ConstantNeuronCertificate c = IdentityConstruction.constantNeuron(ActivationCatalog.parse("sigmoid"), 0);
    assertThat(IdentityChecker.check(c).isHolds()).isTrue();
    rejected(IdentityChecker.check((ConstantNeuronCertificate) null), "incomplete constant-neuron certificate");
    rejected(IdentityChecker.check(new ConstantNeuronCertificate("swish-ish", c.biasDistribution(), c.seed(),
        c.stream(), c.index(), c.bias(), c.value(), c.readout(), c.deviation())), "not one the kernel can evaluate");
  }
}
