package dev.ticketproof.net;

/** Average pooling with a square window, no padding. */
public record AvgPool2d(int kernel, int stride) implements Layer {}
