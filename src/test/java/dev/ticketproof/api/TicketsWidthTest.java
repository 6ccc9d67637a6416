package dev.ticketproof.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.limits.BadParameter;
import dev.ticketproof.measure.Goals;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.Network;
import dev.ticketproof.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The automatic width: the theorem's, unless a source layer would then have more weight slots than a mask indexes;
 * then the widest that fits (a network with a wide first layer, such as an MLP on 32x32x3 images, gets a ticket).
 */
class TicketsWidthTest {
  static final class Planned extends RuntimeException {
    final transient SourceNetwork source;

    Planned(SourceNetwork source) {
      super("planned");
      this.source = source;
    }
  }

  static Network wide() {
    SplittableRandom rng = new SplittableRandom(1);
    double[] w = new double[64 * 4096];
    for (int k = 0; k < w.length; k++) w[k] = 0.05 * (2 * rng.nextDouble() - 1);
    double[] v = new double[2 * 64];
    for (int k = 0; k < v.length; k++) v[k] = 2 * rng.nextDouble() - 1;
    List<Layer> l = List.of(new Linear("fc1", Tensor.of(w, 64, 4096), Tensor.of(new double[64], 64)),
        new dev.ticketproof.net.ActivationLayer(ActivationCatalog.parse("relu")),
        new Linear("fc2", Tensor.of(v, 2, 64), null));
    return new Network(new int[] {4096}, l);
  }

  @Test
  void theWidestSourceThatAMaskIndexesWhenTheTheoremsDoesNotFit() {
    Network net = wide();
    Activation relu = ActivationCatalog.parse("relu");
    double eps = 0.001;
    assertThatThrownBy(() -> Tickets.of(net, relu).inputBox(0, 1).tolerance(eps).progress(new Tickets.Progress() {
      @Override public void step(String what, long done, long total) { }

      @Override public void plan(SourceNetwork source) { throw new Planned(source); }
    }).build()).isInstanceOfSatisfying(Planned.class, p -> {
      TargetPlan plan = p.source.plan();
      SourceNetwork.Params used = p.source.params();
      int theorem = Goals.theoremRho(plan, used.construction(), eps, 0.01);
      assertThat(used.rho()).as("the theorem's width " + theorem).isLessThan(theorem).isGreaterThan(1);
      SourceNetwork.Params wider = new SourceNetwork.Params(used.construction(), used.rho() + 1, used.rho() + 1,
          used.lambda(), used.seed(), used.upto(), used.inputLow(), used.inputHigh(), null, TicketCertificate.VERSION);
      assertThatThrownBy(() -> SourceNetwork.of(plan, wider)).isInstanceOf(BadParameter.class)
          .hasMessageContaining("weight slots");
    });
  }
}
