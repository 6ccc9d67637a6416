package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.net.BatchNorm2d;
import dev.ticketproof.targets.Architectures;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.targets.WholeModels;
import org.junit.jupiter.api.Test;

/**
 * Networks trained as users train theirs, in the layouts a seventh round brought (fixtures {@code user7_*}, made by
 * train_user_nets7.py): BatchNorm after the activation and first, folded exactly into the next layer (or, after a
 * max pooling, into the conv before it); one before a padded conv, which the network computes but no fold does; a
 * final Sigmoid and a final Tanh; a pre-activation ResNet.
 */
class UserNets7Test {
  private static TargetLoader.Loaded load(String file, int[] input) {
    return TargetLoader.load(Fixtures.path(file), null, null, input, "the input", true);
  }

  /**
   * Linear -> ReLU -> BatchNorm1d -> Dropout -> Linear (twice), conv -> ReLU -> BatchNorm2d -> conv without padding,
   * conv -> MaxPool2d -> BatchNorm2d -> ReLU, and a BatchNorm1d first on tabular inputs of unequal scales: every
   * BatchNorm is folded (none is left in the network, so the normal form takes it) and the folded network gives
   * PyTorch's float64 outputs.
   */
  @Test void batchNormsAfterTheActivationFoldIntoTheNextLayer() {
    assertThat(fidelity("user7_postbn_mlp_whole.pt", null, "user7_postbn_mlp", "relu")).isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("user7_postbn_cnn_whole.pt", null, "user7_postbn_mlp_input.npy", "user7_postbn_cnn", "relu"))
        .isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("user7_tabular_whole.pt", null, "user7_tabular", "relu")).isLessThanOrEqualTo(1e-14);
    NetworkBuilder.Built mlp = load("user7_postbn_mlp_whole.pt", null).built();
    assertThat(mlp.folded()).containsExactly("batchnorm '3' (after activation relu): its scale into linear '1' "
        + "(64->32) (relu(s z) = s relu(z) for s >= 0), its shift into linear '5' (32->16)", "batchnorm '7' (after "
        + "activation relu): its scale into linear '5' (32->16) (relu(s z) = s relu(z) for s >= 0), its shift into "
        + "linear '8' (16->10)");
    NetworkBuilder.Built cnn = load("user7_postbn_cnn_whole.pt", null).built();
    assertThat(cnn.folded()).containsExactly("batchnorm '2' (after activation relu): its scale into conv '0' (1->16, "
        + "3x3, stride 1, padding 1) (relu(s z) = s relu(z) for s >= 0), its shift into conv '3' (16->16, 3x3, "
        + "stride 1, padding 0)", "batchnorm '5' (after maxpool (kernel 2, stride 2, padding 0)) into conv '3' (16->16, "
        + "3x3, stride 1, padding 0)");
    NetworkBuilder.Built tab = load("user7_tabular_whole.pt", null).built();
    assertThat(tab.folded()).hasSize(3).first().asString().startsWith("batchnorm '0' (first) into linear '1'");
    for (NetworkBuilder.Built b : new NetworkBuilder.Built[] {mlp, cnn, tab}) {
      assertThat(b.unfolded()).isNull();
      assertThat(b.network().layers()).noneMatch(l -> l instanceof BatchNorm2d);
      assertThat(TargetPlan.of(b.network(), ActivationCatalog.parse("relu")).steps()).isNotEmpty();
    }
  }

  /**
   * A BatchNorm after the ReLU before a conv with padding 1: PyTorch pads the BatchNorm's output with zeros, which no
   * fold into that conv computes. The network keeps the BatchNorm (and gives PyTorch's outputs); why the constructions
   * cannot take it is said.
   */
  @Test void aBatchNormBeforeAPaddedConvStaysAndSaysWhy() {
    assertThat(fidelity("user7_postbn_pad_whole.pt", null, "user7_postbn_mlp_input.npy", "user7_postbn_pad", "relu"))
        .isLessThanOrEqualTo(1e-14);
    NetworkBuilder.Built b = load("user7_postbn_pad_whole.pt", null).built();
    assertThat(b.folded()).isEmpty();
    assertThat(b.network().layers().get(2)).isInstanceOf(BatchNorm2d.class);
    assertThat(b.unfolded()).startsWith("batchnorm '2' (after activation relu) would fold into the next layer, conv "
        + "'3' (8->8, 3x3, stride 1, padding 1), but that conv pads its input with zeros")
        .contains("the ticket constructions need it right after a conv or linear layer");
  }

  /**
   * A ResNet whose projection shortcut is nn.Sequential(AvgPool2d(2), conv 1x1, BatchNorm2d) (ResNet-D), as a state
   * dict and whole: refused before (naming the pooling before the conv), now read as the 2x2 conv of stride 2 that
   * computes it; PyTorch's outputs (train_round14.py) to rounding.
   */
  @Test void aShortcutWithAPoolingBeforeItsConvIsRead() {
    for (String f : new String[] {"user7_resnetd.pt", "user7_resnetd_whole.pt"}) {
      assertThat(UserNets2Test.fidelity(f, null, "round14_shapes_input.npy", "round14_user7resnetd", "relu"))
          .as(f).isLessThanOrEqualTo(1e-14);
    }
  }

  /**
   * A pre-activation ResNet (kuangliu's PreActResNet layout), refused before as a state dict, whole and with the
   * cifar-resnet preset given: now read by the preset, without an architecture too, as a post-activation ResNet of
   * doubled width (PreActResNet; its outputs against PyTorch's are in Round13Test), the state dict and the whole
   * model to the same target; with an activation that does not recover s from phi(s) and phi(-s), refused saying so.
   */
  @Test void aPreActivationResNetIsReadRewritten() {
    TensorFile sd = TensorFiles.read(Fixtures.path("user7_preact.pt"));
    assertThat(Architectures.inferPreset(sd)).isEqualTo("cifar-resnet");
    String hash = null;
    for (String f : new String[] {"user7_preact.pt", "user7_preact_whole.pt"}) {
      for (String arch : new String[] {null, "cifar-resnet"}) {
        TargetLoader.Loaded loaded = TargetLoader.load(Fixtures.path(f), arch, null, null, new int[] {3, 16, 16},
            "the input", true);
        assertThat(loaded.rewrite()).as(f).contains("read as a pre-activation PreActResNet (2 blocks")
            .contains("the stream of 8/8/16 channels is carried in 16/16/32 channels");
        String h = dev.ticketproof.kernel.TargetHash.of(loaded.built().network());
        if (hash == null) hash = h;
        assertThat(h).as(f + " " + arch).isEqualTo(hash);
        assertThat(loaded.built().unusedTensors()).as(f).allMatch(n -> n.endsWith("num_batches_tracked"));
      }
    }
    assertThatThrownBy(() -> TargetLoader.load(Fixtures.path("user7_preact.pt"), null, null, "mish", null,
        "the input", true)).isInstanceOf(ImportException.class)
        .hasMessageContaining("(a pre-activation PreActResNet): activation mish: a pre-activation ResNet's blocks add "
            + "their input with no activation after the sum");
  }
}
