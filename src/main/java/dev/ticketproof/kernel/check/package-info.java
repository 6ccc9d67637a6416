/**
 * The ticket checker: {@link dev.ticketproof.kernel.check.TicketChecker} (header, target hash, activation, mask
 * digest, one analysis, then the claims against it), the layerwise recursion node by node ({@code Analysis},
 * {@code ConvCheck}), and the certified bound, the smaller of the recursion and the differential bound of
 * {@code kernel.bound}. It uses the definitions of {@code dev.ticketproof.kernel} and the differential bound;
 * neither uses it.
 *
 * <p><b>API status.</b> Stable: {@link dev.ticketproof.kernel.check.TicketChecker#check} and
 * {@link dev.ticketproof.kernel.check.TicketChecker#certify}. Experimental: the reports' fields.
 */
package dev.ticketproof.kernel.check;
