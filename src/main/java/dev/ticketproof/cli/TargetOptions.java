package dev.ticketproof.cli;


import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.targets.Architectures;
import dev.ticketproof.targets.Builtins;
import dev.ticketproof.io.ArchSpec;
import dev.ticketproof.io.ImportException;
import dev.ticketproof.io.TicketWitness;
import dev.ticketproof.targets.Presets;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.kernel.KernelActivation;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.TicketFile;
import dev.ticketproof.kernel.check.TicketChecker;
import dev.ticketproof.limits.BadParameter;
import dev.ticketproof.net.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves {@code --target builtin:NAME|PATH [--arch SPEC]} and {@code --activation}. */
final class TargetOptions {
  private TargetOptions() {}

  /**
   * The activation named by {@code --activation}, or when it is not given, the target's own: for a built-in target
   * {@link dev.ticketproof.targets.Builtins#defaultActivation}, for a file the JSON spec's {@code "activation"}, for
   * a whole model without {@code --arch} the one its activation modules name (a whole ResNet the
   * {@value Presets#CIFAR_RESNET} preset reads has only {@code nn.ReLU} modules: relu); for a state dict read by
   * that preset its relu, with a note saying so (a state dict does not say which activation the network was trained
   * with); else relu, with a note on stderr.
   */
  static String activationName(String given, String target, ArchOption arch) {
    if (given != null) return given;
    if (target != null && target.startsWith("builtin:")) {
      return dev.ticketproof.targets.Builtins.defaultActivation(target.substring("builtin:".length()));
    }
    Path spec = arch == null ? null : arch.file();
    if (spec != null && !Files.isRegularFile(spec)) return dev.ticketproof.api.Tickets.DEFAULT_ACTIVATION; // loading names it
    String preset = arch != null && arch.spec != null && spec == null ? arch.spec : null;
    try {
      String named = null;
      if (spec != null) {
        named = ArchSpec.read(spec).activation();
      } else if (target != null && preset == null) {
        dev.ticketproof.io.TensorFile file = dev.ticketproof.targets.Architectures.chooseModel(
            dev.ticketproof.io.TensorFiles.read(Path.of(target)), arch == null ? null : arch.prefix);
        preset = dev.ticketproof.targets.Architectures.inferPreset(file);
        if (preset == null) {
          dev.ticketproof.targets.Architectures.requireWholeModel(file);
          named = dev.ticketproof.targets.WholeModels.derive(file).spec().activation();
        } else if (file.model() != null) {
          // its activation modules all compute one activation of the catalog (Architectures#activationOf)
          dev.ticketproof.targets.Architectures.requireKnownModules(file, target);
          return dev.ticketproof.targets.Architectures.activationOf(file.model());
        }
      }
      if (named != null) return named;
    } catch (ImportException e) {
      throw new UsageError(e.getMessage());
    } catch (BadParameter e) {
      throw new UsageError(UsageError.message(e));
    }
    if (Presets.CIFAR_RESNET.equals(preset) || Presets.isOpenLth(preset)) {
      System.err.println("note: activation " + dev.ticketproof.targets.ResNetPreset.ACTIVATION + ", the "
          + preset + " preset's (the " + (Presets.isOpenLth(preset) ? "open_lth models it reads compute F.relu"
          : "ResNets it reads compute F.relu or nn.ReLU") + "; a state dict does not record the activation: give "
          + "--activation NAME if the network was trained with another)");
      return dev.ticketproof.targets.ResNetPreset.ACTIVATION;
    }
    System.err.println("note: activation " + dev.ticketproof.api.Tickets.DEFAULT_ACTIVATION + " assumed (give "
        + "--activation NAME, the one the network was trained with, or \"activation\" in a JSON spec)");
    return dev.ticketproof.api.Tickets.DEFAULT_ACTIVATION;
  }

  static Activation activation(String name) {
    try {
      return ActivationCatalog.requireIdentityHypothesis(ActivationCatalog.parse(name));
    } catch (IllegalArgumentException e) {
      throw new UsageError("--activation: " + e.getMessage());
    }
  }

