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
}
