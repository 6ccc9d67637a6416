package dev.ticketproof.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.io.Fixtures;
import dev.ticketproof.kernel.check.TicketChecker;
import dev.ticketproof.net.Network;
import dev.ticketproof.targets.Builtins;
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
}
