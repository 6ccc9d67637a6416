package dev.ticketproof.io;

import dev.ticketproof.limits.Budget;
import dev.ticketproof.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * What a {@code .tpz} ticket file may carry beside its certificate. The target's input shape, the header's
 * informational {@code "inputShape"} ({@link #inputShape}). The search witness: the entry {@value #ENTRY}, a
 * float64 {@code .npy} array [C*H*W] holding the input at which {@code construct}'s adversarial search found its
 * lower bound ({@code measure.LowerBound.Result#witness}). It is no part of the certificate (the kernel does not read
 * it, and no digest covers it): {@code verify} evaluates it instead of repeating the search, and recomputes every
 * figure it reports from it, so a changed witness can only lower the reported lower bound.
 */
public final class TicketWitness {
  /** The zip entry of the witness. */
  public static final String ENTRY = "witness.npy";

  private TicketWitness() {}

  /** The entry's content: the witness as a float64 {@code .npy} array of one dimension. */
  static byte[] encode(double[] witness) {
    return Npy.encode(Tensor.of(witness.clone(), witness.length), DType.FLOAT64);
  }

  /**
   * The per-example input shape the ticket's target was built with, as {@code construct} records it in the header
   * ({@code "inputShape": "C,H,W"}), or null when the header has none (tickets written before it) or the file cannot
   * be read as a ticket (the kernel's reading reports that).
   */
  public static int[] inputShape(Path ticket) {
    try (ZipFile zip = new ZipFile(ticket.toFile())) {
      ZipEntry e = zip.getEntry("header.json");
      if (e == null || e.getSize() < 0 || e.getSize() > dev.ticketproof.kernel.TicketFile.MAX_HEADER_BYTES) return null;
      byte[] bytes;
      try (java.io.InputStream in = zip.getInputStream(e)) {
        bytes = in.readNBytes((int) e.getSize());
      }
      com.google.gson.JsonElement v = com.google.gson.JsonParser.parseString(
          new String(bytes, java.nio.charset.StandardCharsets.UTF_8)).getAsJsonObject().get("inputShape");
      if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) return null;
      String[] parts = v.getAsString().split(",", -1);
      int[] shape = new int[parts.length];
      for (int k = 0; k < parts.length; k++) {
        shape[k] = Integer.parseInt(parts[k].trim());
        if (shape[k] < 1) return null;
      }
      return shape.length == 1 || shape.length == 3 ? shape : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * The witness of a ticket file.
   *
   * @return its values, or null when the file has no witness (tickets written without a search, or before witnesses)
   * @throws ImportException naming the file when the entry is damaged (size, CRC-32), not float64, or larger than
   *     one input can be
   * @throws IOException when the file cannot be read as a zip archive
   */
  public static double[] read(Path ticket) throws IOException {
    try (ZipFile zip = new ZipFile(ticket.toFile())) {
      ZipEntry e = zip.getEntry(ENTRY);
      if (e == null) return null;
      String source = ticket + ": " + ENTRY;
      long most = Budget.bytes(Budget.MAX_EXAMPLE_VALUES, Double.BYTES) + Npy.MAX_HEADER + 12;
      if (e.getSize() > most) {
        throw new ImportException(source + " declares " + e.getSize() + " bytes, expected at most " + most
            + " (one input of float64 values)");
      }
      byte[] bytes = TorchReader.readEntry(zip, e, ticket.toString(), Files.size(ticket),
          new Budget(ticket.toString(), ImportException::new));
      StoredTensor t = Npy.read(source, "witness", bytes);
      if (t.dtype() != DType.FLOAT64) {
        throw new ImportException(source + ": expected float64 values, got " + t.dtype());
      }
      return t.tensor().data();
    }
  }
}
