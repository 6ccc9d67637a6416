package dev.ticketproof.net;

import dev.ticketproof.targets.CifarResNet;

import static dev.ticketproof.net.RandomNets.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.Relu;
import dev.ticketproof.measure.Evaluator;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

/**
 * BatchNorm folding ([residual]: an inference-mode BatchNorm folds exactly into the preceding conv,
 * \( K' = (\gamma/\sqrt{v+\epsilon}) K \), \( b' = \beta - \gamma\mu/\sqrt{v+\epsilon} + (\gamma/\sqrt{v+\epsilon}) b \)):
 * a folded network has no BatchNorm left, anywhere, and equals the unfolded one to 1e-12 relative (inf-norm) on
 * random inputs; this covers BNs inside residual blocks and projection shortcuts, sparse convs and general
 * residual layers.
 *
 * <p>Proof page: proofs/residual.md
 */
class BatchNormFoldingProperties {
  static final double TOL = 1e-12;

  @Test
  void foldedConvEqualsConvThenBatchNorm() {
    qt().withFixedSeed(21L).withExamples(200)
        .forAll(ForwardProperties.channels(), ForwardProperties.channels(), integers().between(0, 3), longs().all())
        .checkAssert((cin, cout, ks, seed) -> {
          UniformRandomProvider rng = RandomNets.rng(seed);
          int k = ks < 2 ? 1 : 3;
          int stride = ks % 2 == 0 ? 1 : 2;
          int pad = rng.nextInt(k / 2 + 1);
          int size = Math.max(1, k - 2 * pad) + rng.nextInt(8);
          Conv2d conv = RandomNets.conv(rng, "c", cout, cin, k, stride, pad, rng.nextBoolean());
          BatchNorm2d bn = RandomNets.bn(rng, "bn", cout);
          Network net = new Network(new int[] {cin, size, size}, List.of(conv, bn));
          Network folded = BatchNormFolding.fold(net);
          assertThat(folded.layers()).hasSize(1);
          Tensor x = RandomNets.tensor(rng, -1, 1, 2, cin, size, size);
          String what = "conv " + cin + "->" + cout + " k=" + k + " s=" + stride + " p=" + pad + " seed=" + seed;
          assertClose(Forward.forward(folded, x, 1), Forward.forward(net, x, 1), TOL, what);
          assertClose(Forward.forward(folded, x, 1), NaiveForward.forward(net, x), TOL, what + " (naive)");
        });
  }

  @Test
  void foldedResNetEqualsUnfolded() {
    qt().withFixedSeed(22L).withExamples(40)
        .forAll(integers().between(1, 8), integers().between(3, 11), integers().between(0, 1), longs().all())
        .checkAssert((width, size, scaled, seed) -> {
          Network net = ForwardProperties.randomResNet(RandomNets.rng(seed), width, size, true, scaled == 1);
          Network folded = BatchNormFolding.fold(net);
          String what = "resnet width=" + width + " size=" + size + " scaled=" + scaled + " seed=" + seed;
          assertThat(countBatchNorms(net.layers())).as(what).isGreaterThan(0);
          assertThat(countBatchNorms(folded.layers())).as(what).isZero();
          Tensor x = RandomNets.tensor(RandomNets.rng(~seed), -1, 1, 3, 3, size, size);
          assertClose(Forward.forward(folded, x, 1), Forward.forward(net, x, 1), TOL, what);
        });
  }

