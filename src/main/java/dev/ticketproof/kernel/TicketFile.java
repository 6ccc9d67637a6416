package dev.ticketproof.kernel;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The {@code .tpz} ticket file: a zip archive with {@code header.json} (the certificate header) and
 * {@code mask.bin} (for every source layer id in order: the number of kept weights, their flat indices as
 * delta-coded unsigned LEB128 varints, then the same for kept biases). A kept weight costs 1 to 4 bytes in practice
 * (never more than 8 for indices below 2^56).
 */
public final class TicketFile {
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
      .create();

  private TicketFile() {}

  /** A certificate that cannot be read: the file is damaged or not a ticket file. */
  public static final class Unreadable extends Exception {
    private static final long serialVersionUID = 1L;

    public Unreadable(String msg, Throwable cause) { super(msg, cause); }
  }

  /** Writes a certificate atomically (temporary file, then move). */
  public static void write(TicketCertificate cert, Path path) throws IOException {
    Path dir = path.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, ".ticket", ".tmp");
    try {
      try (OutputStream os = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(os)) {
        zip.putNextEntry(entry("header.json"));
        zip.write(GSON.toJson(headerJson(cert.header())).getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
        zip.putNextEntry(entry("mask.bin"));
        zip.write(encodeMask(cert));
        zip.closeEntry();
      }
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** A zip entry with a fixed time stamp, so equal certificates give byte-identical files. */
  private static ZipEntry entry(String name) {
    ZipEntry e = new ZipEntry(name);
    e.setTime(315_532_800_000L + 43_200_000L);
    return e;
  }

  /**
   * Reads a certificate.
   *
   * @throws IOException when the file cannot be opened (missing, unreadable)
   * @throws Unreadable when the content is damaged (truncated, not a zip, malformed header or mask)
   */
  public static TicketCertificate read(Path path) throws IOException, Unreadable {
    if (!Files.isReadable(path)) throw new IOException(path + ": no such readable file");
    byte[] header = null;
    byte[] mask = null;
    try (ZipFile zip = new ZipFile(path.toFile())) {
      ZipEntry h = zip.getEntry("header.json");
      ZipEntry m = zip.getEntry("mask.bin");
      if (h != null) {
        try (InputStream in = zip.getInputStream(h)) {
          header = in.readAllBytes();
        }
      }
      if (m != null) {
        try (InputStream in = zip.getInputStream(m)) {
          mask = in.readAllBytes();
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new Unreadable(path + ": not a readable ticket archive (" + e.getMessage() + ")", e);
    }
    if (header == null || mask == null) {
      throw new Unreadable(path + ": ticket archive lacks " + (header == null ? "header.json" : "mask.bin")
          + " (truncated or not a .tpz file)", null);
    }
    TicketCertificate.Header h;
    try {
      h = parseHeader(JsonParser.parseString(new String(header, StandardCharsets.UTF_8)).getAsJsonObject());
    } catch (RuntimeException e) {
      throw new Unreadable(path + ": malformed header.json (" + e.getMessage() + ")", e);
    }
    return decodeMask(h, mask, path);
  }

  static JsonObject headerJson(TicketCertificate.Header h) {
    JsonObject o = new JsonObject();
    o.addProperty("format", "ticketproof-ticket");
    o.addProperty("version", h.version());
    o.addProperty("target", h.target());
    o.addProperty("targetSha256", h.targetSha256());
    o.addProperty("activation", h.activation());
    o.addProperty("construction", h.construction());
    o.addProperty("rho", h.rho());
    o.addProperty("rho1", h.rho1());
    o.addProperty("lambda", h.lambda());
    o.addProperty("seed", h.seed());
    o.addProperty("inputLow", h.inputLow());
    o.addProperty("inputHigh", h.inputHigh());
    o.addProperty("upto", h.upto());
    o.addProperty("eps", h.eps());
    o.addProperty("claimedBound", h.claimedBound());
    o.addProperty("maskSha256", h.maskSha256());
    o.addProperty("claimedFailedInstances", h.claimedFailedInstances());
    if (h.local()) {
      o.addProperty("aroundSha256", h.aroundSha256());
      o.addProperty("radius", h.radius());
    }
    return o;
  }

  static TicketCertificate.Header parseHeader(JsonObject o) {
    if (!o.has("format") || !"ticketproof-ticket".equals(o.get("format").getAsString())) {
      throw new IllegalArgumentException("not a ticketproof ticket header");
    }
    return new TicketCertificate.Header(o.get("version").getAsInt(), str(o, "target"), str(o, "targetSha256"),
        str(o, "activation"), str(o, "construction"), o.get("rho").getAsInt(), o.get("rho1").getAsInt(),
        num(o, "lambda"), o.get("seed").getAsLong(), num(o, "inputLow"), num(o, "inputHigh"), str(o, "upto"), num(o, "eps"),
        num(o, "claimedBound"), str(o, "maskSha256"), o.get("claimedFailedInstances").getAsLong(),
        str(o, "aroundSha256"), o.has("aroundSha256") ? num(o, "radius") : Double.NaN);
  }

  private static String str(JsonObject o, String k) {
    JsonElement e = o.get(k);
    return e == null || e.isJsonNull() ? null : e.getAsString();
  }

  private static double num(JsonObject o, String k) {
    JsonElement e = o.get(k);
    if (e == null || e.isJsonNull()) throw new IllegalArgumentException("missing " + k);
    String s = e.getAsString();
    return switch (s) {
      case "NaN" -> Double.NaN;
      case "Infinity" -> Double.POSITIVE_INFINITY;
      case "-Infinity" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(s);
    };
  }

  /** SHA-256 (hex) of the canonical encoding of a mask. */
  public static String maskDigest(long[][] keptWeights, int[][] keptBiases) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(encodeMask(keptWeights, keptBiases)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] encodeMask(TicketCertificate cert) { return encodeMask(cert.keptWeights(), cert.keptBiases()); }

  static byte[] encodeMask(long[][] keptWeights, int[][] keptBiases) {
    TicketCertificate cert = new TicketCertificate(null, keptWeights, keptBiases);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    varint(out, cert.keptWeights().length);
    for (int k = 0; k < cert.keptWeights().length; k++) {
      long[] w = cert.keptWeights()[k];
      varint(out, w.length);
      long prev = -1;
      for (long x : w) {
        varint(out, x - prev - 1);
        prev = x;
      }
      int[] b = cert.keptBiases()[k];
      varint(out, b.length);
      prev = -1;
      for (int x : b) {
        varint(out, x - prev - 1);
        prev = x;
      }
    }
    return out.toByteArray();
  }

  static TicketCertificate decodeMask(TicketCertificate.Header h, byte[] data, Path path) throws Unreadable {
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data))) {
      int layers = (int) readVarint(in, 1 << 20);
      long[][] w = new long[layers][];
      int[][] b = new int[layers][];
      for (int k = 0; k < layers; k++) {
        int n = (int) readVarint(in, data.length);
        w[k] = new long[n];
        long prev = -1;
        for (int q = 0; q < n; q++) {
          prev = prev + 1 + readVarint(in, Long.MAX_VALUE / 2);
          w[k][q] = prev;
        }
        int m = (int) readVarint(in, data.length);
        b[k] = new int[m];
        prev = -1;
        for (int q = 0; q < m; q++) {
          prev = prev + 1 + readVarint(in, Integer.MAX_VALUE / 2);
          if (prev > Integer.MAX_VALUE) throw new IOException("bias index overflow");
          b[k][q] = (int) prev;
        }
      }
      if (in.available() > 0) throw new IOException(in.available() + " trailing bytes");
      return new TicketCertificate(h, w, b);
    } catch (IOException e) {
      throw new Unreadable(path + ": damaged mask.bin (" + (e instanceof EOFException ? "truncated" : e.getMessage())
          + ")", e);
    }
  }

  private static void varint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  private static long readVarint(InputStream in, long max) throws IOException {
    long v = 0;
    for (int shift = 0; shift < 63; shift += 7) {
      int b = in.read();
      if (b < 0) throw new EOFException();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (v < 0 || v > max) throw new IOException("value " + v + " out of range");
        return v;
      }
    }
    throw new IOException("varint too long");
  }
}
