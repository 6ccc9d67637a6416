package dev.ticketproof.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.construct.TicketExport;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.AvgPool2d;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.Network;
import dev.ticketproof.tensor.Tensor;
import dev.ticketproof.targets.Builtins;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The source network's definition (the class documentation of {@link SourceNetwork}), figure by figure. */
class SourceNetworkTest {
  /** The source definition this kernel makes. */
  static final int V = TicketCertificate.VERSION;

  static final Activation RELU = ActivationCatalog.parse("relu");
  static final Activation LEAKY = ActivationCatalog.parse("leaky-relu(0.25)");
  static final Activation TANH = ActivationCatalog.parse("tanh");
  static final Activation SIGMOID = ActivationCatalog.parse("sigmoid");
  static final SourceNetwork.Construction L1 = SourceNetwork.Construction.L_PLUS_1;
  static final SourceNetwork.Construction TWO_L = SourceNetwork.Construction.TWO_L;

  static SourceNetwork source(String target, Activation phi, SourceNetwork.Params p) {
    Network net = Builtins.of(target, phi);
    return SourceNetwork.of(TargetPlan.of(net, KernelActivation.of(phi.name())), p);
  }

  static SourceNetwork.Params params(SourceNetwork.Construction c, int rho, int rho1, double lambda, double low) {
    return new SourceNetwork.Params(c, rho, rho1, lambda, 4, null, low, 1, null, V);
  }

  @Test
  void powersOfTwo() {
    double[][] cases = {{0, 1}, {-3, 1}, {Double.NaN, 1}, {1, 1}, {0.75, 1}, {1.5, 2}, {2, 2}, {3, 4}, {0.3, 0.5},
        {0x1p60, 0x1p60}, {0x1p61, 0x1p60}, {Double.POSITIVE_INFINITY, 0x1p60}, {Math.nextDown(0x1p60), 0x1p60},
        {0x1p-60, 0x1p-60}, {0x1p-70, 0x1p-60}, {Math.nextUp(0x1p-60), 0x1p-59}};
    for (double[] c : cases) assertThat(SourceNetwork.powerOfTwoAtLeast(c[0])).as("%s", c[0]).isEqualTo(c[1]);
  }

  static TargetPlan.Affine affine(double[] kernel, double[] bias, int out) {
    int in = kernel.length / out;
    return new TargetPlan.Affine("a", out, in, 1, 1, 1, 0, 0, kernel, bias, false, new int[] {in, 1, 1},
        new int[] {out, 1, 1});
  }

  @Test
  void rowAndBiasScales() {
    TargetPlan.Affine a = affine(new double[] {0, 0, 0.3, -0.1, 1, -3}, new double[] {0, 0.2, -3}, 3);
    assertThat(SourceNetwork.rowScales(a)).containsExactly(1, 0.5, 4);
    assertThat(SourceNetwork.biasScales(a, false)).containsExactly(1, 0.5, 8);
    assertThat(SourceNetwork.biasScales(a, true)).containsExactly(1, 1, 8);
  }

