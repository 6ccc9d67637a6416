package dev.ticketproof.construct;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.bound.Region;
import dev.ticketproof.kernel.check.TicketChecker;
import dev.ticketproof.measure.Evaluator;
import dev.ticketproof.measure.LowerBound;
import dev.ticketproof.net.BatchNorm2d;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.Network;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Soundness of the certified bound for targets whose first layer is a per-channel affine map (a BatchNorm or an
 * input normalisation, the plan's input map): over seeded random targets (sequential CNNs, fully connected networks,
 * small ResNets) with a first BatchNorm of scales of both signs and magnitudes from 0.05 to 20, activations of the
 * catalog, per-channel boxes, and half of the cases balls around points of the box, a ticket is built with a small
 * width, the kernel re-checks it over the region the certificate records (in the target's own inputs), and no input of
 * that region that samples or {@link LowerBound}'s search evaluate exceeds the certified bound. The target's
 * evaluator (which applies the map as the plan defines it) is checked against the network's own forward pass (which
 * computes the BatchNorm as PyTorch does) on the same inputs.
 *
 * <p>Proof pages: proofs/differential-bound.md (the region), proofs/copy-propagation.md
 */
class InputMapProperties {
  static final int CASES = 80;
  /** Evaluations of the search per target. */
  static final int SEARCH = 200;

  static int cases;
  static double worstRatio;

  @AfterAll
  static void summary() {
    System.out.printf("InputMapProperties: %d targets, largest searched/certified %.4g%n", cases, worstRatio);
  }

  @Test
  void noInputOfTheRegionExceedsTheCertifiedBoundOfATargetWithAnInputMap() {
    LongStream.range(0, CASES).parallel().forEach(k -> checkCase(7401L * 1_000_003L + k, (int) k));
  }

  /** The network with a first BatchNorm of random scales (both signs, 0.05 to 20 in magnitude) and shifts. */
  static Network withInputMap(UniformRandomProvider rng, Network net) {
    int c = net.inputShape()[0];
    double[] gamma = new double[c];
    double[] beta = new double[c];
    double[] mean = new double[c];
    double[] var = new double[c];
    for (int i = 0; i < c; i++) {
      gamma[i] = (rng.nextBoolean() ? 1 : -1) * Math.pow(20, 2 * rng.nextDouble() - 1);
      beta[i] = 2 * rng.nextDouble() - 1;
      mean[i] = 4 * rng.nextDouble() - 2;
      var[i] = 0.1 + 3 * rng.nextDouble();
    }
    List<Layer> layers = new ArrayList<>();
    layers.add(new BatchNorm2d("in", gamma, beta, mean, var, 1e-5));
    layers.addAll(net.layers());
    return new Network(net.inputShape(), layers);
  }

  static void checkCase(long seed, int k) {
    UniformRandomProvider rng = RandomTargets.rng(seed);
    Activation phi = RandomTargets.phi(RandomTargets.ALL_SUPPORTED.get(k % RandomTargets.ALL_SUPPORTED.size()));
    RandomTargets.Target t = k % 5 == 4 ? RandomTargets.resnet(rng, phi, 0.3) : RandomTargets.sequential(rng, phi);
    Network net = withInputMap(rng, t.net());
    int channels = net.inputShape()[0];
    double[][] boxes = PerChannelBoxProperties.boxes(rng, channels);
    double lo = PerChannelBoxProperties.union(boxes)[0];
    double hi = PerChannelBoxProperties.union(boxes)[1];
    int rho = 2 + rng.nextInt(5);
    double eps = new double[] {0.01, 0.05, 0.2}[rng.nextInt(3)];
    SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, rho,
        Defaults.rho1(phi, rho, lo), Defaults.lambda(phi), seed, null, lo, hi, boxes, TicketCertificate.VERSION);
    int dim = RandomTargets.inputDim(net);
    Region box = Region.of(lo, hi, boxes, null, Double.NaN);
    double[][] around = null;
    double radius = Double.NaN;
    if (k % 2 == 1) {
      List<double[]> centres = Evaluator.regionSamples(box, dim, 2, seed + 1);
      around = centres.toArray(new double[0][]);
      radius = new double[] {0, 0.01, 0.1}[rng.nextInt(3)];
    }
    StringBuilder bs = new StringBuilder();
    for (double[] b : boxes) bs.append(String.format(" [%s,%s]", b[0], b[1]));
    String what = "seed=" + seed + " phi=" + phi.name() + " rho=" + rho + " eps=" + eps + " boxes" + bs
        + (around == null ? "" : " balls of radius " + radius) + " target: first batchnorm, " + t.description();
    TicketBuilder.Result r = TicketBuilder.build(net, phi, new TicketBuilder.Options(p, eps, SubsetSum.Mode.MIN_SIZE,
        1, "random", around, radius), TicketBuilder.Progress.NONE);
    assertThat(r.report().verdict().isHolds()).as(what + ": " + r.report().verdict().reason()).isTrue();
    TicketChecker.Report again = TicketChecker.check(r.certificate(), net, phi, TicketChecker.Listener.NONE, around);
    assertThat(again.verdict().isHolds()).as(what + ": " + again.verdict().reason()).isTrue();
    double bound = again.certifiedBound();
    Region region = TicketChecker.region(r.certificate().header(), around);
    Evaluator.Pair ev = Evaluator.of(r.certificate(), net);
    List<double[]> samples = Evaluator.regionSamples(region, dim, 64, seed);
    // the plan's map is the network's first BatchNorm
    double[] fromNet = net.outputs(Tensor.of(samples.get(0), shape(net))).data();
    double[] fromPlan = ev.target().apply(samples.get(0));
    double scale = 1e-300;
    for (double v : fromNet) scale = Math.max(scale, Math.abs(v));
    for (int q = 0; q < fromNet.length; q++) {
      assertThat(Math.abs(fromNet[q] - fromPlan[q])).as(what + ": target output " + q).isLessThan(1e-9 * scale);
    }
    double sampled = Evaluator.compare(ev.target(), ev.ticket(), samples).maxDifference();
    List<LowerBound.Region> searched = new ArrayList<>();
    for (double[][] b : region.boxes(dim)) searched.add(new LowerBound.Region(b[0], b[1]));
    LowerBound.Result lb = LowerBound.search(ev.target(), ev.ticket(), searched, 16, SEARCH, seed);
    synchronized (InputMapProperties.class) {
      cases++;
      worstRatio = Math.max(worstRatio, Math.max(sampled, lb.lowerBound()) / bound);
    }
    assertThat(sampled).as(what + ": sampled error vs certified").isLessThanOrEqualTo(bound);
    assertThat(lb.lowerBound()).as(what + ": searched error (at " + java.util.Arrays.toString(lb.witness())
        + ") vs certified").isLessThanOrEqualTo(bound);
  }

  /** One example's shape: {1} followed by the network's input shape. */
  private static int[] shape(Network net) {
    int[] in = net.inputShape();
    int[] s = new int[in.length + 1];
    s[0] = 1;
    System.arraycopy(in, 0, s, 1, in.length);
    return s;
  }
}
