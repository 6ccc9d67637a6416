package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.json;
import static dev.ticketproof.cli.ImportCommandsTest.npy;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on the eighteenth round's networks (fixtures {@code round18_*}, made by train_round18.py), trained with
 * Softsign and LogSigmoid: eval gives PyTorch's float64 outputs, and a ticket at the defaults holds, keeps every
 * prediction, lies within 1 % of the target on the test digits and verifies. The LogSigmoid MLP (phi(0) = -ln 2, its
 * first layer on 64 inputs) is the case of [conv-decomposition]'s offsets that outgrew the constant units before
 * certificate version 4 (SourceNetwork.largeScales): 899 failed instances and errors of 4 times the outputs at a given
 * tolerance, and at the defaults six builds that drove lambda and eps to their floors.
 */
@Tag("end-to-end")
class Round18CommandsTest {
  @TempDir Path tmp;

  /** max |y - ref| of {@code eval --target} (with extra arguments) against PyTorch's outputs. */
  private double evalError(String target, String input, String reference, String... extra) {
    Path y = tmp.resolve("y.npy");
    String[] args = {"eval", "--target", fx(target), "--input", fx(input), "--out", y.toString(), "--format", "json",
        "--no-progress"};
    String[] all = java.util.Arrays.copyOf(args, args.length + extra.length);
    System.arraycopy(extra, 0, all, args.length, extra.length);
    json(run(all));
    double[] a = npy(y);
    double[] b = npy(Path.of(fx(reference)));
    assertThat(a).hasSameSizeAs(b);
    double diff = 0;
    for (int i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
    return diff;
  }

  @Test void evalGivesPyTorchsOutputs() {
    String x = "round18_digits_input.npy";
    assertThat(evalError("round18_softsign_cnn_whole.pt", x, "round18_softsign_cnn_output.npy"))
        .isLessThanOrEqualTo(1e-12);
    assertThat(evalError("round18_logsigmoid_whole.pt", x, "round18_logsigmoid_output.npy")).isLessThanOrEqualTo(1e-12);
    assertThat(evalError("round18_softsign_resnet_sd.pt", x, "round18_softsign_resnet_output.npy", "--activation",
        "softsign")).isLessThanOrEqualTo(1e-12);
  }

  /** construct at the defaults on the test digits; verify against the same target says holds. */
  private JsonObject ticketAtTheDefaults(String target, String name, String... extra) {
    Path t = tmp.resolve(name + ".tpz");
    String[] args = {"construct", "--target", fx(target), "--input-box", "0,1", "--data", fx("round18_digits_input.npy"),
        "--labels", fx("round18_digits_y.npy"), "--search", "0", "--format", "json", "--no-progress", "--out",
        t.toString()};
    String[] all = java.util.Arrays.copyOf(args, args.length + extra.length);
    System.arraycopy(extra, 0, all, args.length, extra.length);
    JsonObject o = json(run(all));
    System.out.printf("%s: rho %d, eps %.3g, lambda %.3g, builds %d, failed %d, ticket %.3g off the target on the "
        + "data, agreement %.3f, certified %.3g, %.1f s%n", target, o.get("rho").getAsInt(), o.get("eps").getAsDouble(),
        o.get("lambda").getAsDouble(), o.get("builds").getAsInt(), o.get("failedInstances").getAsLong(),
        o.get("dataRelError").getAsDouble(), o.get("agreement").getAsDouble(), o.get("certifiedBound").getAsDouble(),
        o.get("seconds").getAsDouble());
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
    assertThat(o.get("dataRelError").getAsDouble()).isLessThan(0.01);
    // the certificate names its activation: verify reads the state dict with it
    CommandRun v = run("verify", t.toString(), "--target", fx(target), "--no-progress");
    assertThat(v.code()).as(v.out() + v.err()).isZero();
    return o;
  }

  @Test void aSoftsignCnnGetsATicketAtTheDefaults() {
    JsonObject o = ticketAtTheDefaults("round18_softsign_cnn_whole.pt", "ss");
    assertThat(o.get("activation").getAsString()).isEqualTo("softsign");
  }

  @Test void aLogSigmoidMlpGetsATicketAtTheDefaultsWithoutFailedInstances() {
    JsonObject o = ticketAtTheDefaults("round18_logsigmoid_whole.pt", "ls");
    assertThat(o.get("activation").getAsString()).isEqualTo("log-sigmoid");
    assertThat(o.get("failedInstances").getAsLong()).isZero();
    assertThat(o.get("builds").getAsInt()).isLessThanOrEqualTo(2);
  }

  /**
   * The same MLP's state dict in a training checkpoint, read with a spec of vector inputs: its first layer reads the
   * 64 inputs as channels of one tap, so one bias instance per unit cancels the offsets of all 64 inputs' copies. At
   * a given tolerance and lambda (1e-3, 0.05) the ticket has no failed instance and stays within 1 % of the target
   * (certificate version 3: 899 failed instances, relative error 4.3).
   */
  @Test void aLogSigmoidMlpOnVectorInputsHasNoFailedInstance() {
    Path t = tmp.resolve("lsv.tpz");
    JsonObject o = json(run("construct", "--target", fx("round18_logsigmoid_ckpt.pt"), "--arch",
        fx("round18_logsigmoid.json"), "--input-box", "0,1", "--eps", "1e-3", "--lambda", "0.05", "--data",
        fx("round18_digits_input.npy"), "--search", "0", "--format", "json", "--no-progress", "--out", t.toString()));
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(o.get("failedInstances").getAsLong()).isZero();
    assertThat(o.get("dataRelError").getAsDouble()).isLessThan(0.01);
  }

  @Test void aSoftsignResNetStateDictGetsATicketAtTheDefaults() {
    JsonObject o = ticketAtTheDefaults("round18_softsign_resnet_sd.pt", "rn", "--activation", "softsign");
    assertThat(o.get("activation").getAsString()).isEqualTo("softsign");
  }
}