  /**
   * The first layer's blocks: a block at least 16 times below its row's power of two takes its own (100, 0.001 and
   * 3 in a row of scale 128: 128, 2^-9 and 4; 1, 0.5 and 0.0625 in a row of scale 1: 1, 1 and 0.0625; a zero block
   * the row's); its copies' weights are drawn at that scale and its instances' tolerance is eps times block over row.
   * Later layers keep the row's scale.
   */
  @Test
  void firstLayerBlocksOfUnequalScalesTakeTheirOwnScale() {
    double[] k1 = {100, 0.001, 3, 0, 1, 0.5, 0.0625, 0};
    TargetPlan.Affine a = affine(k1, new double[2], 2);
    assertThat(SourceNetwork.blockScales(a)).containsExactly(128, 0x1p-9, 4, 128, 1, 1, 0.0625, 1);
    Network net = new Network(new int[] {4}, List.of(new Linear("fc1", Tensor.of(k1, 2, 4), Tensor.zeros(2)),
        new ActivationLayer(RELU), new Linear("fc2", Tensor.of(new double[] {64, 0.001, 1, 1}, 2, 2),
        Tensor.zeros(2))));
    SourceNetwork s = SourceNetwork.of(TargetPlan.of(net, KernelActivation.of("relu")), params(L1, 3, 3, 1, -1));
    SourceNetwork.Conv first = s.convs().get(0);
    SourceNetwork.Conv second = s.convs().get(1);
    assertThat(first.blockScale()).containsExactly(SourceNetwork.blockScales(first.target()));
    assertThat(second.blockScale()).isNull();
    assertThat(second.tolerance(0.01, 0, 1)).isEqualTo(0.01);
    assertThat(first.tolerance(0.01, 0, 1)).isEqualTo(0.01 * 0x1p-16);
    assertThat(first.tolerance(0.01, 1, 2)).isEqualTo(0.01 / 16);
    assertThat(first.tolerance(0.01, 1, 1)).isEqualTo(0.01);
    Layout in = first.in();
    double largest = 0;
    for (int m = 0; m < in.rho(); m++) {
      int u = in.copy(1, m);
      assertThat(first.halfWidth(0, u)).isEqualTo(first.sigma() * 0x1p-9);
      assertThat(first.halfWidth(first.out().copy(1, 0), u)).isEqualTo(first.sigma());
      double w = first.weightAt(s.params().seed(), first.index(0, u, 0, 0));
      assertThat(Math.abs(w)).isLessThanOrEqualTo(first.sigma() * 0x1p-9);
      largest = Math.max(largest, Math.abs(w));
    }
    assertThat(largest).isGreaterThan(0);
    // the constant units keep the row's and the bias scales
    assertThat(first.halfWidth(0, in.constant(0))).isEqualTo(first.biasScale()[0]);
  }

  /**
   * Block scales of a 3x3 conv (2 input and 2 output channels): each block's largest tap, wherever it lies among the
   * nine, sets its power of two (3 and 0.01 in a row of scale 4: 4 and 2^-6; 0.001 and 0.5 in a row of scale 0.5:
   * 2^-9 and 0.5).
   */
  @Test
  void blockScalesReadEveryTapOfTheBlock() {
    double[] k = new double[2 * 2 * 9];
    for (int q = 0; q < k.length; q++) k[q] = 1e-5 * (q + 1);
    k[4] = 3;
    k[9 + 8] = -0.01;
    k[18] = 0.001;
    k[27 + 3] = -0.5;
    TargetPlan.Affine a = new TargetPlan.Affine("c", 2, 2, 3, 3, 1, 1, 1, k, new double[2], false, new int[] {2, 5, 5},
        new int[] {2, 5, 5});
    assertThat(SourceNetwork.rowScales(a)).containsExactly(4, 0.5);
    assertThat(SourceNetwork.blockScales(a)).containsExactly(4, 0x1p-6, 0x1p-9, 0.5);
  }

