package dev.ticketproof.measure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.construct.Defaults;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TicketCertificate;
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

  /**
   * Poolings with unequal sides on 1x8x9: conv 3 (3x3, padding 1) -> ReLU -> max pool of 3 x 2 windows (strides 2 and
   * 1, paddings 1 and 0; 4x8) -> conv 3 -> ReLU -> average pool of 2 x 3 windows (strides 1 and 2; 3x3) -> fc 2.
   */
  static Network rectangular(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Activation relu = ActivationCatalog.parse("relu");
    List<Layer> l = new ArrayList<>();
    l.add(new Conv2d("c1", weights(rng, 3, 1, 3, 3), weights(rng, 3), 1, 1));
    l.add(new ActivationLayer(relu));
    l.add(new MaxPool2d(3, 2, 2, 1, 1, 0));
    l.add(new Conv2d("c2", weights(rng, 3, 3, 3, 3), weights(rng, 3), 1, 1));
    l.add(new ActivationLayer(relu));
    l.add(new dev.ticketproof.net.AvgPool2d(2, 3, 1, 2));
    l.add(new Flatten());
    l.add(new Linear("fc", weights(rng, 2, 27), weights(rng, 2)));
    return new Network(new int[] {1, 8, 9}, l);
  }

  @Test
  void gradientsAreCentralDifferencesAtRandomPoints() {
    gradientsAreCentralDifferences(net(5), 64);
  }

  /** The same with poolings of unequal sides ({@link #rectangular}), whose outputs are also the forward pass's. */
  @Test
  void gradientsThroughPoolingsWithUnequalSidesAreCentralDifferences() {
    Network net = rectangular(6);
    gradientsAreCentralDifferences(net, 72);
    Evaluator target = Evaluator.ofTarget(dev.ticketproof.kernel.TargetPlan.of(net, ActivationCatalog.parse("relu")));
    double[] x = new double[72];
    for (int q = 0; q < x.length; q++) x[q] = Math.sin(q);
    assertThat(target.apply(x)).containsExactly(dev.ticketproof.net.Forward.forward(net, Tensor.of(x, 1, 1, 8, 9))
        .data(), org.assertj.core.data.Offset.offset(1e-12));
  }

  static void gradientsAreCentralDifferences(Network net, int inputs) {
    Activation relu = ActivationCatalog.parse("relu");
    SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, 4,
        Defaults.rho1(relu, 4, -1), 1, 3, null, -1, 1, null, TicketCertificate.VERSION);
    TicketBuilder.Result r = TicketBuilder.build(net, relu, new TicketBuilder.Options(p, 0.05,
        SubsetSum.Mode.MIN_SIZE, 1, "test"), TicketBuilder.Progress.NONE);
    Evaluator.Pair ev = Evaluator.of(r.certificate(), net);
    SplittableRandom rng = new SplittableRandom(11);
    int checked = 0;
    for (Evaluator e : new Evaluator[] {ev.target(), ev.ticket()}) {
      for (int s = 0; s < 4; s++) {
        double[] x = new double[inputs];
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

  @Test
  void smoothedSlopesAreSecantsThatTendToPhiPrime() {
    Network net = net(5);
    Activation relu = ActivationCatalog.parse("relu");
    SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, 4,
        Defaults.rho1(relu, 4, -1), 1, 3, null, -1, 1, null, TicketCertificate.VERSION);
    TicketBuilder.Result r = TicketBuilder.build(net, relu, new TicketBuilder.Options(p, 0.05,
        SubsetSum.Mode.MIN_SIZE, 1, "test"), TicketBuilder.Progress.NONE);
    Evaluator.Pair ev = Evaluator.of(r.certificate(), net);
    SplittableRandom rng = new SplittableRandom(13);
    List<double[]> xs = new ArrayList<>();
    List<double[]> cs = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      double[] x = new double[64];
      for (int q = 0; q < x.length; q++) x[q] = 2 * rng.nextDouble() - 1;
      xs.add(x);
      cs.add(new double[] {1, -0.5});
    }
    Evaluator.Pass target = ev.target().forward(xs, true);
    Evaluator.Pass ticket = ev.ticket().forward(xs, true);
    assertThat(target.sites()).as("activation sites").isPositive().isEqualTo(ticket.sites());
    assertThat(target.outputs()).as("keeping the pre-activations changes no output")
        .containsExactlyElementsOf(ev.target().applyAll(xs));
    for (Evaluator.Pass pass : new Evaluator.Pass[] {target, ticket}) {
      List<double[]> exact = pass.gradients(cs);
      assertThat(pass.gradients(cs, new double[pass.sites()][xs.size()])).as("width 0: phi'")
          .containsExactlyElementsOf(exact);
      double[][] scales = target.scales();
      double[][] tiny = new double[scales.length][];
      double[][] wide = new double[scales.length][];
      for (int k = 0; k < scales.length; k++) {
        tiny[k] = scales[k].clone();
        wide[k] = scales[k].clone();
        for (int s = 0; s < xs.size(); s++) {
          assertThat(scales[k][s]).as("mean |pre-activation|").isPositive();
          tiny[k][s] *= 1e-8;
        }
      }
      List<double[]> nearly = pass.gradients(cs, tiny);
      List<double[]> smooth = pass.gradients(cs, wide);
      double moved = 0;
      for (int s = 0; s < xs.size(); s++) {
        for (int q = 0; q < 64; q++) {
          double g = exact.get(s)[q];
          assertThat(nearly.get(s)[q]).isCloseTo(g, org.assertj.core.data.Offset.offset(1e-6 * (1 + Math.abs(g))));
          moved = Math.max(moved, Math.abs(smooth.get(s)[q] - g));
        }
      }
      assertThat(moved).as("widths of the mean |pre-activation| change the gradient").isGreaterThan(1e-3);
    }
    assertThat(ev.target().forward(xs).sites()).as("without kept pre-activations").isEqualTo(target.sites());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ev.target().forward(xs).gradients(cs, new double[
        target.sites()][3])).hasMessageContaining("kept no pre-activations");
  }

  @Test
  void smoothedGradientOfOneReluLayerIsTheSumOfItsUnitsSecants() {
    Activation relu = ActivationCatalog.parse("relu");
    Network net = LowerBoundTest.planted(3, 5, 0.1, true);
    Evaluator e = Evaluator.ofTarget(dev.ticketproof.kernel.TargetPlan.of(net, relu));
    double[] v = ((dev.ticketproof.net.Conv2d) net.layers().get(0)).weight().data();
    double[] b = ((dev.ticketproof.net.Conv2d) net.layers().get(0)).bias().data();
    double[] x = {0.3, -0.9, 0.1, 0.5, -0.2, 0.7, -0.4, 0.05, 0.8};
    Evaluator.Pass pass = e.forward(List.of(x), true);
    assertThat(pass.sites()).isEqualTo(1);
    double[] z = new double[5];
    double mean = 0;
    for (int j = 0; j < 5; j++) {
      z[j] = b[j];
      for (int q = 0; q < 9; q++) z[j] += v[j * 9 + q] * x[q];
      mean += Math.abs(z[j]) / 5;
    }
    assertThat(pass.scales()[0][0]).isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-12));
    double h = 0.7;
    assertThat(java.util.Arrays.stream(z).filter(t -> Math.abs(t) < h).count()).as("units on the ramp").isPositive();
    double[] g = pass.gradients(List.of(new double[] {1}), new double[][] {{h}}).get(0);
    for (int q = 0; q < 9; q++) {
      double want = 0;
      for (int j = 0; j < 5; j++) {
        double secant = (Math.max(0, z[j] + h) - Math.max(0, z[j] - h)) / (2 * h);
        want += secant * v[j * 9 + q];
      }
      assertThat(g[q]).as("input " + q).isCloseTo(want, org.assertj.core.data.Offset.offset(1e-12));
    }
  }
}
