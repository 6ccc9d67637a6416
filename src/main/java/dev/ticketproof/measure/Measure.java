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
   * @param inputs the inputs evaluated, in order
   * @param each the comparison of target and ticket on each input, in order
   * @param evaluators the evaluators used, so that a search can go on from these samples
   *     ({@link LowerBound#continueFrom})
   * @param outputs each output's largest error and |target value| over the samples (what the output goal judges)
   */
  public record Result(double maxError, double maxTargetOutput, int samples, List<double[]> inputs,
      Evaluator.Comparison[] each, Evaluator.Pair evaluators, OutputErrors outputs) {}

  /** Measures a built ticket on box samples. */
  @SuppressWarnings("exports") // the construction's result: not exported
  public static Result of(TicketBuilder.Result r, Network target, int n, long seed) {
    return of(r, target, n, seed, done -> { });
  }

  /** As {@link #of(TicketBuilder.Result, Network, int, long)}, reporting the samples done. */
  @SuppressWarnings("exports") // the construction's result: not exported
  public static Result of(TicketBuilder.Result r, Network target, int n, long seed,
      java.util.function.IntConsumer progress) {
    return of(r, target, TicketBuilder.box(r.certificate().header()), n, seed, progress);
  }

  /** Measures a built ticket on samples of a region (the box, or balls around points: a local certificate's). */
  @SuppressWarnings("exports") // the construction's result: not exported
  public static Result of(TicketBuilder.Result r, Network target,
      dev.ticketproof.kernel.bound.Region region, int n, long seed, java.util.function.IntConsumer progress) {
    int[] s = target.inputShape();
    int dim = 1;
    for (int d : s) dim *= d;
    return on(Evaluator.of(r.certificate(), target), Evaluator.regionSamples(region, dim, n, seed), progress);
  }

  /** Measures a built ticket on given inputs (each of length C*H*W). */
  @SuppressWarnings("exports") // the construction's result: not exported
  public static Result on(TicketBuilder.Result r, Network target, List<double[]> inputs) {
    return on(Evaluator.of(r.certificate(), target), inputs, done -> { });
  }

  private static Result on(Evaluator.Pair ev, List<double[]> inputs, java.util.function.IntConsumer progress) {
    Evaluator.Comparison[] each = new Evaluator.Comparison[inputs.size()];
    OutputErrors[] outputs = {null};
    Evaluator.forEachPair(ev.target(), ev.ticket(), inputs, progress, (q, y, z) -> {
      each[q] = Evaluator.difference(y, z);
      if (outputs[0] == null) outputs[0] = OutputErrors.empty(y.length);
      outputs[0].add(y, z);
    });
    Evaluator.Comparison all = new Evaluator.Comparison(0, 0);
    for (Evaluator.Comparison c : each) all = all.max(c);
    return new Result(all.maxDifference(), all.maxMagnitude(), inputs.size(), List.copyOf(inputs), each, ev,
        outputs[0] == null ? OutputErrors.empty(0) : outputs[0]);
  }
}
