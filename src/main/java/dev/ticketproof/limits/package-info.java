/**
 * Limits every reader and the library share, JDK only and part of the kernel's trusted base:
 * {@link dev.ticketproof.limits.Budget} (the input-memory limit readers claim sizes from) and
 * {@link dev.ticketproof.limits.BadParameter} (an exception naming the parameter at fault, which the command line
 * maps to its flag).
 *
 * <p><b>API status.</b> Stable: {@link dev.ticketproof.limits.BadParameter}. Experimental:
 * {@link dev.ticketproof.limits.Budget}.
 */
package dev.ticketproof.limits;
