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
 * @param normalize whether it is an input normalisation, {@code (x - mean) / std} per channel (torchvision's
 *     {@code transforms.Normalize}, a normaliser's {@code mean} and {@code std} buffers: weight 1, or -1 where std
 *     is negative, bias 0, the variance std^2 and an eps below its last bit), which messages name as such; it
 *     computes and folds as any BatchNorm
 */
public record BatchNorm2d(String name, double[] gamma, double[] beta, double[] mean, double[] var, double eps,
    boolean normalize) implements Layer {
  /** A BatchNorm module's (not an input normalisation's). */
  public BatchNorm2d(String name, double[] gamma, double[] beta, double[] mean, double[] var, double eps) {
    this(name, gamma, beta, mean, var, eps, false);
  }

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

  @Override public String describe() {
    return label() + " (" + channels() + " channels" + (normalize ? ", (x - mean) / std)" : ")");
  }

  /** Its kind and name, as messages name it: {@code batchnorm 'NAME'} or {@code normalize 'NAME'}. */
  public String label() { return (normalize ? "normalize '" : "batchnorm '") + name + "'"; }
}
