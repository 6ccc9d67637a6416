package dev.ticketproof.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.kernel.TargetHash;
import dev.ticketproof.limits.BadParameter;
import dev.ticketproof.net.Forward;
import dev.ticketproof.targets.Architectures;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.targets.WholeModels;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Whole models ({@code torch.save(model)}, fixtures made by make_fixtures.py) of an nn.Sequential read without an
 * arch spec: the derived spec, the forward pass against PyTorch's outputs, the same network (and target hash) as a
 * spec written by hand, and the refusals of what the arch spec cannot represent exactly.
 */
class WholeModelSpecTest {
  static double fidelity(String name, String activation) {
    Tensor x = TensorFiles.readNpy(Fixtures.path(name + "_input.npy")).tensor();
    int[] example = Arrays.copyOfRange(x.shape(), 1, x.rank());
    TargetLoader.Loaded loaded = TargetLoader.load(Fixtures.path(name + ".pt"), null, null, null, example,
        "the input", true);
    assertThat(loaded.activation().name()).as(name).isEqualTo(activation);
    assertThat(loaded.spec().activation()).isEqualTo(activation);
    Tensor y = Forward.forward(loaded.built().network(), x);
    double err = FidelityTest.relativeError(y, TensorFiles.readNpy(Fixtures.path(name + "_output.npy")).tensor());
    System.out.printf("fidelity %s.pt (architecture from its nn.Sequential): max relative error %.3g%n", name, err);
    return err;
  }

  /**
   * The input size of a model that pools and shrinks without padding, inferred from its linear layer through the
   * layers' shape rules (12x12; 13x13 to 15x15 fit too, with rows dropped), evaluates as PyTorch; and an
   * nn.DataParallel wrapper recorded with a torch.device is read as its module.
   */
  @Test void inputSizesInferredThroughPoolingAndDataParallelUnwrapped() {
    TensorFile pool = TensorFiles.read(Fixtures.path("whole_pool_cnn.pt"));
    WholeModels.Derived d = WholeModels.derive(pool);
    assertThat(d.inferredInput()).containsExactly(1, 12, 12);
    assertThat(WholeModels.inferenceNote(pool, d.withInput(null))).isEqualTo("of the square inputs [1, 12, 12], "
        + "[1, 13, 13], [1, 14, 14], [1, 15, 15], which all give linear layer '7' its 16 features, the one at which "
        + "no conv or pooling layer drops rows or columns");
    TargetLoader.Loaded loaded = TargetLoader.load(Fixtures.path("whole_pool_cnn.pt"), null, null, null, null,
        "the input", true);
    assertThat(loaded.built().network().inputShape()).containsExactly(1, 12, 12);
    assertThat(fidelity("whole_pool_cnn", "relu")).isLessThanOrEqualTo(FidelityTest.TOLERANCE);
    TensorFile dp = TensorFiles.read(Fixtures.path("whole_dataparallel.pt"));
    assertThat(dp.modelPrefix()).isEqualTo("module.");
    assertThat(dp.model().isTorchNn("Sequential")).isTrue();
    assertThat(WholeModels.derive(dp).inferredInput()).containsExactly(1, 4, 4);
    assertThat(fidelity("whole_dataparallel", "relu")).isLessThanOrEqualTo(FidelityTest.TOLERANCE);
  }

  @Test void sequentialsEvaluateAsPyTorchWithoutASpec() {
    assertThat(fidelity("whole_lenet", "relu")).isLessThanOrEqualTo(FidelityTest.TOLERANCE);
    assertThat(fidelity("whole_tanh_mlp", "tanh")).isLessThanOrEqualTo(FidelityTest.TOLERANCE);
    assertThat(fidelity("whole_gap", "leaky-relu(0.1)")).isLessThanOrEqualTo(FidelityTest.TOLERANCE);
  }

