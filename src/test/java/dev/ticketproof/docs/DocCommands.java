package dev.ticketproof.docs;

import dev.ticketproof.cli.CommandRun;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** Runs a page's {@code ./ticketproof} command line as written, its file arguments resolved in a directory. */
final class DocCommands {
  private static final Pattern FILE = Pattern.compile(".*\\.(tpz|npy|npz|pt|json)$");

  /** A command's exit code and outputs. */
  record Run(String[] args, int code, String out, String err) {}

  private DocCommands() {}

  /** Runs {@code line} (without {@code ./ticketproof}), file arguments ({@code *.npy}, ...) resolved in {@code dir}. */
  static Run run(String line, Path dir) {
    String[] args = line.split("\\s+");
    for (int i = 0; i < args.length; i++) {
      if (FILE.matcher(args[i]).matches() && !args[i].startsWith("-")) args[i] = dir.resolve(args[i]).toString();
    }
    CommandRun r = CommandRun.of(args);
    return new Run(args, r.code(), r.out(), r.err());
  }
}
