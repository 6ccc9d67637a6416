package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Forward;
import dev.ticketproof.targets.WholeModels;
import dev.ticketproof.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Networks trained as users train theirs, in the layouts a ninth round brought (fixtures {@code user9_*}, made by
 * train_user_nets9.py): a CNN trained with {@code nn.RReLU}, a CNN padded by {@code nn.ZeroPad2d} and
 * {@code nn.ConstantPad2d} modules as ports of TensorFlow's 'SAME' padding write it, and a dynamically quantized MLP,
 * which is refused saying what it is and what to save instead.
 */
class UserNets9Test {
  /**
   * A CNN with torch.nn.utils.spectral_norm on every conv and linear layer: the whole model (its load-state-dict hook
   * wrapped in torch.nn.modules.module._WrappedHook, refused before as a forbidden global) and its state dict
   * ({@code weight_orig}, {@code weight_u}, {@code weight_v}: "names tensor '0.weight', which ... does not have"
   * before) read as the weights the eval-mode forward computes, {@code W / (u . (W v))}; the same layers under
   * torch.nn.utils.parametrizations.spectral_norm ({@code parametrizations.weight.original}, {@code 0._u},
   * {@code 0._v}) likewise.
   */
  @Test void spectralNormsReadAsTheirEvalModeWeights() {
    TensorFile whole = TensorFiles.read(Fixtures.path("user9_spectral_whole.pt"));
    assertThat(whole.names()).containsExactlyInAnyOrder("0.weight", "0.bias", "4.weight", "4.bias", "6.weight", "6.bias");
    WholeModels.Derived d = WholeModels.derive(whole);
    assertThat(d.spec().layers()).hasSize(7);
    assertThat(fidelity("user9_spectral_whole.pt", null, "user9_spectral", "relu")).isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("user9_spectral.pt", "user9_spectral.json", "user9_spectral", "relu"))
        .isLessThanOrEqualTo(1e-14);
    TensorFile dict = TensorFiles.read(Fixtures.path("user9_spectral.pt"));
    for (String n : whole.names()) assertThat(dict.tensor(n).data()).as(n).containsExactly(whole.tensor(n).data());
    assertThat(fidelity("user9_spectral_param.pt", "user9_spectral.json", "user9_spectral_input.npy",
        "user9_spectral_param", "relu")).isLessThanOrEqualTo(1e-14);
    // the stored weight divided by one sigma, the estimate of its largest singular value (training ran the power
    // iteration; the weight is not used as stored)
    double[] orig = TensorFiles.readRaw(Fixtures.path("user9_spectral.pt")).tensor("4.weight_orig").data();
    double[] w = dict.tensor("4.weight").data();
    double sigma = orig[0] / w[0];
    assertThat(Math.abs(sigma - 1)).isGreaterThan(0.1);
    for (int i = 0; i < w.length; i++) assertThat(orig[i]).isCloseTo(sigma * w[i], org.assertj.core.data.Offset.offset(1e-15));
  }

  /** A spectral norm whose u or v does not have the lengths of the weight's rows and columns is refused naming them. */
  @Test void aSpectralNormOfTheWrongShapesIsRefused() {
    java.util.Map<String, StoredTensor> t = new java.util.LinkedHashMap<>();
    t.put("fc.weight_orig", new StoredTensor("fc.weight_orig", Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3),
        DType.FLOAT32));
    t.put("fc.weight_u", new StoredTensor("fc.weight_u", Tensor.of(new double[] {1, 0, 0}, 3), DType.FLOAT32));
    t.put("fc.weight_v", new StoredTensor("fc.weight_v", Tensor.of(new double[] {1, 0}, 2), DType.FLOAT32));
    TensorFile f = new TensorFile("m.pt", t, java.util.List.of(), java.util.List.of());
    assertThatThrownBy(() -> SpectralNorms.apply(f)).isInstanceOf(ImportException.class)
        .hasMessageContaining("m.pt: spectral norm of 'fc.weight_orig' [2, 3]: expected 'fc.weight_u' of its 2 rows "
            + "and 'fc.weight_v' of the other 3 values (the norm over dim 0, as for a Linear or a Conv), got [3] and "
            + "[2]");
    t.put("fc.weight_u", new StoredTensor("fc.weight_u", Tensor.of(new double[] {1, 0}, 2), DType.FLOAT32));
    t.put("fc.weight_v", new StoredTensor("fc.weight_v", Tensor.of(new double[] {0, 0, 0}, 3), DType.FLOAT32));
    TensorFile zero = new TensorFile("m.pt", t, java.util.List.of(), java.util.List.of());
    assertThatThrownBy(() -> SpectralNorms.apply(zero)).isInstanceOf(ImportException.class)
        .hasMessageContaining("sigma = u . (W v) is 0.0");
    // u = e1, v = (1, 0, 0): sigma = W[0][0] = 1, the weight as stored
    t.put("fc.weight_v", new StoredTensor("fc.weight_v", Tensor.of(new double[] {1, 0, 0}, 3), DType.FLOAT32));
    TensorFile one = SpectralNorms.apply(new TensorFile("m.pt", t, java.util.List.of(), java.util.List.of()));
    assertThat(one.names()).containsExactly("fc.weight");
    assertThat(one.tensor("fc.weight").data()).containsExactly(1, 2, 3, 4, 5, 6);
  }

  /**
   * {@code nn.RReLU()} draws a random slope in [1/8, 1/3] in training and uses the mean slope 11/48 in eval mode:
   * read as leaky-relu(11/48) (it was "not supported").
   */
  @Test void rreluReadsAsTheLeakyReluOfItsMeanSlope() {
    WholeModels.Derived d = WholeModels.derive(TensorFiles.read(Fixtures.path("user9_rrelu_whole.pt")));
    assertThat(d.spec().activation()).isEqualTo("leaky-relu(" + (1.0 / 8 + 1.0 / 3) / 2 + ")");
    assertThat(d.activationModules()).containsExactly("1", "4");
    assertThat(fidelity("user9_rrelu_whole.pt", null, "user9_rrelu", d.spec().activation()))
        .isLessThanOrEqualTo(1e-14);
  }

  /**
   * ZeroPad2d(1) before an unpadded conv is the conv with padding 1; ZeroPad2d((0, 1, 0, 1)) before a stride-2 conv
   * pads only below and on the right, read as the conv with those paddings; ConstantPad2d(1, 0.0) likewise. The
   * derived spec writes the unequal paddings as [[top, bottom], [left, right]] and reads back as the same spec.
   */
  @Test void zeroPaddingModulesFoldIntoTheConvAfterThem() {
    WholeModels.Derived d = WholeModels.derive(TensorFiles.read(Fixtures.path("user9_zeropad_whole.pt")));
    assertThat(d.spec().layers()).containsExactly(new ArchSpec.Conv("1", 1, 1), new ArchSpec.BatchNorm("2", 1e-5),
        new ArchSpec.Activation(), new ArchSpec.Conv("5", 2, 2, 0, 0, 1, 1, false, new ArchSpec.Conv.Pads(0, 1, 0, 1)),
        new ArchSpec.Activation(), new ArchSpec.Conv("8", 2, 1), new ArchSpec.Activation(), new ArchSpec.Flatten(),
        new ArchSpec.Linear("11"));
    assertThat(fidelity("user9_zeropad_whole.pt", null, "user9_zeropad", "relu")).isLessThanOrEqualTo(1e-14);
    ArchSpec spec = d.withInput(new int[] {3, 16, 16});
    String json = spec.toJson();
    assertThat(json).contains("\"padding\": [[0, 1], [0, 1]]");
    ArchSpec back = ArchSpec.parse("derived.json", json);
    assertThat(back.layers()).isEqualTo(spec.layers());
    assertThat(back.input()).containsExactly(3, 16, 16);
    // the JSON spec gives the same outputs as the module tree
    TensorFile file = TensorFiles.read(Fixtures.path("user9_zeropad_whole.pt"));
    Tensor x = TensorFiles.readNpy(Fixtures.path("user9_zeropad_input.npy")).tensor();
    NetworkBuilder.Built built = NetworkBuilder.build("derived.json", ArchSpec.parse("derived.json", json), file,
        dev.ticketproof.activation.ActivationCatalog.parse("relu"), null);
    double err = FidelityTest.relativeError(Forward.forward(built.network(), x),
        TensorFiles.readNpy(Fixtures.path("user9_zeropad_output.npy")).tensor());
    assertThat(err).isLessThanOrEqualTo(1e-14);
    // padded only below and on the right at stride 2: the normal form's conv has one padding per axis, so the 3x3
    // kernel gets a zero row above and a zero column on the left (4x4, padding 1)
    Conv2d c = (Conv2d) built.network().layers().stream().filter(l -> l instanceof Conv2d).skip(1).findFirst()
        .orElseThrow();
    assertThat(new int[] {c.kernelHeight(), c.kernelWidth(), c.stride(), c.ph(), c.pw()})
        .containsExactly(4, 4, 2, 1, 1);
  }

  /**
   * Paddings the normal form does not compute are refused naming the module: a reflection padding, a constant
   * padding of another value than 0, and a zero padding before a max pooling (whose own padding is never the
   * maximum, where the zeros may be).
   */
  @Test void otherPaddingModulesAreRefusedSayingWhy() {
    assertThatThrownBy(() -> WholeModels.derive(TensorFiles.read(Fixtures.path("user9_bad_reflectpad.pt"))))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining("user9_bad_reflectpad.pt: module '0' (torch.nn.modules.padding.ReflectionPad2d): a "
            + "ReflectionPad2d pads the map with its reflection at the border, which the normal form's convs, padded "
            + "with zeros, do not compute");
    assertThatThrownBy(() -> WholeModels.derive(TensorFiles.read(Fixtures.path("user9_bad_constpad.pt"))))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining("module '0' (torch.nn.modules.padding.ConstantPad2d): value 0.5: a constant padding "
            + "of a value other than 0");
    assertThatThrownBy(() -> WholeModels.derive(TensorFiles.read(Fixtures.path("user9_bad_padpool.pt"))))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining("module '2' (torch.nn.modules.padding.ZeroPad2d) pads with zeros (top 1, bottom 1, "
            + "left 1, right 1) the input of module '3' (MaxPool2d): a zero padding is read only right before a conv");
  }

  /**
   * A JSON spec's per-side padding is checked as any entry: four integers >= 0 in two pairs; the conv it describes
   * is the one with those paddings (equal ones are the ordinary conv).
   */
  @Test void perSidePaddingInAJsonSpec() {
    ArchSpec equal = ArchSpec.parse("s.json", "{\"input\": [1, 8, 8], \"layers\": [{\"type\": \"conv2d\", \"name\": "
        + "\"0\", \"padding\": [[1, 1], [2, 2]]}]}");
    assertThat(equal.layers()).containsExactly(new ArchSpec.Conv("0", 1, 1, 1, 2, 1, 1, false));
    assertThatThrownBy(() -> ArchSpec.parse("s.json", "{\"input\": [1, 8, 8], \"layers\": [{\"type\": \"conv2d\", "
        + "\"name\": \"0\", \"padding\": [[1, -1], [0, 1]]}]}"))
        .isInstanceOf(ImportException.class).hasMessageContaining("s.json: layers[0].padding[0][1]: expected an "
            + "integer >= 0, got -1");
    assertThatThrownBy(() -> ArchSpec.parse("s.json", "{\"input\": [1, 8, 8], \"layers\": [{\"type\": \"conv2d\", "
        + "\"name\": \"0\", \"padding\": [[1, 0], 1]}]}"))
        .isInstanceOf(ImportException.class).hasMessageContaining("s.json: layers[0].padding[1]: expected [before, "
            + "after]");
  }

  /**
   * A model quantized by torch.quantization.quantize_dynamic (int8 weights, inputs quantized per batch at run time):
   * its state dict and the whole model are refused saying what they are and what to save instead (they were refused
   * as a "forbidden global 'torch.qint8'").
   */
  @Test void quantizedModelsAreRefusedSayingWhatToSave() {
    for (String f : new String[] {"user9_quantized.pt", "user9_quantized_whole.pt"}) {
      assertThatThrownBy(() -> TensorFiles.read(Fixtures.path(f))).isInstanceOf(ImportException.class)
          .hasMessageContaining(f + ": a quantized model (the pickle names torch.")
          .hasMessageContaining("Build the ticket from the float model before quantization")
          .hasMessageNotContaining("forbidden global");
    }
  }

  /** The MLP's spec, as its Sequential names the layers (Flatten, Linear 64->32, ReLU, Linear 32->10). */
  static final String MLP = "{\"input\": [1, 8, 8], \"activation\": \"relu\", \"layers\": [{\"type\": \"flatten\"}, "
      + "{\"type\": \"linear\", \"name\": \"1\"}, {\"type\": \"activation\"}, {\"type\": \"linear\", \"name\": \"3\"}]}";

  static double mlpFidelity(TensorFile file) {
    NetworkBuilder.Built built = NetworkBuilder.build("mlp.json", ArchSpec.parse("mlp.json", MLP), file,
        dev.ticketproof.activation.ActivationCatalog.parse("relu"), null);
    Tensor x = TensorFiles.readNpy(Fixtures.path("user9_ckpt_input.npy")).tensor();
    return FidelityTest.relativeError(Forward.forward(built.network(), x),
        TensorFiles.readNpy(Fixtures.path("user9_ckpt_output.npy")).tensor());
  }

  /**
   * A training loop's checkpoint with the best accuracy as a numpy float64, the losses as a numpy array and the
   * argparse options beside the state dict (refused before as a "forbidden global 'numpy.core.multiarray.scalar'"):
   * the numpy values and the Namespace are inert records, listed as skipped, and the state dict reads under
   * {@code model.} as PyTorch computes it.
   */
  @Test void aCheckpointWithNumpyValuesAndArgparseOptionsReads() {
    TensorFile f = TensorFiles.read(Fixtures.path("user9_ckpt_numpy.pt"));
    assertThat(f.skipped()).containsExactly("epoch", "optimizer.param_groups", "best_acc", "losses", "args");
    assertThat(f.names()).contains("model.1.weight", "optimizer.state.0.exp_avg");
    assertThat(mlpFidelity(f.under("model."))).isLessThanOrEqualTo(1e-14);
  }

  /**
   * The numpy globals are read only as the pickle of a scalar or an array writes them; anything else about them is
   * refused before anything is decoded, and other globals of numpy and argparse stay forbidden.
   */
  @Test void numpyValuesAreReadOnlyAsTheirPickleWritesThem() {
    String[][] cases = {
        // a scalar of something that is not a dtype; _codecs.encode to another codec; numpy.ndarray called
        {"\u0080\u0002cnumpy.core.multiarray\nscalar\nK\u0001\u0085R.", "numpy scalar needs (dtype, bytes)"},
        {"\u0080\u0002c_codecs\nencode\nX\u0001\u0000\u0000\u0000aX\u0005\u0000\u0000\u0000utf-8\u0086R.",
            "_codecs.encode needs (text, 'latin1')"},
        {"\u0080\u0002cnumpy\nndarray\n)R.", "REDUCE on a NumpyClass, which is not callable"},
        {"\u0080\u0002cnumpy\ndtype\nX\u0002\u0000\u0000\u0000f8K\u0001\u0086R.", "numpy.dtype needs (type, "
            + "align, copy)"},
        {"\u0080\u0002cargparse\nNamespace\n)R.", "REDUCE on the class argparse.Namespace"}};
    for (String[] c : cases) {
      byte[] pkl = c[0].getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
      RestrictedUnpickler u = new RestrictedUnpickler("x.pkl", new java.io.ByteArrayInputStream(pkl), pid -> null);
      assertThatThrownBy(u::loadOne).as(c[1]).isInstanceOf(ImportException.class).hasMessageContaining(c[1]);
    }
    // a numpy scalar alone is not a state dict: the message names what it is
    byte[] scalar = ("\u0080\u0002cnumpy.core.multiarray\nscalar\ncnumpy\ndtype\nX\u0002\u0000\u0000\u0000f8\u0089"
        + "\u0088\u0087R}bC\u0008\u0000\u0000\u0000\u0000\u0000\u0000\u00f0?\u0086R.")
        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    Object v = new RestrictedUnpickler("x.pkl", new java.io.ByteArrayInputStream(scalar), pid -> null).loadOne();
    assertThat(RestrictedUnpickler.describe(v)).isEqualTo("a numpy f8 scalar");
  }

  /** The state dict written with pickle protocol 4 (FRAME, MEMOIZE, SHORT_BINUNICODE) reads as with protocol 2. */
  @Test void aStateDictOfPickleProtocol4Reads() {
    TensorFile f = TensorFiles.read(Fixtures.path("user9_ckpt_protocol4.pt"));
    assertThat(f.names()).containsExactly("1.weight", "1.bias", "3.weight", "3.bias");
    assertThat(mlpFidelity(f)).isLessThanOrEqualTo(1e-14);
  }
}
