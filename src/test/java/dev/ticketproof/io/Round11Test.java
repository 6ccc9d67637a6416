package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.targets.Presets;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.targets.WholeModels;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The eleventh round's networks (fixtures {@code round11_*}, made by train_round11.py): a checkpoint with a
 * OneCycleLR scheduler's state, torchvision's Conv2dNormActivation and MLP, lazy modules, a channels_last model, a
 * model soup whose tensors are views of one storage, an orthogonal parametrization, and ceil_mode poolings.
 * References: PyTorch's float64 forward pass on the stored weights.
 */
class Round11Test {
  private static final String DIGITS = "round11_digits_input.npy";

  private static WholeModels.Derived derive(String file) {
    return WholeModels.derive(TensorFiles.read(Fixtures.path(file)));
  }

  private static Object unpickle(String pickle) {
    byte[] pkl = pickle.getBytes(StandardCharsets.ISO_8859_1);
    return new RestrictedUnpickler("x.pkl", new ByteArrayInputStream(pkl), pid -> null).loadOne();
  }

  /**
   * A training loop's checkpoint {'epoch', 'model_state', 'optim', 'scheduler'} with OneCycleLR's state, which in
   * PyTorch before 2.0 holds its bound method anneal_func (getattr of the scheduler, with its SGD optimizer and the
   * optimizer's defaultdict keyed by parameters): read, the model's tensors under 'model_state.', the scheduler's
   * values listed as skipped, and the network PyTorch's.
   */
  @Test void aCheckpointWithOneCycleLrsStateIsRead() {
    TensorFile f = TensorFiles.read(Fixtures.path("round11_onecycle_ckpt.pt"));
    assertThat(f.names()).contains("model_state.0.weight", "model_state.6.bias",
        "optim.state.0.momentum_buffer");
    assertThat(f.skipped()).contains("scheduler.anneal_func", "scheduler.total_steps", "epoch");
    assertThat(fidelity("round11_onecycle_ckpt.pt", "round11_onecycle.json", DIGITS, "round11_onecycle", "relu"))
        .isLessThanOrEqualTo(1e-14);
  }

  /**
   * The objects themselves in a checkpoint, {'epoch', 'model': model, 'optimizer': opt, 'scheduler': sched} (before:
   * forbidden global 'torch.optim.sgd.SGD'): the whole model is read under 'model.' (its module tree gives the
   * architecture, the network of the state dict with its spec), the optimizer and the scheduler are skipped.
   */
  @Test void aCheckpointOfTheModelOptimizerAndSchedulerObjectsIsRead() {
    TensorFile f = TensorFiles.read(Fixtures.path("round11_onecycle_objs.pt"));
    assertThat(f.skipped()).containsExactly("epoch", "optimizer", "scheduler");
    assertThat(f.modelPrefix()).isEqualTo("model.");
    assertThat(WholeModels.derive(f).spec().layers()).isEqualTo(ArchSpec.parse("s.json", "{\"input\": [1, 8, 8], "
        + "\"activation\": \"relu\", \"layers\": [{\"type\": \"conv2d\", \"name\": \"0\", \"padding\": 1}, "
        + "{\"type\": \"activation\"}, {\"type\": \"maxpool2d\", \"kernel\": 2}, {\"type\": \"flatten\"}, "
        + "{\"type\": \"linear\", \"name\": \"4\"}, {\"type\": \"activation\"}, {\"type\": \"linear\", "
        + "\"name\": \"6\"}]}").layers());
    assertThat(fidelity("round11_onecycle_objs.pt", null, DIGITS, "round11_onecycle", "relu"))
        .isLessThanOrEqualTo(1e-14);
  }

  /**
   * What the scheduler's state needs stays inert: getattr only of an object and a name, the bound method it makes is
   * never called, a defaultdict's factory only a built-in type (never called), torch.optim's classes never called,
   * and other names of torch.optim stay forbidden.
   */
  @Test void theSchedulersRecordsAreInert() {
    Object bound = unpickle("\u0080\u0002c__builtin__\ngetattr\nc__main__\nNet\n)\u0081X\u0001\u0000\u0000\u0000f"
        + "\u0086R.");
    assertThat(bound).isEqualTo(new RestrictedUnpickler.BoundMethod(new RestrictedUnpickler.ClassStub("__main__",
        "Net"), "f"));
    Object dd = unpickle("\u0080\u0002ccollections\ndefaultdict\nc__builtin__\ndict\n\u0085R}b.");
    assertThat(dd).isInstanceOf(Map.class);
    String[][] refused = {
        {"\u0080\u0002c__builtin__\ngetattr\nX\u0001\u0000\u0000\u0000aX\u0001\u0000\u0000\u0000b\u0086R.",
            "getattr needs (an object, an attribute name)"},
        {"\u0080\u0002c__builtin__\ngetattr\nc__main__\nNet\n)\u0081X\u0001\u0000\u0000\u0000f\u0086R)R.",
            "REDUCE on a BoundMethod, which is not callable"},
        {"\u0080\u0002ccollections\ndefaultdict\nc__builtin__\ngetattr\n\u0085R.", "collections.defaultdict needs"},
        {"\u0080\u0002c__builtin__\ndict\n)R.", "REDUCE on a BuiltinType, which is not callable"},
        {"\u0080\u0002ctorch.optim.sgd\nSGD\n)R.", "REDUCE on the class torch.optim.sgd.SGD"},
        {"\u0080\u0002ctorch.optim.lr_scheduler\n_get_closed_form_lr\n.", "forbidden global"},
        {"\u0080\u0002c__builtin__\nopen\n.", "forbidden global '__builtin__.open'"}};
    for (String[] c : refused) {
      assertThatThrownBy(() -> unpickle(c[0])).as(c[1]).isInstanceOf(ImportException.class)
          .hasMessageContaining(c[1]);
    }
  }

