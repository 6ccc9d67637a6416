package dev.ticketproof.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.tensor.Tensor;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

/**
 * Activations of the ReLU family with slopes of their own (a slope per channel, of both signs, or one slope that
 * differs from the network's) are read as ReLU of doubled channels, computing the same outputs up to rounding on random
 * networks and inputs, with a BatchNorm and average poolings on either side, a padded conv after, a flatten, and two
 * such activations in a row; what the rewrite cannot read is refused naming the activation.
 */
class ReluDoublingTest {
  private static ActivationLayer relu() { return new ActivationLayer(TestActivations.RELU); }

  private static ReluDoubling.Leaky slopes(UniformRandomProvider rng, String name, int c) {
    double[] a = new double[c];
    for (int i = 0; i < c; i++) a[i] = -0.5 + 1.5 * rng.nextDouble();
    return new ReluDoubling.Leaky(name, a);
  }

  /** The rewritten network's outputs against the network's on 5 random inputs in [-1, 1]; only ReLU is left. */
  private static Network rewritesExactly(Network net, long seed) {
    Network r = ReluDoubling.apply(net, TestActivations.RELU);
    assertThat(r.layers()).noneMatch(l -> l instanceof ReluDoubling.Leaky);
    assertThat(ReluDoubling.needed(r)).isFalse();
    int[] shape = new int[net.inputShape().length + 1];
    shape[0] = 5;
    System.arraycopy(net.inputShape(), 0, shape, 1, net.inputShape().length);
    Tensor x = RandomNets.tensor(RandomNets.rng(seed), -1, 1, shape);
    Tensor want = Forward.forward(net, x);
    RandomNets.assertClose(Forward.forward(r, x), want, 1e-13, "rewritten, seed " + seed);
    // the slopes matter: the same network with every slope 0 computes something else
    List<Layer> plain = net.layers().stream().map(l -> l instanceof ReluDoubling.Leaky ? (Layer) relu() : l).toList();
    assertThat(RandomNets.relativeError(Forward.forward(new Network(net.inputShape(), plain), x), want))
        .as("slopes ignored, seed " + seed).isGreaterThan(1e-6);
    return r;
  }

  @Test void convsWithASlopePerChannelPaddingBatchNormsAndPoolings() {
    for (long seed = 1; seed <= 20; seed++) {
      UniformRandomProvider rng = RandomNets.rng(seed);
      Network net = new Network(new int[] {3, 8, 8}, List.of(
          RandomNets.conv(rng, "c1", 5, 3, 3, 1, 1, true), RandomNets.bn(rng, "b1", 5), slopes(rng, "p1", 5),
          RandomNets.bn(rng, "b2", 5), new AvgPool2d(2, 2),
          RandomNets.conv(rng, "c2", 4, 5, 3, 1, 1, seed % 2 == 0), slopes(rng, "p2", 4), new GlobalAvgPool(),
          RandomNets.linear(rng, "f1", 6, 4, true), slopes(rng, "p3", 6), RandomNets.linear(rng, "f2", 3, 6, true)));
      Network r = rewritesExactly(net, seed);
      assertThat(((Conv2d) r.layers().get(0)).weight().shape()).containsExactly(10, 3, 3, 3);
      assertThat(((Conv2d) r.layers().get(5)).weight().shape()).containsExactly(8, 10, 3, 3);
      assertThat(((Linear) r.layers().get(8)).weight().shape()).containsExactly(12, 8);
      assertThat(((Linear) r.layers().get(10)).weight().shape()).containsExactly(3, 12);
    }
  }

  @Test void aFlattenAfterAndLeakySlopesThatDifferBetweenLayers() {
    for (long seed = 21; seed <= 40; seed++) {
      UniformRandomProvider rng = RandomNets.rng(seed);
      Network net = new Network(new int[] {2, 6, 6}, List.of(
          RandomNets.conv(rng, "c1", 4, 2, 3, 2, 1, true), new ReluDoubling.Leaky("l1", new double[] {0.2}),
          RandomNets.conv(rng, "c2", 3, 4, 3, 1, 0, true), relu(), new Flatten(),
          RandomNets.linear(rng, "f1", 5, 3, true), new ReluDoubling.Leaky("l2", new double[] {-0.1}),
          RandomNets.linear(rng, "f2", 2, 5, false)));
      rewritesExactly(net, seed);
    }
  }

  @Test void whatTheRewriteCannotReadIsRefusedNamingTheActivation() {
    UniformRandomProvider rng = RandomNets.rng(7);
    ReluDoubling.Leaky p = slopes(rng, "p", 4);
    Conv2d c1 = RandomNets.conv(rng, "c1", 4, 1, 3, 1, 1, true);
    Conv2d c2 = RandomNets.conv(rng, "c2", 2, 4, 3, 1, 1, true);
    assertThatThrownBy(() -> ReluDoubling.apply(new Network(new int[] {1, 6, 6}, List.of(c1, p, new MaxPool2d(2, 2, 0),
        c2)), TestActivations.RELU)).hasMessageContaining("prelu 'p' (4 slopes, one per channel) is read as ReLU of doubled channels")
        .hasMessageContaining("after it, maxpool");
    assertThatThrownBy(() -> ReluDoubling.apply(new Network(new int[] {1, 6, 6}, List.of(c1, new MaxPool2d(2, 2, 0),
        p, c2)), TestActivations.RELU)).hasMessageContaining("before it, maxpool");
    assertThatThrownBy(() -> ReluDoubling.apply(new Network(new int[] {1, 6, 6}, List.of(c1, p)),
        TestActivations.RELU)).hasMessageContaining("no conv or linear layer after it");
    assertThatThrownBy(() -> ReluDoubling.apply(new Network(new int[] {4, 6, 6}, List.of(p, c2)),
        TestActivations.RELU)).hasMessageContaining("no conv or linear layer before it");
    ReluDoubling.Leaky three = slopes(rng, "q", 3);
    assertThatThrownBy(() -> ReluDoubling.apply(new Network(new int[] {1, 6, 6}, List.of(c1, three, c2)),
        TestActivations.RELU)).hasMessageContaining("3 slopes for the 4 channels");
  }
}
