package dev.ticketproof.io;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.limits.BadParameter;
import dev.ticketproof.limits.Budget;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.AvgPool2d;
import dev.ticketproof.net.BatchNorm2d;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Flatten;
import dev.ticketproof.net.GlobalAvgPool;
import dev.ticketproof.net.MaxPool2d;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.Network;
import dev.ticketproof.net.ResidualBlock;
import dev.ticketproof.net.Shapes;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds a {@link Network} from an {@link ArchSpec} and the tensors of a target file, checking every tensor's
 * shape against the spec and the shapes flowing through the network.
 */
public final class NetworkBuilder {
  private final String specName;
  private final TensorFile tensors;
  private final Activation phi;
  private final Set<String> used = new LinkedHashSet<>();
  /** Convs whose weights the spec fixes (pad shortcuts): not counted as the file's parameters. */
  private final Set<Conv2d> fixed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

  private NetworkBuilder(String specName, TensorFile tensors, Activation phi) {
    this.specName = specName;
    this.tensors = tensors;
    this.phi = phi;
  }

  /**
   * One row of the layer table: a layer, its input and output shapes (per example) and its parameter counts.
   *
   * @param name the layer name (tensor-name prefix), or {@code ""} for layers without tensors
   * @param description e.g. {@code conv '0' (1->8, 3x3, stride 1, padding 1)}
   * @param inShape per-example input shape
   * @param outShape per-example output shape
   * @param parameters number of weights and biases the layer reads
   * @param nonzeros how many of them are not zero
   */
  public record LayerRow(String name, String description, int[] inShape, int[] outShape, long parameters,
      long nonzeros) {}

  /**
   * A network built from a spec.
   *
   * @param network the network
   * @param rows one row per top-level layer
   * @param unusedTensors tensors of the file no layer reads (e.g. BatchNorm's {@code num_batches_tracked})
   */
  public record Built(Network network, List<LayerRow> rows, List<String> unusedTensors) {}

  /**
   * Builds the network.
   *
   * @param specName the spec's name for messages (file or preset)
   * @param spec the architecture
   * @param tensors the target's tensors (masks already applied, if wanted)
   * @param phi the activation for activation layers and residual blocks; may be {@code null} only if the spec has
   *     neither
   * @param input the per-example input shape, or {@code null} to use {@link ArchSpec#input()}; when both are given
   *     they must agree
   * @throws ImportException naming the spec, the layer and the tensor when a tensor is missing or its shape does
   *     not fit, or when no input shape is known
   */
  public static Built build(String specName, ArchSpec spec, TensorFile tensors, Activation phi, int[] input) {
    return build(specName, spec, tensors, phi, input, "the given input");
  }

  /**
   * Builds the network; as {@link #build(String, ArchSpec, TensorFile, Activation, int[])}, with messages that
   * name where {@code input} came from (e.g. {@code --input x.npy}).
   */
  public static Built build(String specName, ArchSpec spec, TensorFile tensors, Activation phi, int[] input,
      String inputSource) {
    return new NetworkBuilder(specName, tensors, phi).build(spec, input, inputSource);
  }

  private Built build(ArchSpec spec, int[] inputOverride, String inputSource) {
    int[] input = inputOverride != null ? inputOverride : spec.input();
    if (input == null) {
      throw new BadParameter("input shape", "input shape not given, and " + specName + " has none (give "
          + "\"input\": [C, H, W] in the spec, an input batch, or the input shape)");
    }
    if (inputOverride != null && spec.input() != null && !Arrays.equals(inputOverride, spec.input())) {
      throw new ImportException(specName + ": " + inputSource + " has per-example shape "
          + Arrays.toString(inputOverride) + " but the spec says " + Arrays.toString(spec.input()));
    }
    String from = inputOverride != null ? inputSource : "the spec";
    checkSize("input shape " + Arrays.toString(input) + " (from " + from + ")", input);
    List<Layer> layers = new ArrayList<>();
    List<LayerRow> rows = new ArrayList<>();
    int[] shape = input.clone();
    for (int i = 0; i < spec.layers().size(); i++) {
      ArchSpec.LayerSpec ls = spec.layers().get(i);
      Layer layer = layer(ls, "layer " + i, shape);
      int[] out;
      try {
        out = Shapes.output(layer, shape);
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw new ImportException(specName + ": layer " + i + " does not fit the tensors of " + tensors.source()
            + " with input shape " + Arrays.toString(input) + " (from " + (inputOverride != null ? inputSource
            : "the spec") + "): " + e.getMessage(), e);
      }
      checkSize("layer " + i + " (" + layer.describe() + ") with input shape " + Arrays.toString(input)
          + " (from " + from + ") gives " + Arrays.toString(out) + ", which", out);
      long[] counts = counts(layer);
      rows.add(new LayerRow(name(layer), layer.describe(), shape, out, counts[0], counts[1]));
      layers.add(layer);
      shape = out;
    }
    List<String> unused = new ArrayList<>(tensors.names());
    unused.removeAll(used);
    return new Built(new Network(input, layers), rows, unused);
  }

