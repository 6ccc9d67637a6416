package dev.ticketproof.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.ticketproof.io.ImportException;
import dev.ticketproof.limits.BadParameter;
import dev.ticketproof.limits.Budget;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code ticketproof} command line. */
@Command(name = "ticketproof", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
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
        ReportCommand.class,
    })
public final class Main implements Runnable {
  /** {@code --version}: the project version the jar was built from. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() { return new String[] {"ticketproof " + dev.ticketproof.api.Version.get()}; }
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

  public static void main(String[] args) { System.exit(run(args)); }

  /** Runs the command line and returns the exit code (0 ok, 1 internal error, 2 bad input, 3 rejected). */
  public static int run(String... args) {
    return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  /**
   * Runs the command line with the given streams. No input produces a stack trace: bad input (a file, flag or
   * setting the user gave) is one line on {@code err} and exit 2, also when the JVM runs out of memory or stack
   * while reading it (the readers' budgets should make that path unused).
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    try {
      return commandLine().setOut(out).setErr(err).execute(args);
    } catch (OutOfMemoryError e) {
      err.println(outOfMemory(Runtime.getRuntime().maxMemory()));
      err.flush();
      return 2;
    } catch (StackOverflowError e) {
      err.println("ticketproof: an input is nested too deeply to process (stack overflow)");
      err.flush();
      return 2;
    }
  }

  /** The message of a run that ran out of memory: the heap it had and how to give it more. */
  static String outOfMemory(long heap) {
    return String.format(java.util.Locale.ROOT, "ticketproof: out of memory: the JVM's maximum heap of %.1f GiB is "
        + "too small for this input or ticket: give the JVM more (-Xmx in TICKETPROOF_JAVA_OPTS, e.g. "
        + "TICKETPROOF_JAVA_OPTS='-Xmx16g -XX:+UseParallelGC'), or a smaller input or ticket", heap / (double) (1L << 30));
  }

  /**
   * The one mapping of what ends a command to its exit code: 3 for a ticket file the kernel rejects, 2 for bad input the user gave (a usage error, an
   * unreadable, unwritable or too large file, a bad setting, a value the library does not accept: an
   * {@link IllegalArgumentException}, such as {@link BadParameter} or {@link Budget.BadSetting}), else 1.
   */
  static int exitCode(Throwable ex) {
    if (ex instanceof RejectedTicket) return 3;
    return ex instanceof UsageError || ex instanceof ImportException || ex instanceof IllegalArgumentException
        || ex instanceof IOException || ex instanceof UncheckedIOException ? 2 : 1;
  }

  /**
   * The one-line message of an exception that ended a command: a library parameter named as its flag, an
   * input/output error as such, an internal error with where it happened.
   */
  static String describe(Throwable ex) {
    if (ex instanceof BadParameter b) return UsageError.message(b);
    if (ex instanceof dev.ticketproof.api.Tickets.TooLarge) {
      return ex.getMessage() + ": give the JVM more heap (-Xmx in TICKETPROOF_JAVA_OPTS), keep the target's later "
          + "layers as they are (--upto), or build a narrower (--rho) or coarser (--eps) ticket";
    }
    if (ex instanceof IOException) return "input/output error: " + ex.getMessage();
    if (ex instanceof RejectedTicket) return "rejected: " + ex.getMessage();
    if (exitCode(ex) == 2) return ex.getMessage();
    StackTraceElement[] st = ex.getStackTrace();
    return "internal error: " + ex.getClass().getName() + ": " + ex.getMessage()
        + (st.length > 0 ? " (at " + st[0] + ")" : "");
  }

  /**
   * The command line with TicketProof's error handling: a bad flag or input is a one-line message on stderr and
   * exit code 2, an internal error one line and exit code 1 (no stack trace);
   * with {@code --format json}, every error (bad flag, bad input, rejected file, internal error) that leaves stdout
   * empty also prints {@code {"error": MESSAGE, "exitCode": N}} on stdout, MESSAGE being what went to stderr.
   */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    versionEverywhere(cl);
    return withErrorHandling(cl);
  }

