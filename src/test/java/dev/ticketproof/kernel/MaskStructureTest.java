package dev.ticketproof.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.construct.Defaults;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.io.TicketWriter;
import dev.ticketproof.kernel.bound.Region;
import dev.ticketproof.kernel.check.TicketChecker;
import dev.ticketproof.net.Network;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.targets.Builtins;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A mask without the structure the lemmas need is rejected with a reason naming the layer and unit, even when its
 * digest is rewritten to match (as a forger would).
 */
class MaskStructureTest {
  static final Activation RELU = ActivationCatalog.parse("relu");

  record Built(Network target, TicketCertificate cert, SourceNetwork src) {}

  static Built build(String name) {
    Network target = Builtins.of(name, RELU);
    SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, 3,
        Defaults.rho1(RELU, 3, -1), Defaults.lambda(RELU), 2, null, -1, 1, null, TicketCertificate.VERSION);
    TicketCertificate cert = TicketBuilder.build(target, RELU,
        new TicketBuilder.Options(p, 0.05, SubsetSum.Mode.MIN_SIZE, 1, "t"), TicketBuilder.Progress.NONE)
        .certificate();
    return new Built(target, cert, SourceNetwork.of(TargetPlan.of(target, KernelActivation.of("relu")), p));
  }

  static final Built FC = build("small-fc");

  /** The certificate with layer k's kept weights (or biases) changed and the digest rewritten to match. */
  static TicketCertificate weights(Built b, int k, UnaryOperator<int[]> change) {
    int[][] w = b.cert().keptWeights().clone();
    w[k] = change.apply(w[k].clone());
    return withMask(b, w, b.cert().keptBiases());
  }

  static TicketCertificate biases(Built b, int k, int[] kept) {
    int[][] bs = b.cert().keptBiases().clone();
    bs[k] = kept;
    return withMask(b, b.cert().keptWeights(), bs);
  }

  static TicketCertificate withMask(Built b, int[][] w, int[][] bs) {
    TicketCertificate.Header h = b.cert().header();
    TicketCertificate.Header nh = new TicketCertificate.Header(h.version(), h.target(), h.targetSha256(),
        h.activation(), h.construction(), h.rho(), h.rho1(), h.lambda(), h.seed(), h.inputLow(), h.inputHigh(),
        h.upto(), h.eps(), h.claimedBound(), TicketWriter.maskDigest(w, bs), h.claimedFailedInstances(),
        null, Double.NaN, h.formBudget(), h.substitutionWork(), null);
    return new TicketCertificate(nh, w, bs, nh.maskSha256());
  }

  static int[] plus(int[] a, int x) {
    int[] r = Arrays.copyOf(a, a.length + 1);
    r[a.length] = x;
    Arrays.sort(r);
    return r;
  }

  static void rejected(Built b, TicketCertificate c, String... reasonParts) {
    TicketChecker.Report r = TicketChecker.check(c, b.target(), RELU);
    assertThat(r.verdict().isHolds()).as("must be rejected").isFalse();
    for (String part : reasonParts) assertThat(r.verdict().reason()).contains(part);
    assertThat(r.certifiedBound()).isNaN();
  }

  /** Whether the mask's structure is valid: the kernel certifies what it recomputes for it. */
  static boolean certified(Built b, TicketCertificate c) {
    return TicketChecker.certify(c, b.target(), RELU, TicketChecker.Listener.NONE, null).report().verdict().isHolds();
  }

  @Test
  void theUnmodifiedMaskHolds() {
    assertThat(TicketChecker.check(withMask(FC, FC.cert().keptWeights(), FC.cert().keptBiases()), FC.target(), RELU)
        .verdict().isHolds()).isTrue();
  }

  @Test
  void univariateLayers() {
    // small-fc with rho1 = 6: 4 input channels, 24 copy units then 6 constant units, 30 units of 4 weights each
    SourceNetwork.Univariate u = (SourceNetwork.Univariate) FC.src().nodes().get(0);
    assertThat(u.out().units()).isEqualTo(30);
    int first = FC.cert().keptWeights()[0][0];
    rejected(FC, weights(FC, 0, w -> plus(w, first)), "univariate layer 0: weight index " + first,
        "not strictly increasing");
    rejected(FC, weights(FC, 0, w -> plus(w, -1)), "weight index -1 out of range");
    rejected(FC, weights(FC, 0, w -> plus(w, 120)), "weight index 120 out of range");
    // unit 5 copies channel 0 (copies 0..5 of channel 0): a weight from input 1
    rejected(FC, weights(FC, 0, w -> new int[] {5 * 4 + 1}),
        "unit 5 keeps a weight from input 1 but copies channel 0");
    // unit 24 is the first constant unit
    rejected(FC, weights(FC, 0, w -> new int[] {24 * 4}),
        "unit 24 keeps a weight from input 0 but is a constant unit");
    // the last weight of the last copy unit is in range
    int last = 23 * 4 + 3;
    assertThat(certified(FC, weights(FC, 0, w -> Arrays.binarySearch(w, last) >= 0 ? w : plus(w, last)))).isTrue();
  }

  @Test
  void univariateBiases() {
    rejected(FC, biases(FC, 0, new int[] {0}), "univariate layer 0: copy unit 0 keeps its bias");
    rejected(FC, biases(FC, 0, new int[] {30}), "bias index 30 out of range");
    rejected(FC, biases(FC, 0, new int[] {-1}), "bias index -1 out of range");
    rejected(FC, biases(FC, 0, new int[] {25, 25}), "bias index 25 out of range [0,30) or not strictly increasing");
    assertThat(certified(FC, biases(FC, 0, new int[] {24, 29}))).isTrue();
    rejected(FC, biases(FC, 1, new int[] {0}), "layer 1 keeps biases, but only univariate source layers have biases");
  }

  @Test
  void convolutions() {
    SourceNetwork.Conv c1 = (SourceNetwork.Conv) FC.src().nodes().get(1);
    int size = (int) c1.size();
    int first = FC.cert().keptWeights()[1][0];
    rejected(FC, weights(FC, 1, w -> plus(w, first)), "layer 0: weight index " + first, "not strictly increasing");
    rejected(FC, weights(FC, 1, w -> plus(w, size)), "weight index " + size + " out of range [0," + size + ")");
    rejected(FC, weights(FC, 1, w -> plus(w, -1)), "weight index -1 out of range");
    // constant output unit 24 (of 8 channels x 3 copies) reading the non-constant input unit 0
    rejected(FC, weights(FC, 1, w -> plus(w, c1.index(24, 0, 0, 0))),
        "layer 0: constant unit 24 keeps a weight from non-constant unit 0");
    // a kept weight from a copy whose univariate weight is pruned
    SourceNetwork.Univariate u = (SourceNetwork.Univariate) FC.src().nodes().get(0);
    int read = (int) (FC.cert().keptWeights()[1][0] % c1.in().units());
    assertThat(c1.in().isConstant(read)).isFalse();
    int uniIdx = read * 4 + u.out().channel(read);
    // (every unit reading it is wrong; whichever the checker meets first is named)
    rejected(FC, weights(FC, 0, w -> Arrays.stream(w).filter(x -> x != uniIdx).toArray()), "layer 0: unit ",
        " reads pruned univariate unit " + read);
  }

  @Test
  void constantUnitsReadConstantsAtTheCentreOnly() {
    Built cnn = build("small-cnn");
    SourceNetwork.Conv c2 = (SourceNetwork.Conv) cnn.src().nodes().get(2);
    // the first constant unit of the output and of the input, at tap (0, 0): not the centre (1, 1)
    int o = c2.out().constant(0);
    int u = c2.in().constant(0);
    int idx = c2.index(o, u, 0, 0);
    TicketCertificate c = weights(cnn, 2, w -> Arrays.binarySearch(w, idx) >= 0 ? w : plus(w, idx));
    rejected(cnn, c, "constant unit " + o + " keeps a weight from a constant unit at a tap other than the centre");
    int centre = c2.index(o, u, 1, 1);
    TicketCertificate ok = weights(cnn, 2, w -> Arrays.binarySearch(w, centre) >= 0 ? w : plus(w, centre));
    assertThat(certified(cnn, ok)).isTrue();
  }

  @Test
  void aSourceWhoseLayoutsDisagreeIsRejected() {
    SourceNetwork s = FC.src();
    List<SourceNetwork.Node> nodes = new ArrayList<>(s.nodes());
    SourceNetwork.Conv c2 = (SourceNetwork.Conv) nodes.get(2);
    nodes.set(2, new SourceNetwork.Conv(c2.id(), c2.target(), Layout.copies(8, 2), c2.out(), c2.sigma(),
        c2.largeConstants(), c2.scale(), c2.biasScale(), c2.blockScale(), c2.largeScale(), c2.channelScale()));
    SourceNetwork bad = new SourceNetwork(s.plan(), s.params(), nodes, s.tail());
    TicketChecker.Report r = TicketChecker.analyse(bad, FC.cert(), TicketChecker.Listener.NONE,
        Region.box(s.params().inputLow(), s.params().inputHigh()));
    assertThat(r.verdict().isHolds()).isFalse();
    assertThat(r.verdict().reason()).contains("layer 2 reads layout", "but gets");
  }
}
