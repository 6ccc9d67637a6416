package dev.ticketproof.cli;


import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.targets.Builtins;
import dev.ticketproof.io.ImportException;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.net.Network;
import java.nio.file.Path;

/** Resolves {@code --target builtin:NAME|PATH [--arch SPEC]} and {@code --activation}. */
final class TargetOptions {
  private TargetOptions() {}

  static Activation activation(String name) {
    try {
      return ActivationCatalog.requireIdentityHypothesis(ActivationCatalog.parse(name));
    } catch (IllegalArgumentException e) {
      throw new UsageError("--activation: " + e.getMessage());
    }
  }

  static Network load(String target, String arch, Activation phi, int[] inputShape) {
    if (target == null) throw new UsageError("--target is required (builtin:NAME or a .pt/.npz file)");
    if (target.startsWith("builtin:")) {
      try {
        return Builtins.of(target.substring("builtin:".length()), phi);
      } catch (IllegalArgumentException e) {
        throw new UsageError("--target: " + e.getMessage());
      }
    }
    if (arch == null) {
      throw new UsageError("--arch is required for the file target " + target
          + " (a preset such as synflow-conv or openlth-cifar-resnet, or a JSON spec)");
    }
    try {
      return TargetLoader.load(Path.of(target), arch, phi.name(), inputShape, "--input-shape", true).built().network();
    } catch (ImportException e) {
      throw new UsageError(e.getMessage());
    }
  }
}
