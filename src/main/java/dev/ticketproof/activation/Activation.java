package dev.ticketproof.activation;

/**
 * An activation function phi with the constants the lottery ticket constructions need.
 *
 * <p>Local model at 0: \( \phi(t) = \phi(0) + m_+ t^+ - m_- t^- + R(t) \) with
 * \( |R(t)| \le M |t|^p \) for \( |t| \le r \) (see {@link #remainderConstant()}, {@link #remainderPower()},
 * {@link #remainderRadius()}); \( t^+ = \max(t,0) \), \( t^- = \max(-t,0) \). The [identity] lemma needs
 * \( m_+ + m_- \ne 0 \).
 */
public interface Activation {
  /** Canonical name as accepted by the catalog parser, e.g. {@code relu}, {@code leaky-relu(0.01)}. */
  String name();

  /** phi(t). */
  double value(double t);

  /** phi'(t); at a kink, the right derivative. */
  double derivative(double t);

  /** phi(0). */
  double phi0();

  /**
   * A bound on the rounding of {@link #phi0()}: \( |\phi(0) - \) {@code phi0()} \( | \le \) {@code phi0Error()}.
   * 0 (the default) when phi(0) is a double, e.g. ulp(ln 2) for softplus.
   */
  default double phi0Error() { return 0; }

  /**
   * A bound on the rounding of the slopes: \( |m_\pm - \) {@code slopeMinus()}, {@code slopePlus()} \( | \le \)
   * {@code slopeError()}. 0 (the default) when the slopes are doubles, e.g. ulp(0.6) for Mish (m = 3/5). The local
   * model then holds with the stated slopes and \( M|t|^p + \) {@code slopeError()} \( |t| \).
   */
  default double slopeError() { return 0; }

  /** One-sided slope at 0 from the left, m-. */
  double slopeMinus();

  /** One-sided slope at 0 from the right, m+. */
  double slopePlus();

  /** A global Lipschitz constant of phi. */
  double lipschitz();

  /** M in \( |\phi(t) - \phi(0) - m_\pm t| \le M |t|^p \) for \( |t| \le r \); 0 for piecewise-linear phi. */
  double remainderConstant();

  /** The power p of the remainder bound (2 or 3). */
  int remainderPower();

  /** The radius r on which the remainder bound holds (may be infinite). */
  double remainderRadius();

  /**
   * The image of [lo, hi] under phi, as {lower, upper} with lower <= phi(t) <= upper for all t in [lo, hi].
   * Exact for monotone phi; for non-monotone phi (SiLU, GELU) accounts for the interior minimum.
   */
  double[] image(double lo, double hi);
}
