/**
 * The only randomness of source networks: the seeded, counter-based {@link dev.ticketproof.random.WeightField}
 * and the distributions drawn from it. Part of the kernel's trusted base (the kernel regenerates every kept
 * weight with it); JDK only.
 */
package dev.ticketproof.random;
