package dev.ticketproof.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShapesTest {

  @Test
  void infersEveryLayer() {
    Network net = ForwardProperties.randomResNet(RandomNets.rng(5), 4, 9, true, false);
    List<int[]> shapes = Shapes.infer(net);
    assertThat(shapes).hasSize(net.layers().size() + 1);
    assertThat(shapes.get(0)).containsExactly(3, 9, 9);
    assertThat(shapes.get(1)).containsExactly(4, 9, 9);
    assertThat(shapes.get(5)).containsExactly(8, 5, 5); // stride-2 block: (9 + 2 - 3) / 2 + 1
    assertThat(Shapes.output(net)).containsExactly(10);
  }

  @Test
  void residualBranchMismatchIsReported() {
    // identity shortcut on a stride-2 block: branch 4x5x5 but skip 4x9x9
    ResidualBlock b = RandomNets.block(RandomNets.rng(6), "blocks.1", 4, 4, 2, false, false, TestActivations.RELU);
    ResidualBlock bad = new ResidualBlock(b.name(), b.conv1(), null, b.conv2(), null,
        new ResidualBlock.Identity(null), b.phi());
    assertThatThrownBy(() -> Shapes.output(bad, new int[] {4, 9, 9}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blocks.1").hasMessageContaining("[4, 5, 5]").hasMessageContaining("[4, 9, 9]");
  }

  @Test
  void generalResidualMismatchNamesTheBranchLayer() {
    Conv2d widen = RandomNets.conv(RandomNets.rng(10), "blocks.2.conv1", 8, 4, 3, 1, 1, false);
    Conv2d wrongIn = RandomNets.conv(RandomNets.rng(11), "blocks.2.conv2", 8, 5, 3, 1, 1, false);
    Residual bad = new Residual("blocks.2", List.of(widen, wrongIn), List.of(), null);
    assertThatThrownBy(() -> Shapes.output(bad, new int[] {4, 6, 6}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("residual 'blocks.2'").hasMessageContaining("body layer 1")
        .hasMessageContaining("blocks.2.conv2").hasMessageContaining("[5, H, W]").hasMessageContaining("[8, 6, 6]");
    Residual noSkip = new Residual("blocks.3", List.of(widen), List.of(), null);
    assertThatThrownBy(() -> Shapes.output(noSkip, new int[] {4, 6, 6}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[8, 6, 6]").hasMessageContaining("[4, 6, 6]");
  }

  @Test
  void linearNeedsMatchingFeatures() {
    Linear lin = RandomNets.linear(RandomNets.rng(7), "fc", 10, 64, true);
    assertThat(Shapes.output(lin, new int[] {64, 1, 1})).containsExactly(10);
    assertThatThrownBy(() -> Shapes.output(lin, new int[] {64, 2, 2}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fc").hasMessageContaining("[64] or [64, 1, 1]").hasMessageContaining("[64, 2, 2]");
  }

  @Test
  void kernelLargerThanPaddedImageIsRejected() {
    Conv2d conv = RandomNets.conv(RandomNets.rng(8), "c", 2, 1, 3, 1, 0, false);
    assertThatThrownBy(() -> Shapes.output(conv, new int[] {1, 2, 5}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[1, 2, 5]");
    AvgPool2d pool = new AvgPool2d(3, 1);
    assertThatThrownBy(() -> Shapes.output(pool, new int[] {1, 2, 5}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("avgpool");
  }

  @Test
  void batchNormChannelsMustMatch() {
    BatchNorm2d bn = RandomNets.bn(RandomNets.rng(9), "bn1", 4);
    assertThatThrownBy(() -> Shapes.output(bn, new int[] {5, 3, 3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bn1").hasMessageContaining("[4, H, W]").hasMessageContaining("[5, 3, 3]");
  }
}
