package dev.ticketproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progress on a stderr that is not a terminal is plain lines, one per stage, without escapes or carriage returns;
 * with {@code --format json} every error is also a JSON object on stdout.
 */
class ProgressAndErrorsTest {
  @TempDir Path tmp;

  /** Runs with System.err captured (progress writes there); returns {run, captured stderr}. */
  static <T> String capturingStderr(Supplier<T> body) {
    PrintStream old = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      body.get();
    } finally {
      System.setErr(old);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  /** The percentages of the plain lines of {@code task}, in order. */
  static List<Integer> percents(String lines, String task) {
    return Arrays.stream(lines.split("\n")).filter(l -> l.startsWith(task + ": ") && l.contains(" %, "))
        .map(l -> Integer.parseInt(l.substring(task.length() + 2, l.indexOf(" %, ")))).toList();
  }

  static List<String> notes(String lines, String task) {
    return Arrays.stream(lines.split("\n")).filter(l -> l.startsWith(task + ": "))
        .map(l -> l.split(", ")[1]).toList();
  }

  @Test void pipedProgressIsOnePlainLinePerStage() {
    assertThat(System.console()).as("the test runs without a terminal").isNull();
    Path t = tmp.resolve("t.tpz");
    CommandRun[] runs = new CommandRun[3];
    String construct = capturingStderr(() -> runs[0] = ImportCommandsTest.run("construct", "--target",
        "builtin:small-cnn", "--rho", "4", "--eps", "0.1", "--samples", "4", "--search", "200", "--out", t.toString()));
    assertThat(runs[0].code()).as(runs[0].err()).isZero();
    assertThat(construct).doesNotContain("\r").doesNotContain("\u001b");
    assertThat(notes(construct, "construct")).containsExactly("layer 0", "layer 2", "layer 5",
        "kernel check", "certified bound", "measuring 4 samples", "adversarial search", "done");
    assertThat(construct).contains("construct: 100 %, done");
    // the search's budget and the bound's boxes weigh their stages again as they start: the share never goes back
    assertThat(percents(construct, "construct")).isSorted().hasSize(8);

    String verify = capturingStderr(() -> runs[1] = ImportCommandsTest.run("verify", t.toString(), "--samples",
        "4", "--search", "200"));
    assertThat(runs[1].code()).as(runs[1].err()).isZero();
    assertThat(verify).doesNotContain("\r").doesNotContain("\u001b");
    assertThat(notes(verify, "verify")).containsExactly("kernel check", "certified bound", "adversarial search",
        "done");

    String stats = capturingStderr(() -> runs[2] = ImportCommandsTest.run("subset-sum", "stats", "--n", "8",
        "--trials", "50000"));
    assertThat(runs[2].code()).as(runs[2].err()).isZero();
    assertThat(stats).doesNotContain("\r").doesNotContain("\u001b").contains("subset-sum stats: 50000/50000");

    // a local certificate's bound is computed ball by ball, and its stage says over how many
    Path points = tmp.resolve("x.npy");
    try {
      dev.ticketproof.io.Npy.write(points, dev.ticketproof.tensor.Tensor.of(new double[3 * 128], 3, 2, 8, 8),
          dev.ticketproof.io.DType.FLOAT64);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    CommandRun[] ball = new CommandRun[1];
    String local = capturingStderr(() -> ball[0] = ImportCommandsTest.run("construct", "--target", "builtin:small-cnn",
        "--rho", "4", "--eps", "0.1", "--around", points.toString(), "--radius", "0.01", "--search", "0", "--out",
        tmp.resolve("b.tpz").toString()));
    assertThat(ball[0].code()).as(ball[0].err()).isZero();
    assertThat(notes(local, "construct")).contains("kernel check", "certified bound over 3 balls");
    assertThat(percents(local, "construct")).isSorted();

    // the rows of --data are evaluated last, in a stage of their own (before "done", not after it)
    CommandRun[] withData = new CommandRun[2];
    String dataConstruct = capturingStderr(() -> withData[0] = ImportCommandsTest.run("construct", "--target",
        "builtin:small-cnn", "--rho", "4", "--eps", "0.1", "--samples", "4", "--search", "200", "--data",
        points.toString(), "--out", tmp.resolve("d.tpz").toString()));
    assertThat(withData[0].code()).as(withData[0].err()).isZero();
    assertThat(notes(dataConstruct, "construct")).containsExactly("layer 0", "layer 2", "layer 5", "kernel check",
        "certified bound", "measuring 4 samples", "adversarial search", "evaluating 3 data inputs", "done");
    assertThat(percents(dataConstruct, "construct")).isSorted();
    String dataVerify = capturingStderr(() -> withData[1] = ImportCommandsTest.run("verify", t.toString(),
        "--samples", "4", "--search", "200", "--data", points.toString()));
    assertThat(withData[1].code()).as(withData[1].err()).isZero();
    assertThat(notes(dataVerify, "verify")).containsExactly("kernel check", "certified bound", "adversarial search",
        "evaluating 3 data inputs", "done");
    assertThat(percents(dataVerify, "verify")).isSorted();

    String quiet = capturingStderr(() -> ImportCommandsTest.run("verify", t.toString(), "--samples", "4",
        "--no-progress"));
    assertThat(quiet).isEmpty();
  }

  static void assertJsonError(CommandRun r, int code, String text) {
    assertThat(r.code()).as(r.err()).isEqualTo(code);
    assertThat(r.err()).contains(text);
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    assertThat(o.keySet()).containsExactly("error", "exitCode");
    assertThat(o.get("exitCode").getAsInt()).isEqualTo(code);
    assertThat(o.get("error").getAsString()).contains(text);
  }

  @Test void withFormatJsonErrorsAreJsonOnStdout() throws Exception {
    Path missing = tmp.resolve("missing.tpz");
    assertJsonError(ImportCommandsTest.run("verify", missing.toString(), "--format", "json"), 2,
        "no such ticket file");
    Path junk = Files.writeString(tmp.resolve("junk.tpz"), "junk");
    assertJsonError(ImportCommandsTest.run("verify", junk.toString(), "--format", "json"), 3,
        "not a readable ticket archive");
    assertJsonError(ImportCommandsTest.run("construct", "--target", "builtin:nope", "--format", "json"), 2,
        "unknown built-in target 'nope'");
    assertJsonError(ImportCommandsTest.run("construct", "--target", "builtin:small-cnn", "--bogus", "--format=json"),
        2, "Unknown option: '--bogus'");
    assertJsonError(ImportCommandsTest.run("eval", "--input", tmp.resolve("x.npy").toString(), "--out",
        tmp.resolve("y.npy").toString(), "--format", "json"), 2, "no such file");
    assertJsonError(ImportCommandsTest.run("inspect", tmp.resolve("m.pt").toString(), "--format", "json"), 2,
        "m.pt");
    assertJsonError(ImportCommandsTest.run("activations", "--activation", "frob", "--format", "json"), 2, "frob");
    assertJsonError(ImportCommandsTest.run("subset-sum", "stats", "--eps", "2", "--format", "json"), 2,
        "--eps must be in (0, 1]");
    assertJsonError(ImportCommandsTest.run("demo", "--seed", "x", "--format", "json"), 2, "--seed");
    // without --format json, stdout stays empty
    CommandRun plain = ImportCommandsTest.run("verify", missing.toString());
    assertThat(plain.code()).isEqualTo(2);
    assertThat(plain.out()).isEmpty();
    assertThat(plain.err()).contains("no such ticket file");
  }
}
