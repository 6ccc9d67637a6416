package dev.ticketproof.bench;

import dev.ticketproof.activation.Relu;
import dev.ticketproof.net.BatchNormFolding;
import dev.ticketproof.targets.CifarResNet;
import dev.ticketproof.net.Forward;
import dev.ticketproof.net.Network;
import dev.ticketproof.random.WeightField;
import dev.ticketproof.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The CPU time (not wall time) of one single-threaded ResNet-20 forward pass on 64 images 3x32x32, best of
 * {@code args[0]} (default 8) runs after 3 warm-up runs. CPU time is far less sensitive than wall time to other
 * processes sharing the cores, so it complements {@link ForwardBench} on a busy machine.
 * Run: {@code java -cp target/benchmarks.jar dev.ticketproof.bench.ForwardCpuTime}.
 */
public final class ForwardCpuTime {
  private ForwardCpuTime() {}

  public static void main(String[] args) {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Network net = CifarResNet.random(1L, new int[] {16, 32, 64}, 3, 32, 10, new Relu());
    Network folded = BatchNormFolding.fold(net);
    Tensor x = Tensor.zeros(64, 3, 32, 32);
    for (int i = 0; i < x.size(); i++) x.data()[i] = WeightField.uniform(2L, 0, i, -1, 1);
    for (int r = 0; r < 3; r++) {
      Forward.forward(net, x, 1);
      Forward.forward(folded, x, 1);
    }
    for (String which : new String[] {"resnet20", "resnet20Folded"}) {
      Network n = which.equals("resnet20") ? net : folded;
      double bestCpu = Double.POSITIVE_INFINITY;
      double bestWall = Double.POSITIVE_INFINITY;
      for (int r = 0; r < runs; r++) {
        long c = mx.getCurrentThreadCpuTime();
        long t = System.nanoTime();
        Forward.forward(n, x, 1);
        bestCpu = Math.min(bestCpu, (mx.getCurrentThreadCpuTime() - c) / 1e6);
        bestWall = Math.min(bestWall, (System.nanoTime() - t) / 1e6);
      }
      System.out.printf("%s batch 64, 1 thread: best CPU time %.0f ms, best wall time %.0f ms (of %d runs)%n", which,
          bestCpu, bestWall, runs);
    }
  }
}
