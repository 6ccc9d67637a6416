package dev.ticketproof.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ticketproof.io.DType;
import dev.ticketproof.io.Npy;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.TicketFile;
import dev.ticketproof.measure.DataBox;
import dev.ticketproof.tensor.Tensor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --input-box} with an interval per input channel ({@code LO:HI,...}) or per channel from the data
 * ({@code data}): parsed as documented, refused with exit code 2 naming the flag, the channel and what was expected,
 * and recorded in the certificate, which verify checks over the per-channel box.
 */
class InputBoxCommandTest {
  @TempDir Path tmp;

  static CommandRun run(String... args) { return ImportCommandsTest.run(args); }

  @Test
  void theThreeFormsParse() {
    Cli.InputBox same = Cli.inputBox("0,1", 3, null, null, null);
    assertThat(same.channels()).isNull();
    assertThat(same.lows()).containsExactly(0);
    assertThat(same.highs()).containsExactly(1);
    Cli.InputBox per = Cli.inputBox(" 0:1, -2.5:3 ,0:255", 3, null, null, null);
    assertThat(per.channels()).isDeepEqualTo(new double[][] {{0, 1}, {-2.5, 3}, {0, 255}});
    assertThat(per.lo()).isEqualTo(-2.5);
    assertThat(per.hi()).isEqualTo(255);
    assertThat(Cli.inputBox("1e-3:2E1", 1, null, null, null).channels()).isDeepEqualTo(new double[][] {{1e-3, 20}});
    // data: per channel (CHW order, two channels of 2 values each), the smallest and largest value of the rows
    List<double[]> rows = List.of(new double[] {0.5, 0.25, -3, 4}, new double[] {0.75, 1, 2, -1});
    Cli.InputBox data = Cli.inputBox("data", 2, rows, Path.of("x.npy"), null);
    assertThat(data.channels()).isDeepEqualTo(new double[][] {{0.25, 1}, {-3, 4}});
    assertThat(Cli.perChannelBox("data")).isTrue();
    assertThat(Cli.perChannelBox("0:1")).isTrue();
    assertThat(Cli.perChannelBox("0,1")).isFalse();
  }

  @Test
  void aChannelWithOneValueInTheDataGetsTheNextDoubleAbove() {
    StringWriter err = new StringWriter();
    Cli.InputBox data = Cli.inputBox("data", 2, List.of(new double[] {3, 0}, new double[] {3, 1}), Path.of("x.npy"),
        new PrintWriter(err, true));
    assertThat(data.channels()[0]).containsExactly(3, Math.nextUp(3.0));
    assertThat(data.channels()[1]).containsExactly(0, 1);
    assertThat(err.toString()).contains("channel 0 takes the one value 3.0");
  }

