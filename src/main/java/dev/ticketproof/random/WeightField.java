package dev.ticketproof.random;

/**
 * A seeded, counter-based field of independent random draws: {@code u01(seed, stream, index)} is a pure function
 * of its three arguments, so every weight of a virtual source network can be regenerated on demand, in any order
 * and on any number of threads, with bit-identical results.
 *
 * <p>The generator mixes the three 64-bit words with the SplitMix64 / Stafford "variant 13" finaliser in a
 * sponge-like chain (each word is absorbed after a full avalanche of the previous state), then keeps the top 53
 * bits. Streams are intended to name a layer (or any other group of draws); indices name a draw inside it.
 * This is the one and only source of randomness for source networks; nothing in the library uses
 * {@code java.util.Random} or {@code Math.random}.
 */
public final class WeightField {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private static final double TWO_POW_MINUS_53 = 0x1.0p-53;

  private WeightField() {}

  /**
   * An independent draw from U[0,1): the value {@code k * 2^-53} with {@code k} uniform in {@code [0, 2^53)}.
   *
   * @param seed the network seed
   * @param stream the stream (for example a layer number)
   * @param index the index of the draw inside the stream
   * @return a double in [0, 1)
   */
  public static double u01(long seed, long stream, long index) {
    return u01In(streamKey(seed, stream), index);
  }

  /**
   * An independent draw from U(lo, hi), computed as {@code lo + (hi - lo) * u01(seed, stream, index)}.
   *
   * @param seed the network seed
   * @param stream the stream
   * @param index the index inside the stream
   * @param lo lower end, finite
   * @param hi upper end, finite and {@code > lo}
   * @return a double in [lo, hi]
   */
  public static double uniform(long seed, long stream, long index, double lo, double hi) {
    return uniformIn(streamKey(seed, stream), index, lo, hi);
  }

  /**
   * The generator's state after absorbing seed and stream: the draws of one stream from it cost half as much
   * ({@link #uniformIn}).
   */
  public static long streamKey(long seed, long stream) {
    return mix(mix(seed + GOLDEN) ^ (stream * GOLDEN + 0x632BE59BD9B4E019L));
  }

  /** {@link #uniform uniform(seed, stream, index, lo, hi)} for {@code key == streamKey(seed, stream)}. */
  public static double uniformIn(long key, long index, double lo, double hi) {
    return lo + (hi - lo) * u01In(key, index);
  }

  private static double u01In(long key, long index) {
    return (bitsIn(key, index) >>> 11) * TWO_POW_MINUS_53;
  }

  /** 64 mixed random bits for (seed, stream, index). */
  public static long bits(long seed, long stream, long index) {
    return bitsIn(streamKey(seed, stream), index);
  }

  private static long bitsIn(long key, long index) {
    return mix(mix(key ^ (index * 0xD1B54A32D192ED03L + GOLDEN)) + GOLDEN);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
