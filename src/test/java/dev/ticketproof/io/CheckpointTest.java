package dev.ticketproof.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.limits.BadParameter;
import dev.ticketproof.net.Forward;
import dev.ticketproof.targets.Architectures;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Networks saved as training code saves them (fixtures made by make_fixtures.py): checkpoint dicts, DataParallel
 * state dicts and whole models ({@code torch.save(model)}), read under the name prefix found for the architecture and
 * evaluated against PyTorch's outputs; and the errors when no prefix, or more than one, fits.
 */
class CheckpointTest {
  @TempDir Path tmp;

  static TargetLoader.Loaded load(String target, String arch, String prefix, String input) {
    Tensor x = TensorFiles.readNpy(Fixtures.path(input)).tensor();
    int[] example = Arrays.copyOfRange(x.shape(), 1, x.rank());
    return TargetLoader.load(Fixtures.path(target), arch, prefix, "relu", example, "the input", true);
  }

  static double error(TargetLoader.Loaded loaded, String input, String output) {
    Tensor x = TensorFiles.readNpy(Fixtures.path(input)).tensor();
    Tensor y = Forward.forward(loaded.built().network(), x);
    return FidelityTest.relativeError(y, TensorFiles.readNpy(Fixtures.path(output)).tensor());
  }

  @Test void checkpointsOfOneNetworkAreReadUnderTheirPrefixesAndReproducePyTorch() {
    Map<String, String> prefixes = new LinkedHashMap<>();
    prefixes.put("ckpt_lightning.pt", "state_dict.model.");
    prefixes.put("ckpt_loop.pt", "model.");
    prefixes.put("ckpt_dataparallel.pt", "module.");
    prefixes.put("ckpt_whole_sequential.pt", "");
    for (var e : prefixes.entrySet()) {
      TargetLoader.Loaded loaded = load(e.getKey(), "synflow-conv", null, "ckpt_input.npy");
      assertThat(loaded.prefix()).as(e.getKey()).isEqualTo(e.getValue());
      assertThat(loaded.prefixDetected()).as(e.getKey()).isEqualTo(!e.getValue().isEmpty());
      double err = error(loaded, "ckpt_input.npy", "ckpt_output.npy");
      System.out.printf("fidelity %s (prefix '%s'): max relative error %.3g%n", e.getKey(), e.getValue(), err);
      assertThat(err).as(e.getKey()).isLessThanOrEqualTo(FidelityTest.TOLERANCE);
      assertThat(loaded.built().rows()).hasSize(6);
    }
  }

  @Test void optimizerStateIsReadUnderIntegerKeysAndDoesNotConfuseThePrefix() {
    TensorFile f = TensorFiles.read(Fixtures.path("ckpt_loop.pt"));
    assertThat(f.names()).contains("optimizer.state.0.momentum_buffer", "optimizer.state.5.momentum_buffer",
        "model.0.weight");
    assertThat(f.skipped()).contains("epoch", "optimizer.param_groups");
    TargetLoader.Loaded loaded = load("ckpt_loop.pt", "synflow-conv", null, "ckpt_input.npy");
    assertThat(loaded.built().unusedTensors()).containsExactly("optimizer.state.0.momentum_buffer",
        "optimizer.state.1.momentum_buffer", "optimizer.state.2.momentum_buffer", "optimizer.state.3.momentum_buffer",
        "optimizer.state.4.momentum_buffer", "optimizer.state.5.momentum_buffer");
    TensorFile lightning = TensorFiles.read(Fixtures.path("ckpt_lightning.pt"));
    assertThat(lightning.skipped()).contains("epoch", "global_step", "pytorch-lightning_version",
        "optimizer_states", "lr_schedulers", "hyper_parameters.lr");
  }

  @Test void wholeModelsGiveTheStateDictsNamesAndValues() {
    TensorFile whole = TensorFiles.read(Fixtures.path("ckpt_whole_sequential.pt"));
    TensorFile dp = TensorFiles.read(Fixtures.path("ckpt_dataparallel.pt")).under("module.");
    assertThat(whole.names()).containsExactlyElementsOf(dp.names());
    for (String n : whole.names()) {
      assertThat(whole.tensor(n).data()).as(n).containsExactly(dp.tensor(n).data());
    }
    // the legacy format names each module class in a persistent id ('module', class, file, source)
    TensorFile legacy = TensorFiles.read(Fixtures.path("ckpt_whole_sequential_legacy.pt"));
    assertThat(legacy.names()).containsExactlyElementsOf(dp.names());
    for (String n : legacy.names()) {
      assertThat(legacy.tensor(n).data()).as(n).containsExactly(dp.tensor(n).data());
    }
    // a class of the script's own (__main__.CustomNet) with nested Sequentials; the non-persistent buffer is left out
    TensorFile custom = TensorFiles.read(Fixtures.path("ckpt_whole_custom.pt"));
    assertThat(custom.names()).containsExactly("features.0.weight", "features.0.bias", "features.1.weight",
        "features.1.bias", "features.1.running_mean", "features.1.running_var", "features.1.num_batches_tracked",
        "features.4.weight", "features.4.bias", "classifier.1.weight", "classifier.1.bias", "classifier.3.weight",
        "classifier.3.bias");
    TargetLoader.Loaded loaded = load("ckpt_whole_custom.pt", Fixtures.path("ckpt_whole_custom.json").toString(),
        null, "ckpt_whole_custom_input.npy");
    double err = error(loaded, "ckpt_whole_custom_input.npy", "ckpt_whole_custom_output.npy");
    System.out.printf("fidelity ckpt_whole_custom.pt: max relative error %.3g%n", err);
    assertThat(err).isLessThanOrEqualTo(FidelityTest.TOLERANCE);
  }

