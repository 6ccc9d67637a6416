package dev.ticketproof.measure;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.measure.Evaluator;
import dev.ticketproof.net.Network;
import java.util.List;

/**
 * Measures sup |target - ticket| on sample inputs: points uniform in the box [-B0, B0]^d, corners of the box, and
 * optionally given data. The certified bound must dominate every measurement.
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
  public static Result of(TicketBuilder.Result r, Network target, Activation phi, int n, long seed) {
    return of(r, target, phi, n, seed, done -> { });
  }

  /** As {@link #of(TicketBuilder.Result, Network, Activation, int, long)}, reporting the samples done. */
  public static Result of(TicketBuilder.Result r, Network target, Activation phi, int n, long seed,
      java.util.function.IntConsumer progress) {
    return of(r, target, phi, dev.ticketproof.kernel.bound.Region.box(r.source().params().inputLow(),
        r.source().params().inputHigh()), n, seed, progress);
  }

  /** Measures a built ticket on samples of a region (the box, or balls around points: a local certificate's). */
  public static Result of(TicketBuilder.Result r, Network target, Activation phi,
      dev.ticketproof.kernel.bound.Region region, int n, long seed, java.util.function.IntConsumer progress) {
    int[] s = target.inputShape();
    int dim = 1;
    for (int d : s) dim *= d;
    List<double[]> inputs = Evaluator.regionSamples(region, dim, n, seed);
    Evaluator t = Evaluator.ofTarget(TargetPlan.of(target, phi));
    Evaluator k = Evaluator.ofTicket(r.source(), r.certificate());
    double[] c = Evaluator.compare(t, k, inputs, progress);
    return new Result(c[0], c[1], inputs.size());
  }

  /** Measures a built ticket on given inputs (each of length C*H*W). */
  public static Result on(TicketBuilder.Result r, Network target, Activation phi, List<double[]> inputs) {
    Evaluator t = Evaluator.ofTarget(TargetPlan.of(target, phi));
    Evaluator k = Evaluator.ofTicket(r.source(), r.certificate());
    double[] c = Evaluator.compare(t, k, inputs);
    return new Result(c[0], c[1], inputs.size());
  }
}
