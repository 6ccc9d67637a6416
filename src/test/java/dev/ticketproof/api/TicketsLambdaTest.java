package dev.ticketproof.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.construct.Defaults;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.Network;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The input scale lambda of the univariate layers when phi has a remainder: on a GELU MLP over a non-negative box the
 * linearisation error of the default lambda 0.05 alone misses a 1 % goal, at any tolerance; the first build's lambda
 * is calibrated for the goal, and the output goal's builds tighten it together with the tolerance when a build misses.
 */
class TicketsLambdaTest {
  /** A GELU MLP 16 -> 6 -> 3 with N(0, 0.25)-like weights, and 16 inputs in [0, 1]^16. */
  static Network gelu() {
    SplittableRandom rng = new SplittableRandom(5);
    double[] w1 = new double[6 * 16];
    double[] b1 = new double[6];
    double[] w2 = new double[3 * 6];
    for (int k = 0; k < w1.length; k++) w1[k] = 0.5 * (2 * rng.nextDouble() - 1);
    for (int k = 0; k < b1.length; k++) b1[k] = 0.25 * (2 * rng.nextDouble() - 1);
    for (int k = 0; k < w2.length; k++) w2[k] = 2 * rng.nextDouble() - 1;
    List<Layer> l = List.of(new Linear("0", Tensor.of(w1, 6, 16), Tensor.of(b1, 6)),
        new ActivationLayer(ActivationCatalog.parse("gelu")), new Linear("2", Tensor.of(w2, 3, 6), null));
    return new Network(new int[] {16}, l);
  }

  static List<double[]> inputs() {
    SplittableRandom rng = new SplittableRandom(0);
    List<double[]> xs = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      double[] x = new double[16];
      for (int k = 0; k < x.length; k++) x[k] = rng.nextDouble();
      xs.add(x);
    }
    return xs;
  }

  static double relativeError(Ticket t, Network net, List<double[]> xs) {
    double diff = 0;
    double max = 0;
    for (double[] x : xs) {
      double[] y = dev.ticketproof.net.Forward.forward(net, Tensor.of(x, 1, x.length)).data();
      double[] z = t.outputs(x);
      for (int k = 0; k < y.length; k++) {
        diff = Math.max(diff, Math.abs(z[k] - y[k]));
        max = Math.max(max, Math.abs(y[k]));
      }
    }
    return diff / max;
  }

  @Test void aSmoothActivationsLambdaIsCalibratedForTheGoal() {
    Network net = gelu();
    Activation phi = ActivationCatalog.parse("gelu");
    List<double[]> xs = inputs();
    Ticket t = Tickets.of(net, phi).inputBox(0, 1).outputRel(0.01).samples(4).calibrationInputs(xs).build();
    assertThat(t.builds()).isEqualTo(1);
    assertThat(t.lambdaBasis()).isEqualTo(Ticket.Basis.CALIBRATED);
    assertThat(t.lambda()).isLessThan(Defaults.lambda(phi));
    assertThat(relativeError(t, net, xs)).isLessThanOrEqualTo(0.01);
    assertThat(t.verify().isHolds()).as(t.verify().toString()).isTrue();

    // at the calibrated tolerance, the default lambda (given, so kept) misses the goal: the linearisation error is
    // what the calibrated lambda removed
    Ticket fixed = Tickets.of(net, phi).inputBox(0, 1).samples(4).tolerance(t.tolerance())
        .lambda(Defaults.lambda(phi)).build();
    assertThat(fixed.result().source().params().lambda()).isEqualTo(Defaults.lambda(phi));
    assertThat(relativeError(fixed, net, xs)).isGreaterThan(0.01);
  }

  /**
   * A goal of 0.01 % on the GELU MLP: the calibration takes lambda below the default / 1024 (the floor before, where the
   * builds tightened the tolerance with lambda held there), and the ticket meets the goal on its inputs.
   */
  @Test void aSmallGoalTakesLambdaBelowTheDefaultOver1024() {
    Network net = gelu();
    Activation phi = ActivationCatalog.parse("gelu");
    List<double[]> xs = inputs();
    double goal = 1e-4;
    Ticket t = Tickets.of(net, phi).inputBox(0, 1).outputRel(goal).samples(4).calibrationInputs(xs).build();
    String what = "eps " + t.tolerance() + ", lambda " + t.lambda() + ", builds " + t.builds();
    assertThat(t.lambda()).as(what).isLessThan(Defaults.lambda(phi) / 1024).isGreaterThanOrEqualTo(Tickets.MIN_LAMBDA);
    assertThat(TicketsOutputGoalTest.errors(t, net, xs).relative(true)).as(what).isLessThanOrEqualTo(goal);
    assertThat(t.verify().isHolds()).as(t.verify().toString()).isTrue();
  }

  /**
   * The certified search scales lambda with the tolerance: its bound then meets a goal that the default lambda's
   * linearisation error alone exceeds at the tolerance the search found.
   */
  @Test void theCertifiedSearchScalesASmoothActivationsLambdaWithTheTolerance() {
    Network net = gelu();
    Activation phi = ActivationCatalog.parse("gelu");
    double goal = 0.05;
    Ticket t = Tickets.of(net, phi).inputBox(0, 1).outputEps(goal).samples(4).calibrationInputs(inputs()).build();
    assertThat(t.outputEpsMet()).isTrue();
    assertThat(t.certifiedBound()).isLessThanOrEqualTo(goal);
    assertThat(t.result().source().params().lambda()).isLessThan(Defaults.lambda(phi));
    assertThat(t.verify().isHolds()).as(t.verify().toString()).isTrue();
    Ticket fixed = Tickets.of(net, phi).inputBox(0, 1).samples(4).tolerance(t.tolerance())
        .lambda(Defaults.lambda(phi)).build();
    assertThat(fixed.certifiedBound()).isGreaterThan(goal);
  }
}
