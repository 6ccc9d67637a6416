package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on the twentieth round's networks (fixtures {@code round20_*}, made by train_round20.py): activations
 * of the ReLU family named in ways earlier rounds did not read. One negative leaky slope for the whole network
 * (LeakyReLU(-0.3)) and one nn.PReLU() whose single learned slope is negative (-0.949) are no activation the kernel
 * certifies (it takes leaky-relu(a) for 0 &lt;= a &lt;= 1), so they are read as ReLU of doubled channels, as slopes
 * that differ were; ReLU6 and Hardtanh(0, 6) in one network are one activation, relu6. Hardtanh(0.1, 2) is flat at 0
 * and refused, naming where the activation came from and what the [identity] hypothesis requires. A batch [N, H, W]
 * of one-channel images without their channel axis gives the input shape [1, H, W] of a conv net whose input shape
 * no square input gives.
 */
@Tag("end-to-end")
class Round20CommandsTest {
  static final String X = "round19_digits_input.npy";
  static final String Y = "round19_digits_y.npy";

  @TempDir Path tmp;
  private TrainedTickets nets;

  @BeforeEach void nets() { nets = new TrainedTickets(tmp); }

  @Test void evalGivesPyTorchsOutputs() {
    for (String n : new String[] {"lreluneg", "prelu1neg", "relu6mix"}) {
      assertThat(nets.eval("round20_" + n + "_output.npy", "eval", "--target", fx("round20_" + n + "_whole.pt"),
          "--input", fx(X))[0]).as(n).isLessThanOrEqualTo(1e-12);
    }
  }

  @Test void oneNegativeLeakySlopeIsReadAsReluOfDoubledChannels() {
    CommandRun r = run("inspect", fx("round20_lreluneg_whole.pt"));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("leaky relu of slope -0.3, read as relu of doubled channels");
    JsonObject o = nets.ticketAtTheDefaults("round20_", "lreluneg", X, Y, "0,1");
    assertThat(o.get("activation").getAsString()).isEqualTo("relu");
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
  }

  @Test void aPreluWithOneNegativeSlopeReadsItsTensor() {
    CommandRun r = run("construct", "--target", fx("round20_prelu1neg_whole.pt"), "--input-box", "0,1", "--rho", "8",
        "--eps", "0.05", "--search", "0", "--no-progress");
    assertThat(r.code()).as(r.err()).isZero();
    // the slope is read from the PReLU's weight: no tensor of the file is left unread
    assertThat(r.err()).doesNotContain("does not read");
    JsonObject o = nets.ticketAtTheDefaults("round20_", "prelu1neg", X, Y, "0,1");
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
  }

  @Test void reluSixAndHardtanhZeroSixAreOneActivation() {
    JsonObject o = nets.ticketAtTheDefaults("round20_", "relu6mix", X, Y, "0,1");
    assertThat(o.get("activation").getAsString()).isEqualTo("relu6");
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
  }

  @Test void aHardtanhFlatAtZeroIsRefusedSayingWhy() {
    CommandRun r = run("construct", "--target", fx("round20_htpos_whole.pt"), "--input-box", "0,1", "--out",
        tmp.resolve("h.tpz").toString(), "--no-progress");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("the activation hardtanh(0.1,2.0), read from the file's activation modules, admits "
        + "no ticket").contains("it requires m+ + m- != 0 at 0, but m- = 0.0, m+ = 0.0").doesNotContain("--activation");
    assertThat(tmp.resolve("h.tpz")).doesNotExist();
  }

  @Test void aBatchWithoutItsChannelAxisGivesTheInputShape() {
    String target = fx("round20_wide_whole.pt");
    String x = fx("round20_wide_input_nhw.npy");
    assertThat(nets.eval("round20_wide_output.npy", "eval", "--target", target, "--input", x)[0])
        .isLessThanOrEqualTo(1e-12);
    Path t = tmp.resolve("wide.tpz");
    CommandRun r = run("construct", "--target", target, "--input-box", "0,1", "--data", x, "--rho", "8", "--eps",
        "0.05", "--search", "0", "--no-progress", "--out", t.toString());
    assertThat(r.code()).as(r.err()).isZero();
    // the ticket is of the target read on [1, 8, 12]: its header records that shape
    CommandRun v = run("verify", t.toString(), "--target", target, "--samples", "0", "--search", "0", "--no-progress");
    assertThat(v.code()).as(v.out() + v.err()).isZero();
    // without the batch the shape is not inferred: no square input gives the linear layer its 384 features
    CommandRun bare = run("construct", "--target", target, "--input-box", "0,1", "--rho", "8", "--eps", "0.05",
        "--search", "0", "--no-progress");
    assertThat(bare.code()).isEqualTo(2);
    assertThat(bare.err()).contains("cannot be inferred");
  }
}
