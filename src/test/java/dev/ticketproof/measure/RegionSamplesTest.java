package dev.ticketproof.measure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.cli.CommandRun;
import dev.ticketproof.kernel.bound.Region;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The samples of balls begin with the balls' centres, so that the error measured over the balls (and the lower bound
 * that starts from it) is at least the error at the points; a ball that reaches over the box has its point moved into
 * it.
 */
class RegionSamplesTest {
  @Test void theFirstSamplesOfBallsAreTheirCentres() {
    double[][] points = {{0.2, 0.3}, {0.95, 0.5}, {0.5, 1.0}};
    Region r = Region.balls(0, 1, points, 0.1);
    List<double[]> xs = Evaluator.regionSamples(r, 2, 8, 1);
    assertThat(xs).hasSize(8);
    for (int i = 0; i < 3; i++) assertThat(xs.get(i)).containsExactly(points[i]);
    assertThat(r.containsAll(xs.subList(0, 3))).isTrue();
    // fewer samples than balls: the first balls' centres
    assertThat(Evaluator.regionSamples(r, 2, 2, 1)).satisfiesExactly(x -> assertThat(x).containsExactly(points[0]),
        x -> assertThat(x).containsExactly(points[1]));
    // a point outside the box, whose ball reaches into it: the point moved into the box
    Region over = Region.balls(0, 1, new double[][] {{1.05, 0.5}}, 0.1);
    assertThat(Evaluator.regionSamples(over, 2, 4, 1).get(0)).containsExactly(1.0, 0.5);
  }

  @Test void theErrorMeasuredOverBallsIsAtLeastTheErrorAtTheirCentres(@TempDir Path tmp) throws Exception {
    Path x = tmp.resolve("x.npy");
    dev.ticketproof.io.Npy.write(x, dev.ticketproof.tensor.Tensor.of(new double[] {0.1, -0.2, 0.3, 0.4, -0.5, 0.6,
        0.7, -0.8}, 2, 4), dev.ticketproof.io.DType.FLOAT64);
    double[] measured = new double[2];
    String[] radii = {"0", "0.001"};
    for (int i = 0; i < 2; i++) {
      CommandRun r = CommandRun.of("construct", "--target", "builtin:small-fc", "--rho", "8", "--eps", "0.05",
          "--around", x.toString(), "--radius", radii[i], "--search", "0", "--samples", "4", "--no-progress",
          "--format", "json");
      assertThat(r.code()).as(r.err()).isZero();
      measured[i] = com.google.gson.JsonParser.parseString(r.out()).getAsJsonObject().get("measuredMaxError")
          .getAsDouble();
    }
    assertThat(measured[1]).isGreaterThanOrEqualTo(measured[0]);
  }
}