  /**
   * One small whole model per activation family of nn.ReLU6, Hardtanh(-0.5, 1.5), SELU, CELU(0.5), Softplus(beta=2),
   * GELU(approximate='tanh'), Hardswish, Hardsigmoid and Mish, with inputs that reach their clamps and kinks: the module's attributes
   * name the catalog activation, and the forward pass is PyTorch's.
   */
  @Test void sequentialsOfTheOtherActivationsEvaluateAsPyTorch() {
    String[][] cases = {{"whole_relu6", "relu6"}, {"whole_hardtanh", "hardtanh(-0.5,1.5)"}, {"whole_selu", "selu"},
        {"whole_celu", "celu(0.5)"}, {"whole_softplus2", "softplus(2.0)"}, {"whole_gelu_tanh", "gelu-tanh"},
        {"whole_hardswish", "hardswish"}, {"whole_hardsigmoid", "hardsigmoid"}, {"whole_mish", "mish"}};
    for (String[] c : cases) assertThat(fidelity(c[0], c[1])).as(c[0]).isLessThanOrEqualTo(1e-6);
  }

  @Test void theDerivedSpecIsTheHandWrittenOneWithTheSameTargetHash() {
    TensorFile file = TensorFiles.read(Fixtures.path("whole_lenet.pt"));
    WholeModels.Derived d = WholeModels.derive(file);
    // the LeNet-style fixture's spec written by hand, as docs/arch-spec.md describes it
    ArchSpec hand = ArchSpec.read(Fixtures.path("whole_lenet.json"));
    assertThat(d.spec().layers()).isEqualTo(hand.layers());
    assertThat(d.spec().activation()).isEqualTo("relu");
    assertThat(d.activationModules()).containsExactly("1", "4", "8");
    // 8x8 to 11x11 all give the linear layer its 24 features; 8x8 is the one no pooling rounds down at
    assertThat(d.inferredInput()).containsExactly(1, 8, 8);
    assertThat(d.inputUnknown()).isNull();
    var phi = ActivationCatalog.parse("relu");
    var fromTree = NetworkBuilder.build("tree", d.withInput(new int[] {1, 8, 8}), file, phi, null).network();
    var fromHand = NetworkBuilder.build("hand", hand, file, phi, null).network();
    assertThat(TargetHash.of(fromTree)).isEqualTo(TargetHash.of(fromHand));
    // nested Sequentials: the names are the state-dict prefixes
    WholeModels.Derived gap = WholeModels.derive(TensorFiles.read(Fixtures.path("whole_gap.pt")));
    assertThat(gap.spec().layers()).containsExactly(new ArchSpec.Conv("0.0", 1, 1),
        new ArchSpec.BatchNorm("0.1", 1e-5), new ArchSpec.Activation(), new ArchSpec.Conv("1.0", 2, 1),
        new ArchSpec.Activation(), new ArchSpec.GlobalAvgPool(), new ArchSpec.Flatten(), new ArchSpec.Linear("4"));
    assertThat(gap.inputUnknown()).isEqualTo("layer 5 (global average pooling) reads images of any size");
    // an MLP: the input from the first linear layer, as synflow-conv infers it
    assertThat(WholeModels.derive(TensorFiles.read(Fixtures.path("whole_tanh_mlp.pt"))).inferredInput())
        .containsExactly(6);
    // the sequential of ckpt_whole_sequential.pt is the synflow-conv preset's network, input inferred alike
    TensorFile seq = TensorFiles.read(Fixtures.path("ckpt_whole_sequential.pt"));
    ArchSpec derived = Architectures.derived(seq, null, null);
    ArchSpec preset = Architectures.spec("synflow-conv", seq, null);
    assertThat(derived.input()).isEqualTo(preset.input());
    assertThat(TargetHash.of(NetworkBuilder.build("d", derived, seq, phi, null).network()))
        .isEqualTo(TargetHash.of(NetworkBuilder.build("p", preset, seq, phi, null).network()));
  }

