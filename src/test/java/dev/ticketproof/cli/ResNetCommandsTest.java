package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ticketproof.io.Fixtures;
import dev.ticketproof.io.TensorFiles;
import dev.ticketproof.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on ResNets saved by the common CIFAR training code, without --arch: the cifar-resnet preset is
 * inferred from the names (with a note), inspect shows its spec, eval reproduces PyTorch, construct and verify take
 * the file as it is (and the spec inspect printed, saved as a file, gives the same target hash); files it cannot read
 * exit 2 naming the tensor.
 */
@Tag("end-to-end")
class ResNetCommandsTest {
  @TempDir Path tmp;

  /** Runs a command, capturing the notes it prints on System.err too. */
  static CommandRun runCapturingNotes(String... args) {
    PrintStream old = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      CommandRun r = run(args);
      return new CommandRun(r.code(), r.out(), buf.toString(StandardCharsets.UTF_8) + r.err());
    } finally {
      System.setErr(old);
    }
  }

  @Test void inspectShowsTheInferredSpecToSaveAndEdit() {
    CommandRun j = runCapturingNotes("inspect", fx("resnet_akamaster.pt"), "--format", "json");
    assertThat(j.code()).as(j.err()).isZero();
    assertThat(j.err()).contains("note: --arch not given: the tensor names of " + fx("resnet_akamaster.pt")
        + " are those of a ResNet (state_dict.module.conv1, state_dict.module.layer1.0.conv1, ...): architecture of "
        + "the preset cifar-resnet");
    JsonObject o = JsonParser.parseString(j.out()).getAsJsonObject();
    assertThat(o.get("archPreset").getAsString()).isEqualTo("cifar-resnet");
    assertThat(o.get("prefix").getAsString()).isEqualTo("state_dict.module.");
    assertThat(o.getAsJsonObject("arch").getAsJsonArray("layers").get(5).getAsJsonObject().getAsJsonObject("shortcut")
        .toString()).isEqualTo("{\"type\":\"pad\",\"name\":\"layer2.0.shortcut\",\"stride\":2,\"pad\":2}");
    assertThat(o.getAsJsonArray("layers")).hasSize(11);
    assertThat(o.getAsJsonArray("skipped").toString()).isEqualTo("[\"epoch\",\"best_prec1\"]");
  }

  @Test void evalReproducesPyTorchWithoutArch() {
    for (String name : new String[] {"resnet_torchvision", "resnet_kuangliu", "resnet_akamaster",
        "resnet_imagenet_stem"}) {
      Path out = tmp.resolve(name + ".npy");
      CommandRun r = run("eval", "--target", fx(name + ".pt"), "--input", fx(name + "_input.npy"), "--out", out.toString(),
          "--format", "json");
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(JsonParser.parseString(r.out()).getAsJsonObject().get("arch").getAsString())
          .isEqualTo("cifar-resnet");
      Tensor y = TensorFiles.readNpy(out).tensor();
      Tensor ref = TensorFiles.readNpy(Fixtures.path(name + "_output.npy")).tensor();
      double diff = 0;
      double max = 0;
      for (int i = 0; i < y.size(); i++) {
        diff = Math.max(diff, Math.abs(y.data()[i] - ref.data()[i]));
        max = Math.max(max, Math.abs(ref.data()[i]));
      }
      assertThat(diff / max).as(name).isLessThanOrEqualTo(1e-12);
    }
  }

  @Test void constructAndVerifyTakeTheCheckpointAsItIs() throws IOException {
    Path ticket = tmp.resolve("ak.tpz");
    CommandRun c = runCapturingNotes("construct", "--target", fx("resnet_akamaster.pt"), "--input-shape", "3,16,16",
        "--input-box", "0,1", "--rho", "4", "--eps", "0.05", "--search", "0", "--samples", "4", "--data",
        fx("resnet_akamaster_input.npy"), "--no-progress", "--format", "json", "--out", ticket.toString());
    assertThat(c.code()).as(c.err()).isZero();
    // a state dict does not record its activation: the preset's relu, said as such
    assertThat(c.err()).contains("architecture of the preset cifar-resnet")
        .contains("note: activation relu, the cifar-resnet preset's (the ResNets it reads compute F.relu")
        .doesNotContain("assumed");
    JsonObject o = JsonParser.parseString(c.out()).getAsJsonObject();
    assertThat(o.get("verdict").getAsString()).isEqualTo("holds");
    assertThat(o.get("dataInBox").getAsBoolean()).isTrue();
    assertThat(o.get("dataMaxError").getAsDouble()).isLessThanOrEqualTo(o.get("certifiedBound").getAsDouble());
    // the option-A shortcuts are layers of the target the ticket approximates like any projection
    assertThat(o.getAsJsonArray("layers").toString()).contains("\"name\":\"layer2.0.shortcut\"")
        .contains("\"name\":\"layer3.0.shortcut\"");
    CommandRun v = run("verify", ticket.toString(), "--target", fx("resnet_akamaster.pt"), "--input-shape", "3,16,16",
        "--samples", "4", "--no-progress", "--format", "json");
    assertThat(v.code()).as(v.out() + v.err()).isZero();
    // the spec inspect prints, saved as a file, is the same target
    CommandRun t = run("inspect", fx("resnet_akamaster.pt"), "--input-shape", "3,16,16");
    String out = t.out();
    Path spec = Files.writeString(tmp.resolve("ak.json"), out.substring(out.indexOf("{\n"), out.indexOf("\n}\n") + 3));
    CommandRun h = run("verify", ticket.toString(), "--target", fx("resnet_akamaster.pt"), "--arch", spec.toString(),
        "--samples", "4", "--no-progress");
    assertThat(h.code()).as(h.out() + h.err()).isZero();
  }

  @Test void theInputShapeComesFromTheDataAndTheTicketRecordsIt() throws Exception {
    // the preset's default is [3, 32, 32]; the data are [N, 3, 16, 16]
    Path ticket = tmp.resolve("ak16.tpz");
    CommandRun c = runCapturingNotes("construct", "--target", fx("resnet_akamaster.pt"), "--input-box", "0,1", "--rho", "4",
        "--eps", "0.05", "--search", "0", "--samples", "4", "--data", fx("resnet_akamaster_input.npy"),
        "--no-progress", "--format", "json", "--out", ticket.toString());
    assertThat(c.code()).as(c.err()).isZero();
    assertThat(c.err()).contains("input shape [3, 16, 16] taken from --data " + fx("resnet_akamaster_input.npy"));
    assertThat(JsonParser.parseString(c.out()).getAsJsonObject().get("verdict").getAsString()).isEqualTo("holds");
    assertThat(dev.ticketproof.io.TicketWitness.inputShape(ticket)).containsExactly(3, 16, 16);
    CommandRun v = runCapturingNotes("verify", ticket.toString(), "--target", fx("resnet_akamaster.pt"), "--samples", "4",
        "--no-progress");
    assertThat(v.code()).as(v.out() + v.err()).isZero();
    assertThat(v.err()).contains("input shape [3, 16, 16] as " + ticket + " records it");
    // a ticket without the record (as written before it): verify builds the preset's default and says what to give
    Path old = tmp.resolve("old16.tpz");
    try (var os = Files.newOutputStream(old)) {
      dev.ticketproof.io.TicketWriter.write(dev.ticketproof.kernel.TicketFile.read(ticket), os);
    }
    assertThat(dev.ticketproof.io.TicketWitness.inputShape(old)).isNull();
    CommandRun r = runCapturingNotes("verify", old.toString(), "--target", fx("resnet_akamaster.pt"), "--samples", "4",
        "--no-progress");
    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(r.err()).contains("target hash mismatch").contains("(built for input shape [3, 32, 32]; if the "
        + "ticket was made for another, give --input-shape)");
    CommandRun e = runCapturingNotes("eval", "--ticket", old.toString(), "--target", fx("resnet_akamaster.pt"), "--input",
        fx("resnet_akamaster_input.npy"), "--out", tmp.resolve("y.npy").toString(), "--input-shape", "3,16,16");
    assertThat(e.code()).as(e.err()).isZero();
  }

  @Test void aWholeResNetModelIsReadByItsNames() throws IOException {
    // torch.save of an nn.DataParallel around the torchvision-style ResNet class: not an nn.Sequential, so its
    // forward is not in the file, but its names and its ReLU modules are the cifar-resnet preset's
    String whole = fx("resnet_torchvision_whole_dp.pt");
    Path y = tmp.resolve("whole.npy");
    CommandRun e = runCapturingNotes("eval", "--target", whole, "--input", fx("resnet_torchvision_input.npy"), "--out",
        y.toString(), "--format", "json");
    assertThat(e.code()).as(e.err()).isZero();
    assertThat(e.err()).contains("the tensor names of " + whole + " are those of a ResNet (module.conv1, "
        + "module.layer1.0.conv1, ...): architecture of the preset cifar-resnet");
    // its nn.ReLU modules say which activation it computes: no note about it
    assertThat(e.err()).doesNotContain("note: activation");
    assertThat(JsonParser.parseString(e.out()).getAsJsonObject().get("arch").getAsString()).isEqualTo("cifar-resnet");
    Path ys = tmp.resolve("state.npy");
    CommandRun s = run("eval", "--target", fx("resnet_torchvision.pt"), "--input", fx("resnet_torchvision_input.npy"),
        "--out", ys.toString());
    assertThat(s.code()).as(s.err()).isZero();
    assertThat(Files.readAllBytes(y)).isEqualTo(Files.readAllBytes(ys));
    // the same target: a ticket of the state dict verifies against the whole model
    Path ticket = tmp.resolve("tv.tpz");
    CommandRun c = run("construct", "--target", fx("resnet_torchvision.pt"), "--input-box", "0,1", "--rho", "2", "--eps",
        "0.1", "--search", "0", "--samples", "0", "--data", fx("resnet_torchvision_input.npy"), "--no-progress",
        "--out", ticket.toString());
    assertThat(c.code()).as(c.err()).isZero();
    CommandRun v = run("verify", ticket.toString(), "--target", whole, "--samples", "0", "--no-progress");
    assertThat(v.code()).as(v.out() + v.err()).isZero();
    // with SiLU modules it computes silu: read so (the same outputs as the state dict of the same weights given
    // --activation silu, others than relu's), with a note
    Path silu = tmp.resolve("silu.npy");
    CommandRun w = runCapturingNotes("eval", "--target", fx("resnet_torchvision_whole_silu.pt"), "--input",
        fx("resnet_torchvision_input.npy"), "--out", silu.toString());
    assertThat(w.code()).as(w.err()).isZero();
    assertThat(w.err()).contains("note: activation silu, the one the activation modules of");
    Path given = tmp.resolve("given.npy");
    CommandRun g = run("eval", "--target", fx("resnet_torchvision.pt"), "--activation", "silu", "--input",
        fx("resnet_torchvision_input.npy"), "--out", given.toString());
    assertThat(g.code()).as(g.err()).isZero();
    assertThat(Files.readAllBytes(silu)).isEqualTo(Files.readAllBytes(given)).isNotEqualTo(Files.readAllBytes(ys));
  }

  @Test void filesThePresetCannotReadExitTwoNamingTheTensor() {
    String[][] cases = {
        {"resnet_bad_missing.pt", "no tensor 'layer2.0.bn1.running_var' (expected [8], of the BatchNorm after "
            + "layer2.0.conv1)"},
        {"resnet_bad_channels.pt", "tensor 'layer3.0.conv1.weight' has shape [16, 4, 3, 3], expected [C_out, 8, 3, 3]"}};
    for (String[] c : cases) {
      Path out = tmp.resolve("t.tpz");
      CommandRun r = run("construct", "--target", fx(c[0]), "--rho", "4", "--no-progress", "--out", out.toString());
      assertThat(r.code()).as(c[0] + r.err()).isEqualTo(2);
      assertThat(r.err()).contains("cifar-resnet on " + fx(c[0]) + ": " + c[1].substring(0, 10)).contains(c[1]);
      assertThat(Files.exists(out)).isFalse();
      CommandRun i = run("inspect", fx(c[0]), "--arch", "cifar-resnet");
      assertThat(i.code()).as(c[0] + i.err()).isEqualTo(2);
      assertThat(i.err()).contains(c[1]);
      Path y = tmp.resolve("y.npy");
      CommandRun e = run("eval", "--target", fx(c[0]), "--input", fx("resnet_torchvision_input.npy"), "--out",
          y.toString());
      assertThat(e.code()).as(c[0] + e.err()).isEqualTo(2);
      assertThat(e.err()).contains(c[1]);
      assertThat(Files.exists(y)).isFalse();
    }
  }
}
