package dev.ticketproof.kernel.bound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.kernel.bound.DifferentialBoundTest.Built;
import dev.ticketproof.kernel.bound.DifferentialBoundTest.Ranges;
import java.math.BigDecimal;
import java.math.MathContext;
import org.junit.jupiter.api.Test;

/**
 * The remainder of phi's local model that step 4 adds term by term ({@code Pass.remainder}): for every family with
 * a remainder, R(a) bounds |phi(t) - phi(0) - m t| (m the slope of t's side) at every t of a grid of [-a, a]; for
 * the families with a local model on all of R it is no more than twice the largest of these for a &lt;= 1 (the local
 * form M a^p, tight near 0: 1.8 times at most, CELU(0.5) at a = 1) and 6 times beyond (the Lipschitz form
 * (L + m) a: 4.4 times for ELU(0.5) at a = 10); R(0) = 0,
 * and for the families exact up to a radius r (relu6, hardtanh) R = 0 up to r included; within hardsigmoid's
 * radius R is at least the exact distance that the rounding of its slope 1/6 leaves.
 */
class RemainderTest {
  static final String[] FAMILIES = {"tanh", "sigmoid", "softplus", "softplus(2)", "elu(0.5)", "selu", "celu(0.5)",
      "silu", "gelu", "gelu-tanh", "mish", "hardswish", "hardsigmoid", "relu6", "hardtanh", "hardtanh(-2,0.5)"};

  static final double[] ARGS = {1e-3, 0.05, 0.3, 0.5, 1, 2, 3, 6, 10};

  /** The largest |phi(t) - phi(0) - m t| on a grid of [-a, a] (2,001 points). */
  static double largest(Activation phi, double a) {
    double most = 0;
    double p0 = phi.value(0);
    for (int k = 0; k <= 2000; k++) {
      double t = k == 2000 ? a : -a + 2 * a * k / 2000;
      double m = t >= 0 ? phi.slopePlus() : phi.slopeMinus();
      most = Math.max(most, Math.abs(phi.value(t) - p0 - m * t));
    }
    return most;
  }

  @Test
  void theRemainderBoundsPhisDistanceFromItsLocalModelAndIsTight() {
    long seed = 3;
    for (String name : FAMILIES) {
      Built b = DifferentialBoundTest.build(DifferentialBoundTest.fc(ActivationCatalog.parse(name), Ranges.MIXED, seed),
          name, DifferentialBoundTest.L1, 2, 0.1, -1, 1, null, seed++);
      DifferentialBound.Pass pass = new DifferentialBound.Pass(b.src(), b.cert(), 0);
      Activation phi = pass.phi;
      assertThat(pass.remainder(0)).as(name + " at 0").isEqualTo(0.0);
      double radius = phi.remainderRadius();
      if (radius < Double.POSITIVE_INFINITY && phi.remainderConstant() == 0 && phi.slopeError() == 0) {
        assertThat(pass.remainder(radius)).as(name + " at its exact radius").isEqualTo(0.0);
        assertThat(pass.remainder(radius / 2)).as(name + " inside its exact radius").isEqualTo(0.0);
      }
      for (double a : ARGS) {
        double r = pass.remainder(a);
        double most = largest(phi, a);
        // phi's own rounding: a few ulps of the values compared
        double tol = 1e-15 * (1 + a);
        String what = name + " R(" + a + ") = " + r + ", largest distance " + most;
        assertThat(r).as(what).isGreaterThanOrEqualTo(Math.max(0, most - tol));
        if (name.equals("hardsigmoid") && a <= radius) {
          // 1/2 + t/6 exactly on [-3, 3], the model's slope the double 1/6: the distance is |1/6 - fl(1/6)| |t|
          BigDecimal gap = BigDecimal.ONE.divide(BigDecimal.valueOf(6), MathContext.DECIMAL128)
              .subtract(new BigDecimal(1.0 / 6)).abs().multiply(new BigDecimal(a));
          assertThat(new BigDecimal(r)).as(what + ": the slope's rounding").isGreaterThanOrEqualTo(gap);
        }
        // the slopes' rounding (hardsigmoid, mish: delta a) is below a double's resolution of phi(t)
        // beyond an exact radius the Lipschitz form alone: sound, but not within a factor near the radius
        if ((phi.slopeError() == 0 || most > 1e-6) && radius == Double.POSITIVE_INFINITY) {
          assertThat(r).as(what + ": tight").isLessThanOrEqualTo((a <= 1 ? 2 : 6) * most + tol);
        }
      }
    }
  }
}
