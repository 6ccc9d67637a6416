package dev.ticketproof.measure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.net.Network;
import dev.ticketproof.targets.Builtins;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluatorTilingTest {
  @Test
  void tileRowsKeepTheBlocksRowsWithinTheBudgetAndCoverAtLeastOneRow() {
    // blocks of 4 units, rows of 10 columns, 2 examples: 80 doubles per output row of the block
    assertThat(Evaluator.tileRows(1L << 16, 4, 10, 2, 10)).as("everything fits: one tile").isEqualTo(10);
    assertThat(Evaluator.tileRows(250, 4, 10, 2, 10)).as("3 rows fit").isEqualTo(3);
    assertThat(Evaluator.tileRows(50, 4, 10, 2, 10)).as("not even one row fits").isEqualTo(1);
    assertThat(Evaluator.blockFor(1000, 64)).isEqualTo(64);
    assertThat(Evaluator.blockFor(100, 64)).as("8 blocks for parallel work").isEqualTo(13);
    assertThat(Evaluator.blockFor(3, 64)).isEqualTo(1);
  }

  @Test
  void theTargetsEvaluatorAgreesWithTheDenseForwardPassAcrossPaddingAndStrides() {
    // small-cnn: a stride-2 conv with padding 1; small-resnet: stride-2 3x3 convs and 1x1 projections
    for (String target : List.of("small-cnn", "small-resnet")) {
      for (String phi : List.of("relu", "sigmoid")) {
        Network net = Builtins.of(target, ActivationCatalog.parse(phi));
        int[] in = net.inputShape();
        int dim = in[0] * in[1] * in[2];
        List<double[]> xs = Evaluator.boxSamples(dim, -1, 1, 5, 3);
        List<double[]> ys = Evaluator.ofTarget(dev.ticketproof.kernel.TargetPlan.of(net,
            dev.ticketproof.kernel.KernelActivation.of(phi))).applyAll(xs);
        for (int s = 0; s < xs.size(); s++) {
          double[] dense = dev.ticketproof.net.Forward.forward(net,
              dev.ticketproof.tensor.Tensor.of(xs.get(s).clone(), 1, in[0], in[1], in[2])).data();
          assertThat(ys.get(s)).as(target + " " + phi + ", example " + s).hasSameSizeAs(dense);
          for (int j = 0; j < dense.length; j++) {
            assertThat(ys.get(s)[j]).as(target + " " + phi + ", example " + s + ", output " + j)
                .isCloseTo(dense[j], org.assertj.core.api.Assertions.within(1e-12 * (1 + Math.abs(dense[j]))));
          }
        }
      }
    }
  }

  /**
   * Convs padding rows and columns unequally on a 2x7x9 map (3x3 with paddings (0, 1): output rows as long as the
   * input's, the one-stretch copy; 1x3 with (0, 1) and 3x1 with (1, 0); 3x5 with (1, 2) at stride 2, the column
   * phases): the target's evaluator gives the dense forward pass's outputs, which ForwardProperties checks against
   * the cross-correlation written out term by term.
   */
  @Test
  void theTargetsEvaluatorAgreesWithTheDenseForwardPassOnPaddingsPerAxis() {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
    int[][] convs = {{3, 3, 1, 0, 1}, {1, 3, 1, 0, 1}, {3, 1, 1, 1, 0}, {3, 5, 2, 1, 2}};
    List<dev.ticketproof.net.Layer> layers = new java.util.ArrayList<>();
    int c = 2;
    for (int k = 0; k < convs.length; k++) {
      int[] g = convs[k];
      double[] w = new double[3 * c * g[0] * g[1]];
      for (int i = 0; i < w.length; i++) w[i] = rng.nextDouble(-0.6, 0.6);
      layers.add(new dev.ticketproof.net.Conv2d("c" + k, dev.ticketproof.tensor.Tensor.of(w, 3, c, g[0], g[1]),
          dev.ticketproof.tensor.Tensor.of(new double[] {0.1, -0.2, 0.3}, 3), g[2], g[3], g[4]));
      if (k < convs.length - 1) layers.add(new dev.ticketproof.net.ActivationLayer(ActivationCatalog.parse("tanh")));
      c = 3;
    }
    Network net = new Network(new int[] {2, 7, 9}, layers);
    List<double[]> xs = Evaluator.boxSamples(2 * 7 * 9, -1, 1, 6, 9);
    List<double[]> ys = Evaluator.ofTarget(dev.ticketproof.kernel.TargetPlan.of(net,
        dev.ticketproof.kernel.KernelActivation.of("tanh"))).applyAll(xs);
    for (int s = 0; s < xs.size(); s++) {
      double[] dense = dev.ticketproof.net.Forward.forward(net,
          dev.ticketproof.tensor.Tensor.of(xs.get(s).clone(), 1, 2, 7, 9)).data();
      // 3 channels of 5 rows (7 - 2, then 5, 5, (5 + 2 - 3) / 2 + 1 = 3) and 9 columns (then 9, 9, 5)
      assertThat(dense).hasSize(3 * 3 * 5);
      assertThat(ys.get(s)).hasSameSizeAs(dense);
      for (int j = 0; j < dense.length; j++) {
        assertThat(ys.get(s)[j]).as("example " + s + ", output " + j)
            .isCloseTo(dense[j], org.assertj.core.api.Assertions.within(1e-12 * (1 + Math.abs(dense[j]))));
      }
    }
  }

  @Test
  void blocksAndTilesOfEverySizeGiveTheSameBits() {
    for (String target : List.of("small-cnn", "small-resnet")) {
      for (String phi : List.of("relu", "sigmoid")) {
        TicketBuilder.Result r = LowerBoundTest.ticket(target, phi, -1, 1);
        Network net = Builtins.of(target, ActivationCatalog.parse(phi));
        int dim = 1;
        for (int d : net.inputShape()) dim *= d;
        List<double[]> xs = Evaluator.boxSamples(dim, -1, 1, 6, 11);
        Evaluator.Pair whole = Evaluator.of(r.certificate(), net);
        List<double[]> ticket = whole.ticket().applyAll(xs);
        List<double[]> targetOut = whole.target().applyAll(xs);
        for (int block : new int[] {1, 3, 1000}) {
          Evaluator.Pair ev = Evaluator.of(r.certificate(), net, block);
          for (long budget : new long[] {1, 500, 1L << 20}) {
            String as = target + " " + phi + " block " + block + " budget " + budget;
            List<double[]> tiled = ev.ticket().withTileDoubles(budget).applyAll(xs);
            List<double[]> tiledTarget = ev.target().withTileDoubles(budget).applyAll(xs);
            for (int s = 0; s < xs.size(); s++) {
              assertThat(tiled.get(s)).as(as + " ticket, example " + s).isEqualTo(ticket.get(s));
              assertThat(tiledTarget.get(s)).as(as + " target, example " + s).isEqualTo(targetOut.get(s));
            }
          }
        }
        // one example alone gives the bits it gets in the batch
        assertThat(whole.ticket().apply(xs.get(4))).isEqualTo(ticket.get(4));
      }
    }
  }

  @Test
  void zerosKeepTheirSignsWhereTapsReadThePadding() {
    // one 3x3 conv with padding 1 and bias -0.0; channel 0: +1 at tap (0, 0), -1 at the other taps. On the zero
    // input every product is +0.0 from the positive weight and -0.0 from the negative ones, so an output stays -0.0
    // where the positive tap reads the padding (row 0 or column 0) and becomes +0.0 where it reads the map
    // (-0.0 + +0.0 = +0.0). Channel 1: -1 at every tap, so every output adds -0.0 only and stays -0.0.
    double[] k = new double[2 * 9];
    for (int t = 0; t < 9; t++) {
      k[t] = t == 0 ? 1 : -1;
      k[9 + t] = -1;
    }
    Network net = new Network(new int[] {1, 6, 6}, List.of(new dev.ticketproof.net.Conv2d("c",
        dev.ticketproof.tensor.Tensor.of(k, 2, 1, 3, 3), dev.ticketproof.tensor.Tensor.of(new double[] {-0.0, -0.0}, 2),
        1, 1)));
    Evaluator ev = Evaluator.ofTarget(dev.ticketproof.kernel.TargetPlan.of(net,
        dev.ticketproof.kernel.KernelActivation.of("relu")));
    for (long budget : new long[] {1, 1L << 20}) {
      double[] y = ev.withTileDoubles(budget).applyAll(List.of(new double[36], new double[36])).get(1);
      for (int q = 0; q < 36; q++) {
        boolean padding = q / 6 == 0 || q % 6 == 0;
        assertThat(Double.doubleToRawLongBits(y[q])).as("budget " + budget + ", channel 0, output " + q + ": " + y[q])
            .isEqualTo(Double.doubleToRawLongBits(padding ? -0.0 : 0.0));
        assertThat(Double.doubleToRawLongBits(y[36 + q])).as("budget " + budget + ", channel 1, output " + q + ": "
            + y[36 + q]).isEqualTo(Double.doubleToRawLongBits(-0.0));
      }
    }
  }

  @Test
  void sortingByTapOrdersEveryBlocksCodes() {
    java.util.Random r = new java.util.Random(5);
    for (int trial = 0; trial < 200; trial++) {
      int block = 1 + r.nextInt(8);
      int per = 1 + r.nextInt(trial < 100 ? 50 : 200_000);
      // codes in order of unit, then tap, as a block's flat indices give them
      java.util.List<Integer> codes = new java.util.ArrayList<>();
      for (int u = 0; u < block; u++) {
        for (int t = 0; t < Math.min(per, 60); t++) {
          if (r.nextInt(3) == 0) codes.add((per <= 60 ? t : r.nextInt(per / 60) + t * (per / 60)) * block + u);
        }
      }
      int[] cb = codes.stream().mapToInt(Integer::intValue).toArray();
      int[] expected = cb.clone();
      java.util.Arrays.sort(expected);
      Evaluator.Conv.sortByTap(cb, block, per);
      assertThat(cb).as("block " + block + ", " + per + " taps").isEqualTo(expected);
    }
  }
}
