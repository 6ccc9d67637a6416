package dev.ticketproof.construct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.AbsoluteValue;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.Cosine;
import dev.ticketproof.activation.Elu;
import dev.ticketproof.activation.IdentityHypothesis;
import dev.ticketproof.activation.LeakyRelu;
import dev.ticketproof.activation.Relu;
import dev.ticketproof.activation.Sigmoid;
import dev.ticketproof.activation.Square;
import dev.ticketproof.activation.Tanh;
import dev.ticketproof.construct.IdentityConstruction.SignSplitSource;
import dev.ticketproof.kernel.Verdict;
import dev.ticketproof.kernel.lemma.ConstantNeuronCertificate;
import dev.ticketproof.kernel.lemma.IdentityChecker;
import dev.ticketproof.kernel.lemma.LinearisationCertificate;
import dev.ticketproof.kernel.lemma.SignSplitCertificate;
import dev.ticketproof.kernel.lemma.SymmetricLinearisationCertificate;
import dev.ticketproof.random.Uniform;
import dev.ticketproof.subsetsum.SubsetSum.Mode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Acceptance and tamper tests for the [identity] certificates. */
class IdentityConstructionTest {
  static final SignSplitSource SOURCE = SignSplitSource.uniform(7, 1, 2, 40);

  static void rejected(Verdict v, String reasonPart) {
    assertThat(v.isHolds()).as(v.toString()).isFalse();
    assertThat(v.reason()).contains(reasonPart);
  }

  @Test
  void signSplitHoldsAndTargetsWOverOnePlusA() {
    for (Activation phi : new Activation[] {new Relu(), new LeakyRelu(0.01), new LeakyRelu(0.2)}) {
      for (double w : new double[] {0.7, -0.3, 1.6, 0}) {
        SignSplitCertificate c = IdentityConstruction.signSplit(phi, w, SOURCE, 1e-2, Mode.MIN_SIZE);
        assertThat(IdentityChecker.check(c).isHolds()).as(c.toString() + " " + IdentityChecker.check(c)).isTrue();
        assertThat(c.withinEps()).as(c.toString()).isTrue();
        // the unit reconstructs w x, not (1 + a) w x
        double a = phi.slopeMinus();
        for (double x : new double[] {-2, -0.5, 0.5, 2}) {
          double y = IdentityConstruction.evaluate(c, phi, x);
          assertThat(Math.abs(y - w * x)).as("%s w=%s x=%s", phi.name(), w, x)
              .isLessThanOrEqualTo(c.coefficient() * Math.abs(x) + 1e-12);
          if (a >= 0.1 && w != 0) {
            assertThat(Math.abs(y - (1 + a) * w * x)).isGreaterThan(c.coefficient() * Math.abs(x));
          }
        }
      }
    }
  }

  @Test
  void signSplitKeepsTheBestSubsetWhenEpsIsOutOfReach() {
    SignSplitSource few = SignSplitSource.uniform(3, 1, 2, 6);
    SignSplitCertificate c = IdentityConstruction.signSplit(new Relu(), 1.9, few, 1e-9, Mode.EXACT);
    assertThat(c.withinEps()).isFalse();
    assertThat(Math.max(c.errorPlus(), c.errorMinus())).isGreaterThan(1e-9);
    assertThat(IdentityChecker.check(c).isHolds()).as(IdentityChecker.check(c).toString()).isTrue();
    rejected(IdentityChecker.check(c.withClaims(c.errorPlus(), c.errorMinus(), c.coefficient(), true)),
        "withinEps");
  }

