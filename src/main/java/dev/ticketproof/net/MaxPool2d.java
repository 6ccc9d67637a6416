package dev.ticketproof.net;

import dev.ticketproof.tensor.Tensor;

/**
 * Max pooling with a square window (PyTorch {@code MaxPool2d(kernel, stride, padding)}): the padding is implicit
 * negative infinity, so every window takes the maximum of the inputs it covers, at most half a window wide.
 */
public record MaxPool2d(int kernel, int stride, int padding) implements Layer {
  @Override
  public int[] outShape(int[] in) {
    if (kernel < 1 || stride < 1 || padding < 0 || 2 * padding > kernel) {
      throw new IllegalArgumentException(describe() + ": needs kernel >= 1, stride >= 1 and 0 <= padding <= kernel/2,"
          + " got kernel=" + kernel + ", stride=" + stride + ", padding=" + padding);
    }
    String expected = "[C, H, W] with H + 2 padding, W + 2 padding >= " + kernel;
    if (in.length != 3 || in[1] + 2 * padding < kernel || in[2] + 2 * padding < kernel) {
      throw Shapes.mismatch(describe(), expected, in);
    }
    return new int[] {in[0], (in[1] + 2 * padding - kernel) / stride + 1, (in[2] + 2 * padding - kernel) / stride + 1};
  }

  @Override public Tensor forward(Tensor batch) { return Forward.maxPool(this, batch); }

  @Override
  public String describe() {
    return "maxpool (kernel " + kernel + ", stride " + stride + ", padding " + padding + ")";
  }
}
