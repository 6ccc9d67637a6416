package dev.ticketproof.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.activation.LeakyRelu;
import dev.ticketproof.io.DType;
import dev.ticketproof.io.ImportException;
import dev.ticketproof.io.NetworkBuilder;
import dev.ticketproof.io.StoredTensor;
import dev.ticketproof.io.TensorFile;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.BatchNorm2d;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Flatten;
import dev.ticketproof.net.Forward;
import dev.ticketproof.net.GlobalAvgPool;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.Network;
import dev.ticketproof.net.Residual;
import dev.ticketproof.net.ResidualBlock;
import dev.ticketproof.random.WeightField;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rewrite of pre-activation ResNets to post-activation ResNets of doubled width ({@link PreActResNet}), against
 * the pre-activation network itself: random weights in both layouts of names, computed as PyTorch's forward computes
 * them with general residual layers that add their input with no activation after the sum
 * ({@link Residual} with {@code phi == null}, the body {@code bn1, phi, conv1, bn2, phi, conv2} and the shortcut the
 * identity or {@code bn1, phi, projection}). The fixtures' PyTorch outputs are in {@code Round13Test}.
 */
class PreActResNetTest {
  private static final long SEED = 1313;
  /** The layouts of names this test's networks have: DeepMind's (whose forwards pad otherwise) are in Round17DeepMindTest. */
  private static final PreActResNet.Layout[] LAYOUTS = {PreActResNet.Layout.PREACT_RESNET,
      PreActResNet.Layout.WIDE_RESNET};

  /** Random tensors of a pre-activation ResNet with the given stage widths, one block per stage. */
  private static final class Net {
    final Map<String, StoredTensor> t = new LinkedHashMap<>();
    long stream;
    final PreActResNet.Layout layout;

    Net(PreActResNet.Layout layout) { this.layout = layout; }

    /**
     * A pre-activation ResNet of bottleneck blocks (kuangliu's PreActBottleneck: bn1, conv1 1x1, bn2, conv2 3x3 with
     * the block's stride, bn3, conv3 1x1 to 4 planes channels, a 1x1 projection where the block has stride 2 or
     * changes the channel count), {@code blocks[s]} blocks in stage s, with conv biases when asked.
     */
    static Net bottleneck(PreActResNet.Layout layout, int stem, int[] planes, int[] blocks, boolean headBn,
        boolean biases) {
      Net n = new Net(layout);
      n.conv("conv1", stem, 3, 3);
      int in = stem;
      for (int s = 0; s < planes.length; s++) {
        for (int b = 0; b < blocks[s]; b++) {
          String p = n.block(s + 1, b);
          int mid = planes[s];
          int out = 4 * mid;
          n.bn(p + ".bn1", in);
          n.conv(p + ".conv1", mid, in, 1);
          n.bn(p + ".bn2", mid);
          n.conv(p + ".conv2", mid, mid, 3);
          n.bn(p + ".bn3", mid);
          n.conv(p + ".conv3", out, mid, 1);
          if (in != out || s > 0 && b == 0) n.conv(p + "." + n.shortcut(), out, in, 1);
          if (biases) {
            for (String c : new String[] {"conv1", "conv2", "conv3", n.shortcut()}) {
              String name = p + "." + c;
              if (n.t.containsKey(name + ".weight")) {
                int o = n.w(name + ".weight").shape()[0];
                n.put(name + ".bias", n.uniform(o, -0.2, 0.2), o);
              }
            }
          }
          in = out;
        }
      }
      if (headBn) n.bn(n.head(), in);
      n.put(n.fc() + ".weight", n.uniform(3 * in, -0.5, 0.5), 3, in);
      n.put(n.fc() + ".bias", n.uniform(3, -0.1, 0.1), 3);
      return n;
    }

