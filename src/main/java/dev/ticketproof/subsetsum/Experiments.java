package dev.ticketproof.subsetsum;

import dev.ticketproof.random.Distribution;
import dev.ticketproof.stats.EmpiricalBound;
import java.util.function.LongConsumer;
import java.util.stream.IntStream;

/**
 * Monte Carlo experiments on [subset-sum] over the reproducible instances of {@link BaseSets}: the "one z"
 * failure statistic and the "all z" coverage probability. Trials are split into fixed chunks that run in parallel;
 * every trial is a pure function of (seed, trial), so results are identical on any number of threads.
 */
public final class Experiments {
  private static final int CHUNK = 1024;
  /** Instances solved (untimed, results discarded) before a timed statistics run. */
  public static final int WARMUP = 20_000;

  private Experiments() {}

  /**
   * Result of {@link #stats}.
   *
   * @param n base-set size
   * @param eps tolerance
   * @param trials number of (base set, target) instances
   * @param failures instances where no subset is within eps
   * @param ci95 95 % Clopper-Pearson interval {lo, hi} of the failure probability
   * @param meanSubsetSize mean size of the returned subset over the successful instances (NaN if none)
   * @param sizeCounts {@code sizeCounts[k]} = successful instances whose subset has k elements
   * @param nanosPerInstance solver time per instance (sum over threads of the CPU time spent in
   *     {@link SubsetSum#solve}, divided by trials; base-set generation excluded; measured after an untimed
   *     warm-up of up to {@value #WARMUP} instances so that the figure is not dominated by JIT compilation)
   */
  public record StatsResult(int n, double eps, long trials, long failures, double[] ci95, double meanSubsetSize,
      long[] sizeCounts, double nanosPerInstance) {
    /** failures / trials. */
    public double failureRate() { return (double) failures / trials; }
  }

  /**
   * Result of {@link #coverage}.
   *
   * @param n base-set size
   * @param eps tolerance
   * @param trials number of base sets
   * @param covered base sets for which every z in [-1, 1] is within eps of a subset sum
   * @param ci95 95 % Clopper-Pearson interval {lo, hi} of the coverage probability
   */
  public record CoverageResult(int n, double eps, long trials, long covered, double[] ci95) {
    /** covered / trials. */
    public double coverage() { return (double) covered / trials; }
  }

  /**
   * The "one z" statistic: for trials t = 0..trials-1, solve base set t against target z_t.
   *
   * @param n base-set size, {@code 1 <= n <= mode.maxN()}
   * @param eps tolerance, finite and {@code > 0}
   * @param trials number of trials, {@code 1 <= trials <= Integer.MAX_VALUE}
   * @param seed the seed
   * @param mode solver strategy
   * @param products candidates W V (W ~ U(-2,2), V ~ U(-1,1)) instead of U(-1,1)
   * @param progress receives the number of finished trials as chunks complete (thread-safe consumer); may be null
   */
  public static StatsResult stats(int n, double eps, long trials, long seed, SubsetSum.Mode mode, boolean products,
      LongConsumer progress) {
    if (!(n >= 1 && n <= mode.maxN())) {
      throw new IllegalArgumentException("n must be in [1, " + mode.maxN() + "] for mode " + mode.cliName() + ", got " + n);
    }
    checkTrials(trials);
    Distribution d = BaseSets.distribution(products);
    warmUp(n, eps, (int) Math.min(trials, WARMUP), seed, mode, d);
    int chunks = (int) ((trials + CHUNK - 1) / CHUNK);
    long[][] perChunk = IntStream.range(0, chunks).parallel().mapToObj(c -> {
      long from = (long) c * CHUNK;
      int len = (int) Math.min(CHUNK, trials - from);
      double[][] bases = new double[len][n];
      double[] targets = new double[len];
      for (int k = 0; k < len; k++) {
        BaseSets.fill(seed, from + k, d, bases[k], n);
        targets[k] = BaseSets.target(seed, from + k);
      }
      long[] acc = new long[n + 3]; // [0..n] size counts, n+1 failures, n+2 nanos
      long t0 = threadNanos();
      for (int k = 0; k < len; k++) {
        SubsetSum.Solution s = SubsetSum.solve(bases[k], targets[k], eps, mode);
        if (s.withinEps()) {
          acc[s.size()]++;
        } else {
          acc[n + 1]++;
        }
      }
      acc[n + 2] = threadNanos() - t0;
      if (progress != null) {
        progress.accept(len);
      }
      return acc;
    }).toArray(long[][]::new);
    long[] sizes = new long[n + 1];
    long failures = 0;
    long nanos = 0;
    for (long[] acc : perChunk) {
      for (int k = 0; k <= n; k++) sizes[k] += acc[k];
      failures += acc[n + 1];
      nanos += acc[n + 2];
    }
    long ok = trials - failures;
    double sizeSum = 0;
    for (int k = 0; k <= n; k++) sizeSum += (double) k * sizes[k];
    return new StatsResult(n, eps, trials, failures, EmpiricalBound.ci95(trials, failures),
        ok == 0 ? Double.NaN : sizeSum / ok, sizes, (double) nanos / trials);
  }

  /**
   * The "all z" coverage probability: for base sets t = 0..trials-1, decide exactly whether every z in [-1, 1] is
   * within eps of a subset sum ({@link Coverage#coversAll}).
   *
   * @param n base-set size, {@code 1 <= n <= Coverage.MAX_N}
   * @param eps tolerance in [1e-8, 1]
   * @param trials number of base sets
   * @param seed the seed
   * @param products product candidates instead of U(-1,1)
   * @param progress receives finished trial counts; may be null
   */
  public static CoverageResult coverage(int n, double eps, long trials, long seed, boolean products,
      LongConsumer progress) {
    if (!(n >= 1 && n <= Coverage.MAX_N)) {
      throw new IllegalArgumentException("n must be in [1, " + Coverage.MAX_N + "] for coverage, got " + n);
    }
    checkTrials(trials);
    Distribution d = BaseSets.distribution(products);
    int chunk = n >= 20 ? 8 : 256;
    int chunks = (int) ((trials + chunk - 1) / chunk);
    long covered = IntStream.range(0, chunks).parallel().mapToLong(c -> {
      long from = (long) c * chunk;
      int len = (int) Math.min(chunk, trials - from);
      double[] x = new double[n];
      long cov = 0;
      for (int k = 0; k < len; k++) {
        BaseSets.fill(seed, from + k, d, x, n);
        if (Coverage.coversAll(x, eps)) {
          cov++;
        }
      }
      if (progress != null) {
        progress.accept(len);
      }
      return cov;
    }).sum();
    return new CoverageResult(n, eps, trials, covered, EmpiricalBound.ci95(trials, covered));
  }

  /** CPU time of the current thread when the JVM measures it, else wall-clock time. */
  private static long threadNanos() {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    return mx.isCurrentThreadCpuTimeSupported() ? mx.getCurrentThreadCpuTime() : System.nanoTime();
  }

  private static void warmUp(int n, double eps, int count, long seed, SubsetSum.Mode mode, Distribution d) {
    double[] x = new double[n];
    for (int t = 0; t < count; t++) {
      BaseSets.fill(seed, t, d, x, n);
      SubsetSum.solve(x, BaseSets.target(seed, t), eps, mode);
    }
  }

  private static void checkTrials(long trials) {
    if (!(trials >= 1 && trials <= Integer.MAX_VALUE)) {
      throw new IllegalArgumentException("trials must be in [1, " + Integer.MAX_VALUE + "], got " + trials);
    }
  }
}
