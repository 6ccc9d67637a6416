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
 * <p>The tiny ResNets (one or two channels, 4x4 or 5x5 inputs, one or two blocks) keep the composed bound within a
 * small factor of the searched error, so a recursion that under-counts an error term fails here: multiplying every
 * block's conv1 error by 0.01 before conv2 in the kernel's residual recursion is caught (see the proof page).
 *
 * <p>Proof pages: proofs/copy-propagation.md, proofs/conv-decomposition.md, proofs/residual.md
 */
class BoundSoundnessProperties {
  static final int DEFAULT_CASES = 300;
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
    Evaluator[] ev = Evaluator.of(r.certificate(), t.net());
    LowerBound.Result lb = LowerBound.search(ev[0], ev[1],
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
   * A tiny ResNet: 1 or 2 input channels on 4x4 or 5x5 images, a 3x3 stem conv to w in {1, 2} channels + phi, one
   * or two blocks (3x3 convs, identity, scaled identity or, for a block that widens to w + 1 or has stride 2, a 1x1
   * projection), global average pooling and a linear classifier with 1 or 2 outputs; dense weights up to 1.5 in
   * magnitude, biases or not, no BatchNorm.
   */
  static RandomTargets.Target tinyResnet(UniformRandomProvider rng, Activation phi) {
    List<Layer> layers = new ArrayList<>();
    List<String> names = new ArrayList<>();
    int cin = 1 + rng.nextInt(2);
    int hw = 4 + rng.nextInt(2);
    int width = 1 + rng.nextInt(2);
    double scale = 0.5 + rng.nextDouble();
    StringBuilder d = new StringBuilder(String.format("tiny resnet %dx%dx%d |w|<=%.3f stem %d", cin, hw, hw, scale,
        width));
    layers.add(RandomTargets.conv(rng, "conv", width, cin, 3, 1, 1, 1.0, scale, rng.nextBoolean()));
    layers.add(new ActivationLayer(phi));
    names.add("conv");
    int depth = 1;
    int c = width;
    int blocks = 1 + rng.nextInt(2);
    for (int b = 0; b < blocks; b++) {
      String n = "blocks." + b;
      int shape = rng.nextInt(4);
      int out = shape == 3 ? c + 1 : c;
      int stride = shape == 2 ? 2 : 1;
      Conv2d c1 = RandomTargets.conv(rng, n + ".conv1", out, c, 3, stride, 1, 1.0, scale, rng.nextBoolean());
      Conv2d c2 = RandomTargets.conv(rng, n + ".conv2", out, out, 3, 1, 1, 1.0, scale, rng.nextBoolean());
      ResidualBlock.Shortcut sc;
      if (out != c || stride != 1) {
        sc = new ResidualBlock.Projection(RandomTargets.conv(rng, n + ".shortcut.0", out, c, 1, stride, 0, 1.0,
            scale, false), null);
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
    int classes = 1 + rng.nextInt(2);
    layers.add(new Linear("fc", Tensor.of(RandomTargets.sparse(rng, classes * c, 1.0, scale), classes, c),
        Tensor.of(RandomTargets.sparse(rng, classes, 1.0, 0.2), classes)));
    names.add("fc");
    depth++;
    d.append(" | gap fc ").append(classes);
    return new RandomTargets.Target(new Network(new int[] {cin, hw, hw}, layers), d.toString(), depth, names);
  }
}
