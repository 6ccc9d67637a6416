package dev.ticketproof.cli;

import dev.ticketproof.net.Network;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data X.npy [--labels Y.npy]}: inputs to measure target and ticket on (construct, verify). */
final class DataOptions {
  @Option(names = "--data", description = "Also measure on these inputs: a .npy array [N, ...] (e.g. test images); "
      + "inputs inside the certified box must be within the bound.")
  Path inputs;

  @Option(names = "--labels", description = "Labels [N] for --data: report target and ticket accuracy.")
  Path labels;

  /** The inputs (and labels) for the network, or null without {@code --data} ({@link Cli#data}). */
  Cli.DataSet load(Network net) { return Cli.data(net, inputs, labels); }
}
