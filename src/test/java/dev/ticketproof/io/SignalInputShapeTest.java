package dev.ticketproof.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * A Conv1d network's input shape may be given as the signal's [C, L] (in a spec's "input" and as --input-shape); it
 * is read as the one-row image [C, 1, L] each Conv1d reads, and the derived spec says so.
 */
class SignalInputShapeTest {
  static final String CONV1D = "{\"layers\": [{\"type\": \"conv1d\", \"name\": \"0\", \"padding\": 1}, "
      + "{\"type\": \"activation\"}, {\"type\": \"flatten\"}, {\"type\": \"linear\", \"name\": \"3\"}]";

  @Test void aSpecTakesASignalsShapeForConv1dLayersOnly() {
    assertThat(ArchSpec.parse("s.json", CONV1D + ", \"input\": [2, 64]}").input()).containsExactly(2, 1, 64);
    assertThat(ArchSpec.parse("s.json", CONV1D + ", \"input\": [2, 1, 64]}").input()).containsExactly(2, 1, 64);
    assertThatThrownBy(() -> ArchSpec.parse("s.json", "{\"input\": [2, 64], \"layers\": [{\"type\": \"flatten\"}, "
        + "{\"type\": \"linear\", \"name\": \"0\"}]}")).isInstanceOf(ImportException.class)
        .hasMessageContaining("[C, L] is a signal's shape, for a network of Conv1d layers; this one has no Conv1d");
    assertThatThrownBy(() -> ArchSpec.parse("s.json", "{\"input\": [2, 64, 1, 1], \"layers\": [{\"type\": "
        + "\"flatten\"}]}")).isInstanceOf(ImportException.class)
        .hasMessageContaining("expected [C, H, W], [C, L] (a signal, for Conv1d layers) or [F]");
  }

  static String inspect(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    assertThat(code).as(err.toString()).isZero();
    return out.toString();
  }

  @Test void aWholeConv1dModelTakesItsSignalsShape() {
    String model = Fixtures.path("user4_conv1d_whole.pt").toString();
    String asSignal = inspect("inspect", model, "--input-shape", "2,64", "--format", "json");
    String asImage = inspect("inspect", model, "--input-shape", "2,1,64", "--format", "json");
    com.google.gson.JsonObject signal = com.google.gson.JsonParser.parseString(asSignal).getAsJsonObject();
    com.google.gson.JsonObject image = com.google.gson.JsonParser.parseString(asImage).getAsJsonObject();
    assertThat(signal.getAsJsonObject("arch").get("input").toString()).isEqualTo("[2,1,64]");
    assertThat(signal.get("arch")).isEqualTo(image.get("arch"));
  }
}
