package dev.ticketproof.kernel.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.construct.Defaults;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.kernel.KernelActivation;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.bound.Region;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.measure.Sizes;
import dev.ticketproof.net.Network;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.targets.Builtins;
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
      "small-resnet, relu, l+1, -1,",
      "small-resnet, tanh, l+1, -1,",
      "small-fc, leaky-relu(0.25), l+1, -1, 0",
      "small-fc, tanh, 2l, -1, 2",
      "small-cnn, sigmoid, l+1, -1, 0",
      "small-resnet, tanh, l+1, -1, conv"})
  void theRecursionEqualsTheReference(String target, String activation, String construction, double low,
      String upto) {
    var phi = ActivationCatalog.parse(activation);
    Network net = Builtins.of(target, phi);
    SourceNetwork.Params defaults = Defaults.params(SourceNetwork.Construction.parse(construction), 3, phi);
    SourceNetwork.Params p = new SourceNetwork.Params(defaults.construction(), 3,
        Defaults.rho1(phi, 3, low), defaults.lambda(), 5, upto, low, 1);
    TicketCertificate cert = TicketBuilder.build(net, phi,
        new TicketBuilder.Options(p, 0.05, SubsetSum.Mode.MIN_SIZE, 1, "t"), TicketBuilder.Progress.NONE)
        .certificate();
    SourceNetwork src = SourceNetwork.of(TargetPlan.of(net, KernelActivation.of(phi.name())), p);
    TicketChecker.Report r = TicketChecker.analyse(src, cert, TicketChecker.Listener.NONE, Region.box(low, 1));
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
      TargetPlan t = new TargetPlan(src.plan().inputShape(), java.util.List.of(step), src.plan().phi());
      tail += Sizes.targetParams(t, 0.05);
    }
    for (RecursionReference.Layer l : ref.layers) ticket += l.ticket();
    long kept = 0;
    for (int[] w : cert.keptWeights()) kept += w.length;
    for (int[] b : cert.keptBiases()) kept += b.length;
    assertThat(sizes.ticketParams()).isEqualTo(ticket + tail);
    assertThat(sizes.keptParams()).isEqualTo(kept);
    assertThat(sizes.sourceParams()).isEqualTo(src.sourceParams() + tail);
    assertThat(sizes.targetParams()).isEqualTo(Sizes.targetParams(src.plan(), 0.05));
    assertThat(sizes.depth()).isEqualTo(depth);
    assertThat(r.instances()).isEqualTo(ref.layers.stream().mapToLong(RecursionReference.Layer::instances).sum());
    assertThat(r.maxParamError()).isEqualTo(r.layers().stream().mapToDouble(TicketChecker.LayerReport::maxParamError)
        .max().orElseThrow());
    assertThat(src.tail().isEmpty()).isEqualTo(upto == null);
  }
}