  @Test
  void signSplitTamperingIsRejected() {
    SignSplitCertificate c = IdentityConstruction.signSplit(new LeakyRelu(0.2), 0.8, SOURCE, 1e-3, Mode.MIN_SIZE);
    assertThat(IdentityChecker.check(c).isHolds()).isTrue();
    int[] p = c.positive();
    // flipped mask bit: drop a kept copy, or add an unused positive copy
    int[] dropped = java.util.Arrays.copyOf(p, p.length - 1);
    rejected(IdentityChecker.check(c.withSets(dropped, c.negative())), "e+");
    rejected(IdentityChecker.check(c.withSeed(8)), "S");
    rejected(IdentityChecker.check(c.withTarget(0.8 + 1e-6)), "e");
    rejected(IdentityChecker.check(c.withTarget(Double.NaN)), "not finite");
    rejected(IdentityChecker.check(c.withClaims(Double.POSITIVE_INFINITY, c.errorMinus(), c.coefficient(), true)),
        "not finite");
    rejected(IdentityChecker.check(c.withClaims(c.errorPlus() / 2, c.errorMinus(), c.coefficient(), true)),
        "below the exact");
    rejected(IdentityChecker.check(c.withClaims(c.errorPlus(), c.errorMinus(), c.coefficient() * 0.999, true)),
        "below the exact");
    rejected(IdentityChecker.check(c.withClaims(c.errorPlus(), c.errorMinus(), c.coefficient() * 2, true)),
        "overstates");
    // the reference code's LeakyReLU defect: target w instead of w/(1+a)
    rejected(IdentityChecker.check(c.withActivation("relu", 0, 1)), "e");
    rejected(IdentityChecker.check(c.withActivation("leaky-relu(0.2)", 0.2, 1.2)), "differ");
    rejected(IdentityChecker.check(c.withActivation("abs", -1, 1)), "not a piecewise-linear");
    rejected(IdentityChecker.check(c.withActivation("leaky-relu(-1.0)", -1, 1)), "m+ + m- != 0");
    rejected(IdentityChecker.check(c.withSets(new int[] {c.negative()[0]}, c.negative())), "expected > 0");
    rejected(IdentityChecker.check(c.withSets(new int[] {p[0], p[0]}, c.negative())), "ascending");
    rejected(IdentityChecker.check(c.withSets(new int[] {40}, c.negative())), "outside");
    rejected(IdentityChecker.check((SignSplitCertificate) null), "incomplete");
  }

