package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.concat;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ticketproof.io.DType;
import dev.ticketproof.io.Fixtures;
import dev.ticketproof.io.Npy;
import dev.ticketproof.io.TensorFiles;
import dev.ticketproof.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every data flag reads the formats users save (torch.save of a tensor, a tuple or a dict, .npz, float16, integer
 * labels, flat or channels-last layouts with one channel) with exactly the outputs of the .npy equivalent, and refuses
 * the rest with exit code 2, the file named, the fix stated and nothing written.
 */
class DataFilesCommandTest {
  @TempDir Path tmp;
  Path work;
  Path x;
  Path y;
  Tensor digits;

  static String fx(String name) { return Fixtures.path(name).toString(); }

  static CommandRun run(String... args) { return ImportCommandsTest.run(args); }

  /** The .npy equivalents of the fixtures: the first 20 digits test examples and labels, as the fixtures hold them. */
  @BeforeEach void npyEquivalents() throws IOException {
    work = Files.createDirectories(tmp.resolve("work"));
    Path dir = Path.of("src/main/resources/targets/digits");
    Tensor all = TensorFiles.readNpy(dir.resolve("digits_test_x.npy")).tensor();
    digits = Tensor.of(Arrays.copyOf(all.data(), 20 * 64), 20, 1, 8, 8);
    x = work.resolve("x.npy");
    Npy.write(x, digits, DType.FLOAT64);
    Tensor labels = TensorFiles.readNpy(dir.resolve("digits_test_y.npy")).tensor();
    y = work.resolve("y.npy");
    Npy.write(y, Tensor.of(Arrays.copyOf(labels.data(), 20), 20), DType.FLOAT64);
    Files.copy(y, work.resolve("y_f64.npy"));
  }

  private byte[] eval(String input) throws IOException {
    Path out = tmp.resolve("out.npy");
    CommandRun r = run("eval", "--target", "builtin:digits-cnn", "--input", input, "--out",
        out.toString());
    assertThat(r.code()).as(input + ": " + r.err()).isZero();
    byte[] bytes = Files.readAllBytes(out);
    Files.delete(out);
    return bytes;
  }

  @Test void evalReadsEveryFormatAsTheNpy() throws IOException {
    byte[] reference = eval(x.toString());
    Path nhwc = work.resolve("nhwc.npy");
    Npy.write(nhwc, Tensor.of(digits.data(), 20, 8, 8, 1), DType.FLOAT32);
    Path flat = work.resolve("flat.npy");
    Npy.write(flat, Tensor.of(digits.data(), 20, 64), DType.FLOAT32);
    for (String input : List.of(fx("data_x.pt"), fx("data_xy_tuple.pt") + ":0", fx("data_xy_dict.pt") + ":x",
        fx("data_xy_dataset.pt") + ":0",
        fx("data_x.npz"), fx("data_xy.npz") + ":x", fx("data_x_f16.npy"), nhwc.toString(), flat.toString())) {
      assertThat(eval(input)).as(input).isEqualTo(reference);
    }
  }

  private JsonObject construct(String data, String labels) {
    Path out = tmp.resolve("t.tpz");
    CommandRun r = run("construct", "--target", "builtin:digits-cnn", "--input-box", "0,1", "--rho", "2",
        "--eps", "0.1", "--search", "0", "--samples", "0", "--no-progress", "--format", "json", "--data", data,
        "--labels", labels, "--out", out.toString());
    assertThat(r.code()).as(data + " " + labels + ": " + r.err()).isZero();
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    JsonObject figures = new JsonObject();
    for (String k : List.of("dataSamples", "dataInBox", "dataMaxError", "dataMaxTargetOutput", "targetAccuracy",
        "ticketAccuracy", "agreement", "certifiedBound")) {
      figures.add(k, o.get(k));
    }
    return figures;
  }

