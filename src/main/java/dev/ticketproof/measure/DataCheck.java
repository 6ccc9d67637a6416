package dev.ticketproof.measure;

import java.util.List;

/**
 * Target and ticket on labelled data: accuracies, the fraction of inputs on which their predictions agree, and the
 * largest output difference (which the certified bound must dominate when the data lie in the box). A prediction is
 * the index of the largest output; of a network with a single output (the logit of a binary classifier trained with
 * {@code BCEWithLogitsLoss}) it is class 1 when the output is positive, else class 0 (the argmax of one output would
 * always be 0, and every ticket would agree with its target).
 *
 * @param samples number of inputs
 * @param targetAccuracy fraction of inputs the target classifies correctly
 * @param ticketAccuracy fraction of inputs the ticket classifies correctly
 * @param agreement fraction of inputs on which target and ticket predict the same class
 * @param maxError max over inputs and outputs of |target - ticket|
 * @param maxTargetOutput max over inputs and outputs of |target| (the scale of the error)
 * @param outputMaxError per output j, max over inputs of |target_j - ticket_j|
 * @param outputMaxTarget per output j, max over inputs of |target_j| (its own scale)
 * @param changed number of inputs on which the ticket predicts another class than the target
 * @param changedMaxMargin the largest target margin among them ({@link #margin}; 0 when none changed)
 */
