package dev.ticketproof.net;

import static dev.ticketproof.net.RandomNets.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The fast forward pass ({@link Forward}: im2col + EJML) agrees with the naive reference ({@link NaiveForward}:
 * direct loops over the definitions) to 1e-12 relative in the inf-norm, on random shapes: stride 1 and 2, padding
 * 0..k/2, one and many channels, kernels 1x1 and 3x3, and kernels of unequal sides (1 to 5) with a padding per axis
 * (0..kh/2 rows, 0..kw/2 columns), odd and even image sizes; and it is bit-identical for any thread count and any
 * batch split.
 *
 * <p>Substrate property (no lemma of its own); BatchNorm folding is checked in
 * {@link BatchNormFoldingProperties}.
 */
class ForwardProperties {
  static final double TOL = 1e-12;

  /** One or few channels, or many. */
  static Gen<Integer> channels() {
    return integers().between(1, 3).mix(integers().between(8, 24));
  }

  @Test
  void convMatchesNaive() {
    // kernelStride: 0 -> 1x1 stride 1, 1 -> 1x1 stride 2, 2 -> 3x3 stride 1, 3 -> 3x3 stride 2
    qt().withFixedSeed(20261127L).withExamples(300)
        .forAll(channels(), channels(), integers().between(0, 3), longs().all())
        .checkAssert((cin, cout, ks, seed) -> {
          UniformRandomProvider rng = RandomNets.rng(seed);
          int k = ks < 2 ? 1 : 3;
          int stride = ks % 2 == 0 ? 1 : 2;
          int pad = rng.nextInt(k / 2 + 1);
          Conv2d conv = RandomNets.conv(rng, "c", cout, cin, k, stride, pad, rng.nextBoolean());
          if (rng.nextInt(3) == 0) {
            // a kernel of unequal sides with a padding per axis
            int kh = 1 + rng.nextInt(5);
            int kw = 1 + rng.nextInt(5);
            double a = 1 / Math.sqrt(cin * kh * kw);
            conv = new Conv2d("c", RandomNets.tensor(rng, -2 * a, 2 * a, cout, cin, kh, kw), conv.bias(), stride,
                rng.nextInt(kh / 2 + 1), rng.nextInt(kw / 2 + 1));
          }
          int h = Math.max(1, conv.kernelHeight() - 2 * conv.ph()) + rng.nextInt(10);
          int w = Math.max(1, conv.kernelWidth() - 2 * conv.pw()) + rng.nextInt(10);
          int n = 1 + rng.nextInt(3);
          Network net = new Network(new int[] {cin, h, w}, List.of(conv));
          Tensor x = RandomNets.tensor(rng, -1, 1, n, cin, h, w);
          String what = conv.describe() + " on " + n + "x" + h + "x" + w + " seed=" + seed;
          Tensor fast = Forward.forward(net, x, 1);
          assertThat(fast.shape()).as(what).containsExactly(n, cout, conv.outHeight(h), conv.outWidth(w));
          assertClose(fast, NaiveForward.forward(net, x), TOL, what);
        });
  }

  @Test
  void linearMatchesNaive() {
    qt().withFixedSeed(11L).withExamples(200)
        .forAll(integers().between(1, 40), integers().between(1, 40), integers().between(1, 4), longs().all())
        .checkAssert((fin, fout, n, seed) -> {
          UniformRandomProvider rng = RandomNets.rng(seed);
          Linear lin = RandomNets.linear(rng, "fc", fout, fin, rng.nextBoolean());
          boolean asImage = rng.nextBoolean();
          Network net = new Network(asImage ? new int[] {fin, 1, 1} : new int[] {fin}, List.of(lin));
          Tensor x = RandomNets.tensor(rng, -1, 1, n, fin);
          String what = "linear " + fin + "->" + fout + " n=" + n + " seed=" + seed;
          Tensor fast = Forward.forward(net, x, 1);
          assertThat(fast.shape()).as(what).containsExactly(n, fout);
          assertClose(fast, NaiveForward.forward(net, x.reshape(net.inputShape().length == 3
              ? new int[] {n, fin, 1, 1} : new int[] {n, fin})), TOL, what);
        });
  }

  @Test
  void poolingMatchesNaive() {
    qt().withFixedSeed(12L).withExamples(200)
        .forAll(integers().between(1, 3), integers().between(1, 3), integers().between(1, 12), longs().all())
        .checkAssert((k, s, c, seed) -> {
          UniformRandomProvider rng = RandomNets.rng(seed);
          int h = k + rng.nextInt(9);
          int w = k + rng.nextInt(9);
          Network net = new Network(new int[] {c, h, w}, List.of(new AvgPool2d(k, s), new GlobalAvgPool(),
              new Flatten()));
          Tensor x = RandomNets.tensor(rng, -3, 3, 2, c, h, w);
          String what = "avgpool k=" + k + " s=" + s + " on " + c + "x" + h + "x" + w + " seed=" + seed;
          Tensor fast = Forward.forward(net, x, 1);
          assertThat(fast.shape()).as(what).containsExactly(2, c);
          assertClose(fast, NaiveForward.forward(net, x), TOL, what);
          Network pool = new Network(new int[] {c, h, w}, List.of(new AvgPool2d(k, s)));
          assertClose(Forward.forward(pool, x, 1), NaiveForward.forward(pool, x), TOL, what);
        });
  }