  /**
   * {@link #activation(String)} of {@link #activationName}'s choice; where {@code --activation} was not given, a
   * refusal names what chose it (the target's activation modules, its spec or its preset) instead of the flag.
   */
  static Activation activation(String given, String target, ArchOption arch) {
    String name = activationName(given, target, arch);
    if (given != null) return activation(name);
    try {
      return ActivationCatalog.requireIdentityHypothesis(ActivationCatalog.parse(name));
    } catch (IllegalArgumentException e) {
      throw new UsageError(target + ": the activation " + name + ", read from " + (arch != null && arch.file() != null
          ? "the spec " + arch.file() : arch != null && arch.spec != null ? "the preset " + arch.spec
          : "the file's activation modules") + ", admits no ticket: " + e.getMessage());
    }
  }

  /**
   * A file target with its architecture ({@link TargetLoader}; without {@code --arch}, a whole model's
   * {@code nn.Sequential}); when the tensors were found under a name prefix of the file's own accord, says so on
   * stderr.
   */
  static TargetLoader.Loaded loadFile(Path target, ArchOption arch, String activation, int[] input,
      String inputSource, boolean applyMasks) {
    TargetLoader.Loaded loaded = TargetLoader.load(target, arch.spec, arch.prefix, activation, input, inputSource,
        applyMasks);
    if (loaded.inferredPreset() != null) {
      dev.ticketproof.targets.PreActResNet.Layout layout = loaded.rewrite() == null ? null
          : dev.ticketproof.targets.PreActResNet.layout(loaded.tensors().under(loaded.prefix()));
      System.err.println(Presets.isOpenLth(loaded.inferredPreset()) ? "note: --arch not given: the tensor names of "
          + target + " are those of " + Presets.shownNames(loaded.inferredPreset()) + ": architecture of the preset "
          + loaded.inferredPreset()
          + " (docs/arch-spec.md; inspect shows it)" : "note: --arch not given: the tensor names of " + target
          + " are those of a " + (loaded.rewrite() != null ? "pre-activation " : "") + "ResNet (" + loaded.prefix()
          + (layout == null ? "conv1" : layout.stem()) + ", " + loaded.prefix() + (layout == null ? "layer1.0.conv1"
          : layout.firstConv()) + ", ..." + (layout != null && layout.deepMind() ? "; " + layout.shown() + ", "
          + "RobustBench's dm_wide_resnet.py" : "") + "): architecture of the preset " + loaded.inferredPreset()
          + " (docs/arch-spec.md; inspect shows it)");
    }
    if (loaded.rewrite() != null) System.err.println("note: " + loaded.rewrite());
    if (loaded.fromModules() != null) {
      System.err.println("note: read with the hyper-parameters of the modules of " + target + " where the preset "
          + "would have taken others: " + loaded.fromModules());
    }
    String bottlenecks = bottleneckNote(loaded);
    if (bottlenecks != null) System.err.println("note: " + bottlenecks);
    String pooling = Presets.CIFAR_RESNET.equals(arch.spec) || Presets.PREACT_INPUT_SHORTCUT.equals(arch.spec)
        || loaded.inferredPreset() != null ? poolingNote(loaded) : null;
    if (pooling != null) System.err.println("note: " + pooling);
    if (loaded.inferredPreset() != null && loaded.tensors().model() != null
        && !loaded.activation().name().equals(dev.ticketproof.targets.ResNetPreset.ACTIVATION)
        && loaded.activation().name().equals(Architectures.activationOf(loaded.tensors().model()))) {
      // another activation than the preset's relu, from the modules
      System.err.println("note: activation " + loaded.activation().name() + ", the one the activation modules of "
          + target + " compute (the file does not hold its forward: give --activation NAME if it computes another)");
    }
    if (loaded.prefixDetected()) {
      System.err.println("note: reading tensors under prefix '" + loaded.prefix() + "'"
          + Architectures.outsideNote(loaded.tensors(), loaded.prefix(), loaded.spec()));
    }
    String normalisation = TargetLoader.unreadNormalisation(loaded);
    if (normalisation != null) System.err.println("warning: " + normalisation);
    String layers = TargetLoader.unreadLayers(loaded);
    if (layers != null) System.err.println("warning: " + layers);
    return loaded;
  }