public record DataCheck(int samples, double targetAccuracy, double ticketAccuracy, double agreement,
    double maxError, double maxTargetOutput, double[] outputMaxError, double[] outputMaxTarget, int changed,
    double changedMaxMargin) {

  /**
   * The output whose error is the largest relative to its own scale on the data ({@code outputMaxError[j] /
   * outputMaxTarget[j]}): where the outputs have different scales (a regression net's quantities in their units),
   * the relative error of the whole output vector, {@code maxError / maxTargetOutput}, is that of the largest ones
   * and may hide a small output's. -1 when there are no outputs.
   */
  public int worstOutput() {
    int worst = -1;
    double w = -1;
    for (int j = 0; j < outputMaxError.length; j++) {
      double r = OutputErrors.ratio(outputMaxError[j], outputMaxTarget[j]);
      if (r > w) {
        w = r;
        worst = j;
      }
    }
    return worst;
  }

  /** Each output's largest error and |target value| on the data (what the output goal judges). */
  public OutputErrors outputs() { return new OutputErrors(outputMaxError, outputMaxTarget); }

  /** The relative error of {@link #worstOutput} on its own scale (0 without outputs). */
  public double worstOutputRelError() {
    int j = worstOutput();
    return j < 0 ? 0 : OutputErrors.ratio(outputMaxError[j], outputMaxTarget[j]);
  }

  /**
   * Evaluates both networks on the inputs, in batches evaluated in parallel (as {@link Evaluator#compareEach}: every
   * input gets the same bits in any batch); labels may be null (accuracies are then NaN).
   */
  public static DataCheck of(Evaluator target, Evaluator ticket, List<double[]> inputs, int[] labels) {
    return of(target, ticket, inputs, labels, done -> { });
  }

  /** As {@link #of(Evaluator, Evaluator, List, int[])}, telling {@code progress} how many inputs are done. */
  public static DataCheck of(Evaluator target, Evaluator ticket, List<double[]> inputs, int[] labels,
      java.util.function.IntConsumer progress) {
    int n = inputs.size();
    int[][] pred = new int[n][];
    double[] err = new double[n];
    double[] mag = new double[n];
    double[] margin = new double[n];
    OutputErrors[] outputs = {null};
    Evaluator.forEachPair(target, ticket, inputs, progress, (q, a, b) -> {
      Evaluator.Comparison c = Evaluator.difference(a, b);
      err[q] = c.maxDifference();
      mag[q] = c.maxMagnitude();
      pred[q] = new int[] {predict(a), predict(b)};
      margin[q] = margin(a, pred[q][1]);
      if (outputs[0] == null) outputs[0] = OutputErrors.empty(a.length);
      outputs[0].add(a, b);
    });
    OutputErrors each = outputs[0] == null ? OutputErrors.empty(0) : outputs[0];
    int ct = 0;
    int ck = 0;
    int agree = 0;
    double max = 0;
    double maxMag = 0;
    double changedMargin = 0;
    for (int q = 0; q < n; q++) {
      maxMag = Math.max(maxMag, mag[q]);
      if (labels != null && pred[q][0] == labels[q]) ct++;
      if (labels != null && pred[q][1] == labels[q]) ck++;
      if (pred[q][0] == pred[q][1]) agree++;
      else changedMargin = Math.max(changedMargin, margin[q]);
      max = Math.max(max, err[q]);
    }
    double nan = Double.NaN;
    return new DataCheck(n, labels == null ? nan : (double) ct / n, labels == null ? nan : (double) ck / n,
        (double) agree / n, max, maxMag, each.maxError(), each.maxTarget(), n - agree, changedMargin);
  }

  /**
   * The target's margin over the class {@code other}: how much its predicted class's output exceeds output
   * {@code other} ({@code target[a] - target[other]}, a its argmax), or for a single output (a logit) its distance
   * from 0, where the prediction changes. A ticket that predicts {@code other} on an input where its error is e
   * leaves a margin of at most 2e there (at most e for a logit), so a changed prediction with a margin small beside
   * the outputs is a near tie that any approximation within that error may flip.
   */
  static double margin(double[] target, int other) {
    if (target.length == 1) return Math.abs(target[0]);
    return target[argmax(target)] - target[other];
  }

  /**
   * How the changed predictions lie, for a note: {@code "3 of 3000 predictions changed; the target's margin there
   * (...) is at most 0.0169, 0.0249 % of its largest output on the data, where the ticket's largest error is
   * 0.0745: ..."}; {@code null} when none changed.
   */
  public String changedNote() {
    if (changed == 0) return null;
    return String.format(java.util.Locale.ROOT, "%d of %d predictions changed; the target's margin there (its "
        + "predicted class's output less the ticket's class's%s) is at most %.3g, %.3g %% of its largest output on the "
        + "data, where the ticket's largest error is %.3g: a ticket whose error on an input is e can change a "
        + "prediction only where that margin is at most 2e", changed, samples, outputMaxError.length == 1
        ? "; for one output, its distance from 0" : "", changedMaxMargin, 100 * changedMaxMargin / maxTargetOutput,
        maxError);
  }

  /** Whether every input lies in the box [lo, hi]. */
  public static boolean inBox(List<double[]> inputs, double lo, double hi) {
    for (double[] v : inputs) for (double d : v) if (d < lo || d > hi) return false;
    return true;
  }

  /**
   * When some inputs have values outside the box [lo, hi]: how many of them, the range of all their values and the
   * smallest box with two-decimal ends that holds them and [lo, hi] ({@code "93 of 100 inputs have values outside
   * the input box [-1, 1] (the values range from -7.84 to 7.61; the box [-7.84, 7.61] holds them)"}); else
   * {@code null}.
   */
  public static String outsideBox(List<double[]> inputs, double lo, double hi) {
    int outside = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double[] v : inputs) {
      boolean out = false;
      for (double d : v) {
        min = Math.min(min, d);
        max = Math.max(max, d);
        out |= d < lo || d > hi;
      }
      if (out) outside++;
    }
    if (outside == 0) return null;
    double newLo = Math.min(lo, Math.floor(min * 100) / 100);
    double newHi = Math.max(hi, Math.ceil(max * 100) / 100);
    return String.format(java.util.Locale.ROOT, "%d of %d inputs have values outside the input box [%s, %s] (the "
        + "values range from %s to %s; the box [%s, %s] holds them)", outside, inputs.size(), num(lo), num(hi),
        min < lo ? beyond(min, lo) : within(min, lo, false), max > hi ? beyond(max, hi) : within(max, hi, true),
        num(newLo), num(newHi));
  }

  /** Whether every input lies in the box of per-channel intervals [lows[c], highs[c]] (C channels, CHW order). */
  public static boolean inBox(List<double[]> inputs, double[] lows, double[] highs) {
    if (lows.length == 1) return inBox(inputs, lows[0], highs[0]);
    for (double[] v : inputs) {
      int per = v.length / lows.length;
      for (int q = 0; q < v.length; q++) if (v[q] < lows[q / per] || v[q] > highs[q / per]) return false;
    }
    return true;
  }

  /**
   * As {@link #outsideBox(List, double, double)} for a box of per-channel intervals (C channels, CHW order): how
   * many inputs have values outside their channel's interval and, for the first channel (at most three) whose values
   * leave it, its interval and the range of its values; null when every input lies in the box.
   */
  public static String outsideBox(List<double[]> inputs, double[] lows, double[] highs) {
    if (lows.length == 1) return outsideBox(inputs, lows[0], highs[0]);
    int channels = lows.length;
    double[] min = new double[channels];
    double[] max = new double[channels];
    java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
    java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
    int outside = 0;
    for (double[] v : inputs) {
      int per = v.length / channels;
      boolean out = false;
      for (int q = 0; q < v.length; q++) {
        int c = q / per;
        min[c] = Math.min(min[c], v[q]);
        max[c] = Math.max(max[c], v[q]);
        out |= v[q] < lows[c] || v[q] > highs[c];
      }
      if (out) outside++;
    }
    if (outside == 0) return null;
    StringBuilder b = new StringBuilder();
    int shown = 0;
    for (int c = 0; c < channels && shown < 3; c++) {
      if (min[c] >= lows[c] && max[c] <= highs[c]) continue;
      b.append(shown++ == 0 ? "" : "; ").append(String.format(java.util.Locale.ROOT, "channel %d: box [%s, %s], values "
          + "from %s to %s", c, num(lows[c]), num(highs[c]), min[c] < lows[c] ? beyond(min[c], lows[c])
          : within(min[c], lows[c], false), max[c] > highs[c] ? beyond(max[c], highs[c])
          : within(max[c], highs[c], true)));
    }
    return String.format(java.util.Locale.ROOT, "%d of %d inputs have values outside the per-channel input box (%s)",
        outside, inputs.size(), b);
  }

  /**
   * {@code d}, a value beyond the box's end {@code end}, with three significant digits, or as many more as it takes
   * to show it beyond (1.0000001, a float32 rounding of an image's 1, is not shown as 1 outside the box [0, 1]).
   */
  private static String beyond(double d, double end) {
    for (int digits = 3; digits < 17; digits++) {
      String s = significant(d, digits);
      double shown = Double.parseDouble(s);
      if (d > end ? shown > end : shown < end) return s;
    }
    return Double.toString(d);
  }

  /**
   * {@code d}, a value inside the box's end {@code end} (at most an upper end, at least a lower one), with three
   * significant digits, or as many more as it takes not to show it beyond (12.0571 against the upper end 12.057186 is
   * shown as 12.057, not 12.1).
   */
  private static String within(double d, double end, boolean upper) {
    for (int digits = 3; digits < 17; digits++) {
      String s = significant(d, digits);
      double shown = Double.parseDouble(s);
      if (upper ? shown <= end : shown >= end) return s;
    }
    return Double.toString(d);
  }

  private static String significant(double d, int digits) {
    if (d == 0) return "0";
    return new java.math.BigDecimal(d).round(new java.math.MathContext(digits)).stripTrailingZeros().toPlainString();
  }

  private static String num(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
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
    o.addProperty("changedPredictions", changed);
    o.addProperty("changedMaxMargin", changedMaxMargin);
    if (outputMaxError.length > 1) {
      o.addProperty("dataWorstOutput", worstOutput());
      o.addProperty("dataWorstOutputRelError", worstOutputRelError());
    }
  }

  /** The predicted class of an output vector: its argmax, or for a single output 1 when it is positive, else 0. */
  public static int predict(double[] v) {
    return v.length == 1 ? (v[0] > 0 ? 1 : 0) : argmax(v);
  }

  static int argmax(double[] v) {
    int best = 0;
    for (int j = 1; j < v.length; j++) if (v[j] > v[best]) best = j;
    return best;
  }
}
