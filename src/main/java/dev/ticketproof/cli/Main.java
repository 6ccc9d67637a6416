package dev.ticketproof.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code ticketproof} command line. */
@Command(name = "ticketproof", mixinStandardHelpOptions = true, version = "ticketproof 0.1.0",
    description = "Certified strong lottery tickets in convolutional and residual networks.",
    subcommands = {
        CommandLine.HelpCommand.class,
        DemoCommand.class,
        ConstructCommand.class,
        VerifyCommand.class,
        SubsetSumCommand.class,
        InspectCommand.class,
        EvalCommand.class,
        ExportCommand.class,
        ActivationsCommand.class,
        SweepCommand.class,
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

  public static void main(String[] args) { System.exit(run(args)); }

  /** Runs the command line and returns the exit code (0 ok, 1 internal error, 2 bad input, 3 rejected). */
  public static int run(String... args) { return new CommandLine(new Main()).execute(args); }
}
