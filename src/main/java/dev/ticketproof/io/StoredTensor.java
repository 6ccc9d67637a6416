package dev.ticketproof.io;

import dev.ticketproof.tensor.Tensor;

/**
 * A tensor read from a file: its name in the file, its values (converted to double, C order) and the element type
 * it was stored with.
 *
 * @param name the key in the state dict (or the array name in a NumPy file)
 * @param tensor the values
 * @param dtype the stored element type
 */
public record StoredTensor(String name, Tensor tensor, DType dtype) {
  /** Number of entries that are not zero. */
  public long nonzeros() {
    long n = 0;
    for (double v : tensor.data()) if (v != 0) n++;
    return n;
  }

  /** The largest absolute value (0 for an empty tensor). */
  public double maxAbs() {
    double m = 0;
    for (double v : tensor.data()) m = Math.max(m, Math.abs(v));
    return m;
  }
}
