package dev.ticketproof.net;

import dev.ticketproof.tensor.Tensor;
import java.util.Arrays;

/**
 * A 2-d cross-correlation (PyTorch semantics, OIHW, zero padding) that stores only its kept weights, in compressed
 * sparse rows by output channel. Evaluation ({@link Forward#sparseConv2d}) costs time proportional to the number of
 * kept weights times the output image size, and building one never allocates the dense kernel, so a ticket of a huge
 * virtual source layer (for example 975 x 975 x 3 x 3 with 0.5 % kept) stays small.
 *
 * <p>Kept weight {@code k} of output channel {@code o} (for {@code rowStart[o] <= k < rowStart[o+1]}) has value
 * {@code values[k]} and sits at input channel {@code c}, kernel row {@code i}, kernel column {@code j} with
 * {@code column[k] = (c * kernelHeight + i) * kernelWidth + j}; columns are strictly increasing inside each row.
 * The equivalent dense kernel is zero everywhere else. On finite inputs the two agree up to rounding; a weight that
 * is not kept contributes nothing even where the input is infinite or NaN (removed, not multiplied by zero).
 *
 * @param name tensor-name prefix
 * @param outChannels O >= 1
 * @param inChannels C >= 1
 * @param kernelHeight kh >= 1
 * @param kernelWidth kw >= 1, with {@code C * kh * kw <= Integer.MAX_VALUE}
 * @param stride stride >= 1 in both directions
 * @param ph zero padding >= 0 above and below
 * @param pw zero padding >= 0 left and right
 * @param rowStart length O + 1, non-decreasing, {@code rowStart[0] = 0}, {@code rowStart[O] = values.length}
 * @param column length {@code values.length}; entries in {@code [0, C kh kw)}, strictly increasing per row
 * @param values the kept weights
 * @param bias shape [O], or {@code null} for no bias
 */
