package dev.ticketproof.construct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.io.Fixtures;
import dev.ticketproof.io.TensorFiles;
import dev.ticketproof.limits.BadParameter;
import dev.ticketproof.net.BatchNormFolding;
import dev.ticketproof.net.Forward;
import dev.ticketproof.net.Network;
import dev.ticketproof.net.ResidualBlock;
import dev.ticketproof.targets.Builtins;
import dev.ticketproof.targets.Digits;
import dev.ticketproof.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The digits ResNets (trained by PyTorch, train_digits_resnets.py) evaluated by TicketProof on their 32x32 test
 * split: PyTorch's logits reproduced, the accuracy of the training log, BatchNorm folded without changing them.
 */
class DigitsResNetTest {
  static Tensor batch(List<double[]> inputs, int... shape) {
    int per = inputs.get(0).length;
    double[] v = new double[inputs.size() * per];
    for (int i = 0; i < inputs.size(); i++) System.arraycopy(inputs.get(i), 0, v, i * per, per);
    int[] full = new int[shape.length + 1];
    full[0] = inputs.size();
    System.arraycopy(shape, 0, full, 1, shape.length);
    return Tensor.of(v, full);
  }

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

  static int correct(Tensor logits, int[] labels) {
    int k = logits.dim(1);
    int correct = 0;
    for (int i = 0; i < labels.length; i++) {
      int best = 0;
      for (int j = 1; j < k; j++) if (logits.data()[i * k + j] > logits.data()[i * k + best]) best = j;
      if (best == labels[i]) correct++;
    }
    return correct;
  }

  /** The test accuracy (out of 360) in the training log (targets/digits/README.txt). */
  @ParameterizedTest
  @CsvSource({"digits-resnet-relu, relu, 3, 359", "digits-resnet-sigmoid, sigmoid, 9, 360"})
  void forwardPassMatchesPyTorchAndGivesItsAccuracy(String name, String activation, int blocks, int loggedCorrect) {
    Activation phi = ActivationCatalog.parse(activation);
    Network net = Builtins.of(name, phi);
    assertThat(net.inputShape()).containsExactly(1, 32, 32);
    List<ResidualBlock> rb = net.layers().stream().filter(l -> l instanceof ResidualBlock)
        .map(l -> (ResidualBlock) l).toList();
    assertThat(rb).hasSize(blocks);
    assertThat(rb).anyMatch(b -> b.shortcut() instanceof ResidualBlock.Identity);
    assertThat(rb).anyMatch(b -> b.shortcut() instanceof ResidualBlock.Projection p && p.bn() != null);
    assertThat(rb).allMatch(b -> b.bn1() != null && b.bn2() != null && b.phi().name().equals(activation));

    Digits.TestSet test = Digits.testSet(name);
    Tensor x = batch(test.inputs(), 1, 32, 32);
    Tensor logits = Forward.forward(net, x);
    Tensor torch = TensorFiles.readNpy(Fixtures.path(name.replace('-', '_') + "_test_logits.npy")).tensor();
    double err = relativeError(logits, torch);
    Tensor folded = Forward.forward(BatchNormFolding.fold(net), x);
    double foldErr = relativeError(folded, logits);
    int ours = correct(logits, test.labels());
    int theirs = correct(torch, test.labels());
    System.out.printf("%s: accuracy %d/%d, PyTorch %d/%d, max relative error %.3g, folded vs unfolded %.3g%n", name,
        ours, test.labels().length, theirs, test.labels().length, err, foldErr);
    assertThat(err).isLessThanOrEqualTo(1e-5);
    assertThat(foldErr).isLessThanOrEqualTo(1e-9);
    assertThat(ours).isEqualTo(theirs).isEqualTo(loggedCorrect);
  }

  @Test void theShipped32x32TestSetIsTheUpscaled8x8One() {
    Digits.TestSet small = Digits.testSet();
    for (String name : new String[] {Digits.RESNET_RELU, Digits.RESNET_SIGMOID}) {
      Digits.TestSet big = Digits.testSet(name);
      assertThat(big.labels()).isEqualTo(small.labels());
      assertThat(big.inputs()).hasSize(360);
      for (int i = 0; i < 360; i++) {
        assertThat(big.inputs().get(i)).isEqualTo(Digits.upscale(small.inputs().get(i), 1, 8, 8));
      }
    }
    double[] image = new double[64];
    image[8 * 2 + 3] = 1; // pixel (2, 3)
    double[] up = Digits.upscale(image, 1, 8, 8);
    for (int i = 0; i < 32; i++) {
      for (int j = 0; j < 32; j++) assertThat(up[i * 32 + j]).isEqualTo(i / 4 == 2 && j / 4 == 3 ? 1.0 : 0.0);
    }
  }

  @Test void theResNetsAreOnlyDefinedWithTheirTrainingActivation() {
    assertThatThrownBy(() -> Builtins.of(Digits.RESNET_SIGMOID, ActivationCatalog.parse("relu")))
        .isInstanceOf(BadParameter.class).hasMessageStartingWith("activation relu: ")
        .hasMessageContaining("digits-resnet-sigmoid was trained with sigmoid")
        .extracting(e -> ((BadParameter) e).parameter()).isEqualTo("activation");
    assertThatThrownBy(() -> Builtins.of(Digits.RESNET_RELU, ActivationCatalog.parse("tanh")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trained with relu");
    assertThatThrownBy(() -> Digits.testSet("small-cnn")).isInstanceOf(IllegalArgumentException.class);
  }
}
