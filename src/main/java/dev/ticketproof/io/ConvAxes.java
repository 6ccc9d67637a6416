package dev.ticketproof.io;

import dev.ticketproof.limits.Budget;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.tensor.Tensor;

/**
 * A conv with a kernel side, a stride and a zero padding per axis, and paddings that may differ before and after
 * (PyTorch's {@code Conv2d(c, d, (1, 3), padding=(0, 1))}, {@code stride=(4, 1)}, {@code padding='same'} with an even
 * side), read as the conv of the normal form that computes it: one stride for both axes, one padding per axis (the
 * same before and after), and {@code 2 q <= k - 1} on each axis of its kernel ({@code TargetPlan}'s hypothesis).
 *
 * <p>The rule, per axis of input length L, kernel side k, stride s and paddings a before and b after, with
 * {@code n = floor((L + a + b - k) / s) + 1} outputs: output i reads the inputs {@code i s - a + j}, j &lt; k (zeros
 * where that is padding). The normal-form conv with padding q, stride s' and the file's taps at offset
 * {@code t = q - a} of a kernel of side k' reads {@code i s' - a + j} with the same taps: the same inputs, term for
 * term, when {@code s' = s} (or n = 1, where there is no second output), and its other taps are zeros. It has as many
 * outputs when {@code (n - 1) s' <= L + 2 q - k' < n s'}. With {@code k' >= t + k} (the taps fit) and
 * {@code k' >= 2 q + 1} (the normal form) the side {@code k + 2 q - a - b} is taken where it is such a side (then
 * {@code k' - 2 q = k - a - b} and the conv has the file's outputs on an input of any size), else the smallest:
 * {@code k' = max(t + k, 2 q + 1, L + 2 q - n s' + 1)}. One exists exactly when {@code (n - 1) s' <= L - 1}: the
 * normal form's middle tap reads the input {@code i s'}, never padding, so it gives at most {@code ceil(L / s')}
 * outputs. The padding of an axis is {@code q = max(a, b)} on that axis. For a conv with one stride and paddings
 * (ph, pw), {@code 2 ph <= kh - 1} and {@code 2 pw <= kw - 1}, this is the conv itself, its kernel as written
 * (a {@code 1 x 7} kernel with paddings (0, 3) stays {@code 1 x 7}). A kernel is enlarged only where an axis is
 * padded unequally before and after ({@code 'same'} on an even side: one zero row or column on the side with less
 * padding), where a stride above 1 meets a padding of more than half the kernel's side less one (zero rows or
 * columns on both sides, up to {@code 2 q + 1}), or where an axis with one output takes the other axis's stride and
 * needs a longer window to keep one output (zero rows or columns after the taps). Unequal strides are read only where one axis
 * has one output (its stride then selects nothing); paddings that give more outputs than {@code ceil(L / s)} are
 * refused.
 */
final class ConvAxes {
  private ConvAxes() {}

  /**
   * The normal form of a conv on an input [C, H, W].
   *
   * @param stride the stride of the normal form's conv
   * @param ph its padding above and below
   * @param pw its padding left and right
   * @param top the file's first kernel row in its kernel
   * @param rows its kernel height
   * @param left the file's first kernel column in its kernel
   * @param columns its kernel width
   */
  record Plan(int stride, int ph, int pw, int top, int rows, int left, int columns) {}

  /**
   * The normal form of a {@code kh x kw} kernel with strides (sh, sw) and paddings {@code pads} = (top, bottom,
   * left, right) on an input of {@code h x w}; {@code null} when the kernel is larger than the padded input on an
   * axis (the conv's own shape check reports that).
   *
   * @throws ShapeRefusal naming {@code what}, the kernel, strides, paddings and the reason, when no
   *     conv of the normal form computes it on this input
   */
  static Plan plan(String what, int kh, int kw, int sh, int sw, int[] pads, int h, int w) {
    int[] len = {h, w};
    int[] k = {kh, kw};
    int[] s = {sh, sw};
    int[] before = {pads[0], pads[2]};
    int[] after = {pads[1], pads[3]};
    long[] n = new long[2];
    for (int a = 0; a < 2; a++) {
      n[a] = Math.floorDiv((long) len[a] + before[a] + after[a] - k[a], s[a]) + 1;
      if (n[a] < 1) return null;
    }
    int stride;
    if (sh == sw || n[1] == 1) {
      stride = sh;
    } else if (n[0] == 1) {
      stride = sw;
    } else {
      throw new ShapeRefusal(what + ": " + shown(kh, kw, sh, sw, pads) + " gives " + n[0] + " x " + n[1]
          + " outputs on a " + h + " x " + w + " map: unequal strides select different rows and columns, and the "
          + "normal form's conv has one stride for both axes (unequal strides are read only where an axis has one "
          + "output, a window that spans it)");
    }
    int[] q = new int[2];
    int[] first = new int[2];
    int[] side = new int[2];
    for (int a = 0; a < 2; a++) {
      q[a] = Math.max(before[a], after[a]);
      if ((n[a] - 1) * stride > len[a] - 1) {
        String axis = a == 0 ? "rows" : "columns";
        throw new ShapeRefusal(what + ": " + shown(kh, kw, sh, sw, pads) + " gives " + n[a] + " " + axis
            + " of outputs from " + len[a] + " " + axis + " at stride " + stride + ", more than the ceil(" + len[a]
            + " / " + stride + ") = " + ((len[a] + stride - 1) / stride) + " a conv of the normal form gives (its "
            + "padding is at most half its kernel less one on each axis, so its middle tap reads input " + axis
            + " i x stride, never padding): the padding along the " + axis + ", " + (before[a] + after[a])
            + " in all, exceeds the kernel's side less one, " + (k[a] - 1));
      }
      first[a] = q[a] - before[a];
      long lower = Math.max(Math.max(first[a] + (long) k[a], 2L * q[a] + 1), len[a] + 2L * q[a] - n[a] * stride + 1);
      long upper = len[a] + 2L * q[a] - (n[a] - 1) * stride;
      long centred = (long) k[a] + 2L * q[a] - before[a] - after[a];
      side[a] = (int) (centred >= lower && centred <= upper ? centred : lower);
    }
    return new Plan(stride, q[0], q[1], first[0], side[0], first[1], side[1]);
  }

