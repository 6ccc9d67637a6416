package dev.ticketproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ticketproof.io.AtomicFile;
import dev.ticketproof.io.TicketWitness;
import dev.ticketproof.io.TicketWriter;
import dev.ticketproof.kernel.TicketFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify} evaluates the search witness that {@code construct} wrote instead of repeating the search: the same
 * lower bound and sampled error as {@code construct}, and a changed witness can only lower them.
 */
class VerifyWitnessTest {
  @TempDir Path tmp;

  static JsonObject json(CommandRun r) {
    assertThat(r.code()).as(r.err()).isZero();
    return JsonParser.parseString(r.out()).getAsJsonObject();
  }

  static double num(JsonObject o, String k) { return o.get(k).getAsDouble(); }

  @Test
  void verifyReportsConstructsFiguresFromTheWitness() throws Exception {
    Path t = tmp.resolve("t.tpz");
    JsonObject c = json(ImportCommandsTest.run("construct", "--target", "builtin:small-cnn", "--activation", "tanh",
        "--rho", "4", "--eps", "0.1", "--search", "300", "--out", t.toString(), "--format", "json",
        "--no-progress"));
    JsonObject v = json(ImportCommandsTest.run("verify", t.toString(), "--format", "json", "--no-progress"));
    assertThat(v.get("witness").getAsString()).isEqualTo("evaluated");
    assertThat(num(v, "searchEvaluations")).isEqualTo(17);
    assertThat(num(v, "lowerBound")).isEqualTo(num(c, "lowerBound")).isGreaterThan(num(c, "measuredMaxError"));
    assertThat(num(v, "measuredMaxError")).isEqualTo(num(c, "measuredMaxError"));
    assertThat(num(v, "maxTargetOutput")).isEqualTo(num(c, "maxTargetOutput"));
    assertThat(num(v, "measuredRelError")).isEqualTo(num(c, "measuredRelError")).isPositive();
    // asking for a search runs it: the same seeded search as construct's
    JsonObject s = json(ImportCommandsTest.run("verify", t.toString(), "--search", "300", "--format", "json",
        "--no-progress"));
    assertThat(s.get("witness").getAsString()).isEqualTo("not used");
    assertThat(num(s, "searchEvaluations")).isEqualTo(num(c, "searchEvaluations"));
    assertThat(num(s, "lowerBound")).isEqualTo(num(c, "lowerBound"));

    double[] w = TicketWitness.read(t);
    dev.ticketproof.kernel.TicketCertificate cert = TicketFile.read(t);
    // another input of the box: the error there, never more than the search found
    double[] inside = new double[w.length];
    Path moved = tmp.resolve("moved.tpz");
    AtomicFile.write(moved, os -> TicketWriter.write(cert, inside, os));
    JsonObject m = json(ImportCommandsTest.run("verify", moved.toString(), "--format", "json", "--no-progress"));
    assertThat(m.get("witness").getAsString()).isEqualTo("evaluated");
    assertThat(num(m, "lowerBound")).isLessThanOrEqualTo(num(c, "lowerBound"))
        .isGreaterThanOrEqualTo(num(c, "measuredMaxError"));
    // an input outside the box is not evaluated: verify searches instead
    double[] outside = w.clone();
    outside[0] = 2;
    Path far = tmp.resolve("far.tpz");
    AtomicFile.write(far, os -> TicketWriter.write(cert, outside, os));
    CommandRun fr = ImportCommandsTest.run("verify", far.toString(), "--format", "json", "--no-progress");
    JsonObject f = json(fr);
    assertThat(fr.err()).contains("the search witness is no input of the certified region; searching");
    assertThat(f.get("witness").getAsString()).isEqualTo("outside the region");
    assertThat(num(f, "searchEvaluations")).isGreaterThan(17);
  }
}
