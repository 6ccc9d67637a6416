package dev.ticketproof.kernel.lemma;

import dev.ticketproof.kernel.KernelActivation;
/**
 * A claim of the [identity] lemma for a smooth activation with \( \phi'(0) = m \ne 0 \) (linearisation): the unit
 * \( u(t) = \) {@code readout} \( \cdot\, \phi(\lambda t) + \) {@code bias} satisfies \( |u(t) - t| \le \)
 * {@code bound} for all \( |t| \le B \) = {@code inputBound}. With \( \kappa = \) readout \( \lambda m \) and
 * \( \beta = \) bias + readout phi0 (both 0 up to rounding when readout = 1/(lambda m) and bias = -phi0/(lambda m)),
 * the bound is
 * \[ |\kappa - 1| B + |\text{readout}| (M \lambda^p B^p + \delta_0) + |\beta| , \]
 * where \( |\phi(s) - \phi(0) - m s| \le M |s|^p \) for \( |s| \le r \) (needs \( \lambda B \le r \)) and
 * \( \delta_0 \) bounds the rounding of phi0. For readout = 1/(lambda m) this is \( M \lambda^{p-1} B^p/|m| \)
 * plus rounding terms.
 *
 * @param activation the catalog name of a family {@link KernelActivation} knows
 * @param phi0 phi(0) as used for the bias
 * @param slope m = phi'(0)
 * @param remainderConstant M
 * @param remainderPower p (2 or 3)
 * @param remainderRadius r
 * @param lambda the input scale, &gt; 0
 * @param inputBound B, &ge; 0
 * @param readout the readout weight (1/(lambda m))
 * @param bias the bias of the next layer (-phi0/(lambda m))
 * @param bound the claimed uniform error bound on |t| &le; B
 */
public record LinearisationCertificate(String activation, double phi0, double slope, double remainderConstant,
    int remainderPower, double remainderRadius, double lambda, double inputBound, double readout, double bias,
    double bound) {
  /** A copy with another lambda (for tamper tests). */
  public LinearisationCertificate withLambda(double newLambda) {
    return new LinearisationCertificate(activation, phi0, slope, remainderConstant, remainderPower, remainderRadius,
        newLambda, inputBound, readout, bias, bound);
  }

  /** A copy with another claimed bound. */
  public LinearisationCertificate withBound(double newBound) {
    return new LinearisationCertificate(activation, phi0, slope, remainderConstant, remainderPower, remainderRadius,
        lambda, inputBound, readout, bias, newBound);
  }

  /** A copy with other local-model constants. */
  public LinearisationCertificate withConstants(String name, double newPhi0, double newSlope, double newM, int newP) {
    return new LinearisationCertificate(name, newPhi0, newSlope, newM, newP, remainderRadius, lambda, inputBound,
        readout, bias, bound);
  }

  /** A copy with another readout and bias. */
  public LinearisationCertificate withReadout(double newReadout, double newBias) {
    return new LinearisationCertificate(activation, phi0, slope, remainderConstant, remainderPower, remainderRadius,
        lambda, inputBound, newReadout, newBias, bound);
  }
}
