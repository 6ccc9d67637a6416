package dev.ticketproof.construct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.ticketproof.measure.Sizes;
import dev.ticketproof.activation.Activation;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.check.TicketChecker;
import dev.ticketproof.net.Network;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The L+1 theorem ([constructions]) for sequential CNNs and fully connected networks, on seeded random small
 * targets (channels <= 4, images <= 8x8, k in {1, 3}, stride 1 or 2, padding 0 or 1, with and without bias,
 * |w| <= 1.5, dense and sparse) with ReLU, LeakyReLU(0.2), tanh and sigmoid:
 * <ol>
 *   <li>the source has depth L+1 and widths [rho1 n_0 + c, rho (n_1 + 1), ..., rho (n_{L-1} + 1), n_L], where
 *       rho1 = 2 rho when phi needs a sign split (m- != m+) and the input box takes both signs, else rho, and the
 *       univariate layer has c = rho1 constant units when phi(0) = 0 and rho1 + min(2 rho1, 40) when phi(0) != 0
 *       (rho1 unit-scale ones and at most 40 large-scale ones that cancel the offsets); the kernel's
 *       report states the same depth;</li>
 *   <li>the certificate holds in the kernel and claims exactly the recomputed bound and failure count;</li>
 *   <li>the measured sup error on box samples (uniform points and corners, {@link dev.ticketproof.measure.Evaluator})
 *       is at most the certified bound, also for a prefix construction ({@code --upto}) that keeps the later
 *       target layers;</li>
 *   <li>the same seed gives a byte-identical ticket file with 1 and 2 threads.</li>
 * </ol>
 *
 * <p>Proof page: proofs/theorem-l-plus-1.md
 */
class TheoremLPlus1Properties {
  static double worstRatio;
  static String worstCase = "";
  static int cases;

  @AfterAll
  static void summary() {
    System.out.printf("TheoremLPlus1Properties: %d constructions, worst measured/certified %.4g (%s)%n", cases,
        worstRatio, worstCase);
  }

  static synchronized void record(double measured, double bound, String what) {
    cases++;
    if (bound > 0 && measured / bound > worstRatio) {
      worstRatio = measured / bound;
      worstCase = what;
    }
  }

  /** Widths of the L+1 theorem for a target with channel counts n_0..n_L (theorem statement, not source code). */
  static List<Integer> theoremWidths(int[] n, Activation phi, int rho, double inputLow) {
    boolean split = phi.slopeMinus() != phi.slopePlus() && inputLow < 0;
    int rho1 = split ? 2 * rho : rho;
    int constants = univariateConstants(phi, rho1);
    List<Integer> w = new ArrayList<>();
    w.add(rho1 * n[0] + constants);
    for (int l = 1; l < n.length - 1; l++) w.add(rho * (n[l] + 1));
    w.add(n[n.length - 1]);
    return w;
  }

  /**
   * Constant units of a univariate layer with c copies per channel: c when phi(0) = 0, else c unit-scale ones plus
   * min(2c, 40) large-scale ones that cancel the offsets phi(0) sum w.
   */
  static int univariateConstants(Activation phi, int c) { return phi.phi0() != 0 ? c + Math.min(2 * c, 40) : c; }

