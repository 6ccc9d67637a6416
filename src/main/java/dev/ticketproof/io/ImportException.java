package dev.ticketproof.io;

/**
 * A file that cannot be read as a target, an input batch or an architecture spec. The message names the file (and,
 * where there is one, the tensor or the spec entry) and says what was expected. The command line reports it with
 * exit code 2. Every failure of the readers in this package on malformed input is reported by this one type.
 */
public final class ImportException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ImportException(String message) { super(message); }

  public ImportException(String message, Throwable cause) { super(message, cause); }
}
