package dev.ticketproof.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The functions a network may apply to its outputs: their values, and the Lipschitz constants in the maximum norm
 * that carry a bound before them to one after them.
 */
class OutputActivationTest {
  /** |g(a) - g(b)|_inf / |a - b|_inf, for one example of {@code c} channels. */
  private static double ratio(OutputActivation g, double[] a, double[] b, int c) {
    double[] ga = a.clone();
    double[] gb = b.clone();
    g.applyInPlace(ga, c);
    g.applyInPlace(gb, c);
    double num = 0;
    double den = 0;
    for (int i = 0; i < a.length; i++) {
      num = Math.max(num, Math.abs(ga[i] - gb[i]));
      den = Math.max(den, Math.abs(a[i] - b[i]));
    }
    return num / den;
  }

  /**
   * Over pairs of outputs of 1 to 12 channels (logits up to 30 apart, and pairs close together, where the ratio is
   * the Jacobian's norm), no pair moves more than L times its distance; and the largest ratio found comes within 10 %
   * of L, so the constant is not loose (the softmax's 1/2 at two equal logits and a tiny step, the log-softmax's 2 at
   * a class of probability near 0, the sigmoid's 1/4 at 0, tanh's 1 at 0).
   */
  @Test void noPairMovesMoreThanTheLipschitzConstantAndTheConstantIsNearlyAttained() {
    long seed = 20261130L;
    SplittableRandom rnd = new SplittableRandom(seed);
    for (String name : new String[] {"softmax", "log-softmax", "sigmoid", "tanh"}) {
      OutputActivation g = OutputActivation.parse(name);
      double largest = 0;
      for (int trial = 0; trial < 20_000; trial++) {
        int c = 1 + rnd.nextInt(12);
        double scale = trial % 2 == 0 ? 30 : 3;
        double step = trial % 3 == 0 ? 1e-6 : scale;
        double[] a = new double[c];
        double[] b = new double[c];
        for (int i = 0; i < c; i++) {
          a[i] = rnd.nextDouble(-scale, scale);
          b[i] = a[i] + rnd.nextDouble(-step, step);
        }
        double r = ratio(g, a, b, c);
        assertThat(r).as("%s, seed %d, trial %d", name, seed, trial).isLessThanOrEqualTo(g.lipschitz() * (1 + 1e-9));
        largest = Math.max(largest, r);
      }
      // the worst cases by construction (steps of 1e-7): two equal logits moved apart (softmax), the logits of a
      // class far below another moved towards each other (log-softmax), an elementwise phi at 0
      double d = 1e-7;
      double[][] pair = g.elementwise() != null ? new double[][] {{0}, {d}}
          : name.equals("softmax") ? new double[][] {{0, 0}, {d, -d}} : new double[][] {{0, -40}, {-d, -40 + d}};
      largest = Math.max(largest, ratio(g, pair[0], pair[1], pair[0].length));
      assertThat(largest).as(name).isGreaterThan(0.9 * g.lipschitz());
    }
  }

  /** The softmax sums to 1 over the channels of each position, and the log-softmax is its logarithm. */
  @Test void softmaxNormalisesOverTheChannelsOfEachPosition() {
    Tensor y = Tensor.of(new double[] {1, 2, 3, 4, 1000, -1000, 0, 5, 6, 7, 8, 9}, 1, 3, 2, 2);
    Tensor p = OutputActivation.SOFTMAX.apply(y);
    Tensor lp = OutputActivation.LOG_SOFTMAX.apply(y);
    for (int s = 0; s < 4; s++) {
      double sum = 0;
      for (int c = 0; c < 3; c++) {
        sum += p.data()[c * 4 + s];
        assertThat(Math.exp(lp.data()[c * 4 + s])).isCloseTo(p.data()[c * 4 + s],
            org.assertj.core.data.Offset.offset(1e-15));
      }
      assertThat(sum).isCloseTo(1, org.assertj.core.data.Offset.offset(1e-15));
    }
    assertThat(p.data()[4]).isEqualTo(1.0); // channel 1 at position 0: 1000 against 1 and 0
    assertThat(y.data()[4]).isEqualTo(1000); // the input is not modified
    Tensor s = OutputActivation.parse("sigmoid").apply(Tensor.of(new double[] {0, 2}, 2, 1));
    assertThat(s.data()).containsExactly(0.5, 1 / (1 + Math.exp(-2)));
  }

  /** The bound after the function is L times the bound before it, rounded up; unknown names are refused. */
  @Test void theBoundAfterIsLTimesTheBoundRoundedUp() {
    assertThat(OutputActivation.SOFTMAX.boundAfter(0.3)).isEqualTo(Math.nextUp(0.15));
    assertThat(OutputActivation.LOG_SOFTMAX.boundAfter(0.3)).isGreaterThanOrEqualTo(0.6);
    assertThat(OutputActivation.parse("tanh").boundAfter(0)).isZero();
    assertThat(OutputActivation.parse("sigmoid").boundAfter(Double.POSITIVE_INFINITY)).isInfinite();
    assertThat(OutputActivation.parse("leaky-relu(0.1)").lipschitz()).isEqualTo(1);
    assertThatThrownBy(() -> OutputActivation.parse("softmin")).isInstanceOf(IllegalArgumentException.class);
  }
}
