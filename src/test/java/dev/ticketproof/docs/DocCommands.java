package dev.ticketproof.docs;

import dev.ticketproof.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.regex.Pattern;
import picocli.CommandLine;

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
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(args, code, out.toString(), err.toString());
  }
}
