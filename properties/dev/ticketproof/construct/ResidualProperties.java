package dev.ticketproof.construct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.ticketproof.measure.Sizes;
import dev.ticketproof.activation.Activation;
import dev.ticketproof.kernel.check.TicketChecker;
import dev.ticketproof.measure.Evaluator;
import dev.ticketproof.kernel.Layout;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.net.BatchNorm2d;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.Network;
import dev.ticketproof.net.ResidualBlock;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * [residual] on seeded random small CIFAR-style ResNets (3x8x8 inputs, stem conv + BN + phi, 1 or 2 stages of 1
 * or 2 blocks, the second stage opening with a stride-2 block whose shortcut is a 1x1 stride-2 conv + BN
 * projection, 4 to 8 channels, BatchNorm with non-trivial statistics, global average pooling, linear classifier)
 * with ReLU, tanh and sigmoid:
 * <ol>
 *   <li>the source mirrors the target: the same blocks in order, a projection exactly where the target has one,
 *       the target's strides; widths rho1 n_0 + c for the univariate layer, rho (n + 1) for the stem, every branch
 *       conv and projection, n_L for the classifier; depth L+1 (a block counts two layers);</li>
 *   <li>the certificate holds in the kernel, and the measured sup error on box samples (uniform and corners) is at
 *       most the certified bound, also with per-channel scaled identity skips;</li>
 *   <li>constant channels are exactly constant: (a) a target whose convs are all zero except their biases (BN
 *       folded: non-trivial shifts) gives a ticket whose output does not depend on the input at all, bit for bit,
 *       and stays within the bound of the target; (b) in a ticket of a general target, the classifier restricted
 *       to its weights from constant units (after every block, skip and the pooling) gives the same output on
 *       different inputs, bit for bit, within the kernel's achieved bias error of the classifier's bias;</li>
 *   <li>exactness: with one copy per channel (rho = 1), a ReLU or LeakyReLU ResNet on the box [0, 1] whose stem
 *       consists of exact subset sums of the univariate copies and constants (as in
 *       {@link ConvDecompositionProperties}) and whose every other folded weight (branches, projection, classifier)
 *       is the single source weight it reads or 0, with BatchNorm of non-trivial statistics folded in and zero folded
 *       biases after the stem: with eps = 1e-12 every instance is exact to rounding (achieved error <= 1e-14) and the
 *       ticket reproduces the target to 1e-12 relative to its output magnitude;</li>
 *   <li>the same seed gives a byte-identical ticket file with 1 and 2 threads;</li>
 *   <li>a changed skip scale, BatchNorm statistic (branch or projection) or projection weight of the target makes the
 *       kernel reject the certificate.</li>
 * </ol>
 *
 * <p>Proof page: proofs/residual.md
 */
class ResidualProperties {
  static final List<String> ACTIVATIONS = List.of("relu", "tanh", "sigmoid");
  static double worstRatio;
  static String worstCase = "";
  static int cases;

  @AfterAll
  static void summary() {
    System.out.printf("ResidualProperties: %d ResNet tickets, worst measured/certified %.4g (%s); exact ResNets: "
        + "worst |ticket - target| %.3g at output magnitude up to %.3g, certified bound up to %.3g%n", cases,
        worstRatio, worstCase, worstExact, exactScale, exactBound);
  }

  static TicketBuilder.Result build(RandomTargets.Target t, Activation phi, int rho, long seed, double eps) {
    SourceNetwork.Params p = RandomTargets.params(SourceNetwork.Construction.L_PLUS_1, phi, rho, seed, null, -1, 1);
    return RandomTargets.build(t.net(), phi, p, eps, 1);
  }

