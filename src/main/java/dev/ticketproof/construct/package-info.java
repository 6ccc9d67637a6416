/**
 * The untrusted constructions: tickets of a target inside a virtual source network
 * ({@link dev.ticketproof.construct.TicketBuilder}) and the [identity] constructions
 * ({@link dev.ticketproof.construct.IdentityConstruction}). Every result carries a certificate that the kernel
 * re-checks without calling this package.
 */
package dev.ticketproof.construct;
