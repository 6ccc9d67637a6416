/**
 * Networks as data and their forward pass: the layer records ({@link dev.ticketproof.net.Layer} and its
 * implementations, {@link dev.ticketproof.net.Network}), shapes, BatchNorm folding, sparse layers and the dense
 * forward pass ({@link dev.ticketproof.net.Forward}, im2col and EJML). The kernel reads the layer records only.
 */
package dev.ticketproof.net;
