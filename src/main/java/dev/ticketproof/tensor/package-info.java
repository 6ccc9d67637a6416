/** Dense tensors of doubles in row-major order ({@link dev.ticketproof.tensor.Tensor}): plain data, JDK only. */
package dev.ticketproof.tensor;
