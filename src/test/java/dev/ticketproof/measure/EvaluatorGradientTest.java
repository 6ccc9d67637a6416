package dev.ticketproof.measure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.construct.Defaults;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Flatten;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.MaxPool2d;
import dev.ticketproof.net.Network;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The evaluators' input gradients ({@link Evaluator.Pass#gradients}) against central differences, on a CNN with
 * max pooling before and after its activation (the gradient goes to the window's largest input) and on its ticket.
 * ReLU networks are piecewise linear, so at random points (no kink within the step) the two agree to rounding.
 */
class EvaluatorGradientTest {
  static Tensor weights(SplittableRandom rng, int... shape) {
    int n = 1;
    for (int s : shape) n *= s;
    double[] v = new double[n];
    for (int q = 0; q < n; q++) v[q] = 2 * rng.nextDouble() - 1;
    return Tensor.of(v, shape);
  }

  static Network net(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Activation relu = ActivationCatalog.parse("relu");
    List<Layer> l = new ArrayList<>();
    l.add(new Conv2d("c1", weights(rng, 3, 1, 3, 3), weights(rng, 3), 1, 1));
    l.add(new ActivationLayer(relu));
    l.add(new MaxPool2d(2, 2, 0));
    l.add(new Conv2d("c2", weights(rng, 3, 3, 3, 3), weights(rng, 3), 1, 1));
    l.add(new MaxPool2d(3, 2, 1));
    l.add(new ActivationLayer(relu));
    l.add(new Flatten());
    l.add(new Linear("fc", weights(rng, 2, 12), weights(rng, 2)));
    return new Network(new int[] {1, 8, 8}, l);
  }

  @Test
  void gradientsAreCentralDifferencesAtRandomPoints() {
    Network net = net(5);
    Activation relu = ActivationCatalog.parse("relu");
    SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, 4,
        Defaults.rho1(relu, 4, -1), 1, 3, null, -1, 1);
    TicketBuilder.Result r = TicketBuilder.build(net, relu, new TicketBuilder.Options(p, 0.05,
        SubsetSum.Mode.MIN_SIZE, 1, "test"), TicketBuilder.Progress.NONE);
    Evaluator.Pair ev = Evaluator.of(r.certificate(), net);
    SplittableRandom rng = new SplittableRandom(11);
    int checked = 0;
    for (Evaluator e : new Evaluator[] {ev.target(), ev.ticket()}) {
      for (int s = 0; s < 4; s++) {
        double[] x = new double[64];
        for (int q = 0; q < x.length; q++) x[q] = 2 * rng.nextDouble() - 1;
        double[] c = {1, -0.5};
        double[] g = e.forward(List.of(x)).gradients(List.of(c)).get(0);
        for (int q = 0; q < x.length; q++) {
          double h = 1e-6;
          double[] up = x.clone();
          double[] down = x.clone();
          up[q] += h;
          down[q] -= h;
          double[] yu = e.apply(up);
          double[] yd = e.apply(down);
          double fd = (c[0] * (yu[0] - yd[0]) + c[1] * (yu[1] - yd[1])) / (2 * h);
          assertThat(g[q]).as("input " + q + " of sample " + s).isCloseTo(fd,
              org.assertj.core.data.Offset.offset(1e-6 * (1 + Math.abs(fd))));
          if (fd != 0) checked++;
        }
      }
    }
    assertThat(checked).as("inputs with a nonzero derivative").isGreaterThan(100);
  }
}
