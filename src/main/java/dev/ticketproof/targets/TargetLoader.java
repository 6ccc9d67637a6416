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
   * @param activation the activation used, or {@code null} if the network has none
   * @param built the network, its layer table and the tensors no layer reads
   */
  public record Loaded(TensorFile tensors, ArchSpec spec, Activation activation, NetworkBuilder.Built built) {}

  /**
   * Reads the target's tensors and builds its network.
   *
   * @param target a {@code .pt}, {@code .npy}, {@code .npz} file or a directory of {@code .npy} files
   * @param arch a preset name or the path of a JSON spec
   * @param activation the activation's catalog name, or {@code null} to use the spec's {@code "activation"}
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
    TensorFile tensors = TensorFiles.read(target, applyMasks);
    ArchSpec spec = Architectures.spec(arch, tensors, input);
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
    return new Loaded(tensors, spec, phi, NetworkBuilder.build(arch, spec, tensors, phi, input,
        inputSource));
  }
}
