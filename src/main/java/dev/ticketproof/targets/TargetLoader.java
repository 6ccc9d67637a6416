package dev.ticketproof.targets;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.io.ArchSpec;
import dev.ticketproof.io.ImportException;
import dev.ticketproof.io.NetworkBuilder;
import dev.ticketproof.io.TensorFile;
import dev.ticketproof.io.TensorFiles;
import dev.ticketproof.limits.BadParameter;
import dev.ticketproof.targets.Architectures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Loads a target network from a tensor file and an architecture: the one entry point the commands use for
 * {@code --target PATH --arch SPEC [--activation A] [--no-masks]}.
 */
public final class TargetLoader {
  private TargetLoader() {}

  /**
   * A loaded target.
   *
   * @param tensors the file's tensors (masks applied unless asked not to)
   * @param spec the architecture as resolved (a preset's inferred spec, or the JSON spec)
   * @param prefix the name prefix the spec's tensors were read under ({@code ""} for none)
   * @param prefixDetected whether that prefix was found automatically rather than given
   * @param activation the activation used, or {@code null} if the network has none
   * @param built the network, its layer table and the tensors no layer reads
   * @param inferredPreset the preset taken for a file given without an architecture whose names are that preset's
   *     ({@link Architectures#inferPreset}), else {@code null}
   * @param rewrite for a pre-activation ResNet read as a post-activation one of doubled width ({@link PreActResNet}):
   *     what was read and how it was rewritten; then {@code spec} and the network's layers name the rewritten
   *     tensors, not the file's. Else {@code null}
   * @param fromModules for a preset read on a whole model, the hyper-parameters its modules have where the preset
   *     would have taken others ({@link Architectures.Resolved#fromModules}), else {@code null}
   */
  public record Loaded(TensorFile tensors, ArchSpec spec, String prefix, boolean prefixDetected, Activation activation,
      NetworkBuilder.Built built, String inferredPreset, String rewrite, String fromModules) {
    /** A target read as its file describes it (no rewrite). */
    public Loaded(TensorFile tensors, ArchSpec spec, String prefix, boolean prefixDetected, Activation activation,
        NetworkBuilder.Built built, String inferredPreset) {
      this(tensors, spec, prefix, prefixDetected, activation, built, inferredPreset, null, null);
    }
  }

  /**
   * The activation given for a whole model is not the one its activation modules compute: a bad {@code activation},
   * which also says what the model computes, so that a caller can say it in its own words.
   */
  public static final class ActivationMismatch extends BadParameter {
    private static final long serialVersionUID = 1L;
    private final String model;
    private final String computed;

    ActivationMismatch(String given, String model, String computed) {
      super("activation", "activation " + given + ": the whole model " + model + " computes " + computed
          + " (its activation modules); omit the activation or give " + computed);
      this.model = model;
      this.computed = computed;
    }

    /** The whole model's file. */
    public String model() { return model; }

    /** The activation its modules compute. */
    public String computed() { return computed; }
  }

