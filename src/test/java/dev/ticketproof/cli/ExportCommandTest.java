package dev.ticketproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ticketproof.io.Fixtures;
import dev.ticketproof.io.TensorFiles;
import dev.ticketproof.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportCommandTest {
  @TempDir Path tmp;

  static String fx(String name) { return Fixtures.path("export/" + name).toString(); }

  static CommandRun run(String... args) { return ImportCommandsTest.run(args); }

  @Test void exportWritesTheStateDictAndTheSpec() throws IOException {
    Path pt = tmp.resolve("ticket.pt");
    CommandRun r = run("export", fx("sr_relu.tpz"), "--format", "pytorch", "--out", pt.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("written to " + pt);
    assertThat(Files.readAllBytes(pt)).isEqualTo(Files.readAllBytes(Path.of(fx("sr_relu.pt"))));
    JsonObject spec = JsonParser.parseString(Files.readString(tmp.resolve("ticket.json"))).getAsJsonObject();
    assertThat(spec.get("format").getAsString()).isEqualTo("ticketproof-ticket");
    assertThat(spec.get("weights").getAsString()).isEqualTo("sparse");
    assertThat(spec.get("file").getAsString()).isEqualTo("ticket.pt");
    assertThat(spec.getAsJsonArray("outputShape").toString()).isEqualTo("[10]");

    Path npz = tmp.resolve("ticket2.npz");
    CommandRun n = run("export", fx("sc_sigmoid.tpz"), "--format", "npz", "--pruned", "--out", npz.toString());
    assertThat(n.code()).as(n.err()).isZero();
    assertThat(TensorFiles.read(npz, false).names()).contains("layers.0.weight_orig", "layers.0.weight_mask",
        "layers.0.bias_orig", "layers.0.bias_mask");
    assertThat(Files.readString(tmp.resolve("ticket2.json"))).contains("\"weights\": \"pruned\"");
  }

  /** export shows its stages on stderr (plain lines when stderr is not a terminal), and nothing with --no-progress. */
  @Test void exportShowsItsStagesUnlessTold() {
    Path pt = tmp.resolve("p.pt");
    String shown = ProgressAndErrorsTest.capturingStderr(() -> {
      CommandRun r = run("export", fx("sr_relu.tpz"), "--out", pt.toString());
      assertThat(r.code()).as(r.err()).isZero();
      return r;
    });
    assertThat(ProgressAndErrorsTest.notes(shown, "export")).hasSize(4);
    assertThat(shown).contains("export: 0 %, reading and checking sr_relu.tpz", "export: 65 %, encoding the ticket",
        "export: 80 %, writing p.pt", "export: 100 %, done");
    String none = ProgressAndErrorsTest.capturingStderr(() -> {
      CommandRun q = run("export", fx("sr_relu.tpz"), "--out", tmp.resolve("q.pt").toString(), "--no-progress");
      assertThat(q.code()).as(q.err()).isZero();
      return q;
    });
    assertThat(none).isEmpty();
  }

  @Test void evalTicketWritesTheTicketsOutputs() throws IOException {
    Path y = tmp.resolve("y.npy");
    CommandRun r = run("eval", "--ticket", fx("sr_relu.tpz"), "--input", fx("sr_x.npy"), "--out", y.toString(),
        "--format", "json");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("output").toString())
        .isEqualTo("[6,10]");
    Tensor java = TensorFiles.readNpy(y).tensor();
    Tensor torch = TensorFiles.readNpy(Path.of(fx("sr_relu_torch.npy"))).tensor();
    assertThat(java.shape()).isEqualTo(torch.shape());
    double diff = 0;
    double mag = 0;
    for (int i = 0; i < java.size(); i++) {
      diff = Math.max(diff, Math.abs(java.data()[i] - torch.data()[i]));
      mag = Math.max(mag, Math.abs(torch.data()[i]));
    }
    assertThat(diff).isLessThanOrEqualTo(1e-6 * mag);
  }

  @Test void evalOfABuiltinTargetIsItsForwardPass() throws IOException {
    Path y = tmp.resolve("y.npy");
    CommandRun r = run("eval", "--target", "builtin:small-cnn", "--activation", "tanh", "--input", fx("sc_x.npy"), "--out",
        y.toString());
    assertThat(r.code()).as(r.err()).isZero();
    Tensor x = TensorFiles.readNpy(Path.of(fx("sc_x.npy"))).tensor();
    Tensor expected = dev.ticketproof.net.Forward.forward(
        dev.ticketproof.targets.Builtins.of("small-cnn", dev.ticketproof.activation.ActivationCatalog.parse("tanh")), x);
    assertThat(TensorFiles.readNpy(y).tensor().data()).containsExactly(expected.data());
    CommandRun arch = run("eval", "--target", "builtin:small-cnn", "--arch", "synflow-conv", "--input", fx("sc_x.npy"),
        "--out", tmp.resolve("z.npy").toString());
    assertThat(arch.code()).isEqualTo(2);
    assertThat(arch.err()).contains("--arch: a built-in target has its own architecture");
    assertThat(Files.exists(tmp.resolve("z.npy"))).isFalse();
  }

  @Test void badInputIsExitCode2AndWritesNothing() throws IOException {
    Path out = tmp.resolve("t.pt");
    CommandRun f = run("export", fx("sr_relu.tpz"), "--format", "onnx", "--out", out.toString());
    assertThat(f.code()).isEqualTo(2);
    assertThat(f.err()).contains("--format must be pytorch or npz, got 'onnx'");
    CommandRun other = run("export", fx("sr_relu.tpz"), "--target", "builtin:small-cnn", "--out", out.toString());
    assertThat(other.code()).isEqualTo(2);
    assertThat(other.err()).contains("was made for another target");
    Path junk = Files.writeString(tmp.resolve("junk.tpz"), "not a zip");
    CommandRun bad = run("export", junk.toString(), "--out", out.toString());
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("junk.tpz");
    CommandRun shape = run("eval", "--ticket", fx("sr_relu.tpz"), "--input", fx("sc_x.npy"), "--out",
        tmp.resolve("y.npy").toString());
    assertThat(shape.code()).isEqualTo(2);
    assertThat(shape.err()).contains("--input " + fx("sc_x.npy") + ": expected a batch of shape [6, 3, 8, 8]");
    CommandRun masks = run("eval", "--ticket", fx("sr_relu.tpz"), "--input", fx("sr_x.npy"), "--out",
        tmp.resolve("y.npy").toString(), "--no-masks");
    assertThat(masks.code()).isEqualTo(2);
    assertThat(masks.err()).contains("--no-masks: a ticket's target is read with its masks applied");
    assertThat(tmp.resolve("y.npy")).doesNotExist();
    CommandRun noTarget = run("eval", "--input", fx("sc_x.npy"), "--out", tmp.resolve("y.npy").toString());
    assertThat(noTarget.code()).isEqualTo(2);
    assertThat(noTarget.err()).contains("--target is required (or --ticket)");
    try (var files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("junk.tpz");
    }
  }
}
