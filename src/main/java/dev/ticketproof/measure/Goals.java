package dev.ticketproof.measure;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.random.WeightField;
import dev.ticketproof.subsetsum.WidthBound;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;

/**
 * Width and tolerance chosen from a goal instead of fixed numbers.
 *
 * <p><b>Width</b> ({@link #theoremRho}): the [constructions] theorem asks, for a failure probability delta over all N
 * subset-sum instances (union bound), for \( \rho \ge C \ln(1/\min(\varepsilon', \delta/N)) \) per instance, where
 * \( \varepsilon' \) is the instance's tolerance relative to the range of its samples (the source's per-channel
 * scale s: an instance of target z over U(-s, s) is the lemma's instance z/s with tolerance eps/s). N itself grows
 * with rho (about rho instances per nonzero target entry), so the width is the fixed point of
 * \( \rho = \lceil C \ln(\rho I / \delta) \rceil \) with I the instances per copy.
 *
 * <p><b>Tolerance</b> ({@link #calibrate}): a ticket whose subset sums are within e of their targets perturbs every
 * nonzero target parameter by at most e. The relative output change of the target under independent uniform
 * perturbations of size e ({@link #sensitivity}) is measured on sample inputs (each output on its own scale for a
 * vector of outputs, {@link OutputErrors}) and is close to linear in e; the calibrated tolerance is the largest e
 * (within a factor 2) whose measured relative change is at most the goal times a safety factor. This is a
 * measurement, not a certificate: the construction reports which of the two (the
 * kernel's bound, or this calibration followed by a measured check of the built ticket) established the goal.
 *
 * <p><b>Input scale</b> ({@link #calibrateLambda}): for phi with a remainder \( |R(t)| \le M|t|^p \), the first
 * (univariate) layer's copies of input x represent \( Kx \) by \( \sum_S w\,\phi(w_1 x) \) with
 * \( |w_1| \le 2\lambda \), off by \( \sum_S |w| M |w_1 x|^p \le M (2\lambda)^{p-1} |x|^p \sum_S |w w_1| \). The kept
 * products' l1 norm is modelled by the row's scale s (the block's, where it has its own,
 * {@link SourceNetwork#blockScales}) over the slope \( \mu \) their base values carry (the readout weights are
 * U(-s/(lambda mu), s/(lambda mu)); at small tolerances the kept subsets' norms are of the order of s whatever |K|),
 * twice on a channel split by sign. So each nonzero entry of the first layer adds up to
 * \( a\, \lambda^{p-1} |x|^p \), \( a = n M 2^{p-1} s / |\mu| \), to its output ({@link #copyShare}): the target is
 * evaluated with these terms, each times a seeded factor in [-1, 1], and the relative output change, of order
 * \( \lambda^{p-1} \), is kept within the goal times a safety factor by halving lambda from its default. A
 * measurement as the tolerance's is, checked by the builds.
 */
public final class Goals {
  /** Default failure probability over all instances for {@code --rho auto}. */
  public static final double DEFAULT_DELTA = 0.01;
  /** Default relative output goal ({@code --output-rel}). */
  public static final double DEFAULT_OUTPUT_REL = 0.01;
  /**
   * Fraction of the goal the calibrated perturbation may use: the ticket's copies pass input errors on through the
   * l1 norms of their kept subsets, which exceed |K| (proofs/copy-propagation.md).
   */
  public static final double SAFETY = 0.25;
  /** Smallest and largest tolerance the calibration returns. */
  public static final double MIN_EPS = TicketBuilder.MIN_EPS;
  public static final double MAX_EPS = 0.25;

  private Goals() {}

