package dev.ticketproof.construct;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.measure.Evaluator;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.BatchNorm2d;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Flatten;
import dev.ticketproof.net.GlobalAvgPool;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.MaxPool2d;
import dev.ticketproof.net.Network;
import dev.ticketproof.net.ResidualBlock;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

/**
 * Seeded random targets for the construction properties: small sequential CNNs and fully connected networks, and
 * small CIFAR-style ResNets, as {@link Network} objects, with a one-line description for failure messages.
 */
public final class RandomTargets {
  private RandomTargets() {}

  /** The activations every construction property runs over. */
  public static final List<String> ACTIVATIONS = List.of("relu", "leaky-relu(0.2)", "tanh", "sigmoid");

  public static UniformRandomProvider rng(long seed) { return RandomSource.XO_RO_SHI_RO_128_PP.create(seed); }

  /** A target with its description and the number L of its affine layers (a residual block counts two). */
  public record Target(Network net, String description, int depth, List<String> layerNames) {}

  /** Values in [-scale, scale], each nonzero with probability {@code density}. */
  static double[] sparse(UniformRandomProvider rng, int n, double density, double scale) {
    double[] v = new double[n];
    for (int k = 0; k < n; k++) if (rng.nextDouble() < density) v[k] = scale * (2 * rng.nextDouble() - 1);
    return v;
  }

  /**
   * A sequential CNN or fully connected network: 1 to 3 affine layers, channels <= 4, images <= 8x8, kernels 1 or
   * 3, strides 1 or 2, padding 0 or 1 (at most (k-1)/2), a third of the 3x3 kernels replaced by one of unequal sides
   * padded unequally ({@link #unequalKernel}), biases or not, |w| <= 1.5, dense or sparse (30 %); the
   * last layer is a conv or, after a flatten, a linear layer. With probability 1/4 it is fully connected on a
   * vector input.
   */
  public static Target sequential(UniformRandomProvider rng, Activation phi) {
    List<Layer> layers = new ArrayList<>();
    List<String> names = new ArrayList<>();
    StringBuilder d = new StringBuilder();
    double density = rng.nextBoolean() ? 1.0 : 0.3;
    double scale = 0.3 + 1.2 * rng.nextDouble();
    d.append(String.format("density=%.1f |w|<=%.3f ", density, scale));
    if (rng.nextInt(4) == 0) {
      int f = 1 + rng.nextInt(4);
      int[] in = {f};
      int depth = 1 + rng.nextInt(3);
      d.append("fc ").append(f);
      for (int l = 0; l < depth; l++) {
        int out = 1 + rng.nextInt(4);
        boolean bias = rng.nextBoolean();
        String name = Integer.toString(layers.size());
        layers.add(new Linear(name, Tensor.of(sparse(rng, out * f, density, scale), out, f),
            bias ? Tensor.of(sparse(rng, out, density, scale), out) : null));
        names.add(name);
        d.append(" -> ").append(out).append(bias ? "+b" : "");
        if (l < depth - 1) layers.add(new ActivationLayer(phi));
        f = out;
      }
      return new Target(new Network(in, layers), d.toString(), depth, names);
    }
    int c = 1 + rng.nextInt(3);
    int h = 3 + rng.nextInt(6);
    int w = 3 + rng.nextInt(6);
    int[] in = {c, h, w};
    d.append("cnn ").append(c).append('x').append(h).append('x').append(w);
    int convs = 1 + rng.nextInt(2);
    boolean linearLast = rng.nextBoolean();
    int depth = convs + (linearLast ? 1 : 0);
    for (int l = 0; l < convs; l++) {
      int out = 1 + rng.nextInt(4);
      int k = Math.min(h, w) >= 3 && rng.nextBoolean() ? 3 : 1;
      int pad = k == 3 ? rng.nextInt(2) : 0;
      int stride = 1 + rng.nextInt(2);
      boolean bias = rng.nextBoolean();
      String name = Integer.toString(layers.size());
      // a third of the 3x3 kernels: a kernel of unequal sides padded unequally instead
      int[] kp = k == 3 && rng.nextInt(3) == 0 ? unequalKernel(rng) : new int[] {k, k, pad, pad};
      Conv2d conv = new Conv2d(name, Tensor.of(sparse(rng, out * c * kp[0] * kp[1], density, scale), out, c, kp[0],
          kp[1]), bias ? Tensor.of(sparse(rng, out, density, scale), out) : null, stride, kp[2], kp[3]);
      layers.add(conv);
      names.add(name);
      d.append(kp[0] == kp[1] ? String.format(" -> conv %d k%d s%d p%d%s", out, k, stride, pad, bias ? "+b" : "")
          : String.format(" -> conv %d k%dx%d s%d p(%d, %d)%s", out, kp[0], kp[1], stride, kp[2], kp[3],
          bias ? "+b" : ""));
      c = out;
      h = conv.outHeight(h);
      w = conv.outWidth(w);
      if (l < depth - 1) layers.add(new ActivationLayer(phi));
    }
    if (linearLast) {
      layers.add(new Flatten());
      int out = 1 + rng.nextInt(3);
      int f = c * h * w;
      boolean bias = rng.nextBoolean();
      String name = Integer.toString(layers.size());
      layers.add(new Linear(name, Tensor.of(sparse(rng, out * f, density, scale), out, f),
          bias ? Tensor.of(sparse(rng, out, density, scale), out) : null));
      names.add(name);
      d.append(" -> flatten -> linear ").append(out).append(bias ? "+b" : "");
    }
    return new Target(new Network(in, layers), d.toString(), depth, names);
  }

