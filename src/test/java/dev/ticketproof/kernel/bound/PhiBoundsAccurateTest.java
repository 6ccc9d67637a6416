package dev.ticketproof.kernel.bound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.kernel.AccurateEvaluationTest;
import dev.ticketproof.kernel.KernelActivation;
import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.apache.commons.numbers.core.DD;
import org.junit.jupiter.api.Test;

/**
 * What {@link PhiBounds} builds on the kernel's evaluations without cancellation ({@code KernelActivation.Accurate})
 * against exact values: psi, phi and the difference D(z, d) = phi(z + d) - phi(z) of tanh and sigmoid in 60-digit
 * {@link BigDecimal} ({@link AccurateEvaluationTest}: from identities without cancellation, z + d exact), softplus's
 * in double-double ({@link ExactStepsTest#phi}). Each value must lie within its stated slack of the exact one, and
 * each slack must be no larger than its documented formula ([differential-bound], "Floating point"): a slack that
 * is dropped, or one relative to the wrong magnitude, shows at one of the tiny, moderate or saturated arguments.
 */
class PhiBoundsAccurateTest {
  /** tanh: psi(t) = tanh t, D with k = 1; sigmoid: psi(t) = tanh(t/2)/2, D with k = 1/2. */
  static double scale(String name) { return name.equals("tanh") ? 1 : 0.5; }

  /** Tiny (down to subnormal), moderate and saturated arguments. */
  static double argument(SplittableRandom r, int q) {
    return switch (q % 3) {
      case 0 -> AccurateEvaluationTest.logUniform(r, -1074, -20);
      case 1 -> AccurateEvaluationTest.logUniform(r, -20, 5);
      default -> r.nextDouble(-40, 40);
    };
  }

  static BigDecimal big(double v) { return new BigDecimal(v); }

  /**
   * psi and phi = phi_0 + psi of tanh and sigmoid: the exact value lies within {@code psiSlack} and
   * {@code valueSlack} of the computed one, and those slacks are psiUlps 2^-52 |psi| + MIN_NORMAL and that plus
   * phi0Error + 2^-52 |phi| (no more).
   */
  @Test
  void psiAndPhiOfTheAccurateFamiliesLieWithinTheirSlackOfTheExactValues() {
    for (String name : new String[] {"tanh", "sigmoid"}) {
      Activation phi = ActivationCatalog.parse(name);
      PhiBounds pb = PhiBounds.of(phi);
      double psiUlps = KernelActivation.of(name).accuracy()[0];
      SplittableRandom r = new SplittableRandom(name.hashCode() + 7L);
      for (int q = 0; q < 300; q++) {
        double t = argument(r, q);
        BigDecimal exact = AccurateEvaluationTest.psi(scale(name), t);
        double p = pb.psi(t);
        double ps = pb.psiSlack(p);
        String what = name + " psi(" + t + ") = " + p + " slack " + ps;
        assertThat(big(p).subtract(exact).abs()).as(what).isLessThanOrEqualTo(big(ps));
        assertThat(ps).as(what + ": the documented slack").isLessThanOrEqualTo(
            psiUlps * 0x1p-52 * Math.abs(p) + Double.MIN_NORMAL);
        // phi(t) = phi(0) + psi(t) exactly; phi(0) = phi_0 (0 and 1/2, no rounding)
        double v = pb.value(t);
        double vs = pb.valueSlack(t, v);
        String at = name + " phi(" + t + ") = " + v + " slack " + vs;
        assertThat(big(v).subtract(big(phi.phi0()).add(exact)).abs()).as(at).isLessThanOrEqualTo(big(vs));
        assertThat(vs).as(at + ": the documented slack").isLessThanOrEqualTo(
            ps + phi.phi0Error() + 0x1p-52 * Math.abs(v));
      }
    }
  }

  /**
   * The chord relaxation of tanh and sigmoid ({@code gridRange}) on intervals one to four ulps wide, where the
   * interpolation error M_2 delta^2 / 8 is nil and only the evaluations' slack (phi's, the product alpha t's and the
   * subtraction's) covers the rounding of g = phi - alpha t: the exact g at both ends (double-double) lies within
   * [g-, g+].
   */
  @Test
  void theRelaxationOnIntervalsOfAFewUlpsContainsTheExactG() {
    for (String name : new String[] {"tanh", "sigmoid"}) {
      Activation phi = ActivationCatalog.parse(name);
      PhiBounds pb = PhiBounds.of(phi);
      SplittableRandom r = new SplittableRandom(name.hashCode() + 41L);
      for (int q = 0; q < 400; q++) {
        double a = q % 2 == 0 ? r.nextDouble(-4, 4) : AccurateEvaluationTest.logUniform(r, -30, 1);
        double b = a + (1 + r.nextInt(4)) * Math.ulp(a);
        double[] rel = pb.relax(a, b);
        for (double t : new double[] {a, b}) {
          DD g = ExactStepsTest.phi(phi, DD.of(t)).subtract(DD.ofProduct(rel[0], t));
          String what = name + " on [" + a + ", " + b + "]: " + PhiBoundsExactTest.show(rel) + ", g(" + t + ") = "
              + g.doubleValue();
          assertThat(g.subtract(rel[1]).hi()).as(what + ": below g-").isGreaterThanOrEqualTo(0);
          assertThat(DD.of(rel[2]).subtract(g).hi()).as(what + ": above g+").isGreaterThanOrEqualTo(0);
        }
      }
    }
  }