    Net(PreActResNet.Layout layout, int[] widths, boolean headBn, int classes) {
      this.layout = layout;
      conv("conv1", widths[0], 3, 3);
      int in = widths[0];
      for (int s = 0; s < widths.length; s++) {
        String p = block(s + 1, 0);
        int out = widths[s];
        bn(p + ".bn1", in);
        conv(p + ".conv1", out, in, 3);
        bn(p + ".bn2", out);
        conv(p + ".conv2", out, out, 3);
        if (in != out || s > 0) conv(p + "." + shortcut(), out, in, 1);
        in = out;
      }
      if (headBn) bn(head(), in);
      put(fc() + ".weight", uniform(classes * in, -0.5, 0.5), classes, in);
      put(fc() + ".bias", uniform(classes, -0.1, 0.1), classes);
    }

    String block(int s, int b) {
      return layout == PreActResNet.Layout.WIDE_RESNET ? "block" + s + ".layer." + b : "layer" + s + "." + b;
    }

    String shortcut() { return layout == PreActResNet.Layout.WIDE_RESNET ? "convShortcut" : "shortcut.0"; }

    String head() { return layout == PreActResNet.Layout.WIDE_RESNET ? "bn1" : "bn"; }

    String fc() { return layout == PreActResNet.Layout.WIDE_RESNET ? "fc" : "linear"; }

    double[] uniform(int n, double lo, double hi) {
      long s = stream++;
      double[] d = new double[n];
      for (int i = 0; i < n; i++) d[i] = WeightField.uniform(SEED, s, i, lo, hi);
      return d;
    }

    void put(String name, double[] d, int... shape) {
      t.put(name, new StoredTensor(name, Tensor.of(d, shape), DType.FLOAT32));
    }

    void conv(String name, int out, int in, int k) {
      double a = Math.sqrt(6.0 / (in * k * k));
      put(name + ".weight", uniform(out * in * k * k, -a, a), out, in, k, k);
    }

    void bn(String name, int c) {
      put(name + ".weight", uniform(c, 0.5, 1.5), c);
      put(name + ".bias", uniform(c, -0.3, 0.3), c);
      put(name + ".running_mean", uniform(c, -0.3, 0.3), c);
      put(name + ".running_var", uniform(c, 0.5, 1.5), c);
      put(name + ".num_batches_tracked", new double[] {7}, new int[0]);
    }

    TensorFile file() { return new TensorFile("net.pt", t, List.of(), List.of()); }

    Tensor w(String name) { return t.get(name).tensor(); }

    BatchNorm2d batchNorm(String p) {
      return new BatchNorm2d(p, w(p + ".weight").data(), w(p + ".bias").data(), w(p + ".running_mean").data(),
          w(p + ".running_var").data(), 1e-5);
    }

    Conv2d conv(String name, int stride, int padding) {
      Tensor b = t.containsKey(name + ".bias") ? w(name + ".bias") : null;
      return new Conv2d(name, w(name + ".weight"), b, stride, padding);
    }

    /** The pre-activation network as PyTorch's forward computes it. */
    Network reference(int[] input, Activation phi) {
      return reference(input, phi, false);
    }

