/**
 * The only randomness of source networks: the seeded, counter-based {@link dev.ticketproof.random.WeightField}
 * and the distributions drawn from it. Part of the kernel's trusted base (the kernel regenerates every kept
 * weight with it); JDK only.
 *
 * <p><b>API status.</b> Stable: what {@link dev.ticketproof.random.WeightField} draws for a seed (certificates
 * depend on it). Experimental: the classes' methods.
 */
package dev.ticketproof.random;
