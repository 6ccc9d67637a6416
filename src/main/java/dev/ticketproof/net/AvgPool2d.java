package dev.ticketproof.net;

import dev.ticketproof.tensor.Tensor;

/** Average pooling with windows of kh rows and kw columns, strides sh and sw, no padding. */
public record AvgPool2d(int kh, int kw, int sh, int sw) implements Layer {
  /** A square window: {@code AvgPool2d(kernel, stride)}. */
  public AvgPool2d(int kernel, int stride) { this(kernel, kernel, stride, stride); }

  /** Whether the window and the stride are the same along both axes. */
  public boolean square() { return kh == kw && sh == sw; }

  @Override
  public int[] outShape(int[] in) {
    if (kh < 1 || kw < 1 || sh < 1 || sw < 1) {
      throw new IllegalArgumentException(describe() + ": needs kernel >= 1 and stride >= 1 on each axis");
    }
    String expected = "[C, H, W] with H >= " + kh + " and W >= " + kw;
    if (in.length != 3 || in[1] < kh || in[2] < kw) throw Shapes.mismatch(describe(), expected, in);
    return new int[] {in[0], (in[1] - kh) / sh + 1, (in[2] - kw) / sw + 1};
  }

  @Override public Tensor forward(Tensor batch) { return Forward.avgPool(this, batch); }

  @Override
  public String describe() {
    return square() ? "avgpool (kernel " + kh + ", stride " + sh + ")"
        : "avgpool (kernel " + kh + "x" + kw + ", stride " + sh + "x" + sw + ")";
  }
}
