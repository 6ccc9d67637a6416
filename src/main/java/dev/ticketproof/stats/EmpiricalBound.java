package dev.ticketproof.stats;

import java.util.Locale;
import org.apache.commons.statistics.interval.BinomialConfidenceInterval;
import org.apache.commons.statistics.interval.Interval;
import org.apache.commons.statistics.interval.NormalConfidenceInterval;

/**
 * Empirical checks of probabilistic bounds. A claim about the probability \( p \) of an event is compared with
 * {@code events} occurrences in {@code trials} independent trials through the Clopper-Pearson (exact binomial)
 * interval of Commons Statistics at error rate \( \alpha \le 10^{-6} \): the claim is contradicted only when the
 * whole interval lies on the wrong side of it. With fixed seeds the outcome is deterministic; at
 * \( \alpha = 10^{-6} \) a true claim is contradicted with probability at most \( 10^{-6} \) per check.
 */
public final class EmpiricalBound {
  /** The largest error rate a check may use. */
  public static final double MAX_ALPHA = 1e-6;

  /** What the claim says about the event probability \( p \) relative to the claimed value \( p_0 \). */
  public enum Direction {
    /** \( p \le p_0 \) (a failure probability bound): contradicted when the interval's lower end exceeds p0. */
    AT_MOST,
    /** \( p \ge p_0 \) (a success probability bound): contradicted when the interval's upper end is below p0. */
    AT_LEAST,
    /** \( p = p_0 \) (a reference value): contradicted when p0 lies outside the interval. */
    EQUAL
  }

  private EmpiricalBound() {}

  /**
   * Checks a claim at \( \alpha = 10^{-6} \).
   *
   * @see #check(long, long, double, Direction, double)
   */
  public static BoundVerdict check(long trials, long events, double claimed, Direction direction) {
    return check(trials, events, claimed, direction, MAX_ALPHA);
  }

  /**
   * Checks a claim about an event probability.
   *
   * @param trials number of independent trials, {@code 1 <= trials <= Integer.MAX_VALUE}
   * @param events number of trials in which the event occurred, {@code 0 <= events <= trials}
   * @param claimed the claimed probability \( p_0 \in [0, 1] \)
   * @param direction how the claim relates \( p \) to \( p_0 \)
   * @param alpha error rate of the two-sided Clopper-Pearson interval, \( 0 < \alpha \le 10^{-6} \)
   * @return the verdict with the interval
   * @throws IllegalArgumentException for arguments outside these ranges
   */
  public static BoundVerdict check(long trials, long events, double claimed, Direction direction, double alpha) {
    if (!(claimed >= 0 && claimed <= 1)) {
      throw new IllegalArgumentException("claimed probability must be in [0, 1], got " + claimed);
    }
    if (!(alpha > 0 && alpha <= MAX_ALPHA)) {
      throw new IllegalArgumentException("alpha must be in (0, 1e-6], got " + alpha);
    }
    if (direction == null) {
      throw new IllegalArgumentException("direction must not be null");
    }
    double[] ci = clopperPearson(trials, events, alpha);
    boolean contradicted;
    switch (direction) {
      case AT_MOST: contradicted = ci[0] > claimed; break;
      case AT_LEAST: contradicted = ci[1] < claimed; break;
      case EQUAL: contradicted = ci[0] > claimed || ci[1] < claimed; break;
      default: throw new AssertionError(direction);
    }
    return new BoundVerdict(trials, events, claimed, direction, alpha, ci[0], ci[1], contradicted);
  }

  /**
   * The two-sided Clopper-Pearson interval for an event probability.
   *
   * @param trials {@code 1 <= trials <= Integer.MAX_VALUE}
   * @param events {@code 0 <= events <= trials}
   * @param alpha error rate in (0, 1)
   * @return {lower, upper}
   */
  public static double[] clopperPearson(long trials, long events, double alpha) {
    if (!(trials >= 1 && trials <= Integer.MAX_VALUE)) {
      throw new IllegalArgumentException("trials must be in [1, " + Integer.MAX_VALUE + "], got " + trials);
    }
    if (!(events >= 0 && events <= trials)) {
      throw new IllegalArgumentException("events must be in [0, trials=" + trials + "], got " + events);
    }
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
    }
    Interval i = BinomialConfidenceInterval.CLOPPER_PEARSON.fromErrorRate((int) trials, (int) events, alpha);
    return new double[] {i.getLowerBound(), i.getUpperBound()};
  }

  /** The 95 % Clopper-Pearson interval {lower, upper} ({@code alpha = 0.05}). */
  public static double[] ci95(long trials, long events) {
    return clopperPearson(trials, events, 0.05);
  }

  /** The 95 % Clopper-Pearson interval formatted as {@code [lo, hi]} with the given number of significant digits. */
  public static String formatCi95(long trials, long events, int digits) {
    double[] ci = ci95(trials, events);
    return formatInterval(ci[0], ci[1], digits);
  }

  /** {@code [lo, hi]} with {@code digits} significant digits. */
  public static String formatInterval(double lo, double hi, int digits) {
    String f = "%." + Math.max(1, digits) + "g";
    return "[" + String.format(Locale.ROOT, f, lo) + ", " + String.format(Locale.ROOT, f, hi) + "]";
  }

  /**
   * Student-t confidence interval for a mean (normal model; adequate for means of many bounded draws).
   *
   * @param mean the sample mean
   * @param variance the unbiased sample variance, {@code >= 0}
   * @param n sample size, {@code >= 2}
   * @param alpha error rate in (0, 1)
   * @return {lower, upper}
   */
  public static double[] meanInterval(double mean, double variance, long n, double alpha) {
    Interval i = NormalConfidenceInterval.MEAN.fromErrorRate(mean, variance, n, alpha);
    return new double[] {i.getLowerBound(), i.getUpperBound()};
  }
}