  @Test
  void sourceMirrorsTargetTopologyWithTheoremWidthsAndDepth() {
    qt().withFixedSeed(4501L).withExamples(30).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(0, 2))
        .checkAssert((seed, act) -> {
          UniformRandomProvider rng = RandomTargets.rng(seed);
          Activation phi = RandomTargets.phi(ACTIVATIONS.get(act));
          RandomTargets.Target t = RandomTargets.resnet(rng, phi, 0);
          int rho = 4 + rng.nextInt(4);
          String what = "seed=" + seed + " phi=" + phi.name() + " rho=" + rho + " target: " + t.description();
          SourceNetwork src = SourceNetwork.of(TargetPlan.of(t.net(), phi),
              RandomTargets.params(SourceNetwork.Construction.L_PLUS_1, phi, rho, seed, null, -1, 1));
          List<ResidualBlock> blocks = new ArrayList<>();
          for (Layer l : t.net().layers()) if (l instanceof ResidualBlock b) blocks.add(b);
          List<SourceNetwork.Residual> res = new ArrayList<>();
          for (SourceNetwork.Node n : src.nodes()) if (n instanceof SourceNetwork.Residual r) res.add(r);
          assertThat(res).as(what + ": blocks").hasSize(blocks.size());
          int split = phi.slopeMinus() != phi.slopePlus() ? 2 : 1;
          int rho1 = split * rho;
          List<SourceNetwork.Node> nodes = src.nodes();
          assertThat(nodes.get(0)).as(what).isInstanceOf(SourceNetwork.Univariate.class);
          assertThat(((SourceNetwork.Univariate) nodes.get(0)).out().units()).as(what + ": univariate width")
              .isEqualTo(rho1 * 3 + TheoremLPlus1Properties.univariateConstants(phi, rho1));
          SourceNetwork.Conv stem = (SourceNetwork.Conv) nodes.get(1);
          int width = ((Conv2d) t.net().layers().get(0)).outChannels();
          assertThat(stem.out().units()).as(what + ": stem width").isEqualTo(rho * (width + 1));
          for (int b = 0; b < blocks.size(); b++) {
            ResidualBlock tb = blocks.get(b);
            SourceNetwork.Residual sb = res.get(b);
            String w = what + ": block " + tb.name();
            assertThat(sb.target().name()).as(w).isEqualTo(tb.name());
            assertThat(sb.projection() != null).as(w + ": skip kind")
                .isEqualTo(tb.shortcut() instanceof ResidualBlock.Projection);
            assertThat(sb.conv1().target().stride()).as(w + ": stride").isEqualTo(tb.conv1().stride());
            assertThat(sb.conv2().target().stride()).as(w + ": stride").isEqualTo(tb.conv2().stride());
            int n = tb.conv2().outChannels();
            assertThat(sb.conv1().out().units()).as(w + ": conv1 width")
                .isEqualTo(rho * (tb.conv1().outChannels() + 1));
            assertThat(sb.conv2().out().units()).as(w + ": conv2 width").isEqualTo(rho * (n + 1));
            assertThat(sb.conv1().out().kind()).as(w).isEqualTo(Layout.Kind.COPIES);
            assertThat(sb.conv2().out().kind()).as(w).isEqualTo(Layout.Kind.COPIES);
            if (tb.shortcut() instanceof ResidualBlock.Projection pr) {
              assertThat(sb.projection().target().stride()).as(w + ": projection stride")
                  .isEqualTo(pr.conv().stride());
              assertThat(sb.projection().out()).as(w + ": projection layout").isEqualTo(sb.conv2().out());
            }
          }
          assertThat(nodes.stream().filter(n -> n instanceof SourceNetwork.Pool).count()).as(what + ": pooling")
              .isEqualTo(1);
          SourceNetwork.Conv fc = (SourceNetwork.Conv) nodes.get(nodes.size() - 1);
          int classes = ((Linear) t.net().layers().get(t.net().layers().size() - 1)).outFeatures();
          assertThat(fc.out().units()).as(what + ": classifier width").isEqualTo(classes);
          assertThat(Sizes.depth(src)).as(what + ": depth").isEqualTo(t.depth() + 1);
        });
  }

  @Test
  void certificateHoldsAndMeasuredErrorWithinBound() {
    qt().withFixedSeed(4502L).withExamples(24).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(0, 2))
        .checkAssert((seed, act) -> {
          UniformRandomProvider rng = RandomTargets.rng(seed);
          Activation phi = RandomTargets.phi(ACTIVATIONS.get(act));
          RandomTargets.Target t = RandomTargets.resnet(rng, phi, 0.3);
          int rho = 5 + rng.nextInt(4);
          double eps = 0.02;
          String what = "seed=" + seed + " phi=" + phi.name() + " rho=" + rho + " eps=" + eps + " target: "
              + t.description();
          TicketBuilder.Result r = build(t, phi, rho, seed, eps);
          TheoremLPlus1Properties.checkHolds(r, t.net(), phi, what);
          assertThat(Sizes.of(r.source(), r.certificate()).depth()).as(what + ": kernel depth")
              .isEqualTo(t.depth() + 1);
          double measured = RandomTargets.measured(r, t.net(), phi, 32, seed ^ 0x5eedL);
          double bound = r.report().certifiedBound();
          synchronized (ResidualProperties.class) {
            cases++;
            if (measured / bound > worstRatio) {
              worstRatio = measured / bound;
              worstCase = what + String.format(" measured %.4g bound %.4g", measured, bound);
            }
          }
          assertThat(measured).as(what + ": measured vs certified").isLessThanOrEqualTo(bound);
        });
  }

  @Test
  void sameSeedGivesByteIdenticalFilesWithOneAndTwoThreads(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    qt().withFixedSeed(4508L).withExamples(4).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(0, 2))
        .checkAssert((seed, act) -> {
          UniformRandomProvider rng = RandomTargets.rng(seed);
          Activation phi = RandomTargets.phi(ACTIVATIONS.get(act));
          RandomTargets.Target t = RandomTargets.resnet(rng, phi, 0.3);
          SourceNetwork.Params p = RandomTargets.params(SourceNetwork.Construction.L_PLUS_1, phi, 6, seed, null, -1,
              1);
          String what = "seed=" + seed + " phi=" + phi.name() + " target: " + t.description();
          RandomTargets.assertSameFileForOneAndTwoThreads(t.net(), phi, p, 0.02, dir, String.valueOf(seed), what);
        });
  }

  /** The network with every conv weight (stem, branches, projections) set to zero; biases and BNs kept. */
  static Network zeroConvWeights(Network net) {
    List<Layer> layers = new ArrayList<>();
    for (Layer l : net.layers()) {
      if (l instanceof Conv2d c) {
        layers.add(zero(c));
      } else if (l instanceof ResidualBlock b) {
        ResidualBlock.Shortcut sc = b.shortcut() instanceof ResidualBlock.Projection p
            ? new ResidualBlock.Projection(zero(p.conv()), p.bn()) : b.shortcut();
        layers.add(new ResidualBlock(b.name(), zero(b.conv1()), b.bn1(), zero(b.conv2()), b.bn2(), sc, b.phi()));
      } else {
        layers.add(l);
      }
    }
    return new Network(net.inputShape(), layers);
  }

  static Conv2d zero(Conv2d c) {
    return new Conv2d(c.name(), Tensor.zeros(c.weight().shape()), c.bias(), c.stride(), c.ph(), c.pw());
  }

  @Test
  void zeroWeightTargetGivesAnInputIndependentTicket() {
    qt().withFixedSeed(4503L).withExamples(12).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(0, 2))
        .checkAssert((seed, act) -> {
          UniformRandomProvider rng = RandomTargets.rng(seed);
          Activation phi = RandomTargets.phi(ACTIVATIONS.get(act));
          RandomTargets.Target t0 = RandomTargets.resnet(rng, phi, 0);
          Network net = zeroConvWeights(t0.net());
          RandomTargets.Target t = new RandomTargets.Target(net, "zero conv weights, " + t0.description(),
              t0.depth(), t0.layerNames());
          String what = "seed=" + seed + " phi=" + phi.name() + " target: " + t.description();
          TicketBuilder.Result r = build(t, phi, 6, seed, 0.02);
          TheoremLPlus1Properties.checkHolds(r, net, phi, what);
          Evaluator ticket = Evaluator.ofTicket(r.source(), r.certificate());
          Evaluator target = Evaluator.ofTarget(TargetPlan.of(net, phi));
          List<double[]> xs = Evaluator.boxSamples(3 * 8 * 8, -1, 1, 8, seed);
          double[] first = ticket.apply(xs.get(0));
          double[] tfirst = target.apply(xs.get(0));
          for (double[] x : xs) {
            assertThat(ticket.apply(x)).as(what + ": ticket output depends on the input").isEqualTo(first);
          }
          double diff = 0;
          double spread = 0;
          for (int j = 0; j < first.length; j++) {
            diff = Math.max(diff, Math.abs(first[j] - tfirst[j]));
            spread = Math.max(spread, Math.abs(tfirst[j]));
          }
          assertThat(spread).as(what + ": the target's constant output is not zero").isGreaterThan(0);
          assertThat(diff).as(what + ": vs certified").isLessThanOrEqualTo(r.report().certifiedBound());
        });
  }

  @Test
  void constantChannelsStayExactlyConstantThroughBlocksSkipsAndPooling() {
    qt().withFixedSeed(4504L).withExamples(12).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(0, 2))
        .checkAssert((seed, act) -> {
          UniformRandomProvider rng = RandomTargets.rng(seed);
          Activation phi = RandomTargets.phi(ACTIVATIONS.get(act));
          RandomTargets.Target t = RandomTargets.resnet(rng, phi, 0);
          String what = "seed=" + seed + " phi=" + phi.name() + " target: " + t.description();
          TicketBuilder.Result r = build(t, phi, 6, seed, 0.02);
          TheoremLPlus1Properties.checkHolds(r, t.net(), phi, what);
          List<SourceNetwork.Node> nodes = r.source().nodes();
          SourceNetwork.Conv fc = (SourceNetwork.Conv) nodes.get(nodes.size() - 1);
          Layout in = fc.in();
          assertThat(in.kind()).as(what).isEqualTo(Layout.Kind.COPIES);
          long per = (long) in.units() * fc.target().kh() * fc.target().kw();
          int taps = fc.target().kh() * fc.target().kw();
          int[][] kept = Arrays.stream(r.certificate().keptWeights()).map(int[]::clone).toArray(int[][]::new);
          kept[fc.id()] = Arrays.stream(kept[fc.id()]).filter(idx -> in.isConstant((int) ((idx % per) / taps)))
              .toArray();
          TicketCertificate constantsOnly = new TicketCertificate(r.certificate().header(), kept,
              r.certificate().keptBiases(), null);
          Evaluator e = Evaluator.ofTicket(r.source(), constantsOnly);
          List<double[]> xs = Evaluator.boxSamples(3 * 8 * 8, -1, 1, 8, seed);
          double[] first = e.apply(xs.get(0));
          for (double[] x : xs) {
            assertThat(e.apply(x)).as(what + ": constant channels depend on the input").isEqualTo(first);
          }
          double biasErr = 0;
          for (TicketChecker.LayerReport lr : r.report().layers()) {
            if (lr.name().equals(fc.target().name())) biasErr = lr.maxParamError();
          }
          double[] b = fc.target().bias();
          for (int j = 0; j < first.length; j++) {
            assertThat(Math.abs(first[j] - b[j])).as(what + ": classifier bias " + j + " from constant channels")
                .isLessThanOrEqualTo(biasErr + 1e-12);
          }
        });
  }

  /**
   * A conv with BatchNorm whose folded kernel is {@code folded} (OIHW) and whose folded bias is {@code bias}: the
   * conv's weights are folded / s and the BN shift is bias + s mean, s = gamma / sqrt(var + eps), with non-trivial
   * random statistics.
   */
  static Layer[] convBn(UniformRandomProvider rng, String name, String bnName, double[] folded, double[] bias,
      int out, int in, int k, int stride, int pad) {
    BatchNorm2d bn = RandomTargets.bn(rng, bnName, out);
    double[] w = new double[folded.length];
    double[] beta = new double[out];
    int per = in * k * k;
    for (int o = 0; o < out; o++) {
      double s = bn.gamma()[o] / Math.sqrt(bn.var()[o] + bn.eps());
      for (int t = o * per; t < (o + 1) * per; t++) w[t] = folded[t] / s;
      beta[o] = bias[o] + s * bn.mean()[o];
    }
    return new Layer[] {new Conv2d(name, Tensor.of(w, out, in, k, k), null, stride, pad),
        new BatchNorm2d(bnName, bn.gamma(), beta, bn.mean(), bn.var(), bn.eps())};
  }

  /** Folded kernel of a layer reading copies with one copy: each entry the single source weight or 0. */
  static double[] singleWeights(UniformRandomProvider rng, SourceNetwork.Conv c, long seed, double density) {
    TargetPlan.Affine a = c.target();
    double[] k = new double[a.out() * a.in() * a.kh() * a.kw()];
    int per = a.in() * a.kh() * a.kw();
    for (int j = 0; j < a.out(); j++) {
      double rowMax = 0;
      for (int i = 0; i < a.in(); i++) {
        for (int y = 0; y < a.kh(); y++) {
          for (int x = 0; x < a.kw(); x++) {
            double w = c.weightAt(seed, c.index(c.out().copy(j, 0), c.in().copy(i, 0), y, x));
            // keep the row's source scale at 1 (largest |K| in (1/2, 1]): the first large weight is kept
            if (rng.nextDouble() < density || (rowMax <= 0.5 && Math.abs(w) > 0.5)) {
              k[((j * a.in() + i) * a.kh() + y) * a.kw() + x] = w;
              rowMax = Math.max(rowMax, Math.abs(w));
            }
          }
        }
      }
      if (rowMax <= 0.5) java.util.Arrays.fill(k, j * per, (j + 1) * per, 0.0);
    }
    return k;
  }

  @Test
  void exactSubsetSumResNetIsReproduced() {
    qt().withFixedSeed(4507L).withExamples(16).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(0, 1))
        .checkAssert((seed, act) -> {
          UniformRandomProvider rng = RandomTargets.rng(seed);
          Activation phi = RandomTargets.phi(act == 0 ? "relu" : "leaky-relu(0.2)");
          int width = 2 + rng.nextInt(4);
          int identity = 1 + rng.nextInt(2);
          boolean projection = rng.nextBoolean();
          int wide = width + 1 + rng.nextInt(3);
          int classes = 2 + rng.nextInt(2);
          // geometry (all weights zero, no BN): the source depends on shapes only
          List<Layer> geo = new ArrayList<>();
          geo.add(new Conv2d("conv", Tensor.zeros(width, 3, 3, 3), null, 1, 1));
          geo.add(new dev.ticketproof.net.ActivationLayer(phi));
          for (int b = 0; b < identity; b++) {
            geo.add(new ResidualBlock("blocks." + b, new Conv2d("blocks." + b + ".conv1",
                Tensor.zeros(width, width, 3, 3), null, 1, 1), null, new Conv2d("blocks." + b + ".conv2",
                Tensor.zeros(width, width, 3, 3), null, 1, 1), null, new ResidualBlock.Identity(null), phi));
          }
          int c = width;
          if (projection) {
            String n = "blocks." + identity;
            geo.add(new ResidualBlock(n, new Conv2d(n + ".conv1", Tensor.zeros(wide, width, 3, 3), null, 2, 1), null,
                new Conv2d(n + ".conv2", Tensor.zeros(wide, wide, 3, 3), null, 1, 1), null,
                new ResidualBlock.Projection(new Conv2d(n + ".shortcut.0", Tensor.zeros(wide, width, 1, 1), null, 2,
                    0), null), phi));
            c = wide;
          }
          geo.add(new dev.ticketproof.net.GlobalAvgPool());
          geo.add(new dev.ticketproof.net.Flatten());
          geo.add(new Linear("fc", Tensor.zeros(classes, c), null));
          Network geometry = new Network(new int[] {3, 8, 8}, geo);
          int rho1 = 8 + rng.nextInt(4);
          SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, 1, rho1, 1, seed,
              null, 0, 1, null, TicketCertificate.VERSION);
          SourceNetwork src = SourceNetwork.of(TargetPlan.of(geometry, phi), p);
          // stem: exact subset sums of the univariate copies and constants (as in [conv-decomposition])
          Conv2d stem = ConvDecompositionProperties.exactConv(rng, (Conv2d) geo.get(0), src, phi);
          List<Layer> layers = new ArrayList<>();
          layers.addAll(List.of(convBn(rng, "conv", "bn", stem.weight().data(), stem.bias().data(), width, 3, 3, 1,
              1)));
          layers.add(new dev.ticketproof.net.ActivationLayer(phi));
          int q = 0;
          for (SourceNetwork.Node node : src.nodes()) {
            if (!(node instanceof SourceNetwork.Residual r)) continue;
            String n = "blocks." + q++;
            TargetPlan.Affine a1 = r.conv1().target();
            TargetPlan.Affine a2 = r.conv2().target();
            Layer[] c1 = convBn(rng, n + ".conv1", n + ".bn1", singleWeights(rng, r.conv1(), seed, 0.6),
                new double[a1.out()], a1.out(), a1.in(), 3, a1.stride(), 1);
            Layer[] c2 = convBn(rng, n + ".conv2", n + ".bn2", singleWeights(rng, r.conv2(), seed, 0.6),
                new double[a2.out()], a2.out(), a2.in(), 3, 1, 1);
            ResidualBlock.Shortcut sc = new ResidualBlock.Identity(null);
            if (r.projection() != null) {
              TargetPlan.Affine ap = r.projection().target();
              Layer[] pr = convBn(rng, n + ".shortcut.0", n + ".shortcut.1",
                  singleWeights(rng, r.projection(), seed, 0.8), new double[ap.out()], ap.out(), ap.in(), 1, 2, 0);
              sc = new ResidualBlock.Projection((Conv2d) pr[0], (BatchNorm2d) pr[1]);
            }
            layers.add(new ResidualBlock(n, (Conv2d) c1[0], (BatchNorm2d) c1[1], (Conv2d) c2[0], (BatchNorm2d) c2[1],
                sc, phi));
          }
          layers.add(new dev.ticketproof.net.GlobalAvgPool());
          layers.add(new dev.ticketproof.net.Flatten());
          SourceNetwork.Conv fc = (SourceNetwork.Conv) src.nodes().get(src.nodes().size() - 1);
          layers.add(new Linear("fc", Tensor.of(singleWeights(rng, fc, seed, 0.8), classes, c), null));
          Network net = new Network(new int[] {3, 8, 8}, layers);
          String what = String.format("seed=%d phi=%s stem %d, %d identity blocks%s, fc %d, rho=1 rho1=%d", seed,
              phi.name(), width, identity, projection ? ", a stride-2 projection block to " + wide : "", classes,
              rho1);
          TicketBuilder.Result r = RandomTargets.build(net, phi, p, 1e-12, 1);
          TheoremLPlus1Properties.checkHolds(r, net, phi, what);
          assertThat(r.report().failedInstances()).as(what + ": failed instances").isZero();
          // every instance is exact up to the rounding of the BN folding (an ulp of the weight); the composed bound
          // multiplies those by the interval bounds of the target (which grow with the blocks' gains, outputs here
          // reach ~100), so it is at rounding level times those gains, not at 1e-12
          assertThat(r.report().maxParamError()).as(what + ": max achieved instance error")
              .isLessThanOrEqualTo(1e-14);
          assertThat(r.report().certifiedBound()).as(what + ": certified bound").isLessThanOrEqualTo(1e-6);
          Evaluator te = Evaluator.ofTarget(TargetPlan.of(net, phi));
          Evaluator ke = Evaluator.ofTicket(r.source(), r.certificate());
          Evaluator.Comparison cmp = Evaluator.compare(te, ke, Evaluator.boxSamples(3 * 8 * 8, 0, 1, 16, seed));
          synchronized (ResidualProperties.class) {
            worstExact = Math.max(worstExact, cmp.maxDifference());
            exactScale = Math.max(exactScale, cmp.maxMagnitude());
            exactBound = Math.max(exactBound, r.report().certifiedBound());
          }
          assertThat(cmp.maxMagnitude()).as(what + ": the target's output is not zero").isGreaterThan(0);
          assertThat(cmp.maxDifference())
              .as(what + ": |ticket - target| relative to the output magnitude " + cmp.maxMagnitude())
              .isLessThanOrEqualTo(1e-12 * Math.max(1, cmp.maxMagnitude()));
        });
  }

  static double worstExact;
  static double exactScale;
  static double exactBound;

  /** A copy of the network with one layer replaced. */
  static Network replace(Network net, int index, Layer layer) {
    List<Layer> layers = new ArrayList<>(net.layers());
    layers.set(index, layer);
    return new Network(net.inputShape(), layers);
  }

  static BatchNorm2d nudgeMean(BatchNorm2d bn) {
    double[] mean = bn.mean().clone();
    mean[mean.length - 1] += 1e-7;
    return new BatchNorm2d(bn.name(), bn.gamma(), bn.beta(), mean, bn.var(), bn.eps());
  }

  static void assertRejected(TicketCertificate cert, Network net, Activation phi, String what) {
    TicketChecker.Report rep = TicketChecker.check(cert, net, phi);
    assertThat(rep.verdict().isHolds()).as(what + " must be rejected").isFalse();
    assertThat(rep.verdict().reason()).as(what).isNotBlank();
  }

  @Test
  void tamperedSkipBatchNormOrProjectionIsRejected() {
    qt().withFixedSeed(4505L).withExamples(8).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(0, 2))
        .checkAssert((seed, act) -> {
          UniformRandomProvider rng = RandomTargets.rng(seed);
          Activation phi = RandomTargets.phi(ACTIVATIONS.get(act));
          RandomTargets.Target t = RandomTargets.resnet(rng, phi, 0.5);
          String what = "seed=" + seed + " phi=" + phi.name() + " target: " + t.description();
          TicketBuilder.Result r = build(t, phi, 5, seed, 0.02);
          TheoremLPlus1Properties.checkHolds(r, t.net(), phi, what);
          TicketCertificate cert = r.certificate();
          Network net = t.net();
          List<Layer> layers = net.layers();
          assertRejected(cert, replace(net, 1, nudgeMean((BatchNorm2d) layers.get(1))), phi, what + ": stem BN");
          for (int q = 0; q < layers.size(); q++) {
            if (!(layers.get(q) instanceof ResidualBlock b)) continue;
            String w = what + ": block " + b.name();
            assertRejected(cert, replace(net, q, new ResidualBlock(b.name(), b.conv1(), nudgeMean(b.bn1()), b.conv2(),
                b.bn2(), b.shortcut(), b.phi())), phi, w + " bn1");
            assertRejected(cert, replace(net, q, new ResidualBlock(b.name(), b.conv1(), b.bn1(), b.conv2(),
                nudgeMean(b.bn2()), b.shortcut(), b.phi())), phi, w + " bn2");
            if (b.shortcut() instanceof ResidualBlock.Projection p) {
              assertRejected(cert, replace(net, q, new ResidualBlock(b.name(), b.conv1(), b.bn1(), b.conv2(), b.bn2(),
                  new ResidualBlock.Projection(p.conv(), nudgeMean(p.bn())), b.phi())), phi, w + " projection BN");
              double[] k = p.conv().weight().data().clone();
              k[0] += 1e-9;
              Conv2d pc = new Conv2d(p.conv().name(), Tensor.of(k, p.conv().weight().shape()), p.conv().bias(),
                  p.conv().stride(), p.conv().ph(), p.conv().pw());
              assertRejected(cert, replace(net, q, new ResidualBlock(b.name(), b.conv1(), b.bn1(), b.conv2(), b.bn2(),
                  new ResidualBlock.Projection(pc, p.bn()), b.phi())), phi, w + " projection weight");
            } else {
              ResidualBlock.Identity id = (ResidualBlock.Identity) b.shortcut();
              double[] s = id.scale() != null ? id.scale().clone() : new double[b.conv2().outChannels()];
              if (id.scale() == null) Arrays.fill(s, 1.0);
              s[0] *= 1.0001;
              assertRejected(cert, replace(net, q, new ResidualBlock(b.name(), b.conv1(), b.bn1(), b.conv2(), b.bn2(),
                  new ResidualBlock.Identity(s), b.phi())), phi, w + " skip scale");
            }
          }
        });
  }

  @Test
  @Tag("slow")
  void wideParameterRangeMeasuredWithinBound() {
    qt().withFixedSeed(4506L).withExamples(60).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(0, RandomTargets.ALL_SUPPORTED.size() - 1))
        .checkAssert((seed, act) -> {
          UniformRandomProvider rng = RandomTargets.rng(seed);
          Activation phi = RandomTargets.phi(RandomTargets.ALL_SUPPORTED.get(act));
          RandomTargets.Target t = RandomTargets.resnet(rng, phi, 0.3);
          SourceNetwork.Params p = RandomTargets.wideParams(rng, SourceNetwork.Construction.L_PLUS_1, phi, seed);
          double eps = new double[] {0.01, 0.05}[rng.nextInt(2)];
          String what = "seed=" + seed + " phi=" + phi.name() + " " + RandomTargets.describe(p, eps) + " target: "
              + t.description();
          TicketBuilder.Result r = RandomTargets.build(t.net(), phi, p, eps, 2);
          TheoremLPlus1Properties.checkHolds(r, t.net(), phi, what);
          double measured = RandomTargets.measured(r, t.net(), phi, 64, seed ^ 0x5eedL);
          double bound = r.report().certifiedBound();
          synchronized (ResidualProperties.class) {
            cases++;
            if (measured / bound > worstRatio) {
              worstRatio = measured / bound;
              worstCase = what + String.format(" measured %.4g bound %.4g", measured, bound);
            }
          }
          assertThat(measured).as(what + ": measured vs certified").isLessThanOrEqualTo(bound);
        });
  }
}