  /** The fixture's tensors renamed: each name {@code n} becomes {@code p + n} for every prefix {@code p} given. */
  static TensorFile renamed(String fixture, String... prefixes) {
    TensorFile f = TensorFiles.read(Fixtures.path(fixture));
    Map<String, StoredTensor> out = new LinkedHashMap<>();
    for (String p : prefixes) {
      for (StoredTensor t : f.tensors().values()) out.put(p + t.name(), new StoredTensor(p + t.name(), t.tensor(),
          t.dtype()));
    }
    return new TensorFile("renamed.pt", out, List.of(), List.of());
  }

  @Test void presetsAndSpecsFindTheOnePrefixUnderWhichAllTheirNamesAre() {
    for (String p : new String[] {"_orig_mod.", "model.module.", "state_dict.model.", "a.b.c.d."}) {
      for (String arch : new String[] {"openlth-cifar-resnet", Fixtures.path("openlth_resnet.json").toString()}) {
        Architectures.Resolved r = Architectures.resolve(arch, renamed("openlth_resnet.pt", p), null, null);
        assertThat(r.prefix()).as(p + " " + arch).isEqualTo(p);
        assertThat(r.detected()).isTrue();
        assertThat(r.spec().requiredTensors()).allMatch(r.tensors()::has);
      }
    }
    // names as they are come first, even when a prefix would fit too
    Architectures.Resolved plain = Architectures.resolve("synflow-conv", renamed("synflow_conv.pt", "", "ema."),
        null, null);
    assertThat(plain.prefix()).isEmpty();
    assertThat(plain.detected()).isFalse();
  }

  @Test void severalFittingPrefixesAreAnErrorNamingThem() {
    TensorFile two = renamed("openlth_resnet.pt", "model.", "ema.model.");
    for (String arch : new String[] {"openlth-cifar-resnet", Fixtures.path("openlth_resnet.json").toString()}) {
      assertThatThrownBy(() -> Architectures.resolve(arch, two, null, null)).isInstanceOf(BadParameter.class)
          .hasMessageContaining("prefix not given").hasMessageContaining("under several prefixes: 'model.', "
              + "'ema.model.' (give one)");
      assertThat(Architectures.resolve(arch, two, null, "ema.model").prefix()).isEqualTo("ema.model.");
    }
  }

  @Test void aGivenPrefixMustMatchSomeName() {
    TensorFile f = TensorFiles.read(Fixtures.path("ckpt_lightning.pt"));
    assertThatThrownBy(() -> Architectures.resolve("synflow-conv", f, null, "model.")).isInstanceOf(
        BadParameter.class).hasMessageContaining("prefix 'model.': no tensor of ")
        .hasMessageContaining("its names begin with 'state_dict.'");
    // a prefix with tensors under it, but not the ones needed: the usual missing-tensor error, naming the prefix
    assertThatThrownBy(() -> TargetLoader.load(Fixtures.path("ckpt_loop.pt"),
        Fixtures.path("synflow_conv.json").toString(), "optimizer", "relu", null, "the input", true))
        .isInstanceOf(ImportException.class).hasMessageContaining("names tensor '0.weight', which ")
        .hasMessageContaining("ckpt_loop.pt (under prefix 'optimizer.') does not have");
    // "" means the names as they are: no search
    assertThatThrownBy(() -> Architectures.resolve("synflow-conv", f, null, "")).isInstanceOf(
        ImportException.class).hasMessageContaining("no tensors named N.weight");
  }

  @Test void withoutAFittingPrefixTheErrorIsTheOneForTheNamesAsTheyAre() {
    assertThatThrownBy(() -> Architectures.resolve("openlth-cifar-resnet",
        TensorFiles.read(Fixtures.path("ckpt_loop.pt")), null, null)).isInstanceOf(ImportException.class)
        .hasMessageContaining("no tensor 'conv.weight' (expected open_lth's names");
  }

