package dev.ticketproof.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.kernel.TargetHash;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Forward;
import dev.ticketproof.net.Network;
import dev.ticketproof.net.ResidualBlock;
import dev.ticketproof.targets.Architectures;
import dev.ticketproof.targets.Presets;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The cifar-resnet preset on ResNets saved by the common CIFAR training code (faithful small copies of the model
 * classes, made by make_fixtures.py): PyTorch's outputs (computed in float64 on the float32 weights) reproduced with
 * and without --arch, the architecture inferred, the option-A shortcut as a fixed projection, its JSON form, and the
 * refusals.
 */
class ResNetPresetTest {
  /** float64 on both sides: what is left is the summation order. */
  static final double TOLERANCE = 1e-12;

  static TargetLoader.Loaded load(String fixture, String arch) {
    Tensor x = TensorFiles.readNpy(Fixtures.path(fixture + "_input.npy")).tensor();
    return TargetLoader.load(Fixtures.path(fixture + ".pt"), arch, "relu", Arrays.copyOfRange(x.shape(), 1, 4), true);
  }

  static double fidelity(String fixture, String arch) {
    Tensor x = TensorFiles.readNpy(Fixtures.path(fixture + "_input.npy")).tensor();
    Tensor y = Forward.forward(load(fixture, arch).built().network(), x);
    double err = FidelityTest.relativeError(y, TensorFiles.readNpy(Fixtures.path(fixture + "_output.npy")).tensor());
    System.out.printf("fidelity %s (%s): max relative error %.3g%n", fixture, arch, err);
    return err;
  }

  /** One line per layer: name, strides, paddings and the shortcut. */
  static String describe(ArchSpec spec) {
    List<String> out = new ArrayList<>();
    for (ArchSpec.LayerSpec l : spec.layers()) {
      if (l instanceof ArchSpec.Conv c) out.add("conv " + c.name() + " s" + c.sh() + " p" + c.ph());
      else if (l instanceof ArchSpec.BatchNorm b) out.add("bn " + b.name());
      else if (l instanceof ArchSpec.Activation) out.add("phi");
      else if (l instanceof ArchSpec.MaxPool m) out.add("maxpool " + m.kh() + "/" + m.sh() + "/" + m.ph());
      else if (l instanceof ArchSpec.GlobalAvgPool) out.add("gap");
      else if (l instanceof ArchSpec.Flatten) out.add("flatten");
      else if (l instanceof ArchSpec.Linear lin) out.add("linear " + lin.name());
      else if (l instanceof ArchSpec.Residual r) {
        assertThat(r.conv1().name()).isEqualTo(r.name() + ".conv1");
        assertThat(r.conv2().name() + r.bn1().name() + r.bn2().name()).isEqualTo(r.name() + ".conv2" + r.name()
            + ".bn1" + r.name() + ".bn2");
        assertThat(r.conv1().ph() + r.conv2().ph() + r.conv2().sh()).isEqualTo(3);
        String sc = r.shortcut() instanceof ArchSpec.Identity id ? "identity" + (id.scale() == null ? "" : " scaled")
            : r.shortcut() instanceof ArchSpec.ChannelPad p ? "pad " + p.name() + " s" + p.stride() + " " + p.pad()
            : "projection " + ((ArchSpec.Projection) r.shortcut()).conv().name() + " s"
            + ((ArchSpec.Projection) r.shortcut()).conv().sh() + " p"
            + ((ArchSpec.Projection) r.shortcut()).conv().ph() + " bn "
            + ((ArchSpec.Projection) r.shortcut()).bn().name();
        out.add("block " + r.name() + " s" + r.conv1().sh() + " " + sc);
      } else {
        out.add(l.toString());
      }
    }
    return String.join("\n", out);
  }

  static final String STEM = "conv conv1 s1 p1\nbn bn1\nphi\n";
  static final String HEAD = "\ngap\nflatten\nlinear ";

