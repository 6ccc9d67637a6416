package dev.ticketproof.construct;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.kernel.SourceNetwork;

/**
 * The construction's default parameters, shared by the command line and the library: choices of the construction,
 * not part of the source network's definition (the kernel checks whatever parameters a certificate names).
 */
public final class Defaults {
  private Defaults() {}

  /**
   * The default lambda: for piecewise-linear phi (zero remainder) 1, at most a quarter of the radius of its exact
   * local model (hardtanh(-1, 1): 1/4, so that copies 2 lambda x of inputs |x| &lt;= 2 stay exact); else 0.05.
   */
  public static double lambda(Activation phi) {
    return phi.remainderConstant() == 0 ? Math.min(1.0, phi.remainderRadius() / 4) : 0.05;
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
    return new SourceNetwork.Params(construction, rho, rho1(phi, rho, -1), lambda(phi), 1, null, -1, 1);
  }
}
