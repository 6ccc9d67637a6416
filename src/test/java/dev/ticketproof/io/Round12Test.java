package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.targets.WholeModels;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The twelfth round's networks (fixtures {@code round12_*}, made by train_round12.py), each normalising its input
 * before a padded conv or a linear layer: RobustBench's layout of a CIFAR-style ResNet behind its ImageNormalizer,
 * torchvision's Normalize (of numbers, of tensors, MNIST's one value) before padded convs with BatchNorm, a first
 * BatchNorm2d on raw images and a tabular MLP with BatchNorm1d first. References: PyTorch's float64 forward pass.
 */
class Round12Test {
  private static final String SHAPES = "round12_shapes_input.npy";
  private static final float[] CIFAR_MEAN = {0.4914f, 0.4822f, 0.4465f};
  private static final float[] CIFAR_STD = {0.2471f, 0.2435f, 0.2616f};

  private static TargetLoader.Loaded load(String file, String arch, int... input) {
    return TargetLoader.load(Fixtures.path(file), arch == null ? null : Fixtures.path(arch).toString(), null, input,
        "the input", true);
  }

  private static TargetPlan.InputMap inputMap(TargetLoader.Loaded loaded) {
    return TargetPlan.of(loaded.built().network(), ActivationCatalog.parse("relu")).input();
  }

  /**
   * torchvision's Normalize given tensors, transforms.Normalize(mean=torch.tensor([...]), std=...), keeps them among
   * its attributes (before: refused, 'mean is not a number nor a tuple of numbers (a tensor? ...)'): a tensor of at
   * most 16 values is read as the tuple of its values (float32, as stored), so the model reads as PyTorch computes it,
   * and the normalisation before its padded conv is the input map, 1 / std and -mean / std per channel.
   */
  @Test void torchvisionsNormalizeOfTensorsIsRead() {
    ArchSpec.Normalize n = (ArchSpec.Normalize) WholeModels.derive(TensorFiles.read(Fixtures.path(
        "round12_tvnormtensor_whole.pt"))).spec().layers().get(0);
    for (int c = 0; c < 3; c++) {
      assertThat(n.mean().get(c)).isEqualTo((double) CIFAR_MEAN[c]);
      assertThat(n.std().get(c)).isEqualTo((double) CIFAR_STD[c]);
    }
    assertThat(fidelity("round12_tvnormtensor_whole.pt", null, SHAPES, "round12_tvnormtensor", "relu"))
        .isLessThanOrEqualTo(1e-14);
    TargetPlan.InputMap map = inputMap(load("round12_tvnormtensor_whole.pt", null, 3, 16, 16));
    assertThat(map.scale()[2]).isCloseTo(1 / (double) CIFAR_STD[2], Offset.offset(1e-12));
    assertThat(map.shift()[0]).isCloseTo(-CIFAR_MEAN[0] / (double) CIFAR_STD[0], Offset.offset(1e-12));
  }

  /**
   * RobustBench's checkpoint, the state dict of nn.Sequential(OrderedDict(normalize=ImageNormalizer(mean, std),
   * model=resnet)): the cifar-resnet preset reads the ResNet under 'model.' and warns that 'normalize.mean' and
   * 'normalize.std' are unread, saying how to read them; the preset's spec (as inspect prints it) with the normalize
   * layer first reads both, the normaliser's tensors beside the prefix (before: 'names tensor conv1.weight, which the
   * file does not have'), from the state dict and the whole model, as PyTorch computes them; the whole model's
   * refusal without an architecture says where that spec is found.
   */
  @Test void robustBenchsLayoutReadsWithThePresetsSpecAndANormalizeLayerFirst() {
    TargetLoader.Loaded preset = load("round12_rbresnet_sd.pt", null, 3, 16, 16);
    assertThat(preset.inferredPreset()).isEqualTo("cifar-resnet");
    assertThat(TargetLoader.unreadNormalisation(preset)).contains("'normalize.mean' and 'normalize.std'")
        .contains("with a preset: save the architecture inspect prints as a JSON spec, put that layer first")
        .contains("beside the prefix 'model.'");
    assertThatThrownBy(() -> load("round12_rbresnet_whole.pt", null, 3, 16, 16)).isInstanceOf(ImportException.class)
        .hasMessageContaining("module 'normalize' (__main__.ImageNormalizer): it holds only the tensors")
        .hasMessageContaining("(the network beside it has a torchvision-style ResNet's names, under 'model.': the "
            + "cifar-resnet preset reads it, and inspect, given that preset as the architecture, prints its spec");
    for (String file : new String[] {"round12_rbresnet_sd.pt", "round12_rbresnet_whole.pt"}) {
      assertThat(fidelity(file, "round12_rbresnet.json", SHAPES, "round12_rbresnet", "relu"))
          .isLessThanOrEqualTo(1e-14);
      TargetLoader.Loaded loaded = load(file, "round12_rbresnet.json", 3, 16, 16);
      assertThat(loaded.prefix()).isEqualTo("model.");
      assertThat(loaded.built().unusedTensors()).noneMatch(t -> t.startsWith("normalize."));
      assertThat(TargetLoader.unreadNormalisation(loaded)).isNull();
      assertThat(inputMap(loaded).scale()[1]).isCloseTo(1 / (double) CIFAR_STD[1], Offset.offset(1e-12));
    }
  }

  /**
   * torchvision's Normalize before a padded conv with BatchNorm after it, CIFAR's three values and MNIST's one on
   * 1x28x28 digits, and a BatchNorm2d first on raw images: read as PyTorch computes them, each first normalisation the
   * input map (it cannot fold into the padded conv).
   */
  @Test void normalisationsBeforePaddedConvsAreInputMaps() {
    assertThat(fidelity("round12_tvnormbn_whole.pt", null, SHAPES, "round12_tvnormbn", "relu"))
        .isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("round12_mnistnorm_whole.pt", null, "round12_d28_input.npy", "round12_mnistnorm", "relu"))
        .isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("round12_bnfirst_whole.pt", null, SHAPES, "round12_bnfirst", "relu"))
        .isLessThanOrEqualTo(1e-14);
    TargetPlan.InputMap mnist = inputMap(load("round12_mnistnorm_whole.pt", null, 1, 28, 28));
    assertThat(mnist.scale()).hasSize(1);
    assertThat(mnist.scale()[0]).isCloseTo(1 / 0.3081, Offset.offset(1e-12));
    assertThat(mnist.shift()[0]).isCloseTo(-0.1307 / 0.3081, Offset.offset(1e-12));
    assertThat(inputMap(load("round12_tvnormbn_whole.pt", null, 3, 16, 16)).scale()).hasSize(3);
    assertThat(inputMap(load("round12_bnfirst_whole.pt", null, 3, 16, 16)).scale()).hasSize(3);
  }

  /** A tabular MLP with BatchNorm1d first on features of scales 0.01 to 1000: folded exactly, no input map. */
  @Test void aFirstBatchNorm1dOfATabularMlpFoldsExactly() {
    assertThat(fidelity("round12_tab_whole.pt", null, "round12_tab_input.npy", "round12_tab", "relu"))
        .isLessThanOrEqualTo(1e-12);
    TargetLoader.Loaded loaded = load("round12_tab_whole.pt", null, 12);
    assertThat(String.join("\n", loaded.built().folded())).contains("batchnorm '0' (first) into linear '1'");
    assertThat(inputMap(loaded)).isNull();
  }
}
