package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ticketproof.io.Fixtures;
import dev.ticketproof.io.TensorFiles;
import dev.ticketproof.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on the second round of users' networks (fixtures {@code user2_*}): a {@code .safetensors} state dict
 * with a JSON spec, a whole model with one nn.PReLU through construct and verify, and a TorchScript archive refused
 * with exit 2 and nothing written.
 */
class UserNets2CommandsTest {
  @TempDir Path tmp;

  static double relativeError(Path out, String reference) {
    Tensor y = TensorFiles.readNpy(out).tensor();
    Tensor r = TensorFiles.readNpy(Fixtures.path(reference)).tensor();
    assertThat(y.shape()).isEqualTo(r.shape());
    double diff = 0;
    double max = 0;
    for (int i = 0; i < y.size(); i++) {
      diff = Math.max(diff, Math.abs(y.data()[i] - r.data()[i]));
      max = Math.max(max, Math.abs(r.data()[i]));
    }
    return diff / max;
  }

  @Test void aSafetensorsStateDictIsReadAsAPtOne() {
    Path y = tmp.resolve("y.npy");
    CommandRun e = run("eval", "--target", fx("user2_mlp.safetensors"), "--arch", fx("user2_mlp.json"), "--input",
        fx("user2_mlp_input.npy"), "--out", y.toString(), "--format", "json");
    assertThat(e.code()).as(e.err()).isZero();
    assertThat(JsonParser.parseString(e.out()).getAsJsonObject().get("activation").getAsString())
        .isEqualTo("softplus(2.0)");
    assertThat(relativeError(y, "user2_mlp_output.npy")).isLessThanOrEqualTo(1e-9);
    CommandRun i = run("inspect", fx("user2_mlp_bf16.safetensors"));
    assertThat(i.code()).as(i.err()).isZero();
    assertThat(i.out()).contains("bfloat16");
  }

  @Test void aWholeModelWithOnePReLUIsConstructedAndVerifiedAsLeakyRelu() {
    Path ticket = tmp.resolve("p.tpz");
    CommandRun c = run("construct", "--target", fx("user2_prelu1_whole.pt"), "--input-box", "0,1", "--rho", "3", "--eps",
        "0.1", "--search", "0", "--samples", "2", "--data", fx("user2_prelu1_input.npy"), "--no-progress",
        "--format", "json", "--out", ticket.toString());
    assertThat(c.code()).as(c.err()).isZero();
    JsonObject o = JsonParser.parseString(c.out()).getAsJsonObject();
    double a = TensorFiles.read(Fixtures.path("user2_prelu1_whole.pt")).tensor("1.weight").data()[0];
    assertThat(o.get("activation").getAsString()).isEqualTo("leaky-relu(" + a + ")");
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    CommandRun v = run("verify", ticket.toString(), "--target", fx("user2_prelu1_whole.pt"), "--samples", "2",
        "--no-progress");
    assertThat(v.code()).as(v.out() + v.err()).isZero();
  }

  @Test void aTorchScriptArchiveExitsTwoAndWritesNothing() {
    Path y = tmp.resolve("y.npy");
    CommandRun e = run("eval", "--target", fx("user2_torchscript.pt"), "--input", fx("user2_same_input.npy"), "--out",
        y.toString());
    assertThat(e.code()).isEqualTo(2);
    assertThat(e.err()).contains("user2_torchscript.pt: a TorchScript archive (torch.jit.save")
        .contains("torch.save(torch.jit.load('user2_torchscript.pt').state_dict(), 'state_dict.pt')")
        .doesNotContain("Exception");
    assertThat(y).doesNotExist();
  }
}
