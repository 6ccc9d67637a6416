package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.json;
import static dev.ticketproof.cli.ImportCommandsTest.npy;
import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on the twelfth round's networks (fixtures {@code round12_*}) as a user runs them: torchvision's
 * Normalize of tensors builds a ticket without an architecture; RobustBench's checkpoint of a CIFAR-style ResNet builds,
 * verifies and evaluates one with the preset's spec and a normalize layer first, and the ticket verifies against the
 * whole model too; tickets read raw images through the input map.
 */
@Tag("end-to-end")
class Round12CommandsTest {
  @TempDir Path tmp;

  private static double worst(double[] a, double[] b) {
    assertThat(a).hasSameSizeAs(b);
    double w = 0;
    for (int k = 0; k < a.length; k++) w = Math.max(w, Math.abs(a[k] - b[k]));
    return w;
  }

  /**
   * transforms.Normalize(mean=torch.tensor(...), std=...) before a padded conv (before: construct exited 2, 'mean is
   * not a number nor a tuple of numbers (a tensor? ...)'): construct holds on the raw images' box, the ticket's outputs
   * on the raw images lie within the certified bound of PyTorch's, and verify holds.
   */
  @Test void aNormalizeOfTensorsBuildsATicketOnRawImages() {
    String target = fx("round12_tvnormtensor_whole.pt");
    String x = fx("round12_shapes_input.npy");
    Path t = tmp.resolve("nt.tpz");
    JsonObject o = json(run("construct", "--target", target, "--input-box", "0,1", "--rho", "8", "--eps", "0.01",
        "--data", x, "--labels", fx("round12_shapes_y.npy"), "--search", "0", "--samples", "4", "--format", "json",
        "--no-progress", "--out", t.toString()));
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    Path yt = tmp.resolve("yt.npy");
    json(run("eval", "--ticket", t.toString(), "--target", target, "--input", x, "--out", yt.toString(), "--format",
        "json", "--no-progress"));
    double w = worst(npy(yt), npy(Path.of(fx("round12_tvnormtensor_output.npy"))));
    assertThat(w).isGreaterThan(0).isLessThanOrEqualTo(o.get("certifiedBound").getAsDouble());
    CommandRun v = run("verify", t.toString(), "--target", target);
    assertThat(v.code()).as(v.out() + v.err()).isZero();
  }

  /**
   * RobustBench's state dict with the cifar-resnet preset's spec and the normalize layer first (before: the spec's
   * 'conv1.weight' was not found, since the ResNet's names are under 'model.' and the normaliser's beside them):
   * construct holds on raw images, eval --ticket lies within the bound of PyTorch's outputs, and the ticket verifies
   * against the state dict and the whole model with the same spec.
   */
  @Test void robustBenchsCheckpointBuildsAVerifiedTicketWithThePresetsSpec() {
    String sd = fx("round12_rbresnet_sd.pt");
    String arch = fx("round12_rbresnet.json");
    String x = fx("round12_shapes_input.npy");
    // the spec to start from: inspect with the preset prints it (before: only its layer table)
    CommandRun i = run("inspect", sd, "--arch", "cifar-resnet", "--format", "json");
    assertThat(i.code()).as(i.err()).isZero();
    JsonObject spec = JsonParser.parseString(i.out()).getAsJsonObject();
    assertThat(spec.get("archPreset").getAsString()).isEqualTo("cifar-resnet");
    assertThat(spec.getAsJsonObject("arch").getAsJsonArray("layers").get(0).getAsJsonObject().get("name")
        .getAsString()).isEqualTo("conv1");
    CommandRun withSpec = run("inspect", sd, "--arch", arch);
    assertThat(withSpec.out()).contains("tensors read under prefix 'model.'").contains("(and the normalize layer's "
        + "'normalize.mean', 'normalize.std' by their names in the file, beside it)");
    Path t = tmp.resolve("rb.tpz");
    CommandRun c = run("construct", "--target", sd, "--arch", arch, "--input-box", "0,1", "--rho", "8", "--eps",
        "0.01", "--data", x, "--search", "0", "--samples", "4", "--format", "json", "--no-progress", "--out",
        t.toString());
    JsonObject o = json(c);
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    Path yt = tmp.resolve("yt.npy");
    json(run("eval", "--ticket", t.toString(), "--target", sd, "--arch", arch, "--input", x, "--out", yt.toString(),
        "--format", "json", "--no-progress"));
    double w = worst(npy(yt), npy(Path.of(fx("round12_rbresnet_output.npy"))));
    assertThat(w).isGreaterThan(0).isLessThanOrEqualTo(o.get("certifiedBound").getAsDouble());
    for (String target : new String[] {sd, fx("round12_rbresnet_whole.pt")}) {
      CommandRun v = run("verify", t.toString(), "--target", target, "--arch", arch);
      assertThat(v.code()).as(target + v.out() + v.err()).isZero();
    }
  }

  /**
   * A local certificate around raw test images at radius 2/255, written as users write it (before: picocli's
   * ''2/255' is not a double'): the radius recorded is the double 2 / 255, the ticket holds and verify --around
   * recomputes it; a fraction over 0 exits 2 saying what --radius takes, writing nothing.
   */
  @Test void aRadiusWrittenAsAFractionCertifiesBallsAroundRawImages() {
    String target = fx("round12_tvnormtensor_whole.pt");
    String x = fx("round12_shapes_input.npy");
    Path t = tmp.resolve("ar.tpz");
    JsonObject o = json(run("construct", "--target", target, "--input-box", "0,1", "--rho", "8", "--eps", "0.01",
        "--around", x, "--radius", "2/255", "--search", "0", "--samples", "4", "--format", "json", "--no-progress",
        "--out", t.toString()));
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(o.get("radius").getAsDouble()).isEqualTo(2.0 / 255);
    assertThat(o.get("aroundPoints").getAsInt()).isEqualTo(24);
    CommandRun v = run("verify", t.toString(), "--target", target, "--around", x);
    assertThat(v.code()).as(v.out() + v.err()).isZero();
    Path bad = tmp.resolve("bad.tpz");
    CommandRun r = run("construct", "--target", target, "--input-box", "0,1", "--around", x, "--radius", "2/0",
        "--out", bad.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--radius must be a number or a fraction A/B of two (B not 0), e.g. 0.00784 or "
        + "2/255, got '2/0'");
    assertThat(java.nio.file.Files.exists(bad)).isFalse();
  }
}
