package dev.ticketproof.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Interval bounds of affine layers and residual blocks on hand-computed cases: each end is the exact extreme of the
 * layer over the box (zero padding contributing 0), moved outward by about a relative 1e-12, then through phi.
 */
class IntervalsTest {
  static final KernelActivation RELU = KernelActivation.of("relu");
  static final KernelActivation TANH = KernelActivation.of("tanh");

  /** One output channel, two input channels, a 1x2 kernel. */
  static TargetPlan.Affine affine(double[] kernel, double bias, int padding) {
    return new TargetPlan.Affine("a", 1, 2, 1, 2, 1, padding, padding, kernel, new double[] {bias}, false,
        new int[] {2, 1, 3}, new int[] {1, 1, 2});
  }

  /** lo is below the exact minimum by 1e-12 (1 + |min|), to a few ulps; hi likewise above the maximum. */
  static void widened(double[] got, double min, double max) {
    double wl = 1e-12 * (1 + Math.abs(min));
    double wh = 1e-12 * (1 + Math.abs(max));
    assertThat(got[0]).as("lower end").isBetween(min - wl * (1 + 1e-6), min - wl * (1 - 1e-6));
    assertThat(got[1]).as("upper end").isBetween(max + wh * (1 - 1e-6), max + wh * (1 + 1e-6));
  }

  static double[] ends(Intervals.Bounds iv, int j) { return new double[] {iv.lo()[j], iv.hi()[j]}; }

  @Test
  void affineEndsPairEachWeightWithTheRightEnd() {
    // inputs x0 in [1, 2], x1 in [-3, -1]; weights 2, -1 on x0 and 0.5, 0 on x1; bias 10
    TargetPlan.Affine a = affine(new double[] {2, -1, 0.5, 0}, 10, 0);
    Intervals.Bounds iv = Intervals.affine(a, new double[] {1, -3}, new double[] {2, -1}, false, RELU);
    // min: 10 + 2*1 - 1*2 + 0.5*(-3) = 8.5; max: 10 + 2*2 - 1*1 + 0.5*(-1) = 12.5
    widened(ends(iv, 0), 8.5, 12.5);
    // with zero padding the inputs' intervals take in 0: x0 in [0, 2], x1 in [-3, 0]
    Intervals.Bounds padded = Intervals.affine(affine(new double[] {2, -1, 0.5, 0}, 10, 1), new double[] {1, -3},
        new double[] {2, -1}, false, RELU);
    // min: 10 + 0 - 2 - 1.5 = 6.5; max: 10 + 4 - 0 + 0 = 14
    widened(ends(padded, 0), 6.5, 14);
  }

  /** A layer that pads only its columns (a 1x2 kernel, paddings (0, 1)), or only its rows, still reads zeros. */
  @Test
  void aPaddingOnOneAxisTakesZeroIntoTheInputs() {
    for (int[] pads : new int[][] {{0, 1}, {1, 0}}) {
      TargetPlan.Affine a = new TargetPlan.Affine("a", 1, 2, 1, 2, 1, pads[0], pads[1], new double[] {2, -1, 0.5, 0},
          new double[] {10}, false, new int[] {2, 1, 3}, new int[] {1, 1 + 2 * pads[0], 2 + 2 * pads[1]});
      Intervals.Bounds iv = Intervals.affine(a, new double[] {1, -3}, new double[] {2, -1}, false, RELU);
      // as with padding on every side: x0 in [0, 2], x1 in [-3, 0]
      widened(ends(iv, 0), 6.5, 14);
    }
  }

  @Test
  void largeEndsAreWidenedRelatively() {
    TargetPlan.Affine a = affine(new double[] {1, 0, 0, 0}, -500, 0);
    Intervals.Bounds iv = Intervals.affine(a, new double[] {-100, 0}, new double[] {100, 0}, false, RELU);
    widened(ends(iv, 0), -600, -400);
  }

  @Test
  void theActivationMapsTheEnds() {
    TargetPlan.Affine a = affine(new double[] {1, 0, 0, 0}, 0, 0);
    Intervals.Bounds relu = Intervals.affine(a, new double[] {-2, 0}, new double[] {3, 0}, true, RELU);
    assertThat(relu.lo()[0]).isEqualTo(0);
    assertThat(relu.hi()[0]).isBetween(3.0, 3 + 1e-11);
    Intervals.Bounds tanh = Intervals.affine(a, new double[] {-2, 0}, new double[] {3, 0}, true, TANH);
    assertThat(tanh.lo()[0]).isBetween(Math.tanh(-2) - 1e-11, Math.tanh(-2));
    assertThat(tanh.hi()[0]).isBetween(Math.tanh(3), Math.tanh(3) + 1e-11);
  }

  static TargetPlan.Affine square(String name, double[] kernel, double[] bias, boolean act) {
    return new TargetPlan.Affine(name, 2, 2, 1, 1, 1, 0, 0, kernel, bias, act, new int[] {2, 1, 1},
        new int[] {2, 1, 1});
  }

  /** An interval that contains [lo, hi] and exceeds it by at most 1e-10 at each end. */
  static void encloses(Intervals.Bounds iv, int j, double lo, double hi) {
    assertThat(iv.lo()[j]).as("lower end %d", j).isBetween(lo - 1e-10, lo);
    assertThat(iv.hi()[j]).as("upper end %d", j).isBetween(hi, hi + 1e-10);
  }

  @Test
  void residualBlocksAddTheSkip() {
    // conv1 = diag(1, 2) then tanh, conv2 = [[1, -1], [0, 1]]; x0 in [-1, 1], x1 in [0, 2]
    TargetPlan.Affine c1 = square("c1", new double[] {1, 0, 0, 2}, new double[] {0, 0}, true);
    TargetPlan.Affine c2 = square("c2", new double[] {1, -1, 0, 1}, new double[] {0, 0}, false);
    double[] lo = {-1, 0};
    double[] hi = {1, 2};
    // h0 in tanh [-1, 1], h1 in tanh [0, 4]; b0 = h0 - h1, b1 = h1
    double b0lo = Math.tanh(-1) - Math.tanh(4);
    double b0hi = Math.tanh(1);
    double b1hi = Math.tanh(4);
    Intervals.Bounds h = Intervals.affine(c1, lo, hi, true, TANH);
    Intervals.Bounds b = Intervals.affine(c2, h.lo(), h.hi(), false, TANH);
    Intervals.Bounds identity = Intervals.residual(b.lo(), b.hi(), lo, hi, TANH);
    encloses(identity, 0, Math.tanh(b0lo - 1), Math.tanh(b0hi + 1));
    encloses(identity, 1, 0, Math.tanh(b1hi + 2));
    // a projection 3 - x: skip0 in [2, 4], skip1 in [1, 3]
    TargetPlan.Affine p = square("p", new double[] {-1, 0, 0, -1}, new double[] {3, 3}, false);
    Intervals.Bounds skip = Intervals.affine(p, lo, hi, false, TANH);
    Intervals.Bounds proj = Intervals.residual(b.lo(), b.hi(), skip.lo(), skip.hi(), TANH);
    encloses(proj, 0, Math.tanh(b0lo + 2), Math.tanh(b0hi + 4));
    encloses(proj, 1, Math.tanh(1), Math.tanh(b1hi + 3));
  }
}
