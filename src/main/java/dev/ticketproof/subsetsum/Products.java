package dev.ticketproof.subsetsum;

/**
 * [subset-sum-products]: the law of \( X = W V \) with \( W \sim U(-2,2) \), \( V \sim U(-1,1) \) independent
 * (see {@link dev.ticketproof.random.UniformProduct#standard()}).
 *
 * <p>Density \( f(x) = \frac14 \ln(2/|x|) \) on \( [-2, 2] \); \( P(|X| \le t) = \frac t2 (1 + \ln(2/t)) \) for
 * \( 0 < t \le 2 \). Since \( f \ge \frac14 \ln 2 \) on \( [-1, 1] \), X is the mixture
 * \( q\,U[-1,1] + (1-q)\,R \) with \( q = \frac{\ln 2}{2} \approx 0.3466 \) ({@link #MIXTURE_WEIGHT}) and a residual
 * law R of density \( (f(x) - \frac q2 1_{|x| \le 1}) / (1 - q) \ge 0 \).
 */
public final class Products {
  /** \( q = (\ln 2)/2 \): the weight of the exact U[-1,1] component. */
  public static final double MIXTURE_WEIGHT = Math.log(2) / 2;

  private Products() {}

  /** The density \( \frac14 \ln(2/|x|) \) for \( 0 < |x| \le 2 \), 0 for \( |x| > 2 \), \( +\infty \) at 0. */
  public static double density(double x) {
    double a = Math.abs(x);
    if (a > 2) return 0;
    return 0.25 * Math.log(2 / a);
  }

  /** \( P(|X| \le t) = \frac t2 (1 + \ln(2/t)) \), clamped to [0, 1] outside \( (0, 2] \). */
  public static double absCdf(double t) {
    if (!(t > 0)) return 0;
    if (t >= 2) return 1;
    return 0.5 * t * (1 + Math.log(2 / t));
  }

  /** \( P(X \le x) = \frac12 + \operatorname{sign}(x) \frac12 P(|X| \le |x|) \). */
  public static double cdf(double x) {
    return 0.5 + Math.signum(x) * 0.5 * absCdf(Math.abs(x));
  }

  /** The residual density \( (f(x) - \frac q2 1_{|x| \le 1}) / (1 - q) \) of the mixture (non-negative). */
  public static double residualDensity(double x) {
    double u = Math.abs(x) <= 1 ? MIXTURE_WEIGHT / 2 : 0;
    return (density(x) - u) / (1 - MIXTURE_WEIGHT);
  }
}
