package dev.ticketproof.measure;

import java.util.List;

/**
 * Target and ticket on labelled data: accuracies, the fraction of inputs on which their predictions (argmax) agree,
 * and the largest output difference (which the certified bound must dominate when the data lie in the box).
 *
 * @param samples number of inputs
 * @param targetAccuracy fraction of inputs the target classifies correctly
 * @param ticketAccuracy fraction of inputs the ticket classifies correctly
 * @param agreement fraction of inputs on which target and ticket predict the same class
 * @param maxError max over inputs and outputs of |target - ticket|
 * @param maxTargetOutput max over inputs and outputs of |target| (the scale of the error)
 */
public record DataCheck(int samples, double targetAccuracy, double ticketAccuracy, double agreement,
    double maxError, double maxTargetOutput) {

  /**
   * Evaluates both networks on the inputs, in batches evaluated in parallel (as {@link Evaluator#compareEach}: every
   * input gets the same bits in any batch); labels may be null (accuracies are then NaN).
   */
  public static DataCheck of(Evaluator target, Evaluator ticket, List<double[]> inputs, int[] labels) {
    int n = inputs.size();
    int[][] pred = new int[n][];
    double[] err = new double[n];
    double[] mag = new double[n];
    Evaluator.forEachPair(target, ticket, inputs, done -> { }, (q, a, b) -> {
      Evaluator.Comparison c = Evaluator.difference(a, b);
      err[q] = c.maxDifference();
      mag[q] = c.maxMagnitude();
      pred[q] = new int[] {argmax(a), argmax(b)};
    });
    int ct = 0;
    int ck = 0;
    int agree = 0;
    double max = 0;
    double maxMag = 0;
    for (int q = 0; q < n; q++) {
      maxMag = Math.max(maxMag, mag[q]);
      if (labels != null && pred[q][0] == labels[q]) ct++;
      if (labels != null && pred[q][1] == labels[q]) ck++;
      if (pred[q][0] == pred[q][1]) agree++;
      max = Math.max(max, err[q]);
    }
    double nan = Double.NaN;
    return new DataCheck(n, labels == null ? nan : (double) ct / n, labels == null ? nan : (double) ck / n,
        (double) agree / n, max, maxMag);
  }

  /** Whether every input lies in the box [lo, hi]. */
  public static boolean inBox(List<double[]> inputs, double lo, double hi) {
    for (double[] v : inputs) for (double d : v) if (d < lo || d > hi) return false;
    return true;
  }

  /** Adds the figures to a JSON report. */
  public void addTo(com.google.gson.JsonObject o, boolean inBox) {
    o.addProperty("dataSamples", samples);
    o.addProperty("dataInBox", inBox);
    o.addProperty("dataMaxError", maxError);
    o.addProperty("dataMaxTargetOutput", maxTargetOutput);
    if (!Double.isNaN(targetAccuracy)) {
      o.addProperty("targetAccuracy", targetAccuracy);
      o.addProperty("ticketAccuracy", ticketAccuracy);
    }
    o.addProperty("agreement", agreement);
  }

  static int argmax(double[] v) {
    int best = 0;
    for (int j = 1; j < v.length; j++) if (v[j] > v[best]) best = j;
    return best;
  }
}
