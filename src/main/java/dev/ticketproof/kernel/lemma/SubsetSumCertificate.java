package dev.ticketproof.kernel.lemma;

import dev.ticketproof.random.Distribution;
import java.util.Arrays;

/**
 * A claim that a subset of a base set sums to within a tolerance of a target:
 * \( |z - \sum_{i \in S} x_i| \le \) {@code claimedError} \( \le \) {@code tolerance}.
 *
 * <p>The record only stores the claim; {@link SubsetSumChecker} decides whether it holds. Arrays are copied on the
 * way in and out.
 *
 * @param base how the base set is obtained (explicit values, or regenerated from the weight field)
 * @param target the target z
 * @param indices the chosen indices S (must be strictly ascending and inside the base set to hold)
 * @param claimedError an upper bound on \( |z - \sum_S x_i| \) claimed by the producer
 * @param tolerance the tolerance the claim must meet
 */
public record SubsetSumCertificate(BaseSet base, double target, int[] indices, double claimedError, double tolerance) {
  public SubsetSumCertificate {
    indices = indices == null ? null : indices.clone();
  }

  @Override public int[] indices() { return indices == null ? null : indices.clone(); }

  /** A copy with another target (used by tamper tests and tools). */
  public SubsetSumCertificate withTarget(double newTarget) {
    return new SubsetSumCertificate(base, newTarget, indices, claimedError, tolerance);
  }

  /** A copy with other indices. */
  public SubsetSumCertificate withIndices(int[] newIndices) {
    return new SubsetSumCertificate(base, target, newIndices, claimedError, tolerance);
  }

  /** A copy with another claimed error. */
  public SubsetSumCertificate withClaimedError(double newClaimedError) {
    return new SubsetSumCertificate(base, target, indices, newClaimedError, tolerance);
  }

  /** A copy with another base set. */
  public SubsetSumCertificate withBase(BaseSet newBase) {
    return new SubsetSumCertificate(newBase, target, indices, claimedError, tolerance);
  }

  @Override public boolean equals(Object o) {
    return o instanceof SubsetSumCertificate c && java.util.Objects.equals(base, c.base)
        && Double.compare(target, c.target) == 0 && Arrays.equals(indices, c.indices)
        && Double.compare(claimedError, c.claimedError) == 0 && Double.compare(tolerance, c.tolerance) == 0;
  }

  @Override public int hashCode() {
    return java.util.Objects.hash(base, target, claimedError, tolerance) * 31 + Arrays.hashCode(indices);
  }

  @Override public String toString() {
    return "SubsetSumCertificate[base=" + base + ", target=" + target + ", indices=" + Arrays.toString(indices)
        + ", claimedError=" + claimedError + ", tolerance=" + tolerance + "]";
  }

  /** Where the base set comes from. */
  public sealed interface BaseSet permits Values, Generated {
    /** The number of candidates. */
    int size();

    /** The candidate values (regenerated for {@link Generated}). */
    double[] values();
  }

  /**
   * An explicit base set.
   *
   * @param values the candidates (copied)
   */
  public record Values(double[] values) implements BaseSet {
    public Values {
      values = values == null ? null : values.clone();
    }

    @Override public double[] values() { return values == null ? null : values.clone(); }

    @Override public int size() { return values == null ? 0 : values.length; }

    @Override public boolean equals(Object o) { return o instanceof Values v && Arrays.equals(values, v.values); }

    @Override public int hashCode() { return Arrays.hashCode(values); }

    @Override public String toString() { return "Values" + Arrays.toString(values); }
  }

  /**
   * A base set regenerated from the weight field: candidate i is
   * {@code distribution.value(seed, stream, firstIndex + i)} for {@code 0 <= i < n}.
   *
   * @param seed the source seed
   * @param stream the stream
   * @param firstIndex index of candidate 0 inside the stream, {@code >= 0}
   * @param n number of candidates, {@code >= 0}
   * @param distribution the distribution of each candidate
   */
  public record Generated(long seed, long stream, long firstIndex, int n, Distribution distribution) implements BaseSet {
    @Override public int size() { return n; }

    @Override public double[] values() {
      if (n < 0 || firstIndex < 0 || distribution == null) {
        throw new IllegalArgumentException("generated base set needs n >= 0, firstIndex >= 0 and a distribution, got n="
            + n + ", firstIndex=" + firstIndex + ", distribution=" + distribution);
      }
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = distribution.value(seed, stream, firstIndex + i);
      }
      return v;
    }
  }
}
