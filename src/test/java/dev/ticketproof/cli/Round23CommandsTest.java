package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.json;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on the twenty-third round's networks (fixtures {@code round23_*}, made by train_round23.py): the
 * LeNet5 that rahulvigneswaran's Lottery-Ticket-Hypothesis-in-Pytorch saves, pruned by a fifth and retrained, on
 * inputs normalised as its MNIST loader does, with a spec for its functional forward; network slimming's pruned VGG
 * with the vgg preset; edge-popup's checkpoint refused.
 */
@Tag("end-to-end")
class Round23CommandsTest {
  @TempDir Path tmp;

  /** At the defaults, on the normalised inputs' box: holds, within 1 % on the test inputs, every prediction kept. */
  @Test void theRepositorysLenet5GetsATicketOnItsNormalisedInputs() {
    Path t = tmp.resolve("lenet5.tpz");
    String target = fx("round23_1_model_lt_lenet5.pth.tar");
    String arch = fx("round23_lenet5.json");
    JsonObject o = json(run("construct", "--target", target, "--arch", arch, "--input-box=-0.4243,2.8215", "--data",
        fx("round23_mnist_input.npy"), "--labels", fx("round23_mnist_y.npy"), "--search", "0", "--format", "json",
        "--no-progress", "--out", t.toString()));
    System.out.printf("round23 lenet5: rho %d, eps %.3g, ticket %.3g off the target on the data, agreement %.3f%n",
        o.get("rho").getAsInt(), o.get("eps").getAsDouble(), o.get("dataRelError").getAsDouble(),
        o.get("agreement").getAsDouble());
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(o.get("dataRelError").getAsDouble()).isLessThan(0.01);
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
    CommandRun v = run("verify", t.toString(), "--target", target, "--arch", arch, "--samples", "0", "--search", "0",
        "--no-progress");
    assertThat(v.code()).as(v.err()).isZero();
  }

  /** Network slimming's pruned VGG with the vgg preset, on the shapes: holds, within 1 %, every prediction kept. */
  @Test void networkSlimmingsVggGetsATicket() {
    Path t = tmp.resolve("slimming.tpz");
    String target = fx("round23_slimming_vgg_pruned.pth.tar");
    JsonObject o = json(run("construct", "--target", target, "--arch", "vgg", "--input-box", "0,1", "--data",
        fx("round13_shapes_input.npy"), "--labels", fx("round13_shapes_y.npy"), "--search", "0", "--format", "json",
        "--no-progress", "--out", t.toString()));
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(o.get("dataRelError").getAsDouble()).isLessThan(0.01);
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
    CommandRun v = run("verify", t.toString(), "--target", target, "--arch", "vgg", "--samples", "0", "--search", "0",
        "--no-progress");
    assertThat(v.code()).as(v.err()).isZero();
  }

  /** Edge-popup's weights with their scores: exit 2, the scores named, nothing written. */
  @Test void edgePopupsCheckpointIsRefused() {
    Path out = tmp.resolve("ep.tpz");
    CommandRun r = run("construct", "--target", fx("round23_edgepopup_checkpoint.pth"), "--arch",
        fx("round23_lenet5.json"), "--no-progress", "--out", out.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("tensor 'state_dict.module.convs.0.scores' is a score of every weight");
    assertThat(Files.exists(out)).isFalse();
  }
}
