package dev.ticketproof.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file atomically: the content goes to a new temporary file in the same directory, is flushed to disk,
 * then renamed over the destination. Readers see the old file or the complete new one, never a part; a failed
 * write leaves no file behind. The new file gets the mode the process's umask gives any new file (no forced 0600).
 */
public final class AtomicFile {
  private AtomicFile() {}

  /** Writes the content to a stream. */
  @FunctionalInterface
  public interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Writes {@code path} atomically.
   *
   * @throws IOException when it cannot be written (then nothing was changed and no temporary file is left)
   */
  public static void write(Path path, Body body) throws IOException {
    Path target = path.toAbsolutePath();
    Path dir = target.getParent();
    Path tmp = null;
    for (int attempt = 0; tmp == null; attempt++) {
      Path candidate = dir.resolve("." + target.getFileName() + "." + Long.toHexString(
          ThreadLocalRandom.current().nextLong() >>> 1) + ".tmp");
      try (FileChannel ch = FileChannel.open(candidate, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        tmp = candidate;
        OutputStream os = Channels.newOutputStream(ch);
        body.writeTo(os);
        os.flush();
        ch.force(true);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        if (attempt > 100) throw e;
      } catch (IOException | RuntimeException e) {
        if (tmp != null) Files.deleteIfExists(tmp);
        throw e;
      }
    }
    try {
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Writes bytes atomically. */
  public static void write(Path path, byte[] bytes) throws IOException { write(path, out -> out.write(bytes)); }
}
