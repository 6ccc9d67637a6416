package dev.ticketproof.kernel.bound;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The back-substitution ([differential-bound], "Back-substitution") on random ResNets with ReLU and ELU over their
 * boxes and balls: the bound is never above the forward pass's ({@code FORWARD_ONLY}) nor below any sampled error, and
 * it is lower by at least 10 % on most of them (the copies and the blocks give a relaxation error several paths of
 * both signs to the outputs). A tape that stops recording a kind of step, or a substitution that loses its terms'
 * signs, fails the second or the first.
 */
class BackSubstitutionTest {
  @Test
  void onResidualTargetsTheBoundFallsAndStaysAboveTheSampledErrors() {
    int lower = 0;
    int cases = 0;
    StringBuilder seen = new StringBuilder();
    for (long seed = 1; seed <= 6; seed++) {
      String phi = seed % 2 == 0 ? "relu" : "elu";
      DifferentialBoundProperties.Case c = DifferentialBoundProperties.draw(9000 + 4 * seed, true, phi);
      var p = c.src().params();
      var rng = dev.ticketproof.construct.RandomTargets.rng(seed);
      for (double radius : new double[] {-1, 0.1}) {
        Region r = radius < 0 ? Region.box(p.inputLow(), p.inputHigh())
            : Region.balls(p.inputLow(), p.inputHigh(), DifferentialBoundProperties.points(c, rng, 2), radius);
        double both = DifferentialBound.of(c.src(), c.res().certificate(), r);
        double forward = DifferentialBound.withMutation(DifferentialBound.Mutation.FORWARD_ONLY,
            () -> DifferentialBound.of(c.src(), c.res().certificate(), r));
        double sampled = DifferentialBoundProperties.sampled(c, r, 64, seed);
        String what = c.what() + " radius " + radius;
        assertThat(both).as(what).isLessThanOrEqualTo(forward).isGreaterThanOrEqualTo(sampled);
        cases++;
        if (both < 0.9 * forward) lower++;
        seen.append(String.format("%n%s: forward %.4g, with the substitution %.4g, sampled %.4g", what, forward, both,
            sampled));
      }
    }
    System.out.println("back-substitution on residual targets:" + seen);
    assertThat(lower).as("cases at least 10 % lower:" + seen).isGreaterThanOrEqualTo(cases / 2);
  }
}
