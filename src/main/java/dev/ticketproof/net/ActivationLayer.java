package dev.ticketproof.net;

import dev.ticketproof.activation.Activation;

/** Elementwise activation. */
public record ActivationLayer(Activation phi) implements Layer {
  @Override public int[] outShape(int[] in) { return in.clone(); }

  @Override public String describe() { return "activation " + phi.name(); }
}