  @Test void torchvisionStyleDownsampleProjectionAndFc() {
    assertThat(fidelity("resnet_torchvision", Presets.CIFAR_RESNET)).isLessThanOrEqualTo(TOLERANCE);
    TargetLoader.Loaded l = load("resnet_torchvision", null);
    assertThat(l.inferredPreset()).isEqualTo(Presets.CIFAR_RESNET);
    assertThat(l.prefix()).isEmpty();
    assertThat(describe(l.spec())).isEqualTo(STEM
        + "block layer1.0 s1 identity\nblock layer1.1 s1 identity\n"
        + "block layer2.0 s2 projection layer2.0.downsample.0 s2 p0 bn layer2.0.downsample.1\n"
        + "block layer3.0 s2 projection layer3.0.downsample.0 s2 p0 bn layer3.0.downsample.1" + HEAD + "fc");
    assertThat(l.spec().activation()).isEqualTo("relu");
    assertThat(l.built().unusedTensors()).allMatch(n -> n.endsWith("num_batches_tracked"));
    assertThat(fidelity("resnet_torchvision", null)).isLessThanOrEqualTo(TOLERANCE);
  }

  @Test void kuangliuShortcutProjectionLinearAndFourStages() {
    assertThat(fidelity("resnet_kuangliu", null)).isLessThanOrEqualTo(TOLERANCE);
    assertThat(describe(load("resnet_kuangliu", null).spec())).isEqualTo(STEM
        + "block layer1.0 s1 identity\nblock layer1.1 s1 identity\n"
        + "block layer2.0 s2 projection layer2.0.shortcut.0 s2 p0 bn layer2.0.shortcut.1\n"
        + "block layer3.0 s2 projection layer3.0.shortcut.0 s2 p0 bn layer3.0.shortcut.1\n"
        + "block layer4.0 s2 projection layer4.0.shortcut.0 s2 p0 bn layer4.0.shortcut.1" + HEAD + "linear");
  }

  @Test void akamasterOptionAShortcutInATrainingCheckpointWithDataParallelNames() {
    assertThat(fidelity("resnet_akamaster", null)).isLessThanOrEqualTo(TOLERANCE);
    assertThat(fidelity("resnet_akamaster", Presets.CIFAR_RESNET)).isLessThanOrEqualTo(TOLERANCE);
    TargetLoader.Loaded l = load("resnet_akamaster", null);
    assertThat(l.prefix()).isEqualTo("state_dict.module.");
    assertThat(l.prefixDetected()).isTrue();
    assertThat(describe(l.spec())).isEqualTo(STEM
        + "block layer1.0 s1 identity\nblock layer1.1 s1 identity\n"
        + "block layer2.0 s2 pad layer2.0.shortcut s2 2\nblock layer2.1 s1 identity\n"
        + "block layer3.0 s2 pad layer3.0.shortcut s2 4" + HEAD + "linear");
    // the option-A shortcut is the 1x1 stride-2 conv K[j][i] = [j == i + pad], without bias; the layer table does not
    // count its weights as the file's
    Network net = l.built().network();
    Conv2d pad = ((ResidualBlock.Projection) ((ResidualBlock) net.layers().get(7)).shortcut()).conv();
    assertThat(pad.name()).isEqualTo("layer3.0.shortcut");
    assertThat(pad.weight().shape()).containsExactly(16, 8, 1, 1);
    assertThat(pad.bias()).isNull();
    assertThat(pad.stride()).isEqualTo(2);
    assertThat(new int[] {pad.ph(), pad.pw()}).containsExactly(0, 0);
    for (int j = 0; j < 16; j++) {
      for (int i = 0; i < 8; i++) assertThat(pad.weight().data()[j * 8 + i]).isEqualTo(j == i + 4 ? 1.0 : 0.0);
    }
    NetworkBuilder.LayerRow row = l.built().rows().get(7);
    assertThat(row.parameters()).isEqualTo(16 * 8 * 9 + 16 * 16 * 9 + 4 * 16);
  }