  /**
   * torchvision's Conv2dNormActivation blocks and its MLP head are Sequentials that keep nn.Sequential's forward: read
   * in order (conv without bias, BatchNorm, ReLU; Linear, ReLU, Dropout, Linear, Dropout), and PyTorch's outputs; a
   * class of the user's code with the same name is not taken for one.
   */
  @Test void torchvisionsSequentialBlocksAreReadInOrder() {
    WholeModels.Derived d = derive("round11_tvblocks_whole.pt");
    assertThat(d.spec().layers()).startsWith(new ArchSpec.Conv("0.0", 1, 1), new ArchSpec.BatchNorm("0.1", 1e-5),
        new ArchSpec.Activation(), new ArchSpec.Conv("1.0", 2, 1));
    assertThat(d.spec().layers()).endsWith(new ArchSpec.Flatten(), new ArchSpec.Linear("4.0"),
        new ArchSpec.Activation(), new ArchSpec.Linear("4.3"));
    assertThat(fidelity("round11_tvblocks_whole.pt", null, "round11_shapes_input.npy", "round11_tvblocks", "relu"))
        .isLessThanOrEqualTo(1e-14);
    TorchModule own = new TorchModule("__main__.Conv2dNormActivation", Map.of(), List.of(), 0);
    assertThat(own.isSequential()).isFalse();
    assertThat(new TorchModule("torchvision.ops.misc.MLP", Map.of(), List.of(), 0).isSequential()).isTrue();
  }

