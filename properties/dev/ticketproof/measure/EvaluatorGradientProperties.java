package dev.ticketproof.measure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.construct.RandomTargets;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.kernel.KernelActivation;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.AvgPool2d;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Flatten;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.Network;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

/**
 * The reverse-mode gradient of {@link Evaluator.Pass#gradients} agrees with finite differences of the evaluator's
 * own outputs, coordinate by coordinate, on seeded random targets and their tickets: sequential CNNs and fully
 * connected networks (dense convs, linear layers), small ResNets (residual adds, identity and projection shortcuts,
 * global pooling), CNNs with average pooling between convs, and the tickets built from them (univariate phi layers,
 * sparse convs with the kept weights packed in blocks, the ticket's residual blocks, a target tail kept by
 * {@code upto}), for ReLU (the right derivative at a kink, a subgradient) and for tanh and sigmoid.
 *
 * <ul>
 *   <li>smooth phi: the central difference with step 1e-5 is within 1e-5 (1 + |F| + |g|_inf) of the gradient;</li>
 *   <li>ReLU (piecewise linear): the forward or the backward difference with step 1e-7 is within
 *       1e-6 (1 + |F| + |g|_inf) of the gradient (a kink within the step spoils at most one side).</li>
 * </ul>
 * A wrong backward step (a transposed tap, a missing phi', a dropped shortcut) is off by the size of the gradient.
 * Gradients are bit-identical in a batch and alone, and on one thread and on many.
 */
class EvaluatorGradientProperties {
  static final List<String> PHIS = List.of("relu", "tanh", "sigmoid");
  static final int CASES = 36;

  @Test
  void gradientsMatchFiniteDifferences() {
    for (int k = 0; k < CASES; k++) {
      long seed = 4_200_017L + k;
      UniformRandomProvider rng = RandomTargets.rng(seed);
      Activation phi = RandomTargets.phi(PHIS.get(k % PHIS.size()));
      int kind = (k / PHIS.size()) % 3;
      RandomTargets.Target t = switch (kind) {
        case 0 -> RandomTargets.sequential(rng, phi);
        case 1 -> RandomTargets.resnet(rng, phi, 0.3);
        default -> pooled(rng, phi);
      };
      String upto = kind == 0 && t.depth() > 1 && rng.nextBoolean() ? t.layerNames().get(0) : null;
      SourceNetwork.Construction cons = kind == 1 || rng.nextBoolean() ? SourceNetwork.Construction.L_PLUS_1
          : SourceNetwork.Construction.TWO_L;
      SourceNetwork.Params p = RandomTargets.params(cons, phi, 2 + rng.nextInt(2), seed, upto, -1, 1);
      String what = "seed=" + seed + " phi=" + phi.name() + " " + cons.label() + (upto == null ? "" : " upto " + upto)
          + " target: " + t.description();
      TicketBuilder.Result r = RandomTargets.build(t.net(), phi, p, 0.05, 1);
      Evaluator.Pair ev = Evaluator.of(r.certificate(), t.net());
      Evaluator target = Evaluator.ofTarget(TargetPlan.of(t.net(), KernelActivation.of(phi.name())));
      int dim = target.inputSize();
      int outs = target.apply(new double[dim]).length;
      for (int s = 0; s < 2; s++) {
        double[] x = new double[dim];
        for (int q = 0; q < dim; q++) x[q] = -0.9 + 1.8 * rng.nextDouble();
        double[] c = new double[outs];
        for (int j = 0; j < outs; j++) c[j] = 2 * rng.nextDouble() - 1;
        boolean smooth = !phi.name().equals("relu");
        check(target, x, c, smooth, what + " target, point " + s);
        check(ev.ticket(), x, c, smooth, what + " ticket, point " + s);
        check(ev.target(), x, c, smooth, what + " certificate's target, point " + s);
      }
    }
  }

