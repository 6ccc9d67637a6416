package dev.ticketproof.kernel.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.construct.Defaults;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.construct.TicketExport;
import dev.ticketproof.kernel.KernelActivation;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.bound.Region;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.ZeroTargetMasks;
import dev.ticketproof.measure.Sizes;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.Network;
import dev.ticketproof.tensor.Tensor;
import java.util.List;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.targets.Builtins;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The kernel's layerwise recursion equals the {@link RecursionReference}, computed another way. Equality to a
 * relative 1e-12 catches a recursion that is too large as well as one that is too small; the per-layer figures
 * (instances, failures, ticket parameters, largest instance error, output error) must match exactly or to rounding.
 */
class RecursionReferenceTest {
  @ParameterizedTest(name = "{0} {1} {2} box [{3}, 1] upto {4}")
  @CsvSource({
      "small-fc, relu, l+1, -1,",
      "small-fc, relu, l+1, 0,",
      "small-fc, leaky-relu(0.25), l+1, -1,",
      "small-fc, leaky-relu(0.25), 2l, -1,",
      "small-fc, tanh, l+1, -1,",
      "small-fc, sigmoid, 2l, -1,",
      "small-cnn, leaky-relu(0.25), l+1, -1,",
      "small-cnn, sigmoid, l+1, -1,",
      "small-cnn, selu, l+1, -1,",
      "small-resnet, relu, l+1, -1,",
      "small-resnet, tanh, l+1, -1,",
      "small-fc, leaky-relu(0.25), l+1, -1, 0",
      "small-fc, tanh, 2l, -1, 2",
      "small-cnn, sigmoid, l+1, -1, 0",
      "small-resnet, tanh, l+1, -1, conv",
      "small-resnet, sigmoid, l+1, -1, conv"})
  void theRecursionEqualsTheReference(String target, String activation, String construction, double low,
      String upto) {
    var phi = ActivationCatalog.parse(activation);
    Network net = Builtins.of(target, phi);
    SourceNetwork.Params defaults = Defaults.params(SourceNetwork.Construction.parse(construction), 3, phi);
    SourceNetwork.Params p = new SourceNetwork.Params(defaults.construction(), 3,
        Defaults.rho1(phi, 3, low), defaults.lambda(), 5, upto, low, 1, null, TicketCertificate.VERSION);
    equalsTheReference(net, phi, p, 0.05);
  }

  static SourceNetwork.Params params(String construction, Activation phi, int rho, double lambda, double low) {
    return params(construction, phi, rho, lambda, low, TicketCertificate.VERSION);
  }

  static SourceNetwork.Params params(String construction, Activation phi, int rho, double lambda, double low,
      int version) {
    return new SourceNetwork.Params(SourceNetwork.Construction.parse(construction), rho, Defaults.rho1(phi, rho, low),
        lambda, 5, null, low, 1, null, version);
  }

  /**
   * Accurate tickets (subset sums of 24 candidates, tolerance 1e-8) with leaky ReLU (no remainder): the instance
   * errors are 1e-6 to 5e-4 of weights of order 1, and the kernel's compensated instance sums must still give the
   * exact reference to 1e-12 of the bound (an instance summed in plain doubles errs by about 1e-16 of its terms,
   * which these bounds show). On [-1, 1] the channels are split by the sign of w1 (slope m+ + m- = 1.25), on [0, 1]
   * not (m+ = 1, m- = 0.25).
   */
  @ParameterizedTest(name = "{0} {1} box [{2}, 1]")
  @CsvSource({"small-fc, 2l, -1", "small-fc, 2l, 0", "small-fc, l+1, 0"})
  void accurateTicketsEqualTheReference(String target, String construction, double low) {
    Activation phi = ActivationCatalog.parse("leaky-relu(0.25)");
    TicketChecker.Report r = equalsTheReference(Builtins.of(target, phi), phi, params(construction, phi, 24, 1, low),
        1e-8);
    assertThat(r.maxParamError()).as("an accurate ticket: %s", r.layers()).isLessThan(1e-3);
  }

