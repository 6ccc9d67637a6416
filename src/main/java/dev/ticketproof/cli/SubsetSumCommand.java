package dev.ticketproof.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ticketproof.stats.EmpiricalBound;
import dev.ticketproof.stats.BoundVerdict;
import dev.ticketproof.subsetsum.Coverage;
import dev.ticketproof.subsetsum.Experiments;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.subsetsum.WidthBound;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code subset-sum stats|coverage|width}: experiments on the random subset-sum lemma. */
@Command(name = "subset-sum", mixinStandardHelpOptions = true,
    description = "Random subset-sum approximation: per-target statistics, \"all z\" coverage, width bounds.",
    subcommands = {SubsetSumCommand.Stats.class, SubsetSumCommand.CoverageCmd.class, SubsetSumCommand.Width.class})
public final class SubsetSumCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

  /** Flags shared by the subcommands. */
  static class Common {
    @Option(names = "--seed", defaultValue = "1", description = "Seed of the weight field (default: ${DEFAULT-VALUE}).")
    long seed;

    @CommandLine.Mixin FormatOption format;

    @CommandLine.Mixin ProgressOption progress;

    @Option(names = "--products", description = "Candidates W*V with W ~ U(-2,2), V ~ U(-1,1) instead of U(-1,1).")
    boolean products;
  }

  static void checkEps(double eps) {
    if (!(eps > 0 && eps <= 1)) {
      throw new UsageError("--eps must be in (0, 1], got " + eps);
    }
  }

  static void checkTrials(long trials) {
    if (!(trials >= 1 && trials <= Integer.MAX_VALUE)) {
      throw new UsageError("--trials must be in [1, " + Integer.MAX_VALUE + "], got " + trials);
    }
  }

  /** Runs work with an optional progress bar on stderr. */
  static <T> T withProgress(boolean show, String task, long max, java.util.function.Function<LongConsumer, T> work) {
    if (!show) {
      return work.apply(null);
    }
    java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
    try (OverallProgress bar = OverallProgress.of(true, task, max)) {
      return work.apply(k -> bar.step(done.addAndGet(k), max, "trials"));
    }
  }

  static String json(JsonObject o) {
    return new GsonBuilder().disableHtmlEscaping().create().toJson(o);
  }

  static JsonArray pair(double[] ci) {
    JsonArray a = new JsonArray();
    a.add(ci[0]);
    a.add(ci[1]);
    return a;
  }

  /** The "all z" coverage of {@code trials} base sets of {@code n} candidates, with a progress bar on long runs. */
  static Experiments.CoverageResult coverage(Common common, String task, int n, double eps, long trials) {
    boolean show = common.progress.show() && trials * Math.pow(2, n) > Math.pow(2, 26);
    return withProgress(show, task, trials,
        p -> Experiments.coverage(n, eps, trials, common.seed, common.products, p));
  }

  /** A measured coverage's JSON fields. */
  static void addCoverage(JsonObject o, Experiments.CoverageResult r) {
    o.addProperty("trials", r.trials());
    o.addProperty("covered", r.covered());
    o.addProperty("coverage", r.coverage());
    o.add("ci95", pair(r.ci95()));
  }

  /** A measured coverage as text: {@code covered / trials = coverage  95% CI [lo, hi]}. */
  static String covered(Experiments.CoverageResult r) {
    return String.format(Locale.ROOT, "%d / %d = %.4f  95%% CI %s", r.covered(), r.trials(), r.coverage(),
        EmpiricalBound.formatInterval(r.ci95()[0], r.ci95()[1], 4));
  }

  /** {@code subset-sum stats}: the "one z" failure statistic. */
  @Command(name = "stats", mixinStandardHelpOptions = true,
      description = "Failure rate of one random target z ~ U[-1,1] against a random base set, with a 95%% "
          + "Clopper-Pearson interval and the mean size of the chosen subset.")
  static final class Stats implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--n", defaultValue = "15", description = "Base-set size, 1..256 (exact: 1..40) (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--eps", defaultValue = "0.01", description = "Tolerance in (0, 1] (default: ${DEFAULT-VALUE}).")
    double eps;

    @Option(names = "--trials", defaultValue = "100000", description = "Number of instances (default: ${DEFAULT-VALUE}).")
    long trials;

    @Option(names = "--mode", defaultValue = "min-size", description = "Solver: min-size, exact, first-hit or min-norm (default: ${DEFAULT-VALUE}).")
    String mode;

    @picocli.CommandLine.Mixin Common common = new Common();

    @Override public Integer call() {
      SubsetSum.Mode m = SubsetSum.Mode.ofCliName(mode);
      if (!(n >= 1 && n <= m.maxN())) {
        throw new UsageError("--n must be in [1, " + m.maxN() + "] for --mode " + m.cliName() + ", got " + n);
      }
      checkEps(eps);
      Cli.checkResolvable("--eps", eps, n);
      checkTrials(trials);
      boolean show = common.progress.show() && (trials >= 50_000 || n > 20);
      Experiments.StatsResult r = withProgress(show, "subset-sum stats", trials,
          p -> Experiments.stats(n, eps, trials, common.seed, m, common.products, p));
      PrintWriter out = spec.commandLine().getOut();
      if (common.format.json()) {
        JsonObject o = new JsonObject();
        o.addProperty("n", r.n());
        o.addProperty("eps", r.eps());
        o.addProperty("trials", r.trials());
        o.addProperty("failures", r.failures());
        o.addProperty("failureRate", r.failureRate());
        o.add("ci95", pair(r.ci95()));
        if (Double.isNaN(r.meanSubsetSize())) {
          o.add("meanSubsetSize", com.google.gson.JsonNull.INSTANCE);
        } else {
          o.addProperty("meanSubsetSize", r.meanSubsetSize());
        }
        o.addProperty("nanosPerInstance", r.nanosPerInstance());
        out.println(json(o));
      } else {
        out.printf(Locale.ROOT, "subset-sum stats  n=%d  eps=%g  mode=%s  candidates=%s  seed=%d%n", r.n(), r.eps(),
            m.cliName(), common.products ? "W*V" : "U(-1,1)", common.seed);
        out.printf(Locale.ROOT, "  trials            %d%n", r.trials());
        out.printf(Locale.ROOT, "  failures          %d%n", r.failures());
        out.printf(Locale.ROOT, "  failure rate      %.4f %%  95%% CI %s %%%n", 100 * r.failureRate(),
            EmpiricalBound.formatInterval(100 * r.ci95()[0], 100 * r.ci95()[1], 3));
        out.printf(Locale.ROOT, "  mean subset size  %.3f (successful instances)%n", r.meanSubsetSize());
        out.printf(Locale.ROOT, "  ns per instance   %.0f%n", r.nanosPerInstance());
        out.printf(Locale.ROOT, "  size distribution");
        long[] c = r.sizeCounts();
        for (int k = 0; k < c.length; k++) {
          if (c[k] > 0) out.printf(Locale.ROOT, "  %d: %.2f%%", k, 100.0 * c[k] / r.trials());
        }
        out.println();
      }
      out.flush();
      return 0;
    }
  }

  /** {@code subset-sum coverage}: the "all z" coverage probability. */
  @Command(name = "coverage", mixinStandardHelpOptions = true,
      description = "Probability that EVERY z in [-1,1] is within eps of a subset sum (exact check per base set), "
          + "with a 95%% Clopper-Pearson interval.")
  static final class CoverageCmd implements Callable<Integer> {
    static final int MAX_N = 32;

    @Spec CommandSpec spec;

    @Option(names = "--n", defaultValue = "15", description = "Base-set size, 1..32 (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--eps", defaultValue = "0.01", description = "Tolerance in [1e-6, 1] (default: ${DEFAULT-VALUE}).")
    double eps;

    @Option(names = "--trials", defaultValue = "400", description = "Number of base sets (default: ${DEFAULT-VALUE}).")
    long trials;

    @picocli.CommandLine.Mixin Common common = new Common();

    @Override public Integer call() {
      if (!(n >= 1 && n <= MAX_N)) {
        throw new UsageError("--n must be in [1, " + MAX_N + "] for coverage, got " + n);
      }
      if (!(eps >= 1e-6 && eps <= 1)) {
        throw new UsageError("--eps must be in [1e-6, 1] for coverage, got " + eps);
      }
      checkTrials(trials);
      Experiments.CoverageResult r = coverage(common, "subset-sum coverage", n, eps, trials);
      PrintWriter out = spec.commandLine().getOut();
      if (common.format.json()) {
        JsonObject o = new JsonObject();
        o.addProperty("n", r.n());
        o.addProperty("eps", r.eps());
        addCoverage(o, r);
        out.println(json(o));
      } else {
        out.printf(Locale.ROOT, "subset-sum coverage (every z in [-1,1])  n=%d  eps=%g  candidates=%s  seed=%d%n",
            r.n(), r.eps(), common.products ? "W*V" : "U(-1,1)", common.seed);
        out.printf(Locale.ROOT, "  covered  %s%n", covered(r));
      }
      out.flush();
      return 0;
    }
  }

  /** {@code subset-sum width}: the width bound, optionally checked by measurement. */
  @Command(name = "width", mixinStandardHelpOptions = true,
      description = "Width n(eps, delta, C) = ceil(C ln(1/min(eps,delta))) of [subset-sum] (with --products: the "
          + "products bound), optionally checked by measuring \"all z\" coverage at that width.")
  static final class Width implements Callable<Integer> {
    /** Coverage is measured with at most this many candidates (a lower bound on coverage at larger n). */
    static final int MEASURE_MAX_N = 24;

    @Spec CommandSpec spec;

    @Option(names = "--eps", defaultValue = "0.01", description = "Tolerance in (0, 1] (default: ${DEFAULT-VALUE}).")
    double eps;

    @Option(names = "--delta", defaultValue = "0.01", description = "Failure probability in (0, 1]; min(eps, delta) <= 0.5 (default: ${DEFAULT-VALUE}).")
    double delta;

    @Option(names = {"--C", "--c"}, defaultValue = "6.0", description = "Constant C, > 0 (default: ${DEFAULT-VALUE}, the project's).")
    double c;

    @Option(names = "--trials", defaultValue = "0", description = "If > 0, measure coverage at the width with this many base sets (default: ${DEFAULT-VALUE}).")
    long trials;

    @picocli.CommandLine.Mixin Common common = new Common();

    @Override public Integer call() {
      int width;
      checkEps(eps);
      if (!(delta > 0 && delta <= 1)) {
        throw new UsageError("--delta must be in (0, 1], got " + delta);
      }
      if (!(Math.min(eps, delta) <= WidthBound.MAX_MIN_EPS_DELTA)) {
        throw new UsageError("--eps/--delta: the bound needs min(eps, delta) <= 0.5, got eps=" + eps + ", delta=" + delta);
      }
      if (!(c > 0 && c <= 1000)) {
        throw new UsageError("--C must be in (0, 1000], got " + c);
      }
      if (trials != 0) {
        checkTrials(trials);
        if (eps < 1e-6) {
          throw new UsageError("--eps must be >= 1e-6 when --trials > 0, got " + eps);
        }
      }
      width = common.products ? WidthBound.products(eps, delta, c) : WidthBound.uniform(eps, delta, c);
      PrintWriter out = spec.commandLine().getOut();
      JsonObject o = new JsonObject();
      o.addProperty("eps", eps);
      o.addProperty("delta", delta);
      o.addProperty("C", c);
      o.addProperty("products", common.products);
      o.addProperty("n", width);
      Experiments.CoverageResult r = null;
      BoundVerdict v = null;
      int measured = Math.min(width, Math.min(MEASURE_MAX_N, Coverage.MAX_N));
      if (trials > 0) {
        r = coverage(common, "subset-sum width", measured, eps, trials);
        v = EmpiricalBound.check(r.trials(), r.covered(), 1 - delta, EmpiricalBound.Direction.AT_LEAST);
        o.addProperty("measuredN", measured);
        addCoverage(o, r);
        o.addProperty("meetsOneMinusDelta", v.consistent());
      }
      if (common.format.json()) {
        out.println(json(o));
      } else {
        out.printf(Locale.ROOT, "width bound (%s)  eps=%g  delta=%g  C=%g  ->  n = %d%n",
            common.products ? "products W*V" : "U(-1,1)", eps, delta, c, width);
        if (r != null) {
          out.printf(Locale.ROOT, "  coverage with %d%s candidates: %s%n", measured,
              measured < width ? " (first of " + width + ": a lower bound)" : "", covered(r));
          out.printf(Locale.ROOT, "  1 - delta = %g: %s%n", 1 - delta, v.message());
        }
      }
      out.flush();
      return 0;
    }
  }
}