  @Test void imageNetStemWithMaxPooling() {
    assertThat(fidelity("resnet_imagenet_stem", null)).isLessThanOrEqualTo(TOLERANCE);
    assertThat(describe(load("resnet_imagenet_stem", null).spec())).isEqualTo("conv conv1 s2 p3\nbn bn1\nphi\n"
        + "maxpool 3/2/1\nblock layer1.0 s1 identity\n"
        + "block layer2.0 s2 projection layer2.0.downsample.0 s2 p0 bn layer2.0.downsample.1\n"
        + "block layer3.0 s2 projection layer3.0.downsample.0 s2 p0 bn layer3.0.downsample.1\n"
        + "block layer4.0 s2 projection layer4.0.downsample.0 s2 p0 bn layer4.0.downsample.1" + HEAD + "fc");
  }

  @Test void defaultInputShapes() {
    TensorFile t = TensorFiles.read(Fixtures.path("resnet_kuangliu.pt"));
    assertThat(Presets.infer(Presets.CIFAR_RESNET, t, null).input()).containsExactly(3, 32, 32);
    TensorFile i = TensorFiles.read(Fixtures.path("resnet_imagenet_stem.pt"));
    assertThat(Presets.infer(Presets.CIFAR_RESNET, i, null).input()).containsExactly(3, 224, 224);
  }

  @Test void theJsonSpecWithPadShortcutsBuildsTheSameNetwork() {
    String blocks = "";
    String[][] b = {{"layer1.0", "1", ""}, {"layer1.1", "1", ""}, {"layer2.0", "2", "{\"type\": \"pad\"}"},
        {"layer2.1", "1", ""}, {"layer3.0", "2", "{\"type\": \"pad\", \"pad\": 4, \"stride\": 2}"}};
    for (String[] r : b) {
      blocks += ",\n{\"type\": \"residual\", \"name\": \"" + r[0] + "\", \"conv1\": {\"stride\": " + r[1]
          + ", \"padding\": 1}, \"bn1\": {}, \"conv2\": {\"padding\": 1}, \"bn2\": {}"
          + (r[2].isEmpty() ? "" : ", \"shortcut\": " + r[2]) + "}";
    }
    String json = "{\"input\": [3, 16, 16], \"activation\": \"relu\", \"layers\": [\n"
        + "{\"type\": \"conv2d\", \"name\": \"conv1\", \"padding\": 1}, {\"type\": \"batchnorm2d\", \"name\": \"bn1\"},"
        + " {\"type\": \"activation\"}" + blocks + ",\n{\"type\": \"globalavgpool\"}, {\"type\": \"flatten\"}, "
        + "{\"type\": \"linear\", \"name\": \"linear\"}]}";
    ArchSpec spec = ArchSpec.parse("ak.json", json);
    ArchSpec.ChannelPad pad = (ArchSpec.ChannelPad) ((ArchSpec.Residual) spec.layers().get(5)).shortcut();
    assertThat(pad).isEqualTo(new ArchSpec.ChannelPad("layer2.0.shortcut", 2, ArchSpec.PAD_FROM_SHAPES));
    TensorFile t = TensorFiles.read(Fixtures.path("resnet_akamaster.pt")).under("state_dict.module.");
    Network hand = NetworkBuilder.build("ak.json", spec, t, Relu.INSTANCE, null).network();
    TargetLoader.Loaded preset = load("resnet_akamaster", null);
    assertThat(TargetHash.of(hand)).isEqualTo(TargetHash.of(preset.built().network()));
    // the preset's spec written as JSON reads back as the same spec
    assertThat(ArchSpec.parse("p.json", preset.spec().toJson()).toJson()).isEqualTo(preset.spec().toJson());
    assertThat(preset.spec().toJson()).contains("\"shortcut\": {\"type\": \"pad\", \"name\": \"layer2.0.shortcut\", "
        + "\"stride\": 2, \"pad\": 2}");
    // pads that do not give the main branch's channels
    for (String[] c : new String[][] {
        {"{\"type\": \"pad\", \"pad\": 3}", "pads 3 zero channels on each side of the block's 4 input channels, "
            + "giving 10, but its main branch gives 8"},
        {"{\"type\": \"pad\", \"padding\": 2}", "ak.json: layers[5].shortcut.padding: unknown key (allowed here: "
            + "name, pad, stride, type)"}}) {
      assertThatThrownBy(() -> NetworkBuilder.build("ak.json", ArchSpec.parse("ak.json",
          json.replace("{\"type\": \"pad\"}", c[0])), t, Relu.INSTANCE, null)).isInstanceOf(ImportException.class)
          .hasMessageContaining(c[1]);
    }
  }