  /**
   * The width the theorem asks for at tolerance eps and failure probability delta over all instances.
   *
   * @param plan the target
   * @param construction the construction family (the 2L construction has a univariate layer per target layer)
   * @param eps per-parameter tolerance, finite and > 0
   * @param delta failure probability over all instances, in (0, 1)
   * @return rho in [1, {@link SourceNetwork#MAX_RHO}]
   */
  public static int theoremRho(TargetPlan plan, SourceNetwork.Construction construction, double eps, double delta) {
    if (!(eps > 0 && eps < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("tolerance must be finite and > 0, got " + eps);
    }
    if (!(delta > 0 && delta < 1)) throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
    double maxScale = 0;
    for (TargetPlan.Affine a : Sizes.affines(plan)) {
      for (double s : SourceNetwork.rowScales(a)) maxScale = Math.max(maxScale, s);
    }
    double relEps = Math.min(0.5, eps / Math.max(maxScale, Double.MIN_NORMAL));
    double perCopy = Math.max(1, instancesPerCopy(plan));
    int rho = 32;
    for (int it = 0; it < 8; it++) {
      double n = rho * perCopy;
      int next = WidthBound.uniform(relEps, Math.min(0.5, delta / n));
      if (next == rho) break;
      rho = next;
    }
    return Math.max(1, Math.min(SourceNetwork.MAX_RHO, rho));
  }

  /**
   * Subset-sum instances per copy of the source: nonzero kernel entries, counted twice in the first layer (a sign
   * split), plus one bias instance per tap of every output channel.
   */
  static double instancesPerCopy(TargetPlan plan) {
    double n = 0;
    boolean first = true;
    for (TargetPlan.Affine a : Sizes.affines(plan)) {
      long nz = 0;
      for (double k : a.kernel()) if (k != 0) nz++;
      n += (first ? 2 : 1) * nz + (double) a.out() * a.kh() * a.kw();
      first = false;
    }
    return n;
  }

  /**
   * Relative output change of the target when every nonzero kernel entry and bias is moved by an independent
   * uniform perturbation in [-e, e] (seeded), over the inputs: each output's largest change on its own scale, or the
   * whole vector's on its largest output's ({@link OutputErrors#relative}).
   *
   * @param plan the target. Not modified.
   * @param inputs sample inputs (each of length C*H*W)
   * @param eachOutput whether each output is judged on its own scale ({@link OutputErrors#eachOutput})
   */
  public static double sensitivity(TargetPlan plan, List<double[]> inputs, double e, boolean eachOutput, long seed) {
    return sensitivity(plan, batched(Evaluator.ofTarget(plan), inputs), inputs, e, eachOutput, seed, null);
  }

  /**
   * As the public overload, with the target's outputs on the inputs ({@code ys}) computed once, and the first layer's
   * tolerances with the input channels' scales {@code channels} (null: all 1).
   */
  private static double sensitivity(TargetPlan plan, List<double[]> ys, List<double[]> inputs, double e,
      boolean eachOutput, long seed, double[] channels) {
    return OutputErrors.of(ys, batched(Evaluator.ofTarget(perturbed(plan, e, seed, channels)), inputs))
        .relative(eachOutput);
  }

  /**
   * The calibrated tolerance for a relative output goal: the largest e in a factor-2 grid with
   * {@code sensitivity(e) <= goal * safety}, starting from the linear estimate at e = 1e-3, clamped to
   * [{@link #MIN_EPS}, {@link #MAX_EPS}].
   *
   * @param plan the target. Not modified.
   * @param inputs sample inputs (data when the user gave some, else points of the box)
   * @param outputRel the goal: |target - ticket| relative to the outputs' scales ({@link OutputErrors#relative})
   * @param safety fraction of the goal the perturbation may use, in (0, 1]
   * @param eachOutput whether each output is judged on its own scale ({@link OutputErrors#eachOutput})
   */
  public static double calibrate(TargetPlan plan, List<double[]> inputs, double outputRel, double safety,
      boolean eachOutput, long seed) {
    return calibrate(plan, inputs, outputRel, safety, eachOutput, seed, null);
  }

  /**
   * As {@link #calibrate(TargetPlan, List, double, double, boolean, long)}, the first layer's tolerances those of a
   * source whose input channels take the scales {@code channels} ({@link SourceNetwork#channelScales}; null: all 1).
   */
  public static double calibrate(TargetPlan plan, List<double[]> inputs, double outputRel, double safety,
      boolean eachOutput, long seed, double[] channels) {
    if (!(outputRel > 0 && outputRel < 1)) {
      throw new IllegalArgumentException("relative output goal must be in (0, 1), got " + outputRel);
    }
    double budget = outputRel * safety;
    List<double[]> ys = batched(Evaluator.ofTarget(plan), inputs);
    java.util.function.DoubleUnaryOperator change = e -> sensitivity(plan, ys, inputs, e, eachOutput, seed, channels);
    double e0 = 1e-3;
    double s0 = change.applyAsDouble(e0);
    double e = s0 > 0 ? clamp(e0 * budget / s0) : MAX_EPS;
    // snap to a power of two below, then walk: down while too sensitive, up while there is room
    e = clamp(Math.scalb(1.0, Math.getExponent(e)));
    for (int it = 0; it < 12 && e > MIN_EPS && change.applyAsDouble(e) > budget; it++) e = clamp(e / 2);
    for (int it = 0; it < 4 && 2 * e <= MAX_EPS && change.applyAsDouble(2 * e) <= budget; it++) e *= 2;
    return e;
  }

  /**
   * The relative output change of the target when the first layer's pre-activation o moves by
   * \( \sum_{i,\text{tap}} \xi\, a_{o,i}\, \lambda^{p-1} |x_{i,\text{tap}}|^p \) (the copies' modelled error, class
   * comment), \( \xi \) a seeded U(-1, 1) draw per kernel entry (weight-field stream 9.5e6): the share of the output
   * error that the first univariate layer's linearisation at input scale lambda is modelled to take. 0 for phi
   * without a remainder.
   *
   * @param plan the target. Not modified.
   * @param inputs sample inputs (each of length C*H*W). Not modified.
   * @param lambda the input scale, &gt; 0
   * @param lows the lower end of every input channel's interval (the box's; C values)
   * @param highs the upper end of every input channel's interval
   * @param eachOutput whether each output is judged on its own scale ({@link OutputErrors#eachOutput})
   * @return the relative change over the inputs ({@link OutputErrors#relative})
   */
  public static double copyShare(TargetPlan plan, List<double[]> inputs, double lambda, double[] lows,
      double[] highs, boolean eachOutput, long seed) {
    TargetPlan copies = withCopyErrors(plan, lows, highs, seed);
    if (copies == null || inputs.isEmpty()) return 0;
    return copyShare(copies, batched(Evaluator.ofTarget(plan), inputs), plan.phi(), inputs, lambda, eachOutput);
  }

  private static double copyShare(TargetPlan copies, List<double[]> ys, Activation phi, List<double[]> inputs,
      double lambda, boolean eachOutput) {
    int p = phi.remainderPower();
    double scale = Math.pow(lambda, p - 1);
    List<double[]> moved = new ArrayList<>(inputs.size());
    for (double[] x : inputs) {
      double[] z = new double[2 * x.length];
      System.arraycopy(x, 0, z, 0, x.length);
      for (int k = 0; k < x.length; k++) z[x.length + k] = scale * Math.pow(Math.abs(x[k]), p);
      moved.add(z);
    }
    return OutputErrors.of(ys, batched(Evaluator.ofTarget(copies), moved)).relative(eachOutput);
  }

  /**
   * The target with a first layer on 2C channels: the input's C, read by the target's kernel, and C more (the inputs'
   * |x|^p times lambda^(p-1)) read by the copies' error coefficients \( \xi\, a_{o,i} \) where the target's entry is
   * nonzero; null when phi has no remainder or the plan does not begin with a conv or linear layer.
   */
  static TargetPlan withCopyErrors(TargetPlan plan, double[] lows, double[] highs, long seed) {
    Activation phi = plan.phi();
    if (phi.remainderConstant() == 0 || plan.steps().isEmpty()
        || !(plan.steps().get(0) instanceof TargetPlan.Affine a)) {
      return null;
    }
    if (lows.length != a.in() || highs.length != a.in()) {
      throw new IllegalArgumentException("copy errors need an interval per input channel: " + a.in() + " channels, "
          + lows.length + " lower and " + highs.length + " upper ends");
    }
    boolean positive = true;
    for (double l : lows) positive &= l >= 0;
    // the copies of channel i (scale s_i: they see lambda s_i x) are read into row o with weights of the block's scale
    // b (the row's, unless the block has its own) of the kernel they meet, K / s_i: their remainder, of order
    // (lambda s_i x)^p times weights of order b / lambda, is b s_i^p lambda^(p-1) |x|^p
    double[][] intervals = new double[a.in()][];
    for (int i = 0; i < a.in(); i++) intervals[i] = new double[] {lows[i], highs[i]};
    double[] channel = SourceNetwork.channelScales(intervals);
    double[] scale = SourceNetwork.blockScales(SourceNetwork.throughChannels(a, channel));
    int taps = a.kh() * a.kw();
    double[] kernel = new double[a.out() * 2 * a.in() * taps];
    for (int o = 0; o < a.out(); o++) {
      for (int i = 0; i < a.in(); i++) {
        double c = copyConstant(phi, lows[i], highs[i], positive) * scale[o * a.in() + i]
            * Math.pow(channel[i], phi.remainderPower());
        for (int t = 0; t < taps; t++) {
          int from = (o * a.in() + i) * taps + t;
          kernel[(o * 2 * a.in() + i) * taps + t] = a.kernel()[from];
          if (a.kernel()[from] != 0) {
            kernel[(o * 2 * a.in() + a.in() + i) * taps + t] = c * WeightField.uniform(seed, 9_500_000L, from, -1, 1);
          }
        }
      }
    }
    int[] in = a.inShape().clone();
    in[0] = 2 * a.in();
    List<TargetPlan.Step> steps = new ArrayList<>(plan.steps());
    steps.set(0, new TargetPlan.Affine(a.name(), a.out(), 2 * a.in(), a.kh(), a.kw(), a.stride(), a.ph(), a.pw(),
        kernel, a.bias(), a.phiAfter(), in, a.outShape()));
    int[] shape = plan.inputShape().clone();
    shape[0] = 2 * shape[0];
    return new TargetPlan(shape, List.copyOf(steps), phi, null);
  }

  /**
   * a / s for an input channel in [lo, hi] and a row of scale s: n M 2^(p-1) / |mu|, with n = 2 instances and
   * mu = m+ + m- when the channel is split, else one instance whose base values carry m+ (positive copies of a
   * non-negative box) or either slope (the smaller bounds); 0 when mu is.
   */
  static double copyConstant(Activation phi, double lo, double hi, boolean positiveCopies) {
    double mp = Math.abs(phi.slopePlus());
    double mm = Math.abs(phi.slopeMinus());
    boolean split = SourceNetwork.splitChannel(phi, lo, hi);
    double mu = split ? Math.abs(phi.slopePlus() + phi.slopeMinus())
        : positiveCopies && SourceNetwork.needsSignSplit(phi) ? mp : Math.min(mp, mm);
    if (!(mu > 0)) return 0;
    return (split ? 2 : 1) * phi.remainderConstant() * Math.scalb(1.0, phi.remainderPower() - 1) / mu;
  }

  /** The outputs of f on the inputs, evaluated 16 at a time. */
  private static List<double[]> batched(Evaluator f, List<double[]> inputs) {
    List<double[]> out = new ArrayList<>(inputs.size());
    for (int i = 0; i < inputs.size(); i += 16) {
      out.addAll(f.applyAll(inputs.subList(i, Math.min(inputs.size(), i + 16))));
    }
    return out;
  }

  /**
   * The input scale chosen for the first build: the default when its modelled share ({@link #copyShare}) is within
   * {@code outputRel * safety}, else the default halved k times for the smallest k (from the estimate of one
   * measurement, since the share is of order lambda^(p-1), then a walk) whose share is, never below
   * {@code minLambda}.
   *
   * @param plan the target. Not modified.
   * @param inputs sample inputs (data when the user gave some, else points of the box)
   * @param outputRel the goal ({@link OutputErrors#relative}), in (0, 1)
   * @param safety fraction of the goal the linearisation may use, in (0, 1]
   * @param defaultLambda the default input scale (the largest returned)
   * @param minLambda the smallest input scale returned, in (0, defaultLambda]
   * @param lows the lower end of every input channel's interval
   * @param highs the upper end of every input channel's interval
   * @param eachOutput whether each output is judged on its own scale ({@link OutputErrors#eachOutput})
   * @return the input scale, how many halvings of the default it is, and its modelled share
   */
  public static LambdaChoice calibrateLambda(TargetPlan plan, List<double[]> inputs, double outputRel, double safety,
      double defaultLambda, double minLambda, double[] lows, double[] highs, boolean eachOutput, long seed) {
    if (!(outputRel > 0 && outputRel < 1)) {
      throw new IllegalArgumentException("relative output goal must be in (0, 1), got " + outputRel);
    }
    if (!(minLambda > 0 && minLambda <= defaultLambda)) {
      throw new IllegalArgumentException("lambda range must have 0 < min <= default, got [" + minLambda + ", "
          + defaultLambda + "]");
    }
    double budget = outputRel * safety;
    TargetPlan copies = withCopyErrors(plan, lows, highs, seed);
    if (copies == null || inputs.isEmpty()) return new LambdaChoice(defaultLambda, 0, 0);
    List<double[]> ys = batched(Evaluator.ofTarget(plan), inputs);
    IntToDoubleFunction share = k -> copyShare(copies, ys, plan.phi(), inputs, defaultLambda / Math.scalb(1.0, k),
        eachOutput);
    double s0 = share.applyAsDouble(0);
    if (s0 <= budget) return new LambdaChoice(defaultLambda, 0, s0);
    int most = 0;
    while (defaultLambda / Math.scalb(1.0, most + 1) >= minLambda * (1 - 1e-12)) most++;
    int p = plan.phi().remainderPower();
    // the share is of order lambda^(p-1): the estimate, then down while too large, up while there is room
    int k = Math.min(most, Math.max(1, (int) Math.ceil(Math.log(s0 / budget) / Math.log(2) / (p - 1))));
    double s = share.applyAsDouble(k);
    while (s > budget && k < most) s = share.applyAsDouble(++k);
    while (k > 0) {
      double up = k == 1 ? s0 : share.applyAsDouble(k - 1);
      if (up > budget) break;
      s = up;
      k--;
    }
    return new LambdaChoice(defaultLambda / Math.scalb(1.0, k), k, s);
  }

  /**
   * An input scale chosen by {@link #calibrateLambda}.
   *
   * @param lambda the input scale
   * @param halvings k: lambda is the default divided by 2^k (0: the default)
   * @param share the modelled relative output change at lambda ({@link #copyShare})
   */
  public record LambdaChoice(double lambda, int halvings, double share) {}

  private static double clamp(double e) { return Math.max(MIN_EPS, Math.min(MAX_EPS, e)); }

  /**
   * A copy of the plan whose nonzero kernel entries and biases are moved by U(-e, e) (weight-field streams 9e6+); in
   * the first layer, entry (j, i, t) by U(-e', e') with e' its instance's tolerance at e
   * ({@link SourceNetwork.Conv#tolerance}, with the input channels' scales {@code channels}, or none for null).
   */
  static TargetPlan perturbed(TargetPlan plan, double e, long seed, double[] channels) {
    int[] stream = {0};
    List<TargetPlan.Step> steps = new ArrayList<>();
    for (TargetPlan.Step s : plan.steps()) {
      if (s instanceof TargetPlan.Affine a) {
        steps.add(perturb(a, e, seed, stream[0]++, steps.isEmpty(), channels));
      } else if (s instanceof TargetPlan.Residual r) {
        steps.add(new TargetPlan.Residual(r.name(), perturb(r.conv1(), e, seed, stream[0]++, false, null),
            perturb(r.conv2(), e, seed, stream[0]++, false, null),
            r.projection() == null ? null : perturb(r.projection(), e, seed, stream[0]++, false, null), r.outShape()));
      } else {
        steps.add(s);
      }
    }
    return new TargetPlan(plan.inputShape(), List.copyOf(steps), plan.phi(), null);
  }

  private static TargetPlan.Affine perturb(TargetPlan.Affine a, double e, long seed, int k, boolean first,
      double[] channels) {
    double[] kernel = a.kernel().clone();
    double[] bias = a.bias().clone();
    long stream = 9_000_000L + 2L * k;
    double[] es = Sizes.tolerances(a, e, first, first ? channels : null);
    for (int t = 0; t < kernel.length; t++) {
      if (kernel[t] != 0) kernel[t] += WeightField.uniform(seed, stream, t, -es[t], es[t]);
    }
    for (int j = 0; j < bias.length; j++) {
      if (bias[j] != 0) bias[j] += WeightField.uniform(seed, stream + 1, j, -e, e);
    }
    return new TargetPlan.Affine(a.name(), a.out(), a.in(), a.kh(), a.kw(), a.stride(), a.ph(), a.pw(), kernel, bias,
        a.phiAfter(), a.inShape(), a.outShape());
  }
}
