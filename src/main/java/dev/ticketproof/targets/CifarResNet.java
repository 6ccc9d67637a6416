package dev.ticketproof.targets;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.BatchNorm2d;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Flatten;
import dev.ticketproof.net.GlobalAvgPool;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.Network;
import dev.ticketproof.net.ResidualBlock;
import dev.ticketproof.random.WeightField;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-style ResNets (He et al. 2016, section 4.2) with random weights drawn from a {@link WeightField}: a 3x3
 * stem conv with BatchNorm, then stages of residual blocks whose widths are {@code widths[s]}, the first block of
 * every stage after the first with stride 2 and a projection shortcut (1x1 stride-2 conv and BatchNorm), then
 * global average pooling, flatten and a linear classifier. ResNet-20 is {@code widths = {16, 32, 64}} with 3
 * blocks per stage.
 *
 * <p>Weights: every tensor takes its own stream of the field, in construction order; conv and linear weights are
 * U(-a, a) with \( a = \sqrt{6 / \mathrm{fan\_in}} \); biases U(-0.1, 0.1); BatchNorm gamma U(0.5, 1.5), beta and
 * mean U(-0.1, 0.1), var U(0.5, 1.5), eps 1e-5. The network is a pure function of its arguments.
 */
public final class CifarResNet {
  private CifarResNet() {}

  /**
   * A random CIFAR-style ResNet for 3-channel images.
   *
   * @param seed the weight-field seed
   * @param widths the channel count of each stage, each >= 1, at least one stage. Not modified.
   * @param blocksPerStage blocks per stage, >= 1
   * @param imageSize input height and width, >= 1
   * @param classes outputs of the classifier, >= 1
   * @param phi the activation. Not modified.
   * @return the network, input shape {3, imageSize, imageSize}
   * @throws IllegalArgumentException if an argument is out of range
   */
  public static Network random(long seed, int[] widths, int blocksPerStage, int imageSize, int classes,
      Activation phi) {
    if (widths.length < 1 || blocksPerStage < 1 || imageSize < 1 || classes < 1) {
      throw new IllegalArgumentException("need at least one stage, blocksPerStage >= 1, imageSize >= 1, classes >= 1;"
          + " got " + widths.length + " stages, blocksPerStage=" + blocksPerStage + ", imageSize=" + imageSize
          + ", classes=" + classes);
    }
    Streams st = new Streams(seed);
    List<Layer> layers = new ArrayList<>();
    layers.add(st.conv("conv", widths[0], 3, 3, 1, 1, false));
    layers.add(st.bn("bn", widths[0]));
    layers.add(new ActivationLayer(phi));
    int in = widths[0];
    int block = 0;
    for (int s = 0; s < widths.length; s++) {
      if (widths[s] < 1) throw new IllegalArgumentException("widths must be >= 1, got " + widths[s]);
      for (int b = 0; b < blocksPerStage; b++, block++) {
        int out = widths[s];
        int stride = s > 0 && b == 0 ? 2 : 1;
        String name = "blocks." + block;
        Conv2d c1 = st.conv(name + ".conv1", out, in, 3, stride, 1, false);
        BatchNorm2d bn1 = st.bn(name + ".bn1", out);
        Conv2d c2 = st.conv(name + ".conv2", out, out, 3, 1, 1, false);
        BatchNorm2d bn2 = st.bn(name + ".bn2", out);
        ResidualBlock.Shortcut sc = stride == 1 && in == out
            ? new ResidualBlock.Identity(null)
            : new ResidualBlock.Projection(st.conv(name + ".shortcut.0", out, in, 1, stride, 0, false),
                st.bn(name + ".shortcut.1", out));
        layers.add(new ResidualBlock(name, c1, bn1, c2, bn2, sc, phi));
        in = out;
      }
    }
    layers.add(new GlobalAvgPool());
    layers.add(new Flatten());
    layers.add(st.linear("fc", classes, in));
    return new Network(new int[] {3, imageSize, imageSize}, layers);
  }

  /** Hands out one weight-field stream per tensor. */
  private static final class Streams {
    private final long seed;
    private long stream;

    Streams(long seed) { this.seed = seed; }

    double[] uniform(int n, double lo, double hi) {
      long s = stream++;
      double[] d = new double[n];
      for (int i = 0; i < n; i++) d[i] = WeightField.uniform(seed, s, i, lo, hi);
      return d;
    }

    Conv2d conv(String name, int out, int in, int k, int stride, int pad, boolean bias) {
      double a = Math.sqrt(6.0 / (in * k * k));
      Tensor w = Tensor.of(uniform(out * in * k * k, -a, a), out, in, k, k);
      return new Conv2d(name, w, bias ? Tensor.of(uniform(out, -0.1, 0.1), out) : null, stride, pad);
    }

    Linear linear(String name, int out, int in) {
      double a = Math.sqrt(6.0 / in);
      return new Linear(name, Tensor.of(uniform(out * in, -a, a), out, in), Tensor.of(uniform(out, -0.1, 0.1), out));
    }

    BatchNorm2d bn(String name, int c) {
      return new BatchNorm2d(name, uniform(c, 0.5, 1.5), uniform(c, -0.1, 0.1), uniform(c, -0.1, 0.1),
          uniform(c, 0.5, 1.5), 1e-5);
    }
  }
}
