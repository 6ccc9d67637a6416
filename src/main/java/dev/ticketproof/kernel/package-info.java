/**
 * The trusted kernel: the only code whose correctness a certified bound depends on. Untrusted constructions
 * ({@code construct}, {@code subsetsum}) emit certificates; the kernel re-checks them from scratch and alone
 * decides a {@link dev.ticketproof.kernel.Verdict}.
 *
 * <p><b>Trusted base.</b> The classes of this package and its subpackages; the JDK; Commons Numbers (erfc, in
 * {@link dev.ticketproof.kernel.KernelActivation}); the weight field {@code dev.ticketproof.random} (it defines every
 * source weight); the input limits and the bad-parameter exception of {@code dev.ticketproof.limits} (JDK only); and
 * plain data: the {@code dev.ticketproof.tensor.Tensor} record, the layer records of {@code dev.ticketproof.net}
 * (never the forward pass) and the {@code dev.ticketproof.activation.Activation} interface (the kernel evaluates its
 * own {@link dev.ticketproof.kernel.KernelActivation}). Nothing else: no solver, construction, parser, JSON library,
 * evaluator or formatter. {@code ArchitectureTest} enforces this on the bytecode; docs/kernel.md justifies each class.
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
