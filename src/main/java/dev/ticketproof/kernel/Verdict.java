package dev.ticketproof.kernel;

import java.util.Objects;

/**
 * The kernel's judgement of a certificate. Only classes of the kernel packages ({@code dev.ticketproof.kernel} and its subpackages) can create a verdict that
 * holds; everything else can only read one. A rejected certificate is a verdict with a reason, not an exception.
 */
public final class Verdict {
  private static final Verdict HOLDS = new Verdict(true, "holds");
  private final boolean holds;
  private final String reason;

  private Verdict(boolean holds, String reason) {
    this.holds = holds;
    this.reason = reason;
  }

  public static Verdict holds() { return HOLDS; }

  public static Verdict rejected(String reason) { return new Verdict(false, Objects.requireNonNull(reason)); }

  /** Whether the kernel accepted the certificate. */
  public boolean isHolds() { return holds; }

  /** "holds", or the reason for rejection. */
  public String reason() { return reason; }

  @Override public String toString() { return holds ? "holds" : "rejected: " + reason; }
}
