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
import org.apache.commons.rng.sampling.ListSampler;
import org.junit.jupiter.api.Test;

/**
 * Sparse layers ({@link SparseConv2d}, {@link SparseLinear}) equal their dense-with-zeros forms to 1e-12 relative
 * (inf-norm) on random shapes and densities (0, 1 %, 10 %, 50 %, 100 % kept), whatever the order in which the kept
 * positions are given; and a layer of a huge source (975 x 975 x 3 x 3, 0.5 % kept) is built and evaluated without
 * its dense kernel.
 *
 * <p>Substrate property (no lemma of its own).
 */
class SparseLayerProperties {
  static final double TOL = 1e-12;
  static final double[] DENSITIES = {0, 0.01, 0.1, 0.5, 1};

  @Test
  void sparseConvEqualsDenseWithZeros() {
    qt().withFixedSeed(31L).withExamples(300)
        .forAll(ForwardProperties.channels(), ForwardProperties.channels(), integers().between(0, 3), longs().all())
        .checkAssert((cin, cout, ks, seed) -> {
          UniformRandomProvider rng = RandomNets.rng(seed);
          int k = ks < 2 ? 1 : 3;
          int stride = ks % 2 == 0 ? 1 : 2;
          int pad = rng.nextInt(k / 2 + 1);
          // a third: a kernel of unequal sides (1 to 5) with a padding per axis
          boolean unequal = rng.nextInt(3) == 0;
          int kh = unequal ? 1 + rng.nextInt(5) : k;
          int kw = unequal ? 1 + rng.nextInt(5) : k;
          int ph = unequal ? rng.nextInt(kh / 2 + 1) : pad;
          int pw = unequal ? rng.nextInt(kw / 2 + 1) : pad;
          int h = Math.max(1, kh - 2 * ph) + rng.nextInt(10);
          int w = Math.max(1, kw - 2 * pw) + rng.nextInt(10);
          double density = DENSITIES[rng.nextInt(DENSITIES.length)];
          int[] shape = {cout, cin, kh, kw};
          long size = (long) cout * cin * kh * kw;
          List<Long> idx = new ArrayList<>();
          for (long t = 0; t < size; t++) if (rng.nextDouble() < density) idx.add(t);
          ListSampler.shuffle(rng, idx);
          long[] indices = idx.stream().mapToLong(Long::longValue).toArray();
          double[] values = new double[indices.length];
          for (int t = 0; t < values.length; t++) values[t] = -1 + 2 * rng.nextDouble();
          Tensor bias = rng.nextBoolean() ? RandomNets.tensor(rng, -1, 1, cout) : null;
          SparseConv2d sparse = SparseConv2d.of("s", shape, indices, values, bias, stride, ph, pw);
          assertThat(sparse.nonZeros()).isEqualTo(indices.length);
          Conv2d dense = sparse.toDense();
          Tensor x = RandomNets.tensor(rng, -1, 1, 1 + rng.nextInt(3), cin, h, w);
          String what = sparse.describe() + " density=" + density + " on " + h + "x" + w + " seed=" + seed;
          Tensor y = Forward.sparseConv2d(sparse, x);
          assertClose(y, Forward.conv2d(dense, x), TOL, what);
          Network net = new Network(new int[] {cin, h, w}, List.of(dense));
          assertClose(y, NaiveForward.forward(net, x), TOL, what + " (naive)");
          // from the dense form back: same pattern (kept zeros dropped), same output
          SparseConv2d again = SparseConv2d.fromDense(dense);
          assertClose(Forward.sparseConv2d(again, x), y, TOL, what + " (fromDense)");
        });
  }

  @Test
  void sparseLinearEqualsDenseWithZeros() {
    qt().withFixedSeed(32L).withExamples(200)
        .forAll(integers().between(1, 60), integers().between(1, 60), integers().between(0, 4), longs().all())
        .checkAssert((fin, fout, d, seed) -> {
          UniformRandomProvider rng = RandomNets.rng(seed);
          Linear dense = RandomNets.linear(rng, "fc", fout, fin, rng.nextBoolean());
          boolean[] keep = new boolean[fin * fout];
          for (int t = 0; t < keep.length; t++) keep[t] = rng.nextDouble() < DENSITIES[d];
          SparseLinear sparse = SparseLinear.masked(dense, keep);
          Linear zeros = sparse.toDense();
          for (int t = 0; t < keep.length; t++) {
            assertThat(zeros.weight().data()[t]).isEqualTo(keep[t] ? dense.weight().data()[t] : 0.0);
          }
          Tensor x = RandomNets.tensor(rng, -1, 1, 3, fin);
          String what = "sparse linear " + fin + "->" + fout + " density=" + DENSITIES[d] + " seed=" + seed;
          assertClose(Forward.sparseLinear(sparse, x), Forward.linear(zeros, x), TOL, what);
        });
  }

  @Test
  void hugeSourceLayerWithoutDenseKernel() {
    // 975 x 975 x 3 x 3 = 8,555,625 positions, 0.5 % kept: the index arrays only
    UniformRandomProvider rng = RandomNets.rng(975L);
    int c = 975;
    long size = (long) c * c * 9;
    long[] idx = new long[(int) (size / 100)];
    int n = 0;
    for (long t = 0; t < size; t++) {
      if (rng.nextDouble() < 0.005) {
        if (n == idx.length) idx = java.util.Arrays.copyOf(idx, 2 * n);
        idx[n++] = t;
      }
    }
    idx = java.util.Arrays.copyOf(idx, n);
    double[] values = new double[n];
    for (int t = 0; t < n; t++) values[t] = -1 + 2 * rng.nextDouble();
    SparseConv2d conv = SparseConv2d.of("huge", new int[] {c, c, 3, 3}, idx, values, null, 2, 1);
    assertThat(conv.nonZeros()).isEqualTo(n).isBetween((int) (0.004 * size), (int) (0.006 * size));
    Tensor x = RandomNets.tensor(rng, -1, 1, 1, c, 7, 7);
    Tensor y = Forward.sparseConv2d(conv, x);
    assertThat(y.shape()).containsExactly(1, c, 4, 4);
    // reference straight from the kept list: y[o,p,q] = sum over kept (c,i,j) of w x[c, 2p-1+i, 2q-1+j]
    double[] ref = new double[c * 16];
    for (int t = 0; t < n; t++) {
      long id = idx[t];
      int o = (int) (id / (c * 9L));
      int rest = (int) (id % (c * 9L));
      int ch = rest / 9;
      int i = (rest / 3) % 3;
      int j = rest % 3;
      for (int p = 0; p < 4; p++) {
        for (int q = 0; q < 4; q++) {
          int iy = 2 * p - 1 + i;
          int ix = 2 * q - 1 + j;
          if (iy >= 0 && iy < 7 && ix >= 0 && ix < 7) ref[(o * 4 + p) * 4 + q] += values[t] * x.data()[(ch * 7 + iy) * 7 + ix];
        }
      }
    }
    assertClose(y, Tensor.of(ref, 1, c, 4, 4), TOL, "huge sparse conv");
  }
}
