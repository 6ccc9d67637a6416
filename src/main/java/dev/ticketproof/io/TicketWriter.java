package dev.ticketproof.io;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.TicketFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes the {@code .tpz} ticket file that {@link TicketFile} reads: {@code header.json} (Gson, one member per line,
 * nulls skipped, non-finite numbers as the strings {@code NaN}, {@code Infinity}, {@code -Infinity}) and
 * {@code mask.bin} ({@link #writeMask}), and, when given, the search witness ({@link TicketWitness}). Not part of the
 * trusted kernel: a verdict is about the certificate as the kernel reads it back, and the kernel hashes
 * {@code mask.bin} as it decodes it.
 */
public final class TicketWriter {
  private TicketWriter() {}

  /**
   * Writes a certificate to a stream (finishes the zip archive, leaves the stream open). To write a file
   * atomically, give this to {@link AtomicFile}.
   */
  public static void write(TicketCertificate cert, OutputStream os) throws IOException {
    write(cert, null, os);
  }

  /**
   * As {@link #write(TicketCertificate, OutputStream)}, with the search witness ({@link TicketWitness}) after the
   * certificate when it is not null.
   */
  public static void write(TicketCertificate cert, double[] witness, OutputStream os) throws IOException {
    write(cert, witness, null, os);
  }

  /**
   * As {@link #write(TicketCertificate, double[], OutputStream)}, with the target's per-example input shape in the
   * header ({@code "inputShape": "C,H,W"}, when not null), so that commands that rebuild a file target can take it
   * from the ticket ({@link TicketWitness#inputShape}). It is informational: the kernel does not read it (the target
   * hash binds the input shape).
   */
  public static void write(TicketCertificate cert, double[] witness, int[] inputShape, OutputStream os)
      throws IOException {
    ZipOutputStream zip = new ZipOutputStream(os);
    zip.putNextEntry(entry("header.json"));
    zip.write(headerJson(cert.header(), inputShape).getBytes(StandardCharsets.UTF_8));
    zip.closeEntry();
    zip.putNextEntry(entry("mask.bin"));
    writeMask(cert.keptWeights(), cert.keptBiases(), zip);
    zip.closeEntry();
    if (witness != null) {
      zip.putNextEntry(entry(TicketWitness.ENTRY));
      zip.write(TicketWitness.encode(witness));
      zip.closeEntry();
    }
    zip.finish();
  }

  /**
   * SHA-256 (hex) of the canonical encoding of a mask: the {@code maskSha256} of a header whose {@code mask.bin} this
   * writer writes, and the {@link TicketCertificate#maskDigest} of a certificate made in memory.
   */
  public static String maskDigest(int[][] keptWeights, int[][] keptBiases) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      writeMask(keptWeights, keptBiases, new DigestOutputStream(OutputStream.nullOutputStream(), md));
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException | IOException e) {
      throw new IllegalStateException(e); // neither is thrown: SHA-256 is in every JDK, a digest does not fail
    }
  }

  /**
   * Writes the canonical encoding of a mask (the content of {@code mask.bin}, see {@link TicketFile}) to a stream,
   * through a buffer (large masks are never held as one array).
   */
  public static void writeMask(int[][] keptWeights, int[][] keptBiases, OutputStream os) throws IOException {
    Varints out = new Varints(os);
    out.put(keptWeights.length);
    for (int k = 0; k < keptWeights.length; k++) {
      out.indices(keptWeights[k]);
      out.indices(keptBiases[k]);
    }
    out.flush();
  }

  /** Unsigned LEB128 varints into a buffer that is passed on to a stream when full. */
  private static final class Varints {
    private final OutputStream os;
    private final byte[] buf = new byte[1 << 16];
    private int pos;

    Varints(OutputStream os) { this.os = os; }

    void put(long v) throws IOException {
      if (pos > buf.length - 10) flush();
      while ((v & ~0x7FL) != 0) {
        buf[pos++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[pos++] = (byte) v;
    }

    /** A count, then strictly increasing indices as the gaps between them. */
    void indices(int[] idx) throws IOException {
      put(idx.length);
      long prev = -1;
      for (int x : idx) {
        put(x - prev - 1);
        prev = x;
      }
    }

    void flush() throws IOException {
      os.write(buf, 0, pos);
      pos = 0;
    }
  }

  /** A zip entry with a fixed time stamp, so equal certificates give byte-identical files. */
  private static ZipEntry entry(String name) {
    ZipEntry e = new ZipEntry(name);
    e.setTime(315_532_800_000L + 43_200_000L);
    return e;
  }

  /** The text of {@code header.json}. */
  static String headerJson(TicketCertificate.Header h) { return headerJson(h, null); }

  static String headerJson(TicketCertificate.Header h, int[] inputShape) {
    JsonObject o = new JsonObject();
    o.addProperty("format", "ticketproof-ticket");
    o.addProperty("version", h.version());
    o.addProperty("target", h.target());
    o.addProperty("targetSha256", h.targetSha256());
    o.addProperty("activation", h.activation());
    o.addProperty("construction", h.construction());
    o.addProperty("rho", h.rho());
    o.addProperty("rho1", h.rho1());
    number(o, "lambda", h.lambda());
    o.addProperty("seed", h.seed());
    number(o, "inputLow", h.inputLow());
    number(o, "inputHigh", h.inputHigh());
    o.addProperty("upto", h.upto());
    number(o, "eps", h.eps());
    number(o, "claimedBound", h.claimedBound());
    o.addProperty("maskSha256", h.maskSha256());
    o.addProperty("claimedFailedInstances", h.claimedFailedInstances());
    if (h.local()) {
      o.addProperty("aroundSha256", h.aroundSha256());
      number(o, "radius", h.radius());
    }
    if (h.formBudget() != TicketCertificate.DEFAULT_FORM_BUDGET) o.addProperty("formBudget", h.formBudget());
    if (h.substitutionWork() != TicketCertificate.DEFAULT_SUBSTITUTION_WORK) {
      o.addProperty("substitutionWork", h.substitutionWork());
    }
    if (h.inputBoxes() != null) o.addProperty("inputBoxes", inputBoxes(h.inputBoxes()));
    if (inputShape != null) {
      o.addProperty("inputShape", java.util.Arrays.stream(inputShape).mapToObj(Integer::toString)
          .collect(java.util.stream.Collectors.joining(",")));
    }
    return new GsonBuilder().setPrettyPrinting().create().toJson(o);
  }

  /**
   * The header's {@code inputBoxes} field: {@code LO:HI} per channel, comma-separated, each number as
   * {@link Double#toString} writes it (the shortest decimal that reads back as the same double).
   */
  static String inputBoxes(double[][] boxes) {
    StringBuilder b = new StringBuilder();
    for (int c = 0; c < boxes.length; c++) {
      if (c > 0) b.append(',');
      b.append(boxes[c][0]).append(':').append(boxes[c][1]);
    }
    return b.toString();
  }

  /** A finite number as a JSON number, else as the string NaN, Infinity or -Infinity (the header stays strict). */
  private static void number(JsonObject o, String key, double v) {
    if (Double.isFinite(v)) o.addProperty(key, v);
    else o.addProperty(key, Double.toString(v));
  }
}