  /** F(x) = c . f(x) and its gradient by the pass; finite differences of F coordinate by coordinate. */
  static void check(Evaluator e, double[] x, double[] c, boolean smooth, String what) {
    Evaluator.Pass pass = e.forward(List.of(x));
    assertThat(pass.outputs().get(0)).as(what + ": the pass's outputs").isEqualTo(e.apply(x));
    double[] g = pass.gradients(List.of(c)).get(0);
    double h = smooth ? 1e-5 : 1e-7;
    List<double[]> xs = new ArrayList<>();
    for (int q = 0; q < x.length; q++) {
      double[] up = x.clone();
      double[] down = x.clone();
      up[q] += h;
      down[q] -= h;
      xs.add(up);
      xs.add(down);
    }
    List<double[]> ys = e.applyAll(xs);
    double f0 = dot(c, pass.outputs().get(0));
    double gmax = 0;
    for (double v : g) gmax = Math.max(gmax, Math.abs(v));
    double tol = (smooth ? 1e-5 : 1e-6) * (1 + Math.abs(f0) + gmax);
    for (int q = 0; q < x.length; q++) {
      double fu = dot(c, ys.get(2 * q));
      double fd = dot(c, ys.get(2 * q + 1));
      double off = smooth ? Math.abs((fu - fd) / (2 * h) - g[q])
          : Math.min(Math.abs((fu - f0) / h - g[q]), Math.abs((f0 - fd) / h - g[q]));
      assertThat(off).as("%s: coordinate %d, gradient %s, finite differences %s and %s (F = %s)", what, q, g[q],
          (fu - f0) / h, (f0 - fd) / h, f0).isLessThanOrEqualTo(tol);
    }
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int j = 0; j < a.length; j++) s += a[j] * b[j];
    return s;
  }

  /**
   * A CNN with average pooling between its convs: conv 3x3 pad 1 to 2 or 3 channels, phi, average pooling (2x2
   * stride 2, or 3x3 stride 1), conv 1x1 or 3x3, phi, flatten, linear to 2 outputs, on 1 or 2 channels of 6x6.
   */
  static RandomTargets.Target pooled(UniformRandomProvider rng, Activation phi) {
    int cin = 1 + rng.nextInt(2);
    int c1 = 2 + rng.nextInt(2);
    int c2 = 1 + rng.nextInt(3);
    boolean wide = rng.nextBoolean();
    int k2 = rng.nextBoolean() ? 3 : 1;
    AvgPool2d pool = wide ? new AvgPool2d(3, 1) : new AvgPool2d(2, 2);
    int side = wide ? 4 : 3;
    int side2 = k2 == 3 ? side - 2 : side;
    List<Layer> layers = new ArrayList<>(List.of(conv(rng, "0", c1, cin, 3, 1), new ActivationLayer(phi), pool,
        conv(rng, "3", c2, c1, k2, 0), new ActivationLayer(phi), new Flatten(),
        new Linear("6", Tensor.of(values(rng, 2 * c2 * side2 * side2), 2, c2 * side2 * side2),
            Tensor.of(values(rng, 2), 2))));
    return new RandomTargets.Target(new Network(new int[] {cin, 6, 6}, layers),
        String.format("pooled cnn %d -> conv %d -> %s -> conv %d k%d -> linear 2", cin, c1, pool.describe(), c2, k2),
        3, List.of("0", "3", "6"));
  }

  static Conv2d conv(UniformRandomProvider rng, String name, int out, int in, int k, int pad) {
    return new Conv2d(name, Tensor.of(values(rng, out * in * k * k), out, in, k, k), Tensor.of(values(rng, out), out),
        1, pad);
  }

  static double[] values(UniformRandomProvider rng, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = 2 * rng.nextDouble() - 1;
    return v;
  }

  @Test
  void gradientsAreTheSameInABatchAndAloneOnOneThreadAndOnMany() throws Exception {
    for (String name : List.of("relu", "tanh")) {
      UniformRandomProvider rng = RandomTargets.rng(77);
      Activation phi = RandomTargets.phi(name);
      RandomTargets.Target t = RandomTargets.resnet(rng, phi, 0.3);
      TicketBuilder.Result r = RandomTargets.build(t.net(), phi,
          RandomTargets.params(SourceNetwork.Construction.L_PLUS_1, phi, 3, 77, null, -1, 1), 0.05, 1);
      Evaluator ticket = Evaluator.of(r.certificate(), t.net()).ticket();
      int outs = ticket.apply(new double[ticket.inputSize()]).length;
      List<double[]> xs = new ArrayList<>();
      List<double[]> cs = new ArrayList<>();
      for (int s = 0; s < 3; s++) {
        double[] x = new double[ticket.inputSize()];
        for (int q = 0; q < x.length; q++) x[q] = 2 * rng.nextDouble() - 1;
        double[] c = new double[outs];
        c[rng.nextInt(outs)] = rng.nextBoolean() ? 1 : -1;
        xs.add(x);
        cs.add(c);
      }
      List<double[]> batch = ticket.forward(xs).gradients(cs);
      List<double[]> one = new ForkJoinPool(1).submit(() -> ticket.forward(xs).gradients(cs)).get();
      for (int s = 0; s < 3; s++) {
        assertThat(ticket.forward(List.of(xs.get(s))).gradients(List.of(cs.get(s))).get(0)).as(name + " alone " + s)
            .isEqualTo(batch.get(s));
        assertThat(one.get(s)).as(name + " one thread " + s).isEqualTo(batch.get(s));
      }
    }
  }
}