  @Test
  void convNetworksMatchNaive() {
    qt().withFixedSeed(13L).withExamples(60)
        .forAll(channels(), integers().between(5, 13), integers().between(1, 3), longs().all())
        .checkAssert((cin, size, depth, seed) -> {
          Network net = randomCnn(RandomNets.rng(seed), cin, size, depth);
          Tensor x = RandomNets.tensor(RandomNets.rng(~seed), -1, 1, 3, cin, size, size);
          assertClose(Forward.forward(net, x, 1), NaiveForward.forward(net, x), TOL,
              "cnn cin=" + cin + " size=" + size + " depth=" + depth + " seed=" + seed);
        });
  }

  @Test
  void residualNetworksMatchNaive() {
    qt().withFixedSeed(14L).withExamples(40)
        .forAll(integers().between(1, 8), integers().between(3, 11), integers().between(0, 3), longs().all())
        .checkAssert((width, size, flags, seed) -> {
          Network net = randomResNet(RandomNets.rng(seed), width, size, (flags & 1) != 0, (flags & 2) != 0);
          Tensor x = RandomNets.tensor(RandomNets.rng(~seed), -1, 1, 2, 3, size, size);
          assertClose(Forward.forward(net, x, 1), NaiveForward.forward(net, x), TOL,
              "resnet width=" + width + " size=" + size + " flags=" + flags + " seed=" + seed);
        });
  }

  @Test
  void bitIdenticalForAnyThreadCountAndBatchSplit() {
    qt().withFixedSeed(15L).withExamples(10)
        .forAll(integers().between(1, 6), integers().between(5, 9), integers().between(1, 9), longs().all())
        .checkAssert((width, size, n, seed) -> {
          Network net = randomResNet(RandomNets.rng(seed), width, size, true, true);
          Tensor x = RandomNets.tensor(RandomNets.rng(~seed), -1, 1, n, 3, size, size);
          Tensor one = Forward.forward(net, x, 1);
          String what = "width=" + width + " size=" + size + " n=" + n + " seed=" + seed;
          assertThat(Forward.forward(net, x, 2)).as(what).isEqualTo(one);
          assertThat(Forward.forward(net, x, 5)).as(what).isEqualTo(one);
          assertThat(Forward.forwardLayers(net.layers(), x)).as(what).isEqualTo(one);
          int per = x.size() / n;
          int outPer = one.size() / n;
          for (int e = 0; e < n; e++) {
            double[] xe = java.util.Arrays.copyOfRange(x.data(), e * per, (e + 1) * per);
            Tensor ye = Forward.forward(net, Tensor.of(xe, 1, 3, size, size), 1);
            assertThat(ye.data()).as(what + " example " + e)
                .isEqualTo(java.util.Arrays.copyOfRange(one.data(), e * outPer, (e + 1) * outPer));
          }
        });
  }

  /** conv/act/(avgpool) stages, then global pooling or flatten, then a linear readout. */
  static Network randomCnn(UniformRandomProvider rng, int cin, int size, int depth) {
    List<Layer> layers = new ArrayList<>();
    int c = cin;
    int h = size;
    for (int d = 0; d < depth; d++) {
      int out = 1 + rng.nextInt(12);
      int k = h >= 3 && rng.nextBoolean() ? 3 : 1;
      int stride = h >= 5 && rng.nextBoolean() ? 2 : 1;
      int pad = rng.nextInt(k / 2 + 1);
      Conv2d conv = RandomNets.conv(rng, "features." + layers.size(), out, c, k, stride, pad, rng.nextBoolean());
      layers.add(conv);
      layers.add(new ActivationLayer(rng.nextBoolean() ? TestActivations.RELU : TestActivations.TANH));
      c = out;
      h = conv.outHeight(h);
      if (h >= 4 && rng.nextBoolean()) {
        layers.add(new AvgPool2d(2, 2));
        h = (h - 2) / 2 + 1;
      }
    }
    int features;
    if (rng.nextBoolean()) {
      layers.add(new GlobalAvgPool());
      layers.add(new Flatten());
      features = c;
    } else {
      layers.add(new Flatten());
      features = c * h * h;
    }
    layers.add(RandomNets.linear(rng, "classifier", 1 + rng.nextInt(10), features, true));
    return new Network(new int[] {cin, size, size}, layers);
  }

  /** A small CIFAR-style ResNet: stem conv(+BN), two stages of blocks, global pooling, linear. */
  static Network randomResNet(UniformRandomProvider rng, int width, int size, boolean withBn, boolean scaled) {
    List<Layer> layers = new ArrayList<>();
    layers.add(RandomNets.conv(rng, "conv", width, 3, 3, 1, 1, false));
    if (withBn) layers.add(RandomNets.bn(rng, "bn", width));
    layers.add(new ActivationLayer(TestActivations.RELU));
    layers.add(RandomNets.block(rng, "blocks.0", width, width, 1, withBn, scaled, TestActivations.RELU));
    layers.add(RandomNets.block(rng, "blocks.1", width, 2 * width, 2, withBn, scaled, TestActivations.RELU));
    layers.add(RandomNets.block(rng, "blocks.2", 2 * width, 2 * width, 1, withBn, scaled, TestActivations.TANH));
    layers.add(new GlobalAvgPool());
    layers.add(new Flatten());
    layers.add(RandomNets.linear(rng, "fc", 10, 2 * width, true));
    return new Network(new int[] {3, size, size}, layers);
  }
}
