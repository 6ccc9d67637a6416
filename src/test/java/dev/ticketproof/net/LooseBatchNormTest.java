package dev.ticketproof.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.tensor.Tensor;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

/**
 * BatchNorms that follow no conv or linear layer are folded into a layer next to them exactly where that is exact
 * (the folded network computes the unfolded one's outputs up to rounding, on random inputs and BatchNorms with
 * negative scales and nonzero shifts), and left standing, with the reason, where it is not.
 */
class LooseBatchNormTest {
  private static ActivationLayer relu() { return new ActivationLayer(TestActivations.RELU); }

  private static BatchNorm2d positive(UniformRandomProvider rng, String name, int c) {
    BatchNorm2d bn = RandomNets.bn(rng, name, c);
    double[] gamma = bn.gamma().clone();
    for (int i = 0; i < c; i++) gamma[i] = Math.abs(gamma[i]);
    return new BatchNorm2d(name, gamma, bn.beta(), bn.mean(), bn.var(), bn.eps());
  }

  /** The folded network's outputs against the network's on 6 random inputs in [-1, 1]: folded as expected. */
  private static LooseBatchNorm.Result foldsExactly(Network net, long seed, int folds) {
    LooseBatchNorm.Result r = LooseBatchNorm.fold(net);
    assertThat(r.refusal()).isNull();
    assertThat(r.folded()).hasSize(folds);
    assertThat(r.network().layers()).noneMatch(l -> l instanceof BatchNorm2d);
    assertThat(r.network().layers()).hasSize(net.layers().size() - folds);
    int[] shape = new int[net.inputShape().length + 1];
    shape[0] = 6;
    System.arraycopy(net.inputShape(), 0, shape, 1, net.inputShape().length);
    Tensor x = RandomNets.tensor(RandomNets.rng(seed), -1, 1, shape);
    RandomNets.assertClose(Forward.forward(r.network(), x), Forward.forward(net, x), 1e-13, "folded");
    return r;
  }

  @Test void afterAnActivationIntoTheNextLinearLayerAndFirst() {
    for (long seed = 1; seed <= 5; seed++) {
      UniformRandomProvider rng = RandomNets.rng(seed);
      // Linear -> ReLU -> BatchNorm1d -> Linear -> ReLU -> BatchNorm1d -> Linear, and BatchNorm1d first
      Network mlp = new Network(new int[] {7}, List.of(RandomNets.bn(rng, "0", 7), RandomNets.linear(rng, "1", 9, 7,
          true), relu(), RandomNets.bn(rng, "3", 9), RandomNets.linear(rng, "4", 5, 9, seed % 2 == 0),
          relu(), RandomNets.bn(rng, "6", 5), RandomNets.linear(rng, "7", 3, 5, true)));
      assertThat(foldsExactly(mlp, seed, 3).folded()).containsExactly("batchnorm '0' (first) into linear '1' (7->9)",
          "batchnorm '3' (after activation relu) into linear '4' (9->5)",
          "batchnorm '6' (after activation relu) into linear '7' (5->3)");
      // conv -> ReLU -> BatchNorm2d -> AvgPool2d -> Flatten -> Linear: features c H W to (c + 1) H W - 1 are channel c
      Network cnn = new Network(new int[] {2, 6, 6}, List.of(RandomNets.conv(rng, "0", 4, 2, 3, 1, 1, true),
          relu(), RandomNets.bn(rng, "2", 4), new AvgPool2d(2, 2), new Flatten(),
          RandomNets.linear(rng, "5", 3, 36, true)));
      foldsExactly(cnn, seed, 1);
    }
  }

  /**
   * After a relu that follows a conv or linear layer, with no negative scale: the scale into that layer, the shift into
   * the next one (relu(s z) = s relu(z) for s >= 0); with a negative scale the whole BatchNorm folds forward.
   */
  @Test void afterAReluItsScaleGoesBackAndItsShiftForward() {
    for (long seed = 1; seed <= 5; seed++) {
      UniformRandomProvider rng = RandomNets.rng(seed);
      Network mlp = new Network(new int[] {7}, List.of(RandomNets.linear(rng, "0", 9, 7, seed % 2 == 0), relu(),
          positive(rng, "2", 9), RandomNets.linear(rng, "3", 3, 9, true)));
      assertThat(foldsExactly(mlp, seed, 1).folded()).containsExactly("batchnorm '2' (after activation relu): its "
          + "scale into linear '0' (7->9) (relu(s z) = s relu(z) for s >= 0), its shift into linear '3' (9->3)");
      Network cnn = new Network(new int[] {2, 7, 7}, List.of(RandomNets.conv(rng, "0", 4, 2, 3, 2, 1, true), relu(),
          positive(rng, "2", 4), new MaxPool2d(2, 2, 0), new Flatten(), RandomNets.linear(rng, "5", 3, 16, true)));
      LooseBatchNorm.Result r = foldsExactly(cnn, seed, 1);
      assertThat(r.folded().get(0)).contains("its scale into conv '0'").endsWith("its shift into linear '5' (16->3)");
      // the conv's rows are scaled, the linear layer's weights are not
      assertThat(((Linear) r.network().layers().get(4)).weight().data())
          .isEqualTo(((Linear) cnn.layers().get(5)).weight().data());
    }
  }