  @Test
  void signSplitPreconditionsNameTheHypothesis() {
    assertThatThrownBy(() -> IdentityConstruction.signSplit(new AbsoluteValue(), 1, SOURCE, 1e-3, Mode.MIN_SIZE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(IdentityHypothesis.SLOPE_SUM);
    assertThatThrownBy(() -> IdentityConstruction.signSplit(new Tanh(), 1, SOURCE, 1e-3, Mode.MIN_SIZE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ReLU-like");
    assertThatThrownBy(() -> IdentityConstruction.signSplit(new Relu(), Double.NaN, SOURCE, 1e-3, Mode.MIN_SIZE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
    assertThatThrownBy(() -> IdentityConstruction.signSplit(new Relu(), 1, SOURCE, 0, Mode.MIN_SIZE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eps");
    assertThatThrownBy(() -> IdentityConstruction.signSplit(new Relu(), 1, SignSplitSource.uniform(1, 1, 2, 200),
        1e-3, Mode.EXACT)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most");
  }

  @Test
  void linearisationHoldsAndTamperingIsRejected() {
    // every supported catalog entry differentiable at 0 (equal slopes)
    for (Activation phi : ActivationCatalog.all().stream()
        .filter(a -> IdentityHypothesis.holds(a) && a.slopeMinus() == a.slopePlus()).toList()) {
      LinearisationCertificate c = IdentityConstruction.linearise(phi, 0.01, 1);
      assertThat(IdentityChecker.check(c).isHolds()).as(phi.name() + " " + IdentityChecker.check(c)).isTrue();
      double expected = phi.remainderConstant() * Math.pow(0.01, phi.remainderPower() - 1) / phi.slopePlus();
      assertThat(c.bound()).as(phi.name()).isBetween(expected, expected * (1 + 1e-6) + 1e-12);
      rejected(IdentityChecker.check(c.withLambda(0.02)), "below the exact");
      rejected(IdentityChecker.check(c.withBound(c.bound() / 2)), "below the exact");
      rejected(IdentityChecker.check(c.withBound(Double.NaN)), "not finite");
      rejected(IdentityChecker.check(c.withConstants(c.activation(), c.phi0(), c.slope(),
          c.remainderConstant() / 2 - Double.MIN_VALUE, c.remainderPower())), "does not match");
      rejected(IdentityChecker.check(c.withConstants("relu", 0, 1, 0, 2)), "no smooth local model");
    }
    assertThat(IdentityConstruction.linearise(new Sigmoid(), 0.5, 1).bound()).isGreaterThan(0.25 / 12);
  }

  @Test
  void symmetricLinearisationCoversTheGeneralClass() {
    List<Activation> all = new ArrayList<>(ActivationCatalog.all().stream().filter(IdentityHypothesis::holds).toList());
    all.addAll(List.of(new LeakyRelu(0.2), new Elu(0.5), new Elu(3)));
    for (Activation phi : all) {
      SymmetricLinearisationCertificate c = IdentityConstruction.lineariseSymmetric(phi, 0.01, 1);
      assertThat(IdentityChecker.check(c).isHolds()).as(phi.name() + " " + IdentityChecker.check(c)).isTrue();
      double sigma = phi.slopeMinus() + phi.slopePlus();
      double expected = 2 * phi.remainderConstant() * Math.pow(0.01, phi.remainderPower() - 1) / sigma;
      assertThat(c.bound()).as(phi.name()).isBetween(expected, expected * (1 + 1e-6) + 1e-12);
      for (double t = -1; t <= 1; t += 0.125) {
        assertThat(Math.abs(IdentityConstruction.evaluate(c, phi, t) - t)).as("%s t=%s", phi.name(), t)
            .isLessThanOrEqualTo(c.bound() + 1e-12);
      }
      rejected(IdentityChecker.check(c.withLambda(0.03)), "bound");
      rejected(IdentityChecker.check(c.withBound(c.bound() * 0.5 - 1e-300)), "below the exact");
      rejected(IdentityChecker.check(c.withBound(Double.POSITIVE_INFINITY)), "not finite");
      rejected(IdentityChecker.check(c.withModel("abs", -1, 1, 0)), "no local model");
      rejected(IdentityChecker.check(c.withModel(c.activation(), c.slopeMinus() + 0.1, c.slopePlus(),
          c.remainderConstant())), "does not match");
    }
    rejected(IdentityChecker.check(IdentityConstruction.lineariseSymmetric(new LeakyRelu(0.2), 0.5, 1)
        .withModel("leaky-relu(-1.0)", -1, 1, 0)), "m+ + m- != 0");
    assertThatThrownBy(() -> IdentityConstruction.lineariseSymmetric(new AbsoluteValue(), 0.1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(IdentityHypothesis.SLOPE_SUM);
  }

  @Test
  void linearisationPreconditionsNameTheHypothesis() {
    assertThatThrownBy(() -> IdentityConstruction.linearise(new Relu(), 0.1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("m- = m+");
    assertThatThrownBy(() -> IdentityConstruction.linearise(new Elu(0.5), 0.1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("m- = m+");
    assertThatThrownBy(() -> IdentityConstruction.linearise(new Cosine(), 0.1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(IdentityHypothesis.SLOPE_SUM);
    assertThatThrownBy(() -> IdentityConstruction.linearise(new Tanh(), 0, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lambda");
  }

  @Test
  void constantNeurons() {
    Uniform u02 = new Uniform(0, 2);
    for (int i = 0; i < 20; i++) {
      ConstantNeuronCertificate c = IdentityConstruction.constantNeuron(new Relu(), u02, 5, 9, i);
      assertThat(IdentityChecker.check(c).isHolds()).as(IdentityChecker.check(c).toString()).isTrue();
      assertThat(c.value()).isEqualTo(c.bias()).isPositive();
      assertThat(new java.math.BigDecimal(c.readout()).multiply(new java.math.BigDecimal(c.value()))
          .subtract(java.math.BigDecimal.ONE).abs()).isLessThanOrEqualTo(new java.math.BigDecimal(c.deviation()));
    }
    ConstantNeuronCertificate s = IdentityConstruction.constantNeuron(new Sigmoid(), 0);
    assertThat(s.value()).isEqualTo(0.5);
    assertThat(s.readout()).isEqualTo(2);
    assertThat(IdentityChecker.check(s).isHolds()).isTrue();
    // tanh constant neurons output tanh(beta), and the readout 1/tanh(beta) (not 1) turns them into 1
    ConstantNeuronCertificate t = IdentityConstruction.constantNeuron(new Tanh(), 1);
    assertThat(t.value()).isEqualTo(Math.tanh(1));
    assertThat(IdentityChecker.check(t).isHolds()).isTrue();
    rejected(IdentityChecker.check(t.withValue(1)), "is not tanh");

    ConstantNeuronCertificate c = IdentityConstruction.constantNeuron(new Relu(), u02, 5, 9, 0);
    rejected(IdentityChecker.check(c.withSeed(6)), "weight-field draw");
    rejected(IdentityChecker.check(c.withValue(c.value() * 1.001)), "is not relu");
    rejected(IdentityChecker.check(c.withDeviation(Double.NaN)), "not finite");
    rejected(IdentityChecker.check(c.withDeviation(1)), "overstates");
    rejected(IdentityChecker.check(IdentityConstruction.constantNeuron(new Relu(), 1).withBias(-1).withValue(0)
        .withSeed(0)), "phi(beta) != 0");
    assertThatThrownBy(() -> IdentityConstruction.constantNeuron(new Relu(), -0.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("!= 0");
    assertThatThrownBy(() -> IdentityConstruction.constantNeuron(new Tanh(), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("!= 0");
    assertThatThrownBy(() -> IdentityConstruction.constantNeuron(new Square(), 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(IdentityHypothesis.SLOPE_SUM);
  }
}
