package dev.ticketproof.activation;

import dev.ticketproof.construct.IdentityConstruction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.ticketproof.construct.IdentityConstruction.SignSplitSource;
import dev.ticketproof.kernel.Verdict;
import dev.ticketproof.kernel.lemma.IdentityChecker;
import dev.ticketproof.kernel.lemma.LinearisationCertificate;
import dev.ticketproof.kernel.lemma.SignSplitCertificate;
import dev.ticketproof.kernel.lemma.SymmetricLinearisationCertificate;
import dev.ticketproof.subsetsum.SubsetSum.Mode;
import java.util.List;
import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;

/**
 * The [identity] lemma (activation linearisation): the sign split and the smooth readout meet their bounds, the
 * catalog's constants are the derived ones, and activations outside the hypothesis are rejected.
 *
 * <p>Proof page: proofs/identity.md
 */
class IdentityProperties {
  static final double U = 0x1.0p-53;
  static final List<Activation> RELU_LIKE = List.of(new Relu(), new LeakyRelu(0.01), new LeakyRelu(0.2));
  /** The supported catalog entries with equal slopes and a remainder (tanh, ..., GELU's tanh form, hardswish, Mish). */
  static final List<Activation> SMOOTH = ActivationCatalog.all().stream().filter(a -> IdentityHypothesis.holds(a)
      && a.slopeMinus() == a.slopePlus() && a.remainderConstant() > 0).toList();
  /** Every supported catalog entry, and other parameters of the families. */
  static final List<Activation> SUPPORTED = java.util.stream.Stream.concat(
      ActivationCatalog.all().stream().filter(IdentityHypothesis::holds),
      java.util.stream.Stream.of(new LeakyRelu(0.2), new Elu(0.5), new Elu(3), new Softplus(2), new Hardtanh(0, 3),
          new Celu(0.5))).toList();

  static UniformRandomProvider rng(long seed) { return RandomSource.XO_RO_SHI_RO_128_PP.create(seed); }

  /**
   * Property 1: for a in {0, 0.01, 0.2}, targets w in [-2.5, 2.5] (|w| &gt; 1 included), the kernel accepts the
   * sign-split certificate and |sum w2 phi(w1 x) - w x| &le; K |x| (plus the floating-point rounding of the
   * evaluation) on a grid of 4001 points of [-B, B] and at 200 random x.
   */
  @Test
  void signSplitBoundHoldsForEveryX() {
    qt().withFixedSeed(31L).withExamples(150)
        .forAll(arbitrary().pick(RELU_LIKE), doubles().between(-2.5, 2.5).mix(arbitrary().pick(-2.0, -1.3, 1.7, 0.0)),
            integers().between(16, 60), longs().all())
        .checkAssert((phi, w, copies, seed) -> {
          double eps = (seed & 1) == 0 ? 1e-2 : 1e-3;
          SignSplitCertificate c = IdentityConstruction.signSplit(phi, w, SignSplitSource.uniform(seed, 1, 2, copies),
              eps, Mode.MIN_SIZE);
          String what = phi.name() + " w=" + w + " copies=" + copies + " seed=" + seed + " eps=" + eps + ": " + c;
          Verdict v = IdentityChecker.check(c);
          assertThat(v.isHolds()).as(what + " " + v).isTrue();
          double b = 4;
          UniformRandomProvider r = rng(seed);
          for (int k = 0; k <= 4200; k++) {
            double x = k <= 4000 ? -b + 2 * b * k / 4000 : b * (2 * r.nextDouble() - 1);
            double err = Math.abs(IdentityConstruction.evaluate(c, phi, x) - w * x);
            assertThat(err).as("%s at x=%s", what, x)
                .isLessThanOrEqualTo(c.coefficient() * Math.abs(x) + rounding(c, x) + U * Math.abs(w * x));
          }
        });
  }

