package dev.ticketproof.net;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.Gelu;
import dev.ticketproof.activation.GeluTanh;
import dev.ticketproof.activation.Hardswish;
import dev.ticketproof.activation.LeakyRelu;
import dev.ticketproof.activation.Relu;
import dev.ticketproof.activation.Silu;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A bottleneck residual block (torchvision's {@code Bottleneck} of resnet50 and deeper, kuangliu's and timm's):
 * \( y = \phi(bn_3(conv_3\,\phi(bn_2(conv_2\,\phi(bn_1(conv_1 x))))) + \mathrm{shortcut}(x)) \), three convs on the
 * main branch where the normal form's blocks ({@link ResidualBlock}) have two. It is read exactly as two steps of the
 * normal form ({@link #apply}): a plain conv layer that computes \( h = \phi(bn_1(conv_1 x)) \) and carries x beside
 * it, then a {@link ResidualBlock} whose first conv is conv2 (reading h), whose second is conv3, and whose shortcut
 * reads the carried x.
 *
 * <p>Carrying x through the activation: when \(\phi\) is ReLU and x is known to be \(\ge 0\) (the block follows a
 * ReLU, a block ending in one, or poolings of those), x passes unchanged, \( \phi(x) = x \): one carried channel per
 * input channel, the centre tap of conv1's window with weight 1. Otherwise x is carried as \( [x, -x] \), and
 * \( \phi(x) - \phi(-x) = x / k \) gives it back linearly ({@link #carryFactor}: k = 1/(1+a) for leaky ReLU of slope
 * a, and k = 1 for the self-gated \( x\,g(x) \) with \( g(x) + g(-x) = 1 \): SiLU, GELU, its tanh form,
 * Hardswish). Zero padding stays exact: a padded conv reads zeros where the block did, since \(\phi(0) = 0\) for these
 * activations and conv2 reads only h.
 *
 * @param name tensor-name prefix, e.g. {@code layer1.0}
 * @param conv1 the first conv (1x1 in the code bases; any window of odd sides with padding (k - 1) / 2 is read)
 * @param bn1 BatchNorm after conv1, or {@code null}
 * @param conv2 the second conv (3x3, the block's stride in torchvision's resnet50 v1.5)
 * @param bn2 BatchNorm after conv2, or {@code null}
 * @param conv3 the third conv (1x1, to the block's output channels)
 * @param bn3 BatchNorm after conv3, or {@code null}
 * @param shortcut identity or projection
 * @param phi the activation used inside and after the block
 */
public record Bottleneck(String name, Conv2d conv1, BatchNorm2d bn1, Conv2d conv2, BatchNorm2d bn2, Conv2d conv3,
    BatchNorm2d bn3, ResidualBlock.Shortcut shortcut, Activation phi) implements Layer {

  /** The same block as a general residual layer, whose forward pass computes it. */
  private Residual general() {
    List<Layer> body = new ArrayList<>();
    add(body, conv1, bn1);
    body.add(new ActivationLayer(phi));
    add(body, conv2, bn2);
    body.add(new ActivationLayer(phi));
    add(body, conv3, bn3);
    return new Residual(name, body, Residual.skip(name, shortcut), phi);
  }

  private static void add(List<Layer> to, Conv2d conv, BatchNorm2d bn) {
    to.add(conv);
    if (bn != null) to.add(bn);
  }

  @Override public int[] outShape(int[] in) {
    if (shortcut instanceof ResidualBlock.Identity id && id.scale() != null && (in.length != 3
        || id.scale().length != in[0])) {
      throw new IllegalArgumentException(describe() + ": " + Shapes.mismatch("identity shortcut", "["
          + id.scale().length + ", H, W] (one scale per channel)", in).getMessage());
    }
    Residual g = general();
    return Shapes.residual(describe(), g.body(), g.shortcut(), in, "the main branch", false);
  }

  @Override public Tensor forward(Tensor batch) { return Forward.residual(general(), batch); }

  @Override public String describe() { return "bottleneck block '" + name + "'"; }

  /** Whether the network holds a bottleneck block. */
  public static boolean needed(Network net) {
    return net.layers().stream().anyMatch(l -> l instanceof Bottleneck);
  }

  /**
   * The factor k with \( x = k\,(\phi(x) - \phi(-x)) \) for every x, or 0 when the activation has none: 1 for ReLU,
   * 1/(1+a) for leaky ReLU of slope a &gt; -1, 1 for SiLU, GELU, GELU's tanh form and Hardswish (\( x\,g(x) \) with
   * \( g(x) + g(-x) = 1 \): the logistic function, the normal cdf, its tanh form, relu6(x + 3) / 6).
   */
  public static double carryFactor(Activation phi) {
    if (phi instanceof Relu) return 1.0;
    if (phi instanceof LeakyRelu l && l.a() > -1) return 1.0 / (1.0 + l.a());
    if (phi instanceof Silu || phi instanceof Gelu || phi instanceof GeluTanh || phi instanceof Hardswish) return 1.0;
    return 0;
  }

  /**
   * The network with every bottleneck block read as a plain conv layer (conv1 with bn1 folded, and x carried
   * beside it) followed by a {@link ResidualBlock} (conv2 and bn2, conv3 and bn3, the shortcut reading the carried
   * x). The carried channels follow conv1's output channels.
   *
   * @throws IllegalArgumentException naming the block when it cannot be read so: an activation without
   *     {@link #carryFactor}, a conv1 without a centre tap (even sides, or padding other than (k - 1) / 2), or a
   *     projection that is not a 1x1 conv without padding whose stride is a multiple of conv1's, behind a strided
   *     conv1
   */
  public static Network apply(Network net) {
    List<Layer> layers = new ArrayList<>();
    for (Layer l : net.layers()) {
      if (l instanceof Bottleneck b) {
        boolean single = b.phi() instanceof Relu && nonNegative(layers);
        layers.addAll(b.rewritten(single));
      } else {
        layers.add(l);
      }
    }
    return new Network(net.inputShape(), layers, net.outputActivation());
  }

  /** Whether the output of these layers is >= 0 for every input: it ends with ReLU, then poolings at most. */
  private static boolean nonNegative(List<Layer> layers) {
    for (int i = layers.size() - 1; i >= 0; i--) {
      Layer l = layers.get(i);
      if (l instanceof MaxPool2d || l instanceof AvgPool2d || l instanceof GlobalAvgPool) continue;
      Activation a = l instanceof ActivationLayer act ? act.phi() : l instanceof ResidualBlock r ? r.phi() : null;
      return a instanceof Relu;
    }
    return false;
  }

  /** This block as a plain conv layer, its activation and a normal-form residual block. */
  private List<Layer> rewritten(boolean single) {
    double k = carryFactor(phi);
    if (k == 0) {
      throw new IllegalArgumentException(describe() + ": activation " + phi.name() + ": the block is read as a conv "
          + "layer that carries its input x beside conv1's output through the activation, then a residual block of "
          + "conv2 and conv3; x comes back from phi(x) and phi(-x) as (phi(x) - phi(-x)) / (1 + a) for relu and "
          + "leaky-relu, and as phi(x) - phi(-x) for silu, gelu, gelu-tanh and hardswish, not for " + phi.name());
    }
    int kh = conv1.kernelHeight();
    int kw = conv1.kernelWidth();
    if (kh != 2 * conv1.ph() + 1 || kw != 2 * conv1.pw() + 1) {
      throw new IllegalArgumentException(describe() + ": its conv1 (" + conv1.describe() + ") has no centre tap "
          + "that reads the position it writes (a window of odd sides k with padding (k - 1) / 2, 1x1 without "
          + "padding in the code bases), where the block's input is carried beside it");
    }
    int c = conv1.inChannels();
    int m = conv1.outChannels();
    int copies = single ? 1 : 2;
    int wide = m + copies * c;
    int s1 = conv1.stride();
    // the plain layer: conv1 with bn1 folded, then x (or x and -x) from the centre tap
    Conv2d folded = bn1 == null ? conv1 : BatchNormFolding.fold(conv1, bn1);
    double[] w = new double[wide * c * kh * kw];
    System.arraycopy(folded.weight().data(), 0, w, 0, m * c * kh * kw);
    double[] bias = new double[wide];
    if (folded.bias() != null) System.arraycopy(folded.bias().data(), 0, bias, 0, m);
    int tap = conv1.ph() * kw + conv1.pw();
    for (int i = 0; i < c; i++) {
      w[((m + i) * c + i) * kh * kw + tap] = 1;
      if (!single) w[((m + c + i) * c + i) * kh * kw + tap] = -1;
    }
    Conv2d first = new Conv2d(conv1.name(), Tensor.of(w, wide, c, kh, kw), Tensor.of(bias, wide), s1, conv1.ph(),
        conv1.pw());
    // conv2 reads h only
    Conv2d second = new Conv2d(conv2.name(), columns(conv2.weight(), wide), conv2.bias(), conv2.stride(),
        conv2.ph(), conv2.pw());
    // the shortcut reads the carried x: x = k (phi(x) - phi(-x)), or x itself
    double[] signs = single ? new double[] {1} : new double[] {k, -k};
    ResidualBlock.Projection skip;
    if (shortcut instanceof ResidualBlock.Identity id) {
      double[] s = new double[c * c];
      for (int i = 0; i < c; i++) s[i * c + i] = id.scale() == null ? 1 : id.scale()[i];
      skip = new ResidualBlock.Projection(new Conv2d(name + ".shortcut", carried(Tensor.of(s, c, c, 1, 1), m, wide,
          signs), null, 1, 0), null);
    } else {
      ResidualBlock.Projection p = (ResidualBlock.Projection) shortcut;
      Conv2d pc = p.conv();
      int stride = pc.stride();
      if (s1 > 1) {
        if (pc.kernelHeight() != 1 || pc.kernelWidth() != 1 || pc.padded() || pc.stride() % s1 != 0) {
          throw new IllegalArgumentException(describe() + ": its conv1 has stride " + s1 + ", so the carried input "
              + "is subsampled by " + s1 + ", and the projection (" + pc.describe() + ") must be a 1x1 conv without "
              + "padding whose stride is a multiple of " + s1 + " to read it");
        }
        stride = pc.stride() / s1;
      }
      skip = new ResidualBlock.Projection(new Conv2d(pc.name(), carried(pc.weight(), m, wide, signs), pc.bias(),
          stride, pc.ph(), pc.pw()), p.bn());
    }
    return List.of(first, new ActivationLayer(phi), new ResidualBlock(name, second, bn2, conv3, bn3, skip, phi));
  }

  /** The weights {@code w} [out, in, kh, kw] reading the first {@code in} of {@code wide} channels, zeros after. */
  private static Tensor columns(Tensor w, int wide) {
    int out = w.dim(0);
    int in = w.dim(1);
    int taps = w.dim(2) * w.dim(3);
    double[] d = new double[out * wide * taps];
    for (int o = 0; o < out; o++) System.arraycopy(w.data(), o * in * taps, d, o * wide * taps, in * taps);
    return Tensor.of(d, out, wide, w.dim(2), w.dim(3));
  }

  /**
   * The weights {@code w} [out, C, kh, kw] of x read from the carried channels at {@code m} of {@code wide}: from x
   * ({@code signs} = [1]), or from phi(x) and phi(-x) at m and m + C ({@code signs} = [k, -k]).
   */
  private static Tensor carried(Tensor w, int m, int wide, double[] signs) {
    int out = w.dim(0);
    int c = w.dim(1);
    int taps = w.dim(2) * w.dim(3);
    double[] d = new double[out * wide * taps];
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < c * taps; i++) {
        double v = w.data()[o * c * taps + i];
        for (int j = 0; j < signs.length; j++) d[(o * wide + m + j * c) * taps + i] = signs[j] * v;
      }
    }
    return Tensor.of(d, out, wide, w.dim(2), w.dim(3));
  }
}