  /** Per-channel boxes are checked where the parameters are made, not only by the checker's region. */
  @Test
  void parametersCheckTheirPerChannelBoxes() {
    SourceNetwork.Params ok = new SourceNetwork.Params(L1, 1, 1, 1, 0, null, -1, 2, new double[][] {{-1, 0.5},
        {0, 2}}, V);
    assertThat(new double[] {ok.channelLow(1), ok.channelHigh(0)}).containsExactly(0, 0.5);
    assertThatThrownBy(() -> new SourceNetwork.Params(L1, 1, 1, 1, 0, null, -1, 1, new double[][] {{-1, 0.5},
        {0, 2}}, V)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("span [-1.0, 2.0], not the header's union box [-1.0, 1.0]");
    assertThatThrownBy(() -> new SourceNetwork.Params(L1, 1, 1, 1, 0, null, -1, 1, new double[][] {{-1, 1},
        {0, 0}}, V)).hasMessageContaining("input box of channel 1 must be finite with lo < hi");
  }

  @Test
  void slopesAndSignSplits() {
    assertThat(SourceNetwork.needsSignSplit(LEAKY)).isTrue();
    assertThat(SourceNetwork.needsSignSplit(TANH)).isFalse();
    assertThat(SourceNetwork.splitChannel(LEAKY, -1, 1)).isTrue();
    assertThat(SourceNetwork.splitChannel(LEAKY, 0, 1)).isFalse();
    assertThat(SourceNetwork.splitChannel(LEAKY, -1, 0)).isFalse();
    assertThat(SourceNetwork.splitChannel(TANH, -1, 1)).isFalse();
    assertThat(SourceNetwork.slopeFor(LEAKY, 0.5, -1, 1)).isEqualTo(1.25);
    assertThat(SourceNetwork.slopeFor(LEAKY, -0.5, -1, 1)).isEqualTo(1.25);
    // non-negative channel: w1 x has the sign of w1
    assertThat(SourceNetwork.slopeFor(LEAKY, 0.5, 0, 1)).isEqualTo(1);
    assertThat(SourceNetwork.slopeFor(LEAKY, -0.5, 0, 1)).isEqualTo(0.25);
    // non-positive channel: the opposite sign
    assertThat(SourceNetwork.slopeFor(LEAKY, 0.5, -1, 0)).isEqualTo(0.25);
    assertThat(SourceNetwork.slopeFor(LEAKY, -0.5, -1, 0)).isEqualTo(1);
    assertThat(SourceNetwork.slopeFor(TANH, -0.5, -1, 1)).isEqualTo(1);
  }

  @Test
  void widthsAndScalesByActivation() {
    assertThat(SourceNetwork.defaultRho1(RELU, 5)).isEqualTo(10);
    assertThat(SourceNetwork.defaultRho1(RELU, 200)).isEqualTo(SourceNetwork.MAX_RHO);
    assertThat(SourceNetwork.defaultRho1(TANH, 5)).isEqualTo(5);
    assertThat(SourceNetwork.largeConstants(RELU, 5)).isZero();
    assertThat(SourceNetwork.constants(RELU, 5)).isEqualTo(5);
    assertThat(SourceNetwork.largeConstants(SIGMOID, 3)).isEqualTo(6);
    assertThat(SourceNetwork.largeConstants(SIGMOID, 20)).isEqualTo(40);
    assertThat(SourceNetwork.largeConstants(SIGMOID, 25)).isEqualTo(40);
    assertThat(SourceNetwork.constants(SIGMOID, 25)).isEqualTo(65);
  }

  @Test
  void layersBeyondAnIntOfSlotsAreRefused() {
    SourceNetwork.checkSlots(3, "conv", SourceNetwork.MAX_SLOTS);
    assertThatThrownBy(() -> SourceNetwork.checkSlots(3, "conv", SourceNetwork.MAX_SLOTS + 1))
        .isInstanceOf(dev.ticketproof.limits.BadParameter.class)
        .hasMessageContaining("source layer 3 (conv) would have 2147483648 weight slots, more than the 2147483647");
    // ResNet-20's 64-channel convs (64 rho copies and rho constant units on each side, 3x3 taps): above 2^31 slots
    // at rho 256, 672 M at rho 133
    List<Long> slots = new ArrayList<>();
    for (SourceNetwork.Conv c : source("resnet20", SIGMOID, params(L1, 133, 133, 1, 0)).convs()) slots.add(c.size());
    assertThat(slots.stream().mapToLong(Long::longValue).max().getAsLong()).isEqualTo(9L * (65 * 133) * (65 * 133));
    assertThatThrownBy(() -> source("resnet20", SIGMOID, params(L1, 256, 256, 1, 0)))
        .isInstanceOf(dev.ticketproof.limits.BadParameter.class).hasMessageContaining("weight slots, more than");
  }

  @Test
  void parametersAreValidatedAtTheirBounds() {
    for (int r : new int[] {1, SourceNetwork.MAX_RHO}) {
      assertThat(params(L1, r, r, 1, -1).rho()).isEqualTo(r);
    }
    for (int bad : new int[] {0, SourceNetwork.MAX_RHO + 1}) {
      assertThatThrownBy(() -> params(L1, bad, 1, 1, -1)).hasMessageContaining("rho must be in [1, 256], got " + bad);
      assertThatThrownBy(() -> params(L1, 1, bad, 1, -1)).hasMessageContaining("rho1 must be in [1, 256], got " + bad);
    }
    for (double bad : new double[] {0, -1, 1.0000001, Double.NaN}) {
      assertThatThrownBy(() -> params(L1, 1, 1, bad, -1)).hasMessageContaining("lambda must be in (0, 1]");
    }
    for (double[] box : new double[][] {{1, 1}, {Double.NaN, 1}, {Double.NEGATIVE_INFINITY, 1}}) {
      assertThatThrownBy(() -> new SourceNetwork.Params(L1, 1, 1, 1, 0, null, box[0], box[1], null, V))
          .hasMessageContaining("input box");
    }
    assertThatThrownBy(() -> new SourceNetwork.Params(L1, 1, 1, 1, 0, null, 0, Double.POSITIVE_INFINITY, null, V))
        .hasMessageContaining("input box");
    assertThat(SourceNetwork.Construction.parse("L+1")).isEqualTo(L1);
    assertThat(SourceNetwork.Construction.parse("2L")).isEqualTo(TWO_L);
    assertThat(TWO_L.label()).isEqualTo("2l");
    assertThatThrownBy(() -> SourceNetwork.Construction.parse("3l")).hasMessageContaining("got '3l'");
  }

  @Test
  void theLPlus1SourceOfAFullyConnectedTarget() {
    // small-fc: 4 -> 8 (phi) -> 8 (phi) -> 2
    SourceNetwork s = source("small-fc", LEAKY, params(L1, 3, 6, 0.5, -1));
    assertThat(s.nodes()).hasSize(4);
    SourceNetwork.Univariate u = (SourceNetwork.Univariate) s.nodes().get(0);
    assertThat(u.out()).isEqualTo(Layout.univariate(4, 6, 6));
    assertThat(new double[] {u.w1Lo(), u.w1Hi(), u.betaLo(), u.betaHi()}).containsExactly(-1, 1, 0, 2);
    SourceNetwork.Conv c1 = (SourceNetwork.Conv) s.nodes().get(1);
    SourceNetwork.Conv c2 = (SourceNetwork.Conv) s.nodes().get(2);
    SourceNetwork.Conv c3 = (SourceNetwork.Conv) s.nodes().get(3);
    // sigma = 1 / (lambda (m+ + m-)) for the layer reading the univariate layer, 1 elsewhere
    assertThat(c1.sigma()).isEqualTo(1 / (0.5 * 1.25));
    assertThat(c2.sigma()).isEqualTo(1);
    assertThat(c1.out()).isEqualTo(Layout.copies(8, 3));
    assertThat(c2.in()).isEqualTo(Layout.copies(8, 3));
    assertThat(c3.out()).isEqualTo(Layout.plain(2));
    assertThat(new int[] {c1.id(), c2.id(), c3.id()}).containsExactly(1, 2, 3);
    assertThat(s.layerCount()).isEqualTo(4);
    assertThat(s.convs()).containsExactly(c1, c2, c3);
    assertThat(s.tail()).isEmpty();
    // dense counts: univariate (4*6 + 6) * 4 + 30, then 27 * 30, 27 * 27 and 2 * 27
    assertThat(TicketExport.sourceParams(u)).isEqualTo(150);
    assertThat(c1.size()).isEqualTo(810);
    assertThat(TicketExport.sourceParams(s)).isEqualTo(150 + 810 + 729 + 54);
  }

  @Test
  void positiveCopiesOnANonNegativeBox() {
    SourceNetwork.Univariate relu = (SourceNetwork.Univariate) source("small-fc", RELU, params(L1, 3, 3, 1, 0))
        .nodes().get(0);
    assertThat(relu.w1Lo()).isEqualTo(0);
    SourceNetwork.Univariate tanh = (SourceNetwork.Univariate) source("small-fc", TANH, params(L1, 3, 3, 1, 0))
        .nodes().get(0);
    assertThat(tanh.w1Lo()).isEqualTo(-2);
    SourceNetwork.Univariate neg = (SourceNetwork.Univariate) source("small-fc", RELU, params(L1, 3, 3, 1, -0.5))
        .nodes().get(0);
    assertThat(neg.w1Lo()).isEqualTo(-2);
  }

  @Test
  void theTwoLSourceHasAUnivariateLayerBeforeEveryLayer() {
    // relu: after a relu layer the inputs are non-negative, so the copies are positive and rho wide
    SourceNetwork r = source("small-fc", RELU, params(TWO_L, 3, 5, 1, -1));
    assertThat(r.nodes()).hasSize(6);
    assertThat(r.layerCount()).isEqualTo(6);
    SourceNetwork.Univariate first = (SourceNetwork.Univariate) r.nodes().get(0);
    SourceNetwork.Univariate second = (SourceNetwork.Univariate) r.nodes().get(2);
    assertThat(first.out()).isEqualTo(Layout.univariate(4, 5, 5));
    assertThat(first.w1Lo()).isEqualTo(-2);
    assertThat(second.out()).isEqualTo(Layout.univariate(8, 3, 3));
    assertThat(second.w1Lo()).isEqualTo(0);
    assertThat(((SourceNetwork.Conv) r.nodes().get(1)).out()).isEqualTo(Layout.plain(8));
    // leaky ReLU takes negative values: split copies, 2 rho wide
    SourceNetwork l = source("small-fc", LEAKY, params(TWO_L, 3, 5, 0.5, -1));
    SourceNetwork.Univariate lSecond = (SourceNetwork.Univariate) l.nodes().get(2);
    assertThat(lSecond.out()).isEqualTo(Layout.univariate(8, 6, 6));
    // U(-2 lambda, 2 lambda)
    assertThat(lSecond.w1Lo()).isEqualTo(-1);
    assertThat(lSecond.w1Hi()).isEqualTo(1);
    // on a non-negative box the first layer's copies are positive too
    SourceNetwork p = source("small-fc", RELU, params(TWO_L, 3, 3, 1, 0));
    assertThat(((SourceNetwork.Univariate) p.nodes().get(0)).w1Lo()).isEqualTo(0);
    // sigmoid: phi(0) != 0, so large-scale constant units
    SourceNetwork sg = source("small-fc", SIGMOID, params(TWO_L, 3, 3, 0.05, -1));
    SourceNetwork.Conv c = (SourceNetwork.Conv) sg.nodes().get(1);
    assertThat(c.largeConstants()).isEqualTo(6);
    assertThat(c.in()).isEqualTo(Layout.univariate(4, 3, 9));
  }

  @Test
  void uptoKeepsTheRestOfTheTargetAsTail() {
    SourceNetwork s = source("small-fc", RELU, new SourceNetwork.Params(L1, 3, 6, 1, 4, "2", -1, 1, null, V));
    assertThat(s.nodes()).hasSize(3);
    assertThat(((SourceNetwork.Conv) s.nodes().get(2)).out()).isEqualTo(Layout.plain(8));
    assertThat(s.tail()).hasSize(1);
    assertThat(((TargetPlan.Affine) s.tail().get(0)).name()).isEqualTo("4");
    assertThatThrownBy(() -> source("small-fc", RELU, new SourceNetwork.Params(L1, 3, 6, 1, 4, "x", -1, 1, null, V)))
        .hasMessageContaining("x names no conv or linear layer").hasMessageContaining("[0, 2, 4]");
  }

  @Test
  void aResidualSourceFollowsTheTargetsBlocks() {
    SourceNetwork s = source("small-resnet", RELU, params(L1, 2, 4, 1, -1));
    // univariate, conv, block 0 (identity), block 1 (projection), pool, fc
    assertThat(s.nodes()).hasSize(6);
    SourceNetwork.Residual b0 = (SourceNetwork.Residual) s.nodes().get(2);
    SourceNetwork.Residual b1 = (SourceNetwork.Residual) s.nodes().get(3);
    assertThat(b0.projection()).isNull();
    assertThat(b1.projection()).isNotNull();
    assertThat(b1.conv1().in()).isEqualTo(Layout.copies(8, 2));
    assertThat(b1.conv2().out()).isEqualTo(Layout.copies(16, 2));
    assertThat(b1.projection().out()).isEqualTo(b1.conv2().out());
    assertThat(s.nodes().get(4)).isInstanceOf(SourceNetwork.Pool.class);
    assertThat(s.convs()).hasSize(7);
    assertThat(s.layerCount()).isEqualTo(8);
    long expected = TicketExport.sourceParams((SourceNetwork.Univariate) s.nodes().get(0));
    for (SourceNetwork.Conv c : s.convs()) expected += c.size();
    assertThat(TicketExport.sourceParams(s)).isEqualTo(expected);
    assertThatThrownBy(() -> source("small-resnet", RELU, params(TWO_L, 2, 4, 1, -1)))
        .hasMessageContaining("construction 2l covers sequential networks only (residual block blocks.0)");
  }

  @Test
  void unsupportedOrdersAreNamed() {
    Network fc = Builtins.of("small-cnn", RELU);
    List<Layer> pooledFirst = new ArrayList<>(fc.layers());
    pooledFirst.add(0, new AvgPool2d(1, 1));
    TargetPlan plan = TargetPlan.of(new Network(fc.inputShape(), pooledFirst), KernelActivation.of("relu"));
    assertThatThrownBy(() -> SourceNetwork.of(plan, params(L1, 2, 4, 1, -1)))
        .hasMessageContaining("pooling before the first conv");
    Network res = Builtins.of("small-resnet", RELU);
    List<Layer> blockFirst = new ArrayList<>(res.layers().subList(3, res.layers().size()));
    TargetPlan bp = TargetPlan.of(new Network(new int[] {8, 8, 8}, blockFirst), KernelActivation.of("relu"));
    assertThatThrownBy(() -> SourceNetwork.of(bp, params(L1, 2, 4, 1, -1)))
        .hasMessageContaining("must follow a constructed conv layer");
  }

  @Test
  void weightsLieInTheirDocumentedRanges() {
    // sigmoid: phi(0) != 0, so the layer reading the univariate layer has large-scale constant units
    SourceNetwork s = source("small-cnn", SIGMOID, params(L1, 2, 2, 0.05, -1));
    for (SourceNetwork.Conv c : s.convs()) {
      Layout in = c.in();
      double[] maxSeen = new double[3];
      double[] range = new double[3];
      int taps = c.target().kh() * c.target().kw();
      for (int o = 0; o < c.out().units(); o++) {
        int j = c.out().channel(o);
        for (int u = 0; u < in.units(); u++) {
          int kind = !in.isConstant(u) ? 0 : u - in.n() * in.rho() < c.largeConstants() ? 1 : 2;
          double scale = kind == 0 ? c.sigma() * (j < 0 ? 1 : c.scale()[j])
              : kind == 1 ? c.sigma() * (j < 0 ? 1 : c.largeScale()[j]) : j < 0 ? 1 : c.biasScale()[j];
          for (int t = 0; t < taps; t++) {
            double w = c.weightAt(s.params().seed(), c.index(o, u, t / c.target().kw(), t % c.target().kw()));
            assertThat(w).isEqualTo(c.weightAt(s.params().seed(), ((long) (o * in.units() + u)) * taps + t));
            assertThat(Math.abs(w)).as("layer %d unit %d from %d", c.id(), o, u).isLessThanOrEqualTo(scale);
            maxSeen[kind] = Math.max(maxSeen[kind], Math.abs(w) / scale);
            range[kind] = 1;
          }
        }
      }
      // many draws per kind: the largest comes close to the range's end
      for (int k = 0; k < 3; k++) if (range[k] > 0) assertThat(maxSeen[k]).as("kind %d", k).isGreaterThan(0.9);
    }
    SourceNetwork.Conv first = s.convs().get(0);
    assertThat(first.largeConstants()).isEqualTo(4);
    assertThat(first.scale()).containsExactly(SourceNetwork.rowScales(first.target()));
    assertThat(first.biasScale()).containsExactly(SourceNetwork.biasScales(first.target(), true));
    SourceNetwork.Univariate u = (SourceNetwork.Univariate) s.nodes().get(0);
    for (int o = 0; o < u.out().units(); o++) {
      double b = u.beta(s.params().seed(), o);
      assertThat(b).isBetween(0.0, 2.0);
      if (!u.out().isConstant(o)) assertThat(Math.abs(u.w1(s.params().seed(), o))).isLessThanOrEqualTo(0.1);
    }
  }

  /**
   * The source network of a target with an input map reads the image of the box: its parameters hold each channel's
   * mapped interval (the union of their ends as the box), and its first univariate layer splits the signs of copies
   * of a box that was non-negative before the map and is not after it.
   */
  @Test
  void theSourceOfATargetWithAnInputMapReadsTheImageOfTheBox() {
    dev.ticketproof.net.BatchNorm2d bn = new dev.ticketproof.net.BatchNorm2d("in", new double[] {2, 1},
        new double[] {-1, 0}, new double[] {0, 0.5}, new double[] {1 - 1e-5, 1 - 1e-5}, 1e-5);
    Network net = new Network(new int[] {2}, List.of(bn, new Linear("fc", Tensor.of(new double[] {1, -1}, 1, 2),
        null)));
    TargetPlan plan = TargetPlan.of(net, RELU);
    SourceNetwork.Params given = new SourceNetwork.Params(L1, 3, 6, 1, 7L, null, 0, 1, null, V);
    SourceNetwork src = SourceNetwork.of(plan, given);
    double[][] image = plan.input().image(0, 1, null);
    assertThat(src.params().inputBoxes()).isDeepEqualTo(image);
    assertThat(src.params().inputLow()).isEqualTo(Math.min(image[0][0], image[1][0]));
    assertThat(src.params().inputHigh()).isEqualTo(Math.max(image[0][1], image[1][1]));
    assertThat(image[0][0]).isLessThan(-1).isGreaterThan(-1 - 1e-14);
    assertThat(image[1][0]).isLessThan(-0.5).isGreaterThan(-0.5 - 1e-14);
    assertThat(src.params().rho()).isEqualTo(3);
    assertThat(src.params().seed()).isEqualTo(7L);
    // [0, 1] before the map: copies without a sign split; its image reaches below 0: split
    SourceNetwork.Univariate u = (SourceNetwork.Univariate) src.nodes().get(0);
    SourceNetwork.Univariate plain = (SourceNetwork.Univariate) SourceNetwork.of(plan.withoutInput(), given)
        .nodes().get(0);
    assertThat(plain.w1Lo()).isZero();
    assertThat(u.w1Lo()).isNegative();
  }
}
