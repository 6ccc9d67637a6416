package dev.ticketproof.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.net.Forward;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.targets.WholeModels;
import dev.ticketproof.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Networks trained as users train theirs, with the features a second round brought (fixtures {@code user2_*}, made
 * by train_user_nets2.py): each evaluates as PyTorch's float64 forward pass on the same weights computes it, or is
 * refused naming the module and what is not supported.
 */
class UserNets2Test {
  /** The forward pass on the fixture's inputs against PyTorch's float64 outputs: max relative error. */
  static double fidelity(String target, String arch, String name, String activation) {
    return fidelity(target, arch, name.replace("_bf16", "") + "_input.npy", name, activation);
  }

  static double fidelity(String target, String arch, String input, String name, String activation) {
    Tensor x = TensorFiles.readNpy(Fixtures.path(input)).tensor();
    int[] example = Arrays.copyOfRange(x.shape(), 1, x.rank());
    TargetLoader.Loaded loaded = TargetLoader.load(Fixtures.path(target), arch == null ? null
        : Fixtures.path(arch).toString(), null, example, "the input", true);
    assertThat(loaded.activation().name()).as(target).isEqualTo(activation);
    Tensor y = loaded.built().network().outputs(x);
    double err = FidelityTest.relativeError(y, TensorFiles.readNpy(Fixtures.path(name + "_output.npy")).tensor());
    System.out.printf("fidelity %s: max relative error %.3g against PyTorch in float64%n", target, err);
    return err;
  }

  /**
   * Odd, non-square 1x21x27 images through padding='same', bias-free and stride-2 convs, Dropout2d, nn.Identity and
   * a max pooling that drops a row; 3x23x31 images through a stride-2 conv and average pooling with
   * count_include_pad=False (no padding, so the same function); a model saved in float64.
   */
  @Test void oddShapesSamePaddingAndFloat64EvaluateAsPyTorch() {
    WholeModels.Derived same = WholeModels.derive(TensorFiles.read(Fixtures.path("user2_same_whole.pt")));
    assertThat(same.spec().layers()).startsWith(new ArchSpec.Conv("0", 1, 1), new ArchSpec.BatchNorm("1", 1e-5),
        new ArchSpec.Activation(), new ArchSpec.Conv("4", 2, 1), new ArchSpec.Activation(),
        new ArchSpec.Conv("7", 2, 0));
    // no square input gives the linear layer its 48 features: the shape comes from the data
    assertThat(same.inferredInput()).isNull();
    assertThat(fidelity("user2_same_whole.pt", null, "user2_same", "silu")).isLessThanOrEqualTo(1e-12);
    assertThat(WholeModels.derive(TensorFiles.read(Fixtures.path("user2_elu_whole.pt"))).spec().layers())
        .contains(new ArchSpec.AvgPool(3, 2));
    assertThat(fidelity("user2_elu_whole.pt", null, "user2_elu", "elu(1.0)")).isLessThanOrEqualTo(1e-12);
    TensorFile f64 = TensorFiles.read(Fixtures.path("user2_f64_whole.pt"));
    assertThat(f64.tensors().values()).allSatisfy(t -> assertThat(t.dtype()).isEqualTo(DType.FLOAT64));
    assertThat(fidelity("user2_f64_whole.pt", null, "user2_f64", "tanh")).isLessThanOrEqualTo(1e-14);
  }

