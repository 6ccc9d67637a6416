package dev.ticketproof.cli;

/** Bad input or a bad flag: the message names the flag, file or tensor and what was expected; exit code 2. */
public final class UsageError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UsageError(String message) { super(message, null, false, false); }
}
