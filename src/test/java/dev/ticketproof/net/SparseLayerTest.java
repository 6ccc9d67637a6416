package dev.ticketproof.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SparseLayerTest {

  @Test
  void rejectsDuplicateIndices() {
    assertThatThrownBy(() -> SparseConv2d.of("s", new int[] {2, 2, 3, 3}, new long[] {5, 17, 5},
        new double[] {1, 2, 3}, null, 1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate index 5");
  }

  @Test
  void rejectsOutOfRangeIndices() {
    assertThatThrownBy(() -> SparseConv2d.of("s", new int[] {2, 2, 3, 3}, new long[] {36}, new double[] {1}, null,
        1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("36").hasMessageContaining("[0, 36)");
    assertThatThrownBy(() -> SparseLinear.of("fc", 2, 3, new long[] {-1}, new double[] {1}, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
  }

  @Test
  void rejectsLengthMismatch() {
    assertThatThrownBy(() -> SparseLinear.of("fc", 2, 3, new long[] {1, 2}, new double[] {1}, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 indices but 1 values");
  }

  @Test
  void rejectsUnsortedColumns() {
    assertThatThrownBy(() -> new SparseLinear("fc", 1, 4, new int[] {0, 2}, new int[] {3, 1}, new double[] {1, 2},
        null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("strictly increasing");
  }

  @Test
  void keepsThePositionsGivenInAnyOrder() {
    SparseConv2d s = SparseConv2d.of("s", new int[] {2, 1, 3, 3}, new long[] {10, 0, 8},
        new double[] {-1.5, 2, 0.25}, null, 1, 1);
    assertThat(s.rowStart()).containsExactly(0, 2, 3);
    assertThat(s.column()).containsExactly(0, 8, 1);
    assertThat(s.values()).containsExactly(2, 0.25, -1.5);
    double[] dense = s.toDense().weight().data();
    assertThat(dense[0]).isEqualTo(2);
    assertThat(dense[8]).isEqualTo(0.25);
    assertThat(dense[10]).isEqualTo(-1.5);
  }

  @Test
  void nanAndInfinityReachOnlyTheOutputsTheyTouch() {
    // kept weight at (o=0, c=0, i=1, j=1): output 0 reads x at the same position; output 1 keeps nothing
    SparseConv2d s = SparseConv2d.of("s", new int[] {2, 1, 3, 3}, new long[] {4}, new double[] {1}, null, 1, 1);
    dev.ticketproof.tensor.Tensor x = dev.ticketproof.tensor.Tensor.zeros(1, 1, 2, 2);
    x.data()[3] = Double.NaN;
    x.data()[0] = Double.POSITIVE_INFINITY;
    double[] y = Forward.sparseConv2d(s, x).data();
    assertThat(y[0]).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(y[3]).isNaN();
    assertThat(y[1]).isZero();
    for (int t = 4; t < 8; t++) assertThat(y[t]).isZero();
  }
}
