package dev.ticketproof.cli;

import picocli.CommandLine.Option;

/** The {@code --input-shape C,H,W} option of the commands that read a file target. */
final class InputShapeOption {
  @Option(names = "--input-shape", paramLabel = "C,H,W", split = ",",
      description = "Per-example input shape of a file target, when the architecture cannot infer it (e.g. 3,32,32; "
          + "C,L for a network of Conv1d layers; F for one that reads vectors).")
  int[] value;
}
