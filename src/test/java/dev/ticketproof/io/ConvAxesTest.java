package dev.ticketproof.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Layer;
import dev.ticketproof.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Convs with unequal kernel sides, strides and paddings per axis, and PyTorch's {@code padding='same'} on even
 * sides, read as the conv of the normal form ({@link ConvAxes}): on every input of a grid of sizes the built conv
 * gives the outputs of PyTorch's cross-correlation written out term by term here, with its zero padding before and
 * after on each axis and its stride per axis; a conv of equal sides, strides and paddings is built as it is.
 */
class ConvAxesTest {
  /**
   * PyTorch's conv2d by its definition: output (o, i, j) is the bias plus the sum over c, a, e of
   * {@code w[o, c, a, e] x[c, i sh - top + a, j sw - left + e]}, zero where that index is outside the input.
   */
  static double[] reference(double[] x, int c, int h, int w, double[] k, double[] bias, int out, int kh, int kw,
      int sh, int sw, int[] pads, int[] shape) {
    int ho = Math.floorDiv(h + pads[0] + pads[1] - kh, sh) + 1;
    int wo = Math.floorDiv(w + pads[2] + pads[3] - kw, sw) + 1;
    shape[0] = ho;
    shape[1] = wo;
    double[] y = new double[out * ho * wo];
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < ho; i++) {
        for (int j = 0; j < wo; j++) {
          double s = bias[o];
          for (int ci = 0; ci < c; ci++) {
            for (int a = 0; a < kh; a++) {
              for (int e = 0; e < kw; e++) {
                int r = i * sh - pads[0] + a;
                int col = j * sw - pads[2] + e;
                if (r >= 0 && r < h && col >= 0 && col < w) {
                  s += k[((o * c + ci) * kh + a) * kw + e] * x[(ci * h + r) * w + col];
                }
              }
            }
          }
          y[(o * ho + i) * wo + j] = s;
        }
      }
    }
    return y;
  }

  private static TensorFile file(double[] k, int out, int c, int kh, int kw, double[] bias) {
    return new TensorFile("t.pt", Map.of("c.weight", new StoredTensor("c.weight", Tensor.of(k, out, c, kh, kw),
        DType.FLOAT64), "c.bias", new StoredTensor("c.bias", Tensor.of(bias, out), DType.FLOAT64)), List.of(),
        List.of());
  }

  private static Conv2d build(TensorFile f, ArchSpec.Conv spec, int c, int h, int w) {
    Layer l = NetworkBuilder.layer("spec", spec, f, null, "layer 0", new int[] {c, h, w});
    return (Conv2d) l;
  }

  /**
   * Every kernel of 1 to 4 by 1 to 4 taps, strides 1 to 3 per axis, paddings 0 to 2 per axis (and 'same' at stride
   * 1) on every input of 1 to 5 by 1 to 5: either the normal form's conv gives PyTorch's outputs, or the conv is
   * refused with unequal strides on an input where both axes have several outputs, or with more outputs along an
   * axis than ceil(L / s). Each case whose paddings are at most half its sides less one and whose strides are equal
   * is read as the conv itself: its kernel as written, its paddings per axis; 'same' adds one zero row or column
   * where a side is even and keeps the other axis as written.
   */
  @Test void everyReadConvGivesPyTorchsOutputs() {
    Random rnd = new Random(7);
    int read = 0;
    int refused = 0;
    int asWritten = 0;
    int unequalPads = 0;
    for (int kh = 1; kh <= 4; kh++) {
      for (int kw = 1; kw <= 4; kw++) {
        double[] k = new double[2 * 2 * kh * kw];
        for (int i = 0; i < k.length; i++) k[i] = rnd.nextGaussian();
        double[] bias = {rnd.nextGaussian(), rnd.nextGaussian()};
        TensorFile f = file(k, 2, 2, kh, kw, bias);
        for (int sh = 1; sh <= 3; sh++) {
          for (int sw = 1; sw <= 3; sw++) {
            for (int ph = 0; ph <= 3; ph++) {
              for (int pw = 0; pw <= 2; pw++) {
                boolean same = ph == 3;
                if (same && (sh != 1 || sw != 1 || pw != 0)) continue;
                int[] pads = same ? ConvAxes.same(kh, kw) : new int[] {ph, ph, pw, pw};
                ArchSpec.Conv spec = same ? new ArchSpec.Conv("c", 1, 1, 0, 0, 1, 1, true)
                    : new ArchSpec.Conv("c", sh, sw, ph, pw, 1, 1, false);
                for (int h = 1; h <= 5; h++) {
                  for (int w = 1; w <= 5; w++) {
                    int[] shape = new int[2];
                    int ho = Math.floorDiv(h + pads[0] + pads[1] - kh, sh) + 1;
                    int wo = Math.floorDiv(w + pads[2] + pads[3] - kw, sw) + 1;
                    if (ho < 1 || wo < 1) continue;
                    boolean strides = sh != sw && ho > 1 && wo > 1;
                    int s = sh == sw || wo == 1 ? sh : sw;
                    boolean tooMany = !strides && ((ho - 1) * s > h - 1 || (wo - 1) * s > w - 1);
                    String what = "kernel " + kh + "x" + kw + " stride " + sh + "," + sw + " pads "
                        + java.util.Arrays.toString(pads) + " on " + h + "x" + w;
                    if (strides || tooMany) {
                      int hh = h;
                      int ww = w;
                      assertThatThrownBy(() -> build(f, spec, 2, hh, ww)).as(what)
                          .isInstanceOf(ShapeRefusal.class)
                          .hasMessageContaining(strides ? "unequal strides" : "exceeds the kernel's side less one");
                      refused++;
                      continue;
                    }
                    Conv2d conv = build(f, spec, 2, h, w);
                    // the normal form: on each axis the padding at most half the kernel's side less one
                    assertThat(2 * conv.ph()).as(what).isLessThanOrEqualTo(conv.kernelHeight() - 1);
                    assertThat(2 * conv.pw()).as(what).isLessThanOrEqualTo(conv.kernelWidth() - 1);
                    if (!same && sh == sw && 2 * ph <= kh - 1 && 2 * pw <= kw - 1) {
                      assertThat(conv.weight().shape()).as(what).containsExactly(2, 2, kh, kw);
                      assertThat(conv.weight().data()).as(what).isEqualTo(k);
                      assertThat(new int[] {conv.stride(), conv.ph(), conv.pw()}).as(what)
                          .containsExactly(sh, ph, pw);
                      asWritten++;
                      if (ph != pw) unequalPads++;
                    }
                    if (same) {
                      // an even side gets one zero row or column before the taps, an odd one stays as written
                      assertThat(new int[] {conv.kernelHeight(), conv.kernelWidth(), conv.ph(), conv.pw()}).as(what)
                          .containsExactly(kh + 1 - kh % 2, kw + 1 - kw % 2, kh / 2, kw / 2);
                    }
                    double[] x = new double[2 * h * w];
                    for (int i = 0; i < x.length; i++) x[i] = rnd.nextGaussian();
                    double[] want = reference(x, 2, h, w, k, bias, 2, kh, kw, sh, sw, pads, shape);
                    Tensor y = conv.forward(Tensor.of(x, 1, 2, h, w));
                    assertThat(y.shape()).as(what).containsExactly(1, 2, shape[0], shape[1]);
                    for (int i = 0; i < want.length; i++) {
                      assertThat(y.data()[i]).as(what + " output " + i).isCloseTo(want[i],
                          org.assertj.core.data.Offset.offset(1e-12));
                    }
                    read++;
                  }
                }
              }
            }
          }
        }
      }
    }
    System.out.printf("ConvAxesTest: %d convs read (%d with their kernel as written, %d of them with unequal "
        + "paddings), %d refused%n", read, asWritten, unequalPads, refused);
    assertThat(read).isGreaterThan(5_000);
    assertThat(asWritten).isGreaterThan(1_000);
    assertThat(unequalPads).isGreaterThan(100);
    assertThat(refused).isGreaterThan(1_000);
  }

  /** The rule's examples: the kernel's taps and zeros, the padding and the stride of the normal form. */
  @Test void factorisedAndOffCentreKernelsArePlacedAsTheRuleSays() {
    int[] none = {0, 0, 0, 0};
    // 1x3 with padding (0, 1): as it is, padding 0 above and below, 1 left and right
    assertThat(ConvAxes.plan("c", 1, 3, 1, 1, new int[] {0, 0, 1, 1}, 8, 8)).isEqualTo(new ConvAxes.Plan(1, 0, 1, 0,
        1, 0, 3));
    // 1x7 with padding (0, 3): as it is (it was a 7x7 kernel of padding 3 with one padding for both axes)
    assertThat(ConvAxes.plan("c", 1, 7, 1, 1, new int[] {0, 0, 3, 3}, 8, 8)).isEqualTo(new ConvAxes.Plan(1, 0, 3, 0,
        1, 0, 7));
    // 1x3 without padding: of the normal form as it is
    assertThat(ConvAxes.plan("c", 1, 3, 1, 1, none, 8, 8)).isEqualTo(new ConvAxes.Plan(1, 0, 0, 0, 1, 0, 3));
    // 5x3 with padding (2, 1): as it is
    assertThat(ConvAxes.plan("c", 5, 3, 1, 1, new int[] {2, 2, 1, 1}, 16, 16)).isEqualTo(new ConvAxes.Plan(1, 2, 1, 0,
        5, 0, 3));
    // 'same' on 1x4: paddings 1 before and 2 after the columns; one zero column before the taps, padding 2 left and
    // right, the row as it is
    assertThat(ConvAxes.same(1, 4)).containsExactly(0, 0, 1, 2);
    assertThat(ConvAxes.plan("c", 1, 4, 1, 1, ConvAxes.same(1, 4), 4, 4)).isEqualTo(new ConvAxes.Plan(1, 0, 2, 0, 1,
        1, 5));
    // 2x2 with stride 2 and padding 1 on 5x5: the padding exceeds half the side less one; a zero row and column
    // after the taps make 3x3, padding 1, the same 3 x 3 outputs
    assertThat(ConvAxes.plan("c", 2, 2, 2, 2, new int[] {1, 1, 1, 1}, 5, 5)).isEqualTo(new ConvAxes.Plan(2, 1, 1, 0,
        3, 0, 3));
    // 4x1 with stride (4, 1) on 4 rows: one output row, read with stride 1
    assertThat(ConvAxes.plan("c", 4, 1, 4, 1, none, 4, 4)).isEqualTo(new ConvAxes.Plan(1, 0, 0, 0, 4, 0, 1));
    // on 5 rows: stride 1 needs a window of 5 rows to keep one output row (a zero row after the taps)
    assertThat(ConvAxes.plan("c", 4, 1, 4, 1, none, 5, 4)).isEqualTo(new ConvAxes.Plan(1, 0, 0, 0, 5, 0, 1));
    // on 8 rows it has two: refused
    assertThatThrownBy(() -> ConvAxes.plan("conv 'x'", 4, 1, 4, 1, none, 8, 4))
        .hasMessageContaining("conv 'x': kernel 4x1, stride (4, 1), padding 0 gives 2 x 4 outputs on a 8 x 4 map");
  }
}
