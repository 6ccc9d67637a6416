package dev.ticketproof.random;

/**
 * The uniform distribution U(lo, hi) over a {@link WeightField}: {@code value(seed, stream, index)}.
 *
 * @param lo lower end, finite
 * @param hi upper end, finite, {@code hi > lo}
 */
public record Uniform(double lo, double hi) implements Distribution {
  public Uniform {
    if (!(Double.isFinite(lo) && Double.isFinite(hi) && hi > lo)) {
      throw new IllegalArgumentException("Uniform(lo, hi) needs finite lo < hi, got lo=" + lo + ", hi=" + hi);
    }
  }

  /** U(-a, a). */
  public static Uniform symmetric(double a) { return new Uniform(-a, a); }

  /** The draw at (seed, stream, index). */
  @Override public double value(long seed, long stream, long index) {
    return WeightField.uniform(seed, stream, index, lo, hi);
  }

  @Override public String toString() { return "U(" + lo + "," + hi + ")"; }
}
