package dev.ticketproof.construct;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.bound.Region;
import dev.ticketproof.kernel.check.TicketChecker;
import dev.ticketproof.measure.Evaluator;
import dev.ticketproof.measure.LowerBound;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Soundness of the certified bound over a box with an interval per input channel: over seeded random targets
 * (sequential CNNs, fully connected networks on vector inputs, whose channels are the features, and small ResNets),
 * activations of the catalog and per-channel intervals of unequal scales and signs, a ticket is built with a small
 * width, the kernel re-checks it over the per-channel box, and no input of that box that box samples or
 * {@link LowerBound}'s search (samples, corners, coordinate ascent inside each channel's interval) evaluate exceeds
 * the certified bound. The second property checks that the region the kernel reads from a per-channel certificate
 * is that box: its samples lie in their channels' intervals and its corner samples at their ends.
 *
 * <p>Proof pages: proofs/differential-bound.md (the region), proofs/copy-propagation.md
 */
class PerChannelBoxProperties {
  static final int CASES = 120;
  /** Evaluations of the search per target. */
  static final int SEARCH = 200;

  static int cases;
  static double worstRatio;

  @AfterAll
  static void summary() {
    System.out.printf("PerChannelBoxProperties: %d targets, largest searched/certified %.4g%n", cases, worstRatio);
  }

  @Test
  void noInputOfThePerChannelBoxExceedsTheCertifiedBound() {
    LongStream.range(0, CASES).parallel().forEach(k -> checkCase(7301L * 1_000_003L + k, (int) k));
  }

  /** Per channel, an interval: one of the test boxes scaled by a power of ten in [0.01, 100]. */
  static double[][] boxes(UniformRandomProvider rng, int channels) {
    double[][] b = new double[channels][];
    for (int c = 0; c < channels; c++) {
      double[] base = RandomTargets.BOXES[rng.nextInt(RandomTargets.BOXES.length)];
      double s = Math.pow(10, rng.nextInt(5) - 2);
      b[c] = new double[] {base[0] * s, base[1] * s};
    }
    return b;
  }

  /** The smallest lower and the largest upper end of per-channel intervals: {lo, hi}. */
  static double[] union(double[][] boxes) {
    double[] u = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
    for (double[] b : boxes) {
      u[0] = Math.min(u[0], b[0]);
      u[1] = Math.max(u[1], b[1]);
    }
    return u;
  }

  static void checkCase(long seed, int k) {
    UniformRandomProvider rng = RandomTargets.rng(seed);
    Activation phi = RandomTargets.phi(RandomTargets.ALL_SUPPORTED.get(k % RandomTargets.ALL_SUPPORTED.size()));
    RandomTargets.Target t = k % 5 == 4 ? RandomTargets.resnet(rng, phi, 0.3) : RandomTargets.sequential(rng, phi);
    int channels = t.net().inputShape()[0];
    double[][] boxes = boxes(rng, channels);
    double lo = union(boxes)[0];
    double hi = union(boxes)[1];
    int rho = 2 + rng.nextInt(5);
    double eps = new double[] {0.01, 0.05, 0.2}[rng.nextInt(3)];
    SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, rho,
        Defaults.rho1(phi, rho, lo), Defaults.lambda(phi), seed, null, lo, hi, boxes, TicketCertificate.VERSION);
    StringBuilder bs = new StringBuilder();
    for (double[] b : boxes) bs.append(String.format(" [%s,%s]", b[0], b[1]));
    String what = "seed=" + seed + " phi=" + phi.name() + " rho=" + rho + " eps=" + eps + " boxes" + bs + " target: "
        + t.description();
    TicketBuilder.Result r = RandomTargets.build(t.net(), phi, p, eps, 1);
    assertThat(r.report().verdict().isHolds()).as(what + ": " + r.report().verdict().reason()).isTrue();
    // the kernel's own check of the written certificate, over the per-channel box it records
    TicketChecker.Report again = TicketChecker.check(r.certificate(), t.net(), phi);
    assertThat(again.verdict().isHolds()).as(what + ": " + again.verdict().reason()).isTrue();
    double bound = again.certifiedBound();
    Region region = TicketChecker.region(r.certificate().header(), null);
    int dim = RandomTargets.inputDim(t.net());
    Evaluator.Pair ev = Evaluator.of(r.certificate(), t.net());
    List<double[]> samples = Evaluator.regionSamples(region, dim, 64, seed);
    double sampled = Evaluator.compare(ev.target(), ev.ticket(), samples).maxDifference();
    LowerBound.Result lb = LowerBound.search(ev.target(), ev.ticket(),
        List.of(new LowerBound.Region(region.lowAt(dim), region.highAt(dim))), 16, SEARCH, seed);
    synchronized (PerChannelBoxProperties.class) {
      cases++;
      worstRatio = Math.max(worstRatio, Math.max(sampled, lb.lowerBound()) / bound);
    }
    assertThat(sampled).as(what + ": sampled error vs certified").isLessThanOrEqualTo(bound);
    assertThat(lb.lowerBound()).as(what + ": searched error (at " + java.util.Arrays.toString(lb.witness())
        + ") vs certified").isLessThanOrEqualTo(bound);
  }

  /**
   * The kernel's region of a per-channel certificate is its per-channel box: every sample lies in its channel's
   * interval, and every corner of a channel's interval is attained by the corner samples.
   */
  @Test
  void theRegionOfAPerChannelCertificateIsItsPerChannelBox() {
    for (long seed = 0; seed < 20; seed++) {
      UniformRandomProvider rng = RandomTargets.rng(7302L + seed);
      Activation phi = RandomTargets.phi("relu");
      RandomTargets.Target t = RandomTargets.sequential(rng, phi);
      int channels = t.net().inputShape()[0];
      double[][] boxes = boxes(rng, channels);
      double lo = union(boxes)[0];
      double hi = union(boxes)[1];
      SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, 3,
          Defaults.rho1(phi, 3, lo), 1, seed, null, lo, hi, boxes, TicketCertificate.VERSION);
      TicketBuilder.Result r = RandomTargets.build(t.net(), phi, p, 0.1, 1);
      Region region = TicketChecker.region(r.certificate().header(), null);
      int dim = RandomTargets.inputDim(t.net());
      int per = dim / channels;
      List<double[]> xs = Evaluator.regionSamples(region, dim, 40, seed);
      for (int s = 0; s < xs.size(); s++) {
        for (int q = 0; q < dim; q++) {
          double[] b = boxes[q / per];
          assertThat(xs.get(s)[q]).as("seed %d sample %d coordinate %d", seed, s, q).isBetween(b[0], b[1]);
          if (s >= xs.size() / 2) assertThat(xs.get(s)[q] == b[0] || xs.get(s)[q] == b[1]).isTrue();
        }
      }
    }
  }
}
