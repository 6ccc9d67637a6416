package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.kernel.TargetHash;
import dev.ticketproof.net.Bottleneck;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Network;
import dev.ticketproof.net.ResidualBlock;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fourteenth round's networks (fixtures {@code round14_*}, made by train_round14.py): ResNets of bottleneck
 * blocks, read by the cifar-resnet preset and computed by the normal form as a conv layer carrying the block's input
 * and a residual block of two convs (net.Bottleneck). References: PyTorch's float64 forward pass.
 */
class Round14Test {
  private static final String SHAPES = "round14_shapes_input.npy";
  @TempDir Path tmp;

  private static TargetLoader.Loaded load(String file, String activation, int... input) {
    return TargetLoader.load(Fixtures.path(file), null, null, activation, input, "the input", true);
  }

  private static String hash(String file, String activation, int... input) {
    return TargetHash.of(load(file, activation, input).built().network());
  }

  /**
   * torchvision's own Bottleneck modules (CIFAR stem; identity and projection shortcuts) as a state dict and whole,
   * with torchvision's ImageNet stem under DataParallel's 'module.', with grouped 3x3 convs (ResNeXt), and kuangliu's
   * Bottleneck: PyTorch's outputs to rounding; the state dict and the whole model are one target.
   */
  @Test void bottleneckResNetsEvaluateAsPyTorch() {
    assertThat(fidelity("round14_tv_sd.pt", null, SHAPES, "round14_tv", "relu")).isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("round14_tv_whole.pt", null, SHAPES, "round14_tv", "relu")).isLessThanOrEqualTo(1e-14);
    assertThat(hash("round14_tv_sd.pt", null, 3, 16, 16)).isEqualTo(hash("round14_tv_whole.pt", null, 3, 16, 16));
    assertThat(fidelity("round14_tvstem_sd.pt", null, "round14_shapes32_input.npy", "round14_tvstem", "relu"))
        .isLessThanOrEqualTo(1e-14);
    assertThat(load("round14_tvstem_sd.pt", null, 3, 32, 32).prefix()).isEqualTo("module.");
    assertThat(fidelity("round14_resnext_sd.pt", null, SHAPES, "round14_resnext", "relu")).isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("round14_kuangliu_sd.pt", null, SHAPES, "round14_kuangliu", "relu"))
        .isLessThanOrEqualTo(1e-14);
  }

  /**
   * The spec names the three convs and BatchNorms of each block (the stride on conv2, the groups of a ResNeXt's
   * conv2); the network the commands read has no bottleneck block left: each became a conv layer with the block's
   * input carried once beside conv1's channels (the input is a ReLU's output) and a residual block.
   */
  @Test void theSpecHasBottleneckBlocksAndTheNetworkTheirNormalForm() {
    TargetLoader.Loaded tv = load("round14_tv_sd.pt", null, 3, 16, 16);
    ArchSpec.Residual l2 = (ArchSpec.Residual) tv.spec().layers().stream()
        .filter(l -> l.name().equals("layer2.0")).findFirst().orElseThrow();
    assertThat(l2.conv3()).isEqualTo(new ArchSpec.Conv("layer2.0.conv3", 1, 0));
    assertThat(l2.conv2()).isEqualTo(new ArchSpec.Conv("layer2.0.conv2", 2, 1));
    assertThat(l2.conv1().sh()).isEqualTo(1);
    ArchSpec.Residual x = (ArchSpec.Residual) load("round14_resnext_sd.pt", null, 3, 16, 16).spec().layers().stream()
        .filter(l -> l.name().equals("layer3.0")).findFirst().orElseThrow();
    assertThat(x.conv2().groups()).isEqualTo(2);
    Network net = tv.built().network();
    assertThat(net.layers()).noneMatch(l -> l instanceof Bottleneck);
    // stem conv1, bn1, relu; then layer1.0 as conv (4 + 16 channels), relu, block
    Conv2d carrying = (Conv2d) net.layers().get(3);
    assertThat(carrying.name()).isEqualTo("layer1.0.conv1");
    assertThat(carrying.outChannels()).isEqualTo(4 + 16);
    assertThat(net.layers().get(5)).isInstanceOf(ResidualBlock.class);
  }

  /**
   * kuangliu's Bottleneck with F.silu, given --activation silu: the input of each block is carried as x and -x
   * (silu's output is not unchanged by silu), and the network computes PyTorch's outputs; read as relu (a state dict
   * does not record the activation) it is another function, which eval against PyTorch shows.
   */
  @Test void aSiluBottleneckResNetEvaluatesAsPyTorchWithItsActivation() {
    Tensor x = TensorFiles.readNpy(Fixtures.path(SHAPES)).tensor();
    Tensor ref = TensorFiles.readNpy(Fixtures.path("round14_silu_output.npy")).tensor();
    TargetLoader.Loaded silu = load("round14_silu_sd.pt", "silu", 3, 16, 16);
    assertThat(FidelityTest.relativeError(silu.built().network().outputs(x), ref)).isLessThanOrEqualTo(1e-14);
    assertThat(((Conv2d) silu.built().network().layers().get(3)).outChannels()).isEqualTo(4 + 2 * 16);
    TargetLoader.Loaded relu = load("round14_silu_sd.pt", null, 3, 16, 16);
    assertThat(FidelityTest.relativeError(relu.built().network().outputs(x), ref)).isGreaterThan(1e-3);
  }

  /** The inferred spec written as JSON and read back is the same network (the same target hash). */
  @Test void theInferredSpecRoundTripsThroughJson() throws Exception {
    TargetLoader.Loaded tv = load("round14_resnext_sd.pt", null, 3, 16, 16);
    Path spec = tmp.resolve("resnext.json");
    Files.writeString(spec, tv.spec().toJson());
    TargetLoader.Loaded again = TargetLoader.load(Fixtures.path("round14_resnext_sd.pt"), spec.toString(), null, null,
        new int[] {3, 16, 16}, "the input", true);
    assertThat(TargetHash.of(again.built().network())).isEqualTo(TargetHash.of(tv.built().network()));
    assertThat(Files.readString(spec)).contains("\"conv3\": {\"name\": \"layer1.0.conv3\"").contains("\"groups\": 2");
  }

  /**
   * Tensors that do not fit a bottleneck block are refused naming the tensor and the shape expected; the random
   * bottleneck ResNet that was refused before (resnet_bad_bottleneck.pt) is read.
   */
  @Test void bottleneckTensorsThatDoNotFitAreRefusedNamingTheTensor() {
    TensorFile tv = TensorFiles.read(Fixtures.path("round14_tv_sd.pt"));
    Object[][] cases = {
        {"layer2.0.conv3.weight", new int[] {32, 5, 1, 1}, "tensor 'layer2.0.conv3.weight' has shape [32, 5, 1, 1], "
            + "expected [C_out, 8, 1, 1] (the 1x1 conv on the 8 channels of conv2)"},
        {"layer2.0.conv1.weight", new int[] {8, 16, 3, 3}, "tensor 'layer2.0.conv1.weight' has shape [8, 16, 3, 3], "
            + "expected [C_out, 16, 1, 1] (a 1x1 conv reading the 16 channels of the layer before, the first conv of "
            + "a bottleneck block)"},
        {"layer3.0.bn3.running_var", new int[] {16}, "tensor 'layer3.0.bn3.running_var' has shape [16], expected [64] "
            + "(the channels of layer3.0.conv3)"},
        {"layer1.1.conv2.weight", new int[] {4, 3, 3, 3}, "tensor 'layer1.1.conv2.weight' has shape [4, 3, 3, 3], "
            + "expected [C, 4 / groups, 3, 3]"}};
    for (Object[] c : cases) {
      java.util.Map<String, StoredTensor> edited = new java.util.LinkedHashMap<>(tv.tensors());
      String name = (String) c[0];
      edited.put(name, new StoredTensor(name, Tensor.zeros((int[]) c[1]), DType.FLOAT32));
      TensorFile f = new TensorFile("e.pt", edited, java.util.List.of(), java.util.List.of());
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.ticketproof.targets.Presets.infer(
          dev.ticketproof.targets.Presets.CIFAR_RESNET, f, null)).as(name).isInstanceOf(ImportException.class)
          .hasMessageContaining("cifar-resnet on e.pt: " + c[2]);
    }
    assertThat(dev.ticketproof.targets.Presets.infer(dev.ticketproof.targets.Presets.CIFAR_RESNET,
        TensorFiles.read(Fixtures.path("resnet_bad_bottleneck.pt")), null).layers())
        .anyMatch(l -> l instanceof ArchSpec.Residual r && r.conv3() != null);
  }

  /**
   * timm's ResNet-D of basic blocks (deep stem conv1.0 ... conv1.6; shortcuts of an average pooling before the 1x1
   * conv at downsample.1, its BatchNorm at downsample.2), as a state dict and whole, and of bottleneck blocks (layer1's
   * projection at stride 1, nn.Identity in place of the pooling): PyTorch's outputs to rounding on 32x32 images; the
   * spec reads the pooling before the conv; a map of odd sides where a shortcut pools is refused naming the block.
   */
  @Test void timmResNetDsEvaluateAsPyTorch() {
    String s32 = "round14_shapes32_input.npy";
    assertThat(fidelity("round14_timmd_sd.pt", null, s32, "round14_timmd", "relu")).isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("round14_timmd_whole.pt", null, s32, "round14_timmd", "relu")).isLessThanOrEqualTo(1e-14);
    assertThat(hash("round14_timmd_sd.pt", null, 3, 32, 32)).isEqualTo(hash("round14_timmd_whole.pt", null, 3, 32,
        32));
    assertThat(fidelity("round14_timmdbn_sd.pt", null, s32, "round14_timmdbn", "relu")).isLessThanOrEqualTo(1e-14);
    ArchSpec spec = load("round14_timmdbn_sd.pt", null, 3, 32, 32).spec();
    assertThat(spec.layers().get(0)).isEqualTo(new ArchSpec.Conv("conv1.0", 2, 1));
    assertThat(spec.layers()).contains(new ArchSpec.Conv("conv1.6", 1, 1), new ArchSpec.MaxPool(3, 2, 1));
    ArchSpec.Residual l1 = (ArchSpec.Residual) spec.layers().stream().filter(l -> l.name().equals("layer1.0"))
        .findFirst().orElseThrow();
    ArchSpec.Residual l2 = (ArchSpec.Residual) spec.layers().stream().filter(l -> l.name().equals("layer2.0"))
        .findFirst().orElseThrow();
    assertThat(((ArchSpec.Projection) l1.shortcut()).pool()).isEqualTo(1);
    ArchSpec.Projection p2 = (ArchSpec.Projection) l2.shortcut();
    assertThat(p2.pool()).isEqualTo(2);
    assertThat(p2.conv()).isEqualTo(new ArchSpec.Conv("layer2.0.downsample.1", 1, 0));
    assertThat(p2.bn().name()).isEqualTo("layer2.0.downsample.2");
    // 28x28 images: layer2's shortcut pools a 7x7 map
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> load("round14_timmd_sd.pt", null, 3, 28, 28))
        .isInstanceOf(ImportException.class).hasMessageContaining("residual block 'layer2.0': its projection's "
        + "average pooling 2x2 before conv 'layer2.0.downsample.1' reads a map of 7x7, whose sides are not multiples "
        + "of 2");
  }

  /** A spec with a pooled projection written as JSON and read back is the same network. */
  @Test void aPooledProjectionRoundTripsThroughJson() throws Exception {
    TargetLoader.Loaded d = load("round14_timmd_sd.pt", null, 3, 32, 32);
    Path spec = tmp.resolve("timmd.json");
    Files.writeString(spec, d.spec().toJson());
    assertThat(Files.readString(spec)).contains("\"type\": \"projection\", \"pool\": 2, \"conv\": {\"name\": "
        + "\"layer2.0.downsample.1\"");
    TargetLoader.Loaded again = TargetLoader.load(Fixtures.path("round14_timmd_sd.pt"), spec.toString(), null, null,
        new int[] {3, 32, 32}, "the input", true);
    assertThat(TargetHash.of(again.built().network())).isEqualTo(TargetHash.of(d.built().network()));
  }
}
