package dev.ticketproof.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import dev.ticketproof.targets.WholeModels;
import org.junit.jupiter.api.Test;

/**
 * A whole model holding a block of torchvision's networks that no architecture here describes (written by
 * {@code make_unreadable_blocks.py}) is refused naming the block's path, its class and what it computes; DenseNet's
 * private block classes ({@code _DenseBlock}) are read as classes, not refused as forbidden globals.
 */
class UnreadableBlocksTest {
  @Test void eachBlockIsNamedWithWhatItComputes() {
    String[][] cases = {
        {"block_inverted_residual.pt", "torchvision.models.mobilenetv2.InvertedResidual", "an inverted residual block"},
        {"block_squeeze_excitation.pt", "torchvision.ops.misc.SqueezeExcitation", "a squeeze-and-excitation block"},
        {"block_fire.pt", "torchvision.models.squeezenet.Fire", "it concatenates two branches"},
        {"block_dense.pt", "torchvision.models.densenet._DenseBlock", "concatenated to its input"}};
    for (String[] c : cases) {
      assertThatThrownBy(() -> WholeModels.derive(TensorFiles.read(Fixtures.path(c[0]))))
          .as(c[0]).isInstanceOf(ImportException.class)
          .hasMessageContaining(c[0] + ": its module '2' is a " + c[1] + ", ")
          .hasMessageContaining(c[2])
          .hasMessageContaining("neither a preset nor a JSON spec describes it")
          .hasMessageNotContaining("forbidden global");
    }
  }

  @Test void constructRefusesItWithExitTwo() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), "construct", "--target",
        Fixtures.path("block_inverted_residual.pt").toString(), "--input-shape", "3,8,8", "--no-progress");
    assertThat(code).as(err.toString()).isEqualTo(2);
    assertThat(err.toString()).contains("is a torchvision.models.mobilenetv2.InvertedResidual")
        .contains("no ticket can be built for it").doesNotContain("Exception");
    assertThat(out.toString()).isEmpty();
  }
}
