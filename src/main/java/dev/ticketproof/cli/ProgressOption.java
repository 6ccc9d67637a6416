package dev.ticketproof.cli;

import picocli.CommandLine.Option;

/**
 * The {@code --no-progress} option. Progress goes to stderr: a redrawn bar with an ETA on a terminal, plain lines
 * (no escapes, no carriage returns) otherwise ({@link OverallProgress}).
 */
final class ProgressOption {
  @Option(names = "--no-progress", description = "No progress on stderr.")
  boolean off;

  boolean show() { return !off; }
}
