package dev.ticketproof.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ActivationCatalogTest {
  @Test
  void parsesEveryDocumentedForm() {
    assertThat(ActivationCatalog.parse("relu")).isEqualTo(new Relu());
    assertThat(ActivationCatalog.parse(" ReLU ")).isEqualTo(new Relu());
    assertThat(ActivationCatalog.parse("leaky-relu")).isEqualTo(new LeakyRelu(0.01));
    assertThat(ActivationCatalog.parse("leaky-relu(0.2)")).isEqualTo(new LeakyRelu(0.2));
    assertThat(ActivationCatalog.parse("leakyrelu:0.2")).isEqualTo(new LeakyRelu(0.2));
    assertThat(ActivationCatalog.parse("leaky_relu=0.2")).isEqualTo(new LeakyRelu(0.2));
    assertThat(ActivationCatalog.parse("tanh")).isEqualTo(new Tanh());
    assertThat(ActivationCatalog.parse("sigmoid")).isEqualTo(new Sigmoid());
    assertThat(ActivationCatalog.parse("elu")).isEqualTo(new Elu(1));
    assertThat(ActivationCatalog.parse("elu(0.5)")).isEqualTo(new Elu(0.5));
    assertThat(ActivationCatalog.parse("softplus")).isEqualTo(new Softplus());
    assertThat(ActivationCatalog.parse("silu")).isEqualTo(new Silu());
    assertThat(ActivationCatalog.parse("swish")).isEqualTo(new Silu());
    assertThat(ActivationCatalog.parse("gelu")).isEqualTo(new Gelu());
    assertThat(ActivationCatalog.parse("abs")).isEqualTo(new AbsoluteValue());
    assertThat(ActivationCatalog.parse("square")).isEqualTo(new Square());
    assertThat(ActivationCatalog.parse("cos")).isEqualTo(new Cosine());
  }

  @Test
  void canonicalNamesRoundTrip() {
    for (Activation a : ActivationCatalog.all()) {
      assertThat(ActivationCatalog.parse(a.name())).as(a.name()).isEqualTo(a);
    }
  }

  @Test
  void badSpecificationsAreRejectedWithTheValidNames() {
    assertThatThrownBy(() -> ActivationCatalog.parse("prelu")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prelu").hasMessageContaining(ActivationCatalog.VALID_NAMES);
    assertThatThrownBy(() -> ActivationCatalog.parse(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ActivationCatalog.parse("leaky-relu(x)")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'x'");
    assertThatThrownBy(() -> ActivationCatalog.parse("leaky-relu(NaN)"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ActivationCatalog.parse("elu(-1)")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> ActivationCatalog.parse("relu(2)")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no parameter");
    assertThatThrownBy(() -> ActivationCatalog.parse("elu(0.5")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("')'");
    // parameter lists: their count, each number, each family's range
    assertThatThrownBy(() -> ActivationCatalog.parse("hardtanh(-1)")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("activation 'hardtanh(-1)': hardtanh takes 2 parameters (min and max), got 1");
    assertThatThrownBy(() -> ActivationCatalog.parse("celu(1,2)")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("activation 'celu(1,2)': celu takes 1 parameter (alpha), got 2");
    assertThatThrownBy(() -> ActivationCatalog.parse("hardtanh(-1,x)")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'x'");
    assertThatThrownBy(() -> ActivationCatalog.parse("hardtanh(1,-1)")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("min < max");
    assertThatThrownBy(() -> ActivationCatalog.parse("softplus(0)")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("beta > 0");
    assertThatThrownBy(() -> ActivationCatalog.parse("celu(-0.5)")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("alpha > 0");
    assertThatThrownBy(() -> ActivationCatalog.parse("mish(1)")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no parameter");
  }

  /** Names of the families with parameter lists, defaults, case and separators, as the whole-model reader writes. */
  @Test
  void parameterisedFamiliesParse() {
    assertThat(ActivationCatalog.parse("HardTanh")).isEqualTo(new Hardtanh(-1, 1));
    assertThat(ActivationCatalog.parse("hardtanh( -2 , 3 )").name()).isEqualTo("hardtanh(-2.0,3.0)");
    assertThat(ActivationCatalog.parse("hard_tanh:0,6")).isEqualTo(new Hardtanh(0, 6));
    assertThat(ActivationCatalog.parse("softplus(1)").name()).isEqualTo("softplus");
    assertThat(ActivationCatalog.parse("softplus(2)").name()).isEqualTo("softplus(2.0)");
    assertThat(ActivationCatalog.parse("GELU-tanh")).isEqualTo(new GeluTanh());
    assertThat(ActivationCatalog.parse("ReLU6")).isEqualTo(new Relu6());
    assertThat(ActivationCatalog.parse("celu")).isEqualTo(new Celu(1));
    // hardtanh with 0 outside [min, max] is constant near 0: parsed, and rejected by the [identity] hypothesis
    assertThat(IdentityHypothesis.violations(ActivationCatalog.parse("hardtanh(0.5,2)")))
        .anyMatch(v -> v.startsWith(IdentityHypothesis.SLOPE_SUM));
    // relu6 is hardtanh(0, 6) by value, with ReLU's slopes and the clamp's radius
    Activation relu6 = new Relu6();
    Activation clamp = new Hardtanh(0, 6);
    for (double t = -8; t <= 8; t += 0.125) assertThat(relu6.value(t)).isEqualTo(clamp.value(t));
    assertThat(new double[] {clamp.slopeMinus(), clamp.slopePlus(), clamp.remainderRadius()})
        .containsExactly(relu6.slopeMinus(), relu6.slopePlus(), relu6.remainderRadius());
  }

  @Test
  void imagesAccountForInteriorMinima() {
    assertThat(new Silu().image(-3, 1)[0]).isCloseTo(-0.2784645427610738, within(1e-15));
    assertThat(new Silu().image(-3, 1)[0]).isLessThanOrEqualTo(new Silu().value(Silu.ARGMIN));
    assertThat(new Silu().image(-3, 1)[1]).isCloseTo(new Silu().value(1), within(1e-15));
    assertThat(new Silu().image(-1, 1)[0]).isCloseTo(new Silu().value(-1), within(1e-15));
    assertThat(new Gelu().image(-2, 0)[0]).isCloseTo(-0.16997120747990366, within(1e-15));
    assertThat(new Gelu().image(0, 2)[1]).isCloseTo(new Gelu().value(2), within(1e-15));
    double[] whole = new Silu().image(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    assertThat(whole[0]).isCloseTo(-0.2784645427610738, within(1e-15)).isLessThan(new Silu().value(Silu.ARGMIN));
    assertThat(whole[1]).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(new Tanh().image(-1, 2)[0]).isCloseTo(Math.tanh(-1), within(1e-15)).isLessThan(Math.tanh(-1));
    assertThat(new Tanh().image(-1, 2)[1]).isCloseTo(Math.tanh(2), within(1e-15)).isGreaterThan(Math.tanh(2));
    assertThat(new Elu(1).image(Double.NEGATIVE_INFINITY, 0)[0]).isEqualTo(-1);
    assertThat(new Sigmoid().image(-1e300, 1e300)).containsExactly(0, 1);
    assertThat(new Softplus().image(-1e300, 0)[0]).isEqualTo(0);
    assertThat(new Tanh().image(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY)).containsExactly(-1, 1);
    assertThat(new LeakyRelu(-0.5).image(-2, 1)).containsExactly(0, 1);
    assertThat(new AbsoluteValue().image(-2, 1)).containsExactly(0, 2);
    assertThat(new Square().image(-3, 2)).containsExactly(0, 9);
    assertThat(new Cosine().image(1, 2)).containsExactly(Math.cos(2), Math.cos(1));
    assertThat(new Cosine().image(3, 4)).containsExactly(-1, Math.cos(4));
    assertThat(new Cosine().image(-0.5, 0.25)).containsExactly(Math.cos(-0.5), 1);
    assertThatThrownBy(() -> new Relu().image(1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Relu().image(Double.NaN, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void imagesEncloseSampledValues() {
    for (Activation a : ActivationCatalog.all()) {
      for (double lo = -5; lo <= 5; lo += 0.37) {
        for (double hi = lo; hi <= 5; hi += 0.41) {
          double[] im = a.image(lo, hi);
          for (int k = 0; k <= 200; k++) {
            double t = Math.min(hi, lo + (hi - lo) * k / 200);
            assertThat(a.value(t)).as("%s on [%s, %s] at %s", a.name(), lo, hi, t).isBetween(im[0], im[1]);
          }
        }
      }
    }
  }

  @Test
  void identityHypothesisAcceptsTheSupportedAndNamesTheViolation() {
    for (Activation a : ActivationCatalog.all()) {
      boolean unsupported = a instanceof AbsoluteValue || a instanceof Square || a instanceof Cosine;
      assertThat(IdentityHypothesis.violations(a).isEmpty()).as(a.name() + ": " + IdentityHypothesis.violations(a)).isEqualTo(!unsupported);
      if (!unsupported) {
        assertThat(ActivationCatalog.requireIdentityHypothesis(a)).isSameAs(a);
      }
    }
    assertThatThrownBy(() -> ActivationCatalog.requireIdentityHypothesis(new AbsoluteValue()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(IdentityHypothesis.SLOPE_SUM)
        .hasMessageContaining("m- = -1.0");
    assertThatThrownBy(() -> ActivationCatalog.requireIdentityHypothesis(new Square()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(IdentityHypothesis.SLOPE_SUM)
        .hasMessageContaining(IdentityHypothesis.FINITE_CONSTANTS).hasMessageContaining("Infinity");
    assertThatThrownBy(() -> ActivationCatalog.requireIdentityHypothesis(new Cosine()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(IdentityHypothesis.SLOPE_SUM);
    assertThatThrownBy(() -> ActivationCatalog.requireIdentityHypothesis(new LeakyRelu(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(IdentityHypothesis.SLOPE_SUM);
  }
}
