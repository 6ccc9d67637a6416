package dev.ticketproof.io;

import dev.ticketproof.limits.BadParameter;
import dev.ticketproof.targets.Architectures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.net.Forward;
import dev.ticketproof.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ArchSpecTest {
  static final TensorFile SYNFLOW = TensorFiles.read(Fixtures.path("synflow_conv.pt"));
  static final TensorFile RESNET = TensorFiles.read(Fixtures.path("openlth_resnet.pt"));

  static NetworkBuilder.Built build(String arch, TensorFile t, int[] input) {
    return NetworkBuilder.build(arch, Architectures.spec(arch, t, input), t, Relu.INSTANCE, input);
  }

  @Test void jsonSpecsGiveTheSameNetworksAsThePresets() {
    Tensor x = TensorFiles.readNpy(Fixtures.path("synflow_conv_input.npy")).tensor();
    Tensor preset = Forward.forward(build("synflow-conv", SYNFLOW, null).network(), x);
    Tensor json = Forward.forward(build(Fixtures.path("synflow_conv.json").toString(), SYNFLOW, null).network(), x);
    assertThat(json).isEqualTo(preset);
    Tensor xr = TensorFiles.readNpy(Fixtures.path("openlth_resnet_input.npy")).tensor();
    Tensor presetR = Forward.forward(build("openlth-cifar-resnet", RESNET, new int[] {3, 8, 8}).network(), xr);
    Tensor jsonR = Forward.forward(build(Fixtures.path("openlth_resnet.json").toString(), RESNET, null).network(), xr);
    assertThat(jsonR).isEqualTo(presetR);
  }

  @Test void synflowPresetInfersTheLayersAndTheInput() {
    NetworkBuilder.Built b = build("synflow-conv", SYNFLOW, null);
    assertThat(b.network().inputShape()).containsExactly(2, 5, 5);
    assertThat(b.rows()).extracting(NetworkBuilder.LayerRow::name).containsExactly("0", "", "2", "", "", "5");
    assertThat(b.rows().get(0).description()).isEqualTo("conv '0' (2->3, 3x3, stride 1, padding 1)");
    assertThat(b.rows().get(4).outShape()).containsExactly(100);
    assertThat(b.rows().get(0).parameters()).isEqualTo(3 * 2 * 9 + 3);
    assertThat(b.rows().get(0).nonzeros()).isLessThan(b.rows().get(0).parameters());
    assertThat(b.unusedTensors()).isEmpty();
  }

  @Test void resnetPresetNamesAndStrides() {
    NetworkBuilder.Built b = build("openlth-cifar-resnet", RESNET, null);
    assertThat(b.network().inputShape()).containsExactly(3, 32, 32);
    assertThat(b.rows()).extracting(NetworkBuilder.LayerRow::name)
        .containsExactly("conv", "bn", "", "blocks.0", "blocks.1", "blocks.2", "", "", "fc");
    assertThat(b.rows().get(5).outShape()).containsExactly(8, 16, 16);
    assertThat(b.unusedTensors()).allMatch(n -> n.endsWith("num_batches_tracked")).hasSize(8);
  }

  /**
   * The layer table counts the parameters each layer reads from the file: a conv's or linear layer's weight and bias,
   * a BatchNorm's gamma and beta (not its running statistics), an identity shortcut's scale; not the fixed kernel of a
   * pad shortcut. Recounted here from the built layers.
   */
  @Test void theLayerTableCountsTheParametersReadFromTheFile() {
    TensorFile ak = TensorFiles.read(Fixtures.path("resnet_akamaster.pt")).under("state_dict.module.");
    Object[][] cases = {{"openlth-cifar-resnet", RESNET, null}, {"cifar-resnet", ak, new int[] {3, 8, 8}},
        {"synflow-conv", SYNFLOW, null}, {Fixtures.path("bn1d_mlp.json").toString(),
            TensorFiles.read(Fixtures.path("bn1d_mlp.pt")), null}};
    int pads = 0;
    int scales = 0;
    for (Object[] c : cases) {
      NetworkBuilder.Built b = build((String) c[0], (TensorFile) c[1], (int[]) c[2]);
      for (int i = 0; i < b.rows().size(); i++) {
        long[] n = new long[2];
        dev.ticketproof.net.Layer layer = b.network().layers().get(i);
        if (layer instanceof dev.ticketproof.net.ResidualBlock r) {
          count(n, r.conv1(), r.bn1(), r.conv2(), r.bn2());
          if (r.shortcut() instanceof dev.ticketproof.net.ResidualBlock.Projection p) {
            boolean pad = !((TensorFile) c[1]).has(p.conv().name() + ".weight");
            pads += pad ? 1 : 0;
            if (!pad) count(n, p.conv(), p.bn());
          } else if (r.shortcut() instanceof dev.ticketproof.net.ResidualBlock.Identity id && id.scale() != null) {
            add(n, id.scale());
            scales++;
          }
        } else {
          count(n, layer);
        }
        assertThat(new long[] {b.rows().get(i).parameters(), b.rows().get(i).nonzeros()}).as(c[0] + " row " + i)
            .containsExactly(n);
      }
    }
    assertThat(pads).as("pad shortcuts").isPositive();
    assertThat(scales).as("identity shortcuts with a scale").isPositive();
  }

  private static void count(long[] n, dev.ticketproof.net.Layer... layers) {
    for (dev.ticketproof.net.Layer l : layers) {
      if (l instanceof dev.ticketproof.net.Conv2d c) {
        add(n, c.weight().data());
        if (c.bias() != null) add(n, c.bias().data());
      } else if (l instanceof dev.ticketproof.net.Linear lin) {
        add(n, lin.weight().data());
        if (lin.bias() != null) add(n, lin.bias().data());
      } else if (l instanceof dev.ticketproof.net.BatchNorm2d bn) {
        add(n, bn.gamma());
        add(n, bn.beta());
      }
    }
  }

  private static void add(long[] n, double[] v) {
    n[0] += v.length;
    for (double x : v) if (x != 0) n[1]++;
  }

  @Test void missingTensor() {
    String spec = "{\"input\": [2, 5, 5], \"layers\": [{\"type\": \"conv2d\", \"name\": \"1\"}]}";
    assertThatThrownBy(() -> NetworkBuilder.build("s.json", ArchSpec.parse("s.json", spec), SYNFLOW, null, null))
        .isInstanceOf(ImportException.class).hasMessageContaining("s.json names tensor '1.weight', which")
        .hasMessageContaining("synflow_conv.pt does not have");
  }

  @Test void shapeMismatch() {
    String wrongPadding = "{\"input\": [2, 5, 5], \"layers\": [{\"type\": \"conv2d\", \"name\": \"0\"},"
        + "{\"type\": \"flatten\"}, {\"type\": \"linear\", \"name\": \"5\"}]}";
    assertThatThrownBy(() -> NetworkBuilder.build("s.json", ArchSpec.parse("s.json", wrongPadding), SYNFLOW, null,
        null)).isInstanceOf(ImportException.class).hasMessageContaining("s.json: layer 2 does not fit")
        .hasMessageContaining("linear '5' (100->3): expected input shape [100] or [100, 1, 1], got [27]");
    String wrongChannels = "{\"input\": [3, 5, 5], \"layers\": [{\"type\": \"conv2d\", \"name\": \"0\"}]}";
    assertThatThrownBy(() -> NetworkBuilder.build("s.json", ArchSpec.parse("s.json", wrongChannels), SYNFLOW, null,
        null)).isInstanceOf(ImportException.class).hasMessageContaining("expected input shape [2, H, W]");
    String bnOnLinear = "{\"input\": [100], \"layers\": [{\"type\": \"batchnorm2d\", \"name\": \"5\"}]}";
    assertThatThrownBy(() -> NetworkBuilder.build("s.json", ArchSpec.parse("s.json", bnOnLinear), SYNFLOW, null,
        null)).isInstanceOf(ImportException.class).hasMessageContaining("tensor '5.weight'")
        .hasMessageContaining("has shape [3, 100], expected [C]");
    assertThatThrownBy(() -> build("synflow-conv", SYNFLOW, new int[] {2, 6, 6})).isInstanceOf(ImportException.class)
        .hasMessageContaining("expected input shape [100] or [100, 1, 1], got [144]");
  }

  @Test void unsupportedLayerTypeAndMalformedSpecs() {
    String upsample = "{\"layers\": [{\"type\": \"flatten\"}, {\"type\": \"upsample\"}]}";
    assertThatThrownBy(() -> ArchSpec.parse("s.json", upsample))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining("s.json: layers[1].type: unsupported layer type 'upsample' (supported: activation, "
            + "adaptiveavgpool2d, adaptivemaxpool2d, avgpool2d, batchnorm1d, batchnorm2d, conv1d, conv2d, flatten, "
            + "globalavgpool, leaky-relu, linear, maxpool2d, normalize, preact-resnet, prelu, residual)");
    assertThatThrownBy(() -> ArchSpec.parse("s.json", "{\"layers\": [{\"type\": \"maxpool2d\", \"kernel\": 2, "
        + "\"padding\": 2}]}")).isInstanceOf(ImportException.class)
        .hasMessageContaining("layers[0].padding: must be at most half the kernel (2), got 2");
    assertThatThrownBy(() -> ArchSpec.parse("s.json", "{\"layers\": [")).isInstanceOf(ImportException.class)
        .hasMessageContaining("s.json: not valid JSON");
    assertThatThrownBy(() -> ArchSpec.parse("s.json", "{\"layers\": [{\"type\": \"conv2d\", \"name\": \"0\", "
        + "\"strides\": 2}]}")).isInstanceOf(ImportException.class)
        .hasMessageContaining("layers[0].strides: unknown key");
    assertThatThrownBy(() -> ArchSpec.parse("s.json", "{\"layers\": [{\"type\": \"conv2d\", \"name\": \"0\", "
        + "\"stride\": 0}]}")).isInstanceOf(ImportException.class)
        .hasMessageContaining("layers[0].stride: expected an integer >= 1, got 0");
    assertThatThrownBy(() -> ArchSpec.parse("s.json", "{\"input\": [1, 2], \"layers\": [{\"type\": \"flatten\"}]}"))
        .isInstanceOf(ImportException.class).hasMessageContaining("input: [C, L] is a signal's shape, for a network "
            + "of Conv1d layers; this one has no Conv1d");
    assertThatThrownBy(() -> ArchSpec.parse("s.json", "{\"input\": [1, 2, 3, 4], \"layers\": [{\"type\": "
        + "\"flatten\"}]}")).isInstanceOf(ImportException.class)
        .hasMessageContaining("input: expected [C, H, W], [C, L] (a signal, for Conv1d layers) or [F]");
    assertThatThrownBy(() -> ArchSpec.parse("s.json", "{\"layers\": [{\"type\": \"residual\", \"name\": \"b\", "
        + "\"conv1\": {}, \"conv2\": {}, \"shortcut\": {\"type\": \"dense\"}}]}")).isInstanceOf(ImportException.class)
        .hasMessageContaining("layers[0].shortcut.type: unsupported shortcut type 'dense'");
  }

  @Test void presetOnTheWrongTensorsAndUnknownArch() {
    assertThatThrownBy(() -> build("openlth-cifar-resnet", SYNFLOW, null)).isInstanceOf(ImportException.class)
        .hasMessageContaining("no tensor 'conv.weight'");
    assertThatThrownBy(() -> build("synflow-conv", RESNET, null)).isInstanceOf(ImportException.class)
        .hasMessageContaining("no tensors named N.weight");
    assertThatThrownBy(() -> build("cifar-resnet", RESNET, null)).isInstanceOf(ImportException.class)
        .hasMessageContaining("cifar-resnet on ").hasMessageContaining(": no tensor 'conv1.weight' (expected the stem "
        + "conv, [C, in, 3, 3] or [C, in, 7, 7])");
    assertThatThrownBy(() -> build("vgg16", SYNFLOW, null)).isInstanceOf(BadParameter.class)
        .hasMessageContaining("arch vgg16: neither a preset (synflow-conv, openlth-cifar-resnet, openlth-cifar-vgg, "
            + "openlth-mnist-lenet, vgg, cifar-resnet, preact-input-shortcut) nor an existing")
        .extracting(e -> ((BadParameter) e).parameter()).isEqualTo("arch");
  }

  @Test void activationIsRequiredWhereUsed() {
    ArchSpec spec = Architectures.spec("synflow-conv", SYNFLOW, null);
    assertThatThrownBy(() -> NetworkBuilder.build("synflow-conv", spec, SYNFLOW, null, null))
        .isInstanceOf(BadParameter.class).hasMessageContaining("activation not given: synflow-conv: ")
        .hasMessageContaining("needs one").extracting(e -> ((BadParameter) e).parameter()).isEqualTo("activation");
  }

  @Test void inputShapeMustAgreeWithTheSpec() {
    ArchSpec spec = ArchSpec.read(Fixtures.path("synflow_conv.json"));
    assertThatThrownBy(() -> NetworkBuilder.build("s.json", spec, SYNFLOW, Relu.INSTANCE, new int[] {2, 6, 6}))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining("the given input has per-example shape [2, 6, 6] but the spec says [2, 5, 5]");
  }
}
