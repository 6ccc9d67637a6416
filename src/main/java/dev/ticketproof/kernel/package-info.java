/**
 * The trusted kernel: the only code whose correctness a certified bound depends on. Untrusted constructions
 * ({@code construct}, {@code subsetsum}) emit certificates; the kernel re-checks them from scratch and alone
 * decides a {@link dev.ticketproof.kernel.Verdict}.
 *
 * <p><b>Trusted base.</b> The classes of this package and its subpackages; the JDK; Commons Numbers (erfc, in
 * {@link dev.ticketproof.kernel.KernelActivation}); the weight field {@code dev.ticketproof.random} (it
 * defines every source weight, so the kernel must regenerate weights with it); and plain data it reads: the
 * {@code dev.ticketproof.tensor.Tensor} record, the layer records of {@code dev.ticketproof.net} (a target as
 * parsed, never the forward pass) and the {@code dev.ticketproof.activation.Activation} interface (a type only: the
 * kernel evaluates its own {@link dev.ticketproof.kernel.KernelActivation}, never the catalog's implementations);
 * and {@code dev.ticketproof.limits} (JDK only): the input limits, which bound what the ticket file reader reads, and
 * the exception naming a bad parameter.
 * Nothing else: no solver, construction, parser, JSON library, evaluator or formatter. The architecture test
 * ({@code ArchitectureTest}) enforces this on the bytecode; docs/kernel.md justifies each class.
 *
 * <p><b>Entry points.</b> {@link dev.ticketproof.kernel.check.TicketChecker} (ticket certificates) and
 * {@link dev.ticketproof.kernel.TicketFile} (the {@code .tpz} format). This package holds the definitions (the
 * certificate and its file, the source network, the target's normal form, intervals, the kernel's activations, the
 * verdict); the subpackages use it and it uses none of them: {@code kernel.bound} (the differential bound),
 * {@code kernel.check} (the ticket checker, which takes the smaller of its recursion and the differential bound) and
 * {@code kernel.lemma} (the checkers of the standalone [identity] and subset-sum certificates).
 *
 * <p><b>API status.</b> Stable: the entry points above, {@link dev.ticketproof.kernel.Verdict}, the certificates and
 * {@link dev.ticketproof.kernel.SourceNetwork.Params}. Experimental: the reports' fields and everything else public
 * here (public so that the construction and the measurements can share the kernel's definitions).
 */
package dev.ticketproof.kernel;