  /**
   * A warning when the architecture leaves unread parameter tensors of the file under its prefix (names ending in
   * {@code .weight}, {@code .bias}, {@code .running_mean} or {@code .running_var}): a layer of the network that a
   * spec leaves out, a BatchNorm say, is not computed, and nothing else would show it. Also when it leaves unread
   * other tensors of a layer it reads ({@code conv.gain}, {@code fc.scale}; a BatchNorm's {@code num_batches_tracked}
   * aside): a layer that computes with them computes another function here.
   *
   * @return the warning, or {@code null}
   */
  public static String unreadLayers(Loaded loaded) {
    Set<String> unused = new HashSet<>(loaded.built().unusedTensors());
    List<String> names = new ArrayList<>();
    List<String> beside = new ArrayList<>();
    Set<String> layers = new HashSet<>();
    for (String n : loaded.tensors().names()) {
      if (!unused.contains(n) && n.lastIndexOf('.') > 0) layers.add(n.substring(0, n.lastIndexOf('.')));
    }
    for (String n : loaded.built().unusedTensors()) {
      if (!n.startsWith(loaded.prefix()) || n.endsWith(".num_batches_tracked")) continue;
      if (n.endsWith(".weight") || n.endsWith(".bias") || n.endsWith(".running_mean") || n.endsWith(".running_var")) {
        names.add(n);
      } else if (n.lastIndexOf('.') > 0 && layers.contains(n.substring(0, n.lastIndexOf('.')))) {
        beside.add(n);
      }
    }
    if (names.isEmpty() && beside.isEmpty()) return null;
    String left = "the architecture does not read " + names.size() + " parameter tensor"
        + (names.size() == 1 ? "" : "s") + " of " + loaded.tensors().source() + " ("
        + String.join(", ", names.subList(0, Math.min(4, names.size()))) + (names.size() > 4 ? ", ..." : "")
        + "): a layer it leaves out is not computed, so the outputs computed here are not the network's if it has "
        + "that layer";
    String other = beside.size() + " tensor" + (beside.size() == 1 ? "" : "s") + " of layers it reads in "
        + loaded.tensors().source() + " (" + String.join(", ", beside.subList(0, Math.min(4, beside.size())))
        + (beside.size() > 4 ? ", ..." : "") + "): a layer whose forward computes with them (a gain, a scale) "
        + "computes another function here";
    return (names.isEmpty() ? "the architecture does not read " + other : beside.isEmpty() ? left
        : left + "; nor does it read " + other) + "; compare eval with PyTorch's outputs (inspect lists every tensor "
        + "not read)";
  }

  /**
   * A warning when the architecture leaves unread a pair of tensors {@code P.mean} and {@code P.std} (or
   * {@code mean} and {@code std}) and has no normalisation layer: an input normaliser's buffers, which a spec written
   * for the layers after it leaves out, so that its outputs are not the model's (a custom module's
   * {@code (x - mean) / std} in its forward: 69 % off on the tenth round's fixture, with no other sign).
   *
   * @return the warning, or {@code null}
   */
  public static String unreadNormalisation(Loaded loaded) {
    for (ArchSpec.LayerSpec l : loaded.spec().layers()) if (l instanceof ArchSpec.Normalize) return null;
    List<String> unused = loaded.built().unusedTensors();
    for (String n : unused) {
      if (!(n.equals("mean") || n.endsWith(".mean"))) continue;
      String std = n.substring(0, n.length() - "mean".length()) + "std";
      if (unused.contains(std)) {
        return "the architecture does not read the tensors '" + n + "' and '" + std + "' of " + loaded.tensors()
            .source() + ": if the model normalises its input with them, (x - mean) / std in its forward, the outputs "
            + "computed here are not its outputs; say so in the spec's first layer, {\"type\": \"normalize\", "
            + "\"mean\": \"" + n + "\", \"std\": \"" + std + "\"} (docs/arch-spec.md)" + (loaded.inferredPreset() != null
            || !loaded.prefix().isEmpty() ? " (with a preset: save the architecture inspect prints as a JSON spec, put "
            + "that layer first and give the spec as the architecture; the normalisation's tensors are read by their names in "
            + "the file, beside the prefix '" + loaded.prefix() + "' of the network's)" : "")
            + ", and compare eval with PyTorch's outputs";
      }
    }
    return null;
  }

  /**
   * Reads the target's tensors and builds its network.
   *
   * @param target a {@code .pt}, {@code .npy}, {@code .npz} file or a directory of {@code .npy} files
   * @param arch a preset name or the path of a JSON spec, or {@code null} for the architecture of a whole model's
   *     {@code nn.Sequential} ({@link WholeModels}) or, for a state dict whose names are a ResNet's, the
   *     {@value Presets#CIFAR_RESNET} preset ({@link Architectures#inferPreset})
   * @param activation the activation's catalog name, or {@code null} to use the spec's {@code "activation"} (for a
   *     whole model: the one its activation modules name, which a given activation must equal)
   * @param input the per-example input shape if known (e.g. from an input batch), else {@code null}
   * @param applyMasks whether to apply masks {@code X_mask}
   * @throws ImportException naming the file, flag or tensor at fault
   */
  public static Loaded load(Path target, String arch, String activation, int[] input, boolean applyMasks) {
    return load(target, arch, activation, input, "the given input", applyMasks);
  }

