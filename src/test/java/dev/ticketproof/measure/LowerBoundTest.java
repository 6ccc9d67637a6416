package dev.ticketproof.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.construct.Defaults;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.net.Network;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.targets.Builtins;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

class LowerBoundTest {
  static TicketBuilder.Result ticket(String target, String activation, double lo, double hi) {
    Activation phi = ActivationCatalog.parse(activation);
    Network net = Builtins.of(target, phi);
    SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, 4,
        Defaults.rho1(phi, 4, lo), Defaults.lambda(phi), 3, null, lo, hi, null, TicketCertificate.VERSION);
    return TicketBuilder.build(net, phi, new TicketBuilder.Options(p, 0.05, SubsetSum.Mode.MIN_SIZE, 1,
        "builtin:" + target), TicketBuilder.Progress.NONE);
  }

  static double error(Evaluator.Pair ev, double[] x) {
    double[] a = ev.target().apply(x);
    double[] b = ev.ticket().apply(x);
    double e = 0;
    for (int j = 0; j < a.length; j++) e = Math.max(e, Math.abs(a[j] - b[j]));
    return e;
  }

  @Test
  void sameResultOnOneThreadAndOnMany() throws Exception {
    TicketBuilder.Result r = ticket("small-cnn", "tanh", -1, 1);
    Network net = Builtins.of("small-cnn", ActivationCatalog.parse("tanh"));
    LowerBound.Result many = LowerBound.of(r.certificate(), net, 16, 400);
    LowerBound.Result one = new ForkJoinPool(1).submit(() -> LowerBound.of(r.certificate(), net, 16, 400)).get();
    assertThat(one.lowerBound()).isEqualTo(many.lowerBound());
    assertThat(one.sampledMaxError()).isEqualTo(many.sampledMaxError());
    assertThat(one.maxTargetOutput()).isEqualTo(many.maxTargetOutput());
    assertThat(one.witness()).isEqualTo(many.witness());
    assertThat(LowerBound.of(r.certificate(), net,
        dev.ticketproof.kernel.bound.Region.box(-1, 1), 16, 400, 1, done -> { }).lowerBound()).as("another seed searches elsewhere")
        .isNotEqualTo(many.lowerBound());
  }

  @Test
  void witnessAttainsTheLowerBoundInsideTheBoxWithinTheBudget() {
    for (String phi : List.of("relu", "sigmoid")) {
      TicketBuilder.Result r = ticket("small-cnn", phi, 0, 1);
      Network net = Builtins.of("small-cnn", ActivationCatalog.parse(phi));
      Evaluator.Pair ev = Evaluator.of(r.certificate(), net);
      LowerBound.Result lb = LowerBound.of(r.certificate(), net, 16, 500);
      assertThat(lb.evaluations()).as(phi).isLessThanOrEqualTo(500).isGreaterThan(490);
      for (double v : lb.witness()) assertThat(v).as(phi).isBetween(0.0, 1.0);
      assertThat(error(ev, lb.witness())).as(phi + ": error at the witness").isEqualTo(lb.lowerBound());
      // the sampled estimate is the maximum on the box samples the search starts with
      Evaluator.Comparison sampled = Evaluator.compare(ev.target(), ev.ticket(),
          Evaluator.boxSamples(2 * 8 * 8, 0, 1, 16, 3));
      assertThat(lb.sampledMaxError()).as(phi).isEqualTo(sampled.maxDifference());
      assertThat(lb.lowerBound()).as(phi + ": the ascent improves on the samples")
          .isGreaterThan(lb.sampledMaxError());
      assertThat(lb.lowerBound()).as(phi).isLessThanOrEqualTo(r.report().certifiedBound());
    }
  }

  /**
   * A planted sign-pattern worst case: m hidden ReLU units z_j = v_j . x over the box [-1, 1]^d feed one output;
   * the "ticket" (a second target plan) has the biases D_j = delta sign(v_j . u) for a hidden corner u. The error
   * sum_j relu(z_j + D_j) - relu(z_j) is piecewise constant but for a band |z_j| < delta: it is largest near u (every
   * unit on whose D_j is positive, every other off) and near -u, while at random points the D_j of the active units
   * cancel, and phi' gives no gradient.
   */
  static Network planted(int side, int units, double delta, boolean ticket) {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(21);
    int d = side * side;
    double[] u = new double[d];
    for (int q = 0; q < d; q++) u[q] = rng.nextBoolean() ? 1 : -1;
    double[] v = new double[units * d];
    double[] bias = new double[units];
    for (int j = 0; j < units; j++) {
      double z = 0;
      for (int q = 0; q < d; q++) {
        v[j * d + q] = 2 * rng.nextDouble() - 1;
        z += v[j * d + q] * u[q];
      }
      bias[j] = ticket ? Math.copySign(delta, z) : 0;
    }
    double[] ones = new double[units];
    java.util.Arrays.fill(ones, 1);
    Activation relu = ActivationCatalog.parse("relu");
    return new Network(new int[] {1, side, side}, List.of(
        new dev.ticketproof.net.Conv2d("v", dev.ticketproof.tensor.Tensor.of(v, units, 1, side, side),
            dev.ticketproof.tensor.Tensor.of(bias, units), 1, 0),
        new dev.ticketproof.net.ActivationLayer(relu), new dev.ticketproof.net.Flatten(),
        new dev.ticketproof.net.Linear("k", dev.ticketproof.tensor.Tensor.of(ones, 1, units),
            dev.ticketproof.tensor.Tensor.of(new double[] {0}, 1))));
  }

  @Test
  void smoothedSlopesFindAPlantedSignPatternThatPhiPrimeMisses() {
    Activation relu = ActivationCatalog.parse("relu");
    int side = 8;
    int units = 256;
    double delta = 0.01;
    Evaluator a = Evaluator.ofTarget(dev.ticketproof.kernel.TargetPlan.of(planted(side, units, delta, false), relu));
    Evaluator b = Evaluator.ofTarget(dev.ticketproof.kernel.TargetPlan.of(planted(side, units, delta, true), relu));
    // the planted corner's error: delta times the units with v_j . u > 0
    double[] u = new double[side * side];
    java.util.SplittableRandom rng = new java.util.SplittableRandom(21);
    for (int q = 0; q < u.length; q++) u[q] = rng.nextBoolean() ? 1 : -1;
    double planted = Math.abs(a.apply(u)[0] - b.apply(u)[0]);
    assertThat(planted).isGreaterThan(0.3 * units * delta);
    List<LowerBound.Region> box = List.of(LowerBound.Region.box(side * side, -1, 1));
    LowerBound.Result smooth = LowerBound.search(a, b, box, 16, 400, 3, true);
    LowerBound.Result exact = LowerBound.search(a, b, box, 16, 400, 3, false);
    // measured: 0.97 of the planted error with the smoothed slopes, 0.31 with phi' (the samples find 0.19)
    assertThat(smooth.lowerBound()).as("smoothed slopes").isGreaterThan(0.8 * planted);
    assertThat(exact.lowerBound()).as("phi'").isLessThan(0.5 * planted);
    assertThat(Math.abs(a.apply(smooth.witness())[0] - b.apply(smooth.witness())[0])).isEqualTo(smooth.lowerBound());
  }

  @Test
  void searchStaysInsideEveryRegion() {
    TicketBuilder.Result r = ticket("small-fc", "relu", -1, 1);
    Network net = Builtins.of("small-fc", ActivationCatalog.parse("relu"));
    Evaluator.Pair ev = Evaluator.of(r.certificate(), net);
    List<LowerBound.Region> balls = List.of(LowerBound.Region.ball(new double[] {0.9, 0, -0.2, 0.5}, 0.25, -1, 1),
        LowerBound.Region.ball(new double[] {-1, -1, 1, 1}, 0.1, -1, 1));
    assertThat(balls.get(0).hi()[0]).as("clipped to the box").isEqualTo(1.0);
    LowerBound.Result lb = LowerBound.search(ev.target(), ev.ticket(), balls, 8, 300, 5);
    double[] x = lb.witness();
    boolean inside = false;
    for (LowerBound.Region b : balls) {
      boolean in = true;
      for (int q = 0; q < x.length; q++) in &= x[q] >= b.lo()[q] && x[q] <= b.hi()[q];
      inside |= in;
    }
    assertThat(inside).as(java.util.Arrays.toString(x)).isTrue();
    assertThat(error(ev, x)).isEqualTo(lb.lowerBound());
  }

  @Test
  void localCertificateRegionStartsWithTheMeasurementsSamples() {
    TicketBuilder.Result r = ticket("small-cnn", "relu", 0, 1);
    Network net = Builtins.of("small-cnn", ActivationCatalog.parse("relu"));
    double[][] points = Evaluator.boxSamples(2 * 8 * 8, 0, 1, 3, 11).toArray(new double[0][]);
    dev.ticketproof.kernel.bound.Region balls = dev.ticketproof.kernel.bound.Region.balls(0, 1, points, 0.05);
    LowerBound.Result lb = LowerBound.of(r.certificate(), net, balls, 12, 300, 3, done -> { });
    Measure.Result m = Measure.of(r, net, balls, 12, 3, done -> { });
    assertThat(lb.sampledMaxError()).isEqualTo(m.maxError());
    // inside one of the boxes the kernel certifies (each ball clipped to the box, rounded outward)
    boolean inside = false;
    for (double[][] b : balls.boxes(2 * 8 * 8)) {
      boolean in = true;
      for (int q = 0; q < b[0].length; q++) in &= lb.witness()[q] >= b[0][q] && lb.witness()[q] <= b[1][q];
      inside |= in;
    }
    assertThat(inside).isTrue();
    assertThat(lb.lowerBound()).isGreaterThanOrEqualTo(lb.sampledMaxError());
  }

  @Test
  void theSamplesAndTheWitnessGiveTheSearchsFiguresAndNoFalseWitnessRaisesThem() {
    TicketBuilder.Result r = ticket("small-cnn", "sigmoid", -1, 1);
    Network net = Builtins.of("small-cnn", ActivationCatalog.parse("sigmoid"));
    Evaluator.Pair ev = Evaluator.of(r.certificate(), net);
    dev.ticketproof.kernel.bound.Region box = dev.ticketproof.kernel.bound.Region.box(-1, 1);
    LowerBound.Result searched = LowerBound.of(r.certificate(), net, box, 16, 300, 3, done -> { });
    LowerBound.Result at = LowerBound.atWitness(r.certificate(), net, box, 16, 3, searched.witness(), done -> { });
    assertThat(searched.lowerBound()).as("the ascent improves on the samples")
        .isGreaterThan(searched.sampledMaxError());
    assertThat(at.lowerBound()).isEqualTo(searched.lowerBound());
    assertThat(at.sampledMaxError()).isEqualTo(searched.sampledMaxError());
    assertThat(at.witness()).isEqualTo(searched.witness());
    assertThat(at.evaluations()).isEqualTo(17);
    // any other input of the box: the figures are the errors at the inputs evaluated, never more
    for (double v : new double[] {-1, 0.3, 1}) {
      double[] other = new double[searched.witness().length];
      java.util.Arrays.fill(other, v);
      LowerBound.Result o = LowerBound.atWitness(r.certificate(), net, box, 16, 3, other, done -> { });
      assertThat(o.sampledMaxError()).isEqualTo(searched.sampledMaxError());
      assertThat(o.lowerBound()).as("witness %s", v)
          .isEqualTo(Math.max(searched.sampledMaxError(), error(ev, other)))
          .isLessThanOrEqualTo(searched.lowerBound());
    }
    // a witness a sample already is: the samples only
    double[] first = Evaluator.boxSamples(searched.witness().length, -1, 1, 16, 3).get(0);
    assertThat(LowerBound.atWitness(r.certificate(), net, box, 16, 3, first, done -> { }).evaluations()).isEqualTo(16);
    // no input of the region: nothing evaluated
    double[] outside = searched.witness().clone();
    outside[7] = 1.0000001;
    double[] nan = searched.witness().clone();
    nan[0] = Double.NaN;
    for (double[] bad : new double[][] {outside, nan, java.util.Arrays.copyOf(searched.witness(), 5), null}) {
      assertThat(LowerBound.atWitness(r.certificate(), net, box, 16, 3, bad, done -> { })).isNull();
    }
    // a local certificate's witness lies in one of its clipped balls
    double[][] points = Evaluator.boxSamples(searched.witness().length, -1, 1, 3, 11).toArray(new double[0][]);
    dev.ticketproof.kernel.bound.Region balls = dev.ticketproof.kernel.bound.Region.balls(-1, 1, points, 0.05);
    LowerBound.Result local = LowerBound.of(r.certificate(), net, balls, 12, 200, 3, done -> { });
    assertThat(LowerBound.atWitness(r.certificate(), net, balls, 12, 3, local.witness(), done -> { }).lowerBound())
        .isEqualTo(local.lowerBound());
    assertThat(LowerBound.atWitness(r.certificate(), net, balls, 12, 3, searched.witness(), done -> { }))
        .as("the box's witness is in no ball").isNull();
  }

  @Test
  void badRegionsAreRejectedWithTheirValues() {
    assertThatThrownBy(() -> new LowerBound.Region(new double[] {0, 1}, new double[] {1, 0.5}))
        .hasMessageContaining("coordinate 1").hasMessageContaining("[1.0, 0.5]");
    assertThatThrownBy(() -> new LowerBound.Region(new double[] {Double.NaN}, new double[] {1}))
        .hasMessageContaining("NaN");
    assertThatThrownBy(() -> new LowerBound.Region(new double[] {0}, new double[] {1, 2}))
        .hasMessageContaining("same positive length");
  }

  @Test
  void defaultBudgetIsTheWorkOverTheMultiplyAddsOfAnEvaluation() {
    Activation relu = ActivationCatalog.parse("relu");
    TicketBuilder.Result small = ticket("small-fc", "relu", -1, 1);
    TicketBuilder.Result res = ticket("small-resnet", "relu", -1, 1);
    double fc = LowerBound.multiplyAdds(small.source(), small.certificate());
    double rn = LowerBound.multiplyAdds(res.source(), res.certificate());
    // small-fc: 4*8 + 8*8 + 8*2 target weights (those that are nonzero) plus the kept ticket weights, on 1x1 maps
    assertThat(fc).isLessThan(2 * 112 + small.certificate().keptWeights().length * 1e4);
    assertThat(rn).isGreaterThan(100 * fc);
    assertThat(LowerBound.defaultBudget(small.certificate(), Builtins.of("small-fc", relu)))
        .isEqualTo(LowerBound.MAX_EVALUATIONS);
    assertThat(LowerBound.defaultBudget(res.certificate(), Builtins.of("small-resnet", relu)))
        .isEqualTo(LowerBound.budgetFor(rn));
    assertThat(LowerBound.budgetFor(LowerBound.WORK / 100)).isEqualTo(100);
    assertThat(LowerBound.budgetFor(LowerBound.WORK / 1e6)).isEqualTo(LowerBound.MAX_EVALUATIONS);
    // the floor of 40 up to FLOOR_WORK / 40 multiply-adds per evaluation, then FLOOR_WORK's worth
    assertThat(LowerBound.budgetFor(LowerBound.WORK / 5)).isEqualTo(LowerBound.MIN_EVALUATIONS);
    assertThat(LowerBound.budgetFor(LowerBound.FLOOR_WORK / 40)).isEqualTo(LowerBound.MIN_EVALUATIONS);
    assertThat(LowerBound.budgetFor(LowerBound.FLOOR_WORK / 20)).isEqualTo(20);
    assertThat(LowerBound.budgetFor(2e10)).as("the ResNet-20-sized digits ticket").isEqualTo(5);
  }

  @Test
  void goingOnFromAMeasurementGivesTheSameSearchWithoutEvaluatingItsSamplesAgain() {
    TicketBuilder.Result r = ticket("small-cnn", "sigmoid", -1, 1);
    Network net = Builtins.of("small-cnn", ActivationCatalog.parse("sigmoid"));
    dev.ticketproof.kernel.bound.Region box = dev.ticketproof.kernel.bound.Region.box(-1, 1);
    Measure.Result m = Measure.of(r, net, box, 16, 3, done -> { });
    LowerBound.Result fresh = LowerBound.of(r.certificate(), net, box, 16, 200, 3, done -> { });
    LowerBound.Result cont = LowerBound.continueFrom(m, box, 200, 3, done -> { });
    assertThat(cont.lowerBound()).isEqualTo(fresh.lowerBound());
    assertThat(cont.sampledMaxError()).isEqualTo(fresh.sampledMaxError()).isEqualTo(m.maxError());
    assertThat(cont.witness()).isEqualTo(fresh.witness());
    assertThat(cont.evaluations()).isEqualTo(fresh.evaluations());
    // the measured comparisons are taken as they are: a measurement claiming a larger error on its samples shows
    Evaluator.Comparison[] claimed = m.each().clone();
    claimed[5] = new Evaluator.Comparison(1e6, claimed[5].maxMagnitude());
    Measure.Result altered = new Measure.Result(1e6, m.maxTargetOutput(), 16, m.inputs(), claimed, m.evaluators(),
        m.outputs());
    assertThat(LowerBound.continueFrom(altered, box, 200, 3, done -> { }).sampledMaxError()).isEqualTo(1e6);
    // a measurement on other inputs (another seed) is evaluated again
    Measure.Result other = Measure.of(r, net, box, 16, 4, done -> { });
    Measure.Result otherAltered = new Measure.Result(1e6, other.maxTargetOutput(), 16, other.inputs(), claimed,
        other.evaluators(), other.outputs());
    assertThat(LowerBound.continueFrom(otherAltered, box, 200, 3, done -> { }).sampledMaxError())
        .isEqualTo(fresh.sampledMaxError());
  }
}
