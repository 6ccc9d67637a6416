package dev.ticketproof.net;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.tensor.Tensor;
import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

/** Random layers, networks and tensors for tests (seeded commons-rng). */
final class RandomNets {
  private RandomNets() {}

  static UniformRandomProvider rng(long seed) { return RandomSource.XO_RO_SHI_RO_128_PP.create(seed); }

  static Tensor tensor(UniformRandomProvider rng, double lo, double hi, int... shape) {
    Tensor t = Tensor.zeros(shape);
    double[] d = t.data();
    for (int i = 0; i < d.length; i++) d[i] = lo + (hi - lo) * rng.nextDouble();
    return t;
  }

  static Conv2d conv(UniformRandomProvider rng, String name, int out, int in, int k, int stride, int pad,
      boolean bias) {
    double a = 1 / Math.sqrt(in * k * k);
    return new Conv2d(name, tensor(rng, -2 * a, 2 * a, out, in, k, k), bias ? tensor(rng, -1, 1, out) : null,
        stride, pad);
  }

  static Linear linear(UniformRandomProvider rng, String name, int out, int in, boolean bias) {
    double a = 1 / Math.sqrt(in);
    return new Linear(name, tensor(rng, -2 * a, 2 * a, out, in), bias ? tensor(rng, -1, 1, out) : null);
  }

  static BatchNorm2d bn(UniformRandomProvider rng, String name, int c) {
    double[] gamma = new double[c];
    double[] beta = new double[c];
    double[] mean = new double[c];
    double[] var = new double[c];
    for (int i = 0; i < c; i++) {
      gamma[i] = (rng.nextBoolean() ? 1 : -1) * (0.2 + 1.8 * rng.nextDouble());
      beta[i] = -1 + 2 * rng.nextDouble();
      mean[i] = -1 + 2 * rng.nextDouble();
      var[i] = 0.05 + 2 * rng.nextDouble();
    }
    return new BatchNorm2d(name, gamma, beta, mean, var, 1e-5);
  }

  /**
   * A CIFAR-style residual block from {@code in} to {@code out} channels; stride 2 or a channel change gives a
   * projection shortcut, otherwise an identity shortcut (with a random per-channel scale when {@code scaled}).
   */
  static ResidualBlock block(UniformRandomProvider rng, String name, int in, int out, int stride, boolean withBn,
      boolean scaled, Activation phi) {
    Conv2d c1 = conv(rng, name + ".conv1", out, in, 3, stride, 1, rng.nextBoolean());
    Conv2d c2 = conv(rng, name + ".conv2", out, out, 3, 1, 1, rng.nextBoolean());
    ResidualBlock.Shortcut sc;
    if (stride != 1 || in != out) {
      sc = new ResidualBlock.Projection(conv(rng, name + ".shortcut.0", out, in, 1, stride, 0, rng.nextBoolean()),
          withBn ? bn(rng, name + ".shortcut.1", out) : null);
    } else if (scaled) {
      double[] s = new double[in];
      for (int i = 0; i < in; i++) s[i] = 0.5 + rng.nextDouble();
      sc = new ResidualBlock.Identity(s);
    } else {
      sc = new ResidualBlock.Identity(null);
    }
    return new ResidualBlock(name, c1, withBn ? bn(rng, name + ".bn1", out) : null, c2,
        withBn ? bn(rng, name + ".bn2", out) : null, sc, phi);
  }

  /** ||actual - expected||_inf / ||expected||_inf (0 when both are zero). */
  static double relativeError(Tensor actual, Tensor expected) {
    if (!Arrays.equals(actual.shape(), expected.shape())) {
      throw new AssertionError("shape " + Arrays.toString(actual.shape()) + " != expected "
          + Arrays.toString(expected.shape()));
    }
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < actual.size(); i++) {
      double a = actual.data()[i];
      double b = expected.data()[i];
      if (Double.isNaN(a) != Double.isNaN(b)) return Double.POSITIVE_INFINITY;
      diff = Math.max(diff, Math.abs(a - b));
      norm = Math.max(norm, Math.abs(b));
    }
    return diff == 0 ? 0 : diff / norm;
  }

  /** Fails unless ||actual - expected||_inf <= tol ||expected||_inf; the message carries {@code what}. */
  static void assertClose(Tensor actual, Tensor expected, double tol, String what) {
    double rel = relativeError(actual, expected);
    if (!(rel <= tol)) {
      throw new AssertionError(what + ": relative inf-norm error " + rel + " > " + tol);
    }
  }
}
