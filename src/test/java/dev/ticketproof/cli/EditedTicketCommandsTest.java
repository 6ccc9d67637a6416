package dev.ticketproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.function.BiFunction;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * export and eval --ticket use a ticket file only after the kernel's check: a file whose mask is not the one its
 * header's digest names, or whose header's seed the mask does not bear out, is rejected (exit code 3, as verify
 * rejects it) and nothing is written, where they used to export or evaluate a network that was not the certified
 * ticket, under the header's claimed bound. A local certificate, whose balls need their points, is checked on the
 * box but for its claimed bound.
 */
class EditedTicketCommandsTest {
  @TempDir Path tmp;
  Path ticket;
  Path x;

  @BeforeEach void build() throws Exception {
    ticket = tmp.resolve("t.tpz");
    CommandRun r = CommandRun.of("construct", "--target", "builtin:small-fc", "--rho", "8", "--eps", "0.05",
        "--search", "0", "--no-progress", "--out", ticket.toString());
    assertThat(r.code()).as(r.err()).isZero();
    x = tmp.resolve("x.npy");
    dev.ticketproof.io.Npy.write(x, dev.ticketproof.tensor.Tensor.of(new double[] {0.1, -0.2, 0.3, 0.4}, 1, 4),
        dev.ticketproof.io.DType.FLOAT64);
  }

  /** A copy of the ticket file with one entry's bytes changed. */
  Path edited(String name, String entry, BiFunction<String, byte[], byte[]> change) throws Exception {
    Path to = tmp.resolve(name);
    try (ZipFile z = new ZipFile(ticket.toFile()); ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(to))) {
      for (ZipEntry e : Collections.list(z.entries())) {
        byte[] b = z.getInputStream(e).readAllBytes();
        if (e.getName().equals(entry)) b = change.apply(e.getName(), b);
        out.putNextEntry(new ZipEntry(e.getName()));
        out.write(b);
        out.closeEntry();
      }
    }
    return to;
  }

  /** export and eval --ticket of {@code file}: both rejected with exit 3 naming the reason, nothing written. */
  void rejected(Path file, String reason) {
    Path out = tmp.resolve(file.getFileName() + ".pt");
    CommandRun e = CommandRun.of("export", file.toString(), "--out", out.toString());
    assertThat(e.code()).as(e.err()).isEqualTo(3);
    assertThat(e.err()).contains("export: rejected: " + file).contains(reason);
    assertThat(out).doesNotExist();
    assertThat(tmp.resolve(file.getFileName() + ".json")).doesNotExist();
    Path y = tmp.resolve(file.getFileName() + ".npy");
    CommandRun v = CommandRun.of("eval", "--ticket", file.toString(), "--input", x.toString(), "--out", y.toString());
    assertThat(v.code()).as(v.err()).isEqualTo(3);
    assertThat(v.err()).contains("eval: rejected: " + file).contains(reason);
    assertThat(y).doesNotExist();
    CommandRun check = CommandRun.of("verify", file.toString(), "--samples", "0", "--search", "0", "--no-progress");
    assertThat(check.code()).isEqualTo(3);
  }

  @Test void theTicketAsBuiltIsExportedAndEvaluated() {
    CommandRun e = CommandRun.of("export", ticket.toString(), "--out", tmp.resolve("ok.pt").toString());
    assertThat(e.code()).as(e.err()).isZero();
    CommandRun v = CommandRun.of("eval", "--ticket", ticket.toString(), "--input", x.toString(), "--out",
        tmp.resolve("ok.npy").toString());
    assertThat(v.code()).as(v.err()).isZero();
  }

  @Test void anInputShapeForABuiltInTargetIsRefused() {
    for (String[] args : new String[][] {{"export", ticket.toString(), "--out", tmp.resolve("s.pt").toString()},
        {"eval", "--ticket", ticket.toString(), "--input", x.toString(), "--out", tmp.resolve("s.npy").toString()},
        {"verify", ticket.toString()}}) {
      String[] all = java.util.Arrays.copyOf(args, args.length + 2);
      all[args.length] = "--input-shape";
      all[args.length + 1] = "4";
      CommandRun r = CommandRun.of(all);
      assertThat(r.code()).as(r.err()).isEqualTo(2);
      assertThat(r.err()).contains("--input-shape: a built-in target has its own input shape");
    }
  }

  @Test void aMaskThatIsNotTheOneItsDigestNamesIsRejected() throws Exception {
    Path bad = edited("flipped.tpz", "mask.bin", (n, b) -> {
      byte[] c = b.clone();
      c[c.length / 2] ^= 4;
      return c;
    });
    rejected(bad, "mask digest mismatch");
  }

  @Test void aSeedTheMaskDoesNotBearOutIsRejected() throws Exception {
    Path bad = edited("seed.tpz", "header.json", (n, b) -> {
      String s = new String(b, StandardCharsets.UTF_8);
      assertThat(s).contains("\"seed\": 1,");
      return s.replace("\"seed\": 1,", "\"seed\": 2,").getBytes(StandardCharsets.UTF_8);
    });
    rejected(bad, "failed instances, recomputed");
  }

  @Test void aLocalCertificateIsExportedWithoutItsPoints() throws Exception {
    Path local = tmp.resolve("local.tpz");
    CommandRun r = CommandRun.of("construct", "--target", "builtin:small-fc", "--rho", "8", "--eps", "0.05",
        "--around", x.toString(), "--radius", "0.01", "--search", "0", "--no-progress", "--out", local.toString());
    assertThat(r.code()).as(r.err()).isZero();
    CommandRun e = CommandRun.of("export", local.toString(), "--out", tmp.resolve("local.pt").toString());
    assertThat(e.code()).as(e.err()).isZero();
    // its seed edited: rejected all the same
    ticket = local;
    Path bad = edited("local-seed.tpz", "header.json", (n, b) -> new String(b, StandardCharsets.UTF_8)
        .replace("\"seed\": 1,", "\"seed\": 2,").getBytes(StandardCharsets.UTF_8));
    CommandRun b = CommandRun.of("export", bad.toString(), "--out", tmp.resolve("local-seed.pt").toString());
    assertThat(b.code()).as(b.err()).isEqualTo(3);
  }
}