  /**
   * A CNN with max pooling on 1 to 2 channels of 5x5 to 8x8: conv (3x3, padding 1) -> phi -> max pool (windows of 2
   * or 3 rows and 1 to 3 columns, strides 1 or 2 and paddings up to half the window, drawn for rows and columns apart)
   * -> conv (3x3, padding 1) -> phi and a max pool (kernel 2, stride 1 or 2, padding 0 or 1), the pool first at random
   * for a non-decreasing phi -> flatten -> linear.
   */
  public static Target pooled(UniformRandomProvider rng, Activation phi) {
    double scale = 0.3 + 1.2 * rng.nextDouble();
    int c = 1 + rng.nextInt(2);
    int h = 5 + rng.nextInt(4);
    int w = 5 + rng.nextInt(4);
    int[] in = {c, h, w};
    List<Layer> layers = new ArrayList<>();
    StringBuilder d = new StringBuilder(String.format("pooled |w|<=%.3f %dx%dx%d", scale, c, h, w));
    int[] shape = in;
    for (int l = 0; l < 2; l++) {
      int out = 1 + rng.nextInt(3);
      String name = Integer.toString(layers.size());
      layers.add(new Conv2d(name, Tensor.of(sparse(rng, out * shape[0] * 9, 1, scale), out, shape[0], 3, 3),
          Tensor.of(sparse(rng, out, 1, scale), out), 1, 1));
      shape = new int[] {out, shape[1], shape[2]};
      int k = l == 0 ? 2 + rng.nextInt(2) : 2;
      int kw = l == 0 ? 1 + rng.nextInt(3) : k;
      MaxPool2d pool = l == 0 ? new MaxPool2d(k, kw, 1 + rng.nextInt(2), 1 + rng.nextInt(2), rng.nextInt(k / 2 + 1),
          rng.nextInt(kw / 2 + 1)) : new MaxPool2d(k, 1 + rng.nextInt(2), rng.nextInt(k / 2 + 1));
      boolean poolFirst = l == 1 && rng.nextBoolean()
          && dev.ticketproof.kernel.KernelActivation.of(phi.name()).nonDecreasing();
      layers.add(poolFirst ? pool : new ActivationLayer(phi));
      layers.add(poolFirst ? new ActivationLayer(phi) : pool);
      shape = pool.outShape(shape);
      d.append(String.format(" -> conv %d -> %s", out, poolFirst ? "pool " + pool.describe() + " -> phi"
          : "phi -> " + pool.describe()));
    }
    layers.add(new Flatten());
    int out = 1 + rng.nextInt(3);
    int f = shape[0] * shape[1] * shape[2];
    layers.add(new Linear(Integer.toString(layers.size()), Tensor.of(sparse(rng, out * f, 1, scale), out, f),
        Tensor.of(sparse(rng, out, 1, scale), out)));
    d.append(" -> flatten -> linear ").append(out);
    return new Target(new Network(in, layers), d.toString(), 3, List.of("0", "3", "7"));
  }