  /**
   * The akamaster fixture's state dict (without its prefix) with tensors replaced, added ({@code null} shape:
   * removed); a replaced or added tensor is filled with 0.1.
   */
  static TensorFile edited(Object... nameAndShape) {
    TensorFile f = TensorFiles.read(Fixtures.path("resnet_akamaster.pt")).under("state_dict.module.");
    Map<String, StoredTensor> out = new LinkedHashMap<>(f.tensors());
    for (int i = 0; i < nameAndShape.length; i += 2) {
      String name = (String) nameAndShape[i];
      int[] shape = (int[]) nameAndShape[i + 1];
      if (shape == null) {
        out.remove(name);
      } else {
        Tensor t = Tensor.zeros(shape);
        Arrays.fill(t.data(), 0.1);
        out.put(name, new StoredTensor(name, t, DType.FLOAT32));
      }
    }
    return new TensorFile("edited.pt", out, List.of(), List.of());
  }

  @Test void channelCountsAPadShortcutCannotGive() {
    // layer2.0 with 7 channels: 7 - 4 is odd, so no equal zero padding on both sides gives them
    Object[] seven = {"layer2.0.conv1.weight", new int[] {7, 4, 3, 3}, "layer2.0.conv2.weight", new int[] {7, 7, 3, 3},
        "layer2.1.conv1.weight", new int[] {8, 7, 3, 3}, "layer2.1.shortcut.0.weight", new int[] {8, 7, 1, 1}};
    List<Object> args = new ArrayList<>(Arrays.asList(seven));
    for (String bn : new String[] {"bn1", "bn2"}) {
      for (String part : new String[] {"weight", "bias", "running_mean", "running_var"}) {
        args.add("layer2.0." + bn + "." + part);
        args.add(new int[] {7});
      }
    }
    TensorFile t = edited(args.toArray());
    assertThatThrownBy(() -> Presets.infer(Presets.CIFAR_RESNET, t, null)).isInstanceOf(ImportException.class)
        .hasMessageContaining("cifar-resnet on edited.pt: block layer2.0 changes the channel count from 4 to 7 and "
            + "has no projection tensors ('layer2.0.downsample.0.weight' or 'layer2.0.shortcut.0.weight')")
        .hasMessageContaining("which needs C_out - C_in even and > 0");
    ArchSpec.Residual block = new ArchSpec.Residual("layer2.0", new ArchSpec.Conv("layer2.0.conv1", 2, 1), null,
        new ArchSpec.Conv("layer2.0.conv2", 1, 1), null, new ArchSpec.ChannelPad("layer2.0.shortcut", 2,
        ArchSpec.PAD_FROM_SHAPES));
    ArchSpec spec = new ArchSpec(new int[] {4, 8, 8}, null, List.of(block));
    assertThatThrownBy(() -> NetworkBuilder.build("b.json", spec, t, Relu.INSTANCE, null))
        .isInstanceOf(ImportException.class).hasMessage("b.json: residual block 'layer2.0': its pad shortcut pads "
            + "zero channels equally on both sides of the block's 4 input channels, which cannot give the 7 channels "
            + "of its main branch (the difference must be even and >= 0)");
  }

  @Test void convBiasesAreReadWhenPresent() {
    TensorFile t = edited("conv1.bias", new int[] {4}, "layer1.0.conv1.bias", new int[] {4});
    ArchSpec spec = Presets.infer(Presets.CIFAR_RESNET, t, null);
    Network net = NetworkBuilder.build("cifar-resnet", spec, t, Relu.INSTANCE, null).network();
    assertThat(((Conv2d) net.layers().get(0)).bias().data()).containsOnly(0.1);
    assertThat(((ResidualBlock) net.layers().get(3)).conv1().bias().data()).containsOnly(0.1);
  }