  @Test
  void foldedGeneralResidualWithSparseConvsEqualsUnfolded() {
    qt().withFixedSeed(23L).withExamples(60)
        .forAll(integers().between(1, 10), integers().between(3, 9), integers().between(1, 2), longs().all())
        .checkAssert((width, size, stride, seed) -> {
          UniformRandomProvider rng = RandomNets.rng(seed);
          int out = stride == 2 ? 2 * width : width;
          ResidualBlock block = RandomNets.block(rng, "blocks.0", width, out, stride, true, false,
              TestActivations.RELU);
          Residual general = Residual.of(block);
          // make every conv sparse (random mask, about half kept) in body and shortcut
          List<Layer> body = sparsify(general.body(), rng);
          List<Layer> skip = sparsify(general.shortcut(), rng);
          Residual sparse = new Residual("blocks.0", body, skip, general.phi());
          Network net = new Network(new int[] {width, size, size},
              List.of(RandomNets.conv(rng, "stem", width, width, 3, 1, 1, false), RandomNets.bn(rng, "bn", width),
                  new ActivationLayer(TestActivations.TANH), sparse, new ActivationLayer(TestActivations.RELU)));
          Network folded = BatchNormFolding.fold(net);
          String what = "residual width=" + width + " size=" + size + " stride=" + stride + " seed=" + seed;
          assertThat(countBatchNorms(folded.layers())).as(what).isZero();
          Tensor x = RandomNets.tensor(RandomNets.rng(~seed), -1, 1, 2, width, size, size);
          assertClose(Forward.forward(folded, x, 1), Forward.forward(net, x, 1), TOL, what);
          assertClose(Forward.forward(folded, x, 1), NaiveForward.forward(net, x), TOL, what + " (naive)");
          // the block and its general form agree, before and after folding
          Network asBlock = new Network(new int[] {width, size, size}, List.of(block));
          Network asGeneral = new Network(new int[] {width, size, size}, List.of(general));
          assertClose(Forward.forward(asGeneral, x, 1), Forward.forward(asBlock, x, 1), TOL, what + " (general)");
          assertClose(Forward.forward(BatchNormFolding.fold(asGeneral), x, 1), Forward.forward(asBlock, x, 1), TOL,
              what + " (general, folded)");
        });
  }

  /**
   * The kernel folds BatchNorm on its own ({@code kernel.TargetPlan}, evaluated by {@code kernel.Evaluator}, sharing
   * no code with {@link BatchNormFolding} or {@link Forward}); its folded target equals the unfolded forward pass.
   */
  @Test
  void kernelTargetPlanEqualsUnfoldedForward() {
    qt().withFixedSeed(24L).withExamples(30)
        .forAll(integers().between(1, 6), integers().between(1, 3), integers().between(5, 11), longs().all())
        .checkAssert((width, stages, size, seed) -> {
          int[] widths = new int[stages];
          for (int s = 0; s < stages; s++) widths[s] = width << s;
          Activation phi = new Relu();
          Network net = CifarResNet.random(seed, widths, 1 + (int) Math.floorMod(seed, 2L), size, 4, phi);
          Tensor x = RandomNets.tensor(RandomNets.rng(~seed), -1, 1, 2, 3, size, size);
          Tensor y = Forward.forward(net, x, 1);
          Evaluator kernel = Evaluator.ofTarget(TargetPlan.of(net, phi));
          int per = 3 * size * size;
          double[] all = new double[y.size()];
          for (int e = 0; e < 2; e++) {
            double[] ye = kernel.apply(java.util.Arrays.copyOfRange(x.data(), e * per, (e + 1) * per));
            System.arraycopy(ye, 0, all, e * ye.length, ye.length);
          }
          assertClose(Tensor.of(all, y.shape()), y, TOL, "kernel plan of resnet widths="
              + java.util.Arrays.toString(widths) + " size=" + size + " seed=" + seed);
        });
  }

  private static List<Layer> sparsify(List<Layer> layers, UniformRandomProvider rng) {
    List<Layer> out = new ArrayList<>();
    for (Layer l : layers) {
      if (l instanceof Conv2d c) {
        boolean[] keep = new boolean[c.weight().size()];
        for (int i = 0; i < keep.length; i++) keep[i] = rng.nextBoolean();
        out.add(SparseConv2d.masked(c, keep));
      } else {
        out.add(l);
      }
    }
    return out;
  }

  static int countBatchNorms(List<Layer> layers) {
    int n = 0;
    for (Layer l : layers) {
      if (l instanceof BatchNorm2d) n++;
      if (l instanceof ResidualBlock b) {
        n += (b.bn1() == null ? 0 : 1) + (b.bn2() == null ? 0 : 1);
        if (b.shortcut() instanceof ResidualBlock.Projection p && p.bn() != null) n++;
      }
      if (l instanceof Residual r) n += countBatchNorms(r.body()) + countBatchNorms(r.shortcut());
    }
    return n;
  }
}
