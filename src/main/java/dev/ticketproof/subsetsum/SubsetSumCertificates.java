package dev.ticketproof.subsetsum;

import dev.ticketproof.kernel.lemma.SubsetSumCertificate;
import dev.ticketproof.kernel.lemma.SubsetSumChecker;

/** Produces kernel certificates for solved subset-sum instances. */
public final class SubsetSumCertificates {
  private SubsetSumCertificates() {}

  /**
   * Solves an instance and records the claim
   * \( |z - \sum_S x_i| \le e \le \varepsilon \), where \( e \) is the smallest double not below the exact error.
   * When no subset is within eps the certificate carries the optimal subset and its error, and the kernel will
   * reject it (claimed error above the tolerance): that is the truthful outcome.
   *
   * @param base the base set (explicit or generated)
   * @param target the target, finite
   * @param eps tolerance, finite and {@code > 0}
   * @param mode solver strategy
   * @return the certificate
   */
  public static SubsetSumCertificate certify(SubsetSumCertificate.BaseSet base, double target, double eps,
      SubsetSum.Mode mode) {
    double[] x = base.values();
    SubsetSum.Solution s = SubsetSum.solve(x, target, eps, mode);
    int[] idx = s.indices();
    return new SubsetSumCertificate(base, target, idx, SubsetSumChecker.errorUpperBound(x, idx, target), eps);
  }
}
