package dev.ticketproof.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.cli.Main;
import dev.ticketproof.io.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded mutational fuzzer over every reader the command line exposes: PyTorch files (zip and legacy), NumPy
 * {@code .npy}/{@code .npz}, architecture specs and ticket certificates. Each case mutates a valid file (bit flips,
 * interesting bytes, truncations, splices of its own or another file's bytes; for zip archives, often one entry's
 * content, re-zipped with a valid CRC so the mutation reaches the parser behind it) and runs the command that reads
 * it. Invariant: exit 0, 2 or 3; no stack trace on stderr; at most {@link #MAX_SECONDS} per case; nothing written
 * by a run that failed (no output file, no temporary file).
 *
 * <p>A few hundred cases run by default; {@code -Pslow} runs {@value #SLOW_CASES}. The seed is
 * {@code -Dfuzz.seed=N} (default {@value #SEED}); a failure prints the seed, the case number and the mutated file.
 */
class FuzzTest {
  static final long SEED = 20260601L;
  static final int SLOW_CASES = 10_000;
  static final double MAX_SECONDS = 10;

  @TempDir Path dir;

  /** A valid input and the command that reads it ({@code FILE} stands for the mutated copy, {@code OUT} for an output). */
  record Seed(String name, byte[] bytes, String suffix, String... command) {}

  @Test
  void readersSurviveAFewHundredMutations() throws IOException {
    run(400);
  }

  @Test
  @Tag("slow")
  void readersSurviveTenThousandMutations() throws IOException {
    run(SLOW_CASES);
  }

  private void run(int cases) throws IOException {
    long seed = Long.getLong("fuzz.seed", SEED);
    List<Seed> seeds = seeds();
    SplittableRandom rnd = new SplittableRandom(seed);
    int[] exits = new int[4];
    double slowest = 0;
    for (int c = 0; c < cases; c++) {
      Seed s = seeds.get(rnd.nextInt(seeds.size()));
      byte[] mutated = mutate(s, seeds, rnd);
      Path file = dir.resolve("case" + s.suffix());
      Files.write(file, mutated);
      Path out = dir.resolve("out.npy");
      Files.deleteIfExists(out);
      String[] args = Stream.of(s.command()).map(a -> a.equals("FILE") ? file.toString()
          : a.equals("OUT") ? out.toString() : a).toArray(String[]::new);
      StringWriter o = new StringWriter();
      StringWriter e = new StringWriter();
      long t0 = System.nanoTime();
      int code = Main.run(new PrintWriter(o), new PrintWriter(e), args);
      double seconds = (System.nanoTime() - t0) / 1e9;
      slowest = Math.max(slowest, seconds);
      boolean leftovers;
      try (Stream<Path> files = Files.list(dir)) {
        leftovers = files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp"));
      }
      String err = e.toString();
      boolean ok = (code == 0 || code == 2 || code == 3) && !err.contains("\tat ") && !err.contains("Caused by")
          && !err.contains("Exception in thread") && seconds <= MAX_SECONDS && (code == 0 || !Files.exists(out))
          && !leftovers;
      String what = String.format(Locale.ROOT, "fuzz seed %d, case %d, %s mutated (%d bytes%s): %s", seed, c,
          s.name(), mutated.length, ok ? "" : ", kept at " + keep(file, c), String.join(" ", args));
      assertThat(code).as("%s%nexit code; stderr: %s", what, err).isIn(0, 2, 3);
      assertThat(err).as("%s%nno stack trace", what).doesNotContain("\tat ").doesNotContain("Caused by")
          .doesNotContain("Exception in thread");
      assertThat(seconds).as("%s%nseconds", what).isLessThanOrEqualTo(MAX_SECONDS);
      if (code != 0) assertThat(out).as("%s%nno output after a failure", what).doesNotExist();
      assertThat(leftovers).as("%s%nno temporary file left", what).isFalse();
      exits[code]++;
    }
    System.out.printf(Locale.ROOT, "fuzz: seed %d, %d cases: exit 0 %d, exit 2 %d, exit 3 %d; slowest %.2f s%n", seed,
        cases, exits[0], exits[2], exits[3], slowest);
  }

  /** Copies a failing case's file where it can be found (the temporary directory is deleted afterwards). */
  private static Path keep(Path file, int c) {
    Path kept = Path.of(System.getProperty("java.io.tmpdir"), "fuzz-case-" + c + file.getFileName().toString()
        .replace("case", ""));
    try {
      Files.copy(file, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException x) {
      throw new java.io.UncheckedIOException(x);
    }
    return kept;
  }

  private List<Seed> seeds() throws IOException {
    String pt = Fixtures.path("synflow_conv.pt").toString();
    List<Seed> seeds = new ArrayList<>();
    for (String f : new String[] {"synflow_conv.pt", "synflow_conv_legacy.pt", "synflow_conv.npz", "dtypes.pt",
        "openlth_resnet.pt"}) {
      String arch = f.startsWith("openlth") ? "openlth-cifar-resnet" : "synflow-conv";
      seeds.add(new Seed(f, Files.readAllBytes(Fixtures.path(f)), f.substring(f.lastIndexOf('.')), "inspect",
          "FILE", "--arch", arch));
    }
    seeds.add(new Seed("np_f32.npy", Files.readAllBytes(Fixtures.path("np_f32.npy")), ".npy", "inspect", "FILE",
        "--arch", "synflow-conv"));
    seeds.add(new Seed("synflow_conv_input.npy", Files.readAllBytes(Fixtures.path("synflow_conv_input.npy")),
        ".npy", "eval", "--target", pt, "--arch", "synflow-conv", "--activation", "relu", "--input", "FILE", "--out",
        "OUT"));
    for (String f : new String[] {"synflow_conv.json", "openlth_resnet.json"}) {
      String target = Fixtures.path(f.replace(".json", ".pt")).toString();
      seeds.add(new Seed(f, Files.readAllBytes(Fixtures.path(f)), ".json", "inspect", target, "--arch", "FILE"));
    }
    Path ticket = dir.resolve("seed.tpz");
    int code = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), "construct",
        "--target", "builtin:small-fc", "--rho", "6", "--eps", "0.1", "--samples", "2", "--no-progress", "--out",
        ticket.toString());
    assertThat(code).isZero();
    seeds.add(new Seed("small-fc.tpz", Files.readAllBytes(ticket), ".tpz", "verify", "FILE", "--samples", "2",
        "--no-progress"));
    return seeds;
  }

  // ---- mutations ----------------------------------------------------------------------------------------------

  static byte[] mutate(Seed s, List<Seed> seeds, SplittableRandom rnd) {
    byte[] b = s.bytes();
    boolean zip = b.length > 4 && b[0] == 'P' && b[1] == 'K';
    if (zip && rnd.nextInt(3) > 0) {
      Map<String, byte[]> entries = unzip(b);
      if (!entries.isEmpty()) {
        List<String> names = new ArrayList<>(entries.keySet());
        String name = names.get(rnd.nextInt(names.size()));
        entries.put(name, mutateBytes(entries.get(name), seeds, rnd));
        return rezip(entries, rnd.nextBoolean());
      }
    }
    return mutateBytes(b, seeds, rnd);
  }

  static byte[] mutateBytes(byte[] in, List<Seed> seeds, SplittableRandom rnd) {
    byte[] b = in.clone();
    int rounds = 1 + rnd.nextInt(4);
    for (int r = 0; r < rounds; r++) {
      switch (rnd.nextInt(6)) {
        case 0 -> { // bit flips
          for (int k = 1 + rnd.nextInt(8); k > 0 && b.length > 0; k--) b[rnd.nextInt(b.length)] ^= 1 << rnd.nextInt(8);
        }
        case 1 -> { // interesting bytes
          byte[] v = {0, (byte) 0xff, 0x7f, (byte) 0x80, 1, '[', '{', '"', '9', ' '};
          for (int k = 1 + rnd.nextInt(4); k > 0 && b.length > 0; k--) b[rnd.nextInt(b.length)] = v[rnd.nextInt(v.length)];
        }
        case 2 -> { // truncation
          if (b.length > 0) b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
        }
        case 3 -> { // splice: a chunk of this or another seed inserted at a random place
          byte[] from = rnd.nextBoolean() ? b : seeds.get(rnd.nextInt(seeds.size())).bytes();
          if (from.length == 0) break;
          int start = rnd.nextInt(from.length);
          int len = Math.min(from.length - start, 1 + rnd.nextInt(64));
          int at = b.length == 0 ? 0 : rnd.nextInt(b.length + 1);
          ByteArrayOutputStream o = new ByteArrayOutputStream();
          o.write(b, 0, at);
          o.write(from, start, len);
          o.write(b, at, b.length - at);
          b = o.toByteArray();
        }
        case 4 -> { // delete a chunk
          if (b.length < 2) break;
          int at = rnd.nextInt(b.length);
          int len = Math.min(b.length - at, 1 + rnd.nextInt(16));
          byte[] o = new byte[b.length - len];
          System.arraycopy(b, 0, o, 0, at);
          System.arraycopy(b, at + len, o, at, b.length - at - len);
          b = o;
        }
        default -> { // a 4- or 8-byte little-endian integer overwritten with an extreme value
          if (b.length < 8) break;
          int at = rnd.nextInt(b.length - 7);
          long[] v = {0, -1, Integer.MAX_VALUE, 1L << 31, 1L << 32, Long.MAX_VALUE, 1L << 40};
          long x = v[rnd.nextInt(v.length)];
          int n = rnd.nextBoolean() ? 4 : 8;
          for (int i = 0; i < n; i++) b[at + i] = (byte) (x >>> (8 * i));
        }
      }
    }
    return b;
  }

  static Map<String, byte[]> unzip(byte[] b) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ZipInputStream z = new ZipInputStream(new java.io.ByteArrayInputStream(b))) {
      for (ZipEntry e = z.getNextEntry(); e != null; e = z.getNextEntry()) out.put(e.getName(), z.readAllBytes());
    } catch (IOException e) {
      return Map.of();
    }
    return out;
  }

  static byte[] rezip(Map<String, byte[]> entries, boolean stored) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      for (var e : entries.entrySet()) {
        ZipEntry entry = new ZipEntry(e.getKey());
        if (stored) {
          entry.setMethod(ZipEntry.STORED);
          entry.setSize(e.getValue().length);
          CRC32 crc = new CRC32();
          crc.update(e.getValue());
          entry.setCrc(crc.getValue());
        }
        z.putNextEntry(entry);
        z.write(e.getValue());
        z.closeEntry();
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
