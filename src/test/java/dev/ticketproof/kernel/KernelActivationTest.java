package dev.ticketproof.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.activation.IdentityHypothesis;
import dev.ticketproof.random.WeightField;
import java.util.stream.Collectors;
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

  /**
   * The interior minimum that the difference range reads: none for the monotone families; for the five others the
   * stated place and value, the value at most phi there and within a few ulps of it, and phi on a grid of [-4, 4]
   * not below it (up to the evaluation's ulps).
   */
  @Test
  void theMinimumIsStatedForTheNonMonotoneFamiliesOnly() {
    for (String name : new String[] {"relu", "leaky-relu(0.2)", "tanh", "sigmoid", "elu(1.0)", "softplus", "relu6",
        "hardtanh(-1.0,1.0)", "selu", "celu(0.5)", "hardsigmoid"}) {
      assertThat(KernelActivation.of(name).minimum()).as(name).isNull();
    }
    for (String name : new String[] {"silu", "gelu", "gelu-tanh", "hardswish", "mish"}) {
      KernelActivation k = KernelActivation.of(name);
      double[] m = k.minimum();
      assertThat(m).as(name).hasSize(2);
      assertThat(m[0]).as(name).isBetween(-2.0, -0.5);
      assertThat(m[1]).as(name).isLessThanOrEqualTo(k.value(m[0])).isGreaterThan(k.value(m[0]) - 4 * Math.ulp(m[1]));
      for (double t = -4; t <= 4; t += 1.0 / 1024) {
        assertThat(k.value(t)).as("%s at %s", name, t).isGreaterThanOrEqualTo(m[1] - 4 * Math.ulp(m[1]));
      }
    }
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
    // at least tanh, sigmoid, elu(1), softplus, silu, gelu, gelu-tanh, hardtanh(-1, 1), celu(1), hardswish,
    // hardsigmoid, mish (a new catalog entry may add one)
    assertThat(smooth).isGreaterThanOrEqualTo(12);
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
    // one kernel family per catalog entry the [identity] hypothesis admits, and no other
    assertThat(KernelActivation.families()).isEqualTo(ActivationCatalog.all().stream()
        .filter(a -> IdentityHypothesis.violations(a).isEmpty()).map(a -> a.name().replaceAll("\\(.*", ""))
        .distinct().sorted().collect(Collectors.joining(", ")));
    assertThat(KernelActivation.families()).contains("leaky-relu, log-sigmoid, mish, relu, relu6");
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

  /** Interval ends: every kink of the families below (-3, -2, -1, 0, 0.5, 1, 3, 6) and points between them. */
  private static final double[] ENDS = {-7, -3.5, -3, -2, -1.5, -1, -0.25, 0, 0.3, 0.5, 1, 2.5, 3, 5, 6, 7.5};

  /**
   * The kernel's slope range over [a, b] against the catalog's phi and phi' (the right derivative at a kink, as the
   * kernel's ranges read a point): every secant slope between neighbouring points of a grid of [a, b] that holds
   * the kinks lies in it (to 1e-9 relative), and its ends are values of phi' on the grid or just left of its
   * points (to 1e-12): not wider.
   */
  @ParameterizedTest
  @ValueSource(strings = {"relu6", "hardtanh(-1.0,1.0)", "hardtanh(0,3)", "hardtanh(-2,0.5)", "selu", "celu(0.5)",
      "celu(3)", "softplus", "softplus(2)", "softplus(0.5)", "hardswish", "hardsigmoid", "elu(0.5)", "elu(2)", "tanh",
      "sigmoid"})
  void slopeRangesAreTheRangesOfTheDerivative(String spec) {
    Activation cat = ActivationCatalog.parse(spec);
    KernelActivation k = KernelActivation.of(cat.name());
    for (int i = 0; i < ENDS.length; i++) {
      for (int j = i; j < ENDS.length; j++) {
        double a = ENDS[i];
        double b = ENDS[j];
        java.util.TreeSet<Double> grid = new java.util.TreeSet<>();
        for (double e : ENDS) if (e >= a && e <= b) grid.add(e);
        for (int g = 1; g < 200; g++) {
          double t = a + (b - a) * g / 200.0;
          if (Math.abs(grid.floor(t) - t) > 1e-6 && Math.abs(grid.ceiling(t) - t) > 1e-6) grid.add(t);
        }
        double[] s = k.slopes(a, b);
        String at = spec + " over [" + a + ", " + b + "]";
        assertThat(s).as(at).hasSize(2);
        double dMin = Double.POSITIVE_INFINITY;
        double dMax = Double.NEGATIVE_INFINITY;
        Double prev = null;
        for (double t : grid) {
          dMin = Math.min(dMin, cat.derivative(t));
          dMax = Math.max(dMax, cat.derivative(t));
          if (prev != null) {
            // phi' just left of each point too: where phi' jumps at a kink, the secants ending there reach it
            dMin = Math.min(dMin, cat.derivative(Math.nextDown(t)));
            dMax = Math.max(dMax, cat.derivative(Math.nextDown(t)));
            double secant = (cat.value(t) - cat.value(prev)) / (t - prev);
            double tol = 1e-9 * (1 + Math.abs(secant));
            assertThat(secant).as("secant on [%s, %s], %s", prev, t, at).isBetween(s[0] - tol, s[1] + tol);
          }
          prev = t;
        }
        assertThat(s[0]).as("lower end, %s", at).isCloseTo(dMin, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s[1]).as("upper end, %s", at).isCloseTo(dMax, org.assertj.core.data.Offset.offset(1e-12));
      }
    }
  }

  /**
   * The curvature bound of a twice continuously differentiable phi is max |phi''| (central differences of the
   * catalog's phi' on [-8, 8], step 1e-4) to 0.1 % above; a phi that is not (a kink, or a jump of phi'') states none.
   */
  @Test
  void curvatureIsTheLargestSecondDerivativeOrNone() {
    for (String spec : new String[] {"tanh", "sigmoid", "softplus", "softplus(2)", "softplus(0.5)", "silu", "gelu",
        "gelu-tanh", "mish"}) {
      Activation cat = ActivationCatalog.parse(spec);
      double max = 0;
      for (double t = -8; t <= 8; t += 1e-3) {
        max = Math.max(max, Math.abs(cat.derivative(t + 1e-4) - cat.derivative(t - 1e-4)) / 2e-4);
      }
      double c = KernelActivation.of(cat.name()).curvature();
      assertThat(c).as(spec).isGreaterThanOrEqualTo(max).isLessThanOrEqualTo(1.001 * max);
    }
    // phi' Lipschitz but phi'' jumping at 0 (CELU, ELU(1)): the Lipschitz constant of phi', at least every difference
    for (String spec : new String[] {"celu", "celu(0.5)", "elu"}) {
      Activation cat = ActivationCatalog.parse(spec);
      double max = 0;
      for (double t = -8; t <= 8; t += 1e-3) {
        max = Math.max(max, Math.abs(cat.derivative(t + 1e-4) - cat.derivative(t - 1e-4)) / 2e-4);
      }
      double c = KernelActivation.of(cat.name()).curvature();
      assertThat(c).as(spec).isGreaterThanOrEqualTo(max).isLessThanOrEqualTo(1.01 * max);
    }
    // phi' jumping at 0 (SELU, ELU(alpha != 1)): the Lipschitz constant of phi' on each side, at least every
    // difference quotient of phi' whose two points lie on one side; the jump there is |m+ - m-|
    for (String spec : new String[] {"selu", "elu(0.5)", "elu(2)", "elu(0)"}) {
      Activation cat = ActivationCatalog.parse(spec);
      KernelActivation k = KernelActivation.of(cat.name());
      double max = 0;
      for (double t = -8; t <= 8; t += 1e-3) {
        if (Math.abs(t) <= 1e-4) continue;
        max = Math.max(max, Math.abs(cat.derivative(t + 1e-4) - cat.derivative(t - 1e-4)) / 2e-4);
      }
      assertThat(k.curvature()).as(spec).isGreaterThanOrEqualTo(max).isLessThanOrEqualTo(1.01 * max + 1e-12);
      assertThat(Math.abs(k.slopePlus() - k.slopeMinus())).as(spec + ": the jump of phi' at 0")
          .isCloseTo(Math.abs(cat.derivative(0) - cat.derivative(-1e-12)), org.assertj.core.data.Offset.offset(1e-9));
    }
    for (String name : new String[] {"relu", "relu6", "hardtanh(-1.0,1.0)", "hardswish", "hardsigmoid"}) {
      assertThat(KernelActivation.of(name).curvature()).as(name).isNaN();
    }
  }
}
