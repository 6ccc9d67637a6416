package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.net.Forward;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.targets.WholeModels;
import dev.ticketproof.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Networks trained as users train theirs, in the layouts a third round brought (fixtures {@code user3_*}, made by
 * train_user_nets3.py): an MLP on images with nn.Flatten first and bias-free linear layers before BatchNorm1d, a
 * float16 state dict in the legacy format, and custom modules holding Sequentials, whose draft architecture is what
 * their forward computes.
 */
class UserNets3Test {
  @TempDir Path tmp;

  /**
   * nn.Flatten first, Linear(bias=False) then BatchNorm1d, ReLU and Dropout: a vector input, fed with the digits as
   * 1x8x8 images; evaluates as PyTorch's float64 forward pass.
   */
  @Test void anMlpWithFlattenFirstAndBiasFreeLinearLayersEvaluatesAsPyTorch() {
    TensorFile file = TensorFiles.read(Fixtures.path("user3_flatmlp_whole.pt"));
    assertThat(file.has("1.bias")).isFalse();
    WholeModels.Derived d = WholeModels.derive(file);
    assertThat(d.spec().layers()).startsWith(new ArchSpec.Flatten(), new ArchSpec.Linear("1"),
        new ArchSpec.BatchNorm("2", 1e-5), new ArchSpec.Activation(), new ArchSpec.Linear("5"));
    assertThat(d.inferredInput()).containsExactly(64);
    assertThat(fidelity("user3_flatmlp_whole.pt", null, "user3_flatmlp", "relu")).isLessThanOrEqualTo(1e-12);
  }

  /** A state dict saved in float16 with _use_new_zipfile_serialization=False, read with its JSON spec. */
  @Test void aFloat16StateDictInTheLegacyFormatEvaluatesAsPyTorch() {
    TensorFile file = TensorFiles.read(Fixtures.path("user3_mish_f16_legacy.pt"));
    assertThat(file.tensors().values()).allSatisfy(t -> assertThat(t.dtype()).isEqualTo(DType.FLOAT16));
    assertThat(fidelity("user3_mish_f16_legacy.pt", "user3_mish.json", "user3_mish", "mish"))
        .isLessThanOrEqualTo(1e-12);
  }

  /**
   * A custom module at the root is refused as the architecture (its forward is code), and its draft, the submodules
   * in the order they were assigned with a flatten before the first linear layer after a conv, is what the forward
   * of these models computes: the features/classifier model evaluates as PyTorch with it, and the draft of the
   * committed custom model is its hand-written spec.
   */
  @Test void aCustomModuleHoldingSequentialsHasADraftThatComputesItsForward() throws IOException {
    TensorFile split = TensorFiles.read(Fixtures.path("user3_split_whole.pt"));
    assertThatThrownBy(() -> WholeModels.derive(split)).isInstanceOf(ImportException.class)
        .hasMessageContaining("the whole model is a __main__.Split, not an nn.Sequential")
        .hasMessageContaining("inspect prints a draft");
    WholeModels.Derived d = WholeModels.draft(split);
    assertThat(d.spec().layers()).containsExactly(new ArchSpec.Conv("features.0", 1, 1), new ArchSpec.Activation(),
        new ArchSpec.MaxPool(2, 2, 0), new ArchSpec.Flatten(), new ArchSpec.Linear("classifier.0"),
        new ArchSpec.Activation(), new ArchSpec.Linear("classifier.2"));
    assertThat(d.inferredInput()).containsExactly(1, 8, 8);
    assertThat(drafted("user3_split_whole.pt", d, "user3_split")).isLessThanOrEqualTo(1e-12);

    WholeModels.Derived w = WholeModels.draft(TensorFiles.read(Fixtures.path("user3_wrapped_whole.pt")));
    assertThat(w.spec().layers()).containsExactly(new ArchSpec.Flatten(), new ArchSpec.Linear("net.1"),
        new ArchSpec.Activation(), new ArchSpec.Linear("net.3"));
    assertThat(drafted("user3_wrapped_whole.pt", w, "user3_wrapped")).isLessThanOrEqualTo(1e-12);

    WholeModels.Derived custom = WholeModels.draft(TensorFiles.read(Fixtures.path("ckpt_whole_custom.pt")));
    ArchSpec hand = ArchSpec.read(Fixtures.path("ckpt_whole_custom.json"));
    assertThat(custom.spec().layers()).isEqualTo(hand.layers());
    assertThat(custom.spec().activation()).isEqualTo(hand.activation());
    assertThat(custom.inferredInput()).isEqualTo(hand.input());
  }

  /**
   * No draft where the order of the submodules says nothing: a custom block inside (a ResNet's BasicBlock adds a
   * shortcut), layers with weights without activation modules (the PyTorch tutorial's Net: F.relu, one pooling
   * module used twice), an nn.Sequential (derived, not drafted), a state dict.
   */
  @Test void noDraftForCustomBlocksFunctionalActivationsSequentialsOrStateDicts() {
    TensorFile tutorial = TensorFiles.read(Fixtures.path("user3_tutorial_whole.pt"));
    assertThat(WholeModels.draft(tutorial)).isNull();
    assertThatThrownBy(() -> WholeModels.derive(tutorial)).isInstanceOf(ImportException.class)
        .hasMessageContaining("the whole model is a __main__.TutorialNet, not an nn.Sequential")
        .hasMessageContaining("(no draft is given: its layers 'conv1' and 'conv2' follow each other in the order of "
            + "the submodules with no activation module between them")
        .hasMessageNotContaining("inspect prints a draft");
    assertThat(WholeModels.draft(TensorFiles.read(Fixtures.path("resnet_torchvision_whole_silu.pt")))).isNull();
    assertThat(WholeModels.draft(TensorFiles.read(Fixtures.path("user3_flatmlp_whole.pt")))).isNull();
    assertThat(WholeModels.draft(TensorFiles.read(Fixtures.path("user3_mish_f16_legacy.pt")))).isNull();
  }

  /**
   * The model with its draft saved as a JSON spec for 1x8x8 images, on the digits test inputs these models share:
   * max relative error against PyTorch's float64 outputs.
   */
  private double drafted(String target, WholeModels.Derived draft, String name) throws IOException {
    Path spec = tmp.resolve(name + ".json");
    Files.writeString(spec, draft.withInput(new int[] {1, 8, 8}).toJson()); // the images; a flatten comes first
    Tensor x = TensorFiles.readNpy(Fixtures.path("user3_split_input.npy")).tensor();
    TargetLoader.Loaded loaded = TargetLoader.load(Fixtures.path(target), spec.toString(), null, null, "the input",
        true);
    Tensor y = Forward.forward(loaded.built().network(), x);
    return FidelityTest.relativeError(y, TensorFiles.readNpy(Fixtures.path(name + "_output.npy")).tensor());
  }
}