  @Test void oneWholeModelInACheckpointDictIsReadUnderItsKey() {
    Tensor x = TensorFiles.readNpy(Fixtures.path("whole_tanh_mlp_input.npy")).tensor();
    TargetLoader.Loaded loaded = TargetLoader.load(Fixtures.path("whole_in_ckpt.pt"), null, null, null, null, "x",
        true);
    assertThat(loaded.spec().layers().get(0)).isEqualTo(new ArchSpec.Linear("0"));
    assertThat(loaded.prefix()).isEqualTo("model.");
    assertThat(loaded.prefixDetected()).isTrue();
    assertThat(loaded.spec().activation()).isEqualTo("tanh");
    assertThat(loaded.built().network().inputShape()).containsExactly(6);
    Tensor y = Forward.forward(loaded.built().network(), x);
    assertThat(FidelityTest.relativeError(y, TensorFiles.readNpy(Fixtures.path("whole_tanh_mlp_output.npy"))
        .tensor())).isLessThanOrEqualTo(FidelityTest.TOLERANCE);
    // the same network as the model saved alone
    TargetLoader.Loaded alone = TargetLoader.load(Fixtures.path("whole_tanh_mlp.pt"), null, null, null, null, "x",
        true);
    assertThat(TargetHash.of(loaded.built().network())).isEqualTo(TargetHash.of(alone.built().network()));
    // a dict with a custom model: refused naming where the model is
    TorchModule custom = new TorchModule("__main__.Net", Map.of(), List.of(), 0);
    assertThatThrownBy(() -> WholeModels.derive(new TensorFile("c.pt", Map.of(), List.of(), List.of(), custom,
        "model."))).hasMessageContaining("c.pt (the whole model under 'model.'): the whole model is a __main__.Net");
  }

  @Test void theReadmesWholeLeNetIsTheBuiltinDigitsLeNet() {
    var phi = ActivationCatalog.parse("relu");
    TargetLoader.Loaded whole = TargetLoader.load(java.nio.file.Path.of("examples/digits_lenet_whole.pt"), null, null,
        null, new int[] {1, 8, 8}, "the input", true);
    assertThat(whole.activation().name()).isEqualTo("relu");
    assertThat(TargetHash.of(whole.built().network()))
        .isEqualTo(TargetHash.of(dev.ticketproof.targets.Builtins.of("digits-lenet", phi)));
  }

  /** Attributes are kept only as scalars and short flat tuples: nested or long values cost nothing to skip. */
  @Test void onlyScalarsAndShortTuplesAreKeptAsAttributes() {
    assertThat(TorchModule.plain(new Object[] {3, 3})).isEqualTo(List.of(3, 3));
    assertThat(TorchModule.plain(Arrays.asList(1, null, "zeros", true, 0.5))).isEqualTo(Arrays.asList(1, null,
        "zeros", true, 0.5));
    assertThat(TorchModule.plain(new Object[TorchModule.MAX_TUPLE + 1])).isSameAs(TorchModule.NOT_PLAIN);
    List<Object> self = new ArrayList<>();
    self.add(self);
    assertThat(TorchModule.plain(self)).isSameAs(TorchModule.NOT_PLAIN);
    assertThat(TorchModule.plain(Map.of())).isSameAs(TorchModule.NOT_PLAIN);
    // the fixture's modules: the hyper-parameters as PyTorch 1.13 keeps them
    TorchModule conv = TensorFiles.read(Fixtures.path("whole_bad_dilation.pt")).model().children().get(0).module();
    assertThat(conv.className()).isEqualTo("torch.nn.modules.conv.Conv2d");
    assertThat(conv.attributes()).containsEntry("dilation", List.of(2, 2)).containsEntry("groups", 1)
        .containsEntry("padding_mode", "zeros").containsEntry("kernel_size", List.of(3, 3));
  }

