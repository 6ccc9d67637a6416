package dev.ticketproof.measure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.kernel.KernelActivation;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.Network;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The tolerance's calibration ({@link Goals#calibrate}). */
class GoalsTest {
  /**
   * One function, twice: a random MLP 4 -> 8 -> 3 on [-1, 1]^4, and the same on inputs scaled per channel by 2^-8,
   * 1, 1 and 2^8 with its first layer's columns divided by those scales. The small weights now read the large inputs;
   * with one absolute tolerance per parameter their perturbation would move the outputs 2^8 times more and the
   * calibrated tolerance would fall by about that. Each block of the first layer is perturbed by its instance's
   * tolerance (the block's scale over the row's), so the tolerance stays within a factor 4.
   */
  @Test
  void firstLayerWeightsScaledAgainstTheirInputsKeepTheTolerance() {
    SplittableRandom rng = new SplittableRandom(7);
    double[] scales = {0x1p-8, 1, 1, 0x1p8};
    double[] k1 = new double[32];
    double[] k1s = new double[32];
    for (int t = 0; t < 32; t++) {
      k1[t] = rng.nextDouble(-1, 1);
      k1s[t] = k1[t] / scales[t % 4];
    }
    double[] b1 = new double[8];
    for (int j = 0; j < 8; j++) b1[j] = rng.nextDouble(-0.5, 0.5);
    double[] k2 = new double[24];
    for (int t = 0; t < 24; t++) k2[t] = rng.nextDouble(-1, 1);
    List<double[]> xs = new ArrayList<>();
    List<double[]> scaled = new ArrayList<>();
    for (int n = 0; n < 64; n++) {
      double[] x = new double[4];
      double[] y = new double[4];
      for (int i = 0; i < 4; i++) {
        x[i] = rng.nextDouble(-1, 1);
        y[i] = x[i] * scales[i];
      }
      xs.add(x);
      scaled.add(y);
    }
    double e = Goals.calibrate(mlp(k1, b1, k2), xs, 0.01, Goals.SAFETY, true, 1);
    double es = Goals.calibrate(mlp(k1s, b1, k2), scaled, 0.01, Goals.SAFETY, true, 1);
    assertThat(es).as("calibrated on [-1, 1]^4: %s; on the scaled inputs: %s", e, es).isGreaterThanOrEqualTo(e / 4);
  }

  /**
   * The same MLP with a third output that is the difference of two nearly equal hidden units (fc1's row 1 made row 0
   * moved by 1 %, fc2's third row 10 (h0 - h1)): judged on its own scale, that output asks for a smaller tolerance
   * than the whole vector does, and the calibration for each output keeps its change within the budget.
   */
  @Test
  void eachOutputOnItsOwnScaleAsksForTheToleranceOfItsSmallestOutput() {
    SplittableRandom rng = new SplittableRandom(9);
    double[] k1 = new double[32];
    for (int t = 0; t < 32; t++) k1[t] = rng.nextDouble(-1, 1);
    for (int i = 0; i < 4; i++) k1[4 + i] = k1[i] * (1 + 0.01 * rng.nextDouble(-1, 1));
    double[] b1 = new double[8];
    double[] k2 = new double[24];
    for (int t = 0; t < 16; t++) k2[t] = rng.nextDouble(-1, 1);
    k2[16] = 10;
    k2[17] = -10;
    TargetPlan plan = mlp(k1, b1, k2);
    List<double[]> xs = new ArrayList<>();
    for (int n = 0; n < 64; n++) xs.add(new double[] {rng.nextDouble(-1, 1), rng.nextDouble(-1, 1),
        rng.nextDouble(-1, 1), rng.nextDouble(-1, 1)});
    double budget = 0.01 * Goals.SAFETY;
    double each = Goals.calibrate(plan, xs, 0.01, Goals.SAFETY, true, 1);
    double vector = Goals.calibrate(plan, xs, 0.01, Goals.SAFETY, false, 1);
    String what = "each output: " + each + ", the vector: " + vector;
    assertThat(each).as(what).isLessThan(vector);
    assertThat(Goals.sensitivity(plan, xs, each, true, 1)).as(what).isLessThanOrEqualTo(budget);
    assertThat(Goals.sensitivity(plan, xs, vector, true, 1)).as(what).isGreaterThan(budget);
    assertThat(Goals.sensitivity(plan, xs, vector, false, 1)).as(what).isLessThanOrEqualTo(budget);
  }

  static TargetPlan mlp(double[] k1, double[] b1, double[] k2) {
    Network net = new Network(new int[] {4}, List.of(new Linear("fc1", Tensor.of(k1, 8, 4), Tensor.of(b1, 8)),
        new ActivationLayer(KernelActivation.of("relu")), new Linear("fc2", Tensor.of(k2, 3, 8), Tensor.zeros(3))));
    return TargetPlan.of(net, KernelActivation.of("relu"));
  }
}
