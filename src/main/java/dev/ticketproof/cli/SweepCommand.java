package dev.ticketproof.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sweep}: a grid of construct runs into one CSV. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
    description = "Runs construct over a grid of options (a JSON spec, see docs/cli.md) in parallel and writes one "
        + "CSV row per run with every field construct prints. Rows already in the CSV are skipped (resumable).")
public final class SweepCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SPEC.json", description = "The grid: construct options, arrays are axes.")
  Path specFile;

  @Option(names = "--out", required = true, paramLabel = "R.csv",
      description = "Output CSV; existing rows are kept and their grid points skipped.")
  Path out;

  @Option(names = "--threads", description = "Runs in parallel (default: available processors); each run uses one "
      + "thread, and results do not depend on this.")
  Integer threads;

  @picocli.CommandLine.Mixin ProgressOption progress;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    try {
      return run();
    } catch (IllegalStateException e) {
      err.println("sweep: " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  private int run() throws IOException {
    int th = Cli.threads(threads);
    SafeOutput.check(out, "--out", specFile);
    Sweep sweep = Sweep.read(specFile);
    long start = System.nanoTime();
    int total = sweep.points().size();
    Sweep.Outcome o;
    try (OverallProgress bar = OverallProgress.of(progress.show(), "sweep", total)) {
      o = sweep.run(out, th, (p, done, todo) -> bar.step(done, todo, p.key()));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long holds = 0;
    long other = 0;
    for (Map<String, String> r : o.table().rows()) {
      if ("holds".equals(r.get("verdict"))) holds++; else other++;
    }
    PrintWriter pw = spec.commandLine().getOut();
    pw.printf(Locale.ROOT, "sweep: %d grid points, %d run, %d already in %s; %d rows (%d hold, %d not) in %.1f s%n",
        total, o.ran(), o.skipped(), out, o.table().rows().size(), holds, other, seconds);
    pw.flush();
    return 0;
  }
}
