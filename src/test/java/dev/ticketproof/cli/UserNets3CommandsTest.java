package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static dev.ticketproof.cli.UserNets2CommandsTest.relativeError;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on the third round of users' networks (fixtures {@code user3_*}): a custom module holding
 * Sequentials, refused as the architecture, whose draft {@code inspect} prints and which, saved as a spec, evaluates
 * as PyTorch.
 */
class UserNets3CommandsTest {
  @TempDir Path tmp;

  @Test void inspectPrintsTheDraftOfACustomModuleThatEvalReadsAsASpec() throws IOException {
    CommandRun refused = run("eval", "--target", fx("user3_split_whole.pt"), "--input", fx("user3_split_input.npy"),
        "--out", tmp.resolve("no.npy").toString());
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err()).contains("the whole model is a __main__.Split, not an nn.Sequential")
        .contains("inspect prints a draft");
    assertThat(tmp.resolve("no.npy")).doesNotExist();

    CommandRun table = run("inspect", fx("user3_split_whole.pt"));
    assertThat(table.code()).as(table.err()).isZero();
    assertThat(table.out()).contains("draft architecture: the submodules in the order they were assigned")
        .contains("It is not read from the forward").contains("\"name\": \"classifier.0\"");

    CommandRun json = run("inspect", fx("user3_split_whole.pt"), "--format", "json");
    assertThat(json.code()).as(json.err()).isZero();
    JsonObject o = JsonParser.parseString(json.out()).getAsJsonObject();
    assertThat(o.get("archNote").getAsString()).contains("not derived from the module tree");
    Path spec = tmp.resolve("split.json");
    Files.writeString(spec, o.get("archDraft").toString());
    Path y = tmp.resolve("y.npy");
    CommandRun e = run("eval", "--target", fx("user3_split_whole.pt"), "--arch", spec.toString(), "--input",
        fx("user3_split_input.npy"), "--out", y.toString());
    assertThat(e.code()).as(e.err()).isZero();
    assertThat(relativeError(y, "user3_split_output.npy")).isLessThanOrEqualTo(1e-12);

    // an nn.Sequential has its architecture, not a draft
    CommandRun seq = run("inspect", fx("user3_flatmlp_whole.pt"), "--format", "json");
    assertThat(seq.code()).as(seq.err()).isZero();
    JsonObject s = JsonParser.parseString(seq.out()).getAsJsonObject();
    assertThat(s.has("arch")).isTrue();
    assertThat(s.has("archDraft")).isFalse();
  }
}
