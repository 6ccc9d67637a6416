package dev.ticketproof.io;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.TicketFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes the {@code .tpz} ticket file that {@link TicketFile} reads: {@code header.json} (Gson, one member per line,
 * nulls skipped, non-finite numbers as the strings {@code NaN}, {@code Infinity}, {@code -Infinity}) and
 * {@code mask.bin} ({@link TicketFile#writeMask}), and, when given, the search witness ({@link TicketWitness}). Not
 * part of the trusted kernel: a verdict is about the certificate as the kernel reads it back.
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
    ZipOutputStream zip = new ZipOutputStream(os);
    zip.putNextEntry(entry("header.json"));
    zip.write(headerJson(cert.header()).getBytes(StandardCharsets.UTF_8));
    zip.closeEntry();
    zip.putNextEntry(entry("mask.bin"));
    TicketFile.writeMask(cert.keptWeights(), cert.keptBiases(), zip);
    zip.closeEntry();
    if (witness != null) {
      zip.putNextEntry(entry(TicketWitness.ENTRY));
      zip.write(TicketWitness.encode(witness));
      zip.closeEntry();
    }
    zip.finish();
  }

  /** A zip entry with a fixed time stamp, so equal certificates give byte-identical files. */
  private static ZipEntry entry(String name) {
    ZipEntry e = new ZipEntry(name);
    e.setTime(315_532_800_000L + 43_200_000L);
    return e;
  }

  /** The text of {@code header.json}. */
  static String headerJson(TicketCertificate.Header h) {
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
    return new GsonBuilder().setPrettyPrinting().create().toJson(o);
  }

  /** A finite number as a JSON number, else as the string NaN, Infinity or -Infinity (the header stays strict). */
  private static void number(JsonObject o, String key, double v) {
    if (Double.isFinite(v)) o.addProperty(key, v);
    else o.addProperty(key, Double.toString(v));
  }
}
