/**
 * The trusted kernel: the only code whose correctness a certified bound depends on. Untrusted constructions
 * ({@code construct}, {@code subsetsum}) emit certificates; the kernel re-checks them from scratch and alone
 * decides a {@link dev.ticketproof.kernel.Verdict}.
 *
 * <p><b>Trusted base.</b> The classes of this package and its subpackages and what they may depend on: the JDK,
 * Commons Numbers, {@code random}, {@code limits} and plain data ({@code Tensor}, the layer records of {@code net}
 * but never their forward pass, the {@code Activation} interface). docs/kernel.md ("What the kernel may depend on")
 * justifies each; {@code ArchitectureTest} enforces it on the bytecode.
 *
 * <p><b>Layout.</b> This package holds the definitions (the certificate and its file, the source network, the
 * target's normal form, intervals, the kernel's activations, the verdict) and uses none of its subpackages:
 * {@code kernel.bound} (the differential bound), {@code kernel.check} (the ticket checker) and {@code kernel.lemma}
 * (the checkers of the standalone [identity] and subset-sum certificates).
 *
 * <p><b>API status.</b> Stable: {@link dev.ticketproof.kernel.check.TicketChecker} (ticket certificates),
 * {@link dev.ticketproof.kernel.TicketFile} (the {@code .tpz} format), {@link dev.ticketproof.kernel.Verdict}, the
 * certificates and {@link dev.ticketproof.kernel.SourceNetwork.Params}. Experimental: the reports' fields and
 * everything else public here (public so that the construction and the measurements share the kernel's definitions).
 */
package dev.ticketproof.kernel;