  /** BatchNorm with non-trivial statistics (gamma of both signs, shifted means, variances in [0.3, 2]). */
  static BatchNorm2d bn(UniformRandomProvider rng, String name, int c) {
    double[] gamma = new double[c];
    double[] beta = new double[c];
    double[] mean = new double[c];
    double[] var = new double[c];
    for (int i = 0; i < c; i++) {
      gamma[i] = (rng.nextInt(5) == 0 ? -1 : 1) * (0.4 + 0.8 * rng.nextDouble());
      beta[i] = 0.4 * rng.nextDouble() - 0.2;
      mean[i] = 0.4 * rng.nextDouble() - 0.2;
      var[i] = 0.3 + 1.7 * rng.nextDouble();
    }
    return new BatchNorm2d(name, gamma, beta, mean, var, 1e-5);
  }

  static Conv2d conv(UniformRandomProvider rng, String name, int out, int in, int k, int stride, int pad,
      double density, double scale, boolean bias) {
    return conv(rng, name, out, in, k, k, stride, pad, pad, density, scale, bias);
  }

  /** A conv with a kh x kw kernel, ph rows of padding above and below and pw columns left and right. */
  static Conv2d conv(UniformRandomProvider rng, String name, int out, int in, int kh, int kw, int stride, int ph,
      int pw, double density, double scale, boolean bias) {
    return new Conv2d(name, Tensor.of(sparse(rng, out * in * kh * kw, density, scale), out, in, kh, kw),
        bias ? Tensor.of(sparse(rng, out, 1.0, 0.2), out) : null, stride, ph, pw);
  }

  /**
   * {kh, kw, ph, pw} of a kernel of unequal sides padded unequally: one side 1 or 3, the other 3 or 5 (larger), the
   * larger side padded by half itself less one, the smaller by at most that of its own; rows or columns the larger.
   */
  static int[] unequalKernel(UniformRandomProvider rng) {
    int small = rng.nextBoolean() ? 1 : 3;
    int large = small == 1 ? 3 + 2 * rng.nextInt(2) : 5;
    int ps = rng.nextInt((small - 1) / 2 + 1);
    int pl = (large - 1) / 2;
    return rng.nextBoolean() ? new int[] {small, large, ps, pl} : new int[] {large, small, pl, ps};
  }

  /**
   * A small CIFAR-style ResNet on 3x8x8 inputs: stem conv 3x3 + BN + phi, 1 or 2 stages of 1 or 2 blocks (the
   * second stage starts with a stride-2 block with a 1x1 stride-2 projection + BN shortcut), 4 to 8 channels,
   * BatchNorm with non-trivial statistics everywhere, global average pooling, flatten, linear classifier. Identity
   * shortcuts carry a per-channel scale with probability {@code scaleProb}.
   */
  public static Target resnet(UniformRandomProvider rng, Activation phi, double scaleProb) {
    List<Layer> layers = new ArrayList<>();
    List<String> names = new ArrayList<>();
    double density = rng.nextBoolean() ? 1.0 : 0.45;
    double scale = 0.3 + 0.5 * rng.nextDouble();
    int width = 4 + rng.nextInt(5);
    StringBuilder d = new StringBuilder(String.format("resnet density=%.2f |w|<=%.3f stem %d", density, scale,
        width));
    layers.add(conv(rng, "conv", width, 3, 3, 1, 1, density, scale, false));
    layers.add(bn(rng, "bn", width));
    layers.add(new ActivationLayer(phi));
    names.add("conv");
    int depth = 1;
    int stages = 1 + rng.nextInt(2);
    int c = width;
    int block = 0;
    for (int s = 0; s < stages; s++) {
      int out = s == 0 ? c : Math.min(8, c + 1 + rng.nextInt(4));
      int blocks = 1 + rng.nextInt(2);
      for (int b = 0; b < blocks; b++) {
        int stride = s > 0 && b == 0 ? 2 : 1;
        String n = "blocks." + block++;
        Conv2d c1 = conv(rng, n + ".conv1", out, c, 3, stride, 1, density, scale, rng.nextBoolean());
        Conv2d c2 = conv(rng, n + ".conv2", out, out, 3, 1, 1, density, scale, rng.nextBoolean());
        ResidualBlock.Shortcut sc;
        if (c != out || stride != 1) {
          sc = new ResidualBlock.Projection(conv(rng, n + ".shortcut.0", out, c, 1, stride, 0, density, scale,
              false), bn(rng, n + ".shortcut.1", out));
          d.append(String.format(" | %s %d->%d s%d proj", n, c, out, stride));
        } else if (rng.nextDouble() < scaleProb) {
          double[] sv = new double[c];
          for (int i = 0; i < c; i++) sv[i] = 0.5 + rng.nextDouble();
          sc = new ResidualBlock.Identity(sv);
          d.append(String.format(" | %s %d->%d id(scaled)", n, c, out));
        } else {
          sc = new ResidualBlock.Identity(null);
          d.append(String.format(" | %s %d->%d id", n, c, out));
        }
        layers.add(new ResidualBlock(n, c1, bn(rng, n + ".bn1", out), c2, bn(rng, n + ".bn2", out), sc, phi));
        depth += 2;
        c = out;
      }
    }
    layers.add(new GlobalAvgPool());
    layers.add(new Flatten());
    int classes = 2 + rng.nextInt(4);
    layers.add(new Linear("fc", Tensor.of(sparse(rng, classes * c, 1.0, 0.8), classes, c),
        Tensor.of(sparse(rng, classes, 1.0, 0.2), classes)));
    names.add("fc");
    depth++;
    d.append(" | gap fc ").append(classes);
    return new Target(new Network(new int[] {3, 8, 8}, layers), d.toString(), depth, names);
  }

