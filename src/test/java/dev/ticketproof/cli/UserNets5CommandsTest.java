package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static dev.ticketproof.cli.UserNets2CommandsTest.relativeError;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on the fifth round of users' networks (fixtures {@code user5_*}): a 1-d CNN with MaxPool1d evaluated
 * and ticketed from its signals, and a pooling the normal form cannot take refused with exit 2 and nothing written.
 */
class UserNets5CommandsTest {
  @TempDir Path tmp;

  @Test void aOneDimensionalCnnWithMaxPool1dIsEvaluatedAndTicketed() {
    Path y = tmp.resolve("y.npy");
    CommandRun r = run("eval", "--target", fx("user5_maxpool1d_whole.pt"), "--input", fx("user5_maxpool1d_input.npy"),
        "--out", y.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(relativeError(y, "user5_maxpool1d_output.npy")).isLessThanOrEqualTo(1e-14);
    CommandRun spec = run("inspect", fx("user5_maxpool1d_whole.pt"));
    assertThat(spec.code()).as(spec.err()).isZero();
    assertThat(spec.out()).contains("{\"type\": \"maxpool2d\", \"kernel\": [1, 2], \"stride\": [1, 2], \"padding\": "
        + "0}");
    Path t = tmp.resolve("t.tpz");
    CommandRun c = run("construct", "--target", fx("user5_maxpool1d_whole.pt"), "--input-box", "-2,2", "--rho", "4",
        "--search", "0", "--no-progress", "--out", t.toString());
    assertThat(c.code()).as(c.err()).isZero();
    CommandRun v = run("verify", t.toString(), "--target", fx("user5_maxpool1d_whole.pt"));
    assertThat(v.code()).as(v.err()).isZero();
  }

  @Test void aPoolingWithCeilModeThatAddsAWindowIsRefusedWithNothingWritten() {
    Path no = tmp.resolve("no.tpz");
    CommandRun r = run("construct", "--target", fx("user5_bad_ceil.pt"), "--input-shape", "2,63", "--rho", "4",
        "--no-progress", "--out", no.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("user5_bad_ceil.pt").contains("max pooling with ceil_mode=True (kernel [1, 2], "
        + "stride [1, 2]): on 63 columns PyTorch adds a last window");
    assertThat(no).doesNotExist();
  }
}