  /** A per-example shape may hold at most {@link Budget#MAX_EXAMPLE_VALUES} values. */
  private void checkSize(String what, int[] shape) {
    long n = Budget.values(shape);
    if (n < 1 || n > Budget.MAX_EXAMPLE_VALUES) {
      throw new ImportException(specName + ": " + what + " has " + (n == Long.MAX_VALUE ? "more than 2^63" : n)
          + " values per example; supported: 1 to " + Budget.MAX_EXAMPLE_VALUES);
    }
  }

  private Layer layer(ArchSpec.LayerSpec ls, String where, int[] in) {
    if (ls instanceof ArchSpec.Conv c) return conv(c);
    if (ls instanceof ArchSpec.Linear l) {
      Tensor w = weight(l.name(), 2, "[out, in]");
      return new Linear(l.name(), w, bias(l.name(), w.dim(0)));
    }
    if (ls instanceof ArchSpec.BatchNorm b) return bn(b);
    if (ls instanceof ArchSpec.Activation) return new ActivationLayer(activation(where));
    if (ls instanceof ArchSpec.Flatten) return new Flatten();
    if (ls instanceof ArchSpec.AvgPool p) return new AvgPool2d(p.kernel(), p.stride());
    if (ls instanceof ArchSpec.MaxPool p) return new MaxPool2d(p.kernel(), p.stride(), p.padding());
    if (ls instanceof ArchSpec.GlobalAvgPool) return new GlobalAvgPool();
    if (ls instanceof ArchSpec.Residual r) {
      Conv2d conv1 = conv(r.conv1());
      BatchNorm2d bn1 = r.bn1() == null ? null : bn(r.bn1());
      Conv2d conv2 = conv(r.conv2());
      BatchNorm2d bn2 = r.bn2() == null ? null : bn(r.bn2());
      ResidualBlock.Shortcut shortcut;
      if (r.shortcut() instanceof ArchSpec.Identity id) {
        shortcut = new ResidualBlock.Identity(id.scale() == null ? null : shortcutScale(id.scale()));
      } else if (r.shortcut() instanceof ArchSpec.ChannelPad p) {
        shortcut = new ResidualBlock.Projection(channelPad(r.name(), p, in, conv2.outChannels()), null);
      } else {
        ArchSpec.Projection p = (ArchSpec.Projection) r.shortcut();
        shortcut = new ResidualBlock.Projection(conv(p.conv()), p.bn() == null ? null : bn(p.bn()));
      }
      return new ResidualBlock(r.name(), conv1, bn1, conv2, bn2, shortcut,
          activation(where + " (residual block " + r.name() + ")"));
    }
    throw new ImportException(specName + ": unsupported layer " + ls);
  }

  /**
   * The parameterless "option A" shortcut as the projection it equals: a 1x1 conv with the given stride, no padding,
   * no bias and the kernel {@code K[j][i] = 1 if j == i + pad else 0} ({@code out = in + 2 pad} channels), which
   * subsamples {@code x[:, :, ::stride, ::stride]} and puts {@code pad} zero channels on each side, exactly (each
   * output is one input times 1 plus zeros). Its weights are the spec's, not the file's: the layer table does not
   * count them.
   *
   * @param in the block's per-example input shape
   * @param out the main branch's output channels
   */
  private Conv2d channelPad(String block, ArchSpec.ChannelPad p, int[] in, int out) {
    String what = specName + ": residual block '" + block + "': its pad shortcut";
    if (in.length != 3) {
      throw new ImportException(what + " needs an image input [C, H, W], gets " + Arrays.toString(in));
    }
    int c = in[0];
    int pad = p.pad();
    if (pad == ArchSpec.PAD_FROM_SHAPES) {
      if (out < c || (out - c) % 2 != 0) {
        throw new ImportException(what + " pads zero channels equally on both sides of the block's " + c + " input "
            + "channels, which cannot give the " + out + " channels of its main branch (the difference must be even "
            + "and >= 0)");
      }
      pad = (out - c) / 2;
    } else if ((long) c + 2L * pad != out) {
      throw new ImportException(what + " pads " + pad + " zero channels on each side of the block's " + c
          + " input channels, giving " + ((long) c + 2L * pad) + ", but its main branch gives " + out);
    }
    if ((long) out * c > Budget.MAX_EXAMPLE_VALUES) {
      throw new ImportException(what + " (" + c + " -> " + out + " channels) would be a 1x1 conv of " + (long) out * c
          + " weights; supported: at most " + Budget.MAX_EXAMPLE_VALUES);
    }
    double[] k = new double[out * c];
    for (int i = 0; i < c; i++) k[(i + pad) * c + i] = 1;
    Conv2d conv = new Conv2d(p.name(), Tensor.of(k, out, c, 1, 1), null, p.stride(), 0);
    fixed.add(conv);
    return conv;
  }

