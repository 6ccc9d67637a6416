package dev.ticketproof.tensor;

import java.util.Arrays;

/**
 * A dense tensor of doubles in row-major (C) order; for images NCHW, for conv kernels OIHW (PyTorch's layouts).
 * The arrays are owned by the tensor: callers must not modify {@link #data()} of a tensor they did not create.
 *
 * @param shape the dimensions, each >= 0
 * @param data the values, {@code data.length == product(shape)}
 */
public record Tensor(int[] shape, double[] data) {
  public Tensor {
    long n = 1;
    for (int d : shape) {
      if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      n *= d;
    }
    if (n != data.length) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got "
          + data.length);
    }
  }

  /** A zero tensor of the given shape. */
  public static Tensor zeros(int... shape) {
    long n = 1;
    for (int d : shape) n *= d;
    return new Tensor(shape.clone(), new double[Math.toIntExact(n)]);
  }

  /** The tensor with these values (not copied). */
  public static Tensor of(double[] data, int... shape) { return new Tensor(shape.clone(), data); }

  public int rank() { return shape.length; }

  public int dim(int i) { return shape[i]; }

  public int size() { return data.length; }

  /** A copy with the same shape. */
  public Tensor copy() { return new Tensor(shape.clone(), data.clone()); }

  /** The same values viewed with another shape of equal size. */
  public Tensor reshape(int... newShape) { return new Tensor(newShape.clone(), data); }

  @Override public boolean equals(Object o) {
    return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
  }

  @Override public int hashCode() { return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data); }

  @Override public String toString() { return "Tensor" + Arrays.toString(shape); }
}
