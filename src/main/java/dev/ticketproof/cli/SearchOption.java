package dev.ticketproof.cli;

import picocli.CommandLine.Option;

/** The {@code --search N} option of the commands that search for a lower bound (construct, verify, demo). */
final class SearchOption {
  @Option(names = "--search", paramLabel = "N", description = "Evaluations of the adversarial search for lowerBound "
      + "(a gradient counts 3), the sample points included (0: the samples only; default: scaled to the network's cost, see docs/bounds.md).")
  Integer n;

  /**
   * The evaluations asked for, or null for the default.
   *
   * @throws UsageError when negative
   */
  Integer get() {
    if (n != null && n < 0) throw new UsageError("--search must be >= 0, got " + n);
    return n;
  }
}
