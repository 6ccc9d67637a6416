package dev.ticketproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import org.junit.jupiter.api.Test;

class ActivationsCommandTest {
  static CommandRun run(String... args) { return CommandRun.of(args); }

  @Test
  void jsonListsTheCatalogWithItsConstants() {
    CommandRun r = run("activations", "--format", "json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonArray a = JsonParser.parseString(r.out()).getAsJsonArray();
    assertThat(a).hasSize(ActivationCatalog.all().size());
    for (int i = 0; i < a.size(); i++) {
      JsonObject o = a.get(i).getAsJsonObject();
      Activation phi = ActivationCatalog.all().get(i);
      assertThat(o.get("name").getAsString()).isEqualTo(phi.name());
      assertThat(o.get("phi0").getAsDouble()).isEqualTo(phi.phi0());
      assertThat(o.get("slopeMinus").getAsDouble()).isEqualTo(phi.slopeMinus());
      assertThat(o.get("slopePlus").getAsDouble()).isEqualTo(phi.slopePlus());
      JsonObject rem = o.getAsJsonObject("remainder");
      assertThat(rem.get("constant").getAsDouble()).isEqualTo(phi.remainderConstant());
      assertThat(rem.get("power").getAsInt()).isEqualTo(phi.remainderPower());
      double radius = phi.remainderRadius();
      assertThat(rem.get("radius").isJsonNull()).as(phi.name()).isEqualTo(radius == Double.POSITIVE_INFINITY);
      if (!rem.get("radius").isJsonNull()) assertThat(rem.get("radius").getAsDouble()).isEqualTo(radius);
      assertThat(rem.get("form").getAsString()).isNotEmpty();
      boolean supported = !(phi.name().equals("abs") || phi.name().equals("square") || phi.name().equals("cos"));
      assertThat(o.get("torchModule").isJsonNull()).as(phi.name()).isEqualTo(!supported);
      assertThat(o.get("supported").getAsBoolean()).as(phi.name()).isEqualTo(supported);
      assertThat(o.has("reason")).isEqualTo(!supported);
      if (supported) {
        assertThat(o.get("lipschitz").getAsDouble()).isEqualTo(phi.lipschitz());
      } else {
        assertThat(o.get("reason").getAsString()).contains("m+ + m- != 0");
      }
    }
    JsonObject tanh = a.get(2).getAsJsonObject();
    assertThat(tanh.getAsJsonObject("remainder").get("form").getAsString()).isEqualTo("M|t|^3 on |t|<=r");
    assertThat(tanh.get("construction").getAsString()).isEqualTo("linearisation");
    assertThat(a.get(0).getAsJsonObject().get("construction").getAsString()).isEqualTo("sign-split");
    JsonObject square = a.get(a.size() - 2).getAsJsonObject();
    assertThat(square.get("name").getAsString()).isEqualTo("square");
    assertThat(square.get("lipschitz").isJsonNull()).isTrue();
    // relu6: ReLU's model, exact up to the clamp at 6; the symmetric linearisation (its slopes differ)
    JsonObject relu6 = a.get(9).getAsJsonObject();
    assertThat(relu6.get("name").getAsString()).isEqualTo("relu6");
    assertThat(relu6.getAsJsonObject("remainder").get("form").getAsString())
        .isEqualTo("exact on |t|<=r (piecewise linear through 0)");
    assertThat(relu6.get("construction").getAsString()).isEqualTo("symmetric-linearisation");
    assertThat(relu6.getAsJsonObject("torchModule").get("class").getAsString()).isEqualTo("ReLU6");
  }

  @Test
  void selectedActivationsWithDerivedConstantsAndTable() {
    CommandRun r = run("activations", "--format", "json", "--activation", "leaky-relu(0.2)", "--activation", "gelu",
        "--derive");
    assertThat(r.code()).as(r.err()).isZero();
    JsonArray a = JsonParser.parseString(r.out()).getAsJsonArray();
    assertThat(a).hasSize(2);
    assertThat(a.get(0).getAsJsonObject().get("slopeMinus").getAsDouble()).isEqualTo(0.2);
    JsonObject gelu = a.get(1).getAsJsonObject();
    assertThat(gelu.getAsJsonObject("derived").get("lipschitz").getAsDouble())
        .isCloseTo(gelu.get("lipschitz").getAsDouble(), org.assertj.core.api.Assertions.within(1e-9));
    CommandRun t = run("activations");
    assertThat(t.code()).isZero();
    assertThat(t.out()).contains("name").contains("relu").contains("gelu").contains("no").contains("m+ + m- != 0")
        .contains("LeakyReLU(negative_slope=0.01)").contains("GELU(approximate='none')");
  }

  /** The JSON example in docs/cli.md is the command's actual output for tanh. */
  @Test
  void documentedExampleIsTheActualOutput() throws java.io.IOException {
    String doc = java.nio.file.Files.readString(java.nio.file.Path.of("docs", "cli.md"));
    int section = doc.indexOf("## `activations`");
    assertThat(section).isNotNegative();
    int start = doc.indexOf("```json", section) + "```json".length();
    String snippet = doc.substring(start, doc.indexOf("```", start));
    CommandRun r = run("activations", "--format", "json", "--activation", "tanh");
    assertThat(r.code()).isZero();
    assertThat(JsonParser.parseString(snippet))
        .isEqualTo(JsonParser.parseString(r.out()).getAsJsonArray().get(0));
  }

  @Test
  void badInputIsAUsageError() {
    CommandRun r = run("activations", "--activation", "prelu");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--activation").contains("prelu").contains("relu, leaky-relu");
    CommandRun f = run("activations", "--format", "xml");
    assertThat(f.code()).isEqualTo(2);
    assertThat(f.err()).contains("--format");
  }
}
