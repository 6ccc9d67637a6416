package dev.ticketproof.kernel;

import dev.ticketproof.activation.Activation;

/**
 * Interval bounds on the target's activations over the input box (interval arithmetic, per channel, sup over
 * positions). Zero padding contributes the value 0, so a padded layer widens its input interval to contain 0.
 */
public final class Intervals {
  private Intervals() {}

  /** Per-channel lower and upper bounds of a feature map. */
  public record Bounds(double[] lo, double[] hi) {}

  /**
   * Bounds on the outputs of an affine layer (after phi when {@code act}), given bounds on its inputs.
   *
   * @return per output channel, widened outward by a relative 1e-12 against rounding
   */
  public static Bounds affine(TargetPlan.Affine a, double[] lo, double[] hi, boolean act, Activation phi) {
    double[] zlo = new double[a.out()];
    double[] zhi = new double[a.out()];
    int taps = a.kh() * a.kw();
    for (int j = 0; j < a.out(); j++) {
      double l = a.bias()[j];
      double u = a.bias()[j];
      for (int i = 0; i < a.in(); i++) {
        double li = a.padded() ? Math.min(lo[i], 0) : lo[i];
        double hi2 = a.padded() ? Math.max(hi[i], 0) : hi[i];
        for (int t = 0; t < taps; t++) {
          double k = a.kernel()[(j * a.in() + i) * taps + t];
          if (k > 0) {
            l += k * li;
            u += k * hi2;
          } else if (k < 0) {
            l += k * hi2;
            u += k * li;
          }
        }
      }
      l -= 1e-12 * (1 + Math.abs(l));
      u += 1e-12 * (1 + Math.abs(u));
      if (act) {
        double[] im = phi.image(l, u);
        l = im[0];
        u = im[1];
      }
      zlo[j] = l;
      zhi[j] = u;
    }
    return new Bounds(zlo, zhi);
  }

  /** Bounds on a residual block's outputs phi(branch + skip), from bounds on its branch and on its skip. */
  public static Bounds residual(double[] bLo, double[] bHi, double[] sLo, double[] sHi, Activation phi) {
    double[] olo = new double[bLo.length];
    double[] ohi = new double[bLo.length];
    for (int j = 0; j < olo.length; j++) {
      double[] im = phi.image(bLo[j] + sLo[j], bHi[j] + sHi[j]);
      olo[j] = im[0];
      ohi[j] = im[1];
    }
    return new Bounds(olo, ohi);
  }
}