  public static Activation phi(String name) { return ActivationCatalog.parse(name); }

  /** Every activation of the catalog that the constructions support (slow runs). */
  public static final List<String> ALL_SUPPORTED = List.of("relu", "leaky-relu(0.2)", "leaky-relu(0.7)", "tanh", "sigmoid",
      "elu", "elu(0.5)", "softplus", "silu", "gelu");

  /** Input boxes of the slow runs: symmetric, non-negative, negative, asymmetric. */
  static final double[][] BOXES = {{-1, 1}, {0, 1}, {-2, -0.5}, {0.25, 1}, {-0.5, 2}, {-3, 3}, {-1, 0}};

  /**
   * Source parameters drawn over the admissible range: rho in [3, 15], rho1 in [1, 30], lambda the default or
   * uniform in [0.01, 1], a box of {@link #BOXES}.
   */
  static SourceNetwork.Params wideParams(UniformRandomProvider rng, SourceNetwork.Construction cons, Activation phi,
      long seed) {
    double[] box = BOXES[rng.nextInt(BOXES.length)];
    int rho = 3 + rng.nextInt(13);
    int rho1 = 1 + rng.nextInt(30);
    double lambda = rng.nextBoolean() ? Defaults.lambda(phi) : 0.01 + 0.99 * rng.nextDouble();
    return new SourceNetwork.Params(cons, rho, rho1, lambda, seed, null, box[0], box[1], null,
        TicketCertificate.VERSION);
  }

  public static String describe(SourceNetwork.Params p, double eps) {
    return String.format("%s box=[%s,%s] rho=%d rho1=%d lambda=%s eps=%s", p.construction().label(), p.inputLow(),
        p.inputHigh(), p.rho(), p.rho1(), p.lambda(), eps);
  }

  /** Source parameters with the project's defaults for phi (rho1 and lambda). */
  public static SourceNetwork.Params params(SourceNetwork.Construction cons, Activation phi, int rho, long seed,
      String upto, double lo, double hi) {
    return new SourceNetwork.Params(cons, rho, Defaults.rho1(phi, rho, lo),
        Defaults.lambda(phi), seed, upto, lo, hi, null, TicketCertificate.VERSION);
  }

  public static TicketBuilder.Result build(Network net, Activation phi, SourceNetwork.Params p, double eps, int threads) {
    return TicketBuilder.build(net, phi, new TicketBuilder.Options(p, eps, SubsetSum.Mode.MIN_SIZE, threads,
        "random"), TicketBuilder.Progress.NONE);
  }

