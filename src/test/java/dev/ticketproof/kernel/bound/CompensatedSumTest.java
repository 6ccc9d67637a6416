package dev.ticketproof.kernel.bound;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The compensated sums of the differential bound's interval maps at points ({@code Pass#addProduct},
 * {@code addCentre}, and Sum2's {@code twoSumError}): against the exact sums in {@link BigDecimal}, on sums whose
 * terms cancel to a small fraction of their magnitudes (as an instance's kept weights against its target weight).
 */
class CompensatedSumTest {
  @Test
  void twoSumErrorIsTheExactRoundingError() {
    SplittableRandom r = new SplittableRandom(3);
    for (int q = 0; q < 10_000; q++) {
      double a = Math.scalb(r.nextDouble(-1, 1), r.nextInt(-60, 60));
      double b = Math.scalb(r.nextDouble(-1, 1), r.nextInt(-60, 60));
      BigDecimal exact = new BigDecimal(a).add(new BigDecimal(b));
      assertThat(new BigDecimal(a + b).add(new BigDecimal(DifferentialBound.Pass.twoSumError(a, b))))
          .isEqualByComparingTo(exact);
    }
  }

  /**
   * Sums of n products w x that cancel: the compensated centre is within 2^-52 |c| + 16 gamma(n)^2 of the terms'
   * magnitudes of the exact sum (the bound the source convs fold in), and on some of them recursive summation is
   * not (so the comparison can fail).
   */
  @Test
  void compensatedCentresAreWithinTheirBoundWhereRecursiveSummationIsNot() {
    SplittableRandom r = new SplittableRandom(5);
    int recursiveOutside = 0;
    for (int q = 0; q < 2_000; q++) {
      int n = 2 + r.nextInt(600);
      FormMap comp = new FormMap(1, 1, 1, 1, 1, 0, 0, 1, 1, 1, false, false);
      comp.low = new double[1];
      FormMap plain = new FormMap(1, 1, 1, 1, 1, 0, 0, 1, 1, 1, false, false);
      BigDecimal exact = BigDecimal.ZERO;
      double scale = 0;
      double target = r.nextDouble(-3, 3);
      for (int k = 0; k < n; k++) {
        // n - 1 random products, then the target with the opposite sign, and a tiny remainder
        double w = k < n - 1 ? r.nextDouble(-5, 5) : -1;
        double x = k < n - 1 ? r.nextDouble(-5, 5) : exact.doubleValue() + 1e-9 * target;
        if (k % 7 == 3) DifferentialBound.Pass.addCentre(comp, 0, w);
        else DifferentialBound.Pass.addProduct(comp, 0, w, x);
        plain.c[0] += k % 7 == 3 ? w : w * x;
        BigDecimal term = k % 7 == 3 ? new BigDecimal(w) : new BigDecimal(w).multiply(new BigDecimal(x));
        exact = exact.add(term);
        scale += Math.abs(term.doubleValue());
      }
      double g = Rounding.gamma(n);
      double c = comp.c[0] + comp.low[0];
      BigDecimal bound = new BigDecimal(0x1p-52 * Math.abs(c) + 16 * g * g * scale);
      assertThat(new BigDecimal(c).subtract(exact).abs()).as("n %s", n).isLessThanOrEqualTo(bound);
      if (new BigDecimal(plain.c[0]).subtract(exact).abs().compareTo(bound) > 0) recursiveOutside++;
    }
    assertThat(recursiveOutside).isGreaterThan(100);
  }
}
