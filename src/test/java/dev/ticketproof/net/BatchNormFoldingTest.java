package dev.ticketproof.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BatchNormFoldingTest {

  @Test
  void batchNormAfterActivationCannotBeFolded() {
    BatchNorm2d bn = RandomNets.bn(RandomNets.rng(1), "features.2", 4);
    Network net = new Network(new int[] {2, 5, 5}, List.of(RandomNets.conv(RandomNets.rng(2), "features.0", 4, 2, 3,
        1, 1, false), new ActivationLayer(TestActivations.RELU), bn));
    assertThatThrownBy(() -> BatchNormFolding.fold(net))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("features.2").hasMessageContaining("activation relu");
  }

  @Test
  void leadingBatchNormCannotBeFolded() {
    Network net = new Network(new int[] {4, 5, 5}, List.of(RandomNets.bn(RandomNets.rng(1), "bn0", 4)));
    assertThatThrownBy(() -> BatchNormFolding.fold(net))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bn0").hasMessageContaining("nothing");
  }

  @Test
  void channelMismatchIsReported() {
    Conv2d conv = RandomNets.conv(RandomNets.rng(3), "c", 4, 2, 3, 1, 1, false);
    BatchNorm2d bn = RandomNets.bn(RandomNets.rng(4), "bn", 5);
    assertThatThrownBy(() -> BatchNormFolding.fold(conv, bn))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5").hasMessageContaining("4");
  }

  @Test
  void networkWithoutBatchNormIsUnchanged() {
    Network net = ForwardProperties.randomResNet(RandomNets.rng(5), 3, 7, false, true);
    assertThat(BatchNormFolding.fold(net).layers()).isEqualTo(net.layers());
  }

  @Test
  void foldedBiasFollowsTheFormula() {
    // one channel, 1x1 kernel k, bias b: bn(k x + b) = s k x + (beta - s mu + s b), s = gamma / sqrt(v + eps)
    Conv2d conv = new Conv2d("c", dev.ticketproof.tensor.Tensor.of(new double[] {3}, 1, 1, 1, 1),
        dev.ticketproof.tensor.Tensor.of(new double[] {0.5}, 1), 1, 0);
    BatchNorm2d bn = new BatchNorm2d("bn", new double[] {2}, new double[] {0.25}, new double[] {1}, new double[] {3},
        1);
    Conv2d f = BatchNormFolding.fold(conv, bn);
    double s = 2 / Math.sqrt(3 + 1);
    assertThat(f.weight().data()[0]).isEqualTo(s * 3);
    assertThat(f.bias().data()[0]).isEqualTo(0.25 - s * 1 + s * 0.5);
  }
}
