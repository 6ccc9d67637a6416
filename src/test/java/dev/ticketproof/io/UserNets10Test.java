package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.targets.WholeModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Classifiers that end in a function on their outputs (fixtures {@code user10_*}, made by train_user_nets10.py, and
 * the seventh round's {@code user7_sigmoid_out} and {@code user7_tanh_out}): the function is read as the network's
 * output activation, left out of the layers the constructions approximate and applied after them.
 */
class UserNets10Test {
  private static WholeModels.Derived derive(String file) {
    return WholeModels.derive(TensorFiles.read(Fixtures.path(file)));
  }

  /**
   * A final nn.Sigmoid, nn.LogSoftmax(dim=1) and nn.Softmax(dim=-1) are the output activation, the layers end with
   * the last linear layer, and the network computes PyTorch's outputs with it.
   */
  @Test void aFinalSigmoidSoftmaxOrLogSoftmaxIsTheOutputActivation() {
    String[][] cases = {{"sigmoid", "sigmoid", "relu"}, {"logsoftmax", "log-softmax", "relu"},
        {"softmax", "softmax", "tanh"}};
    for (String[] c : cases) {
      String file = "user10_" + c[0] + "_whole.pt";
      WholeModels.Derived d = derive(file);
      assertThat(d.spec().outputActivation()).as(file).isEqualTo(c[1]);
      assertThat(d.spec().activation()).as(file).isEqualTo(c[2]);
      List<ArchSpec.LayerSpec> layers = d.spec().layers();
      assertThat(layers.get(layers.size() - 1)).as(file).isInstanceOf(ArchSpec.Linear.class);
      assertThat(fidelity(file, null, "user10_" + c[0], c[2])).as(file).isLessThanOrEqualTo(1e-13);
      TargetLoader.Loaded loaded = TargetLoader.load(Fixtures.path(file), null, null, null, true);
      assertThat(loaded.built().network().outputActivation().name()).isEqualTo(c[1]);
    }
    // the derived spec, written as JSON and read back, names it too
    ArchSpec spec = derive("user10_softmax_whole.pt").spec();
    assertThat(spec.toJson()).contains("\"outputActivation\": \"softmax\"");
    assertThat(ArchSpec.parse("s.json", spec.toJson())).usingRecursiveComparison().isEqualTo(spec);
  }

  /**
   * The seventh round's binary classifier (ReLU inside, a final Sigmoid) and regression net (Tanh inside and on the
   * outputs), refused before, read with one activation inside and the final one on the outputs.
   */
  @Test void aFinalActivationOtherThanTheOneInsideIsNotASecondActivation() {
    WholeModels.Derived s = derive("user7_sigmoid_out_whole.pt");
    assertThat(s.spec().activation()).isEqualTo("relu");
    assertThat(s.spec().outputActivation()).isEqualTo("sigmoid");
    assertThat(s.activationModules()).containsExactly("2");
    WholeModels.Derived t = derive("user7_tanh_out_whole.pt");
    assertThat(t.spec().activation()).isEqualTo("tanh");
    assertThat(t.spec().outputActivation()).isEqualTo("tanh");
    assertThat(t.activationModules()).containsExactly("1");
  }

  /**
   * A custom module (features and classifier Sequentials, a final nn.LogSoftmax assigned last): inspect's draft names
   * the log-softmax as its output activation, and the draft, saved as a JSON spec, computes PyTorch's outputs.
   */
  @Test void aCustomModulesDraftEndsInItsOutputActivation(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
      throws java.io.IOException {
    TensorFile file = TensorFiles.read(Fixtures.path("user10_custom_whole.pt"));
    WholeModels.Derived d = WholeModels.draft(file);
    assertThat(d).isNotNull();
    assertThat(d.spec().outputActivation()).isEqualTo("log-softmax");
    assertThat(d.spec().layers().get(d.spec().layers().size() - 1)).isEqualTo(new ArchSpec.Linear("classifier.2"));
    java.nio.file.Path spec = tmp.resolve("custom.json");
    java.nio.file.Files.writeString(spec, d.withInput(null).toJson());
    dev.ticketproof.tensor.Tensor x = TensorFiles.readNpy(Fixtures.path("user10_custom_input.npy")).tensor();
    double[] y = TargetLoader.load(Fixtures.path("user10_custom_whole.pt"), spec.toString(), null, null, true)
        .built().network().outputs(x).data();
    double[] ref = TensorFiles.readNpy(Fixtures.path("user10_custom_output.npy")).tensor().data();
    assertThat(y).hasSameSizeAs(ref);
    for (int i = 0; i < y.length; i++) assertThat(Math.abs(y[i] - ref[i])).isLessThan(1e-12);
  }

  /** A softmax over a feature map's rows, a layer after a softmax, and an unknown output activation are refused. */
  @Test void aSoftmaxNotOverTheChannelsOrNotLastIsRefused() {
    assertThatThrownBy(() -> derive("user10_bad_softmax_dim.pt")).isInstanceOf(ImportException.class)
        .hasMessageContaining("user10_bad_softmax_dim.pt: module '3' (torch.nn.modules.activation.Softmax): dim 2: "
            + "the normalisation must run over the output channels (dim 1, or -1 on a batch of vectors)");
    assertThatThrownBy(() -> derive("user10_bad_softmax_notlast.pt")).isInstanceOf(ImportException.class)
        .hasMessageContaining("user10_bad_softmax_notlast.pt: module '3' (torch.nn.modules.activation.Softmax): a "
            + "layer follows it (linear): a softmax is read only as the last module, on the outputs");
    assertThatThrownBy(() -> ArchSpec.parse("s.json", "{\"layers\": [{\"type\": \"linear\", \"name\": \"0\"}], "
        + "\"outputActivation\": \"softmin\"}")).isInstanceOf(ImportException.class)
        .hasMessageContaining("s.json: outputActivation: \"softmin\": ").hasMessageContaining("(or softmax, log-softmax)");
  }
}
