package dev.ticketproof.bench;

import dev.ticketproof.random.WeightField;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.subsetsum.SubsetSum.Mode;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Per-instance time of the subset-sum solvers. Each invocation solves {@value #INSTANCES} fixed instances
 * (base sets U(-1,1) from the weight field at seed 1, targets z ~ U[-1,1]), so the score is the average time per
 * instance over a realistic mix; with eps = 1e-6 at n = 20 about two thirds of the instances are infeasible. Two
 * infeasible kinds: "tiny" (candidates in (0, 0.04), target 1) and "far" (candidates U(-1,1), target 0.5 above the
 * sum of the positive candidates); both are out of reach when the candidates' sum stays below the target.
 */
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SubsetSumBench {
  static final int INSTANCES = 1024;

  /** Base-set size, tolerance and mode of one benchmark configuration. */
  @Param({"min-size:15:1e-2", "min-size:40:1e-3", "min-size:64:1e-4", "min-size:128:1e-6", "min-size:256:1e-4",
      "min-size:64:far", "min-size:256:far", "min-size:20:tiny", "min-norm:40:1e-3", "min-norm:64:1e-4",
      "min-norm:128:1e-6", "min-norm:256:1e-4", "first-hit:15:1e-2", "exact:15:1e-2", "exact:20:1e-6"})
  public String config;

  private double[][] bases;
  private double[] targets;
  private double eps;
  private Mode mode;

  @Setup
  public void setUp() {
    mode = Mode.ofCliName(config.split(":")[0]);
    eps = eps(config);
    bases = new double[INSTANCES][];
    targets = new double[INSTANCES];
    instances(config, bases, targets);
  }

  /** The tolerance of a configuration {@code mode:n:eps} ("tiny" and "far": 1e-3). */
  static double eps(String config) {
    String e = config.split(":")[2];
    return e.equals("tiny") || e.equals("far") ? 1e-3 : Double.parseDouble(e);
  }

  /** Fills {@code bases} and {@code targets} with the instances of a configuration {@code mode:n:eps}. */
  static void instances(String config, double[][] bases, double[] targets) {
    String[] p = config.split(":");
    int n = Integer.parseInt(p[1]);
    boolean tiny = p[2].equals("tiny");
    boolean far = p[2].equals("far");
    for (int t = 0; t < bases.length; t++) {
      bases[t] = new double[n];
      double pos = 0;
      for (int i = 0; i < n; i++) {
        bases[t][i] = tiny ? WeightField.uniform(1, t, i, 0, 0.04) : WeightField.uniform(1, t, i, -1, 1);
        pos += Math.max(bases[t][i], 0);
      }
      targets[t] = tiny ? 1.0 : far ? pos + 0.5 : WeightField.uniform(1, -1, t, -1, 1);
    }
  }

  @Benchmark
  @OperationsPerInvocation(INSTANCES)
  public void solve(Blackhole bh) {
    for (int t = 0; t < INSTANCES; t++) {
      bh.consume(SubsetSum.solve(bases[t], targets[t], eps, mode));
    }
  }
}
