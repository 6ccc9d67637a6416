package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.net.AvgPool2d;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Forward;
import dev.ticketproof.net.MaxPool2d;
import dev.ticketproof.net.Network;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.targets.WholeModels;
import dev.ticketproof.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Networks trained as users train theirs, in the layouts a fourth round brought (fixtures {@code user4_*}, made by
 * train_user_nets4.py): AdaptiveAvgPool2d((2, 2)) on an 8x8 map, a Conv1d network on two-channel signals (saved
 * whole and as a state dict with a JSON spec), pooling and convs written with tuples, Identity, Dropout2d and a
 * Flatten after a Linear, and CNNs with CELU(0.5), Hardtanh(-2, 2) and Softplus(beta=2). Each evaluates as PyTorch's
 * float64 forward pass on the same float32 weights; what the normal form cannot take is refused naming the module.
 */
class UserNets4Test {
  /** The digits test images (the last 60) the digits nets of this round share. */
  private static final String DIGITS = "user4_tuples_input.npy";

  /**
   * AdaptiveAvgPool2d((2, 2)) on the 8x8 map of 3x16x16 inputs is the average pooling with kernel = stride = 4: the
   * derived spec keeps the adaptive pooling, the built network has that pooling, and the outputs are PyTorch's.
   */
  @Test void anAdaptiveAveragePoolingToTwoByTwoIsAnAveragePoolingOnMapsOfMultiplesOfTwo() {
    WholeModels.Derived d = WholeModels.derive(TensorFiles.read(Fixtures.path("user4_vgg_whole.pt")));
    assertThat(d.spec().layers()).contains(new ArchSpec.AdaptiveAvgPool(2, 2));
    assertThat(d.inferredInput()).isNull(); // any multiple of 2 fits: the shape comes from the data
    assertThat(d.inputUnknown()).contains("adaptive average pooling to 2x2");
    assertThat(fidelity("user4_vgg_whole.pt", null, "user4_vgg", "relu")).isLessThanOrEqualTo(1e-14);

    Network net = load("user4_vgg_whole.pt", null, new int[] {3, 16, 16});
    assertThat(net.layers()).contains(new AvgPool2d(4, 4));
    assertThat(load("user4_vgg_whole.pt", null, new int[] {3, 12, 12}).layers()).contains(new AvgPool2d(3, 3));
    // the constructions take it as a pooling step
    TargetPlan plan = TargetPlan.of(net, ActivationCatalog.parse("relu"));
    assertThat(plan.steps()).anyMatch(s -> s instanceof TargetPlan.Pool p && !p.max() && !p.global() && p.kh() == 4
        && p.kw() == 4 && p.sh() == 4 && p.sw() == 4);
  }

  /**
   * Where PyTorch's windows overlap or differ in size, the adaptive pooling is refused; on a map of 4 x 2 by 6 x 2 its
   * windows are 4 x 6 (read since poolings may have unequal sides).
   */
  @Test void anAdaptiveAveragePoolingOnOtherMapsIsRefused() {
    assertThatThrownBy(() -> load("user4_vgg_whole.pt", null, new int[] {3, 14, 14}))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining("user4_vgg_whole.pt")
        .hasMessageContaining("layer 9: adaptive average pooling to 2x2 on a 7x7 map: 7 is not a multiple of 2, so "
            + "PyTorch's windows overlap or differ in size")
        .hasMessageContaining("supported: maps of 2a x 2c rows and columns (a, c whole numbers), where it is the "
            + "average pooling with kernel = stride = (a, c)");
    assertThat(load("user4_vgg_whole.pt", null, new int[] {3, 16, 24}).layers()).contains(new AvgPool2d(4, 6, 4, 6));
  }

