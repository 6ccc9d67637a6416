package dev.ticketproof.construct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.measure.Evaluator;
import dev.ticketproof.kernel.Layout;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Network;
import dev.ticketproof.tensor.Tensor;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * [conv-decomposition]: a kh x kw convolution (any stride, paddings ph <= (kh-1)/2 above and below and
 * pw <= (kw-1)/2 left and right, bias) as a pruned univariate 1x1 copy layer followed by a kh x kw layer pruned tap
 * by tap, the bias built from the constant units at the centre tap (ph, pw) only, and for phi(0) != 0 the offsets
 * phi(0) sum w cancelled tap by tap. Kernels are square with one padding, or of unequal sides padded unequally
 * (1x3 with paddings (0, 1), 5x3 with (2, 0), ...).
 * <ol>
 *   <li>Exactness, borders included: a single-layer target whose every weight K[j,i,a,c] is by construction an
 *       exact subset sum of the actual base set of its instance (the source weights w(j, (i,m), a, c) times
 *       w1_(i,m) times the slope, regenerated from the seed) and whose every bias is an exact subset sum of
 *       w(j, constant m, ph, pw) phi(beta_m), on the box [0, 1] with ReLU or LeakyReLU(0.2) (positive copies, no sign
 *       split): with eps = 1e-12 the ticket reproduces the target to 1e-12 at every output position, and the
 *       border positions (whose receptive field reads zero padding) are compared separately from the interior
 *       ones. A bias spread over all taps would lose the padded taps' shares at the border.</li>
 *   <li>Single conv layers with ReLU, LeakyReLU(0.2), tanh and sigmoid (phi(0) = 1/2: offsets cancelled tap by
 *       tap) on [-1, 1]: measured error <= certified bound at border and at interior positions.</li>
 * </ol>
 *
 * <p>Proof page: proofs/conv-decomposition.md
 */
class ConvDecompositionProperties {
  static double worstExact;
  static double worstRatioBorder;
  static double worstRatioInterior;

  @AfterAll
  static void summary() {
    System.out.printf("ConvDecompositionProperties: exact-target worst |ticket - target| %.3g; single-layer worst "
        + "measured/certified border %.4g, interior %.4g%n", worstExact, worstRatioBorder, worstRatioInterior);
  }

  /** Whether output position (y, x) of a conv reads zero padding. */
  static boolean border(Conv2d c, int h, int w, int y, int x) {
    int k = c.kernelHeight();
    int s = c.stride();
    int p = c.ph();
    int q = c.pw();
    return y * s - p < 0 || y * s - p + k - 1 >= h || x * s - q < 0 || x * s - q + c.kernelWidth() - 1 >= w;
  }

  /** {max |a - b| over border positions, over interior positions} for one input. */
  static double[] borderInterior(double[] a, double[] b, Conv2d c, int h, int w) {
    int oh = c.outHeight(h);
    int ow = c.outWidth(w);
    double[] r = {-1, -1};
    for (int j = 0; j < c.outChannels(); j++) {
      for (int y = 0; y < oh; y++) {
        for (int x = 0; x < ow; x++) {
          int q = (j * oh + y) * ow + x;
          int side = border(c, h, w, y, x) ? 0 : 1;
          r[side] = Math.max(r[side], Math.abs(a[q] - b[q]));
        }
      }
    }
    return r;
  }