  @Test void intoAConvWithoutPaddingAndAcrossAMaxPoolingOnlyWithScalesOfOneSign() {
    for (long seed = 1; seed <= 5; seed++) {
      UniformRandomProvider rng = RandomNets.rng(seed);
      Network net = new Network(new int[] {3, 9, 9}, List.of(RandomNets.conv(rng, "0", 4, 3, 3, 1, 1, true),
          relu(), RandomNets.bn(rng, "2", 4), RandomNets.conv(rng, "3", 5, 4, 3, 2, 0, seed % 2 == 1),
          relu(), positive(rng, "5", 5), new MaxPool2d(2, 2, 0), RandomNets.conv(rng, "7", 2, 5, 2, 1, 0,
          true)));
      foldsExactly(net, seed, 2);
      // conv -> MaxPool2d -> BatchNorm2d -> ReLU: into the conv before the pooling
      Network back = new Network(new int[] {3, 8, 8}, List.of(RandomNets.conv(rng, "0", 4, 3, 3, 1, 1, true),
          new MaxPool2d(3, 2, 1), positive(rng, "2", 4), relu(), new Flatten(),
          RandomNets.linear(rng, "5", 2, 64, true)));
      assertThat(foldsExactly(back, seed, 1).folded().get(0)).endsWith("into conv '0' (3->4, 3x3, stride 1, "
          + "padding 1)");
    }
    // a negative scale before a max pooling: max(s x) = s min(x), no fold either way
    UniformRandomProvider rng = RandomNets.rng(9);
    BatchNorm2d bn = positive(rng, "2", 4);
    double[] gamma = bn.gamma().clone();
    gamma[3] = -0.5;
    Network net = new Network(new int[] {3, 8, 8}, List.of(RandomNets.conv(rng, "0", 4, 3, 3, 1, 1, true),
        relu(), new BatchNorm2d("2", gamma, bn.beta(), bn.mean(), bn.var(), 1e-5), new MaxPool2d(2, 2, 0),
        RandomNets.conv(rng, "4", 2, 4, 3, 1, 0, true)));
    LooseBatchNorm.Result r = LooseBatchNorm.fold(net);
    assertThat(r.network()).isSameAs(net);
    assertThat(r.refusal()).contains("batchnorm '2'").contains("conv '4'")
        .contains("negative scale in channel 3 (gamma -0.5)");
  }

  @Test void notIntoAPaddedConvUnlessItShiftsNothing() {
    UniformRandomProvider rng = RandomNets.rng(11);
    Network net = new Network(new int[] {2, 6, 6}, List.of(RandomNets.conv(rng, "0", 4, 2, 3, 1, 1, true),
        relu(), RandomNets.bn(rng, "2", 4), RandomNets.conv(rng, "3", 3, 4, 3, 1, 1, true)));
    LooseBatchNorm.Result r = LooseBatchNorm.fold(net);
    assertThat(r.network()).isSameAs(net);
    assertThat(r.folded()).isEmpty();
    assertThat(r.refusal()).startsWith("batchnorm '2' (after activation relu) would fold into the next layer, conv "
        + "'3' (4->3, 3x3, stride 1, padding 1), but that conv pads its input with zeros");
    // mean 0 and beta 0: a scale without shift, so the padded zeros stay zeros
    BatchNorm2d bn = (BatchNorm2d) net.layers().get(2);
    Network unshifted = new Network(net.inputShape(), List.of(net.layers().get(0), net.layers().get(1),
        new BatchNorm2d("2", bn.gamma(), new double[4], new double[4], bn.var(), bn.eps()), net.layers().get(3)));
    foldsExactly(unshifted, 11, 1);
  }

  @Test void notBeforeAnActivationNorAtTheEnd() {
    UniformRandomProvider rng = RandomNets.rng(13);
    Network net = new Network(new int[] {5}, List.of(RandomNets.linear(rng, "0", 4, 5, true), relu(),
        RandomNets.bn(rng, "2", 4), relu(), RandomNets.linear(rng, "4", 2, 4, true)));
    LooseBatchNorm.Result r = LooseBatchNorm.fold(net);
    assertThat(r.network()).isSameAs(net);
    assertThat(r.refusal()).isEqualTo("batchnorm '2' (after activation relu) is followed by activation relu: a "
        + "BatchNorm folds into the conv or linear layer right before it or, across flatten and pooling layers only, "
        + "into the one after it");
    // right after a linear layer: left to the normal form, which folds it there
    Network direct = new Network(new int[] {5}, List.of(RandomNets.linear(rng, "0", 4, 5, true),
        RandomNets.bn(rng, "1", 4), relu(), RandomNets.linear(rng, "3", 2, 4, true)));
    assertThat(LooseBatchNorm.fold(direct).network()).isSameAs(direct);
    assertThat(LooseBatchNorm.fold(direct).refusal()).isNull();
  }
}
