package dev.ticketproof.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Hostile and malformed input files, made in the test (small on disk, no torch needed). */
public final class Hostile {
  private Hostile() {}

  /** A minimal pickle writer (protocol 2) for state dicts of one tensor. */
  static final class Pickle {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Pickle op(int b) {
      out.write(b);
      return this;
    }

    Pickle global(String module, String name) {
      op('c');
      out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
      return this;
    }

    Pickle str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      op('X');
      out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
      out.writeBytes(b);
      return this;
    }

    Pickle integer(long v) {
      op(0x8a).op(8); // LONG1, 8 bytes little endian
      out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
      return this;
    }

    Pickle tuple(long... values) {
      op('(');
      for (long v : values) integer(v);
      return op('t');
    }

    byte[] bytes() { return out.toByteArray(); }
  }

  /**
   * The {@code data.pkl} of {@code {name: view}}: a float32 storage '0' of {@code numel} elements and a view of it
   * with the given offset, size and stride.
   */
  public static byte[] statePickle(String name, long numel, long offset, long[] size, long[] stride) {
    Pickle p = new Pickle().op(0x80).op(2).global("collections", "OrderedDict").op(')').op('R').op('(').str(name)
        .global("torch._utils", "_rebuild_tensor_v2").op('(');
    p.op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(numel).op('t').op('Q');
    p.integer(offset).tuple(size).tuple(stride).op(0x89).global("collections", "OrderedDict").op(')').op('R');
    return p.op('t').op('R').op('u').op('.').bytes();
  }

  /** A torch.save zip ({@code archive/data.pkl}, {@code archive/data/0}) with the given pickle and storage. */
  public static Path torchZip(Path file, byte[] pickle, byte[] storage, boolean deflate) throws IOException {
    try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
      Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
      entries.put("archive/data.pkl", pickle);
      entries.put("archive/data/0", storage);
      for (var e : entries.entrySet()) {
        ZipEntry z = new ZipEntry(e.getKey());
        if (!deflate) {
          z.setMethod(ZipEntry.STORED);
          z.setSize(e.getValue().length);
          java.util.zip.CRC32 crc = new java.util.zip.CRC32();
          crc.update(e.getValue());
          z.setCrc(crc.getValue());
        }
        zip.putNextEntry(z);
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return file;
  }

  /** A zip of deflated entries. */
  public static Path zip(Path file, Map<String, byte[]> entries) throws IOException {
    try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
      for (var e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return file;
  }

  /**
   * Rewrites the uncompressed size that the central directory declares for {@code entry} (what a zip reader
   * trusts): a small file can then claim gigabytes, or understate what its deflated data inflates to.
   */
  public static void declareSize(Path zip, String entry, long size) throws IOException {
    byte[] b = Files.readAllBytes(zip);
    ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    byte[] name = entry.getBytes(StandardCharsets.UTF_8);
    boolean found = false;
    for (int i = 0; i + 46 <= b.length; i++) {
      if (buf.getInt(i) != 0x02014b50) continue;
      int n = buf.getShort(i + 28) & 0xffff;
      if (n == name.length && java.util.Arrays.equals(b, i + 46, i + 46 + n, name, 0, n)) {
        if (size > 0xFFFFFFFEL) throw new IllegalArgumentException("zip32 sizes only");
        buf.putInt(i + 24, (int) size);
        found = true;
      }
    }
    if (!found) throw new IllegalArgumentException("no central directory entry " + entry);
    Files.write(zip, b);
  }

  /** A .npy header for float32 data of this shape (the data itself is not appended). */
  public static byte[] npyHeader(String shape) {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }";
    int padded = (10 + dict.length() + 1 + 63) / 64 * 64;
    String h = dict + " ".repeat(padded - 10 - dict.length() - 1) + "\n";
    ByteBuffer out = ByteBuffer.allocate(10 + h.length()).order(ByteOrder.LITTLE_ENDIAN);
    out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length());
    out.put(h.getBytes(StandardCharsets.US_ASCII));
    return out.array();
  }

  /** JSON nested {@code depth} arrays deep. */
  public static String deepJson(int depth) { return "[".repeat(depth) + "]".repeat(depth); }
}
