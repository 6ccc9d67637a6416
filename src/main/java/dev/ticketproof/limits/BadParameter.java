package dev.ticketproof.limits;

import java.util.Objects;

/**
 * A parameter of a library call outside what the call accepts. The message speaks of the parameter in the
 * library's words ({@code upto 7 names no conv or linear layer ...}) and {@link #parameter()} says which one it is,
 * so that a caller with other names for its parameters (the command line's flags) can name its own.
 */
public class BadParameter extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** The parameter at fault, as the library calls it ({@code upto}, {@code activation}, {@code input shape}). */
  private final String parameter;

  /**
   * A bad parameter.
   *
   * @param parameter the parameter at fault, as the message calls it
   * @param message what is wrong with it, naming it
   */
  public BadParameter(String parameter, String message) {
    super(message);
    this.parameter = Objects.requireNonNull(parameter);
  }

  /** The parameter at fault, as the library calls it. */
  public String parameter() { return parameter; }
}
