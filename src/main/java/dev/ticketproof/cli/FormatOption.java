package dev.ticketproof.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code --format table|json} option of the commands that print reports. With {@code json}, errors are JSON
 * too: {@code {"error": MESSAGE, "exitCode": N}} on stdout (see {@link Main}); the text stays on stderr.
 */
final class FormatOption {
  @Spec(Spec.Target.MIXEE) CommandSpec mixee;

  private String format = "table";

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
      description = "Output format: table or json; with json, errors are {\"error\", \"exitCode\"} on stdout too "
          + "(default: ${DEFAULT-VALUE}).")
  void set(String value) {
    if (!value.equals("table") && !value.equals("json")) {
      throw new CommandLine.ParameterException(mixee.commandLine(),
          "--format must be json or table, got '" + value + "'");
    }
    format = value;
  }

  /** table or json. */
  String get() { return format; }

  boolean json() { return format.equals("json"); }
}