  @Test
  void badBoxesNameTheFlagTheChannelAndWhatWasExpected() {
    assertThatThrownBy(() -> Cli.inputBox("0:1,0:2", 3, null, null, null)).isInstanceOf(UsageError.class)
        .hasMessageContaining("--input-box: 2 intervals LO:HI, but the network has 3 input channels");
    assertThatThrownBy(() -> Cli.inputBox("0:1,a:2,0:1", 3, null, null, null))
        .hasMessageContaining("--input-box: channel 1: expected LO:HI (two numbers), got 'a:2'");
    assertThatThrownBy(() -> Cli.inputBox("0:1,0:2:3", 2, null, null, null))
        .hasMessageContaining("channel 1: expected LO:HI");
    assertThatThrownBy(() -> Cli.inputBox("0:1,2:2", 2, null, null, null))
        .hasMessageContaining("--input-box: channel 1: needs finite LO < HI, got '2:2'");
    assertThatThrownBy(() -> Cli.inputBox("3:1,0:1", 2, null, null, null))
        .hasMessageContaining("channel 0: needs finite LO < HI");
    assertThatThrownBy(() -> Cli.inputBox("0:Infinity,0:1", 2, null, null, null))
        .hasMessageContaining("channel 0: needs finite LO < HI");
    assertThatThrownBy(() -> Cli.inputBox("0:1,NaN:1", 2, null, null, null))
        .hasMessageContaining("channel 1: needs finite LO < HI");
    assertThatThrownBy(() -> Cli.inputBox("data", 2, null, null, null))
        .hasMessageContaining("--input-box data").hasMessageContaining("no --data is given");
    assertThatThrownBy(() -> Cli.inputBox("1,0", 2, null, null, null))
        .hasMessageContaining("--input-box needs finite LO < HI");
    // the parenthesis on features only for a network that reads vectors
    assertThatThrownBy(() -> Cli.inputBox("0:1,0:2", 1, false, null, null, null))
        .hasMessage("--input-box: 2 intervals LO:HI, but the network has 1 input channel: give one LO:HI per channel, "
            + "LO,HI for the same box on every channel, or data");
    assertThatThrownBy(() -> Cli.inputBox("0:1,0:2", 4, true, null, null, null))
        .hasMessageContaining("the network has 4 input channels (the features of a vector input): give");
    // ends beyond 1e100, where the bound leaves the doubles (before: a NaN lambda or a kernel rejection)
    assertThatThrownBy(() -> Cli.inputBox("0,1e308", 2, null, null, null))
        .hasMessage("--input-box: LO and HI must be at most 1e100 in absolute value (the certified bound grows with "
            + "the box and would leave the doubles), got '0,1e308'");
    assertThatThrownBy(() -> Cli.inputBox("0:1,-1e101:0", 2, null, null, null))
        .hasMessageContaining("--input-box: channel 1: LO and HI must be at most 1e100 in absolute value");
    assertThatThrownBy(() -> Cli.inputBox("data", 2, List.of(new double[] {0, 2e100}), Path.of("x.npy"), null))
        .hasMessageContaining("--input-box data: channel 1 of --data x.npy has values from 2.0E100 to 2.0E100, but "
            + "a box's ends must be at most 1e100");
    assertThat(Cli.inputBox("-1e100,1e100", 2, null, null, null).hi()).isEqualTo(1e100);
  }

