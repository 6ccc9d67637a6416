/**
 * The checkers of the standalone lemma certificates: {@link dev.ticketproof.kernel.lemma.IdentityChecker} (the
 * [identity] lemma's four certificates, {@code activations --check}) and
 * {@link dev.ticketproof.kernel.lemma.SubsetSumChecker} (subset-sum certificates, {@code subset-sum}). Part of the
 * trusted base, like the rest of {@code dev.ticketproof.kernel}: they decide verdicts, from the kernel's own
 * activations ({@link dev.ticketproof.kernel.KernelActivation}) and the weight field only. The ticket checker never
 * uses them; nothing in {@code dev.ticketproof.kernel} depends on this package.
 *
 * <p><b>API status.</b> Stable: the two checkers and their certificates.
 */
package dev.ticketproof.kernel.lemma;
