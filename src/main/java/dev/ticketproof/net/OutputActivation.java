package dev.ticketproof.net;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.tensor.Tensor;

/**
 * A function a network applies to its outputs after its last layer: an elementwise activation (a binary
 * classifier's sigmoid, a regression net's tanh) or a softmax or log-softmax over the output channels. The
 * constructions approximate the network without it (its last layer ends without activation), and a ticket's
 * outputs are passed through the same function.
 *
 * <p>Its Lipschitz constant in the maximum norm carries a bound e on the outputs before it to one after it:
 * |g(a) - g(b)|_inf <= L |a - b|_inf. For an elementwise phi, L is phi's. For the softmax s of one example, the
 * Jacobian diag(p) - p p^T has rows whose absolute values sum to 2 p_i (1 - p_i) <= 1/2; for the log-softmax, I - 1
 * p^T, rows that sum to 2 (1 - p_i) < 2. Both keep the largest output where it is, and so does a non-decreasing phi
 * (a single output crosses phi(0) where it crosses 0).
 *
 * @param name {@code softmax}, {@code log-softmax} or the elementwise activation's catalog name
 * @param elementwise the elementwise activation, or {@code null} for the softmax and the log-softmax
 */
public record OutputActivation(String name, Activation elementwise) {
  /** The softmax over the output channels. */
  public static final OutputActivation SOFTMAX = new OutputActivation("softmax", null);
  /** The log-softmax over the output channels. */
  public static final OutputActivation LOG_SOFTMAX = new OutputActivation("log-softmax", null);

  /** An elementwise activation on the outputs. */
  public static OutputActivation of(Activation phi) {
    return new OutputActivation(phi.name(), phi);
  }

  /**
   * The output activation a name denotes: {@code softmax}, {@code log-softmax} or an activation of the catalog.
   *
   * @throws IllegalArgumentException when the name is none of them
   */
  public static OutputActivation parse(String name) {
    if (SOFTMAX.name.equals(name)) return SOFTMAX;
    if (LOG_SOFTMAX.name.equals(name)) return LOG_SOFTMAX;
    return of(ActivationCatalog.parse(name));
  }

  /** The Lipschitz constant in the maximum norm, per example (the class comment). */
  public double lipschitz() {
    if (elementwise != null) return elementwise.lipschitz();
    return name.equals(SOFTMAX.name) ? 0.5 : 2;
  }

  /**
   * The bound on the outputs after this function that a bound on the outputs before it gives: L times it, rounded
   * up.
   */
  public double boundAfter(double bound) {
    double b = lipschitz() * bound;
    return b == 0 || Double.isNaN(b) || Double.isInfinite(b) ? b : Math.nextUp(b);
  }

  /** Applies the function to one example's outputs of {@code channels} channels (CHW order), in place. */
  public void applyInPlace(double[] y, int channels) {
    if (elementwise != null) {
      for (int i = 0; i < y.length; i++) y[i] = elementwise.value(y[i]);
      return;
    }
    int spatial = y.length / channels;
    boolean log = !name.equals(SOFTMAX.name);
    for (int s = 0; s < spatial; s++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < channels; c++) max = Math.max(max, y[c * spatial + s]);
      double sum = 0;
      for (int c = 0; c < channels; c++) sum += Math.exp(y[c * spatial + s] - max);
      double logSum = max + Math.log(sum);
      for (int c = 0; c < channels; c++) {
        double v = y[c * spatial + s] - logSum;
        y[c * spatial + s] = log ? v : Math.exp(v);
      }
    }
  }

  /** Applies the function to a batch of outputs, [N, C] or [N, C, H, W]; returns a new tensor. */
  public Tensor apply(Tensor y) {
    int n = y.dim(0);
    int per = y.data().length / Math.max(1, n);
    double[] out = y.data().clone();
    double[] one = new double[per];
    for (int i = 0; i < n; i++) {
      System.arraycopy(out, i * per, one, 0, per);
      applyInPlace(one, y.dim(1));
      System.arraycopy(one, 0, out, i * per, per);
    }
    return Tensor.of(out, y.shape());
  }
}