  /**
   * One nn.PReLU() module used at both activation positions reads as leaky-relu with its learned slope; one slope
   * per channel, and two PReLU modules that learned different slopes, are refused naming them.
   */
  @Test void aPReLUWithOneSlopeIsLeakyReluOfItsSlope() {
    TensorFile file = TensorFiles.read(Fixtures.path("user2_prelu1_whole.pt"));
    double a = file.tensor("1.weight").data()[0];
    assertThat(a).isNotEqualTo(0.25); // learned, not PyTorch's initial value
    String name = "leaky-relu(" + a + ")";
    assertThat(WholeModels.derive(file).spec().activation()).isEqualTo(name);
    assertThat(fidelity("user2_prelu1_whole.pt", null, "user2_prelu1", name)).isLessThanOrEqualTo(1e-12);
    // a slope per channel, and PReLUs that learned different slopes: ReLU of doubled channels (they were refused;
    // their outputs against PyTorch's: PreluCommandsTest)
    WholeModels.Derived channels = WholeModels.derive(TensorFiles.read(Fixtures.path("user2_prelu_channels_whole.pt")));
    assertThat(channels.spec().activation()).isEqualTo("relu");
    assertThat(channels.spec().layers()).contains(new ArchSpec.OwnSlopes("1", Double.NaN));
    TensorFile two = TensorFiles.read(Fixtures.path("user2_prelu_two_whole.pt"));
    WholeModels.Derived both = WholeModels.derive(two);
    assertThat(both.spec().activation()).isEqualTo("relu");
    // each PReLU reads its slope from its own tensor (so no tensor of the file is left unread)
    assertThat(both.spec().layers()).contains(new ArchSpec.OwnSlopes("1", Double.NaN),
        new ArchSpec.OwnSlopes("4", Double.NaN));
    Tensor x = TensorFiles.readNpy(Fixtures.path("user2_prelu1_input.npy")).tensor();
    assertThat(TargetLoader.load(Fixtures.path("user2_prelu_two_whole.pt"), null, null,
        Arrays.copyOfRange(x.shape(), 1, x.rank()), "the input", true).built().unusedTensors())
        .doesNotContain("1.weight", "4.weight");
  }

  /** An MLP's state dict as .safetensors (float32, and a bfloat16 copy) with a JSON spec. */
  @Test void safetensorsStateDictsEvaluateAsPyTorch() {
    TensorFile f = TensorFiles.read(Fixtures.path("user2_mlp.safetensors"));
    assertThat(f.names()).containsExactly("0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias");
    assertThat(f.skipped()).containsExactly("__metadata__.format");
    assertThat(TensorFiles.read(Fixtures.path("user2_mlp_bf16.safetensors")).tensors().get("0.weight").dtype())
        .isEqualTo(DType.BFLOAT16);
    // PyTorch's Softplus returns x where beta x > 20, the catalog's softplus log(1 + e^(beta x)) / beta there:
    // they differ by less than e^-20 / beta (docs/arch-spec.md)
    assertThat(fidelity("user2_mlp.safetensors", "user2_mlp.json", "user2_mlp", "softplus(2.0)"))
        .isLessThanOrEqualTo(1e-9);
    assertThat(fidelity("user2_mlp_bf16.safetensors", "user2_mlp.json", "user2_mlp_bf16", "softplus(2.0)"))
        .isLessThanOrEqualTo(1e-9);
  }

  /**
   * A network pruned with torch.nn.utils.prune (weight_orig and weight_mask; the linear layer pruned twice, a
   * PruningContainer) and one reparametrised with torch.nn.utils.weight_norm (weight_g and weight_v, with dim 0,
   * dim=None and dim=1), as state dicts with a JSON spec and whole, whose forward pre-hooks compute what the reader
   * composes: both evaluate as PyTorch.
   */
  @Test void prunedAndWeightNormedWeightsAreComposedAsTheirHooksCompute() {
    TensorFile pruned = TensorFiles.read(Fixtures.path("user2_pruned.pt"));
    assertThat(pruned.appliedMasks()).containsExactly("0.weight", "3.weight", "6.weight");
    assertThat(pruned.names()).doesNotContain("0.weight_orig", "0.weight_mask");
    assertThat(pruned.tensors().get("6.weight").nonzeros()).isEqualTo(512); // 1280 halved, then 20 % more
    assertThat(fidelity("user2_pruned.pt", "user2_pruned.json", "user2_pruned", "relu")).isLessThanOrEqualTo(1e-12);
    assertThat(fidelity("user2_pruned_whole.pt", null, "user2_pruned", "relu")).isLessThanOrEqualTo(1e-12);
    TensorFile wn = TensorFiles.read(Fixtures.path("user2_wn.pt"));
    assertThat(wn.names()).contains("0.weight", "3.weight", "6.weight").doesNotContain("0.weight_g", "0.weight_v");
    assertThat(fidelity("user2_wn.pt", "user2_pruned.json", "user2_pruned_input.npy", "user2_wn", "relu"))
        .isLessThanOrEqualTo(1e-12);
    assertThat(fidelity("user2_wn_whole.pt", null, "user2_pruned_input.npy", "user2_wn", "relu"))
        .isLessThanOrEqualTo(1e-12);
    // without the masks applied, torch.nn.utils.prune's tensors stay as they are
    assertThat(TensorFiles.read(Fixtures.path("user2_pruned.pt"), false).names()).contains("0.weight_orig",
        "0.weight_mask").doesNotContain("0.weight");
  }