  /**
   * For a ResNet read by a preset, what its global average pooling reads where the forward of the code its names are
   * from pools with a fixed window that this input's last map does not fit ({@link
   * dev.ticketproof.targets.ResNetPreset#fixedPooling}), or {@code null}.
   */
  static String poolingNote(TargetLoader.Loaded loaded) {
    Network net = loaded.built().network();
    int[] shape = net.inputShape();
    for (dev.ticketproof.net.Layer l : net.layers()) {
      if (l instanceof dev.ticketproof.net.GlobalAvgPool) {
        dev.ticketproof.io.TensorFile t = loaded.tensors();
        String modules = java.util.Objects.requireNonNullElse(Architectures.modulePath(t, loaded.prefix()), "");
        return dev.ticketproof.targets.ResNetPreset.fixedPooling(t.under(loaded.prefix()), t.model(), modules,
            net.inputShape(), shape);
      }
      shape = l.outShape(shape);
    }
    return null;
  }

  /**
   * How the spec's bottleneck blocks (residual blocks with a conv3) are computed, with the channels of the first one's
   * conv layer, or {@code null} when it has none.
   */
  static String bottleneckNote(TargetLoader.Loaded loaded) {
    java.util.List<String> names = loaded.spec().layers().stream()
        .filter(l -> l instanceof ArchSpec.Residual r && r.conv3() != null).map(ArchSpec.LayerSpec::name).toList();
    if (names.isEmpty()) return null;
    String first = names.get(0);
    int in = -1;
    int wide = -1;
    for (dev.ticketproof.net.Layer l : loaded.built().network().layers()) {
      if (l instanceof dev.ticketproof.net.Conv2d c && c.name().equals(first + ".conv1")) {
        in = c.inChannels();
        wide = c.outChannels();
        break;
      }
    }
    boolean strided = loaded.tensors().model() == null && loaded.spec().layers().stream()
        .anyMatch(l -> l instanceof ArchSpec.Residual r && r.conv3() != null && (r.conv2().sh() > 1 || r.conv2().sw() > 1));
    String stride = !strided ? "" : "; a state dict does not say on which conv a block's stride is: read on conv2, as "
        + "torchvision's, timm's and kuangliu's blocks have it (the original ResNet's, on conv1, needs a JSON spec or "
        + "the whole model)";
    return "its " + names.size() + " bottleneck block" + (names.size() == 1 ? "" : "s") + " (" + first
        + (names.size() > 1 ? ", ..." : "") + ") are each computed as a conv layer that carries the block's input "
        + "beside conv1's channels (once after a relu, as x and -x otherwise) and a residual block of conv2 and conv3, "
        + "exactly (docs/arch-spec.md, Bottleneck blocks)" + (wide < 0 ? "" : "; " + first + "'s conv layer reads "
        + in + " channels and gives " + wide) + stride;
  }

  /**
   * The target network: a built-in one ({@code builtin:NAME}, without {@code --arch}) or a file with its
   * architecture {@code arch} ({@code null} for a built-in target).
   */
  static Network load(String target, ArchOption arch, Activation phi, int[] inputShape) {
    return load(target, arch, phi, inputShape, (Path) null);
  }

  /**
   * As {@link #load(String, ArchOption, Activation, int[])} for the target of {@code ticket} (or null), whose
   * activation {@code phi} its header gives: a whole model that computes another is the target of another ticket,
   * which the message says (no {@code --activation} was given).
   */
  static Network load(String target, ArchOption arch, Activation phi, int[] inputShape, Path ticket) {
    // the shape the ticket records, when no --input-shape chose another (shapeOf): messages name the ticket
    String shapeSource = ticket != null && inputShape != null
        && java.util.Arrays.equals(inputShape, TicketWitness.inputShape(ticket))
        ? "the ticket " + ticket + " (the input it records)" : "--input-shape";
    try {
      return loadTarget(target, arch, phi, inputShape, shapeSource);
    } catch (BadParameter e) {
      if (ticket == null || !e.parameter().equals("activation")) throw new UsageError(UsageError.message(e));
      throw new UsageError(ticket + " was made with activation " + phi.name() + " (its header), but "
          + (e instanceof TargetLoader.ActivationMismatch m ? "the whole model " + m.model() + " computes "
          + m.computed() + " (its activation modules)" : e.getMessage()) + ": the ticket was made for another target");
    }
  }