  /** Channel counts n_0..n_L of a sequential target (a linear layer's features count as channels). */
  static int[] channels(Network net) {
    List<Integer> n = new ArrayList<>();
    n.add(net.inputShape()[0]);
    for (var l : net.layers()) {
      if (l instanceof dev.ticketproof.net.Conv2d c) n.add(c.outChannels());
      if (l instanceof dev.ticketproof.net.Linear lin) n.add(lin.outFeatures());
    }
    return n.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Output widths of the source's layers in order (units of every univariate and conv layer). */
  static List<Integer> sourceWidths(SourceNetwork src) {
    List<Integer> w = new ArrayList<>();
    for (SourceNetwork.Node node : src.nodes()) {
      if (node instanceof SourceNetwork.Univariate u) w.add(u.out().units());
      if (node instanceof SourceNetwork.Conv c) w.add(c.out().units());
    }
    return w;
  }

  static void checkHolds(TicketBuilder.Result r, Network net, Activation phi, String what) {
    TicketChecker.Report rep = r.report();
    assertThat(rep.verdict().isHolds()).as(what + ": " + rep.verdict().reason()).isTrue();
    assertThat(Double.isFinite(rep.certifiedBound())).as(what + ": finite bound").isTrue();
    assertThat(r.certificate().header().claimedBound()).as(what + ": claim").isEqualTo(rep.certifiedBound());
    assertThat(r.certificate().header().claimedFailedInstances()).as(what + ": claimed failures")
        .isEqualTo(rep.failedInstances());
    // an independent re-check from the certificate alone
    assertThat(TicketChecker.check(r.certificate(), net, phi).verdict().isHolds()).as(what).isTrue();
  }

  @Test
  void depthWidthsCertificateAndMeasuredErrorWithinBound() {
    qt().withFixedSeed(4101L).withExamples(200).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(0, 3), integers().between(0, 1))
        .checkAssert((seed, act, box) -> {
          UniformRandomProvider rng = RandomTargets.rng(seed);
          Activation phi = RandomTargets.phi(RandomTargets.ACTIVATIONS.get(act));
          RandomTargets.Target t = RandomTargets.sequential(rng, phi);
          double lo = box == 0 ? -1 : 0;
          int rho = 6 + rng.nextInt(4);
          double eps = 0.02;
          SourceNetwork.Params p = RandomTargets.params(SourceNetwork.Construction.L_PLUS_1, phi, rho, seed, null,
              lo, 1);
          String what = "seed=" + seed + " phi=" + phi.name() + " box=[" + lo + ",1] rho=" + rho + " eps=" + eps
              + " target: " + t.description();
          TicketBuilder.Result r = RandomTargets.build(t.net(), phi, p, eps, 1);
          assertThat(Sizes.depth(r.source())).as(what + ": depth").isEqualTo(t.depth() + 1);
          assertThat(Sizes.of(r.source(), r.certificate()).depth()).as(what + ": kernel depth")
              .isEqualTo(t.depth() + 1);
          assertThat(sourceWidths(r.source())).as(what + ": widths")
              .isEqualTo(theoremWidths(channels(t.net()), phi, rho, lo));
          checkHolds(r, t.net(), phi, what);
          double measured = RandomTargets.measured(r, t.net(), phi, 64, seed ^ 0x5eedL);
          double bound = r.report().certifiedBound();
          record(measured, bound, what);
          assertThat(measured).as(what + ": measured vs certified").isLessThanOrEqualTo(bound);
        });
  }

