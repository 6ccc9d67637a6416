package dev.ticketproof.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.measure.Sizes;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.AvgPool2d;
import dev.ticketproof.net.BatchNorm2d;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Flatten;
import dev.ticketproof.net.GlobalAvgPool;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.MaxPool2d;
import dev.ticketproof.net.Network;
import dev.ticketproof.net.ResidualBlock;
import dev.ticketproof.net.SparseLinear;
import dev.ticketproof.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The normal form of a target: BatchNorm folding, shapes, skips, and the layer orders it refuses (named). */
class TargetPlanTest {
  static final Activation RELU = ActivationCatalog.parse("relu");
  static final ActivationLayer ACT = new ActivationLayer(RELU);

  static Tensor t(double[] v, int... shape) { return Tensor.of(v, shape); }

  static Conv2d conv(String name, int out, int in, int k, int stride, int pad) {
    double[] w = new double[out * in * k * k];
    for (int i = 0; i < w.length; i++) w[i] = (i % 5 - 2) * 0.25;
    double[] b = new double[out];
    for (int i = 0; i < out; i++) b[i] = 0.5 - i;
    return new Conv2d(name, t(w, out, in, k, k), t(b, out), stride, pad);
  }

  static Linear linear(String name, int out, int in) {
    double[] w = new double[out * in];
    for (int i = 0; i < w.length; i++) w[i] = i - 1.5;
    return new Linear(name, t(w, out, in), null);
  }

  static TargetPlan plan(int[] in, Layer... layers) {
    return TargetPlan.of(new Network(in, List.of(layers)), RELU);
  }