  private static Network loadTarget(String target, ArchOption arch, Activation phi, int[] inputShape,
      String shapeSource) {
    if (target == null) throw new UsageError("--target is required (builtin:NAME or a .pt/.npz file)");
    if (target.startsWith("builtin:")) {
      if (arch != null && arch.prefix != null) throw new UsageError("--prefix: a built-in target has its own tensors");
      try {
        return Builtins.of(target.substring("builtin:".length()), phi);
      } catch (BadParameter e) {
        throw e; // named by load
      } catch (IllegalArgumentException e) {
        throw new UsageError("--target: " + e.getMessage());
      }
    }
    if (arch == null) arch = new ArchOption();
    try {
      TargetLoader.Loaded loaded = loadFile(Path.of(target), arch, phi.name(), inputShape, shapeSource, true);
      Network net = loaded.built().network();
      folded(target, loaded);
      String preset = arch.spec != null ? arch.spec : loaded.inferredPreset();
      if (inputShape == null && dev.ticketproof.targets.Presets.isPreset(preset)) {
        System.err.println("note: " + preset + " on " + target + ": input shape "
            + java.util.Arrays.toString(net.inputShape()) + " assumed (see docs/arch-spec.md, presets); give "
            + "--input-shape to check the tensors against your inputs");
      } else if (inputShape == null && arch.spec == null) {
        String how = dev.ticketproof.targets.WholeModels.inferenceNote(loaded.tensors(), loaded.spec());
        System.err.println("note: the whole model " + target + ": input shape "
            + java.util.Arrays.toString(net.inputShape()) + " inferred from its layers"
            + (how == null ? "" : " (" + how + ")") + "; give --input-shape C,H,W if your inputs are another size");
      }
      return net;
    } catch (ImportException e) {
      throw new UsageError(e.getMessage());
    }
  }

  /**
   * As {@link #load(String, ArchOption, Activation, int[])}, for a command that also reads a batch of inputs
   * ({@code data}, given with {@code flag}; may be null). Without {@code --input-shape}, a file target is first built
   * for the batch's per-example shape ([N, C, H, W] or [N, F]), so that a network that takes several input sizes (a
   * ResNet preset, a whole model's convolutions) is checked against the inputs it will be given; when it cannot be
   * built for that shape, the architecture's own input shape is taken as without the batch.
   */
  static Network load(String target, ArchOption arch, Activation phi, int[] inputShape, String flag, Path data) {
    if (inputShape != null || data == null || target == null || target.startsWith("builtin:")) {
      return load(target, arch, phi, inputShape);
    }
    int[] s = DataFiles.read(flag, data).tensor().shape();
    // why a layer is not read on the batch's images, when it is not (a ceil_mode pooling that adds a window there)
    String refusal = null;
    // signals [N, C, L] are the one-row images [C, 1, L] of a network that starts with a Conv1d, else a batch [N, H, W]
    // holds images [1, H, W] of one channel without their channel axis
    int[][] examples = s.length == 3 ? new int[][] {{s[1], 1, s[2]}, {1, s[1], s[2]}}
        : s.length == 2 || s.length == 4 ? new int[][] {java.util.Arrays.copyOfRange(s, 1, s.length)} : new int[0][];
    for (int k = 0; k < examples.length; k++) {
      int[] example = examples[k];
      boolean oneChannel = s.length == 3 && k == 1;
      try {
        TargetLoader.Loaded loaded = loadFile(Path.of(target), arch == null ? new ArchOption() : arch, phi.name(),
            example, flag + " " + data, true);
        Network net = loaded.built().network();
        if (java.util.Arrays.equals(net.inputShape(), example)
            && (s.length != 3 || startsWithConv1d(loaded) != oneChannel)) {
          System.err.println("note: " + target + ": input shape " + java.util.Arrays.toString(example)
              + " taken from " + flag + " " + data + (oneChannel ? ", whose examples " + java.util.Arrays.toString(
              new int[] {s[1], s[2]}) + " are read as images of one channel" : "") + " (give --input-shape to choose "
              + "another)");
          folded(target, loaded);
          return net;
        }
      } catch (ImportException | BadParameter e) {
        // not built for the batch's shape: the architecture's own, as without the batch
        if (k == 0 && e instanceof ImportException && shapeRefusal(e)) refusal = e.getMessage();
      }
    }
    if (s.length == 4 && s[3] > 1) {
      // a channels-last batch [N, H, W, C] of a network that reads images of any size: built for [C, H, W], for
      // which the batch is then refused with the transpose (DataFiles#examples)
      int[] chw = {s[3], s[1], s[2]};
      try {
        Network net = loadFile(Path.of(target), arch == null ? new ArchOption() : arch, phi.name(), chw,
            flag + " " + data, true).built().network();
        if (DataFiles.layout(s, net.inputShape()) == DataFiles.Layout.CHANNELS_LAST) return net;
      } catch (ImportException | BadParameter e) {
        // nor for that: the architecture's own
      }
    }
    if (refusal != null && s.length >= 3) {
      // the batch's images are of a size the network takes in PyTorch, but a layer of it is not read on them: that
      // is the reason, not that the batch differs from the size the architecture takes without it
      throw new UsageError(refusal);
    }
    return load(target, arch, phi, null);
  }

