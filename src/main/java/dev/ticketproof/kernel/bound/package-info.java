/**
 * The kernel's differential bound ([differential-bound], proofs/differential-bound.md): an upper bound on
 * sup |target - ticket| over a {@link dev.ticketproof.kernel.bound.Region} (the certificate's box or l-infinity
 * balls around points), computed by propagating affine forms of the target's values and of every ticket unit's
 * difference from its target neuron, layer by layer, with outward rounding, then back-substituting each output's
 * difference through the recorded steps ({@code BackSubstitution}). Part of the trusted base: it reads the
 * source network and the certificate's mask only, and {@link dev.ticketproof.kernel.check.TicketChecker} takes the
 * smaller of this bound and its layerwise recursion.
 *
 * <p><b>API status.</b> Stable: {@link dev.ticketproof.kernel.bound.Region} and the bound's entry points
 * ({@code DifferentialBound.of}, {@code boxes}, {@code Box}). Experimental: the rest.
 */
package dev.ticketproof.kernel.bound;