  /**
   * The per-channel scale of an identity shortcut, stored as {@code [C]}, {@code [C, 1, 1]} (open_lth style, with a
   * mask of the same shape) or {@code [1, C, 1, 1]} (broadcast over a batch); any other shape is an error.
   */
  private double[] shortcutScale(String name) {
    Tensor s = tensor(name);
    int[] d = s.shape();
    boolean ok = d.length == 1 || (d.length == 3 && d[1] == 1 && d[2] == 1)
        || (d.length == 4 && d[0] == 1 && d[2] == 1 && d[3] == 1);
    if (!ok) {
      throw new ImportException(specName + ": tensor '" + name + "' in " + tensors.source() + " has shape "
          + Arrays.toString(d) + ", expected [C], [C, 1, 1] or [1, C, 1, 1] (a per-channel scale of the identity "
          + "shortcut)");
    }
    return s.data().clone();
  }

  private Conv2d conv(ArchSpec.Conv c) {
    Tensor w = weight(c.name(), 4, "[out, in, kh, kw]");
    return new Conv2d(c.name(), w, bias(c.name(), w.dim(0)), c.stride(), c.padding());
  }

  private BatchNorm2d bn(ArchSpec.BatchNorm b) {
    String n = b.name();
    double[] gamma = vector(n + ".weight", -1);
    int c = gamma.length;
    double[] beta = vector(n + ".bias", c);
    double[] mean = vector(n + ".running_mean", c);
    double[] var = vector(n + ".running_var", c);
    for (int i = 0; i < c; i++) {
      if (var[i] < 0) {
        throw new ImportException(tensors.source() + ": tensor '" + n + ".running_var' has the negative variance "
            + var[i] + " at channel " + i);
      }
    }
    return new BatchNorm2d(n, gamma, beta, mean, var, b.eps());
  }

  private double[] vector(String name, int length) {
    Tensor t = tensor(name);
    if (t.rank() != 1 || (length >= 0 && t.dim(0) != length)) {
      throw new ImportException(specName + ": tensor '" + name + "' in " + tensors.source() + " has shape "
          + Arrays.toString(t.shape()) + ", expected [" + (length >= 0 ? length : "C") + "]");
    }
    return t.data().clone();
  }

  private Tensor weight(String layer, int rank, String layout) {
    Tensor w = tensor(layer + ".weight");
    if (w.rank() != rank) {
      throw new ImportException(specName + ": tensor '" + layer + ".weight' in " + tensors.source() + " has shape "
          + Arrays.toString(w.shape()) + ", expected rank " + rank + " " + layout);
    }
    return w;
  }

  private Tensor bias(String layer, int out) {
    String name = layer + ".bias";
    if (!tensors.has(name)) return null;
    Tensor b = tensor(name);
    if (b.rank() != 1 || b.dim(0) != out) {
      throw new ImportException(specName + ": tensor '" + name + "' in " + tensors.source() + " has shape "
          + Arrays.toString(b.shape()) + ", expected [" + out + "]");
    }
    return b;
  }

  private Tensor tensor(String name) {
    if (!tensors.has(name)) {
      throw new ImportException(specName + " names tensor '" + name + "', which " + tensors.source()
          + " does not have (it has " + describe(tensors.names()) + ")");
    }
    used.add(name);
    return tensors.tensor(name);
  }

  private Activation activation(String where) {
    if (phi == null) {
      throw new BadParameter("activation", "activation not given: " + specName + ": " + where + " needs one "
          + "(give the activation, or \"activation\" in the spec)");
    }
    return phi;
  }

  private static String describe(List<String> names) {
    if (names.size() <= 10) return String.join(", ", names);
    return String.join(", ", names.subList(0, 10)) + ", ... (" + names.size() + " tensors)";
  }

  private static String name(Layer layer) {
    if (layer instanceof Conv2d c) return c.name();
    if (layer instanceof Linear l) return l.name();
    if (layer instanceof BatchNorm2d b) return b.name();
    if (layer instanceof ResidualBlock r) return r.name();
    return "";
  }

  /** {parameters, nonzeros} of a layer's weights and biases (BatchNorm: gamma and beta). */
  private long[] counts(Layer layer) {
    long[] c = new long[2];
    if (layer instanceof Conv2d conv) {
      add(c, conv.weight().data());
      if (conv.bias() != null) add(c, conv.bias().data());
    } else if (layer instanceof Linear l) {
      add(c, l.weight().data());
      if (l.bias() != null) add(c, l.bias().data());
    } else if (layer instanceof BatchNorm2d bn) {
      add(c, bn.gamma());
      add(c, bn.beta());
    } else if (layer instanceof ResidualBlock r) {
      for (Layer part : new Layer[] {r.conv1(), r.bn1(), r.conv2(), r.bn2()}) if (part != null) addAll(c, counts(part));
      if (r.shortcut() instanceof ResidualBlock.Projection p && !fixed.contains(p.conv())) {
        addAll(c, counts(p.conv()));
        if (p.bn() != null) addAll(c, counts(p.bn()));
      } else if (r.shortcut() instanceof ResidualBlock.Identity id && id.scale() != null) {
        add(c, id.scale());
      }
    }
    return c;
  }

  private static void add(long[] c, double[] v) {
    c[0] += v.length;
    for (double x : v) if (x != 0) c[1]++;
  }

  private static void addAll(long[] c, long[] d) {
    c[0] += d[0];
    c[1] += d[1];
  }
}
