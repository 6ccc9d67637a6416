package dev.ticketproof.construct;

import dev.ticketproof.targets.Builtins;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.measure.Evaluator;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.net.Network;
import dev.ticketproof.random.WeightField;
import dev.ticketproof.subsetsum.SubsetSum;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TicketBuilderTest {
  @ParameterizedTest
  @CsvSource({"small-fc,relu,l+1", "small-cnn,relu,l+1", "small-cnn,tanh,l+1", "small-cnn,sigmoid,l+1",
      "small-cnn,leaky-relu(0.2),l+1", "small-cnn,relu,2l", "small-resnet,relu,l+1", "small-resnet,sigmoid,l+1",
      "small-cnn,relu6,l+1", "small-fc,hardsigmoid,2l", "small-fc,mish,l+1"})
  void builtTicketHoldsAndMeasuredErrorIsWithinBound(String name, String act, String cons) {
    Activation phi = ActivationCatalog.parse(act);
    Network target = Builtins.of(name, phi);
    int rho = 15;
    SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.parse(cons), rho,
        SourceNetwork.defaultRho1(phi, rho), Defaults.lambda(phi), 1, null, -1, 1, null, TicketCertificate.VERSION);
    TicketBuilder.Result r = TicketBuilder.build(target, phi,
        new TicketBuilder.Options(p, 0.01, SubsetSum.Mode.MIN_SIZE, 2, "builtin:" + name),
        TicketBuilder.Progress.NONE);
    assertThat(r.report().verdict().isHolds()).as(r.report().verdict().reason()).isTrue();
    Evaluator t = Evaluator.ofTarget(TargetPlan.of(target, phi));
    Evaluator k = Evaluator.ofTicket(r.source(), r.certificate());
    int n = target.inputShape()[0] * target.inputShape()[1] * target.inputShape()[2];
    double worst = 0;
    for (int s = 0; s < 20; s++) {
      double[] x = new double[n];
      for (int q = 0; q < n; q++) {
        x[q] = s < 10 ? WeightField.uniform(99, s, q, -1, 1) : (WeightField.u01(98, s, q) < 0.5 ? -1 : 1);
      }
      double[] a = t.apply(x);
      double[] b = k.apply(x);
      for (int q = 0; q < a.length; q++) worst = Math.max(worst, Math.abs(a[q] - b[q]));
    }
    System.out.printf("%s %s %s: bound %.4g measured %.4g ticket %d failed %d/%d%n", name, act, cons,
        r.report().certifiedBound(), worst, dev.ticketproof.measure.Sizes.of(r.source(), r.certificate()).ticketParams(), r.report().failedInstances(),
        r.report().instances());
    assertThat(worst).isLessThanOrEqualTo(r.report().certifiedBound());
  }

  /** Activations the hypothesis admits but the kernel cannot certify are refused before anything is built. */
  @org.junit.jupiter.api.Test
  void activationsTheKernelCannotCertifyAreRefused() {
    for (String act : new String[] {"hardtanh(-1,0)", "leaky-relu(1.5)"}) {
      Activation phi = ActivationCatalog.parse(act);
      SourceNetwork.Params p = Defaults.params(SourceNetwork.Construction.L_PLUS_1, 4, phi);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> TicketBuilder.build(Builtins.of("small-fc", phi), phi,
          new TicketBuilder.Options(p, 0.01, SubsetSum.Mode.MIN_SIZE, 2, "builtin:small-fc"),
          TicketBuilder.Progress.NONE)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("the kernel certifies no ticket with activation " + phi.name() + ": it takes ");
    }
  }
}
