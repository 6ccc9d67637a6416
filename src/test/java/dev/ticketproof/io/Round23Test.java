package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.targets.Architectures;
import dev.ticketproof.targets.Presets;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.targets.WholeModels;
import dev.ticketproof.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The twenty-third round's networks (fixtures {@code round23_*}, made by train_round23.py): the whole models that
 * rahulvigneswaran's Lottery-Ticket-Hypothesis-in-Pytorch saves (its class {@code archs.mnist.fc1.fc1}, named in lower
 * case, and its LeNet5 with a functional forward), network slimming's pruned VGG, edge-popup's checkpoint of weights
 * and scores with the network it found, and a model prepared for quantization-aware training. References: PyTorch's
 * float64 forward pass (float32 for the quantization-aware one).
 */
class Round23Test {
  private static final String INPUT = "round23_mnist_input.npy";

  /**
   * A model class named in lower case is read as a class (it was refused as a "forbidden global"); the root is a
   * custom module, so the architecture is inspect's draft, which computes PyTorch's outputs.
   */
  @Test void aModelClassNamedInLowerCaseIsReadAndItsDraftIsTheNetwork() {
    TensorFile file = TensorFiles.read(Fixtures.path("round23_1_model_lt_fc1.pth.tar"));
    assertThat(file.model().className()).isEqualTo("archs.mnist.fc1.fc1");
    assertThat(WholeModels.draft(file).spec().layers())
        .isEqualTo(ArchSpec.read(Fixtures.path("round23_fc1.json")).layers());
    // the draft reads the 784 values of each image, as the commands read an image of [1, 28, 28] for it
    Tensor x = TensorFiles.readNpy(Fixtures.path(INPUT)).tensor();
    TargetLoader.Loaded fc1 = TargetLoader.load(Fixtures.path("round23_1_model_lt_fc1.pth.tar"),
        Fixtures.path("round23_fc1.json").toString(), null, null, null, "the input", true);
    assertThat(FidelityTest.relativeError(fc1.built().network().outputs(new Tensor(new int[] {x.shape()[0], 784},
        x.data())), TensorFiles.readNpy(Fixtures.path("round23_fc1_output.npy")).tensor())).isLessThanOrEqualTo(1e-14);
    assertThatThrownBy(() -> TargetLoader.load(Fixtures.path("round23_1_model_lt_fc1.pth.tar"), null, null, null,
        new int[] {1, 28, 28}, "the input", true)).isInstanceOf(ImportException.class)
        .hasMessageContaining("the whole model is a archs.mnist.fc1.fc1, not an nn.Sequential")
        .hasMessageContaining("inspect prints a draft").hasMessageNotContaining("forbidden global");
  }

  /**
   * LeNet5's forward applies F.relu and F.max_pool2d: with a spec that says so, PyTorch's outputs, and no warning. The
   * same tensors with a gain beside a conv's weight (as timm's ScaledStdConv2d keeps one): the warning names it.
   */
  @Test void theLenet5EvaluatesAsPyTorchWithItsSpecAndAnUnreadGainIsWarnedAbout(@TempDir Path tmp) throws Exception {
    assertThat(fidelity("round23_1_model_lt_lenet5.pth.tar", "round23_lenet5.json", INPUT, "round23_lenet5", "relu"))
        .isLessThanOrEqualTo(1e-14);
    String spec = Fixtures.path("round23_lenet5.json").toString();
    TensorFile file = TensorFiles.read(Fixtures.path("round23_1_model_lt_lenet5.pth.tar"));
    assertThat(TargetLoader.unreadLayers(TargetLoader.load(Fixtures.path("round23_1_model_lt_lenet5.pth.tar"), spec,
        null, null, null, "the input", true))).isNull();
    List<TorchWriter.Array> arrays = new ArrayList<>();
    for (String n : file.names()) arrays.add(TorchWriter.Array.of(n, file.tensor(n).shape(), file.tensor(n).data()));
    arrays.add(TorchWriter.Array.of("conv1.gain", new int[] {6, 1, 1, 1}, new double[] {2, 2, 2, 2, 2, 2}));
    Path gained = tmp.resolve("gained.pt");
    TorchWriter.write(gained, arrays);
    assertThat(TargetLoader.unreadLayers(TargetLoader.load(gained, spec, null, null, null, "the input", true)))
        .startsWith("the architecture does not read 1 tensor of layers it reads in " + gained + " (conv1.gain): a "
            + "layer whose forward computes with them (a gain, a scale) computes another function here");
  }

