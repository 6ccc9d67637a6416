package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.json;
import static dev.ticketproof.cli.ImportCommandsTest.npy;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.ticketproof.kernel.TargetHash;
import dev.ticketproof.targets.TargetLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on pre-activation ResNets of bottleneck blocks (kuangliu's PreActBottleneck; fixtures
 * {@code round14_preact_*}, made by train_round14_preact.py on the thirteenth round's images), read without
 * {@code --arch} as post-activation ResNets of doubled width, three normal-form steps per block: {@code eval --target}
 * gives PyTorch's float64 outputs to rounding, {@code inspect} says how the blocks were read, and a ticket at the
 * defaults holds and keeps every prediction.
 */
@Tag("end-to-end")
class Round14PreactCommandsTest {
  private static final String X = "round13_shapes_input.npy";
  @TempDir Path tmp;

  /** max |y - ref| / max |ref| of {@code eval --target} (its other arguments given) against the reference. */
  private double evalError(String reference, String... target) {
    Path y = tmp.resolve("y.npy");
    List<String> args = new ArrayList<>(List.of("eval", "--target"));
    args.addAll(List.of(target));
    args.addAll(List.of("--input", fx(X), "--out", y.toString(), "--format", "json", "--no-progress"));
    json(run(args.toArray(String[]::new)));
    double[] a = npy(y);
    double[] b = npy(Path.of(fx(reference)));
    assertThat(a).hasSameSizeAs(b);
    double diff = 0;
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
      max = Math.max(max, Math.abs(b[i]));
    }
    return diff / max;
  }

  /**
   * The state dict and the whole model of the relu network, the whole model with nn.LeakyReLU(0.1) modules (the
   * slope read from them) and a final BatchNorm, the silu network's state dict with --activation silu: PyTorch's
   * float64 outputs to rounding. The silu state dict read as relu (the preset's activation when none is given) is
   * another function.
   */
  @Test void evalOfTheRewrittenNetworksGivesPyTorchsOutputs() {
    assertThat(evalError("round14_preact_output.npy", fx("round14_preact_sd.pt"))).isLessThan(1e-12);
    assertThat(evalError("round14_preact_output.npy", fx("round14_preact_whole.pt"))).isLessThan(1e-12);
    assertThat(evalError("round14_preact_leaky_output.npy", fx("round14_preact_leaky_whole.pt"))).isLessThan(1e-12);
    assertThat(evalError("round14_preact_silu_output.npy", fx("round14_preact_silu_sd.pt"), "--activation", "silu"))
        .isLessThan(1e-12);
    assertThat(evalError("round14_preact_silu_output.npy", fx("round14_preact_silu_sd.pt"))).isGreaterThan(1e-3);
  }

  /** inspect says the blocks are bottleneck blocks and how each was read, with the channel counts. */
  @Test void inspectSaysHowTheBottleneckBlocksWereRead() {
    CommandRun[] r = new CommandRun[1];
    String err = ProgressAndErrorsTest.capturingStderr(() -> r[0] = run("inspect", fx("round14_preact_leaky_whole.pt"),
        "--input-shape", "3,16,16"));
    assertThat(r[0].code()).as(r[0].err()).isZero();
    assertThat(r[0].out()).contains("architecture: read as a pre-activation PreActResNet (4 blocks, 4 of them "
        + "bottleneck blocks (conv1 1x1, conv2 3x3, conv3 1x1: PreActBottleneck), adding their input with no "
        + "activation after the sum, a final bn and activation)")
        .contains("the stream of 4/16/16/32/64 channels is carried in 8/32/32/64/128 channels")
        .contains("to 12 [4 phi(bn2 conv1 a), 4 phi(a), 4 phi(-a)] / 36 [4 phi(bn2 conv1 a), 16 phi(s), 16 phi(-s)] / "
            + "40 [8 phi(bn2 conv1 a), 16 phi(a), 16 phi(-a)] / 80 [16 phi(bn2 conv1 a), 32 phi(a), 32 phi(-a)] "
            + "channels").contains("exact for leaky-relu(0.1)").contains("residual block 'layer3.0'");
    assertThat(err).contains("are those of a pre-activation ResNet (conv1, layer1.0.conv1, ...)");
  }

  /**
   * construct at the defaults on the relu network's state dict: the ticket holds, keeps every prediction on the 24
   * held-out images, is within 1 % of the target there; the whole model is the same target (one hash), so the ticket
   * verifies against it too.
   * docs/import.md has the numbers of all three networks.
   */
  @Test void aTicketAtTheDefaultsHoldsAndVerifiesAgainstTheWholeModel() {
    Path t = tmp.resolve("p.tpz");
    JsonObject o = json(run("construct", "--target", fx("round14_preact_sd.pt"), "--input-box", "0,1", "--data",
        fx(X), "--labels", fx("round13_shapes_y.npy"), "--format", "json", "--no-progress", "--out", t.toString()));
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
    assertThat(o.get("dataRelError").getAsDouble()).isLessThan(0.01);
    System.out.printf("round14_preact_sd.pt: ticket %.3g off the target on the data, certified %.3g, lowerBound %.3g%n",
        o.get("dataRelError").getAsDouble(), o.get("certifiedBound").getAsDouble(),
        o.get("lowerBound").getAsDouble());
    // the whole model is the same target: the hash the ticket's header names (verify against it holds)
    assertThat(hash("round14_preact_whole.pt", null)).isEqualTo(hash("round14_preact_sd.pt", null));
    assertThat(hash("round14_preact_silu_sd.pt", "silu")).isNotEqualTo(hash("round14_preact_sd.pt", null));
  }

  private static String hash(String file, String activation) {
    return TargetHash.of(TargetLoader.load(Path.of(fx(file)), null, null, activation, new int[] {3, 16, 16},
        "the input", true).built().network());
  }
}
