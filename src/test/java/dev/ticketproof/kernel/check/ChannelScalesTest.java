package dev.ticketproof.kernel.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.kernel.KernelActivation;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.Network;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Certificates of format version 5 are made with the input channels' own scales in the first univariate layer
 * ({@link SourceNetwork#channelScales}): the copies of channel c take s_c, the largest power of two at most 1 / B_c,
 * and the next layer's scales and tolerances are those of the kernel K / s_i. The kernel checks each version against
 * the source it was made with.
 */
class ChannelScalesTest {
  static final Activation GELU = ActivationCatalog.parse("gelu");
  static final double[][] BOXES = {{0, 1}, {-300, 200}, {0.001, 0.003}};

  /** A first layer whose weights are about the inverse of their inputs' bounds, as a trained net's are. */
  static Network target() {
    double[] k1 = {0.9, 0.002, 300, -0.5, -0.001, 150, 0.4, 0.003, -400};
    return new Network(new int[] {3}, List.of(new Linear("fc1", Tensor.of(k1, 3, 3), Tensor.of(new double[] {0.1, 0,
        -0.1}, 3)), new ActivationLayer(GELU), new Linear("fc2", Tensor.of(new double[] {1, -1, 0.5}, 1, 3),
        Tensor.zeros(1))));
  }

  static SourceNetwork.Params params(int version) {
    return new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, 12, 12, 0.05, 5, null, -300, 200, BOXES,
        version);
  }

  static SourceNetwork source(int version) {
    return SourceNetwork.of(TargetPlan.of(target(), KernelActivation.of("gelu")), params(version));
  }

  @Test
  void eachChannelTakesThePowerOfTwoOfItsBound() {
    double[] s = SourceNetwork.channelScales(BOXES);
    assertThat(s).containsExactly(1, 0x1p-9, 0x1p8);
    for (int c = 0; c < s.length; c++) {
      double b = Math.max(Math.abs(BOXES[c][0]), Math.abs(BOXES[c][1])) * s[c];
      assertThat(b).as("channel %d", c).isGreaterThan(0.5).isLessThanOrEqualTo(1);
    }
    assertThat(SourceNetwork.scaledBound(BOXES)).isEqualTo(1);
    // one interval on every channel: one scale
    assertThat(SourceNetwork.channelScales(new double[][] {{0, 255}, {0, 255}})).containsExactly(0x1p-8, 0x1p-8);
    assertThat(SourceNetwork.scaledBound(params(5))).isEqualTo(1);
    assertThat(SourceNetwork.scaledBound(params(4))).isEqualTo(300);
  }

  @Test
  void theCopiesAndTheLayerReadingThemTakeTheScales() {
    SourceNetwork v5 = source(5);
    SourceNetwork v4 = source(4);
    double[] s = SourceNetwork.channelScales(BOXES);
    SourceNetwork.Univariate u5 = (SourceNetwork.Univariate) v5.nodes().get(0);
    SourceNetwork.Univariate u4 = (SourceNetwork.Univariate) v4.nodes().get(0);
    assertThat(u5.channelScale()).containsExactly(s);
    assertThat(u4.channelScale()).isNull();
    long seed = v5.params().seed();
    for (int o = 0; o < u5.out().n() * u5.out().rho(); o++) {
      int c = u5.out().channel(o);
      // the same draw times s_c, exactly
      assertThat(u5.w1(seed, o)).isEqualTo(u4.w1(seed, o) * s[c]);
      assertThat(Math.abs(u5.w1(seed, o))).isLessThanOrEqualTo(2 * 0.05 * s[c]);
    }
    SourceNetwork.Conv first = v5.convs().get(0);
    TargetPlan.Affine seen = SourceNetwork.throughChannels(first.target(), s);
    assertThat(seen.kernel()[2]).isEqualTo(300 * 0x1p-8);
    assertThat(seen.kernel()[1]).isEqualTo(0.002 * 0x1p9);
    assertThat(first.channelScale()).containsExactly(s);
    assertThat(first.scale()).containsExactly(SourceNetwork.rowScales(seen));
    assertThat(first.blockScale()).containsExactly(SourceNetwork.blockScales(seen));
    assertThat(v4.convs().get(0).scale()).containsExactly(SourceNetwork.rowScales(first.target()));
    for (int j = 0; j < 3; j++) {
      for (int i = 0; i < 3; i++) {
        assertThat(first.tolerance(1e-3, j, i)).as("(%d, %d)", j, i)
            .isEqualTo(1e-3 * first.blockScale()[j * 3 + i] / first.scale()[j] * s[i]);
      }
    }
    // the second layer reads copies of the first's outputs: no channel scales
    assertThat(v5.convs().get(1).channelScale()).isNull();
  }

  @Test
  void eachVersionIsCheckedAgainstItsOwnSource() {
    TicketCertificate v5 = build(5);
    TicketCertificate v4 = build(4);
    assertThat(v5.maskDigest()).isNotEqualTo(v4.maskDigest());
    TicketChecker.Report r5 = TicketChecker.check(v5, target(), GELU);
    TicketChecker.Report r4 = TicketChecker.check(v4, target(), GELU);
    assertThat(r5.verdict().isHolds()).as(r5.verdict().toString()).isTrue();
    assertThat(r4.verdict().isHolds()).as(r4.verdict().toString()).isTrue();
    // the scaled source leaves a smaller error at the same tolerance: its large channel's weights are no longer
    // held to the row's precision alone
    assertThat(r5.certifiedBound()).isLessThan(r4.certifiedBound());
    assertThat(TicketChecker.check(BlockScalesVersionTest.withVersion(v5, 4), target(), GELU).verdict().isHolds())
        .isFalse();
    assertThat(TicketChecker.check(BlockScalesVersionTest.withVersion(v4, 5), target(), GELU).verdict().isHolds())
        .isFalse();
  }

  static TicketCertificate build(int version) {
    return TicketBuilder.build(target(), GELU, new TicketBuilder.Options(params(version), 1e-3,
        SubsetSum.Mode.MIN_NORM, 1, "t"), TicketBuilder.Progress.NONE).certificate();
  }
}
