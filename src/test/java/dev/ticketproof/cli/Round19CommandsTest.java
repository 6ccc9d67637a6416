package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on the nineteenth round's networks (fixtures {@code round19_*}, made by train_round19.py): deeper nets
 * of bounded activations (an MLP of six tanh layers, four sigmoid convs with BatchNorm) and nets trained on inputs of
 * their raw scale (tanh on the digits' values 0..16, ELU on pixel values 0..255). eval gives PyTorch's float64 outputs,
 * and a ticket at the defaults holds, lies within 1 % of the target on the test digits and keeps every prediction
 * but near ties ({@link TrainedTickets#keepsPredictions}). On the deep tanh MLP the differential bound over the
 * whole box takes the difference of tanh's images where the difference outgrows tanh's range ([differential-bound]
 * step 5, "Bounded phi"): without it the certified bound was 214, 5.2 times below the recursion's 1,124; with it 22.9.
 */
@Tag("end-to-end")
class Round19CommandsTest {
  @TempDir Path tmp;
  private TrainedTickets nets;

  @BeforeEach void nets() { nets = new TrainedTickets(tmp); }

  private double[] eval(String reference, String... args) { return nets.eval(reference, args); }

  @Test void evalGivesPyTorchsOutputs() {
    String x = fx("round19_digits_input.npy");
    for (String n : new String[] {"deeptanh", "deepsig"}) {
      assertThat(eval("round19_" + n + "_output.npy", "eval", "--target", fx("round19_" + n + "_whole.pt"), "--input",
          x)[0]).as(n).isLessThanOrEqualTo(1e-12);
    }
    assertThat(eval("round19_raw16tanh_output.npy", "eval", "--target", fx("round19_raw16tanh_whole.pt"), "--input",
        fx("round19_raw16_input.npy"))[0]).isLessThanOrEqualTo(1e-12);
    assertThat(eval("round19_raw255elu_output.npy", "eval", "--target", fx("round19_raw255elu_whole.pt"), "--input",
        fx("round19_raw255_input.npy"))[0]).isLessThanOrEqualTo(1e-11);
  }

  private JsonObject ticketAtTheDefaults(String name, String input, String box) {
    return nets.ticketAtTheDefaults("round19_", name, input, "round19_digits_y.npy", box);
  }

  @Test void aDeepTanhMlpGetsATicketAndABoundFarBelowTheRecursion() {
    JsonObject o = ticketAtTheDefaults("deeptanh", "round19_digits_input.npy", "0,1");
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
    assertThat(o.get("certifiedBound").getAsDouble()).isLessThan(o.get("recursionBound").getAsDouble() / 20);
  }

  @Test void aDeepSigmoidCnnGetsATicket() {
    ticketAtTheDefaults("deepsig", "round19_digits_input.npy", "0,1");
  }

  @Test void aTanhCnnOnRawDigitsGetsATicket() {
    JsonObject o = ticketAtTheDefaults("raw16tanh", "round19_raw16_input.npy", "data");
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
  }

  @Test void anEluCnnOnPixelValuesGetsATicket() {
    JsonObject o = ticketAtTheDefaults("raw255elu", "round19_raw255_input.npy", "0,255");
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
  }
}
