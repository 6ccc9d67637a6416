package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.kernel.TargetHash;
import dev.ticketproof.targets.TargetLoader;
import org.junit.jupiter.api.Test;

/**
 * The thirteenth round's networks (fixtures {@code round13_*}, made by train_round13.py): pre-activation ResNets,
 * read by the cifar-resnet preset as post-activation ResNets of doubled width (targets.PreActResNet). References:
 * PyTorch's float64 forward pass of the original networks.
 */
class Round13Test {
  private static final String SHAPES = "round13_shapes_input.npy";
  private static final String SHAPES32 = "round13_shapes32_input.npy";

  private static String hash(String file, String activation, int... input) {
    return TargetHash.of(TargetLoader.load(Fixtures.path(file), null, null, activation, input, "the input", true)
        .built().network());
  }

  /**
   * kuangliu's PreActResNet (no final BatchNorm; the linear layer reads the pooled [phi(s), phi(-s)]) as a state dict
   * and whole, RobustBench's with bn_before_fc under DataParallel's 'module.', and the seventh round's (refused then):
   * the rewritten networks compute PyTorch's outputs to rounding; the state dict and the whole model are one target.
   */
  @Test void preActResNetsEvaluateAsPyTorch() {
    assertThat(fidelity("round13_preact_sd.pt", null, SHAPES, "round13_preact", "relu")).isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("round13_preact_whole.pt", null, SHAPES, "round13_preact", "relu")).isLessThanOrEqualTo(1e-14);
    assertThat(hash("round13_preact_sd.pt", null, 3, 16, 16)).isEqualTo(hash("round13_preact_whole.pt", null, 3, 16,
        16));
    assertThat(fidelity("round13_preactbn_sd.pt", null, SHAPES, "round13_preactbn", "relu"))
        .isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("user7_preact.pt", null, SHAPES, "round13_user7preact", "relu")).isLessThanOrEqualTo(1e-14);
  }

  /**
   * nn.LeakyReLU(0.1) modules: the whole model is read with their slope (the factor 1/(1+a) in the rewrite), the
   * state dict with the slope given; the state dict read as relu (it does not record the activation) is another
   * function, which eval against PyTorch shows.
   */
  @Test void aLeakyPreActResNetEvaluatesAsPyTorchWithItsSlope() {
    assertThat(fidelity("round13_leaky_whole.pt", null, SHAPES, "round13_leaky", "leaky-relu(0.1)"))
        .isLessThanOrEqualTo(1e-14);
    TargetLoader.Loaded sd = TargetLoader.load(Fixtures.path("round13_leaky_sd.pt"), null, null, "leaky-relu(0.1)",
        new int[] {3, 16, 16}, "the input", true);
    dev.ticketproof.tensor.Tensor x = TensorFiles.readNpy(Fixtures.path(SHAPES)).tensor();
    dev.ticketproof.tensor.Tensor ref = TensorFiles.readNpy(Fixtures.path("round13_leaky_output.npy")).tensor();
    assertThat(FidelityTest.relativeError(sd.built().network().outputs(x), ref)).isLessThanOrEqualTo(1e-14);
    assertThat(hash("round13_leaky_sd.pt", "leaky-relu(0.1)", 3, 16, 16))
        .isEqualTo(hash("round13_leaky_whole.pt", null, 3, 16, 16));
    TargetLoader.Loaded relu = TargetLoader.load(Fixtures.path("round13_leaky_sd.pt"), null, null, null,
        new int[] {3, 16, 16}, "the input", true);
    assertThat(FidelityTest.relativeError(relu.built().network().outputs(x), ref)).isGreaterThan(1e-3);
  }

  /**
   * RobustBench's WideResNet (block1 with the identity, equalInOut; block2 and block3 with convShortcut on the
   * activated input; final bn1), in a checkpoint dict {"epoch", "state_dict"} and whole, on 32x32 images stored as
   * float16: PyTorch's outputs to rounding, one target.
   */
  @Test void aWideResNetEvaluatesAsPyTorch() {
    assertThat(fidelity("round13_wrn_ckpt.pt", null, SHAPES32, "round13_wrn", "relu")).isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("round13_wrn_whole.pt", null, SHAPES32, "round13_wrn", "relu")).isLessThanOrEqualTo(1e-14);
    assertThat(hash("round13_wrn_ckpt.pt", null, 3, 32, 32)).isEqualTo(hash("round13_wrn_whole.pt", null, 3, 32, 32));
    TargetLoader.Loaded loaded = TargetLoader.load(Fixtures.path("round13_wrn_ckpt.pt"), null, null, null,
        new int[] {3, 32, 32}, "the input", true);
    assertThat(loaded.prefix()).isEqualTo("state_dict.");
    assertThat(loaded.rewrite()).contains("read as a pre-activation WideResNet (3 blocks")
        .contains("a final bn1 and activation");
  }

  /**
   * RobustBench's own PreActBlock (out_shortcut=False, its default) has kuangliu's names, but its projection reads the
   * block's input x, not phi(bn1 x): the state dict read as kuangliu's is another function (which eval against
   * PyTorch shows, and the note names the preset that reads it), read with the preact-input-shortcut preset it is
   * PyTorch's, and the whole model's out_shortcut attributes choose that reading by themselves.
   */
  @Test void robustBenchsPreActBlockReadsItsShortcutFromTheInput() {
    dev.ticketproof.tensor.Tensor x = TensorFiles.readNpy(Fixtures.path(SHAPES)).tensor();
    dev.ticketproof.tensor.Tensor ref = TensorFiles.readNpy(Fixtures.path("round13_preactx_output.npy")).tensor();
    TargetLoader.Loaded asKuangliu = TargetLoader.load(Fixtures.path("round13_preactx_sd.pt"), null, null, null,
        new int[] {3, 16, 16}, "the input", true);
    assertThat(FidelityTest.relativeError(asKuangliu.built().network().outputs(x), ref)).isGreaterThan(1e-3);
    assertThat(asKuangliu.rewrite()).contains("the projection shortcuts read the activated input phi(bn1 s) "
        + "(kuangliu's PreActBlock; RobustBench's PreActBlock with out_shortcut=False, its default, reads s itself: "
        + "the preset preact-input-shortcut reads that)");
    TargetLoader.Loaded sd = TargetLoader.load(Fixtures.path("round13_preactx_sd.pt"), "preact-input-shortcut",
        null, null, new int[] {3, 16, 16}, "the input", true);
    assertThat(FidelityTest.relativeError(sd.built().network().outputs(x), ref)).isLessThanOrEqualTo(1e-14);
    assertThat(sd.rewrite()).contains("the projection shortcuts read the block's input s");
    assertThat(fidelity("round13_preactx_whole.pt", null, SHAPES, "round13_preactx", "relu"))
        .isLessThanOrEqualTo(1e-14);
    assertThat(hash("round13_preactx_whole.pt", null, 3, 16, 16)).isEqualTo(TargetHash.of(sd.built().network()));
  }
}