  /**
   * The conv of the normal form that computes the conv with the dense kernel {@code w} ([out, in, kh, kw]), strides
   * (sh, sw) and paddings {@code pads} (top, bottom, left, right) on the input {@code in}: the file's taps placed in
   * a kernel of the plan's sides, zeros elsewhere; the weights as they are when the conv is of the normal form.
   * On an input that is not an image, or one smaller than the kernel, the conv with the larger padding of each axis
   * is built, which the shape check then reports.
   *
   * @param b the builder (for messages and the weight budget)
   * @param where the entry for messages
   * @param what the conv for messages, e.g. {@code conv '3'}
   * @throws ShapeRefusal when no conv of the normal form computes it on this input ({@link #plan})
   * @throws ImportException when the kernel of the normal form would be too large
   */
  static Conv2d build(NetworkBuilder b, String where, String name, String what, Tensor w, Tensor bias, int sh,
      int sw, int[] pads, int[] in) {
    int kh = w.dim(2);
    int kw = w.dim(3);
    Plan p = in.length == 3 ? plan(what, kh, kw, sh, sw, pads, in[1], in[2]) : null;
    if (p == null) return new Conv2d(name, w, bias, sh, Math.max(pads[0], pads[1]), Math.max(pads[2], pads[3]));
    if (p.rows() == kh && p.columns() == kw) return new Conv2d(name, w, bias, p.stride(), p.ph(), p.pw());
    int out = w.dim(0);
    int chans = w.dim(1);
    long size = (long) out * chans * p.rows() * p.columns();
    if (size > Budget.MAX_EXAMPLE_VALUES) {
      throw new ImportException(b.specName() + ": " + where + ": " + what + " with " + shown(kh, kw, sh, sw, pads)
          + " would be a conv of " + p.rows() + "x" + p.columns() + " kernels, " + size + " weights; supported: at "
          + "most " + Budget.MAX_EXAMPLE_VALUES);
    }
    double[] src = w.data();
    double[] k = new double[(int) size];
    for (int oi = 0; oi < out * chans; oi++) {
      for (int r = 0; r < kh; r++) {
        System.arraycopy(src, (oi * kh + r) * kw, k, (oi * p.rows() + p.top() + r) * p.columns() + p.left(), kw);
      }
    }
    return new Conv2d(name, Tensor.of(k, out, chans, p.rows(), p.columns()), bias, p.stride(), p.ph(), p.pw());
  }

  /**
   * PyTorch's {@code padding='same'} for a dense kernel of {@code kh x kw} (dilation already in its sides): on each
   * axis {@code k - 1} in all, half before and the odd one after: {top, bottom, left, right}.
   */
  static int[] same(int kh, int kw) {
    return new int[] {(kh - 1) / 2, kh - 1 - (kh - 1) / 2, (kw - 1) / 2, kw - 1 - (kw - 1) / 2};
  }

  /** A kernel, strides and paddings as messages show them: {@code kernel 1x3, stride 1, padding (0, 1)}. */
  static String shown(int kh, int kw, int sh, int sw, int[] pads) {
    return "kernel " + kh + "x" + kw + ", stride " + pair(sh, sw) + ", padding " + padding(pads);
  }

  /** Paddings (top, bottom, left, right) as PyTorch writes them: one number, (rows, columns), or all four. */
  static String padding(int[] pads) {
    if (pads[0] == pads[1] && pads[2] == pads[3]) return pair(pads[0], pads[2]);
    return "(top " + pads[0] + ", bottom " + pads[1] + ", left " + pads[2] + ", right " + pads[3] + ")";
  }

  /** One number when both axes agree, else {@code (rows, columns)}. */
  static String pair(int rows, int columns) {
    return rows == columns ? Integer.toString(rows) : "(" + rows + ", " + columns + ")";
  }
}
