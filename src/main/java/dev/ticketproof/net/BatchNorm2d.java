package dev.ticketproof.net;

import dev.ticketproof.tensor.Tensor;

/**
 * BatchNorm in inference mode: y = gamma (x - mean) / sqrt(var + eps) + beta, per channel of a [C, H, W] map
 * (PyTorch's BatchNorm2d) or per feature of a [C] vector (BatchNorm1d after a linear layer).
 *
 * @param name tensor-name prefix
 * @param gamma scale per channel
 * @param beta shift per channel
 * @param mean running mean per channel
 * @param var running variance per channel (>= 0)
 * @param eps the epsilon added to the variance (> 0)
 */
public record BatchNorm2d(String name, double[] gamma, double[] beta, double[] mean, double[] var, double eps)
    implements Layer {
  public BatchNorm2d {
    int c = gamma.length;
    if (beta.length != c || mean.length != c || var.length != c) {
      throw new IllegalArgumentException("batchnorm " + name + ": gamma, beta, mean, var must have equal length");
    }
    if (!(eps > 0)) throw new IllegalArgumentException("batchnorm " + name + ": eps must be > 0, got " + eps);
  }

  public int channels() { return gamma.length; }

  @Override
  public int[] outShape(int[] in) {
    String expected = "[" + channels() + ", H, W] or [" + channels() + "]";
    if (in.length != 3 && in.length != 1 || in[0] != channels()) throw Shapes.mismatch(describe(), expected, in);
    return in.clone();
  }

  @Override public Tensor forward(Tensor batch) { return Forward.batchNorm(this, batch); }

  @Override public String describe() { return "batchnorm '" + name + "' (" + channels() + " channels)"; }
}
