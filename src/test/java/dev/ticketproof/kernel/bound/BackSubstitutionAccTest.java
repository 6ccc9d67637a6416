package dev.ticketproof.kernel.bound;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/**
 * The back-substitution's accumulator of one output ({@code BackSubstitution.Acc}) on hand-made forms: each
 * coefficient lands on its input coordinate (the window's origin, padding, channels, an absolute map), and the bound
 * covers the exact real sums even where every floating-point sum cancels to 0. At a point the forms where the
 * substitutions end have no coefficients, so the tests on networks at points do not reach this code.
 */
class BackSubstitutionAccTest {
  private static final double U = Math.ulp(1.0) / 2;

  /** A map of one unit, 2x2 neurons, windows of 3x3 pixels of one channel at stride 2 and padding 1. */
  private static FormMap strided() {
    FormMap m = new FormMap(1, 2, 2, 2, 2, 1, 1, 3, 3, 1, false, true);
    for (int n = 0; n < 4; n++) {
      for (int k = 0; k < 9; k++) m.coef[n * 9 + k] = 1 + k + 10 * n;
    }
    return m;
  }

  @Test
  void eachCoefficientLandsOnItsInputPixel() {
    // neuron (0, 0): window origin (-1, -1), so only its taps (1..2, 1..2) are inside the 4x4 image
    BackSubstitution.Acc acc = new BackSubstitution.Acc(1, 4, 4);
    acc.form(strided(), 0, 2);
    double[] want = new double[16];
    want[0] = 2 * 5;
    want[1] = 2 * 6;
    want[4] = 2 * 8;
    want[5] = 2 * 9;
    assertThat(acc.a).containsExactly(want);
    assertThat(acc.aMass).containsExactly(want);
    // neuron (1, 1): origin (1, 1), its whole window rows and columns 1 to 3
    BackSubstitution.Acc last = new BackSubstitution.Acc(1, 4, 4);
    last.form(strided(), 3, -1);
    double[] w = new double[16];
    for (int dy = 0; dy < 3; dy++) {
      for (int dx = 0; dx < 3; dx++) w[(1 + dy) * 4 + 1 + dx] = -(31 + dy * 3 + dx);
    }
    assertThat(last.a).containsExactly(w);
    // neuron (0, 1): origin (-1, 1), rows 0..1 and columns 1..3
    BackSubstitution.Acc right = new BackSubstitution.Acc(1, 4, 4);
    right.form(strided(), 1, 1);
    double[] r = new double[16];
    for (int dy = 1; dy < 3; dy++) {
      for (int dx = 0; dx < 3; dx++) r[(dy - 1) * 4 + 1 + dx] = 11 + dy * 3 + dx;
    }
    assertThat(right.a).containsExactly(r);
  }

  @Test
  void anAbsoluteMapOfTwoChannelsCoversTheWholeImage() {
    FormMap m = new FormMap(3, 1, 1, 1, 1, 0, 0, 2, 3, 2, true, true);
    for (int k = 0; k < m.coef.length; k++) m.coef[k] = k % 2 == 0 ? k : -k;
    m.c[2] = 0.5;
    m.r[2] = 0.25;
    BackSubstitution.Acc acc = new BackSubstitution.Acc(2, 2, 3);
    acc.form(m, 2, 3);
    acc.form(m, 1, -1);
    double[] want = new double[12];
    double[] mass = new double[12];
    for (int z = 0; z < 12; z++) {
      want[z] = 3 * m.coef[24 + z] - m.coef[12 + z];
      mass[z] = Math.abs(3 * m.coef[24 + z]) + Math.abs(m.coef[12 + z]);
    }
    assertThat(acc.a).containsExactly(want);
    assertThat(acc.aMass).containsExactly(mass);
    assertThat(acc.c).isEqualTo(1.5);
    assertThat(acc.r).isEqualTo(0.75);
    assertThat(acc.terms).isEqualTo(2);
    double exact = 1.5 + 0.75;
    for (double v : want) exact += Math.abs(v);
    // the sum rounded up by 2^-30 relative (Rounding.up), and a slack of a few ulps of the magnitudes
    assertThat(acc.bound()).isGreaterThanOrEqualTo(exact).isLessThan(exact * (1 + 2e-9));
  }

