package dev.ticketproof.construct;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.io.Fixtures;
import dev.ticketproof.io.TensorFile;
import dev.ticketproof.io.TensorFiles;
import dev.ticketproof.io.TorchWriter;
import dev.ticketproof.measure.Evaluator;
import dev.ticketproof.kernel.KernelActivation;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.TicketFile;
import dev.ticketproof.net.Network;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exported tickets compute the ticket's function: PyTorch's outputs of the committed exported files (made once by
 * src/test/resources/fixtures/export/make_export_fixtures.sh with docs/ticket_loader.py) agree with the
 * evaluator (measure.Evaluator#ofTicket) to 1e-6 relative; the exporter reproduces those files byte for byte; the fixture tickets are what the
 * construction builds from their parameters. PyTorch is not needed to run this test.
 */
class ExportFidelityTest {
  @TempDir Path tmp;

  /** A fixture: ticket file stem, exported file stem, input, builtin target, activation and rho. */
  record Case(String ticket, String exported, String input, String target, String activation, int rho, int rho1,
      double lambda, boolean pruned) {
    @Override public String toString() { return exported; }
  }

  static List<Case> cases() {
    return List.of(
        new Case("sc_sigmoid", "sc_sigmoid", "sc_x", "small-cnn", "sigmoid", 4, 8, 0.05, false),
        new Case("sc_sigmoid", "sc_sigmoid_pruned", "sc_x", "small-cnn", "sigmoid", 4, 8, 0.05, true),
        new Case("sr_relu", "sr_relu", "sr_x", "small-resnet", "relu", 4, 8, 1.0, false));
  }

  static Path fx(String name) { return Fixtures.path("export/" + name); }

  static TicketCertificate cert(Case c) throws Exception { return TicketFile.read(fx(c.ticket() + ".tpz")); }

  static SourceNetwork source(Case c, TicketCertificate cert) {
    Network net = dev.ticketproof.targets.Builtins.of(c.target(), ActivationCatalog.parse(c.activation()));
    return SourceNetwork.of(TargetPlan.of(net, KernelActivation.of(c.activation())), cert.params());
  }

  static List<double[]> rows(Tensor t) {
    int n = t.dim(0);
    int dim = t.size() / n;
    List<double[]> xs = new ArrayList<>();
    for (int i = 0; i < n; i++) xs.add(Arrays.copyOfRange(t.data(), i * dim, (i + 1) * dim));
    return xs;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void pytorchOutputsOfTheExportedFileAgreeWithTheEvaluator(Case c) throws Exception {
    TicketCertificate cert = cert(c);
    Evaluator ev = Evaluator.ofTicket(source(c, cert), cert);
    List<double[]> xs = rows(TensorFiles.readNpy(fx(c.input() + ".npy")).tensor());
    Tensor torch = TensorFiles.readNpy(fx(c.exported() + "_torch.npy")).tensor();
    List<double[]> ys = rows(torch);
    assertThat(ys).hasSize(xs.size());
    double diff = 0;
    double mag = 0;
    for (int i = 0; i < xs.size(); i++) {
      double[] java = ev.apply(xs.get(i));
      assertThat(java).hasSize(ys.get(i).length);
      for (int j = 0; j < java.length; j++) {
        diff = Math.max(diff, Math.abs(java[j] - ys.get(i)[j]));
        mag = Math.max(mag, Math.abs(ys.get(i)[j]));
      }
    }
    assertThat(mag).as("outputs are not all zero").isGreaterThan(0.1);
    assertThat(diff / mag).as("%s: max |java - torch| / max |torch| = %g / %g", c, diff, mag).isLessThanOrEqualTo(1e-6);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theExporterReproducesTheFixtureFilesAndTheReaderReadsThem(Case c) throws Exception {
    TicketCertificate cert = cert(c);
    TicketExport.Exported ex = TicketExport.of(source(c, cert), cert,
        c.pruned() ? TicketExport.Encoding.PRUNED : TicketExport.Encoding.SPARSE, 1L << 27);
    JsonObject committed = JsonParser.parseString(Files.readString(fx(c.exported() + ".json"))).getAsJsonObject();
    assertThat(ex.spec().get("activationModule")).as("the spec's activation module (if the export's JSON changed, "
        + "regenerate with make_export_fixtures.sh)").isEqualTo(committed.get("activationModule"));
    assertThat(ex.spec().get("layers")).isEqualTo(committed.get("layers"));
    Path pt = tmp.resolve(c.exported() + ".pt");
    TorchWriter.write(pt, ex.arrays());
    assertThat(Files.readAllBytes(pt)).as("exported %s", c).isEqualTo(Files.readAllBytes(fx(c.exported() + ".pt")));
    Path npz = tmp.resolve(c.exported() + ".npz");
    TorchWriter.writeNpz(npz, ex.arrays());
    TensorFile fromPt = TensorFiles.read(pt, false);
    TensorFile fromNpz = TensorFiles.read(npz, false);
    assertThat(fromPt.names()).containsExactlyElementsOf(ex.arrays().stream().map(TorchWriter.Array::name).toList());
    for (TorchWriter.Array a : ex.arrays()) {
      double[] expected = a.values() != null ? a.values() : Arrays.stream(a.longs()).asDoubleStream().toArray();
      assertThat(fromPt.tensor(a.name()).shape()).isEqualTo(a.shape());
      assertThat(fromPt.tensor(a.name()).data()).as(a.name()).isEqualTo(expected);
      assertThat(fromNpz.tensor(a.name()).data()).as(a.name()).isEqualTo(expected);
    }
  }

  @Test void theFixtureTicketsAreWhatTheConstructionBuildsFromTheirParameters() throws Exception {
    for (Case c : cases()) {
      TicketCertificate cert = cert(c);
      Activation phi = ActivationCatalog.parse(c.activation());
      // the fixtures are of format version 2: made before the first layer's block scales
      assertThat(cert.header().version()).isEqualTo(2);
      SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, c.rho(), c.rho1(),
          c.lambda(), 7, null, -1, 1, null, 2);
      assertThat(cert.params()).isEqualTo(p);
      TicketBuilder.Result r = TicketBuilder.build(dev.ticketproof.targets.Builtins.of(c.target(), phi), phi,
          new TicketBuilder.Options(p, 0.1, SubsetSum.Mode.ofCliName("min-size"), 2, "builtin:" + c.target()),
          TicketBuilder.Progress.NONE);
      assertThat(r.certificate().header().maskSha256()).as("%s rebuilt from seed 7 (if the construction changed, "
          + "regenerate with make_export_fixtures.sh)", c.ticket()).isEqualTo(cert.header().maskSha256());
    }
  }

  /**
   * The spec's "activationModule" is the catalog entry's torch.nn module with its keyword arguments (numbers as JSON
   * numbers, strings as strings), and JSON null for an activation without one.
   */
  @Test void theActivationModuleIsTheCatalogEntrysModule() {
    for (String spec : List.of("relu", "leaky-relu(0.2)", "hardtanh(-2,2)", "softplus(2)", "gelu-tanh", "mish",
        "elu(0.5)", "relu6", "abs")) {
      JsonElement m = TicketExport.activationModule(spec);
      var call = ActivationCatalog.toTorch(spec);
      assertThat(m.isJsonNull()).as(spec).isEqualTo(call.isEmpty());
      if (call.isEmpty()) continue;
      JsonObject o = m.getAsJsonObject();
      assertThat(o.keySet()).containsExactly("class", "kwargs");
      assertThat(o.get("class").getAsString()).isEqualTo(call.get().className());
      JsonObject kwargs = o.getAsJsonObject("kwargs");
      assertThat(kwargs.keySet()).containsExactlyElementsOf(call.get().kwargs().keySet());
      call.get().kwargs().forEach((k, v) -> {
        if (v instanceof Double d) assertThat(kwargs.get(k).getAsDouble()).as("%s %s", spec, k).isEqualTo(d);
        else assertThat(kwargs.get(k).getAsString()).as("%s %s", spec, k).isEqualTo(v);
      });
    }
    // the parameters in the catalog's order under the module's attribute names; softplus with a threshold of 40
    JsonObject hardtanh = TicketExport.activationModule("hardtanh(-2,2)").getAsJsonObject().getAsJsonObject("kwargs");
    assertThat(hardtanh.get("min_val").getAsDouble()).isEqualTo(-2.0);
    assertThat(hardtanh.get("max_val").getAsDouble()).isEqualTo(2.0);
    JsonObject softplus = TicketExport.activationModule("softplus(2)").getAsJsonObject().getAsJsonObject("kwargs");
    assertThat(softplus.get("threshold").getAsDouble()).isGreaterThanOrEqualTo(40);
  }
}
