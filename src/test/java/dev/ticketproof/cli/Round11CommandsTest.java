package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.json;
import static dev.ticketproof.cli.ImportCommandsTest.npy;
import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on the eleventh round's networks (fixtures {@code round11_*}) as a user runs them: a checkpoint with a
 * OneCycleLR scheduler's state builds, verifies and evaluates a ticket; torchvision's Sequential blocks and a model
 * with ceil_mode poolings on even maps build tickets without an architecture; a channels_last model reads its test
 * images saved with torch.save as a channels_last tensor; a Softsign MLP builds a ticket; an orthogonal
 * parametrization and a ceil_mode pooling that adds a window are refused with exit 2, saying why, writing nothing.
 */
class Round11CommandsTest {
  @TempDir Path tmp;

  private static double worst(double[] a, double[] b) {
    assertThat(a).hasSameSizeAs(b);
    double w = 0;
    for (int k = 0; k < a.length; k++) w = Math.max(w, Math.abs(a[k] - b[k]));
    return w;
  }

  /**
   * The OneCycleLR checkpoint with its spec: inspect lists the scheduler's values as skipped; construct holds; the
   * ticket's outputs (eval --ticket) lie within the certified bound of PyTorch's; verify with the data says holds.
   */
  @Test void aCheckpointWithASchedulersStateBuildsAVerifiedTicket() {
    String target = fx("round11_onecycle_ckpt.pt");
    String arch = fx("round11_onecycle.json");
    String x = fx("round11_digits_input.npy");
    CommandRun i = run("inspect", target, "--arch", arch);
    assertThat(i.code()).as(i.err()).isZero();
    assertThat(i.out()).contains("scheduler.anneal_func").contains("tensors read under prefix 'model_state.'");
    Path t = tmp.resolve("oc.tpz");
    JsonObject o = json(run("construct", "--target", target, "--arch", arch, "--input-box", "0,1", "--rho", "12",
        "--eps", "0.01", "--data", x, "--labels", fx("round11_digits_y.npy"), "--search", "0", "--samples", "4",
        "--format", "json", "--no-progress", "--out", t.toString()));
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    double bound = o.get("certifiedBound").getAsDouble();
    Path yt = tmp.resolve("yt.npy");
    json(run("eval", "--ticket", t.toString(), "--target", target, "--arch", arch, "--input", x, "--out",
        yt.toString(), "--format", "json", "--no-progress"));
    double w = worst(npy(yt), npy(Path.of(fx("round11_onecycle_output.npy"))));
    assertThat(w).isGreaterThan(0).isLessThanOrEqualTo(bound);
    CommandRun v = run("verify", t.toString(), "--target", target, "--arch", arch, "--data", x, "--labels",
        fx("round11_digits_y.npy"));
    assertThat(v.code()).as(v.out() + v.err()).isZero();
  }

  /** torchvision's Conv2dNormActivation blocks and MLP head: construct without --arch holds, verify says holds. */
  @Test void torchvisionsBlocksBuildATicketWithoutAnArchitecture() {
    String target = fx("round11_tvblocks_whole.pt");
    Path t = tmp.resolve("tv.tpz");
    JsonObject o = json(run("construct", "--target", target, "--input-box", "0,1", "--rho", "8", "--eps", "0.01",
        "--data", fx("round11_shapes_input.npy"), "--search", "0", "--samples", "4", "--format", "json",
        "--no-progress", "--out", t.toString()));
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    CommandRun v = run("verify", t.toString(), "--target", target);
    assertThat(v.code()).as(v.out() + v.err()).isZero();
  }

  /**
   * The channels_last model: eval reads the test images saved with torch.save as a channels_last tensor (a tuple
   * with the labels, FILE:0) as PyTorch does, and construct takes them and the labels (FILE:1) as its data.
   */
  @Test void aChannelsLastModelReadsItsChannelsLastTestImages() {
    String target = fx("round11_chlast_whole.pt");
    String data = fx("round11_chlast_data.pt");
    Path y = tmp.resolve("y.npy");
    json(run("eval", "--target", target, "--input", data + ":0", "--out", y.toString(), "--format", "json"));
    assertThat(worst(npy(y), npy(Path.of(fx("round11_chlast_output.npy"))))).isLessThan(1e-12);
    JsonObject o = json(run("construct", "--target", target, "--input-box", "0,1", "--rho", "8", "--eps", "0.01",
        "--data", data + ":0", "--labels", data + ":1", "--search", "0", "--samples", "4", "--format", "json",
        "--no-progress", "--out", tmp.resolve("cl.tpz").toString()));
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(o.get("dataSamples").getAsInt()).isEqualTo(24);
  }

  /**
   * ceil_mode on even maps: eval computes PyTorch's outputs on the 1x28x28 images and construct holds; where it adds
   * a window, construct exits 2 naming the layer and writes nothing.
   */
  @Test void ceilModePoolingsAreReadWhereExactAndRefusedWhereNot() {
    Path y = tmp.resolve("ceil.npy");
    String x = fx("round11_d28_input.npy");
    json(run("eval", "--target", fx("round11_ceil_whole.pt"), "--input", x, "--out", y.toString(), "--format", "json"));
    assertThat(worst(npy(y), npy(Path.of(fx("round11_ceil_output.npy"))))).isLessThan(1e-12);
    Path t = tmp.resolve("adds.tpz");
    CommandRun r = run("construct", "--target", fx("round11_ceiladds_whole.pt"), "--input-box", "0,1", "--data", x,
        "--search", "0", "--no-progress", "--out", t.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("round11_ceiladds_whole.pt").contains("layer 6, on its input [8, 7, 7]")
        .contains("max pooling with ceil_mode=True (kernel 2, stride 2): on 7 rows PyTorch adds a last window");
    assertThat(Files.exists(t)).isFalse();
  }

  /**
   * A Softsign MLP, refused as outside the catalog before softsign was in it: construct at the defaults now builds a
   * ticket that holds and keeps every prediction.
   */
  @Test void aSoftsignMlpGetsATicket() {
    Path t = tmp.resolve("ss.tpz");
    JsonObject o = json(run("construct", "--target", fx("round11_softsign_whole.pt"), "--input-box", "0,1", "--data",
        fx("round11_digits_input.npy"), "--labels", fx("round11_digits_y.npy"), "--search", "0", "--format", "json",
        "--no-progress", "--out", t.toString()));
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(o.get("activation").getAsString()).isEqualTo("softsign");
    assertThat(o.get("agreement").getAsDouble()).isEqualTo(1.0);
    assertThat(o.get("dataRelError").getAsDouble()).isLessThan(0.01);
    assertThat(Files.exists(t)).isTrue();
  }

  /** The orthogonal parametrization's state dict: eval exits 2 saying what to save, and writes nothing. */
  @Test void anOrthogonalParametrizationIsRefusedSayingWhatToSave() {
    Path y = tmp.resolve("orth.npy");
    CommandRun r = run("eval", "--target", fx("round11_orth_sd.pt"), "--arch", fx("round11_orth.json"), "--input",
        fx("round11_digits_input.npy"), "--out", y.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("round11_orth_sd.pt holds only as a parametrization")
        .contains("remove_parametrizations(module, 'weight')");
    assertThat(Files.exists(y)).isFalse();
  }
}
