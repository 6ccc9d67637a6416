package dev.ticketproof.cli;

import dev.ticketproof.net.Network;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data X [--labels Y]} ({@link DataFiles}): inputs to measure target and ticket on (construct, verify). */
final class DataOptions {
  @Option(names = "--data", description = "Also measure on these inputs: an array [N, C, H, W] or [N, F] (e.g. test "
      + "images) in a .npy, .npz or .pt file (FILE:NAME picks one of several arrays; docs/cli.md, data files); "
      + "inputs inside the certified box must be within the bound.")
  Path inputs;

  @Option(names = "--labels", description = "Class indices [N] for --data (integers, or whole-number floats; same "
      + "formats): report target and ticket accuracy.")
  Path labels;

  /** The inputs (and labels) for the network, or null without {@code --data} ({@link Cli#data}). */
  Cli.DataSet load(Network net) { return Cli.data(net, inputs, labels); }
}
