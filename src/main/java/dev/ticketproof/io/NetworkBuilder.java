package dev.ticketproof.io;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.limits.BadParameter;
import dev.ticketproof.limits.Budget;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.LooseBatchNorm;
import dev.ticketproof.net.Network;
import dev.ticketproof.net.OutputActivation;
import dev.ticketproof.net.Shapes;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds a {@link Network} from an {@link ArchSpec} and the tensors of a target file, checking every tensor's
 * shape against the spec and the shapes flowing through the network. Each spec entry builds its own layer
 * ({@link ArchSpec.LayerSpec#build}) through this builder's readers, which count the parameters each layer reads for
 * the layer table.
 */
public final class NetworkBuilder {
  private final String specName;
  private final TensorFile tensors;
  private final Activation phi;
  private final Set<String> used = new LinkedHashSet<>();
  /** {parameters, nonzeros} read for the layer being built. */
  private final long[] counts = new long[2];
  private String described;

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
   * @param parameters number of parameters the layer reads from the file (weights, biases, BatchNorm's gamma and
   *     beta, an identity shortcut's scale; not BatchNorm's running statistics, nor weights the spec fixes)
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
   * @param folded the BatchNorms that do not follow a conv or linear layer and were folded into a layer next to them
   *     ({@link LooseBatchNorm}), one line each
   * @param unfolded why a BatchNorm that does not follow a conv or linear layer could not be folded (the network
   *     computes it, the ticket constructions cannot take it), or {@code null}
   */
  public record Built(Network network, List<LayerRow> rows, List<String> unusedTensors, List<String> folded,
      String unfolded) {
    /** A network without loose BatchNorms. */
    public Built(Network network, List<LayerRow> rows, List<String> unusedTensors) {
      this(network, rows, unusedTensors, List.of(), null);
    }
  }

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

  /**
   * One layer of a spec, built from the tensors without a network around it (shape reasoning before a network is
   * built, such as a whole model's input size).
   *
   * @param where the layer for messages, e.g. {@code layer 3}
   * @param in the per-example input shape the layer gets (the layer is not checked against it)
   * @throws ImportException as {@link #build(String, ArchSpec, TensorFile, Activation, int[])} does
   */
  public static Layer layer(String specName, ArchSpec.LayerSpec spec, TensorFile tensors, Activation phi,
      String where, int[] in) {
    return spec.build(new NetworkBuilder(specName, tensors, phi), where, in);
  }

  private Built build(ArchSpec spec, int[] givenInput, String inputSource) {
    int[] inputOverride = spec.asRead(givenInput);
    int[] input = inputOverride != null ? inputOverride : spec.asRead(spec.input());
    if (input == null) {
      throw new BadParameter("input shape", "input shape not given, and " + specName + " has none (give "
          + "\"input\": [C, H, W] in the spec, an input batch, or the input shape)");
    }
    if (inputOverride != null && spec.input() != null && !Arrays.equals(inputOverride, spec.asRead(spec.input()))) {
      throw new ImportException(specName + ": " + inputSource + " has per-example shape "
          + Arrays.toString(givenInput) + " but the spec says " + Arrays.toString(spec.input()));
    }
    String from = inputOverride != null ? inputSource : "the spec";
    checkSize("input shape " + Arrays.toString(input) + " (from " + from + ")", input);
    List<Layer> layers = new ArrayList<>();
    List<LayerRow> rows = new ArrayList<>();
    int[] shape = input.clone();
    for (int i = 0; i < spec.layers().size(); i++) {
      ArchSpec.LayerSpec ls = spec.layers().get(i);
      counts[0] = 0;
      counts[1] = 0;
      described = null;
      Layer layer;
      try {
        layer = ls.build(this, "layer " + i, shape);
      } catch (ShapeRefusal e) {
        throw new ImportException(specName + ": layer " + i + ", on its input " + Arrays.toString(shape) + " (network "
            + "input " + Arrays.toString(input) + " from " + from + "): " + e.getMessage(), e);
      }
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
      rows.add(new LayerRow(ls.name(), described != null ? described : layer.describe(), shape, out, counts[0],
          counts[1]));
      layers.add(layer);
      shape = out;
    }
    List<String> unused = new ArrayList<>(tensors.names());
    unused.removeAll(used);
    // a BatchNorm after an activation (or a pooling) folds into a layer next to it where that is exact; the others stay
    // (the forward pass computes them, the constructions refuse them, saying why: LooseBatchNorm.Result#refusal)
    Network built = new Network(input, layers);
    if (dev.ticketproof.net.Bottleneck.needed(built)) {
      // blocks of three convs: a conv layer carrying the block's input, then a block of two
      try {
        built = dev.ticketproof.net.Bottleneck.apply(built);
      } catch (IllegalArgumentException e) {
        throw new ImportException(specName + ": " + e.getMessage(), e);
      }
    }
    if (dev.ticketproof.net.ReluDoubling.needed(built)) {
      // activations of the ReLU family with slopes of their own: ReLU of doubled channels
      if (phi == null || !"relu".equals(phi.name())) {
        throw new ImportException(specName + ": its prelu and leaky-relu layers are read as ReLU of doubled channels, "
            + "so the network's activation must be relu, got " + (phi == null ? "none" : phi.name()));
      }
      try {
        built = dev.ticketproof.net.ReluDoubling.apply(built, phi);
      } catch (IllegalArgumentException e) {
        throw new ImportException(specName + ": " + e.getMessage(), e);
      }
    }
    LooseBatchNorm.Result loose = LooseBatchNorm.fold(built);
    Network net = loose.network();
    if (spec.outputActivation() != null) {
      net = new Network(net.inputShape(), net.layers(), OutputActivation.parse(spec.outputActivation()));
    }
    return new Built(net, rows, unused, loose.folded(), loose.refusal());
  }

  /** A per-example shape may hold at most {@link Budget#MAX_EXAMPLE_VALUES} values. */
  private void checkSize(String what, int[] shape) {
    long n = Budget.values(shape);
    if (n < 1 || n > Budget.MAX_EXAMPLE_VALUES) {
      throw new ImportException(specName + ": " + what + " has " + (n == Long.MAX_VALUE ? "more than 2^63" : n)
          + " values per example; supported: 1 to " + Budget.MAX_EXAMPLE_VALUES);
    }
  }

  /**
   * The layer table's description of the layer being built, where it differs from the built layer's own (a conv
   * as the file has it, and the conv of the normal form it is read as).
   */
  void describe(String description) { described = description; }

  /** The spec's name for messages (a file or a preset). */
  String specName() { return specName; }

  /** Whether the target has a tensor of this name. */
  boolean has(String name) { return tensors.has(name); }

  /** The tensors' source for messages (the target file). */
  String source() { return tensors.source(); }

  /**
   * A parameter vector of the given length ({@code -1}: any), e.g. a BatchNorm's {@code weight}; counted in the
   * layer table.
   */
  double[] vector(String name, int length) { return vector(tensor(name), name, length); }

  /** A vector of statistics the layer reads but does not learn (a BatchNorm's running mean); not counted. */
  double[] statistic(String name, int length) { return vector(read(name), name, length); }

  /**
   * The C values of a tensor the layer reads but does not learn, in any shape whose axes are all 1 but one of C
   * ({@code [C]}, {@code [1, C, 1, 1]}, {@code [C, 1, 1]}: a normaliser's buffers); one value is taken for every
   * channel. Not counted.
   */
  double[] channelValues(String name, int c, String where, int[] in) {
    Tensor t = read(name);
    int big = 0;
    for (int d : t.shape()) if (d != 1) big++;
    if (big > 1 || t.data().length != c && t.data().length != 1) {
      throw new ImportException(specName + ": " + where + ": tensor '" + name + "' in " + tensors.source()
          + " has shape " + Arrays.toString(t.shape()) + ", expected " + c + " values, one per channel of the input "
          + "(e.g. [" + c + "] or [1, " + c + ", 1, 1]), or one for all"
          + ArchSpec.Normalize.vectorHint(t.data().length, in));
    }
    double[] out = new double[c];
    for (int i = 0; i < c; i++) out[i] = t.data()[t.data().length == 1 ? 0 : i];
    return out;
  }

  private double[] vector(Tensor t, String name, int length) {
    if (t.rank() != 1 || (length >= 0 && t.dim(0) != length)) {
      throw new ImportException(specName + ": tensor '" + name + "' in " + tensors.source() + " has shape "
          + Arrays.toString(t.shape()) + ", expected [" + (length >= 0 ? length : "C") + "]");
    }
    return t.data().clone();
  }

  /** The weight tensor {@code layer.weight} of the given rank ({@code layout} names its axes); counted. */
  Tensor weight(String layer, int rank, String layout) {
    Tensor w = tensor(layer + ".weight");
    // a linear layer's [out, in] kept as a 1x1 conv's [out, in, 1, 1]
    if (rank == 2 && w.rank() == 4 && w.dim(2) == 1 && w.dim(3) == 1) return w.reshape(w.dim(0), w.dim(1));
    if (w.rank() != rank) {
      throw new ImportException(specName + ": tensor '" + layer + ".weight' in " + tensors.source() + " has shape "
          + Arrays.toString(w.shape()) + ", expected rank " + rank + " " + layout);
    }
    return w;
  }

  /** The bias tensor {@code layer.bias} of shape {@code [out]}, or {@code null} when the file has none; counted. */
  Tensor bias(String layer, int out) {
    String name = layer + ".bias";
    if (!tensors.has(name)) return null;
    Tensor b = tensor(name);
    if (b.rank() != 1 || b.dim(0) != out) {
      throw new ImportException(specName + ": tensor '" + name + "' in " + tensors.source() + " has shape "
          + Arrays.toString(b.shape()) + ", expected [" + out + "]");
    }
    return b;
  }

  /** A tensor the layer reads as parameters: counted in the layer table. */
  Tensor tensor(String name) {
    Tensor t = read(name);
    counts[0] += t.data().length;
    for (double x : t.data()) if (x != 0) counts[1]++;
    return t;
  }

  private Tensor read(String name) {
    String parametrized = Parametrizations.refusal(specName + " names", tensors, name);
    if (parametrized != null) throw new ImportException(parametrized);
    if (!tensors.has(name)) {
      throw new ImportException(specName + " names tensor '" + name + "', which " + tensors.source()
          + " does not have (it has " + describe(tensors.names()) + ")");
    }
    used.add(name);
    return tensors.tensor(name);
  }

  /** The activation of activation layers and residual blocks; {@code where} names the layer that needs it. */
  Activation activation(String where) {
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
}