  static void refused(int[] in, String message, Layer... layers) {
    assertThatThrownBy(() -> plan(in, layers)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void batchNormIsFoldedIntoTheConvolution() {
    Conv2d c = conv("c", 2, 1, 3, 1, 1);
    BatchNorm2d bn = new BatchNorm2d("bn", new double[] {2, -1}, new double[] {0.5, 1}, new double[] {1, -2},
        new double[] {3, 0.5}, 1);
    TargetPlan p = plan(new int[] {1, 4, 4}, c, bn, ACT, new Flatten(), linear("fc", 1, 32));
    TargetPlan.Affine a = (TargetPlan.Affine) p.steps().get(0);
    assertThat(a.phiAfter()).isTrue();
    // gamma / sqrt(var + eps): 2 / 2 = 1 and -1 / sqrt(1.5)
    double s1 = -1 / Math.sqrt(1.5);
    for (int t = 0; t < 9; t++) {
      assertThat(a.kernel()[t]).isEqualTo(c.weight().data()[t]);
      assertThat(a.kernel()[9 + t]).isCloseTo(s1 * c.weight().data()[9 + t], within(1e-15));
    }
    // beta + s (b - mean): 0.5 + (0.5 - 1) and 1 + s1 (-0.5 + 2)
    assertThat(a.bias()[0]).isEqualTo(0.0);
    assertThat(a.bias()[1]).isCloseTo(1 + s1 * 1.5, within(1e-15));
    assertThat(a.outShape()).containsExactly(2, 4, 4);
    assertThat(a.inShape()).containsExactly(1, 4, 4);
    assertThat(a.centreA()).isEqualTo(1);
    assertThat(a.k(1, 0, 2, 1)).isEqualTo(a.kernel()[9 + 7]);
    // the linear layer after a flatten is a convolution covering the whole map
    TargetPlan.Affine fc = (TargetPlan.Affine) p.steps().get(1);
    assertThat(new int[] {fc.out(), fc.in(), fc.kh(), fc.kw()}).containsExactly(1, 2, 4, 4);
    assertThat(fc.bias()).containsExactly(0);
    assertThat(fc.phiAfter()).isFalse();
    assertThat(fc.outShape()).containsExactly(1, 1, 1);
    assertThat(p.inputShape()).containsExactly(1, 4, 4);
    assertThat(p.phi()).isSameAs(RELU);
  }

  /** BatchNorm1d after a linear layer folds the same way: the normal form computes the network's function. */
  @Test
  void batchNormIsFoldedIntoTheLinearLayer() {
    Linear fc1 = linear("fc1", 2, 3);
    BatchNorm2d bn = new BatchNorm2d("bn", new double[] {2, -1}, new double[] {0.5, 1}, new double[] {1, -2},
        new double[] {3, 0.5}, 1);
    Network net = new Network(new int[] {3}, List.of(fc1, bn, ACT, linear("fc2", 1, 2)));
    TargetPlan p = TargetPlan.of(net, RELU);
    TargetPlan.Affine a = (TargetPlan.Affine) p.steps().get(0);
    assertThat(a.phiAfter()).isTrue();
    assertThat(p.steps()).hasSize(2);
    double s1 = -1 / Math.sqrt(1.5);
    for (int t = 0; t < 3; t++) {
      assertThat(a.kernel()[t]).isEqualTo(fc1.weight().data()[t]);
      assertThat(a.kernel()[3 + t]).isCloseTo(s1 * fc1.weight().data()[3 + t], within(1e-15));
    }
    assertThat(a.bias()).containsExactly(new double[] {-0.5, 1 + 2 * s1}, within(1e-15));
    double[] x = {0.3, -0.7, 0.2};
    assertThat(dev.ticketproof.measure.Evaluator.ofTarget(p).apply(x)).containsExactly(
        dev.ticketproof.net.Forward.forward(net, t(x, 1, 3)).data(), within(1e-12));
  }

  /**
   * A max pooling between a conv and its activation is taken after the activation for a non-decreasing phi (the
   * same function), kept where it is after the activation, and refused, with the reason, before SiLU.
   */
  @Test
  void maxPoolingBetweenAConvAndANonDecreasingActivationComesAfterIt() {
    int[] in = {1, 4, 4};
    for (Activation phi : new Activation[] {RELU, ActivationCatalog.parse("tanh")}) {
      ActivationLayer act = new ActivationLayer(phi);
      for (boolean poolFirst : new boolean[] {true, false}) {
        MaxPool2d pool = new MaxPool2d(3, 2, 1);
        Network net = new Network(in, List.of(conv("c", 2, 1, 3, 1, 1), poolFirst ? pool : act,
            poolFirst ? act : pool, new Flatten(), linear("fc", 1, 8)));
        TargetPlan p = TargetPlan.of(net, phi);
        assertThat(p.steps()).hasSize(3);
        assertThat(((TargetPlan.Affine) p.steps().get(0)).phiAfter()).isTrue();
        TargetPlan.Pool pp = (TargetPlan.Pool) p.steps().get(1);
        assertThat(new Object[] {pp.max(), pp.global(), pp.kh(), pp.kw(), pp.sh(), pp.sw(), pp.ph(), pp.pw()})
            .containsExactly(true, false, 3, 3, 2, 2, 1, 1);
        assertThat(pp.inShape()).containsExactly(2, 4, 4);
        assertThat(pp.outShape()).containsExactly(2, 2, 2);
        assertThat(((TargetPlan.Affine) p.steps().get(2)).phiAfter()).isFalse();
        for (double[] x : new double[][] {new double[16], java.util.stream.IntStream.range(0, 16)
            .mapToDouble(k -> Math.sin(k)).toArray()}) {
          assertThat(dev.ticketproof.measure.Evaluator.ofTarget(p).apply(x)).containsExactly(
              dev.ticketproof.net.Forward.forward(net, t(x, 1, 1, 4, 4)).data(), within(1e-12));
        }
      }
    }
    Activation silu = ActivationCatalog.parse("silu");
    refusedWith(silu, in, "activation layer 2 does not follow a conv or linear layer (a max pooling between a conv "
        + "and its activation needs a non-decreasing activation, where phi(max z) = max phi(z); silu is not)",
        conv("c", 2, 1, 3, 1, 1), new MaxPool2d(2, 2, 0), new ActivationLayer(silu), new Flatten(), linear("fc", 1, 8));
    // a max pooling after an activation and before another: no reason about moving it; a network may not end with one
    refusedWith(RELU, in, "activation layer 3 does not follow a conv or linear layer", conv("c", 2, 1, 3, 1, 1), ACT,
        new MaxPool2d(2, 2, 0), ACT, new Flatten(), linear("fc", 1, 8));
    refusedWith(RELU, in, "the network must end with a conv or linear layer without activation",
        conv("c", 2, 1, 3, 1, 1), new MaxPool2d(2, 2, 0));
    // a max pooling first, then a conv: no activation to move; the network must still start with a conv
    refusedWith(RELU, in, "activation layer 1 does not follow a conv or linear layer", new MaxPool2d(2, 2, 0), ACT,
        conv("c", 2, 1, 1, 1, 0), new Flatten(), linear("fc", 1, 8));
  }

  static void refusedWith(Activation phi, int[] in, String message, Layer... layers) {
    assertThatThrownBy(() -> TargetPlan.of(new Network(in, List.of(layers)), phi))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void countsAndShapes() {
    TargetPlan p = plan(new int[] {2, 6, 6}, conv("c", 3, 2, 3, 1, 0), ACT, new AvgPool2d(2, 2), new GlobalAvgPool(),
        new Flatten(), linear("fc", 2, 3));
    TargetPlan.Affine c = (TargetPlan.Affine) p.steps().get(0);
    assertThat(c.outShape()).containsExactly(3, 4, 4);
    assertThat(c.centreA()).isZero();
    TargetPlan.Pool pool = (TargetPlan.Pool) p.steps().get(1);
    assertThat(pool.global()).isFalse();
    assertThat(pool.outShape()).containsExactly(3, 2, 2);
    TargetPlan.Pool gap = (TargetPlan.Pool) p.steps().get(2);
    assertThat(gap.global()).isTrue();
    assertThat(gap.outShape()).containsExactly(3, 1, 1);
    // kernel entries (i % 5 - 2) / 4 over 54 entries: 43 nonzero, of which 21 have |w| > 0.25; biases 0.5, -0.5, -1.5
    assertThat(Sizes.count(c, 0)).isEqualTo(43 + 3);
    assertThat(Sizes.count(c, 0.25)).isEqualTo(21 + 3);
    assertThat(Sizes.count(c, 0.5)).isEqualTo(1);
    // linear: -1.5, -0.5, ..., 3.5, no zero entry, no bias
    assertThat(Sizes.affines(p)).hasSize(2);
    assertThat(Sizes.targetParams(p, 0)).isEqualTo(46 + 6);
    assertThat(Sizes.targetParams(p, 1.5)).isEqualTo(2);
    // a linear layer on a vector input
    TargetPlan v = plan(new int[] {3}, linear("a", 2, 3), ACT, linear("b", 1, 2));
    assertThat(v.inputShape()).containsExactly(3, 1, 1);
    assertThat(((TargetPlan.Affine) v.steps().get(0)).phiAfter()).isTrue();
  }

  static ResidualBlock block(String name, int in, int out, int stride, ResidualBlock.Shortcut sc) {
    return new ResidualBlock(name, conv(name + ".conv1", out, in, 3, stride, 1), null,
        conv(name + ".conv2", out, out, 3, 1, 1), null, sc, RELU);
  }

  @Test
  void skipsOfResidualBlocks() {
    Layer head = conv("c", 2, 1, 3, 1, 1);
    TargetPlan plain = plan(new int[] {1, 4, 4}, head, ACT, block("b", 2, 2, 1, new ResidualBlock.Identity(null)),
        new Flatten(), linear("fc", 1, 32));
    TargetPlan.Residual r = (TargetPlan.Residual) plain.steps().get(1);
    assertThat(r.projection()).isNull();
    assertThat(r.conv1().phiAfter()).isTrue();
    assertThat(r.conv2().phiAfter()).isFalse();
    assertThat(Sizes.affines(plain)).hasSize(4);
    // an all-ones scale is the identity
    TargetPlan ones = plan(new int[] {1, 4, 4}, head, ACT,
        block("b", 2, 2, 1, new ResidualBlock.Identity(new double[] {1, 1})), new Flatten(), linear("fc", 1, 32));
    assertThat(((TargetPlan.Residual) ones.steps().get(1)).projection()).isNull();
    // any other scale is the 1x1 projection diag(scale)
    for (double[] scale : new double[][] {{1, 0.5}, {2, 1}}) {
      TargetPlan scaled = plan(new int[] {1, 4, 4}, head, ACT, block("b", 2, 2, 1, new ResidualBlock.Identity(scale)),
          new Flatten(), linear("fc", 1, 32));
      TargetPlan.Affine proj = ((TargetPlan.Residual) scaled.steps().get(1)).projection();
      assertThat(proj.name()).isEqualTo("b.shortcut");
      assertThat(proj.kernel()).containsExactly(scale[0], 0, 0, scale[1]);
      assertThat(proj.bias()).containsExactly(0, 0);
      assertThat(new int[] {proj.kh(), proj.kw(), proj.stride(), proj.ph(), proj.pw()}).containsExactly(1, 1, 1, 0, 0);
      assertThat(proj.phiAfter()).isFalse();
      assertThat(proj.outShape()).containsExactly(2, 4, 4);
      assertThat(Sizes.affines(scaled)).hasSize(5);
    }
    refused(new int[] {1, 4, 4}, "shortcut scale has 3 channels, expected 2", head, ACT,
        block("b", 2, 2, 1, new ResidualBlock.Identity(new double[] {1, 1, 1})), new Flatten(), linear("fc", 1, 32));
    refused(new int[] {1, 4, 4}, "identity shortcut needs equal shapes", head, ACT,
        block("b", 2, 2, 2, new ResidualBlock.Identity(null)), new Flatten(), linear("fc", 1, 8));
    // a projection with its BatchNorm
    BatchNorm2d pbn = new BatchNorm2d("p.bn", new double[] {1, 1, 1}, new double[] {0.25, 0, 0},
        new double[] {0, 0, 0}, new double[] {1, 1, 1}, 1e-300);
    TargetPlan proj = plan(new int[] {1, 4, 4}, head, ACT,
        block("b", 2, 3, 2, new ResidualBlock.Projection(conv("p", 3, 2, 1, 2, 0), pbn)), new Flatten(),
        linear("fc", 1, 12));
    TargetPlan.Affine pa = ((TargetPlan.Residual) proj.steps().get(1)).projection();
    assertThat(pa.bias()[0]).isCloseTo(0.25 + 0.5, within(1e-15));
    assertThat(pa.outShape()).containsExactly(3, 2, 2);
    refused(new int[] {1, 4, 4}, "projection output [3, 4, 4] differs from branch output [3, 2, 2]", head, ACT,
        block("b", 2, 3, 2, new ResidualBlock.Projection(conv("p", 3, 2, 1, 1, 0), null)), new Flatten(),
        linear("fc", 1, 12));
  }

  /**
   * A first BatchNorm is the plan's input map (s = gamma / sqrt(var + eps), t = beta - s mean), not a step; a zero
   * scale is refused naming the BatchNorm and the channel. The image of an interval contains the computed images of
   * its points, and a negative scale swaps its ends.
   */
  @Test
  void aFirstBatchNormIsTheInputMap() {
    BatchNorm2d bn = new BatchNorm2d("in", new double[] {2, -0.5}, new double[] {0.25, 1}, new double[] {0.5, -1},
        new double[] {0.25 - 1e-5, 4 - 1e-5}, 1e-5);
    TargetPlan p = TargetPlan.of(new Network(new int[] {2, 4, 4}, List.of(bn, conv("c", 3, 2, 3, 1, 1), ACT,
        new Flatten(), linear("fc", 1, 48))), RELU);
    assertThat(p.steps()).hasSize(2);
    TargetPlan.InputMap m = p.input();
    assertThat(m.scale()[0]).isCloseTo(4, within(1e-9));
    assertThat(m.shift()[0]).isCloseTo(0.25 - 2, within(1e-9));
    assertThat(m.scale()[1]).isCloseTo(-0.25, within(1e-9));
    assertThat(m.shift()[1]).isCloseTo(1 - 0.25, within(1e-9));
    assertThat(p.withoutInput().input()).isNull();
    assertThat(p.withoutInput().steps()).isEqualTo(p.steps());
    double[] iv = m.interval(1, -3, 5);
    assertThat(iv[0]).isLessThan(m.scale()[1] * 5 + m.shift()[1]);
    assertThat(iv[1]).isGreaterThan(m.scale()[1] * -3 + m.shift()[1]);
    for (double x = -3; x <= 5; x += 0.125) {
      double y = m.apply(new double[] {0, x})[1];
      assertThat(y).isBetween(iv[0], iv[1]);
    }
    BatchNorm2d zero = new BatchNorm2d("in", new double[] {1, 0}, new double[] {0, 0}, new double[] {0, 0},
        new double[] {1, 1}, 1e-5);
    refused(new int[] {2, 4, 4}, "batchnorm 'in' (first, read as the input map): input channel 1 is mapped to 0.0 x",
        zero, conv("c", 3, 2, 3, 1, 1), ACT, new Flatten(), linear("fc", 1, 48));
  }

  @Test
  void unsupportedTargetsAreRefusedByName() {
    int[] in = {1, 4, 4};
    Layer fc = linear("fc", 1, 32);
    refused(new int[] {1, 4}, "input shape must be {C,H,W} or {F}", fc);
    refused(in, "activation layer 0 does not follow a conv or linear layer", ACT, conv("c", 2, 1, 3, 1, 1),
        new Flatten(), fc);
    refused(in, "batchnorm bn does not follow a conv or linear layer", new Flatten(),
        new BatchNorm2d("bn", new double[] {1}, new double[] {0}, new double[] {0}, new double[] {1}, 1e-5),
        linear("fc", 1, 16));
    refused(in, "(SparseLinear) is not supported", new SparseLinear("s", 1, 16, new int[] {0, 0}, new int[0],
        new double[0], null));
    refused(in, "must end with a conv or linear layer without activation", conv("c", 2, 1, 3, 1, 1), ACT);
    refused(in, "must end with a conv or linear layer without activation", conv("c", 2, 1, 3, 1, 1),
        new GlobalAvgPool());
    refused(in, "must end with a conv or linear layer without activation");
    refused(in, "conv c: expects 2 input channels, gets 1", conv("c", 2, 2, 3, 1, 1));
    refused(in, "padding 2 exceeds (k-1)/2 for a 3x3 kernel", conv("c", 2, 1, 3, 1, 2));
    refused(in, "input 4x4 too small for its kernel", conv("c", 2, 1, 5, 1, 0));
    // a kernel as large as the input gives one position
    assertThat(plan(in, conv("c", 2, 1, 4, 1, 0)).steps().get(0).outShape()).containsExactly(2, 1, 1);
    refused(in, "batchnorm bn has 1 channels, conv c has 2", conv("c", 2, 1, 3, 1, 1),
        new BatchNorm2d("bn", new double[] {1}, new double[] {0}, new double[] {0}, new double[] {1}, 1e-5));
    refused(in, "linear fc: expects 32 input features, gets 16 (shape [1, 4, 4])", new Flatten(), fc);
    refused(in, "linear fc reads a 4x4 feature map without a flatten before it", conv("c", 2, 1, 3, 1, 1), fc);
    // a non-square kernel whose padding fits its height but not its width
    Conv2d wide = new Conv2d("w", t(new double[6], 1, 1, 3, 2), null, 1, 1);
    refused(in, "padding 1 exceeds (k-1)/2 for a 3x2 kernel", wide);
    // padding (k + 1)/2 in one direction only: height, then width
    refused(new int[] {1, 6, 6}, "padding 2 exceeds (k-1)/2 for a 3x5 kernel",
        new Conv2d("h", t(new double[15], 1, 1, 3, 5), null, 1, 2));
    refused(new int[] {1, 6, 6}, "padding 2 exceeds (k-1)/2 for a 5x3 kernel",
        new Conv2d("v", t(new double[15], 1, 1, 5, 3), null, 1, 2));
    assertThat(plan(new int[] {1, 6, 6}, new Conv2d("s", t(new double[25], 1, 1, 5, 5), null, 1, 2)).steps().get(0)
        .outShape()).containsExactly(1, 6, 6);
  }

  /**
   * A padding per axis: each at most half its side less one (a 1x7 kernel with paddings (0, 3) is of the normal form
   * as it is, its centre tap (0, 3)); a padding beyond its own side is refused naming both.
   */
  @Test
  void paddingsPerAxisAreCheckedAxisByAxis() {
    TargetPlan.Affine a = (TargetPlan.Affine) plan(new int[] {1, 5, 8}, new Conv2d("r", t(new double[7], 1, 1, 1, 7),
        null, 1, 0, 3)).steps().get(0);
    assertThat(new int[] {a.kh(), a.kw(), a.ph(), a.pw(), a.centreA(), a.centreC()}).containsExactly(1, 7, 0, 3, 0,
        3);
    assertThat(a.outShape()).containsExactly(1, 5, 8);
    TargetPlan.Affine c = (TargetPlan.Affine) plan(new int[] {1, 5, 8}, new Conv2d("c", t(new double[7], 1, 1, 7, 1),
        null, 1, 3, 0)).steps().get(0);
    assertThat(new int[] {c.centreA(), c.centreC()}).containsExactly(3, 0);
    assertThat(c.outShape()).containsExactly(1, 5, 8);
    // paddings (1, 0) on a 1x7 kernel: the rows' padding exceeds (1 - 1) / 2, though 1 <= (7 - 1) / 2
    refused(new int[] {1, 5, 8}, "padding (1, 0) exceeds (k-1)/2 for a 1x7 kernel",
        new Conv2d("r", t(new double[7], 1, 1, 1, 7), null, 1, 1, 0));
    refused(new int[] {1, 5, 8}, "padding (0, 1) exceeds (k-1)/2 for a 7x1 kernel",
        new Conv2d("c", t(new double[7], 1, 1, 7, 1), null, 1, 0, 1));
  }
}
