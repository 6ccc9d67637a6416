package dev.ticketproof.targets;

import dev.ticketproof.io.ArchSpec;
import dev.ticketproof.io.ImportException;
import dev.ticketproof.io.TensorFile;
import dev.ticketproof.limits.BadParameter;
import dev.ticketproof.targets.Presets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves an {@code --arch} argument: a preset name (see {@link Presets}) or a JSON spec file. */
public final class Architectures {
  private Architectures() {}

  /**
   * The spec named by {@code arch}.
   *
   * @param arch {@value Presets#SYNFLOW_CONV}, {@value Presets#OPENLTH_CIFAR_RESNET} or the path of a JSON spec
   * @param tensors the target's tensors (presets read their names and shapes)
   * @param input the per-example input shape if known, else {@code null} (used by presets only)
   * @throws ImportException when {@code arch} is neither, or the spec is invalid for these tensors
   */
  public static ArchSpec spec(String arch, TensorFile tensors, int[] input) {
    if (Presets.isPreset(arch)) return Presets.infer(arch, tensors, input);
    Path file = Path.of(arch);
    if (!Files.isRegularFile(file)) {
      throw new BadParameter("arch", "arch " + arch + ": neither a preset (" + Presets.SYNFLOW_CONV + ", "
          + Presets.OPENLTH_CIFAR_RESNET + ") nor an existing .json spec file");
    }
    return ArchSpec.read(file);
  }
}
