package dev.ticketproof.cli;

import dev.ticketproof.subsetsum.Experiments;
import dev.ticketproof.subsetsum.SubsetSum;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code demo}: a quick tour; currently subset-sum statistics for a few widths. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Runs a quick demonstration and prints a table.")
public final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--no-progress", description = "Do not show progress bars on stderr.")
  boolean noProgress;

  @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    int trials = 20_000;
    out.println("Random subset-sum approximation, one target z ~ U[-1,1], eps = 0.01, " + trials + " trials, seed " + seed);
    out.printf(Locale.ROOT, "%4s  %-10s  %-12s  %-22s  %-10s  %-10s%n", "n", "mode", "failure %", "95% CI (%)",
        "mean size", "ns/inst");
    int[] ns = {10, 12, 15, 20};
    for (int n : ns) {
      for (SubsetSum.Mode m : new SubsetSum.Mode[] {SubsetSum.Mode.MIN_SIZE, SubsetSum.Mode.EXACT}) {
        Experiments.StatsResult r = SubsetSumCommand.withProgress(!noProgress, "demo n=" + n, trials,
            p -> Experiments.stats(n, 0.01, trials, seed, m, false, p));
        out.printf(Locale.ROOT, "%4d  %-10s  %-12.4f  [%.4f, %.4f]        %-10.3f  %-10.0f%n", n, m.cliName(),
            100 * r.failureRate(), 100 * r.ci95()[0], 100 * r.ci95()[1], r.meanSubsetSize(), r.nanosPerInstance());
      }
    }
    Experiments.CoverageResult c = SubsetSumCommand.withProgress(!noProgress, "demo coverage", 400,
        p -> Experiments.coverage(15, 0.01, 400, seed, false, p));
    out.printf(Locale.ROOT, "Every z in [-1,1] covered (n=15, eps=0.01): %d / %d = %.3f  95%% CI [%.3f, %.3f]%n",
        c.covered(), c.trials(), c.coverage(), c.ci95()[0], c.ci95()[1]);
    out.flush();
    return 0;
  }
}
