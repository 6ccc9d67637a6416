package dev.ticketproof.cli;

import dev.ticketproof.io.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The one way a command writes a file the user named ({@code --out}): the path must be a regular file or a new
 * path in an existing directory (a directory, device, FIFO or socket is refused before anything is opened), must
 * not be one of the command's inputs, and is written atomically ({@link AtomicFile}: temporary file in the same
 * directory, then rename; the umask decides the mode).
 */
final class SafeOutput {
  private SafeOutput() {}

  /**
   * Checks an output path before any work is done. Opens nothing.
   *
   * @param out the path
   * @param flag the flag that named it, for messages
   * @param inputs the command's input files (null entries are skipped)
   * @throws UsageError naming the flag and the path when it cannot or must not be written
   */
  static void check(Path out, String flag, Path... inputs) {
    Path abs = out.toAbsolutePath();
    Path dir = abs.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new UsageError(flag + " " + out + ": directory " + dir + " does not exist");
    }
    if (Files.exists(out)) {
      BasicFileAttributes a;
      try {
        a = Files.readAttributes(out, BasicFileAttributes.class);
      } catch (IOException e) {
        throw new UsageError(flag + " " + out + ": cannot inspect (" + e.getMessage() + ")");
      }
      if (a.isDirectory()) throw new UsageError(flag + " " + out + ": is a directory (expected a file name)");
      if (!a.isRegularFile()) {
        throw new UsageError(flag + " " + out + ": is not a regular file (a device, FIFO or socket); give a regular "
            + "file or a new path");
      }
      for (Path in : inputs) {
        if (in != null && isSame(out, in)) {
          throw new UsageError(flag + " " + out + ": is also an input of this command; give another output path");
        }
      }
    }
  }

  private static boolean isSame(Path out, Path in) {
    try {
      return Files.exists(in) && Files.isSameFile(out, in);
    } catch (IOException e) {
      return out.toAbsolutePath().normalize().equals(in.toAbsolutePath().normalize());
    }
  }

  /**
   * Checks the path again and writes it atomically.
   *
   * @throws UsageError naming the flag when it cannot be written (then nothing was changed)
   */
  static void write(Path out, String flag, AtomicFile.Body body, Path... inputs) {
    check(out, flag, inputs);
    try {
      AtomicFile.write(out, body);
    } catch (IOException e) {
      throw new UsageError(flag + " " + out + ": cannot write (" + e.getMessage() + ")");
    }
  }
}
