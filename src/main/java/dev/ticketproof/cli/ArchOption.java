package dev.ticketproof.cli;

import dev.ticketproof.targets.Presets;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --arch SPEC [--prefix P]} options of the commands that read a file target. */
final class ArchOption {
  @Option(names = "--arch", paramLabel = "SPEC", description = "Architecture of a file target: a preset "
      + "(" + Presets.NAMES + ") or a .json spec (docs/arch-spec.md). Default: a whole model's nn.Sequential, or "
      + Presets.CIFAR_RESNET + " for a state dict with its names (conv1, bn1, layer1.0.conv1, ..., fc or linear), "
      + "or an open_lth preset for a state dict with the names of open_lth's models.")
  String spec;

  @Option(names = "--prefix", paramLabel = "P", description = "Read the architecture's tensors under this name "
      + "prefix (e.g. state_dict. or module.; '' for none). Default: the names as they are, else the one prefix "
      + "of the file's names under which all of them are found.")
  String prefix;

  /** The spec file (an input an output must not overwrite), or null for a preset or no {@code --arch}. */
  Path file() { return spec == null || Presets.isPreset(spec) ? null : Path.of(spec); }
}
