package dev.ticketproof.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.io.TicketWriter;
import dev.ticketproof.kernel.bound.Region;
import dev.ticketproof.kernel.check.TicketChecker;
import dev.ticketproof.measure.Evaluator;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.Network;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.tensor.Tensor;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificates whose box has an interval per input channel (the header's {@code inputBoxes}): they verify, from
 * memory and from a file; the kernel rejects intervals that do not fit the union box or the target, and widened
 * intervals whose bound exceeds the claim; a header without the field is read and checked as the box [inputLow,
 * inputHigh] for every channel.
 */
class InputBoxesTest {
  static final Activation PHI = ActivationCatalog.parse("relu");
  /** Three features of unequal scales, one of both signs. */
  static final double[][] BOXES = {{0, 1}, {-50, 50}, {0.001, 0.002}};
  static Network net;
  static TicketCertificate cert;
  static TicketCertificate union;

  @BeforeAll
  static void build() {
    List<Layer> layers = List.of(
        new Linear("0", Tensor.of(new double[] {0.8, -0.05, 300, -0.6, 0.02, -500, 0.3, 0.04, 100, 1.1, -0.03, 0},
            4, 3), Tensor.of(new double[] {0.1, -0.2, 0.3, 0}, 4)),
        new ActivationLayer(PHI),
        new Linear("2", Tensor.of(new double[] {0.5, -1.2, 0.7, 0.9, -0.4, 0.6, 1.0, -0.8}, 2, 4), null));
    net = new Network(new int[] {3}, layers);
    cert = build(BOXES);
    union = build(null);
  }

  static TicketCertificate build(double[][] boxes) {
    SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, 8, 16, 1, 11, null, -50, 50,
        boxes, TicketCertificate.VERSION);
    TicketBuilder.Result r = TicketBuilder.build(net, PHI,
        new TicketBuilder.Options(p, 0.02, SubsetSum.Mode.MIN_SIZE, 1, "boxes"), TicketBuilder.Progress.NONE);
    assertThat(r.report().verdict().isHolds()).as(r.report().verdict().reason()).isTrue();
    return r.certificate();
  }

  static TicketCertificate withHeader(TicketCertificate.Header h) {
    return new TicketCertificate(h, cert.keptWeights(), cert.keptBiases(), cert.maskDigest());
  }

  static TicketCertificate.Header header(double low, double high, double[][] boxes) {
    TicketCertificate.Header h = cert.header();
    return new TicketCertificate.Header(h.version(), h.target(), h.targetSha256(), h.activation(), h.construction(),
        h.rho(), h.rho1(), h.lambda(), h.seed(), low, high, h.upto(), h.eps(), h.claimedBound(), h.maskSha256(),
        h.claimedFailedInstances(), null, Double.NaN, h.formBudget(), h.substitutionWork(), boxes);
  }

  static void assertRejected(TicketCertificate c, String reasonPart) {
    TicketChecker.Report r = TicketChecker.check(c, net, PHI);
    assertThat(r.verdict().isHolds()).as("certificate must be rejected").isFalse();
    assertThat(r.verdict().reason()).contains(reasonPart);
  }

  @Test
  void aPerChannelCertificateVerifiesAndIsTighterThanTheUnionBox() {
    TicketChecker.Report r = TicketChecker.check(cert, net, PHI);
    assertThat(r.verdict().isHolds()).as(r.verdict().reason()).isTrue();
    assertThat(cert.header().inputBoxes()).isDeepEqualTo(BOXES);
    assertThat(cert.header().inputLow()).isEqualTo(-50);
    assertThat(cert.header().inputHigh()).isEqualTo(50);
    // the first feature's [0, 1] instead of [-50, 50] in front of weights up to 1.1, the third's [0.001, 0.002] in
    // front of weights up to 500: the union box's bound is far larger
    TicketChecker.Report whole = TicketChecker.check(union, net, PHI);
    assertThat(r.certifiedBound()).isLessThan(whole.certifiedBound() / 10);
    // both bounds start from each channel's interval: the recursion and the differential bound
    assertThat(r.recursionBound()).isLessThan(whole.recursionBound() / 10);
    assertThat(r.differentialBound()).isLessThan(whole.differentialBound() / 10);
  }

  @Test
  void theRegionIsThePerChannelBox() {
    Region region = TicketChecker.region(cert.header(), null);
    assertThat(region.lowAt(3)).containsExactly(0, -50, 0.001);
    assertThat(region.highAt(3)).containsExactly(1, 50, 0.002);
    List<double[][]> boxes = region.boxes(3);
    assertThat(boxes).hasSize(1);
    assertThat(boxes.get(0)[0]).containsExactly(0, -50, 0.001);
    // balls are clipped to their channel's interval, and a ball that misses it is refused
    Region balls = Region.balls(region.channelLow(), region.channelHigh(), new double[][] {{0.5, 0, 0.0015}}, 0.75);
    double[][] ball = balls.boxes(3).get(0);
    assertThat(ball[0][0]).isEqualTo(0);
    assertThat(ball[1][0]).isEqualTo(1);
    assertThat(ball[0][2]).isEqualTo(0.001);
    assertThat(ball[1][1]).isEqualTo(Math.nextUp(0.75));
    assertThatThrownBy(() -> Region.balls(region.channelLow(), region.channelHigh(),
        new double[][] {{0.5, 0, 0.5}}, 0.1)).hasMessageContaining("channel 2");
    assertThat(region.containsAll(List.of(new double[] {1, -50, 0.001}))).isTrue();
    assertThat(region.containsAll(List.of(new double[] {1, -50, 0.01}))).isFalse();
  }

  @Test
  void theBoundIsSoundOnThePerChannelBox() {
    double bound = TicketChecker.check(cert, net, PHI).certifiedBound();
    Evaluator.Pair ev = Evaluator.of(cert, net);
    Region region = TicketChecker.region(cert.header(), null);
    List<double[]> xs = Evaluator.regionSamples(region, 3, 2000, 5);
    assertThat(region.containsAll(xs)).isTrue();
    assertThat(Evaluator.compare(ev.target(), ev.ticket(), xs).maxDifference()).isLessThanOrEqualTo(bound)
        .isGreaterThan(0);
  }

  @Test
  void aWriteAndReadKeepsTheIntervalsAndTheVerdict(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("t.tpz");
    try (OutputStream os = Files.newOutputStream(f)) {
      TicketWriter.write(cert, os);
    }
    TicketCertificate read = TicketFile.read(f);
    assertThat(read.header().inputBoxes()).isDeepEqualTo(BOXES);
    TicketChecker.Report r = TicketChecker.check(read, net, PHI);
    assertThat(r.verdict().isHolds()).as(r.verdict().reason()).isTrue();
    assertThat(r.certifiedBound()).isEqualTo(TicketChecker.check(cert, net, PHI).certifiedBound());
    assertThat(headerText(f)).contains("\"inputBoxes\": \"0.0:1.0,-50.0:50.0,0.001:0.002\"");
  }

  @Test
  void aHeaderWithoutTheFieldReadsAsTheUnionBoxForEveryChannel(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("u.tpz");
    try (OutputStream os = Files.newOutputStream(f)) {
      TicketWriter.write(union, os);
    }
    assertThat(headerText(f)).doesNotContain("inputBoxes");
    TicketCertificate read = TicketFile.read(f);
    assertThat(read.header().inputBoxes()).isNull();
    assertThat(TicketChecker.region(read.header(), null).channelLow()).containsExactly(-50);
    // the same mask built with every channel's interval given as the union box: the same bound
    TicketCertificate explicit = build(new double[][] {{-50, 50}, {-50, 50}, {-50, 50}});
    assertThat(explicit.keptWeights()).isDeepEqualTo(union.keptWeights());
    assertThat(TicketChecker.check(explicit, net, PHI).certifiedBound())
        .isEqualTo(TicketChecker.check(read, net, PHI).certifiedBound());
  }

  @Test
  void aWidenedIntervalIsRejectedByItsBound() {
    // channel 2 widened from [0.001, 0.002] to [0.001, 0.0039] (in front of weights up to 500; its copies' scale,
    // 2^8, the same): consistent with the union box, but the claimed bound no longer covers it
    assertRejected(withHeader(header(-50, 50, new double[][] {{0, 1}, {-50, 50}, {0.001, 0.0039}})),
        "below the recomputed bound");
    // to [0.001, 50]: its copies' scale is another (2^-6), so is the source network, and its instances
    assertRejected(withHeader(header(-50, 50, new double[][] {{0, 1}, {-50, 50}, {0.001, 50}})),
        "failed instances");
    // channel 0 widened from [0, 1] to [-50, 50]: it now takes both signs, and its copies form other instances
    assertRejected(withHeader(header(-50, 50, new double[][] {{-50, 50}, {-50, 50}, {0.001, 0.002}})),
        "failed instances");
  }

  @Test
  void intervalsThatDoNotFitTheUnionBoxAreRejected() {
    // a channel outside the union box
    assertRejected(withHeader(header(-50, 50, new double[][] {{0, 1}, {-60, 50}, {0.001, 0.002}})),
        "span [-60.0, 50.0], not the header's union box [-50.0, 50.0]");
    assertRejected(withHeader(header(-50, 50, new double[][] {{0, 1}, {-50, 50}, {0.001, 51}})),
        "span [-50.0, 51.0], not the header's union box [-50.0, 50.0]");
    // the union's ends not attained
    assertRejected(withHeader(header(-50, 60, BOXES)), "span [-50.0, 50.0], not the header's union box [-50.0, 60.0]");
    assertRejected(withHeader(header(-60, 50, BOXES)), "not the header's union box [-60.0, 50.0]");
    // an empty or inverted interval, a value that is not finite
    assertRejected(withHeader(header(-50, 50, new double[][] {{1, 1}, {-50, 50}, {0.001, 0.002}})),
        "input box of channel 0 must be finite with lo < hi");
    assertRejected(withHeader(header(-50, 50, new double[][] {{0, 1}, {-50, 50}, {0.002, Double.NaN}})),
        "input box of channel 2 must be finite with lo < hi");
    // no channels, or not as many as the target's input channels
    assertRejected(withHeader(header(-50, 50, new double[0][])), "no channels");
    assertRejected(withHeader(header(-50, 50, new double[][] {{0, 1}, {-50, 50}})), "intervals for 2 channels, the "
        + "target has 3 input channels");
    assertRejected(withHeader(header(-50, 50, new double[][] {{0, 1}, {-50, 50}, {0, 1}, {0.001, 0.002}})),
        "intervals for 4 channels");
  }

  @Test
  void theHeaderFieldIsStrict() {
    assertThat(TicketFile.boxes("0:1,-2.5e1:3E2")).isDeepEqualTo(new double[][] {{0, 1}, {-25, 300}});
    for (String bad : new String[] {"", "0:1,", "0:1:2", "0", "0x1p3:9", " 0:1", "+1:2", "NaN:1", "1:Infinity",
        "01:2", "1.:2", "0;1"}) {
      assertThatThrownBy(() -> TicketFile.boxes(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("inputBoxes");
    }
  }

  /** The field lists at most {@code MAX_BOX_CHANNELS} (65,536) channels: that many are read, one more is refused. */
  @Test
  void theHeaderFieldHoldsAtMostItsLimitOfChannels() {
    String most = String.join(",", java.util.Collections.nCopies(TicketFile.MAX_BOX_CHANNELS, "0:1"));
    assertThat(TicketFile.boxes(most)).hasNumberOfRows(TicketFile.MAX_BOX_CHANNELS);
    assertThatThrownBy(() -> TicketFile.boxes(most + ",0:1")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("inputBoxes: more than 65536 channels");
  }

  @Test
  void aTamperedFieldInTheFileIsRejected(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("t.tpz");
    try (OutputStream os = Files.newOutputStream(f)) {
      TicketWriter.write(cert, os);
    }
    Path g = dir.resolve("g.tpz");
    rewriteHeader(f, g, "-50.0:50.0,0.001:0.002", "-50.0:50.0,0.001:0.0039");
    TicketChecker.Report r = TicketChecker.check(TicketFile.read(g), net, PHI);
    assertThat(r.verdict().isHolds()).isFalse();
    assertThat(r.verdict().reason()).contains("below the recomputed bound");
    Path h = dir.resolve("h.tpz");
    rewriteHeader(f, h, "0.0:1.0,-50.0:50.0", "0.0:1.0,-50.0:49.0");
    r = TicketChecker.check(TicketFile.read(h), net, PHI);
    assertThat(r.verdict().isHolds()).isFalse();
    assertThat(r.verdict().reason()).contains("not the header's union box");
  }

  static String headerText(Path f) throws Exception {
    try (ZipFile z = new ZipFile(f.toFile())) {
      return new String(z.getInputStream(z.getEntry("header.json")).readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Copies a ticket file, replacing a string in its header. */
  static void rewriteHeader(Path from, Path to, String what, String by) throws Exception {
    try (ZipFile z = new ZipFile(from.toFile()); ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(to))) {
      for (ZipEntry e : java.util.Collections.list(z.entries())) {
        byte[] b = z.getInputStream(e).readAllBytes();
        if (e.getName().equals("header.json")) {
          String s = new String(b, StandardCharsets.UTF_8);
          assertThat(s).contains(what);
          b = s.replace(what, by).getBytes(StandardCharsets.UTF_8);
        }
        out.putNextEntry(new ZipEntry(e.getName()));
        out.write(b);
        out.closeEntry();
      }
    }
  }
}