  /**
   * As {@link #load(Path, String, String, int[], boolean)}, naming where the input shape came from in messages.
   *
   * @param inputSource e.g. {@code --input x.npy}
   */
  public static Loaded load(Path target, String arch, String activation, int[] input, String inputSource,
      boolean applyMasks) {
    return load(target, arch, null, activation, input, inputSource, applyMasks);
  }

  /**
   * As {@link #load(Path, String, String, int[], String, boolean)}, reading the tensors under a name prefix.
   *
   * @param prefix the prefix of the tensor names the spec reads ({@code "module."}), or {@code null} to find it
   *     (see {@link Architectures#resolve})
   */
  public static Loaded load(Path target, String arch, String prefix, String activation, int[] input,
      String inputSource, boolean applyMasks) {
    TensorFile tensors = TensorFiles.read(target, applyMasks);
    String hidden = hiddenForward(tensors);
    if (hidden != null) throw new ImportException(hidden);
    Loaded pre = preActivation(target, tensors, arch, prefix, activation, input, inputSource);
    if (pre != null) return pre;
    Architectures.Resolved resolved = Architectures.resolve(arch, tensors, input, prefix);
    ArchSpec spec = resolved.spec();
    String specName = arch != null ? arch : resolved.inferredPreset() != null ? resolved.inferredPreset()
        : target + " (its nn.Sequential)";
    if (activation == null && resolved.inferredPreset() != null) {
      Architectures.requireKnownModules(tensors, target.toString());
    }
    String name = activation != null ? activation : spec.activation();
    Activation phi = null;
    if (name != null) {
      try {
        phi = ActivationCatalog.parse(name);
      } catch (IllegalArgumentException e) {
        if (activation != null) throw new BadParameter("activation", "activation " + name + ": " + e.getMessage());
        throw new ImportException(arch + ": \"activation\" " + name + ": " + e.getMessage(), e);
      }
    }
    if (arch == null && resolved.inferredPreset() == null && activation != null && spec.activation() != null
        && !phi.name().equals(ActivationCatalog.parse(spec.activation()).name())) {
      throw new ActivationMismatch(activation, target.toString(), spec.activation());
    }
    // a whole model's derived spec takes the given shape, or after a first nn.Unflatten the shape it makes of as many
    // values (WholeModels.Derived#withInput)
    int[] in = arch == null && resolved.inferredPreset() == null && input != null ? spec.input() : input;
    if (PreActResNet.describes(spec)) return preActivationSpec(tensors, resolved, spec, specName, phi, in, inputSource);
    NetworkBuilder.Built built = NetworkBuilder.build(specName, spec, resolved.tensors(), phi, in, inputSource);
    if (!resolved.prefix().isEmpty()) {
      Set<String> read = new HashSet<>(resolved.tensors().names());
      read.removeAll(built.unusedTensors());
      built = withUnused(built, tensors, resolved.prefix(), read);
    }
    return new Loaded(tensors, spec, resolved.prefix(), resolved.detected(), phi, built, resolved.inferredPreset(),
        null, resolved.fromModules());
  }