  @Test void theSpecAsJsonReadsBackAsTheSameSpec() {
    List<ArchSpec> specs = new ArrayList<>();
    for (String f : new String[] {"whole_lenet.pt", "whole_tanh_mlp.pt", "whole_gap.pt",
        "user2_bn_noaffine_whole.pt", "user4_vgg_whole.pt", "user4_conv1d_whole.pt",
        "user4_gmp_whole.pt"}) {
      specs.add(WholeModels.derive(TensorFiles.read(Fixtures.path(f))).withInput(new int[] {3, 4, 4}));
    }
    for (String f : new String[] {"openlth_resnet.json", "bn1d_mlp.json", "maxpool_cnn.json", "synflow_conv.json"}) {
      specs.add(ArchSpec.read(Fixtures.path(f)));
    }
    // every kind of layer and of shortcut, each record of ArchSpec.LayerSpec and ArchSpec.Shortcut
    specs.add(ArchSpec.parse("kinds", "{\"input\": [2, 8, 8], \"layers\": [{\"type\": \"avgpool2d\", \"kernel\": 2}, "
        + "{\"type\": \"residual\", \"name\": \"b\", \"conv1\": {\"stride\": 2}, \"conv2\": {}, "
        + "\"shortcut\": {\"type\": \"pad\", \"pad\": 1}}, {\"type\": \"residual\", \"name\": \"c\", \"conv1\": {}, "
        + "\"conv2\": {}, \"shortcut\": {\"type\": \"projection\", \"conv\": {}, \"bn\": {\"eps\": 0.001}}}]}"));
    specs.add(ArchSpec.parse("normalize", "{\"input\": [2, 4, 4], \"layers\": [{\"type\": \"normalize\", \"mean\": "
        + "[0.5, 0.25], \"std\": \"s.std\"}, {\"type\": \"normalize\", \"name\": \"n\", \"mean\": \"n.mean\", "
        + "\"std\": 0.5}]}"));
    specs.add(WholeModels.derive(TensorFiles.read(Fixtures.path("round10_tvnorm_whole.pt"))).spec());
    specs.add(WholeModels.derive(TensorFiles.read(Fixtures.path("prelu_mlp_whole.pt"))).spec());
    specs.add(WholeModels.derive(TensorFiles.read(Fixtures.path("prelu_cnn_whole.pt"))).spec());
    specs.add(ArchSpec.read(Fixtures.path("round21_custom.json")));
    specs.add(ArchSpec.read(Fixtures.path("round21_wide.json")));
    Set<Class<?>> kinds = new HashSet<>();
    for (ArchSpec s : specs) {
      ArchSpec back = ArchSpec.parse("json", s.toJson());
      assertThat(back.layers()).isEqualTo(s.layers());
      assertThat(back.input()).isEqualTo(s.input());
      assertThat(back.activation()).isEqualTo(s.activation());
      for (ArchSpec.LayerSpec l : s.layers()) {
        kinds.add(l.getClass());
        if (l instanceof ArchSpec.Residual r) kinds.add(r.shortcut().getClass());
      }
    }
    assertThat(kinds).containsAll(List.of(ArchSpec.LayerSpec.class.getPermittedSubclasses()))
        .containsAll(List.of(ArchSpec.Shortcut.class.getPermittedSubclasses()));
    assertThat(ArchSpec.read(Fixtures.path("bn1d_mlp.json")).toJson()).contains("\"type\": \"batchnorm1d\"");
    assertThat(ArchSpec.read(Fixtures.path("openlth_resnet.json")).toJson()).contains("\"type\": \"batchnorm2d\"");
  }

