package dev.ticketproof.subsetsum;

import dev.ticketproof.kernel.lemma.SubsetSumCertificate;
import dev.ticketproof.random.Distribution;
import dev.ticketproof.random.Uniform;
import dev.ticketproof.random.UniformProduct;
import dev.ticketproof.random.WeightField;

/**
 * Reproducible random instances for experiments: trial t uses the base set
 * {@code distribution.value(seed, t, i)}, {@code 0 <= i < n} (stream t of the weight field) and the target
 * {@code z_t = U(-1,1).value(seed, TARGET_STREAM, t)}. Every instance is a pure function of (seed, t), so results
 * do not depend on the number of threads.
 */
public final class BaseSets {
  /** The weight-field stream holding the targets. */
  public static final long TARGET_STREAM = -1L;
  private static final Uniform UNIT = Uniform.symmetric(1);

  private BaseSets() {}

  /** The candidate distribution: U(-1,1), or W V with W ~ U(-2,2), V ~ U(-1,1) when {@code products}. */
  public static Distribution distribution(boolean products) {
    return products ? UniformProduct.standard() : UNIT;
  }

  /** Writes the base set of trial t into {@code out[0..n)}. */
  public static void fill(long seed, long trial, Distribution d, double[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = d.value(seed, trial, i);
    }
  }

  /** The base set of trial t as a certificate base (regenerable by the kernel). */
  public static SubsetSumCertificate.Generated generated(long seed, long trial, int n, boolean products) {
    return new SubsetSumCertificate.Generated(seed, trial, 0L, n, distribution(products));
  }

  /** The target of trial t, uniform on [-1, 1). */
  public static double target(long seed, long trial) {
    return WeightField.uniform(seed, TARGET_STREAM, trial, -1, 1);
  }
}
