package dev.ticketproof.construct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.ticketproof.measure.Sizes;
import dev.ticketproof.activation.Activation;
import dev.ticketproof.kernel.SourceNetwork;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The 2L theorem ([constructions]) on seeded random small sequential CNNs and fully connected networks (as in
 * {@link TheoremLPlus1Properties}) with ReLU, LeakyReLU(0.2), tanh and sigmoid:
 * <ol>
 *   <li>the source has depth 2L: before every target layer l a univariate layer of width c_l n_{l-1} + k_l,
 *       then a layer of width n_l; c_1 = 2 rho when phi needs a sign split (m- != m+) and the input box takes both
 *       signs, else rho; for l > 1, c_l = 2 rho when phi needs a sign split and its image takes negative values
 *       (LeakyReLU), else rho (ReLU: positive copies suffice after layer 1); k_l = c_l constant units when
 *       phi(0) = 0, c_l + min(2 c_l, 40) otherwise;</li>
 *   <li>the certificate holds in the kernel and claims exactly the recomputed bound;</li>
 *   <li>measured sup error on box samples (uniform and corners) <= certified bound, also with {@code --upto};</li>
 *   <li>the same seed gives a byte-identical ticket file with 1 and 2 threads.</li>
 * </ol>
 *
 * <p>Proof page: proofs/theorem-2l.md
 */
class Theorem2LProperties {
  static double worstRatio;
  static String worstCase = "";
  static int cases;

  @AfterAll
  static void summary() {
    System.out.printf("Theorem2LProperties: %d constructions, worst measured/certified %.4g (%s)%n", cases,
        worstRatio, worstCase);
  }

  static synchronized void record(double measured, double bound, String what) {
    cases++;
    if (bound > 0 && measured / bound > worstRatio) {
      worstRatio = measured / bound;
      worstCase = what;
    }
  }

  /** Widths of the 2L theorem for channel counts n_0..n_m of the constructed layers. */
  static List<Integer> theoremWidths(int[] n, Activation phi, int rho, double inputLow) {
    boolean splits = phi.slopeMinus() != phi.slopePlus();
    boolean negativeImage = phi.image(-1e300, 1e300)[0] < 0;
    List<Integer> w = new ArrayList<>();
    for (int l = 1; l < n.length; l++) {
      boolean bothSigns = l == 1 ? inputLow < 0 : negativeImage;
      int c = splits && bothSigns ? 2 * rho : rho;
      w.add(c * n[l - 1] + TheoremLPlus1Properties.univariateConstants(phi, c));
      w.add(n[l]);
    }
    return w;
  }

  @Test
  void depthWidthsCertificateAndMeasuredErrorWithinBound() {
    qt().withFixedSeed(4201L).withExamples(160).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(0, 3), integers().between(0, 2))
        .checkAssert((seed, act, mode) -> {
          UniformRandomProvider rng = RandomTargets.rng(seed);
          Activation phi = RandomTargets.phi(RandomTargets.ACTIVATIONS.get(act));
          RandomTargets.Target t = RandomTargets.sequential(rng, phi);
          double lo = mode == 1 ? 0 : -1;
          // mode 2: a prefix construction (--upto) when the target has at least two layers
          int last = mode == 2 && t.depth() >= 2 ? rng.nextInt(t.depth() - 1) : t.depth() - 1;
          String upto = last < t.depth() - 1 ? t.layerNames().get(last) : null;
          int rho = 6 + rng.nextInt(4);
          double eps = 0.02;
          SourceNetwork.Params p = RandomTargets.params(SourceNetwork.Construction.TWO_L, phi, rho, seed, upto, lo,
              1);
          String what = "seed=" + seed + " phi=" + phi.name() + " box=[" + lo + ",1] rho=" + rho + " eps=" + eps
              + " upto=" + upto + " target: " + t.description();
          TicketBuilder.Result r = RandomTargets.build(t.net(), phi, p, eps, 1);
          assertThat(Sizes.depth(r.source())).as(what + ": depth").isEqualTo(2 * (last + 1));
          assertThat(Sizes.of(r.source(), r.certificate()).depth()).as(what + ": kernel depth")
              .isEqualTo(2 * (last + 1) + (t.depth() - 1 - last));
          int[] n = java.util.Arrays.copyOf(TheoremLPlus1Properties.channels(t.net()), last + 2);
          assertThat(TheoremLPlus1Properties.sourceWidths(r.source())).as(what + ": widths")
              .isEqualTo(theoremWidths(n, phi, rho, lo));
          TheoremLPlus1Properties.checkHolds(r, t.net(), phi, what);
          double measured = RandomTargets.measured(r, t.net(), phi, 64, seed ^ 0x5eedL);
          double bound = r.report().certifiedBound();
          record(measured, bound, what);
          assertThat(measured).as(what + ": measured vs certified").isLessThanOrEqualTo(bound);
        });
  }

  @Test
  void sameSeedGivesByteIdenticalFilesWithOneAndTwoThreads(@TempDir Path dir) {
    qt().withFixedSeed(4203L).withExamples(16).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(0, 3))
        .checkAssert((seed, act) -> {
          UniformRandomProvider rng = RandomTargets.rng(seed);
          Activation phi = RandomTargets.phi(RandomTargets.ACTIVATIONS.get(act));
          RandomTargets.Target t = RandomTargets.sequential(rng, phi);
          SourceNetwork.Params p = RandomTargets.params(SourceNetwork.Construction.TWO_L, phi, 8, seed, null, -1, 1);
          String what = "seed=" + seed + " phi=" + phi.name() + " target: " + t.description();
          RandomTargets.assertSameFileForOneAndTwoThreads(t.net(), phi, p, 0.02, dir, String.valueOf(seed), what);
        });
  }

  @Test
  @Tag("slow")
  void wideParameterRangeMeasuredWithinBound() {
    qt().withFixedSeed(4204L).withExamples(600).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(0, RandomTargets.ALL_SUPPORTED.size() - 1))
        .checkAssert((seed, act) -> RandomTargets.checkWideCase(SourceNetwork.Construction.TWO_L, seed, act,
            Theorem2LProperties::record));
  }
}
