package dev.ticketproof.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardTest {

  private static Tensor filled(double v, int... shape) {
    Tensor t = Tensor.zeros(shape);
    Arrays.fill(t.data(), v);
    return t;
  }

  @Test
  void zeroPaddingCountsInBoundsTaps() {
    // all-ones 3x3 kernel on an all-ones image with padding 1: each output counts the in-bounds taps
    Conv2d conv = new Conv2d("c", filled(1, 1, 1, 3, 3), null, 1, 1);
    Tensor y = Forward.conv2d(conv, filled(1, 1, 1, 4, 5));
    assertThat(y.shape()).containsExactly(1, 1, 4, 5);
    for (int p = 0; p < 4; p++) {
      for (int q = 0; q < 5; q++) {
        int rows = (p == 0 || p == 3) ? 2 : 3;
        int cols = (q == 0 || q == 4) ? 2 : 3;
        assertThat(y.data()[p * 5 + q]).as("(%d,%d)", p, q).isEqualTo(rows * cols);
      }
    }
  }

  @Test
  void crossCorrelationNotConvolution() {
    // kernel with a single 1 at (0, 2) reads x[p - 1 + 0, q - 1 + 2] = x[p - 1, q + 1] (no kernel flip)
    Tensor k = Tensor.zeros(1, 1, 3, 3);
    k.data()[2] = 1;
    Tensor x = Tensor.zeros(1, 1, 3, 3);
    for (int i = 0; i < 9; i++) x.data()[i] = i + 1;
    Tensor y = Forward.conv2d(new Conv2d("c", k, null, 1, 1), x);
    for (int p = 0; p < 3; p++) {
      for (int q = 0; q < 3; q++) {
        int sy = p - 1;
        int sx = q + 1;
        double expected = sy >= 0 && sx < 3 ? x.data()[sy * 3 + sx] : 0;
        assertThat(y.data()[p * 3 + q]).isEqualTo(expected);
      }
    }
  }

  @Test
  void strideTwoSamplesEveryOtherPosition() {
    // a 1x1 identity kernel with stride 2 picks x[2p, 2q]; 5x7 input gives 3x4
    Tensor x = Tensor.zeros(1, 1, 5, 7);
    for (int i = 0; i < 35; i++) x.data()[i] = i;
    Tensor y = Forward.conv2d(new Conv2d("c", filled(1, 1, 1, 1, 1), Tensor.of(new double[] {0.5}, 1), 2, 0), x);
    assertThat(y.shape()).containsExactly(1, 1, 3, 4);
    for (int p = 0; p < 3; p++) {
      for (int q = 0; q < 4; q++) assertThat(y.data()[p * 4 + q]).isEqualTo(x.data()[2 * p * 7 + 2 * q] + 0.5);
    }
  }

  @Test
  void fullyConnectedNetworkAcceptsBothInputForms() {
    Linear lin = RandomNets.linear(RandomNets.rng(1), "fc", 3, 4, true);
    Network net = new Network(new int[] {4, 1, 1}, List.of(lin, new ActivationLayer(TestActivations.RELU)));
    Tensor x = RandomNets.tensor(RandomNets.rng(2), -1, 1, 5, 4);
    Tensor a = Forward.forward(net, x);
    Tensor b = Forward.forward(net, x.reshape(5, 4, 1, 1));
    assertThat(a).isEqualTo(b);
    assertThat(a.shape()).containsExactly(5, 3);
    for (double v : a.data()) assertThat(v).isGreaterThanOrEqualTo(0);
  }

  @Test
  void badBatchShapeNamesTheExpectedShape() {
    Network net = new Network(new int[] {3, 8, 8}, List.of(new Flatten()));
    assertThatThrownBy(() -> Forward.forward(net, Tensor.zeros(2, 3, 8, 9)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[N, 3, 8, 8]").hasMessageContaining("[2, 3, 8, 9]");
  }

  @Test
  void channelMismatchNamesTheLayer() {
    Conv2d conv = RandomNets.conv(RandomNets.rng(3), "features.3", 8, 16, 3, 1, 1, false);
    Network net = new Network(new int[] {3, 8, 8}, List.of(conv));
    assertThatThrownBy(() -> Forward.forward(net, Tensor.zeros(1, 3, 8, 8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("layer 0").hasMessageContaining("features.3")
        .hasMessageContaining("[16, H, W]").hasMessageContaining("[3, 8, 8]");
  }

  @Test
  void threadsMustBePositive() {
    Network net = new Network(new int[] {1, 1, 1}, List.of(new Flatten()));
    assertThatThrownBy(() -> Forward.forward(net, Tensor.zeros(1, 1, 1, 1), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
  }

  @Test
  void traceEndsWithTheForwardOutput() {
    Network net = ForwardProperties.randomResNet(RandomNets.rng(4), 3, 7, true, false);
    Tensor x = RandomNets.tensor(RandomNets.rng(5), -1, 1, 3, 3, 7, 7);
    List<Tensor> trace = Forward.trace(net, x);
    assertThat(trace).hasSize(net.layers().size());
    assertThat(trace.get(trace.size() - 1)).isEqualTo(Forward.forward(net, x, 2));
    List<int[]> shapes = Shapes.infer(net);
    for (int i = 0; i < trace.size(); i++) {
      assertThat(Arrays.copyOfRange(trace.get(i).shape(), 1, trace.get(i).rank())).isEqualTo(shapes.get(i + 1));
    }
  }

  @Test
  void nanPropagates() {
    Conv2d conv = new Conv2d("c", filled(1, 2, 1, 3, 3), null, 1, 1);
    Tensor x = Tensor.zeros(1, 1, 3, 3);
    x.data()[4] = Double.NaN;
    Tensor y = Forward.conv2d(conv, x);
    for (double v : y.data()) assertThat(v).isNaN();
    x.data()[4] = Double.POSITIVE_INFINITY;
    y = Forward.conv2d(conv, x);
    for (double v : y.data()) assertThat(v).isEqualTo(Double.POSITIVE_INFINITY);
  }
}