  /**
   * Builds the ticket with 1 and with 2 threads, writes both certificates under {@code dir} and asserts that the
   * files are byte-identical.
   */
  static void assertSameFileForOneAndTwoThreads(Network net, Activation phi, SourceNetwork.Params p, double eps,
      java.nio.file.Path dir, String tag, String what) {
    try {
      java.nio.file.Path a = dir.resolve("a" + tag + ".tpz");
      java.nio.file.Path b = dir.resolve("b" + tag + ".tpz");
      var one = build(net, phi, p, eps, 1).certificate();
      var two = build(net, phi, p, eps, 2).certificate();
      dev.ticketproof.io.AtomicFile.write(a, os -> dev.ticketproof.io.TicketWriter.write(one, os));
      dev.ticketproof.io.AtomicFile.write(b, os -> dev.ticketproof.io.TicketWriter.write(two, os));
      org.assertj.core.api.Assertions.assertThat(java.nio.file.Files.readAllBytes(b)).as(what)
          .isEqualTo(java.nio.file.Files.readAllBytes(a));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(what, e);
    }
  }

  /** Receives a measured error, its certified bound and the case's description. */
  interface Recorder {
    void record(double measured, double bound, String what);
  }

  /**
   * One case of the wide-parameter-range property: a random sequential target, random source parameters
   * ({@link #wideParams}) and tolerance; the certificate holds and the measured error is within the bound.
   */
  static void checkWideCase(SourceNetwork.Construction construction, long seed, int act, Recorder recorder) {
    UniformRandomProvider rng = rng(seed);
    Activation phi = phi(ALL_SUPPORTED.get(act));
    Target t = sequential(rng, phi);
    SourceNetwork.Params p = wideParams(rng, construction, phi, seed);
    double eps = new double[] {0.005, 0.02, 0.2}[rng.nextInt(3)];
    String what = "seed=" + seed + " phi=" + phi.name() + " " + describe(p, eps) + " target: " + t.description();
    TicketBuilder.Result r = build(t.net(), phi, p, eps, 1);
    TheoremLPlus1Properties.checkHolds(r, t.net(), phi, what);
    double measured = measured(r, t.net(), phi, 200, seed ^ 0x5eedL);
    double bound = r.report().certifiedBound();
    recorder.record(measured, bound, what);
    org.assertj.core.api.Assertions.assertThat(measured).as(what + ": measured vs certified")
        .isLessThanOrEqualTo(bound);
  }

  static int inputDim(Network net) {
    int n = 1;
    for (int s : net.inputShape()) n *= s;
    return n;
  }

  /**
   * Max |target - ticket| over {@code n} box samples (half uniform, half corners, {@link Evaluator#boxSamples}) and
   * a coordinate ascent of {@code n} steps from a random point of the box (each step moves one coordinate to a
   * random nearby value or to an end of the box and keeps the move when the error does not decrease).
   */
  static double measured(TicketBuilder.Result r, Network net, Activation phi, int n, long seed) {
    Evaluator t = Evaluator.ofTarget(TargetPlan.of(net, phi));
    Evaluator k = Evaluator.ofTicket(r.source(), r.certificate());
    SourceNetwork.Params p = r.source().params();
    double lo = p.inputLow();
    double hi = p.inputHigh();
    double sampled = Evaluator.compare(t, k, Evaluator.boxSamples(inputDim(net), lo, hi, n, seed)).maxDifference();
    UniformRandomProvider rng = rng(seed);
    double[] x = new double[inputDim(net)];
    for (int q = 0; q < x.length; q++) x[q] = lo + (hi - lo) * rng.nextDouble();
    double best = Evaluator.compare(t, k, List.of(x)).maxDifference();
    for (int step = 0; step < n; step++) {
      int q = rng.nextInt(x.length);
      double old = x[q];
      x[q] = rng.nextInt(3) == 0 ? (rng.nextBoolean() ? lo : hi)
          : Math.min(hi, Math.max(lo, old + 0.2 * (hi - lo) * (2 * rng.nextDouble() - 1)));
      double e = Evaluator.compare(t, k, List.of(x)).maxDifference();
      if (e >= best) {
        best = e;
      } else {
        x[q] = old;
      }
    }
    return Math.max(sampled, best);
  }
}
