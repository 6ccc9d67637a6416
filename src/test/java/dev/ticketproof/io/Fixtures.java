package dev.ticketproof.io;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Access to the committed fixtures (made by src/test/resources/fixtures/make_fixtures.py) and derived copies. */
public final class Fixtures {
  private Fixtures() {}

  /** The fixture file {@code name}. */
  public static Path path(String name) {
    URL url = Fixtures.class.getResource("/fixtures/" + name);
    if (url == null) throw new IllegalStateException("missing fixture " + name);
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The entries of a zip fixture, in order, as bytes. */
  public static Map<String, byte[]> zipEntries(Path zip) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ZipFile z = new ZipFile(zip.toFile())) {
      for (var e = z.entries(); e.hasMoreElements();) {
        ZipEntry entry = e.nextElement();
        try (var in = z.getInputStream(entry)) {
          out.put(entry.getName(), in.readAllBytes());
        }
      }
    }
    return out;
  }

  /** Writes a stored (uncompressed) zip with these entries, as torch.save does. */
  public static void writeZip(Path target, Map<String, byte[]> entries) throws IOException {
    try (OutputStream os = Files.newOutputStream(target); ZipOutputStream zos = new ZipOutputStream(os)) {
      for (var e : entries.entrySet()) {
        ZipEntry entry = new ZipEntry(e.getKey());
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(e.getValue().length);
        CRC32 crc = new CRC32();
        crc.update(e.getValue());
        entry.setCrc(crc.getValue());
        zos.putNextEntry(entry);
        zos.write(e.getValue());
        zos.closeEntry();
      }
    }
  }

  /** A copy of a zip fixture with its entries changed by {@code edit}. */
  public static Path editedZip(Path dir, String fixture, UnaryOperator<Map<String, byte[]>> edit) throws IOException {
    Path target = dir.resolve("edited-" + fixture);
    writeZip(target, edit.apply(zipEntries(path(fixture))));
    return target;
  }
}
