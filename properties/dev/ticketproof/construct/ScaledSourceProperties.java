package dev.ticketproof.construct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.Network;
import dev.ticketproof.stats.EmpiricalBound;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Properties of the source network's per-channel scales (proof page {@code proofs/scaled-source.md}):
 *
 * <ul>
 *   <li>scale invariance, exactly: multiplying every weight and bias of a target by a power of two 2^k and the
 *       tolerance by 2^k gives the same mask (the same subsets of the same draws) and a certified bound 2^k times
 *       as large, to rounding;</li>
 *   <li>reach: targets with parameters up to 50 in magnitude (far outside the lemma's [-1, 1]) build tickets that
 *       the kernel accepts, whose measured error is within the certified bound, and whose instances fail about as
 *       often as the lemma's instances at the same relative tolerance, never because a target is out of reach: the
 *       failure rate over all instances has a Clopper-Pearson upper limit (alpha = 1e-6) below 5 %.</li>
 * </ul>
 */
class ScaledSourceProperties {
  static long instances;
  static long failed;

  @AfterAll
  static void summary() {
    System.out.printf("ScaledSourceProperties: targets with |w| up to 50: %d instances, %d failed%n", instances,
        failed);
  }

  /** A copy of the network with every weight and bias multiplied by f. */
  static Network scaled(Network net, double f) {
    List<Layer> layers = new ArrayList<>();
    for (Layer l : net.layers()) {
      if (l instanceof Conv2d c) {
        layers.add(new Conv2d(c.name(), times(c.weight(), f), c.bias() == null ? null : times(c.bias(), f),
            c.stride(), c.ph(), c.pw()));
      } else if (l instanceof Linear lin) {
        layers.add(new Linear(lin.name(), times(lin.weight(), f), lin.bias() == null ? null : times(lin.bias(), f)));
      } else {
        layers.add(l);
      }
    }
    return new Network(net.inputShape(), layers);
  }

  static Tensor times(Tensor t, double f) {
    double[] d = t.data().clone();
    for (int k = 0; k < d.length; k++) d[k] *= f;
    return Tensor.of(d, t.shape().clone());
  }

  @Test
  void scalingTheTargetByAPowerOfTwoScalesTheTicketExactly() {
    qt().withFixedSeed(4901L).withExamples(40).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(-4, 6))
        .checkAssert((seed, k) -> {
          UniformRandomProvider rng = RandomTargets.rng(seed);
          // one-layer targets (no activation between layers), so that scaling the target scales the function
          Activation phi = RandomTargets.phi("relu");
          RandomTargets.Target t;
          do {
            t = RandomTargets.sequential(rng, phi);
          } while (t.depth() != 1);
          double f = Math.scalb(1.0, k);
          SourceNetwork.Params p = RandomTargets.params(SourceNetwork.Construction.L_PLUS_1, phi, 8, seed, null, -1, 1);
          double eps = 0.02;
          String what = "seed=" + seed + " factor 2^" + k + " target: " + t.description();
          TicketBuilder.Result a = RandomTargets.build(t.net(), phi, p, eps, 1);
          Network big = scaled(t.net(), f);
          TicketBuilder.Result b = RandomTargets.build(big, phi, p, eps * f, 1);
          TheoremLPlus1Properties.checkHolds(b, big, phi, what);
          assertThat(b.report().failedInstances()).as(what + ": failed instances").isEqualTo(a.report().failedInstances());
          for (int l = 0; l < a.certificate().keptWeights().length; l++) {
            assertThat(Arrays.equals(a.certificate().keptWeights()[l], b.certificate().keptWeights()[l]))
                .as(what + ": same kept weights in layer " + l).isTrue();
          }
          // to rounding: relative, and absolute for a bound near the smallest normal double (an exact ticket's),
          // since outward rounding adds Double.MIN_NORMAL per step, which no power of two scales
          double want = f * a.report().certifiedBound();
          assertThat(b.report().certifiedBound()).as(what + ": bound scales by 2^k")
              .isCloseTo(want, org.assertj.core.data.Offset.offset(1e-8 * want + 0x1p-960));
        });
  }

  @Test
  void targetsFarBeyondTheUnitIntervalAreInReach() {
    qt().withFixedSeed(4902L).withExamples(60).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(0, 3))
        .checkAssert((seed, act) -> {
          UniformRandomProvider rng = RandomTargets.rng(seed);
          Activation phi = RandomTargets.phi(RandomTargets.ACTIVATIONS.get(act));
          RandomTargets.Target t = RandomTargets.sequential(rng, phi);
          double f = 1 + 49 * rng.nextDouble();
          Network big = scaled(t.net(), f / 1.5);
          SourceNetwork.Params p = RandomTargets.params(SourceNetwork.Construction.L_PLUS_1, phi, 24, seed, null, 0, 1);
          double eps = 0.01 * f;
          String what = "seed=" + seed + " phi=" + phi.name() + " |w| <= " + f + " rho=24 eps=" + eps + " target: "
              + t.description();
          TicketBuilder.Result r = RandomTargets.build(big, phi, p, eps, 1);
          TheoremLPlus1Properties.checkHolds(r, big, phi, what);
          double measured = RandomTargets.measured(r, big, phi, 64, seed ^ 0x5eedL);
          assertThat(measured).as(what + ": measured vs certified").isLessThanOrEqualTo(r.report().certifiedBound());
          synchronized (ScaledSourceProperties.class) {
            instances += r.report().instances();
            failed += r.report().failedInstances();
          }
        });
    double upper = EmpiricalBound.clopperPearson(instances, failed, 1e-6)[1];
    assertThat(upper).as("failure rate upper limit: %d of %d instances failed", failed, instances)
        .isLessThan(0.05);
  }
}
