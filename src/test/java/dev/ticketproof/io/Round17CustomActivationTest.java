package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.limits.BadParameter;
import dev.ticketproof.targets.TargetLoader;
import org.junit.jupiter.api.Test;

/**
 * A whole ResNet model whose activation is a module of the training code ({@code round17_custom_mish_whole.pt},
 * made by train_round17_custom.py: Mish as a class of its own, no torch.nn activation module). The preset reads the
 * model by its names and none of those modules, so without a given activation it was read as relu, 0.098 off
 * PyTorch's outputs of at most 0.196; now it is refused naming them, and read exactly with the activation given.
 */
class Round17CustomActivationTest {
  private static final String MODEL = "round17_custom_mish_whole.pt";

  @Test void withoutAnActivationTheModulesOfTheTrainingCodeAreNamed() {
    assertThatThrownBy(() -> TargetLoader.load(Fixtures.path(MODEL), null, null, null, new int[] {3, 8, 8},
        "the input", true)).isInstanceOf(BadParameter.class)
        .hasMessageContaining("'layer1.0.act1' (__main__.Mish)").hasMessageContaining("'act' (__main__.Mish)")
        .hasMessageContaining("and 1 more").hasMessageContaining("give the activation they compute");
  }

  @Test void withTheActivationGivenTheModelIsReadExactly() {
    TargetLoader.Loaded l = TargetLoader.load(Fixtures.path(MODEL), null, "mish", new int[] {3, 8, 8}, true);
    assertThat(l.activation().name()).isEqualTo("mish");
    dev.ticketproof.tensor.Tensor x = TensorFiles.readNpy(Fixtures.path("round17_custom_input.npy")).tensor();
    dev.ticketproof.tensor.Tensor y = l.built().network().outputs(x);
    double err = FidelityTest.relativeError(y, TensorFiles.readNpy(Fixtures.path("round17_custom_output.npy")).tensor());
    assertThat(err).isLessThanOrEqualTo(1e-12);
  }

  /** Whole ResNets of torch.nn activation modules are read as before, without a given activation. */
  @Test void wholeModelsOfTorchModulesAreReadAsBefore() {
    assertThat(fidelity("round16_res_stempool_whole.pt", null, "round16_res_stempool", "relu"))
        .isLessThanOrEqualTo(1e-14);
  }
}