  /**
   * Whether a failure to build the network is a layer that no layer of the normal form computes on the input it
   * gets ({@link dev.ticketproof.io.ShapeRefusal}), though it does on another.
   */
  private static boolean shapeRefusal(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) if (c instanceof dev.ticketproof.io.ShapeRefusal) return true;
    return false;
  }

  /** Says on stderr which BatchNorms that follow no conv or linear layer were folded into a layer next to them. */
  private static void folded(String target, TargetLoader.Loaded loaded) {
    for (String f : loaded.built().folded()) {
      System.err.println("note: " + target + ": folded " + f + " (exact: " + (f.startsWith("normalize ")
          ? "the normalisation" : "a BatchNorm") + " is an affine map per channel)");
    }
  }

  /** Whether the first layer with weights of the loaded architecture is a Conv1d (it reads signals [C, L]). */
  static boolean startsWithConv1d(TargetLoader.Loaded loaded) {
    for (ArchSpec.LayerSpec l : loaded.spec().layers()) {
      if (l instanceof ArchSpec.Conv1d) return true;
      if (!l.requiredTensors().isEmpty()) return false;
    }
    return false;
  }

  /**
   * The input shape to build a ticket's target with: {@code --input-shape} when given, else for a file target the
   * shape the ticket's header records ({@link TicketWitness#inputShape}; a note says so), else null.
   */
  static int[] shapeOf(Path ticket, String target, int[] inputShape) {
    if (target != null && target.startsWith("builtin:") && inputShape != null) {
      throw new UsageError("--input-shape: a built-in target has its own input shape");
    }
    if (inputShape != null || target == null || target.startsWith("builtin:")) return inputShape;
    int[] recorded = TicketWitness.inputShape(ticket);
    // a target that is not there is reported by its loading, without a note first
    if (recorded != null && Files.isRegularFile(Path.of(target))) {
      System.err.println("note: " + target + ": input shape " + java.util.Arrays.toString(recorded) + " as "
          + ticket + " records it");
    }
    return recorded;
  }

  /** The message for a ticket path that is no regular file: missing, or a directory or device. */
  static String noTicket(Path file) {
    return file + (Files.exists(file) ? ": not a regular file (expected a ticket file, T.tpz)"
        : ": no such ticket file");
  }

  /** For a target hash that differs: the input shape the file target was built with, when no flag chose it. */
  static String shapeHint(String target, int[] inputShape, Network net) {
    return inputShape != null || target.startsWith("builtin:") ? "" : " (built for input shape "
        + java.util.Arrays.toString(net.inputShape()) + "; if the ticket was made for another, give --input-shape)";
  }

  /**
   * A ticket file with its target and source network (the kernel's activation).
   *
   * @param cert the certificate
   * @param target the target network
   * @param source the source network the certificate's mask selects from
   */
  record Ticket(TicketCertificate cert, Network target, SourceNetwork source) {}

  /**
   * The kernel's check of a ticket file before a command uses it ({@code export}, {@code eval --ticket}): a damaged
   * or edited file (a mask that is not the one the header's digest names, a header whose seed or claims the mask does
   * not bear out) is a {@link RejectedTicket}, exit code 3, instead of a network that is not the certified ticket.
   * With {@code bound} ({@code export}, which records the claimed bound), a certificate of the whole box is checked
   * as {@code verify} checks it; a local one, whose balls need their points ({@code verify --around}), and any one
   * without {@code bound} ({@code eval --ticket}, which reports no bound), all but its claimed bound, without the
   * differential bound's pass (minutes on a large ticket): the mask's digest, its structure, every instance against
   * the header's seed, and the claimed failure count ({@link TicketChecker#checkStructure}).
   */
  static void check(Path file, Ticket t, Activation phi, boolean bound) {
    TicketCertificate c = t.cert();
    boolean whole = bound && !c.header().local();
    TicketChecker.Report r = whole ? TicketChecker.check(c, t.target(), phi)
        : TicketChecker.checkStructure(c, t.target(), phi);
    String reason = r.verdict().reason();
    if (!r.verdict().isHolds() && !(!whole && reason.startsWith("claimed bound "))) {
      throw new RejectedTicket(file + ": " + reason + " (verify gives the kernel's verdict)");
    }
  }

  /**
   * Reads a ticket and its target: a builtin target named in the header, or {@code --target PATH --arch SPEC}; the
   * kernel checks it ({@link #check}).
   *
   * @throws UsageError naming the file or flag when the ticket or target cannot be read or do not fit
   */
  static Ticket ticket(Path file, String target, ArchOption arch, int[] inputShape) {
    return ticket(file, target, arch, inputShape, true);
  }

  /** {@link #ticket(Path, String, ArchOption, int[])}, checked with or without the claimed bound ({@link #check}). */
  static Ticket ticket(Path file, String target, ArchOption arch, int[] inputShape, boolean bound) {
    if (!Files.isRegularFile(file)) throw new UsageError(noTicket(file));
    TicketCertificate cert;
    try {
      cert = TicketFile.read(file);
    } catch (TicketFile.Unreadable e) {
      throw new UsageError(e.getMessage());
    } catch (IOException e) {
      throw new UsageError(file + ": cannot read (" + e.getMessage() + ")");
    }
    if (!TicketCertificate.checks(cert.header().version())) {
      throw new UsageError(file + ": certificate version " + cert.header().version() + ", this TicketProof reads "
          + "versions 2 to " + TicketCertificate.VERSION + " (build the ticket again with construct)");
    }
    String name = cert.header().activation();
    KernelActivation kphi = KernelActivation.of(name);
    Activation phi;
    try {
      phi = ActivationCatalog.parse(name);
    } catch (IllegalArgumentException e) {
      phi = null;
    }
    if (kphi == null || phi == null) throw new UsageError(file + ": the header names an unknown activation " + name);
    String t = target != null ? target : cert.header().target();
    if (t == null || (!t.startsWith("builtin:") && target == null)) {
      throw new UsageError("the ticket's target is " + t + "; pass it with --target PATH --arch SPEC (no --arch "
          + "for a whole model's nn.Sequential)");
    }
    Network net = load(t, arch, phi, shapeOf(file, t, inputShape), file);
    String sha = dev.ticketproof.kernel.TargetHash.of(net);
    if (!sha.equals(cert.header().targetSha256())) {
      throw new UsageError(file + " was made for another target: its header has target hash "
          + cert.header().targetSha256() + ", " + t + " has " + sha + shapeHint(t, inputShape, net));
    }
    Ticket ticket;
    try {
      ticket = new Ticket(cert, net, SourceNetwork.of(TargetPlan.of(net, kphi), cert.params()));
    } catch (IllegalArgumentException e) {
      throw new UsageError(file + ": the source network cannot be rebuilt for target " + t + " ("
          + e.getMessage() + ")");
    }
    check(file, ticket, phi, bound);
    return ticket;
  }
}
