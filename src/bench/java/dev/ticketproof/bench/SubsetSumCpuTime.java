package dev.ticketproof.bench;

import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.subsetsum.SubsetSum.Mode;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * CPU time per subset-sum instance for the configurations of {@link SubsetSumBench} (or those given as arguments,
 * {@code mode:n:eps}), single thread, best of 7 rounds over the same 4096 instances after a warm-up. CPU time (not
 * wall time) makes the figure robust to other processes competing for the cores. Also prints the fraction of
 * instances without a subset within eps, the mean subset size and the mean l1 norm of the chosen subsets (over the
 * instances within eps).
 */
public final class SubsetSumCpuTime {
  private SubsetSumCpuTime() {}

  public static void main(String[] args) throws Exception {
    String[] configs = args.length > 0 ? args
        : SubsetSumBench.class.getField("config").getAnnotation(org.openjdk.jmh.annotations.Param.class).value();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    int count = 4096;
    for (String config : configs) {
      Mode mode = Mode.ofCliName(config.split(":")[0]);
      double eps = SubsetSumBench.eps(config);
      double[][] bases = new double[count][];
      double[] targets = new double[count];
      SubsetSumBench.instances(config, bases, targets);
      long sink = 0;
      for (int w = 0; w < 5; w++) {
        for (int t = 0; t < count; t++) sink += SubsetSum.solve(bases[t], targets[t], eps, mode).size();
      }
      long best = Long.MAX_VALUE;
      int infeasible = 0;
      long size = 0;
      double norm = 0;
      for (int r = 0; r < 7; r++) {
        infeasible = 0;
        size = 0;
        norm = 0;
        long c0 = mx.getCurrentThreadCpuTime();
        for (int t = 0; t < count; t++) {
          SubsetSum.Solution s = SubsetSum.solve(bases[t], targets[t], eps, mode);
          sink += s.size();
          if (!s.withinEps()) {
            infeasible++;
          } else {
            size += s.size();
            for (int k = 0; k < s.size(); k++) norm += Math.abs(bases[t][s.index(k)]);
          }
        }
        best = Math.min(best, mx.getCurrentThreadCpuTime() - c0);
      }
      int ok = Math.max(1, count - infeasible);
      System.out.printf(Locale.ROOT,
          "%-20s %10.0f ns/instance (CPU)  infeasible %5.1f %%  mean size %5.2f  mean l1 %6.3f  [%d]%n", config,
          (double) best / count, 100.0 * infeasible / count, (double) size / ok, norm / ok, sink % 10);
    }
  }
}
