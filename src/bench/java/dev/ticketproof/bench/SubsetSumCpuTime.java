package dev.ticketproof.bench;

import dev.ticketproof.random.WeightField;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.subsetsum.SubsetSum.Mode;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * CPU time per subset-sum instance for the configurations of {@link SubsetSumBench}, single thread, best of 7
 * rounds over the same 4096 instances after a warm-up. CPU time (not wall time) makes the figure robust to other
 * processes competing for the cores.
 */
public final class SubsetSumCpuTime {
  private SubsetSumCpuTime() {}

  public static void main(String[] args) {
    String[] configs = args.length > 0 ? args : new String[] {"min-size:15:1e-2", "first-hit:15:1e-2",
        "exact:15:1e-2", "min-size:15:1e-3", "exact:20:1e-4", "exact:20:1e-6", "exact:20:tiny", "first-hit:20:1e-4"};
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    int count = 4096;
    for (String config : configs) {
      String[] p = config.split(":");
      Mode mode = Mode.ofCliName(p[0]);
      int n = Integer.parseInt(p[1]);
      boolean tiny = p[2].equals("tiny");
      double eps = tiny ? 1e-3 : Double.parseDouble(p[2]);
      double[][] bases = new double[count][n];
      double[] targets = new double[count];
      for (int t = 0; t < count; t++) {
        for (int i = 0; i < n; i++) {
          bases[t][i] = tiny ? WeightField.uniform(1, t, i, 0, 0.04) : WeightField.uniform(1, t, i, -1, 1);
        }
        targets[t] = tiny ? 1.0 : WeightField.uniform(1, -1, t, -1, 1);
      }
      long sink = 0;
      int infeasible = 0;
      for (int w = 0; w < 5; w++) {
        for (int t = 0; t < count; t++) sink += SubsetSum.solve(bases[t], targets[t], eps, mode).size();
      }
      long best = Long.MAX_VALUE;
      for (int r = 0; r < 7; r++) {
        infeasible = 0;
        long c0 = mx.getCurrentThreadCpuTime();
        for (int t = 0; t < count; t++) {
          SubsetSum.Solution s = SubsetSum.solve(bases[t], targets[t], eps, mode);
          sink += s.size();
          if (!s.withinEps()) infeasible++;
        }
        best = Math.min(best, mx.getCurrentThreadCpuTime() - c0);
      }
      System.out.printf(Locale.ROOT, "%-20s %10.0f ns/instance (CPU)  infeasible %5.1f %%  [%d]%n", config,
          (double) best / count, 100.0 * infeasible / count, sink % 10);
    }
  }
}
