package dev.ticketproof.net;

/** Global average pooling: [N, C, H, W] to [N, C, 1, 1]. */
public record GlobalAvgPool() implements Layer {}
