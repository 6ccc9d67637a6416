package dev.ticketproof.kernel;

import dev.ticketproof.kernel.check.TicketChecker;
import dev.ticketproof.measure.Evaluator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.targets.Builtins;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.io.TicketWriter;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.Network;
import dev.ticketproof.net.ResidualBlock;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import dev.ticketproof.net.ActivationLayer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every tamper of a ticket certificate must be rejected by the kernel, with a reason. */
class TicketTamperTest {
  static Activation phi;
  static Network target;
  static TicketCertificate cert;
  static Network resnet;
  static TicketCertificate resnetCert;

  @BeforeAll
  static void build() {
    phi = ActivationCatalog.parse("relu");
    target = Builtins.of("small-cnn", phi);
    cert = ticket(target, "small-cnn");
    resnet = Builtins.of("small-resnet", phi);
    resnetCert = ticket(resnet, "small-resnet");
  }

  static TicketCertificate ticket(Network net, String name) {
    SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, 8, 16, 1, 3, null, -1, 1, null,
        TicketCertificate.VERSION);
    TicketBuilder.Result r = TicketBuilder.build(net, phi,
        new TicketBuilder.Options(p, 0.01, SubsetSum.Mode.MIN_SIZE, 2, "builtin:" + name),
        TicketBuilder.Progress.NONE);
    assertThat(r.report().verdict().isHolds()).as(r.report().verdict().reason()).isTrue();
    return r.certificate();
  }

  static TicketCertificate withHeader(TicketCertificate c, TicketCertificate.Header h) {
    return new TicketCertificate(h, c.keptWeights(), c.keptBiases(), c.maskDigest());
  }

  static TicketCertificate.Header header(TicketCertificate c, long seed, double claimed) {
    TicketCertificate.Header h = c.header();
    return new TicketCertificate.Header(h.version(), h.target(), h.targetSha256(), h.activation(), h.construction(),
        h.rho(), h.rho1(), h.lambda(), seed, h.inputLow(), h.inputHigh(), h.upto(), h.eps(), claimed, h.maskSha256(),
        h.claimedFailedInstances(), null, Double.NaN, h.formBudget(), h.substitutionWork(), null);
  }

  /** The header with the digest of another mask, as a forger who also rewrites the digest would make it. */
  static TicketCertificate.Header headerWithDigest(TicketCertificate c, int[][] w) {
    TicketCertificate.Header h = c.header();
    return new TicketCertificate.Header(h.version(), h.target(), h.targetSha256(), h.activation(), h.construction(),
        h.rho(), h.rho1(), h.lambda(), h.seed(), h.inputLow(), h.inputHigh(), h.upto(), h.eps(), h.claimedBound(),
        TicketWriter.maskDigest(w, c.keptBiases()), h.claimedFailedInstances(), null, Double.NaN, h.formBudget(),
        h.substitutionWork(), null);
  }

  /** A certificate made in memory with another mask: its digest is that mask's. */
  static TicketCertificate withMask(TicketCertificate.Header h, int[][] w, int[][] b) {
    return new TicketCertificate(h, w, b, TicketWriter.maskDigest(w, b));
  }

  static void assertRejected(TicketCertificate c, Network net, String reasonPart) {
    TicketChecker.Report r = TicketChecker.check(c, net, phi);
    assertThat(r.verdict().isHolds()).as("tampered certificate must be rejected").isFalse();
    assertThat(r.verdict().reason()).containsIgnoringCase(reasonPart);
  }

  @Test
  void untamperedHolds() {
    assertThat(TicketChecker.check(cert, target, phi).verdict().isHolds()).isTrue();
    assertThat(TicketChecker.check(resnetCert, resnet, phi).verdict().isHolds()).isTrue();
  }

  @Test
  void flippedMaskBitIsRejected() {
    // drop one kept weight of the last layer: its instance's error grows beyond the claim
    int[][] w = Arrays.stream(cert.keptWeights()).map(int[]::clone).toArray(int[][]::new);
    int last = w.length - 1;
    w[last] = Arrays.copyOfRange(w[last], 1, w[last].length);
    assertRejected(withMask(cert.header(), w, cert.keptBiases()), target, "mask digest");
    // add a weight that is not kept: a constant unit reading a copy, or an extra subset member
    int[][] w2 = Arrays.stream(cert.keptWeights()).map(int[]::clone).toArray(int[][]::new);
    int extra = w2[1][0] + 1;
    while (Arrays.binarySearch(w2[1], extra) >= 0) extra++;
    int[] grown = Arrays.copyOf(w2[1], w2[1].length + 1);
    grown[grown.length - 1] = extra;
    Arrays.sort(grown);
    w2[1] = grown;
    TicketChecker.Report r = TicketChecker.check(withMask(headerWithDigest(cert, w2), w2,
        cert.keptBiases()), target, phi);
    assertThat(r.verdict().isHolds()).as("an extra kept weight must be rejected even with a rewritten digest")
        .isFalse();
    // a forger who rewrites the digest after dropping a weight: the recomputed figures no longer match the claims
    // unless the dropped weight changes neither the failure count nor the maximal bound; try every weight of the
    // last layer and require that any change is caught or leaves the claims true
    int[][] w3 = Arrays.stream(cert.keptWeights()).map(int[]::clone).toArray(int[][]::new);
    w3[last] = Arrays.copyOfRange(cert.keptWeights()[last], 1, cert.keptWeights()[last].length);
    TicketCertificate forged = withMask(headerWithDigest(cert, w3), w3, cert.keptBiases());
    TicketChecker.Report fr = TicketChecker.check(forged, target, phi);
    if (fr.verdict().isHolds()) {
      assertThat(fr.certifiedBound()).isLessThanOrEqualTo(cert.header().claimedBound());
    }
  }

  @Test
  void unsortedOrOutOfRangeMaskIsRejected() {
    int[][] w = Arrays.stream(cert.keptWeights()).map(int[]::clone).toArray(int[][]::new);
    w[1][0] = Integer.MAX_VALUE;
    assertRejected(withMask(headerWithDigest(cert, w), w, cert.keptBiases()), target, "out of range");
  }

  @Test
  void differentSeedIsRejected() {
    assertRejected(withHeader(cert, header(cert, cert.header().seed() + 1, cert.header().claimedBound())), target,
        "");
  }

  @Test
  void boundClaimedTooSmallIsRejected() {
    assertRejected(withHeader(cert, header(cert, cert.header().seed(), cert.header().claimedBound() * 0.999)),
        target, "below the recomputed bound");
  }

  @Test
  void nanClaimIsRejected() {
    assertRejected(withHeader(cert, header(cert, cert.header().seed(), Double.NaN)), target, "claimed bound");
  }

  @Test
  void perturbedTargetWeightIsRejected() {
    List<Layer> layers = new ArrayList<>(target.layers());
    Conv2d c = (Conv2d) layers.get(0);
    double[] k = c.weight().data().clone();
    k[0] += 1e-9;
    layers.set(0, new Conv2d(c.name(), Tensor.of(k, c.weight().shape()), c.bias(), c.stride(), c.ph(),
        c.pw()));
    assertRejected(cert, new Network(target.inputShape(), layers), "target hash");
  }

  @Test
  void tamperedSkipOrBatchNormIsRejected() {
    List<Layer> layers = new ArrayList<>(resnet.layers());
    for (int q = 0; q < layers.size(); q++) {
      if (layers.get(q) instanceof ResidualBlock rb && rb.shortcut() instanceof ResidualBlock.Identity) {
        double[] scale = new double[rb.conv2().outChannels()];
        Arrays.fill(scale, 1.0);
        scale[0] = 0.5;
        layers.set(q, new ResidualBlock(rb.name(), rb.conv1(), rb.bn1(), rb.conv2(), rb.bn2(),
            new ResidualBlock.Identity(scale), rb.phi()));
        break;
      }
    }
    assertRejected(resnetCert, new Network(resnet.inputShape(), layers), "target hash");
    List<Layer> bnLayers = new ArrayList<>(resnet.layers());
    dev.ticketproof.net.BatchNorm2d bn = (dev.ticketproof.net.BatchNorm2d) bnLayers.get(1);
    double[] var = bn.var().clone();
    var[0] *= 1.01;
    bnLayers.set(1, new dev.ticketproof.net.BatchNorm2d(bn.name(), bn.gamma(), bn.beta(), bn.mean(), var, bn.eps()));
    assertRejected(resnetCert, new Network(resnet.inputShape(), bnLayers), "target hash");
  }

  @Test
  void fileRoundTripIsExactAndTruncationIsUnreadable(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("t.tpz");
    dev.ticketproof.io.AtomicFile.write(f, os -> dev.ticketproof.io.TicketWriter.write(cert, os));
    TicketCertificate back = TicketFile.read(f);
    assertThat(back.header()).isEqualTo(cert.header());
    assertThat(back.keptWeights()).isDeepEqualTo(cert.keptWeights());
    assertThat(back.keptBiases()).isDeepEqualTo(cert.keptBiases());
    assertThat(TicketChecker.check(back, target, phi).verdict().isHolds()).isTrue();
    long kept = Arrays.stream(cert.keptWeights()).mapToLong(a -> a.length).sum();
    assertThat(Files.size(f)).as("<= 8 bytes per kept weight").isLessThanOrEqualTo(8 * kept);
    byte[] all = Files.readAllBytes(f);
    for (int cut : new int[] {0, 10, all.length / 2, all.length - 1}) {
      Path g = dir.resolve("cut" + cut + ".tpz");
      Files.write(g, Arrays.copyOf(all, cut));
      assertThatThrownBy(() -> TicketFile.read(g)).isInstanceOf(TicketFile.Unreadable.class);
    }
  }

  /** The header with one field changed (everything else, the mask digest included, kept). */
  static TicketCertificate.Header headerWith(TicketCertificate c, String field, Object value) {
    TicketCertificate.Header h = c.header();
    return new TicketCertificate.Header(h.version(), h.target(), h.targetSha256(),
        field.equals("activation") ? (String) value : h.activation(),
        field.equals("construction") ? (String) value : h.construction(),
        field.equals("rho") ? (Integer) value : h.rho(), field.equals("rho1") ? (Integer) value : h.rho1(),
        field.equals("lambda") ? (Double) value : h.lambda(), h.seed(),
        field.equals("inputLow") ? (Double) value : h.inputLow(),
        field.equals("inputHigh") ? (Double) value : h.inputHigh(),
        field.equals("upto") ? (String) value : h.upto(), field.equals("eps") ? (Double) value : h.eps(),
        field.equals("claimedBound") ? (Double) value : h.claimedBound(), h.maskSha256(),
        field.equals("claimedFailedInstances") ? (Long) value : h.claimedFailedInstances(), null, Double.NaN,
        h.formBudget(), h.substitutionWork(), null);
  }

  @Test
  void infiniteClaimIsRejected() {
    assertRejected(withHeader(cert, headerWith(cert, "claimedBound", Double.POSITIVE_INFINITY)), target,
        "claimed bound");
  }

  @Test
  void checkerGivenAnotherActivationRejects() {
    for (String other : new String[] {"tanh", "leaky-relu(0.2)", "sigmoid"}) {
      TicketChecker.Report r = TicketChecker.check(cert, target, ActivationCatalog.parse(other));
      assertThat(r.verdict().isHolds()).as(other).isFalse();
      assertThat(r.verdict().reason()).as(other).containsIgnoringCase("activation mismatch");
    }
  }

  /**
   * A rewritten header describes another source network. The kernel must never accept a false claim: either it
   * rejects the certificate, or the ticket the mask selects in the source the header now describes is within the
   * claimed bound (measured on box samples). Returns whether it was rejected.
   */
  static boolean rejectedOrSound(TicketCertificate c, Network net, Activation psi, String what) {
    TicketChecker.Report r = TicketChecker.check(c, net, psi);
    if (!r.verdict().isHolds()) {
      assertThat(r.verdict().reason()).as(what).isNotBlank();
      System.out.println("tampered " + what + ": rejected: " + r.verdict().reason());
      return true;
    }
    SourceNetwork src = SourceNetwork.of(TargetPlan.of(net, psi), c.params());
    int[] in = net.inputShape();
    Evaluator.Comparison m = Evaluator.compare(Evaluator.ofTarget(src.plan()), Evaluator.ofTicket(src, c),
        Evaluator.boxSamples(in[0] * in[1] * in[2], c.header().inputLow(), c.header().inputHigh(), 64, 5));
    System.out.println("tampered " + what + ": accepted (an equivalent source), measured " + m.maxDifference()
        + " <= claim " + c.header().claimedBound());
    assertThat(m.maxDifference()).as(what + ": accepted, so the claim must be true")
        .isLessThanOrEqualTo(c.header().claimedBound());
    assertThat(r.certifiedBound()).as(what).isLessThanOrEqualTo(c.header().claimedBound());
    return false;
  }

  @Test
  void rewrittenHeaderActivationIsRejectedOrSound() {
    // the header names another activation and the checker is given that activation (as verify does): the target
    // network rebuilt with it has another hash
    for (String other : new String[] {"tanh", "leaky-relu(0.2)", "sigmoid"}) {
      Activation psi = ActivationCatalog.parse(other);
      List<Layer> layers = new ArrayList<>(target.layers());
      layers.replaceAll(l -> l instanceof ActivationLayer ? new ActivationLayer(psi) : l);
      TicketChecker.Report r = TicketChecker.check(withHeader(cert, headerWith(cert, "activation", psi.name())),
          new Network(target.inputShape(), layers), psi);
      assertThat(r.verdict().isHolds()).as(other).isFalse();
      assertThat(r.verdict().reason()).as(other).containsIgnoringCase("target hash");
    }
    // a single conv has no activation layer, so its hash stays: the mask is judged on its own terms. Smooth phi
    // must be rejected (their remainder terms exceed the piecewise-linear claim); LeakyReLU with mu = m+ + m- scales
    // the source's second layer by 1/mu and so describes an equivalent ticket
    Network single = new Network(new int[] {2, 8, 8}, List.of(target.layers().get(0)));
    TicketCertificate c = ticket(single, "single");
    for (String other : new String[] {"tanh", "leaky-relu(0.2)", "sigmoid"}) {
      Activation psi = ActivationCatalog.parse(other);
      boolean rejected = rejectedOrSound(withHeader(c, headerWith(c, "activation", psi.name())), single, psi,
          "single-layer activation " + other);
      if (!other.startsWith("leaky")) assertThat(rejected).as(other).isTrue();
    }
  }

  @Test
  void rewrittenSourceParametersInTheHeaderAreRejectedOrSound() {
    TicketCertificate.Header h = cert.header();
    Object[][] tampers = {
        {"rho", h.rho() + 1}, {"rho", h.rho() - 1}, {"rho1", h.rho1() + 1}, {"rho1", h.rho1() / 2},
        {"construction", "2l"}, {"upto", "0"}, {"upto", "2"}, {"inputLow", 0.0}, {"inputHigh", 2.0},
        {"eps", h.eps() / 2}, {"claimedFailedInstances", h.claimedFailedInstances() + 1},
        {"lambda", h.lambda() / 2}, {"lambda", h.lambda() / 8}};
    for (Object[] t : tampers) {
      String what = "header " + t[0] + " = " + t[1];
      boolean rejected = rejectedOrSound(withHeader(cert, headerWith(cert, (String) t[0], t[1])), target, phi, what);
      // ReLU is positively homogeneous: a smaller lambda scales the univariate weights by the factor lambda and the
      // weights reading them by 1 / lambda, the same ticket function; every other rewrite must be rejected
      if (!t[0].equals("lambda")) assertThat(rejected).as(what + " must be rejected").isTrue();
    }
  }
}
