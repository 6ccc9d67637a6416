package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.cli.CommandRun;
import dev.ticketproof.targets.WholeModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sixteenth round's whole nn.Sequential models of Conv1d layers (fixtures {@code round16_seq_*}, made by
 * train_round16_seq.py). On them PyTorch computes on 3-d tensors, [N, C, L], where the layers read each example as the
 * one-row image [C, 1, L]: a softmax's dim and a 2-d module mean something else there than on images. What means the
 * same is read and computes PyTorch's float64 outputs; the rest is refused naming the module, where before it was read
 * as another function.
 */
class Round16SeqTest {
  private static final String SIGNALS = "round16_seq_signal_input.npy";

  @TempDir Path tmp;

  private static WholeModels.Derived derive(String file) {
    return WholeModels.derive(TensorFiles.read(Fixtures.path(file)));
  }

  /**
   * nn.Softmax() and nn.Softmax2d on the signals [N, C, L]: PyTorch normalises over dim 0 there, across the batch's
   * examples (before, read as a softmax over each example's channels: 0.13 off PyTorch's outputs).
   */
  @Test void aSoftmaxOverTheBatchOfSignalsIsRefusedNamingItsDim() {
    assertThatThrownBy(() -> derive("round16_seq_softmax_whole.pt")).isInstanceOf(ImportException.class)
        .hasMessageContaining("module '3' (torch.nn.modules.activation.Softmax): dim None on the signals [N, C, L] "
            + "after module '2' (Conv1d): PyTorch normalises over dim 0 there, across the batch's examples");
    assertThatThrownBy(() -> derive("round16_seq_softmax2d_whole.pt")).isInstanceOf(ImportException.class)
        .hasMessageContaining("module '3' (torch.nn.modules.activation.Softmax2d): Softmax2d's dim -3 on the signals");
  }

  /** nn.LogSoftmax(dim=-2) on signals runs over their channels: read (before, refused). */
  @Test void aLogSoftmaxOverTheChannelsOfSignalsIsRead() {
    assertThat(derive("round16_seq_logsoftmax_whole.pt").spec().outputActivation()).isEqualTo("log-softmax");
    assertThat(fidelity("round16_seq_logsoftmax_whole.pt", null, SIGNALS, "round16_seq_logsoftmax", "relu"))
        .isLessThanOrEqualTo(1e-14);
  }

  /**
   * An nn.MaxPool2d(2, padding=1) after a Conv1d pools PyTorch's [N, C, L] as one image [C, H, W], across the
   * channels: refused (before, read as a pooling of each example's [C, 1, L], outputs of another shape). One of one-row
   * windows pools each channel alone, as the layers do: read.
   */
  @Test void aTwoDimensionalPoolingOnSignalsIsReadOnlyWithOneRowWindows() {
    assertThatThrownBy(() -> derive("round16_seq_pool2d_whole.pt")).isInstanceOf(ImportException.class)
        .hasMessageContaining("module '2' (torch.nn.modules.pooling.MaxPool2d): a 2-d module on the signals [N, C, L] "
            + "after module '0' (Conv1d): PyTorch reads a 3-d tensor as one image without a batch");
    assertThat(fidelity("round16_seq_rowpool_whole.pt", null, SIGNALS, "round16_seq_rowpool", "relu"))
        .isLessThanOrEqualTo(1e-14);
  }

  /** eval exits 2 on the refused softmax, writing nothing. */
  @Test void evalOfASoftmaxOverTheBatchWritesNothing() {
    Path out = tmp.resolve("y.npy");
    CommandRun e = CommandRun.of("eval", "--target", Fixtures.path("round16_seq_softmax_whole.pt").toString(),
        "--input", Fixtures.path(SIGNALS).toString(), "--out", out.toString(), "--no-progress");
    assertThat(e.code()).as(e.err()).isEqualTo(2);
    assertThat(e.err()).contains("dim None on the signals [N, C, L]");
    assertThat(Files.exists(out)).isFalse();
  }
}
