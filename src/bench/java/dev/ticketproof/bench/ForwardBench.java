package dev.ticketproof.bench;

import dev.ticketproof.activation.Relu;
import dev.ticketproof.net.BatchNormFolding;
import dev.ticketproof.targets.CifarResNet;
import dev.ticketproof.net.Forward;
import dev.ticketproof.net.Network;
import dev.ticketproof.net.SparseConv2d;
import dev.ticketproof.random.WeightField;
import dev.ticketproof.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Forward pass of a CIFAR ResNet-20-sized network (16/32/64 channels, 3 blocks per stage, identity and projection
 * shortcuts, BatchNorm, random weights from the weight field) on a batch of 64 inputs 3x32x32; and a sparse conv of
 * a huge source layer (975 x 975 x 3 x 3, 0.5 % kept) on a batch of 64 inputs 975x8x8.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
public class ForwardBench {
  @Param({"1", "2"})
  public int threads;

  @Param({"64"})
  public int batch;

  private Network resnet20;
  private Network folded;
  private Tensor images;
  private SparseConv2d sparse;
  private Tensor sparseInput;

  @Setup
  public void setup() {
    resnet20 = CifarResNet.random(1L, new int[] {16, 32, 64}, 3, 32, 10, new Relu());
    folded = BatchNormFolding.fold(resnet20);
    images = field(2L, batch, 3, 32, 32);
    int c = 975;
    long size = (long) c * c * 9;
    long[] idx = new long[(int) (size / 100)];
    int n = 0;
    for (long t = 0; t < size; t++) {
      if (WeightField.u01(3L, 0, t) < 0.005) idx[n++] = t;
    }
    idx = java.util.Arrays.copyOf(idx, n);
    double[] values = new double[n];
    for (int t = 0; t < n; t++) values[t] = WeightField.uniform(3L, 1, t, -1, 1);
    sparse = SparseConv2d.of("huge", new int[] {c, c, 3, 3}, idx, values, null, 1, 1);
    sparseInput = field(4L, batch, c, 8, 8);
  }

  private static Tensor field(long seed, int... shape) {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.size(); i++) t.data()[i] = WeightField.uniform(seed, 0, i, -1, 1);
    return t;
  }

  /** ResNet-20 with its BatchNorm layers. */
  @Benchmark
  public Tensor resnet20() { return Forward.forward(resnet20, images, threads); }

  /** ResNet-20 after BatchNorm folding. */
  @Benchmark
  public Tensor resnet20Folded() { return Forward.forward(folded, images, threads); }

  /** One sparse layer of a huge source: 975 -> 975 channels, 3x3, 0.5 % of 8.6 M weights kept, 8x8 images. */
  @Benchmark
  public Tensor sparseConv975() {
    // single layer: split the batch over threads by hand through a one-layer network
    return Forward.forward(new Network(new int[] {975, 8, 8}, java.util.List.of(sparse)), sparseInput, threads);
  }
}
