package dev.ticketproof.cli;

import dev.ticketproof.limits.BadParameter;
import java.util.Map;

/** Bad input or a bad flag: the message names the flag, file or tensor and what was expected; exit code 2. */
public final class UsageError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The flag of each library parameter ({@link BadParameter#parameter()}) that a flag gives. */
  private static final Map<String, String> FLAGS = Map.of("upto", "--upto", "construction", "--construction",
      "mode", "--mode", "activation", "--activation", "arch", "--arch", "input shape", "--input-shape",
      "prefix", "--prefix");

  public UsageError(String message) { super(message, null, false, false); }

  /**
   * The library's message with the parameter at fault named as its flag: {@code upto 7 names no conv ...} becomes
   * {@code --upto 7 names no conv ...}; a message that does not begin with the parameter gets the flag in front.
   */
  static String message(BadParameter e) {
    String flag = FLAGS.get(e.parameter());
    String m = e.getMessage();
    if (flag == null) return m;
    return m.startsWith(e.parameter()) ? flag + m.substring(e.parameter().length()) : flag + ": " + m;
  }
}
