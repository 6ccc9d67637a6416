package dev.ticketproof.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.net.Forward;
import dev.ticketproof.net.ResidualBlock;
import dev.ticketproof.targets.Architectures;
import dev.ticketproof.targets.Presets;
import dev.ticketproof.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The per-channel scale of an identity shortcut in the shapes real checkpoints use: [C], [C, 1, 1] (open_lth
 * style, with a mask of the same shape) and [1, C, 1, 1]; one small ResNet saved in each (make_fixtures.py), its
 * forward pass against PyTorch's.
 */
class ShortcutScaleTest {
  static final int[] INPUT = {3, 6, 6};

  static NetworkBuilder.Built build(String file) {
    TensorFile t = TensorFiles.read(Fixtures.path(file), true);
    ArchSpec spec = Architectures.spec(Presets.OPENLTH_CIFAR_RESNET, t, INPUT);
    return NetworkBuilder.build(Presets.OPENLTH_CIFAR_RESNET, spec, t, Relu.INSTANCE, INPUT);
  }

  @ParameterizedTest
  @CsvSource({"c, [4]", "c11, '[4, 1, 1]'", "1c11, '[1, 4, 1, 1]'"})
  void everyStoredShapeGivesPyTorchsOutputs(String key, String storedShape) {
    String file = "shortcut_scale_" + key + ".pt";
    TensorFile raw = TensorFiles.read(Fixtures.path(file), false);
    assertThat(java.util.Arrays.toString(raw.tensor("blocks.1.shortcut.weight").shape())).isEqualTo(storedShape);
    NetworkBuilder.Built built = build(file);
    ResidualBlock block = (ResidualBlock) built.network().layers().get(4);
    assertThat(block.name()).isEqualTo("blocks.1");
    double[] scale = ((ResidualBlock.Identity) block.shortcut()).scale();
    assertThat(scale).hasSize(4);
    assertThat(scale[2] == 0).isEqualTo(key.equals("c11")); // the mask zeroes channel 2
    Tensor x = TensorFiles.readNpy(Fixtures.path("shortcut_scale_input.npy")).tensor();
    Tensor y = Forward.forward(built.network(), x);
    Tensor ref = TensorFiles.read(Fixtures.path("shortcut_scale_outputs.npz")).tensor(key);
    double err = FidelityTest.relativeError(y, ref);
    System.out.printf("shortcut scale stored as %s: max relative error %.3g%n", storedShape, err);
    assertThat(err).isLessThanOrEqualTo(FidelityTest.TOLERANCE);
  }

  @Test void theMaskedScaleChangesTheOutputs() {
    TensorFile outputs = TensorFiles.read(Fixtures.path("shortcut_scale_outputs.npz"));
    assertThat(FidelityTest.relativeError(outputs.tensor("c"), outputs.tensor("c11"))).isGreaterThan(1e-2);
  }

  @Test void anotherShapeIsAnErrorNamingFileTensorAndShapes() {
    assertThatThrownBy(() -> build("shortcut_scale_bad_1c.pt")).isInstanceOf(ImportException.class)
        .hasMessageContaining("shortcut_scale_bad_1c.pt").hasMessageContaining("'blocks.1.shortcut.weight'")
        .hasMessageContaining("has shape [1, 4]")
        .hasMessageContaining("expected [C], [C, 1, 1] or [1, C, 1, 1]");
  }
}
