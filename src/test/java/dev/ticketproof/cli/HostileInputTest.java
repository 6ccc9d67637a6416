package dev.ticketproof.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.io.Fixtures;
import dev.ticketproof.io.Hostile;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and oversized inputs, one test per case: each ends in exit 2 (bad input) or 3 (damaged certificate)
 * with a one-line message naming the input, without a stack trace and without writing anything; or, where the
 * input is valid, it works. The files are made here, small on disk.
 */
class HostileInputTest {
  @TempDir static Path dir;
  static Path ticket;

  record Run(int code, String out, String err) {
    Run expect(int expected, String... fragments) {
      assertThat(code).as("exit code; stderr: %s", err).isEqualTo(expected);
      if (expected != 0) {
        assertThat(err.strip().lines().count()).as("one line: %s", err).isEqualTo(1);
        for (String f : fragments) assertThat(err).contains(f);
      }
      assertThat(err).doesNotContain("\tat ").doesNotContain("Exception in");
      return this;
    }
  }

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  @BeforeAll
  static void certificate() {
    ticket = dir.resolve("small-fc.tpz");
    run("construct", "--target", "builtin:small-fc", "--rho", "15", "--eps", "0.01", "--samples", "2",
        "--no-progress", "--out", ticket.toString())
        .expect(0);
  }

  static String s(Path p) { return p.toString(); }

  // 1: a tiny .pt holding a stride-0 view of billions of elements
  @Test void strideZeroViewOfBillionsOfElements() throws IOException {
    Path huge = Hostile.torchZip(dir.resolve("view.pt"), Hostile.statePickle("0.weight", 1, 0,
        new long[] {46341, 46341}, new long[] {0, 0}), new byte[4], false);
    Path big = Hostile.torchZip(dir.resolve("view2.pt"), Hostile.statePickle("0.weight", 1, 0,
        new long[] {16, 1 << 26}, new long[] {0, 0}), new byte[4], false);
    assertThat(Files.size(huge)).isLessThan(1000);
    run("inspect", s(huge), "--arch", "synflow-conv").expect(2, s(huge), "2147488281 elements");
    run("inspect", s(big), "--arch", "synflow-conv").expect(2, s(big), "tensor '0.weight'", "8589934592 bytes",
        "input limit", "ticketproof.maxInputBytes");
    run("construct", "--target", s(big), "--arch", "synflow-conv").expect(2, s(big), "tensor '0.weight'");
    Path x = dir.resolve("x1.npy");
    Files.write(x, dev.ticketproof.io.Npy.encode(dev.ticketproof.tensor.Tensor.zeros(1, 4), 
        dev.ticketproof.io.DType.FLOAT32));
    Path y = dir.resolve("y1.npy");
    run("eval", "--target", s(big), "--arch", "synflow-conv", "--input", s(x), "--out", s(y))
        .expect(2, s(big), "tensor '0.weight'");
    assertThat(y).doesNotExist();
  }

  // 2: zip bombs: a storage or entry declaring gigabytes; an entry whose header understates what it inflates to
  @Test void zipBombsAreRefusedBeforeInflating() throws IOException {
    Path declared = Hostile.torchZip(dir.resolve("bomb.pt"), Hostile.statePickle("0.weight", 1L << 28, 0,
        new long[] {1L << 28}, new long[] {1}), new byte[16], true);
    run("inspect", s(declared), "--arch", "synflow-conv").expect(2, s(declared), "storage 0", "268435456 float32",
        "input limit");
    Path lying = Hostile.torchZip(dir.resolve("lying.pt"), Hostile.statePickle("0.weight", 4, 0, new long[] {4},
        new long[] {1}), new byte[8 << 20], true);
    Hostile.declareSize(lying, "archive/data/0", 16);
    assertThat(Files.size(lying)).isLessThan(100_000);
    run("inspect", s(lying), "--arch", "synflow-conv").expect(2, s(lying), "archive/data/0",
        "has not the 16 bytes it declares");
    Map<String, byte[]> npz = new LinkedHashMap<>();
    npz.put("w.npy", new byte[1 << 20]);
    Path npzBomb = Hostile.zip(dir.resolve("bomb.npz"), npz);
    Hostile.declareSize(npzBomb, "w.npy", 0xF0000000L);
    run("inspect", s(npzBomb), "--arch", "synflow-conv").expect(2, s(npzBomb), "w.npy", "4026531840");
    Hostile.declareSize(npzBomb, "w.npy", 0x7FFF0000L);
    run("inspect", s(npzBomb), "--arch", "synflow-conv").expect(2, s(npzBomb), "zip entry w.npy",
        "2147418112 bytes", "input limit");
  }

