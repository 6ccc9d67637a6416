package dev.ticketproof.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The library's version: the Maven project version, filled in at build time (the command line's
 * {@code --version} prints the same).
 *
 * <p>API status: stable.
 */
public final class Version {
  private static final String VERSION = load();

  private Version() {}

  /**
   * The version, e.g. {@code 0.1.0-SNAPSHOT}.
   *
   * @return the project version this jar was built from
   */
  public static String get() { return VERSION; }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("/dev/ticketproof/version.properties")) {
      if (in == null) throw new IllegalStateException("version.properties missing from the jar");
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