  @Test void weightNormsComposeOverTheDimensionsTheirNormsHaveSizeOneIn() {
    Tensor v = Tensor.of(new double[] {3, 4, 0, 5, 12, 0}, 2, 3);
    // dim 0: one norm per row (5, 13); dim=None: one for all (sqrt(194)); dim 1: one per column
    assertThat(WeightNorms.compose("m.pt", "w", Tensor.of(new double[] {10, 26}, 2, 1), v).data())
        .containsExactly(6, 8, 0, 10, 24, 0);
    Tensor w = Tensor.of(new double[] {3, 6, 4, 8}, 2, 2); // column norms 5 and 10
    assertThat(WeightNorms.compose("m.pt", "w", Tensor.of(new double[] {1, 2}, 1, 2), w).data())
        .containsExactly(3 * (1 / 5.0), 6 * (2 / 10.0), 4 * (1 / 5.0), 8 * (2 / 10.0));
    assertThat(WeightNorms.compose("m.pt", "w", Tensor.of(new double[] {Math.sqrt(194)}, new int[0]), v).data())
        .containsExactly(3, 4, 0, 5, 12, 0);
    assertThatThrownBy(() -> WeightNorms.compose("m.pt", "w", Tensor.of(new double[] {1, 2, 3}, 3, 1), v))
        .isInstanceOf(ImportException.class).hasMessageContaining("m.pt: weight norm 'w_g' has shape [3, 1], which "
            + "is not that of the norms of 'w_v' [2, 3]");
    assertThatThrownBy(() -> WeightNorms.compose("m.pt", "w", Tensor.of(new double[] {1, 1, 1}, 1, 3), v))
        .isInstanceOf(ImportException.class).hasMessageContaining("m.pt: weight norm of 'w_v' is 0 at flat index 2");
  }

  /**
   * BatchNorm2d and BatchNorm1d with affine=False (running statistics only, no weight and bias): read from the whole
   * model and from the state dict with a spec that says {@code "affine": false}; a spec that does not say it is
   * refused with the entry to write.
   */
  @Test void batchNormsWithoutAffineParametersEvaluateAsPyTorch() {
    WholeModels.Derived d = WholeModels.derive(TensorFiles.read(Fixtures.path("user2_bn_noaffine_whole.pt")));
    assertThat(d.spec().layers()).contains(new ArchSpec.BatchNorm("1", 1e-5, false),
        new ArchSpec.BatchNorm("6", 1e-5, false));
    assertThat(d.spec().layers()).isEqualTo(ArchSpec.read(Fixtures.path("user2_bn_noaffine.json")).layers());
    assertThat(fidelity("user2_bn_noaffine_whole.pt", null, "user2_pruned_input.npy", "user2_bn_noaffine", "relu"))
        .isLessThanOrEqualTo(1e-12);
    assertThat(fidelity("user2_bn_noaffine.pt", "user2_bn_noaffine.json", "user2_pruned_input.npy",
        "user2_bn_noaffine", "relu")).isLessThanOrEqualTo(1e-12);
    ArchSpec affine = ArchSpec.parse("net.json", "{\"input\": [1, 8, 8], \"layers\": [{\"type\": \"conv2d\", "
        + "\"name\": \"0\", \"padding\": 1}, {\"type\": \"batchnorm2d\", \"name\": \"1\"}]}");
    TensorFile file = TensorFiles.read(Fixtures.path("user2_bn_noaffine.pt"));
    assertThatThrownBy(() -> NetworkBuilder.build("net.json", affine, file, null, null))
        .isInstanceOf(ImportException.class).hasMessageContaining("net.json: layer 1: BatchNorm '1' has running "
            + "statistics but no tensors '1.weight' and '1.bias' in " + file.source() + ": a BatchNorm with "
            + "affine=False, written {\"type\": \"batchnorm2d\", \"name\": \"1\", \"affine\": false}");
    assertThatThrownBy(() -> ArchSpec.parse("net.json", "{\"layers\": [{\"type\": \"batchnorm1d\", \"name\": "
        + "\"1\", \"affine\": 0}]}")).hasMessageContaining("layers[0].affine").hasMessageContaining("must be true "
        + "or false, got 0");
  }

