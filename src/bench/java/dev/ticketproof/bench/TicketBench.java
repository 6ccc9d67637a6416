package dev.ticketproof.bench;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.construct.Defaults;
import dev.ticketproof.kernel.check.TicketChecker;
import dev.ticketproof.targets.Builtins;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.bound.Region;
import dev.ticketproof.net.Network;
import dev.ticketproof.subsetsum.SubsetSum;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Ticket construction on the built-in MNIST-CNN analogue, conv layers only ({@code upto} layer {@code 2}),
 * rho = 15, eps = 0.01, min-size solver, one construction thread. {@link #build} is the whole
 * {@link TicketBuilder#build} (subset-sum instances, one kernel analysis for the claim, one full kernel check);
 * {@link #check} is the kernel's {@link TicketChecker#check} of the finished certificate alone and
 * {@link #analyse} the analysis without header checks; {@link #sourceOnly} the part of build() before the
 * instances (target plan and source network). The kernel's per-layer loop runs on the common fork-join pool: for
 * single-threaded CPU time run with {@code -jvmArgsAppend -Djava.util.concurrent.ForkJoinPool.common.parallelism=0}
 * (no worker threads; every task runs on the benchmark thread). Besides JMH's wall-clock score, every measurement
 * iteration prints the CPU time per operation of the benchmark thread and of the whole process (JIT and GC
 * threads included), which is robust to other processes competing for the cores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
@Threads(1)
public class TicketBench {
  /** Activation and construction, e.g. {@code relu/l+1}. */
  @Param({"relu/l+1"})
  public String config;

  /** Input box: {@code sym} for [-1, 1], {@code unit} for [0, 1]. */
  @Param({"sym"})
  public String box;

  private Network target;
  private Activation phi;
  private TicketBuilder.Options options;
  private TicketCertificate certificate;
  private SourceNetwork source;

  @Setup
  public void setup() {
    String[] parts = config.split("/");
    phi = ActivationCatalog.parse(parts[0]);
    target = Builtins.of("mnist-cnn", phi);
    double lo = "unit".equals(box) ? 0 : -1;
    int rho = 15;
    SourceNetwork.Params params = new SourceNetwork.Params(SourceNetwork.Construction.parse(parts[1]), rho,
        Defaults.rho1(phi, rho, lo), Defaults.lambda(phi), 1L, "2", lo, 1.0, null, true);
    options = new TicketBuilder.Options(params, 0.01, SubsetSum.Mode.MIN_SIZE, 1, "builtin:mnist-cnn");
    TicketBuilder.Result r = TicketBuilder.build(target, phi, options, TicketBuilder.Progress.NONE);
    if (!r.report().verdict().isHolds()) throw new IllegalStateException("kernel rejected: " + r.report().verdict());
    certificate = r.certificate();
    source = r.source();
  }

  /** CPU time per operation over one iteration: benchmark thread and whole process. */
  @State(Scope.Thread)
  public static class Cpu {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long ops;
    long thread0;
    long process0;
    long wall0;

    @Setup(Level.Iteration)
    public void start() {
      ops = 0;
      thread0 = threads.getCurrentThreadCpuTime();
      process0 = os.getProcessCpuTime();
      wall0 = System.nanoTime();
    }

    @TearDown(Level.Iteration)
    public void stop() {
      double n = Math.max(1, ops);
      System.out.printf(Locale.ROOT, "%n[cpu] ops=%d thread-cpu=%.3f ms/op process-cpu=%.3f ms/op wall=%.3f ms/op%n",
          ops, (threads.getCurrentThreadCpuTime() - thread0) / n / 1e6, (os.getProcessCpuTime() - process0) / n / 1e6,
          (System.nanoTime() - wall0) / n / 1e6);
    }
  }

  /** The whole construction: instances, kernel analysis, kernel check. */
  @Benchmark
  public TicketBuilder.Result build(Cpu cpu) {
    cpu.ops++;
    return TicketBuilder.build(target, phi, options, TicketBuilder.Progress.NONE);
  }

  /** The kernel's full check of the built certificate (target hash, digest, source rebuild, analysis). */
  @Benchmark
  public TicketChecker.Report check(Cpu cpu) {
    cpu.ops++;
    return TicketChecker.check(certificate, target, phi);
  }

  /** The kernel's analysis of the built certificate on an already derived source network. */
  @Benchmark
  public TicketChecker.Report analyse(Cpu cpu) {
    cpu.ops++;
    return TicketChecker.analyse(source, certificate, TicketChecker.Listener.NONE,
        Region.box(source.params().inputLow(), source.params().inputHigh()));
  }

  /** Target plan and source network derivation (part of every build and every check). */
  @Benchmark
  public SourceNetwork sourceOnly(Cpu cpu) {
    cpu.ops++;
    return SourceNetwork.of(TargetPlan.of(target, phi), options.params());
  }
}
