package dev.ticketproof.measure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.kernel.KernelActivation;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.GlobalAvgPool;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.Network;
import dev.ticketproof.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The relative error the output goal judges ({@link OutputErrors}). */
class OutputErrorsTest {
  /** Two inputs, three outputs of scales 100, 0.5 and 0 (one output always 0). */
  private static final List<double[]> Y = List.of(new double[] {100, -0.5, 0}, new double[] {-40, 0.25, 0});

  @Test void eachOutputIsJudgedOnItsOwnScaleAndTheVectorOnItsLargest() {
    List<double[]> z = List.of(new double[] {100.5, -0.5, 0}, new double[] {-40, 0.3125, 0});
    OutputErrors e = OutputErrors.of(Y, z);
    assertThat(e.maxError()).containsExactly(0.5, 0.0625, 0.0);
    assertThat(e.maxTarget()).containsExactly(100.0, 0.5, 0.0);
    // output 0: 0.5 / 100; output 1: 0.0625 / 0.5; output 2: 0 / (1e-4 * 100)
    assertThat(e.relative(true)).isEqualTo(0.125);
    assertThat(e.relative(false)).isEqualTo(0.005);
    assertThat(e.scale(2, true)).isEqualTo(OutputErrors.SCALE_FLOOR * 100);
    assertThat(e.smallestScale(true)).isEqualTo(OutputErrors.SCALE_FLOOR * 100);
    assertThat(e.smallestScale(false)).isEqualTo(100);
  }

  /** An output whose values stay below the floor is judged against the floor, not against its own tiny scale. */
  @Test void anOutputBelowTheFloorIsJudgedAgainstTheFloor() {
    List<double[]> y = List.of(new double[] {10, 1e-9});
    List<double[]> z = List.of(new double[] {10, 1e-9 + 1e-5});
    OutputErrors e = OutputErrors.of(y, z);
    assertThat(e.relative(true)).isCloseTo(1e-5 / (OutputErrors.SCALE_FLOOR * 10), org.assertj.core.data.Offset.offset(
        1e-12));
  }

  @Test void nanAndMismatchedLengthsAreInfinitelyFarAndZeroOverZeroIsZero() {
    assertThat(OutputErrors.of(List.of(new double[] {1, 2}), List.of(new double[] {1, Double.NaN})).relative(true))
        .isInfinite();
    assertThat(OutputErrors.of(List.of(new double[] {1, 2}), List.of(new double[] {1})).relative(false)).isInfinite();
    assertThat(OutputErrors.of(List.of(new double[] {0, 0}), List.of(new double[] {0, 0})).relative(true)).isZero();
    assertThat(OutputErrors.of(List.of(new double[] {0}), List.of(new double[] {1e-3})).relative(true)).isInfinite();
  }

  /** Outputs of C x 1 x 1 (a linear layer, or a conv as large as its input) are a vector; a feature map is not. */
  @Test void aVectorOfOutputsIsJudgedOutputByOutputAndAFeatureMapAsOneVector() {
    KernelActivation relu = KernelActivation.of("relu");
    Tensor k = Tensor.of(new double[2 * 1 * 3 * 3], 2, 1, 3, 3);
    Network map = new Network(new int[] {1, 4, 4}, List.of(new Conv2d("c", k, Tensor.zeros(2), 1, 1)));
    Network pooled = new Network(new int[] {1, 4, 4}, List.of(new Conv2d("c", k, Tensor.zeros(2), 1, 1),
        new ActivationLayer(relu), new GlobalAvgPool(), new Conv2d("d", Tensor.of(new double[4], 2, 2, 1, 1),
            Tensor.zeros(2), 1, 0)));
    Network mlp = new Network(new int[] {3}, List.of(new Linear("fc", Tensor.of(new double[6], 2, 3),
        Tensor.zeros(2))));
    assertThat(OutputErrors.eachOutput(TargetPlan.of(map, relu))).isFalse();
    assertThat(OutputErrors.eachOutput(TargetPlan.of(pooled, relu))).isTrue();
    assertThat(OutputErrors.eachOutput(TargetPlan.of(mlp, relu))).isTrue();
  }

  /**
   * Each output on its own scale needs enough inputs that differ: 8 data rows or points; one point (a local
   * certificate of one image), or data of one row repeated, is judged as one vector; the box's samples always count.
   */
  @Test void eachOutputOnItsOwnScaleNeedsEnoughInputs() {
    KernelActivation relu = KernelActivation.of("relu");
    TargetPlan mlp = TargetPlan.of(new Network(new int[] {3}, List.of(new Linear("fc", Tensor.of(new double[6], 2,
        3), Tensor.zeros(2)))), relu);
    TargetPlan map = TargetPlan.of(new Network(new int[] {1, 4, 4}, List.of(new Conv2d("c",
        Tensor.of(new double[18], 2, 1, 3, 3), Tensor.zeros(2), 1, 1))), relu);
    double[][] eight = new double[8][];
    for (int i = 0; i < 8; i++) eight[i] = new double[] {i, 0, 1};
    assertThat(OutputErrors.eachOutput(mlp, null, null)).isTrue();
    assertThat(OutputErrors.eachOutput(mlp, null, new double[][] {{1, 2, 3}})).isFalse();
    assertThat(OutputErrors.eachOutput(mlp, null, java.util.Arrays.copyOf(eight, 7))).isFalse();
    assertThat(OutputErrors.eachOutput(mlp, null, eight)).isTrue();
    assertThat(OutputErrors.eachOutput(mlp, List.of(eight), null)).isTrue();
    assertThat(OutputErrors.eachOutput(mlp, java.util.Collections.nCopies(16, eight[0]), null)).isFalse();
    // the data decide where both are given
    assertThat(OutputErrors.eachOutput(mlp, java.util.Collections.nCopies(16, eight[0]), eight)).isFalse();
    assertThat(OutputErrors.eachOutput(map, List.of(eight), null)).isFalse();
  }
}
