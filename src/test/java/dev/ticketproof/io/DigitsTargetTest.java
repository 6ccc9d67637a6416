package dev.ticketproof.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.net.Forward;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.tensor.Tensor;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The digits CNN target (trained and pruned by PyTorch) evaluated by TicketProof on its test split. */
public class DigitsTargetTest {
  static Path resource(String name) throws URISyntaxException {
    return Path.of(DigitsTargetTest.class.getResource("/targets/digits/" + name).toURI());
  }

  /** The index of the largest logit of every example (the first of equal ones). */
  public static int[] argmax(Tensor logits) {
    int n = logits.dim(0);
    int k = logits.dim(1);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      for (int j = 1; j < k; j++) if (logits.data()[i * k + j] > logits.data()[i * k + out[i]]) out[i] = j;
    }
    return out;
  }

  @Test void forwardPassMatchesPyTorchAndGivesItsAccuracy() throws URISyntaxException {
    TargetLoader.Loaded target = TargetLoader.load(resource("digits_cnn.pt"), "synflow-conv", "relu", null, true);
    assertThat(target.built().network().inputShape()).containsExactly(1, 8, 8);
    assertThat(target.built().rows()).extracting(NetworkBuilder.LayerRow::name)
        .containsExactly("0", "", "2", "", "", "5");
    long params = target.built().rows().stream().mapToLong(NetworkBuilder.LayerRow::parameters).sum();
    long nonzeros = target.built().rows().stream().mapToLong(NetworkBuilder.LayerRow::nonzeros).sum();
    assertThat(params).isEqualTo(5794);
    assertThat((double) nonzeros / params).isBetween(0.15, 0.25);

    Tensor x = TensorFiles.readNpy(resource("digits_test_x.npy")).tensor();
    Tensor labels = TensorFiles.readNpy(resource("digits_test_y.npy")).tensor();
    Tensor logits = Forward.forward(target.built().network(), x);
    Tensor torchLogits = TensorFiles.readNpy(Fixtures.path("digits_cnn_test_logits.npy")).tensor();
    double err = FidelityTest.relativeError(logits, torchLogits);
    assertThat(err).isLessThanOrEqualTo(FidelityTest.TOLERANCE);

    int[] ours = argmax(logits);
    int[] theirs = argmax(torchLogits);
    int correct = 0;
    int torchCorrect = 0;
    int agree = 0;
    for (int i = 0; i < ours.length; i++) {
      if (ours[i] == (int) labels.data()[i]) correct++;
      if (theirs[i] == (int) labels.data()[i]) torchCorrect++;
      if (ours[i] == theirs[i]) agree++;
    }
    System.out.printf("digits-cnn: accuracy %d/%d, PyTorch %d/%d, agreement %d/%d, max relative error %.3g%n",
        correct, ours.length, torchCorrect, ours.length, agree, ours.length, err);
    assertThat(agree).isEqualTo(ours.length);
    assertThat(correct).isEqualTo(torchCorrect);
    assertThat((double) correct / ours.length).isGreaterThan(0.9);
  }
}
