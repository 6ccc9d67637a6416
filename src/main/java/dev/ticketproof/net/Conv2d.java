package dev.ticketproof.net;

import dev.ticketproof.tensor.Tensor;

/**
 * A 2-d cross-correlation with PyTorch semantics: weight in OIHW layout, zero padding of {@code ph} rows above and
 * below and {@code pw} columns left and right (PyTorch's {@code padding=(ph, pw)}).
 *
 * @param name tensor-name prefix, e.g. {@code 0} or {@code blocks.1.conv2}
 * @param weight shape [out, in, kh, kw]
 * @param bias shape [out], or {@code null} for no bias
 * @param stride stride >= 1 in both directions
 * @param ph zero padding >= 0 above and below
 * @param pw zero padding >= 0 left and right
 */
public record Conv2d(String name, Tensor weight, Tensor bias, int stride, int ph, int pw) implements Layer {
  public Conv2d {
    if (weight.rank() != 4) {
      throw new IllegalArgumentException("conv " + name + ": weight must have rank 4 (OIHW), got " + weight);
    }
    if (bias != null && (bias.rank() != 1 || bias.dim(0) != weight.dim(0))) {
      throw new IllegalArgumentException("conv " + name + ": bias must have shape [" + weight.dim(0) + "], got "
          + bias);
    }
    if (stride < 1 || ph < 0 || pw < 0) {
      throw new IllegalArgumentException("conv " + name + ": need stride >= 1 and padding >= 0, got stride="
          + stride + ", padding=" + Shapes.padding(ph, pw));
    }
  }

  /** A conv with the same padding on all four sides. */
  public Conv2d(String name, Tensor weight, Tensor bias, int stride, int padding) {
    this(name, weight, bias, stride, padding, padding);
  }

  /** Whether the conv pads its input on some side. */
  public boolean padded() { return ph > 0 || pw > 0; }

  public int outChannels() { return weight.dim(0); }

  public int inChannels() { return weight.dim(1); }

  public int kernelHeight() { return weight.dim(2); }

  public int kernelWidth() { return weight.dim(3); }

  /** Output spatial size for an input of size {@code in} along height. */
  public int outHeight(int in) { return (in + 2 * ph - kernelHeight()) / stride + 1; }

  /** Output spatial size for an input of size {@code in} along width. */
  public int outWidth(int in) { return (in + 2 * pw - kernelWidth()) / stride + 1; }

  @Override
  public int[] outShape(int[] in) {
    return Shapes.conv(describe(), inChannels(), outChannels(), kernelHeight(), kernelWidth(), stride, ph, pw, in);
  }

  @Override public Tensor forward(Tensor batch) { return Forward.conv2d(this, batch); }

  @Override
  public String describe() {
    return "conv '" + name + "' (" + inChannels() + "->" + outChannels() + ", " + kernelHeight() + "x"
        + kernelWidth() + ", stride " + stride + ", padding " + Shapes.padding(ph, pw) + ")";
  }
}
