package dev.ticketproof.net;

import dev.ticketproof.tensor.Tensor;

/** Flattens [N, C, H, W] to [N, C*H*W] in C order (PyTorch's {@code nn.Flatten}). */
public record Flatten() implements Layer {
  @Override
  public int[] outShape(int[] in) {
    long n = 1;
    for (int d : in) n *= d;
    return new int[] {Math.toIntExact(n)};
  }

  @Override public Tensor forward(Tensor batch) { return Forward.flatten(this, batch); }

  @Override public String describe() { return "flatten"; }
}