  /**
   * psi of a family without the formula (softplus: phi(t) - phi_0, phi_0 = ln 2 rounded, phi0Error its rounding):
   * the exact phi(t) - phi_0 within psiSlack, which is phi's evaluation slack and the subtraction's (no more);
   * its value within valueSlack.
   */
  @Test
  void psiWithoutTheFormulaLiesWithinItsSlack() {
    Activation phi = ActivationCatalog.parse("softplus");
    PhiBounds pb = PhiBounds.of(phi);
    SplittableRandom r = new SplittableRandom(23);
    for (int q = 0; q < 300; q++) {
      double t = q % 2 == 0 ? r.nextDouble(-30, 30) : AccurateEvaluationTest.logUniform(r, -30, 3);
      DD exact = ExactStepsTest.phi(phi, DD.of(t));
      double p = pb.psi(t);
      double ps = pb.psiSlack(p);
      String what = "softplus psi(" + t + ") = " + p + " slack " + ps;
      assertThat(Math.abs(DD.of(p).add(phi.phi0()).subtract(exact).doubleValue())).as(what).isLessThanOrEqualTo(ps);
      double f = Math.abs(p) + Math.abs(phi.phi0());
      assertThat(ps).as(what).isLessThanOrEqualTo(Rounding.evalSlack(f) + 0x1p-52 * f);
      double v = pb.value(t);
      assertThat(Math.abs(DD.of(v).subtract(exact).doubleValue())).isLessThanOrEqualTo(pb.valueSlack(t, v));
    }
  }

  /**
   * At a point (zl = zh, dl = dh) the difference range of tanh and sigmoid is D(z, d) evaluated without cancellation
   * and widened by (diffUlps + |fl(z + d)|) 2^-52 |D| (plus MIN_NORMAL and outward steps): it contains the exact D
   * and is no wider than that, for tiny d (where phi(z + d) - phi(z) would cancel completely), saturated z (up to
   * 2^8, where the rounding of z + d dominates), tiny z, and d up to 10.
   */
  @Test
  void theDifferenceAtAPointContainsTheExactDifferenceWithinItsSlack() {
    for (String name : new String[] {"tanh", "sigmoid"}) {
      PhiBounds pb = PhiBounds.of(ActivationCatalog.parse(name));
      double diffUlps = KernelActivation.of(name).accuracy()[1];
      SplittableRandom r = new SplittableRandom(name.hashCode() + 29L);
      for (int q = 0; q < 300; q++) {
        double z = switch (q % 3) {
          case 0 -> r.nextDouble(-6, 6);
          case 1 -> AccurateEvaluationTest.logUniform(r, 2, 8);
          default -> AccurateEvaluationTest.logUniform(r, -1074, -10);
        };
        double d = q % 5 == 0 ? r.nextDouble(-10, 10) : AccurateEvaluationTest.logUniform(r, -1074, 1);
        BigDecimal exact = AccurateEvaluationTest.difference(scale(name), z, d);
        double[] range = pb.differenceRange(z, z, d, d);
        String what = name + " D(" + z + ", " + d + ") = " + exact.doubleValue() + " in "
            + PhiBoundsExactTest.show(range);
        assertThat(big(range[0]).compareTo(exact)).as(what + ": lower end").isLessThanOrEqualTo(0);
        assertThat(big(range[1]).compareTo(exact)).as(what + ": upper end").isGreaterThanOrEqualTo(0);
        double v = exact.doubleValue();
        double slack = (diffUlps + Math.abs(z + d)) * 0x1p-52 * Math.abs(v);
        assertThat(range[1] - range[0]).as(what + ": width").isLessThanOrEqualTo(
            2 * slack * (1 + 0x1p-20) + 8 * Math.ulp(v) + 1e-300);
      }
    }
  }

