package dev.ticketproof.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Unit numbering of the source's feature maps, as documented on {@link Layout}. */
class LayoutTest {
  @Test
  void copiesThenConstants() {
    // 3 channels, 2 copies each, then 4 constant units
    Layout u = Layout.univariate(3, 2, 4);
    assertThat(u.hasConstants()).isTrue();
    assertThat(u.units()).isEqualTo(10);
    assertThat(u.copy(2, 1)).isEqualTo(5);
    assertThat(u.constant(0)).isEqualTo(6);
    int[] channels = new int[10];
    boolean[] constant = new boolean[10];
    for (int k = 0; k < 10; k++) {
      channels[k] = u.channel(k);
      constant[k] = u.isConstant(k);
    }
    assertThat(channels).containsExactly(0, 0, 1, 1, 2, 2, -1, -1, -1, -1);
    assertThat(constant).containsExactly(false, false, false, false, false, false, true, true, true, true);
    Layout c = Layout.copies(3, 2);
    assertThat(c).isEqualTo(new Layout(Layout.Kind.COPIES, 3, 2, 2));
    assertThat(c.units()).isEqualTo(8);
    assertThat(c.channel(6)).isEqualTo(-1);
  }

  @Test
  void inputAndPlainMapsHaveOneUnitPerChannel() {
    for (Layout l : new Layout[] {Layout.input(3), Layout.plain(3)}) {
      assertThat(l.hasConstants()).isFalse();
      assertThat(l.units()).isEqualTo(3);
      assertThat(l.rho()).isEqualTo(1);
      assertThat(l.constants()).isZero();
      for (int k = 0; k < 3; k++) {
        assertThat(l.channel(k)).isEqualTo(k);
        assertThat(l.isConstant(k)).isFalse();
        assertThat(l.copy(k, 0)).isEqualTo(k);
      }
    }
    assertThat(Layout.input(3).kind()).isEqualTo(Layout.Kind.INPUT);
    assertThat(Layout.plain(3).kind()).isEqualTo(Layout.Kind.PLAIN);
  }
}
