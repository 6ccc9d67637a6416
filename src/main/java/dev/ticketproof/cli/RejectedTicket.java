package dev.ticketproof.cli;

/** A ticket file the kernel rejects, met by a command that uses it (export, eval): exit code 3, as verify's. */
final class RejectedTicket extends RuntimeException {
  private static final long serialVersionUID = 1L;

  RejectedTicket(String message) { super(message, null, false, false); }
}
