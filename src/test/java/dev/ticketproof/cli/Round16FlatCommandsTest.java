package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.json;
import static dev.ticketproof.cli.ImportCommandsTest.npy;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ticketproof.io.TensorFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A softmax after an nn.Flatten of the last conv's output map (fixture {@code round16_flat_softmax_whole.pt}, made by
 * train_round16_flat.py): PyTorch normalises over all 32 flattened units of an example, and so must the ticket's
 * outputs, through eval --ticket and the export's spec, whose output shape is the flattened one.
 */
class Round16FlatCommandsTest {
  @TempDir Path tmp;

  @Test void aSoftmaxAfterAFlattenNormalisesTheTicketsOutputsOverAllTheFlattenedUnits() throws Exception {
    String target = fx("round16_flat_softmax_whole.pt");
    String input = fx("round16_flat_input.npy");
    double[] torch = npy(Path.of(fx("round16_flat_softmax_output.npy"))); // [6, 32]
    Path y = tmp.resolve("y.npy");
    assertThat(run("eval", "--target", target, "--input", input, "--out", y.toString()).code()).isZero();
    double[] out = npy(y);
    for (int i = 0; i < torch.length; i++) assertThat(Math.abs(out[i] - torch[i])).isLessThan(1e-12);

    Path t = tmp.resolve("t.tpz");
    JsonObject o = json(run("construct", "--target", target, "--input-box", "0,1", "--data", input, "--search", "0",
        "--samples", "4", "--format", "json", "--no-progress", "--out", t.toString()));
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    double after = o.get("certifiedBoundAfterOutputActivation").getAsDouble();

    Path yt = tmp.resolve("yt.npy");
    assertThat(run("eval", "--ticket", t.toString(), "--target", target, "--input", input, "--out", yt.toString(),
        "--no-progress").code()).isZero();
    assertThat(TensorFiles.readNpy(yt).tensor().shape()).containsExactly(6, 32);
    double[] ticket = npy(yt);
    double worst = 0;
    for (int n = 0; n < 6; n++) {
      double sum = 0;
      for (int k = 0; k < 32; k++) {
        sum += ticket[n * 32 + k];
        worst = Math.max(worst, Math.abs(ticket[n * 32 + k] - torch[n * 32 + k]));
      }
      assertThat(sum).as("example %d", n).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
    }
    assertThat(worst).isGreaterThan(0).isLessThanOrEqualTo(after);

    Path x = tmp.resolve("x.pt");
    assertThat(run("export", t.toString(), "--target", target, "--out", x.toString()).code()).isZero();
    JsonObject spec = JsonParser.parseString(Files.readString(tmp.resolve("x.json"))).getAsJsonObject();
    JsonArray shape = spec.getAsJsonArray("outputShape");
    assertThat(shape.size()).isEqualTo(1);
    assertThat(shape.get(0).getAsInt()).isEqualTo(32);
    assertThat(spec.getAsJsonObject("outputActivationModule").get("class").getAsString()).isEqualTo("Softmax");
  }
}