  // 3: JSON nested 10^5 deep in an --arch spec or a .tpz header
  @Test void deeplyNestedJson() throws IOException {
    Path spec = Files.writeString(dir.resolve("deep.json"), "{\"layers\": " + Hostile.deepJson(100_000) + "}");
    run("inspect", Fixtures.path("synflow_conv.pt").toString(), "--arch", s(spec))
        .expect(2, s(spec), "nested deeper than 64");
    Path t = withHeader("deep.tpz", "{\"format\": \"ticketproof-ticket\", \"x\": " + Hostile.deepJson(100_000) + "}");
    run("verify", s(t)).expect(3, s(t), "nested values are not part of a header");
  }

  // 4: shapes whose flattened size overflows int
  @Test void shapesThatOverflowInt() throws IOException {
    String fx = Fixtures.path("synflow_conv.pt").toString();
    run("inspect", fx, "--arch", "synflow-conv", "--input-shape", "2,46341,46341").expect(2, "46341");
    Path plain = Files.writeString(dir.resolve("plain.json"), "{\"layers\": [{\"type\": \"conv2d\", \"name\": \"0\"}]}");
    run("inspect", fx, "--arch", s(plain), "--input-shape", "2,46341,46341").expect(2, "4294976562 values");
    Path spec = Files.writeString(dir.resolve("big-input.json"), "{\"input\": [1048576, 1048576, 1048576], "
        + "\"layers\": [{\"type\": \"conv2d\", \"name\": \"0\"}]}");
    run("inspect", fx, "--arch", s(spec)).expect(2, s(spec), "values per example");
    Path pad = Files.writeString(dir.resolve("pad.json"), "{\"input\": [2, 5, 5], \"layers\": [{\"type\": "
        + "\"conv2d\", \"name\": \"0\", \"padding\": 1048576}]}");
    run("inspect", fx, "--arch", s(pad)).expect(2, s(pad), "layer 0");
  }

  // 5: huge input shapes in construct
  @Test void hugeInputShapesInConstruct() throws IOException {
    Path spec = Files.writeString(dir.resolve("wide.json"), "{\"input\": [2, 32768, 32768], \"layers\": "
        + "[{\"type\": \"conv2d\", \"name\": \"0\"}]}");
    run("construct", "--target", Fixtures.path("synflow_conv.pt").toString(), "--arch", s(spec))
        .expect(2, s(spec), "values per example");
    String resnet = Fixtures.path("openlth_resnet.pt").toString();
    run("construct", "--target", resnet, "--arch", "openlth-cifar-resnet", "--input-shape", "3,4096,4096")
        .expect(2, "--samples 16", "input limit");
    run("construct", "--target", resnet, "--arch", "openlth-cifar-resnet", "--input-shape", "3,1024,1024",
        "--samples", "1").expect(2, "measuring on 1 example(s) of shape [3, 1024, 1024]", "--samples 0");
    run("construct", "--target", resnet, "--arch", "openlth-cifar-resnet", "--input-shape", "3,8192,8192",
        "--samples", "0").expect(2, "values per example");
  }

  // 6: --input-box , and ,,
  @Test void emptyInputBox() {
    for (String box : new String[] {",", ",,", "", "1", "0,1,2", "1,0", "nan,1"}) {
      run("construct", "--target", "builtin:small-fc", "--input-box", box).expect(2, "--input-box");
    }
  }

  // 7: --threads 100000
  @Test void absurdThreadCounts() {
    run("construct", "--target", "builtin:small-fc", "--threads", "100000").expect(2, "--threads must be in [1, ");
    run("construct", "--target", "builtin:small-fc", "--threads", "0").expect(2, "--threads");
    // report's construction sweeps take the same limit, refused before the output directory is made
    Path figures = dir.resolve("threads-figures");
    run("report", "--quick", "--only", "activations", "--out", s(figures), "--no-progress", "--threads", "100000")
        .expect(2, "--threads must be in [1, ");
    run("report", "--quick", "--only", "activations", "--out", s(figures), "--no-progress", "--threads", "0")
        .expect(2, "--threads must be in [1, ");
    assertThat(figures).doesNotExist();
  }

  // 8: --samples 100000000 (construct, verify)
  @Test void samplesBeyondMemory() {
    run("construct", "--target", "builtin:small-fc", "--samples", "2000000000").expect(2, "--samples 2000000000",
        "input limit");
    run("verify", s(ticket), "--samples", "2000000000").expect(2, "--samples 2000000000");
    run("verify", s(ticket), "--samples", "-1").expect(2, "--samples");
  }

