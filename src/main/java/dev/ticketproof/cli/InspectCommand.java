package dev.ticketproof.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonParser;
import dev.ticketproof.io.ArchSpec;
import dev.ticketproof.io.NetworkBuilder;
import dev.ticketproof.io.StoredTensor;
import dev.ticketproof.io.TensorFile;
import dev.ticketproof.io.TensorFiles;
import dev.ticketproof.targets.Architectures;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.targets.WholeModels;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ticketproof inspect PATH [--arch SPEC]}: the tensors of a target file and the layer table a spec builds; for
 * a whole model without {@code --arch}, the spec derived from its {@code nn.Sequential} too.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = {"Lists the tensors of a .pt/.npy/.npz file or a directory of .npy files (name, shape, dtype, "
        + "nonzeros, |max|) and, with --arch, the layer table the architecture builds from them.",
        "For a whole model (torch.save(model)) of an nn.Sequential without --arch: the architecture derived from "
        + "its module tree, as a JSON spec to save and edit, and its layer table (given the input shape when it "
        + "cannot be inferred)."})
public final class InspectCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "PATH", description = "Target file or directory.")
  Path path;

  @CommandLine.Mixin ArchOption arch;

  @Option(names = "--activation", paramLabel = "A",
      description = "Activation for the layer table (default: the spec's \"activation\", a whole model's "
          + "activation modules', else relu).")
  String activation;

  @CommandLine.Mixin InputShapeOption inputShape;

  @Option(names = "--no-masks", description = "Do not apply masks X_mask; list them as tensors.")
  boolean noMasks;

  @CommandLine.Mixin FormatOption format;

  @Override public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    long start = System.nanoTime();
    TensorFile file = null;
    NetworkBuilder.Built built = null;
    String prefix = null;
    boolean found = false;
    ArchSpec derived = null;
    WholeModels.Derived draft = null;
    String archNote = null;
    String preset = null;
    String outsideNote = "";
    if (arch.spec == null) {
      file = TensorFiles.read(path, !noMasks);
      String hidden = TargetLoader.hiddenForward(file);
      if (hidden != null) {
        spec.commandLine().getErr().println("warning: " + hidden + " (eval, construct and verify refuse it)");
      }
    }
    // an architecture given, or a state dict whose names are a preset's (whose spec is then printed)
    if (arch.spec != null || Architectures.inferPreset(file) != null) {
      TargetLoader.Loaded loaded = TargetOptions.loadFile(path, arch, TargetOptions.activationName(activation,
          path.toString(), arch), inputShape.value, "--input-shape", !noMasks);
      file = loaded.tensors();
      built = loaded.built();
      prefix = loaded.prefix();
      found = loaded.prefixDetected();
      outsideNote = Architectures.outsideNote(file, prefix, loaded.spec());
      if (loaded.rewrite() != null) {
        // the spec names the rewritten tensors, not the file's: what was read and how is said instead
        archNote = loaded.rewrite();
      } else if (arch.spec == null || dev.ticketproof.targets.Presets.isPreset(arch.spec)) {
        // a preset's spec, inferred or given, is printed: a JSON spec to start from (a normalize layer first)
        derived = loaded.spec();
        preset = arch.spec == null ? loaded.inferredPreset() : arch.spec;
      }
    } else {
      // a dict of several whole models: --prefix chooses the one whose module tree gives the architecture
      boolean chosen = arch.prefix != null && file.model() == null && file.models().size() > 1;
      if (chosen) file = Architectures.chooseModel(file, arch.prefix);
      if (arch.prefix != null && !chosen) {
        prefix = Architectures.givenPrefix(file, arch.prefix);
        file = file.under(prefix);
      } else if (!WholeModels.isWholeModel(file) && dev.ticketproof.targets.ResNetPreset.preActivation(file) != null) {
        archNote = "not read: " + dev.ticketproof.targets.ResNetPreset.preActivation(file);
      } else if (WholeModels.isWholeModel(file)) {
        WholeModels.Derived d = null;
        try {
          d = WholeModels.derive(file);
        } catch (dev.ticketproof.io.ImportException e) {
          archNote = "not derived from the module tree: " + e.getMessage();
          draft = WholeModels.draft(file);
        }
        if (d != null) {
          derived = d.withInput(inputShape.value);
          if (derived.input() == null) {
            archNote = "no layer table: the input shape cannot be inferred (" + d.inputUnknown() + "); give "
                + "--input-shape C,H,W";
          } else {
            String phi = activation != null ? activation : derived.activation() != null ? derived.activation()
                : dev.ticketproof.api.Tickets.DEFAULT_ACTIVATION;
            TargetLoader.Loaded loaded = TargetLoader.load(path, null, chosen ? arch.prefix : null, phi,
                inputShape.value, "--input-shape", !noMasks);
            built = loaded.built();
            prefix = loaded.prefix();
            found = loaded.prefixDetected();
          }
        }
      } else if (file.names().stream().anyMatch(n -> n.endsWith(".weight"))) {
        // a state dict (not a data file): what construct would say, which names the preset that reads it if one does
        try {
          Architectures.requireWholeModel(file);
        } catch (dev.ticketproof.limits.BadParameter e) {
          archNote = "none in the file: " + UsageError.message(e);
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    ArchSpec draftSpec = draft == null ? null : draft.withInput(inputShape.value);
    if (format.json()) out.println(json(file, built, prefix, found, derived, preset, archNote, draftSpec, seconds));
    else table(out, file, built, prefix, found, outsideNote, derived, preset, archNote, draftSpec, seconds);
    out.flush();
    return 0;
  }

  /** What a whole custom model's draft spec is, and what it is not. */
  static final String DRAFT = "draft architecture: the submodules in the order they were assigned, with a flatten "
      + "before a linear layer that follows a conv or pooling layer, as a forward that calls them in that order "
      + "computes. It is not read from the forward: save it as a .json spec, compare eval --target FILE --arch "
      + "SPEC with PyTorch's outputs on a few inputs, and give it with --arch only if they agree (docs/arch-spec.md):";

  private static void table(PrintWriter out, TensorFile file, NetworkBuilder.Built built, String prefix,
      boolean found, String outsideNote, ArchSpec derived, String preset, String archNote, ArchSpec draft, double seconds) {
    out.printf("%s: %d tensors (read in %.3f s)%n", file.source(), file.tensors().size(), seconds);
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"name", "shape", "dtype", "nonzeros", "|max|"});
    for (StoredTensor t : file.tensors().values()) {
      rows.add(new String[] {t.name(), Arrays.toString(t.tensor().shape()), t.dtype().label(),
          t.nonzeros() + "/" + t.tensor().size(), String.format("%.6g", t.maxAbs())});
    }
    printTable(out, rows);
    if (!file.appliedMasks().isEmpty()) out.println("masks applied to: " + String.join(", ", file.appliedMasks()));
    if (!file.skipped().isEmpty()) out.println("skipped (not tensors): " + String.join(", ", file.skipped()));
    if (prefix != null && !prefix.isEmpty()) {
      out.println("tensors read under prefix '" + prefix + "'" + (found ? " (found: the architecture's names are "
          + "all there)" : "") + outsideNote);
    }
    if (derived != null) {
      out.println();
      out.println(preset != null ? "architecture inferred from the tensor names (preset " + preset + "; save it as "
          + "a .json spec to edit it, docs/arch-spec.md):" : "architecture from the module tree (its nn.Sequential; "
          + "save it as a .json spec to edit it, docs/arch-spec.md):");
      out.print(derived.toJson());
    }
    if (archNote != null) {
      out.println();
      out.println("architecture: " + archNote);
    }
    if (draft != null) {
      out.println();
      out.println(DRAFT);
      out.print(draft.toJson());
    }
    if (built == null) return;
    out.println();
    out.println("layers (input " + Arrays.toString(built.network().inputShape()) + "):");
    List<String[]> layers = new ArrayList<>();
    layers.add(new String[] {"#", "name", "layer", "in", "out", "params", "nonzeros"});
    int i = 0;
    for (NetworkBuilder.LayerRow r : built.rows()) {
      layers.add(new String[] {Integer.toString(i++), r.name(), r.description(), Arrays.toString(r.inShape()),
          Arrays.toString(r.outShape()), Long.toString(r.parameters()), Long.toString(r.nonzeros())});
    }
    printTable(out, layers);
    if (built.network().outputActivation() != null) {
      out.println("outputs through " + built.network().outputActivation().name() + " (after the last layer: the "
          + "ticket constructions approximate the layers, eval applies it)");
    }
    if (!built.unusedTensors().isEmpty()) {
      out.println("unused tensors: " + String.join(", ", built.unusedTensors()));
    }
    for (String f : built.folded()) out.println("folded (exact): " + f);
    String map = inputMap(built);
    if (map != null) {
      out.println("input map: " + map + " (first) stays in front of the ticket's layers: the ticket reads its outputs, "
          + "as the layers after it do, and the certified box is that of the inputs before it");
    }
    if (built.unfolded() != null) out.println("not for the ticket constructions: " + built.unfolded());
  }

  /** The label of a first BatchNorm or input normalisation that did not fold (the target's input map), or null. */
  private static String inputMap(NetworkBuilder.Built built) {
    List<dev.ticketproof.net.Layer> layers = built.network().layers();
    return !layers.isEmpty() && layers.get(0) instanceof dev.ticketproof.net.BatchNorm2d bn ? bn.label() : null;
  }

  private static void printTable(PrintWriter out, List<String[]> rows) {
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) for (int c = 0; c < r.length; c++) width[c] = Math.max(width[c], r[c].length());
    for (String[] r : rows) {
      StringBuilder sb = new StringBuilder();
      for (int c = 0; c < r.length; c++) {
        if (c > 0) sb.append("  ");
        sb.append(String.format("%-" + width[c] + "s", r[c]));
      }
      out.println(sb.toString().stripTrailing());
    }
  }

  private static String json(TensorFile file, NetworkBuilder.Built built, String prefix, boolean found,
      ArchSpec derived, String preset, String archNote, ArchSpec draft, double seconds) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("file", file.source());
    root.put("readSeconds", seconds);
    List<Map<String, Object>> tensors = new ArrayList<>();
    for (StoredTensor t : file.tensors().values()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", t.name());
      m.put("shape", t.tensor().shape());
      m.put("dtype", t.dtype().label());
      m.put("size", t.tensor().size());
      m.put("nonzeros", t.nonzeros());
      m.put("maxAbs", t.maxAbs());
      tensors.add(m);
    }
    root.put("tensors", tensors);
    root.put("masksApplied", file.appliedMasks());
    root.put("skipped", file.skipped());
    root.put("prefix", prefix);
    root.put("prefixFound", found);
    if (derived != null) root.put("arch", JsonParser.parseString(derived.toJson()));
    if (preset != null) root.put("archPreset", preset);
    if (archNote != null) root.put("archNote", archNote);
    if (draft != null) {
      root.put("archDraft", JsonParser.parseString(draft.toJson()));
      root.put("archDraftNote", DRAFT);
    }
    if (built != null) {
      root.put("input", built.network().inputShape());
      List<Map<String, Object>> layers = new ArrayList<>();
      for (NetworkBuilder.LayerRow r : built.rows()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("layer", r.description());
        m.put("in", r.inShape());
        m.put("out", r.outShape());
        m.put("params", r.parameters());
        m.put("nonzeros", r.nonzeros());
        layers.add(m);
      }
      root.put("layers", layers);
      root.put("unusedTensors", built.unusedTensors());
      root.put("folded", built.folded());
      if (inputMap(built) != null) root.put("inputMap", inputMap(built));
      if (built.unfolded() != null) root.put("unfolded", built.unfolded());
    }
    return new GsonBuilder().setPrettyPrinting().create().toJson(root);
  }
}
