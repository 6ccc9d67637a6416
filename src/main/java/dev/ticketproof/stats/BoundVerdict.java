package dev.ticketproof.stats;

import java.util.Locale;

/**
 * The outcome of an {@link EmpiricalBound} check.
 *
 * @param trials number of trials
 * @param events number of trials with the event
 * @param claimed the claimed probability
 * @param direction how the claim relates the true probability to {@code claimed}
 * @param alpha error rate of the Clopper-Pearson interval
 * @param lower lower end of the interval
 * @param upper upper end of the interval
 * @param contradicted whether the whole interval lies on the wrong side of the claim
 */
public record BoundVerdict(long trials, long events, double claimed, EmpiricalBound.Direction direction, double alpha,
    double lower, double upper, boolean contradicted) {
  /** Whether the data are consistent with the claim ({@code !contradicted}). */
  public boolean consistent() { return !contradicted; }

  /** The observed frequency {@code events / trials}. */
  public double rate() { return (double) events / trials; }

  /** A one-line description with counts, interval and claim, for logs and failure messages. */
  public String message() {
    String rel = direction == EmpiricalBound.Direction.AT_MOST ? "<=" : direction == EmpiricalBound.Direction.AT_LEAST ? ">=" : "=";
    return String.format(Locale.ROOT, "%s: %d/%d = %.6g, Clopper-Pearson interval (alpha=%.1e) [%.6g, %.6g], claim p %s %.6g",
        contradicted ? "CONTRADICTED" : "consistent", events, trials, rate(), alpha, lower, upper, rel, claimed);
  }

  @Override public String toString() { return message(); }
}
