package dev.ticketproof.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.Relu;
import dev.ticketproof.targets.CifarResNet;
import dev.ticketproof.tensor.Tensor;
import org.junit.jupiter.api.Test;

class CifarResNetTest {

  @Test
  void resnet20HasTheCifarLayout() {
    Network net = CifarResNet.random(1L, new int[] {16, 32, 64}, 3, 32, 10, new Relu());
    long blocks = net.layers().stream().filter(l -> l instanceof ResidualBlock).count();
    long projections = net.layers().stream()
        .filter(l -> l instanceof ResidualBlock b && b.shortcut() instanceof ResidualBlock.Projection).count();
    assertThat(blocks).isEqualTo(9);
    assertThat(projections).isEqualTo(2);
    assertThat(Shapes.infer(net).get(net.layers().size() - 3)).containsExactly(64, 8, 8);
    assertThat(Shapes.output(net)).containsExactly(10);
  }

  @Test
  void weightsArePureFunctionsOfTheSeed() {
    Network a = CifarResNet.random(7L, new int[] {4, 8}, 1, 9, 3, new Relu());
    Network b = CifarResNet.random(7L, new int[] {4, 8}, 1, 9, 3, new Relu());
    Network c = CifarResNet.random(8L, new int[] {4, 8}, 1, 9, 3, new Relu());
    Tensor x = RandomNets.tensor(RandomNets.rng(1), -1, 1, 2, 3, 9, 9);
    assertThat(Forward.forward(a, x)).isEqualTo(Forward.forward(b, x));
    assertThat(Forward.forward(a, x)).isNotEqualTo(Forward.forward(c, x));
    assertClose(Forward.forward(a, x), NaiveForward.forward(a, x));
  }

  private static void assertClose(Tensor actual, Tensor expected) {
    RandomNets.assertClose(actual, expected, 1e-12, "cifar resnet");
  }

  @Test
  void rejectsEmptyStages() {
    assertThatThrownBy(() -> CifarResNet.random(1L, new int[0], 3, 32, 10, new Relu()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 stages");
  }
}