  /**
   * A target conv whose weights and biases are exact subset sums of the given source's base sets: each
   * (j, i, tap) is nonzero with probability 0.7 and then the sum of a random nonempty subset of the copies'
   * base values; each bias the sum of a random nonempty subset of the constants' base values at the centre tap.
   */
  static Conv2d exactConv(UniformRandomProvider rng, Conv2d shape, SourceNetwork src, Activation phi) {
    SourceNetwork.Univariate uni = (SourceNetwork.Univariate) src.nodes().get(0);
    SourceNetwork.Conv conv = (SourceNetwork.Conv) src.nodes().get(1);
    long seed = src.params().seed();
    Layout in = conv.in();
    int out = shape.outChannels();
    int cin = shape.inChannels();
    int kh = shape.kernelHeight();
    int kw = shape.kernelWidth();
    double[] kernel = new double[out * cin * kh * kw];
    double[] bias = new double[out];
    // the tap that never reads padding: (ph, pw), each axis its own
    int centreA = Math.min(shape.ph(), kh - 1);
    int centreC = Math.min(shape.pw(), kw - 1);
    // The source's per-channel scales are those of a zero target (1); the exact target keeps them at 1: every row's
    // largest |K| in (1/2, 1], every nonzero block's above 1/16 (the row's scale, SourceNetwork.blockScales) and every
    // |b| in (1/4, 1/2] (random subsets, redrawn until they fit).
    for (int j = 0; j < out; j++) {
      double rowMax = 0;
      boolean smallBlock = false;
      for (int attempt = 0; attempt < 1000 && !(rowMax > 0.5 && !smallBlock); attempt++) {
        rowMax = 0;
        smallBlock = false;
        for (int i = 0; i < cin; i++) {
          double blockMax = 0;
          for (int a = 0; a < kh; a++) {
            for (int c = 0; c < kw; c++) {
              double sum = 0;
              if (rng.nextDouble() < 0.7) {
                for (int tries = 0; tries < 100; tries++) {
                  sum = 0;
                  int picked = 0;
                  for (int m = 0; m < in.rho(); m++) {
                    if (rng.nextDouble() < 0.35 || (m == in.rho() - 1 && picked == 0)) {
                      int u = in.copy(i, m);
                      double w1 = uni.w1(seed, u);
                      // base value of copy u: w * w1 * slope (slope m+ for w1 x >= 0 on the box [0, 1])
                      double f = w1 * SourceNetwork.slopeFor(phi, w1, 0, 1);
                      sum += conv.weightAt(seed, conv.index(j, u, a, c)) * f;
                      picked++;
                    }
                  }
                  if (Math.abs(sum) <= 1) break;
                  sum = 0;
                }
              }
              kernel[((j * cin + i) * kh + a) * kw + c] = sum;
              rowMax = Math.max(rowMax, Math.abs(sum));
              blockMax = Math.max(blockMax, Math.abs(sum));
            }
          }
          smallBlock |= blockMax > 0 && blockMax <= 1.0 / 16;
        }
      }
      assertThat(rowMax).as("exact row %d fits the unit scale", j).isGreaterThan(0.5).isLessThanOrEqualTo(1);
      double b = 0;
      for (int attempt = 0; attempt < 1000 && !(Math.abs(b) > 0.25 && Math.abs(b) <= 0.5); attempt++) {
        b = 0;
        int picked = 0;
        for (int m = 0; m < in.constants(); m++) {
          if (rng.nextDouble() < 0.35 || (m == in.constants() - 1 && picked == 0)) {
            int u = in.constant(m);
            b += conv.weightAt(seed, conv.index(j, u, centreA, centreC)) * phi.value(uni.beta(seed, u));
            picked++;
          }
        }
      }
      assertThat(Math.abs(b)).as("exact bias %d fits the unit scale", j).isGreaterThan(0.25).isLessThanOrEqualTo(0.5);
      bias[j] = b;
    }
    return new Conv2d(shape.name(), Tensor.of(kernel, out, cin, kh, kw), Tensor.of(bias, out), shape.stride(),
        shape.ph(), shape.pw());
  }

