package dev.ticketproof.net;

/**
 * BatchNorm2d in inference mode: y = gamma (x - mean) / sqrt(var + eps) + beta, per channel.
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
    String expected = "[" + channels() + ", H, W]";
    if (in.length != 3 || in[0] != channels()) throw Shapes.mismatch(describe(), expected, in);
    return in.clone();
  }

  @Override public String describe() { return "batchnorm '" + name + "' (" + channels() + " channels)"; }
}
