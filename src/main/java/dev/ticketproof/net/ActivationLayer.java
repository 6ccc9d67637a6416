package dev.ticketproof.net;

import dev.ticketproof.activation.Activation;

/** Elementwise activation. */
public record ActivationLayer(Activation phi) implements Layer {}
