package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.targets.PreActResNet;
import dev.ticketproof.targets.TargetLoader;
import org.junit.jupiter.api.Test;

/**
 * The seventeenth round: RobustBench's DeepMind ResNets, DMWideResNet and DMPreActResNet (fixtures
 * {@code round17_dm_*}, made by train_round17_dm.py), as state dicts and whole models, with nn.ReLU, RobustBench's
 * Swish and nn.SiLU. Their forwards normalise the input with the buffers mean and std and pad a stride-2 block's
 * first conv below and right only. References: PyTorch's float64 forward pass.
 */
class Round17DeepMindTest {
  private static final String X = "round13_shapes32_input.npy";

  private static TargetLoader.Loaded load(String file) {
    return TargetLoader.load(Fixtures.path(file), null, null, null, new int[] {3, 32, 32}, "the input", true);
  }

  /** NAME_sd.pt (a state dict) and NAME_whole.pt (the whole model, relu) give PyTorch's outputs NAME_output.npy. */
  private static void stateDictAndWholeModelAsPyTorch(String name) {
    for (String file : new String[] {name + "_sd.pt", name + "_whole.pt"}) {
      assertThat(fidelity(file, null, X, name, "relu")).as(file).isLessThanOrEqualTo(1e-12);
    }
  }

  @Test void dmWideResNetEvaluatesAsPyTorchAsStateDictAndWholeModel() {
    stateDictAndWholeModelAsPyTorch("round17_dm_wrn_relu");
    TargetLoader.Loaded l = load("round17_dm_wrn_relu_sd.pt");
    assertThat(PreActResNet.layout(l.tensors())).isEqualTo(PreActResNet.Layout.DM_WIDE_RESNET);
    // the normalisation first, with the file's tensors; a stride-2 block's conv_0 padded below and right only
    assertThat(l.spec().layers().get(0)).isEqualTo(new ArchSpec.Normalize("", null, null, "mean", "std"));
    assertThat(l.spec().layers()).anySatisfy(x -> assertThat(x).isInstanceOfSatisfying(ArchSpec.Residual.class,
        r -> assertThat(r.conv1()).isEqualTo(new ArchSpec.Conv("layer.1.block.0.conv_0", 2, 2, 0, 0, 1, 1, false,
            new ArchSpec.Conv.Pads(0, 1, 0, 1)))));
    assertThat(l.built().unusedTensors()).noneMatch(n -> !n.endsWith("num_batches_tracked"));
    assertThat(l.rewrite()).contains("normalised first, (x - mean) / std").contains("F.pad(v, (0, 1, 0, 1))");
  }

  /** RobustBench's Swish module (robustbench.model_zoo.architectures.dm_wide_resnet.Swish) computes silu. */
  @Test void dmWideResNetWithRobustBenchsSwishEvaluatesAsPyTorch() {
    assertThat(fidelity("round17_dm_wrn_swish_whole.pt", null, X, "round17_dm_wrn_swish", "silu"))
        .isLessThanOrEqualTo(1e-12);
  }

  @Test void dmPreActResNetEvaluatesAsPyTorchAsStateDictAndWholeModel() {
    stateDictAndWholeModelAsPyTorch("round17_dm_pre_relu");
    assertThat(fidelity("round17_dm_pre_silu_whole.pt", null, X, "round17_dm_pre_silu", "silu"))
        .isLessThanOrEqualTo(1e-12);
    TargetLoader.Loaded l = load("round17_dm_pre_relu_whole.pt");
    assertThat(PreActResNet.layout(l.tensors())).isEqualTo(PreActResNet.Layout.DM_PREACT_RESNET);
    assertThat(l.rewrite()).contains("DMPreActResNet's 3x3 shortcut on the padded x");
  }

  /** On 39x39 inputs every stage's map is odd (39, 19, 9, 4): the asymmetric padding drops no row there either. */
  @Test void dmPreActResNetEvaluatesAsPyTorchOnOddMaps() {
    assertThat(fidelity("round17_dm_pre_relu_sd.pt", null, "round17_dm_odd39", "relu")).isLessThanOrEqualTo(1e-12);
  }

  @Test void aBlockOfAnotherStrideIsRefusedNamingIt() {
    assertThatThrownBy(() -> load("round17_dm_pre_stride3_whole.pt")).isInstanceOf(ImportException.class)
        .hasMessageContaining("round17_dm_pre_stride3_whole.pt: module 'layer_1.0' (robustbench.model_zoo."
            + "architectures.dm_wide_resnet._PreActBlock): _stride 3: its forward pads a block's input for stride 1");
  }

  @Test void anInputPaddingIsRefusedNamingIt() {
    assertThatThrownBy(() -> load("round17_dm_pre_pad_whole.pt")).isInstanceOf(ImportException.class)
        .hasMessageContaining("(robustbench.model_zoo.architectures.dm_wide_resnet.DMPreActResNet): padding 2: its "
            + "forward pads the input with zeros on every side before the normalisation");
  }

  /**
   * A shortcut conv where the class makes none (DMPreActResNet: a block of stride 1 keeping its channels) is not read
   * as the identity it would replace: refused, naming it.
   */
  @Test void aShortcutWhereTheClassHasNoneIsRefusedNamingIt() {
    TensorFile sd = TensorFiles.read(Fixtures.path("round17_dm_small_sd.pt"), true);
    java.util.Map<String, StoredTensor> t = new java.util.LinkedHashMap<>(sd.tensors());
    String name = "layer_0.0.shortcut.weight";
    t.put(name, new StoredTensor(name, dev.ticketproof.tensor.Tensor.of(new double[4 * 4 * 9], 4, 4, 3, 3),
        DType.FLOAT32));
    TensorFile extra = new TensorFile("extra.pt", t, java.util.List.of(), java.util.List.of());
    assertThat(PreActResNet.layout(extra)).isEqualTo(PreActResNet.Layout.DM_PREACT_RESNET);
    assertThatThrownBy(() -> PreActResNet.rewrite(extra, dev.ticketproof.activation.ActivationCatalog.parse("relu"),
        new int[] {3, 32, 32})).isInstanceOf(ImportException.class).hasMessageContaining("extra.pt (a pre-activation "
        + "DMPreActResNet): tensor 'layer_0.0.shortcut.weight', but block layer_0.0 keeps its 4 channels at stride 1: "
        + "the DMPreActResNet's block has a shortcut conv only where the stride is not 1 or the channels change");
  }

  @Test void aMissingStdIsRefusedNamingIt() {
    assertThatThrownBy(() -> load("round17_dm_pre_nostd_sd.pt")).isInstanceOf(ImportException.class)
        .hasMessageContaining("round17_dm_pre_nostd_sd.pt (a pre-activation DMPreActResNet): no tensor 'std' "
            + "(expected [3, 1, 1], the std its forward's (x - mean) / std reads)");
  }
}