  /**
   * Softplus has no formula without cancellation: at a point its difference range is phi(z + d) - phi(z) widened by
   * L 2^-52 |z + d| (the argument's rounding), both values' evaluation slack and the subtraction's 2^-52 of the
   * operands: it contains the exact difference (double-double) and is no wider than that.
   */
  @Test
  void theDifferenceOfSoftplusAtAPointContainsTheExactDifferenceWithinItsSlack() {
    Activation phi = ActivationCatalog.parse("softplus");
    PhiBounds pb = PhiBounds.of(phi);
    SplittableRandom r = new SplittableRandom(31);
    for (int q = 0; q < 300; q++) {
      double z = r.nextDouble(-20, 20);
      double d = q % 2 == 0 ? r.nextDouble(-5, 5) : AccurateEvaluationTest.logUniform(r, -40, 1);
      double a = z + d;
      DD exact = ExactStepsTest.phi(phi, DD.of(a)).subtract(ExactStepsTest.phi(phi, DD.of(z)));
      double[] range = pb.differenceRange(z, z, d, d);
      String what = "softplus D(" + z + ", " + d + ") = " + exact.doubleValue() + " in "
          + PhiBoundsExactTest.show(range);
      assertThat(exact.subtract(range[0]).hi()).as(what + ": lower end").isGreaterThanOrEqualTo(0);
      assertThat(DD.of(range[1]).subtract(exact).hi()).as(what + ": upper end").isGreaterThanOrEqualTo(0);
      double va = phi.value(a);
      double vz = phi.value(z);
      double slack = phi.lipschitz() * Math.abs(a) * 0x1p-52 + Rounding.evalSlack(va) + Rounding.evalSlack(vz)
          + 0x1p-52 * (Math.abs(va) + Math.abs(vz));
      assertThat(range[1] - range[0]).as(what + ": width").isLessThanOrEqualTo(
          2 * slack * (1 + 0x1p-20) + 4 * Math.ulp(va - vz) + 1e-300);
    }
  }

  /**
   * Over boxes the difference range of a twice differentiable non-decreasing phi is [D(zc, dl) - E, D(zc, dh) + E],
   * zc the midpoint of [zl, zh], E = M_2 max(|dl|, |dh|) (zh - zl) / 2. Near the point where |phi''| is largest
   * (tanh: atanh(1/sqrt 3) = 0.6585..., sigmoid: twice that), with small widths, D(z, d) moves in z at nearly
   * M_2 |d| per unit, so the exact extremes (double-double, on a grid of z and d) come within a small fraction of E
   * of the ends: the range must contain them, and be no wider than the sampled range (the midpoint is a sample)
   * plus 2 E (softplus, whose phi'' is largest at 0, too).
   */
  @Test
  void theDifferenceOverABoxContainsTheExactExtremesAndIsTight() {
    for (String name : new String[] {"tanh", "sigmoid", "softplus"}) {
      Activation phi = ActivationCatalog.parse(name);
      PhiBounds pb = PhiBounds.of(phi);
      double m2 = pb.curvature();
      double peak = name.equals("tanh") ? 0.6584789484624084 : name.equals("sigmoid") ? 1.3169578969248168 : 0;
      SplittableRandom r = new SplittableRandom(name.hashCode() + 37L);
      for (int q = 0; q < 60; q++) {
        // z within 1e-3 of the peak (either side), d of either sign with |dl| != |dh|
        double zl = peak + (q % 2 == 0 ? 1 : -1) * peak * 1e-3 * r.nextDouble() - (q % 3) * 1e-3;
        double zh = zl + Math.scalb(1 + r.nextDouble(), -8 - r.nextInt(12));
        double dl = (q % 4 < 2 ? 1 : -1) * Math.scalb(1 + r.nextDouble(), -6 - r.nextInt(8));
        double dh = dl + Math.abs(dl) * (q % 4 == 0 ? 3 : 0.5) * r.nextDouble();
        double[] range = pb.differenceRange(zl, zh, dl, dh);
        double zc = zl + (zh - zl) / 2;
        DD lo = null;
        DD hi = null;
        for (int i = 0; i <= 8; i++) {
          double z = i == 8 ? zh : i == 4 ? zc : zl + (zh - zl) * i / 8;
          for (double d : new double[] {dl, dh, dl + (dh - dl) / 3}) {
            DD v = ExactStepsTest.phi(phi, DD.of(z).add(d)).subtract(ExactStepsTest.phi(phi, DD.of(z)));
            lo = lo == null || v.subtract(lo).hi() < 0 ? v : lo;
            hi = hi == null || v.subtract(hi).hi() > 0 ? v : hi;
          }
        }
        String what = name + " z in [" + zl + ", " + zh + "], d in [" + dl + ", " + dh + "]: "
            + PhiBoundsExactTest.show(range) + " vs [" + lo.doubleValue() + ", " + hi.doubleValue() + "]";
        assertThat(lo.subtract(range[0]).hi()).as(what + ": lower end").isGreaterThanOrEqualTo(0);
        assertThat(DD.of(range[1]).subtract(hi).hi()).as(what + ": upper end").isGreaterThanOrEqualTo(0);
        double e = m2 * Math.max(Math.abs(dl), Math.abs(dh)) * (zh - zl) / 2;
        // softplus's values carry their evaluation slack 2^-40 (1 + |phi|) each
        double tol = name.equals("softplus") ? 1e-11 : 1e-15;
        assertThat(range[1] - range[0]).as(what + ": width").isLessThanOrEqualTo(
            hi.subtract(lo).doubleValue() + 2 * e * (1 + 1e-6) + tol);
      }
    }
  }
}
