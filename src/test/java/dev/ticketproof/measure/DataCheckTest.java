package dev.ticketproof.measure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.Network;
import dev.ticketproof.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Agreement on data, and the margins of the predictions that changed ({@link DataCheck}). */
class DataCheckTest {
  /** The identity on two features, or the same with output 1 raised by {@code shift}, as a network. */
  private static Evaluator shifted(double shift) {
    Network net = new Network(new int[] {2}, List.of(new Linear("fc", Tensor.of(new double[] {1, 0, 0, 1}, 2, 2),
        Tensor.of(new double[] {0, shift}, 2))));
    return Evaluator.ofTarget(TargetPlan.of(net, ActivationCatalog.parse("relu")));
  }

  @Test void theChangedPredictionsAreCountedWithTheTargetsLargestMarginAmongThem() {
    // margins of the target (output 0 less output 1): 0.05, -0.3, 0.1, 2; the "ticket" adds 0.2 to output 1, which
    // changes the first and the third prediction (margins 0.05 and 0.1) and keeps the others
    List<double[]> x = List.of(new double[] {1.05, 1}, new double[] {0.7, 1}, new double[] {0.6, 0.5},
        new double[] {3, 1});
    DataCheck d = DataCheck.of(shifted(0), shifted(0.2), x, new int[] {0, 1, 0, 0});
    assertThat(d.changed()).isEqualTo(2);
    assertThat(d.agreement()).isEqualTo(0.5);
    assertThat(d.changedMaxMargin()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(d.ticketAccuracy()).isEqualTo(0.5);
    assertThat(d.changedNote()).startsWith("2 of 4 predictions changed; the target's margin there").contains(
        "is at most 0.100, 3.33 % of its largest output on the data, where the ticket's largest error is 0.200");
    // every changed prediction has a margin of at most twice the error on its input
    assertThat(d.changedMaxMargin()).isLessThanOrEqualTo(2 * d.maxError());
    DataCheck same = DataCheck.of(shifted(0), shifted(0), x, null);
    assertThat(same.changed()).isZero();
    assertThat(same.changedNote()).isNull();
  }

  @Test void aLogitsMarginIsItsDistanceFromZero() {
    assertThat(DataCheck.margin(new double[] {-0.25}, 1)).isEqualTo(0.25);
    assertThat(DataCheck.margin(new double[] {1, 3, 2}, 2)).isEqualTo(1);
    assertThat(DataCheck.margin(new double[] {1, 3, 2}, 1)).isZero();
  }
}
