package dev.ticketproof.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.TicketFile;
import dev.ticketproof.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The search witness beside a certificate: read back exactly, no part of what the kernel reads, damage named. */
class TicketWitnessTest {
  @TempDir Path dir;

  static final double[] WITNESS = {-1, 0.25, Math.nextUp(0.5), 1, -0.0};

  @Test
  void readsBackExactlyBesideAnUnchangedCertificate() throws Exception {
    Path stored = Fixtures.path("export/sc_sigmoid.tpz");
    TicketCertificate cert = TicketFile.read(stored);
    Path with = dir.resolve("with.tpz");
    AtomicFile.write(with, os -> TicketWriter.write(cert, WITNESS, os));
    assertThat(TicketWitness.read(with)).containsExactly(WITNESS);
    TicketCertificate back = TicketFile.read(with);
    assertThat(back.header()).isEqualTo(cert.header());
    assertThat(back.keptWeights()).isDeepEqualTo(cert.keptWeights());
    // the certificate's entries are those of the file without a witness, byte for byte
    assertThat(entries(Files.readAllBytes(with))).containsExactly("header.json", "mask.bin", TicketWitness.ENTRY);
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    TicketWriter.write(cert, null, plain);
    assertThat(plain.toByteArray()).isEqualTo(Files.readAllBytes(stored));
    assertThat(TicketWitness.read(stored)).as("a ticket without a witness").isNull();
  }

  @Test
  void damagedOrForeignWitnessesAreNamed() throws Exception {
    Path f32 = withEntry("f32.tpz", Npy.encode(Tensor.of(new double[] {0.5, 1}, 2), DType.FLOAT32));
    assertThatThrownBy(() -> TicketWitness.read(f32)).isInstanceOf(ImportException.class)
        .hasMessageContaining("f32.tpz: witness.npy: expected float64 values, got");
    Path junk = withEntry("junk.tpz", new byte[] {1, 2, 3});
    assertThatThrownBy(() -> TicketWitness.read(junk)).isInstanceOf(ImportException.class)
        .hasMessageContaining("junk.tpz: witness.npy").hasMessageContaining("not a .npy file");
  }

  Path withEntry(String name, byte[] witness) throws Exception {
    Path p = dir.resolve(name);
    try (OutputStream os = Files.newOutputStream(p); ZipOutputStream zip = new ZipOutputStream(os)) {
      zip.putNextEntry(new ZipEntry(TicketWitness.ENTRY));
      zip.write(witness);
      zip.closeEntry();
    }
    return p;
  }

  static java.util.List<String> entries(byte[] zip) throws Exception {
    java.util.List<String> names = new java.util.ArrayList<>();
    try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) names.add(e.getName());
    }
    return names;
  }
}
