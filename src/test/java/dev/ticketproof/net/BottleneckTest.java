package dev.ticketproof.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

/**
 * Bottleneck blocks (three convs on the main branch) are read as a conv layer that carries the block's input and a
 * residual block of two convs, computing the block's outputs up to rounding on random blocks and inputs: after a ReLU
 * (the input carried once) and elsewhere (carried as x and -x), with leaky ReLU and SiLU, identity (also scaled) and
 * projection shortcuts, strides on conv2 or on conv1, grouped-like 3x3 windows on conv1; what cannot be read is
 * refused naming the block.
 */
class BottleneckTest {
  private static final Activation RELU = ActivationCatalog.parse("relu");

  private static Bottleneck block(UniformRandomProvider rng, String name, int in, int width, int out, int s1, int s2,
      int k1, ResidualBlock.Shortcut sc, Activation phi) {
    return new Bottleneck(name, RandomNets.conv(rng, name + ".conv1", width, in, k1, s1, k1 / 2, rng.nextBoolean()),
        RandomNets.bn(rng, name + ".bn1", width), RandomNets.conv(rng, name + ".conv2", width, width, 3, s2, 1,
        rng.nextBoolean()), RandomNets.bn(rng, name + ".bn2", width), RandomNets.conv(rng, name + ".conv3", out,
        width, 1, 1, 0, false), RandomNets.bn(rng, name + ".bn3", out), sc, phi);
  }

  private static ResidualBlock.Shortcut projection(UniformRandomProvider rng, String name, int in, int out,
      int stride) {
    return new ResidualBlock.Projection(RandomNets.conv(rng, name + ".downsample.0", out, in, 1, stride, 0, false),
        RandomNets.bn(rng, name + ".downsample.1", out));
  }

  /** The rewritten network's outputs against the network's on 4 random inputs in [-1, 1]; no bottleneck is left. */
  private static Network rewritesExactly(Network net, long seed) {
    Network r = Bottleneck.apply(net);
    assertThat(Bottleneck.needed(r)).isFalse();
    int[] shape = new int[net.inputShape().length + 1];
    shape[0] = 4;
    System.arraycopy(net.inputShape(), 0, shape, 1, net.inputShape().length);
    Tensor x = RandomNets.tensor(RandomNets.rng(seed), -1, 1, shape);
    RandomNets.assertClose(Forward.forward(r, x), Forward.forward(net, x), 1e-13, "rewritten, seed " + seed);
    return r;
  }

  /** The channels of the plain conv layer a bottleneck block at {@code index} of {@code r} became. */
  private static int carriedWidth(Network r, int index) {
    return ((Conv2d) r.layers().get(index)).outChannels();
  }

  @Test void afterAReluTheInputIsCarriedOnceAndTheOutputsAreTheBlocks() {
    for (long seed = 1; seed <= 12; seed++) {
      UniformRandomProvider rng = RandomNets.rng(seed);
      Network net = new Network(new int[] {3, 8, 8}, List.of(
          RandomNets.conv(rng, "conv1", 8, 3, 3, 1, 1, false), RandomNets.bn(rng, "bn1", 8), new ActivationLayer(RELU),
          block(rng, "layer1.0", 8, 2, 8, 1, 1, 1, new ResidualBlock.Identity(null), RELU),
          block(rng, "layer2.0", 8, 4, 16, 1, 2, 1, projection(rng, "layer2.0", 8, 16, 2), RELU),
          block(rng, "layer2.1", 16, 4, 16, 1, 1, 1, new ResidualBlock.Identity(null), RELU),
          new GlobalAvgPool(), new Flatten(), RandomNets.linear(rng, "fc", 3, 16, true)));
      Network r = rewritesExactly(net, seed);
      // conv1 (+ bn1 + relu stay as they are), then per block: conv, activation, residual block
      assertThat(r.layers()).hasSize(3 + 3 * 3 + 3);
      assertThat(carriedWidth(r, 3)).isEqualTo(2 + 8);
      assertThat(carriedWidth(r, 6)).isEqualTo(4 + 8);
      assertThat(carriedWidth(r, 9)).isEqualTo(4 + 16);
      assertThat(r.layers().get(5)).isInstanceOf(ResidualBlock.class);
    }
  }

  @Test void withoutAReluBeforeItTheInputIsCarriedAsXAndMinusX() {
    for (long seed = 20; seed <= 26; seed++) {
      UniformRandomProvider rng = RandomNets.rng(seed);
      // the block reads the raw input (negative values) and a BatchNorm's output
      Network net = new Network(new int[] {4, 6, 6}, List.of(
          block(rng, "b0", 4, 3, 4, 1, 1, 1, new ResidualBlock.Identity(null), RELU),
          RandomNets.bn(rng, "n", 4),
          block(rng, "b1", 4, 3, 6, 1, 2, 1, projection(rng, "b1", 4, 6, 2), RELU),
          new Flatten(), RandomNets.linear(rng, "fc", 2, 6 * 3 * 3, true)));
      Network r = rewritesExactly(net, seed);
      assertThat(carriedWidth(r, 0)).isEqualTo(3 + 2 * 4);
      assertThat(carriedWidth(r, 4)).isEqualTo(3 + 2 * 4);
    }
  }

