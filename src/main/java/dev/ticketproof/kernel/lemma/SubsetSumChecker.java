package dev.ticketproof.kernel.lemma;

import dev.ticketproof.kernel.Verdict;
import dev.ticketproof.random.Uniform;
import dev.ticketproof.random.UniformProduct;
import java.math.BigDecimal;

/**
 * Checks a {@link SubsetSumCertificate} from scratch.
 *
 * <p>The whole check: (1) obtain the base values (regenerate them from the weight field for a generated base set)
 * and require them finite; (2) require the indices strictly ascending and inside {@code [0, n)} (this excludes
 * duplicates); (3) require target, claimed error and tolerance finite, claimed error and tolerance non-negative;
 * (4) compute \( e = |z - \sum_{i \in S} x_i| \) EXACTLY: every finite double is a dyadic rational, so
 * {@link BigDecimal#BigDecimal(double)} represents it without rounding and the sum and difference are exact;
 * (5) hold iff \( e \le \) claimedError \( \le \) tolerance. Nothing here calls construction or solver code; a
 * generated base set is regenerated only through {@code random.Uniform} or {@code random.UniformProduct} (a
 * producer-supplied {@code Distribution} implementation is rejected), with at most {@link #MAX_GENERATED} values.
 */
public final class SubsetSumChecker {
  /** Largest generated base set the checker regenerates. */
  public static final int MAX_GENERATED = 1 << 24;

  private SubsetSumChecker() {}

  /**
   * The kernel's verdict on a subset-sum certificate.
   *
   * @param c the certificate. Not modified.
   * @return "holds", or "rejected" with the first reason found
   */
  public static Verdict check(SubsetSumCertificate c) {
    if (c == null || c.base() == null || c.indices() == null) {
      return Verdict.rejected("incomplete certificate: " + c);
    }
    if (c.base() instanceof SubsetSumCertificate.Generated g) {
      // regenerate only with the weight field's own distributions, never with code supplied by the producer
      if (!(g.distribution() instanceof Uniform || g.distribution() instanceof UniformProduct)) {
        return Verdict.rejected("base-set distribution must be random.Uniform or random.UniformProduct, got "
            + (g.distribution() == null ? "null" : g.distribution().getClass().getName()));
      }
      if (g.n() < 0 || g.n() > MAX_GENERATED) {
        return Verdict.rejected("generated base-set size must be in [0, " + MAX_GENERATED + "], got " + g.n());
      }
    }
    double[] x;
    try {
      x = c.base().values();
    } catch (IllegalArgumentException e) {
      return Verdict.rejected("base set cannot be generated: " + e.getMessage());
    }
    if (x == null) {
      return Verdict.rejected("base set has no values");
    }
    for (int i = 0; i < x.length; i++) {
      if (!Double.isFinite(x[i])) {
        return Verdict.rejected("base value " + i + " is not finite: " + x[i]);
      }
    }
    int[] s = c.indices();
    for (int k = 0; k < s.length; k++) {
      if (s[k] < 0 || s[k] >= x.length) {
        return Verdict.rejected("index " + s[k] + " at position " + k + " is outside [0, " + x.length + ")");
      }
      if (k > 0 && s[k] <= s[k - 1]) {
        return Verdict.rejected("indices are not strictly ascending at position " + k + ": " + s[k - 1] + ", " + s[k]
            + (s[k] == s[k - 1] ? " (duplicate)" : ""));
      }
    }
    if (!Double.isFinite(c.target())) {
      return Verdict.rejected("target is not finite: " + c.target());
    }
    if (!(c.claimedError() >= 0 && c.claimedError() < Double.POSITIVE_INFINITY)) {
      return Verdict.rejected("claimed error must be finite and >= 0, got " + c.claimedError());
    }
    if (!(c.tolerance() >= 0 && c.tolerance() < Double.POSITIVE_INFINITY)) {
      return Verdict.rejected("tolerance must be finite and >= 0, got " + c.tolerance());
    }
    BigDecimal err = exactError(x, s, c.target());
    if (err.compareTo(new BigDecimal(c.claimedError())) > 0) {
      return Verdict.rejected("exact error " + err.doubleValue() + " exceeds the claimed error " + c.claimedError());
    }
    if (c.claimedError() > c.tolerance()) {
      return Verdict.rejected("claimed error " + c.claimedError() + " exceeds the tolerance " + c.tolerance());
    }
    return Verdict.holds();
  }

  /**
   * The exact error \( |z - \sum_{i \in S} x_i| \) as a decimal (no rounding anywhere).
   *
   * @param x finite base values. Not modified.
   * @param indices indices into x. Not modified.
   * @param target finite target
   * @return the exact absolute difference
   */
  public static BigDecimal exactError(double[] x, int[] indices, double target) {
    BigDecimal sum = new BigDecimal(target).negate();
    for (int i : indices) {
      sum = sum.add(new BigDecimal(x[i]));
    }
    return sum.abs();
  }

  /**
   * The smallest double that is {@code >=} the exact error: the tightest claimed error that the checker accepts.
   */
  public static double errorUpperBound(double[] x, int[] indices, double target) {
    BigDecimal e = exactError(x, indices, target);
    double d = e.doubleValue();
    if (new BigDecimal(d).compareTo(e) < 0) {
      d = Math.nextUp(d);
    }
    return d;
  }
}
