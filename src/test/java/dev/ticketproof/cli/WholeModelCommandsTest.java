package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ticketproof.io.ArchSpec;
import dev.ticketproof.io.Fixtures;
import dev.ticketproof.io.TensorFiles;
import dev.ticketproof.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on whole models ({@code torch.save(model)}) of an nn.Sequential without --arch and --activation:
 * inspect shows the derived spec, eval reproduces PyTorch, construct and verify (and export) take the file as it is,
 * and a ticket verifies against the same network given by a hand-written spec; refusals exit 2 naming the module.
 */
class WholeModelCommandsTest {
  @TempDir Path tmp;

  @Test void inspectShowsTheDerivedSpecToSaveAndEdit() throws IOException {
    CommandRun j = run("inspect", fx("whole_tanh_mlp.pt"), "--format", "json");
    assertThat(j.code()).as(j.err()).isZero();
    JsonObject o = JsonParser.parseString(j.out()).getAsJsonObject();
    JsonObject arch = o.getAsJsonObject("arch");
    assertThat(arch.get("activation").getAsString()).isEqualTo("tanh");
    assertThat(arch.getAsJsonArray("input").toString()).isEqualTo("[6]");
    assertThat(arch.getAsJsonArray("layers").get(1).toString()).isEqualTo("{\"type\":\"batchnorm1d\",\"name\":\"1\","
        + "\"eps\":0.00001}");
    assertThat(o.getAsJsonArray("layers")).hasSize(7);
    assertThat(o.getAsJsonArray("layers").get(2).getAsJsonObject().get("layer").getAsString())
        .isEqualTo("activation tanh");
    // the text output's spec, saved as it is, is a spec --arch reads, building the same layer table
    CommandRun t = run("inspect", fx("whole_lenet.pt"), "--input-shape", "1,8,8");
    assertThat(t.code()).as(t.err()).isZero();
    String out = t.out();
    String json = out.substring(out.indexOf("{\n"), out.indexOf("\n}\n") + 3);
    Path spec = Files.writeString(tmp.resolve("lenet.json"), json);
    assertThat(ArchSpec.read(spec).input()).containsExactly(1, 8, 8);
    CommandRun h = run("inspect", fx("whole_lenet.pt"), "--arch", spec.toString());
    assertThat(h.code()).as(h.err()).isZero();
    assertThat(out.substring(out.indexOf("layers (input"))).isEqualTo(h.out().substring(h.out().indexOf(
        "layers (input")));
    // without the input shape the spec is shown and the layer table asked for
    CommandRun n = run("inspect", fx("whole_gap.pt"));
    assertThat(n.code()).as(n.err()).isZero();
    assertThat(n.out()).contains("\"activation\": \"leaky-relu(0.1)\"").contains("{\"type\": \"globalavgpool\"}")
        .contains("architecture: no layer table: the input shape cannot be inferred (layer 5 (global average "
            + "pooling) reads images of any size); give --input-shape C,H,W").doesNotContain("layers (input");
    // a custom root: the tensors, and why there is no architecture
    CommandRun c = run("inspect", fx("ckpt_whole_custom.pt"), "--format", "json");
    assertThat(c.code()).as(c.err()).isZero();
    assertThat(JsonParser.parseString(c.out()).getAsJsonObject().get("archNote").getAsString())
        .contains("not an nn.Sequential");
    // a state dict: what construct would say without --arch, which names the preset that reads its chain of layers
    CommandRun sd = run("inspect", fx("round26_mlp_state.pt"), "--format", "json");
    assertThat(sd.code()).as(sd.err()).isZero();
    assertThat(JsonParser.parseString(sd.out()).getAsJsonObject().get("archNote").getAsString())
        .startsWith("none in the file: --arch not given, and ").contains("which the preset synflow-conv reads under "
            + "the prefix 'layers.'");
    // a data file has no architecture to speak of
    CommandRun data = run("inspect", fx("round26_mlp_input.npy"), "--format", "json");
    assertThat(data.code()).as(data.err()).isZero();
    assertThat(JsonParser.parseString(data.out()).getAsJsonObject().has("archNote")).isFalse();
  }

  @Test void evalReproducesPyTorchWithoutArchOrActivation() {
    for (String name : new String[] {"whole_lenet", "whole_tanh_mlp", "whole_gap"}) {
      Path out = tmp.resolve(name + ".npy");
      CommandRun r = run("eval", "--target", fx(name + ".pt"), "--input", fx(name + "_input.npy"), "--out", out.toString(),
          "--format", "json");
      assertThat(r.code()).as(r.err()).isZero();
      Tensor y = TensorFiles.readNpy(out).tensor();
      Tensor ref = TensorFiles.readNpy(Fixtures.path(name + "_output.npy")).tensor();
      assertThat(y.shape()).isEqualTo(ref.shape());
      double diff = 0;
      double max = 0;
      for (int i = 0; i < y.size(); i++) {
        diff = Math.max(diff, Math.abs(y.data()[i] - ref.data()[i]));
        max = Math.max(max, Math.abs(ref.data()[i]));
      }
      assertThat(diff / max).as(name).isLessThanOrEqualTo(1e-5);
    }
  }

