package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.kernel.TargetHash;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.net.AvgPool2d;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Forward;
import dev.ticketproof.net.MaxPool2d;
import dev.ticketproof.net.Network;
import dev.ticketproof.tensor.Tensor;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.targets.WholeModels;
import org.junit.jupiter.api.Test;

/**
 * Networks trained as users train theirs, in the layouts a fifth round brought (fixtures {@code user5_*}, made by
 * train_user_nets5.py): grouped, depthwise and dilated convs, 1-d pooling (MaxPool1d, AvgPool1d, AdaptiveAvgPool1d(n))
 * and pooling windows with unequal sides. Each evaluates as PyTorch's float64 forward pass on the same float32
 * weights; what the normal form cannot take is refused naming the module and saying why.
 */
class UserNets5Test {
  /** The digits test images (the last 60) the digits nets of this round share with the fourth round's. */
  static final String DIGITS = "user4_tuples_input.npy";

  /**
   * A MobileNet-style CNN (a depthwise 3x3 conv with groups = channels, a 1x1 conv, a grouped conv of 4 groups),
   * whole and as a state dict with a JSON spec: the same network, PyTorch's outputs; each grouped conv is the dense
   * conv with zeros off its groups, which the plan's kernel holds and no more non-zero weights than the file.
   */
  @Test void aDepthwiseSeparableCnnEvaluatesAsPyTorch() {
    WholeModels.Derived d = WholeModels.derive(TensorFiles.read(Fixtures.path("user5_mobilenet_whole.pt")));
    assertThat(d.spec().layers()).contains(new ArchSpec.Conv("3", 1, 1, 16, 1), new ArchSpec.Conv("6", 1, 0),
        new ArchSpec.Conv("9", 2, 1, 4, 1));
    assertThat(d.spec().activation()).isEqualTo("relu6");
    assertThat(fidelity("user5_mobilenet_whole.pt", null, "user5_mobilenet", "relu6")).isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("user5_mobilenet.pt", "user5_mobilenet.json", "user5_mobilenet_input.npy", "user5_mobilenet",
        "relu6")).isLessThanOrEqualTo(1e-14);
    Network whole = load("user5_mobilenet_whole.pt", null, new int[] {3, 16, 16});
    Network stateDict = load("user5_mobilenet.pt", "user5_mobilenet.json", null);
    assertThat(TargetHash.of(whole)).isEqualTo(TargetHash.of(stateDict));
    Conv2d depthwise = (Conv2d) whole.layers().stream().filter(l -> l instanceof Conv2d c && c.name().equals("3"))
        .findFirst().orElseThrow();
    assertThat(depthwise.weight().shape()).containsExactly(16, 16, 3, 3);
    double[] k = depthwise.weight().data();
    for (int o = 0; o < 16; o++) {
      for (int i = 0; i < 16; i++) {
        for (int t = 0; t < 9; t++) if (i != o) assertThat(k[(o * 16 + i) * 9 + t]).isZero();
      }
    }
    TargetPlan plan = TargetPlan.of(whole, ActivationCatalog.parse("relu6"));
    long nonZero = 0;
    for (TargetPlan.Step s : plan.steps()) {
      if (s instanceof TargetPlan.Affine a) for (double v : a.kernel()) if (v != 0) nonZero++;
    }
    long fileWeights = 0;
    TensorFile f = TensorFiles.read(Fixtures.path("user5_mobilenet.pt"));
    for (String n : new String[] {"0.weight", "3.weight", "6.weight", "9.weight", "13.weight"}) {
      fileWeights += f.tensor(n).data().length;
    }
    assertThat(nonZero).isEqualTo(fileWeights);
  }

  /**
   * Convs with dilation 2 (padding 2, so 'same' on 8x8 and 4x4 maps) and a max pooling: PyTorch's outputs; the input
   * shape is inferred from the linear layer through the dense 5x5 kernels.
   */
  @Test void aDilatedCnnEvaluatesAsPyTorch() {
    WholeModels.Derived d = WholeModels.derive(TensorFiles.read(Fixtures.path("user5_dilated_whole.pt")));
    assertThat(d.spec().layers()).contains(new ArchSpec.Conv("2", 1, 2, 1, 2), new ArchSpec.Conv("5", 1, 2, 1, 2));
    assertThat(d.inferredInput()).containsExactly(1, 8, 8);
    assertThat(fidelity("user5_dilated_whole.pt", null, DIGITS, "user5_dilated", "relu")).isLessThanOrEqualTo(1e-14);
    Network net = load("user5_dilated_whole.pt", null, null);
    assertThat(((Conv2d) net.layers().get(2)).weight().shape()).as(net.layers().get(2).describe())
        .containsExactly(8, 8, 5, 5);
  }

  /** PyTorch's float64 outputs against the network's on the signals [48, 2, 64] read as [48, 2, 1, 64]. */
  static double signals(Network net, String reference) {
    Tensor x = TensorFiles.readNpy(Fixtures.path("user5_maxpool1d_input.npy")).tensor();
    assertThat(x.shape()).containsExactly(48, 2, 64);
    double err = FidelityTest.relativeError(Forward.forward(net, Tensor.of(x.data(), 48, 2, 1, 64)),
        TensorFiles.readNpy(Fixtures.path(reference + "_output.npy")).tensor());
    System.out.printf("fidelity %s: max relative error %.3g against PyTorch in float64%n", reference, err);
    return err;
  }

  /**
   * The common 1-d CNN for time series (Conv1d, ReLU, MaxPool1d(2), Conv1d, ReLU, MaxPool1d(4, stride=2,
   * padding=1), Flatten, Linear), whole and as a state dict with a JSON spec: each MaxPool1d the max pooling of the
   * one-row image's 1 x k windows; the signal length inferred from the linear layer; PyTorch's outputs.
   */
  @Test void aOneDimensionalCnnWithMaxPool1dEvaluatesAsPyTorch() {
    WholeModels.Derived d = WholeModels.derive(TensorFiles.read(Fixtures.path("user5_maxpool1d_whole.pt")));
    assertThat(d.spec().layers()).contains(new ArchSpec.MaxPool(1, 2, 1, 2, 0, 0), new ArchSpec.MaxPool(1, 4, 1, 2,
        0, 1));
    assertThat(d.inferredInput()).containsExactly(2, 1, 64);
    Network whole = load("user5_maxpool1d_whole.pt", null, null);
    Network stateDict = load("user5_maxpool1d.pt", "user5_maxpool1d.json", null);
    assertThat(whole.layers()).contains(new MaxPool2d(1, 2, 1, 2, 0, 0), new MaxPool2d(1, 4, 1, 2, 0, 1));
    assertThat(TargetHash.of(whole)).isEqualTo(TargetHash.of(stateDict));
    for (Network net : new Network[] {whole, stateDict}) {
      assertThat(signals(net, "user5_maxpool1d")).isLessThanOrEqualTo(1e-14);
    }
    // the derived spec's JSON is the spec again, unequal sides as [rows, columns]
    assertThat(d.spec().toJson()).contains("{\"type\": \"maxpool2d\", \"kernel\": [1, 4], \"stride\": [1, 2], "
        + "\"padding\": [0, 1]}");
    assertThat(ArchSpec.parse("again", d.spec().toJson()).layers()).isEqualTo(d.spec().layers());
    TargetPlan plan = TargetPlan.of(whole, ActivationCatalog.parse("relu"));
    assertThat(plan.steps()).anyMatch(s -> s instanceof TargetPlan.Pool p && p.max() && p.kh() == 1 && p.kw() == 4
        && p.sh() == 1 && p.sw() == 2 && p.ph() == 0 && p.pw() == 1);
  }

  /**
   * A 1-d CNN with BatchNorm1d, tanh, AvgPool1d(2), a dilated Conv1d and AdaptiveAvgPool1d(4) on its 32 samples (the
   * average pooling of 1 x 8 windows): PyTorch's outputs; the signal length comes from the data (any multiple of 4
   * fits the adaptive pooling).
   */
  @Test void aOneDimensionalCnnWithAvgPool1dAndAdaptivePoolingEvaluatesAsPyTorch() {
    WholeModels.Derived d = WholeModels.derive(TensorFiles.read(Fixtures.path("user5_avgpool1d_whole.pt")));
    assertThat(d.spec().layers()).contains(new ArchSpec.AvgPool(1, 2, 1, 2), new ArchSpec.Conv1d("4", 1, 2, 1, 2),
        new ArchSpec.AdaptiveAvgPool(1, 4));
    assertThat(d.inferredInput()).isNull();
    Network net = load("user5_avgpool1d_whole.pt", null, new int[] {2, 1, 64});
    assertThat(net.layers()).contains(new AvgPool2d(1, 2, 1, 2), new AvgPool2d(1, 8, 1, 8));
    assertThat(signals(net, "user5_avgpool1d")).isLessThanOrEqualTo(1e-14);
  }

  /** MaxPool2d((2, 1)) and AvgPool2d((1, 2)) on the digits: windows of 2 x 1 and 1 x 2; PyTorch's outputs. */
  @Test void poolingWindowsWithUnequalSidesEvaluateAsPyTorch() {
    WholeModels.Derived d = WholeModels.derive(TensorFiles.read(Fixtures.path("user5_pool21_whole.pt")));
    assertThat(d.spec().layers()).contains(new ArchSpec.MaxPool(2, 1, 2, 1, 0, 0), new ArchSpec.AvgPool(1, 2, 1, 2));
    assertThat(d.inferredInput()).containsExactly(1, 8, 8);
    assertThat(fidelity("user5_pool21_whole.pt", null, DIGITS, "user5_pool21", "relu")).isLessThanOrEqualTo(1e-14);
  }

  /**
   * What stays refused names the module and says why: ceil_mode=True where it adds a last window past the input, an AvgPool1d
   * with padding and count_include_pad=False (the normal form's average pooling reads no padding), and an
   * AdaptiveAvgPool1d(5) on 64 samples (PyTorch's windows overlap).
   */
  @Test void poolingsTheNormalFormCannotTakeAreRefusedSayingWhy() {
    // read since where it adds no window (64 samples), refused where it adds one (63)
    assertThat(WholeModels.derive(TensorFiles.read(Fixtures.path("user5_bad_ceil.pt"))).spec().layers())
        .contains(new ArchSpec.MaxPool(1, 2, 1, 2, 0, 0, true));
    assertThatThrownBy(() -> load("user5_bad_ceil.pt", null, new int[] {2, 1, 63}))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining("layer 2, on its input [4, 1, 63]")
        .hasMessageContaining("max pooling with ceil_mode=True (kernel [1, 2], stride [1, 2]): on 63 columns PyTorch "
            + "adds a last window, columns 62 to 63, which runs past the input");
    assertThatThrownBy(() -> WholeModels.derive(TensorFiles.read(Fixtures.path("user5_bad_avgpad.pt"))))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining("user5_bad_avgpad.pt: module '2' (torch.nn.modules.pooling.AvgPool1d): padding (1,): "
            + "the normal form's average pooling reads no padding");
    assertThat(WholeModels.derive(TensorFiles.read(Fixtures.path("user5_bad_adaptive5.pt"))).spec().layers())
        .contains(new ArchSpec.AdaptiveAvgPool(1, 5));
    assertThatThrownBy(() -> load("user5_bad_adaptive5.pt", null, new int[] {2, 1, 64}))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining("layer 2: adaptive average pooling to 1x5 on a 1x64 map: 64 is not a multiple of 5, so "
            + "PyTorch's windows overlap or differ in size");
  }

  static Network load(String target, String arch, int[] input) {
    return TargetLoader.load(Fixtures.path(target), arch == null ? null : Fixtures.path(arch).toString(), null, input,
        "the input", true).built().network();
  }
}
