package dev.ticketproof.net;

import dev.ticketproof.tensor.Tensor;

/** Global average pooling: [N, C, H, W] to [N, C, 1, 1]. */
public record GlobalAvgPool() implements Layer {
  @Override
  public int[] outShape(int[] in) {
    if (in.length != 3) throw Shapes.mismatch(describe(), "[C, H, W] with H, W >= 1", in);
    return new int[] {in[0], 1, 1};
  }

  @Override public Tensor forward(Tensor batch) { return Forward.globalAvgPool(this, batch); }

  @Override public String describe() { return "global avgpool"; }
}
