package dev.ticketproof.construct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.kernel.Layout;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.check.TicketChecker;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.Flatten;
import dev.ticketproof.net.Network;
import dev.ticketproof.subsetsum.SubsetSum;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.statistics.inference.TTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * [copy-propagation]: a layer reading the rho copies (and rho constant units) of the previous layer is built with
 * one independent subset-sum instance per (output copy, input channel, tap) whose target is the target weight, plus
 * one bias instance per output copy at the centre tap over the constant units, plus one instance per constant output
 * unit (target z*, the constants then carry phi(z*)).
 * <ol>
 *   <li>Instance structure and bound: on random targets with at least two layers (L+1, all four activations), for
 *       every layer reading copies the kernel counts exactly
 *       (copies per output channel) x sum_j (nnz K_j + [b_j != 0]) instances, and the mask keeps nothing where the
 *       target weight is zero and nothing from constant units away from the centre tap; the measured error on box samples is
 *       at most the certified bound.</li>
 *   <li>Exactness through a layer reading copies, borders included: with rho = 1 (one copy per channel, one
 *       constant unit), a two-layer ReLU or LeakyReLU target on the box [0, 1] whose first layer consists of exact
 *       subset sums of its base sets (as in {@link ConvDecompositionProperties}) and whose second layer's weights
 *       are the single source weights from the copies (or 0) and whose biases are the source weight from the
 *       constant unit times that unit's actual value phi(z) (z = its achieved subset sum, not z* = 1): with
 *       eps = 1e-12 the ticket reproduces the target to 1e-12 at every position of the output.</li>
 *   <li>Ticket size: the ticket keeps about rho E|S| weights per target weight. Per instance, the number of kept
 *       weights with |w| > eps (read off the mask, which sums to the kernel's ticketParams of the layer) has the same
 *       mean as the min-size subset found by {@link SubsetSum} on fresh U(-1, 1) base sets of size rho (scaled by
 *       the constant units' value phi(z*) for bias and constant instances) with the same target values and eps.
 *       Tolerance: a two-sided Welch t-test on the two samples of subset sizes (ticket: one per instance; fresh: 4
 *       per instance) must not reject equality at alpha = 1e-6; the base sets of a ticket's instances are
 *       independent U(-1, 1) draws of the weight field, so under the lemma the two samples have one
 *       distribution, and with about 2,000 instances the test detects a mean difference of about 0.1 element.</li>
 * </ol>
 *
 * <p>Proof page: proofs/copy-propagation.md
 */
class CopyPropagationProperties {

  /** Layers of the source that read a COPIES layout. */
  static List<SourceNetwork.Conv> copyReaders(SourceNetwork src) {
    List<SourceNetwork.Conv> r = new ArrayList<>();
    for (SourceNetwork.Conv c : src.convs()) if (c.in().kind() == Layout.Kind.COPIES) r.add(c);
    return r;
  }

  /** The kernel's report of a source conv (reports are named after the target layer). */
  static TicketChecker.LayerReport report(TicketBuilder.Result r, SourceNetwork.Conv c) {
    for (TicketChecker.LayerReport l : r.report().layers()) if (l.name().equals(c.target().name())) return l;
    throw new AssertionError("no report for layer " + c.target().name());
  }

  /** The ticket parameters of a source conv ({@code measure.Sizes}, in the order of the kernel's reports). */
  static long ticketParams(TicketBuilder.Result r, SourceNetwork.Conv c) {
    List<TicketChecker.LayerReport> ls = r.report().layers();
    for (int k = 0; k < ls.size(); k++) {
      if (ls.get(k).name().equals(c.target().name())) {
        return dev.ticketproof.measure.Sizes.of(r.source(), r.certificate()).layers().get(k).ticketParams();
      }
    }
    throw new AssertionError("no report for layer " + c.target().name());
  }

  /**
   * Per-instance kept sizes of a layer reading copies, as {target, scale, size} triples: one per (output copy,
   * input channel, tap) with a nonzero target weight, one per nonzero bias, one per constant output unit.
   */
  static List<double[]> instances(TicketBuilder.Result r, SourceNetwork.Conv c, Activation phi, double eps,
      String what) {
    long seed = r.source().params().seed();
    TargetPlan.Affine a = c.target();
    Layout in = c.in();
    Layout out = c.out();
    int taps = a.kh() * a.kw();
    int centre = a.centreA() * a.kw() + a.centreC();
    long inUnits = in.units();
    // key: o * (in channels * taps + taps) + group; group = i * taps + t for copies, in * taps + t for constants
    long groups = (long) a.in() * taps + taps;
    Map<Long, Integer> size = new HashMap<>();
    for (long idx : r.certificate().keptWeights()[c.id()]) {
      long o = idx / (inUnits * taps);
      long rem = idx % (inUnits * taps);
      int u = (int) (rem / taps);
      int t = (int) (rem % taps);
      long g = in.isConstant(u) ? (long) a.in() * taps + t : (long) in.channel(u) * taps + t;
      if (in.isConstant(u)) {
        assertThat(t).as(what + ": layer " + a.name() + " keeps a constant unit away from the centre tap")
            .isEqualTo(centre);
      } else {
        assertThat(a.kernel()[(int) ((long) out.channel((int) o) * a.in() * taps + g)])
            .as(what + ": layer " + a.name() + " keeps a weight where the target is zero").isNotZero();
      }
      int inc = Math.abs(c.weightAt(seed, idx)) > eps ? 1 : 0;
      size.merge(o * groups + g, inc, Integer::sum);
    }
    double zStar = phi.phi0() != 0 ? 0 : 1;
    double constScale = phi.value(zStar);
    List<double[]> list = new ArrayList<>();
    for (int o = 0; o < out.units(); o++) {
      long constKey = (long) o * groups + (long) a.in() * taps + centre;
      if (out.isConstant(o)) {
        list.add(new double[] {zStar, constScale, size.getOrDefault(constKey, 0)});
        continue;
      }
      int j = out.channel(o);
      for (int g = 0; g < a.in() * taps; g++) {
        double k = a.kernel()[j * a.in() * taps + g];
        if (k != 0) list.add(new double[] {k, 1, size.getOrDefault((long) o * groups + g, 0)});
      }
      if (a.bias()[j] != 0) list.add(new double[] {a.bias()[j], constScale, size.getOrDefault(constKey, 0)});
    }
    return list;
  }

  @Test
  void instanceStructureOfLayersReadingCopies() {
    qt().withFixedSeed(4401L).withExamples(60).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(0, 3))
        .checkAssert((seed, act) -> {
          UniformRandomProvider rng = RandomTargets.rng(seed);
          Activation phi = RandomTargets.phi(RandomTargets.ACTIVATIONS.get(act));
          RandomTargets.Target t = RandomTargets.sequential(rng, phi);
          while (t.depth() < 2) t = RandomTargets.sequential(rng, phi);
          int rho = 5 + rng.nextInt(6);
          double eps = 0.02;
          SourceNetwork.Params p = RandomTargets.params(SourceNetwork.Construction.L_PLUS_1, phi, rho, seed, null,
              -1, 1);
          String what = "seed=" + seed + " phi=" + phi.name() + " rho=" + rho + " target: " + t.description();
          TicketBuilder.Result r = RandomTargets.build(t.net(), phi, p, eps, 1);
          TheoremLPlus1Properties.checkHolds(r, t.net(), phi, what);
          List<SourceNetwork.Conv> readers = copyReaders(r.source());
          assertThat(readers).as(what).hasSize(t.depth() - 1);
          for (SourceNetwork.Conv c : readers) {
            TargetPlan.Affine a = c.target();
            int per = a.in() * a.kh() * a.kw();
            long perCopy = 0;
            for (int j = 0; j < a.out(); j++) {
              for (int q = 0; q < per; q++) if (a.kernel()[j * per + q] != 0) perCopy++;
              if (a.bias()[j] != 0) perCopy++;
            }
            int copies = c.out().kind() == Layout.Kind.COPIES ? rho : 1;
            TicketChecker.LayerReport lr = report(r, c);
            assertThat(lr.instances()).as(what + ": instances of layer " + a.name()).isEqualTo(copies * perCopy);
            List<double[]> inst = instances(r, c, phi, eps, what);
            long kept = 0;
            for (double[] x : inst) kept += (long) x[2];
            assertThat(kept).as(what + ": kept weights of layer " + a.name()).isEqualTo(ticketParams(r, c));
          }
          double measured = RandomTargets.measured(r, t.net(), phi, 48, seed ^ 0x5eedL);
          assertThat(measured).as(what + ": measured vs certified").isLessThanOrEqualTo(r.report().certifiedBound());
        });
  }

  @Test
  void twoLayerExactTargetWithOneCopyIsReproducedBordersIncluded() {
    qt().withFixedSeed(4402L).withExamples(40).withShrinkCycles(0)
        .forAll(longs().all(), integers().between(0, 1))
        .checkAssert((seed, act) -> {
          UniformRandomProvider rng = RandomTargets.rng(seed);
          Activation phi = RandomTargets.phi(act == 0 ? "relu" : "leaky-relu(0.2)");
          int cin = 1 + rng.nextInt(2);
          int n1 = 1 + rng.nextInt(3);
          int n2 = 1 + rng.nextInt(3);
          int h = 4 + rng.nextInt(4);
          int w = 4 + rng.nextInt(4);
          int s1 = 1 + rng.nextInt(2);
          int p1 = rng.nextInt(2);
          int k2 = rng.nextInt(4) == 0 ? 1 : 3;
          int p2 = k2 == 3 && rng.nextInt(4) != 0 ? 1 : 0;
          int s2 = 1 + rng.nextInt(2);
          int rho1 = 8 + rng.nextInt(4);
          dev.ticketproof.net.Conv2d shape1 = new dev.ticketproof.net.Conv2d("0",
              dev.ticketproof.tensor.Tensor.zeros(n1, cin, 3, 3), dev.ticketproof.tensor.Tensor.zeros(n1), s1, p1);
          int h1 = shape1.outHeight(h);
          int w1 = shape1.outWidth(w);
          if (h1 + 2 * p2 < k2 || w1 + 2 * p2 < k2) {
            k2 = 1;
            p2 = 0;
          }
          dev.ticketproof.net.Conv2d shape2 = new dev.ticketproof.net.Conv2d("2",
              dev.ticketproof.tensor.Tensor.zeros(n2, n1, k2, k2), dev.ticketproof.tensor.Tensor.zeros(n2), s2, p2);
          SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, 1, rho1, 1, seed,
              null, 0, 1, null, TicketCertificate.VERSION);
          Network placeholder = new Network(new int[] {cin, h, w}, List.of(shape1, new ActivationLayer(phi), shape2));
          SourceNetwork src = SourceNetwork.of(TargetPlan.of(placeholder, phi), p);
          dev.ticketproof.net.Conv2d conv1 = ConvDecompositionProperties.exactConv(rng, shape1, src, phi);
          // the first layer's constant unit: its value phi(z) follows from the kept subset of a first build
          Network first = new Network(new int[] {cin, h, w}, List.of(conv1, new ActivationLayer(phi), shape2));
          TicketBuilder.Result r0 = RandomTargets.build(first, phi, p, 1e-12, 1);
          SourceNetwork.Univariate uni = (SourceNetwork.Univariate) src.nodes().get(0);
          SourceNetwork.Conv c1 = (SourceNetwork.Conv) src.nodes().get(1);
          SourceNetwork.Conv c2 = (SourceNetwork.Conv) src.nodes().get(2);
          int constOut = c1.out().constant(0);
          long perUnit = (long) c1.in().units() * 9;
          double z = 0;
          for (long idx : r0.certificate().keptWeights()[c1.id()]) {
            if (idx / perUnit != constOut) continue;
            int u = (int) ((idx % perUnit) / 9);
            z += c1.weightAt(seed, idx) * phi.value(uni.beta(seed, u));
          }
          double cval = phi.value(z);
          double[] k = new double[n2 * n1 * k2 * k2];
          double[] b = new double[n2];
          int centre = Math.min(p2, k2 - 1);
          for (int j = 0; j < n2; j++) {
            double rowMax = 0;
            for (int i = 0; i < n1; i++) {
              for (int a = 0; a < k2; a++) {
                for (int c = 0; c < k2; c++) {
                  double wt = c2.weightAt(seed, c2.index(j, i, a, c));
                  // keep the row's source scale at 1 (largest |K| in (1/2, 1]): the first large weight is kept
                  if (rng.nextDouble() < 0.6 || (rowMax <= 0.5 && Math.abs(wt) > 0.5)) {
                    k[((j * n1 + i) * k2 + a) * k2 + c] = wt;
                    rowMax = Math.max(rowMax, Math.abs(wt));
                  }
                }
              }
            }
            if (rowMax <= 0.5) Arrays.fill(k, j * n1 * k2 * k2, (j + 1) * n1 * k2 * k2, 0.0);
            double bj = c2.weightAt(seed, c2.index(j, c2.in().constant(0), centre, centre)) * cval;
            // the bias keeps its source scale at 1 too: |b| in (1/4, 1/2]
            if (rng.nextDouble() < 0.8 && Math.abs(bj) > 0.25 && Math.abs(bj) <= 0.5) b[j] = bj;
          }
          dev.ticketproof.net.Conv2d conv2 = new dev.ticketproof.net.Conv2d("2",
              dev.ticketproof.tensor.Tensor.of(k, n2, n1, k2, k2), dev.ticketproof.tensor.Tensor.of(b, n2), s2, p2);
          Network net = new Network(new int[] {cin, h, w}, List.of(conv1, new ActivationLayer(phi), conv2));
          String what = String.format("seed=%d phi=%s conv %d->%d 3x3 s%d p%d, conv %d->%d %dx%d s%d p%d on %dx%d "
              + "rho=1 rho1=%d constant value %.6f", seed, phi.name(), cin, n1, s1, p1, n1, n2, k2, k2, s2, p2, h, w,
              rho1, cval);
          TicketBuilder.Result r = RandomTargets.build(net, phi, p, 1e-12, 1);
          TheoremLPlus1Properties.checkHolds(r, net, phi, what);
          assertThat(r.report().failedInstances()).as(what + ": failed instances").isZero();
          assertThat(r.report().certifiedBound()).as(what + ": certified bound").isLessThanOrEqualTo(1e-10);
          dev.ticketproof.measure.Evaluator te = dev.ticketproof.measure.Evaluator.ofTarget(TargetPlan.of(net, phi));
          dev.ticketproof.measure.Evaluator ke = dev.ticketproof.measure.Evaluator.ofTicket(r.source(),
              r.certificate());
          int hh = conv1.outHeight(h);
          int ww = conv1.outWidth(w);
          double[] worst = {-1, -1};
          for (double[] x : dev.ticketproof.measure.Evaluator.boxSamples(cin * h * w, 0, 1, 24, seed)) {
            double[] d = ConvDecompositionProperties.borderInterior(te.apply(x), ke.apply(x), conv2, hh, ww);
            worst[0] = Math.max(worst[0], d[0]);
            worst[1] = Math.max(worst[1], d[1]);
          }
          synchronized (CopyPropagationProperties.class) {
            exactCases++;
            if (worst[0] >= 0) exactBorderCases++;
            worstExact = Math.max(worstExact, Math.max(worst[0], worst[1]));
            maxConstDeviation = Math.max(maxConstDeviation, Math.abs(cval - 1));
          }
          assertThat(worst[0]).as(what + ": border positions").isLessThanOrEqualTo(1e-12);
          assertThat(worst[1]).as(what + ": interior positions").isLessThanOrEqualTo(1e-12);
        });
  }

  static int exactCases;
  static int exactBorderCases;
  static double worstExact;
  static double maxConstDeviation;

  @org.junit.jupiter.api.AfterAll
  static void summary() {
    System.out.printf("CopyPropagationProperties: two-layer exact targets %d (%d with padded border positions), worst "
        + "|ticket - target| %.3g, max |phi(z) - 1| of the constant unit %.3g%n", exactCases, exactBorderCases,
        worstExact, maxConstDeviation);
  }

  /** Target 2x6x6 -> conv 4 3x3 p1 -> phi -> conv 4 3x3 p1 (dense, U(-1,1), biases) -> phi -> linear 2. */
  static Network sizeTarget(UniformRandomProvider rng, Activation phi) {
    return new Network(new int[] {2, 6, 6}, List.of(
        RandomTargets.conv(rng, "0", 4, 2, 3, 1, 1, 1.0, 1.0, true), new ActivationLayer(phi),
        new dev.ticketproof.net.Conv2d("2", dev.ticketproof.tensor.Tensor.of(RandomTargets.sparse(rng, 144, 1.0, 1.0),
            4, 4, 3, 3), dev.ticketproof.tensor.Tensor.of(RandomTargets.sparse(rng, 4, 1.0, 1.0), 4), 1, 1),
        new ActivationLayer(phi), new Flatten(),
        new dev.ticketproof.net.Linear("5", dev.ticketproof.tensor.Tensor.of(RandomTargets.sparse(rng, 2 * 144, 1.0,
            1.0), 2, 144), dev.ticketproof.tensor.Tensor.of(RandomTargets.sparse(rng, 2, 1.0, 0.5), 2))));
  }

  @ParameterizedTest
  @CsvSource({"relu,11", "tanh,12", "sigmoid,13"})
  void ticketSizeIsRhoTimesMeanSubsetSizePerTargetWeight(String act, long seed) {
    Activation phi = RandomTargets.phi(act);
    UniformRandomProvider rng = RandomTargets.rng(seed);
    Network net = sizeTarget(rng, phi);
    int rho = 15;
    double eps = 0.01;
    SourceNetwork.Params p = RandomTargets.params(SourceNetwork.Construction.L_PLUS_1, phi, rho, seed, null, -1, 1);
    TicketBuilder.Result r = RandomTargets.build(net, phi, p, eps, 2);
    String what = "seed=" + seed + " phi=" + phi.name() + " rho=" + rho + " eps=" + eps;
    TheoremLPlus1Properties.checkHolds(r, net, phi, what);
    for (SourceNetwork.Conv c : copyReaders(r.source())) {
      List<double[]> inst = instances(r, c, phi, eps, what);
      double[] ticket = new double[inst.size()];
      double[] fresh = new double[4 * inst.size()];
      double[] base = new double[rho];
      for (int q = 0; q < inst.size(); q++) {
        double[] x = inst.get(q);
        ticket[q] = x[2];
        for (int f = 0; f < 4; f++) {
          double[] raw = new double[rho];
          for (int m = 0; m < rho; m++) {
            raw[m] = 2 * rng.nextDouble() - 1;
            base[m] = raw[m] * x[1];
          }
          SubsetSum.Solution s = SubsetSum.solve(base, x[0], eps, SubsetSum.Mode.MIN_SIZE);
          int n = 0;
          for (int k = 0; k < s.size(); k++) if (Math.abs(raw[s.index(k)]) > eps) n++;
          fresh[4 * q + f] = n;
        }
      }
      double mt = java.util.Arrays.stream(ticket).average().orElse(0);
      double mf = java.util.Arrays.stream(fresh).average().orElse(0);
      double p1 = TTest.withDefaults().test(ticket, fresh).getPValue();
      TargetPlan.Affine a = c.target();
      long targetWeights = dev.ticketproof.measure.Sizes.count(a, 0);
      double perWeight = (double) ticketParams(r, c) / targetWeights;
      int copies = c.out().kind() == Layout.Kind.COPIES ? rho : 1;
      System.out.printf("CopyPropagationProperties %s layer %s: %d instances, mean |S| ticket %.4f fresh %.4f "
          + "(p=%.3g); ticket params per target weight %.3f, copies x fresh E|S| = %.3f%n", act, a.name(),
          inst.size(), mt, mf, p1, perWeight, copies * mf);
      assertThat(p1).as(what + " layer " + a.name() + ": mean subset size ticket " + mt + " vs fresh " + mf
          + " over " + inst.size() + " instances").isGreaterThan(1e-6);
    }
  }
}