  /** Rounding allowance for evaluating the sign-split sum in doubles: (n + 4) u sum |w2 w1 x|. */
  static double rounding(SignSplitCertificate c, double x) {
    double s = 0;
    int n = 0;
    for (int[] set : new int[][] {c.positive(), c.negative()}) {
      for (int i : set) {
        s += Math.abs(c.first().value(c.seed(), c.firstStream(), i) * c.second().value(c.seed(), c.secondStream(), i)
            * x);
        n++;
      }
    }
    return (n + 4) * U * s * 1.01;
  }

  /**
   * Property 1 (the LeakyReLU defect): the sign split builds w x, not (1 + a) w x; the kernel rejects a certificate
   * whose sets were chosen for target w on a LeakyReLU(0.2) when it claims the errors of w/(1 + a).
   */
  @Test
  void signSplitTargetsWOverOnePlusA() {
    java.util.concurrent.atomic.AtomicInteger bothWithinEps = new java.util.concurrent.atomic.AtomicInteger();
    qt().withFixedSeed(32L).withExamples(50)
        .forAll(doubles().between(0.3, 2), longs().all())
        .checkAssert((w, seed) -> {
          Activation phi = new LeakyRelu(0.2);
          SignSplitSource src = SignSplitSource.uniform(seed, 1, 2, 60);
          SignSplitCertificate c = IdentityConstruction.signSplit(phi, w, src, 1e-2, Mode.MIN_SIZE);
          double err = Math.abs(IdentityConstruction.evaluate(c, phi, 1) - w);
          assertThat(err).as("seed=%s w=%s", seed, w).isLessThanOrEqualTo(c.coefficient() + 1e-12);
          // sets solved for target w (the defect) reconstruct about 1.2 w, far outside the bound
          SignSplitCertificate wrong = IdentityConstruction.signSplit(new Relu(), w, src, 1e-2, Mode.MIN_SIZE);
          if (c.withinEps() && wrong.withinEps()) {
            bothWithinEps.incrementAndGet();
            double defect = Math.abs(IdentityConstruction.evaluate(wrong, phi, 1) - w);
            assertThat(defect).as("seed=%s w=%s", seed, w).isGreaterThan(0.1 * w);
          }
          SignSplitCertificate forged = c.withSets(wrong.positive(), wrong.negative());
          assertThat(IdentityChecker.check(forged).isHolds()).as("seed=%s w=%s", seed, w).isFalse();
        });
    assertThat(bothWithinEps.get()).as("cases where both constructions met eps").isGreaterThanOrEqualTo(40);
  }

  /**
   * Property 2: for tanh, sigmoid, ELU(1), softplus, SiLU and GELU, lambda in [1e-3, 0.5] (log-uniform) and t in
   * [-1, 1], the kernel accepts the linearisation certificate and |u(t) - t| &le; M lambda^(p-1) |t|^p / |m| (plus
   * the rounding of the evaluation), and never exceeds the certified uniform bound.
   */
  @Test
  void smoothReadoutWithinBound() {
    qt().withFixedSeed(33L).withExamples(400)
        .forAll(arbitrary().pick(SMOOTH), doubles().between(Math.log(1e-3), Math.log(0.5)),
            doubles().between(-1, 1).mix(arbitrary().pick(-1.0, 1.0, 0.0, 1e-9)))
        .checkAssert((phi, logLambda, t) -> {
          double lambda = Math.exp(logLambda);
          LinearisationCertificate c = IdentityConstruction.linearise(phi, lambda, 1);
          String what = phi.name() + " lambda=" + lambda + " t=" + t;
          Verdict v = IdentityChecker.check(c);
          assertThat(v.isHolds()).as(what + " " + v).isTrue();
          double y = phi.value(lambda * t);
          double u = IdentityConstruction.evaluate(c, phi, t);
          double rounding = 4 * (Math.abs(c.readout()) * (Math.ulp(y) + phi.phi0Error()) + Math.ulp(c.bias())
              + Math.ulp(u) + Math.ulp(t));
          double err = Math.abs(u - t);
          assertThat(err).as(what).isLessThanOrEqualTo(IdentityConstruction.pointwiseBound(c, t) + rounding);
          assertThat(err).as(what).isLessThanOrEqualTo(c.bound() + rounding);
        });
  }

