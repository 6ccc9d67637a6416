package dev.ticketproof.random;

/**
 * A distribution realised over the {@link WeightField}: {@code value(seed, stream, index)} is the draw number
 * {@code index} of stream {@code stream}, a pure function of its arguments.
 */
public interface Distribution {
  /** The draw at (seed, stream, index). */
  double value(long seed, long stream, long index);
}
