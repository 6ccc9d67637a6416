package dev.ticketproof.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.activation.IdentityHypothesis;
import dev.ticketproof.random.WeightField;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The kernel's own activations agree with the catalog's, and its constants and images are conservative. */
class KernelActivationTest {
  /** Every supported catalog entry with its default parameters, and other parameters of the families. */
  static Stream<String> supported() {
    return Stream.concat(ActivationCatalog.all().stream().filter(IdentityHypothesis::holds).map(Activation::name),
        Stream.of("leaky-relu(0.2)", "elu(0.5)", "softplus(2)", "softplus(4)", "hardtanh(0,3)", "hardtanh(-2,0.5)",
            "celu(0.5)", "celu(3)"));
  }

  @ParameterizedTest
  @MethodSource("supported")
  void agreesWithTheCatalogAndIsConservative(String spec) {
    Activation cat = ActivationCatalog.parse(spec);
    KernelActivation k = KernelActivation.of(cat.name());
    assertThat(k).as(cat.name()).isNotNull();
    assertThat(k.phi0()).isEqualTo(cat.phi0());
    assertThat(k.slopeMinus()).isEqualTo(cat.slopeMinus());
    assertThat(k.slopePlus()).isEqualTo(cat.slopePlus());
    assertThat(k.lipschitz()).isGreaterThanOrEqualTo(cat.lipschitz());
    assertThat(k.remainderConstant()).isGreaterThanOrEqualTo(cat.remainderConstant());
    assertThat(k.remainderRadius()).isEqualTo(cat.remainderRadius());
    assertThat(k.phi0Error()).isGreaterThanOrEqualTo(cat.phi0Error());
    assertThat(k.slopeError()).isEqualTo(cat.slopeError());
    for (int q = 0; q < 2000; q++) {
      double t = WeightField.uniform(5, 1, q, -8, 8);
      assertThat(k.value(t)).as("%s at %s", spec, t).isCloseTo(cat.value(t), org.assertj.core.data.Offset.offset(
          1e-14 * (1 + Math.abs(t))));
      assertThat(k.derivative(t)).as("%s' at %s", spec, t).isCloseTo(cat.derivative(t),
          org.assertj.core.data.Offset.offset(1e-12));
      double u = WeightField.uniform(5, 2, q, -8, 8);
      double lo = Math.min(t, u);
      double hi = Math.max(t, u);
      double[] img = k.image(lo, hi);
      // the image contains phi on a grid of the interval
      for (int g = 0; g <= 50; g++) {
        double v = cat.value(Math.min(hi, lo + (hi - lo) * g / 50.0));
        assertThat(v).as("%s on [%s, %s]", spec, lo, hi).isBetween(img[0], img[1]);
      }
      // Lipschitz on random pairs
      assertThat(Math.abs(k.value(t) - k.value(u))).isLessThanOrEqualTo(k.lipschitz() * Math.abs(t - u) + 1e-15);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"abs", "square", "cos", "leaky-relu(1.5)", "nonsense", "hardtanh(1,2)", "hardtanh(-1,0)",
      "hardtanh(-1)", "hardtanh(1,-1)", "celu(0)", "softplus(-1)", "softplus(1,2)", "selu(1)", "mish(1)", "swish"})
  void unknownOrUnsupportedNamesHaveNoKernelDefinition(String name) {
    assertThat(KernelActivation.of(name)).isNull();
  }

  /** Non-decreasing: the monotone families with slopes at least 0, not SiLU, GELU or leaky ReLU of a negative slope. */
  @Test
  void nonDecreasingFamilies() {
    for (String name : new String[] {"relu", "leaky-relu(0.2)", "leaky-relu(0)", "tanh", "sigmoid", "elu(1.0)",
        "elu(0.5)", "softplus", "softplus(2.0)", "relu6", "hardtanh(-1.0,1.0)", "hardtanh(0.0,6.0)", "selu",
        "celu(0.5)", "hardsigmoid"}) {
      assertThat(KernelActivation.of(name).nonDecreasing()).as(name).isTrue();
    }
    for (String name : new String[] {"silu", "gelu", "gelu-tanh", "hardswish", "mish"}) {
      assertThat(KernelActivation.of(name).nonDecreasing()).as(name).isFalse();
    }
    assertThat(KernelActivation.family("leaky-relu(-0.5)").nonDecreasing()).isFalse();
  }