  /**
   * Property 2 (general class): for every supported activation, including ELU(alpha) with alpha != 1 (m- != m+) and
   * the ReLU-like ones, the symmetric pair readout (phi(lambda t) - phi(-lambda t)) is within
   * 2 M lambda^(p-1) |t|^p / |m+ + m-| of t, and the kernel accepts its certificate.
   */
  @Test
  void symmetricReadoutWithinBound() {
    qt().withFixedSeed(36L).withExamples(400)
        .forAll(arbitrary().pick(SUPPORTED), doubles().between(Math.log(1e-3), Math.log(0.5)),
            doubles().between(-1, 1).mix(arbitrary().pick(-1.0, 1.0, 0.0, 1e-9)))
        .checkAssert((phi, logLambda, t) -> {
          double lambda = Math.exp(logLambda);
          SymmetricLinearisationCertificate c = IdentityConstruction.lineariseSymmetric(phi, lambda, 1);
          String what = phi.name() + " lambda=" + lambda + " t=" + t;
          Verdict v = IdentityChecker.check(c);
          assertThat(v.isHolds()).as(what + " " + v).isTrue();
          double y1 = phi.value(lambda * t);
          double y2 = phi.value(-lambda * t);
          double u = IdentityConstruction.evaluate(c, phi, t);
          double rounding = 4 * (Math.abs(c.readout()) * (Math.ulp(y1) + Math.ulp(y2)) + Math.ulp(u) + Math.ulp(t));
          double err = Math.abs(u - t);
          assertThat(err).as(what).isLessThanOrEqualTo(IdentityConstruction.pointwiseBound(c, t) + rounding);
          assertThat(err).as(what).isLessThanOrEqualTo(c.bound() + rounding);
        });
  }

  /**
   * Property 2 (convergence): the sup over t in [-1, 1] of |u(t) - t| decreases as lambda halves from 0.5 to
   * 2^-10, and at lambda = 2^-10 equals M lambda^(p-1) / |m| to 1 % (the constants are tight at 0).
   */
  @Test
  void smoothReadoutErrorTendsToZero() {
    for (Activation phi : SMOOTH) {
      double previous = Double.POSITIVE_INFINITY;
      double lambda = 0.5;
      double sup = 0;
      for (int k = 1; k <= 10; k++, lambda /= 2) {
        LinearisationCertificate c = IdentityConstruction.linearise(phi, lambda, 1);
        sup = 0;
        double rounding = 0;
        for (int j = 0; j <= 2000; j++) {
          double t = -1 + j / 1000.0;
          double u = IdentityConstruction.evaluate(c, phi, t);
          sup = Math.max(sup, Math.abs(u - t));
          rounding = Math.max(rounding, 4 * (Math.abs(c.readout()) * Math.ulp(phi.value(lambda * t)) + Math.ulp(u)
              + Math.ulp(c.bias()) + Math.ulp(t)));
        }
        assertThat(sup).as("%s lambda=%s", phi.name(), lambda).isLessThan(previous)
            .isLessThanOrEqualTo(c.bound() + rounding);
        previous = sup;
      }
      lambda *= 2;
      double limit = phi.remainderConstant() * Math.pow(lambda, phi.remainderPower() - 1) / phi.slopePlus();
      assertThat(sup / limit).as("%s: sup error / (M lambda^(p-1) / m) at lambda=%s", phi.name(), lambda)
          .isBetween(0.99, 1.0 + 1e-5);
    }
  }

