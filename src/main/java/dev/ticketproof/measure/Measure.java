package dev.ticketproof.measure;

import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.net.Network;
import java.util.List;

/**
 * Measures |target - ticket| on sample inputs with the kernel's evaluators ({@link Evaluator#of}): points uniform in
 * the certified region and corners of it ({@link Evaluator#regionSamples}), or given data. With the certificate's
 * seed these are the first points of {@link LowerBound}'s search, so both report the same sampled error. A sampled
 * maximum is a lower estimate of the supremum; the certified bound must dominate every measurement.
 */
public final class Measure {
  private Measure() {}

  /**
   * Measured figures.
   *
   * @param maxError max over samples and outputs of |target - ticket|
   * @param maxTargetOutput max |target output| over the samples (the scale of the error)
   * @param samples number of inputs evaluated
   */
  public record Result(double maxError, double maxTargetOutput, int samples) {}

  /** Measures a built ticket on box samples. */
  public static Result of(TicketBuilder.Result r, Network target, int n, long seed) {
    return of(r, target, n, seed, done -> { });
  }

  /** As {@link #of(TicketBuilder.Result, Network, int, long)}, reporting the samples done. */
  public static Result of(TicketBuilder.Result r, Network target, int n, long seed,
      java.util.function.IntConsumer progress) {
    return of(r, target, dev.ticketproof.kernel.bound.Region.box(r.source().params().inputLow(),
        r.source().params().inputHigh()), n, seed, progress);
  }

  /** Measures a built ticket on samples of a region (the box, or balls around points: a local certificate's). */
  public static Result of(TicketBuilder.Result r, Network target,
      dev.ticketproof.kernel.bound.Region region, int n, long seed, java.util.function.IntConsumer progress) {
    int[] s = target.inputShape();
    int dim = 1;
    for (int d : s) dim *= d;
    List<double[]> inputs = Evaluator.regionSamples(region, dim, n, seed);
    Evaluator.Pair ev = Evaluator.of(r.certificate(), target);
    Evaluator.Comparison c = Evaluator.compare(ev.target(), ev.ticket(), inputs, progress);
    return new Result(c.maxDifference(), c.maxMagnitude(), inputs.size());
  }

  /** Measures a built ticket on given inputs (each of length C*H*W). */
  public static Result on(TicketBuilder.Result r, Network target, List<double[]> inputs) {
    Evaluator.Pair ev = Evaluator.of(r.certificate(), target);
    Evaluator.Comparison c = Evaluator.compare(ev.target(), ev.ticket(), inputs);
    return new Result(c.maxDifference(), c.maxMagnitude(), inputs.size());
  }
}