  /**
   * Network slimming's VGG (also GraSP's): {@code feature.N}, read by the vgg preset with the forward's average
   * pooling, of the side that gives the classifier's fan-in (2 on the 16x16 shapes, 4 on 32x32 inputs), and its
   * BatchNorms with or without their affine parameters; PyTorch's outputs.
   */
  @Test void networkSlimmingsVggIsReadByTheVggPresetWithItsAveragePooling() {
    TensorFile file = TensorFiles.read(Fixtures.path("round23_slimming_vgg_pruned.pth.tar")).under("state_dict.");
    for (int side : new int[] {16, 32}) {
      ArchSpec spec = Architectures.spec(Presets.VGG, file, new int[] {3, side, side});
      assertThat(spec.layers().stream().filter(l -> l instanceof ArchSpec.MaxPool).count()).isEqualTo(3);
      int i = spec.layers().size() - 3;
      assertThat(spec.layers().get(i)).as("input " + side).isEqualTo(new ArchSpec.AvgPool(side / 8, side / 8));
    }
    Tensor x = TensorFiles.readNpy(Fixtures.path("round13_shapes_input.npy")).tensor();
    TargetLoader.Loaded loaded = TargetLoader.load(Fixtures.path("round23_slimming_vgg_pruned.pth.tar"), Presets.VGG,
        null, null, new int[] {3, 16, 16}, "the input", true);
    assertThat(loaded.prefix()).isEqualTo("state_dict.");
    assertThat(FidelityTest.relativeError(loaded.built().network().outputs(x),
        TensorFiles.readNpy(Fixtures.path("round23_slimming_vgg_output.npy")).tensor())).isLessThanOrEqualTo(1e-14);
    // GraSP's, the same with BatchNorms of affine=False (running statistics only): refused before, as a module
    // without a weight
    TargetLoader.Loaded grasp = TargetLoader.load(Fixtures.path("round23_grasp_vgg_noaffine.pth.tar"), Presets.VGG,
        null, null, new int[] {3, 16, 16}, "the input", true);
    assertThat(grasp.spec().layers()).contains(new ArchSpec.BatchNorm("feature.1", ArchSpec.DEFAULT_BN_EPS, false));
    assertThat(FidelityTest.relativeError(grasp.built().network().outputs(x),
        TensorFiles.readNpy(Fixtures.path("round23_grasp_vgg_noaffine_output.npy")).tensor()))
        .isLessThanOrEqualTo(1e-14);
    assertThatThrownBy(() -> Architectures.spec(Presets.VGG, file, new int[] {3, 12, 12}))
        .isInstanceOf(ImportException.class).hasMessageContaining("linear layer 'classifier' reads 32 x 1 x 1 "
            + "features, which no average pooling of a square window after the last conv (the forward's "
            + "nn.AvgPool2d, of side 2 or more) makes of its 1 x 1 map on input [3, 12, 12]");
  }

  /** Edge-popup's layers compute with weight times the mask of their top scores: the weights alone are refused. */
  @Test void edgePopupsScoresAreRefusedNamingThem() {
    for (String arch : new String[] {null, "round23_lenet5.json"}) {
      assertThatThrownBy(() -> TargetLoader.load(Fixtures.path("round23_edgepopup_checkpoint.pth"),
          arch == null ? null : Fixtures.path(arch).toString(), null, null, new int[] {1, 28, 28}, "the input", true))
          .isInstanceOf(ImportException.class)
          .hasMessageContaining("round23_edgepopup_checkpoint.pth: tensor 'state_dict.module.convs.0.scores' is a "
              + "score of every weight of 'state_dict.module.convs.0.weight', as edge-popup's SubnetConv keeps them")
          .hasMessageContaining("its weights alone are the dense random network");
    }
    // listed as tensors by inspect's reader
    assertThat(TensorFiles.read(Fixtures.path("round23_edgepopup_checkpoint.pth")).names())
        .contains("state_dict.module.linear.0.scores");
  }

  /**
   * A model prepared for quantization-aware training: with its fake quantization on (its forward rounds) refused,
   * naming the flag; off, read as the float model it then computes (PyTorch's float32 outputs to their rounding).
   */
  @Test void fakeQuantizationOnIsRefusedAndOffIsTheFloatModel() {
    String spec = Fixtures.path("round23_qat.json").toString();
    assertThatThrownBy(() -> TargetLoader.load(Fixtures.path("round23_qat_on.pt"), spec, null, null, null, "the input",
        true)).isInstanceOf(ImportException.class)
        .hasMessageContaining("round23_qat_on.pt: tensor '0.weight_fake_quant.fake_quant_enabled' is on: a model "
            + "prepared for quantization-aware training");
    Tensor x = TensorFiles.readNpy(Fixtures.path("round13_shapes_input.npy")).tensor();
    TargetLoader.Loaded off = TargetLoader.load(Fixtures.path("round23_qat_off.pt"), spec, null, null, null,
        "the input", true);
    assertThat(FidelityTest.relativeError(off.built().network().outputs(x),
        TensorFiles.readNpy(Fixtures.path("round23_qat_off_output.npy")).tensor())).isLessThanOrEqualTo(1e-6);
  }

  /**
   * The weights edge-popup's forward uses, saved as docs/import.md says: read with a spec whose linear layer takes the
   * 1x1 conv's [out, in, 1, 1] weight on the flattened map; PyTorch's outputs.
   */
  @Test void theNetworkEdgePopupFoundEvaluatesAsPyTorch() {
    Tensor x = TensorFiles.readNpy(Fixtures.path(INPUT)).tensor();
    TargetLoader.Loaded found = TargetLoader.load(Fixtures.path("round23_edgepopup_found.pt"),
        Fixtures.path("round23_edgepopup.json").toString(), null, null, null, "the input", true);
    assertThat(TensorFiles.read(Fixtures.path("round23_edgepopup_found.pt")).tensor("linear.0.weight").shape())
        .containsExactly(10, 784, 1, 1);
    assertThat(FidelityTest.relativeError(found.built().network().outputs(x),
        TensorFiles.readNpy(Fixtures.path("round23_edgepopup_found_output.npy")).tensor())).isLessThanOrEqualTo(1e-14);
  }
}