  @Test void whatTheSpecCannotRepresentIsRefusedNamingTheModule() {
    // dilated and grouped convs (refused before) are read as dense convs
    assertThat(WholeModels.derive(TensorFiles.read(Fixtures.path("whole_bad_dilation.pt"))).spec().layers())
        .startsWith(new ArchSpec.Conv("0", 1, 0, 1, 2));
    assertThat(WholeModels.derive(TensorFiles.read(Fixtures.path("whole_bad_groups.pt"))).spec().layers())
        .startsWith(new ArchSpec.Conv("0", 1, 0, 2, 1));
    assertThatThrownBy(() -> derive("whole_bad_mixed.pt")).isInstanceOf(ImportException.class)
        .hasMessageContaining("the whole model uses several activations: relu (module '1'), tanh (module '3')");
    assertThatThrownBy(() -> derive("ckpt_whole_custom.pt")).isInstanceOf(ImportException.class)
        .hasMessageContaining("the whole model is a __main__.CustomNet, not an nn.Sequential")
        .hasMessageContaining("(features: Sequential, classifier: Sequential)")
        .hasMessageContaining("a JSON spec (docs/arch-spec.md) given as the architecture says so; a gate");
    assertThatThrownBy(() -> Architectures.derived(TensorFiles.read(Fixtures.path("synflow_conv.pt")), null, null))
        .isInstanceOf(BadParameter.class).hasMessageContaining("holds tensors only, not one whole model");
    assertThatThrownBy(() -> Architectures.derived(TensorFiles.read(Fixtures.path("whole_gap.pt")), null, null))
        .isInstanceOf(BadParameter.class).hasMessageContaining("input shape not given, and it cannot be inferred "
            + "from the whole model").hasMessageContaining("(layer 5 (global average pooling) reads images of any "
            + "size)");
    // a given activation other than the tree's is another network
    assertThatThrownBy(() -> TargetLoader.load(Fixtures.path("whole_tanh_mlp.pt"), null, null, "relu", null,
        "x", true)).isInstanceOf(BadParameter.class).hasMessageContaining("computes tanh")
        .isInstanceOfSatisfying(TargetLoader.ActivationMismatch.class, e -> {
          assertThat(e.parameter()).isEqualTo("activation");
          assertThat(e.model()).isEqualTo(Fixtures.path("whole_tanh_mlp.pt").toString());
          assertThat(e.computed()).isEqualTo("tanh");
        });
  }

  static Object derive(String fixture) { return WholeModels.derive(TensorFiles.read(Fixtures.path(fixture))); }

  /** A torch.nn module of the tree, with attributes given as key, value, key, value, ... */
  static TorchModule nn(String cls, Object... attrs) {
    Map<String, Object> a = new LinkedHashMap<>();
    for (int i = 0; i < attrs.length; i += 2) a.put((String) attrs[i], attrs[i + 1]);
    String module = switch (cls) {
      case "Conv2d" -> "conv";
      case "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d" -> "pooling";
      case "Linear" -> "linear";
      case "Sequential" -> "container";
      default -> "activation";
    };
    return new TorchModule("torch.nn.modules." + module + "." + cls, a, List.of(), 0);
  }

  static Object conv(Object... overrides) {
    List<Object> a = new ArrayList<>(List.of("kernel_size", List.of(3, 3), "stride", List.of(1, 1), "padding",
        List.of(1, 1), "dilation", List.of(1, 1), "groups", 1, "padding_mode", "zeros"));
    for (int i = 0; i < overrides.length; i += 2) a.set(a.indexOf(overrides[i]) + 1, overrides[i + 1]);
    return nn("Conv2d", a.toArray());
  }

  static String refusal(TorchModule... layers) {
    List<TorchModule.Child> children = new ArrayList<>();
    for (int i = 0; i < layers.length; i++) children.add(new TorchModule.Child(Integer.toString(i), layers[i]));
    TorchModule root = new TorchModule("torch.nn.modules.container.Sequential", Map.of(), children, 0);
    TensorFile file = new TensorFile("m.pt", Map.of(), List.of(), List.of(), root, "");
    try {
      WholeModels.derive(file);
    } catch (ImportException e) {
      return e.getMessage();
    }
    throw new AssertionError("not refused: " + children);
  }