  @Test void preActivationAndOtherBlocksAreRefused() {
    // without the stem's BatchNorm (a pre-activation ResNet's stem): not inferred, and refused when asked for
    TensorFile noStemBn = edited("bn1.weight", null, "bn1.bias", null, "bn1.running_mean", null, "bn1.running_var",
        null);
    assertThat(Architectures.inferPreset(noStemBn)).isNull();
    assertThatThrownBy(() -> Presets.infer(Presets.CIFAR_RESNET, noStemBn, null))
        .hasMessageContaining("no tensor 'bn1.weight' (the stem's BatchNorm; a pre-activation ResNet");
    // a BatchNorm on a downsampling block's input channels: a pre-activation block
    TensorFile preact = edited("layer2.0.bn1.weight", new int[] {4});
    assertThatThrownBy(() -> Presets.infer(Presets.CIFAR_RESNET, preact, null))
        .hasMessageContaining("tensor 'layer2.0.bn1.weight' has shape [4], expected [8] (the channels of "
            + "layer2.0.conv1); a BatchNorm on the block's input is a pre-activation block");
    // a block with another module (squeeze-and-excitation, ...)
    TensorFile se = edited("layer1.1.se.fc1.weight", new int[] {2, 4});
    assertThatThrownBy(() -> Presets.infer(Presets.CIFAR_RESNET, se, null))
        .hasMessageContaining("tensor 'layer1.1.se.fc1.weight' is not part of a basic block");
    // a stage that is missing
    TensorFile gap = edited();
    Map<String, StoredTensor> renamed = new LinkedHashMap<>();
    gap.tensors().forEach((k, v) -> renamed.put(k.replace("layer3.", "layer4."), v));
    assertThatThrownBy(() -> Presets.infer(Presets.CIFAR_RESNET, new TensorFile("gap.pt", renamed, List.of(),
        List.of()), null)).hasMessageContaining("stage 3 is missing (no tensor 'layer3.0.conv1.weight'");
  }

  @Test void refusalsNameTheTensorAndWhatWasExpected() {
    String[][] cases = {
        {"resnet_bad_missing.pt", "cifar-resnet on " + Fixtures.path("resnet_bad_missing.pt") + ": no tensor "
            + "'layer2.0.bn1.running_var' (expected [8], of the BatchNorm after layer2.0.conv1)"},
        {"resnet_bad_channels.pt", "tensor 'layer3.0.conv1.weight' has shape [16, 4, 3, 3], expected [C_out, 8, 3, 3] "
            + "(a 3x3 conv reading the 8 channels of the layer before)"}};
    for (String[] c : cases) {
      for (String arch : new String[] {null, Presets.CIFAR_RESNET}) {
        assertThatThrownBy(() -> TargetLoader.load(Fixtures.path(c[0]), arch, "relu", null, true))
            .as(c[0] + " " + arch).isInstanceOf(ImportException.class).hasMessageContaining(c[1]);
      }
    }
  }

  @Test void namesOfOtherLayoutsAreNotTakenForThisPreset() {
    // a numbered Sequential: no preset is inferred; open_lth's names (conv, blocks.N, fc): open_lth's preset
    for (String f : new String[] {"synflow_conv.pt", "ckpt_dataparallel.pt"}) {
      assertThat(Architectures.inferPreset(TensorFiles.read(Fixtures.path(f)))).as(f).isNull();
    }
    assertThat(Architectures.inferPreset(TensorFiles.read(Fixtures.path("openlth_resnet.pt"))))
        .isEqualTo(Presets.OPENLTH_CIFAR_RESNET);
    assertThat(Architectures.inferPreset(TensorFiles.read(Fixtures.path("resnet_akamaster.pt"))))
        .isEqualTo(Presets.CIFAR_RESNET);
  }
}