  /** The centre 1e16 + 1 - 1e16 and a coefficient of the same sum: both 0 in floating point, 1 in the reals. */
  @Test
  void theBoundCoversTheRealSumsWhereTheFloatingPointSumsCancel() {
    BackSubstitution.Acc centre = new BackSubstitution.Acc(1, 1, 1);
    centre.constant(1, 1e16, 0);
    centre.constant(1, 1, 0);
    centre.constant(1, -1e16, 0);
    assertThat(centre.c).isZero();
    BigDecimal exact = new BigDecimal(1e16).add(BigDecimal.ONE).subtract(new BigDecimal(1e16));
    assertThat(centre.bound()).isGreaterThanOrEqualTo(exact.doubleValue());

    FormMap m = new FormMap(3, 1, 1, 1, 1, 0, 0, 1, 1, 1, false, true);
    m.coef[0] = 1e16;
    m.coef[1] = 1;
    m.coef[2] = -1e16;
    BackSubstitution.Acc form = new BackSubstitution.Acc(1, 1, 1);
    for (int n = 0; n < 3; n++) form.form(m, n, 1);
    assertThat(form.a[0]).isZero();
    assertThat(form.bound()).isGreaterThanOrEqualTo(1);

    BackSubstitution.Acc radius = new BackSubstitution.Acc(1, 1, 1);
    radius.constant(-2, 0, 1e16);
    radius.constant(1, 0, 1);
    assertThat(radius.bound()).isGreaterThanOrEqualTo(2e16 + 1);

    BackSubstitution.Acc centres = new BackSubstitution.Acc(1, 1, 1);
    FormMap c = new FormMap(3, 1, 1, 1, 1, 0, 0, 1, 1, 1, false, true);
    c.c[0] = 1e16;
    c.c[1] = 1;
    c.c[2] = -1e16;
    for (int n = 0; n < 3; n++) centres.form(c, n, 1);
    assertThat(centres.c).isZero();
    assertThat(centres.bound()).isGreaterThanOrEqualTo(1);
  }

  /**
   * 2^54, then 100 times 2, then -2^54: each 2 is lost (2^54 + 2 rounds to 2^54), so the computed centre is 0 and
   * the real one 200. Only gamma of all 102 terms covers it: the slack of one sum is 8.
   */
  @Test
  void theSlackCountsEveryTerm() {
    BackSubstitution.Acc acc = new BackSubstitution.Acc(1, 1, 1);
    acc.constant(1, 0x1p54, 0);
    for (int i = 0; i < 100; i++) acc.constant(1, 2, 0);
    acc.constant(1, -0x1p54, 0);
    assertThat(acc.c).isZero();
    assertThat(acc.bound()).isGreaterThanOrEqualTo(200);
  }

  /**
   * A radius of 2^53 and 2^24 radii of 1: each 1 is lost (2^53 + 1 rounds to 2^53), 2^24 in all, twice what rounding
   * the result up (by 2^-30 of it) adds. The slack on the radius's sum covers it.
   */
  @Test
  void theSlackCoversTheRadiusSum() {
    BackSubstitution.Acc acc = new BackSubstitution.Acc(1, 1, 1);
    acc.constant(1, 0, 0x1p53);
    int n = 1 << 24;
    for (int i = 0; i < n; i++) acc.constant(1, 0, 1);
    assertThat(acc.r).isEqualTo(0x1p53);
    assertThat(acc.bound()).isGreaterThanOrEqualTo(0x1p53 + n);
  }

  /**
   * gamma_n = n u / (1 - n u), bounded above for any count by a power of two within a factor 8 of it: the documented
   * one.
   */
  @Test
  void gammaBoundsTheRoundingOfAnyNumberOfTerms() {
    for (long n : new long[] {1, 2, 3, Rounding.MAX_TERMS - 1, Rounding.MAX_TERMS, Rounding.MAX_TERMS + 1,
        3 * Rounding.MAX_TERMS, 1L << 40, (1L << 40) + 1}) {
      double exact = n * U / (1 - n * U);
      assertThat(BackSubstitution.gamma(n)).as("gamma of " + n).isGreaterThanOrEqualTo(exact)
          .isLessThanOrEqualTo(8 * exact);
    }
    // Rounding.gamma up to its limit, then 2^(ceil(log2 n) - 51)
    assertThat(BackSubstitution.gamma(Rounding.MAX_TERMS)).isEqualTo(Rounding.gamma(Rounding.MAX_TERMS));
    assertThat(BackSubstitution.gamma(1L << 40)).isEqualTo(0x1p-11);
    assertThat(BackSubstitution.gamma((1L << 40) + 1)).isEqualTo(0x1p-10);
  }
}
