package dev.ticketproof.net;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.tensor.Tensor;

/** Elementwise activation. */
public record ActivationLayer(Activation phi) implements Layer {
  @Override public int[] outShape(int[] in) { return in.clone(); }

  @Override public Tensor forward(Tensor batch) { return Forward.activation(phi, batch); }

  @Override public String describe() { return "activation " + phi.name(); }
}
