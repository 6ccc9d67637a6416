package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.concat;
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
 * with the vgg preset; edge-popup's checkpoint refused. At the defaults a ticket holds, lies within 1 % of the target
 * on the test inputs and keeps every prediction, and verify recomputes it from the file.
 */
@Tag("end-to-end")
class Round23CommandsTest {
  @TempDir Path tmp;

  /** construct at the defaults with the target's arguments and its data, the checks above, then verify. */
  private void ticket(String name, String[] target, String... data) {
    Path t = tmp.resolve(name + ".tpz");
    JsonObject o = json(run(concat(concat(new String[] {"construct"}, target), concat(data, "--search", "0",
        "--format", "json", "--no-progress", "--out", t.toString()))));
    System.out.printf("round23 %s: rho %d, eps %.3g, ticket %.3g off the target on the data, agreement %.3f%n", name,
        o.get("rho").getAsInt(), o.get("eps").getAsDouble(), o.get("dataRelError").getAsDouble(),
        o.get("agreement").getAsDouble());
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(o.get("dataRelError").getAsDouble()).isLessThan(0.01);
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
    CommandRun v = run(concat(concat(new String[] {"verify", t.toString()}, target), "--samples", "0", "--search", "0",
        "--no-progress"));
    assertThat(v.code()).as(v.err()).isZero();
  }

  /** LeNet5 on the box of the normalised inputs. */
  @Test void theRepositorysLenet5GetsATicketOnItsNormalisedInputs() {
    ticket("lenet5", new String[] {"--target", fx("round23_1_model_lt_lenet5.pth.tar"), "--arch",
        fx("round23_lenet5.json")}, "--input-box=-0.4243,2.8215", "--data", fx("round23_mnist_input.npy"), "--labels",
        fx("round23_mnist_y.npy"));
  }

  /** Network slimming's pruned VGG with the vgg preset, on the shapes. */
  @Test void networkSlimmingsVggGetsATicket() {
    ticket("slimming", new String[] {"--target", fx("round23_slimming_vgg_pruned.pth.tar"), "--arch", "vgg"},
        "--input-box", "0,1", "--data", fx("round13_shapes_input.npy"), "--labels", fx("round13_shapes_y.npy"));
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
