package dev.ticketproof.bench;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.construct.Defaults;
import dev.ticketproof.kernel.check.TicketChecker;
import dev.ticketproof.targets.Builtins;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.construct.TicketExport;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.net.Network;
import dev.ticketproof.subsetsum.SubsetSum;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Memory of a construction against the size of its source: live heap after a full GC before and after
 * {@link TicketBuilder#build} (the difference is what the result retains: certificate, report, source
 * description and its target plan), bytes allocated by the building thread, and the dense parameter count of the
 * source network. Run as
 * {@code java -Djava.util.concurrent.ForkJoinPool.common.parallelism=0 -cp target/benchmarks.jar
 * dev.ticketproof.bench.TicketMemory mnist-cnn relu l+1 2 -1 [repeats]} (target, activation, construction, upto or
 * {@code -} for all layers, input low end of the box [low, 1]).
 */
public final class TicketMemory {
  private TicketMemory() {}

  public static void main(String[] args) {
    String name = args[0];
    Activation phi = ActivationCatalog.parse(args[1]);
    SourceNetwork.Construction cons = SourceNetwork.Construction.parse(args[2]);
    String upto = "-".equals(args[3]) ? null : args[3];
    double lo = Double.parseDouble(args[4]);
    int repeats = args.length > 5 ? Integer.parseInt(args[5]) : 3;
    Network target = Builtins.of(name, phi);
    int rho = 15;
    SourceNetwork.Params params = new SourceNetwork.Params(cons, rho, Defaults.rho1(phi, rho, lo),
        Defaults.lambda(phi), 1L, upto, lo, 1.0, null, true);
    TicketBuilder.Options opt = new TicketBuilder.Options(params, 0.01, SubsetSum.Mode.MIN_SIZE, 1,
        "builtin:" + name);
    com.sun.management.ThreadMXBean tmx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    TicketBuilder.Result keep = null;
    for (int rep = 0; rep < repeats; rep++) {
      keep = null;
      long before = liveHeap();
      long alloc0 = tmx.getThreadAllocatedBytes(tid);
      long cpu0 = tmx.getCurrentThreadCpuTime();
      keep = TicketBuilder.build(target, phi, opt, TicketBuilder.Progress.NONE);
      long cpu = tmx.getCurrentThreadCpuTime() - cpu0;
      long alloc = tmx.getThreadAllocatedBytes(tid) - alloc0;
      long after = liveHeap();
      TicketChecker.Report r = keep.report();
      long mask = 0;
      for (int[] w : keep.certificate().keptWeights()) mask += 4L * w.length;
      for (int[] b : keep.certificate().keptBiases()) mask += 4L * b.length;
      dev.ticketproof.measure.Sizes sizes = dev.ticketproof.measure.Sizes.of(keep.source(), keep.certificate());
      long layerTicket = sizes.layers().stream().mapToLong(dev.ticketproof.measure.Sizes.Layer::ticketParams).sum();
      long planDense = planParams(keep.source().plan());
      System.out.printf(Locale.ROOT, "%s %s %s upto=%s box=[%s,1] run %d: verdict=%s sourceParams=%d (%.1f MB as"
              + " doubles) targetPlanParams=%d layerTicketParams=%d keptEntries=%d mask=%.1f kB retainedByResult=%.2f MB"
              + " allocatedByBuild=%.2f MB threadCpu=%.1f ms%n",
          name, phi.name(), cons.label(), upto, lo, rep, r.verdict().isHolds() ? "holds" : r.verdict().reason(),
          TicketExport.sourceParams(keep.source()), TicketExport.sourceParams(keep.source()) * 8 / 1e6, planDense, layerTicket,
          sizes.keptParams(), mask / 1e3, (after - before) / 1e6, alloc / 1e6, cpu / 1e6);
    }
  }

  private static long planParams(TargetPlan plan) {
    long n = 0;
    for (TargetPlan.Step s : plan.steps()) {
      if (s instanceof TargetPlan.Affine a) n += a.kernel().length + a.bias().length;
      if (s instanceof TargetPlan.Residual r) {
        n += r.conv1().kernel().length + r.conv2().kernel().length;
        if (r.projection() != null) n += r.projection().kernel().length;
      }
    }
    return n;
  }

  private static long liveHeap() {
    Runtime rt = Runtime.getRuntime();
    long prev = Long.MAX_VALUE;
    for (int k = 0; k < 5; k++) {
      System.gc();
      long used = rt.totalMemory() - rt.freeMemory();
      if (used >= prev) return used;
      prev = used;
    }
    return prev;
  }
}
