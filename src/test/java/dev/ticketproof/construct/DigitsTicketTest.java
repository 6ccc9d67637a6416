package dev.ticketproof.construct;

import dev.ticketproof.targets.Digits;

import dev.ticketproof.targets.Builtins;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.measure.DataCheck;
import dev.ticketproof.measure.Evaluator;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.net.Network;
import dev.ticketproof.subsetsum.SubsetSum;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real target: tickets of the digits CNN (trained with PyTorch on the UCI optical digits) on its 360 test
 * images. The certified bound covers the box [0,1]^64, which contains every test image, so the error on the data
 * must be within it; accuracies and agreement are reported (the paper's experiments compare accuracies this way).
 */
class DigitsTicketTest {
  @ParameterizedTest
  @ValueSource(strings = {"l+1", "2l"})
  void ticketAgreesWithTheTargetOnTheTestImages(String construction) {
    Activation phi = ActivationCatalog.parse("relu");
    Network target = Builtins.of("digits-cnn", phi);
    SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.parse(construction), 15,
        Defaults.rho1(phi, 15, 0), 1, 1, null, 0, 1, null, TicketCertificate.VERSION);
    TicketBuilder.Result r = TicketBuilder.build(target, phi,
        new TicketBuilder.Options(p, 0.01, SubsetSum.Mode.MIN_SIZE, 2, "builtin:digits-cnn"),
        TicketBuilder.Progress.NONE);
    assertThat(r.report().verdict().isHolds()).as(r.report().verdict().reason()).isTrue();
    Digits.TestSet test = Digits.testSet();
    assertThat(DataCheck.inBox(test.inputs(), 0, 1)).isTrue();
    DataCheck d = DataCheck.of(Evaluator.ofTarget(r.source().plan()), Evaluator.ofTicket(r.source(), r.certificate()),
        test.inputs(), test.labels());
    System.out.printf("digits-cnn %s: target accuracy %.4f, ticket accuracy %.4f, agreement %.4f, max error on data"
        + " %.4g, certified %.4g, ticket params %d%n", construction, d.targetAccuracy(), d.ticketAccuracy(),
        d.agreement(), d.maxError(), r.report().certifiedBound(), dev.ticketproof.measure.Sizes.of(r.source(), r.certificate()).ticketParams());
    assertThat(d.maxError()).isLessThanOrEqualTo(r.report().certifiedBound());
    assertThat(d.targetAccuracy()).isEqualTo(353 / 360.0); // PyTorch's accuracy on this split
    // regression guard on the measured agreement (99.7 % for l+1 and 100 % for 2l at seed 1)
    assertThat(d.agreement()).isGreaterThanOrEqualTo(0.95);
  }
}