  /** Property 3: every typed-in constant equals the one derived by automatic differentiation and optimisation. */
  @Test
  void catalogConstantsEqualDerivedConstants() {
    for (Activation phi : SUPPORTED) {
      DerivedConstants d = ConstantDerivation.derive(phi);
      String what = phi.name() + " derived " + d;
      assertThat(d.continuityGap()).as(what).isZero();
      assertThat(phi.phi0()).as(what).isCloseTo(d.phi0(), within(1e-15));
      assertThat(phi.slopeMinus()).as(what).isCloseTo(d.slopeMinus(), within(1e-15));
      assertThat(phi.slopePlus()).as(what).isCloseTo(d.slopePlus(), within(1e-15));
      assertThat(phi.lipschitz()).as(what).isCloseTo(d.lipschitz(), within(1e-9 * d.lipschitz()));
      assertThat(phi.remainderPower()).as(what).isEqualTo(d.remainderPower());
      // the scan evaluates |phi(t) - phi0 - m t| / t^p in doubles down to t = 1e-2, with a rounding of about
      // ulp(phi(t)) / t^p, 1e-14 relative (hardswish: 0.16666666666667626 for its exact 1/6)
      assertThat(phi.remainderConstant()).as(what).isCloseTo(d.remainderConstant(), within(1e-9))
          .isGreaterThanOrEqualTo(d.remainderConstant() * (1 - 1e-13));
    }
  }

  /**
   * Property 3: the Lipschitz constants hold on random pairs (wide, near 0, and near the maximiser of |phi'|),
   * derivatives agree with automatic differentiation, and images enclose random samples.
   */
  @Test
  void lipschitzHoldsOnRandomPairs() {
    qt().withFixedSeed(34L).withExamples(3000)
        .forAll(arbitrary().pick(SUPPORTED), doubles().between(-30, 30).mix(doubles().between(-3, 3)),
            doubles().between(-1e-3, 1e-3).mix(doubles().between(-30, 30)), doubles().between(-5, 5))
        .checkAssert((phi, s, ds, lo) -> {
          double t = s + ds;
          double diff = Math.abs(phi.value(s) - phi.value(t));
          double allowance = 4 * (Math.ulp(phi.value(s)) + Math.ulp(phi.value(t)));
          assertThat(diff).as("%s s=%s t=%s", phi.name(), s, t)
              .isLessThanOrEqualTo(phi.lipschitz() * Math.abs(s - t) + allowance);
          UnivariateDifferentiableFunction piece = s < 0 ? ((AnalyticPieces) phi).left() : ((AnalyticPieces) phi).right();
          double ad = ConstantDerivation.taylor(piece, s, 1)[1];
          assertThat(phi.derivative(s)).as("%s derivative at %s", phi.name(), s)
              .isCloseTo(ad, within(1e-12 * Math.max(1, Math.abs(ad))));
          double hi = lo + Math.abs(ds) * 100;
          double[] image = phi.image(lo, hi);
          double inside = lo + (hi - lo) * ((s + 30) / 60);
          assertThat(phi.value(Math.min(hi, Math.max(lo, inside)))).as("%s image of [%s, %s]", phi.name(), lo, hi)
              .isBetween(image[0], image[1]);
        });
  }

  /** Property 5: abs, square and cos, and every construction on them, are rejected naming the hypothesis. */
  @Test
  void unsupportedActivationsAreRejected() {
    for (String name : new String[] {"abs", "square", "cos", "leaky-relu(-1)"}) {
      Activation phi = ActivationCatalog.parse(name);
      assertThatThrownBy(() -> ActivationCatalog.requireIdentityHypothesis(phi)).as(name)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(IdentityHypothesis.SLOPE_SUM);
      assertThatThrownBy(() -> IdentityConstruction.signSplit(phi, 1, SignSplitSource.uniform(1, 1, 2, 20), 0.01,
          Mode.MIN_SIZE)).as(name).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(IdentityHypothesis.SLOPE_SUM);
      assertThatThrownBy(() -> IdentityConstruction.linearise(phi, 0.01, 1)).as(name)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(IdentityHypothesis.SLOPE_SUM);
      assertThatThrownBy(() -> IdentityConstruction.constantNeuron(phi, 1)).as(name)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(IdentityHypothesis.SLOPE_SUM);
    }
  }