  @Test void constructReadsEveryDataAndLabelsFormatAsTheNpy() {
    JsonObject reference = construct(x.toString(), y.toString());
    assertThat(reference.get("dataSamples").getAsInt()).isEqualTo(20);
    assertThat(reference.get("targetAccuracy").getAsDouble()).isGreaterThan(0.5);
    String[][] pairs = {
        {fx("data_xy_dict.pt") + ":x", fx("data_xy_dict.pt") + ":y"},
        {fx("data_xy_tuple.pt") + ":0", fx("data_xy_tuple.pt") + ":1"},
        {fx("data_xy_dataset.pt") + ":0", fx("data_xy_dataset.pt") + ":1"},
        {fx("data_xy.npz") + ":x", fx("data_xy.npz") + ":y"},
        {fx("data_x.pt"), fx("data_y_i32.pt")},
        {fx("data_x.npz"), fx("data_y_u8.npy")},
        {fx("data_x_f16.npy"), fx("data_y_f32.npy")}};
    for (String[] p : pairs) assertThat(construct(p[0], p[1])).as(Arrays.toString(p)).isEqualTo(reference);
  }

  /** verify --data and a local certificate built and checked around the points of a .pt file. */
  @Test void verifyAndAroundReadTheSameFormats() {
    Path tpz = tmp.resolve("local.tpz");
    CommandRun c = run("construct", "--target", "builtin:digits-cnn", "--input-box", "0,1", "--rho", "2",
        "--eps", "0.1", "--search", "0", "--samples", "0", "--no-progress", "--around", fx("data_xy_dict.pt") + ":x",
        "--radius", "0.01", "--out", tpz.toString());
    assertThat(c.code()).as(c.err()).isZero();
    List<String> bounds = new ArrayList<>();
    for (String[] d : new String[][] {{x.toString(), y.toString()}, {fx("data_x.pt"), fx("data_xy_tuple.pt") + ":1"}}) {
      CommandRun v = run("verify", tpz.toString(), "--target", "builtin:digits-cnn", "--around",
          fx("data_x.npz"), "--samples", "0", "--search", "0", "--data", d[0], "--labels", d[1], "--format", "json");
      assertThat(v.code()).as(v.err()).isZero();
      JsonObject o = JsonParser.parseString(v.out()).getAsJsonObject();
      assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
      bounds.add(o.get("certifiedBound") + " " + o.get("dataMaxError") + " " + o.get("targetAccuracy"));
    }
    assertThat(bounds.get(1)).isEqualTo(bounds.get(0));
  }

  /** Runs a command that must be refused: exit 2, the message parts on stderr, no --out written. */
  private void refused(List<String> expected, String... args) {
    Path out = tmp.resolve("never.out");
    String[] all = Stream.concat(Stream.of(args), Stream.of("--out", out.toString())).toArray(String[]::new);
    CommandRun r = run(all);
    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(2);
    for (String e : expected) assertThat(r.err()).contains(e);
    assertThat(out).doesNotExist();
  }

