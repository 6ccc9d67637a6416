package dev.ticketproof.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.limits.BadParameter;
import dev.ticketproof.targets.Architectures;
import dev.ticketproof.targets.Presets;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.targets.WholeModels;
import dev.ticketproof.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The twenty-sixth round's networks (fixtures {@code round26_*}, made by train_round26.py): custom modules that keep
 * their layers in an {@code nn.ModuleList}. References: PyTorch's float64 forward pass.
 */
class Round26Test {
  /** A ModuleList of Sequential blocks, then a head: the draft walks the list in order and is the network. */
  @Test void aModuleListOfBlocksIsDraftedInItsOrder(@TempDir Path tmp) throws Exception {
    TensorFile file = TensorFiles.read(Fixtures.path("round26_cnn_whole.pt"));
    WholeModels.Derived draft = WholeModels.draft(file);
    assertThat(draft.spec().layers()).containsExactly(new ArchSpec.Conv("blocks.0.0", 1, 1), new ArchSpec.Activation(),
        new ArchSpec.MaxPool(2, 2, 0), new ArchSpec.Conv("blocks.1.0", 1, 1), new ArchSpec.Activation(),
        new ArchSpec.MaxPool(2, 2, 0), new ArchSpec.Flatten(), new ArchSpec.Linear("head"));
    Path spec = tmp.resolve("draft.json");
    Files.writeString(spec, draft.withInput(new int[] {1, 8, 8}).toJson());
    assertThat(relativeError("round26_cnn_whole.pt", spec.toString(), null, "round26_cnn"))
        .isLessThanOrEqualTo(1e-14);
  }

  /** An nn.ModuleDict that the forward runs in its order: the draft walks it in that order and is the network. */
  @Test void aModuleDictIsDraftedInItsOrder(@TempDir Path tmp) throws Exception {
    WholeModels.Derived draft = WholeModels.draft(TensorFiles.read(Fixtures.path("round26_dict_whole.pt")));
    assertThat(draft.spec().activation()).isEqualTo("elu(1.0)");
    Path spec = tmp.resolve("draft.json");
    Files.writeString(spec, draft.withInput(new int[] {1, 8, 8}).toJson());
    assertThat(relativeError("round26_dict_whole.pt", spec.toString(), null, "round26_dict"))
        .isLessThanOrEqualTo(1e-14);
  }

  /**
   * One nn.ReLU after every layer of a ModuleList but the last: no draft (the order of the modules does not show
   * where the forward applies it), and the refusal names the preset that reads the chain, under its prefix, which
   * computes PyTorch's outputs; so does the refusal of the state dict, which holds no architecture.
   */
  @Test void aChainOfLayersInAModuleListIsNamedAndReadByTheNumberedPreset() {
    assertThat(WholeModels.draft(TensorFiles.read(Fixtures.path("round26_mlp_whole.pt")))).isNull();
    assertThatThrownBy(() -> WholeModels.derive(TensorFiles.read(Fixtures.path("round26_mlp_whole.pt"))))
        .isInstanceOf(ImportException.class).hasMessageContaining("(no draft is given: its layers 'layers.0' and "
            + "'layers.1' follow each other").hasMessageContaining("; its names layers.0.weight, ... are a numbered "
            + "chain of convs and linear layers (an nn.Sequential or nn.ModuleList of them), which the preset "
            + "synflow-conv reads under the prefix 'layers.' if the forward applies the activation (relu, its "
            + "activation module's, unless that module is an output activation: give it) between consecutive layers "
            + "and no pooling");
    TensorFile state = TensorFiles.read(Fixtures.path("round26_mlp_state.pt"));
    assertThat(Presets.numberedChain(state)).isEqualTo("layers.");
    assertThatThrownBy(() -> Architectures.derived(state, null, null)).isInstanceOf(BadParameter.class)
        .hasMessageContaining("holds tensors only").hasMessageContaining("which the preset synflow-conv reads under "
            + "the prefix 'layers.' if the forward applies the activation (which the file does not hold: give it)");
    for (String target : new String[] {"round26_mlp_whole.pt", "round26_mlp_state.pt"}) {
      assertThat(relativeError(target, Presets.SYNFLOW_CONV, "relu", "round26_mlp")).as(target)
          .isLessThanOrEqualTo(1e-14);
    }
    // one layer under each numbered prefix (blocks.0.0, blocks.1.0) is no chain
    assertThat(Presets.numberedChain(TensorFiles.read(Fixtures.path("round26_cnn_whole.pt")))).isNull();
  }

  private static double relativeError(String target, String arch, String activation, String name) {
    Tensor x = TensorFiles.readNpy(Fixtures.path(name + "_input.npy")).tensor();
    TargetLoader.Loaded loaded = TargetLoader.load(Fixtures.path(target), arch, activation,
        Arrays.copyOfRange(x.shape(), 1, x.rank()), "the input", true);
    return FidelityTest.relativeError(loaded.built().network().outputs(x),
        TensorFiles.readNpy(Fixtures.path(name + "_output.npy")).tensor());
  }
}