public record SparseConv2d(String name, int outChannels, int inChannels, int kernelHeight, int kernelWidth,
    int stride, int ph, int pw, int[] rowStart, int[] column, double[] values, Tensor bias) implements Layer {
  public SparseConv2d {
    if (outChannels < 1 || inChannels < 1 || kernelHeight < 1 || kernelWidth < 1) {
      throw new IllegalArgumentException("sparse conv " + name + ": need positive shape, got [" + outChannels + ", "
          + inChannels + ", " + kernelHeight + ", " + kernelWidth + "]");
    }
    if (stride < 1 || ph < 0 || pw < 0) {
      throw new IllegalArgumentException("sparse conv " + name + ": need stride >= 1 and padding >= 0, got stride="
          + stride + ", padding=" + Shapes.padding(ph, pw));
    }
    long fanIn = (long) inChannels * kernelHeight * kernelWidth;
    if (fanIn > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("sparse conv " + name + ": C*kh*kw = " + fanIn + " exceeds int range");
    }
    SparseRows.check("sparse conv " + name, outChannels, (int) fanIn, rowStart, column, values);
    if (bias != null && (bias.rank() != 1 || bias.dim(0) != outChannels)) {
      throw new IllegalArgumentException("sparse conv " + name + ": bias must have shape [" + outChannels + "], got "
          + bias);
    }
  }

  /**
   * A sparse conv from kept positions given as flat OIHW indices, in any order.
   *
   * @param name tensor-name prefix
   * @param shape the dense kernel shape {O, C, kh, kw}. Not modified.
   * @param indices flat row-major OIHW indices of the kept weights, distinct, in {@code [0, O C kh kw)}.
   *     Not modified.
   * @param values the kept weights, {@code values[t]} at {@code indices[t]}. Not modified.
   * @param bias shape [O] or {@code null}
   * @param stride stride >= 1
   * @param ph padding >= 0 above and below
   * @param pw padding >= 0 left and right
   * @return the sparse conv; memory O(O + kept)
   * @throws IllegalArgumentException on out-of-range or duplicate indices, or length mismatch
   */
  public static SparseConv2d of(String name, int[] shape, long[] indices, double[] values, Tensor bias, int stride,
      int ph, int pw) {
    if (shape.length != 4) {
      throw new IllegalArgumentException("sparse conv " + name + ": shape must be OIHW, got " + Arrays.toString(shape));
    }
    long fanIn = (long) shape[1] * shape[2] * shape[3];
    SparseRows rows = SparseRows.fromFlat("sparse conv " + name, shape[0], fanIn, indices, values);
    return new SparseConv2d(name, shape[0], shape[1], shape[2], shape[3], stride, ph, pw, rows.rowStart(),
        rows.column(), rows.values(), bias);
  }

  /** A sparse conv with the same padding on all four sides ({@link #of(String, int[], long[], double[], Tensor, int,
   * int, int)}). */
  public static SparseConv2d of(String name, int[] shape, long[] indices, double[] values, Tensor bias, int stride,
      int padding) {
    return of(name, shape, indices, values, bias, stride, padding, padding);
  }

  /**
   * The sparse form of a dense conv keeping exactly its nonzero weights (a weight equal to 0.0 or -0.0 is dropped).
   *
   * @param conv the dense conv. Not modified.
   * @return the sparse conv with the same name, stride, padding and bias
   */
  public static SparseConv2d fromDense(Conv2d conv) {
    double[] w = conv.weight().data();
    boolean[] keep = new boolean[w.length];
    for (int t = 0; t < w.length; t++) keep[t] = w[t] != 0;
    return masked(conv, keep);
  }

  /**
   * The sparse form of a dense conv keeping the weights where {@code keep} is true (kept zeros stay kept).
   *
   * @param conv the dense conv. Not modified.
   * @param keep one flag per weight in OIHW order. Not modified.
   * @return the sparse conv with the same name, stride, padding and bias
   */
  public static SparseConv2d masked(Conv2d conv, boolean[] keep) {
    SparseRows rows = SparseRows.fromMask("sparse conv " + conv.name(), conv.outChannels(),
        conv.inChannels() * conv.kernelHeight() * conv.kernelWidth(), conv.weight().data(), keep);
    return new SparseConv2d(conv.name(), conv.outChannels(), conv.inChannels(), conv.kernelHeight(),
        conv.kernelWidth(), conv.stride(), conv.ph(), conv.pw(), rows.rowStart(), rows.column(), rows.values(),
        conv.bias());
  }

  /**
   * The equivalent dense conv (allocates O C kh kw doubles; meant for small layers and tests).
   *
   * @return a dense conv with zeros where no weight is kept
   */
  public Conv2d toDense() {
    int fanIn = inChannels * kernelHeight * kernelWidth;
    double[] w = new double[Math.multiplyExact(outChannels, fanIn)];
    for (int o = 0; o < outChannels; o++) {
      for (int k = rowStart[o]; k < rowStart[o + 1]; k++) w[o * fanIn + column[k]] = values[k];
    }
    return new Conv2d(name, Tensor.of(w, outChannels, inChannels, kernelHeight, kernelWidth), bias, stride, ph, pw);
  }

  /** The number of kept weights. */
  public int nonZeros() { return values.length; }

  /** Output spatial size for an input of size {@code in} along height. */
  public int outHeight(int in) { return (in + 2 * ph - kernelHeight) / stride + 1; }

  /** Output spatial size for an input of size {@code in} along width. */
  public int outWidth(int in) { return (in + 2 * pw - kernelWidth) / stride + 1; }

  @Override
  public int[] outShape(int[] in) {
    return Shapes.conv(describe(), inChannels, outChannels, kernelHeight, kernelWidth, stride, ph, pw, in);
  }

  @Override public Tensor forward(Tensor batch) { return Forward.sparseConv2d(this, batch); }

  @Override
  public String describe() {
    return "sparse conv '" + name + "' (" + inChannels + "->" + outChannels + ", " + kernelHeight + "x" + kernelWidth
        + ", stride " + stride + ", padding " + Shapes.padding(ph, pw) + ", " + nonZeros() + " kept)";
  }
}
