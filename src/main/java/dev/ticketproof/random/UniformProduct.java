package dev.ticketproof.random;

/**
 * The product \( X = W V \) of two independent uniforms \( W \sim \) {@code w}, \( V \sim \) {@code v}. Draw
 * {@code index} uses the weight-field draws {@code 2 index} (for W) and {@code 2 index + 1} (for V) of the same
 * stream, so it is a pure function of (seed, stream, index); indices must satisfy
 * \( 0 \le \) index \( < 2^{62} \).
 *
 * <p>For W ~ U(-2,2) and V ~ U(-1,1), X has density \( \frac14 \ln(2/|x|) \) on [-2,2].
 *
 * @param w distribution of the first factor
 * @param v distribution of the second factor
 */
public record UniformProduct(Uniform w, Uniform v) implements Distribution {
  public UniformProduct {
    if (w == null || v == null) {
      throw new IllegalArgumentException("UniformProduct needs two factors, got w=" + w + ", v=" + v);
    }
  }

  /** W ~ U(-2,2), V ~ U(-1,1): the product of a first-layer and a second-layer weight of the source network. */
  public static UniformProduct standard() { return new UniformProduct(Uniform.symmetric(2), Uniform.symmetric(1)); }

  @Override public double value(long seed, long stream, long index) {
    return w.value(seed, stream, 2 * index) * v.value(seed, stream, 2 * index + 1);
  }

  @Override public String toString() { return w + "*" + v; }
}
