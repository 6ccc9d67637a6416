package dev.ticketproof.construct;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.measure.Evaluator;
import dev.ticketproof.measure.LowerBound;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Flatten;
import dev.ticketproof.net.GlobalAvgPool;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.Network;
import dev.ticketproof.net.ResidualBlock;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Soundness of the certified bound against an adversary: over seeded random targets (fully connected networks,
 * sequential CNNs, small ResNets with identity, scaled-identity and stride-2 projection shortcuts) and every
 * activation of the catalog the constructions support, a ticket is built with a small width (so instances fail and
 * errors are large) and {@link LowerBound}'s search (samples, corners, coordinate ascent) looks for inputs of large
 * error inside the certified box; no input it evaluates may exceed the kernel's certified bound. The default run
 * checks {@value #DEFAULT_CASES} targets, {@code -Pslow} {@value #SLOW_CASES}.
 *
 * <p>The tiny ResNets (one input channel on 1x1 or 2x2 images, one or two channels, one or two blocks, weights of
 * magnitude 0.5 to 1.5) have few error terms, and the searched error reaches the certified bound on some of them
 * (the largest searched/certified is printed after the run), so a recursion that under-counts an error term fails
 * here: multiplying every block's conv1 error by 0.01 before conv2 in the kernel's residual recursion fails this
 * property in the default run (see proofs/residual.md).
 *
 * <p>Proof pages: proofs/copy-propagation.md, proofs/conv-decomposition.md, proofs/residual.md
 */
class BoundSoundnessProperties {
  static final int DEFAULT_CASES = 200;
  static final int SLOW_CASES = 2400;
  /** Evaluations of the search per target. */
  static final int SEARCH = 240;

  static int cases;
  static double worstRatio;
  static String worstCase = "";
  static final int[] KINDS = new int[3];
  static final double[] WORST = new double[3];

  @AfterAll
  static void summary() {
    System.out.printf("BoundSoundnessProperties: %d targets (%d sequential, %d ResNets, %d tiny ResNets), largest "
        + "searched/certified %.4g (%s); by kind %.3g %.3g %.3g%n", cases, KINDS[0], KINDS[1], KINDS[2], worstRatio,
        worstCase, WORST[0], WORST[1], WORST[2]);
  }

  @Test
  void noSearchedInputExceedsTheCertifiedBound() {
    check(DEFAULT_CASES, 9001L);
  }

  @Test
  @Tag("slow")
  void noSearchedInputExceedsTheCertifiedBoundSlow() {
    check(SLOW_CASES, 9002L);
  }

  static void check(int n, long base) {
    LongStream.range(0, n).parallel().forEach(k -> checkCase(base * 1_000_003L + k, (int) k));
  }

  /**
   * One case: target kind k mod 4 (0: sequential or fully connected, 1: small ResNet, 2 and 3: tiny ResNet), the
   * activation k/4 mod the catalog, random width, tolerance and box.
   */
  static void checkCase(long seed, int k) {
    UniformRandomProvider rng = RandomTargets.rng(seed);
    Activation phi = RandomTargets.phi(RandomTargets.ALL_SUPPORTED.get((k / 4) % RandomTargets.ALL_SUPPORTED.size()));
    int kind = Math.min(2, k % 4);
    RandomTargets.Target t = switch (kind) {
      case 0 -> RandomTargets.sequential(rng, phi);
      case 1 -> RandomTargets.resnet(rng, phi, 0.3);
      default -> tinyResnet(rng, phi);
    };
    double[] box = RandomTargets.BOXES[rng.nextInt(RandomTargets.BOXES.length)];
    int rho = 2 + rng.nextInt(5);
    double eps = new double[] {0.01, 0.05, 0.2}[rng.nextInt(3)];
    SourceNetwork.Params p = RandomTargets.params(SourceNetwork.Construction.L_PLUS_1, phi, rho, seed, null, box[0],
        box[1]);
    String what = "seed=" + seed + " phi=" + phi.name() + " " + RandomTargets.describe(p, eps) + " target: "
        + t.description();
    TicketBuilder.Result r = RandomTargets.build(t.net(), phi, p, eps, 1);
    assertThat(r.report().verdict().isHolds()).as(what + ": " + r.report().verdict().reason()).isTrue();
    double bound = r.report().certifiedBound();
    Evaluator.Pair ev = Evaluator.of(r.certificate(), t.net());
    LowerBound.Result lb = LowerBound.search(ev.target(), ev.ticket(),
        List.of(LowerBound.Region.box(RandomTargets.inputDim(t.net()), box[0], box[1])), 16, SEARCH, seed);
    synchronized (BoundSoundnessProperties.class) {
      cases++;
      KINDS[kind]++;
      WORST[kind] = Math.max(WORST[kind], lb.lowerBound() / bound);
      if (lb.lowerBound() / bound > worstRatio) {
        worstRatio = lb.lowerBound() / bound;
        worstCase = what + String.format(" searched %.6g certified %.6g", lb.lowerBound(), bound);
      }
    }
    assertThat(lb.lowerBound()).as(what + ": searched error (at " + java.util.Arrays.toString(lb.witness())
        + ") vs certified").isLessThanOrEqualTo(bound);
  }

  /**
   * A tiny ResNet: one input channel on a 1x1 or 2x2 image, a stem conv (1x1, or 3x3 with padding 1) to 1 or 2
   * channels + phi, one or two blocks (convs of the stem's kernel size; identity, scaled identity or, for a block
   * that widens by one channel or has stride 2, a 1x1 projection), global average pooling and a linear classifier
   * with one output; weights of magnitude 0.5 to 1.5 (positive with probability 3/4), biases or not, no BatchNorm.
   * Few error terms and nearly linear behaviour on non-negative boxes keep the certified bound close to the
   * searched error.
   */
  static RandomTargets.Target tinyResnet(UniformRandomProvider rng, Activation phi) {
    List<Layer> layers = new ArrayList<>();
    List<String> names = new ArrayList<>();
    int hw = 1 + rng.nextInt(2);
    int k = hw == 2 && rng.nextBoolean() ? 3 : 1;
    int width = 1 + rng.nextInt(2);
    StringBuilder d = new StringBuilder(String.format("tiny resnet 1x%dx%d k%d stem %d", hw, hw, k, width));
    layers.add(tinyConv(rng, "conv", width, 1, k, 1));
    layers.add(new ActivationLayer(phi));
    names.add("conv");
    int depth = 1;
    int c = width;
    int blocks = 1 + rng.nextInt(2);
    for (int b = 0; b < blocks; b++) {
      String n = "blocks." + b;
      int shape = rng.nextInt(4);
      int out = shape == 3 ? c + 1 : c;
      int stride = shape == 2 && hw == 2 ? 2 : 1;
      Conv2d c1 = tinyConv(rng, n + ".conv1", out, c, k, stride);
      Conv2d c2 = tinyConv(rng, n + ".conv2", out, out, k, 1);
      ResidualBlock.Shortcut sc;
      if (out != c || stride != 1) {
        sc = new ResidualBlock.Projection(tinyConv(rng, n + ".shortcut.0", out, c, 1, stride), null);
        d.append(String.format(" | %s %d->%d s%d proj", n, c, out, stride));
      } else if (shape == 1) {
        double[] sv = new double[c];
        for (int i = 0; i < c; i++) sv[i] = 0.5 + rng.nextDouble();
        sc = new ResidualBlock.Identity(sv);
        d.append(String.format(" | %s %d->%d id(scaled)", n, c, out));
      } else {
        sc = new ResidualBlock.Identity(null);
        d.append(String.format(" | %s %d->%d id", n, c, out));
      }
      layers.add(new ResidualBlock(n, c1, null, c2, null, sc, phi));
      depth += 2;
      c = out;
    }
    layers.add(new GlobalAvgPool());
    layers.add(new Flatten());
    layers.add(new Linear("fc", Tensor.of(weights(rng, c), 1, c), rng.nextBoolean() ? Tensor.of(weights(rng, 1), 1)
        : null));
    names.add("fc");
    depth++;
    d.append(" | gap fc 1");
    return new RandomTargets.Target(new Network(new int[] {1, hw, hw}, layers), d.toString(), depth, names);
  }

  /** A conv of a tiny ResNet: every weight nonzero ({@link #weights}), padding (k-1)/2, a bias or not. */
  static Conv2d tinyConv(UniformRandomProvider rng, String name, int out, int in, int k, int stride) {
    return new Conv2d(name, Tensor.of(weights(rng, out * in * k * k), out, in, k, k),
        rng.nextBoolean() ? Tensor.of(weights(rng, out), out) : null, stride, (k - 1) / 2);
  }

  /** Values of magnitude in [0.5, 1.5], positive with probability 3/4. */
  static double[] weights(UniformRandomProvider rng, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = (rng.nextInt(4) == 0 ? -1 : 1) * (0.5 + rng.nextDouble());
    return v;
  }
}