  /**
   * AdaptiveMaxPool2d(1), a global max pooling, on the 8x8 map of 3x16x16 inputs is the max pooling with kernel =
   * stride = 8: PyTorch's outputs; on a map that is not square, the max pooling of the whole map.
   */
  @Test void anAdaptiveMaxPoolingIsAMaxPoolingOnMapsOfMultiplesOfItsOutput() {
    WholeModels.Derived d = WholeModels.derive(TensorFiles.read(Fixtures.path("user4_gmp_whole.pt")));
    assertThat(d.spec().layers()).contains(new ArchSpec.AdaptiveMaxPool(1, 1));
    assertThat(fidelity("user4_gmp_whole.pt", null, "user4_vgg_input.npy", "user4_gmp", "relu"))
        .isLessThanOrEqualTo(1e-14);
    assertThat(load("user4_gmp_whole.pt", null, new int[] {3, 16, 16}).layers()).contains(new MaxPool2d(8, 8, 0));
    assertThat(load("user4_gmp_whole.pt", null, new int[] {3, 14, 14}).layers()).contains(new MaxPool2d(7, 7, 0));
    assertThat(load("user4_gmp_whole.pt", null, new int[] {3, 16, 12}).layers())
        .contains(new MaxPool2d(8, 6, 8, 6, 0, 0));
  }

  /**
   * A Conv1d network on signals [2, 64], read as the one-row images [2, 1, 64]: whole (derived) and as a state dict
   * with its JSON spec, the same network; each Conv1d with padding p is a conv of the normal form with the Conv1d's
   * 1 x k kernel and paddings (0, p).
   */
  @Test void aConv1dNetworkEvaluatesAsPyTorchOnItsSignals() {
    WholeModels.Derived d = WholeModels.derive(TensorFiles.read(Fixtures.path("user4_conv1d_whole.pt")));
    assertThat(d.spec().layers()).startsWith(new ArchSpec.Conv1d("0", 1, 2), new ArchSpec.BatchNorm("1", 1e-5),
        new ArchSpec.Activation(), new ArchSpec.Conv1d("3", 2, 2));
    assertThat(d.spec().layers()).contains(new ArchSpec.Conv1d("6", 1, 0), new ArchSpec.GlobalAvgPool());
    Tensor x = TensorFiles.readNpy(Fixtures.path("user4_conv1d_input.npy")).tensor();
    assertThat(x.shape()).containsExactly(48, 2, 64);
    Tensor images = Tensor.of(x.data(), 48, 2, 1, 64);
    Tensor reference = TensorFiles.readNpy(Fixtures.path("user4_conv1d_output.npy")).tensor();
    Network whole = load("user4_conv1d_whole.pt", null, new int[] {2, 1, 64});
    Network stateDict = load("user4_conv1d.pt", "user4_conv1d.json", null);
    for (Network net : new Network[] {whole, stateDict}) {
      double err = FidelityTest.relativeError(Forward.forward(net, images), reference);
      System.out.printf("fidelity conv1d: max relative error %.3g against PyTorch in float64%n", err);
      assertThat(err).isLessThanOrEqualTo(1e-14);
    }
    assertThat(dev.ticketproof.kernel.TargetHash.of(whole)).isEqualTo(dev.ticketproof.kernel.TargetHash.of(stateDict));

    Conv2d first = (Conv2d) whole.layers().get(0);
    assertThat(first.weight().shape()).containsExactly(8, 2, 1, 5);
    Tensor w = TensorFiles.read(Fixtures.path("user4_conv1d.pt")).tensor("0.weight");
    assertThat(first.weight().data()).isEqualTo(w.data());
    TargetPlan plan = TargetPlan.of(whole, ActivationCatalog.parse("relu"));
    TargetPlan.Affine a = (TargetPlan.Affine) plan.steps().get(0);
    assertThat(new int[] {a.kh(), a.kw(), a.ph(), a.pw(), a.outShape()[1], a.outShape()[2]})
        .containsExactly(1, 5, 0, 2, 1, 64);
    TargetPlan.Affine valid = (TargetPlan.Affine) plan.steps().get(2);
    assertThat(new int[] {valid.kh(), valid.kw(), valid.ph(), valid.pw()}).containsExactly(1, 3, 0, 0);
  }