    /**
     * The pre-activation network as PyTorch's forward computes it: kuangliu's PreActBlock and PreActBottleneck
     * (a projection reads phi(bn1 x)), or with {@code inputShortcut} RobustBench's (a projection reads x).
     */
    Network reference(int[] input, Activation phi, boolean inputShortcut) {
      List<Layer> layers = new ArrayList<>();
      layers.add(new Conv2d("conv1", w("conv1.weight"), null, 1, 1));
      for (int s = 1; t.containsKey(block(s, 0) + ".conv1.weight"); s++) {
        for (int k = 0; t.containsKey(block(s, k) + ".conv1.weight"); k++) {
          String p = block(s, k);
          int stride = s > 1 && k == 0 ? 2 : 1;
          List<Layer> body = t.containsKey(p + ".conv3.weight")
              ? List.of(batchNorm(p + ".bn1"), new ActivationLayer(phi), conv(p + ".conv1", 1, 0),
                  batchNorm(p + ".bn2"), new ActivationLayer(phi), conv(p + ".conv2", stride, 1),
                  batchNorm(p + ".bn3"), new ActivationLayer(phi), conv(p + ".conv3", 1, 0))
              : List.of(batchNorm(p + ".bn1"), new ActivationLayer(phi), conv(p + ".conv1", stride, 1),
                  batchNorm(p + ".bn2"), new ActivationLayer(phi), conv(p + ".conv2", 1, 1));
          String sc = p + "." + shortcut();
          List<Layer> skip = !t.containsKey(sc + ".weight") ? List.of()
              : inputShortcut ? List.of(conv(sc, stride, 0))
              : List.of(batchNorm(p + ".bn1"), new ActivationLayer(phi), conv(sc, stride, 0));
          layers.add(new Residual(p, body, skip, null));
        }
      }
      if (t.containsKey(head() + ".weight")) {
        layers.add(batchNorm(head()));
        layers.add(new ActivationLayer(phi));
      }
      layers.add(new GlobalAvgPool());
      layers.add(new Flatten());
      layers.add(new Linear(fc(), w(fc() + ".weight"), w(fc() + ".bias")));
      return new Network(input, layers);
    }
  }

  private static Tensor images(int n, int c, int h, int w) {
    double[] d = new double[n * c * h * w];
    for (int i = 0; i < d.length; i++) d[i] = WeightField.uniform(SEED + 1, 0, i, 0, 1);
    return Tensor.of(d, n, c, h, w);
  }

  private static Network rewritten(Net net, Activation phi, int[] input) {
    PreActResNet.Rewritten rw = PreActResNet.rewrite(net.file(), phi, input);
    return NetworkBuilder.build("cifar-resnet", rw.spec(), rw.tensors(), phi, input).network();
  }

  private static double relativeError(Network a, Network b, Tensor x) {
    double[] ya = Forward.forward(a, x, 1).data();
    double[] yb = Forward.forward(b, x, 1).data();
    double diff = 0;
    double max = 0;
    for (int i = 0; i < ya.length; i++) {
      diff = Math.max(diff, Math.abs(ya[i] - yb[i]));
      max = Math.max(max, Math.abs(yb[i]));
    }
    assertThat(max).isGreaterThan(0.1);
    return diff / max;
  }

  /**
   * Both layouts, relu, leaky-relu (slopes 0.1 and 0.3) and the self-gated silu, gelu, gelu-tanh, hardswish, with and without a final BatchNorm, identity and
   * projection shortcuts (the WideResNet always with its final bn1), widths that keep and change the channel count:
   * the rewritten post-activation network of
   * doubled width computes the pre-activation network's outputs to rounding, and the kernel's normal form reads it.
   */
  @Test void theRewrittenNetworkComputesThePreActivationNetwork() {
    int[] input = {3, 12, 12};
    Tensor x = images(5, 3, 12, 12);
    for (PreActResNet.Layout layout : LAYOUTS) {
      for (String name : new String[] {"relu", "leaky-relu(0.1)", "leaky-relu(0.3)", "silu", "gelu", "gelu-tanh",
          "hardswish"}) {
        for (boolean headBn : new boolean[] {true, false}) {
          if (!headBn && layout == PreActResNet.Layout.WIDE_RESNET) continue; // it has one: refused without
          Activation phi = ActivationCatalog.parse(name);
          Net net = new Net(layout, new int[] {4, 4, 6}, headBn, 3);
          assertThat(PreActResNet.layout(net.file())).isEqualTo(layout);
          Network re = rewritten(net, phi, input);
          String what = layout + " " + name + (headBn ? " head bn" : "");
          assertThat(relativeError(re, net.reference(input, phi), x)).as(what).isLessThan(1e-13);
          assertThat(TargetPlan.of(re, dev.ticketproof.kernel.KernelActivation.of(phi.name()))).as(what).isNotNull();
          // the stream of 4/4/4/6 channels is carried in 8/8/8/12, every block a post-activation ResidualBlock
          assertThat(re.layers().stream().filter(l -> l instanceof ResidualBlock).count()).isEqualTo(3);
          assertThat(((Conv2d) re.layers().get(0)).outChannels()).isEqualTo(8);
          assertThat(((Linear) re.layers().get(re.layers().size() - 1)).inFeatures()).isEqualTo(headBn ? 6 : 12);
        }
      }
    }
  }