  /**
   * Read as they were, to PyTorch's float64 outputs: lazy modules (after their first forward they are Conv2d and
   * Linear), a model trained and saved in channels_last (its conv weights strided views), and a model soup whose
   * parameters are views of one averaged vector (state dict with its spec, and whole).
   */
  @Test void lazyChannelsLastAndViewsOfOneStorageReadAsPyTorch() {
    assertThat(fidelity("round11_lazy_whole.pt", null, DIGITS, "round11_lazy", "relu")).isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("round11_chlast_whole.pt", null, "round11_shapes_input.npy", "round11_chlast", "relu"))
        .isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("round11_soup_sd.pt", "round11_soup.json", DIGITS, "round11_soup", "relu"))
        .isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("round11_soup_whole.pt", null, DIGITS, "round11_soup", "relu")).isLessThanOrEqualTo(1e-14);
  }

  /**
   * An orthogonal parametrization's state dict holds the weight only as 'original' and a 'base', from which its
   * forward computes it: refused naming the tensors and what to save; saved after remove_parametrizations, read.
   */
  @Test void anOrthogonalParametrizationIsRefusedSayingWhatToSave() {
    assertThatThrownBy(() -> TargetLoader.load(Fixtures.path("round11_orth_sd.pt"),
        Fixtures.path("round11_orth.json").toString(), null, null, true))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining("names tensor '3.weight', which ")
        .hasMessageContaining("holds only as a parametrization (torch.nn.utils.parametrize): "
            + "'3.parametrizations.weight.original', '3.parametrizations.weight.0.base'")
        .hasMessageContaining("torch.nn.utils.parametrize.remove_parametrizations(module, 'weight')");
    assertThat(fidelity("round11_orth_plain_sd.pt", "round11_orth.json", DIGITS, "round11_orth", "relu"))
        .isLessThanOrEqualTo(1e-14);
  }

  /**
   * The synflow-conv preset reads the numbered modules' N.weight: on the orthogonal state dict it left layer 3 (no
   * '3.weight', its 32x32 weight held as a parametrization) out of the chain and built linear 64->32 -> linear 32->10,
   * a network the file does not compute, without a word. A numbered module with tensors but no N.weight is now
   * refused naming it (the parametrization's message), as is a bias alone.
   */
  @Test void thePresetDoesNotLeaveOutALayerWithoutItsWeight() {
    assertThatThrownBy(() -> TargetLoader.load(Fixtures.path("round11_orth_sd.pt"), "synflow-conv", "relu", null,
        true)).isInstanceOf(ImportException.class)
        .hasMessageContaining("synflow-conv on ")
        .hasMessageContaining("layer 3 needs tensor '3.weight', which ")
        .hasMessageContaining("holds only as a parametrization");
    TensorFile plain = TensorFiles.read(Fixtures.path("round11_orth_plain_sd.pt"));
    java.util.Map<String, StoredTensor> cut = new java.util.LinkedHashMap<>(plain.tensors());
    cut.remove("3.weight");
    TensorFile biasAlone = new TensorFile("cut.pt", cut, List.of(), List.of(), null, "");
    assertThatThrownBy(() -> Presets.infer(Presets.SYNFLOW_CONV, biasAlone, null)).isInstanceOf(ImportException.class)
        .hasMessageContaining("synflow-conv on cut.pt: tensor '3.bias' belongs to module 3, which has no tensor "
            + "'3.weight'");
    assertThat(TargetLoader.load(Fixtures.path("round11_orth_plain_sd.pt"), "synflow-conv", "relu", null, true)
        .built().network().layers()).hasSize(5);
  }

  /**
   * ceil_mode=True where PyTorch adds no window (28 -> 14 -> 7 by MaxPool2d(2), 7 -> 3 by AvgPool2d(3, 2)) is read as
   * the same pooling, and the spec says so and reads back; where it adds one (MaxPool2d(2) on 7x7) it is refused
   * naming the layer, the map and the window.
   */
  @Test void ceilModeIsReadWhereItAddsNoWindowAndRefusedWhereItDoes() {
    WholeModels.Derived d = derive("round11_ceil_whole.pt");
    assertThat(d.spec().layers()).contains(new ArchSpec.MaxPool(2, 2, 2, 2, 0, 0, true),
        new ArchSpec.AvgPool(3, 3, 2, 2, true));
    assertThat(d.spec().toJson()).contains("\"ceilMode\": true");
    assertThat(ArchSpec.parse("s.json", d.spec().toJson())).usingRecursiveComparison().isEqualTo(d.spec());
    assertThat(d.inferredInput()).containsExactly(1, 28, 28);
    assertThat(fidelity("round11_ceil_whole.pt", null, "round11_d28_input.npy", "round11_ceil", "relu"))
        .isLessThanOrEqualTo(1e-14);
    assertThatThrownBy(() -> TargetLoader.load(Fixtures.path("round11_ceiladds_whole.pt"), null, null,
        new int[] {1, 28, 28}, "the input", true)).isInstanceOf(ImportException.class)
        .hasMessageContaining("layer 6, on its input [8, 7, 7]")
        .hasMessageContaining("max pooling with ceil_mode=True (kernel 2, stride 2): on 7 rows PyTorch adds a last "
            + "window, rows 6 to 7, which runs past the input (4 windows where the normal form's pooling has "
            + "floor((7 + 2 x 0 - 2) / 2) + 1 = 3)");
  }

  /**
   * The rule against PyTorch's output size (aten's pooling_output_shape): with ceil_mode, ceil((L + 2p - k) / s) + 1,
   * less one when the last window would start at or after L + p. A pooling with ceil_mode is refused on a side exactly
   * when that differs from the floor's count, over sides 1 to 24, windows 1 to 5, strides 1 to 4 and paddings up to
   * half the window.
   */
  @Test void ceilModeIsRefusedExactlyWherePyTorchCountsAnotherWindow() {
    int checked = 0;
    int differ = 0;
    for (int len = 1; len <= 24; len++) {
      for (int k = 1; k <= 5; k++) {
        for (int s = 1; s <= 4; s++) {
          for (int p = 0; 2 * p <= k; p++) {
            if (len + 2 * p < k) continue;
            int floor = Math.floorDiv(len + 2 * p - k, s) + 1;
            int ceil = Math.floorDiv(len + 2 * p - k + s - 1, s) + 1;
            if ((ceil - 1) * s >= len + p) ceil--;
            int[] in = {1, len, 3};
            boolean refused;
            try {
              ArchSpec.AvgPool.ceilWindows("max", in, k, 1, s, 1, p, 0);
              refused = false;
            } catch (ShapeRefusal e) {
              refused = true;
            }
            assertThat(refused).as("L %d k %d s %d p %d", len, k, s, p).isEqualTo(ceil != floor);
            checked++;
            if (ceil != floor) differ++;
          }
        }
      }
    }
    assertThat(checked).isGreaterThan(1000);
    assertThat(differ).isGreaterThan(100);
  }
}
