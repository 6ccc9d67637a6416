/**
 * Networks as data and their forward pass: the layer records ({@link dev.ticketproof.net.Layer} and its
 * implementations, {@link dev.ticketproof.net.Network}), each with its output shape and its forward pass, shapes,
 * BatchNorm folding, sparse layers and the numerical routines of the forward pass
 * ({@link dev.ticketproof.net.Forward}, im2col and EJML). The kernel reads the layer records' data and shapes only,
 * never their forward pass.
 *
 * <p><b>API status.</b> Stable: {@link dev.ticketproof.net.Network} and the layer records a target is made of.
 * Experimental: the forward pass's helpers ({@code Forward}, {@code Shapes}, the sparse layers, the folding).
 */
package dev.ticketproof.net;
