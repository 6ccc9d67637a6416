package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.concat;
import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.json;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on the twenty-second round's networks (fixtures {@code round22_*}, made by train_round22.py): open_lth's
 * models given without an architecture, kuangliu's VGG with the vgg preset. At the defaults a ticket holds, lies
 * within 1 % of the target on the test inputs and keeps every prediction, and verify recomputes it from the file.
 */
@Tag("end-to-end")
class Round22CommandsTest {
  @TempDir Path tmp;

  private JsonObject ticket(String name, String file, String data, String labels, String... arch) {
    Path t = tmp.resolve(name + ".tpz");
    String target = fx("round22_" + file);
    String[] args = {"construct", "--target", target, "--input-box", "0,1", "--data", fx(data), "--labels",
        fx(labels), "--search", "0", "--format", "json", "--no-progress", "--out", t.toString()};
    JsonObject o = json(run(concat(args, arch)));
    System.out.printf("round22 %s: rho %d, eps %.3g, ticket %.3g off the target on the data, agreement %.3f, %.1f s%n",
        name, o.get("rho").getAsInt(), o.get("eps").getAsDouble(), o.get("dataRelError").getAsDouble(),
        o.get("agreement").getAsDouble(), o.get("seconds").getAsDouble());
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(o.get("dataRelError").getAsDouble()).isLessThan(0.01);
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
    CommandRun v = run(concat(new String[] {"verify", t.toString(), "--target", target, "--samples", "0", "--search",
        "0", "--no-progress"}, arch));
    assertThat(v.code()).as(v.err()).isZero();
    return o;
  }

  /** cifar_vgg in open_lth's checkpoint (under model_state_dict.), on the test shapes. */
  @Test void openLthsVggGetsATicketFromItsCheckpoint() {
    ticket("vgg", "vgg_checkpoint.pth", "round13_shapes_input.npy", "round13_shapes_y.npy");
  }

  /** mnist_lenet on digits of 28x28: the whole-box bound is below the outputs too. */
  @Test void openLthsLenetGetsATicketWithANonVacuousBound() {
    JsonObject o = ticket("lenet", "lenet_model_ep60_it0.pth", "round22_digits28_input.npy", "round22_digits28_y.npy");
    assertThat(o.get("certifiedVacuous").getAsBoolean()).isFalse();
  }

  /** kuangliu's VGG in its checkpoint, read by the vgg preset. */
  @Test void kuangliusVggGetsATicket() {
    ticket("kuangliu", "kuangliu_vgg_ckpt.pth", "round13_shapes_input.npy", "round13_shapes_y.npy", "--arch", "vgg");
  }
}
