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
 * instance over a realistic mix; with eps = 1e-6 at n = 20 about two thirds of the instances are infeasible, and
 * the "tiny" case (candidates in (0, 0.04), target 1) is infeasible by construction.
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
  @Param({"min-size:15:1e-2", "first-hit:15:1e-2", "exact:15:1e-2", "min-size:15:1e-3", "exact:20:1e-4",
      "exact:20:1e-6", "exact:20:tiny", "first-hit:20:1e-4"})
  public String config;

  private double[][] bases;
  private double[] targets;
  private double eps;
  private Mode mode;

  @Setup
  public void setUp() {
    String[] p = config.split(":");
    mode = Mode.ofCliName(p[0]);
    int n = Integer.parseInt(p[1]);
    boolean tiny = p[2].equals("tiny");
    eps = tiny ? 1e-3 : Double.parseDouble(p[2]);
    bases = new double[INSTANCES][n];
    targets = new double[INSTANCES];
    for (int t = 0; t < INSTANCES; t++) {
      for (int i = 0; i < n; i++) {
        bases[t][i] = tiny ? WeightField.uniform(1, t, i, 0, 0.04) : WeightField.uniform(1, t, i, -1, 1);
      }
      targets[t] = tiny ? 1.0 : WeightField.uniform(1, -1, t, -1, 1);
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
