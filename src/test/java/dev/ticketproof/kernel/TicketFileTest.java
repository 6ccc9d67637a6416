package dev.ticketproof.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.ticketproof.io.TicketWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code .tpz} format: exact round trips, and every kind of damage named (never an unchecked exception). */
class TicketFileTest {
  @TempDir Path dir;

  static final int[][] WEIGHTS = {{0, 1, 127, 128, 16_511, Integer.MAX_VALUE}, {}, {5}};
  static final int[][] BIASES = {{}, {0, 3, 300}, {}};

  static TicketCertificate.Header header(String upto, String around, double radius, double claim) {
    return new TicketCertificate.Header(2, "builtin:t", "ab", "leaky-relu(0.25)", "l+1", 3, 6, 0.5, -7L, -1.5, 2,
        upto, 0.01, claim, TicketWriter.maskDigest(WEIGHTS, BIASES), 4, around, radius,
        TicketCertificate.DEFAULT_FORM_BUDGET, TicketCertificate.DEFAULT_SUBSTITUTION_WORK, null);
  }

  static TicketCertificate cert(TicketCertificate.Header h) {
    return new TicketCertificate(h, WEIGHTS, BIASES, TicketWriter.maskDigest(WEIGHTS, BIASES));
  }

  /** The canonical encoding of a mask: the content of {@code mask.bin}. */
  static byte[] encode(int[][] weights, int[][] biases) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TicketWriter.writeMask(weights, biases, out);
    return out.toByteArray();
  }

  Path write(TicketCertificate c, String name) throws IOException {
    Path p = dir.resolve(name);
    try (OutputStream os = Files.newOutputStream(p)) {
      TicketWriter.write(c, os);
    }
    return p;
  }

  /** A zip with the given entries (name, content), null content meaning absent. */
  Path zip(String name, String header, byte[] mask) throws IOException {
    Path p = dir.resolve(name);
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
      if (header != null) {
        z.putNextEntry(new ZipEntry("header.json"));
        z.write(header.getBytes(StandardCharsets.UTF_8));
      }
      if (mask != null) {
        z.putNextEntry(new ZipEntry("mask.bin"));
        z.write(mask);
      }
    }
    return p;
  }

  /** The members of a header as written (non-finite numbers as strings), in order. */
  static Map<String, Object> members(TicketCertificate.Header h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", "ticketproof-ticket");
    m.put("version", h.version());
    m.put("target", h.target());
    m.put("targetSha256", h.targetSha256());
    m.put("activation", h.activation());
    m.put("construction", h.construction());
    m.put("rho", h.rho());
    m.put("rho1", h.rho1());
    m.put("lambda", h.lambda());
    m.put("seed", h.seed());
    m.put("inputLow", h.inputLow());
    m.put("inputHigh", h.inputHigh());
    m.put("upto", h.upto());
    m.put("eps", h.eps());
    m.put("claimedBound", h.claimedBound());
    m.put("maskSha256", h.maskSha256());
    m.put("claimedFailedInstances", h.claimedFailedInstances());
    return m;
  }

  /** The JSON text of a header's members after a change (Gson, as the writer uses). */
  static String headerText(TicketCertificate.Header h, Consumer<Map<String, Object>> change) {
    Map<String, Object> m = members(h);
    change.accept(m);
    JsonObject o = new JsonObject();
    for (Map.Entry<String, Object> e : m.entrySet()) {
      Object v = e.getValue();
      if (v instanceof Number n) o.addProperty(e.getKey(), n);
      else if (v instanceof Boolean b) o.addProperty(e.getKey(), b);
      else if (v != null) o.addProperty(e.getKey(), (String) v);
    }
    return new GsonBuilder().setPrettyPrinting().create().toJson(o);
  }

  static void equal(TicketCertificate a, TicketCertificate b) {
    assertThat(b.header()).isEqualTo(a.header());
    assertThat(b.keptWeights()).isDeepEqualTo(a.keptWeights());
    assertThat(b.keptBiases()).isDeepEqualTo(a.keptBiases());
    assertThat(b.maskDigest()).isEqualTo(a.maskDigest());
  }

  @Test
  void roundTripsAreExactAndWritingIsDeterministic() throws Exception {
    for (TicketCertificate c : new TicketCertificate[] {cert(header(null, null, Double.NaN, 0.125)),
        cert(header("2", "cd", 0.25, Double.POSITIVE_INFINITY)), cert(header("x", null, Double.NaN, Double.NaN))}) {
      Path p = write(c, "a.tpz");
      equal(c, TicketFile.read(p));
      ByteArrayOutputStream again = new ByteArrayOutputStream();
      TicketWriter.write(c, again);
      assertThat(again.toByteArray()).isEqualTo(Files.readAllBytes(p));
    }
  }

  @Test
  void theDigestIsOfTheBytesDecoded() throws Exception {
    byte[] canonical = encode(WEIGHTS, BIASES);
    TicketCertificate.Header h = header(null, null, Double.NaN, 1);
    TicketCertificate c = TicketFile.read(zip("c.tpz", headerText(h, m -> { }), canonical));
    assertThat(c.maskDigest()).isEqualTo(sha256(canonical)).isEqualTo(h.maskSha256());
    // the layer count 3 as a two-byte varint: the same mask, other bytes, another digest
    byte[] other = new byte[canonical.length + 1];
    other[0] = (byte) 0x83;
    System.arraycopy(canonical, 1, other, 2, canonical.length - 1);
    TicketCertificate o = TicketFile.read(zip("o.tpz", headerText(h, m -> { }), other));
    assertThat(o.keptWeights()).isDeepEqualTo(WEIGHTS);
    assertThat(o.keptBiases()).isDeepEqualTo(BIASES);
    assertThat(o.maskDigest()).isEqualTo(sha256(other)).isNotEqualTo(h.maskSha256());
  }

  static String sha256(byte[] bytes) throws Exception {
    return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void missingOrForeignFilesAreNamed() throws Exception {
    Path none = dir.resolve("none.tpz");
    assertThatThrownBy(() -> TicketFile.read(none)).isInstanceOf(IOException.class)
        .hasMessageContaining("no such readable file");
    Path text = dir.resolve("text.tpz");
    Files.writeString(text, "not a zip");
    assertThatThrownBy(() -> TicketFile.read(text)).isInstanceOf(TicketFile.Unreadable.class)
        .hasMessageContaining("not a readable ticket archive");
    String h = headerText(header(null, null, Double.NaN, 1), m -> { });
    assertThatThrownBy(() -> TicketFile.read(zip("nomask.tpz", h, null)))
        .isInstanceOf(TicketFile.Unreadable.class).hasMessageContaining("lacks mask.bin");
    assertThatThrownBy(() -> TicketFile.read(zip("noheader.tpz", null, encode(WEIGHTS, BIASES))))
        .isInstanceOf(TicketFile.Unreadable.class).hasMessageContaining("lacks header.json");
  }

  /** A header.json of {@code MAX_HEADER_BYTES} is read; one byte more is refused as too large, naming the file. */
  @Test
  void aHeaderAboveItsLimitIsTooLarge() throws Exception {
    String h = headerText(header(null, null, Double.NaN, 1), m -> { });
    int pad = TicketFile.MAX_HEADER_BYTES - h.getBytes(StandardCharsets.UTF_8).length;
    Path most = zip("most.tpz", h + " ".repeat(pad), encode(WEIGHTS, BIASES));
    assertThat(TicketFile.read(most).keptWeights()).isDeepEqualTo(WEIGHTS);
    Path over = zip("over.tpz", h + " ".repeat(pad + 1), encode(WEIGHTS, BIASES));
    assertThatThrownBy(() -> TicketFile.read(over)).isInstanceOf(TicketFile.TooLarge.class)
        .hasMessageContaining(over.toString()).hasMessageContaining("entry header.json declares 1048577 bytes");
  }

  void malformed(String header, String message) throws IOException {
    Path p = zip("bad.tpz", header, encode(WEIGHTS, BIASES));
    assertThatThrownBy(() -> TicketFile.read(p)).isInstanceOf(TicketFile.Unreadable.class)
        .hasMessageContaining("malformed header.json").hasMessageContaining(message);
  }

  @Test
  void malformedHeadersAreNamed() throws Exception {
    TicketCertificate.Header h = header(null, null, Double.NaN, 1);
    malformed(headerText(h, m -> m.put("format", "other")), "not a ticketproof ticket header");
    malformed(headerText(h, m -> m.remove("format")), "not a ticketproof ticket header");
    malformed(headerText(h, m -> m.put("rho", new BigDecimal("1.5"))), "rho: expected an integer in");
    malformed(headerText(h, m -> m.put("rho", new BigDecimal("3000000000"))), "rho: expected an integer in ["
        + Integer.MIN_VALUE + ", " + Integer.MAX_VALUE + "], got 3000000000");
    malformed(headerText(h, m -> m.put("rho", new BigDecimal("-3000000000"))), "got -3000000000");
    malformed(headerText(h, m -> m.put("seed", new BigDecimal("1e30"))), "seed: expected an integer in");
    malformed(headerText(h, m -> m.put("seed", new BigDecimal("99999999999999999999"))), "seed: expected an integer");
    malformed(headerText(h, m -> m.put("rho", "3")), "rho: expected an integer");
    malformed(headerText(h, m -> m.remove("eps")), "missing eps");
    malformed(headerText(h, m -> m.put("eps", "small")), "eps: expected a number, got small");
    malformed(headerText(h, m -> m.put("eps", true)), "eps: expected a number, got true");
    malformed(headerText(h, m -> m.put("activation", new BigDecimal(3))), "activation: expected a string, got 3");
    malformed("{", "expected '\"'");
  }

  @Test
  void integerFieldsTakeTheirWholeRange() throws Exception {
    // the largest seed, an exponent that still names an integer, and zero written with a scale
    TicketCertificate.Header h = header(null, null, Double.NaN, 1);
    String text = headerText(h, m -> {
      m.put("seed", new BigDecimal(Long.MAX_VALUE));
      m.put("rho", new BigDecimal("3.0E+0"));
      m.put("claimedFailedInstances", new BigDecimal("0E+30"));
    });
    TicketCertificate c = TicketFile.read(zip("big.tpz", text, encode(WEIGHTS, BIASES)));
    assertThat(c.header().seed()).isEqualTo(Long.MAX_VALUE);
    assertThat(c.header().rho()).isEqualTo(3);
    assertThat(c.header().claimedFailedInstances()).isZero();
  }

  static String headerOf(Path tpz) throws IOException {
    try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(tpz.toFile())) {
      return new String(z.getInputStream(z.getEntry("header.json")).readAllBytes(),
          java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Test
  void theFormBudgetIsWrittenWhenNotTheDefaultAndReadBack() throws Exception {
    TicketCertificate.Header h = header(null, "cd", 0.25, 1);
    TicketCertificate.Header big = new TicketCertificate.Header(h.version(), h.target(), h.targetSha256(),
        h.activation(), h.construction(), h.rho(), h.rho1(), h.lambda(), h.seed(), h.inputLow(), h.inputHigh(),
        h.upto(), h.eps(), h.claimedBound(), h.maskSha256(), h.claimedFailedInstances(), h.aroundSha256(),
        h.radius(), 1L << 26, TicketCertificate.DEFAULT_SUBSTITUTION_WORK, null);
    TicketCertificate c = cert(big);
    Path p = write(c, "budget.tpz");
    equal(c, TicketFile.read(p));
    assertThat(headerOf(p)).contains("\"formBudget\": 67108864");
    Path d = write(cert(h), "default.tpz");
    assertThat(headerOf(d)).doesNotContain("formBudget");
    assertThat(TicketFile.read(d).header().formBudget()).isEqualTo(TicketCertificate.DEFAULT_FORM_BUDGET);
    malformed(headerText(h, m -> m.put("formBudget", new BigDecimal(0))), "formBudget: expected an integer in [1, ");
    malformed(headerText(h, m -> m.put("formBudget", "64M")), "formBudget: expected an integer");
  }

  @Test
  void theSubstitutionWorkIsWrittenWhenNotTheDefaultAndReadBack() throws Exception {
    TicketCertificate.Header h = header(null, "cd", 0.25, 1);
    TicketCertificate.Header more = new TicketCertificate.Header(h.version(), h.target(), h.targetSha256(),
        h.activation(), h.construction(), h.rho(), h.rho1(), h.lambda(), h.seed(), h.inputLow(), h.inputHigh(),
        h.upto(), h.eps(), h.claimedBound(), h.maskSha256(), h.claimedFailedInstances(), h.aroundSha256(),
        h.radius(), h.formBudget(), 5e10, null);
    TicketCertificate c = cert(more);
    Path p = write(c, "work.tpz");
    equal(c, TicketFile.read(p));
    assertThat(TicketFile.read(p).header().substitutionWork()).isEqualTo(5e10);
    assertThat(headerOf(p)).contains("\"substitutionWork\": 5.0E10");
    Path d = write(cert(h), "default-work.tpz");
    assertThat(headerOf(d)).doesNotContain("substitutionWork");
    assertThat(TicketFile.read(d).header().substitutionWork())
        .isEqualTo(TicketCertificate.DEFAULT_SUBSTITUTION_WORK);
    malformed(headerText(h, m -> m.put("substitutionWork", new BigDecimal(-1))),
        "substitutionWork: expected a finite number >= 0");
    malformed(headerText(h, m -> m.put("substitutionWork", "Infinity")),
        "substitutionWork: expected a finite number >= 0");
    malformed(headerText(h, m -> m.put("substitutionWork", "5e10")), "substitutionWork: expected a number");
  }

  @Test
  void nonFiniteNumbersAreReadFromTheirStrings() throws Exception {
    TicketCertificate.Header h = header(null, null, Double.NaN, 1);
    String text = headerText(h, m -> {
      m.put("claimedBound", "Infinity");
      m.put("inputLow", "-Infinity");
      m.put("eps", "NaN");
      m.put("aroundSha256", "cd");
      m.put("radius", 0.5);
    });
    TicketCertificate c = TicketFile.read(zip("inf.tpz", text, encode(WEIGHTS, BIASES)));
    assertThat(c.header().claimedBound()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(c.header().inputLow()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(c.header().eps()).isNaN();
    assertThat(c.header().local()).isTrue();
    assertThat(c.header().radius()).isEqualTo(0.5);
    // without aroundSha256 a radius is not read
    TicketCertificate box = TicketFile.read(zip("box.tpz", headerText(h, m -> m.put("radius", 0.5)),
        encode(WEIGHTS, BIASES)));
    assertThat(box.header().radius()).isNaN();
  }

  void damaged(byte[] mask, String message) throws IOException {
    String h = headerText(header(null, null, Double.NaN, 1), m -> { });
    Path p = zip("damaged.tpz", h, mask);
    assertThatThrownBy(() -> TicketFile.read(p)).isInstanceOf(TicketFile.Unreadable.class)
        .hasMessageContaining("damaged mask.bin").hasMessageContaining(message);
  }

  @Test
  void damagedMasksAreNamed() throws Exception {
    byte[] good = encode(WEIGHTS, BIASES);
    byte[] trailing = java.util.Arrays.copyOf(good, good.length + 2);
    damaged(trailing, "2 trailing bytes");
    damaged(java.util.Arrays.copyOf(good, good.length - 1), "truncated");
    // one layer with one weight whose varint never ends (ten continuation bytes)
    byte[] endless = {1, 1, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
        (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80};
    damaged(endless, "varint too long");
    // more layers than bytes
    damaged(new byte[] {5}, "out of range");
    // a bias gap of 2^31, beyond the largest an index may take
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {1, 0, 1, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08});
    damaged(b.toByteArray(), "value 2147483648 out of range");
    // bias gaps of 2^30 - 1 twice reach 2^31 - 1, the last int; one more index is beyond it
    ByteArrayOutputStream over = new ByteArrayOutputStream();
    over.writeBytes(new byte[] {1, 0, 3});
    over.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x03});
    over.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x03});
    over.write(0);
    damaged(over.toByteArray(), "layer 0: bias index 2147483648 beyond 2147483647");
    // the same for weight indices: the mask's weights are ints (a source layer has at most 2^31 - 1 slots)
    ByteArrayOutputStream wover = new ByteArrayOutputStream();
    wover.writeBytes(new byte[] {1, 2});
    wover.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07});
    wover.writeBytes(new byte[] {0, 0});
    damaged(wover.toByteArray(), "layer 0: weight index 2147483648 beyond 2147483647");
  }

  @Test
  void indicesAndIntegersAtTheEndsOfTheirRanges() throws Exception {
    // bias indices 2^30 - 1 and 2^31 - 1 (the last int) decode
    ByteArrayOutputStream last = new ByteArrayOutputStream();
    last.writeBytes(new byte[] {1, 0, 2});
    last.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x03});
    last.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x03});
    TicketCertificate.Header h = header(null, null, Double.NaN, 1);
    TicketCertificate c = TicketFile.read(zip("last.tpz", headerText(h, m -> { }), last.toByteArray()));
    assertThat(c.keptBiases()[0]).containsExactly((1 << 30) - 1, Integer.MAX_VALUE);
    // nine continuation bytes and a tenth byte: more than a varint of 63 bits holds
    byte[] ten = {1, 1, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
        (byte) 0x80, (byte) 0x80, 0x01, 0};
    damaged(ten, "varint too long");
    // an empty mask.bin is a truncated one
    damaged(new byte[0], "truncated");
    // the ends of the integer fields' ranges
    TicketCertificate ends = TicketFile.read(zip("ends.tpz", headerText(h, m -> {
      m.put("rho", Integer.MIN_VALUE);
      m.put("rho1", Integer.MAX_VALUE);
      m.put("seed", Long.MIN_VALUE);
    }), encode(WEIGHTS, BIASES)));
    assertThat(new long[] {ends.header().rho(), ends.header().rho1(), ends.header().seed()})
        .containsExactly(Integer.MIN_VALUE, Integer.MAX_VALUE, Long.MIN_VALUE);
  }
}
