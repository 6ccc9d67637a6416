package dev.ticketproof.cli;

import com.google.gson.GsonBuilder;
import dev.ticketproof.construct.TicketExport;
import dev.ticketproof.io.TorchWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code export}: writes a ticket as a PyTorch state dict or NumPy archive plus a JSON architecture spec. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Writes the ticket (the source network restricted to its mask) as a PyTorch state dict (.pt, "
        + "read by torch.load) or a NumPy archive (.npz), and its architecture as JSON beside it (OUT with the "
        + "extension .json). docs/ticket_loader.py builds the PyTorch module from the two files.",
        "Weights are float64. The sparse encoding (default) stores the kept weights of each layer as flat indices "
        + "and values; --pruned stores the torch.nn.utils.prune convention (weight_orig: the source network's "
        + "random weights, weight_mask: the mask), whose size is that of the dense source network."})
public final class ExportCommand implements Callable<Integer> {
  /** Largest dense source the pruned encoding writes (float64 values: 2 GB for weights and masks). */
  static final long MAX_DENSE = 1L << 27;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TICKET", description = "The .tpz ticket file.")
  Path ticket;

  @Option(names = "--format", defaultValue = "pytorch", paramLabel = "FORMAT",
      description = "pytorch (.pt) or npz (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--out", required = true, paramLabel = "FILE",
      description = "Output file; the spec goes to the same name with the extension .json.")
  Path out;

  @Option(names = "--pruned", description = "torch.nn.utils.prune convention (weight_orig + weight_mask, dense) "
      + "instead of the sparse encoding (weight_indices + weight_values).")
  boolean pruned;

  @CommandLine.Mixin TicketTargetOptions target;

  @CommandLine.Mixin ProgressOption progress;

  @Override
  public Integer call() {
    if (!format.equals("pytorch") && !format.equals("npz")) {
      throw new UsageError("--format must be pytorch or npz, got '" + format + "'");
    }
    Path[] inputs = {ticket, target.file(), target.arch.file()};
    SafeOutput.check(out, "--out", inputs);
    Path specPath = specPath(out);
    SafeOutput.check(specPath, "--out (its spec " + specPath + ")", inputs);
    if (specPath.toAbsolutePath().equals(out.toAbsolutePath())) {
      throw new UsageError("--out " + out + ": the spec would overwrite it; use an extension such as .pt or .npz");
    }
    try (OverallProgress bar = OverallProgress.ofRun(progress.show(), "export")) {
      // the stages' shares of a run: the kernel's check about two thirds, the encoding and the writing the rest
      bar.stage(0, 1000, "reading and checking " + ticket.getFileName());
      TargetOptions.Ticket t = target.ticket(ticket);
      bar.stage(650, 1000, "encoding the ticket");
      TicketExport.Exported ex;
      try {
        ex = TicketExport.of(t.source(), t.cert(),
            pruned ? TicketExport.Encoding.PRUNED : TicketExport.Encoding.SPARSE, MAX_DENSE);
      } catch (IllegalArgumentException e) {
        throw new UsageError(ticket + ": " + e.getMessage());
      }
      bar.stage(800, 1000, "writing " + out.getFileName());
      write(t, ex, specPath);
      bar.stage(1000, 1000, "done");
      PrintWriter pw = spec.commandLine().getOut();
      pw.printf(Locale.ROOT, "%s: %d kept weights, %d arrays (%s, %s) written to %s; spec %s%n", ticket,
          ex.keptWeights(), ex.arrays().size(), format, pruned ? "pruned" : "sparse", out, specPath);
      pw.flush();
    }
    return 0;
  }

  /** Writes the arrays to OUT and the spec (with the target's output shape and activation) beside it. */
  private void write(TargetOptions.Ticket t, TicketExport.Exported ex, Path specPath) {
    // the target's output shape: {F} when it flattens its output map, which its output activation then reads whole
    ex.spec().add("outputShape", TicketExport.outputShapeJson(t.source(), t.target()));
    dev.ticketproof.net.OutputActivation g = t.target().outputActivation();
    if (g != null) {
      // the target's function on its outputs, after the ticket's layers (docs/ticket_loader.py applies it)
      ex.spec().addProperty("outputActivation", g.name());
      ex.spec().add("outputActivationModule", TicketExport.outputActivationModule(g));
    }
    ex.spec().addProperty("ticket", ticket.getFileName().toString());
    ex.spec().addProperty("file", out.getFileName().toString());
    try {
      if (format.equals("pytorch")) TorchWriter.write(out, ex.arrays());
      else TorchWriter.writeNpz(out, ex.arrays());
      byte[] json = (new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(ex.spec())
          + "\n").getBytes(StandardCharsets.UTF_8);
      try {
        dev.ticketproof.io.Npy.writeAtomically(specPath, json);
      } catch (IOException e) {
        Files.deleteIfExists(out); // no weights without their spec
        throw e;
      }
    } catch (IOException e) {
      throw new UsageError("--out " + out + ": cannot write (" + e.getMessage() + ")");
    }
  }

  /** The spec's path: OUT with its extension replaced by {@code .json}. */
  static Path specPath(Path out) {
    String name = out.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return out.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".json");
  }
}
