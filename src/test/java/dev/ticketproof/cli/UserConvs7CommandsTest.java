package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static dev.ticketproof.cli.UserNets2CommandsTest.relativeError;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on the seventh round of users' networks (fixtures {@code user7_*}): convs of unequal kernel sides
 * evaluated as PyTorch's float64 forward pass, shown by inspect as the file has them and as they are read, ticketed
 * and verified; a conv no conv of the normal form computes refused with exit 2 and nothing written.
 */
class UserConvs7CommandsTest {
  @TempDir Path tmp;

  @Test void factorisedConvsAreEvaluatedInspectedAndTicketed() {
    Path y = tmp.resolve("y.npy");
    CommandRun r = run("eval", "--target", fx("user7_factorised_whole.pt"), "--input", fx("user7_factorised_input.npy"),
        "--out", y.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(relativeError(y, "user7_factorised_output.npy")).isLessThanOrEqualTo(1e-14);
    Path k = tmp.resolve("k.npy");
    CommandRun s = run("eval", "--target", fx("user7_k53.pt"), "--arch", fx("user7_k53.json"), "--input",
        fx("user7_k53_input.npy"), "--out", k.toString());
    assertThat(s.code()).as(s.err()).isZero();
    assertThat(relativeError(k, "user7_k53_output.npy")).isLessThanOrEqualTo(1e-14);
    CommandRun spec = run("inspect", fx("user7_factorised_whole.pt"));
    assertThat(spec.code()).as(spec.err()).isZero();
    assertThat(spec.out()).contains("{\"type\": \"conv2d\", \"name\": \"0\", \"stride\": 1, \"padding\": [0, 1]}")
        .contains("conv '2' (8->8, 3x1, stride 1, padding (1, 0))").doesNotContain("read as");
    Path t = tmp.resolve("t.tpz");
    CommandRun c = run("construct", "--target", fx("user7_factorised_whole.pt"), "--input-box", "0,1", "--rho", "4",
        "--search", "0", "--no-progress", "--out", t.toString());
    assertThat(c.code()).as(c.err()).isZero();
    CommandRun v = run("verify", t.toString(), "--target", fx("user7_factorised_whole.pt"));
    assertThat(v.code()).as(v.err()).isZero();
    // the exported ticket's convs keep the file's kernels and paddings per axis ([rows, columns])
    CommandRun e = run("export", t.toString(), "--target", fx("user7_factorised_whole.pt"), "--out",
        tmp.resolve("e.pt").toString());
    assertThat(e.code()).as(e.err()).isZero();
    List<String> convs = new ArrayList<>();
    for (JsonElement l : JsonParser.parseString(read(tmp.resolve("e.json"))).getAsJsonObject().getAsJsonArray(
        "layers")) {
      JsonObject o = l.getAsJsonObject();
      if (o.get("kind").getAsString().equals("conv") && o.get("source").getAsString().equals("source")) {
        convs.add(o.get("kernel") + " " + o.get("padding"));
      }
    }
    assertThat(convs).containsExactly("[1,3] [0,1]", "[3,1] [1,0]", "[1,3] [0,1]", "[3,1] [1,0]", "[4,4] 0");
  }

  static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException x) {
      throw new UncheckedIOException(x);
    }
  }

  @Test void unequalStridesAreRefusedWithNothingWritten() {
    Path no = tmp.resolve("no.tpz");
    CommandRun r = run("construct", "--target", fx("user7_bad_strides.pt"), "--input-shape", "1,8,8", "--rho", "4",
        "--no-progress", "--out", no.toString());
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("conv '0': kernel 3x3, stride (2, 1), padding 1 gives 4 x 8 outputs on a 8 x 8 "
        + "map: unequal strides select different rows and columns");
    assertThat(no).doesNotExist();
  }
}
