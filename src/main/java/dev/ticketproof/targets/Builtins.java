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
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * Built-in synthetic targets, generated from a fixed seed of the weight field (so a ticket of a built-in target
 * verifies without the target file). Weights are sparse: each is nonzero with a stated probability and then
 * uniform in [-w, w]. Layer names follow the PyTorch conventions of the presets ({@code 0}, {@code 2}, ... for a
 * numbered Sequential; {@code conv}, {@code blocks.N.conv1}, {@code fc} for a CIFAR ResNet).
 */
public final class Builtins {
  private static final long TARGET_SEED = 0x7A46E7L;

  private Builtins() {}

  /** Names and one-line descriptions of the built-in targets. */
  public static Map<String, String> catalog() {
    Map<String, String> m = new TreeMap<>();
    m.put("mnist-cnn", "synthetic analogue of the paper's MNIST CNN: conv 1->32->32 3x3 pad 1, ~10% of weights and"
        + " biases nonzero, |w| <= 1.5, flatten, linear 25088->10 (layers 0, 2, 5)");
    m.put("small-cnn", "conv 2->4 3x3 pad 1, conv 4->4 3x3 stride 2 pad 1, flatten, linear 64->3 on 2x8x8 inputs");
    m.put("small-fc", "fully connected 4->8->8->2 (layers 0, 2, 4)");
    m.put("small-resnet", "CIFAR-style ResNet: conv 3->8, blocks 8 (identity) and 16 (stride 2, projection), "
        + "global average pooling, fc 16->10 on 3x8x8 inputs, BatchNorm with running statistics");
    m.put("digits-cnn", "real target: CNN trained with PyTorch on the UCI optical digits (CC BY 4.0), pruned to 20 %:"
        + " conv 1->8->8 3x3 pad 1, flatten, linear 512->10 on 1x8x8 inputs in [0,1] (trained with relu)");
    m.put(Digits.LENET, "real target: LeNet-style CNN trained with PyTorch on the UCI optical digits, relu only:"
        + " conv 1->8 3x3 pad 1, max pooling 2, conv 8->16 3x3 pad 1, max pooling 2, flatten, linear 64->32->10 on"
        + " 1x8x8 inputs in [0,1] (layers 0, 3, 7, 9); test accuracy 98.06 % (353/360)");
    m.put(Digits.RESNET_RELU, "real target: CIFAR-style ResNet trained with PyTorch on the UCI optical digits upscaled"
        + " to 1x32x32 (nearest), relu only: conv 1->8, blocks 8, 16, 32 (one per stage; identity, then projection"
        + " shortcuts), BatchNorm, global average pooling, fc 32->10; test accuracy 99.72 % (359/360)");
    m.put(Digits.RESNET_SIGMOID, "real target: ResNet-20-sized (16/32/64 channels, 3 blocks per stage, identity and"
        + " projection shortcuts, BatchNorm) trained with PyTorch on the UCI optical digits upscaled to 1x32x32"
        + " (nearest), sigmoid only; test accuracy 100 % (360/360)");
    m.put("resnet20", "ResNet-20-sized: 16/32/64 channels, 3 blocks per stage, 3x32x32 inputs, ~45% of conv "
        + "weights nonzero, BatchNorm with running statistics, fc 64->10");
    m.put("cnn-depth-L", "a family for depth studies, L = 2.." + MAX_DEPTH + " layers: conv 2->4 3x3 pad 1, then L-2 convs"
        + " 4->4 3x3 pad 1 (half the weights nonzero, |w| <= 0.6, so activations keep their scale), flatten,"
        + " linear 256->3 on 2x8x8 inputs; e.g. cnn-depth-4");
    return m;
  }

  /**
   * The activation a built-in target is used with when none is named: the one a trained target is only defined
   * with ({@code digits-resnet-sigmoid}: sigmoid), else relu.
   */
  public static String defaultActivation(String name) {
    return Digits.RESNET_SIGMOID.equals(name) ? "sigmoid" : "relu";
  }

  /**
   * The built-in target of that name with activation phi.
   *
   * @throws IllegalArgumentException for an unknown name, listing the valid ones
   */
  public static Network of(String name, Activation phi) {
    Gen g = new Gen(name);
    return switch (name) {
      case "mnist-cnn" -> sequential(new int[] {1, 28, 28}, List.of(
          g.conv("0", 32, 1, 3, 1, 1, 0.10, 1.5, 0.10), new ActivationLayer(phi),
          g.conv("2", 32, 32, 3, 1, 1, 0.10, 1.5, 0.10), new ActivationLayer(phi),
          new Flatten(), g.linear("5", 10, 32 * 28 * 28, 0.10, 0.05)));
      case "small-cnn" -> sequential(new int[] {2, 8, 8}, List.of(
          g.conv("0", 4, 2, 3, 1, 1, 0.6, 1.5), new ActivationLayer(phi),
          g.conv("2", 4, 4, 3, 2, 1, 0.5, 1.0), new ActivationLayer(phi),
          new Flatten(), g.linear("5", 3, 64, 0.5, 0.5)));
      case "small-fc" -> sequential(new int[] {4, 1, 1}, List.of(
          g.linear("0", 8, 4, 0.8, 1.5), new ActivationLayer(phi),
          g.linear("2", 8, 8, 0.6, 1.0), new ActivationLayer(phi),
          g.linear("4", 2, 8, 0.8, 1.0)));
      case "small-resnet" -> resnet(g, phi, new int[] {3, 8, 8}, new int[] {8, 16}, 1, 0.6, 10);
      case Digits.CNN -> Digits.target(phi);
      case Digits.LENET -> Digits.lenet(phi);
      case Digits.RESNET_RELU, Digits.RESNET_SIGMOID -> Digits.resnet(name, phi);
      case "resnet20" -> resnet(g, phi, new int[] {3, 32, 32}, new int[] {16, 32, 64}, 3, 0.45, 10);
      default -> {
        if (name.startsWith("cnn-depth-")) yield deepCnn(g, phi, depth(name));
        throw new IllegalArgumentException("unknown built-in target '" + name + "'; valid: "
            + String.join(", ", catalog().keySet()));
      }
    };
  }

