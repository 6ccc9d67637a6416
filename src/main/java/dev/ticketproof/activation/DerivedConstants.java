package dev.ticketproof.activation;

/**
 * Constants of an activation derived numerically by {@link ConstantDerivation}, to compare with the ones an
 * {@link Activation} states.
 *
 * @param phi0 phi(0) from the right piece
 * @param continuityGap |left(0) - right(0)| (0 for a continuous activation)
 * @param slopeMinus the left piece's derivative at 0 (automatic differentiation)
 * @param slopePlus the right piece's derivative at 0 (automatic differentiation)
 * @param lipschitz the numerical sup of |phi'| (grid scan plus Brent refinement, one-sided limits at 0 included)
 * @param lipschitzArgmax where that sup is attained (0 when it is a one-sided limit at 0)
 * @param remainderPower 2, or 3 when both pieces have zero second derivative at 0 (a cubic local model)
 * @param remainderConstant \( \sup_{0 < |t| \le r} |\phi(t) - \phi(0) - m_\pm t| / |t|^p \), including its limit
 *     \( |\phi^{(p)}(0^\pm)|/p! \) at 0
 * @param remainderArgmax where that sup is attained (0 when it is the limit at 0)
 * @param exactLocalModel whether all derivatives of order 2 and 3 vanish at 0 and the remainder is 0 on the grid
 */
public record DerivedConstants(double phi0, double continuityGap, double slopeMinus, double slopePlus,
    double lipschitz, double lipschitzArgmax, int remainderPower, double remainderConstant,
    double remainderArgmax, boolean exactLocalModel) {}
