package dev.ticketproof.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import java.util.concurrent.TimeUnit;
import org.apache.commons.numbers.core.DD;
import org.apache.commons.numbers.core.Sum;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The double-double accumulation of the kernel's instance check ({@code kernel.check.ConvCheck}) against Commons
 * Numbers' {@link DD} and {@link Sum}, on the check's access pattern: the kept weights of one output unit, in index
 * order, each a product p = w f with its rounding error pe = fma(w, f, -p), added to the accumulator of its instance
 * (input channel, tap); then every touched instance read back as (hi - target) + lo and its accumulator cleared.
 * 64 input channels, 3x3 taps (576 instances per unit), 200 kept weights per unit, 4,096 units per operation
 * (819,200 additions). {@link #handWritten} is the kernel's code (two arrays of doubles, one allocation per
 * thread); {@link #dd} keeps one immutable {@code DD} per instance ({@code add} allocates); {@link #sum} one
 * mutable {@code Sum} per instance, created for every instance a unit touches ({@code Sum} has no reset).
 * {@link #main} measures the CPU time of the benchmark thread instead (robust to other processes on the cores):
 * {@code java -cp target/benchmarks.jar dev.ticketproof.bench.DoubleDoubleBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
@Threads(1)
public class DoubleDoubleBench {
  static final int INSTANCES = 576;
  static final int PER_UNIT = 200;
  static final int UNITS = 4096;

  int[] slot;
  double[] w;
  double[] f;
  double[] target;

  @Setup
  public void setup() {
    SplittableRandom r = new SplittableRandom(42);
    slot = new int[UNITS * PER_UNIT];
    w = new double[slot.length];
    f = new double[slot.length];
    for (int u = 0; u < UNITS; u++) {
      // kept indices are increasing within a unit: so are their instances
      int[] s = r.ints(PER_UNIT, 0, INSTANCES).sorted().toArray();
      System.arraycopy(s, 0, slot, u * PER_UNIT, PER_UNIT);
    }
    for (int k = 0; k < slot.length; k++) {
      w[k] = r.nextDouble(-1, 1);
      f[k] = r.nextDouble(0.5, 2);
    }
    target = r.doubles(INSTANCES, -1, 1).toArray();
  }

  /** The kernel's accumulation: hi[k] + p, the rounding errors and pe summed into lo[k]. */
  @Benchmark
  public double handWritten() {
    double[] hi = new double[INSTANCES];
    double[] lo = new double[INSTANCES];
    double err = 0;
    for (int u = 0; u < UNITS; u++) {
      int from = u * PER_UNIT;
      for (int k = from; k < from + PER_UNIT; k++) {
        double p = w[k] * f[k];
        double pe = Math.fma(w[k], f[k], -p);
        int g = slot[k];
        double s = hi[g] + p;
        double bb = s - hi[g];
        lo[g] += (hi[g] - (s - bb)) + (p - bb) + pe;
        hi[g] = s;
      }
      for (int k = from; k < from + PER_UNIT; k++) {
        int g = slot[k];
        if (k > from && g == slot[k - 1]) continue; // each touched instance once
        err += Math.abs(hi[g] - target[g] + lo[g]);
        hi[g] = 0;
        lo[g] = 0;
      }
    }
    return err;
  }

  /** Commons Numbers' immutable double-double: one {@code DD} per instance, a new one per addition. */
  @Benchmark
  public double dd() {
    DD[] acc = new DD[INSTANCES];
    java.util.Arrays.fill(acc, DD.ZERO);
    double err = 0;
    for (int u = 0; u < UNITS; u++) {
      int from = u * PER_UNIT;
      for (int k = from; k < from + PER_UNIT; k++) {
        int g = slot[k];
        acc[g] = acc[g].add(DD.ofProduct(w[k], f[k]));
      }
      for (int k = from; k < from + PER_UNIT; k++) {
        int g = slot[k];
        if (k > from && g == slot[k - 1]) continue; // each touched instance once
        err += Math.abs(acc[g].subtract(target[g]).doubleValue());
        acc[g] = DD.ZERO;
      }
    }
    return err;
  }

  /** Commons Numbers' compensated sum: a {@code Sum} per touched instance (it has no reset). */
  @Benchmark
  public double sum() {
    Sum[] acc = new Sum[INSTANCES];
    double err = 0;
    for (int u = 0; u < UNITS; u++) {
      int from = u * PER_UNIT;
      for (int k = from; k < from + PER_UNIT; k++) {
        int g = slot[k];
        if (acc[g] == null) acc[g] = Sum.of(-target[g]);
        acc[g].addProduct(w[k], f[k]);
      }
      for (int k = from; k < from + PER_UNIT; k++) {
        int g = slot[k];
        if (k > from && g == slot[k - 1]) continue;
        err += Math.abs(acc[g].getAsDouble());
        acc[g] = null;
      }
    }
    return err;
  }

  /**
   * Thread CPU time per operation of each accumulation: 3 s of warm-up each, then 7 rounds, the three interleaved in
   * every round, 40 operations each; prints every round and the median, and checks that the three agree to 1e-9.
   */
  public static void main(String[] args) {
    DoubleDoubleBench b = new DoubleDoubleBench();
    b.setup();
    String[] names = {"handWritten", "dd", "sum"};
    java.util.List<ToDoubleFunction<DoubleDoubleBench>> ops =
        java.util.List.of(DoubleDoubleBench::handWritten, DoubleDoubleBench::dd, DoubleDoubleBench::sum);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double[] result = new double[3];
    for (int k = 0; k < 3; k++) {
      long until = System.nanoTime() + 3_000_000_000L;
      while (System.nanoTime() < until) result[k] = ops.get(k).applyAsDouble(b);
    }
    if (Math.abs(result[1] - result[0]) > 1e-9 * result[0] || Math.abs(result[2] - result[0]) > 1e-9 * result[0]) {
      throw new IllegalStateException("the accumulations disagree: " + java.util.Arrays.toString(result));
    }
    double[][] ms = new double[3][7];
    for (int round = 0; round < 7; round++) {
      for (int k = 0; k < 3; k++) {
        long t0 = threads.getCurrentThreadCpuTime();
        for (int n = 0; n < 40; n++) result[k] += ops.get(k).applyAsDouble(b);
        ms[k][round] = (threads.getCurrentThreadCpuTime() - t0) / 40 / 1e6;
      }
      System.out.printf(Locale.ROOT, "round %d: handWritten %.3f, dd %.3f, sum %.3f ms/op (thread CPU)%n", round,
          ms[0][round], ms[1][round], ms[2][round]);
    }
    for (int k = 0; k < 3; k++) {
      java.util.Arrays.sort(ms[k]);
      System.out.printf(Locale.ROOT, "%s: median %.3f ms/op, min %.3f, max %.3f%n", names[k], ms[k][3], ms[k][0],
          ms[k][6]);
    }
  }
}
