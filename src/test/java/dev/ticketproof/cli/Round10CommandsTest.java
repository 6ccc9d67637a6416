package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.json;
import static dev.ticketproof.cli.ImportCommandsTest.npy;
import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on the tenth round's networks (fixtures {@code round10_*}): a model that normalises its input with
 * torchvision's Normalize builds a ticket at the defaults, also before a padded conv (as the target's input map);
 * a normaliser of the user's code is refused naming the spec layer that reads it, and a spec that leaves its buffers
 * unread is warned about; custom modules whose forward is not the order of their submodules get no draft.
 */
@Tag("end-to-end")
class Round10CommandsTest {
  @TempDir Path tmp;

  /** A run with System.err (where the loader's notes and warnings go) captured: {run, its System.err}. */
  private static Object[] withStderr(String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream notes = new ByteArrayOutputStream();
    CommandRun r;
    try {
      System.setErr(new PrintStream(notes, true, StandardCharsets.UTF_8));
      r = run(args);
    } finally {
      System.setErr(saved);
    }
    return new Object[] {r, notes.toString(StandardCharsets.UTF_8)};
  }

  /**
   * Builds the ticket of a model of the shapes at the defaults (box [0, 1], the test images and labels), asserts that
   * it holds, that its outputs on the raw test images (eval --ticket) differ from PyTorch's (the fixture
   * {@code reference}) by more than 0, at most the certified bound and less than 1 % of their largest, and that it
   * keeps every prediction but near ties ({@link TrainedTickets#keepsPredictions}: one image of the shapes has a margin
   * of 0.025 % of the largest output, where either class may win within the 1 % goal).
   */
  private void ticketWithinItsBound(String target, String reference, Path t) {
    String x = fx("round10_shapes_input.npy");
    JsonObject o = json(run("construct", "--target", target, "--input-box", "0,1", "--data", x, "--labels",
        fx("round10_shapes_y.npy"), "--search", "0", "--samples", "4", "--format", "json", "--no-progress",
        "--out", t.toString()));
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    double bound = o.get("certifiedBound").getAsDouble();
    Path yt = tmp.resolve(t.getFileName() + ".npy");
    json(run("eval", "--ticket", t.toString(), "--target", target, "--input", x, "--out", yt.toString(),
        "--format", "json", "--no-progress"));
    double[] ticket = npy(yt);
    double[] ref = npy(Path.of(fx(reference)));
    assertThat(ticket).hasSameSizeAs(ref);
    double worst = 0;
    double largest = 0;
    for (int k = 0; k < ref.length; k++) {
      worst = Math.max(worst, Math.abs(ticket[k] - ref[k]));
      largest = Math.max(largest, Math.abs(ref[k]));
    }
    assertThat(worst).isGreaterThan(0).isLessThanOrEqualTo(bound).isLessThan(0.01 * largest);
    TrainedTickets.keepsPredictions(target, ref, ticket, ref.length / 24);
  }

  /**
   * torchvision's Normalize before an unpadded conv: inspect shows it and its fold; construct at the defaults holds,
   * keeps every prediction, and the ticket's outputs (eval --ticket, on raw inputs) lie within the certified bound of
   * PyTorch's and within 1 % of their largest; verify says holds.
   */
  @Test void aModelThatNormalisesItsInputWithTorchvisionsNormalizeBuildsATicket() {
    String target = fx("round10_tvnorm_whole.pt");
    CommandRun i = run("inspect", target, "--input-shape", "3,16,16");
    assertThat(i.code()).as(i.err()).isZero();
    assertThat(i.out()).contains("{\"type\": \"normalize\", \"name\": \"0\", \"mean\": [")
        .contains("normalize '0' (3 channels, (x - mean) / std)")
        .contains("folded (exact): normalize '0' (first) into conv '1' (3->8, 3x3, stride 1, padding 0)");
    Path t = tmp.resolve("tv.tpz");
    ticketWithinItsBound(target, "round10_tvnorm_output.npy", t);
    CommandRun v = run("verify", t.toString(), "--target", target);
    assertThat(v.code()).as(v.out() + v.err()).isZero();
  }

  /**
   * Before a padded conv the normalisation is the target's input map: inspect says so; construct at the defaults (box
   * [0, 1], the images' range before the normalisation) holds and keeps every prediction; the ticket's outputs on raw
   * inputs (eval --ticket) lie within the certified bound of PyTorch's and within 1 % of their largest; verify with
   * the whole model says holds, and the export's spec puts the map first.
   */
  @Test void aNormalizeBeforeAPaddedConvIsTheTicketsInputMap() throws Exception {
    String target = fx("round10_tvnormpad_whole.pt");
    CommandRun i = run("inspect", target, "--input-shape", "3,16,16");
    assertThat(i.code()).as(i.err()).isZero();
    assertThat(i.out()).contains("input map: normalize '0' (first) stays in front of the ticket's layers")
        .doesNotContain("not for the ticket constructions");
    Path t = tmp.resolve("pad.tpz");
    ticketWithinItsBound(target, "round10_tvnormpad_output.npy", t);
    CommandRun v = run("verify", t.toString(), "--target", target, "--no-progress");
    assertThat(v.code()).as(v.out() + v.err()).isZero();
    assertThat(v.out()).contains("holds");
    Path e = tmp.resolve("exp.npz");
    CommandRun ex = run("export", t.toString(), "--target", target, "--format", "npz", "--out", e.toString());
    assertThat(ex.code()).as(ex.err()).isZero();
    JsonObject spec = JsonParser.parseString(Files.readString(tmp.resolve("exp.json"))).getAsJsonObject();
    JsonObject first = spec.getAsJsonArray("layers").get(0).getAsJsonObject();
    assertThat(first.get("kind").getAsString()).isEqualTo("affine");
    assertThat(first.get("key").getAsString()).isEqualTo("layers.0");
  }

