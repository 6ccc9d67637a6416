package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.kernel.TargetHash;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Network;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.targets.WholeModels;
import org.junit.jupiter.api.Test;

/**
 * Networks trained as users train theirs, in the layouts a fifth round brought (fixtures {@code user5_*}, made by
 * train_user_nets5.py): grouped, depthwise and dilated convs. Each evaluates as PyTorch's float64 forward pass on the
 * same float32 weights.
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

  static Network load(String target, String arch, int[] input) {
    return TargetLoader.load(Fixtures.path(target), arch == null ? null : Fixtures.path(arch).toString(), null, input,
        "the input", true).built().network();
  }
}
