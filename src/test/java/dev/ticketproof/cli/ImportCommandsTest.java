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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportCommandsTest {
  @TempDir Path tmp;

  static CommandRun run(String... args) { return CommandRun.of(args); }

  /** The JSON report of a run that exited 0 (its stderr in the failure message otherwise). */
  static com.google.gson.JsonObject json(CommandRun r) {
    assertThat(r.code()).as(r.err()).isZero();
    return com.google.gson.JsonParser.parseString(r.out()).getAsJsonObject();
  }

  /** The values of a .npy file. */
  static double[] npy(java.nio.file.Path p) {
    return dev.ticketproof.io.TensorFiles.readNpy(p).tensor().data();
  }

  static String fx(String name) { return Fixtures.path(name).toString(); }

  /** The arguments {@code a}, then {@code b}. */
  static String[] concat(String[] a, String... b) {
    return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
  }

  /** A file the other commands refuse for what its layers compute beside their weights: inspect lists it, warned. */
  @Test void inspectListsAFileWithEdgePopupsScoresAndSaysTheOtherCommandsRefuseIt() {
    CommandRun r = run("inspect", fx("round23_edgepopup_checkpoint.pth"));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("state_dict.module.convs.0.scores");
    assertThat(r.err()).contains("warning: ").contains("tensor 'state_dict.module.convs.0.scores' is a score of every "
        + "weight").contains("(eval, construct and verify refuse it)");
  }

  @Test void inspectListsTensorsAndLayers() {
    CommandRun r = run("inspect", fx("synflow_conv.pt"), "--arch", "synflow-conv");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("6 tensors").contains("0.weight  [3, 2, 3, 3]  float32")
        .contains("masks applied to: 0.weight, 0.bias, 2.weight, 2.bias, 5.weight, 5.bias")
        .contains("layers (input [2, 5, 5])").contains("conv '2' (3->4, 3x3, stride 1, padding 1)")
        .contains("linear '5' (100->3)");
    CommandRun j = run("inspect", fx("openlth_resnet.pt"), "--arch", "openlth-cifar-resnet", "--input-shape", "3,8,8",
        "--format", "json");
    assertThat(j.code()).as(j.err()).isZero();
    JsonObject o = JsonParser.parseString(j.out()).getAsJsonObject();
    assertThat(o.getAsJsonArray("input").toString()).isEqualTo("[3,8,8]");
    assertThat(o.getAsJsonArray("layers").get(5).getAsJsonObject().get("name").getAsString()).isEqualTo("blocks.2");
    assertThat(o.getAsJsonArray("tensors").get(0).getAsJsonObject().get("name").getAsString()).isEqualTo("conv.weight");
  }

  /** Without --activation, construct builds a file target with the JSON spec's activation, else with relu. */
  @Test void constructTakesTheSpecsActivation() throws IOException {
    String spec = Files.readString(Fixtures.path("maxpool_cnn.json"));
    Path tanh = Files.writeString(tmp.resolve("tanh.json"), spec.replaceFirst("\\{", "{\"activation\": \"tanh\", "));
    for (String[] c : new String[][] {{tanh.toString(), "tanh"}, {fx("maxpool_cnn.json"), "relu"}}) {
      CommandRun r = run("construct", "--target", fx("maxpool_cnn.pt"), "--arch", c[0], "--rho", "4", "--eps", "0.05",
          "--search", "0", "--samples", "4", "--no-progress", "--format", "json", "--out",
          tmp.resolve("t.tpz").toString());
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(JsonParser.parseString(r.out()).getAsJsonObject().get("activation").getAsString()).isEqualTo(c[1]);
    }
  }

  @Test void evalWritesPyTorchsOutputs() throws IOException {
    Path out = tmp.resolve("y.npy");
    CommandRun r = run("eval", "--target", fx("openlth_resnet.pt"), "--arch", "openlth-cifar-resnet", "--activation",
        "relu", "--input", fx("openlth_resnet_input.npy"), "--out", out.toString(), "--format", "json");
    assertThat(r.code()).as(r.err()).isZero();
    Tensor y = TensorFiles.readNpy(out).tensor();
    Tensor ref = TensorFiles.readNpy(Fixtures.path("openlth_resnet_output.npy")).tensor();
    assertThat(y.shape()).isEqualTo(ref.shape());
    for (int i = 0; i < y.size(); i++) {
      assertThat(Math.abs(y.data()[i] - ref.data()[i]))
          .isLessThanOrEqualTo(1e-5 * Math.max(1, Math.abs(ref.data()[i])));
    }
  }

  @Test void checkpointsAreReadUnderTheirPrefixFoundOrGiven() throws IOException {
    CommandRun r = run("inspect", fx("ckpt_lightning.pt"), "--arch", "synflow-conv");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("state_dict.model.0.weight").contains("tensors read under prefix "
        + "'state_dict.model.' (found").contains("linear '5' (100->3)");
    CommandRun j = run("inspect", fx("ckpt_dataparallel.pt"), "--arch", "synflow-conv", "--prefix", "module",
        "--format", "json");
    assertThat(j.code()).as(j.err()).isZero();
    JsonObject o = JsonParser.parseString(j.out()).getAsJsonObject();
    assertThat(o.get("prefix").getAsString()).isEqualTo("module.");
    assertThat(o.get("prefixFound").getAsBoolean()).isFalse();
    Path out = tmp.resolve("y.npy");
    CommandRun e = run("eval", "--target", fx("ckpt_whole_custom.pt"), "--arch", fx("ckpt_whole_custom.json"), "--input",
        fx("ckpt_whole_custom_input.npy"), "--out", out.toString());
    assertThat(e.code()).as(e.err()).isZero();
    assertThat(TensorFiles.readNpy(out).tensor().shape()).containsExactly(4, 4);
    Files.delete(out);
    assertBadInput("--prefix 'nope.': no tensor of " + fx("ckpt_loop.pt") + " is named under it (its names begin "
        + "with 'model.', 'optimizer.')", "eval", "--target", fx("ckpt_loop.pt"), "--arch", "synflow-conv",
        "--prefix", "nope", "--input", fx("ckpt_input.npy"));
    assertBadInput("--prefix: a built-in target has its own tensors", "eval", "--target", "builtin:small-fc",
        "--prefix", "x", "--input", fx("ckpt_input.npy"));
  }

  @Test void evalUsesTheSpecsActivation() {
    Path out = tmp.resolve("y.npy");
    CommandRun r = run("eval", "--target", fx("synflow_conv.pt"), "--arch", fx("synflow_conv.json"), "--input",
        fx("synflow_conv_input.npy"), "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.exists(out)).isTrue();
  }

  void assertBadInput(String expectedMessage, String... args) throws IOException {
    Path out = tmp.resolve("never.npy");
    String[] all = Stream.concat(Stream.of(args), Stream.of("--out", out.toString())).toArray(String[]::new);
    CommandRun r = run(all);
    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.err()).contains(expectedMessage);
    try (var files = Files.list(tmp)) {
      assertThat(files).as("nothing written").isEmpty();
    }
  }

  @Test void evalBadInputExitsTwoAndWritesNothing() throws IOException {
    String x = fx("synflow_conv_input.npy");
    assertBadInput("missing.pt: no such file", "eval", "--target", tmp.resolve("missing.pt").toString(), "--arch",
        "synflow-conv", "--activation", "relu", "--input", x);
    assertBadInput("forbidden global 'posix.system'", "eval", "--target", fx("bad_evil.pt"), "--arch",
        "synflow-conv", "--activation", "relu", "--input", x);
    assertBadInput("unknown storage type torch.ComplexFloatStorage", "eval", "--target", fx("bad_complex.pt"),
        "--arch", "synflow-conv", "--activation", "relu", "--input", x);
    assertBadInput("tensor 'w' has NaN", "eval", "--target", fx("bad_nan.pt"), "--arch", "synflow-conv",
        "--activation", "relu", "--input", x);
    assertBadInput("--activation frobnicate", "eval", "--target", fx("synflow_conv.pt"), "--arch", "synflow-conv",
        "--activation", "frobnicate", "--input", x);
    assertBadInput("--activation not given", "eval", "--target", fx("synflow_conv.pt"), "--arch", "synflow-conv",
        "--input", x);
    assertBadInput("expected input shape [100] or [100, 1, 1], got [144]", "eval", "--target",
        fx("synflow_conv.pt"), "--arch", "synflow-conv", "--activation", "relu", "--input", writeBatch(2, 6, 6));
    assertBadInput("--input", "eval", "--target", fx("synflow_conv.pt"), "--arch", "synflow-conv",
        "--activation", "relu", "--input", fx("np_f64.npy"));
    assertBadInput("tensor 'blocks.1.shortcut.weight' in " + fx("shortcut_scale_bad_1c.pt") + " has shape [1, 4], "
        + "expected [C], [C, 1, 1] or [1, C, 1, 1]", "eval", "--target", fx("shortcut_scale_bad_1c.pt"), "--arch",
        "openlth-cifar-resnet", "--activation", "relu", "--input", fx("shortcut_scale_input.npy"));
  }

  @Test void everyKindOfBadTargetExitsTwoAndWritesNothing() throws IOException {
    Path work = Files.createTempDirectory("bad-targets");
    String x = fx("synflow_conv_input.npy");
    Path text = Files.writeString(work.resolve("text.pt"), "not a tensor file");
    byte[] good = Files.readAllBytes(Fixtures.path("synflow_conv.pt"));
    Path cut = Files.write(work.resolve("cut.pt"), java.util.Arrays.copyOf(good, good.length - 40));
    Path noPkl = Fixtures.editedZip(work, "synflow_conv.pt", m -> {
      m.remove("synflow_conv/data.pkl");
      return m;
    });
    Path shortStorage = work.resolve("short.pt");
    Fixtures.writeZip(shortStorage, edit(Fixtures.zipEntries(Fixtures.path("synflow_conv.pt")),
        "synflow_conv/data/0", 100));
    Path missingTensor = Files.writeString(work.resolve("missing.json"),
        "{\"input\": [2, 5, 5], \"layers\": [{\"type\": \"conv2d\", \"name\": \"7\"}]}");
    Path upsample = Files.writeString(work.resolve("upsample.json"),
        "{\"layers\": [{\"type\": \"upsample\", \"kernel\": 2}]}");
    String[][] cases = {
        {"text.pt: not a zip archive nor a legacy PyTorch file", text.toString(), "synflow-conv"},
        {"cut.pt: not a readable zip archive, truncated or corrupt", cut.toString(), "synflow-conv"},
        {"no data.pkl entry in the zip archive", noPkl.toString(), "synflow-conv"},
        {"storage too short", shortStorage.toString(), "synflow-conv"},
        {"tensor 'w' has -Infinity", fx("bad_inf.pt"), "synflow-conv"},
        {"names tensor '7.weight', which", fx("synflow_conv.pt"), missingTensor.toString()},
        {"layers[0].type: unsupported layer type 'upsample'", fx("synflow_conv.pt"), upsample.toString()},
    };
    for (String[] c : cases) {
      assertBadInput(c[0], "eval", "--target", c[1], "--arch", c[2], "--activation", "relu", "--input", x);
      CommandRun r = run("inspect", c[1], "--arch", c[2]);
      assertThat(r.code()).as(c[0]).isEqualTo(2);
      assertThat(r.err()).contains(c[0]);
    }
  }

  private static java.util.Map<String, byte[]> edit(java.util.Map<String, byte[]> entries, String name, int length) {
    entries.put(name, java.util.Arrays.copyOf(entries.get(name), length));
    return entries;
  }

  private String writeBatch(int c, int h, int w) throws IOException {
    Path dir = Files.createTempDirectory("batch");
    Path p = dir.resolve("x.npy");
    dev.ticketproof.io.Npy.write(p, Tensor.zeros(1, c, h, w), dev.ticketproof.io.DType.FLOAT32);
    return p.toString();
  }

  @Test void aTrainedBuiltinResNetOnlyTakesItsTrainingActivation() throws IOException {
    CommandRun r = run("construct", "--target", "builtin:digits-resnet-sigmoid", "--activation", "relu", "--no-progress");
    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.err()).contains("digits-resnet-sigmoid was trained with sigmoid")
        .contains("--activation relu: ");
    CommandRun t = run("construct", "--target", "builtin:digits-resnet-relu", "--activation", "tanh", "--no-progress");
    assertThat(t.code()).as(t.out() + t.err()).isEqualTo(2);
    assertThat(t.err()).contains("digits-resnet-relu was trained with relu");
    // without --activation it is the one the target is defined with
    String x = writeBatch(1, 32, 32);
    String y = Files.createTempDirectory("out").resolve("y.npy").toString();
    CommandRun e = run("eval", "--target", "builtin:digits-resnet-sigmoid", "--input", x, "--out", y, "--format", "json",
        "--no-progress");
    assertThat(e.code()).as(e.out() + e.err()).isEqualTo(0);
    assertThat(e.out()).contains("\"activation\":\"sigmoid\"");
  }

  @Test void inspectBadInput() {
    CommandRun r = run("inspect", fx("bad_evil.pt"));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("forbidden global 'posix.system'");
    CommandRun u = run("inspect", fx("synflow_conv.pt"), "--arch", "{\"layers\": 3}");
    assertThat(u.code()).isEqualTo(2);
    assertThat(u.err()).contains("neither a preset");
  }
}
