package dev.ticketproof.kernel.bound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.construct.RandomTargets;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.kernel.KernelActivation;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import org.junit.jupiter.api.Test;

/**
 * The back-substitution ([differential-bound], "Back-substitution") on random ResNets with ReLU and ELU over their
 * boxes and balls: the bound is never above the forward pass's ({@code FORWARD_ONLY}) nor below any sampled error, and
 * it is lower by at least 10 % on most of them (the copies and the blocks give a relaxation error several paths of
 * both signs to the outputs). The back-substitution alone ({@code BACK_ONLY}) is never below a sampled error either,
 * and at a point, where a piecewise-linear phi's relaxations are exact up to rounding, it is the error up to its
 * rounding slack. A tape that stops recording a kind of step, a substitution that loses its terms' signs, or one that
 * reads a wrong neuron, fails one of them.
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
        double back = DifferentialBound.withMutation(DifferentialBound.Mutation.BACK_ONLY,
            () -> DifferentialBound.of(c.src(), c.res().certificate(), r));
        double sampled = DifferentialBoundProperties.sampled(c, r, 64, seed);
        String what = c.what() + " radius " + radius;
        assertThat(both).as(what).isLessThanOrEqualTo(forward).isGreaterThanOrEqualTo(sampled);
        assertThat(back).as(what + ": the back-substitution alone").isGreaterThanOrEqualTo(sampled);
        cases++;
        if (both < 0.9 * forward) lower++;
        seen.append(String.format("%n%s: forward %.4g, with the substitution %.4g, sampled %.4g", what, forward, both,
            sampled));
      }
    }
    System.out.println("back-substitution on residual targets:" + seen);
    assertThat(lower).as("cases at least 10 % lower:" + seen).isGreaterThanOrEqualTo(cases / 2);
  }

  /**
   * At a point every range is a point: a ReLU's relaxation is exact there up to rounding, so the back-substitution
   * alone ({@code BACK_ONLY}) must give the error at the point up to its rounding slack. Each term's coefficient is
   * then checked, not only the bound's size: a step that reads a wrong neuron, tap or window, or counts a term twice
   * or not at all, moves the bound by about that term's contribution, below the error or above the slack.
   */
  @Test
  void atAPointTheBackSubstitutionAloneIsTheErrorUpToRounding() {
    StringBuilder seen = new StringBuilder();
    int cases = 0;
    for (long seed = 1; seed <= 8; seed++) {
      DifferentialBoundProperties.Case c = DifferentialBoundProperties.draw(9100 + 4 * seed, true,
          seed % 2 == 0 ? "relu" : "leaky-relu(0.2)");
      var p = c.src().params();
      var rng = dev.ticketproof.construct.RandomTargets.rng(seed);
      for (double[] x : DifferentialBoundProperties.points(c, rng, 2)) {
        Region r = Region.balls(p.inputLow(), p.inputHigh(), new double[][] {x}, 0);
        double back = DifferentialBound.withMutation(DifferentialBound.Mutation.BACK_ONLY,
            () -> DifferentialBound.of(c.src(), c.res().certificate(), r));
        double error = DifferentialBoundProperties.sampled(c, r, 0, seed);
        String what = c.what() + " at a point";
        seen.append(String.format("%n%s: error %.9g, back-substituted %.9g", what, error, back));
        assertThat(back).as(what).isGreaterThanOrEqualTo(error).isLessThanOrEqualTo(error + 1e-6 * (1 + error));
        cases++;
      }
    }
    System.out.println("back-substitution at points:" + seen);
    assertThat(cases).isEqualTo(16);
  }

  /**
   * The target layers that {@code upto} keeps after the constructed stem (its residual blocks with both shortcut
   * kinds, the pooling and the classifier) are steps of the substitution too: at a point the back-substitution alone
   * is the error there up to rounding, as above.
   */
  @Test
  void theKeptTargetLayersAreSubstitutedExactly() {
    StringBuilder seen = new StringBuilder();
    int tested = 0;
    for (long seed = 1; seed <= 6; seed++) {
      DifferentialBoundProperties.Case c = DifferentialBoundProperties.draw(9300 + 4 * seed, true,
          seed % 2 == 0 ? "relu" : "leaky-relu(0.2)");
      SourceNetwork.Params p = c.src().params();
      SourceNetwork.Params upto = new SourceNetwork.Params(p.construction(), p.rho(), p.rho1(), p.lambda(), p.seed(),
          "conv", p.inputLow(), p.inputHigh(), null, p.version());
      double eps = c.res().certificate().header().eps();
      TicketBuilder.Result res = RandomTargets.build(c.net(), c.phi(), upto, eps, 1);
      SourceNetwork src = SourceNetwork.of(TargetPlan.of(c.net(), KernelActivation.of(c.phi().name())), upto);
      assertThat(src.tail()).as(c.what()).isNotEmpty();
      DifferentialBoundProperties.Case kept = new DifferentialBoundProperties.Case(c.net(), c.phi(), res, src,
          c.what() + " upto " + upto.upto());
      double[] x = DifferentialBoundProperties.points(kept, RandomTargets.rng(seed), 1)[0];
      Region r = Region.balls(p.inputLow(), p.inputHigh(), new double[][] {x}, 0);
      double back = DifferentialBound.withMutation(DifferentialBound.Mutation.BACK_ONLY,
          () -> DifferentialBound.of(src, res.certificate(), r));
      double error = DifferentialBoundProperties.sampled(kept, r, 0, seed);
      seen.append(String.format("%n%s at a point: error %.9g, back-substituted %.9g", kept.what(), error, back));
      assertThat(back).as(kept.what()).isGreaterThanOrEqualTo(error).isLessThanOrEqualTo(error + 1e-6 * (1 + error));
      tested++;
    }
    System.out.println("back-substitution through kept target layers:" + seen);
    assertThat(tested).isEqualTo(6);
  }
}
