package dev.ticketproof.kernel.lemma;

import dev.ticketproof.kernel.KernelActivation;
/**
 * A claim of the [identity] lemma for the general class (one-sided slopes m-, m+ at 0 with
 * \( \sigma = m_+ + m_- \ne 0 \) and \( |\phi(s) - \phi(0) - m_\pm s| \le M |s|^p \) for \( |s| \le r \)), with two
 * units of input weights \( \lambda \) and \( -\lambda \): \( u(t) = \) {@code readout}
 * \( \cdot (\phi(\lambda t) - \phi(-\lambda t)) \) satisfies \( |u(t) - t| \le \) {@code bound} for all
 * \( |t| \le B \). phi(0) cancels exactly, so no bias is needed. Since
 * \( \phi(\lambda t) - \phi(-\lambda t) = \sigma \lambda t + R(\lambda t) - R(-\lambda t) \), with
 * \( \kappa = \) readout \( \lambda \sigma \) the bound is
 * \[ |\kappa - 1| B + 2 |\text{readout}| M \lambda^p B^p , \]
 * which for readout = 1/(lambda sigma) is \( 2 M \lambda^{p-1} B^p / |\sigma| \) plus a rounding term (and 0 up to
 * rounding for ReLU-like phi).
 *
 * @param activation the catalog name of a family {@link KernelActivation} knows
 * @param slopeMinus m-
 * @param slopePlus m+
 * @param remainderConstant M
 * @param remainderPower p (2 or 3)
 * @param remainderRadius r
 * @param lambda input scale, &gt; 0
 * @param inputBound B, &ge; 0
 * @param readout the readout weight 1/(lambda sigma) of the first unit (the second has -readout)
 * @param bound the claimed uniform error bound on |t| &le; B
 */
public record SymmetricLinearisationCertificate(String activation, double slopeMinus, double slopePlus,
    double remainderConstant, int remainderPower, double remainderRadius, double lambda, double inputBound,
    double readout, double bound) {
  /** A copy with another lambda (for tamper tests). */
  public SymmetricLinearisationCertificate withLambda(double newLambda) {
    return new SymmetricLinearisationCertificate(activation, slopeMinus, slopePlus, remainderConstant,
        remainderPower, remainderRadius, newLambda, inputBound, readout, bound);
  }

  /** A copy with another claimed bound. */
  public SymmetricLinearisationCertificate withBound(double newBound) {
    return new SymmetricLinearisationCertificate(activation, slopeMinus, slopePlus, remainderConstant,
        remainderPower, remainderRadius, lambda, inputBound, readout, newBound);
  }

  /** A copy with another activation and local model. */
  public SymmetricLinearisationCertificate withModel(String name, double newMinus, double newPlus, double newM) {
    return new SymmetricLinearisationCertificate(name, newMinus, newPlus, newM, remainderPower, remainderRadius,
        lambda, inputBound, readout, bound);
  }
}
