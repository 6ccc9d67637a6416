package dev.ticketproof.kernel;

import dev.ticketproof.limits.Budget;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads the {@code .tpz} ticket file (written by {@code io.TicketWriter}): a zip archive with {@code header.json} (the
 * certificate header) and {@code mask.bin} (for every source layer id in order: the number of kept weights, their flat
 * indices as delta-coded unsigned LEB128 varints, then the same for kept biases). A kept weight costs 1 to 4 bytes in
 * practice (never more than 5: indices are below 2^31, {@link SourceNetwork}'s largest layer). Decoded indices are
 * held as {@code int}s (4 bytes per kept weight). The certificate's {@link TicketCertificate#maskDigest} is the
 * SHA-256 of the bytes of {@code mask.bin}, hashed as they are decoded: the header's {@code maskSha256} is compared
 * with the digest of the mask the kernel judges.
 *
 * <p>Reading is bounded: {@code header.json} may hold at most {@link #MAX_HEADER_BYTES} and is parsed as strict
 * JSON ({@link HeaderJson}: one flat object, no duplicate keys, integers where integers are expected);
 * {@code mask.bin} is decoded as it is inflated (never held whole): its declared size must be within the
 * {@link Budget}'s limit, and the kept indices it declares are claimed from the budget before they are allocated;
 * entries are inflated only up to the size they declare.
 */
public final class TicketFile {
  /** Largest {@code header.json} read (a real one has about 1 KB). */
  public static final int MAX_HEADER_BYTES = 1 << 20;

  private TicketFile() {}

  /** A ticket file larger than the input limit: the message names the file, entry, declared size and limit. */
  public static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    public TooLarge(String msg) { super(msg); }
  }

  /** A certificate that cannot be read: the file is damaged or not a ticket file. */
  public static final class Unreadable extends Exception {
    private static final long serialVersionUID = 1L;

    public Unreadable(String msg, Throwable cause) { super(msg, cause); }
  }

  /**
   * Reads a certificate.
   *
   * @throws IOException when the file cannot be opened (missing, unreadable)
   * @throws Unreadable when the content is damaged (truncated, not a zip, malformed header or mask)
   */
  public static TicketCertificate read(Path path) throws IOException, Unreadable {
    if (!Files.isReadable(path)) throw new IOException(path + ": no such readable file");
    Budget budget = budget(path);
    try (ZipFile zip = new ZipFile(path.toFile())) {
      ZipEntry he = zip.getEntry("header.json");
      ZipEntry me = zip.getEntry("mask.bin");
      if (he == null || me == null) {
        throw new Unreadable(path + ": ticket archive lacks " + (he == null ? "header.json" : "mask.bin")
            + " (truncated or not a .tpz file)", null);
      }
      byte[] header = readEntry(zip, he, new Budget(path.toString(), MAX_HEADER_BYTES, TicketFile::tooLarge));
      declaredSize(me, budget(path));
      TicketCertificate.Header h;
      try {
        h = parseHeader(HeaderJson.parse(new String(header, StandardCharsets.UTF_8)));
      } catch (RuntimeException e) {
        throw new Unreadable(path + ": malformed header.json (" + e.getMessage() + ")", e);
      }
      return decodeMask(h, zip, me, path, budget);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } catch (IOException | IllegalArgumentException e) {
      throw new Unreadable(path + ": not a readable ticket archive (" + e.getMessage() + ")", e);
    }
  }

  /** The budget's refusal inside the reader; {@link #read} throws its {@link TooLarge}. */
  private static UncheckedIOException tooLarge(String msg) { return new UncheckedIOException(new TooLarge(msg)); }

  private static Budget budget(Path path) { return new Budget(path.toString(), TicketFile::tooLarge); }

  /** An entry's declared size, claimed from a budget. */
  private static long declaredSize(ZipEntry e, Budget budget) throws IOException {
    if (e.getSize() < 0) throw new IOException("entry " + e.getName() + " has no declared size");
    budget.reserve(e.getSize(), "entry " + e.getName());
    return e.getSize();
  }

  /**
   * A whole entry of at most {@link #MAX_HEADER_BYTES} (the budget's limit): its declared size claimed first,
   * inflated at most to that size (one byte more is damage).
   */
  private static byte[] readEntry(ZipFile zip, ZipEntry e, Budget budget) throws IOException {
    long size = declaredSize(e, budget);
    try (InputStream in = zip.getInputStream(e)) {
      byte[] bytes = in.readNBytes((int) size);
      if (bytes.length != size || in.read() != -1) {
        throw new IOException("entry " + e.getName() + " has not the " + size + " bytes it declares");
      }
      return bytes;
    }
  }

  static TicketCertificate.Header parseHeader(Map<String, Object> o) {
    if (!"ticketproof-ticket".equals(str(o, "format"))) {
      throw new IllegalArgumentException("not a ticketproof ticket header");
    }
    return new TicketCertificate.Header((int) integer(o, "version", Integer.MIN_VALUE, Integer.MAX_VALUE),
        str(o, "target"), str(o, "targetSha256"), str(o, "activation"), str(o, "construction"),
        (int) integer(o, "rho", Integer.MIN_VALUE, Integer.MAX_VALUE),
        (int) integer(o, "rho1", Integer.MIN_VALUE, Integer.MAX_VALUE), num(o, "lambda"),
        integer(o, "seed", Long.MIN_VALUE, Long.MAX_VALUE), num(o, "inputLow"), num(o, "inputHigh"), str(o, "upto"),
        num(o, "eps"), num(o, "claimedBound"), str(o, "maskSha256"),
        integer(o, "claimedFailedInstances", Long.MIN_VALUE, Long.MAX_VALUE), str(o, "aroundSha256"),
        o.containsKey("aroundSha256") ? num(o, "radius") : Double.NaN,
        o.containsKey("formBudget") ? integer(o, "formBudget", 1, Long.MAX_VALUE)
            : TicketCertificate.DEFAULT_FORM_BUDGET,
        o.containsKey("substitutionWork") ? nonNegative(o, "substitutionWork")
            : TicketCertificate.DEFAULT_SUBSTITUTION_WORK,
        o.containsKey("inputBoxes") ? boxes(str(o, "inputBoxes")) : null);
  }

  /** Most channels an {@code inputBoxes} field may list. */
  static final int MAX_BOX_CHANNELS = 1 << 16;

  /**
   * The {@code inputBoxes} field: {@code LO:HI} per input channel, comma-separated, each number a JSON number
   * (finite; no spaces, signs other than a leading minus, or hexadecimal). Whether the intervals fit the union box
   * and the target is the checker's to judge.
   */
  static double[][] boxes(String v) {
    if (v == null) throw new IllegalArgumentException("inputBoxes: expected a string LO:HI,LO:HI,...");
    String[] parts = v.split(",", -1);
    if (parts.length > MAX_BOX_CHANNELS) {
      throw new IllegalArgumentException("inputBoxes: more than " + MAX_BOX_CHANNELS + " channels");
    }
    double[][] out = new double[parts.length][];
    for (int c = 0; c < parts.length; c++) {
      String[] lh = parts[c].split(":", -1);
      if (lh.length != 2 || !JSON_NUMBER.matcher(lh[0]).matches() || !JSON_NUMBER.matcher(lh[1]).matches()) {
        throw new IllegalArgumentException("inputBoxes: channel " + c + ": expected LO:HI (two numbers), got '"
            + parts[c] + "'");
      }
      out[c] = new double[] {Double.parseDouble(lh[0]), Double.parseDouble(lh[1])};
    }
    return out;
  }

  private static final java.util.regex.Pattern JSON_NUMBER =
      java.util.regex.Pattern.compile("-?(0|[1-9][0-9]{0,400})(\\.[0-9]{1,400})?([eE][+-]?[0-9]{1,5})?");

  /** A string field, or null when it is null or missing; anything else is an error. */
  private static String str(Map<String, Object> o, String k) {
    Object v = o.get(k);
    if (v == null || v instanceof String) return (String) v;
    throw new IllegalArgumentException(k + ": expected a string, got " + v);
  }

  /** An integer field in [min, max] (1.5 or 1e30 where an integer is expected is an error, not truncated). */
  private static long integer(Map<String, Object> o, String k, long min, long max) {
    if (!(o.get(k) instanceof BigDecimal d)) throw new IllegalArgumentException(k + ": expected an integer");
    long v;
    try {
      if (d.signum() != 0 && d.precision() - d.scale() > 19) throw new ArithmeticException();
      v = d.longValueExact();
    } catch (ArithmeticException x) {
      throw new IllegalArgumentException(k + ": expected an integer in [" + min + ", " + max + "], got " + d);
    }
    if (v < min || v > max) {
      throw new IllegalArgumentException(k + ": expected an integer in [" + min + ", " + max + "], got " + v);
    }
    return v;
  }

  /** A number field: a JSON number, or one of the strings NaN, Infinity, -Infinity. */
  private static double num(Map<String, Object> o, String k) {
    Object v = o.get(k);
    if (v instanceof BigDecimal d) return Double.parseDouble(d.toString());
    if ("NaN".equals(v)) return Double.NaN;
    if ("Infinity".equals(v)) return Double.POSITIVE_INFINITY;
    if ("-Infinity".equals(v)) return Double.NEGATIVE_INFINITY;
    throw new IllegalArgumentException(v == null ? "missing " + k : k + ": expected a number, got " + v);
  }

  /** A finite number field that is at least 0. */
  private static double nonNegative(Map<String, Object> o, String k) {
    double v = num(o, k);
    if (!(v >= 0 && v < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException(k + ": expected a finite number >= 0, got " + v);
    }
    return v;
  }

  /**
   * Decodes {@code mask.bin} as it is inflated, hashing its bytes; every count is at most the declared bytes left and
   * is claimed from the budget first.
   */
  private static TicketCertificate decodeMask(TicketCertificate.Header h, ZipFile zip, ZipEntry e, Path path,
      Budget budget) throws Unreadable {
    MessageDigest md = TargetHash.sha256();
    try (InputStream raw = new DigestInputStream(zip.getInputStream(e), md)) {
      Varints in = new Varints(raw, e.getSize());
      int layers = (int) in.next(Math.min(1 << 20, in.left));
      budget.reserve(Budget.bytes(layers, 32), "mask.bin (" + layers + " layers)");
      int[][] w = new int[layers][];
      int[][] b = new int[layers][];
      for (int k = 0; k < layers; k++) {
        w[k] = readIndices(in, budget, "layer " + k + ": ", "weight");
        b[k] = readIndices(in, budget, "layer " + k + ": ", "bias");
      }
      if (in.left > 0) throw new IOException(in.left + " trailing bytes");
      if (raw.read() != -1) throw new IOException("entry mask.bin has not the " + e.getSize() + " bytes it declares");
      return new TicketCertificate(h, w, b, HexFormat.of().formatHex(md.digest()));
    } catch (IOException x) {
      throw new Unreadable(path + ": damaged mask.bin (" + (x instanceof EOFException ? "truncated" : x.getMessage())
          + ")", x);
    }
  }

  /**
   * A count (claimed from the budget) and as many delta-coded strictly increasing indices; an index beyond
   * {@link Integer#MAX_VALUE} is damage (no source layer has that many slots: {@link SourceNetwork} refuses such
   * layers).
   */
  private static int[] readIndices(Varints in, Budget budget, String layer, String kind) throws IOException {
    int n = (int) in.next(Math.min(Integer.MAX_VALUE - 16, in.left));
    String kept = n + " kept " + (kind.equals("bias") ? "biases" : "weights");
    budget.reserve(Budget.bytes(n, Integer.BYTES), "mask.bin (" + layer + kept + ")");
    int[] r = new int[n];
    long prev = -1;
    for (int q = 0; q < n; q++) {
      prev = prev + 1 + in.next(Integer.MAX_VALUE);
      if (prev > Integer.MAX_VALUE) {
        throw new IOException(layer + kind + " index " + prev + " beyond " + Integer.MAX_VALUE
            + ", the largest a layer has");
      }
      r[q] = (int) prev;
    }
    return r;
  }

  /**
   * Unsigned LEB128 varints from the first {@code left} bytes of a stream, read through a buffer (never further:
   * past them is the end).
   */
  private static final class Varints {
    final InputStream in;
    final byte[] buf = new byte[1 << 16];
    int pos;
    int end;
    long left;

    Varints(InputStream in, long left) {
      this.in = in;
      this.left = left;
    }

    long next(long max) throws IOException {
      long v = 0;
      for (int shift = 0; shift < 63; shift += 7) {
        if (pos == end && left > 0) {
          end = Math.max(0, in.read(buf, 0, (int) Math.min(buf.length, left)));
          pos = 0;
        }
        if (pos == end) throw new EOFException();
        int b = buf[pos++] & 0xFF;
        left--;
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          if (v < 0 || v > max) throw new IOException("value " + v + " out of range");
          return v;
        }
      }
      throw new IOException("varint too long");
    }
  }
}