  /**
   * A Conv1d network without pooling (padding='same', a stride-2 Conv1d with an even kernel, Flatten, Linear): its
   * linear layer fixes the signal length, inferred as for square images ([2, 1, 64]); PyTorch's outputs.
   */
  @Test void theSignalLengthOfAConv1dNetworkIsInferredFromItsLinearLayer() {
    WholeModels.Derived d = WholeModels.derive(TensorFiles.read(Fixtures.path("user4_conv1dflat_whole.pt")));
    assertThat(d.spec().layers()).startsWith(new ArchSpec.Conv1d("0", 1, 2), new ArchSpec.Activation(),
        new ArchSpec.Conv1d("2", 2, 1));
    assertThat(d.inferredInput()).containsExactly(2, 1, 64);
    Tensor x = TensorFiles.readNpy(Fixtures.path("user4_conv1d_input.npy")).tensor();
    Network net = load("user4_conv1dflat_whole.pt", null, null);
    assertThat(net.inputShape()).containsExactly(2, 1, 64);
    double err = FidelityTest.relativeError(Forward.forward(net, Tensor.of(x.data(), 48, 2, 1, 64)),
        TensorFiles.readNpy(Fixtures.path("user4_conv1dflat_output.npy")).tensor());
    assertThat(err).isLessThanOrEqualTo(1e-14);
    TargetPlan.Affine strided = (TargetPlan.Affine) TargetPlan.of(net, ActivationCatalog.parse("relu")).steps().get(1);
    assertThat(new int[] {strided.kh(), strided.kw(), strided.stride(), strided.ph(), strided.pw(),
        strided.outShape()[2]}).containsExactly(1, 4, 2, 0, 1, 32);
  }

  /** A Conv1d reads signals: an image input is refused naming the layer; a MaxPool1d is a pooling of one row. */
  @Test void aConv1dOnImagesIsRefusedAndAOneDimensionalPoolingIsRead() {
    assertThatThrownBy(() -> load("user4_conv1d_whole.pt", null, new int[] {2, 2, 64}))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining("conv1d '0' reads a signal [C, L], taken as the one-row image [C, 1, L], but gets "
            + "[2, 2, 64]");
    // a MaxPool1d (refused before) is the max pooling of 1 x 2 windows of the one-row image
    assertThat(WholeModels.derive(TensorFiles.read(Fixtures.path("user4_bad_maxpool1d.pt"))).spec().layers())
        .contains(new ArchSpec.MaxPool(1, 2, 1, 2, 0, 0));
  }

  /**
   * Tuples for kernel sizes, strides and paddings (equal values), Identity and Dropout2d left out, and a Flatten
   * after a Linear (nothing to flatten): PyTorch's outputs.
   */
  @Test void tupleWindowsIdentityAndASecondFlattenEvaluateAsPyTorch() {
    WholeModels.Derived d = WholeModels.derive(TensorFiles.read(Fixtures.path("user4_tuples_whole.pt")));
    assertThat(d.spec().layers()).contains(new ArchSpec.MaxPool(2, 2, 0), new ArchSpec.AvgPool(2, 2));
    assertThat(d.inferredInput()).containsExactly(1, 8, 8);
    assertThat(fidelity("user4_tuples_whole.pt", null, DIGITS, "user4_tuples", "relu")).isLessThanOrEqualTo(1e-14);
    // a window of 2 x 1 (refused before) is read as it is
    assertThat(WholeModels.derive(TensorFiles.read(Fixtures.path("user4_bad_pool21.pt"))).spec().layers())
        .contains(new ArchSpec.MaxPool(2, 1, 2, 1, 0, 0));
  }

  /**
   * CNNs trained with CELU(alpha=0.5), Hardtanh(-2, 2) and Softplus(beta=2): the activations read from the modules;
   * Softplus to 1e-9, since PyTorch returns x where beta x > 20 (1e-14 otherwise).
   */
  @Test void cnnsWithCeluHardtanhAndSoftplusEvaluateAsPyTorch() {
    assertThat(fidelity("user4_celu_whole.pt", null, DIGITS, "user4_celu", "celu(0.5)")).isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("user4_hardtanh_whole.pt", null, DIGITS, "user4_hardtanh", "hardtanh(-2.0,2.0)"))
        .isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("user4_softplus_whole.pt", null, DIGITS, "user4_softplus", "softplus(2.0)"))
        .isLessThanOrEqualTo(1e-9);
  }

  private static Network load(String target, String arch, int[] input) {
    return TargetLoader.load(Fixtures.path(target), arch == null ? null : Fixtures.path(arch).toString(), null, input,
        "the input", true).built().network();
  }
}
