package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.limits.BadParameter;
import dev.ticketproof.net.Forward;
import dev.ticketproof.targets.Architectures;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.targets.WholeModels;
import dev.ticketproof.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Networks trained as users train theirs, in the layouts a sixth round brought (fixtures {@code user6_*}, made by
 * train_user_nets6.py): one digits MLP in a Lightning 2.1 checkpoint, as the state dict of a torch.compile'd model
 * (also of a compiled DistributedDataParallel one), in a GAN-style dict of two state dicts, saved on a GPU, in
 * float16 and bfloat16, and twice whole in one dict (a model and its EMA copy); an MLP on 28x28 images with Flatten
 * first, bias-free linear layers before BatchNorm1d and Dropout; single-output networks; an nn.Unflatten at the start
 * and an nn.Identity head. Each evaluates as PyTorch's float64 forward pass on the stored weights.
 */
class UserNets6Test {
  /**
   * The checkpoint layouts are read under the prefix the spec's names are found under (`state_dict.model.`,
   * `_orig_mod.`, `model._orig_mod.module.`, `discriminator.`, none for the GPU file) and give PyTorch's outputs.
   */
  @Test void theCheckpointLayoutsOfOneMlpEvaluateAsPyTorch() {
    for (String f : List.of("user6_lightning.ckpt", "user6_compiled.pt", "user6_compiled_ddp.pt", "user6_gan.pt",
        "user6_cuda.pt")) {
      assertThat(fidelity(f, "user6_mlp.json", "user6_mlp", "relu")).as(f).isLessThanOrEqualTo(1e-14);
    }
    assertThat(prefix("user6_lightning.ckpt")).isEqualTo("state_dict.model.");
    assertThat(prefix("user6_compiled_ddp.pt")).isEqualTo("model._orig_mod.module.");
    assertThat(prefix("user6_gan.pt")).isEqualTo("discriminator.");
    assertThat(fidelity("user6_cuda_whole.pt", null, "user6_mlp", "relu")).isLessThanOrEqualTo(1e-14);
    // the 16-bit weights, exactly as stored: PyTorch's float64 outputs on them
    TensorFile half = TensorFiles.read(Fixtures.path("user6_half_whole.pt"));
    assertThat(half.tensors().values()).allSatisfy(t -> assertThat(t.dtype()).isEqualTo(DType.FLOAT16));
    assertThat(fidelity("user6_half_whole.pt", null, "user6_mlp_input.npy", "user6_half", "relu"))
        .isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("user6_bf16.pt", "user6_mlp.json", "user6_mlp_input.npy", "user6_bf16", "relu"))
        .isLessThanOrEqualTo(1e-14);
  }

  private static String prefix(String file) {
    return TargetLoader.load(Fixtures.path(file), Fixtures.path("user6_mlp.json").toString(), null, null, true)
        .prefix();
  }

  /**
   * A dict holding two whole models ({"model": m, "ema": ema}) lists both, has no model until one is chosen, is
   * refused without an architecture or a prefix naming both keys, and reads the chosen one by its prefix.
   */
  @Test void aDictOfTwoWholeModelsNeedsThePrefixOfOne() {
    TensorFile file = TensorFiles.read(Fixtures.path("user6_model_ema_whole.pt"));
    assertThat(file.models().keySet()).containsExactly("model.", "ema.");
    assertThat(file.model()).isNull();
    assertThatThrownBy(() -> Architectures.resolve(null, file, new int[] {1, 8, 8}, null))
        .isInstanceOf(BadParameter.class)
        .hasMessageContaining("user6_model_ema_whole.pt holds 2 whole models, under 'model.', 'ema.': give the prefix "
            + "of one (e.g. model.)");
    assertThatThrownBy(() -> Architectures.resolve(null, file, new int[] {1, 8, 8}, "opt"))
        .isInstanceOf(BadParameter.class)
        .hasMessageContaining("prefix 'opt.': ").hasMessageContaining("user6_model_ema_whole.pt holds no whole model under "
            + "it (it holds whole models under 'model.', 'ema.')");
    Architectures.Resolved model = Architectures.resolve(null, file, new int[] {1, 8, 8}, "model");
    assertThat(model.prefix()).isEqualTo("model.");
    assertThat(model.tensors().names()).containsExactly("1.weight", "1.bias", "3.weight", "3.bias");
    Tensor x = TensorFiles.readNpy(Fixtures.path("user6_mlp_input.npy")).tensor();
    Tensor y = Forward.forward(TargetLoader.load(Fixtures.path("user6_model_ema_whole.pt"), null, "model.", null,
        new int[] {1, 8, 8}, "the input", true).built().network(), x);
    assertThat(FidelityTest.relativeError(y, TensorFiles.readNpy(Fixtures.path("user6_mlp_output.npy")).tensor()))
        .isLessThanOrEqualTo(1e-14);
    Tensor ema = Forward.forward(TargetLoader.load(Fixtures.path("user6_model_ema_whole.pt"), null, "ema.", null,
        new int[] {1, 8, 8}, "the input", true).built().network(), x);
    assertThat(ema.data()).isNotEqualTo(y.data()); // the EMA copy's weights are 0.999 times the model's
  }

  /**
   * An nn.Unflatten(1, (1, 8, 8)) as the first module gives the input shape; flat rows of 64 values are read as it,
   * another number of values is refused naming the module; an nn.Identity head computes nothing.
   */
  @Test void aFirstUnflattenGivesTheInputShape() {
    WholeModels.Derived d = WholeModels.derive(TensorFiles.read(Fixtures.path("user6_unflatten_whole.pt")));
    assertThat(d.inferredInput()).containsExactly(1, 8, 8);
    assertThat(d.unflatten()).isEqualTo("0");
    assertThat(d.withInput(new int[] {64}).input()).containsExactly(1, 8, 8);
    assertThat(d.withInput(null).input()).containsExactly(1, 8, 8);
    assertThatThrownBy(() -> d.withInput(new int[] {63}))
        .isInstanceOf(BadParameter.class)
        .hasMessageContaining("first module '0' (nn.Unflatten) reads examples of 64 values as [1, 8, 8], not 63");
    // the flat rows [60, 64] the model is called on give the input shape [1, 8, 8]: PyTorch's outputs on them
    Tensor x = TensorFiles.readNpy(Fixtures.path("user6_unflatten_input.npy")).tensor();
    assertThat(x.shape()).containsExactly(60, 64);
    TargetLoader.Loaded loaded = TargetLoader.load(Fixtures.path("user6_unflatten_whole.pt"), null, null,
        new int[] {64}, true);
    assertThat(loaded.built().network().inputShape()).containsExactly(1, 8, 8);
    Tensor y = Forward.forward(loaded.built().network(), Tensor.of(x.data(), 60, 1, 8, 8));
    assertThat(FidelityTest.relativeError(y, TensorFiles.readNpy(Fixtures.path("user6_unflatten_output.npy"))
        .tensor())).isLessThanOrEqualTo(1e-14);
  }

  /** An nn.Unflatten after a layer turns a vector back into a map: refused naming the module. */
  @Test void anUnflattenAfterALayerIsRefused() {
    TorchModule lin = new TorchModule("torch.nn.modules.linear.Linear", java.util.Map.of("in_features", 4,
        "out_features", 64), List.of(), 0);
    TorchModule unflatten = new TorchModule("torch.nn.modules.flatten.Unflatten", java.util.Map.of("dim", 1,
        "unflattened_size", List.of(1, 8, 8)), List.of(), 0);
    TorchModule seq = new TorchModule("torch.nn.modules.container.Sequential", java.util.Map.of(),
        List.of(new TorchModule.Child("0", lin), new TorchModule.Child("1", unflatten)), 0);
    TensorFile file = new TensorFile("u.pt", java.util.Map.of(), List.of(), List.of(), seq, "");
    assertThatThrownBy(() -> WholeModels.derive(file))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining("u.pt: module '1' (torch.nn.modules.flatten.Unflatten): an nn.Unflatten after a layer "
            + "turns a vector back into a map");
  }

  /**
   * The MLP on 28x28 images (Flatten(start_dim=1) first, bias-free linear layers, BatchNorm1d before each ReLU,
   * Dropout) and the single-output networks (a binary classifier on standardized inputs, a Tanh regression).
   */
  @Test void mlpsOnImagesAndSingleOutputsEvaluateAsPyTorch() {
    assertThat(fidelity("user6_mnistmlp_whole.pt", null, "user6_mnistmlp", "relu")).isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("user6_binary_whole.pt", null, "user6_binary", "relu")).isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("user6_regression_whole.pt", null, "user6_regression", "tanh")).isLessThanOrEqualTo(1e-14);
  }
}
