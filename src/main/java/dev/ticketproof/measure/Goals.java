package dev.ticketproof.measure;

import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.random.WeightField;
import dev.ticketproof.subsetsum.WidthBound;
import java.util.ArrayList;
import java.util.List;

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
 * perturbations of size e ({@link #sensitivity}) is measured on sample inputs and is close to linear in e; the
 * calibrated tolerance is the largest e (within a factor 2) whose measured relative change is at most the goal times
 * a safety factor. This is a measurement, not a certificate: the construction reports which of the two (the
 * kernel's bound, or this calibration followed by a measured check of the built ticket) established the goal.
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
   * uniform perturbation in [-e, e] (seeded): max over inputs and outputs of |f'(x) - f(x)| divided by the max of
   * |f(x)|.
   *
   * @param plan the target. Not modified.
   * @param inputs sample inputs (each of length C*H*W)
   */
  public static double sensitivity(TargetPlan plan, List<double[]> inputs, double e, long seed) {
    Evaluator.Comparison c = Evaluator.compare(Evaluator.ofTarget(plan), Evaluator.ofTarget(perturbed(plan, e, seed)),
        inputs);
    return c.maxMagnitude() > 0 ? c.maxDifference() / c.maxMagnitude() : c.maxDifference();
  }

  /**
   * The calibrated tolerance for a relative output goal: the largest e in a factor-2 grid with
   * {@code sensitivity(e) <= goal * safety}, starting from the linear estimate at e = 1e-3, clamped to
   * [{@link #MIN_EPS}, {@link #MAX_EPS}].
   *
   * @param plan the target. Not modified.
   * @param inputs sample inputs (data when the user gave some, else points of the box)
   * @param outputRel the goal: max |target - ticket| / max |target|
   * @param safety fraction of the goal the perturbation may use, in (0, 1]
   */
  public static double calibrate(TargetPlan plan, List<double[]> inputs, double outputRel, double safety,
      long seed) {
    if (!(outputRel > 0 && outputRel < 1)) {
      throw new IllegalArgumentException("relative output goal must be in (0, 1), got " + outputRel);
    }
    double budget = outputRel * safety;
    double e0 = 1e-3;
    double s0 = sensitivity(plan, inputs, e0, seed);
    double e = s0 > 0 ? clamp(e0 * budget / s0) : MAX_EPS;
    // snap to a power of two below, then walk: down while too sensitive, up while there is room
    e = clamp(Math.scalb(1.0, Math.getExponent(e)));
    for (int it = 0; it < 12 && e > MIN_EPS && sensitivity(plan, inputs, e, seed) > budget; it++) e = clamp(e / 2);
    for (int it = 0; it < 4 && 2 * e <= MAX_EPS && sensitivity(plan, inputs, 2 * e, seed) <= budget; it++) e *= 2;
    return e;
  }

  private static double clamp(double e) { return Math.max(MIN_EPS, Math.min(MAX_EPS, e)); }

  /** A copy of the plan whose nonzero kernel entries and biases are moved by U(-e, e) (weight-field streams 9e6+). */
  static TargetPlan perturbed(TargetPlan plan, double e, long seed) {
    int[] stream = {0};
    List<TargetPlan.Step> steps = new ArrayList<>();
    for (TargetPlan.Step s : plan.steps()) {
      if (s instanceof TargetPlan.Affine a) {
        steps.add(perturb(a, e, seed, stream[0]++));
      } else if (s instanceof TargetPlan.Residual r) {
        steps.add(new TargetPlan.Residual(r.name(), perturb(r.conv1(), e, seed, stream[0]++),
            perturb(r.conv2(), e, seed, stream[0]++),
            r.projection() == null ? null : perturb(r.projection(), e, seed, stream[0]++), r.outShape()));
      } else {
        steps.add(s);
      }
    }
    return new TargetPlan(plan.inputShape(), List.copyOf(steps), plan.phi());
  }

  private static TargetPlan.Affine perturb(TargetPlan.Affine a, double e, long seed, int k) {
    double[] kernel = a.kernel().clone();
    double[] bias = a.bias().clone();
    long stream = 9_000_000L + 2L * k;
    for (int t = 0; t < kernel.length; t++) {
      if (kernel[t] != 0) kernel[t] += WeightField.uniform(seed, stream, t, -e, e);
    }
    for (int j = 0; j < bias.length; j++) {
      if (bias[j] != 0) bias[j] += WeightField.uniform(seed, stream + 1, j, -e, e);
    }
    return new TargetPlan.Affine(a.name(), a.out(), a.in(), a.kh(), a.kw(), a.stride(), a.ph(), a.pw(), kernel, bias,
        a.phiAfter(), a.inShape(), a.outShape());
  }
}
