package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static dev.ticketproof.io.UserNets5Test.load;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.kernel.TargetHash;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Forward;
import dev.ticketproof.net.Network;
import dev.ticketproof.tensor.Tensor;
import dev.ticketproof.targets.Presets;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.targets.WholeModels;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Networks trained as users train theirs with convs of unequal kernel sides (fixtures {@code user7_*}, made by
 * train_user_convs7.py): factorised 1x3 / 3x1 convs, 1x7 / 7x1 convs, {@code padding='same'} on a 1x4 kernel, a 4x1
 * conv with stride (4, 1), 5x3 and 3x5 kernels with paddings (2, 1), (1, 2) and (1, 0), a Conv1d with
 * {@code padding='same'} on 4 taps. Each evaluates as PyTorch's float64 forward pass on the same float32 weights;
 * unequal strides with several outputs on both axes, a padding beyond the kernel's side less one and unequal
 * dilations are refused naming the module and why.
 */
class UserConvs7Test {
  /**
   * Factorised convs, whole and as a state dict with a JSON spec of per-axis paddings: the same network (one target
   * hash), PyTorch's outputs; each 1x3 kernel is read as written with paddings (0, 1), and the plan's kernels hold
   * exactly the file's weights (no zero taps).
   */
  @Test void factorisedConvsEvaluateAsPyTorch() {
    WholeModels.Derived d = WholeModels.derive(TensorFiles.read(Fixtures.path("user7_factorised_whole.pt")));
    assertThat(d.spec().layers()).contains(new ArchSpec.Conv("0", 1, 1, 0, 1, 1, 1, false),
        new ArchSpec.Conv("2", 1, 1, 1, 0, 1, 1, false));
    assertThat(d.inferredInput()).containsExactly(1, 8, 8);
    assertThat(fidelity("user7_factorised_whole.pt", null, "user7_factorised", "relu")).isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("user7_factorised.pt", "user7_factorised.json", "user7_factorised_input.npy",
        "user7_factorised", "relu")).isLessThanOrEqualTo(1e-14);
    Network whole = load("user7_factorised_whole.pt", null, null);
    Network stateDict = load("user7_factorised.pt", "user7_factorised.json", null);
    assertThat(TargetHash.of(whole)).isEqualTo(TargetHash.of(stateDict));
    Conv2d first = (Conv2d) whole.layers().get(0);
    assertThat(first.weight().shape()).containsExactly(8, 1, 1, 3);
    assertThat(new int[] {first.ph(), first.pw()}).containsExactly(0, 1);
    TensorFile f = TensorFiles.read(Fixtures.path("user7_factorised.pt"));
    assertThat(first.weight().data()).isEqualTo(f.tensor("0.weight").data());
    long nonZero = 0;
    long taps = 0;
    for (TargetPlan.Step s : TargetPlan.of(whole, ActivationCatalog.parse("relu")).steps()) {
      if (s instanceof TargetPlan.Affine a) {
        for (double v : a.kernel()) if (v != 0) nonZero++;
        taps += a.kernel().length;
      }
    }
    long fileWeights = 0;
    for (String n : new String[] {"0.weight", "2.weight", "5.weight", "7.weight", "10.weight"}) {
      fileWeights += f.tensor(n).data().length;
    }
    assertThat(nonZero).isEqualTo(fileWeights);
    assertThat(taps).isEqualTo(fileWeights);
  }

  /**
   * 1x7 and 7x1 convs with BatchNorm, padding='same' on a 1x4 kernel (one column before, two after) and a 4x1 conv
   * with stride (4, 1) on 4 rows: PyTorch's outputs; the spec keeps 'same' and the strides as written.
   */
  @Test void anInceptionStyleStackEvaluatesAsPyTorch() {
    WholeModels.Derived d = WholeModels.derive(TensorFiles.read(Fixtures.path("user7_inception_whole.pt")));
    assertThat(d.spec().layers()).contains(new ArchSpec.Conv("3", 1, 1, 0, 3, 1, 1, false),
        new ArchSpec.Conv("10", 1, 1, 0, 0, 1, 1, true), new ArchSpec.Conv("12", 4, 1, 0, 0, 1, 1, false));
    assertThat(d.spec().toJson()).contains("\"padding\": \"same\"").contains("\"stride\": [4, 1]");
    assertThat(ArchSpec.parse("again", d.spec().toJson()).layers()).isEqualTo(d.spec().layers());
    assertThat(d.inferredInput()).containsExactly(1, 8, 8);
    assertThat(fidelity("user7_inception_whole.pt", null, "user7_inception", "relu")).isLessThanOrEqualTo(1e-14);
    TargetLoader.Loaded loaded = TargetLoader.load(Fixtures.path("user7_inception_whole.pt"), null, null, null,
        "the input", true);
    assertThat(loaded.built().rows().get(10).description()).isEqualTo("conv '10' (8->16, 1x4, stride 1, padding "
        + "'same'; read as 1x5, stride 1, padding (0, 2))");
    assertThat(loaded.built().rows().get(3).description()).isEqualTo("conv '3' (8->8, 1x7, stride 1, padding (0, 3))");
    assertThat(loaded.built().rows().get(12).description()).isEqualTo("conv '12' (16->16, 4x1, stride (4, 1), "
        + "padding 0; read as 4x1, stride 1, padding 0)");
  }

  /** 5x3 and 3x5 kernels, whole and as a state dict with a JSON spec: PyTorch's outputs, one target hash. */
  @Test void kernelsOfFiveByThreeEvaluateAsPyTorch() {
    assertThat(fidelity("user7_k53_whole.pt", null, "user7_k53", "relu")).isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("user7_k53.pt", "user7_k53.json", "user7_k53_input.npy", "user7_k53", "relu"))
        .isLessThanOrEqualTo(1e-14);
    Network whole = load("user7_k53_whole.pt", null, new int[] {3, 16, 16});
    assertThat(TargetHash.of(whole)).isEqualTo(TargetHash.of(load("user7_k53.pt", "user7_k53.json", null)));
    Conv2d last = (Conv2d) whole.layers().get(5);
    assertThat(last.weight().shape()).containsExactly(16, 16, 5, 3);
    assertThat(new int[] {last.ph(), last.pw()}).containsExactly(1, 0);
  }

  /** A Conv1d with padding='same' on 4 taps (refused before) and on 3: PyTorch's outputs. */
  @Test void aConv1dWithSamePaddingOnAnEvenKernelEvaluatesAsPyTorch() {
    WholeModels.Derived d = WholeModels.derive(TensorFiles.read(Fixtures.path("user7_same1d_whole.pt")));
    assertThat(d.spec().layers()).contains(new ArchSpec.Conv1d("0", 1, 0, 1, 1, true), new ArchSpec.Conv1d("3", 1, 1));
    Tensor x = TensorFiles.readNpy(Fixtures.path("user7_same1d_input.npy")).tensor();
    assertThat(x.shape()).containsExactly(48, 2, 64);
    Network net = load("user7_same1d_whole.pt", null, null);
    double err = FidelityTest.relativeError(Forward.forward(net, Tensor.of(x.data(), 48, 2, 1, 64)),
        TensorFiles.readNpy(Fixtures.path("user7_same1d_output.npy")).tensor());
    System.out.printf("fidelity user7_same1d_whole.pt: max relative error %.3g against PyTorch in float64%n", err);
    assertThat(err).isLessThanOrEqualTo(1e-14);
    Conv2d first = (Conv2d) net.layers().get(0);
    assertThat(first.weight().shape()).containsExactly(8, 2, 1, 5);
    assertThat(new int[] {first.ph(), first.pw()}).containsExactly(0, 2);
  }

  /** What no conv of the normal form computes is refused, naming the file, the module and why. */
  @Test void unequalStridesLargePaddingsAndUnequalDilationsAreRefused() {
    assertThatThrownBy(() -> load("user7_bad_strides.pt", null, new int[] {1, 8, 8}))
        .isInstanceOf(ImportException.class).hasMessageContaining("user7_bad_strides.pt")
        .hasMessageContaining("conv '0': kernel 3x3, stride (2, 1), padding 1 gives 4 x 8 outputs on a 8 x 8 map: "
            + "unequal strides");
    assertThatThrownBy(() -> load("user7_bad_padding.pt", null, new int[] {1, 8, 8}))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining("conv '0': kernel 1x3, stride 1, padding 1 gives 10 rows of outputs from 8 rows");
    assertThat(WholeModels.derive(TensorFiles.read(Fixtures.path("user7_bad_padding.pt"))).inputUnknown())
        .contains("a conv is refused from input [1, 1, 1]");
    assertThatThrownBy(() -> load("user7_bad_dilation.pt", null, new int[] {1, 8, 8}))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining("module '0' (torch.nn.modules.conv.Conv2d): dilation (1, 2)");
  }

  /**
   * The synflow-conv preset on the state dict of a numbered Sequential of a 1x3 conv and a 3x1 conv: paddings (0, 1)
   * and (1, 0), which keep the size, so the 8x8 input follows from the linear layer; the convs read as written.
   */
  @Test void theSynflowPresetReadsKernelsOfUnequalSides() {
    Map<String, StoredTensor> t = new LinkedHashMap<>();
    int[][] shapes = {{4, 1, 1, 3}, {4, 4, 3, 1}, {10, 256}};
    String[] names = {"0.weight", "2.weight", "4.weight"};
    for (int i = 0; i < 3; i++) {
      double[] v = new double[Arrays.stream(shapes[i]).reduce(1, (a, b) -> a * b)];
      for (int j = 0; j < v.length; j++) v[j] = Math.sin(j + i);
      t.put(names[i], new StoredTensor(names[i], Tensor.of(v, shapes[i]), DType.FLOAT32));
    }
    TensorFile f = new TensorFile("factorised.pt", t, List.of(), List.of());
    ArchSpec spec = Presets.infer(Presets.SYNFLOW_CONV, f, null);
    assertThat(spec.input()).containsExactly(1, 8, 8);
    assertThat(spec.layers()).contains(new ArchSpec.Conv("0", 1, 1, 0, 1, 1, 1, false),
        new ArchSpec.Conv("2", 1, 1, 1, 0, 1, 1, false));
    Network net = NetworkBuilder.build("synflow-conv", spec, f, ActivationCatalog.parse("relu"), null).network();
    Conv2d first = (Conv2d) net.layers().get(0);
    assertThat(first.weight().shape()).containsExactly(4, 1, 1, 3);
    assertThat(new int[] {first.ph(), first.pw()}).containsExactly(0, 1);
  }
}
