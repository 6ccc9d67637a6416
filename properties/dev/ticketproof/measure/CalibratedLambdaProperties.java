package dev.ticketproof.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.activation.IdentityHypothesis;
import dev.ticketproof.construct.Defaults;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.Network;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The first build's input scale of univariate layers ({@link Goals#calibrateLambda}): never above the default nor
 * below the floor, on the default's halving grid, and the largest point of that grid whose modelled share of the
 * linearisation ({@link Goals#copyShare}) fits the goal's budget; the default for phi without a remainder.
 */
class CalibratedLambdaProperties {
  private static final List<Activation> ALL = ActivationCatalog.all().stream()
      .filter(p -> IdentityHypothesis.violations(p).isEmpty()).toList();

  /** An MLP 5 -> 7 -> 2 with phi, first-layer weights U(-w, w), inputs in [lo, hi] per feature, and 8 rows. */
  record Case(Activation phi, TargetPlan plan, List<double[]> inputs, double[] lows, double[] highs) {}

  static Case of(Activation phi, double logB, double logW, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double b = Math.exp(logB);
    double w = Math.exp(logW);
    double[] w1 = new double[7 * 5];
    double[] b1 = new double[7];
    double[] w2 = new double[2 * 7];
    for (int k = 0; k < w1.length; k++) w1[k] = w * (2 * rng.nextDouble() - 1);
    for (int k = 0; k < b1.length; k++) b1[k] = 2 * rng.nextDouble() - 1;
    for (int k = 0; k < w2.length; k++) w2[k] = 2 * rng.nextDouble() - 1;
    List<Layer> l = List.of(new Linear("0", Tensor.of(w1, 7, 5), Tensor.of(b1, 7)), new ActivationLayer(phi),
        new Linear("2", Tensor.of(w2, 2, 7), null));
    Network net = new Network(new int[] {5}, l);
    double[] lows = new double[5];
    double[] highs = new double[5];
    for (int k = 0; k < 5; k++) {
      boolean positive = rng.nextBoolean();
      lows[k] = positive ? 0 : -b;
      highs[k] = b;
    }
    List<double[]> xs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      double[] x = new double[5];
      for (int k = 0; k < 5; k++) x[k] = lows[k] + (highs[k] - lows[k]) * rng.nextDouble();
      xs.add(x);
    }
    return new Case(phi, TargetPlan.of(net, phi), xs, lows, highs);
  }

  @Test void theCalibratedLambdaIsTheLargestOnTheGridWithinTheBudget() {
    qt().withFixedSeed(91L).withExamples(150)
        .forAll(arbitrary().pick(ALL), doubles().between(Math.log(0.1), Math.log(1e4)),
            doubles().between(Math.log(0.01), Math.log(3)), longs().between(0, 1 << 20))
        .checkAssert((phi, logB, logW, seed) -> {
          Case c = of(phi, logB, logW, seed);
          double b = Arrays.stream(c.highs()).max().orElse(1);
          double def = Defaults.lambda(phi, b);
          double min = def / 1024;
          double goal = 0.01;
          double budget = goal * Goals.SAFETY;
          Goals.LambdaChoice choice = Goals.calibrateLambda(c.plan(), c.inputs(), goal, Goals.SAFETY, def, min,
              c.lows(), c.highs(), true, 1);
          String what = phi.name() + " B=" + b + " w=" + Math.exp(logW) + " seed=" + seed + " -> " + choice;
          assertThat(choice.lambda()).as(what).isLessThanOrEqualTo(def).isGreaterThanOrEqualTo(min);
          assertThat(choice.lambda()).as(what).isEqualTo(def / Math.scalb(1.0, choice.halvings()));
          double share = Goals.copyShare(c.plan(), c.inputs(), choice.lambda(), c.lows(), c.highs(), true, 1);
          assertThat(choice.share()).as(what).isEqualTo(share);
          if (phi.remainderConstant() == 0) {
            assertThat(choice.lambda()).as(what).isEqualTo(def);
            assertThat(share).as(what).isZero();
            return;
          }
          if (choice.lambda() > min) assertThat(share).as(what).isLessThanOrEqualTo(budget);
          if (choice.lambda() < def) {
            double larger = Goals.copyShare(c.plan(), c.inputs(), 2 * choice.lambda(), c.lows(), c.highs(), true, 1);
            assertThat(larger).as(what).isGreaterThan(budget);
          }
        });
  }

  /** The modelled share is of order lambda^(p-1): halving lambda divides it by about 2^(p-1). */
  @Test void theShareScalesAsLambdaToThePMinusOne() {
    List<Activation> smooth = ALL.stream().filter(p -> p.remainderConstant() != 0).toList();
    qt().withFixedSeed(92L).withExamples(100)
        .forAll(arbitrary().pick(smooth), doubles().between(Math.log(0.1), Math.log(1e3)),
            longs().between(0, 1 << 20))
        .checkAssert((phi, logB, seed) -> {
          Case c = of(phi, logB, Math.log(0.5), seed);
          double lambda = Defaults.lambda(phi, Math.exp(logB)) / 64;
          double s1 = Goals.copyShare(c.plan(), c.inputs(), lambda, c.lows(), c.highs(), true, 1);
          double s2 = Goals.copyShare(c.plan(), c.inputs(), lambda / 2, c.lows(), c.highs(), true, 1);
          String what = phi.name() + " B=" + Math.exp(logB) + " seed=" + seed + ": " + s1 + ", " + s2;
          assertThat(s1).as(what).isPositive();
          double ratio = s1 / s2;
          double expected = Math.scalb(1.0, phi.remainderPower() - 1);
          assertThat(ratio).as(what).isBetween(expected * 0.9, expected * 1.1);
        });
  }
}