  /**
   * A JSON spec's pre-activation ResNet ({@link ArchSpec.PreActNet}), read rewritten as a post-activation one of
   * doubled width ({@link PreActResNet#rewrite(TensorFile, Activation, int[], ArchSpec, String)}).
   */
  private static Loaded preActivationSpec(TensorFile tensors, Architectures.Resolved resolved, ArchSpec spec,
      String specName, Activation phi, int[] in, String inputSource) {
    if (phi == null) {
      throw new BadParameter("activation", specName + ": activation not given (give the activation, or "
          + "\"activation\" in the spec): a pre-activation ResNet is read by carrying each value s as phi(s) and "
          + "phi(-s), which needs phi");
    }
    PreActResNet.Rewritten rw = PreActResNet.rewrite(resolved.tensors(), phi, in, spec, specName);
    NetworkBuilder.Built built = withUnused(NetworkBuilder.build(specName, rw.spec(), rw.tensors(), phi, in,
        inputSource), tensors, resolved.prefix(), rw.read());
    return new Loaded(tensors, rw.spec(), resolved.prefix(), resolved.detected(), phi, built, null, rw.note(),
        resolved.fromModules());
  }

  /**
   * {@code built} with its unused tensors those of {@code file} that are not read, by their names in the file: a read
   * name is found under {@code prefix}, or as it is (a normalisation's tensors beside the network's,
   * {@link Architectures#view}).
   */
  private static NetworkBuilder.Built withUnused(NetworkBuilder.Built built, TensorFile file, String prefix,
      Collection<String> read) {
    List<String> unused = new ArrayList<>(file.names());
    for (String n : read) if (!unused.remove(prefix + n)) unused.remove(n);
    return new NetworkBuilder.Built(built.network(), built.rows(), unused, built.folded(), built.unfolded());
  }

  /**
   * Why the file's layers compute with more than the weights read here, which nothing else would show, or
   * {@code null}; a file target with such a reason is refused ({@link #load}), and {@code inspect} says it:
   * <ul>
   *   <li>score tensors beside the weights, {@code X.scores} of {@code X.weight}'s shape: edge-popup's (Ramanujan et
   *       al., "What's hidden in a randomly weighted neural network?") {@code SubnetConv} and its descendants compute
   *       with the weight times the mask of the largest |scores| of the layer, a fraction that the run's
   *       configuration sets and the file does not hold; read alone, the weights are the dense random network;</li>
   *   <li>fake quantization that is on ({@code X.fake_quant_enabled} not 0): a model prepared for
   *       quantization-aware training rounds weights and activations to int8 grids in its forward, a step function
   *       (3.4 % off its outputs on a small CNN read without it). With every fake quantization off, its forward is the
   *       float model's, which is read.</li>
   * </ul>
   */
  public static String hiddenForward(TensorFile file) {
    for (String n : file.names()) {
      if (n.endsWith(".fake_quant_enabled") && java.util.Arrays.stream(file.tensor(n).data()).anyMatch(v -> v != 0)) {
        return file.source() + ": tensor '" + n + "' is on: a model prepared for quantization-aware training "
            + "(torch.ao.quantization.prepare_qat), whose forward rounds weights and activations to the int8 grids of "
            + "its fake quantization, a step function no layer here computes. Build the ticket from the float model: "
            + "save its state dict after model.apply(torch.ao.quantization.disable_fake_quant), or before prepare_qat";
      }
      if (!n.endsWith(".scores")) continue;
      String weight = n.substring(0, n.length() - "scores".length()) + "weight";
      if (file.has(weight) && java.util.Arrays.equals(file.tensor(weight).shape(), file.tensor(n).shape())) {
        return file.source() + ": tensor '" + n + "' is a score of every weight of '" + weight + "', as edge-popup's "
            + "SubnetConv keeps them: that layer computes with its weight times the mask of the largest |scores| of "
            + "the layer (the fraction the run's prune rate keeps, which the file does not hold), so its weights "
            + "alone are the dense random network, not the one found. Save the weights its forward uses in their "
            + "place, without the scores (docs/import.md, \"Edge-popup's scores\"), and give that file";
      }
    }
    return null;
  }

