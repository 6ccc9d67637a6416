package dev.ticketproof.targets;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.activation.TorchActivation;
import dev.ticketproof.io.ArchSpec;
import dev.ticketproof.io.ImportException;
import dev.ticketproof.io.NetworkBuilder;
import dev.ticketproof.io.ShapeRefusal;
import dev.ticketproof.io.TensorFile;
import dev.ticketproof.io.TorchModule;
import dev.ticketproof.limits.Budget;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.OutputActivation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The architecture of a whole model ({@code torch.save(model)}) whose module tree is an {@code nn.Sequential}: its
 * children in order (nested Sequentials flattened in order, and so are torchvision's subclasses of it that keep its
 * forward, {@link TorchModule#isSequential}) are the layers, each PyTorch module's hyper-parameters
 * (kept in the pickle's attribute dict) give the spec's, and the layer names are the state-dict prefixes
 * ({@code 0}, {@code features.3}; a model saved in a checkpoint dict is read under its key, {@code model.}, as
 * {@link TensorFile#under} names them). Only what the arch spec represents exactly is accepted; everything else is an error naming the module's path and
 * class and what is not supported. A module of any other class, in particular a
 * custom {@code nn.Module} at the root, is refused: its forward is code the file does not hold, so the order of its
 * children is not known.
 */
public final class WholeModels {
  private WholeModels() {}

  /**
   * The architecture derived from a module tree.
   *
   * @param spec the layers and the activation the tree's activation modules name ({@code null} when it has none),
   *     without an input shape (an input batch or a given shape may be an image where a first linear layer after a
   *     flatten would suggest a vector)
   * @param activationModules the paths of the activation modules, in order
   * @param inferredInput the input shape the layers fix ({@link #inferInput}), or {@code null}
   * @param inputUnknown why the input shape cannot be inferred, or {@code null} when it is
   * @param unflatten the module path of an {@code nn.Unflatten} that is the model's first module, whose
   *     {@code unflattened_size} is then the input shape ({@code inferredInput}), else {@code null}
   */
  public record Derived(ArchSpec spec, List<String> activationModules, int[] inferredInput, String inputUnknown,
      String unflatten) {
    /** A derived architecture without a first {@code nn.Unflatten}. */
    public Derived(ArchSpec spec, List<String> activationModules, int[] inferredInput, String inputUnknown) {
      this(spec, activationModules, inferredInput, inputUnknown, null);
    }

    /**
     * The spec with the given input shape, else the inferred one, else none. After a first {@code nn.Unflatten} the
     * input is the shape it unflattens to: a given shape of as many values (the flat rows the model is called on) is
     * read as it, since Unflatten keeps the values' order.
     *
     * @throws BadParameter naming the Unflatten when the given shape has another number of values
     */
    public ArchSpec withInput(int[] input) {
      int[] in = input != null ? input : inferredInput;
      if (unflatten != null && input != null) {
        if (Budget.values(input) != Budget.values(inferredInput)) {
          throw new dev.ticketproof.limits.BadParameter("input shape", "input shape " + java.util.Arrays.toString(input)
              + ": the whole model's first module '" + unflatten + "' (nn.Unflatten) reads examples of "
              + Budget.values(inferredInput) + " values as " + java.util.Arrays.toString(inferredInput) + ", not "
              + Budget.values(input));
        }
        in = inferredInput;
      }
      return new ArchSpec(spec.asRead(in), spec.activation(), spec.layers(), spec.outputActivation());
    }
  }

  /** Modules that normalise the outputs into probabilities (usually the last of a classifier). */
  private static final Set<String> SOFTMAX = Set.of("Softmax", "LogSoftmax", "Softmax2d");

  /** Modules that normalise each example by statistics of its own values, at inference as in training. */
  private static final Set<String> PER_EXAMPLE_NORM = Set.of("LayerNorm", "GroupNorm", "InstanceNorm1d",
      "InstanceNorm2d", "InstanceNorm3d", "LocalResponseNorm");

  /** Modules that pad with zeros ({@code value} 0), read before a conv ({@code Walk#zeroPad}). */
  private static final Set<String> ZERO_PAD = Set.of("ZeroPad2d", "ConstantPad2d", "ConstantPad1d", "ZeroPad1d");

  /** Modules that pad with values of the map itself. */
  private static final Set<String> OTHER_PAD = Set.of("ReflectionPad1d", "ReflectionPad2d", "ReplicationPad1d",
      "ReplicationPad2d", "CircularPad1d", "CircularPad2d");

  /** Modules that compute on a batch of signals [N, C, L] and make one (PyTorch's 3-d tensors). */
  private static final Set<String> SIGNAL = Set.of("Conv1d", "MaxPool1d", "AvgPool1d", "AdaptiveAvgPool1d",
      "AdaptiveMaxPool1d");

  /** Modules of images, which read a 3-d tensor as one image without a batch, [C, H, W] ({@code Walk#rank}). */
  private static final Set<String> IMAGE = Set.of("Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
      "AdaptiveMaxPool2d", "ZeroPad2d", "ConstantPad2d");

  /** Modules that are the identity at inference and hold no tensors. */
  private static final Set<String> IDENTITY = Set.of("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
      "FeatureAlphaDropout", "Identity");

  /**
   * Every torch.nn class a Sequential may hold, for messages: the layers' ({@link ArchSpec#fromModule}) first, then
   * the activations' ({@link ActivationCatalog#torchClassNames}).
   */
  static final String SUPPORTED = "Sequential (and torchvision's Conv2dNormActivation, Conv1dNormActivation and "
      + "MLP, which compute their submodules in order), " + String.join(", ", ArchSpec.moduleClasses()) + ", "
      + String.join(", ", ActivationCatalog.torchClassNames()) + ", PReLU (one slope or one per channel), RReLU (its eval-mode slope), Unflatten (first), ZeroPad2d, ConstantPad2d and "
      + "ConstantPad1d of value 0 (before a conv), "
      + String.join(", ", IDENTITY.stream().sorted().toList());

  /** Whether the file is a whole model, whose architecture {@link #derive} may read. */
  public static boolean isWholeModel(TensorFile file) { return file.model() != null; }

  /**
   * The architecture of a whole model's {@code nn.Sequential}.
   *
   * @param file a file read from a whole model ({@link TensorFile#model()} not {@code null})
   * @throws ImportException naming the file, the module's path and class, and what cannot be represented
   */
  public static Derived derive(TensorFile file) {
    TorchModule root = file.model();
    if (root == null) {
      throw new ImportException(file.source() + ": not a whole model (torch.save(model)), so it holds no "
          + "architecture: give one (a preset or a JSON spec, docs/arch-spec.md)");
    }
    String source = file.source() + (file.modelPrefix().isEmpty() ? "" : " (the whole model under '"
        + file.modelPrefix() + "')");
    String block = unreadableBlock(root, "");
    if (block != null) {
      throw new ImportException(source + ": " + block + "; neither a preset nor a JSON spec describes it (they "
          + "hold convs, linear layers, poolings, one activation, and residual blocks of two convs whose sum goes "
          + "through the activation, docs/arch-spec.md), so the network cannot be read and no ticket can be built "
          + "for it");
    }
    if (!root.isSequential()) {
      String pre = ResNetPreset.preActivation(file.under(file.modelPrefix()));
      if (pre != null) {
        throw new ImportException(source + ": the whole model is a " + root.className() + ", not an nn.Sequential, "
            + "and " + pre);
      }
      String note = ResNetPreset.prefixes(file).isEmpty() ? draftNote(file) : " (its tensor names are those of a "
          + "ResNet: the preset " + Presets.CIFAR_RESNET + " reads them, given as the architecture with the activation "
          + "of its activation modules)";
      throw new ImportException(source + ": the whole model is a " + root.className() + ", not an nn.Sequential: "
          + "the order in which its forward uses its submodules (" + childNames(root) + ") is code the file does "
          + "not hold, so the architecture cannot be read from it" + note + ". " + SPEC_CAN_SAY);
    }
    Walk w = new Walk(source, file);
    w.sequential("", root);
    w.noPadLeft();
    if (w.layers.isEmpty()) {
      throw new ImportException(source + ": the whole model's nn.Sequential has no layer that computes anything");
    }
    String output = outputActivation(w);
    String activation = null;
    if (!w.activations.isEmpty()) {
      Map<String, List<String>> byName = new LinkedHashMap<>();
      w.activations.forEach((path, name) -> byName.computeIfAbsent(name, k -> new ArrayList<>()).add(path));
      // one leaky slope outside [0, 1] is no activation the kernel certifies, but relu of doubled channels is
      if (byName.size() > 1 || byName.containsKey(PER_CHANNEL) || byName.keySet().stream().allMatch(
          WholeModels::uncertifiedSlope)) {
        if (byName.keySet().stream().allMatch(WholeModels::reluFamily)) {
          // relu, leaky relus and PReLUs of any slopes: ReLU of doubled channels (net.ReluDoubling)
          w.activations.forEach((path, name) -> {
            if (!name.equals("relu") && !name.equals(PER_CHANNEL)) {
              // a PReLU reads its learned slope from its tensor, a leaky relu has its slope in the module
              w.layers.set(w.activationAt.get(path), w.prelus.contains(path) ? new ArchSpec.OwnSlopes(path,
                  Double.NaN) : new ArchSpec.OwnSlopes(null, ActivationCatalog.parse(name).slopeMinus()));
            }
          });
          byName.clear();
          byName.put("relu", List.of());
        } else {
          List<String> parts = new ArrayList<>();
          byName.forEach((name, paths) -> parts.add((name.equals(PER_CHANNEL) ? "PReLU with a slope per channel"
              : name) + " (" + describePaths(paths) + ")"));
          throw new ImportException(source + ": the whole model uses several activations: " + String.join(", ",
              parts) + "; the constructions need one activation for the whole network (activations of the ReLU "
              + "family alone, ReLU, leaky ReLU and PReLU of any slopes, are read as ReLU of doubled channels)");
        }
      }
      activation = byName.keySet().iterator().next();
    }
    ArchSpec spec = new ArchSpec(null, activation, w.layers, output);
    if (w.unflatten != null) {
      return new Derived(spec, List.copyOf(w.activations.keySet()), w.unflattenedSize, null, w.unflatten);
    }
    String[] why = new String[1];
    int[] input = inferInput(file.under(file.modelPrefix()), spec, why);
    return new Derived(spec, List.copyOf(w.activations.keySet()), input, input == null ? why[0] : null);
  }

  /** What a JSON spec can say of code the file does not hold, and what it cannot. */
  static final String SPEC_CAN_SAY = "Where that code computes the submodules in order, or is a residual block of "
      + "two convs (or three, a bottleneck) whose sum with the block's input goes through the activation, or a "
      + "pre-activation ResNet (blocks whose sum no activation follows: a preact-resnet), a JSON spec "
      + "(docs/arch-spec.md) given as the architecture says so; a gate (a product of two branches, as in "
      + "squeeze-and-excitation), a concatenation of branches, or another residual sum that no activation follows is "
      + "no layer a spec has, and no ticket can be built for it";

  /** The activation name of a PReLU with a slope per channel (read as ReLU of doubled channels). */
  static final String PER_CHANNEL = "prelu (a slope per channel)";

  /**
   * One name per function, so that modules computing the same activation count as one: {@code Hardtanh(0, 6)} is
   * relu6, a leaky relu of slope 0 is relu.
   */
  static String canonical(String name) {
    Activation a = ActivationCatalog.parse(name);
    if (a instanceof dev.ticketproof.activation.Hardtanh t && t.min() == 0 && t.max() == 6) return "relu6";
    if (a instanceof dev.ticketproof.activation.LeakyRelu l && l.a() == 0) return "relu";
    return name;
  }

  /** Whether an activation is a leaky ReLU of a slope outside [0, 1] (the kernel's leaky relus). */
  private static boolean uncertifiedSlope(String name) {
    if (name.equals(PER_CHANNEL)) return false;
    Activation a = ActivationCatalog.parse(name);
    return a instanceof dev.ticketproof.activation.LeakyRelu l && !(l.a() >= 0 && l.a() <= 1);
  }

  /** Whether an activation is ReLU, a leaky ReLU (any slope) or a PReLU with a slope per channel. */
  private static boolean reluFamily(String name) {
    if (name.equals(PER_CHANNEL)) return true;
    try {
      Activation a = ActivationCatalog.parse(name);
      return a instanceof dev.ticketproof.activation.Relu || a instanceof dev.ticketproof.activation.LeakyRelu;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Takes the function on the network's outputs off its layers: a softmax or log-softmax module that is the last
   * module, or an activation module after the last conv or linear layer (only flatten layers after it: a binary
   * classifier's {@code nn.Sigmoid} trained with {@code BCELoss}, a regression net's {@code nn.Tanh}). The normal
   * form ends with a conv or linear layer without activation; the network applies the function to its outputs
   * ({@link dev.ticketproof.net.Network#outputActivation}).
   *
   * @return its name ({@link OutputActivation#parse}), or {@code null} when the outputs have none
   * @throws ImportException naming the softmax module when a layer follows it
   */
  private static String outputActivation(Walk w) {
    if (w.softmax != null) {
      if (w.softmaxAt < w.layers.size()) {
        throw w.softmaxModule.fail("a layer follows it (" + w.layers.get(w.softmaxAt).getClass().getSimpleName()
            .toLowerCase(java.util.Locale.ROOT) + "): a softmax is read only as the last module, on the outputs");
      }
      return w.softmax;
    }
    int last = w.layers.size() - 1;
    while (last >= 0 && w.layers.get(last) instanceof ArchSpec.Flatten) last--;
    if (last < 0 || !(w.layers.get(last) instanceof ArchSpec.Activation) || w.activations.isEmpty()) return null;
    String path = null;
    for (String p : w.activations.keySet()) path = p;
    w.layers.remove(last);
    w.activationClasses.remove(path);
    w.prelus.remove(path);
    return w.activations.remove(path);
  }

  /**
   * A draft architecture for a whole model that is a custom module (not an {@code nn.Sequential}): its submodules in
   * the order they were assigned ({@code _modules}), nested Sequentials (and ModuleLists and ModuleDicts, which a
   * forward iterates over) flattened in order, with a flatten before a linear layer that follows a conv or pooling
   * layer, as a forward that calls them in that order computes. It is not read from the forward, which is code the
   * file does not hold: {@code inspect} prints it to be checked against PyTorch's outputs and given as a JSON spec;
   * nothing uses it as the architecture by itself.
   *
   * @return the draft, or {@code null} when there is none: the root holds tensors of its own, a submodule is not a
   *     torch.nn module (a custom block, whose forward may add a shortcut), two layers with weights follow each other
   *     without an activation module between them (the forward applies functional ones, calls a module several
   *     times, or feeds several heads from one input), or the modules are not what a Sequential's
   *     derivation accepts
   */
  public static Derived draft(TensorFile file) { return draft(file, new String[1]); }

  /** The custom module's refusal's note on its draft: that inspect prints one, or why there is none. */
  private static String draftNote(TensorFile file) {
    String[] why = new String[2];
    if (draft(file, why) != null) {
      return " (inspect prints a draft: its submodules in the order they were assigned, for a forward that calls "
          + "them in that order; check its outputs against PyTorch's before you use it)";
    }
    String chain = Presets.numberedChainNote(file.under(file.modelPrefix()), why[1]);
    return why[0] == null ? chain.isEmpty() ? "" : " (" + chain.substring(2) + ")"
        : " (no draft is given: " + why[0] + chain + ")";
  }

  /**
   * The draft, or {@code null} with, in {@code why[0]}, why the order of the submodules is not the forward where the
   * modules show it (else {@code why[0]} stays {@code null}), and then in {@code why[1]} (when it has room) the
   * activation of the model's activation modules, when they have one, said as such.
   */
  private static Derived draft(TensorFile file, String[] why) {
    TorchModule root = file.model();
    if (root == null || root.isSequential() || root.children().isEmpty()) return null;
    TensorFile tensors = file.under(file.modelPrefix());
    for (String name : tensors.names()) if (!name.contains(".")) return null;
    Walk w = new Walk(file.source(), file);
    w.draft = true;
    try {
      w.sequential("", root);
      w.noPadLeft();
    } catch (ImportException e) {
      // a normaliser of the model's code: the refusal says how to read it (a normalize layer of a spec)
      if (w.normaliser != null) why[0] = w.normaliser;
      return null;
    }
    // the last module as the output activation, as for a Sequential (a softmax that is not last: no draft)
    String output;
    try {
      output = outputActivation(w);
    } catch (ImportException e) {
      return null;
    }
    if (w.layers.isEmpty() || new java.util.HashSet<>(w.activations.values()).size() > 1) return null;
    // two layers with weights in a row, with no activation module between them (a shared nn.ReLU called after every
    // layer, F.relu after some, or two heads on one input): the order of the submodules is not the forward, and a
    // draft of it would compute another function (a composition of affine maps where the network has activations)
    String previous = null;
    for (ArchSpec.LayerSpec l : w.layers) {
      if (l instanceof ArchSpec.Conv || l instanceof ArchSpec.Conv1d || l instanceof ArchSpec.Linear) {
        if (previous != null) {
          // the model's activation: its modules', or the one assigned last, which may also be an output activation
          if (why.length > 1) {
            why[1] = !w.activations.isEmpty() ? w.activations.values().iterator().next() + ", its activation modules'"
                : output != null && !output.contains("softmax") ? output + ", its activation module's, unless that "
                + "module is an output activation" : null;
          }
          why[0] = "its layers '" + previous + "' and '" + l.name() + "' follow each other in the order of the "
              + "submodules with no activation module between them, so its forward does not call them in that "
              + "order alone: it applies an activation as a function (F.relu), calls one module several times (one "
              + "nn.ReLU or pooling module for every layer), or feeds several heads from one input, which the file "
              + "does not show";
          return null;
        }
        previous = l.name();
      } else if (l instanceof ArchSpec.Activation || l instanceof ArchSpec.Residual) {
        previous = null;
      }
    }
    List<ArchSpec.LayerSpec> layers = new ArrayList<>();
    boolean image = false;
    for (ArchSpec.LayerSpec l : w.layers) {
      if (l instanceof ArchSpec.Linear && image) layers.add(new ArchSpec.Flatten());
      if (l instanceof ArchSpec.Conv || l instanceof ArchSpec.Conv1d || l instanceof ArchSpec.MaxPool
          || l instanceof ArchSpec.AvgPool || l instanceof ArchSpec.GlobalAvgPool
          || l instanceof ArchSpec.AdaptiveAvgPool || l instanceof ArchSpec.AdaptiveMaxPool) {
        image = true;
      } else if (l instanceof ArchSpec.Linear || l instanceof ArchSpec.Flatten) {
        image = false;
      }
      layers.add(l);
    }
    String activation = w.activations.isEmpty() ? null : w.activations.values().iterator().next();
    ArchSpec spec = new ArchSpec(null, activation, layers, output);
    String[] noInput = new String[1];
    int[] input;
    try {
      input = inferInput(tensors, spec, noInput);
    } catch (ImportException e) {
      return null;
    }
    return new Derived(spec, List.copyOf(w.activations.keySet()), input, input == null ? noInput[0] : null);
  }

  /**
   * Blocks of torchvision's and timm's networks that compute what no architecture here describes, by class name:
   * what each computes.
   */
  private static final Map<String, String> UNREADABLE_BLOCKS = Map.ofEntries(
      Map.entry("InvertedResidual", "an inverted residual block (MobileNetV2's, MobileNetV3's, ShuffleNetV2's: a "
          + "1x1 expansion, a depthwise conv and a 1x1 projection without an activation, added to the block's input or "
          + "concatenated with it, and no activation after the sum)"),
      Map.entry("SqueezeExcitation", "a squeeze-and-excitation block (it multiplies each channel of a feature map by "
          + "a gate computed from the whole map)"),
      Map.entry("SqueezeExcite", "a squeeze-and-excitation block (it multiplies each channel of a feature map by a "
          + "gate computed from the whole map)"),
      Map.entry("MBConv", "an EfficientNet block (an inverted residual block with squeeze-and-excitation)"),
      Map.entry("FusedMBConv", "an EfficientNetV2 block (a residual block without an activation after the sum)"),
      Map.entry("Fire", "a SqueezeNet fire module (it concatenates two branches)"),
      Map.entry("Inception", "an inception block (it concatenates parallel branches)"),
      Map.entry("InceptionA", "an inception block (it concatenates parallel branches)"),
      Map.entry("InceptionB", "an inception block (it concatenates parallel branches)"),
      Map.entry("InceptionC", "an inception block (it concatenates parallel branches)"),
      Map.entry("InceptionD", "an inception block (it concatenates parallel branches)"),
      Map.entry("InceptionE", "an inception block (it concatenates parallel branches)"),
      Map.entry("_DenseBlock", "a DenseNet block (each layer's output is concatenated to its input)"),
      Map.entry("_DenseLayer", "a DenseNet layer (its output is concatenated to its input)"),
      Map.entry("ResBottleneckBlock", "a RegNet bottleneck block (a grouped 3x3 conv between 1x1 convs, with "
          + "squeeze-and-excitation in RegNetY)"));

  /** A module's attributes as the activation catalog reads them, a refused value named with the module's path. */
  static TorchActivation.Attributes catalogAttributes(TorchModule.Attributes h) {
    return new TorchActivation.Attributes() {
      @Override public boolean has(String key) { return h.module().attributes().containsKey(key); }

      @Override public Object get(String key) { return h.get(key); }

      @Override public double number(String key) { return h.number(key); }

      @Override public ImportException refused(String key, String what) {
        return h.fail(key + " " + TorchModule.Attributes.show(h.raw(key)) + ": " + what);
      }
    };
  }

  /**
   * The first module of the tree (depth first) that is one of torchvision's or timm's {@link #UNREADABLE_BLOCKS},
   * described with its path and class, or null.
   */
  static String unreadableBlock(TorchModule m, String path) {
    String known = m.className().startsWith("torchvision.") || m.className().startsWith("timm.")
        ? UNREADABLE_BLOCKS.get(m.simpleName()) : null;
    if (known != null) {
      return (path.isEmpty() ? "the whole model" : "its module '" + path + "'") + " is a " + m.className() + ", "
          + known;
    }
    for (TorchModule.Child c : m.children()) {
      String inner = unreadableBlock(c.module(), path.isEmpty() ? c.name() : path + "." + c.name());
      if (inner != null) return inner;
    }
    return null;
  }

  private static String childNames(TorchModule m) {
    List<String> names = new ArrayList<>();
    for (TorchModule.Child c : m.children()) names.add(c.name() + ": " + c.module().simpleName());
    if (names.isEmpty()) return "none";
    if (names.size() <= 12) return String.join(", ", names);
    return String.join(", ", names.subList(0, 12)) + ", ... (" + names.size() + " submodules)";
  }

  private static String describePaths(List<String> paths) {
    return (paths.size() == 1 ? "module '" : "modules '") + String.join("', '", paths.size() > 6
        ? paths.subList(0, 6) : paths) + "'" + (paths.size() > 6 ? ", ..." : "");
  }

  /** The walk over a Sequential's children, in order. */
  private static final class Walk {
    final String source;
    final List<ArchSpec.LayerSpec> layers = new ArrayList<>();
    final Map<String, String> activations = new LinkedHashMap<>();
    /** The class of each activation module, by path. */
    final Map<String, String> activationClasses = new LinkedHashMap<>();
    final List<String> prelus = new ArrayList<>();
    /** The index in {@link #layers} of each activation module's layer, by path. */
    final Map<String, Integer> activationAt = new LinkedHashMap<>();
    final TensorFile file;
    /**
     * Whether the walk drafts a custom module: an {@code nn.ModuleList} or {@code nn.ModuleDict} (which a forward
     * iterates over) is then walked in its order, as a Sequential; in an {@code nn.Sequential} it computes nothing.
     */
    boolean draft;
    /** A softmax module's output activation ({@code softmax} or {@code log-softmax}), else {@code null}. */
    String softmax;
    /** The refusal of a normaliser of the model's code (without the file's name), once the walk met one. */
    String normaliser;
    /** The softmax module, for messages, and the number of layers read before it. */
    TorchModule.Attributes softmaxModule;
    int softmaxAt;
    /**
     * The zero padding (top, bottom, left, right) of the padding modules just read, for the conv after them, and the
     * first of them; {@code null} when the last module was not a padding.
     */
    int[] pad;
    String padPath;
    String padClass;
    boolean padOneD;
    /**
     * The number of dimensions, the batch's included, of the tensor PyTorch computes on after the modules walked so
     * far: 2 for vectors [N, F], 3 for signals [N, C, L], 4 for images [N, C, H, W]; 0 while no module has fixed it.
     * The module that fixed it, for messages.
     */
    int rank;
    String rankModule;
    /** The path of a first {@code nn.Unflatten}, and the per-example shape it makes, else {@code null}. */
    String unflatten;
    int[] unflattenedSize;

    Walk(String source, TensorFile file) {
      this.source = source;
      this.file = file;
    }

    /**
     * A zero padding module ({@code nn.ZeroPad2d}, {@code nn.ConstantPad2d} or {@code nn.ConstantPad1d} of value 0):
     * its paddings (top, bottom, left, right) are kept for the conv that must follow it, into whose own padding they
     * fold ({@link #afterPad}); two in a row add up.
     */
    void zeroPad(TorchModule.Attributes h, String cls) {
      Object value = h.get("value");
      h.require("value", value instanceof Number v && v.doubleValue() == 0, "a constant padding of a value other "
          + "than 0, which the normal form's convs (padded with zeros) do not compute");
      boolean oneD = cls.endsWith("1d");
      Object p = h.get("padding");
      List<?> sides = p instanceof List<?> l ? l : List.of(p);
      int[] lrtb = new int[4];
      boolean ok = sides.size() == (oneD ? 2 : 4);
      for (int i = 0; ok && i < sides.size(); i++) {
        ok = (sides.get(i) instanceof Integer || sides.get(i) instanceof Long)
            && ((Number) sides.get(i)).longValue() >= 0 && ((Number) sides.get(i)).longValue() <= 1 << 20;
        if (ok) lrtb[i] = ((Number) sides.get(i)).intValue();
      }
      h.require("padding", ok, "expected " + (oneD ? "(left, right)" : "(left, right, top, bottom)") + " of integers "
          + ">= 0 (a negative padding crops the map, which is not read)");
      int[] add = {lrtb[2], lrtb[3], lrtb[0], lrtb[1]};
      if (pad == null) {
        pad = add;
        padPath = h.path();
        padClass = h.module().className();
        padOneD = oneD;
      } else {
        for (int i = 0; i < 4; i++) pad[i] += add[i];
        padOneD &= oneD;
      }
    }

    /**
     * The layer after a zero padding: a {@code Conv2d} (or, after a 1-d padding equal on both sides, a
     * {@code Conv1d}) with the padding folded into its own; anything else is refused naming both modules.
     */
    ArchSpec.LayerSpec afterPad(TorchModule.Attributes h, String cls) {
      String what = "module '" + padPath + "' (" + padClass + ") pads with zeros (top " + pad[0] + ", bottom " + pad[1]
          + ", left " + pad[2] + ", right " + pad[3] + ") the input of module '" + h.path() + "' (" + cls + ")";
      ArchSpec.LayerSpec layer = cls.equals("Conv2d") || cls.equals("Conv1d") ? ArchSpec.fromModule(h) : null;
      int[] p = pad;
      pad = null;
      if (layer instanceof ArchSpec.Conv c && !padOneD) {
        return c.withZeroPadding(p[0], p[1], p[2], p[3], h.pair("kernel_size"));
      }
      if (layer instanceof ArchSpec.Conv1d c && padOneD) {
        if (p[2] != p[3] || c.same()) {
          throw new ImportException(source + ": " + what + ": a Conv1d after a padding that differs before and "
              + "after the signal (or after padding='same') is not read; a Conv2d of a 1 x k kernel on the input "
              + "[C, 1, L] after nn.ZeroPad2d((left, right, 0, 0)) is");
        }
        return new ArchSpec.Conv1d(c.name(), c.stride(), c.padding() + p[2], c.groups(), c.dilation(), false);
      }
      throw new ImportException(source + ": " + what + ": a zero padding is read only right before a conv of its "
          + "dimension (nn.ZeroPad2d or nn.ConstantPad2d(p, 0) before a Conv2d, nn.ConstantPad1d(p, 0) before a "
          + "Conv1d), where it folds into the conv's own padding; write the padding in the conv (padding=...)");
    }

    void sequential(String prefix, TorchModule seq) {
      noHooks(prefix.isEmpty() ? "(the root)" : prefix.substring(0, prefix.length() - 1), seq);
      for (TorchModule.Child c : seq.children()) {
        String path = prefix + c.name();
        TorchModule m = c.module();
        if (m.isSequential() || draft && (m.isTorchNn("ModuleList") || m.isTorchNn("ModuleDict"))) {
          sequential(path + ".", m);
        } else {
          leaf(path, m);
        }
      }
    }

    void leaf(String path, TorchModule m) {
      TorchModule.Attributes h = new TorchModule.Attributes(source, path, m);
      noHooks(path, m);
      String cls = m.simpleName();
      if (m.className().equals("torchvision.transforms.transforms.Normalize")) {
        if (pad != null) layers.add(afterPad(h, cls));
        layers.add(ArchSpec.Normalize.fromTorchvision(h));
        return;
      }
      String normaliser = normaliser(h);
      if (normaliser != null) {
        this.normaliser = "module '" + path + "' (" + m.className() + "): " + normaliser;
        throw h.fail(normaliser);
      }
      if (!m.className().startsWith("torch.nn.modules.")) {
        throw h.fail("a module class of its own, not one of torch.nn's: its forward is code the file does not hold "
            + "(the modules read: " + SUPPORTED + "). " + SPEC_CAN_SAY);
      }
      if (IDENTITY.contains(cls)) return;
      rank(h, cls);
      if (ZERO_PAD.contains(cls)) {
        zeroPad(h, cls);
        return;
      }
      if (OTHER_PAD.contains(cls)) {
        throw h.fail("a " + cls + " pads the map with " + (cls.startsWith("Reflection") ? "its reflection at the "
            + "border" : cls.startsWith("Replication") ? "copies of its border values" : "the values of the opposite "
            + "border") + ", which the normal form's convs, padded with zeros, do not compute (only zero padding is "
            + "read: nn.ZeroPad2d, nn.ConstantPad2d of value 0, or a conv's own padding)");
      }
      if (pad != null) {
        ArchSpec.LayerSpec padded = afterPad(h, cls);
        layers.add(padded);
        return;
      }
      if (SOFTMAX.contains(cls)) {
        softmax(h, cls);
        return;
      }
      if (PER_EXAMPLE_NORM.contains(cls)) throw h.fail(perExampleNorm(h, cls));
      if (cls.equals("PReLU")) {
        prelu(h);
        return;
      }
      if (cls.equals("RReLU")) {
        rrelu(h);
        return;
      }
      if (cls.equals("Unflatten")) {
        unflatten(h);
        return;
      }
      ArchSpec.LayerSpec layer = ArchSpec.fromModule(h);
      if (layer != null) layers.add(layer);
      else activation(h, cls);
    }

    /**
     * Why a module of the user's code that holds only a {@code mean} and a {@code std} buffer (an input normaliser:
     * RobustBench's {@code ImageNormalizer}, a {@code Normalize} class of the training code) is not read, and how to
     * read it; {@code null} for any other module.
     */
    String normaliser(TorchModule.Attributes h) {
      TorchModule m = h.module();
      if (m.className().startsWith("torch.") || !m.children().isEmpty()) return null;
      String pre = file.modelPrefix() + h.path() + ".";
      List<String> own = file.ownTensors(h.path());
      if (!own.contains("mean") || !own.contains("std") || own.size() != 2) return null;
      String path = h.path();
      return "it holds only the tensors '" + path + ".mean' " + java.util.Arrays.toString(file.tensors().get(pre
          + "mean").tensor().shape()) + " and '" + path + ".std' " + java.util.Arrays.toString(file.tensors().get(pre
          + "std").tensor().shape()) + ", as an input normalisation does, but its forward is code the file does not "
          + "hold, so what it computes is not read from it. If it computes (x - mean) / std per channel (as "
          + "RobustBench's ImageNormalizer and torchvision's transforms.Normalize do), write the network as a JSON "
          + "spec whose first layer is {\"type\": \"normalize\", \"name\": \"" + path + "\", \"mean\": \""
          + path + ".mean\", \"std\": \"" + path + ".std\"} and give it as the architecture (compare its outputs "
          + "with PyTorch's first; docs/arch-spec.md), or save the model with "
          + "torchvision.transforms.Normalize(mean, std) in its place, which is read" + resNetBeside();
    }

    /**
     * For a normaliser beside a network with a torchvision-style ResNet's names (RobustBench's layout,
     * {@code normalize} and {@code model}), where the spec of that network is found.
     */
    private String resNetBeside() {
      List<String> resnets = ResNetPreset.prefixes(file);
      if (resnets.size() != 1) return "";
      String p = resnets.get(0);
      return " (the network beside it has a torchvision-style ResNet's names, under '" + p + "': the "
          + Presets.CIFAR_RESNET + " preset reads it, and inspect, given that preset as the architecture, prints its "
          + "spec, to save and put the normalize layer first; the spec's names are read under '" + p + "', the "
          + "normalisation's beside it)";
    }

    /**
     * Why a LayerNorm, GroupNorm, InstanceNorm or LocalResponseNorm is not read: it normalises each example by the
     * mean and variance (LocalResponseNorm: the sum of squares) of its own values, a function of the input at
     * inference, where an eval-mode BatchNorm uses fixed running statistics and is an affine map per channel.
     */
    static String perExampleNorm(TorchModule.Attributes h, String cls) {
      String over = switch (cls) {
        case "LayerNorm" -> {
          long n = 1;
          if (h.raw("normalized_shape") instanceof List<?> l) {
            for (Object o : l) n = o instanceof Number x ? n * x.longValue() : -1;
          }
          yield "each example by the mean and variance of its own last " + (n > 0 ? n + " " : "") + "values "
              + "(normalized_shape " + TorchModule.Attributes.show(h.raw("normalized_shape")) + ")";
        }
        case "GroupNorm" -> {
          Object g = h.raw("num_groups");
          Object c = h.raw("num_channels");
          String per = g instanceof Number gn && c instanceof Number cn && gn.intValue() > 0
              ? " of " + cn.intValue() / gn.intValue() + " channels" : "";
          yield "each example by the mean and variance of each of its " + TorchModule.Attributes.show(g)
              + " groups" + per + " (over the group's channels and positions)";
        }
        case "LocalResponseNorm" -> "each value by the sum of squares of the values at its position in "
            + TorchModule.Attributes.show(h.raw("size")) + " neighbouring channels of the same example";
        default -> "each example's channels by the mean and variance of that channel's own positions"
            + (Boolean.TRUE.equals(h.raw("track_running_stats")) ? " (track_running_stats=True: in eval mode "
            + "PyTorch uses its running statistics, an affine map per channel, which is not read either; save it as "
            + "a BatchNorm of those statistics)" : "");
      };
      return ("AEIOU".indexOf(cls.charAt(0)) >= 0 ? "an " : "a ") + cls + " normalises " + over
          + ", computed from the input at inference as in training: (x - "
          + "mean) / sqrt(var + eps), which divides by a function of the input. An eval-mode BatchNorm, whose "
          + "running statistics are fixed, is an affine map per channel and folds into the layer before it; this is "
          + "not affine in x, and no layer of the normal form (convs, linear layers, poolings and one activation) "
          + "computes it, so the network cannot be read exactly. To build a ticket, train the network with "
          + "BatchNorm in its place (or without a normalisation)";
    }

    /**
     * An {@code nn.PReLU}: {@code max(0, x) + a min(0, x)} with its learned slope {@code a} (its parameter
     * {@code weight}), which is leaky-relu(a) when the module has one slope; one slope per channel
     * ({@code num_parameters} C) is an activation per channel, refused.
     */
    void prelu(TorchModule.Attributes h) {
      String name = file.modelPrefix() + h.path() + ".weight";
      if (!file.has(name)) throw h.fail("no tensor '" + name + "' (the PReLU's learned slope)");
      double[] a = file.tensors().get(name).tensor().data();
      if (a.length != 1) { // a slope per channel: ReLU of doubled channels (net.ReluDoubling)
        prelus.add(h.path());
        activations.put(h.path(), PER_CHANNEL);
        activationClasses.put(h.path(), h.module().className());
        activationAt.put(h.path(), layers.size());
        layers.add(new ArchSpec.OwnSlopes(h.path(), Double.NaN));
        return;
      }
      String leaky;
      try {
        leaky = ActivationCatalog.parse("leaky-relu(" + a[0] + ")").name();
      } catch (IllegalArgumentException e) {
        throw h.fail("learned slope " + a[0] + " (tensor '" + name + "'): " + e.getMessage());
      }
      prelus.add(h.path());
      activations.put(h.path(), canonical(leaky));
      activationClasses.put(h.path(), h.module().className());
      activationAt.put(h.path(), layers.size());
      layers.add(new ArchSpec.Activation());
    }

    /**
     * An {@code nn.RReLU(lower, upper)}: in training a random negative slope drawn from [lower, upper] for each
     * value, in eval mode (as PyTorch's {@code F.rrelu(x, lower, upper, training=False)} computes) the leaky relu of
     * the mean slope {@code (lower + upper) / 2}, computed in double precision as PyTorch does.
     */
    void rrelu(TorchModule.Attributes h) {
      double lower = h.number("lower");
      double upper = h.number("upper");
      h.require("upper", lower <= upper, "expected lower <= upper (got lower " + lower + ")");
      double slope = (lower + upper) / 2;
      String leaky;
      try {
        leaky = ActivationCatalog.parse("leaky-relu(" + slope + ")").name();
      } catch (IllegalArgumentException e) {
        throw h.fail("eval-mode slope (lower + upper) / 2 = " + slope + ": " + e.getMessage());
      }
      activations.put(h.path(), canonical(leaky));
      activationClasses.put(h.path(), h.module().className());
      activationAt.put(h.path(), layers.size());
      layers.add(new ArchSpec.Activation());
    }

    /**
     * An {@code nn.Unflatten(1, (C, H, W))} as the first module: the model is called on flat rows [N, C*H*W] and
     * computes on [N, C, H, W], the same values in the same (C) order, so its input shape is the unflattened one
     * (a vector of F values to {@code (C, L)} is the signal [C, 1, L] a Conv1d reads, to {@code (F,)} the vector
     * itself). Anywhere else it is refused: the normal form's layers do not turn a vector back into a map.
     */
    void unflatten(TorchModule.Attributes h) {
      if (!layers.isEmpty() || unflatten != null) {
        throw h.fail("an nn.Unflatten after a layer turns a vector back into a map, which the normal form's layers do "
            + "not represent; supported only as the model's first module, where it gives the input shape (write the "
            + "network without it, calling it on [N, C, H, W] inputs)");
      }
      int dim = h.integer("dim");
      h.require("dim", dim == 1 || dim == -1, "only the dimension after the batch's (1, or -1 on flat rows [N, F]) "
          + "is supported");
      Object size = h.get("unflattened_size");
      List<Integer> sides = new ArrayList<>();
      if (size instanceof List<?> l) {
        for (Object o : l) {
          if (!(o instanceof Integer || o instanceof Long) || ((Number) o).longValue() < 1
              || ((Number) o).longValue() > 1 << 20) {
            sides.clear();
            break;
          }
          sides.add(((Number) o).intValue());
        }
      }
      h.require("unflattened_size", sides.size() >= 1 && sides.size() <= 3, "expected a tuple of 1 to 3 sizes >= 1 "
          + "((C, H, W) of an image, (C, L) of a signal)");
      unflatten = h.path();
      rank = 1 + sides.size();
      rankModule = "module '" + h.path() + "' (Unflatten)";
      unflattenedSize = sides.size() == 2 ? new int[] {sides.get(0), 1, sides.get(1)}
          : sides.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Follows the number of dimensions of PyTorch's tensor ({@link #rank}) through a module: a Conv1d or a 1-d pooling
     * makes signals, a Conv2d or a 2-d pooling images, a flatten (or a first linear layer) vectors. A 2-d module after
     * a signal's reads the 3-d tensor [N, C, L] as one image without a batch, [C, H, W]: its windows run across the
     * channels and a conv's input channels are the batch's examples, where the layers read each example as the one-row
     * image [C, 1, L]. It is refused, but for a pooling whose windows are one row (kernel and stride 1 across the
     * channels, no padding there), which pools each channel alone as the layers do.
     */
    void rank(TorchModule.Attributes h, String cls) {
      if (rank == 3 && IMAGE.contains(cls)) {
        ArchSpec.LayerSpec layer = cls.endsWith("Pool2d") ? ArchSpec.fromModule(h) : null;
        if (layer instanceof ArchSpec.MaxPool m && m.kh() == 1 && m.sh() == 1 && m.ph() == 0
            || layer instanceof ArchSpec.AvgPool a && a.kh() == 1 && a.sh() == 1) {
          return;
        }
        throw h.fail("a 2-d module on the signals [N, C, L] after " + rankModule + ": PyTorch reads a 3-d tensor "
            + "as one image without a batch, [C, H, W] = [N, C, L], so its windows run across the channels (and a "
            + "conv's input channels are the batch's examples), not along each example's signal as the layers "
            + "read it; use the 1-d module (Conv1d, MaxPool1d, AvgPool1d, AdaptiveAvgPool1d, AdaptiveMaxPool1d)");
      }
      int after = SIGNAL.contains(cls) ? 3 : IMAGE.contains(cls) && !cls.endsWith("Pad2d") ? 4
          : cls.equals("Flatten") || cls.equals("Linear") && rank == 0 ? 2 : 0;
      if (after > 0) {
        rank = after;
        rankModule = "module '" + h.path() + "' (" + cls + ")";
      }
    }

    /**
     * A softmax, log-softmax or {@code nn.Softmax2d} module: over the channels (its {@code dim} 1 or -3, or
     * {@code None}, which PyTorch takes as 1 for a batch of vectors or maps; -1 is the channels of vectors only). On a
     * batch of signals [N, C, L] ({@link #rank} 3) the channels are dim 1 or -2: there PyTorch takes {@code None} as 0,
     * and -3 (Softmax2d's) is the batch too, refused. It must be the model's last module ({@link #outputActivation}).
     */
    void softmax(TorchModule.Attributes h, String cls) {
      if (softmax != null) throw h.fail("a second softmax module (the first is '" + softmaxModule.path() + "')");
      Object dim = cls.equals("Softmax2d") ? null : h.raw("dim");
      if (rank == 3 && !(dim != null && (dim.equals(1) || dim.equals(-2)))) {
        boolean batch = dim == null || dim.equals(0) || dim.equals(-3);
        throw h.fail((cls.equals("Softmax2d") ? "Softmax2d's dim -3" : "dim " + TorchModule.Attributes.show(dim))
            + " on the signals [N, C, L] after " + rankModule + ": PyTorch normalises " + (batch ? "over dim 0 there, across the batch's "
            + "examples" : "along each signal") + ", not over the output channels (dim 1, or -2, on signals), as "
            + "a classifier's over its classes");
      }
      boolean vector = false;
      for (ArchSpec.LayerSpec l : layers) vector = l.vectorOutput(vector);
      boolean channels = rank == 3 || dim == null || dim.equals(1) || dim.equals(-3) || dim.equals(-1) && vector;
      if (!channels) {
        throw h.fail("dim " + dim + ": the normalisation must run over the output channels (dim 1, or -1 on a "
            + "batch of vectors), as a classifier's over its classes");
      }
      softmax = cls.equals("LogSoftmax") ? OutputActivation.LOG_SOFTMAX.name() : OutputActivation.SOFTMAX.name();
      softmaxModule = h;
      softmaxAt = layers.size();
    }

    /** A module the catalog knows by its torch.nn class ({@link ActivationCatalog#fromTorch}). */
    void activation(TorchModule.Attributes h, String cls) {
      TorchActivation.Attributes read = catalogAttributes(h);
      String name;
      try {
        name = ActivationCatalog.fromTorch(cls, read).orElseThrow(() -> h.fail(
            h.module().isTorchNn(cls) && OTHER_ACTIVATIONS.containsKey(cls) ? outsideCatalog(cls)
            : "not supported (supported: " + SUPPORTED + ")")).name();
      } catch (IllegalArgumentException e) {
        throw h.fail(e.getMessage());
      }
      activations.put(h.path(), canonical(name));
      activationClasses.put(h.path(), h.module().className());
      activationAt.put(h.path(), layers.size());
      layers.add(new ArchSpec.Activation());
    }

    /**
     * torch.nn's elementwise activation modules that the catalog does not have, each with why: the constructions need
     * a Lipschitz activation whose local model at 0 has slopes m- + m+ != 0 (the [identity] lemma).
     */
    static final Map<String, String> OTHER_ACTIVATIONS = Map.of(
        "Tanhshrink", "t - tanh(t) has slope 0 at 0 (m- = m+ = 0)",
        "Softshrink", "it is 0 on [-lambda, lambda] (m- = m+ = 0)",
        "Hardshrink", "it is 0 on [-lambda, lambda] (m- = m+ = 0)",
        "Threshold", "it jumps at its threshold (unless its value is the threshold), so no Lipschitz constant bounds "
            + "it");

    /** Why an activation module of {@code torch.nn} that the catalog does not have ({@code Tanhshrink}, ...) is refused. */
    static String outsideCatalog(String cls) {
      return "not supported: an activation the catalog does not have (its activation modules: "
          + String.join(", ", ActivationCatalog.torchClassNames()) + ", and PReLU with one slope and RReLU; "
          + "'ticketproof activations' lists them): " + OTHER_ACTIVATIONS.get(cls) + ", and the constructions need a "
          + "Lipschitz activation whose local model at 0 has slopes m- + m+ != 0, so the network is not read; a "
          + "ticket can be built for a network trained with one of the catalog's activations";
    }

    /** A zero padding must be followed by a conv: one after the last module is refused. */
    void noPadLeft() {
      if (pad != null) {
        throw new ImportException(source + ": module '" + padPath + "' (" + padClass + ") pads the network's "
            + "outputs, after its last layer: a zero padding is read only right before a conv, where it folds into "
            + "the conv's own padding");
      }
    }

    void noHooks(String path, TorchModule m) {
      if (m.forwardHooks() > 0) {
        throw new ImportException(source + ": module '" + path + "' (" + m.className() + ") has " + m.forwardHooks()
            + " forward hook(s), which change what it computes; write a JSON spec (docs/arch-spec.md) for the "
            + "network as it computes");
      }
    }
  }

  /** Largest square input side tried when the input shape is inferred. */
  static final int MAX_SIDE = 1024;

  /**
   * The input shape a whole model's layers fix: a network whose first layer with weights is linear reads
   * {@code [in_features]}; one that starts with a conv reads {@code [C, H, H]} (C the conv's input channels) for the
   * square side H in [1, {@value #MAX_SIDE}] at which its first linear layer gets its {@code in_features} (one that
   * starts with a Conv1d: the signals [C, L], read as [C, 1, L], for L in that range), each size
   * run through the layers' own shape rules ({@link Layer#outShape}). When several
   * sides fit (pooling and strides round down), the one at which no layer drops a row or column is taken if there is
   * one; otherwise the input shape is not inferred. Also {@code null}, with the reason in {@code why[0]}, when a global
   * or adaptive average pooling comes first (any size, or any multiple of its output, fits) or there is no linear
   * layer.
   */
  static int[] inferInput(TensorFile file, ArchSpec spec, String[] why) {
    return inferInput(file, spec, why, new String[1]);
  }

  /**
   * How the input shape of a whole model's layers was inferred ({@link #inferInput}), for a note, or {@code null}
   * when it is not inferred.
   *
   * @param tensors the model's tensors named as the spec names them ({@link TargetLoader.Loaded#tensors()})
   */
  public static String inferenceNote(TensorFile tensors, ArchSpec spec) {
    String[] note = new String[1];
    return inferInput(tensors, spec, new String[1], note) == null ? null : note[0];
  }

  private static int[] inferInput(TensorFile file, ArchSpec spec, String[] why, String[] note) {
    int firstConvIn = -1;
    boolean signal = false;
    int linearIndex = -1;
    int features = -1;
    for (int i = 0; i < spec.layers().size() && linearIndex < 0; i++) {
      ArchSpec.LayerSpec l = spec.layers().get(i);
      if (l instanceof ArchSpec.Linear lin) {
        int[] w = shape(file, lin.name() + ".weight");
        if (w == null || w.length != 2) return unknown(why, "tensor '" + lin.name() + ".weight' is not [out, in]");
        if (firstConvIn < 0) {
          note[0] = "the in_features of linear layer '" + lin.name() + "', its first layer with weights";
          return new int[] {w[1]};
        }
        linearIndex = i;
        features = w[1];
      } else if (l instanceof ArchSpec.Conv || l instanceof ArchSpec.Conv1d) {
        boolean oneD = l instanceof ArchSpec.Conv1d;
        int[] w = shape(file, l.name() + ".weight");
        if (w == null || w.length != (oneD ? 3 : 4)) {
          return unknown(why, "tensor '" + l.name() + ".weight' is not " + (oneD ? "[out, in, k]"
              : "[out, in, kh, kw]"));
        }
        if (firstConvIn < 0) {
          firstConvIn = w[1] * (oneD ? ((ArchSpec.Conv1d) l).groups() : ((ArchSpec.Conv) l).groups());
          signal = oneD;
        }
      } else if (l instanceof ArchSpec.GlobalAvgPool) {
        return unknown(why, "layer " + i + " (global average pooling) reads " + (signal ? "signals" : "images")
            + " of any size");
      } else if (l instanceof ArchSpec.AdaptiveAvgPool a) {
        return unknown(why, "layer " + i + " (adaptive average pooling to " + a.outH() + "x" + a.outW() + ") reads "
            + "images of any size that is a multiple of it");
      } else if (l instanceof ArchSpec.AdaptiveMaxPool a) {
        return unknown(why, "layer " + i + " (adaptive max pooling to " + a.outH() + "x" + a.outW() + ") reads "
            + "images of any size that is a multiple of it");
      }
    }
    if (linearIndex < 0) return unknown(why, "it has no linear layer");
    ArchSpec.Linear linear = (ArchSpec.Linear) spec.layers().get(linearIndex);
    List<Integer> fit = new ArrayList<>();
    List<Integer> exact = new ArrayList<>();
    String[] refused = new String[1];
    for (int side = 1; side <= MAX_SIDE; side++) {
      boolean[] whole = {true};
      int[] out;
      try {
        out = run(file, spec.activation(), spec.layers().subList(0, linearIndex), new int[] {firstConvIn,
            signal ? 1 : side, side}, whole, refused);
      } catch (ImportException e) {
        return unknown(why, e.getMessage());
      }
      if (out != null && Budget.values(out) == features && (out.length == 1 || out.length == 3 && out[1] == 1
          && out[2] == 1)) {
        fit.add(side);
        if (whole[0]) exact.add(side);
      }
    }
    List<Integer> take = fit.size() == 1 ? fit : exact.size() == 1 ? exact : List.of();
    List<String> sizes = new ArrayList<>();
    for (int side : fit.size() > 8 ? fit.subList(0, 8) : fit) {
      sizes.add("[" + firstConvIn + ", " + (signal ? 1 : side) + ", " + side + "]");
    }
    String all = String.join(", ", sizes) + (fit.size() > 8 ? ", ..." : "");
    if (take.size() == 1) {
      String kind = signal ? "signal length (a signal [C, L] read as [C, 1, L])" : "square size";
      note[0] = fit.size() == 1 ? "the one " + kind + " at which linear layer '" + linear.name() + "' gets its "
          + features + " features" : "of the " + (signal ? "signals read as " : "square ") + "inputs " + all
          + ", which all give linear layer '" + linear.name() + "' its " + features + " features, the one at which "
          + "no conv or pooling layer drops rows or columns";
      return new int[] {firstConvIn, signal ? 1 : take.get(0), take.get(0)};
    }
    if (fit.isEmpty()) {
      return unknown(why, "no " + (signal ? "signal of length 1 to " + MAX_SIDE : "square input from 1x1 to "
          + MAX_SIDE + "x" + MAX_SIDE) + " gives linear layer '" + linear.name() + "' its " + features
          + " features" + (refused[0] == null ? "" : "; a conv is refused from " + refused[0]));
    }
    return unknown(why, "inputs " + all + " all give linear "
        + "layer '" + linear.name() + "' its " + features + " features" + (exact.isEmpty() ? ", each with a layer "
        + "that drops rows" : ""));
  }

  /**
   * The shape after {@code layers} (none of them linear) for input {@code in}, or {@code null} when a layer does not
   * accept its input; {@code whole[0]} is cleared when a layer leaves rows or columns unread (one row or column less
   * gives it as many outputs, as for a conv or pooling window that does not end on the last one). Each layer is
   * built from the tensors as the network will be ({@link NetworkBuilder#layer}) and gives its own shape. A layer
   * that no layer of the normal form computes on its input (a conv with unequal strides, say) gives {@code null},
   * the first such refusal kept in {@code refused[0]}.
   *
   * @throws ImportException when a layer cannot be built from the tensors
   */
  private static int[] run(TensorFile file, String activation, List<ArchSpec.LayerSpec> layers, int[] in,
      boolean[] whole, String[] refused) {
    Activation phi = activation == null ? null : ActivationCatalog.parse(activation);
    int[] s = in;
    try {
      for (int i = 0; i < layers.size(); i++) {
        Layer layer;
        try {
          layer = NetworkBuilder.layer(file.source(), layers.get(i), file, phi, "layer " + i, s);
        } catch (ShapeRefusal e) {
          if (refused[0] == null) refused[0] = "input " + Arrays.toString(in) + " on: " + e.getMessage();
          return null;
        }
        int[] out = layer.outShape(s);
        if (s.length == 3 && out.length == 3 && (dropsLast(layer, s, 1, out) || dropsLast(layer, s, 2, out))) {
          whole[0] = false;
        }
        s = out;
      }
      return s;
    } catch (IllegalArgumentException | ArithmeticException e) {
      return null;
    }
  }

  /** Whether the layer gives as many outputs along {@code axis} for one row (or column) of input less. */
  private static boolean dropsLast(Layer layer, int[] in, int axis, int[] out) {
    int[] less = in.clone();
    less[axis]--;
    try {
      int[] o = layer.outShape(less);
      return o.length == 3 && o[axis] == out[axis];
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static int[] shape(TensorFile file, String name) {
    return file.has(name) ? file.tensor(name).shape() : null;
  }

  private static int[] unknown(String[] why, String reason) {
    why[0] = reason;
    return null;
  }
}
