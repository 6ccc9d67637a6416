package dev.ticketproof.net;

import dev.ticketproof.tensor.Tensor;

/** Average pooling with a square window, no padding. */
public record AvgPool2d(int kernel, int stride) implements Layer {
  @Override
  public int[] outShape(int[] in) {
    if (kernel < 1 || stride < 1) {
      throw new IllegalArgumentException(describe() + ": needs kernel >= 1 and stride >= 1, got kernel=" + kernel
          + ", stride=" + stride);
    }
    String expected = "[C, H, W] with H, W >= " + kernel;
    if (in.length != 3 || in[1] < kernel || in[2] < kernel) throw Shapes.mismatch(describe(), expected, in);
    return new int[] {in[0], (in[1] - kernel) / stride + 1, (in[2] - kernel) / stride + 1};
  }

  @Override public Tensor forward(Tensor batch) { return Forward.avgPool(this, batch); }

  @Override public String describe() { return "avgpool (kernel " + kernel + ", stride " + stride + ")"; }
}