  @Test void eachUnrepresentableHyperParameterIsRefused() {
    assertThat(refusal((TorchModule) conv("dilation", List.of(1, 2)))).isEqualTo("m.pt: module '0' "
        + "(torch.nn.modules.conv.Conv2d): dilation (1, 2): only equal values (square windows) are supported");
    assertThat(refusal((TorchModule) conv("padding_mode", "reflect"))).contains("padding_mode 'reflect': only "
        + "padding_mode='zeros'");
    assertThat(refusal((TorchModule) conv("padding", "same", "stride", List.of(1, 2)))).contains(
        "padding 'same': padding='same' needs stride 1");
    assertThat(refusal(nn("MaxPool2d", "kernel_size", 2, "stride", 2, "padding", 0, "dilation", 1, "ceil_mode", true,
        "return_indices", true))).contains("module '0' (torch.nn.modules.pooling.MaxPool2d): return_indices True");
    assertThat(refusal(nn("AvgPool2d", "kernel_size", 2, "stride", null, "padding", 1, "ceil_mode", false,
        "divisor_override", null))).contains("padding 1: the normal form's average pooling reads no padding");
    assertThat(refusal(nn("AdaptiveAvgPool2d", "output_size", Arrays.asList(null, 2)))).contains("module '0' "
        + "(torch.nn.modules.pooling.AdaptiveAvgPool2d): output_size (None, 2): None (the input's own size along that "
        + "axis) is not supported");
    assertThat(refusal(nn("MaxPool1d", "kernel_size", 2, "stride", 2, "padding", 0, "dilation", 2, "ceil_mode", false,
        "return_indices", false))).contains("MaxPool1d): dilation 2: dilation "
        + "must be 1 (a dilated window is not a window of neighbouring inputs)");
    assertThat(refusal(nn("Softplus", "beta", 2, "threshold", 10))).contains("module '0' "
        + "(torch.nn.modules.activation.Softplus): threshold 10: a threshold below 20 is not supported");
    assertThat(refusal(nn("GELU", "approximate", "fast"))).contains("approximate 'fast': only approximate='none' "
        + "(gelu) and approximate='tanh' (gelu-tanh) are supported");
    assertThat(refusal(nn("Hardtanh", "min_val", 1.0, "max_val", -1.0))).contains("module '0' "
        + "(torch.nn.modules.activation.Hardtanh): hardtanh needs finite min < max, got min=1.0, max=-1.0");
    assertThat(refusal(nn("ReLU6", "min_val", 0.0, "max_val", 5.0))).contains("max_val 5.0: ReLU6 clamps at 6");
    assertThat(refusal(nn("CELU", "alpha", 0.0))).contains("celu needs a finite alpha > 0, got alpha=0.0");
    assertThat(refusal(nn("Tanhshrink"))).contains("module '0' (torch.nn.modules.activation.Tanhshrink): not "
        + "supported: an activation the catalog does not have (its activation modules: ReLU, LeakyReLU, Tanh").contains(
        "'ticketproof activations' lists them): t - tanh(t) has slope 0 at 0 (m- = m+ = 0), and the constructions "
        + "need a Lipschitz activation whose local model at 0 has slopes m- + m+ != 0");
    assertThat(refusal(nn("Threshold", "threshold", 0.1, "value", 0.0))).contains("(torch.nn.modules.activation"
        + ".Threshold): not supported: an activation the catalog does not have").contains("it jumps at its threshold");
    assertThat(refusal(new TorchModule("torch.nn.modules.upsampling.Upsample", Map.of(), List.of(), 0))).contains(
        "module '0' (torch.nn.modules.upsampling.Upsample): not supported "
        + "(supported: Sequential (and torchvision's Conv2dNormActivation, Conv1dNormActivation and MLP, which compute "
        + "their submodules in order), Conv2d");
    // a PReLU reads its slope from its tensor, which a module of the tree alone does not have
    assertThat(refusal(nn("PReLU"))).contains("module '0' "
        + "(torch.nn.modules.activation.PReLU): no tensor '0.weight' (the PReLU's learned slope)");
    assertThat(refusal(new TorchModule("__main__.Block", Map.of(), List.of(), 0))).contains("module '0' "
        + "(__main__.Block): a module class of its own, not one of torch.nn's: its forward is code the file does not "
        + "hold");
    assertThat(refusal(new TorchModule("torch.nn.modules.linear.Linear", Map.of(), List.of(), 1))).contains(
        "module '0' (torch.nn.modules.linear.Linear) has 1 forward hook(s)");
    assertThat(refusal(nn("LeakyReLU", "negative_slope", 0.2), nn("Linear"), nn("Tanh"), nn("Linear")))
        .contains("several activations: leaky-relu(0.2) (module '0'), tanh (module '2')");
    // the last activation is the outputs' own; one before it, after the last layer, is a second one inside
    assertThat(refusal(nn("Linear"), nn("ReLU"), nn("Linear"), nn("Sigmoid"), nn("Tanh"))).contains("several "
        + "activations: relu (module '1'), sigmoid (module '3')");
  }

