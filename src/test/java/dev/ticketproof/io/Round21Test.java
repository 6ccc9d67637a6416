package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The twenty-first round's networks (fixtures {@code round21_*}, made by train_round21.py): pre-activation ResNets
 * under names of their own, read through a JSON spec's {@code preact-resnet} as post-activation ResNets of doubled
 * width (targets.PreActResNet). References: PyTorch's float64 forward pass of the original networks.
 */
class Round21Test {
  private static final String SHAPES = "round13_shapes_input.npy";
  @TempDir Path tmp;

  private static TargetLoader.Loaded load(String target, Path spec) {
    return TargetLoader.load(Fixtures.path(target), spec.toString(), null, new int[] {3, 16, 16}, "the input", true);
  }

  private static double error(TargetLoader.Loaded loaded, String reference) {
    Tensor x = TensorFiles.readNpy(Fixtures.path(SHAPES)).tensor();
    return FidelityTest.relativeError(loaded.built().network().outputs(x),
        TensorFiles.readNpy(Fixtures.path(reference + "_output.npy")).tensor());
  }

  /**
   * Blocks named block1.0, block1.1, block2.0 with a projection named shortcut, a final bn and fc, GELU, the input
   * normalised with constants (the spec's normalize): PyTorch's outputs to rounding, read under the checkpoint's
   * 'state_dict.'; and wide-resnet.pytorch's wide_basic blocks (biases, the stride on conv2, the projection of the
   * block's input, a final bn1 beside the blocks' own): the same.
   */
  @Test void preActivationResNetsUnderTheirOwnNamesEvaluateAsPyTorch() {
    assertThat(fidelity("round21_custom_ckpt.pt", "round21_custom.json", SHAPES, "round21_custom", "gelu"))
        .isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("round21_wide_sd.pt", "round21_wide.json", SHAPES, "round21_wide", "relu"))
        .isLessThanOrEqualTo(1e-14);
    TargetLoader.Loaded custom = load("round21_custom_ckpt.pt", Fixtures.path("round21_custom.json"));
    assertThat(custom.prefix()).isEqualTo("state_dict.");
    assertThat(custom.rewrite()).contains("read as a pre-activation ResNet (3 blocks")
        .contains("the stream of 16/16/24/24 channels").contains("the input normalised first");
    assertThat(custom.spec().layers().get(0)).isInstanceOf(ArchSpec.Normalize.class);
    TargetLoader.Loaded wide = load("round21_wide_sd.pt", Fixtures.path("round21_wide.json"));
    assertThat(wide.rewrite()).contains("the projection shortcuts read the block's input s")
        .contains("a block's stride is on its conv2").contains("a final bn1 and activation");
    // every tensor is read but the BatchNorms' counters
    assertThat(wide.built().unusedTensors()).allMatch(n -> n.endsWith("num_batches_tracked"));
  }

  /** The spec's keys say what the names cannot: the other shortcut or stride placement is another function. */
  @Test void theShortcutsInputAndTheStridesConvAreTheSpecsToSay() throws IOException {
    String spec = Files.readString(Fixtures.path("round21_wide.json"));
    Path activated = tmp.resolve("activated.json");
    Files.writeString(activated, spec.replace("\"shortcutReads\": \"input\", ", ""));
    assertThat(error(load("round21_wide_sd.pt", activated), "round21_wide")).isGreaterThan(1e-3);
    Path conv1 = tmp.resolve("conv1.json");
    Files.writeString(conv1, spec.replace("\"strideOn\": \"conv2\", ", ""));
    assertThat(error(load("round21_wide_sd.pt", conv1), "round21_wide")).isGreaterThan(1e-3);
    // without a spec the names (a top-level bn1 beside the blocks') are no layout the preset reads
    assertThatThrownBy(() -> TargetLoader.load(Fixtures.path("round21_wide_sd.pt"), null, null, "relu",
        new int[] {3, 16, 16}, "the input", true)).isInstanceOf(ImportException.class);
  }

  /** The spec round-trips through its JSON, and bad specs are refused naming the key or the tensor. */
  @Test void theSpecRoundTripsAndBadSpecsAreRefused() throws IOException {
    ArchSpec spec = ArchSpec.read(Fixtures.path("round21_wide.json"));
    assertThat(ArchSpec.parse("again", spec.toJson()).layers()).isEqualTo(spec.layers());
    ArchSpec.PreActNet net = (ArchSpec.PreActNet) spec.layers().get(0);
    assertThat(net.stem()).isEqualTo("conv1");
    assertThat(net.shortcut()).isEqualTo("shortcut.0");
    assertThat(net.linear()).isEqualTo("linear");
    assertThat(net.blocks()).extracting(ArchSpec.PreActNet.PreActBlock::stride).containsExactly(1, 2, 1, 2);
    String json = Files.readString(Fixtures.path("round21_custom.json"));
    assertThatThrownBy(() -> ArchSpec.parse("s.json", json.replace("\"bn\": \"bn\"", "\"shortcutReads\": \"x\"")))
        .hasMessageContaining("s.json: layers[1].shortcutReads: expected \"activated\"");
    assertThatThrownBy(() -> ArchSpec.parse("s.json", json.replace("\"bn\": \"bn\"", "\"strideOn\": \"bn1\"")))
        .hasMessageContaining("layers[1].strideOn: expected \"conv1\" or \"conv2\"");
    assertThatThrownBy(() -> ArchSpec.parse("s.json", json.replace(
        "[{\"name\": \"block1.0\"}, {\"name\": \"block1.1\", \"stride\": 2}, {\"name\": \"block2.0\"}]", "[]")))
        .hasMessageContaining("layers[1].blocks: expected at least one block");
    Path after = tmp.resolve("after.json");
    Files.writeString(after, json.replace("\"linear\": \"fc\"}",
        "\"linear\": \"fc\"},\n    {\"type\": \"activation\"}"));
    assertThatThrownBy(() -> load("round21_custom_ckpt.pt", after))
        .hasMessageContaining("a preact-resnet is the whole network");
    Path missing = tmp.resolve("missing.json");
    Files.writeString(missing, json.replace("{\"name\": \"block2.0\"}",
        "{\"name\": \"block2.0\"}, {\"name\": \"block3.0\"}"));
    // no prefix holds every tensor the spec names: the message lists the file's names, prefix and all
    assertThatThrownBy(() -> load("round21_custom_ckpt.pt", missing)).isInstanceOf(ImportException.class)
        .hasMessageContaining("missing.json names tensor 'conv1.weight', which ")
        .hasMessageContaining("(it has state_dict.conv1.weight, state_dict.block1.0.bn1.weight");
    // under the given prefix it names the missing block's
    assertThatThrownBy(() -> TargetLoader.load(Fixtures.path("round21_custom_ckpt.pt"), missing.toString(),
        "state_dict.", null, new int[] {3, 16, 16}, "the input", true)).isInstanceOf(ImportException.class)
        .hasMessageContaining("names tensor 'block3.0.conv1.weight'");
  }
}
