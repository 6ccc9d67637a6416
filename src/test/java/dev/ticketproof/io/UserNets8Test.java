package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.net.BatchNorm2d;
import dev.ticketproof.net.Forward;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.targets.WholeModels;
import dev.ticketproof.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Networks trained as users train theirs, in the layouts an eighth round brought (fixtures {@code user8_*}, made by
 * train_user_nets8.py): the classic LeNet-5 on 1x32x32 digits, a VGG-style RGB CNN trained on inputs normalised per
 * channel, a SiLU MLP on raw tabular features of unequal scales, a Conv1d classifier of three-channel signals, and
 * networks with LayerNorm and GroupNorm, which are refused saying what they compute and why it is not read.
 */
class UserNets8Test {
  /** LeNet-5 as the 1998 paper lays it out: 5x5 convs of 6 and 16 channels, Tanh, AvgPool2d(2), a 120-84-10 head. */
  @Test void leNet5EvaluatesAsPyTorch() {
    WholeModels.Derived d = WholeModels.derive(TensorFiles.read(Fixtures.path("user8_lenet5_whole.pt")));
    assertThat(d.spec().layers()).containsExactly(new ArchSpec.Conv("0", 1, 0), new ArchSpec.Activation(),
        new ArchSpec.AvgPool(2, 2), new ArchSpec.Conv("3", 1, 0), new ArchSpec.Activation(), new ArchSpec.AvgPool(2, 2),
        new ArchSpec.Flatten(), new ArchSpec.Linear("7"), new ArchSpec.Activation(), new ArchSpec.Linear("9"),
        new ArchSpec.Activation(), new ArchSpec.Linear("11"));
    // the linear layer's 400 features give the input: 16 x 5 x 5 after two convs of 5 and two poolings of 2
    assertThat(d.inferredInput()).containsExactly(1, 32, 32);
    assertThat(fidelity("user8_lenet5_whole.pt", null, "user8_lenet5", "tanh")).isLessThanOrEqualTo(1e-14);
  }

  /**
   * Conv-BN-ReLU blocks with max pooling and a Dropout head on 3x32x32 inputs normalised per channel (each channel
   * its own range); a SiLU MLP on raw tabular features from 0.05 to 2000 in scale; a Conv1d classifier of signals
   * [3, 128] whose third channel lies around 9.8. The BatchNorms fold into the convs before them.
   */
  @Test void perChannelNormalisedTabularAndSignalNetsEvaluateAsPyTorch() {
    assertThat(fidelity("user8_rgbvgg_whole.pt", null, "user8_rgbvgg", "relu")).isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("user8_tabsilu_whole.pt", null, "user8_tabsilu", "silu")).isLessThanOrEqualTo(1e-14);
    // the signals [3, 128] are read as the one-row images [3, 1, 128]
    Tensor x = TensorFiles.readNpy(Fixtures.path("user8_har1d_input.npy")).tensor();
    TargetLoader.Loaded har = TargetLoader.load(Fixtures.path("user8_har1d_whole.pt"), null, null,
        new int[] {3, 1, 128}, "the input", true);
    Tensor y = Forward.forward(har.built().network(), x.reshape(x.shape()[0], 3, 1, 128));
    double err = FidelityTest.relativeError(y, TensorFiles.readNpy(Fixtures.path("user8_har1d_output.npy")).tensor());
    System.out.printf("fidelity user8_har1d_whole.pt: max relative error %.3g against PyTorch in float64%n", err);
    assertThat(err).isLessThanOrEqualTo(1e-14);
    TargetLoader.Loaded vgg = TargetLoader.load(Fixtures.path("user8_rgbvgg_whole.pt"), null, null, null, "the input",
        true);
    // each BatchNorm follows a conv: the plan of the constructions folds it there, one affine step per conv or
    // linear layer (har1d: three Conv1d and the head; rgbvgg: four convs and two linear layers)
    assertThat(har.built().network().layers()).filteredOn(layer -> layer instanceof BatchNorm2d).hasSize(2);
    assertThat(TargetPlan.of(har.built().network(), har.activation()).steps())
        .filteredOn(step -> step instanceof TargetPlan.Affine).hasSize(4);
    assertThat(TargetPlan.of(vgg.built().network(), vgg.activation()).steps())
        .filteredOn(step -> step instanceof TargetPlan.Affine).hasSize(6);
  }

  /**
   * A LayerNorm (MLP) and a GroupNorm (CNN), saved whole: refused naming the module, what it normalises by and why
   * it is not read (it was "not supported" among the list of classes).
   */
  @Test void layerNormAndGroupNormAreRefusedSayingWhatTheyCompute() {
    assertThatThrownBy(() -> WholeModels.derive(TensorFiles.read(Fixtures.path("user8_layernorm_whole.pt"))))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining("user8_layernorm_whole.pt: module '2' (torch.nn.modules.normalization.LayerNorm): a "
            + "LayerNorm normalises each example by the mean and variance of its own last 32 values (normalized_shape "
            + "(32,)), computed from the input at inference as in training")
        .hasMessageContaining("no layer of the normal form").hasMessageContaining("train the network with BatchNorm")
        .hasMessageNotContaining("supported:");
    assertThatThrownBy(() -> WholeModels.derive(TensorFiles.read(Fixtures.path("user8_groupnorm_whole.pt"))))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining("module '1' (torch.nn.modules.normalization.GroupNorm): a GroupNorm normalises each "
            + "example by the mean and variance of each of its 2 groups of 4 channels")
        .hasMessageContaining("is an affine map per channel and folds into the layer before it; this is not affine");
  }
}