  /** construct at a small width, then verify: both without --arch and --activation. */
  JsonObject constructAndVerify(String name, String... inputShape) {
    Path ticket = tmp.resolve(name + ".tpz");
    List<String> args = new ArrayList<>(List.of("construct", "--target", fx(name + ".pt"), "--rho", "4", "--eps",
        "0.05", "--search", "0", "--samples", "4", "--no-progress", "--format", "json", "--out", ticket.toString()));
    args.addAll(Arrays.asList(inputShape));
    CommandRun c = run(args.toArray(String[]::new));
    assertThat(c.code()).as(c.err()).isZero();
    JsonObject o = JsonParser.parseString(c.out()).getAsJsonObject();
    List<String> v = new ArrayList<>(List.of("verify", ticket.toString(), "--target", fx(name + ".pt"), "--samples",
        "4", "--no-progress", "--format", "json"));
    v.addAll(Arrays.asList(inputShape));
    CommandRun r = run(v.toArray(String[]::new));
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(JsonParser.parseString(r.out()).getAsJsonObject().get("verdict").getAsString()).isEqualTo("holds");
    return o;
  }

  @Test void constructAndVerifyTakeTheWholeModelAsItIs() throws IOException {
    assertThat(constructAndVerify("whole_tanh_mlp").get("activation").getAsString()).isEqualTo("tanh");
    assertThat(constructAndVerify("whole_gap", "--input-shape", "2,6,6").get("activation").getAsString())
        .isEqualTo("leaky-relu(0.1)");
    assertThat(constructAndVerify("whole_lenet", "--input-shape", "1,8,8").get("activation").getAsString())
        .isEqualTo("relu");
    // the ticket's target hash is the same with the spec written by hand
    // the LeNet-style fixture's spec written by hand, as docs/arch-spec.md describes it
    Path spec = Fixtures.path("whole_lenet.json");
    CommandRun h = run("verify", tmp.resolve("whole_lenet.tpz").toString(), "--target", fx("whole_lenet.pt"), "--arch",
        spec.toString(), "--samples", "4", "--no-progress");
    assertThat(h.code()).as(h.out() + h.err()).isZero();
    // and export reads it the same way
    CommandRun e = run("export", tmp.resolve("whole_lenet.tpz").toString(), "--target", fx("whole_lenet.pt"),
        "--input-shape", "1,8,8", "--out", tmp.resolve("lenet-ticket.pt").toString());
    assertThat(e.code()).as(e.out() + e.err()).isZero();
    // without the input shape the pooling network's is inferred (8x8: its linear layer's fan-in, no row dropped)
    CommandRun n = run("verify", tmp.resolve("whole_lenet.tpz").toString(), "--target", fx("whole_lenet.pt"), "--samples",
        "4", "--no-progress");
    assertThat(n.code()).as(n.out() + n.err()).isZero();
    // one with global average pooling reads any size: refused, naming the flag
    CommandRun g = run("construct", "--target", fx("whole_gap.pt"), "--rho", "4", "--no-progress", "--out",
        tmp.resolve("gap.tpz").toString());
    assertThat(g.code()).isEqualTo(2);
    assertThat(g.err()).contains("--input-shape not given, and it cannot be inferred from the whole model")
        .contains("reads images of any size");
    assertThat(tmp.resolve("gap.tpz")).doesNotExist();
  }

  @Test void unrepresentableModelsExitTwoNamingTheModule() {
    String[][] cases = {
        {"whole_bad_mixed.pt", "several activations: relu (module '1'), tanh (module '3')"},
        {"ckpt_whole_custom.pt", "the whole model is a __main__.CustomNet, not an nn.Sequential"},
        {"synflow_conv.pt", "--arch not given, and " + fx("synflow_conv.pt") + " holds tensors only"},
    };
    for (String[] c : cases) {
      Path out = tmp.resolve("t.tpz");
      CommandRun r = run("construct", "--target", fx(c[0]), "--rho", "4", "--no-progress", "--out", out.toString());
      assertThat(r.code()).as(c[0] + r.err()).isEqualTo(2);
      assertThat(r.err()).contains(c[1]).doesNotContain("note: activation");
      assertThat(Files.exists(out)).isFalse();
      CommandRun e = run("eval", "--target", fx(c[0]), "--input", fx("whole_tanh_mlp_input.npy"), "--out",
          tmp.resolve("y.npy").toString());
      assertThat(e.code()).as(c[0]).isEqualTo(2);
      assertThat(e.err()).contains(c[1]);
    }
    CommandRun a = run("construct", "--target", fx("whole_tanh_mlp.pt"), "--activation", "relu", "--rho", "4",
        "--no-progress", "--out", tmp.resolve("t.tpz").toString());
    assertThat(a.code()).isEqualTo(2);
    assertThat(a.err()).contains("--activation relu: the whole model").contains("computes tanh");
  }
}