  /**
   * Every catalog entry with a torch.nn module round-trips: the catalog name, its module (class and keyword arguments,
   * as the export writes them, with the attributes a module so built holds) read back by the whole-model reader in a
   * Sequential, gives the same catalog name; entries without a module (abs, square, cos) have none.
   */
  @Test void everyCatalogModuleReadsBackAsItsActivation() {
    List<String> names = new ArrayList<>();
    ActivationCatalog.all().forEach(a -> names.add(a.name()));
    names.addAll(List.of("leaky-relu(0.2)", "elu(0.5)", "softplus(2)", "hardtanh(-2,2)", "celu(0.5)"));
    int modules = 0;
    for (String spec : names) {
      String name = ActivationCatalog.parse(spec).name();
      var call = ActivationCatalog.toTorch(spec);
      if (call.isEmpty()) {
        assertThat(name).isIn("abs", "square", "cos");
        continue;
      }
      modules++;
      assertThat(call.get().attributes()).containsAllEntriesOf(call.get().kwargs());
      TorchModule phi = new TorchModule("torch.nn.modules.activation." + call.get().className(),
          call.get().attributes(), List.of(), 0);
      TorchModule root = new TorchModule("torch.nn.modules.container.Sequential", Map.of(), List.of(
          new TorchModule.Child("0", nn("Linear")), new TorchModule.Child("1", phi),
          new TorchModule.Child("2", nn("Linear"))), 0);
      WholeModels.Derived d = WholeModels.derive(new TensorFile("m.pt", Map.of(), List.of(), List.of(), root, ""));
      assertThat(d.spec().activation()).as("%s as %s", spec, call.get()).isEqualTo(name);
      assertThat(d.activationModules()).containsExactly("1");
    }
    assertThat(modules).isEqualTo(names.size() - 3);
    // a GELU saved by a PyTorch before 1.12 has no attribute approximate: the exact GELU
    TorchModule old = new TorchModule("torch.nn.modules.container.Sequential", Map.of(), List.of(
        new TorchModule.Child("0", nn("Linear")), new TorchModule.Child("1", nn("GELU")),
        new TorchModule.Child("2", nn("Linear"))), 0);
    assertThat(WholeModels.derive(new TensorFile("m.pt", Map.of(), List.of(), List.of(), old, "")).spec()
        .activation()).isEqualTo("gelu");
  }

  /** A reading rule, a fixed attribute and a parameter attribute, each refused naming the module and attribute. */
  @Test void readingRulesNameTheAttribute() {
    assertThat(refusal(nn("Softplus", "beta", 1.0, "threshold", 19.5))).isEqualTo("m.pt: module '0' "
        + "(torch.nn.modules.activation.Softplus): threshold 19.5: a threshold below 20 is not supported (PyTorch "
        + "returns x above it)");
    assertThat(refusal(nn("ReLU6", "min_val", 0.5, "max_val", 6.0))).isEqualTo("m.pt: module '0' "
        + "(torch.nn.modules.activation.ReLU6): min_val 0.5: ReLU6 clamps at 0");
    assertThat(refusal(nn("GELU", "approximate", null))).contains("approximate None: only approximate='none' (gelu)");
    assertThat(refusal(nn("ELU"))).isEqualTo("m.pt: module '0' (torch.nn.modules.activation.ELU): has no attribute "
        + "'alpha' (saved by another PyTorch?)");
    assertThat(refusal(nn("LeakyReLU", "negative_slope", "x"))).contains("negative_slope 'x': expected a number");
    assertThat(refusal(nn("Softplus", "beta", 2.0))).contains("has no attribute 'threshold'");
  }
}
