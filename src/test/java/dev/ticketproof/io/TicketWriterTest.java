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
  static final int[][] WEIGHTS = {{0, 1, 127, 128, 16_511, Integer.MAX_VALUE}, {}, {5}};
  static final int[][] BIASES = {{}, {0, 3, 300}, {}};

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
        "00", "relu", "l+1", 3, 6, 1, -5, 0, 1, null, 0.01, Double.POSITIVE_INFINITY, "ff", 7, "ab", 0.5,
        TicketCertificate.DEFAULT_FORM_BUDGET, TicketCertificate.DEFAULT_SUBSTITUTION_WORK, null);
    String json = TicketWriter.headerJson(h);
    assertThat(json).contains("\"claimedBound\": \"Infinity\"").contains("\"radius\": 0.5")
        .contains("\\u003cb\\u003e\\u0026\\u0027\\u003d\\\"c\\\"\\t").doesNotContain("upto");
    Path f = Files.createTempFile("ticket", ".tpz");
    int[][] w = {{1, 5}};
    int[][] b = {{}};
    AtomicFile.write(f, os -> TicketWriter.write(new TicketCertificate(h, w, b, "ff"), os));
    TicketCertificate back = TicketFile.read(f);
    assertThat(back.header()).isEqualTo(h);
    assertThat(back.keptWeights()[0]).containsExactly(1, 5);
    // the reader hashes the bytes the writer wrote: the writer's digest of the mask
    assertThat(back.maskDigest()).isEqualTo(TicketWriter.maskDigest(w, b));
  }

  @Test
  void theMaskDigestCoversEveryIndex() {
    String d = TicketWriter.maskDigest(WEIGHTS, BIASES);
    assertThat(d).matches("[0-9a-f]{64}");
    assertThat(TicketWriter.maskDigest(new int[][] {{0, 1, 127, 128, 16_511, Integer.MAX_VALUE - 1}, {}, {5}}, BIASES))
        .isNotEqualTo(d);
    assertThat(TicketWriter.maskDigest(WEIGHTS, new int[][] {{}, {0, 3, 301}, {}})).isNotEqualTo(d);
    // a weight moved to the next layer
    assertThat(TicketWriter.maskDigest(new int[][] {{0, 1, 127, 128, 16_511}, {Integer.MAX_VALUE}, {5}}, BIASES))
        .isNotEqualTo(d);
  }
}