  @Test
  void exactSubsetSumTargetIsReproducedAtEveryPositionBordersIncluded() {
    qt().withFixedSeed(4301L).withExamples(60).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(0, 1), integers().between(0, 1))
        .checkAssert((seed, act, cons) -> {
          UniformRandomProvider rng = RandomTargets.rng(seed);
          Activation phi = RandomTargets.phi(act == 0 ? "relu" : "leaky-relu(0.2)");
          SourceNetwork.Construction construction = cons == 0 ? SourceNetwork.Construction.L_PLUS_1
              : SourceNetwork.Construction.TWO_L;
          int cin = 1 + rng.nextInt(3);
          int out = 1 + rng.nextInt(3);
          int stride = 1 + rng.nextInt(2);
          int pad = rng.nextInt(4) == 0 ? 0 : 1;
          // a third 3x3 with one padding, the rest of unequal sides padded unequally
          int[] kp = rng.nextInt(3) == 0 ? new int[] {3, 3, pad, pad} : RandomTargets.unequalKernel(rng);
          int h = 4 + rng.nextInt(5);
          int w = 4 + rng.nextInt(5);
          int rho = 8 + rng.nextInt(5);
          Conv2d shape = new Conv2d("0", Tensor.zeros(out, cin, kp[0], kp[1]), Tensor.zeros(out), stride, kp[2],
              kp[3]);
          Network placeholder = new Network(new int[] {cin, h, w}, List.of(shape));
          SourceNetwork.Params p = RandomTargets.params(construction, phi, rho, seed, null, 0, 1);
          SourceNetwork src = SourceNetwork.of(TargetPlan.of(placeholder, phi), p);
          Conv2d conv = exactConv(rng, shape, src, phi);
          Network net = new Network(new int[] {cin, h, w}, List.of(conv));
          String what = String.format("seed=%d phi=%s %s conv %d->%d %dx%d s%d p(%d, %d) on %dx%d rho=%d", seed,
              phi.name(), construction.label(), cin, out, kp[0], kp[1], stride, kp[2], kp[3], h, w, rho);
          TicketBuilder.Result r = RandomTargets.build(net, phi, p, 1e-12, 1);
          TheoremLPlus1Properties.checkHolds(r, net, phi, what);
          assertThat(r.report().failedInstances()).as(what + ": failed instances").isZero();
          assertThat(r.report().certifiedBound()).as(what + ": certified bound").isLessThanOrEqualTo(1e-10);
          Evaluator t = Evaluator.ofTarget(TargetPlan.of(net, phi));
          Evaluator k = Evaluator.ofTicket(r.source(), r.certificate());
          double bias = 0;
          for (double b : conv.bias().data()) bias = Math.max(bias, Math.abs(b));
          assertThat(bias).as(what + ": the target has nonzero biases").isGreaterThan(0);
          double[] worst = {-1, -1};
          for (double[] x : Evaluator.boxSamples(cin * h * w, 0, 1, 24, seed)) {
            double[] d = borderInterior(t.apply(x), k.apply(x), conv, h, w);
            worst[0] = Math.max(worst[0], d[0]);
            worst[1] = Math.max(worst[1], d[1]);
          }
          if (kp[2] + kp[3] > 0) assertThat(worst[0]).as(what + ": border positions exist").isGreaterThanOrEqualTo(0);
          synchronized (ConvDecompositionProperties.class) {
            worstExact = Math.max(worstExact, Math.max(worst[0], worst[1]));
          }
          assertThat(worst[0]).as(what + ": border positions").isLessThanOrEqualTo(1e-12);
          assertThat(worst[1]).as(what + ": interior positions").isLessThanOrEqualTo(1e-12);
        });
  }

  @Test
  void singleLayerErrorWithinBoundAtBorderAndInterior() {
    qt().withFixedSeed(4302L).withExamples(80).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(0, 3))
        .checkAssert((seed, act) -> {
          UniformRandomProvider rng = RandomTargets.rng(seed);
          Activation phi = RandomTargets.phi(RandomTargets.ACTIVATIONS.get(act));
          int cin = 1 + rng.nextInt(4);
          int out = 1 + rng.nextInt(4);
          int k = rng.nextInt(3) == 0 ? 1 : 3;
          int stride = 1 + rng.nextInt(2);
          int pad = k == 3 ? rng.nextInt(2) : 0;
          // a third of unequal sides padded unequally
          int[] kp = rng.nextInt(3) == 0 ? RandomTargets.unequalKernel(rng) : new int[] {k, k, pad, pad};
          int h = 3 + rng.nextInt(6);
          int w = 3 + rng.nextInt(6);
          double density = rng.nextBoolean() ? 1 : 0.3;
          Conv2d conv = RandomTargets.conv(rng, "0", out, cin, kp[0], kp[1], stride, kp[2], kp[3], density, 1.5,
              rng.nextBoolean());
          Network net = new Network(new int[] {cin, h, w}, List.of(conv));
          int rho = 6 + rng.nextInt(6);
          SourceNetwork.Construction construction = rng.nextBoolean() ? SourceNetwork.Construction.L_PLUS_1
              : SourceNetwork.Construction.TWO_L;
          SourceNetwork.Params p = RandomTargets.params(construction, phi, rho, seed, null, -1, 1);
          String what = String.format("seed=%d phi=%s %s conv %d->%d %dx%d s%d p(%d, %d) density %.1f on %dx%d "
              + "rho=%d", seed, phi.name(), construction.label(), cin, out, kp[0], kp[1], stride, kp[2], kp[3], density,
              h, w, rho);
          TicketBuilder.Result r = RandomTargets.build(net, phi, p, 0.02, 1);
          TheoremLPlus1Properties.checkHolds(r, net, phi, what);
          double bound = r.report().certifiedBound();
          Evaluator t = Evaluator.ofTarget(TargetPlan.of(net, phi));
          Evaluator kt = Evaluator.ofTicket(r.source(), r.certificate());
          double[] worst = {0, 0};
          for (double[] x : Evaluator.boxSamples(cin * h * w, -1, 1, 48, seed)) {
            double[] d = borderInterior(t.apply(x), kt.apply(x), conv, h, w);
            worst[0] = Math.max(worst[0], d[0]);
            worst[1] = Math.max(worst[1], d[1]);
          }
          synchronized (ConvDecompositionProperties.class) {
            if (bound > 0) {
              worstRatioBorder = Math.max(worstRatioBorder, worst[0] / bound);
              worstRatioInterior = Math.max(worstRatioInterior, worst[1] / bound);
            }
          }
          assertThat(worst[0]).as(what + ": border positions vs certified").isLessThanOrEqualTo(bound);
          assertThat(worst[1]).as(what + ": interior positions vs certified").isLessThanOrEqualTo(bound);
        });
  }
}
