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
 * The first build's input scale of univariate layers, calibrated for the output goal: on a SiLU MLP over raw
 * features of unequal scales (up to 1,000 in absolute value, weights not normalised, as a tabular network trained
 * without a normalisation layer), the default 0.05 / B misses a 1 % goal in the first build, and the calibrated
 * lambda meets it there.
 */
class TicketsCalibratedLambdaTest {
  static final double[] FEATURE_SCALE = {1000, 1, 40, 0.05, 300, 5};

  /** SiLU MLP 6 -> 12 -> 3, first-layer weights U(-0.3, 0.3) on the raw features. */
  static Network tabular() {
    SplittableRandom rng = new SplittableRandom(11);
    double[] w1 = new double[12 * 6];
    double[] b1 = new double[12];
    double[] w2 = new double[3 * 12];
    for (int k = 0; k < w1.length; k++) w1[k] = 0.3 * (2 * rng.nextDouble() - 1);
    for (int k = 0; k < b1.length; k++) b1[k] = 2 * rng.nextDouble() - 1;
    for (int k = 0; k < w2.length; k++) w2[k] = 2 * rng.nextDouble() - 1;
    List<Layer> l = List.of(new Linear("0", Tensor.of(w1, 12, 6), Tensor.of(b1, 12)),
        new ActivationLayer(ActivationCatalog.parse("silu")), new Linear("2", Tensor.of(w2, 3, 12), null));
    return new Network(new int[] {6}, l);
  }

  /** 16 rows, feature f uniform in [-s_f, s_f]. */
  static List<double[]> rows() {
    SplittableRandom rng = new SplittableRandom(3);
    List<double[]> xs = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      double[] x = new double[FEATURE_SCALE.length];
      for (int k = 0; k < x.length; k++) x[k] = FEATURE_SCALE[k] * (2 * rng.nextDouble() - 1);
      xs.add(x);
    }
    return xs;
  }

  static double[][] boxes() {
    double[][] boxes = new double[FEATURE_SCALE.length][];
    for (int k = 0; k < boxes.length; k++) boxes[k] = new double[] {-FEATURE_SCALE[k], FEATURE_SCALE[k]};
    return boxes;
  }

  static Tickets.Builder builder() {
    return Tickets.of(tabular(), ActivationCatalog.parse("silu")).inputBoxes(boxes()).outputRel(0.01).samples(4)
        .width(24).calibrationInputs(rows());
  }

  @Test void theCalibratedLambdaMeetsTheGoalInTheFirstBuild() {
    Activation phi = ActivationCatalog.parse("silu");
    // the default for the channels' scaled inputs, |x| s_c <= 1 (SourceNetwork.channelScales)
    double defaultLambda = Defaults.lambda(phi, dev.ticketproof.kernel.SourceNetwork.scaledBound(boxes()));
    assertThat(defaultLambda).isEqualTo(Defaults.lambda(phi));
    Ticket t = builder().build();
    assertThat(t.builds()).isEqualTo(1);
    assertThat(t.lambdaBasis()).isEqualTo(Ticket.Basis.CALIBRATED);
    assertThat(t.lambda()).isLessThan(defaultLambda).isGreaterThanOrEqualTo(defaultLambda / 1024);
    // on the halving grid of the default
    double halvings = Math.log(defaultLambda / t.lambda()) / Math.log(2);
    assertThat(halvings).isCloseTo(Math.rint(halvings), org.assertj.core.data.Offset.offset(1e-9));
    assertThat(TicketsLambdaTest.relativeError(t, tabular(), rows())).isLessThanOrEqualTo(0.01);
    assertThat(t.verify().isHolds()).as(t.verify().toString()).isTrue();

    // the default, given, at the same tolerance: the first build the goal's builds started from misses the goal
    Ticket old = builder().tolerance(t.tolerance()).lambda(defaultLambda).build();
    assertThat(old.lambda()).isEqualTo(defaultLambda);
    assertThat(old.lambdaBasis()).isEqualTo(Ticket.Basis.GIVEN);
    assertThat(TicketsLambdaTest.relativeError(old, tabular(), rows())).isGreaterThan(0.01);
  }

  /** A given lambda is kept through the goal's builds; piecewise-linear phi keep their default. */
  @Test void aGivenLambdaAndAPiecewiseLinearPhiAreNotCalibrated() {
    Ticket given = builder().lambda(1e-3).build();
    assertThat(given.lambda()).isEqualTo(1e-3);
    assertThat(given.lambdaBasis()).isEqualTo(Ticket.Basis.GIVEN);
    Activation relu = ActivationCatalog.parse("relu");
    Network net = TicketsLambdaTest.gelu();
    Ticket r = Tickets.of(net, relu).inputBox(0, 1).samples(4).width(8).calibrationInputs(TicketsLambdaTest.inputs())
        .build();
    assertThat(r.lambda()).isEqualTo(Defaults.lambda(relu, 1));
    assertThat(r.lambdaBasis()).isEqualTo(Ticket.Basis.DEFAULT);
  }
}
