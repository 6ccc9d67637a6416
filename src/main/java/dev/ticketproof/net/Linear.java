package dev.ticketproof.net;

import dev.ticketproof.tensor.Tensor;

/**
 * A fully connected layer y = W x + b.
 *
 * @param name tensor-name prefix
 * @param weight shape [out, in]
 * @param bias shape [out], or {@code null}
 */
public record Linear(String name, Tensor weight, Tensor bias) implements Layer {
  public Linear {
    if (weight.rank() != 2) {
      throw new IllegalArgumentException("linear " + name + ": weight must have rank 2, got " + weight);
    }
    if (bias != null && (bias.rank() != 1 || bias.dim(0) != weight.dim(0))) {
      throw new IllegalArgumentException("linear " + name + ": bias must have shape [" + weight.dim(0) + "], got "
          + bias);
    }
  }

  public int outFeatures() { return weight.dim(0); }

  public int inFeatures() { return weight.dim(1); }

  @Override public int[] outShape(int[] in) { return Shapes.linear(describe(), inFeatures(), outFeatures(), in); }

  @Override public Tensor forward(Tensor batch) { return Forward.linear(this, batch); }

  @Override public String describe() { return "linear '" + name + "' (" + inFeatures() + "->" + outFeatures() + ")"; }
}
