package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static dev.ticketproof.cli.UserNets2CommandsTest.relativeError;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on the fourth round of users' networks (fixtures {@code user4_*}): a Conv1d network's signals
 * [N, C, L] read as the one-row images [C, 1, L], and an adaptive average pooling whose map is not a multiple of its
 * output refused with nothing written.
 */
class UserNets4CommandsTest {
  @TempDir Path tmp;

  @Test void evalReadsTheSignalsOfAConv1dNetworkAsPyTorchDoes() {
    Path y = tmp.resolve("y.npy");
    CommandRun r = run("eval", "--target", fx("user4_conv1d_whole.pt"), "--input", fx("user4_conv1d_input.npy"), "--out",
        y.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(relativeError(y, "user4_conv1d_output.npy")).isLessThanOrEqualTo(1e-14);

    Path ys = tmp.resolve("ys.npy");
    CommandRun s = run("eval", "--target", fx("user4_conv1d.pt"), "--arch", fx("user4_conv1d.json"), "--input",
        fx("user4_conv1d_input.npy"), "--out", ys.toString());
    assertThat(s.code()).as(s.err()).isZero();
    assertThat(relativeError(ys, "user4_conv1d_output.npy")).isLessThanOrEqualTo(1e-14);

    CommandRun spec = run("inspect", fx("user4_conv1d_whole.pt"), "--input-shape", "2,1,64");
    assertThat(spec.code()).as(spec.err()).isZero();
    assertThat(spec.out()).contains("{\"type\": \"conv1d\", \"name\": \"3\", \"stride\": 2, \"padding\": 2}");
  }

  @Test void anAdaptivePoolingOnAMapThatIsNoMultipleOfItsOutputIsRefused() {
    Path y = tmp.resolve("y.npy");
    CommandRun ok = run("eval", "--target", fx("user4_vgg_whole.pt"), "--input", fx("user4_vgg_input.npy"), "--out",
        y.toString());
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(relativeError(y, "user4_vgg_output.npy")).isLessThanOrEqualTo(1e-14);

    Path no = tmp.resolve("no.tpz");
    CommandRun r = run("construct", "--target", fx("user4_vgg_whole.pt"), "--input-shape", "3,14,14", "--out",
        no.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("user4_vgg_whole.pt").contains("adaptive average pooling to 2x2 on a 7x7 map: 7 is "
        + "not a multiple of 2");
    assertThat(no).doesNotExist();
  }
}
