package dev.ticketproof.random;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.commons.statistics.inference.ChiSquareTest;
import org.apache.commons.statistics.inference.KolmogorovSmirnovTest;
import org.apache.commons.statistics.inference.SignificanceResult;
import org.junit.jupiter.api.Test;

/**
 * The weight field is a pure function, uniform, and independent across streams and along index progressions (the
 * layout of one subset-sum instance's base set). Fixed seeds; each test fails only when its p-value is below 1e-6.
 */
class WeightFieldTest {
  static final double ALPHA = 1e-6;

  @Test
  void isAPureFunctionOfItsArguments() {
    for (long i = 0; i < 1000; i++) {
      assertThat(WeightField.u01(7, 3, i)).isEqualTo(WeightField.u01(7, 3, i));
      assertThat(WeightField.u01(7, 3, i)).isNotEqualTo(WeightField.u01(8, 3, i));
      double u = WeightField.uniform(7, 3, i, -2, 2);
      assertThat(u).isBetween(-2.0, 2.0).isEqualTo(new Uniform(-2, 2).value(7, 3, i));
    }
  }

  /** The chain as documented: seed, stream and index absorbed in turn, each after a full avalanche. */
  private static long chain(long seed, long stream, long index) {
    long golden = 0x9E3779B97F4A7C15L;
    long z = mix(seed + golden);
    z = mix(z ^ (stream * golden + 0x632BE59BD9B4E019L));
    z = mix(z ^ (index * 0xD1B54A32D192ED03L + golden));
    return mix(z + golden);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Test
  void aStreamsKeyGivesItsDrawsBitForBit() {
    for (long k = 0; k < 2000; k++) {
      long seed = k * 0x5DEECE66DL - 7;
      long stream = (k % 13) * 4 - 4;
      long index = k * k * 31 + (k << 40);
      assertThat(WeightField.bits(seed, stream, index)).isEqualTo(chain(seed, stream, index));
      double lo = -0.25 * (k % 5 + 1);
      assertThat(WeightField.uniformIn(WeightField.streamKey(seed, stream), index, lo, -lo))
          .isEqualTo(lo + (-lo - lo) * ((chain(seed, stream, index) >>> 11) * 0x1.0p-53))
          .isEqualTo(WeightField.uniform(seed, stream, index, lo, -lo));
    }
  }

  @Test
  void drawsAreUniform() {
    int n = 200_000;
    double[] x = new double[n];
    long[] bins = new long[100];
    for (int i = 0; i < n; i++) {
      x[i] = WeightField.u01(1, 5, i);
      bins[(int) (x[i] * 100)]++;
    }
    double ks = KolmogorovSmirnovTest.withDefaults().test(x, u -> Math.min(1, Math.max(0, u))).getPValue();
    double chi = ChiSquareTest.withDefaults().test(bins).getPValue();
    assertThat(ks).as("KS p-value, seed 1 stream 5, n=%d", n).isGreaterThan(ALPHA);
    assertThat(chi).as("chi-square p-value, 100 bins, seed 1 stream 5, n=%d", n).isGreaterThan(ALPHA);
  }

  @Test
  void streamsAndIndexProgressionsAreIndependent() {
    // contingency tables of (decile of draw A, decile of draw B) for pairs that a source network uses together
    long[][] streams = new long[10][10];
    long[][] stride = new long[10][10];
    long[][] seeds = new long[10][10];
    for (long i = 0; i < 100_000; i++) {
      streams[decile(WeightField.u01(1, 4, i))][decile(WeightField.u01(1, 8, i))]++;
      stride[decile(WeightField.u01(1, 4, 9 * i))][decile(WeightField.u01(1, 4, 9 * i + 9))]++;
      seeds[decile(WeightField.u01(1, 4, i))][decile(WeightField.u01(2, 4, i))]++;
    }
    for (long[][] t : new long[][][] {streams, stride, seeds}) {
      SignificanceResult r = ChiSquareTest.withDefaults().test(t);
      assertThat(r.getPValue()).as("chi-square independence p-value (seed 1)").isGreaterThan(ALPHA);
    }
  }

  @Test
  void signsOfABaseSetAreNotClustered() {
    // 25 draws 9 indices apart (one instance's base set): extreme sign counts (<= 4 or >= 21 positive) have
    // probability 2 * P(Bin(25, 1/2) <= 4) = 9.1e-4
    int trials = 40_000;
    int extreme = 0;
    for (int t = 0; t < trials; t++) {
      int pos = 0;
      for (int m = 0; m < 25; m++) if (WeightField.uniform(1, 12, 225L * t + 9L * m, -1, 1) > 0) pos++;
      if (pos <= 4 || pos >= 21) extreme++;
    }
    var ci = org.apache.commons.statistics.interval.BinomialConfidenceInterval.CLOPPER_PEARSON
        .fromErrorRate(trials, extreme, ALPHA);
    assertThat(ci.getLowerBound()).as("extreme base sets %d / %d (seed 1)", extreme, trials)
        .isLessThanOrEqualTo(9.1e-4);
    assertThat(ci.getUpperBound()).as("extreme base sets %d / %d (seed 1)", extreme, trials)
        .isGreaterThanOrEqualTo(9.1e-4);
  }

  static int decile(double u) { return (int) (u * 10); }
}
