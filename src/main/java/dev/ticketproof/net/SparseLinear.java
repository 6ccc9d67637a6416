package dev.ticketproof.net;

import dev.ticketproof.tensor.Tensor;

/**
 * A fully connected layer y = W x + b that stores only its kept weights, in compressed sparse rows: kept weight
 * {@code k} of output {@code o} ({@code rowStart[o] <= k < rowStart[o+1]}) is {@code W[o, column[k]] = values[k]};
 * columns are strictly increasing inside each row; W is zero elsewhere. Evaluation costs time proportional to the
 * number of kept weights.
 *
 * @param name tensor-name prefix
 * @param outFeatures number of outputs >= 1
 * @param inFeatures number of inputs >= 1
 * @param rowStart length {@code outFeatures + 1}, non-decreasing, from 0 to {@code values.length}
 * @param column length {@code values.length}; entries in {@code [0, inFeatures)}, strictly increasing per row
 * @param values the kept weights
 * @param bias shape [outFeatures], or {@code null}
 */
public record SparseLinear(String name, int outFeatures, int inFeatures, int[] rowStart, int[] column,
    double[] values, Tensor bias) implements Layer {
  public SparseLinear {
    if (outFeatures < 1 || inFeatures < 1) {
      throw new IllegalArgumentException("sparse linear " + name + ": need positive shape, got [" + outFeatures
          + ", " + inFeatures + "]");
    }
    SparseRows.check("sparse linear " + name, outFeatures, inFeatures, rowStart, column, values);
    if (bias != null && (bias.rank() != 1 || bias.dim(0) != outFeatures)) {
      throw new IllegalArgumentException("sparse linear " + name + ": bias must have shape [" + outFeatures
          + "], got " + bias);
    }
  }

  /**
   * A sparse linear layer from kept positions given as flat row-major [out, in] indices, in any order.
   *
   * @param name tensor-name prefix
   * @param outFeatures number of outputs
   * @param inFeatures number of inputs
   * @param indices flat indices {@code o * inFeatures + i}, distinct. Not modified.
   * @param values the kept weights. Not modified.
   * @param bias shape [outFeatures] or {@code null}
   * @return the sparse layer
   * @throws IllegalArgumentException on out-of-range or duplicate indices, or length mismatch
   */
  public static SparseLinear of(String name, int outFeatures, int inFeatures, long[] indices, double[] values,
      Tensor bias) {
    SparseRows rows = SparseRows.fromFlat("sparse linear " + name, outFeatures, inFeatures, indices, values);
    return new SparseLinear(name, outFeatures, inFeatures, rows.rowStart(), rows.column(), rows.values(), bias);
  }

  /**
   * The sparse form of a dense linear layer keeping exactly its nonzero weights.
   *
   * @param linear the dense layer. Not modified.
   * @return the sparse layer with the same name and bias
   */
  public static SparseLinear fromDense(Linear linear) {
    double[] w = linear.weight().data();
    boolean[] keep = new boolean[w.length];
    for (int t = 0; t < w.length; t++) keep[t] = w[t] != 0;
    return masked(linear, keep);
  }

  /**
   * The sparse form of a dense linear layer keeping the weights where {@code keep} is true.
   *
   * @param linear the dense layer. Not modified.
   * @param keep one flag per weight in row-major order. Not modified.
   * @return the sparse layer with the same name and bias
   */
  public static SparseLinear masked(Linear linear, boolean[] keep) {
    SparseRows rows = SparseRows.fromMask("sparse linear " + linear.name(), linear.outFeatures(),
        linear.inFeatures(), linear.weight().data(), keep);
    return new SparseLinear(linear.name(), linear.outFeatures(), linear.inFeatures(), rows.rowStart(),
        rows.column(), rows.values(), linear.bias());
  }

  /** The equivalent dense layer (allocates out * in doubles). */
  public Linear toDense() {
    double[] w = new double[Math.multiplyExact(outFeatures, inFeatures)];
    for (int o = 0; o < outFeatures; o++) {
      for (int k = rowStart[o]; k < rowStart[o + 1]; k++) w[o * inFeatures + column[k]] = values[k];
    }
    return new Linear(name, Tensor.of(w, outFeatures, inFeatures), bias);
  }

  /** The number of kept weights. */
  public int nonZeros() { return values.length; }

  @Override public int[] outShape(int[] in) { return Shapes.linear(describe(), inFeatures, outFeatures, in); }

  @Override public Tensor forward(Tensor batch) { return Forward.sparseLinear(this, batch); }

  @Override
  public String describe() {
    return "sparse linear '" + name + "' (" + inFeatures + "->" + outFeatures + ", " + nonZeros() + " kept)";
  }
}
