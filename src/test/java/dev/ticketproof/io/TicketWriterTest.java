package dev.ticketproof.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.TicketFile;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ticket writer: what the kernel reads back is what was written, and stored files are written byte for byte. */
class TicketWriterTest {
  @ParameterizedTest
  @ValueSource(strings = {"sc_sigmoid", "sr_relu"})
  void rewritesAStoredTicketByteForByte(String name) throws Exception {
    Path stored = Fixtures.path("export/" + name + ".tpz");
    TicketCertificate cert = TicketFile.read(stored);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TicketWriter.write(cert, out);
    assertThat(out.toByteArray()).isEqualTo(Files.readAllBytes(stored));
  }

  @Test
  void writesNonFiniteClaimsAsStringsAndLocalFields() throws Exception {
    TicketCertificate.Header h = new TicketCertificate.Header(TicketCertificate.VERSION, "a<b>&'=\"c\"\t",
        "00", "relu", "l+1", 3, 6, 1, -5, 0, 1, null, 0.01, Double.POSITIVE_INFINITY, "ff", 7, "ab", 0.5);
    String json = TicketWriter.headerJson(h);
    assertThat(json).contains("\"claimedBound\": \"Infinity\"").contains("\"radius\": 0.5")
        .contains("\\u003cb\\u003e\\u0026\\u0027\\u003d\\\"c\\\"\\t").doesNotContain("upto");
    Path f = Files.createTempFile("ticket", ".tpz");
    AtomicFile.write(f, os -> TicketWriter.write(new TicketCertificate(h, new int[][] {{1, 5}}, new int[][] {{}}),
        os));
    TicketCertificate back = TicketFile.read(f);
    assertThat(back.header()).isEqualTo(h);
    assertThat(back.keptWeights()[0]).containsExactly(1, 5);
  }
}