  /**
   * RobustBench's normaliser: without --arch, the refusal names the spec layer; with the spec, eval computes PyTorch's
   * outputs; with a spec that leaves the buffers out, eval warns on stderr.
   */
  @Test void aNormaliserOfTheUsersCodeIsReadThroughTheSpecAndAMissingOneIsWarnedAbout() throws Exception {
    String x = fx("round10_shapes_input.npy");
    CommandRun r = run("eval", "--target", fx("round10_rbnorm_whole.pt"), "--input", x, "--out",
        tmp.resolve("n.npy").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("module 'normalize' (__main__.ImageNormalizer): it holds only the tensors")
        .contains("{\"type\": \"normalize\", \"name\": \"normalize\", \"mean\": \"normalize.mean\", \"std\": "
            + "\"normalize.std\"}");
    Path y = tmp.resolve("rb.npy");
    Object[] with = withStderr("eval", "--target", fx("round10_rbnorm_whole.pt"), "--arch",
        fx("round10_rbnorm.json"), "--input", x, "--out", y.toString());
    assertThat(((CommandRun) with[0]).code()).as(((CommandRun) with[0]).err()).isZero();
    assertThat((String) with[1]).doesNotContain("warning");
    double[] out = npy(y);
    double[] ref = npy(Path.of(fx("round10_rbnorm_output.npy")));
    for (int k = 0; k < ref.length; k++) assertThat(Math.abs(out[k] - ref[k])).isLessThan(1e-12);

    Path cut = tmp.resolve("cut.json");
    Files.writeString(cut, Files.readString(Path.of(fx("round10_bufnorm.json")))
        .replaceFirst("\\{\"type\": \"normalize\"[^}]*\\},\\s*", ""));
    Object[] without = withStderr("eval", "--target", fx("round10_bufnorm_sd.pt"), "--arch", cut.toString(),
        "--input", x, "--out", tmp.resolve("cut.npy").toString());
    assertThat(((CommandRun) without[0]).code()).isZero();
    assertThat((String) without[1]).contains("warning: the architecture does not read the tensors 'mean' and 'std' "
        + "of ").contains("the outputs computed here are not its outputs");
  }

  /**
   * A ticket built with a spec whose input is a vector, verified with the spec edited to read images: the refusal
   * names the ticket's recorded input, not a flag that was not given.
   */
  @Test void aShapeTheTicketRecordsIsNamedAsTheTickets() throws Exception {
    String head = "{\"activation\": \"relu\", \"layers\": [{\"type\": \"flatten\"}, {\"type\": \"linear\", "
        + "\"name\": \"trunk.1\"}, {\"type\": \"activation\"}, {\"type\": \"linear\", \"name\": \"cls\"}], ";
    Path vector = tmp.resolve("v.json");
    Files.writeString(vector, head + "\"input\": [64]}");
    Path image = tmp.resolve("i.json");
    Files.writeString(image, head + "\"input\": [1, 8, 8]}");
    Path t = tmp.resolve("v.tpz");
    String target = fx("round10_twohead_whole.pt");
    CommandRun c = run("construct", "--target", target, "--arch", vector.toString(), "--input-box", "0,1", "--rho", "8",
        "--eps", "0.01", "--search", "0", "--samples", "4", "--no-progress", "--out", t.toString());
    assertThat(c.code()).as(c.err()).isZero();
    CommandRun v = run("verify", t.toString(), "--target", target, "--arch", image.toString());
    assertThat(v.code()).isEqualTo(2);
    assertThat(v.err()).contains("the ticket " + t + " (the input it records) has per-example shape [64] but the "
        + "spec says [1, 8, 8]").doesNotContain("--input-shape has");
    CommandRun w = run("verify", t.toString(), "--target", target, "--arch", image.toString(), "--input-shape", "1,8,8");
    assertThat(w.code()).isNotZero();
  }

  /** inspect on a custom module calling one nn.ReLU after every layer says why it gives no draft. */
  @Test void inspectSaysWhyACustomModuleGetsNoDraft() {
    CommandRun r = run("inspect", fx("round10_sharedrelu_whole.pt"));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("(no draft is given: its layers 'conv2' and 'fc1' follow each other")
        .doesNotContain("draft architecture");
  }
}