  /** What the spec cannot represent exactly is refused naming the module and the attribute. */
  @Test void unrepresentableModulesAreRefusedNamingThem() {
    String[][] cases = {
        {"reflect", "module '0' (torch.nn.modules.conv.Conv2d): padding_mode 'reflect': only padding_mode='zeros'"},
        {"circular", "module '0' (torch.nn.modules.conv.Conv2d): padding_mode 'circular': only "
            + "padding_mode='zeros'"},
        {"replicate", "module '0' (torch.nn.modules.conv.Conv2d): padding_mode 'replicate': only "
            + "padding_mode='zeros'"},
        {"avg_pad", "module '2' (torch.nn.modules.pooling.AvgPool2d): padding 1: the normal form's average pooling "
            + "reads no padding"},
        {"bn_batchstats", "module '1' (torch.nn.modules.batchnorm.BatchNorm2d): track_running_stats=False"},
        {"flatten0", "module '2' (torch.nn.modules.flatten.Flatten): start_dim 0: only start_dim=1"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> WholeModelSpecTest.derive("user2_bad_" + c[0] + ".pt")).as(c[0])
          .isInstanceOf(ImportException.class).hasMessageContaining("user2_bad_" + c[0] + ".pt: " + c[1]);
    }
  }

  /**
   * A pooling with ceil_mode=True is read on the input at which PyTorch adds no window (6x6: the 4x4 map pooled to
   * 2x2, the one square size at which the linear layer gets its 8 features) and refused where it adds one (5x5: a
   * 3x3 map), naming the layer and the window.
   */
  @Test void ceilModeIsReadWhereItAddsNoWindow() {
    for (String f : new String[] {"user2_bad_ceil_max.pt", "user2_bad_ceil_avg.pt"}) {
      WholeModels.Derived d = WholeModels.derive(TensorFiles.read(Fixtures.path(f)));
      assertThat(d.inferredInput()).as(f).containsExactly(1, 6, 6);
      assertThat(d.spec().toJson()).as(f).contains("\"ceilMode\": true");
      assertThatThrownBy(() -> TargetLoader.load(Fixtures.path(f), null, null, new int[] {1, 5, 5}, "the input",
          true)).as(f).isInstanceOf(ImportException.class).hasMessageContaining("layer 2, on its input [2, 3, 3]")
          .hasMessageContaining("pooling with ceil_mode=True (kernel 2, stride 2): on 3 rows PyTorch adds a last "
              + "window, rows 2 to 3");
    }
  }

  /** A TorchScript archive, scripted or traced, is refused as such, with what to save instead. */
  @Test void torchScriptArchivesSayWhatToSaveInstead() {
    for (String f : new String[] {"user2_torchscript.pt", "user2_torchscript_traced.pt"}) {
      assertThatThrownBy(() -> TensorFiles.read(Fixtures.path(f))).as(f).isInstanceOf(ImportException.class)
          .hasMessageContaining(f + ": a TorchScript archive (torch.jit.save; it holds ")
          .hasMessageContaining("torch.save(torch.jit.load('" + f + "').state_dict(), 'state_dict.pt')");
    }
  }
}
