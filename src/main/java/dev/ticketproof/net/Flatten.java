package dev.ticketproof.net;

/** Flattens [N, C, H, W] to [N, C*H*W] in C order (PyTorch's {@code nn.Flatten}). */
public record Flatten() implements Layer {}
