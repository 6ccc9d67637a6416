package dev.ticketproof.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The evaluations without cancellation of the smooth families ({@link KernelActivation#psi},
 * {@link KernelActivation#difference}) lie within their stated error bounds of the exact values, computed in
 * {@link BigDecimal} with 60 digits from identities without cancellation: psi(t) = c tanh(k t) and
 * D(z, d) = c sinh(k d) / (cosh(k (z + d)) cosh(k z)) with z + d exact (tanh: c = k = 1; sigmoid: c = k = 1/2).
 */
public class AccurateEvaluationTest {
  private static final MathContext MC = new MathContext(60);

  /** exp(x) by 2^20-fold range reduction, a Taylor series and squaring (relative error far below 1e-50). */
  static BigDecimal exp(BigDecimal x) {
    BigDecimal r = x.divide(BigDecimal.valueOf(1L << 20), MC);
    BigDecimal e = BigDecimal.ONE.add(expm1Series(r), MC);
    for (int i = 0; i < 20; i++) e = e.multiply(e, MC);
    return e;
  }

  /** e^x - 1 by its Taylor series, for |x| &lt; 1/2 (no cancellation). */
  static BigDecimal expm1Series(BigDecimal x) {
    BigDecimal term = x;
    BigDecimal sum = x;
    for (int k = 2; k < 80; k++) {
      term = term.multiply(x, MC).divide(BigDecimal.valueOf(k), MC);
      sum = sum.add(term, MC);
    }
    return sum;
  }

  static BigDecimal expm1(BigDecimal x) {
    return x.abs().compareTo(new BigDecimal("0.5")) < 0 ? expm1Series(x) : exp(x).subtract(BigDecimal.ONE, MC);
  }

  static BigDecimal sinh(BigDecimal x) {
    return expm1(x).subtract(expm1(x.negate()), MC).divide(BigDecimal.valueOf(2), MC);
  }

  static BigDecimal cosh(BigDecimal x) {
    return exp(x).add(exp(x.negate()), MC).divide(BigDecimal.valueOf(2), MC);
  }

  static BigDecimal tanh(BigDecimal x) {
    BigDecimal m = expm1(x.multiply(BigDecimal.valueOf(2)));
    return m.divide(m.add(BigDecimal.valueOf(2)), MC);
  }

  /** c tanh(k t), c = k. */
  public static BigDecimal psi(double k, double t) {
    return new BigDecimal(k).multiply(tanh(new BigDecimal(k).multiply(new BigDecimal(t))), MC);
  }

  /** c sinh(k d) / (cosh(k (z + d)) cosh(k z)), c = k, z + d exact. */
  public static BigDecimal difference(double k, double z, double d) {
    BigDecimal bk = new BigDecimal(k);
    BigDecimal a = bk.multiply(new BigDecimal(z).add(new BigDecimal(d)));
    BigDecimal num = bk.multiply(sinh(bk.multiply(new BigDecimal(d))), MC);
    return num.divide(cosh(a).multiply(cosh(bk.multiply(new BigDecimal(z))), MC), MC);
  }

  /** A double of magnitude 2^e, e uniform in [lo, hi], with a random sign and mantissa. */
  public static double logUniform(SplittableRandom r, int lo, int hi) {
    double v = Math.scalb(1 + r.nextDouble(), r.nextInt(lo, hi + 1));
    return r.nextBoolean() ? v : -v;
  }

  /** The error bound of psi's value v (psiUlps 2^-52 |v| + MIN_NORMAL, KernelActivation.Accurate). */
  static BigDecimal psiBound(KernelActivation k, double v) {
    return new BigDecimal(k.accuracy()[0] * 0x1p-52 * Math.abs(v)).add(new BigDecimal(Double.MIN_NORMAL));
  }

  /** The error bound of D's value v ((differenceUlps + |fl(z + d)|) 2^-52 |v| + MIN_NORMAL). */
  static BigDecimal differenceBound(KernelActivation k, double z, double d, double v) {
    BigDecimal rel = new BigDecimal(k.accuracy()[1]).add(new BigDecimal(Math.abs(z + d)));
    return rel.multiply(new BigDecimal(0x1p-52 * Math.abs(v))).add(new BigDecimal(Double.MIN_NORMAL));
  }

  @ParameterizedTest
  @ValueSource(strings = {"tanh", "sigmoid"})
  void psiIsWithinItsBoundOfTheExactValue(String name) {
    KernelActivation k = KernelActivation.of(name);
    double scale = name.equals("tanh") ? 1 : 0.5;
    SplittableRandom r = new SplittableRandom(name.hashCode());
    for (int q = 0; q < 3000; q++) {
      // tiny (down to subnormal), moderate and saturated arguments
      double t = switch (q % 3) {
        case 0 -> logUniform(r, -1074, -20);
        case 1 -> logUniform(r, -20, 6);
        default -> r.nextDouble(-30, 30);
      };
      double v = k.psi(t);
      BigDecimal err = new BigDecimal(v).subtract(psi(scale, t)).abs();
      assertThat(err).as("%s psi(%s) = %s", name, t, v).isLessThanOrEqualTo(psiBound(k, v));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tanh", "sigmoid"})
  void differenceIsWithinItsBoundOfTheExactValue(String name) {
    KernelActivation k = KernelActivation.of(name);
    double scale = name.equals("tanh") ? 1 : 0.5;
    SplittableRandom r = new SplittableRandom(31L * name.hashCode());
    for (int q = 0; q < 3000; q++) {
      // z: moderate, saturated (up to 2^8, where the rounding of z + d dominates), tiny; d: tiny to large
      double z = switch (q % 3) {
        case 0 -> r.nextDouble(-8, 8);
        case 1 -> logUniform(r, 2, 8);
        default -> logUniform(r, -1074, -10);
      };
      double d = q % 5 == 0 ? r.nextDouble(-10, 10) : logUniform(r, -1074, 1);
      double v = k.difference(z, d);
      assertThat(v).as("%s D(%s, %s)", name, z, d).isFinite();
      BigDecimal err = new BigDecimal(v).subtract(difference(scale, z, d)).abs();
      assertThat(err).as("%s D(%s, %s) = %s", name, z, d, v).isLessThanOrEqualTo(differenceBound(k, z, d, v));
    }
  }

  @Test
  void differenceIsNotCoveredWhereCoshCouldOverflowAndOtherFamiliesHaveNoFormula() {
    KernelActivation tanh = KernelActivation.of("tanh");
    assertThat(tanh.difference(800, 1e-3)).isNaN();
    assertThat(tanh.difference(-1e-3, -701)).isNaN();
    assertThat(KernelActivation.of("sigmoid").difference(1402, 1)).isNaN();
    assertThat(KernelActivation.of("sigmoid").difference(1399, 0)).isEqualTo(0.0);
    // covered up to 700 included: tanh 350 - tanh(-350) = sinh 700 / cosh^2 350, 2 up to rounding
    double v = tanh.difference(-350, 700);
    assertThat(v).isEqualTo(2.0, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(new BigDecimal(v).subtract(difference(1, -350, 700)).abs()).isLessThanOrEqualTo(
        differenceBound(tanh, -350, 700, v));
    assertThat(KernelActivation.of("sigmoid").difference(-700, 1400)).isEqualTo(1.0,
        org.assertj.core.data.Offset.offset(1e-12));
    for (String other : new String[] {"relu", "softplus", "elu(1.0)", "silu", "gelu"}) {
      KernelActivation k = KernelActivation.of(other);
      assertThat(k.psi(0.5)).as(other).isNaN();
      assertThat(k.difference(0.5, 0.25)).as(other).isNaN();
      assertThat(k.accuracy()).as(other).isNull();
    }
  }
}
