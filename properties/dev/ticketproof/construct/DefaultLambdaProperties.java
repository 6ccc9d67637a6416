package dev.ticketproof.construct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.doubles;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The default input scale of univariate layers for a box reaching B in absolute value
 * ({@link Defaults#lambda(Activation, double)}): the box [-1, 1]'s for B &lt;= 1; beyond, what copies of inputs in
 * [-1, 1] see, so that the linearisation's error relative to B is the same for every B (raw features in the
 * thousands got the lambda of [-1, 1] and tickets 2,237 % off their target).
 */
class DefaultLambdaProperties {
  private static final List<Activation> ALL = ActivationCatalog.all();

  /** B &lt;= 1 keeps the default of [-1, 1]; beyond, lambda B is that default (phi with a remainder). */
  @Test void theDefaultScalesWithTheBoxBeyondOne() {
    qt().withFixedSeed(81L).withExamples(600)
        .forAll(arbitrary().pick(ALL), doubles().between(Math.log(1e-3), Math.log(1e6)))
        .checkAssert((phi, logB) -> {
          double b = Math.exp(logB);
          double lambda = Defaults.lambda(phi, b);
          String what = phi.name() + " B=" + b;
          assertThat(lambda).as(what).isGreaterThan(0).isLessThanOrEqualTo(1);
          if (b <= 1) {
            assertThat(lambda).as(what).isEqualTo(Defaults.lambda(phi));
          } else if (phi.remainderConstant() != 0) {
            assertThat(lambda * b).as(what).isCloseTo(Defaults.lambda(phi), within(1e-15));
          } else {
            // piecewise-linear: the copies 2 lambda x of inputs up to max(B, 2) stay in the exact local model
            assertThat(2 * lambda * Math.max(b, 2)).as(what).isLessThanOrEqualTo(phi.remainderRadius() * (1 + 1e-15));
            if (phi.remainderRadius() == Double.POSITIVE_INFINITY) assertThat(lambda).as(what).isEqualTo(1.0);
          }
        });
  }

  /**
   * The linearisation's certified error at the default lambda, over inputs up to B, relative to B: the same as over
   * [-1, 1] for B &gt; 1 (up to the remainder's power), and never larger, for every phi the certificate takes.
   */
  @Test void theLinearisationsRelativeErrorDoesNotGrowWithTheBox() {
    List<Activation> smooth = ALL.stream().filter(p -> p.remainderConstant() != 0
        && p.slopePlus() == p.slopeMinus() && p.slopePlus() != 0).toList();
    assertThat(smooth).isNotEmpty();
    qt().withFixedSeed(82L).withExamples(300)
        .forAll(arbitrary().pick(smooth), doubles().between(0, Math.log(1e5)))
        .checkAssert((phi, logB) -> {
          double b = Math.exp(logB);
          double lambda = Defaults.lambda(phi, b);
          if (!(lambda * b <= phi.remainderRadius())) return;
          double atB = IdentityConstruction.linearise(phi, lambda, b).bound() / b;
          double atOne = IdentityConstruction.linearise(phi, Defaults.lambda(phi), 1).bound();
          assertThat(atB).as(phi.name() + " B=" + b).isLessThanOrEqualTo(atOne * (1 + 1e-9) + 1e-12);
        });
  }
}
