package dev.ticketproof.targets;

import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.io.ArchSpec;
import dev.ticketproof.io.ImportException;
import dev.ticketproof.io.TensorFile;
import dev.ticketproof.limits.BadParameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Resolves an {@code --arch} argument: a preset name (see {@link Presets}) or a JSON spec file, and the name prefix
 * under which a file holds the tensors it needs (a training checkpoint's {@code state_dict.}, DataParallel's
 * {@code module.}, torch.compile's {@code _orig_mod.}).
 */
public final class Architectures {
  /** RobustBench's swish module of its DeepMind ResNets (dm_wide_resnet.py): {@code x * torch.sigmoid(x)}. */
  public static final String ROBUSTBENCH_SWISH = "robustbench.model_zoo.architectures.dm_wide_resnet.Swish";

  private Architectures() {}

  /**
   * An architecture resolved against a file's tensors.
   *
   * @param spec the architecture
   * @param prefix the name prefix its tensors were found under ({@code ""} for none)
   * @param detected whether the prefix was found by {@link #resolve} rather than given
   * @param tensors the file's tensors under {@code prefix}, named without it (the file itself for {@code ""})
   * @param inferredPreset the preset taken because no architecture was given and the names are that preset's
   *     ({@link #inferPreset}), else {@code null}
   * @param fromModules for a preset read on a whole model: the hyper-parameters its modules have where the preset
   *     would have taken others ({@link #fitted}), for a note; else {@code null}
   */
  public record Resolved(ArchSpec spec, String prefix, boolean detected, TensorFile tensors, String inferredPreset,
      String fromModules) {
    /** A resolved architecture that was given, or derived from a whole model. */
    public Resolved(ArchSpec spec, String prefix, boolean detected, TensorFile tensors) {
      this(spec, prefix, detected, tensors, null, null);
    }
  }

  /**
   * The preset to take for a file given without an architecture: for a file of tensors only with the names of one
   * of open_lth's models, its preset ({@link Presets#openLth}); {@value Presets#CIFAR_RESNET} when its names clearly
   * are such a ResNet's ({@link ResNetPreset#prefixes}) and the file holds tensors only, or a whole model that is not
   * an {@code nn.Sequential} (a ResNet class of the training code, whose forward the file does not hold) whose
   * activation modules all compute one activation of the catalog ({@link #activationOf}: the spec's activation);
   * else {@code null}.
   */
  public static String inferPreset(TensorFile file) {
    dev.ticketproof.io.TorchModule root = file.model();
    List<String> pre = PreActResNet.prefixes(file);
    if (root != null) pre.retainAll(List.of(file.modelPrefix()));
    if (!pre.isEmpty() && (root == null || !root.isSequential() && activationOf(root) != null)) {
      return Presets.CIFAR_RESNET; // a pre-activation ResNet, read rewritten (TargetLoader, PreActResNet)
    }
    if (root == null && Presets.openLth(file) != null) return Presets.openLth(file);
    if (ResNetPreset.prefixes(file).isEmpty()) return null;
    if (root == null) return Presets.CIFAR_RESNET;
    return !root.isSequential() && activationOf(root) != null ? Presets.CIFAR_RESNET : null;
  }

  /**
   * Refuses to take a whole model's activation from its modules (no activation given) when some of its leaf modules are
   * of a class outside {@code torch} that holds no tensors: their forward is code the file does not hold, and a preset
   * reads none of them, so a custom activation module ({@code class Mish(nn.Module)}) would be read as
   * {@value ResNetPreset#ACTIVATION} without a word (0.098 off outputs of 0.196 on a small ResNet of such modules).
   * RobustBench's {@code Swish} ({@value #ROBUSTBENCH_SWISH}) is read.
   *
   * @throws BadParameter naming the first modules and their classes, and what to give
   */
  public static void requireKnownModules(TensorFile file, String source) {
    if (file.model() == null) return;
    List<String> opaque = new java.util.ArrayList<>();
    file.model().walk((path, m) -> {
      if (!path.isEmpty() && m.children().isEmpty() && !m.className().startsWith("torch.")
          && !m.className().equals(ROBUSTBENCH_SWISH) && file.ownTensors(path).isEmpty()) {
        opaque.add("'" + path + "' (" + m.className() + ")");
      }
    });
    if (opaque.isEmpty()) return;
    throw new BadParameter("activation", "activation not given, and the whole model " + source + " has modules of "
        + "classes outside torch.nn without tensors, whose forward is code the file does not hold: "
        + String.join(", ", opaque.subList(0, Math.min(4, opaque.size())))
        + (opaque.size() > 4 ? " and " + (opaque.size() - 4) + " more" : "") + "; the architecture does not read them, "
        + "so if they are its activation, give the activation they compute (a name of the catalog), and if they compute "
        + "anything else, the network cannot be read as it is");
  }

  /**
   * The activation a whole model's activation modules compute, for a model whose forward the file does not hold
   * (a ResNet class): {@code relu} when it has no {@code torch.nn} activation module (a forward of {@code F.relu} has
   * none), else the catalog's activation of its activation modules when they all compute the same one
   * ({@code nn.ReLU}, {@code nn.LeakyReLU} of one slope, {@code nn.SiLU}, {@code nn.ELU(alpha)}, ...,
   * {@link ActivationCatalog#fromTorch}; RobustBench's {@code Swish} of its DeepMind ResNets,
   * {@value #ROBUSTBENCH_SWISH}, whose forward is {@code x * torch.sigmoid(x)}: silu); {@code null} when they compute
   * several, or one the catalog does not have.
   */
  public static String activationOf(dev.ticketproof.io.TorchModule root) {
    Set<String> names = new java.util.HashSet<>();
    boolean[] named = {true};
    boolean whole = root.walk((path, m) -> {
      if (m.className().equals(ROBUSTBENCH_SWISH)) {
        names.add("silu"); // x * torch.sigmoid(x)
        return;
      }
      if (!m.className().startsWith("torch.nn.modules.activation.")) return;
      try {
        java.util.Optional<dev.ticketproof.activation.Activation> a = ActivationCatalog.fromTorch(
            m.simpleName(), WholeModels.catalogAttributes(new dev.ticketproof.io.TorchModule.Attributes("", path, m)));
        if (a.isPresent()) names.add(WholeModels.canonical(a.get().name()));
        else named[0] = false;
      } catch (RuntimeException e) {
        named[0] = false;
      }
    });
    if (!whole || !named[0] || names.size() > 1) return null;
    return names.isEmpty() ? ResNetPreset.ACTIVATION : names.iterator().next();
  }

  /**
   * The spec named by {@code arch}.
   *
   * @param arch a preset ({@link Presets#NAMES}) or the path of a JSON spec
   * @param tensors the target's tensors (presets read their names and shapes)
   * @param input the per-example input shape if known, else {@code null} (used by presets only)
   * @throws ImportException when {@code arch} is neither, or the spec is invalid for these tensors
   */
  public static ArchSpec spec(String arch, TensorFile tensors, int[] input) {
    if (Presets.isPreset(arch)) return Presets.infer(arch, tensors, input);
    Path file = Path.of(arch);
    if (!Files.isRegularFile(file)) {
      throw new BadParameter("arch", "arch " + arch + ": neither a preset (" + Presets.NAMES
          + ") nor an existing .json spec file");
    }
    return ArchSpec.read(file);
  }

  /**
   * The spec named by {@code arch} and the prefix its tensors are found under.
   *
   * <p>With {@code prefix} given, the spec reads the tensors under it ({@code module} and {@code module.} are the
   * same prefix; {@code ""} means none). Otherwise the names are first taken as they are; when the spec cannot be
   * resolved that way, or some tensor it needs is missing, every prefix the file's names have (for
   * {@code a.b.weight}: {@code a.} and {@code a.b.}) is tried, and the one under which the spec resolves with all
   * its needed tensors ({@link ArchSpec#requiredTensors()}) is taken. A preset infers its architecture from the
   * names under each prefix; {@value Presets#CIFAR_RESNET} takes the one prefix its names are found under
   * ({@link ResNetPreset#prefixes}), so that its messages name the tensors there.
   *
   * @throws BadParameter when the given prefix has no tensor under it, or several prefixes fit
   * @throws ImportException as {@link #spec} for the names as they are, when no prefix fits (or the failure under
   *     a prefix when exactly one prefix fails otherwise than the names as they are: a preset that finds its names
   *     there but not the layers it reads)
   */
  public static Resolved resolve(String arch, TensorFile file, int[] input, String prefix) {
    Resolved r = named(arch, file, input, prefix);
    String modules = modulePath(file, r.prefix());
    if (arch == null || !Presets.isPreset(arch) || modules == null) return r;
    Fitted f = fitted(r.spec(), file.model(), modules, file.source());
    return new Resolved(f.spec(), r.prefix(), r.detected(), r.tensors(), r.inferredPreset(),
        f.changes().isEmpty() ? r.fromModules() : listed(f.changes()));
  }

  /**
   * The path in the file's whole model of the modules whose tensors are named under {@code prefix} ({@code ""}, or
   * ending with {@code .}), or {@code null} when the file holds no whole model or the prefix is not under its names.
   */
  public static String modulePath(TensorFile file, String prefix) {
    return file.model() != null && prefix.startsWith(file.modelPrefix())
        ? prefix.substring(file.modelPrefix().length()) : null;
  }

  /** {@link #resolve} without the modules' hyper-parameters. */
  private static Resolved named(String arch, TensorFile file, int[] input, String prefix) {
    if (arch == null && file.model() == null && file.models().size() > 1 && prefix != null) {
      file = chooseModel(file, prefix);
      prefix = null;
    }
    if (arch == null) {
      String preset = inferPreset(file);
      if (preset != null) {
        Resolved r = resolve(preset, file, input, prefix);
        ArchSpec spec = r.spec();
        if (file.model() != null) { // the activation its activation modules compute
          spec = new ArchSpec(spec.input(), activationOf(file.model()), spec.layers(), spec.outputActivation());
        }
        return new Resolved(spec, r.prefix(), r.detected(), r.tensors(), preset, r.fromModules());
      }
      ArchSpec derived = derived(file, input, prefix);
      String p = file.modelPrefix();
      return new Resolved(derived, p, !p.isEmpty(), file.under(p));
    }
    if (prefix == null && Presets.CIFAR_RESNET.equals(arch)) {
      List<String> found = ResNetPreset.prefixes(file);
      if (found.size() == 1) {
        Resolved r = resolve(arch, file, input, found.get(0));
        return new Resolved(r.spec(), r.prefix(), !r.prefix().isEmpty(), r.tensors(), null, r.fromModules());
      }
    }
    if (prefix != null) {
      String p = givenPrefix(file, prefix);
      ArchSpec s = spec(arch, file.under(p), input);
      return new Resolved(s, p, false, view(file, p, s));
    }
    ArchSpec fixed = Presets.isPreset(arch) ? null : spec(arch, file, input); // its names do not depend on the file
    ArchSpec plain = fixed;
    ImportException plainError = null;
    try {
      if (plain == null) plain = spec(arch, file, input);
      if (hasAll(file, "", plain)) return new Resolved(plain, "", false, file);
    } catch (ImportException e) {
      plainError = e;
    }
    List<Resolved> found = new ArrayList<>();
    List<ImportException> otherErrors = new ArrayList<>(); // under a prefix, other than for the names as they are
    for (String p : file.prefixes()) {
      if (fixed != null && !hasAll(file, p, fixed)) continue;
      TensorFile view = file.under(p);
      try {
        ArchSpec s = fixed != null ? fixed : spec(arch, view, input);
        TensorFile with = view(file, p, s);
        if (hasAll(with, "", s)) found.add(new Resolved(s, p, true, with));
      } catch (ImportException e) {
        // the spec does not fit the tensors under this prefix; a failure other than the plain names' (a preset
        // that finds its names there, but not the layers it reads) says more about the file
        if (plainError != null && !e.getMessage().replace(view.source(), file.source())
            .equals(plainError.getMessage())) {
          otherErrors.add(e);
        }
      }
    }
    if (found.size() == 1) return found.get(0);
    if (found.size() > 1) {
      throw new BadParameter("prefix", "prefix not given, and " + arch + " finds all the tensors it needs in "
          + file.source() + " under several prefixes: " + found.stream().map(r -> "'" + r.prefix() + "'")
          .collect(Collectors.joining(", ")) + " (give one)");
    }
    if (plainError != null) throw otherErrors.size() == 1 ? otherErrors.get(0) : plainError;
    return new Resolved(plain, "", false, file); // the network builder names the missing tensor
  }

  /**
   * A preset's architecture with what a whole model's modules say.
   *
   * @param spec the architecture, its convs and BatchNorms read from the modules of their names
   * @param changes by layer name, the hyper-parameters its module has where the preset would have taken others
   */
  record Fitted(ArchSpec spec, java.util.Map<String, String> changes) {}

  /**
   * A preset's architecture for a whole model, with every conv and BatchNorm it names read from the model's module of
   * that name (its strides, paddings, groups and dilation; its epsilon), and the ImageNet stem's max pooling from the
   * model's {@code maxpool}. A preset infers them from names and shapes (a block's stride from where its channels
   * change, the stem's from its kernel, PyTorch's default epsilon), which a model need not follow: the original
   * ResNet's stride on a bottleneck's conv1, a 3x3 stem of stride 2, another epsilon. The modules say what the model
   * computes; a module the normal form cannot read exactly ({@code padding_mode='reflect'}, say) is refused.
   *
   * @param modules the path in the model of the spec's names ({@code ""}, or ending with {@code .})
   * @throws ImportException naming the module and the hyper-parameter that cannot be read
   */
  static Fitted fitted(ArchSpec spec, dev.ticketproof.io.TorchModule root, String modules, String source) {
    java.util.Map<String, String> changes = new java.util.LinkedHashMap<>();
    java.util.function.UnaryOperator<ArchSpec.Conv> conv = c -> {
      if (c == null || !(fromModule(root, modules + c.name(), source) instanceof ArchSpec.Conv m)) return c;
      ArchSpec.Conv read = new ArchSpec.Conv(c.name(), m.sh(), m.sw(), m.ph(), m.pw(), m.groups(), m.dilation(),
          m.same(), m.pads());
      if (!read.equals(c)) changes.put(c.name(), members(read) + " (the preset's: " + members(c) + ")");
      return read;
    };
    java.util.function.UnaryOperator<ArchSpec.BatchNorm> bn = n -> {
      if (n == null || !(fromModule(root, modules + n.name(), source) instanceof ArchSpec.BatchNorm m)) return n;
      ArchSpec.BatchNorm read = new ArchSpec.BatchNorm(n.name(), m.eps(), m.affine());
      if (!read.equals(n)) changes.put(n.name(), members(read) + " (the preset's: " + members(n) + ")");
      return read;
    };
    boolean residual = spec.layers().stream().anyMatch(l -> l instanceof ArchSpec.Residual);
    List<ArchSpec.LayerSpec> layers = new ArrayList<>();
    boolean stem = true;
    for (ArchSpec.LayerSpec l : spec.layers()) {
      if (residual && stem && (l instanceof ArchSpec.MaxPool || l instanceof ArchSpec.Residual)) {
        // the stem's pooling: torchvision's maxpool (nn.Identity where a CIFAR adaptation removed it, or kept after a
        // 3x3 stem, which the preset reads without one)
        stem = false;
        ArchSpec.LayerSpec p = l instanceof ArchSpec.MaxPool ? l : null;
        ArchSpec.LayerSpec m = poolingModule(root, modules, List.of("maxpool"), p, source, changes);
        if (m != null) layers.add(m);
        if (p != null) continue;
      }
      if (l instanceof ArchSpec.Conv c) {
        layers.add(conv.apply(c));
      } else if (l instanceof ArchSpec.BatchNorm n) {
        layers.add(bn.apply(n));
      } else if (residual && l instanceof ArchSpec.GlobalAvgPool g) {
        // the head's pooling: torchvision's avgpool, timm's global_pool.pool (an nn.AvgPool2d of a fixed window, an
        // adaptive max pooling, ...)
        ArchSpec.LayerSpec m = poolingModule(root, modules, List.of("avgpool", "global_pool.pool"), g, source,
            changes);
        if (m != null) layers.add(m);
      } else if (l instanceof ArchSpec.Residual r) {
        ArchSpec.Shortcut s = r.shortcut();
        if (s instanceof ArchSpec.Projection p) {
          if (p.pool() > 1) pooling(root, modules, p, source);
          s = new ArchSpec.Projection(conv.apply(p.conv()), bn.apply(p.bn()), p.pool());
        }
        layers.add(new ArchSpec.Residual(r.name(), conv.apply(r.conv1()), bn.apply(r.bn1()), conv.apply(r.conv2()),
            bn.apply(r.bn2()), conv.apply(r.conv3()), bn.apply(r.bn3()), s));
      } else {
        layers.add(l);
      }
    }
    return new Fitted(new ArchSpec(spec.input(), spec.activation(), layers, spec.outputActivation()), changes);
  }

  /**
   * The pooling a whole model's module computes where a preset takes {@code preset} (or none, {@code null}): the
   * first of {@code names} the model has, read as its layer ({@code null} for {@code nn.Identity}); {@code preset}
   * when the model has none of them.
   *
   * @throws ImportException naming the module when it is not a pooling the normal form computes
   */
  private static ArchSpec.LayerSpec poolingModule(dev.ticketproof.io.TorchModule root, String modules,
      List<String> names, ArchSpec.LayerSpec preset, String source, java.util.Map<String, String> changes) {
    for (String name : names) {
      dev.ticketproof.io.TorchModule m = root.at(modules + name);
      if (m == null) continue;
      ArchSpec.LayerSpec read = m.isTorchNn("Identity") ? null
          : m.className().startsWith("torch.nn.modules.pooling.")
          ? ArchSpec.fromModule(new dev.ticketproof.io.TorchModule.Attributes(source, modules + name, m)) : null;
      if (read == null && !m.isTorchNn("Identity")) {
        throw new ImportException(source + ": module '" + modules + name + "' (" + m.className() + ") is where "
            + "the network pools" + (preset == null ? "" : " (the preset's " + shown(preset) + ")") + ", and is not "
            + "a pooling read exactly (torch.nn's MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d or "
            + "Identity): the file does not hold what it computes");
      }
      if (!java.util.Objects.equals(read, preset)) {
        changes.put(name, shown(read) + " (the preset's: " + shown(preset) + ")");
      }
      return read;
    }
    return preset;
  }

  /** A pooling layer for notes: {@code none}, {@code global average pooling} or its JSON members. */
  private static String shown(ArchSpec.LayerSpec l) {
    return l == null ? "none" : l instanceof ArchSpec.GlobalAvgPool ? "global average pooling"
        : l.json(false).replace("\"type\": ", "").replace("\"", "");
  }

  /**
   * What a whole model's modules have where a spec read from its names takes other hyper-parameters: the convs the
   * spec names ({@link #fitted}) and every {@code BatchNorm} module of the model under {@code modules}, whose epsilon
   * must be PyTorch's default ({@link ArchSpec#DEFAULT_BN_EPS}).
   */
  static java.util.Map<String, String> otherThanRead(ArchSpec spec, dev.ticketproof.io.TorchModule root, String modules,
      String source) {
    java.util.Map<String, String> other = fitted(spec, root, modules, source).changes();
    root.walk((path, m) -> {
      if (!path.startsWith(modules) || !m.className().startsWith("torch.nn.modules.batchnorm.")) return;
      String name = path.substring(modules.length());
      ArchSpec.LayerSpec read = ArchSpec.fromModule(new dev.ticketproof.io.TorchModule.Attributes(source, path, m));
      if (read instanceof ArchSpec.BatchNorm n && (n.eps() != ArchSpec.DEFAULT_BN_EPS || !n.affine())) {
        other.put(name, members(n));
      }
    });
    return other;
  }

  /** Each name with what it has, joined: the first three of more than four, and how many more. */
  static String listed(java.util.Map<String, String> items) {
    List<String> all = items.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList();
    return all.size() <= 4 ? String.join("; ", all)
        : String.join("; ", all.subList(0, 3)) + "; and " + (all.size() - 3) + " more";
  }

  /** A layer's hyper-parameters as its JSON spec has them, without its type and name. */
  private static String members(ArchSpec.LayerSpec l) {
    return l.json(false).replaceFirst("\"type\": \"[a-z0-9]+\", (\"name\": \"[^\"]*\", )?", "").replace("\"", "");
  }

  /**
   * Checks a pooled projection's average pooling against the model's module before its conv ({@code downsample.0}
   * before {@code downsample.1}): a window of the stride's sides, as ResNet-D's.
   *
   * @throws ImportException naming the module when it is an average pooling of another window
   */
  private static void pooling(dev.ticketproof.io.TorchModule root, String modules, ArchSpec.Projection p,
      String source) {
    String name = p.conv().name();
    int dot = name.lastIndexOf('.');
    if (dot < 0) return;
    String path = modules + name.substring(0, dot) + ".0";
    if (fromModule(root, path, source) instanceof ArchSpec.AvgPool a
        && (a.kh() != p.pool() || a.kw() != p.pool() || a.sh() != p.pool() || a.sw() != p.pool())) {
      throw new ImportException(source + ": module '" + path + "', the average pooling before the projection's conv '"
          + name + "', has " + members(a) + ": read only as a window of the block's stride " + p.pool() + " (kernel and "
          + "stride " + p.pool() + ", as ResNet-D's)");
    }
  }

  /**
   * The layer spec of the model's {@code torch.nn} module at {@code path}, or {@code null} when it has none there.
   *
   * @throws ImportException naming the module when it is of a class outside {@code torch.nn}
   */
  private static ArchSpec.LayerSpec fromModule(dev.ticketproof.io.TorchModule root, String path, String source) {
    dev.ticketproof.io.TorchModule m = root.at(path);
    if (m == null) return null;
    if (!m.className().startsWith("torch.nn.")) {
      throw new ImportException(source + ": module '" + path + "' is a " + m.className() + ", not a torch.nn layer: "
          + "its forward is code the file does not hold, so the preset's reading of its tensors may be another "
          + "function (if it computes torch.nn's, its state dict with the preset or a JSON spec reads it)");
    }
    if (!m.className().startsWith("torch.nn.modules.")) return null;
    return ArchSpec.fromModule(new dev.ticketproof.io.TorchModule.Attributes(source, path, m));
  }

  /**
   * The architecture of a whole model's {@code nn.Sequential} ({@link WholeModels}), with the given input shape,
   * else the inferred one; for a model in a checkpoint dict its names are read under the model's key
   * ({@link TensorFile#modelPrefix()}).
   *
   * @param prefix must be {@code null}: a whole model's names are read as they are
   * @throws BadParameter when the file is not a whole model, a prefix is given, or the input shape is neither given
   *     nor inferred
   * @throws ImportException when the module tree is not a Sequential of modules the arch spec represents exactly
   */
  public static ArchSpec derived(TensorFile file, int[] input, String prefix) {
    requireWholeModel(file);
    if (prefix != null) {
      throw new BadParameter("prefix", "prefix applies to the tensors a given architecture reads; the architecture of the "
          + "whole model " + file.source() + " reads its names as they are");
    }
    WholeModels.Derived d = WholeModels.derive(file);
    if (input == null && d.inferredInput() == null) {
      throw new BadParameter("input shape", "input shape not given, and it cannot be inferred from the whole model "
          + file.source() + " (" + d.inputUnknown() + "): give it as C,H,W (or F), or an input batch");
    }
    return d.withInput(input);
  }

  /**
   * Checks that the file is a whole model, whose architecture may be derived.
   *
   * @throws BadParameter naming {@code arch} when it holds tensors only
   */
  public static void requireWholeModel(TensorFile file) {
    if (file.model() == null && file.models().size() > 1) {
      throw new BadParameter("prefix", "arch not given, and " + file.source() + " holds " + file.models().size()
          + " whole models, under " + file.models().keySet().stream().map(p -> "'" + p + "'")
          .collect(Collectors.joining(", ")) + ": give the prefix of one (e.g. "
          + file.models().keySet().iterator().next() + ")");
    }
    String pre = WholeModels.isWholeModel(file) ? null : ResNetPreset.preActivation(file);
    if (pre != null) throw new ImportException(file.source() + ": " + pre);
    if (!WholeModels.isWholeModel(file)) {
      throw new BadParameter("arch", "arch not given, and " + file.source() + " holds tensors only, not one whole "
          + "model (torch.save(model), alone or in a dict) whose module tree gives the architecture, and its names "
          + "are not those of a ResNet the " + Presets.CIFAR_RESNET + " preset reads (conv1, bn1, layer1.0.conv1, "
          + "..., fc or linear) nor of open_lth's models: give a preset (" + Presets.NAMES + ") or a JSON spec "
          + "(docs/arch-spec.md)" + (Presets.vggNames(file) ? "; its names features.N (or feature.N) and classifier "
          + "are those of a VGG the preset " + Presets.VGG + " reads (not taken by itself: AlexNet has them too)"
          : Presets.numberedChainNote(file)));
    }
  }

  /**
   * The file with the whole model under {@code prefix} chosen as its model, when it holds several (a checkpoint
   * {@code {"model": model, "ema": ema}}) and no architecture is given: the model's module tree gives the
   * architecture, its names are read under its key. The file itself when it holds at most one, or no prefix is given.
   *
   * @throws BadParameter naming the prefix and the models' keys when no model is under it
   */
  public static TensorFile chooseModel(TensorFile file, String prefix) {
    if (prefix == null || file.model() != null || file.models().size() < 2) return file;
    String p = prefix.isEmpty() || prefix.endsWith(".") ? prefix : prefix + ".";
    if (!file.models().containsKey(p)) {
      throw new BadParameter("prefix", "prefix '" + p + "': " + file.source() + " holds no whole model under it (it "
          + "holds whole models under " + file.models().keySet().stream().map(k -> "'" + k + "'")
          .collect(Collectors.joining(", ")) + ")");
    }
    return file.withModel(p);
  }

  /**
   * A prefix as given, ending with {@code .} ({@code module} and {@code module.} are the same prefix; {@code ""}
   * means none).
   *
   * @throws BadParameter when no tensor name of the file begins with it
   */
  public static String givenPrefix(TensorFile file, String prefix) {
    String p = prefix.isEmpty() || prefix.endsWith(".") ? prefix : prefix + ".";
    if (!p.isEmpty() && file.names().stream().noneMatch(n -> n.startsWith(p))) {
      throw new BadParameter("prefix", "prefix '" + p + "': no tensor of " + file.source() + " is named under "
          + "it (" + describePrefixes(file) + ")");
    }
    return p;
  }

  /**
   * The tensors under {@code prefix}, named without it, and the tensors a {@code normalize} layer of the spec names
   * that are not under it but are in the file by those names: RobustBench's checkpoints, the state dict of
   * {@code nn.Sequential(OrderedDict(normalize=ImageNormalizer(mean, std), model=net))}, keep the normaliser's
   * {@code normalize.mean} and {@code normalize.std} beside the network's {@code model.} names, so that a spec of the
   * network (a preset's, printed by inspect) with {@code {"type": "normalize", "mean": "normalize.mean", ...}} first
   * reads both. A name under the prefix comes first.
   */
  static TensorFile view(TensorFile file, String prefix, ArchSpec spec) {
    TensorFile view = file.under(prefix);
    List<String> outside = outside(file, prefix, spec);
    return outside.isEmpty() ? view : view.with(file, outside);
  }

  /**
   * The tensors of the spec's {@code normalize} layers read by their names in the file, beside the prefix (none
   * under it has that name; {@link #view}); none for the names as they are.
   */
  public static List<String> outside(TensorFile file, String prefix, ArchSpec spec) {
    List<String> out = new ArrayList<>();
    if (prefix.isEmpty()) return out;
    for (ArchSpec.LayerSpec l : spec.layers()) {
      if (!(l instanceof ArchSpec.Normalize)) continue;
      for (String n : l.requiredTensors()) if (!file.has(prefix + n) && file.has(n)) out.add(n);
    }
    return out;
  }

  /** For messages: {@code " (and the normalize layer's 'm', 's' by their names in the file)"}, or {@code ""}. */
  public static String outsideNote(TensorFile file, String prefix, ArchSpec spec) {
    List<String> out = outside(file, prefix, spec);
    return out.isEmpty() ? "" : " (and the normalize layer's " + out.stream().map(n -> "'" + n + "'")
        .collect(Collectors.joining(", ")) + " by their names in the file, beside it)";
  }

  /** Whether every tensor the spec needs is under the prefix (a normalisation's also by its own name, {@link #view}). */
  private static boolean hasAll(TensorFile file, String prefix, ArchSpec spec) {
    java.util.Set<String> normalize = new java.util.HashSet<>();
    for (ArchSpec.LayerSpec l : spec.layers()) if (l instanceof ArchSpec.Normalize) normalize.addAll(l.requiredTensors());
    for (String name : spec.requiredTensors()) {
      if (!file.has(prefix + name) && !(normalize.contains(name) && file.has(name))) return false;
    }
    return true;
  }

  /** The first-level prefixes of the file's names, for messages. */
  static String describePrefixes(TensorFile file) {
    Set<String> top = new LinkedHashSet<>();
    for (String name : file.names()) {
      int dot = name.indexOf('.');
      if (dot > 0 && dot < name.length() - 1) top.add("'" + name.substring(0, dot + 1) + "'");
    }
    if (top.isEmpty()) return "its names have no prefix: " + String.join(", ", file.names().subList(0,
        Math.min(8, file.names().size())));
    List<String> shown = new ArrayList<>(top);
    return "its names begin with " + String.join(", ", shown.subList(0, Math.min(12, shown.size())))
        + (shown.size() > 12 ? ", ... (" + shown.size() + " prefixes)" : "");
  }
}
