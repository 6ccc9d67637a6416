package dev.ticketproof.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every typed-in catalog constant against the constant derived from the activation's analytic pieces. */
class ConstantDerivationTest {
  /** Every supported catalog entry with its default parameters, and other parameters of the families. */
  static Stream<Arguments> supported() {
    return Stream.concat(ActivationCatalog.all().stream().filter(IdentityHypothesis::holds),
        Stream.of(new LeakyRelu(0.2), new LeakyRelu(0), new Elu(0.5), new Elu(2), new Softplus(2), new Softplus(4),
            new Hardtanh(0, 3), new Hardtanh(-2, 0.5), new Hardtanh(-0.5, 0), new Celu(0.5), new Celu(3)))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("supported")
  void typedConstantsEqualDerivedOnes(Activation phi) {
    DerivedConstants d = ConstantDerivation.derive(phi);
    assertThat(d.continuityGap()).as("continuity at 0").isZero();
    assertThat(phi.phi0()).as("phi0").isCloseTo(d.phi0(), within(1e-15));
    assertThat(phi.slopeMinus()).as("m-").isCloseTo(d.slopeMinus(), within(1e-15));
    assertThat(phi.slopePlus()).as("m+").isCloseTo(d.slopePlus(), within(1e-15));
    assertThat(phi.lipschitz()).as("Lipschitz").isCloseTo(d.lipschitz(), within(1e-9 * d.lipschitz()));
    assertThat(phi.remainderPower()).as("remainder power").isEqualTo(d.remainderPower());
    assertThat(phi.remainderConstant()).as("remainder constant")
        .isCloseTo(d.remainderConstant(), within(1e-9 + 1e-9 * d.remainderConstant()));
    assertThat(d.exactLocalModel()).as("exact local model").isEqualTo(phi.remainderConstant() == 0);
  }

  @Test
  void unsupportedEntriesHaveTheirDerivedSlopes() {
    for (Activation phi : new Activation[] {new AbsoluteValue(), new Square(), new Cosine()}) {
      DerivedConstants d = ConstantDerivation.derive(phi);
      assertThat(phi.phi0()).as(phi.name()).isEqualTo(d.phi0());
      assertThat(phi.slopeMinus()).as(phi.name()).isEqualTo(d.slopeMinus());
      assertThat(phi.slopePlus()).as(phi.name()).isEqualTo(d.slopePlus());
      assertThat(d.slopeMinus() + d.slopePlus()).as(phi.name()).isZero();
    }
    assertThat(ConstantDerivation.derive(new Cosine()).remainderConstant()).isCloseTo(0.5, within(1e-9));
  }

  /**
   * A function whose remainder sup is attained away from 0 and whose Lipschitz sup is interior:
   * phi(t) = t + t^4 e^{-|t|}. Closed forms: p = 3 (the second and third derivatives vanish at 0),
   * M = sup |t| e^{-|t|} = 1/e at |t| = 1, L = phi'(2) = 1 + 16/e^2.
   */
  @Test
  void derivationFindsInteriorSuprema() {
    Activation phi = new Activation() {
      @Override public String name() { return "t+t^4exp(-|t|)"; }
      @Override public double value(double t) { return t + t * t * t * t * Math.exp(-Math.abs(t)); }
      @Override public double derivative(double t) {
        double u = Math.abs(t);
        return 1 + Math.exp(-u) * (4 * t * t * t - Math.signum(t) * t * t * t * t);
      }
      @Override public double phi0() { return 0; }
      @Override public double slopeMinus() { return 1; }
      @Override public double slopePlus() { return 1; }
      @Override public double lipschitz() { return 1 + 16 / (Math.E * Math.E); }
      @Override public double remainderConstant() { return 1 / Math.E; }
      @Override public int remainderPower() { return 3; }
      @Override public double remainderRadius() { return Double.POSITIVE_INFINITY; }
      @Override public double[] image(double lo, double hi) { throw new UnsupportedOperationException(); }
    };
    DerivedConstants d = ConstantDerivation.derive(phi,
        Pieces.of(t -> t.add(t.pow(4).multiply(t.exp()))),
        Pieces.of(t -> t.add(t.pow(4).multiply(t.negate().exp()))), Double.POSITIVE_INFINITY);
    assertThat(d.remainderPower()).isEqualTo(3);
    assertThat(d.remainderConstant()).isCloseTo(phi.remainderConstant(), within(1e-12));
    assertThat(Math.abs(d.remainderArgmax())).isCloseTo(1, within(1e-5));
    assertThat(d.lipschitz()).isCloseTo(phi.lipschitz(), within(1e-12));
    assertThat(d.lipschitzArgmax()).isCloseTo(2, within(1e-5));
    assertThat(d.exactLocalModel()).isFalse();
    assertThat(IdentityHypothesis.violations(phi)).isEmpty();
  }
}
