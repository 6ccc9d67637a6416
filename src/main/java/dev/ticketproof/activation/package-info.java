/**
 * The activation catalog ({@link dev.ticketproof.activation.ActivationCatalog}): activation functions with the
 * constants the constructions need ({@link dev.ticketproof.activation.Activation}), derived or checked by
 * {@link dev.ticketproof.activation.ConstantDerivation}, and the hypothesis of the [identity] lemma each satisfies
 * ({@link dev.ticketproof.activation.IdentityHypothesis}). Untrusted: the kernel uses only the
 * {@code Activation} interface and its own implementations.
 *
 * <p><b>API status.</b> Stable: {@link dev.ticketproof.activation.Activation} and
 * {@link dev.ticketproof.activation.ActivationCatalog}. Experimental: the families' classes and the derivations.
 */
package dev.ticketproof.activation;