  /**
   * With lambda 1 on the box [-4, 1], |w1 x| reaches about 8: beyond about 2.4 (tanh) and 4.9 (sigmoid) phi's
   * remainder is bounded through the Lipschitz constant, (L + max m) |t|, which is then below M |t|^3. A version 4
   * source (version 5 scales the copies of inputs up to 4 by 1/4, so that |w1 x| stays within 2 lambda).
   */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"tanh, l+1", "tanh, 2l", "sigmoid, l+1"})
  void largeArgumentsBoundTheRemainderThroughTheLipschitzConstant(String activation, String construction) {
    Activation phi = ActivationCatalog.parse(activation);
    SourceNetwork.Params p = params(construction, phi, 3, 1, -4, 4);
    Network net = Builtins.of("small-fc", phi);
    SourceNetwork src = SourceNetwork.of(TargetPlan.of(net, KernelActivation.of(phi.name())), p);
    SourceNetwork.Univariate first = (SourceNetwork.Univariate) src.nodes().get(0);
    double largest = 0;
    for (int o = 0; o < first.out().n() * first.out().rho(); o++) largest = Math.max(largest, Math.abs(first.w1(5, o)));
    double arg = 4 * largest;
    // the premise: some copy's argument lies where the Lipschitz form is the smaller
    assertThat((phi.lipschitz() + Math.max(phi.slopePlus(), phi.slopeMinus())) * arg)
        .isLessThan(phi.remainderConstant() * Math.pow(arg, phi.remainderPower()));
    equalsTheReference(net, phi, p, 0.05);
  }

  /** The zero network: every instance is exact, the recursion is 0 and the certified bound its slack 1e-12. */
  @Test
  void theZeroNetworkIsBoundedByTheSlack() {
    Activation phi = ActivationCatalog.parse("relu");
    Network net = new Network(new int[] {3}, List.of(new Linear("fc1", Tensor.zeros(4, 3), Tensor.zeros(4)),
        new ActivationLayer(phi), new Linear("fc2", Tensor.zeros(2, 4), Tensor.zeros(2))));
    TicketChecker.Report r = equalsTheReference(net, phi, params("l+1", phi, 3, 1, -1), 0.05);
    assertThat(r.recursionBound()).isEqualTo(1e-12);
    assertThat(r.certifiedBound()).isBetween(0.0, 1e-12);
  }

  /**
   * A mask that keeps a weight where the target weight is 0 (more than the construction keeps): that weight forms
   * an instance of target 0, whose error |w| B counts, in a layer reading a univariate layer (fc1) and in one
   * reading copies (fc2); the recursion equals the reference and exceeds the untampered ticket's.
   */
  @Test
  void aKeptWeightWhereTheTargetIsZeroCounts() {
    Activation phi = ActivationCatalog.parse("relu");
    Network net = ZeroTargetMasks.fc(phi);
    SourceNetwork.Params p = params("l+1", phi, 3, 1, -1);
    TicketCertificate cert = TicketBuilder.build(net, phi,
        new TicketBuilder.Options(p, 0.05, SubsetSum.Mode.MIN_SIZE, 1, "t"), TicketBuilder.Progress.NONE)
        .certificate();
    SourceNetwork src = SourceNetwork.of(TargetPlan.of(net, KernelActivation.of(phi.name())), p);
    TicketCertificate tampered = ZeroTargetMasks.keepWhereTheTargetIsZero(src, cert);
    double untampered = equalsTheReference(net, phi, p, cert).recursionBound();
    assertThat(equalsTheReference(net, phi, p, tampered).recursionBound()).isGreaterThan(untampered);
  }

  /** Builds the ticket and checks the kernel's recursion against the reference; returns the report. */
  static TicketChecker.Report equalsTheReference(Network net, Activation phi, SourceNetwork.Params p, double eps) {
    TicketCertificate cert = TicketBuilder.build(net, phi,
        new TicketBuilder.Options(p, eps, SubsetSum.Mode.MIN_SIZE, 1, "t"), TicketBuilder.Progress.NONE)
        .certificate();
    return equalsTheReference(net, phi, p, cert);
  }

  /** The kernel's recursion on a certificate (of {@code net} with parameters {@code p}) against the reference. */
  static TicketChecker.Report equalsTheReference(Network net, Activation phi, SourceNetwork.Params p,
      TicketCertificate cert) {
    String upto = p.upto();
    double eps = cert.header().eps();
    SourceNetwork src = SourceNetwork.of(TargetPlan.of(net, KernelActivation.of(phi.name())), p);
    TicketChecker.Report r = TicketChecker.analyse(src, cert, TicketChecker.Listener.NONE,
        Region.box(p.inputLow(), p.inputHigh()));
    RecursionReference ref = new RecursionReference(src, cert);
    double expected = ref.bound();
    assertThat(r.verdict().isHolds()).as(r.verdict().toString()).isTrue();
    assertThat(r.recursionBound()).isCloseTo(expected, within(1e-12 * expected));
    assertThat(r.layers()).hasSameSizeAs(ref.layers);
    long failed = 0;
    Sizes sizes = Sizes.of(src, cert);
    for (int k = 0; k < ref.layers.size(); k++) {
      TicketChecker.LayerReport got = r.layers().get(k);
      RecursionReference.Layer want = ref.layers.get(k);
      assertThat(got.name()).isEqualTo(want.name());
      assertThat(got.instances()).as("instances of %s", got.name()).isEqualTo(want.instances());
      assertThat(got.failedInstances()).as("failed instances of %s", got.name()).isEqualTo(want.failed());
      assertThat(sizes.layers().get(k).ticketParams()).as("ticket parameters of %s", got.name()).isEqualTo(want.ticket());
      assertThat(got.maxParamError()).as("largest instance error of %s", got.name())
          .isCloseTo(want.maxErr(), within(1e-15 + 1e-13 * want.maxErr()));
      assertThat(got.errorOut()).as("output error of %s", got.name())
          .isCloseTo(want.errorOut(), within(1e-12 * want.errorOut()));
      failed += want.failed();
    }
    assertThat(r.failedInstances()).isEqualTo(failed);
    // the totals: the kept target layers count their own parameters, and the depth counts every layer once
    long tail = 0;
    long ticket = 0;
    int depth = 0;
    for (TargetPlan.Step step : src.plan().steps()) {
      if (step instanceof TargetPlan.Affine) depth++;
      if (step instanceof TargetPlan.Residual) depth += 2;
    }
    for (SourceNetwork.Node n : src.nodes()) if (n instanceof SourceNetwork.Univariate) depth++;
    for (TargetPlan.Step step : src.tail()) {
      TargetPlan t = new TargetPlan(src.plan().inputShape(), java.util.List.of(step), src.plan().phi(), null);
      for (TargetPlan.Affine a : Sizes.affines(t)) tail += Sizes.count(a, eps);
    }
    for (RecursionReference.Layer l : ref.layers) ticket += l.ticket();
    long kept = 0;
    for (int[] w : cert.keptWeights()) kept += w.length;
    for (int[] b : cert.keptBiases()) kept += b.length;
    assertThat(sizes.ticketParams()).isEqualTo(ticket + tail);
    assertThat(sizes.keptParams()).isEqualTo(kept);
    assertThat(sizes.sourceParams()).isEqualTo(TicketExport.sourceParams(src) + tail);
    assertThat(sizes.targetParams()).isEqualTo(Sizes.targetParams(src.plan(), eps));
    assertThat(sizes.depth()).isEqualTo(depth);
    assertThat(r.instances()).isEqualTo(ref.layers.stream().mapToLong(RecursionReference.Layer::instances).sum());
    assertThat(r.maxParamError()).isEqualTo(r.layers().stream().mapToDouble(TicketChecker.LayerReport::maxParamError)
        .max().orElseThrow());
    assertThat(src.tail().isEmpty()).isEqualTo(upto == null);
    return r;
  }
}
