package dev.ticketproof.measure;

import dev.ticketproof.kernel.TargetPlan;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Each output's largest error and largest |target value| over a set of inputs, and the relative error that the output
 * goal ({@code --output-rel}) bounds.
 *
 * <p>A network whose outputs are a vector (its last step's output is C x 1 x 1: a linear layer, or a conv followed by
 * a global pooling) is judged output by output: output j's largest error over the inputs divided by its own scale,
 * its largest |target value|, at least {@link #SCALE_FLOOR} times the largest output's. A regression network's outputs
 * are quantities of unequal scales, and the error of the whole output vector, relative to its largest entry, would be
 * that of its largest outputs only (a 32-output network whose outputs range over scales 0.016 to 59 met a goal of 1 %
 * on the vector with one output 6.1 % off on its own scale). A classifier's logits have scales of the same order:
 * for it the goal is at most a few times stricter than the vector's (docs/bounds.md: the same tolerance, or one 2 to 4
 * times smaller). A feature map (an output of H x W &gt; 1 units per channel: a network that ends in a conv, as a
 * segmentation net or a decoder) is judged as one vector: its units at the borders or in channels that are rarely
 * active have scales far below the others', which would ask for tolerances the whole network does not need.
 *
 * @param maxError per output, the largest |target - other| over the inputs (infinite for NaN or a length mismatch)
 * @param maxTarget per output, the largest |target| over the inputs
 */
public record OutputErrors(double[] maxError, double[] maxTarget) {
  /** Smallest scale an output's error is measured against, relative to the largest output's scale. */
  public static final double SCALE_FLOOR = 1e-4;

  /**
   * Fewest inputs (data rows that differ, or points of a local certificate) on which outputs are judged each on its
   * own scale. An output's scale is its largest |value| over the inputs; over one image a logit may happen to be
   * near 0 and ask for a tolerance thousands of times smaller than the network needs (a pre-activation ResNet with
   * GELU around one test image: eps 1.9e-6 and lambda 1.9e-5, where 16 images gave 2.4e-4 and 1.2e-3, and a
   * certified bound of 1,823 at the point, where the 16 gave 0.015).
   */
  public static final int MIN_INPUTS_EACH = 8;

  /**
   * Whether the outputs are judged each on its own scale on the inputs the goal is measured on: a vector of outputs
   * ({@link #eachOutput(TargetPlan)}) and at least {@link #MIN_INPUTS_EACH} inputs that differ, the data's rows when
   * given, else the points of a local certificate (its samples lie in small balls around them); the box's samples
   * always count as enough.
   *
   * @param data the data inputs, or {@code null}
   * @param points the centres of a local certificate's balls, or {@code null}
   */
  public static boolean eachOutput(TargetPlan plan, List<double[]> data, double[][] points) {
    if (!eachOutput(plan)) return false;
    List<double[]> inputs = data != null ? data : points != null ? List.of(points) : null;
    if (inputs == null) return true;
    Set<List<Double>> seen = new HashSet<>();
    for (double[] x : inputs) {
      seen.add(Arrays.stream(x).boxed().toList());
      if (seen.size() >= MIN_INPUTS_EACH) return true;
    }
    return false;
  }

  /** Whether the plan's outputs are judged each on its own scale (a vector), not as one vector (a feature map). */
  public static boolean eachOutput(TargetPlan plan) {
    List<TargetPlan.Step> steps = plan.steps();
    int[] s = steps.isEmpty() ? plan.inputShape() : steps.get(steps.size() - 1).outShape();
    int units = 1;
    for (int k = 1; k < s.length; k++) units *= s[k];
    return units == 1;
  }

  /** The errors of {@code others} against {@code targets}, input by input (lists of equal length). */
  public static OutputErrors of(List<double[]> targets, List<double[]> others) {
    OutputErrors e = empty(targets.isEmpty() ? 0 : targets.get(0).length);
    for (int q = 0; q < targets.size(); q++) e.add(targets.get(q), others.get(q));
    return e;
  }

  /** No input seen yet, for n outputs. */
  static OutputErrors empty(int n) { return new OutputErrors(new double[n], new double[n]); }

  /** Takes one input's two outputs into the maxima ({@code y} the target's). */
  void add(double[] y, double[] z) {
    for (int j = 0; j < maxError.length; j++) {
      double d = j < y.length && j < z.length && y.length == z.length ? Math.abs(y[j] - z[j]) : Double.NaN;
      maxError[j] = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(maxError[j], d);
      if (j < y.length) maxTarget[j] = Math.max(maxTarget[j], Math.abs(y[j]));
    }
  }

  /**
   * The scale output j's error is measured against: its own largest |target value|, at least {@link #SCALE_FLOOR}
   * times the largest output's, or the largest output's for the whole vector.
   */
  public double scale(int j, boolean eachOutput) { return scale(j, eachOutput, largest()); }

  private double scale(int j, boolean eachOutput, double largest) {
    return eachOutput ? Math.max(maxTarget[j], SCALE_FLOOR * largest) : largest;
  }

  private double largest() {
    double largest = 0;
    for (double m : maxTarget) largest = Math.max(largest, m);
    return largest;
  }

  /** The smallest scale an output's error is measured against: the absolute error every output meets at rel. */
  public double smallestScale(boolean eachOutput) {
    double s = Double.POSITIVE_INFINITY;
    double largest = largest();
    for (int j = 0; j < maxTarget.length; j++) s = Math.min(s, scale(j, eachOutput, largest));
    return maxTarget.length == 0 ? 0 : s;
  }

  /** error / scale: 0 for 0 / 0, infinite for a nonzero error on a zero scale. */
  public static double ratio(double error, double scale) {
    return scale > 0 ? error / scale : error == 0 ? 0 : Double.POSITIVE_INFINITY;
  }

  /**
   * The relative error the output goal bounds: the largest over outputs of error / {@link #scale} (0 for 0 / 0,
   * infinite for a nonzero error on a zero scale).
   */
  public double relative(boolean eachOutput) {
    double r = 0;
    double largest = largest();
    for (int j = 0; j < maxError.length; j++) {
      r = Math.max(r, ratio(maxError[j], scale(j, eachOutput, largest)));
    }
    return r;
  }
}
