/**
 * The activation catalog ({@link dev.ticketproof.activation.ActivationCatalog}): activation functions with the
 * constants the constructions need ({@link dev.ticketproof.activation.Activation}), derived or checked by
 * {@link dev.ticketproof.activation.ConstantDerivation}, and the hypothesis of the [identity] lemma each satisfies
 * ({@link dev.ticketproof.activation.IdentityHypothesis}). Untrusted: the kernel uses only the
 * {@code Activation} interface and its own implementations.
 */
package dev.ticketproof.activation;
