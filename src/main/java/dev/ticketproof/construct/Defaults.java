package dev.ticketproof.construct;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TicketCertificate;

/**
 * The construction's default parameters, shared by the command line and the library: choices of the construction,
 * not part of the source network's definition (the kernel checks whatever parameters a certificate names).
 */
public final class Defaults {
  private Defaults() {}

  /**
   * The default lambda for inputs in [-1, 1]: for piecewise-linear phi (zero remainder) 1, at most a quarter of the
   * radius of its exact local model (hardtanh(-1, 1): 1/4, so that copies 2 lambda x of inputs |x| &lt;= 2 stay
   * exact); else 0.05.
   */
  public static double lambda(Activation phi) { return lambda(phi, 1); }

  /**
   * The default lambda for inputs of at most {@code inputBound} in absolute value: the first univariate layer's
   * copies take w x with |w| &lt;= 2 lambda, so they see what copies of inputs in [-1, 1] see at lambda B, and the
   * default is that of [-1, 1] divided by B when B &gt; 1 (0.05 / B for phi with a remainder, whose linearisation's
   * error grows as lambda |x|^p; for piecewise-linear phi 1, or a quarter of the exact local model's radius for
   * inputs up to 2 and r / (2 B) beyond). Raw tabular features up to 5,182 in a SiLU MLP: from 0.05 the ticket was
   * 2,237 % off on the data after six builds, from 0.05 / B 0.35 %. For phi with a remainder this is the largest
   * lambda an output goal's build uses: {@code api.Tickets} calibrates the first build's below it
   * ({@link dev.ticketproof.measure.Goals#calibrateLambda}).
   */
  public static double lambda(Activation phi, double inputBound) {
    double b = inputBound > 1 ? inputBound : 1;
    return phi.remainderConstant() == 0 ? Math.min(1.0, phi.remainderRadius() / (2 * Math.max(2, b))) : 0.05 / b;
  }

  /**
   * The default first-layer width for inputs in [inputLow, ...]: rho when they are non-negative (no sign split is
   * needed), else {@link SourceNetwork#defaultRho1(Activation, int)}.
   */
  public static int rho1(Activation phi, int rho, double inputLow) {
    return inputLow >= 0 ? rho : SourceNetwork.defaultRho1(phi, rho);
  }

  /**
   * The parameters with the defaults of the command line: width {@code rho}, the first layer's width and the input
   * scale chosen for phi ({@link #rho1}, {@link #lambda}), seed 1, every layer constructed, the box [-1, 1].
   *
   * @return the parameters (the record's constructor takes others)
   */
  public static SourceNetwork.Params params(SourceNetwork.Construction construction, int rho, Activation phi) {
    return new SourceNetwork.Params(construction, rho, rho1(phi, rho, -1), lambda(phi), 1, null, -1, 1, null,
        TicketCertificate.VERSION);
  }
}
