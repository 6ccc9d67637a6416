package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.net.LooseBatchNorm;
import dev.ticketproof.net.Network;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.targets.WholeModels;
import dev.ticketproof.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tenth round's networks (fixtures {@code round10_*}, made by train_round10.py): models that normalise their
 * input inside (torchvision's {@code transforms.Normalize} first in an {@code nn.Sequential}, RobustBench's
 * {@code ImageNormalizer} with mean and std buffers, a custom module's own buffers), custom modules whose forward
 * calls a module several times, functional activations or two heads, a 5-channel non-square CNN with SELU and a
 * Conv1d regression saved as a tuple and a list. References: PyTorch's float64 forward pass on the stored weights.
 */
class Round10Test {
  @TempDir Path tmp;

  private static final String SHAPES = "round10_shapes_input.npy";

  private static WholeModels.Derived derive(String file) {
    return WholeModels.derive(TensorFiles.read(Fixtures.path(file)));
  }

  private static String spec(String name) { return "round10_" + name + ".json"; }

  /**
   * torchvision's Normalize as the first module is the normalize layer of its mean and std, computes PyTorch's
   * outputs, and folds exactly into the unpadded conv after it (the network the loader builds has no BatchNorm left
   * and still computes them); its derived spec reads back as written.
   */
  @Test void torchvisionsNormalizeIsReadAsThePerChannelMapItComputes() {
    WholeModels.Derived d = derive("round10_tvnorm_whole.pt");
    ArchSpec.LayerSpec first = d.spec().layers().get(0);
    assertThat(first).isInstanceOf(ArchSpec.Normalize.class);
    ArchSpec.Normalize n = (ArchSpec.Normalize) first;
    assertThat(n.name()).isEqualTo("0");
    assertThat(n.mean()).hasSize(3);
    assertThat(n.std()).hasSize(3).allSatisfy(s -> assertThat(s).isBetween(0.1, 1.0));
    assertThat(ArchSpec.parse("s.json", d.spec().toJson())).usingRecursiveComparison().isEqualTo(d.spec());
    assertThat(fidelity("round10_tvnorm_whole.pt", null, SHAPES, "round10_tvnorm", "relu"))
        .isLessThanOrEqualTo(1e-14);
    TargetLoader.Loaded loaded = TargetLoader.load(Fixtures.path("round10_tvnorm_whole.pt"), null, null,
        new int[] {3, 16, 16}, "the input", true);
    assertThat(loaded.built().folded()).containsExactly("normalize '0' (first) into conv '1' (3->8, 3x3, stride 1, "
        + "padding 0)");
    assertThat(loaded.built().unfolded()).isNull();
    assertThat(loaded.built().network().layers()).noneMatch(l -> l instanceof dev.ticketproof.net.BatchNorm2d);
  }

  /**
   * One mean and one std (plain floats, as MNIST examples write Normalize((0.1307,), (0.3081,))) before a flatten and
   * a linear layer: read for every value, folded into the linear layer across the flatten; several values on a
   * vector input are refused saying how to give the image shape.
   */
  @Test void aNormalizeOfOneValueBeforeAnMlpFoldsIntoItsFirstLinearLayer(@TempDir Path dir) throws IOException {
    WholeModels.Derived d = derive("round10_tvnormmlp_whole.pt");
    ArchSpec.Normalize n = (ArchSpec.Normalize) d.spec().layers().get(0);
    assertThat(n.mean()).hasSize(1);
    assertThat(n.std()).hasSize(1);
    assertThat(d.spec().activation()).isEqualTo("gelu");
    assertThat(fidelity("round10_tvnormmlp_whole.pt", null, "round10_digits_input.npy", "round10_tvnormmlp",
        "gelu")).isLessThanOrEqualTo(1e-14);
    TargetLoader.Loaded loaded = TargetLoader.load(Fixtures.path("round10_tvnormmlp_whole.pt"), null, null,
        new int[] {1, 8, 8}, "the input", true);
    assertThat(loaded.built().folded()).containsExactly("normalize '0' (first) into linear '2' (64->32)");
    Path s = dir.resolve("two.json");
    Files.writeString(s, "{\"input\": [64], \"activation\": \"gelu\", \"layers\": [{\"type\": \"normalize\", "
        + "\"mean\": [0.1, 0.2], \"std\": 1}, {\"type\": \"linear\", \"name\": \"2\"}]}");
    assertThatThrownBy(() -> TargetLoader.load(Fixtures.path("round10_tvnormmlp_whole.pt"), s.toString(), null,
        null, true)).isInstanceOf(ImportException.class).hasMessageContaining("normalize has 2 values of mean for "
        + "an input of 64 channels: expected 64 (or 1 for all); the input is read as a vector of 64 values, one "
        + "channel each: if the network reads images of 2 channels (a flatten after the normalisation), give the "
        + "input shape as [2, H, W] with H W = 32");
  }

  /**
   * Before a padded conv the normalisation is computed as PyTorch does and stays, unfolded and not refused, as the
   * target's input map: per channel 1 / std times x plus -mean / std. The network after it, on inputs normalised as it
   * does, computes the same outputs (to the float32 rounding of the normalised inputs).
   */
  @Test void aNormalizeBeforeAPaddedConvIsComputedAndIsTheTargetsInputMap() {
    assertThat(fidelity("round10_tvnormpad_whole.pt", null, SHAPES, "round10_tvnormpad", "relu"))
        .isLessThanOrEqualTo(1e-14);
    TargetLoader.Loaded loaded = TargetLoader.load(Fixtures.path("round10_tvnormpad_whole.pt"), null, null,
        new int[] {3, 16, 16}, "the input", true);
    assertThat(loaded.built().unfolded()).isNull();
    assertThat(LooseBatchNorm.fold(loaded.built().network()).refusal()).isNull();

    // what it says: the model without it, on the inputs normalised in float32 as numpy does
    ArchSpec.Normalize n = (ArchSpec.Normalize) derive("round10_tvnormpad_whole.pt").spec().layers().get(0);
    TargetPlan.InputMap map = TargetPlan.of(loaded.built().network(), ActivationCatalog.parse("relu")).input();
    for (int c = 0; c < 3; c++) {
      double std = n.std().get(c);
      assertThat(map.scale()[c]).isCloseTo(1 / std, org.assertj.core.data.Offset.offset(1e-12 / std));
      assertThat(map.shift()[c]).isCloseTo(-n.mean().get(c) / std, org.assertj.core.data.Offset.offset(1e-12 / std));
    }
    Tensor x = TensorFiles.readNpy(Fixtures.path(SHAPES)).tensor();
    double[] z = new double[x.size()];
    int per = 16 * 16;
    for (int i = 0; i < z.length; i++) {
      int c = i / per % 3;
      z[i] = (float) ((float) x.data()[i] - n.mean().get(c).floatValue()) / n.std().get(c).floatValue();
    }
    Network inner = TargetLoader.load(Fixtures.path("round10_tvnormpad_inner_whole.pt"), null, null,
        new int[] {3, 16, 16}, "the input", true).built().network();
    Tensor y = inner.outputs(Tensor.of(z, x.shape()));
    assertThat(FidelityTest.relativeError(y, TensorFiles.readNpy(Fixtures.path("round10_tvnormpad_output.npy"))
        .tensor())).isLessThan(1e-6);
  }

  /**
   * RobustBench's ImageNormalizer (mean and std buffers, its forward code) is refused naming the spec layer that reads
   * it; with that spec the whole model and its state dict compute PyTorch's outputs, and so does a custom module's
   * own mean and std buffers. A spec that leaves the buffers unread gets the warning, and its outputs are not the
   * model's.
   */
  @Test void aNormalisersBuffersAreReadByANormalizeLayerOfTheSpec() {
    assertThatThrownBy(() -> derive("round10_rbnorm_whole.pt")).isInstanceOf(ImportException.class)
        .hasMessageContaining("round10_rbnorm_whole.pt: module 'normalize' (__main__.ImageNormalizer): it holds only "
            + "the tensors 'normalize.mean' [1, 3, 1, 1] and 'normalize.std' [1, 3, 1, 1], as an input normalisation "
            + "does, but its forward is code the file does not hold")
        .hasMessageContaining("{\"type\": \"normalize\", \"name\": \"normalize\", \"mean\": \"normalize.mean\", "
            + "\"std\": \"normalize.std\"}");
    for (String file : List.of("round10_rbnorm_whole.pt", "round10_rbnorm_sd.pt")) {
      assertThat(fidelity(file, spec("rbnorm"), SHAPES, "round10_rbnorm", "relu")).as(file)
          .isLessThanOrEqualTo(1e-14);
    }
    assertThat(fidelity("round10_bufnorm_sd.pt", spec("bufnorm"), SHAPES, "round10_bufnorm", "relu"))
        .isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("round10_bufnorm_whole.pt", spec("bufnorm"), SHAPES, "round10_bufnorm", "relu"))
        .isLessThanOrEqualTo(1e-14);
    // the custom module holds the buffers itself: no draft, and the refusal is a custom module's
    assertThat(WholeModels.draft(TensorFiles.read(Fixtures.path("round10_bufnorm_whole.pt")))).isNull();
    // the normaliser inside a custom module: no draft, and the custom module's refusal says how to read it
    assertThat(WholeModels.draft(TensorFiles.read(Fixtures.path("round10_wrapnorm_whole.pt")))).isNull();
    assertThatThrownBy(() -> derive("round10_wrapnorm_whole.pt")).isInstanceOf(ImportException.class)
        .hasMessageContaining("the whole model is a __main__.Wrapped, not an nn.Sequential")
        .hasMessageContaining("(no draft is given: module 'normalize' (__main__.ImageNormalizer): it holds only the "
            + "tensors 'normalize.mean' [1, 3, 1, 1] and 'normalize.std' [1, 3, 1, 1]")
        .hasMessageContaining("{\"type\": \"normalize\", \"name\": \"normalize\", \"mean\": \"normalize.mean\"");

    TargetLoader.Loaded with = TargetLoader.load(Fixtures.path("round10_bufnorm_sd.pt"),
        Fixtures.path(spec("bufnorm")).toString(), null, new int[] {3, 16, 16}, "the input", true);
    assertThat(TargetLoader.unreadNormalisation(with)).isNull();
    assertThat(TargetLoader.unreadNormalisation(TargetLoader.load(Fixtures.path("round10_rbnorm_sd.pt"),
        Fixtures.path(spec("rbnorm")).toString(), null, new int[] {3, 16, 16}, "the input", true))).isNull();
  }

  /** The spec without its normalize layer: warned, and its outputs are far from PyTorch's. */
  @Test void aSpecThatLeavesTheBuffersUnreadIsWarnedAbout() throws IOException {
    String full = Files.readString(Fixtures.path(spec("bufnorm")));
    String cut = full.replaceFirst("\\{\"type\": \"normalize\", \"mean\": \"mean\", \"std\": \"std\"\\},\\s*", "");
    assertThat(cut).isNotEqualTo(full);
    Path without = tmp.resolve("no_norm.json");
    Files.writeString(without, cut);
    TargetLoader.Loaded loaded = TargetLoader.load(Fixtures.path("round10_bufnorm_sd.pt"), without.toString(), null,
        new int[] {3, 16, 16}, "the input", true);
    assertThat(TargetLoader.unreadNormalisation(loaded)).startsWith("the architecture does not read the tensors "
        + "'mean' and 'std' of ").contains("{\"type\": \"normalize\", \"mean\": \"mean\", \"std\": \"std\"}");
    Tensor x = TensorFiles.readNpy(Fixtures.path(SHAPES)).tensor();
    assertThat(FidelityTest.relativeError(loaded.built().network().outputs(x),
        TensorFiles.readNpy(Fixtures.path("round10_bufnorm_output.npy")).tensor())).isGreaterThan(0.1);
    // the RobustBench state dict: its buffers under 'normalize.'
    Path rb = tmp.resolve("rb_no_norm.json");
    Files.writeString(rb, Files.readString(Fixtures.path(spec("rbnorm"))).replaceFirst("\\{\"type\": \"normalize\""
        + "[^}]*\\},\\s*", ""));
    assertThat(TargetLoader.unreadNormalisation(TargetLoader.load(Fixtures.path("round10_rbnorm_sd.pt"),
        rb.toString(), null, new int[] {3, 16, 16}, "the input", true))).contains("'normalize.mean' and "
        + "'normalize.std'");
  }

  /** A normalize layer's bad values and tensors are refused naming the spec, the layer and what was expected. */
  @Test void badNormalizeLayersAreRefused() throws IOException {
    String layers = ", {\"type\": \"conv2d\", \"name\": \"model.0\"}, {\"type\": \"activation\"}, {\"type\": "
        + "\"maxpool2d\", \"kernel\": 2}, {\"type\": \"conv2d\", \"name\": \"model.3\"}, {\"type\": \"activation\"}, "
        + "{\"type\": \"maxpool2d\", \"kernel\": 2}, {\"type\": \"flatten\"}, {\"type\": \"linear\", \"name\": "
        + "\"model.7\"}]}";
    String[][] cases = {
        {"{\"type\": \"normalize\", \"mean\": [0.5, 0.5], \"std\": [0.2, 0.2, 0.2]}",
            "layer 0: normalize has 2 values of mean for an input of 3 channels: expected 3 (or 1 for all)"},
        {"{\"type\": \"normalize\", \"mean\": 0.5, \"std\": [0.2, 0, 0.2]}",
            "layer 0: normalize: std 0.0 in channel 1 (given): expected a finite std whose square is a normal double"},
        {"{\"type\": \"normalize\", \"mean\": \"model.7.bias\", \"std\": 0.25}",
            "layer 0: tensor 'model.7.bias' in "},
        {"{\"type\": \"normalize\", \"mean\": \"normalize.mean\"}",
            "layers[0].std: expected numbers, one per channel ([0.49, 0.48, 0.45]), or the name of a tensor"},
        {"{\"type\": \"normalize\", \"mean\": [], \"std\": 1}", "layers[0].mean: expected numbers"},
        {"{\"type\": \"normalize\", \"mean\": 0, \"std\": 1, \"eps\": 1}", "layers[0].eps: unknown key"}};
    for (String[] c : cases) {
      Path s = tmp.resolve("bad.json");
      Files.writeString(s, "{\"activation\": \"relu\", \"layers\": [" + c[0] + layers);
      assertThatThrownBy(() -> TargetLoader.load(Fixtures.path("round10_rbnorm_sd.pt"), s.toString(), null,
          new int[] {3, 16, 16}, "the input", true)).as(c[0]).isInstanceOf(ImportException.class)
          .hasMessageContaining(c[1]);
    }
    // one value for all channels, and a negative std, compute (x - mean) / std
    Path s = tmp.resolve("one.json");
    Files.writeString(s, "{\"activation\": \"relu\", \"layers\": [{\"type\": \"normalize\", \"mean\": 0.25, \"std\": "
        + "-0.5}" + layers);
    Network net = TargetLoader.load(Fixtures.path("round10_rbnorm_sd.pt"), s.toString(), null,
        new int[] {3, 16, 16}, "the input", true).built().network();
    Tensor x = TensorFiles.readNpy(Fixtures.path(SHAPES)).tensor();
    double[] z = x.data().clone();
    for (int i = 0; i < z.length; i++) z[i] = (z[i] - 0.25) / -0.5;
    Path plain = tmp.resolve("plain.json");
    Files.writeString(plain, "{\"activation\": \"relu\", \"layers\": [" + layers.substring(2));
    Network after = TargetLoader.load(Fixtures.path("round10_rbnorm_sd.pt"), plain.toString(), null,
        new int[] {3, 16, 16}, "the input", true).built().network();
    assertThat(FidelityTest.relativeError(net.outputs(x), after.outputs(Tensor.of(z, x.shape()))))
        .isLessThan(1e-14);
  }

  /**
   * Custom modules whose forward calls one nn.ReLU and one pooling module after every layer, applies F.relu, or feeds
   * two heads from one trunk get no draft (a draft in the order of their submodules would leave activations out),
   * and the refusal says why; written by hand, their specs compute PyTorch's outputs (the first head's).
   */
  @Test void customModulesWhoseOrderIsNotTheirForwardGetNoDraft() {
    String[][] cases = {{"sharedrelu", "conv2", "fc1"}, {"fnet", "conv1", "conv2"}, {"twohead", "cls", "reg"}};
    for (String[] c : cases) {
      String file = "round10_" + c[0] + "_whole.pt";
      assertThat(WholeModels.draft(TensorFiles.read(Fixtures.path(file)))).as(file).isNull();
      assertThatThrownBy(() -> derive(file)).as(file).isInstanceOf(ImportException.class)
          .hasMessageContaining("(no draft is given: its layers '" + c[1] + "' and '" + c[2] + "' follow each other "
              + "in the order of the submodules with no activation module between them");
      String arch = spec(c[0].equals("twohead") ? "twohead_cls" : c[0]);
      assertThat(fidelity(file, arch, "round10_digits_input.npy", "round10_" + c[0], "relu")).as(file)
          .isLessThanOrEqualTo(1e-14);
    }
  }

  /**
   * A 5-channel CNN on non-square 5x20x16 inputs (a 7x7 stride-2 first conv, SELU, AlphaDropout left out) and a
   * Conv1d regression of three outputs, saved whole, as a tuple (state_dict, {'epoch'}) and as a list [state_dict]
   * (read under the prefix '0.'), compute PyTorch's outputs.
   */
  @Test void fiveChannelsNonSquareSeluAndATupleCheckpointEvaluateAsPyTorch() {
    WholeModels.Derived c5 = derive("round10_c5k7_whole.pt");
    assertThat(c5.spec().activation()).isEqualTo("selu");
    assertThat(c5.inferredInput()).isNull(); // no square input gives the linear layer its 96 features
    assertThat(c5.spec().layers().get(0)).isEqualTo(new ArchSpec.Conv("0", 2, 3));
    assertThat(fidelity("round10_c5k7_whole.pt", null, "round10_c5k7", "selu")).isLessThanOrEqualTo(1e-14);
    // the signals [64, 1, 48], read as [64, 1, 1, 48] (as the commands read them)
    Tensor signals = TensorFiles.readNpy(Fixtures.path("round10_reg1d_input.npy")).tensor();
    Tensor x = Tensor.of(signals.data(), new int[] {64, 1, 1, 48});
    Tensor ref = TensorFiles.readNpy(Fixtures.path("round10_reg1d_output.npy")).tensor();
    for (String file : List.of("round10_reg1d_whole.pt", "round10_reg1d_tuple.pt", "round10_reg1d_list.pt")) {
      TargetLoader.Loaded loaded = TargetLoader.load(Fixtures.path(file), file.contains("whole") ? null
          : Fixtures.path(spec("reg1d")).toString(), null, new int[] {1, 1, 48}, "the input", true);
      assertThat(loaded.prefix()).as(file).isEqualTo(file.contains("whole") ? "" : "0.");
      assertThat(loaded.activation().name()).isEqualTo("tanh");
      assertThat(FidelityTest.relativeError(loaded.built().network().outputs(x), ref)).as(file)
          .isLessThanOrEqualTo(1e-14);
    }
  }
}
