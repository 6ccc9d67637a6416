/**
 * The ticket checker: {@link dev.ticketproof.kernel.check.TicketChecker} (the entry point: header, target hash,
 * activation, mask digest, then one analysis, then the claims against it), the layerwise recursion node by node
 * ({@code Analysis} with {@code ConvCheck}, {@code UnivariateCheck} and {@code ResidualCheck}), and the certified
 * bound, the smaller of the recursion and the differential bound of {@code dev.ticketproof.kernel.bound}. Part of the
 * trusted base and of the ticket kernel (docs/kernel.md). It sits above both: it reads the definitions of
 * {@code dev.ticketproof.kernel} (certificate, source network, target plan, intervals, activations) and the
 * differential bound, and neither depends on it.
 *
 * <p><b>API status.</b> Stable: {@link dev.ticketproof.kernel.check.TicketChecker#check} and
 * {@link dev.ticketproof.kernel.check.TicketChecker#certify}. Experimental: the reports' fields.
 */
package dev.ticketproof.kernel.check;