  /**
   * eval of a file target whose architecture does not fix its input (global max pooling) takes --input-shape when
   * given: the batch is then read against it, so a flat batch gets its reshape and another shape is refused; a
   * built-in target refuses the flag.
   */
  @Test void evalOfAFileTargetTakesTheGivenInputShape() throws IOException {
    String model = fx("user4_gmp_whole.pt");
    Tensor batch = TensorFiles.readNpy(Fixtures.path("user4_vgg_input.npy")).tensor();
    Path images = work.resolve("images.npy");
    Npy.write(images, batch, DType.FLOAT64);
    Path out = tmp.resolve("out.npy");
    CommandRun r = run("eval", "--target", model, "--input", images.toString(), "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    byte[] fromBatch = Files.readAllBytes(out);
    Files.delete(out);
    r = run("eval", "--target", model, "--input-shape", "3,16,16", "--input", images.toString(), "--out",
        out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.readAllBytes(out)).isEqualTo(fromBatch);
    refused(List.of("--input " + images + ": expected a batch of shape [",
        "3, 14, 14] (588 values per example), got ["), "eval", "--target", model, "--input-shape", "3,14,14",
        "--input", images.toString());
    int n = batch.shape()[0];
    Path flat = work.resolve("flat.npy");
    Npy.write(flat, Tensor.of(batch.data(), n, batch.size() / n), DType.FLOAT64);
    refused(List.of("--input " + flat + ": expected a batch of shape [", "got flat examples",
        "x.reshape(-1, 3, 16, 16)"), "eval", "--target", model, "--input-shape", "3,16,16", "--input",
        flat.toString());
    refused(List.of("--input-shape: a built-in target has its own input shape"), "eval", "--target",
        "builtin:digits-cnn", "--input-shape", "1,8,8", "--input", x.toString());
    // a network that reads vectors asks for rows [N, C], the shape its users hold
    Path rows = work.resolve("rows.npy");
    Npy.write(rows, Tensor.of(new double[16], 2, 8), DType.FLOAT64);
    refused(List.of("--input " + rows + ": expected a batch of shape [2, 4] (4 values per example), got [2, 8]"),
        "eval", "--target", "builtin:small-fc", "--input", rows.toString());
  }

  @Test void refusalsNameTheFileAndTheFix() throws IOException {
    refused(List.of("--input " + fx("data_x_u8.pt"), "uint8 values (0..16)", "x.astype('float32') / 255"),
        "eval", "--target", "builtin:digits-cnn", "--input", fx("data_x_u8.pt"));
    refused(List.of("--data " + fx("data_xy_tuple.pt"), "holds 2 tensors (0 [20, 1, 8, 8] float32, 1 [20] int64)",
        "pick one as " + fx("data_xy_tuple.pt") + ":NAME"), "construct", "--target", "builtin:digits-cnn",
        "--input-box", "0,1", "--rho", "2", "--eps", "0.1", "--data", fx("data_xy_tuple.pt"));
    refused(List.of(fx("data_xy.npz") + ": no array named 'z' (the file has x [20, 1, 8, 8] float32, y [20] int64)"),
        "eval", "--target", "builtin:digits-cnn", "--input", fx("data_xy.npz") + ":z");
    refused(List.of("--input " + fx("whole_pool_cnn.pt") + ": a whole model"), "eval", "--target",
        "builtin:digits-cnn", "--input", fx("whole_pool_cnn.pt"));
    Path text = Files.writeString(work.resolve("x.csv"), "0.1,0.2\n");
    refused(List.of("--input " + text + ": not a .npy, .npz, .safetensors or PyTorch file", "numpy.save"), "eval",
        "--target", "builtin:digits-cnn", "--input", text.toString());
    Path half = work.resolve("half.npy");
    double[] halves = new double[20];
    Arrays.fill(halves, 0.5);
    Npy.write(half, Tensor.of(halves, 20), DType.FLOAT64);
    refused(List.of("--labels " + half + ": label 0.5 at index 0 is not a class index"), "construct", "--target",
        "builtin:digits-cnn", "--input-box", "0,1", "--rho", "2", "--eps", "0.1", "--data", x.toString(), "--labels",
        half.toString());
    Path onehot = work.resolve("onehot.npy");
    Npy.write(onehot, Tensor.of(new double[200], 20, 10), DType.FLOAT64);
    refused(List.of("--labels " + onehot + ": expected 20 labels", "y.argmax(1)"), "construct", "--target",
        "builtin:digits-cnn", "--input-box", "0,1", "--rho", "2", "--eps", "0.1", "--data", x.toString(), "--labels",
        onehot.toString());
    Path ten = work.resolve("ten.npy");
    double[] tens = new double[20];
    tens[3] = 10;
    Npy.write(ten, Tensor.of(tens, 20), DType.FLOAT64);
    refused(List.of("--labels " + ten + ": label 10 at index 3, but the network has 10 outputs (classes 0 to 9"),
        "construct", "--target", "builtin:digits-cnn", "--input-box", "0,1", "--rho", "2", "--eps", "0.1", "--data",
        x.toString(), "--labels", ten.toString());
    refused(List.of("--around " + fx("data_xy_dict.pt") + ": holds 2 tensors"), "construct", "--target",
        "builtin:digits-cnn", "--input-box", "0,1", "--rho", "2", "--eps", "0.1", "--around", fx("data_xy_dict.pt"),
        "--radius", "0.01");
  }

  /** Several channels: channels-last and flat batches are refused with the transpose or the reshapes. */
  @Test void severalChannelsAreNotGuessed() throws IOException {
    Tensor rgb = TensorFiles.readNpy(Fixtures.path("openlth_resnet_input.npy")).tensor(); // [4, 3, 8, 8]
    Path nhwc = work.resolve("rgb_nhwc.npy");
    Npy.write(nhwc, Tensor.of(rgb.data(), 4, 8, 8, 3), DType.FLOAT64);
    Path flat = work.resolve("rgb_flat.npy");
    Npy.write(flat, Tensor.of(rgb.data(), 4, 192), DType.FLOAT64);
    String[] target = {"--target", fx("openlth_resnet.pt"), "--arch", "openlth-cifar-resnet", "--activation", "relu"};
    refused(List.of("--input " + nhwc + ": expected a batch of shape [4, 3, 8, 8], got [4, 8, 8, 3], which looks "
        + "like channels-last [N, H, W, C]: transpose it to [N, C, H, W] (numpy: x.transpose(0, 3, 1, 2)"),
        concat(new String[] {"eval", "--input", nhwc.toString()}, target));
    refused(List.of("--data " + flat + ": expected a batch of shape [4, 3, 8, 8], got flat examples [4, 192]",
        "x.reshape(-1, 3, 8, 8) if each row holds one channel after the other",
        "x.reshape(-1, 8, 8, 3).transpose(0, 3, 1, 2)"),
        concat(new String[] {"construct", "--input-shape", "3,8,8", "--input-box", "-3,3", "--rho", "2", "--eps",
            "0.1", "--data", flat.toString()}, target));
  }

  /** The first {@code n} examples of {@code per} values each, as columns: the [per, n] batch users transpose by mistake. */
  static Tensor columns(double[] rows, int n, int per) {
    double[] c = new double[n * per];
    for (int i = 0; i < n; i++) {
      for (int q = 0; q < per; q++) c[q * n + i] = rows[i * per + q];
    }
    return Tensor.of(c, per, n);
  }

  /**
   * Mistakes with the batch dimension, the orientation and the magnitude of the data: one example without its batch
   * dimension, examples as columns, integer labels given as inputs (the pixel note is not printed before the
   * refusal), values so large that the outputs overflow (eval writes nothing rather than NaN; construct refuses them
   * before calibrating on them) and labels that are whole numbers but no class index.
   */
  @Test void missingBatchDimensionsTransposesAndOverflowsAreRefused() throws IOException {
    Path one = work.resolve("one.npy");
    Npy.write(one, Tensor.of(Arrays.copyOf(digits.data(), 64), 8, 8), DType.FLOAT64);
    refused(List.of("--input " + one + ": expected a batch of shape [8, 1, 8, 8] (64 values per example), got [8, "
        + "8] (one example: add the batch dimension, x[None])"), "eval", "--target", "builtin:digits-cnn", "--input",
        one.toString());
    Path flatOne = work.resolve("flat_one.npy");
    Npy.write(flatOne, Tensor.of(Arrays.copyOf(digits.data(), 64), 64), DType.FLOAT64);
    refused(List.of("--data " + flatOne + ": expected a batch [N, 1, 8, 8] with N >= 1, got shape [64] (one example: "
        + "add the batch dimension, x[None])"), "construct", "--target", "builtin:digits-cnn", "--input-box", "0,1",
        "--rho", "2", "--eps", "0.1", "--data", flatOne.toString());
    Path transposed = work.resolve("transposed.npy");
    Npy.write(transposed, columns(digits.data(), 20, 64), DType.FLOAT64);
    refused(List.of("--input " + transposed + ": expected a batch of shape [64, 1, 8, 8] (64 values per example), "
        + "got [64, 20] (transposed? the examples are the rows, each of 64 values: x.T)"), "eval", "--target",
        "builtin:digits-cnn", "--input", transposed.toString());
    // a whole model that reads vectors, given its examples as columns: the transpose, not a layer that does not fit
    Tensor rows = TensorFiles.readNpy(Fixtures.path("user10_softmax_input.npy")).tensor(); // [60, 10]
    Path vectorColumns = work.resolve("vector_columns.npy");
    Npy.write(vectorColumns, columns(rows.data(), 60, 10), DType.FLOAT64);
    refused(List.of("--input " + vectorColumns + ": expected a batch of shape [10, 10] (10 values per example), got "
        + "[10, 60] (transposed? the examples are the rows, each of 10 values: x.T)"), "eval", "--target",
        fx("user10_softmax_whole.pt"), "--input", vectorColumns.toString());
    // a structured array (numpy record fields): named as such, with the fix
    String header = "{'descr': [('a', '<f4'), ('b', '<f4')], 'fortran_order': False, 'shape': (2,), }";
    header = header + " ".repeat(117 - header.length()) + "\n";
    byte[] head = header.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    java.io.ByteArrayOutputStream npy = new java.io.ByteArrayOutputStream();
    npy.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) head.length, 0});
    npy.write(head);
    npy.write(new byte[16]);
    Path structured = Files.write(work.resolve("structured.npy"), npy.toByteArray());
    refused(List.of("--input " + structured + ": a structured array (header '{'descr': [('a', '<f4')",
        "only arrays of one number type are read: save each field as its own array, e.g. numpy.save(path, a['x'])"),
        "eval", "--target", "builtin:digits-cnn", "--input", structured.toString());
    String err = ProgressAndErrorsTest.capturingStderr(() -> {
      refused(List.of("--input " + fx("data_xy.npz") + ":y: expected a batch [N, 1, 8, 8] with N >= 1, got shape "
          + "[20]"), "eval", "--target", "builtin:digits-cnn", "--input", fx("data_xy.npz") + ":y");
      return null;
    });
    assertThat(err).doesNotContain("note:");
    double[] big = digits.data().clone();
    big[27] = 1.7e308;
    Path huge = work.resolve("huge.npy");
    Npy.write(huge, Tensor.of(big, 20, 1, 8, 8), DType.FLOAT64);
    refused(List.of("--input " + huge + ": the output of example 0 is not finite (", "its values, up to 1.7E308 in "
        + "absolute value, overflow the network's arithmetic in doubles"), "eval", "--target", "builtin:digits-cnn",
        "--input", huge.toString());
    refused(List.of("--data " + huge + ": value 1.7E308 at index 27 of example 0 is above 1e100 in absolute value"),
        "construct", "--target", "builtin:digits-cnn", "--input-box", "0,1", "--rho", "2", "--data", huge.toString());
    Path ticket = tmp.resolve("t.tpz");
    CommandRun c = run("construct", "--target", "builtin:digits-cnn", "--input-box", "0,1", "--rho", "2",
        "--eps", "0.1", "--search", "0", "--samples", "0", "--no-progress", "--out", ticket.toString());
    assertThat(c.code()).as(c.err()).isZero();
    refused(List.of("--input " + huge + ": the output of example 0 is not finite ("), "eval", "--ticket",
        ticket.toString(), "--no-progress", "--input", huge.toString());
    double[] labels = new double[20];
    labels[4] = 0x1p40;
    Path large = work.resolve("large.npy");
    Npy.write(large, Tensor.of(labels, 20), DType.FLOAT64);
    refused(List.of("--labels " + large + ": label 1099511627776 at index 4 is not a class index (at most 2^31 - 1)"),
        "construct", "--target", "builtin:digits-cnn", "--input-box", "0,1", "--rho", "2", "--eps", "0.1", "--data",
        x.toString(), "--labels", large.toString());
    labels[4] = -1;
    Path negative = work.resolve("negative.npy");
    Npy.write(negative, Tensor.of(labels, 20), DType.FLOAT64);
    refused(List.of("--labels " + negative + ": label -1 at index 4 is not a class index (a whole number >= 0)"),
        "construct", "--target", "builtin:digits-cnn", "--input-box", "0,1", "--rho", "2", "--eps", "0.1", "--data",
        x.toString(), "--labels", negative.toString());
  }

  /**
   * Construct of a whole model that reads images of any size, with a channels-last batch: refused with the transpose
   * (before, the batch's shape did not build the network and the message asked for an input batch).
   */
  @Test void channelsLastDataOfANetworkOfAnyInputSizeIsRefusedWithTheTranspose() throws IOException {
    Tensor rgb = TensorFiles.readNpy(Fixtures.path("user4_vgg_input.npy")).tensor(); // [N, 3, 16, 16]
    int n = rgb.dim(0);
    double[] hwc = new double[rgb.size()];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 3; c++) {
        for (int p = 0; p < 256; p++) hwc[i * 768 + p * 3 + c] = rgb.data()[i * 768 + c * 256 + p];
      }
    }
    Path nhwc = work.resolve("nhwc.npy");
    Npy.write(nhwc, Tensor.of(hwc, n, 16, 16, 3), DType.FLOAT64);
    String expected = nhwc + ": expected a batch of shape [" + n + ", 3, 16, 16], got [" + n + ", 16, 16, 3], which "
        + "looks like channels-last [N, H, W, C]: transpose it to [N, C, H, W]";
    refused(List.of("--data " + expected), "construct", "--target", fx("user4_gmp_whole.pt"), "--input-box", "0,1",
        "--rho", "2", "--eps", "0.1", "--data", nhwc.toString());
    refused(List.of("--around " + expected), "construct", "--target", fx("user4_gmp_whole.pt"), "--input-box", "0,1",
        "--rho", "2", "--eps", "0.1", "--around", nhwc.toString(), "--radius", "0.01");
  }

  /**
   * A ticket where data or a target is read, a sparse tensor as data, a directory as the ticket, and a ticket checked
   * against a whole model with another activation: each named for what it is. A rejected certificate prints no note
   * on its (NaN) bound after an output activation.
   */
  @Test void ticketsTargetsAndDataMixedUpAreNamed() throws IOException {
    Path ticket = tmp.resolve("t.tpz");
    CommandRun c = run("construct", "--target", fx("user10_logsoftmax_whole.pt"), "--input-box", "0,1",
        "--rho", "2", "--eps", "0.1", "--search", "0", "--samples", "0", "--no-progress", "--out", ticket.toString());
    assertThat(c.code()).as(c.err()).isZero();
    refused(List.of("--input " + ticket + ": a ticket (a TicketProof certificate: header.json, mask.bin), not a "
        + "network's tensors nor data: the commands verify, export and eval read it as a ticket"), "eval", "--target", "builtin:digits-cnn", "--input",
        ticket.toString());
    refused(List.of(ticket + ": a ticket (a TicketProof certificate"), "eval", "--target", ticket.toString(),
        "--input", x.toString());
    refused(List.of("--input " + fx("data_x_sparse.pt") + ": a sparse tensor (torch._utils._rebuild_sparse_tensor); "
        + "only dense tensors are read: save it dense, torch.save(x.to_dense(), PATH)"), "eval", "--target",
        "builtin:digits-cnn", "--input", fx("data_x_sparse.pt"));
    CommandRun v = run("verify", work.toString());
    assertThat(v.code()).isEqualTo(2);
    assertThat(v.err()).contains(work + ": not a regular file (expected a ticket file, T.tpz)");
    String made = ticket + " was made with activation relu (its header), but the whole model "
        + fx("user10_softmax_whole.pt") + " computes tanh (its activation modules): the ticket was made for another "
        + "target";
    v = run("verify", ticket.toString(), "--target", fx("user10_softmax_whole.pt"), "--samples", "0", "--search", "0");
    assertThat(v.code()).isEqualTo(2);
    assertThat(v.err()).contains(made).doesNotContain("--activation");
    refused(List.of(made), "eval", "--ticket", ticket.toString(), "--target", fx("user10_softmax_whole.pt"),
        "--input", x.toString());
    Path builtin = tmp.resolve("b.tpz");
    c = run("construct", "--target", "builtin:digits-cnn", "--input-box", "0,1", "--rho", "2", "--eps", "0.1",
        "--search", "0", "--samples", "0", "--no-progress", "--out", builtin.toString());
    assertThat(c.code()).as(c.err()).isZero();
    v = run("verify", builtin.toString(), "--target", fx("user10_logsoftmax_whole.pt"), "--samples", "0", "--search",
        "0");
    assertThat(v.code()).isEqualTo(3);
    assertThat(v.err()).contains("target hash mismatch").doesNotContain("NaN");
  }
}