  @Test
  void namedValuesAndConstantsAgreeWithTheCatalog() {
    int smooth = 0;
    for (Activation a : ActivationCatalog.all()) {
      KernelActivation k = KernelActivation.family(a.name());
      if (!IdentityHypothesis.holds(a)) {
        assertThat(k).as(a.name()).isNull();
        continue;
      }
      for (double t = -8; t <= 8; t += 0.01) {
        double ref = k.value(t);
        assertThat(Math.abs(ref - a.value(t))).as("%s at %s", a.name(), t)
            .isLessThanOrEqualTo(1e-13 * Math.abs(ref));
      }
      KernelActivation.Local s = k.local();
      // exact in floating point: an exact local model whose slopes are doubles (hardsigmoid's 1/6 is not)
      assertThat(k.piecewiseLinear()).as(a.name()).isEqualTo(a.remainderConstant() == 0 && a.slopeError() == 0);
      assertThat(s.radius()).as(a.name()).isEqualTo(a.remainderRadius());
      if (a.slopeMinus() == a.slopePlus()) {
        smooth++;
        assertThat(s.phi0()).isEqualTo(a.phi0());
        assertThat(s.slopeMinus()).isEqualTo(a.slopeMinus());
        assertThat(s.slopePlus()).isEqualTo(a.slopePlus());
        assertThat(s.remainderConstant()).as(a.name()).isGreaterThanOrEqualTo(a.remainderConstant())
            .isLessThanOrEqualTo(Math.nextUp(a.remainderConstant()));
        assertThat(s.remainderPower()).isEqualTo(a.remainderPower());
        assertThat(s.phi0Error()).isGreaterThanOrEqualTo(a.phi0Error());
      } else {
        assertThat(new double[] {s.slopeMinus(), s.slopePlus()}).as(a.name())
            .containsExactly(a.slopeMinus(), a.slopePlus());
      }
    }
    // tanh, sigmoid, elu(1), softplus, silu, gelu, gelu-tanh, hardtanh(-1, 1), celu(1), hardswish, hardsigmoid, mish
    assertThat(smooth).isEqualTo(12);
  }

  @Test
  void namesAtTheEndsOfTheirRanges() {
    // leaky ReLU is known for 0 <= a <= 1 (both ends included)
    assertThat(KernelActivation.of("leaky-relu(0)")).isNotNull();
    assertThat(KernelActivation.of("leaky-relu(1)")).isNotNull();
    assertThat(KernelActivation.of("leaky-relu(1.0000001)")).isNull();
    assertThat(KernelActivation.of("leaky-relu(-0.0000001)")).isNull();
    assertThat(KernelActivation.of("leaky-relu(0.5")).isNull();
    assertThat(KernelActivation.of("leaky-relu(x)")).isNull();
    assertThat(KernelActivation.of("leaky-relu(NaN)")).isNull();
    assertThat(KernelActivation.of("leaky-relu(Infinity)")).isNull();
    assertThat(KernelActivation.of("relu(0.5)")).isNull();
    assertThat(KernelActivation.of(null)).isNull();
    assertThat(KernelActivation.of("tanh").toString()).isEqualTo("tanh");
    assertThat(KernelActivation.families()).isEqualTo("celu, elu, gelu, gelu-tanh, hardsigmoid, hardswish, hardtanh, "
        + "leaky-relu, mish, relu, relu6, selu, sigmoid, silu, softplus, tanh");
    assertThat(KernelActivation.family("relu").piecewiseLinear()).isTrue();
    assertThat(KernelActivation.family("tanh").piecewiseLinear()).isFalse();
    assertThat(KernelActivation.family("abs")).isNull();
    // the lemma checkers take leaky ReLU with any finite slope; the ticket checker only 0 <= a <= 1
    assertThat(KernelActivation.family("leaky-relu(1.5)").local().slopeMinus()).isEqualTo(1.5);
    assertThat(KernelActivation.family("leaky-relu(NaN)")).isNull();
  }

  @Test
  void imagesOfPointsAndOfIntervalsAroundTheMinimum() {
    KernelActivation relu = KernelActivation.of("relu");
    assertThat(relu.image(2, 2)).containsExactly(2, 2);
    assertThat(relu.image(-1, 3)).containsExactly(0, 3);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> relu.image(1, 0))
        .hasMessageContaining("need lo <= hi");
    KernelActivation silu = KernelActivation.of("silu");
    // an interval around SiLU's minimum (t = -1.278...) takes the rounded-down minimum, widened by 4 ulps
    double[] around = silu.image(-2, 1);
    double min = -0.27846454276107384;
    assertThat(around[0]).isLessThan(min).isGreaterThanOrEqualTo(min - 8 * Math.ulp(min));
    assertThat(around[1]).isGreaterThanOrEqualTo(silu.value(1)).isLessThan(silu.value(1) + 1e-15);
    // an interval right of it: monotone there, the ends
    double[] right = silu.image(0, 1);
    assertThat(right[0]).isLessThanOrEqualTo(0).isGreaterThan(-1e-300);
  }
}
