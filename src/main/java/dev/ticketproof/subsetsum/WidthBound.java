package dev.ticketproof.subsetsum;

/**
 * Width bounds of [subset-sum] and [subset-sum-products] in the paper's form.
 *
 * <p>[subset-sum] (Lueker 1998): for \( X_1, \dots, X_n \) iid U[-1,1] and \( n \ge C \ln(1/\min(\varepsilon,
 * \delta)) \), with probability at least \( 1 - \delta \) every \( z \in [-1, 1] \) is within \( \varepsilon \) of
 * a subset sum. The literature gives no explicit C; this project uses {@link #C} = 6 with the natural logarithm,
 * under the hypothesis \( \min(\varepsilon, \delta) \le 1/2 \) (for \( \varepsilon, \delta \) both close to 1 the
 * form cannot hold for any fixed C: one candidate never covers [-1, 1]). The constant is the project's own
 * (reconstructed), chosen from measurements recorded in {@code proofs/subset-sum.md}.
 *
 * <p>[subset-sum-products]: for candidates \( W V \), \( W \sim U(-2,2) \), \( V \sim U(-1,1) \), with
 * \( q = (\ln 2)/2 \):
 * \( n \ge \frac{2}{q} C \ln\frac{2}{\min(\varepsilon, \delta)} + \frac{8}{q} \ln\frac{2}{\delta} \).
 */
public final class WidthBound {
  /** The project's constant C (natural logarithm); see the class documentation. */
  public static final double C = 6.0;
  /** The hypothesis \( \min(\varepsilon, \delta) \le \) this value. */
  public static final double MAX_MIN_EPS_DELTA = 0.5;

  private WidthBound() {}

  /** \( \lceil C \ln(1/\min(\varepsilon, \delta)) \rceil \) with the project's {@link #C}. */
  public static int uniform(double eps, double delta) {
    return uniform(eps, delta, C);
  }

  /**
   * \( \lceil c \ln(1/\min(\varepsilon, \delta)) \rceil \).
   *
   * @param eps tolerance in (0, 1]
   * @param delta failure probability in (0, 1]
   * @param c constant, finite and {@code > 0}
   * @return the width, at least 1
   * @throws IllegalArgumentException outside these ranges or when \( \min(\varepsilon,\delta) > 1/2 \)
   */
  public static int uniform(double eps, double delta, double c) {
    double m = checkedMin(eps, delta, c);
    return (int) Math.max(1, Math.ceil(c * Math.log(1 / m)));
  }

  /**
   * The products width \( \lceil \frac{2}{q} C \ln\frac{2}{\min(\varepsilon,\delta)} + \frac{8}{q} \ln\frac{2}{\delta}
   * \rceil \), \( q = \) {@link Products#MIXTURE_WEIGHT}, with the project's {@link #C}.
   */
  public static int products(double eps, double delta) {
    return products(eps, delta, C);
  }

  /** The products width with constant c; same ranges as {@link #uniform(double, double, double)}. */
  public static int products(double eps, double delta, double c) {
    double m = checkedMin(eps, delta, c);
    double q = Products.MIXTURE_WEIGHT;
    return (int) Math.ceil((2 / q) * c * Math.log(2 / m) + (8 / q) * Math.log(2 / delta));
  }

  /**
   * The number of candidates that must come from the uniform component for [subset-sum] to apply:
   * \( \lceil C \ln(2/\min(\varepsilon,\delta)) \rceil \) (the products argument uses \( \delta/2 \) for each of
   * its two failure events).
   */
  public static int productsUniformPart(double eps, double delta) {
    double m = checkedMin(eps, delta, C);
    return (int) Math.ceil(C * Math.log(2 / m));
  }

  private static double checkedMin(double eps, double delta, double c) {
    if (!(eps > 0 && eps <= 1)) {
      throw new IllegalArgumentException("eps must be in (0, 1], got " + eps);
    }
    if (!(delta > 0 && delta <= 1)) {
      throw new IllegalArgumentException("delta must be in (0, 1], got " + delta);
    }
    if (!(c > 0 && c < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("C must be finite and > 0, got " + c);
    }
    double m = Math.min(eps, delta);
    if (!(m <= MAX_MIN_EPS_DELTA)) {
      throw new IllegalArgumentException("width bound needs min(eps, delta) <= " + MAX_MIN_EPS_DELTA + ", got eps="
          + eps + ", delta=" + delta);
    }
    return m;
  }
}