  @Test
  void constructRefusesBadBoxesWithExitCode2AndWritesNothing() {
    Path out = tmp.resolve("t.tpz");
    CommandRun r = run("construct", "--target", "builtin:small-fc", "--input-box", "0:1,0:1", "--out",
        out.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--input-box: 2 intervals LO:HI, but the network has 4 input channels (the features "
        + "of a vector input)");
    r = run("construct", "--target", "builtin:small-fc", "--input-box", "data", "--out", out.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--input-box data").contains("give --data FILE");
    r = run("construct", "--target", "builtin:small-fc", "--input-box", "0:1,0:1,5:-5,0:1", "--out", out.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("channel 2: needs finite LO < HI, got '5:-5'");
    r = run("construct", "--target", "builtin:small-fc", "--input-box", "-1e306,1e306", "--out", out.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--input-box: LO and HI must be at most 1e100 in absolute value");
    r = run("construct", "--target", "builtin:small-fc", "--input-bound", "1e308", "--out", out.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--input-bound must be at most 1e100 (the certified bound grows with the box and "
        + "would leave the doubles), got 1.0E308");
    assertThat(out).doesNotExist();
  }

  @Test
  void aPerChannelCertificateIsWrittenAndVerified() throws Exception {
    Path out = tmp.resolve("t.tpz");
    CommandRun r = run("construct", "--target", "builtin:small-fc", "--input-box", "0:1,-2:2,0:0.5,-1:0",
        "--rho", "6", "--eps", "0.05", "--samples", "8", "--search", "50", "--format", "json", "--out",
        out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    TicketCertificate c = TicketFile.read(out);
    assertThat(c.header().inputBoxes()).isDeepEqualTo(new double[][] {{0, 1}, {-2, 2}, {0, 0.5}, {-1, 0}});
    assertThat(c.header().inputLow()).isEqualTo(-2);
    assertThat(c.header().inputHigh()).isEqualTo(2);
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    assertThat(o.get("lowerBound").getAsDouble()).isLessThanOrEqualTo(o.get("certifiedBound").getAsDouble());
    CommandRun v = run("verify", out.toString(), "--target", "builtin:small-fc", "--format", "json");
    assertThat(v.code()).as(v.err()).isZero();
    JsonObject vo = JsonParser.parseString(v.out()).getAsJsonObject();
    assertThat(vo.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(vo.get("certifiedBound").getAsDouble()).isEqualTo(o.get("certifiedBound").getAsDouble());
  }

  @Test
  void dataBoxesAreTheDataRangesAndHoldTheData() throws Exception {
    Path x = tmp.resolve("x.npy");
    double[] v = {0.1, -1, 0.3, 5, 0.2, -0.5, 0.9, 2, 0.15, 0, 0.6, 3};
    Npy.write(x, Tensor.of(v, 3, 4), DType.FLOAT64);
    Path out = tmp.resolve("d.tpz");
    CommandRun r = run("construct", "--target", "builtin:small-fc",
        "--input-box", "data", "--data", x.toString(), "--rho", "6", "--eps", "0.05", "--samples", "8", "--search",
        "50", "--format", "json", "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    assertThat(o.get("dataInBox").getAsBoolean()).isTrue();
    assertThat(o.get("inputBoxes").toString()).isEqualTo("[[0.1,0.2],[-1.0,0.0],[0.3,0.9],[2.0,5.0]]");
    assertThat(TicketFile.read(out).header().inputBoxes())
        .isDeepEqualTo(new double[][] {{0.1, 0.2}, {-1, 0}, {0.3, 0.9}, {2, 5}});
    Files.delete(out);
  }

  @Test
  void withDataAndNoBoxTheDefaultBoxHoldsTheData() {
    StringWriter err = new StringWriter();
    PrintWriter w = new PrintWriter(err, true);
    String x = "--data x.npy";
    // every value in [0, 1]: images scaled to [0, 1]
    Cli.InputBox unit = Cli.defaultBox(2, false, List.of(new double[] {0, 0.5}, new double[] {0.25, 1}), x, w);
    assertThat(unit.channels()).isNull();
    assertThat(new double[] {unit.lo(), unit.hi()}).containsExactly(0, 1);
    assertThat(err.toString()).contains("lie in [0.00, 1.00], so the box is [0, 1]");
    // in [-1, 1] with a negative value: the default without data, without a note
    err.getBuffer().setLength(0);
    Cli.InputBox signed = Cli.defaultBox(2, false, List.of(new double[] {-0.5, 1}, new double[] {0.25, -1}), x, w);
    assertThat(new double[] {signed.lo(), signed.hi()}).containsExactly(-1, 1);
    assertThat(err.toString()).isEmpty();
    // beyond [-1, 1]: for images, each channel's range, as --input-box data
    List<double[]> rows = List.of(new double[] {0.5, 0.25, -3, 4}, new double[] {0.75, 1, 2, -1});
    Cli.InputBox ranges = Cli.defaultBox(2, false, rows, x, w);
    assertThat(ranges.channels()).isDeepEqualTo(Cli.inputBox("data", 2, rows, Path.of("x.npy"), null).channels());
    assertThat(err.toString()).contains("lie in [-3.00, 4.00], beyond [-1, 1], so the box is each input channel's "
        + "range in them (--input-box data;");
    // for vectors of features of one scale, the data's whole range on every feature
    err.getBuffer().setLength(0);
    Cli.InputBox union = Cli.defaultBox(4, true, rows, x, w);
    assertThat(union.channels()).isNull();
    assertThat(new double[] {union.lo(), union.hi()}).containsExactly(-3, 4);
    assertThat(err.toString()).contains("so the box is that range on every feature (give --input-box data for each "
        + "feature's own range");
    // features of unequal scales (16-fold apart), none constant: each feature's range
    List<double[]> raw = List.of(new double[] {0.5, 20, 0}, new double[] {0.75, 90, 1e5});
    assertThat(DataBox.unequalScales(raw, 3)).isTrue();
    err.getBuffer().setLength(0);
    assertThat(Cli.defaultBox(3, true, raw, x, w).channels()).isDeepEqualTo(new double[][] {{0.5, 0.75}, {20, 90},
        {0, 1e5}});
    assertThat(err.toString()).contains("on features of unequal scales, so the box is each feature's range in them");
    // a feature of one value (a border pixel) or scales within 16-fold: the whole range
    assertThat(DataBox.unequalScales(List.of(new double[] {0.5, 20, 0}, new double[] {0.75, 90, 0}), 3)).isFalse();
    assertThat(DataBox.unequalScales(List.of(new double[] {0.5, 2, -1}, new double[] {0.75, 11.9, 3}), 3)).isFalse();
    assertThat(DataBox.unequalScales(List.of(new double[] {0.5, 2, -1}, new double[] {0.75, 12, 3}), 3)).isTrue();
  }

  @Test
  void constructWithDataOutsideTheDefaultBoxCertifiesTheDataRange() throws Exception {
    Path x = tmp.resolve("x.npy");
    double[] v = {0.1, -1, 0.3, 5, 0.2, -0.5, 0.9, 2, 0.15, 0, 0.6, 3};
    Npy.write(x, Tensor.of(v, 3, 4), DType.FLOAT64);
    String[] common = {"construct", "--target", "builtin:small-fc", "--data", x.toString(), "--rho", "6", "--eps",
        "0.05", "--samples", "8", "--search", "50", "--format", "json"};
    Path out = tmp.resolve("u.tpz");
    String[] written = java.util.Arrays.copyOf(common, common.length + 2);
    written[common.length] = "--out";
    written[common.length + 1] = out.toString();
    CommandRun r = run(written);
    assertThat(r.code()).as(r.err()).isZero();
    // the features' largest magnitudes are 0.2, 1, 0.9 and 5: 25-fold apart
    assertThat(r.err()).contains("lie in [-1.00, 5.00], beyond [-1, 1], on features of unequal scales, so the box is "
        + "each feature's range in them");
    assertThat(JsonParser.parseString(r.out()).getAsJsonObject().get("dataInBox").getAsBoolean()).isTrue();
    TicketCertificate.Header h = TicketFile.read(out).header();
    assertThat(new double[] {h.inputLow(), h.inputHigh()}).containsExactly(-1, 5);
    assertThat(h.inputBoxes()).isDeepEqualTo(new double[][] {{0.1, 0.2}, {-1, 0}, {0.3, 0.9}, {2, 5}});
    // --input-bound chooses the box as before: [-1, 1], which the data leave
    String[] bound = java.util.Arrays.copyOf(common, common.length + 2);
    bound[common.length] = "--input-bound";
    bound[common.length + 1] = "1";
    CommandRun b = run(bound);
    assertThat(b.code()).as(b.err()).isZero();
    assertThat(b.err()).contains("have values outside the input box [-1, 1]");
    assertThat(JsonParser.parseString(b.out()).getAsJsonObject().get("dataInBox").getAsBoolean()).isFalse();
  }

  @Test
  void theAroundPointsWithoutDataChooseTheBoxToo() throws Exception {
    Path p = tmp.resolve("p.npy");
    Npy.write(p, Tensor.of(new double[] {0.1, -1, 0.3, 5, 0.2, -0.5, 0.9, 2}, 2, 4), DType.FLOAT64);
    Path out = tmp.resolve("a.tpz");
    CommandRun r = run("construct", "--target", "builtin:small-fc", "--around", p.toString(), "--radius", "0.01",
        "--rho", "6", "--eps", "0.05", "--samples", "4", "--search", "20", "--format", "json", "--out",
        out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).contains("the values of --around " + p + " lie in [-1.00, 5.00], beyond [-1, 1], on "
        + "features of unequal scales, so the box is each feature's range in them");
    assertThat(TicketFile.read(out).header().inputBoxes())
        .isDeepEqualTo(new double[][] {{0.1, 0.2}, {-1, -0.5}, {0.3, 0.9}, {2, 5}});
    // with --input-bound the box is [-1, 1], which the balls miss: refused, as before
    CommandRun b = run("construct", "--target", "builtin:small-fc", "--around", p.toString(), "--radius", "0.01",
        "--input-bound", "1", "--rho", "6", "--eps", "0.05", "--format", "json");
    assertThat(b.code()).isEqualTo(2);
    assertThat(b.err()).contains("misses the input box [-1.0, 1.0]");
  }
}
