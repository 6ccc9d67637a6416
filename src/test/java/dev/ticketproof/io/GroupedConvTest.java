package dev.ticketproof.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Forward;
import dev.ticketproof.net.Network;
import dev.ticketproof.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Grouped, depthwise and dilated convs (Conv2d and Conv1d) are read as dense convs: the network built from a spec
 * with {@code groups} and {@code dilation} computes PyTorch's grouped, dilated cross-correlation, written out here
 * term by term, on random weights and inputs.
 */
class GroupedConvTest {
  /** Random values in [-1, 1) of a fixed seed. */
  private static double[] random(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = 2 * r.nextDouble() - 1;
    return v;
  }

  /**
   * PyTorch's conv: out[o][y][x] = b[o] + sum over the input channels i of o's group and taps (a, c) of
   * w[o][i][a][c] x[g in + i][y s - p' + a r][x s - p + c r] (zero outside the image; p' the padding of the rows, 0 for a Conv1d's one row).
   */
  private static double[] reference(double[] x, int cin, int h, int w, double[] wt, double[] bias, int cout, int kh,
      int kw, int groups, int dilation, int stride, int padH, int padding, int oh, int ow) {
    int per = cin / groups;
    int outPer = cout / groups;
    double[] y = new double[cout * oh * ow];
    for (int o = 0; o < cout; o++) {
      int g = o / outPer;
      for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox++) {
          double s = bias[o];
          for (int i = 0; i < per; i++) {
            for (int a = 0; a < kh; a++) {
              for (int c = 0; c < kw; c++) {
                int iy = oy * stride - padH + a * dilation;
                int ix = ox * stride - padding + c * dilation;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                s += wt[((o * per + i) * kh + a) * kw + c] * x[((g * per + i) * h + iy) * w + ix];
              }
            }
          }
          y[(o * oh + oy) * ow + ox] = s;
        }
      }
    }
    return y;
  }

  private static TensorFile file(Tensor weight, Tensor bias) {
    return new TensorFile("grouped.pt", Map.of("c.weight", new StoredTensor("c.weight", weight, DType.FLOAT32),
        "c.bias", new StoredTensor("c.bias", bias, DType.FLOAT32)), List.of(), List.of());
  }

  /** Depthwise, grouped, dilated and both, with strides and paddings: the dense conv's outputs are PyTorch's. */
  @Test void groupedAndDilatedConv2dsComputeThePyTorchConv() {
    int[][] cases = { // cin, cout, k, groups, dilation, stride, padding
        {4, 4, 3, 4, 1, 1, 1}, {6, 9, 3, 3, 1, 2, 1}, {2, 4, 3, 1, 2, 1, 2}, {4, 8, 3, 2, 3, 1, 3}, {4, 4, 2, 4, 2, 2, 1},
        {3, 6, 1, 3, 1, 1, 0}};
    int h = 9;
    int w = 7;
    for (int[] c : cases) {
      int cin = c[0];
      int cout = c[1];
      int k = c[2];
      int groups = c[3];
      int r = c[4];
      int s = c[5];
      int p = c[6];
      Tensor wt = Tensor.of(random(cout * cin / groups * k * k, 1 + c.hashCode()), cout, cin / groups, k, k);
      Tensor b = Tensor.of(random(cout, 7), cout);
      ArchSpec spec = ArchSpec.parse("grouped.json", "{\"input\": [" + cin + ", " + h + ", " + w + "], \"layers\": "
          + "[{\"type\": \"conv2d\", \"name\": \"c\", \"stride\": " + s + ", \"padding\": " + p + ", \"groups\": "
          + groups + ", \"dilation\": " + r + "}]}");
      Network net = NetworkBuilder.build("grouped.json", spec, file(wt, b), Relu.INSTANCE, null).network();
      Conv2d dense = (Conv2d) net.layers().get(0);
      int span = r * (k - 1) + 1;
      assertThat(dense.weight().shape()).containsExactly(cout, cin, span, span);
      // the file's weights and zeros: as many non-zero weights as the file has
      long nonZero = java.util.Arrays.stream(dense.weight().data()).filter(v -> v != 0).count();
      assertThat(nonZero).isEqualTo(wt.data().length);
      double[] x = random(cin * h * w, 99);
      int oh = (h + 2 * p - span) / s + 1;
      int ow = (w + 2 * p - span) / s + 1;
      double[] want = reference(x, cin, h, w, wt.data(), b.data(), cout, k, k, groups, r, s, p, p, oh, ow);
      Tensor got = Forward.forward(net, Tensor.of(x, 1, cin, h, w));
      assertThat(got.shape()).containsExactly(1, cout, oh, ow);
      for (int i = 0; i < want.length; i++) {
        assertThat(got.data()[i]).as("case %s at %d", java.util.Arrays.toString(c), i)
            .isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-13));
      }
      // the JSON written back reads as the same spec
      assertThat(ArchSpec.parse("again", spec.toJson()).layers()).isEqualTo(spec.layers());
    }
  }

  /** A depthwise, dilated Conv1d on a signal [C, L], read as [C, 1, L]: PyTorch's outputs. */
  @Test void aGroupedDilatedConv1dComputesThePyTorchConv() {
    int cin = 4;
    int cout = 8;
    int k = 3;
    int len = 20;
    Tensor wt = Tensor.of(random(cout * 2 * k, 5), cout, 2, k);
    Tensor b = Tensor.of(random(cout, 6), cout);
    ArchSpec spec = ArchSpec.parse("conv1d.json", "{\"input\": [4, 1, 20], \"layers\": [{\"type\": \"conv1d\", "
        + "\"name\": \"c\", \"stride\": 2, \"padding\": 2, \"groups\": 2, \"dilation\": 2}]}");
    Network net = NetworkBuilder.build("conv1d.json", spec, file(wt, b), Relu.INSTANCE, null).network();
    // the dense row of 2 (3 - 1) + 1 = 5 taps, one row: paddings (0, 2)
    Conv2d c = (Conv2d) net.layers().get(0);
    assertThat(c.weight().shape()).containsExactly(cout, cin, 1, 5);
    assertThat(new int[] {c.ph(), c.pw()}).containsExactly(0, 2);
    double[] x = random(cin * len, 11);
    int ol = (len + 4 - 5) / 2 + 1;
    double[] want = reference(x, cin, 1, len, wt.data(), b.data(), cout, 1, k, 2, 2, 2, 0, 2, 1, ol);
    Tensor got = Forward.forward(net, Tensor.of(x, 1, cin, 1, len));
    assertThat(got.shape()).containsExactly(1, cout, 1, ol);
    for (int i = 0; i < want.length; i++) {
      assertThat(got.data()[i]).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-13));
    }
  }

  /** Output channels that are not a multiple of the groups are refused naming the layer. */
  @Test void outputChannelsNotAMultipleOfTheGroupsAreRefused() {
    Tensor wt = Tensor.of(random(5 * 2 * 9, 3), 5, 2, 3, 3);
    ArchSpec spec = ArchSpec.parse("bad.json", "{\"input\": [4, 6, 6], \"layers\": [{\"type\": \"conv2d\", \"name\": "
        + "\"c\", \"groups\": 2}]}");
    assertThatThrownBy(() -> NetworkBuilder.build("bad.json", spec, file(wt, Tensor.of(random(5, 4), 5)),
        Relu.INSTANCE, null)).isInstanceOf(ImportException.class)
        .hasMessageContaining("conv 'c' has 5 output channels, not a multiple of its 2 groups");
  }
}