  // 9: --out naming a FIFO, a directory or a device
  @Test void outputsThatAreNotRegularFiles() throws Exception {
    Path fifo = dir.resolve("fifo");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(p.waitFor()).isZero();
    run("construct", "--target", "builtin:small-fc", "--out", s(fifo)).expect(2, s(fifo), "not a regular file");
    assertThat(Files.isRegularFile(fifo)).isFalse();
    assertThat(Files.exists(fifo)).isTrue();
    Path x = dir.resolve("x9.npy");
    Files.write(x, dev.ticketproof.io.Npy.encode(dev.ticketproof.tensor.Tensor.zeros(1, 2, 5, 5),
        dev.ticketproof.io.DType.FLOAT32));
    run("eval", "--target", Fixtures.path("synflow_conv.pt").toString(), "--arch", "synflow-conv", "--activation",
        "relu", "--input", s(x), "--out", s(fifo)).expect(2, s(fifo), "not a regular file");
    run("construct", "--target", "builtin:small-fc", "--out", s(dir)).expect(2, "is a directory");
    // A device: only the check runs (it opens nothing); if it wrongly passed, nothing would be written here.
    Path dev = Path.of("/dev/null");
    if (Files.exists(dev)) {
      assertThat(Files.isRegularFile(dev)).isFalse();
      assertThatThrownBy(() -> SafeOutput.check(dev, "--out")).isInstanceOf(UsageError.class)
          .hasMessageContaining("not a regular file");
    }
  }

  // 10: .tpz bombs: a huge header; a mask declaring a billion entries
  @Test void certificateBombs() throws IOException {
    Path spaces = withHeader("spaces.tpz", " ".repeat(2 << 20) + "{}");
    run("verify", s(spaces)).expect(2, s(spaces), "header.json", "declares 2097154 bytes", "input limit");
    Path big = withHeader("bighdr.tpz", "{}");
    Hostile.declareSize(big, "header.json", 3_000_000_000L);
    run("verify", s(big)).expect(2, s(big), "header.json", "3000000000");
    Map<String, byte[]> e = entries(ticket);
    e.put("mask.bin", new byte[] {1, (byte) 0x80, (byte) 0xa8, (byte) 0xd6, (byte) 0x8b, 4, 0});
    Path mask = Hostile.zip(dir.resolve("mask.tpz"), e);
    run("verify", s(mask)).expect(3, s(mask), "mask.bin");
    Map<String, byte[]> m = entries(ticket);
    m.put("mask.bin", new byte[4 << 20]);
    Path declared = Hostile.zip(dir.resolve("mask2.tpz"), m);
    Hostile.declareSize(declared, "mask.bin", 0xF0000000L);
    run("verify", s(declared)).expect(2, s(declared), "mask.bin", "4026531840");
  }

  // 11: documented-valid values that would never finish are refused up front
  @Test void tolerancesBelowWhatDoublesResolve() {
    long t0 = System.nanoTime();
    run("construct", "--target", "builtin:small-fc", "--eps", "1e-300", "--rho", "24")
        .expect(2, "--eps 1.00000e-300", "below what doubles resolve", "48 candidates");
    run("subset-sum", "stats", "--n", "62", "--eps", "1e-300").expect(2, "below what doubles resolve");
    assertThat(Cli.minResolvableEps(62)).isLessThan(1e-12);
    run("subset-sum", "stats", "--n", "4", "--eps", "1e-12", "--trials", "100").expect(0);
    assertThat((System.nanoTime() - t0) / 1e9).as("refused up front, not after a search").isLessThan(60);
  }

  // 12: a damaged header whose target is null, missing or unknown: rejected (3), not a usage error
  @Test void damagedTargetIsRejected() throws IOException {
    String header = new String(entries(ticket).get("header.json"), StandardCharsets.UTF_8);
    String[] damaged = {header.replace("\"builtin:small-fc\"", "null"),
        header.replaceAll("\"target\": \"builtin:small-fc\",", ""),
        header.replace("builtin:small-fc", "builtin:nope")};
    for (int i = 0; i < damaged.length; i++) {
      assertThat(damaged[i]).isNotEqualTo(header);
      Path t = withHeader("target" + i + ".tpz", damaged[i]);
      run("verify", s(t)).expect(3, s(t), "rejected");
    }
  }

  // 13: --upto on a ResNet
  @Test void uptoOnAResidualNetwork() {
    Path out = dir.resolve("upto.tpz");
    run("construct", "--target", "builtin:small-resnet", "--upto", "conv", "--samples", "4", "--no-progress",
        "--out", s(out)).expect(0);
    run("verify", s(out), "--samples", "4", "--no-progress").expect(0);
    run("construct", "--target", "builtin:small-resnet", "--upto", "blocks.0.conv1", "--no-progress")
        .expect(2, "--upto");
  }

