package dev.ticketproof.measure;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.net.Network;
import dev.ticketproof.random.WeightField;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * An adversarial lower bound on the error of a ticket: a seeded search for inputs where
 * \( \|f_T(x) - f_{\text{ticket}}(x)\|_\infty \) is large, inside a union of boxes (the certified input box, or
 * balls around data points clipped to it). Every value it reports is attained at an input it evaluated, so the true
 * supremum over the regions lies in [{@code lowerBound}, certified bound]. It is measurement, not part of the
 * kernel: a lower bound above the certified bound proves the bound (or the kernel) wrong.
 *
 * <p>The search spends a budget of evaluations (one evaluation = the target and the ticket on one input; one gradient
 * of both costs {@value #GRADIENT_COST}, its forward pass included):
 * <ol>
 *   <li><b>samples</b>: the first {@code samples} points are half uniform, half corners (for one box exactly
 *       {@link Evaluator#boxSamples}; for balls {@link Evaluator#regionSamples}, their centres first); their maximum
 *       is the sampled
 *       estimate {@code sampledMaxError}); then an eighth of the remaining budget alternates uniform points and
 *       corners, the regions taken in turn;</li>
 *   <li><b>projected gradient ascent</b> with the rest in whole rounds (three quarters of the rest for the sigmoid,
 *       whose slopes are not smoothed, {@link #smoothes}): rounds of {@value #CHAINS} chains of up to
 *       {@value #STEPS} steps. At every step a chain evaluates its point x, takes the output j and the sign s of its
 *       largest error, differentiates \( s\,(f_T(x)_j - f_{\text{ticket}}(x)_j) \) through both networks with
 *       smoothed slopes (below) and moves every coordinate
 *       by the step times its width in the direction of the gradient's sign (steepest ascent in the l-infinity
 *       geometry), projected onto its region (the box, or its ball clipped to the box), and then moves on by
 *       {@value #MOMENTUM} of its previous move (heavy-ball momentum), projected again. The step falls geometrically
 *       from {@value #FIRST_STEP} to {@value #LAST_STEP} of the width over a round. The first round starts at the
 *       best points found so far; later rounds start half of the chains near the best points (moved by up to a
 *       tenth of each width) and half at new uniform points and corners. The gradients are surrogates (for every
 *       activation but the sigmoid): at every
 *       activation site of both networks (a conv followed by phi, a residual sum; {@link Evaluator.Pass#sites})
 *       phi'(t) is replaced by the secant slope (phi(t + h) - phi(t - h)) / 2h, h the site's mean |pre-activation|
 *       in the target at the chain's point times a factor falling geometrically from {@value #FIRST_WIDTH} to
 *       {@value #LAST_WIDTH} over the round ({@link Evaluator.Pass#gradients(List, double[][])}); the ticket's
 *       copies of a target unit use the target's h. The error of a ReLU unit, relu(z + D) - relu(z) for the ticket's
 *       small difference D, has the gradient 1[z > 0] grad D away from the thin band |z| < |D|, so phi' never tells
 *       the ascent to switch units on where D pushes the output the chain's way and off where it pushes against it,
 *       which is where the worst case of a network with many unstable units lies; with the ramp of width h the
 *       difference of the two networks' slopes, about D / 2h on the ramp, does;</li>
 *   <li><b>coordinate ascent</b> from the best point so far with what is left: every round proposes {@value #MOVES}
 *       moves of one random coordinate each (to an end of its range with probability 1/3, else by a uniform amount
 *       up to a fifth of its width, projected onto the range), evaluates them in one batch and takes the best one
 *       when it is not worse than the current point, so the walk also crosses plateaus where the gradient is 0
 *       (inactive ReLUs, saturated sigmoids).</li>
 * </ol>
 * On the targets of the certification-goals table of docs/bounds.md at their default budgets, the gradient ascent
 * (with phi') found 2.1 to 2.5 times the errors that the samples and the coordinate ascent alone found on the 784
 * inputs of the conv part of {@code mnist-cnn}, 1.6 times on {@code small-resnet} and up to 1.3 times on the small
 * targets. The variants measured then (10 to 40 steps a round, momentum 0 or 0.25, first steps of 0.1 to 0.5 of the
 * width, a fixed output and sign per chain instead of the current worst, all of the rest to the gradient ascent)
 * were each better on at most three of the targets they were measured on, by at most 11 %.
 *
 * <p>The smoothed slopes, against phi' with the same budgets and seed (the certificates of both tables of
 * docs/bounds.md): on the conv part of {@code mnist-cnn} relu the lower bound rose from 0.431 to 0.550 at rho 15,
 * eps 0.01 (8 times the budget with phi' found 0.474) and from 0.00243 to 0.00337 at construct's defaults; on
 * {@code small-resnet} relu from 6.02 to 7.90 and from 0.0579 to 0.104; on {@code mnist-cnn} tanh from 2.83 to 2.98;
 * on the small targets relu and tanh by 1 % to 5 %; sigmoid stayed within 0.3 % (its slopes change slowly, and
 * the secant changes them little). The widths measured on {@code mnist-cnn} relu at rho 15 (first 0.25 to 8, last
 * 0.01 to 1 times the mean |pre-activation|, some with phi' for the last quarter or half of a round) found 0.41 to
 * 0.55: 0.52 to 0.55 with a first width of 1 to 2 and a last one of 0.01 to 0.1, less with narrower widths (0.46 from
 * 0.25) or wider ones (0.49 to 0.41 from 4 and 8 down to 0.3 and 1) or phi' for half a round (0.50); a fixed output
 * and sign per chain found the same. These figures are with three quarters of the rest for the gradient ascent;
 * with smoothed slopes it now takes all of it (the coordinate ascent what whole rounds leave), which on nine of the
 * certificates found from 0.5 % less ({@code small-cnn} relu at the defaults, {@code digits-cnn} relu at rho 15)
 * to 12 % more ({@code small-resnet} relu at rho 15: 7.90 to 8.83; at the defaults 0.104 to 0.112; {@code
 * mnist-cnn} relu 0.550 to 0.567 and 0.00337 to 0.00360).
 *
 * <p>The default budget ({@link #defaultBudget}) buys {@link #WORK} multiply-adds, at least two rounds of the
 * coordinate ascent after the samples ({@link #MIN_EVALUATIONS}) as long as those cost at most {@link #FLOOR_WORK};
 * on larger networks the floor shrinks to FLOOR_WORK's worth, down to the samples alone.
 *
 * <p>Every batch is fixed before it is evaluated, and the evaluators give every input the same bits (outputs and
 * gradients) in any batch and on any number of threads, so the result depends only on the evaluators, the regions,
 * the budget and the seed, never on the thread count. Every error reported is the error of an input evaluated by the
 * forward evaluators (the gradients only choose the next inputs), so {@code lowerBound} stays a lower bound.
 */
public final class LowerBound {
  private LowerBound() {}

  /** Moves proposed per round of the coordinate ascent. */
  static final int MOVES = 8;

  /** Chains of the gradient ascent, evaluated and differentiated in one batch. */
  static final int CHAINS = 8;

  /**
   * Evaluations one gradient costs: 1 for the forward pass (which also evaluates the point) and 2 for the backward
   * pass through both networks ({@link Evaluator.Pass#gradients}: a transposed convolution per convolution, phi' kept
   * from the forward pass).
   */
  static final int GRADIENT_COST = 3;

  /** Steps of one round of the gradient ascent (fewer when the budget is smaller). */
  static final int STEPS = 40;

  /** Share of the previous move kept in the next one (heavy-ball momentum of the gradient ascent). */
  static final double MOMENTUM = 0.25;

  /** Step of the first and of the last move of a round, as a fraction of each coordinate's width. */
  static final double FIRST_STEP = 0.25;

  static final double LAST_STEP = 0.005;

  /**
   * Smoothing width of the first and of the last gradient of a round, as a multiple of each activation site's mean
   * |pre-activation| in the target at the chain's point ({@link Evaluator.Pass#scales}): the gradients use the secant
   * slopes of phi over [t - h, t + h] ({@link Evaluator.Pass#gradients(List, double[][])}), h falling geometrically
   * from the first to the last width over the round.
   */
  static final double FIRST_WIDTH = 1.5;

  static final double LAST_WIDTH = 0.05;

  /**
   * A box of inputs given per coordinate: every input x of the region has lo[q] <= x[q] <= hi[q].
   *
   * @param lo lower ends, finite. Not modified.
   * @param hi upper ends, finite, {@code hi[q] >= lo[q]}. Not modified.
   */
  public record Region(double[] lo, double[] hi) {
    public Region {
      if (lo.length != hi.length || lo.length == 0) {
        throw new IllegalArgumentException("region bounds must have the same positive length, got " + lo.length
            + " and " + hi.length);
      }
      for (int q = 0; q < lo.length; q++) {
        if (lo[q] <= hi[q] && Double.isFinite(lo[q]) && Double.isFinite(hi[q])) continue;
        throw new IllegalArgumentException("region coordinate " + q + " needs finite lo <= hi, got [" + lo[q] + ", "
            + hi[q] + "]");
      }
    }

    /** The box [lo, hi]^dim. */
    public static Region box(int dim, double lo, double hi) {
      double[] l = new double[dim];
      double[] h = new double[dim];
      Arrays.fill(l, lo);
      Arrays.fill(h, hi);
      return new Region(l, h);
    }

    /** The l-infinity ball of the given radius around a point, intersected with the box [lo, hi]^d. */
    public static Region ball(double[] centre, double radius, double lo, double hi) {
      double[] l = new double[centre.length];
      double[] h = new double[centre.length];
      for (int q = 0; q < centre.length; q++) {
        l[q] = Math.max(lo, centre[q] - radius);
        h[q] = Math.min(hi, centre[q] + radius);
      }
      return new Region(l, h);
    }

    int dim() { return lo.length; }

    double clip(int q, double v) { return Math.min(hi[q], Math.max(lo[q], v)); }
  }

  /**
   * What the search found.
   *
   * @param lowerBound the largest max_j |target_j(x) - ticket_j(x)| over all evaluated inputs (at least
   *     {@code sampledMaxError}); infinite when an output is NaN
   * @param sampledMaxError the same maximum over the first {@code samples} sample points only
   * @param samples number of sample points in {@code sampledMaxError}
   * @param maxTargetOutput the largest |target output| over all evaluated inputs
   * @param sampledMaxTargetOutput the same maximum over the first {@code samples} sample points only
   * @param evaluations the budget spent: one per input evaluated (on both networks), and
   *     {@code GRADIENT_COST - 1} more per gradient
   * @param witness an input attaining {@code lowerBound} (null when nothing was evaluated)
   */
  public record Result(double lowerBound, double sampledMaxError, int samples, double maxTargetOutput,
      double sampledMaxTargetOutput, long evaluations, double[] witness) {}

  /**
   * Searches the regions for inputs of large error.
   *
   * @param target the target's evaluator. Not modified.
   * @param ticket the ticket's evaluator. Not modified.
   * @param regions the regions searched, all of the networks' input dimension; at least one
   * @param samples sample points for {@code sampledMaxError}, >= 0
   * @param budget evaluations in all (at least {@code samples}; less than that is raised to it)
   * @param seed the seed of every random choice
   */
  public static Result search(Evaluator target, Evaluator ticket, List<Region> regions, int samples, long budget,
      long seed) {
    return search(target, ticket, regions, samples, budget, seed, true);
  }

  /**
   * Whether the gradient ascent smooths the slopes of phi ({@link #FIRST_WIDTH}): for every activation but the
   * sigmoid. Measured with the same budgets and seed on the certificates of both tables of docs/bounds.md, the
   * smoothed slopes found 0.2 % more to 1.1 % less than phi' on the six sigmoid ones ({@code small-cnn},
   * {@code digits-cnn}, the conv part of {@code mnist-cnn}); its slope changes slowly, and the secant changes it
   * little. On relu and tanh they found more (the class comment).
   */
  static boolean smoothes(Activation phi) {
    return !"sigmoid".equals(phi.name());
  }

  /**
   * As {@link #search(Evaluator, Evaluator, List, int, long, long)}, with the smoothed slopes in the gradient ascent
   * ({@code smooth}) or with phi' (the search before the smoothing, for comparison).
   */
  static Result search(Evaluator target, Evaluator ticket, List<Region> regions, int samples, long budget,
      long seed, boolean smooth) {
    if (regions.isEmpty()) throw new IllegalArgumentException("no region to search");
    if (samples < 0) throw new IllegalArgumentException("samples must be >= 0, got " + samples);
    int dim = regions.get(0).dim();
    for (Region r : regions) {
      if (r.dim() != dim) throw new IllegalArgumentException("regions of dimensions " + dim + " and " + r.dim());
    }
    Search s = new Search(target, ticket, regions, Math.max(budget, samples), seed, done -> { });
    s.smooth = smooth && smoothes(target.activation());
    return s.run(samples, null);
  }

  /**
   * Searches a certificate's input box with the kernel's evaluators ({@link Evaluator#of}), seeded with the
   * certificate's seed: the same certificate and target give the same result wherever it runs.
   *
   * @param budget evaluations, or a negative value for {@link #defaultBudget}
   * @throws IllegalArgumentException when the kernel cannot rebuild the certificate's networks
   */
  public static Result of(TicketCertificate cert, Network target, int samples, long budget) {
    TicketCertificate.Header h = cert.header();
    return of(cert, target, dev.ticketproof.kernel.check.TicketChecker.region(h, null), samples, budget,
        h.seed(), done -> { });
  }

  /**
   * Searches a region of a certificate (its box, or the balls of a local certificate clipped to the box, as
   * {@link dev.ticketproof.kernel.bound.Region#boxes}) with the kernel's evaluators, reporting the number of
   * evaluations done so far to {@code progress} (from the calling thread). With the certificate's seed, the first
   * {@code samples} points are those of {@link Evaluator#regionSamples}.
   *
   * @param budget evaluations, or a negative value for {@link #defaultBudget}
   * @throws IllegalArgumentException when the kernel cannot rebuild the certificate's networks
   */
  public static Result of(TicketCertificate cert, Network target, dev.ticketproof.kernel.bound.Region region,
      int samples, long budget, long seed, LongConsumer progress) {
    if (samples < 0) throw new IllegalArgumentException("samples must be >= 0, got " + samples);
    long b = budget >= 0 ? budget : defaultBudget(cert, target);
    return run(Evaluator.of(cert, target), region, samples, b, seed, progress, null);
  }

  /**
   * As {@link #of(TicketCertificate, Network, dev.ticketproof.kernel.bound.Region, int, long, long, LongConsumer)},
   * going on from a measurement of the same certificate: its evaluators are reused, and when its inputs are the
   * search's first sample points (the same region, count and seed) they are not evaluated again.
   *
   * @param measured a measurement by {@link Measure#of} of the certificate searched
   * @param budget evaluations in all, the measured samples included
   */
  public static Result continueFrom(Measure.Result measured, dev.ticketproof.kernel.bound.Region region,
      long budget, long seed, LongConsumer progress) {
    return run(measured.evaluators(), region, measured.samples(), budget, seed, progress, measured);
  }

  /**
   * The figures of a search of a certificate's region without the search: its first {@code samples} points (those
   * of {@link #of(TicketCertificate, Network, dev.ticketproof.kernel.bound.Region, int, long, long, LongConsumer)}
   * with the same seed) and a witness, an input such a search found ({@link Result#witness}), are evaluated; nothing
   * else. {@code lowerBound} is the largest error among them and {@code sampledMaxError} the largest among the
   * samples. With the witness of a search of the same certificate, region, sample count and seed, both are that
   * search's figures (the evaluators give every input the same bits in any batch). Whatever the witness, every
   * figure is an error attained at an input of the region: a false witness can lower {@code lowerBound}, never raise
   * it above the supremum.
   *
   * @param witness the input; not modified
   * @return the figures, or null (nothing evaluated) when the witness is not an input of the region (another
   *     dimension, a value outside every box of the region, or not finite)
   * @throws IllegalArgumentException when the kernel cannot rebuild the certificate's networks
   */
  public static Result atWitness(TicketCertificate cert, Network target, dev.ticketproof.kernel.bound.Region region,
      int samples, long seed, double[] witness, LongConsumer progress) {
    if (samples < 0) throw new IllegalArgumentException("samples must be >= 0, got " + samples);
    Evaluator.Pair ev = Evaluator.of(cert, target);
    Search s = new Search(ev.target(), ev.ticket(), regions(ev, region), samples + 1L, seed, progress);
    s.centres = Evaluator.centres(region, ev.target().inputSize());
    return s.atWitness(samples, witness);
  }

  private static List<Region> regions(Evaluator.Pair ev, dev.ticketproof.kernel.bound.Region region) {
    List<Region> regions = new ArrayList<>();
    for (double[][] b : region.boxes(ev.target().inputSize())) regions.add(new Region(b[0], b[1]));
    return regions;
  }

  private static Result run(Evaluator.Pair ev, dev.ticketproof.kernel.bound.Region region, int samples, long budget,
      long seed, LongConsumer progress, Measure.Result known) {
    Search s = new Search(ev.target(), ev.ticket(), regions(ev, region), Math.max(budget, samples), seed, progress);
    s.centres = Evaluator.centres(region, ev.target().inputSize());
    return s.run(samples, known);
  }

  /**
   * Multiply-adds the default budget spends: about 15 s on 2 cores (about 7e8 sparse multiply-adds per second),
   * unless a bound of the budget applies.
   */
  static final double WORK = 1e10;

  /**
   * Most multiply-adds the floor of the default budget ({@link #MIN_EVALUATIONS}) spends: 10 {@link #WORK}. On a
   * network whose evaluation costs more than a 40th of this (2.5e9 multiply-adds: the ResNet-20-sized digits net's
   * default ticket costs about 2e10, where one evaluation takes several CPU seconds), the floor falls to this work's
   * worth of evaluations, so that the search does not cost many times the construction; below the samples, the
   * search evaluates the samples only.
   */
  static final double FLOOR_WORK = 1e11;

  /**
   * The default budget: {@code WORK} multiply-adds divided by the multiply-adds of one evaluation
   * ({@link #multiplyAdds}), at most {@code MAX_EVALUATIONS} and at least the floor ({@link #budgetFor}).
   */
  public static long defaultBudget(TicketCertificate cert, Network target) {
    SourceNetwork src = SourceNetwork.of(TargetPlan.of(target,
        ActivationCatalog.parse(cert.header().activation())), cert.params());
    return budgetFor(multiplyAdds(src, cert));
  }

  /**
   * The default budget for evaluations of {@code multiplyAdds} each: {@code WORK / multiplyAdds}, at most
   * {@link #MAX_EVALUATIONS}, at least the floor min({@link #MIN_EVALUATIONS}, {@code FLOOR_WORK / multiplyAdds}).
   * The commands raise it to the sample count.
   */
  public static long budgetFor(double multiplyAdds) {
    long floor = (long) Math.min(MIN_EVALUATIONS, FLOOR_WORK / multiplyAdds);
    return Math.max(floor, Math.min(MAX_EVALUATIONS, (long) (WORK / multiplyAdds)));
  }

  /**
   * Floor of the default budget on networks of at most {@code FLOOR_WORK / 40} multiply-adds per evaluation: the
   * 16 samples and two rounds of the coordinate ascent.
   */
  public static final long MIN_EVALUATIONS = 40;

  public static final long MAX_EVALUATIONS = 10_000;

  /**
   * Multiply-adds of one evaluation: every nonzero target weight and every kept ticket weight times the positions
   * of its layer's output, plus one per univariate unit and position.
   */
  public static double multiplyAdds(SourceNetwork src, TicketCertificate cert) {
    double n = 0;
    for (TargetPlan.Affine a : Sizes.affines(src.plan())) n += nonzeros(a) * positions(a.outShape());
    List<SourceNetwork.Node> nodes = src.nodes();
    for (int k = 0; k < nodes.size(); k++) {
      if (nodes.get(k) instanceof SourceNetwork.Univariate u) {
        int[] next = src.plan().inputShape();
        for (int j = k + 1; j < nodes.size(); j++) {
          if (nodes.get(j) instanceof SourceNetwork.Conv c) {
            next = c.target().inShape();
            break;
          }
        }
        n += (double) u.out().units() * positions(next);
      }
    }
    for (SourceNetwork.Conv c : src.convs()) n += (double) cert.keptWeights()[c.id()].length * positions(c.target().outShape());
    for (TargetPlan.Step s : src.tail()) {
      if (s instanceof TargetPlan.Affine a) n += nonzeros(a) * positions(a.outShape());
      if (s instanceof TargetPlan.Residual r) {
        for (TargetPlan.Affine a : new TargetPlan.Affine[] {r.conv1(), r.conv2(), r.projection()}) {
          if (a != null) n += nonzeros(a) * positions(a.outShape());
        }
      }
    }
    return Math.max(1, n);
  }

  private static double nonzeros(TargetPlan.Affine a) {
    long n = 0;
    for (double w : a.kernel()) if (w != 0) n++;
    return n;
  }

  private static double positions(int[] shape) { return shape.length < 3 ? 1 : (double) shape[1] * shape[2]; }

  private static final class Search {
    final Evaluator target;
    final Evaluator ticket;
    final List<Region> regions;
    final long budget;
    final long seed;
    final int dim;
    long spent;
    double best = -1;
    double[] bestX;
    double maxOutput;
    /** Whether the gradient ascent smooths the slopes ({@link #smoothes}); else it uses phi'. */
    boolean smooth;
    /** The best distinct inputs evaluated, at most {@link #CHAINS}, largest error first. */
    final List<double[]> top = new ArrayList<>();
    final List<Double> topErrors = new ArrayList<>();

    final LongConsumer progress;
    /** The balls' centres, the first sample points ({@link Evaluator#centres}); none for boxes. */
    List<double[]> centres = List.of();

    Search(Evaluator target, Evaluator ticket, List<Region> regions, long budget, long seed, LongConsumer progress) {
      this.progress = progress;
      this.target = target;
      this.ticket = ticket;
      this.regions = regions;
      this.budget = budget;
      this.seed = seed;
      this.dim = regions.get(0).dim();
      this.smooth = smoothes(target.activation());
    }

    /** Runs the search; {@code known}: a measurement whose inputs, when they are the sample points, are reused. */
    Result run(int samples, Measure.Result known) {
      List<double[]> points = samplePoints(samples);
      if (known != null && sameInputs(points, known.inputs())) {
        record(points, known.each());
      } else {
        evaluate(points);
      }
      double sampled = Math.max(best, 0);
      double sampledOutput = maxOutput;
      points.clear();
      long more = Math.max(0, (budget - spent) / 8);
      for (int s = samples; s < samples + more; s++) points.add(sample(s, s % 2 == 1, s % regions.size()));
      evaluate(points);
      ascend(smooth ? budget - spent : (budget - spent) * 3 / 4, samples + more);
      if (bestX != null) climb(bestX.clone(), regionOf(bestX), best);
      return new Result(Math.max(best, 0), sampled, samples, maxOutput, sampledOutput, spent, bestX);
    }

    /** The samples, then the witness (when it is not one of them); null when the witness is in no region. */
    Result atWitness(int samples, double[] witness) {
      if (witness == null || witness.length != dim || find(witness) == null) return null;
      List<double[]> points = samplePoints(samples);
      evaluate(points);
      double sampled = Math.max(best, 0);
      double sampledOutput = maxOutput;
      if (points.stream().noneMatch(p -> Arrays.equals(p, witness))) evaluate(List.of(witness.clone()));
      return new Result(Math.max(best, 0), sampled, samples, maxOutput, sampledOutput, spent, bestX);
    }

    /**
     * The first {@code samples} points: the balls' centres, then the first half uniform, the rest corners, the regions
     * taken in turn ({@link Evaluator#regionSamples}).
     */
    List<double[]> samplePoints(int samples) {
      List<double[]> points = new ArrayList<>();
      for (int s = 0; s < samples; s++) {
        points.add(s < centres.size() ? centres.get(s).clone() : sample(s, s >= samples / 2, s % regions.size()));
      }
      return points;
    }

    /** Sample s: uniform in the region or a corner, from the weight field's streams 7000021 + s. */
    double[] sample(long s, boolean corner, int region) {
      Region r = regions.get(region);
      double[] x = new double[dim];
      for (int q = 0; q < dim; q++) {
        double u = WeightField.u01(seed, 7_000_021L + s, q);
        x[q] = corner ? (u < 0.5 ? r.lo[q] : r.hi[q]) : Math.min(r.hi[q], r.lo[q] + (r.hi[q] - r.lo[q]) * u);
      }
      return x;
    }

    /** The first region containing x. */
    Region regionOf(double[] x) {
      Region r = find(x);
      if (r == null) throw new AssertionError("sample outside every region");
      return r;
    }

    /** The first region containing x (every coordinate within its range; NaN is in none), or null. */
    Region find(double[] x) {
      for (Region r : regions) {
        boolean in = true;
        for (int q = 0; q < dim && in; q++) in = x[q] >= r.lo[q] && x[q] <= r.hi[q];
        if (in) return r;
      }
      return null;
    }

    /**
     * Projected sign-gradient ascent with about {@code share} evaluations: rounds of {@link #CHAINS} chains and up to
     * {@link #STEPS} steps, all chains evaluated and differentiated in one batch. The first round starts at the best
     * points found so far; later rounds start half of the chains near the best points (moved by up to a tenth of each
     * coordinate's width) and half at new sample points (streams from {@code stream}, uniform and corners in turn, the
     * regions in turn). At every step a chain evaluates its point, picks the output j and sign s of its largest error
     * and moves every coordinate by the step times its width in the direction of the sign of the gradient of s
     * (f_T(x)_j - f_ticket(x)_j) (with the slopes smoothed over the round's widths when {@code smooth}, from {@link
     * #FIRST_WIDTH} to {@link #LAST_WIDTH} times the target's mean |pre-activation|), projected onto its region, then
     * by {@link #MOMENTUM} of its previous move, projected again; the step falls geometrically from {@link #FIRST_STEP}
     * to {@link #LAST_STEP} of the width over the round. A round of T steps costs {@code CHAINS * (GRADIENT_COST * T -
     * 2)} evaluations: its last points are evaluated, not differentiated.
     */
    void ascend(long share, long stream) {
      int steps = (int) Math.min(STEPS, (share / CHAINS + 2) / GRADIENT_COST);
      if (steps < 3 || bestX == null) return;
      long perRound = (long) CHAINS * (GRADIENT_COST * steps - 2);
      long rounds = share / perRound;
      SplittableRandom rng = new SplittableRandom(WeightField.bits(seed, 7_200_007L, 0));
      for (long round = 0; round < rounds; round++) {
        List<double[]> xs = new ArrayList<>(CHAINS);
        List<Region> rs = new ArrayList<>(CHAINS);
        int kept = round == 0 ? CHAINS : CHAINS / 2;
        for (int c = 0; c < kept && c < top.size(); c++) {
          double[] x = top.get(c).clone();
          Region r = regionOf(x);
          if (round > 0) {
            for (int q = 0; q < dim; q++) x[q] = r.clip(q, x[q] + 0.1 * (r.hi[q] - r.lo[q]) * (2 * rng.nextDouble() - 1));
          }
          xs.add(x);
          rs.add(r);
        }
        while (xs.size() < CHAINS) {
          int region = (int) (stream % regions.size());
          xs.add(sample(stream, stream % 2 == 1, region));
          rs.add(regions.get(region));
          stream++;
        }
        List<double[]> prev = null;
        for (int t = 0; t < steps; t++) {
          Evaluator.Pass a = target.forward(xs, smooth);
          Evaluator.Pass b = ticket.forward(xs, smooth);
          Evaluator.Comparison[] each = new Evaluator.Comparison[CHAINS];
          for (int c = 0; c < CHAINS; c++) each[c] = Evaluator.difference(a.outputs().get(c), b.outputs().get(c));
          record(xs, each);
          if (t == steps - 1) break;
          List<double[]> cs = new ArrayList<>(CHAINS);
          for (int c = 0; c < CHAINS; c++) cs.add(worst(a.outputs().get(c), b.outputs().get(c)));
          // the smoothing widths: the target's mean |pre-activation| per site and chain, times the round's factor
          double[][] widths = null;
          if (smooth && a.sites() == b.sites()) {
            double f = FIRST_WIDTH * Math.pow(LAST_WIDTH / FIRST_WIDTH, t / (double) Math.max(1, steps - 2));
            widths = a.scales();
            for (double[] w : widths) for (int c = 0; c < w.length; c++) w[c] *= f;
          }
          List<double[]> ga = a.gradients(cs, widths);
          List<double[]> gb = b.gradients(cs, widths);
          spent += (long) (GRADIENT_COST - 1) * CHAINS;
          progress.accept(spent);
          double step = FIRST_STEP * Math.pow(LAST_STEP / FIRST_STEP, t / (double) Math.max(1, steps - 2));
          List<double[]> next = new ArrayList<>(CHAINS);
          for (int c = 0; c < CHAINS; c++) {
            double[] x = xs.get(c);
            double[] before = prev == null ? x : prev.get(c);
            double[] y = new double[dim];
            Region r = rs.get(c);
            double[] u = ga.get(c);
            double[] v = gb.get(c);
            for (int q = 0; q < dim; q++) {
              double g = u[q] - v[q];
              double z = g != 0 && !Double.isNaN(g) ? r.clip(q, x[q] + Math.copySign(step * (r.hi[q] - r.lo[q]), g))
                  : x[q];
              y[q] = r.clip(q, x[q] + (1 - MOMENTUM) * (z - x[q]) + MOMENTUM * (x[q] - before[q]));
            }
            next.add(y);
          }
          prev = xs;
          xs = next;
        }
      }
    }

    /**
     * The output coefficients of s (f_T(x)_j - f_ticket(x)_j) for the output j of the largest |difference| (the first
     * of equal ones) and its sign s (+1 at a tie): s at j, 0 elsewhere.
     */
    static double[] worst(double[] ya, double[] yb) {
      int arg = 0;
      for (int j = 1; j < ya.length; j++) if (Math.abs(ya[j] - yb[j]) > Math.abs(ya[arg] - yb[arg])) arg = j;
      double[] c = new double[ya.length];
      c[arg] = ya[arg] - yb[arg] < 0 ? -1 : 1;
      return c;
    }

    /**
     * Coordinate ascent from x (error e) in region r until the budget is spent: every round proposes {@code MOVES}
     * moves of one coordinate each (to an end of its range with probability 1/3, else by up to a fifth of its width,
     * projected onto the range), evaluated in one batch, and takes the best one when it is not worse (so the walk
     * crosses plateaus, such as inactive ReLUs).
     */
    void climb(double[] x, Region r, double e) {
      SplittableRandom rng = new SplittableRandom(WeightField.bits(seed, 7_100_003L, 0));
      while (budget - spent >= MOVES) {
        List<double[]> cands = new ArrayList<>(MOVES);
        for (int m = 0; m < MOVES; m++) {
          double[] y = x.clone();
          int q = rng.nextInt(dim);
          double w = r.hi[q] - r.lo[q];
          y[q] = rng.nextInt(3) == 0 ? (rng.nextBoolean() ? r.lo[q] : r.hi[q])
              : r.clip(q, x[q] + 0.2 * w * (2 * rng.nextDouble() - 1));
          cands.add(y);
        }
        double[] ec = evaluate(cands);
        int arg = -1;
        for (int m = 0; m < MOVES; m++) {
          if (ec[m] >= e) {
            e = ec[m];
            arg = m;
          }
        }
        if (arg >= 0) x = cands.get(arg);
      }
    }

    /** Errors of the inputs, in order; updates the best point, the output scale and the count. */
    double[] evaluate(List<double[]> xs) {
      long before = spent;
      return record(xs, Evaluator.compareEach(target, ticket, xs, done -> progress.accept(before + done)));
    }

    /** Takes in the comparisons of the inputs: updates the best point, the output scale and the count. */
    double[] record(List<double[]> xs, Evaluator.Comparison[] each) {
      double[] err = new double[xs.size()];
      for (int k = 0; k < xs.size(); k++) {
        err[k] = each[k].maxDifference();
        if (err[k] > best) {
          best = err[k];
          bestX = xs.get(k).clone();
        }
        keepTop(xs.get(k), err[k]);
        maxOutput = Math.max(maxOutput, each[k].maxMagnitude());
      }
      spent += xs.size();
      progress.accept(spent);
      return err;
    }

    /** Keeps x among the best {@link #CHAINS} distinct inputs when its error is large enough. */
    void keepTop(double[] x, double e) {
      if (!(e >= 0) || topErrors.size() == CHAINS && e <= topErrors.get(CHAINS - 1)) return;
      int at = 0;
      while (at < top.size() && topErrors.get(at) >= e) {
        if (Arrays.equals(top.get(at), x)) return;
        at++;
      }
      for (int k = at; k < top.size(); k++) {
        if (Arrays.equals(top.get(k), x)) {
          top.remove(k);
          topErrors.remove(k);
          break;
        }
      }
      top.add(at, x.clone());
      topErrors.add(at, e);
      if (top.size() > CHAINS) {
        top.remove(CHAINS);
        topErrors.remove(CHAINS);
      }
    }

    static boolean sameInputs(List<double[]> a, List<double[]> b) {
      if (a.size() != b.size()) return false;
      for (int k = 0; k < a.size(); k++) if (!Arrays.equals(a.get(k), b.get(k))) return false;
      return true;
    }
  }
}
