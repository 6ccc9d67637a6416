package dev.ticketproof.net;

import dev.ticketproof.tensor.Tensor;

/**
 * Max pooling (PyTorch {@code MaxPool2d((kh, kw), (sh, sw), (ph, pw))}) with windows of kh rows and kw columns,
 * strides sh and sw, and paddings ph and pw: the padding is implicit negative infinity, so every window takes the
 * maximum of the inputs it covers, at most half a window wide on each axis.
 */
public record MaxPool2d(int kh, int kw, int sh, int sw, int ph, int pw) implements Layer {
  /** A square window: {@code MaxPool2d(kernel, stride, padding)}. */
  public MaxPool2d(int kernel, int stride, int padding) { this(kernel, kernel, stride, stride, padding, padding); }

  /** Whether the window, stride and padding are the same along both axes. */
  public boolean square() { return kh == kw && sh == sw && ph == pw; }

  @Override
  public int[] outShape(int[] in) {
    if (kh < 1 || kw < 1 || sh < 1 || sw < 1 || ph < 0 || pw < 0 || 2 * ph > kh || 2 * pw > kw) {
      throw new IllegalArgumentException(describe() + ": needs kernel >= 1, stride >= 1 and 0 <= padding <= kernel/2 "
          + "on each axis");
    }
    String expected = "[C, H, W] with H + 2 padding >= " + kh + " and W + 2 padding >= " + kw;
    if (in.length != 3 || in[1] + 2 * ph < kh || in[2] + 2 * pw < kw) throw Shapes.mismatch(describe(), expected, in);
    return new int[] {in[0], (in[1] + 2 * ph - kh) / sh + 1, (in[2] + 2 * pw - kw) / sw + 1};
  }

  @Override public Tensor forward(Tensor batch) { return Forward.maxPool(this, batch); }

  @Override
  public String describe() {
    return square() ? "maxpool (kernel " + kh + ", stride " + sh + ", padding " + ph + ")"
        : "maxpool (kernel " + kh + "x" + kw + ", stride " + sh + "x" + sw + ", padding " + ph + "x" + pw + ")";
  }
}
