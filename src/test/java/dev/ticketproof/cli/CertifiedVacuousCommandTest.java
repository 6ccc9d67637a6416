package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.ticketproof.io.DType;
import dev.ticketproof.io.Npy;
import dev.ticketproof.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * construct and verify say when a holding certificate's bound is not below the largest target output measured
 * ({@code certifiedVacuous}, with a note on stderr), and only then.
 */
class CertifiedVacuousCommandTest {
  @TempDir Path tmp;

  @Test void aVacuousBoundIsFlaggedByConstructAndVerify() {
    Path t = tmp.resolve("resnet.tpz");
    JsonObject c = json(ImportCommandsTest.run("construct", "--target", "builtin:small-resnet", "--rho", "4", "--eps",
        "0.1", "--search", "40", "--format", "json", "--no-progress", "--out", t.toString()));
    assertThat(c.get("certifiedBound").getAsDouble()).isGreaterThanOrEqualTo(c.get("maxTargetOutput").getAsDouble());
    assertThat(c.get("certifiedVacuous").getAsBoolean()).isTrue();
    assertThat(c.get("measuredRelError").getAsDouble()).isGreaterThan(0.01);
    CommandRun v = ImportCommandsTest.run("verify", t.toString(), "--format", "json", "--no-progress");
    JsonObject o = json(v);
    assertThat(o.get("certifiedVacuous").getAsBoolean()).isTrue();
    assertThat(v.err()).contains("verify: note: the certified bound", "is not below the largest target output",
        "whole input box", "--around X.npy --radius R");
    // a ticket far from its target: the measured errors do not show approximation either, and the note says so
    assertThat(v.err()).contains("nor do the measured errors", "(above the goal of 1.00 %)")
        .doesNotContain("the measured errors do");
  }

  /** A close ticket whose bound over the whole box is vacuous: the measured errors show the approximation. */
  @Test void aCloseTicketWithAVacuousBoundPointsToTheMeasuredErrors() {
    CommandRun r = ImportCommandsTest.run("construct", "--target", "builtin:small-resnet", "--rho", "32", "--eps",
        "0.001", "--search", "40", "--format", "json", "--no-progress");
    JsonObject o = json(r);
    assertThat(o.get("certifiedVacuous").getAsBoolean()).isTrue();
    assertThat(o.get("measuredRelError").getAsDouble()).isLessThanOrEqualTo(0.01);
    assertThat(r.err()).contains("the measured errors do (measuredRelError, lowerBound)")
        .doesNotContain("nor do the measured errors");
  }

  /** A local certificate whose balls are too wide: the note points to a smaller radius and a larger form budget. */
  @Test void aVacuousLocalBoundPointsToTheRadiusAndTheFormBudget() throws IOException {
    Path pts = points();
    CommandRun r = ImportCommandsTest.run("construct", "--target", "builtin:small-resnet", "--rho", "32", "--eps",
        "0.001", "--search", "40", "--around", pts.toString(), "--radius", "0.5", "--format", "json",
        "--no-progress");
    JsonObject o = json(r);
    assertThat(o.get("certifiedBound").getAsDouble()).isGreaterThanOrEqualTo(o.get("maxTargetOutput").getAsDouble());
    assertThat(o.get("certifiedVacuous").getAsBoolean()).isTrue();
    assertThat(r.err()).contains("over the balls it does not show", "A smaller --radius gives a smaller bound",
        "construct --form-budget").doesNotContain("--around X.npy --radius R");
  }

  /**
   * A point certificate (radius 0) whose bound reaches the outputs: the note does not point to a smaller radius or a
   * larger form budget, which cannot help at points, but to the rounding the layers carry and to the ticket itself.
   */
  @Test void aVacuousPointBoundPointsToTheRoundingNotTheRadius() throws IOException {
    Path pts = points();
    // one copy per channel and a tolerance of 0.5: a ticket as far from its target as the outputs themselves
    CommandRun r = ImportCommandsTest.run("construct", "--target", "builtin:small-resnet", "--rho", "1", "--eps",
        "0.5", "--search", "40", "--around", pts.toString(), "--radius", "0", "--format", "json", "--no-progress");
    JsonObject o = json(r);
    assertThat(o.get("radius").getAsDouble()).isZero();
    assertThat(o.get("certifiedVacuous").getAsBoolean()).isTrue();
    assertThat(r.err()).contains("over the balls it does not show", "nor do the measured errors",
        "At points (radius 0) the bound is the error there plus the rounding")
        .doesNotContain("A smaller --radius", "--form-budget");
  }

  /** Two points of [-1, 1]^(3x8x8), small-resnet's inputs, in a .npy file. */
  private Path points() throws IOException {
    SplittableRandom rng = new SplittableRandom(1);
    double[] flat = new double[2 * 3 * 8 * 8];
    for (int k = 0; k < flat.length; k++) flat[k] = rng.nextDouble(-1, 1);
    Path pts = tmp.resolve("pts.npy");
    Npy.write(pts, Tensor.of(flat, 2, 3, 8, 8), DType.FLOAT64);
    return pts;
  }

  @Test void aBoundBelowTheOutputsIsNot() {
    CommandRun r = ImportCommandsTest.run("construct", "--target", "builtin:small-fc", "--activation",
        "sigmoid", "--rho", "15", "--eps", "0.01", "--search", "40", "--format", "json", "--no-progress");
    JsonObject o = json(r);
    assertThat(o.get("certifiedBound").getAsDouble()).isLessThan(o.get("maxTargetOutput").getAsDouble());
    assertThat(o.get("certifiedVacuous").getAsBoolean()).isFalse();
    assertThat(r.err()).doesNotContain("is not below the largest target output");
  }
}
