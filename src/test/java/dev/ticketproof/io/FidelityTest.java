package dev.ticketproof.io;

import dev.ticketproof.targets.Architectures;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.net.Forward;
import dev.ticketproof.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The forward pass of imported targets against the outputs PyTorch computed (float32) on the same inputs
 * (fixtures made by make_fixtures.py). Error measure: max |y - y_torch| / max |y_torch| over the batch.
 */
class FidelityTest {
  static final double TOLERANCE = 1e-5;

  static double relativeError(Tensor y, Tensor reference) {
    assertThat(y.shape()).isEqualTo(reference.shape());
    double maxDiff = 0;
    double maxRef = 0;
    for (int i = 0; i < y.size(); i++) {
      maxDiff = Math.max(maxDiff, Math.abs(y.data()[i] - reference.data()[i]));
      maxRef = Math.max(maxRef, Math.abs(reference.data()[i]));
    }
    return maxDiff / maxRef;
  }

  static double eval(String target, boolean masks, String arch, String input, String output) {
    TensorFile t = TensorFiles.read(Fixtures.path(target), masks);
    Tensor x = TensorFiles.readNpy(Fixtures.path(input)).tensor();
    int[] example = Arrays.copyOfRange(x.shape(), 1, x.rank());
    ArchSpec spec = Architectures.spec(arch, t, example);
    NetworkBuilder.Built built = NetworkBuilder.build(arch, spec, t, Relu.INSTANCE, example);
    Tensor y = Forward.forward(built.network(), x);
    double err = relativeError(y, TensorFiles.readNpy(Fixtures.path(output)).tensor());
    System.out.printf("fidelity %s (%s, masks %s): max relative error %.3g%n", target, arch, masks, err);
    return err;
  }

  @Test void synflowConvWithMasks() {
    assertThat(eval("synflow_conv.pt", true, "synflow-conv", "synflow_conv_input.npy",
        "synflow_conv_output_masked.npy")).isLessThanOrEqualTo(TOLERANCE);
  }

  @Test void synflowConvWithoutMasks() {
    assertThat(eval("synflow_conv.pt", false, "synflow-conv", "synflow_conv_input.npy",
        "synflow_conv_output_nomask.npy")).isLessThanOrEqualTo(TOLERANCE);
  }

  @Test void masksMatter() {
    // the masked and unmasked PyTorch outputs differ, so the two tests above cannot both pass by accident
    double err = relativeError(TensorFiles.readNpy(Fixtures.path("synflow_conv_output_masked.npy")).tensor(),
        TensorFiles.readNpy(Fixtures.path("synflow_conv_output_nomask.npy")).tensor());
    assertThat(err).isGreaterThan(1e-2);
  }

  @Test void synflowConvLegacyFormat() {
    assertThat(eval("synflow_conv_legacy.pt", true, "synflow-conv", "synflow_conv_input.npy",
        "synflow_conv_output_masked.npy")).isLessThanOrEqualTo(TOLERANCE);
  }

  @Test void openLthResnetWithBatchNormStatisticsAndBothShortcuts() {
    assertThat(eval("openlth_resnet.pt", true, "openlth-cifar-resnet", "openlth_resnet_input.npy",
        "openlth_resnet_output.npy")).isLessThanOrEqualTo(TOLERANCE);
  }

  @Test void maxPoolingBeforeAndAfterTheActivationWithStrideAndPadding() {
    assertThat(eval("maxpool_cnn.pt", true, Fixtures.path("maxpool_cnn.json").toString(), "maxpool_cnn_input.npy",
        "maxpool_cnn_output.npy")).isLessThanOrEqualTo(TOLERANCE);
  }

  @Test void batchNorm1dAfterLinearLayers() {
    assertThat(eval("bn1d_mlp.pt", true, Fixtures.path("bn1d_mlp.json").toString(), "bn1d_mlp_input.npy",
        "bn1d_mlp_output.npy")).isLessThanOrEqualTo(TOLERANCE);
  }
}
