package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.targets.Architectures;
import dev.ticketproof.targets.Presets;
import dev.ticketproof.targets.TargetLoader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The twenty-second round's networks (fixtures {@code round22_*}, made by train_round22.py): open_lth's cifar_vgg and
 * mnist_lenet as its training code saves them, read by their presets, which a file of their names takes without an
 * architecture. References: PyTorch's float64 forward pass.
 */
class Round22Test {
  private static final String SHAPES = "round13_shapes_input.npy";

  /** The bare state dict, the checkpoint (under 'model_state_dict.') and the LeNet: PyTorch's outputs to rounding. */
  @Test void openLthsVggAndLenetEvaluateAsPyTorchWithoutAnArchitecture() {
    assertThat(fidelity("round22_vgg_model_ep20_it0.pth", null, SHAPES, "round22_vgg", "relu"))
        .isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("round22_vgg_checkpoint.pth", null, SHAPES, "round22_vgg", "relu"))
        .isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("round22_lenet_model_ep60_it0.pth", null, "round22_digits28_input.npy", "round22_lenet",
        "relu")).isLessThanOrEqualTo(1e-14);
    TargetLoader.Loaded ckpt = TargetLoader.load(Fixtures.path("round22_vgg_checkpoint.pth"), null, null, null, null,
        null, true);
    assertThat(ckpt.inferredPreset()).isEqualTo(Presets.OPENLTH_CIFAR_VGG);
    assertThat(ckpt.prefix()).isEqualTo("model_state_dict.");
    // the input is the smallest image the fc's fan-in fits: 16x16 after three max poolings and the average pooling
    assertThat(ckpt.built().network().inputShape()).containsExactly(3, 16, 16);
    assertThat(ckpt.built().unusedTensors()).allMatch(n -> n.endsWith("num_batches_tracked")
        || n.startsWith("optimizer_state_dict."));
  }

  /** The numbers of the Sequential that hold no tensors are its max poolings; the forward's average pooling ends it. */
  @Test void theVggsPoolingsAreTheNumbersWithoutTensors() {
    ArchSpec spec = Architectures.spec(Presets.OPENLTH_CIFAR_VGG,
        TensorFiles.read(Fixtures.path("round22_vgg_model_ep20_it0.pth")), null);
    List<String> kinds = spec.layers().stream().map(l -> l instanceof ArchSpec.Conv c ? c.name()
        : l.getClass().getSimpleName()).filter(k -> !k.equals("BatchNorm") && !k.equals("Activation")).toList();
    assertThat(kinds).containsExactly("layers.0.conv", "MaxPool", "layers.2.conv", "layers.3.conv", "MaxPool",
        "layers.5.conv", "MaxPool", "layers.7.conv", "AvgPool", "Flatten", "Linear");
    assertThat(spec.activation()).isEqualTo("relu");
  }

  /**
   * kuangliu's VGG in its checkpoint (under 'net.module.'; the last max pooling after the last conv) and a VGG without
   * BatchNorm whose classifier has dropout between its linear layers: PyTorch's outputs to rounding.
   */
  @Test void vggsWithTorchvisionsNamesEvaluateAsPyTorch() {
    dev.ticketproof.tensor.Tensor x = TensorFiles.readNpy(Fixtures.path(SHAPES)).tensor();
    for (String[] net : new String[][] {{"kuangliu_vgg_ckpt.pth", "kuangliu_vgg"}, {"dropout_vgg.pth", "dropout_vgg"}}) {
      TargetLoader.Loaded loaded = TargetLoader.load(Fixtures.path("round22_" + net[0]), Presets.VGG, null, null,
          new int[] {3, 16, 16}, "the input", true);
      assertThat(FidelityTest.relativeError(loaded.built().network().outputs(x),
          TensorFiles.readNpy(Fixtures.path("round22_" + net[1] + "_output.npy")).tensor())).as(net[0])
          .isLessThanOrEqualTo(1e-14);
    }
    TensorFile kuangliu = TensorFiles.read(Fixtures.path("round22_kuangliu_vgg_ckpt.pth")).under("net.module.");
    // on its 16x16 inputs the classifier's 32 features are the last map after one more pooling; on 32x32, two more
    for (int side : new int[] {16, 32}) {
      ArchSpec spec = Architectures.spec(Presets.VGG, kuangliu, new int[] {3, side, side});
      long pools = spec.layers().stream().filter(l -> l instanceof ArchSpec.MaxPool).count();
      assertThat(pools).as("input " + side).isEqualTo(side == 16 ? 4 : 5);
    }
    assertThatThrownBy(() -> Architectures.spec(Presets.VGG, kuangliu, new int[] {3, 6, 6}))
        .isInstanceOf(ImportException.class).hasMessageContaining("linear layer 'classifier' reads 32 x 1 x 1 "
            + "features, which no number of 2x2 max poolings after the last conv makes of its map on input [3, 6, 6]");
    // without an architecture the file is refused, and the refusal names the preset
    assertThatThrownBy(() -> TargetLoader.load(Fixtures.path("round22_dropout_vgg.pth"), null, null, null, null, null,
        true)).hasMessageContaining("its names features.N (or feature.N) and classifier are those of a VGG the "
            + "preset vgg reads");
    TensorFile noRelu = edited(kuangliu, m -> m.put("features.6.weight", m.get("features.8.weight")));
    assertThatThrownBy(() -> Architectures.spec(Presets.VGG, noRelu, null)).isInstanceOf(ImportException.class)
        .hasMessageContaining("conv 'features.6' follows the conv before it with no activation between them");
    TensorFile wide = edited(kuangliu, m -> m.put("classifier.weight", m.get("features.0.weight")));
    assertThatThrownBy(() -> Architectures.spec(Presets.VGG, wide, null)).isInstanceOf(ImportException.class)
        .hasMessageContaining("linear layer 'classifier' reads [16, 3, 3, 3] features");
  }

  /** The file with its tensors edited. */
  private static TensorFile edited(TensorFile f, java.util.function.Consumer<Map<String, StoredTensor>> edit) {
    Map<String, StoredTensor> m = new LinkedHashMap<>(f.tensors());
    edit.accept(m);
    return new TensorFile(f.source(), m, List.of(), List.of());
  }

  /** A name each preset needs missing, a gap, a conv of another size, a module of other tensors: refused by name. */
  @Test void filesThatAreNotOpenLthsModelsAreRefusedNamingTheTensor() {
    TensorFile vgg = TensorFiles.read(Fixtures.path("round22_vgg_model_ep20_it0.pth"));
    TensorFile lenet = TensorFiles.read(Fixtures.path("round22_lenet_model_ep60_it0.pth"));
    assertThatThrownBy(() -> Architectures.spec(Presets.OPENLTH_CIFAR_VGG, lenet, null))
        .isInstanceOf(ImportException.class).hasMessageContaining("openlth-cifar-vgg on ")
        .hasMessageContaining("no tensor 'layers.0.conv.weight' (expected open_lth's names layers.N.conv");
    assertThatThrownBy(() -> Architectures.spec(Presets.OPENLTH_MNIST_LENET, vgg, null))
        .isInstanceOf(ImportException.class).hasMessageContaining("no tensor 'fc_layers.0.weight' (expected open_lth's "
            + "names fc_layers.N, fc)");
    TensorFile gap = edited(lenet, m -> m.remove("fc_layers.0.weight"));
    assertThatThrownBy(() -> Architectures.spec(Presets.OPENLTH_MNIST_LENET, gap, null))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining("layer 0 is missing (no tensor 'fc_layers.0.weight')");
    TensorFile stray = edited(vgg, m -> m.put("layers.2.conv.weight_scale", m.remove("layers.2.conv.weight")));
    assertThatThrownBy(() -> Architectures.spec(Presets.OPENLTH_CIFAR_VGG, stray, null))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining("belongs to module layers.2, which has no tensor 'layers.2.conv.weight'");
    TensorFile flat = edited(vgg, m -> m.put("layers.3.conv.weight", m.get("fc.weight")));
    assertThatThrownBy(() -> Architectures.spec(Presets.OPENLTH_CIFAR_VGG, flat, null))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining("tensor 'layers.3.conv.weight' has shape [4, 32], expected [out, in, 3, 3]");
    // the names of no open_lth model, or of two: no preset is inferred
    assertThat(Presets.openLth(vgg)).isEqualTo(Presets.OPENLTH_CIFAR_VGG);
    assertThat(Presets.openLth(lenet)).isEqualTo(Presets.OPENLTH_MNIST_LENET);
    assertThat(Presets.openLth(edited(vgg, m -> m.remove("fc.weight")))).isNull();
    assertThat(Presets.openLth(edited(vgg, m -> m.put("fc_layers.0.weight", m.get("fc.weight"))))).isNull();
  }
}
