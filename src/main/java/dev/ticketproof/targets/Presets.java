package dev.ticketproof.targets;

import dev.ticketproof.io.ArchSpec;
import dev.ticketproof.io.ImportException;
import dev.ticketproof.io.TensorFile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Architectures inferred from the tensor names and shapes of well-known state dicts.
 *
 * <ul>
 *   <li>{@value #SYNFLOW_CONV}: a numbered {@code nn.Sequential} of Conv2d and Linear layers ({@code 0.weight},
 *       {@code 2.weight}, ...; Synaptic-Flow's {@code conv} model), in increasing numeric order; every conv has
 *       stride 1 and padding {@code k/2} on each axis (a {@code kh x kw} kernel: {@code (kh/2, kw/2)}); the
 *       activation sits between consecutive layers; a flatten precedes the first linear layer when the input is an
 *       image. Without a given input shape, a network starting with convs is assumed to read square images whose
 *       size follows from the first linear layer's fan-in. An {@code nn.ModuleList} of such layers
 *       ({@code layers.0.weight}, ...) is the same chain under its prefix ({@link #numberedChain}).</li>
 *   <li>{@value #OPENLTH_CIFAR_RESNET}: open_lth's CIFAR ResNet: stem {@code conv} (3x3, stride 1, padding 1),
 *       {@code bn}, activation; blocks {@code blocks.N} with {@code conv1}/{@code bn1}/{@code conv2}/{@code bn2}
 *       (3x3, padding 1) and a shortcut: a projection {@code blocks.N.shortcut.0} (1x1 conv, stride 2) with
 *       BatchNorm {@code blocks.N.shortcut.1}, or an identity, scaled per channel by {@code blocks.N.shortcut.weight}
 *       when that tensor exists. A block downsamples (conv1 stride 2) exactly when it has a projection shortcut
 *       (open_lth's rule: the first block of every stage after the first). Then global average pooling, flatten
 *       and the linear layer {@code fc}. Default input: [C, 32, 32] (CIFAR), C from {@code conv.weight}.</li>
 *   <li>{@value #OPENLTH_CIFAR_VGG}: open_lth's CIFAR VGG ({@code cifar_vgg_11/13/16/19}): a numbered
 *       {@code nn.Sequential} {@code layers} of modules {@code layers.N} of a 3x3 conv {@code conv} (padding 1),
 *       BatchNorm {@code bn} and the activation, and of 2x2 max poolings of stride 2, which hold no tensors: every
 *       number without tensors below the last conv's is one. Then average pooling 2x2 of stride 2, flatten and the
 *       linear layer {@code fc}. Default input: [C, H, H], C from the first conv, H the smallest side on which
 *       {@code fc}'s fan-in fits (32 for open_lth's plans on CIFAR), else 32.</li>
 *   <li>{@value #OPENLTH_MNIST_LENET}: open_lth's fully connected LeNet ({@code mnist_lenet_300_100}, ...): the
 *       linear layers {@code fc_layers.0}, {@code fc_layers.1}, ..., each followed by the activation, then
 *       {@code fc}; a flatten first when the input is an image. Default input: [F], F from
 *       {@code fc_layers.0.weight} (784: MNIST's 1x28x28 images flattened).</li>
 *
 *   <li>{@value #VGG}: a VGG with torchvision's names, as torchvision and most CIFAR code (kuangliu's
 *       {@code pytorch-cifar}) save it: {@code features}, one numbered {@code nn.Sequential} of 3x3 convs (padding 1),
 *       each with its BatchNorm or not, the activation and 2x2 max poolings of stride 2, which hold no tensors: after a
 *       conv (and its BatchNorm) the first number without tensors is the activation, every further one a max pooling.
 *       The max poolings after the last conv leave no trace: as many as the first linear layer's fan-in needs on the
 *       input. Then flatten and {@code classifier} (one linear layer) or {@code classifier.N} (linear layers with the
 *       activation between them; numbers without tensors, dropout, are left out). Named {@code feature.N} (network
 *       slimming's and GraSP's VGG), the forward's average pooling of side k >= 2 takes the last map to the
 *       classifier's fan-in in place of the trailing max poolings. Default input: [C, 32, 32].</li>
 * </ul>
 *
 * <p>open_lth's three models compute {@code F.relu}; its training code saves the bare state dict
 * ({@code model_ep160_it0.pth}) or a checkpoint with it under {@code model_state_dict}. {@link #openLth} finds their
 * names in a file given without an architecture.
 */
public final class Presets {
  /** Name of the Synaptic-Flow numbered-Sequential preset. */
  public static final String SYNFLOW_CONV = "synflow-conv";
  /** Name of the open_lth CIFAR ResNet preset. */
  public static final String OPENLTH_CIFAR_RESNET = "openlth-cifar-resnet";
  /** Name of the open_lth CIFAR VGG preset. */
  public static final String OPENLTH_CIFAR_VGG = "openlth-cifar-vgg";
  /** Name of the open_lth fully connected LeNet preset. */
  public static final String OPENLTH_MNIST_LENET = "openlth-mnist-lenet";
  /** Name of the preset of VGGs with torchvision's names ({@code features.N}, {@code classifier}). */
  public static final String VGG = "vgg";
  /** Name of the torchvision-style ResNet preset ({@code conv1}, {@code bn1}, {@code layerS.B}, {@code fc}). */
  public static final String CIFAR_RESNET = "cifar-resnet";

  /**
   * Name of the preset of pre-activation ResNets with PreActResNet's names whose projection shortcuts read the
   * block's input itself (RobustBench's {@code PreActBlock}, {@code out_shortcut=False}); {@value #CIFAR_RESNET}
   * reads them as kuangliu's, the shortcut on the activated input ({@link PreActResNet}).
   */
  public static final String PREACT_INPUT_SHORTCUT = "preact-input-shortcut";

  /** The presets, for messages. */
  public static final String NAMES = SYNFLOW_CONV + ", " + OPENLTH_CIFAR_RESNET + ", " + OPENLTH_CIFAR_VGG + ", "
      + OPENLTH_MNIST_LENET + ", " + VGG + ", " + CIFAR_RESNET + ", " + PREACT_INPUT_SHORTCUT;

  private static final Pattern NUMBERED = Pattern.compile("(\\d+)\\.weight");
  /** A tensor of a numbered module ({@code 3.bias}, {@code 3.parametrizations.weight.original}). */
  private static final Pattern MODULE_TENSOR = Pattern.compile("(\\d{1,8})\\..+");
  private static final Pattern BLOCK = Pattern.compile("blocks\\.(\\d+)\\.conv1\\.weight");
  /** A tensor of open_lth's VGG module {@code layers.N}. */
  private static final Pattern VGG_MODULE = Pattern.compile("layers\\.(\\d{1,8})\\..+");
  private static final Pattern LENET_LAYER = Pattern.compile("fc_layers\\.(\\d{1,8})\\.weight");
  private static final Pattern FEATURE = Pattern.compile("(features?)\\.(\\d{1,8})\\..+");
  private static final Pattern CLASSIFIER = Pattern.compile("classifier\\.(\\d{1,8})\\.weight");

  private Presets() {}

  /** Whether {@code name} is a preset rather than a spec file. */
  public static boolean isPreset(String name) {
    return SYNFLOW_CONV.equals(name) || OPENLTH_CIFAR_RESNET.equals(name) || OPENLTH_CIFAR_VGG.equals(name)
        || OPENLTH_MNIST_LENET.equals(name) || VGG.equals(name) || CIFAR_RESNET.equals(name)
        || PREACT_INPUT_SHORTCUT.equals(name);
  }

  /** Whether a preset reads one of open_lth's models, all of which compute {@code F.relu}. */
  public static boolean isOpenLth(String name) {
    return OPENLTH_CIFAR_RESNET.equals(name) || OPENLTH_CIFAR_VGG.equals(name) || OPENLTH_MNIST_LENET.equals(name);
  }

  /**
   * The open_lth preset whose names a file's tensors have (as they are or under one prefix: a checkpoint's
   * {@code model_state_dict.}), or {@code null} when none or several do: {@code fc.weight} beside {@code conv.weight}
   * and {@code blocks.0.conv1.weight} (the ResNet), beside {@code layers.0.conv.weight} (the VGG), or beside
   * {@code fc_layers.0.weight} (the LeNet).
   */
  public static String openLth(TensorFile file) {
    java.util.Set<String> found = new java.util.TreeSet<>();
    for (String p : file.prefixesOf("fc.weight")) {
      if (file.has(p + "conv.weight") && file.has(p + "blocks.0.conv1.weight")) found.add(OPENLTH_CIFAR_RESNET);
      if (file.has(p + "layers.0.conv.weight")) found.add(OPENLTH_CIFAR_VGG);
      if (file.has(p + "fc_layers.0.weight")) found.add(OPENLTH_MNIST_LENET);
    }
    return found.size() == 1 ? found.iterator().next() : null;
  }

  /**
   * Whether the file's names, as they are or under one prefix, have a VGG's {@code features.0} (or
   * {@code feature.0}) and classifier.
   */
  public static boolean vggNames(TensorFile file) {
    List<String> prefixes = new ArrayList<>(file.prefixesOf("features.0.weight"));
    prefixes.addAll(file.prefixesOf("feature.0.weight"));
    for (String p : prefixes) {
      if (file.has(p + "classifier.weight")
          || file.names().stream().anyMatch(n -> n.startsWith(p + "classifier.") && n.endsWith(".weight"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The prefix under which the file's tensors are a numbered chain of convs and linear layers, as an
   * {@code nn.Sequential} or an {@code nn.ModuleList} of them saves it ({@code 0.weight}, {@code 2.weight}, ... or
   * {@code layers.0.weight}, {@code layers.1.weight}, ...: every name under it {@code N.weight} of rank 2 or 4, or
   * {@code N.bias}, at least two layers), the first such prefix in the file's order, or {@code null}.
   */
  public static String numberedChain(TensorFile file) {
    Pattern layer = Pattern.compile("((?:.*\\.)?)\\d{1,8}\\.(weight|bias)");
    java.util.Set<String> tried = new java.util.HashSet<>();
    // the names under a prefix are a range of the sorted names: each prefix reads only its own
    java.util.NavigableSet<String> sorted = new java.util.TreeSet<>(file.names());
    for (String name : file.names()) {
      Matcher m = layer.matcher(name);
      if (!m.matches() || !tried.add(m.group(1))) continue;
      String p = m.group(1);
      int weights = 0;
      boolean chain = true;
      for (String n : p.isEmpty() ? sorted : sorted.subSet(p, true, p + Character.MAX_VALUE, false)) {
        if (!chain) break;
        Matcher t = layer.matcher(n);
        int rank = file.tensors().get(n).tensor().shape().length;
        chain &= t.matches() && t.group(1).equals(p) && (t.group(2).equals("bias") || rank == 2 || rank == 4);
        if (chain && t.group(2).equals("weight")) weights++;
      }
      if (chain && weights >= 2) return p;
    }
    return null;
  }

  /**
   * What {@link #numberedChain} found, for a refusal that names no architecture: the preset {@value #SYNFLOW_CONV}
   * reads the chain. Empty when there is none.
   */
  public static String numberedChainNote(TensorFile file) { return numberedChainNote(file, null); }

  /**
   * As {@link #numberedChainNote(TensorFile)}, naming {@code activation}, that of a whole model's activation modules
   * with where it comes from ({@code "relu, its activation modules'"}; null: the file holds none).
   */
  public static String numberedChainNote(TensorFile file, String activation) {
    String p = numberedChain(file);
    if (p == null) return "";
    String first = file.names().stream().filter(n -> n.startsWith(p) && n.endsWith(".weight")).findFirst().get();
    return "; its names " + first + ", ... are a numbered chain of convs and linear layers (an nn.Sequential "
        + "or nn.ModuleList of them), which the preset " + SYNFLOW_CONV + " reads" + (p.isEmpty() ? "" : " under the "
        + "prefix '" + p + "'") + " if the forward applies the activation (" + (activation == null ? "which the file "
        + "does not hold: give it" : activation + ": give it") + ") between consecutive "
        + "layers and no pooling (compare its outputs with PyTorch's)";
  }

  /** The model and names of a preset {@link #openLth} finds, for a note ({@code open_lth's cifar_vgg (...)}). */
  public static String shownNames(String preset) {
    return switch (preset) {
      case OPENLTH_CIFAR_RESNET -> "open_lth's cifar_resnet (conv, blocks.0.conv1, ..., fc)";
      case OPENLTH_CIFAR_VGG -> "open_lth's cifar_vgg (layers.0.conv, layers.0.bn, ..., fc)";
      case OPENLTH_MNIST_LENET -> "open_lth's mnist_lenet (fc_layers.0, ..., fc)";
      default -> preset;
    };
  }

  /**
   * The spec a preset infers from the tensors.
   *
   * @param preset {@value #SYNFLOW_CONV} or {@value #OPENLTH_CIFAR_RESNET}
   * @param tensors the target's tensors
   * @param input the per-example input shape if known (from an input batch), else {@code null}
   * @throws ImportException naming the preset and the tensor when the tensors do not follow the preset's
   *     conventions
   */
  public static ArchSpec infer(String preset, TensorFile tensors, int[] input) {
    return switch (preset) {
      case SYNFLOW_CONV -> synflowConv(tensors, input);
      case OPENLTH_CIFAR_RESNET -> openLthResnet(tensors, input);
      case OPENLTH_CIFAR_VGG -> openLthVgg(tensors, input);
      case OPENLTH_MNIST_LENET -> openLthLenet(tensors, input);
      case VGG -> vgg(tensors, input);
      case CIFAR_RESNET -> ResNetPreset.infer(tensors, input);
      // the pre-activation ResNets it reads are rewritten before a spec is asked for (TargetLoader, PreActResNet)
      case PREACT_INPUT_SHORTCUT -> throw new ImportException(PREACT_INPUT_SHORTCUT + " on " + tensors.source()
          + ": the names are not those of a pre-activation ResNet with PreActResNet's names (conv1 without bn1, "
          + "layer1.0.bn1/conv1/bn2/conv2 with bn1 on the block's input channels, ..., linear or fc)");
      default -> throw new ImportException("unknown preset '" + preset + "' (presets: " + NAMES
          + "; otherwise give a .json spec file)");
    };
  }

  static ArchSpec synflowConv(TensorFile t, int[] input) {
    String where = SYNFLOW_CONV + " on " + t.source();
    Map<Integer, String> numbered = new TreeMap<>();
    for (String name : t.names()) {
      Matcher m = NUMBERED.matcher(name);
      if (m.matches() && m.group(1).length() < 9) numbered.put(Integer.parseInt(m.group(1)), m.group(1));
    }
    if (numbered.isEmpty()) {
      throw new ImportException(where + ": no tensors named N.weight (expected a numbered Sequential: 0.weight, "
          + "2.weight, ...)");
    }
    // a numbered module with tensors but no N.weight (a parametrized layer's N.parametrizations.weight.original, a
    // bias alone) is a layer this preset would leave out of the chain
    for (String name : t.names()) {
      Matcher m = MODULE_TENSOR.matcher(name);
      if (!m.matches() || t.has(m.group(1) + ".weight")) continue;
      String why = dev.ticketproof.io.Parametrizations.refusal(where + ": layer " + m.group(1) + " needs",
          t, m.group(1) + ".weight");
      throw new ImportException(why != null ? why : where + ": tensor '" + name + "' belongs to module " + m.group(1)
          + ", which has no tensor '" + m.group(1) + ".weight': a layer " + SYNFLOW_CONV + " would leave out (it reads "
          + "each module's N.weight and N.bias); describe the network in a JSON spec, docs/arch-spec.md");
    }
    List<ArchSpec.LayerSpec> layers = new ArrayList<>();
    boolean seenLinear = false;
    int firstLinearIn = -1;
    int lastConvOut = -1;
    int firstConvIn = -1;
    String firstLinear = null;
    List<int[]> kernels = new ArrayList<>();
    boolean allSizePreserving = true;
    int count = 0;
    for (String n : numbered.values()) {
      int[] shape = t.tensor(n + ".weight").shape();
      if (count++ > 0) layers.add(new ArchSpec.Activation());
      if (shape.length == 4) {
        if (seenLinear) {
          throw new ImportException(where + ": conv '" + n + "' follows a linear layer (expected convs, then "
              + "linear layers)");
        }
        if (shape[2] % 2 == 0 || shape[3] % 2 == 0) allSizePreserving = false;
        if (firstConvIn < 0) firstConvIn = shape[1];
        lastConvOut = shape[0];
        kernels.add(new int[] {shape[2], shape[3]});
        layers.add(new ArchSpec.Conv(n, 1, 1, shape[2] / 2, shape[3] / 2, 1, 1, false));
      } else if (shape.length == 2) {
        if (!seenLinear) {
          firstLinearIn = shape[1];
          firstLinear = n;
          if (firstConvIn >= 0 || (input != null && input.length == 3)) layers.add(new ArchSpec.Flatten());
        }
        seenLinear = true;
        layers.add(new ArchSpec.Linear(n));
      } else {
        throw new ImportException(where + ": unsupported layer: tensor '" + n + ".weight' has shape "
            + Arrays.toString(shape) + " (expected a conv weight of rank 4 or a linear weight of rank 2"
            + (shape.length == 1 ? "; a rank-1 weight is a BatchNorm's, which " + SYNFLOW_CONV + " does not read: "
            + "describe the network in a JSON spec, docs/arch-spec.md" : "") + ")");
      }
    }
    if (input != null && input.length == 3 && firstConvIn >= 0 && firstLinear != null) {
      checkStrideOne(where, input, kernels, lastConvOut, firstLinear, firstLinearIn);
    }
    if (input == null) {
      if (firstConvIn < 0) {
        input = new int[] {firstLinearIn};
      } else {
        int side = firstLinearIn > 0 && lastConvOut > 0 && firstLinearIn % lastConvOut == 0
            ? (int) Math.round(Math.sqrt(firstLinearIn / (double) lastConvOut)) : -1;
        if (!allSizePreserving || side < 1 || lastConvOut * side * side != firstLinearIn) {
          throw new ImportException(where + ": cannot infer the input image size (give an input batch or a .json "
              + "spec with \"input\")");
        }
        input = new int[] {firstConvIn, side, side};
      }
    }
    return new ArchSpec(input, null, layers);
  }

  /**
   * With a known input image, the first linear layer's fan-in must be what convs of stride 1 and padding k/2 give;
   * a model that downsamples (a stride-2 conv, a pooling layer) gives fewer features and is refused, not silently
   * read as another network.
   */
  private static void checkStrideOne(String where, int[] input, List<int[]> kernels, int channels,
      String linear, int fanIn) {
    long h = input[1];
    long w = input[2];
    for (int[] k : kernels) {
      h += 2 * (k[0] / 2) - k[0] + 1;
      w += 2 * (k[1] / 2) - k[1] + 1;
    }
    long expected = h < 1 || w < 1 ? -1 : (long) channels * h * w;
    if (fanIn < 1 || expected <= fanIn || expected % fanIn != 0) return; // other mismatches: the builder reports
    throw new ImportException(where + ": linear layer '" + linear + "' reads " + fanIn + " features, but the convs "
        + "of this preset (stride 1, padding k/2) on input " + Arrays.toString(input) + " give " + channels + " x "
        + h + " x " + w + " = " + expected + ": " + expected / fanIn + " times fewer, so the model downsamples (a "
        + "stride-2 conv or a pooling layer), which " + SYNFLOW_CONV + " does not have; describe it with a .json "
        + "spec (docs/arch-spec.md)");
  }

  static ArchSpec openLthResnet(TensorFile t, int[] input) {
    String where = OPENLTH_CIFAR_RESNET + " on " + t.source();
    for (String required : new String[] {"conv.weight", "fc.weight"}) {
      if (!t.has(required)) {
        throw new ImportException(where + ": no tensor '" + required + "' (expected open_lth's names conv, bn, "
            + "blocks.N.conv1/bn1/conv2/bn2, blocks.N.shortcut, fc)");
      }
    }
    List<Integer> blocks = new ArrayList<>();
    for (String name : t.names()) {
      Matcher m = BLOCK.matcher(name);
      if (m.matches() && m.group(1).length() < 9) blocks.add(Integer.parseInt(m.group(1)));
    }
    blocks.sort(Comparator.naturalOrder());
    for (int i = 0; i < blocks.size(); i++) {
      if (blocks.get(i) != i) {
        throw new ImportException(where + ": block " + i + " is missing (no tensor 'blocks." + i + ".conv1.weight')");
      }
    }
    List<ArchSpec.LayerSpec> layers = new ArrayList<>();
    layers.add(new ArchSpec.Conv("conv", 1, 1));
    if (t.has("bn.weight")) layers.add(new ArchSpec.BatchNorm("bn", ArchSpec.DEFAULT_BN_EPS));
    layers.add(new ArchSpec.Activation());
    for (int b : blocks) {
      String p = "blocks." + b;
      boolean projection = t.has(p + ".shortcut.0.weight");
      ArchSpec.Shortcut shortcut;
      if (projection) {
        shortcut = new ArchSpec.Projection(new ArchSpec.Conv(p + ".shortcut.0", 2, 0),
            t.has(p + ".shortcut.1.weight") ? new ArchSpec.BatchNorm(p + ".shortcut.1", ArchSpec.DEFAULT_BN_EPS)
                : null);
      } else {
        shortcut = new ArchSpec.Identity(t.has(p + ".shortcut.weight") ? p + ".shortcut.weight" : null);
      }
      layers.add(new ArchSpec.Residual(p, new ArchSpec.Conv(p + ".conv1", projection ? 2 : 1, 1),
          t.has(p + ".bn1.weight") ? new ArchSpec.BatchNorm(p + ".bn1", ArchSpec.DEFAULT_BN_EPS) : null,
          new ArchSpec.Conv(p + ".conv2", 1, 1),
          t.has(p + ".bn2.weight") ? new ArchSpec.BatchNorm(p + ".bn2", ArchSpec.DEFAULT_BN_EPS) : null, shortcut));
    }
    layers.add(new ArchSpec.GlobalAvgPool());
    layers.add(new ArchSpec.Flatten());
    layers.add(new ArchSpec.Linear("fc"));
    if (input == null) {
      int[] stem = t.tensor("conv.weight").shape();
      if (stem.length != 4) {
        throw new ImportException(where + ": tensor 'conv.weight' has shape " + Arrays.toString(stem)
            + ", expected rank 4 [out, in, kh, kw]");
      }
      input = new int[] {stem[1], 32, 32};
    }
    return new ArchSpec(input, ResNetPreset.ACTIVATION, layers);
  }

  /**
   * open_lth's {@code cifar_vgg}: {@code layers} numbers its modules in one {@code nn.Sequential}, the max poolings
   * ({@code 'M'} in the plan) among them, so a number below the last conv's that holds no tensors is a max pooling.
   * A pooling after the last conv would leave no trace; open_lth's plans end with convs.
   */
  static ArchSpec openLthVgg(TensorFile t, int[] input) {
    String where = OPENLTH_CIFAR_VGG + " on " + t.source();
    String expected = " (expected open_lth's names layers.N.conv, layers.N.bn, fc)";
    if (!t.has("fc.weight")) throw new ImportException(where + ": no tensor 'fc.weight'" + expected);
    TreeMap<Integer, String> modules = new TreeMap<>();
    for (String name : t.names()) {
      Matcher m = VGG_MODULE.matcher(name);
      if (m.matches()) modules.putIfAbsent(Integer.parseInt(m.group(1)), name);
    }
    if (modules.isEmpty()) throw new ImportException(where + ": no tensor 'layers.0.conv.weight'" + expected);
    List<ArchSpec.LayerSpec> layers = new ArrayList<>();
    int next = 0;
    for (Map.Entry<Integer, String> e : modules.entrySet()) {
      String p = "layers." + e.getKey();
      if (!t.has(p + ".conv.weight")) {
        throw new ImportException(where + ": tensor '" + e.getValue() + "' belongs to module " + p + ", which has no "
            + "tensor '" + p + ".conv.weight'" + expected);
      }
      int[] w = t.tensor(p + ".conv.weight").shape();
      if (w.length != 4 || w[2] != 3 || w[3] != 3) {
        throw new ImportException(where + ": tensor '" + p + ".conv.weight' has shape " + Arrays.toString(w)
            + ", expected [out, in, 3, 3] (open_lth's ConvModule: a 3x3 conv with padding 1)");
      }
      for (; next < e.getKey(); next++) layers.add(new ArchSpec.MaxPool(2, 2, 0));
      next = e.getKey() + 1;
      layers.add(new ArchSpec.Conv(p + ".conv", 1, 1));
      boolean bn = t.names().stream().anyMatch(n -> n.startsWith(p + ".bn."));
      if (bn) layers.add(new ArchSpec.BatchNorm(p + ".bn", ArchSpec.DEFAULT_BN_EPS));
      layers.add(new ArchSpec.Activation());
    }
    layers.add(new ArchSpec.AvgPool(2, 2));
    layers.add(new ArchSpec.Flatten());
    layers.add(new ArchSpec.Linear("fc"));
    if (input == null) {
      // the smallest square image the fc's fan-in fits: C_last s^2 features after the 2x2 average pooling, on maps
      // halved by every max pooling; else CIFAR's 32x32
      int pools = (int) layers.stream().filter(l -> l instanceof ArchSpec.MaxPool).count();
      int last = t.tensor("layers." + modules.lastKey() + ".conv.weight").shape()[0];
      int[] fc = t.tensor("fc.weight").shape();
      int s = fc.length == 2 && fc[1] % last == 0 ? (int) Math.round(Math.sqrt(fc[1] / (double) last)) : 0;
      int side = s > 0 && (long) s * s * last == fc[1] && pools < 20 ? 2 * s << pools : 32;
      input = new int[] {t.tensor("layers." + modules.firstKey() + ".conv.weight").shape()[1], side,
          side};
    }
    return new ArchSpec(input, ResNetPreset.ACTIVATION, layers);
  }

  /** open_lth's {@code mnist_lenet}: {@code fc_layers.0}, {@code fc_layers.1}, ... and {@code fc}. */
  static ArchSpec openLthLenet(TensorFile t, int[] input) {
    String where = OPENLTH_MNIST_LENET + " on " + t.source();
    String expected = " (expected open_lth's names fc_layers.N, fc)";
    if (!t.has("fc.weight")) throw new ImportException(where + ": no tensor 'fc.weight'" + expected);
    List<Integer> hidden = new ArrayList<>();
    for (String name : t.names()) {
      Matcher m = LENET_LAYER.matcher(name);
      if (m.matches()) hidden.add(Integer.parseInt(m.group(1)));
    }
    hidden.sort(Comparator.naturalOrder());
    // open_lth's mnist_lenet_N1[_N2...] has a hidden layer at least
    if (hidden.isEmpty()) throw new ImportException(where + ": no tensor 'fc_layers.0.weight'" + expected);
    for (int i = 0; i < hidden.size(); i++) {
      if (hidden.get(i) != i) {
        throw new ImportException(where + ": layer " + i + " is missing (no tensor 'fc_layers." + i + ".weight')");
      }
    }
    int[] w = t.tensor("fc_layers.0.weight").shape();
    if (w.length != 2) {
      throw new ImportException(where + ": tensor 'fc_layers.0.weight' has shape " + Arrays.toString(w)
          + ", expected [out, in] (a linear layer)");
    }
    List<ArchSpec.LayerSpec> layers = new ArrayList<>();
    if (input != null && input.length > 1) layers.add(new ArchSpec.Flatten());
    for (int i : hidden) {
      layers.add(new ArchSpec.Linear("fc_layers." + i));
      layers.add(new ArchSpec.Activation());
    }
    layers.add(new ArchSpec.Linear("fc"));
    return new ArchSpec(input != null ? input : new int[] {w[1]}, ResNetPreset.ACTIVATION, layers);
  }

  /**
   * A VGG with torchvision's names ({@value #VGG}): the numbers of {@code features} without tensors are the
   * activations (the first after a conv and its BatchNorm) and the max poolings (the others); the poolings after the
   * last conv are as many as halve the map to the side the classifier's fan-in gives. Named {@code feature} (network
   * slimming's and GraSP's VGG), the forward ends the features with one average pooling of the side that gives it.
   */
  static ArchSpec vgg(TensorFile t, int[] input) {
    String where = VGG + " on " + t.source();
    String stem = t.has("features.0.weight") || !t.has("feature.0.weight") ? "features" : "feature";
    String expected = " (expected a VGG's names: features.N (or feature.N) for its convs and BatchNorms, classifier "
        + "or classifier.N for its linear layers)";
    TreeMap<Integer, String> features = new TreeMap<>();
    for (String name : t.names()) {
      Matcher m = FEATURE.matcher(name);
      if (m.matches() && m.group(1).equals(stem)) features.putIfAbsent(Integer.parseInt(m.group(2)), name);
    }
    TreeMap<Integer, String> numbered = new TreeMap<>();
    for (String name : t.names()) {
      Matcher m = CLASSIFIER.matcher(name);
      if (m.matches()) numbered.put(Integer.parseInt(m.group(1)), "classifier." + m.group(1));
    }
    List<String> linears = t.has("classifier.weight") ? List.of("classifier") : List.copyOf(numbered.values());
    if (features.isEmpty()) throw new ImportException(where + ": no tensor '" + stem + ".0.weight'" + expected);
    if (linears.isEmpty()) throw new ImportException(where + ": no tensor 'classifier.weight'" + expected);
    List<ArchSpec.LayerSpec> layers = new ArrayList<>();
    boolean activationNext = false;
    boolean afterConv = false;
    int pools = 0;
    int channels = -1;
    for (int n = 0; n <= features.lastKey(); n++) {
      String p = stem + "." + n;
      int[] w = t.has(p + ".weight") ? t.tensor(p + ".weight").shape() : null;
      if (w == null && afterConv && t.has(p + ".running_mean")) { // BatchNorm2d(affine=False): its statistics only
        w = t.tensor(p + ".running_mean").shape();
      }
      if (w == null && features.containsKey(n)) {
        throw new ImportException(where + ": tensor '" + features.get(n) + "' belongs to module " + p + ", which has "
            + "no tensor '" + p + ".weight'" + expected);
      }
      if (w == null) {
        if (activationNext) {
          layers.add(new ArchSpec.Activation());
        } else {
          layers.add(new ArchSpec.MaxPool(2, 2, 0));
          pools++;
        }
        activationNext = false;
        afterConv = false;
      } else if (w.length == 4) {
        if (activationNext) {
          throw new ImportException(where + ": conv '" + p + "' follows the conv before it with no activation between "
              + "them (a number without tensors)" + expected);
        }
        if (w[2] != 3 || w[3] != 3) {
          throw new ImportException(where + ": tensor '" + p + ".weight' has shape " + Arrays.toString(w)
              + ", expected [out, in, 3, 3] (a VGG's 3x3 conv with padding 1)");
        }
        if (channels < 0 && input == null) input = new int[] {w[1], 32, 32};
        layers.add(new ArchSpec.Conv(p, 1, 1));
        channels = w[0];
        activationNext = true;
        afterConv = true;
      } else if (w.length == 1 && afterConv) {
        layers.add(new ArchSpec.BatchNorm(p, ArchSpec.DEFAULT_BN_EPS, t.has(p + ".weight")));
        afterConv = false;
      } else {
        throw new ImportException(where + ": tensor '" + p + ".weight' has shape " + Arrays.toString(w) + ", expected "
            + "a conv's [out, in, 3, 3] or, right after a conv, a BatchNorm's [C]" + expected);
      }
    }
    if (channels < 0) throw new ImportException(where + ": no conv among " + stem + ".N" + expected);
    if (activationNext) layers.add(new ArchSpec.Activation());
    // the max poolings after the last conv: as many as take the map to the side the classifier reads
    int[] fc = t.tensor(linears.get(0) + ".weight").shape();
    int side = fc.length == 2 && fc[1] % channels == 0 ? (int) Math.round(Math.sqrt(fc[1] / (double) channels)) : 0;
    if (side < 1 || (long) side * side * channels != fc[1]) {
      throw new ImportException(where + ": linear layer '" + linears.get(0) + "' reads " + (fc.length == 2 ? fc[1]
          : Arrays.toString(fc)) + " features, not the " + channels + " channels of the last conv times a square map");
    }
    int h = input.length == 3 ? input[1] : 0;
    int wd = input.length == 3 ? input[2] : 0;
    for (int k = 0; k < pools; k++) {
      h /= 2;
      wd /= 2;
    }
    if (stem.equals("feature")) {
      // network slimming's and GraSP's forward: nn.AvgPool2d(k) after the features (k = 2 on CIFAR, 4 on Tiny ImageNet)
      int k = h % side == 0 && h == wd ? h / side : 0;
      if (k < 2) {
        throw new ImportException(where + ": linear layer '" + linears.get(0) + "' reads " + channels + " x " + side
            + " x " + side + " features, which no average pooling of a square window after the last conv (the "
            + "forward's nn.AvgPool2d, of side 2 or more) makes of its " + h + " x " + wd + " map on input "
            + Arrays.toString(input) + " (give the input shape the network was trained on, or describe it in a JSON "
            + "spec, docs/arch-spec.md)");
      }
      layers.add(new ArchSpec.AvgPool(k, k));
    } else {
      while ((h > side || wd > side) && h >= 2 && wd >= 2) {
        layers.add(new ArchSpec.MaxPool(2, 2, 0));
        h /= 2;
        wd /= 2;
      }
      if (h != side || wd != side) {
        throw new ImportException(where + ": linear layer '" + linears.get(0) + "' reads " + channels + " x " + side
            + " x " + side + " features, which no number of 2x2 max poolings after the last conv makes of its "
            + "map on input " + Arrays.toString(input) + " (give the input shape the network was trained on, or "
            + "describe it in a JSON spec, docs/arch-spec.md)");
      }
    }
    layers.add(new ArchSpec.Flatten());
    for (int k = 0; k < linears.size(); k++) {
      if (k > 0) layers.add(new ArchSpec.Activation());
      layers.add(new ArchSpec.Linear(linears.get(k)));
    }
    return new ArchSpec(input, ResNetPreset.ACTIVATION, layers);
  }
}