  // ------------------------------------------------------------------ hostile whole-model pickles

  /** A protocol-2 pickle of modules of class {@code __main__.M}, written by hand. */
  static final class Modules {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Modules raw(String s) {
      out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
      return this;
    }

    Modules str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      return raw("X").raw(new String(new byte[] {(byte) b.length, 0, 0, 0}, StandardCharsets.ISO_8859_1)).raw(s);
    }

    /** Opens a module (NEWOBJ, memoized as {@code memo}) and its state up to the items of {@code _modules}. */
    Modules open(int memo) {
      return raw("c__main__\nM\n)\u0081q" + (char) memo + "}(").str("_parameters").raw("}").str("_buffers")
          .raw("}").str("_modules").raw("}(");
    }

    /** Closes {@code _modules}, the state dict, and BUILDs. */
    Modules close() { return raw("uub"); }

    byte[] bytes() { return raw(".").out.toByteArray(); }
  }

  Path zipped(String name, byte[] pickle) throws IOException {
    return Hostile.torchZip(tmp.resolve(name), pickle, new byte[0], false);
  }

  @Test void objectsOfDictSubclassesAreReadAsDicts() throws IOException {
    // {"hparams": HParams(lr=1)}: NEWOBJ of a dict subclass, then SETITEMS into it
    Path p = zipped("hparams.pt", new Modules().raw("\u0080\u0002}(").str("hparams").raw("c__main__\nHParams\n)\u0081(")
        .str("lr").raw("K\u0001uu").bytes());
    assertThat(TensorFiles.read(p).skipped()).containsExactly("hparams.lr");
  }

  /** torch.device(type, index) is an inert record (skipped in a dict); any other call of it is refused. */
  @Test void devicesAreDataAndOnlyTypeAndIndex() throws IOException {
    // {"dev": torch.device("cuda", 0)}: GLOBAL torch device, then REDUCE with ("cuda", 0)
    Path p = zipped("device.pt", new Modules().raw("\u0080\u0002}(").str("dev").raw("ctorch\ndevice\n")
        .str("cuda").raw("K\u0000\u0086Ru.").bytes());
    assertThat(TensorFiles.read(p).skipped()).containsExactly("dev");
    // torch.device("cuda", "x"): not a device index
    Path bad = zipped("baddevice.pt", new Modules().raw("\u0080\u0002}(").str("dev").raw("ctorch\ndevice\n")
        .str("cuda").str("x").raw("\u0086Ru.").bytes());
    assertThatThrownBy(() -> TensorFiles.read(bad)).isInstanceOf(ImportException.class)
        .hasMessageContaining("torch.device needs (type) or (type, index), got a tuple of 2");
  }

  @Test void cyclicOrExponentialModuleTreesAreRejected() throws IOException {
    // a module that is its own submodule
    Path cyclic = zipped("cyclic.pt", new Modules().raw("\u0080\u0002").open(0).str("self").raw("h\u0000").close()
        .bytes());
    assertThatThrownBy(() -> TensorFiles.read(cyclic)).isInstanceOf(ImportException.class)
        .hasMessageContaining("modules nested too deeply or cyclic at 'self.'");
    // 24 levels, each holding the next one twice: 2^24 paths through 25 objects
    Modules m = new Modules().raw("\u0080\u0002").open(0).close().raw("0");
    for (int i = 1; i <= 24; i++) {
      m.open(i).str("a").raw("h" + (char) (i - 1)).str("b").raw("h" + (char) (i - 1)).close();
      if (i < 24) m.raw("0");
    }
    Path dag = zipped("dag.pt", m.bytes());
    assertThatThrownBy(() -> TensorFiles.read(dag)).isInstanceOf(ImportException.class)
        .hasMessageContaining("more than 65536 dicts and modules to read");
    // a submodule that is not a module, and a parameter that is not a tensor
    Path notModule = zipped("notmodule.pt", new Modules().raw("\u0080\u0002").open(0).str("x").raw("K\u0001")
        .close().bytes());
    assertThatThrownBy(() -> TensorFiles.read(notModule)).isInstanceOf(ImportException.class)
        .hasMessageContaining("module '' (__main__.M) has a submodule entry 'x' that is not a named module but 1");
    // an object that is not a module at the top
    Path object = zipped("object.pt", "\u0080\u0002c__main__\nM\n)\u0081}b.".getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> TensorFiles.read(object)).isInstanceOf(ImportException.class)
        .hasMessageContaining("a whole model (an nn.Module), a tensor, or a list or tuple of tensors, got an object "
            + "of class __main__.M");
  }
}
