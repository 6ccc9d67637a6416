package dev.ticketproof.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.io.Fixtures;
import dev.ticketproof.kernel.check.TicketChecker;
import dev.ticketproof.net.Network;
import dev.ticketproof.targets.Builtins;
import dev.ticketproof.net.AvgPool2d;
import dev.ticketproof.net.MaxPool2d;
import dev.ticketproof.targets.TargetLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Certificates written by an earlier build (the export fixtures, made by
 * src/test/resources/fixtures/export/make_export_fixtures.sh, before the differential bound existed, so that their
 * claims are the layerwise recursion of that build) still hold: the target hash, the mask digest, the source network
 * regenerated from the seed and the failure count are stable, and the recursion alone is still within the claim.
 */
class StoredCertificatesTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource({"sc_sigmoid, small-cnn, sigmoid", "sr_relu, small-resnet, relu"})
  void storedCertificatesHold(String file, String target, String activation) throws Exception {
    TicketCertificate cert = TicketFile.read(Fixtures.path("export/" + file + ".tpz"));
    Activation phi = ActivationCatalog.parse(activation);
    Network net = Builtins.of(target, phi);
    TicketChecker.Report r = TicketChecker.check(cert, net, phi);
    assertThat(r.verdict().isHolds()).as(r.verdict().toString()).isTrue();
    assertThat(r.recursionBound()).isLessThanOrEqualTo(cert.header().claimedBound());
    assertThat(r.certifiedBound()).isLessThanOrEqualTo(r.recursionBound());
  }

  /**
   * A certificate of a target with square max and average pooling (the fourth round's {@code user4_tuples_whole.pt}:
   * MaxPool2d(2, 2), AvgPool2d(2)), written by the build of e974a43, before pooling windows could have unequal sides
   * ({@code construct --target user4_tuples_whole.pt --input-box 0,1 --rho 4 --eps 0.05 --search 0}): the target
   * hash of its square poolings is the same, and the certificate still holds with the bound it claims.
   */
  @Test void aCertificateOfSquarePoolingsWrittenBeforeUnequalSidesStillHolds() throws Exception {
    TicketCertificate cert = TicketFile.read(Fixtures.path("export/tuples_pools.tpz"));
    Network net = TargetLoader.load(Fixtures.path("user4_tuples_whole.pt"), null, null, new int[] {1, 8, 8},
        "the input", true).built().network();
    assertThat(net.layers()).contains(new MaxPool2d(2, 2, 0), new AvgPool2d(2, 2));
    assertThat(TargetHash.of(net)).isEqualTo(cert.header().targetSha256());
    Activation phi = ActivationCatalog.parse("relu");
    TicketChecker.Report r = TicketChecker.check(cert, net, phi);
    assertThat(r.verdict().isHolds()).as(r.verdict().toString()).isTrue();
    assertThat(r.certifiedBound()).isLessThanOrEqualTo(cert.header().claimedBound());
  }
}
