/**
 * Dense tensors of doubles in row-major order ({@link dev.ticketproof.tensor.Tensor}): plain data, JDK only.
 *
 * <p><b>API status.</b> Stable.
 */
package dev.ticketproof.tensor;
