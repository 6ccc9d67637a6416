package dev.ticketproof.cli;

import dev.ticketproof.targets.Presets;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --arch SPEC} option of the commands that read a file target. */
final class ArchOption {
  @Option(names = "--arch", paramLabel = "SPEC", description = "Architecture of a file target: a preset "
      + "(synflow-conv, openlth-cifar-resnet) or a .json spec (docs/arch-spec.md).")
  String spec;

  /** The spec file (an input an output must not overwrite), or null for a preset or no {@code --arch}. */
  Path file() { return spec == null || Presets.isPreset(spec) ? null : Path.of(spec); }
}