  @Test void leakyReluAndSiluCarryXAndMinusXWithTheirFactor() {
    for (String name : new String[] {"leaky-relu(0.1)", "leaky-relu(0.3)", "silu", "gelu", "hardswish"}) {
      Activation phi = ActivationCatalog.parse(name);
      for (long seed = 30; seed <= 33; seed++) {
        UniformRandomProvider rng = RandomNets.rng(seed);
        Network net = new Network(new int[] {3, 8, 8}, List.of(
            RandomNets.conv(rng, "conv1", 6, 3, 3, 1, 1, false), new ActivationLayer(phi),
            block(rng, "l1", 6, 2, 6, 1, 1, 1, new ResidualBlock.Identity(null), phi),
            block(rng, "l2", 6, 3, 12, 1, 2, 1, projection(rng, "l2", 6, 12, 2), phi),
            new GlobalAvgPool(), new Flatten(), RandomNets.linear(rng, "fc", 3, 12, false)));
        Network r = rewritesExactly(net, seed);
        assertThat(carriedWidth(r, 2)).as(name).isEqualTo(2 + 2 * 6);
      }
    }
  }

  @Test void aStridedConv1AScaledIdentityAndAPaddedConv1AreRead() {
    for (long seed = 40; seed <= 45; seed++) {
      UniformRandomProvider rng = RandomNets.rng(seed);
      double[] scale = new double[6];
      for (int i = 0; i < 6; i++) scale[i] = 0.5 + rng.nextDouble();
      Network net = new Network(new int[] {6, 9, 9}, List.of(
          new ActivationLayer(RELU),
          // the original ResNet's stride on the first 1x1 conv, the projection's stride 2 on the subsampled input
          block(rng, "a", 6, 3, 6, 2, 1, 1, projection(rng, "a", 6, 6, 2), RELU),
          new MaxPool2d(2, 2, 0),
          block(rng, "b", 6, 3, 6, 1, 1, 3, new ResidualBlock.Identity(scale), RELU),
          new Flatten(), RandomNets.linear(rng, "fc", 2, 6 * 2 * 2, true)));
      Network r = rewritesExactly(net, seed);
      // after a ReLU and after a max pooling of a ReLU's output: carried once
      assertThat(carriedWidth(r, 1)).isEqualTo(3 + 6);
      assertThat(carriedWidth(r, 5)).isEqualTo(3 + 6);
      ResidualBlock first = (ResidualBlock) r.layers().get(3);
      assertThat(((ResidualBlock.Projection) first.shortcut()).conv().stride()).isEqualTo(1);
    }
  }

  @Test void whatCannotBeCarriedIsRefusedNamingTheBlock() {
    UniformRandomProvider rng = RandomNets.rng(50);
    Activation tanh = ActivationCatalog.parse("tanh");
    Network withTanh = new Network(new int[] {4, 6, 6}, List.of(
        block(rng, "t", 4, 2, 4, 1, 1, 1, new ResidualBlock.Identity(null), tanh),
        new Flatten(), RandomNets.linear(rng, "fc", 2, 144, false)));
    assertThatThrownBy(() -> Bottleneck.apply(withTanh)).hasMessageContaining("bottleneck block 't'")
        .hasMessageContaining("not for tanh");
    List<Layer> evenWindow = new ArrayList<>(List.of(new Bottleneck("e", RandomNets.conv(rng, "e.conv1", 2, 4, 2, 1, 0,
        false), null, RandomNets.conv(rng, "e.conv2", 2, 2, 2, 1, 1, false), null, RandomNets.conv(rng, "e.conv3", 4, 2,
        1, 1, 0, false), null, new ResidualBlock.Identity(null), RELU)));
    assertThatThrownBy(() -> Bottleneck.apply(new Network(new int[] {4, 6, 6}, evenWindow)))
        .hasMessageContaining("bottleneck block 'e'").hasMessageContaining("no centre tap");
    Network wideProjection = new Network(new int[] {4, 8, 8}, List.of(
        block(rng, "w", 4, 2, 4, 2, 1, 1, new ResidualBlock.Projection(RandomNets.conv(rng, "w.sc", 4, 4, 3, 2, 1,
            false), null), RELU)));
    assertThatThrownBy(() -> Bottleneck.apply(wideProjection)).hasMessageContaining("bottleneck block 'w'")
        .hasMessageContaining("must be a 1x1 conv without padding");
  }

  @Test void theCarryFactorGivesXBackFromPhiOfXAndMinusX() {
    for (String name : new String[] {"relu", "leaky-relu(0.1)", "leaky-relu(-0.5)", "silu", "gelu", "gelu-tanh",
        "hardswish"}) {
      Activation phi = ActivationCatalog.parse(name);
      double k = Bottleneck.carryFactor(phi);
      for (double x = -5; x <= 5; x += 0.25) {
        assertThat(k * (phi.value(x) - phi.value(-x))).as(name + " at " + x).isCloseTo(x,
            org.assertj.core.data.Offset.offset(1e-12));
      }
    }
    for (String name : new String[] {"tanh", "sigmoid", "mish", "elu", "softplus"}) {
      assertThat(Bottleneck.carryFactor(ActivationCatalog.parse(name))).as(name).isZero();
    }
  }
}