  /**
   * The skip and recovery coefficients carry the factor 1/(1+a): a network of slope 0.3 rewritten as if the slope
   * were 0 (the factor dropped, the other coefficients as they are) is far off, and the identity shortcut's 1x1 conv
   * reads phi(s) and phi(-s) with +-1/(1+a) and bn1's channels with 0.
   */
  @Test void theSkipCoefficientsCarryTheLeakyFactor() {
    int[] input = {3, 12, 12};
    Net net = new Net(PreActResNet.Layout.PREACT_RESNET, new int[] {4, 6}, false, 3);
    Activation leaky = new LeakyRelu(0.3);
    Network right = rewritten(net, leaky, input);
    PreActResNet.Rewritten rw = PreActResNet.rewrite(net.file(), ActivationCatalog.parse("relu"), input);
    Network dropped = NetworkBuilder.build("x", new dev.ticketproof.io.ArchSpec(input, null, rw.spec().layers()),
        rw.tensors(), leaky, input).network();
    Tensor x = images(5, 3, 12, 12);
    assertThat(relativeError(right, net.reference(input, leaky), x)).isLessThan(1e-13);
    assertThat(relativeError(dropped, net.reference(input, leaky), x)).isGreaterThan(0.01);
    ResidualBlock b = (ResidualBlock) right.layers().get(4);
    Tensor sc = ((ResidualBlock.Projection) b.shortcut()).conv().weight(); // [8, 12, 1, 1]: identity over r
    double k = 1 / 1.3;
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 12; j++) {
        double top = j == 4 + i ? k : j == 8 + i ? -k : 0;
        assertThat(sc.data()[i * 12 + j]).as("row %d col %d", i, j).isCloseTo(top, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(sc.data()[(4 + i) * 12 + j]).isCloseTo(-top, org.assertj.core.data.Offset.offset(1e-15));
      }
    }
  }

  /**
   * Bottleneck blocks (kuangliu's PreActBottleneck) in both layouts of names: relu, leaky-relu (slopes 0.1 and 0.3),
   * silu, gelu and hardswish; the projections reading phi(bn1 s) (kuangliu's) or s (preact-input-shortcut); with and
   * without a final BatchNorm and conv biases; a projection at stride 1 (4 to 8 channels), identity shortcuts, and
   * projections at stride 2 on conv2 and the shortcut. Each block is three normal-form steps (two 1x1 convs and a
   * residual block), and the rewritten network computes the pre-activation network's outputs to rounding.
   */
  @Test void bottleneckBlocksAreRewrittenExactly() {
    int[] input = {3, 12, 12};
    Tensor x = images(5, 3, 12, 12);
    for (PreActResNet.Layout layout : LAYOUTS) {
      for (String name : new String[] {"relu", "leaky-relu(0.1)", "leaky-relu(0.3)", "silu", "gelu", "hardswish"}) {
        for (int variant = 0; variant < 4; variant++) {
          boolean inputShortcut = (variant & 1) == 1;
          boolean extras = (variant & 2) == 2; // a final BatchNorm and conv biases
          if (inputShortcut && layout == PreActResNet.Layout.WIDE_RESNET) continue; // refused: WideResNet's own
          Activation phi = ActivationCatalog.parse(name);
          boolean headBn = extras || layout == PreActResNet.Layout.WIDE_RESNET;
          Net net = Net.bottleneck(layout, 4, new int[] {2, 3, 4}, new int[] {2, 1, 2}, headBn, extras);
          assertThat(PreActResNet.layout(net.file())).isEqualTo(layout);
          PreActResNet.Rewritten rw = PreActResNet.rewrite(net.file(), phi, input, inputShortcut);
          Network re = NetworkBuilder.build("cifar-resnet", rw.spec(), rw.tensors(), phi, input).network();
          String what = layout + " " + name + (inputShortcut ? " input shortcut" : "") + (extras ? " extras" : "");
          assertThat(relativeError(re, net.reference(input, phi, inputShortcut), x)).as(what).isLessThan(1e-13);
          assertThat(TargetPlan.of(re, dev.ticketproof.kernel.KernelActivation.of(phi.name()))).as(what).isNotNull();
          // five blocks: 1x1 conv, 1x1 conv, residual block each, after the stem (and before the final bn)
          assertThat(re.layers().stream().filter(l -> l instanceof ResidualBlock).count()).isEqualTo(5);
          assertThat(re.layers().stream().filter(l -> l instanceof Conv2d).count()).isEqualTo(headBn ? 12 : 11);
          // the second 1x1 conv of layer1.0 (4 -> 8, a projection): 2 planes, then what the shortcut reads
          boolean single = !inputShortcut && name.equals("relu");
          Conv2d second = (Conv2d) re.layers().get(4);
          assertThat(second.outChannels()).as(what).isEqualTo(2 + (single ? 4 : 8));
          assertThat(rw.note()).as(what).contains("5 blocks, 5 of them bottleneck blocks")
              .contains("to " + (single ? "6 [2 phi(bn2 conv1 a), 4 a]" : inputShortcut ? "10 [2 phi(bn2 conv1 a), "
                  + "4 phi(s), 4 phi(-s)]" : "10 [2 phi(bn2 conv1 a), 4 phi(a), 4 phi(-a)]") + " / 18 [2 phi(bn2 "
                  + "conv1 a), 8 phi(s), 8 phi(-s)] / ");
        }
      }
    }
  }

  /**
   * The bottleneck's rewrite can fail: rewritten as for relu (k = 1, and the activated input a carried as itself,
   * phi(a) = a, which holds for relu only since a &gt;= 0) and run with leaky-relu(0.3) or silu it is far off; a
   * stride of 1 on a stage's first block (conv2 and the projection unstrided) is another network too.
   */
  @Test void theBottleneckRewriteFailsWithAFactorDropped() {
    int[] input = {3, 12, 12};
    Tensor x = images(5, 3, 12, 12);
    Net net = Net.bottleneck(PreActResNet.Layout.PREACT_RESNET, 4, new int[] {2, 3}, new int[] {2, 1}, false, false);
    PreActResNet.Rewritten asRelu = PreActResNet.rewrite(net.file(), ActivationCatalog.parse("relu"), input);
    for (String name : new String[] {"leaky-relu(0.3)", "silu"}) {
      Activation phi = ActivationCatalog.parse(name);
      Network right = rewritten(net, phi, input);
      Network dropped = NetworkBuilder.build("x", new dev.ticketproof.io.ArchSpec(input, null, asRelu.spec()
          .layers()), asRelu.tensors(), phi, input).network();
      assertThat(relativeError(right, net.reference(input, phi), x)).as(name).isLessThan(1e-13);
      assertThat(relativeError(dropped, net.reference(input, phi), x)).as(name).isGreaterThan(0.01);
    }
    // the second stage read without its stride: another function of another shape
    Activation relu = ActivationCatalog.parse("relu");
    List<dev.ticketproof.io.ArchSpec.LayerSpec> unstrided = new ArrayList<>();
    for (dev.ticketproof.io.ArchSpec.LayerSpec l : asRelu.spec().layers()) {
      if (l instanceof dev.ticketproof.io.ArchSpec.Residual r && r.name().equals("layer2.0")) {
        l = new dev.ticketproof.io.ArchSpec.Residual(r.name(), new dev.ticketproof.io.ArchSpec.Conv(r.conv1().name(),
            1, 1), r.bn1(), r.conv2(), r.bn2(), new dev.ticketproof.io.ArchSpec.Projection(
            new dev.ticketproof.io.ArchSpec.Conv(((dev.ticketproof.io.ArchSpec.Projection) r.shortcut()).conv().name(),
            1, 0), null));
      }
      unstrided.add(l);
    }
    Network noStride = NetworkBuilder.build("x", new dev.ticketproof.io.ArchSpec(input, null, unstrided),
        asRelu.tensors(), relu, input).network();
    assertThat(relativeError(noStride, net.reference(input, relu), x)).isGreaterThan(0.01);
  }

  /** An activation whose s does not come back linearly from phi(s) and phi(-s) is refused naming it and why. */
  @Test void otherActivationsAreRefusedSayingWhy() {
    Net net = new Net(PreActResNet.Layout.WIDE_RESNET, new int[] {4, 6}, true, 3);
    for (String name : new String[] {"mish", "tanh", "relu6", "elu", "abs", "leaky-relu(-1)"}) {
      assertThatThrownBy(() -> PreActResNet.rewrite(net.file(), ActivationCatalog.parse(name), null)).as(name)
          .isInstanceOf(ImportException.class)
          .hasMessageContaining("net.pt (a pre-activation WideResNet): activation " + ActivationCatalog.parse(name)
              .name() + ":").hasMessageContaining("s = (phi(s) - phi(-s)) / (1 + a) holds for relu and leaky-relu of "
              + "slope a > -1, and s = phi(s) - phi(-s) for silu, gelu, gelu-tanh and hardswish");
    }
  }

  /**
   * A block with a missing tensor, a conv3 beside a 3x3 conv1, a bottleneck's grouped or 3x3 conv in place of its
   * 3x3 or 1x1 conv, another module, or a missing projection: named.
   */
  @Test void blocksThatDoNotFitAreRefusedNamingTheTensor() {
    Activation relu = ActivationCatalog.parse("relu");
    Net missing = new Net(PreActResNet.Layout.PREACT_RESNET, new int[] {4, 6}, true, 3);
    missing.t.remove("layer2.0.bn2.running_var");
    assertThatThrownBy(() -> PreActResNet.rewrite(missing.file(), relu, null)).isInstanceOf(ImportException.class)
        .hasMessageContaining("no tensor 'layer2.0.bn2.running_var' (expected [6], of the BatchNorm layer2.0.bn2");
    Net conv3 = new Net(PreActResNet.Layout.PREACT_RESNET, new int[] {4, 6}, true, 3);
    conv3.conv("layer1.0.conv3", 16, 4, 1);
    assertThatThrownBy(() -> PreActResNet.rewrite(conv3.file(), relu, null))
        .hasMessageContaining("tensor 'layer1.0.conv1.weight' has shape [4, 4, 3, 3], expected [C_out, 4, 1, 1] (a "
            + "1x1 conv reading the 4 channels of the bottleneck block's input)");
    Net noBn3 = Net.bottleneck(PreActResNet.Layout.PREACT_RESNET, 4, new int[] {2, 3}, new int[] {1, 1}, true, false);
    noBn3.t.remove("layer2.0.bn3.running_var");
    assertThatThrownBy(() -> PreActResNet.rewrite(noBn3.file(), relu, null))
        .hasMessageContaining("no tensor 'layer2.0.bn3.running_var' (expected [3], of the BatchNorm layer2.0.bn3 on "
            + "the channels of layer2.0.conv2");
    Net grouped = Net.bottleneck(PreActResNet.Layout.PREACT_RESNET, 4, new int[] {2, 3}, new int[] {1, 1}, true,
        false);
    grouped.conv("layer2.0.conv2", 3, 1, 3);
    assertThatThrownBy(() -> PreActResNet.rewrite(grouped.file(), relu, null))
        .hasMessageContaining("tensor 'layer2.0.conv2.weight' has shape [3, 1, 3, 3], expected [3, 3, 3, 3] (the "
            + "bottleneck's 3x3 conv on the 3 channels of layer2.0.conv1)");
    Net wide3 = Net.bottleneck(PreActResNet.Layout.PREACT_RESNET, 4, new int[] {2, 3}, new int[] {1, 1}, true,
        false);
    wide3.conv("layer1.0.conv3", 8, 2, 3);
    assertThatThrownBy(() -> PreActResNet.rewrite(wide3.file(), relu, null))
        .hasMessageContaining("tensor 'layer1.0.conv3.weight' has shape [8, 2, 3, 3], expected [C_out, 2, 1, 1] (the "
            + "bottleneck's 1x1 conv on the 2 channels of layer1.0.conv2)");
    Net bn4 = Net.bottleneck(PreActResNet.Layout.PREACT_RESNET, 4, new int[] {2, 3}, new int[] {1, 1}, true, false);
    bn4.bn("layer2.0.bn4", 12);
    assertThatThrownBy(() -> PreActResNet.rewrite(bn4.file(), relu, null))
        .hasMessageContaining("tensor 'layer2.0.bn4.weight' is not part of a pre-activation bottleneck block (expected "
            + "layer2.0.bn1, conv1, bn2, conv2, bn3, conv3 and a projection layer2.0.shortcut.0)");
    Net se = new Net(PreActResNet.Layout.WIDE_RESNET, new int[] {4, 6}, true, 3);
    se.conv("block2.layer.0.se.fc1", 2, 6, 1);
    assertThatThrownBy(() -> PreActResNet.rewrite(se.file(), relu, null))
        .hasMessageContaining("tensor 'block2.layer.0.se.fc1.weight' is not part of a pre-activation basic block");
    Net noProjection = new Net(PreActResNet.Layout.WIDE_RESNET, new int[] {4, 6}, true, 3);
    noProjection.t.remove("block2.layer.0.convShortcut.weight");
    assertThatThrownBy(() -> PreActResNet.rewrite(noProjection.file(), relu, null))
        .hasMessageContaining("block block2.layer.0 has stride 2 and maps 4 channels to 6, but no tensor "
            + "'block2.layer.0.convShortcut.weight'");
    Net pooled = new Net(PreActResNet.Layout.PREACT_RESNET, new int[] {4, 6}, false, 3);
    pooled.put("linear.weight", pooled.uniform(3 * 24, -0.1, 0.1), 3, 24);
    assertThatThrownBy(() -> PreActResNet.rewrite(pooled.file(), relu, null))
        .hasMessageContaining("tensor 'linear.weight' has shape [3, 24], expected [classes, 6]: the final pooling is "
            + "read as global average pooling").hasMessageContaining("a pooling that leaves 4 positions");
    Net noHead = new Net(PreActResNet.Layout.WIDE_RESNET, new int[] {4, 6}, false, 3);
    assertThatThrownBy(() -> PreActResNet.rewrite(noHead.file(), relu, null))
        .hasMessageContaining("no tensor 'bn1.weight' (the final BatchNorm of the WideResNet, on its 6 channels");
  }

  /**
   * A post-activation ResNet's names with the stem's BatchNorm missing are not taken for a pre-activation ResNet: a
   * block whose bn1 follows conv1 (conv1's output channels, not its input's) tells them apart.
   */
  @Test void aPostActivationBlockIsNotTakenForAPreActivationOne() {
    Net net = new Net(PreActResNet.Layout.PREACT_RESNET, new int[] {4, 6}, true, 3);
    assertThat(PreActResNet.layout(net.file())).isEqualTo(PreActResNet.Layout.PREACT_RESNET);
    net.bn("layer2.0.bn1", 6);
    assertThat(PreActResNet.layout(net.file())).isNull();
    assertThat(PreActResNet.prefixes(net.file())).isEmpty();
  }
}