  /** Every command's {@code --version} prints the project version, as the top-level one does. */
  private static void versionEverywhere(CommandLine cl) {
    cl.getCommandSpec().versionProvider(new Version());
    for (CommandLine sub : cl.getSubcommands().values()) versionEverywhere(sub);
  }

  /** A command line (the whole one, or one command alone) with the error handling of {@link #commandLine()}. */
  static CommandLine withErrorHandling(CommandLine cl) {
    cl.setExecutionStrategy(Main::execute);
    cl.setParameterExceptionHandler(Main::badParameter);
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      String msg = name(cmd) + ": " + describe(ex);
      cmd.getErr().println(msg);
      cmd.getErr().flush();
      if (json(parsed)) jsonError(cmd.getOut(), msg, exitCode(ex));
      return exitCode(ex);
    });
    return cl;
  }

  private static int execute(CommandLine.ParseResult parsed) {
    if (!json(parsed)) return new CommandLine.RunLast().execute(parsed);
    CommandLine.ParseResult last = parsed;
    while (last.hasSubcommand()) last = last.subcommand();
    CommandLine cmd = last.commandSpec().commandLine();
    PrintWriter out = cmd.getOut();
    PrintWriter err = cmd.getErr();
    StringWriter errText = new StringWriter();
    boolean[] printed = {false};
    cmd.setOut(new PrintWriter(new Writer() {
      @Override public void write(char[] buf, int off, int len) {
        if (len > 0) printed[0] = true;
        out.write(buf, off, len);
      }

      @Override public void flush() { out.flush(); }

      @Override public void close() { out.flush(); }
    }));
    cmd.setErr(new PrintWriter(new Writer() {
      @Override public void write(char[] buf, int off, int len) {
        errText.write(buf, off, len);
        err.write(buf, off, len);
      }

      @Override public void flush() { err.flush(); }

      @Override public void close() { err.flush(); }
    }));
    int code;
    try {
      code = new CommandLine.RunLast().execute(parsed);
    } finally {
      cmd.getOut().flush();
      cmd.getErr().flush();
      cmd.setOut(out);
      cmd.setErr(err);
    }
    if (code != 0 && !printed[0]) {
      String msg = errText.toString().trim();
      jsonError(out, msg.isEmpty() ? "exit code " + code : msg, code);
    }
    return code;
  }

  /** A command's name in messages: {@code construct}, {@code subset-sum stats}. */
  private static String name(CommandLine cmd) {
    return cmd.getCommandSpec().qualifiedName().replaceFirst("^ticketproof ", "");
  }

  private static int badParameter(CommandLine.ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println(name(cmd) + ": " + ex.getMessage());
    if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err)) {
      err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
    }
    err.flush();
    if (jsonArgs(args)) jsonError(cmd.getOut(), name(cmd) + ": " + ex.getMessage(), 2);
    return 2;
  }

  /** Whether the command that runs was given {@code --format json}. */
  private static boolean json(CommandLine.ParseResult parsed) {
    CommandLine.ParseResult last = parsed;
    while (last.hasSubcommand()) last = last.subcommand();
    return "json".equals(last.matchedOptionValue("--format", "table"));
  }

  /** Whether the raw arguments ask for {@code --format json} (for errors before the arguments could be parsed). */
  private static boolean jsonArgs(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--format=json") || (args[i].equals("--format") && i + 1 < args.length
          && args[i + 1].equals("json"))) {
        return true;
      }
    }
    return false;
  }

  private static void jsonError(PrintWriter out, String message, int code) {
    JsonObject o = new JsonObject();
    o.addProperty("error", message);
    o.addProperty("exitCode", code);
    out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(o));
    out.flush();
  }
}
