package dev.ticketproof.kernel.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.Network;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Certificates of format version 3 are made with the first layer's block scales ({@link SourceNetwork#blockScales}),
 * those of version 2 without them; the kernel checks each against the source it was made with, so a version 2
 * certificate made before still holds, and a certificate whose version is changed is rejected.
 */
class BlockScalesVersionTest {
  static final Activation RELU = ActivationCatalog.parse("relu");

  /** A first layer whose second column is 2^-12 of the first: its blocks take their own scale. */
  static Network target() {
    double[] k1 = {0.9, 0.0002, -0.5, 0.7, -0.0003, 0.2, 0.4, 0.0001, -0.8};
    return new Network(new int[] {3}, List.of(new Linear("fc1", Tensor.of(k1, 3, 3), Tensor.of(new double[] {0.1, 0,
        -0.1}, 3)), new ActivationLayer(RELU), new Linear("fc2", Tensor.of(new double[] {1, -1, 0.5}, 1, 3),
        Tensor.zeros(1))));
  }

  static TicketCertificate build(boolean blockScales) {
    SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, 8, 8, 1, 3, null, -1, 1,
        null, blockScales ? TicketCertificate.VERSION : 2);
    return TicketBuilder.build(target(), RELU, new TicketBuilder.Options(p, 1e-3, SubsetSum.Mode.MIN_NORM, 1, "t"),
        TicketBuilder.Progress.NONE).certificate();
  }

  static TicketCertificate withVersion(TicketCertificate c, int version) {
    TicketCertificate.Header h = c.header();
    TicketCertificate.Header v = new TicketCertificate.Header(version, h.target(), h.targetSha256(), h.activation(),
        h.construction(), h.rho(), h.rho1(), h.lambda(), h.seed(), h.inputLow(), h.inputHigh(), h.upto(), h.eps(),
        h.claimedBound(), h.maskSha256(), h.claimedFailedInstances(), h.aroundSha256(), h.radius(), h.formBudget(),
        h.substitutionWork(), h.inputBoxes());
    return new TicketCertificate(v, c.keptWeights(), c.keptBiases(), c.maskDigest());
  }

  @Test
  void eachVersionIsCheckedAgainstItsOwnSource() {
    TicketCertificate v3 = build(true);
    TicketCertificate v2 = build(false);
    assertThat(v3.header().version()).isEqualTo(TicketCertificate.VERSION);
    assertThat(v2.header().version()).isEqualTo(2);
    assertThat(v3.maskDigest()).isNotEqualTo(v2.maskDigest());
    assertThat(TicketChecker.check(v3, target(), RELU).verdict().isHolds()).isTrue();
    assertThat(TicketChecker.check(v2, target(), RELU).verdict().isHolds()).isTrue();
    // the same mask read against the other source: its kept weights are other numbers
    assertThat(TicketChecker.check(withVersion(v3, 2), target(), RELU).verdict().isHolds()).isFalse();
    assertThat(TicketChecker.check(withVersion(v2, 3), target(), RELU).verdict().isHolds()).isFalse();
    // relu has no large-scale constant units: versions 3 and 4 make the same source
    assertThat(TicketChecker.check(withVersion(v3, 3), target(), RELU).verdict().isHolds()).isTrue();
    assertThat(TicketChecker.check(withVersion(v3, 1), target(), RELU).verdict().toString())
        .contains("unsupported certificate version 1");
    assertThat(TicketChecker.check(withVersion(v3, TicketCertificate.VERSION + 1), target(), RELU).verdict()
        .toString()).contains("unsupported certificate version " + (TicketCertificate.VERSION + 1));
  }
}
