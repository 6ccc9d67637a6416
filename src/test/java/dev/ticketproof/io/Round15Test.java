package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.targets.TargetLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fifteenth round's networks (fixtures {@code round15_*}, made by train_round15.py): whole ResNet models whose
 * modules have other strides and BatchNorm epsilons than a preset infers from names and shapes. A whole model is read
 * with its modules' own; a state dict, which does not record them, with the preset's. References: PyTorch's float64
 * forward pass.
 */
class Round15Test {
  private static final String SHAPES = "round15_shapes_input.npy";

  private static TargetLoader.Loaded load(String file) {
    return TargetLoader.load(Fixtures.path(file), null, null, null, new int[] {3, 16, 16}, "the input", true);
  }

  private static ArchSpec.Residual block(TargetLoader.Loaded loaded, String name) {
    return (ArchSpec.Residual) loaded.spec().layers().stream().filter(l -> l.name().equals(name)).findFirst()
        .orElseThrow();
  }

  /**
   * The original ResNet's bottleneck blocks (the stride on conv1): the whole model is read with its modules' strides
   * and computes PyTorch's outputs; its state dict has the same names and shapes and is read with the stride on conv2,
   * another function, which the note on the commands and eval against PyTorch's outputs show.
   */
  @Test void aStrideOnABottlenecksConv1IsReadFromTheWholeModel() {
    assertThat(fidelity("round15_caffe_whole.pt", null, SHAPES, "round15_caffe", "relu")).isLessThanOrEqualTo(1e-14);
    TargetLoader.Loaded whole = load("round15_caffe_whole.pt");
    assertThat(block(whole, "layer2.0").conv1()).isEqualTo(new ArchSpec.Conv("layer2.0.conv1", 2, 0));
    assertThat(block(whole, "layer2.0").conv2()).isEqualTo(new ArchSpec.Conv("layer2.0.conv2", 1, 1));
    assertThat(whole.fromModules()).contains("layer2.0.conv1 stride: 2, padding: 0 (the preset's: stride: 1");
    TargetLoader.Loaded sd = load("round15_caffe_sd.pt");
    assertThat(block(sd, "layer2.0").conv2()).isEqualTo(new ArchSpec.Conv("layer2.0.conv2", 2, 1));
    assertThat(sd.fromModules()).isNull();
    assertThat(fidelity("round15_caffe_sd.pt", null, SHAPES, "round15_caffe", "relu")).isGreaterThan(0.01);
  }

  /** BatchNorms of eps 1e-3 and a 3x3 stem of stride 2: read from the modules, PyTorch's outputs to rounding. */
  @Test void epsilonsAndAStemStrideAreReadFromTheWholeModel() {
    assertThat(fidelity("round15_eps_whole.pt", null, SHAPES, "round15_eps", "relu")).isLessThanOrEqualTo(1e-14);
    // saved with pickle protocol 4 (set opcodes): the same
    assertThat(fidelity("round15_eps_whole_p4.pt", null, SHAPES, "round15_eps", "relu")).isLessThanOrEqualTo(1e-14);
    TargetLoader.Loaded eps = load("round15_eps_whole.pt");
    assertThat(eps.spec().layers().get(0)).isEqualTo(new ArchSpec.Conv("conv1", 2, 1));
    assertThat(eps.spec().layers().get(1)).isEqualTo(new ArchSpec.BatchNorm("bn1", 1e-3));
    assertThat(block(eps, "layer2.0").bn2()).isEqualTo(new ArchSpec.BatchNorm("layer2.0.bn2", 1e-3));
    assertThat(eps.fromModules()).startsWith("conv1 stride: 2, padding: 1 (the preset's: stride: 1, padding: 1)")
        .endsWith("and 5 more");
  }

  /**
   * A conv of the model's own class (a subclass of nn.Conv2d that standardises its weight in its forward) is not read
   * as torch.nn's conv: the file does not hold its forward, so it is refused naming the module.
   */
  @Test void aConvOfTheModelsOwnClassIsRefusedNamingTheModule() {
    assertThatThrownBy(() -> load("round15_wsconv_whole.pt")).isInstanceOf(ImportException.class)
        .hasMessageContaining("module 'layer1.0.conv1' is a __main__.WSConv2d, not a torch.nn layer");
  }

  /**
   * A JSON spec that leaves layers of the file out (here bn1 and both stages: 4 + 15 + 15 tensors) computes another
   * function, which only a comparison with PyTorch would show: the warning names the parameter tensors it does not
   * read; the preset, which reads them all, has none.
   */
  @Test void aSpecThatLeavesLayersOutIsWarnedAboutNamingTheirTensors(@TempDir Path tmp) throws Exception {
    Path spec = tmp.resolve("short.json");
    Files.writeString(spec, "{\"input\": [3, 16, 16], \"activation\": \"relu\", \"layers\": [{\"type\": \"conv2d\", "
        + "\"name\": \"conv1\", \"stride\": 2, \"padding\": 1}, {\"type\": \"activation\"}, {\"type\": "
        + "\"globalavgpool\"}, {\"type\": \"flatten\"}, {\"type\": \"linear\", \"name\": \"fc\"}]}");
    TargetLoader.Loaded shortened = TargetLoader.load(Fixtures.path("round15_eps_whole.pt"), spec.toString(), null,
        null, new int[] {3, 16, 16}, "the input", true);
    assertThat(TargetLoader.unreadLayers(shortened)).startsWith("the architecture does not read 34 parameter tensors")
        .contains("(bn1.weight, bn1.bias, bn1.running_mean, bn1.running_var, ...)");
    assertThat(TargetLoader.unreadLayers(load("round15_eps_whole.pt"))).isNull();
  }

  /**
   * A pre-activation ResNet is read rewritten with the default epsilon: a whole model whose BatchNorms have another is
   * refused, naming them, where before it was read as another function.
   */
  @Test void aPreActivationResNetOfAnotherEpsilonIsRefusedNamingItsBatchNorms() {
    assertThatThrownBy(() -> load("round15_preacteps_whole.pt")).isInstanceOf(ImportException.class)
        .hasMessageContaining("round15_preacteps_whole.pt: a pre-activation ResNet is read with")
        .hasMessageContaining("layer1.0.bn1 eps: 0.001").hasMessageContaining("layer2.0.bn2 eps: 0.001");
  }
}