  /**
   * A pre-activation ResNet ({@link PreActResNet}), read as a post-activation one of doubled width: when no
   * architecture or the {@value Presets#CIFAR_RESNET} preset is given and the names (under the given prefix, or
   * under the one prefix they are found under) are a pre-activation ResNet's, for a file of tensors or a whole model
   * that is not an {@code nn.Sequential}; else {@code null}.
   */
  private static Loaded preActivation(Path target, TensorFile tensors, String arch, String prefix, String activation,
      int[] input, String inputSource) {
    if (arch != null && !Presets.CIFAR_RESNET.equals(arch) && !Presets.PREACT_INPUT_SHORTCUT.equals(arch)) return null;
    TensorFile file = tensors;
    if (arch == null && file.model() == null && file.models().size() > 1) {
      if (prefix == null) return null;
      file = Architectures.chooseModel(file, prefix);
      prefix = null;
    }
    if (file.model() != null && file.model().isSequential()) return null;
    String p;
    boolean detected;
    if (prefix != null) {
      p = Architectures.givenPrefix(file, prefix);
      if (PreActResNet.layout(file.under(p)) == null) return null;
      detected = false;
    } else {
      List<String> found = PreActResNet.prefixes(file);
      if (file.model() != null) found.retainAll(List.of(file.modelPrefix()));
      if (found.isEmpty()) return null;
      if (found.size() > 1) {
        throw new BadParameter("prefix", "prefix not given, and the names of " + file.source() + " are those of a "
            + "pre-activation ResNet under several prefixes: " + String.join(", ", found.stream().map(x -> "'" + x
            + "'").toList()) + " (give one)");
      }
      p = found.get(0);
      detected = !p.isEmpty() && file.model() == null;
    }
    String name = activation;
    if (name == null && file.model() != null) {
      Architectures.requireKnownModules(file, target.toString());
      String computed = Architectures.activationOf(file.model());
      if (computed == null) {
        throw new BadParameter("activation", "activation not given, and the whole model " + target + " has "
            + "activation modules of several kinds or of parameters no activation of the catalog reads: give the "
            + "activation it computes");
      }
      name = computed;
    }
    if (name == null) name = ResNetPreset.ACTIVATION;
    Activation phi;
    try {
      phi = ActivationCatalog.parse(name);
    } catch (IllegalArgumentException e) {
      throw new BadParameter("activation", "activation " + name + ": " + e.getMessage());
    }
    TensorFile view = file.under(p);
    boolean inputShortcut = Presets.PREACT_INPUT_SHORTCUT.equals(arch)
        || file.model() != null && PreActResNet.inputShortcut(file.model(), target.toString());
    PreActResNet.Rewritten rw = PreActResNet.rewrite(view, phi, input, inputShortcut);
    String modules = Architectures.modulePath(file, p);
    if (modules != null) {
      PreActResNet.Layout layout = PreActResNet.layout(view);
      if (layout.deepMind()) PreActResNet.checkDeepMind(file.model(), modules, rw.spec(), target.toString());
      java.util.Map<String, String> other = Architectures.otherThanRead(PreActResNet.declared(rw.spec(), layout),
          file.model(), modules, target.toString());
      if (!other.isEmpty()) {
        throw new ImportException(target + ": a pre-activation ResNet is read with the strides and paddings its "
            + "names and shapes give and PyTorch's BatchNorm epsilon 1e-05, but its modules have others: "
            + Architectures.listed(other) + " (a JSON spec's preact-resnet gives the blocks' strides, where the stride "
            + "is, and what a projection reads: docs/arch-spec.md)");
      }
    }
    String specName = arch != null ? arch : Presets.CIFAR_RESNET;
    NetworkBuilder.Built built = NetworkBuilder.build(specName, rw.spec(), rw.tensors(), phi, input, inputSource);
    built = withUnused(built, tensors, p, rw.read());
    return new Loaded(tensors, rw.spec(), p, detected, phi, built, arch == null ? Presets.CIFAR_RESNET : null,
        rw.note(), null);
  }
}