  /** Largest depth of the {@code cnn-depth-L} family. */
  public static final int MAX_DEPTH = 16;

  private static int depth(String name) {
    String d = name.substring("cnn-depth-".length());
    if (d.matches("[0-9]{1,2}")) {
      int l = Integer.parseInt(d);
      if (l >= 2 && l <= MAX_DEPTH) return l;
    }
    throw new IllegalArgumentException("unknown built-in target '" + name + "': the cnn-depth-L family needs an"
        + " integer L in [2, " + MAX_DEPTH + "], e.g. cnn-depth-4");
  }

  private static Network deepCnn(Gen g, Activation phi, int depth) {
    List<Layer> layers = new ArrayList<>();
    int pos = 0;
    for (int l = 0; l < depth - 1; l++) {
      layers.add(g.conv(Integer.toString(pos), 4, l == 0 ? 2 : 4, 3, 1, 1, 0.5, l == 0 ? 1.0 : 0.6));
      layers.add(new ActivationLayer(phi));
      pos += 2;
    }
    layers.add(new Flatten());
    layers.add(g.linear(Integer.toString(pos + 1), 3, 4 * 8 * 8, 0.5, 0.3));
    return sequential(new int[] {2, 8, 8}, layers);
  }

  private static Network sequential(int[] in, List<Layer> layers) { return new Network(in, layers); }

  private static Network resnet(Gen g, Activation phi, int[] in, int[] widths, int blocksPerStage, double density,
      int classes) {
    List<Layer> layers = new ArrayList<>();
    layers.add(g.conv("conv", widths[0], in[0], 3, 1, 1, density, 1.0));
    layers.add(g.bn("bn", widths[0]));
    layers.add(new ActivationLayer(phi));
    int c = widths[0];
    int block = 0;
    for (int s = 0; s < widths.length; s++) {
      for (int b = 0; b < blocksPerStage; b++) {
        int out = widths[s];
        int stride = s > 0 && b == 0 ? 2 : 1;
        String n = "blocks." + block++;
        Conv2d c1 = g.conv(n + ".conv1", out, c, 3, stride, 1, density, 0.6);
        Conv2d c2 = g.conv(n + ".conv2", out, out, 3, 1, 1, density, 0.6);
        ResidualBlock.Shortcut sc = c == out && stride == 1 ? new ResidualBlock.Identity(null)
            : new ResidualBlock.Projection(g.conv(n + ".shortcut.0", out, c, 1, stride, 0, density, 0.6),
                g.bn(n + ".shortcut.1", out));
        layers.add(new ResidualBlock(n, c1, g.bn(n + ".bn1", out), c2, g.bn(n + ".bn2", out), sc, phi));
        c = out;
      }
    }
    layers.add(new GlobalAvgPool());
    layers.add(new Flatten());
    layers.add(g.linear("fc", classes, c, 0.8, 1.0));
    return new Network(in, layers);
  }

  /** Seeded sparse weight generator; stream per tensor name. */
  private static final class Gen {
    final long seed;
    long stream;

    Gen(String name) { this.seed = TARGET_SEED ^ name.hashCode(); }

    double[] sparse(int n, double density, double scale) {
      long s = stream++;
      double[] v = new double[n];
      for (int k = 0; k < n; k++) {
        if (WeightField.u01(seed, 2 * s, k) < density) v[k] = WeightField.uniform(seed, 2 * s + 1, k, -scale, scale);
      }
      return v;
    }

    Conv2d conv(String name, int out, int in, int k, int stride, int pad, double density, double scale) {
      return conv(name, out, in, k, stride, pad, density, scale, 1.0);
    }

    Conv2d conv(String name, int out, int in, int k, int stride, int pad, double density, double scale,
        double biasDensity) {
      Tensor w = Tensor.of(sparse(out * in * k * k, density, scale), out, in, k, k);
      Tensor b = Tensor.of(sparse(out, biasDensity, 0.2), out);
      return new Conv2d(name, w, b, stride, pad);
    }

    Linear linear(String name, int out, int in, double density, double scale) {
      return new Linear(name, Tensor.of(sparse(out * in, density, scale), out, in),
          Tensor.of(sparse(out, 1.0, 0.2), out));
    }

    BatchNorm2d bn(String name, int c) {
      BiFunction<Double, Double, double[]> u = (lo, hi) -> {
        long s = stream++;
        double[] v = new double[c];
        for (int k = 0; k < c; k++) v[k] = WeightField.uniform(seed, 2 * s, k, lo, hi);
        return v;
      };
      return new BatchNorm2d(name, u.apply(0.5, 1.2), u.apply(-0.1, 0.1), u.apply(-0.2, 0.2), u.apply(0.5, 2.0),
          1e-5);
    }
  }
}
