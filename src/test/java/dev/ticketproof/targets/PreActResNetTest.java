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

  /** Random tensors of a pre-activation ResNet with the given stage widths, one block per stage. */
  private static final class Net {
    final Map<String, StoredTensor> t = new LinkedHashMap<>();
    long stream;
    final PreActResNet.Layout layout;

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

    /** The pre-activation network as PyTorch's forward computes it. */
    Network reference(int[] input, Activation phi) {
      List<Layer> layers = new ArrayList<>();
      layers.add(new Conv2d("conv1", w("conv1.weight"), null, 1, 1));
      for (int s = 1; t.containsKey(block(s, 0) + ".conv1.weight"); s++) {
        String p = block(s, 0);
        int stride = s > 1 ? 2 : 1;
        List<Layer> body = List.of(batchNorm(p + ".bn1"), new ActivationLayer(phi),
            new Conv2d(p + ".conv1", w(p + ".conv1.weight"), null, stride, 1), batchNorm(p + ".bn2"),
            new ActivationLayer(phi), new Conv2d(p + ".conv2", w(p + ".conv2.weight"), null, 1, 1));
        List<Layer> skip = !t.containsKey(p + "." + shortcut() + ".weight") ? List.of()
            : List.of(batchNorm(p + ".bn1"), new ActivationLayer(phi),
                new Conv2d(p + ".sc", w(p + "." + shortcut() + ".weight"), null, stride, 0));
        layers.add(new Residual(p, body, skip, null));
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
    for (PreActResNet.Layout layout : PreActResNet.Layout.values()) {
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

  /** A block with a missing tensor, a bottleneck's conv3, another module, or a missing projection: named. */
  @Test void blocksThatDoNotFitAreRefusedNamingTheTensor() {
    Activation relu = ActivationCatalog.parse("relu");
    Net missing = new Net(PreActResNet.Layout.PREACT_RESNET, new int[] {4, 6}, true, 3);
    missing.t.remove("layer2.0.bn2.running_var");
    assertThatThrownBy(() -> PreActResNet.rewrite(missing.file(), relu, null)).isInstanceOf(ImportException.class)
        .hasMessageContaining("no tensor 'layer2.0.bn2.running_var' (expected [6], of the BatchNorm layer2.0.bn2");
    Net conv3 = new Net(PreActResNet.Layout.PREACT_RESNET, new int[] {4, 6}, true, 3);
    conv3.conv("layer1.0.conv3", 16, 4, 1);
    assertThatThrownBy(() -> PreActResNet.rewrite(conv3.file(), relu, null))
        .hasMessageContaining("tensor 'layer1.0.conv3.weight': block layer1.0 is a pre-activation bottleneck block");
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