  // 14: a stride-2 model read with a stride-1 preset
  @Test void presetRefusesTensorsOfADownsamplingModel() throws IOException {
    // conv 2->3 (3x3) then linear over 3 x 4 x 4 features: a stride-2 conv on 8 x 8 inputs
    Map<String, byte[]> npz = new LinkedHashMap<>();
    npz.put("0.weight.npy", npy(new int[] {3, 2, 3, 3}));
    npz.put("2.weight.npy", npy(new int[] {5, 48}));
    Path model = Hostile.zip(dir.resolve("stride2.npz"), npz);
    run("construct", "--target", s(model), "--arch", "synflow-conv", "--input-shape", "2,8,8")
        .expect(2, "synflow-conv", s(model), "4 times fewer", "stride-2");
    Path x = dir.resolve("x14.npy");
    Files.write(x, dev.ticketproof.io.Npy.encode(dev.ticketproof.tensor.Tensor.zeros(1, 2, 8, 8),
        dev.ticketproof.io.DType.FLOAT32));
    run("eval", "--target", s(model), "--arch", "synflow-conv", "--activation", "relu", "--input", s(x), "--out",
        s(dir.resolve("y14.npy"))).expect(2, "4 times fewer");
  }

  // 15: eval --out equal to --input
  @Test void outputThatIsAnInput() throws IOException {
    Path x = dir.resolve("x15.npy");
    Files.write(x, dev.ticketproof.io.Npy.encode(dev.ticketproof.tensor.Tensor.zeros(1, 2, 5, 5),
        dev.ticketproof.io.DType.FLOAT32));
    byte[] before = Files.readAllBytes(x);
    run("eval", "--target", Fixtures.path("synflow_conv.pt").toString(), "--arch", "synflow-conv", "--activation",
        "relu", "--input", s(x), "--out", s(x)).expect(2, s(x), "also an input");
    Path alias = dir.resolve("alias.npy");
    Files.createSymbolicLink(alias, x);
    run("eval", "--target", Fixtures.path("synflow_conv.pt").toString(), "--arch", "synflow-conv", "--activation",
        "relu", "--input", s(alias), "--out", s(dir.resolve("./x15.npy"))).expect(2, "also an input");
    assertThat(Files.readAllBytes(x)).isEqualTo(before);
    Path y = dir.resolve("y15.npy");
    run("eval", "--target", Fixtures.path("synflow_conv.pt").toString(), "--arch", "synflow-conv", "--activation",
        "relu", "--input", s(x), "--out", s(y)).expect(0);
    assertThat(Files.getPosixFilePermissions(y)).as("umask mode, not 0600")
        .isEqualTo(Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain"))));
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  // 16: non-strict JSON in a spec; non-integers in a certificate
  @Test void strictJson() throws IOException {
    String fx = Fixtures.path("synflow_conv.pt").toString();
    String good = Files.readString(Fixtures.path("synflow_conv.json"));
    run("inspect", fx, "--arch", Fixtures.path("synflow_conv.json").toString()).expect(0);
    String[] bad = {"// comment\n" + good, good.replaceFirst("\"input\"", "'input'"),
        good.replaceFirst("\\{", "{\"input\": [1, 2, 3], "), good + " {}"};
    String[] why = {"not valid JSON", "not valid JSON", "duplicate key \"input\"", "not valid JSON"};
    for (int i = 0; i < bad.length; i++) {
      Path spec = Files.writeString(dir.resolve("bad" + i + ".json"), bad[i]);
      run("inspect", fx, "--arch", s(spec)).expect(2, s(spec), why[i]);
    }
    String header = new String(entries(ticket).get("header.json"), StandardCharsets.UTF_8);
    String[] damaged = {header.replace("\"seed\": 1,", "\"seed\": 1.5,"),
        header.replaceFirst("\"version\": (\\d+),", "\"version\": $1.5,"), header.replace("\"rho\": 15,", "\"rho\": 1e30,"),
        header.replace("\"seed\": 1,", "\"seed\": 1, \"seed\": 2,"), header.replace("\"rho\": 15,", "\"rho\": \"15\",")};
    for (int i = 0; i < damaged.length; i++) {
      assertThat(damaged[i]).isNotEqualTo(header);
      Path t = withHeader("int" + i + ".tpz", damaged[i]);
      run("verify", s(t)).expect(3, s(t), "header.json");
    }
  }

  static byte[] npy(int[] shape) {
    return dev.ticketproof.io.Npy.encode(dev.ticketproof.tensor.Tensor.zeros(shape), dev.ticketproof.io.DType.FLOAT32);
  }

  static Map<String, byte[]> entries(Path zip) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ZipFile z = new ZipFile(zip.toFile())) {
      for (var e = z.entries(); e.hasMoreElements();) {
        ZipEntry entry = e.nextElement();
        try (var in = z.getInputStream(entry)) {
          out.put(entry.getName(), in.readAllBytes());
        }
      }
    }
    return out;
  }

  /** A copy of the test certificate with another header.json. */
  static Path withHeader(String name, String header) throws IOException {
    Map<String, byte[]> e = entries(ticket);
    e.put("header.json", header.getBytes(StandardCharsets.UTF_8));
    return Hostile.zip(dir.resolve(name), e);
  }
}