  /**
   * Property 5 (user-supplied functions): random piecewise-linear V shapes (m- = -m+), even quadratics, cosines, and
   * functions that misstate a constant are rejected with the violated hypothesis named; honest random
   * leaky-ReLU-like functions with m+ + m- != 0 are accepted.
   */
  @Test
  void userSuppliedActivationsAreChecked() {
    qt().withFixedSeed(35L).withExamples(300)
        .forAll(integers().between(0, 5), doubles().between(0.1, 3), doubles().between(-0.9, 0.9))
        .checkAssert((kind, c, a) -> {
          Activation phi;
          String expected;
          switch (kind) {
            case 0: // V shape: m- = -c, m+ = c
              phi = user("v", t -> c * Math.abs(t), t -> t >= 0 ? c : -c, 0, -c, c, c, 0);
              expected = IdentityHypothesis.SLOPE_SUM;
              break;
            case 1: // even quadratic
              phi = user("quad", t -> a + c * t * t, t -> 2 * c * t, a, 0, 0, 1e300, c);
              expected = IdentityHypothesis.SLOPE_SUM;
              break;
            case 2: // cosine with frequency c
              phi = user("cos", t -> Math.cos(c * t), t -> -c * Math.sin(c * t), 1, 0, 0, c, c * c / 2);
              expected = IdentityHypothesis.SLOPE_SUM;
              break;
            case 3: // tanh(c t) claiming slope 1 when c != 1
              double cc = Math.abs(c - 1) < 0.05 ? 2 : c;
              phi = user("tanh-lie", t -> Math.tanh(cc * t), t -> cc / Math.cosh(cc * t) / Math.cosh(cc * t), 0, 1, 1,
                  Math.max(1, cc), cc * cc * cc / 3);
              expected = IdentityHypothesis.CONSISTENT;
              break;
            case 4: // honest leaky shape claiming too small a Lipschitz constant
              phi = user("lip-lie", t -> t >= 0 ? c * t : a * t, t -> t >= 0 ? c : a, 0, a, c,
                  Math.max(c, Math.abs(a)) / 2, 0);
              expected = Math.abs(a + c) > 0 ? IdentityHypothesis.CONSISTENT : IdentityHypothesis.SLOPE_SUM;
              break;
            default: // honest leaky shape
              phi = user("leaky", t -> t >= 0 ? c * t : a * t, t -> t >= 0 ? c : a, 0, a, c, Math.max(c, Math.abs(a)),
                  0);
              expected = null;
          }
          List<String> violations = IdentityHypothesis.violations(phi);
          if (expected == null) {
            assertThat(violations).as("kind %s c=%s a=%s", kind, c, a).isEmpty();
          } else {
            assertThat(String.join("; ", violations)).as("kind %s c=%s a=%s", kind, c, a).contains(expected);
            assertThatThrownBy(() -> ActivationCatalog.requireIdentityHypothesis(phi))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(expected);
          }
        });
    Activation nan = user("nan", t -> t, t -> 1, Double.NaN, 1, 1, 1, 0);
    assertThatThrownBy(() -> ActivationCatalog.requireIdentityHypothesis(nan))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(IdentityHypothesis.FINITE_CONSTANTS)
        .hasMessageContaining("NaN");
  }

  static Activation user(String name, java.util.function.DoubleUnaryOperator f,
      java.util.function.DoubleUnaryOperator df, double phi0, double mMinus, double mPlus, double lip, double bigM) {
    return new Activation() {
      @Override public String name() { return name; }
      @Override public double value(double t) { return f.applyAsDouble(t); }
      @Override public double derivative(double t) { return df.applyAsDouble(t); }
      @Override public double phi0() { return phi0; }
      @Override public double slopeMinus() { return mMinus; }
      @Override public double slopePlus() { return mPlus; }
      @Override public double lipschitz() { return lip; }
      @Override public double remainderConstant() { return bigM; }
      @Override public int remainderPower() { return 2; }
      @Override public double remainderRadius() { return Double.POSITIVE_INFINITY; }
      @Override public double[] image(double lo, double hi) { throw new UnsupportedOperationException(); }
    };
  }
}