  @Test
  void sourceWidthsAreTheTheoremsForEveryRho() {
    // the source network alone (no construction), over the whole admissible range of rho
    qt().withFixedSeed(4104L).withExamples(300).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(0, 3), integers().between(1, 62), integers().between(0, 1))
        .checkAssert((seed, act, rho, box) -> {
          UniformRandomProvider rng = RandomTargets.rng(seed);
          Activation phi = RandomTargets.phi(RandomTargets.ACTIVATIONS.get(act));
          RandomTargets.Target t = RandomTargets.sequential(rng, phi);
          double lo = box == 0 ? -1 : 0;
          int rho1 = Math.min(62, (phi.slopeMinus() != phi.slopePlus() && lo < 0 ? 2 : 1) * rho);
          SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, rho, rho1,
              Defaults.lambda(phi), seed, null, lo, 1, null, TicketCertificate.VERSION);
          SourceNetwork src = SourceNetwork.of(dev.ticketproof.kernel.TargetPlan.of(t.net(), phi), p);
          String what = "seed=" + seed + " phi=" + phi.name() + " rho=" + rho + " rho1=" + rho1 + " target: "
              + t.description();
          List<Integer> expected = theoremWidths(channels(t.net()), phi, rho, lo);
          int[] n = channels(t.net());
          expected.set(0, rho1 * n[0] + univariateConstants(phi, rho1));
          assertThat(sourceWidths(src)).as(what).isEqualTo(expected);
          assertThat(Sizes.depth(src)).as(what).isEqualTo(t.depth() + 1);
        });
  }

  @Test
  void prefixConstructionKeepsTheTailAndStaysWithinBound() {
    qt().withFixedSeed(4102L).withExamples(80).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(0, 3))
        .checkAssert((seed, act) -> {
          UniformRandomProvider rng = RandomTargets.rng(seed);
          Activation phi = RandomTargets.phi(RandomTargets.ACTIVATIONS.get(act));
          RandomTargets.Target t = RandomTargets.sequential(rng, phi);
          while (t.depth() < 2) t = RandomTargets.sequential(rng, phi);
          int uptoIdx = rng.nextInt(t.depth() - 1);
          String upto = t.layerNames().get(uptoIdx);
          int rho = 6 + rng.nextInt(4);
          SourceNetwork.Params p = RandomTargets.params(SourceNetwork.Construction.L_PLUS_1, phi, rho, seed, upto,
              -1, 1);
          String what = "seed=" + seed + " phi=" + phi.name() + " upto=" + upto + " rho=" + rho + " target: "
              + t.description();
          TicketBuilder.Result r = RandomTargets.build(t.net(), phi, p, 0.02, 1);
          // constructed prefix: depth (uptoIdx + 1) + 1; the kept tail adds its own layers
          assertThat(Sizes.depth(r.source())).as(what).isEqualTo(uptoIdx + 2);
          assertThat(r.source().tail().stream().filter(s -> s instanceof dev.ticketproof.kernel.TargetPlan.Affine)
              .count()).as(what + ": kept tail").isEqualTo(t.depth() - 1 - uptoIdx);
          assertThat(Sizes.of(r.source(), r.certificate()).depth()).as(what + ": kernel depth")
              .isEqualTo(t.depth() + 1);
          int[] n = channels(t.net());
          List<Integer> widths = theoremWidths(java.util.Arrays.copyOf(n, uptoIdx + 2), phi, rho, -1);
          assertThat(sourceWidths(r.source())).as(what + ": widths").isEqualTo(widths);
          checkHolds(r, t.net(), phi, what);
          double measured = RandomTargets.measured(r, t.net(), phi, 64, seed ^ 0x5eedL);
          double bound = r.report().certifiedBound();
          record(measured, bound, what);
          assertThat(measured).as(what + ": measured vs certified").isLessThanOrEqualTo(bound);
        });
  }

  @Test
  void sameSeedGivesByteIdenticalFilesWithOneAndTwoThreads(@TempDir Path dir) {
    qt().withFixedSeed(4103L).withExamples(16).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(0, 3))
        .checkAssert((seed, act) -> {
          UniformRandomProvider rng = RandomTargets.rng(seed);
          Activation phi = RandomTargets.phi(RandomTargets.ACTIVATIONS.get(act));
          RandomTargets.Target t = RandomTargets.sequential(rng, phi);
          SourceNetwork.Params p = RandomTargets.params(SourceNetwork.Construction.L_PLUS_1, phi, 8, seed, null,
              -1, 1);
          String what = "seed=" + seed + " phi=" + phi.name() + " target: " + t.description();
          RandomTargets.assertSameFileForOneAndTwoThreads(t.net(), phi, p, 0.02, dir, String.valueOf(seed), what);
        });
  }

  @Test
  @Tag("slow")
  void wideParameterRangeMeasuredWithinBound() {
    qt().withFixedSeed(4105L).withExamples(600).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(0, RandomTargets.ALL_SUPPORTED.size() - 1))
        .checkAssert((seed, act) -> RandomTargets.checkWideCase(SourceNetwork.Construction.L_PLUS_1, seed, act,
            TheoremLPlus1Properties::record));
  }
}
