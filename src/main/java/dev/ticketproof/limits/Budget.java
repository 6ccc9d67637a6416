package dev.ticketproof.limits;

import java.util.Locale;
import java.util.function.Function;

/**
 * The memory an input may claim before anything is allocated for it. Readers compute every declared size (zip
 * entries, storages, tensors, masks) with long arithmetic and {@link #reserve} it first; a file that would exceed
 * the limit is refused with a message naming the file, the entry, its declared size and the limit, instead of
 * running out of memory.
 *
 * <p>The limit is {@value #PROPERTY} (bytes, or with a suffix k, m or g) when that system property is set, else a
 * quarter of the JVM's maximum heap ({@code Runtime.maxMemory()}): an input, however its sizes lie, claims at most a
 * quarter of the heap, and three quarters stay for the work it feeds (the ticket's evaluator alone needs 12 bytes per
 * kept weight beside the mask's 4). A quarter admits the largest tickets the commands handle at a heap of their
 * size: the default ResNet-20-sized digits ticket's mask decodes to 554 MB, 13 % of a 4 GiB heap (above the eighth
 * this limit was before). Not thread-safe; one instance per input read.
 */
public final class Budget {
  /** The system property that sets the limit. */
  public static final String PROPERTY = "ticketproof.maxInputBytes";
  /** The default limit is the maximum heap divided by this. */
  public static final int HEAP_FRACTION = 4;
  /** Largest number of values of one example's input or feature map (any layer), whatever the memory. */
  public static final long MAX_EXAMPLE_VALUES = 1L << 26;

  private final String source;
  private final long limit;
  private final String hint;
  private final Function<String, ? extends RuntimeException> error;
  private long used;

  /** A bad value of {@value #PROPERTY}. */
  public static final class BadSetting extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    BadSetting(String message) { super(message); }
  }

  /**
   * A budget for one input.
   *
   * @param source the input's name, for messages
   * @param error makes the exception thrown when the limit would be exceeded (it gets the whole message)
   */
  public Budget(String source, Function<String, ? extends RuntimeException> error) {
    this(source, limit(), "; " + HINT, error);
  }

  /** A budget with a fixed limit in bytes (for a part whose real size is known to be small, e.g. a header). */
  public Budget(String source, long limit, Function<String, ? extends RuntimeException> error) {
    this(source, limit, " (fixed)", error);
  }

  private Budget(String source, long limit, String hint, Function<String, ? extends RuntimeException> error) {
    this.source = source;
    this.limit = limit;
    this.hint = hint;
    this.error = error;
  }

  /**
   * The limit in force.
   *
   * @throws BadSetting when {@value #PROPERTY} is set but not a positive size
   */
  public static long limit() {
    String p = System.getProperty(PROPERTY);
    return p == null ? Runtime.getRuntime().maxMemory() / HEAP_FRACTION : parseBytes(p);
  }

  static long parseBytes(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    int shift = t.endsWith("k") ? 10 : t.endsWith("m") ? 20 : t.endsWith("g") ? 30 : 0;
    String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
    if (!digits.matches("[0-9]{1,15}") || Long.parseLong(digits) < 1) {
      throw new BadSetting("-D" + PROPERTY + "=" + text + ": expected a positive number of bytes, optionally with "
          + "k, m or g (e.g. 4g)");
    }
    return Long.parseLong(digits) << shift;
  }

  /** {@code count * unitBytes}, saturating at {@code Long.MAX_VALUE} (both non-negative). */
  public static long bytes(long count, long unitBytes) {
    long hi = Math.multiplyHigh(count, unitBytes);
    return hi != 0 || count * unitBytes < 0 ? Long.MAX_VALUE : count * unitBytes;
  }

  /** The number of values of a shape, saturating at {@code Long.MAX_VALUE}; -1 if a dimension is negative. */
  public static long values(int[] shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) return -1;
      n = bytes(n, d);
    }
    return n;
  }

  /**
   * Claims memory for part of the input.
   *
   * @param bytes the size it declares (may be {@code Long.MAX_VALUE} for an overflowing declaration)
   * @param what the entry, e.g. {@code zip entry archive/data/0}
   * @throws RuntimeException from the error factory, when the input would exceed the limit
   */
  public void reserve(long bytes, String what) {
    if (bytes < 0 || bytes > limit - used) {
      throw error.apply(source + ": " + what + " declares " + describe(bytes) + (used > 0 ? " (after "
          + describe(used) + " already read)" : "") + ", above the input limit of " + describe(limit) + hint);
    }
    used += bytes;
  }

  /** How to raise the limit, for messages: "raise it " + this. */
  public static final String HOW = "with -D" + PROPERTY + "=SIZE (e.g. in TICKETPROOF_JAVA_OPTS) and a larger -Xmx";

  /** How to raise the limit, for messages. */
  public static final String HINT = "raise it " + HOW;

  static String describe(long bytes) {
    if (bytes == Long.MAX_VALUE) return "more than 2^63 bytes";
    return bytes < 1 << 20 ? bytes + " bytes" : String.format(Locale.ROOT, "%d bytes (%.1f MiB)", bytes,
        bytes / 1048576.0);
  }
}
