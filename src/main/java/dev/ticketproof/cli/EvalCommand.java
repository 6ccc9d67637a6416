package dev.ticketproof.cli;

import com.google.gson.Gson;
import dev.ticketproof.io.DType;
import dev.ticketproof.io.ImportException;
import dev.ticketproof.io.Npy;
import dev.ticketproof.io.StoredTensor;
import dev.ticketproof.targets.TargetLoader;
import dev.ticketproof.net.Network;
import dev.ticketproof.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ticketproof eval}: the forward pass of a target or a ticket on a batch, written as {@code .npy}. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = {"Runs the target's forward pass (--target, --arch) or the ticket's (--ticket) on a batch (.npy, "
        + "[N, C, H, W] or [N, F]) and writes the outputs as .npy, for comparison with PyTorch. Nothing is written "
        + "unless every input is valid.",
        "A ticket is evaluated in float64 by the evaluator verify measures with, output [N, C] (or [N, C, H, W] when the last "
        + "map is larger than 1x1); a ticket of a file target needs --target PATH --arch SPEC as for verify."})
public final class EvalCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--target", paramLabel = "PATH",
      description = "Target: .pt, .npy, .npz or a directory of .npy files (with --ticket: the ticket's target file;"
          + " not needed for builtin: targets).")
  String target;

  @CommandLine.Mixin ArchOption arch;

  @Option(names = "--ticket", paramLabel = "T.tpz", description = "Evaluate this ticket instead of the target.")
  Path ticket;

  @Option(names = "--input-shape", paramLabel = "C,H,W", split = ",",
      description = "Per-example input shape of a file target, when the architecture cannot infer it (without it the"
          + " target's input shape is taken from the --input batch).")
  int[] inputShape;

  @Option(names = "--activation", paramLabel = "A",
      description = "Activation (catalog name, e.g. relu); default: the spec's \"activation\" (for builtin: "
          + "targets relu, or the one a trained target is only defined with: sigmoid for digits-resnet-sigmoid).")
  String activation;

  @Option(names = "--input", required = true, paramLabel = "X.npy", description = "Input batch [N, C, H, W] or "
      + "[N, F]: .npy, .npz or .pt (FILE:NAME picks one of several arrays; docs/cli.md, data files).")
  Path input;

  @Option(names = "--out", required = true, paramLabel = "Y.npy", description = "Output file (written atomically).")
  Path out;

  @Option(names = "--no-masks", description = "Do not apply masks X_mask (not with --ticket).")
  boolean noMasks;

  @Option(names = "--dtype", paramLabel = "T", defaultValue = "float64",
      description = "Output element type: float64 or float32 (default: ${DEFAULT-VALUE}).")
  String dtype;

  @CommandLine.Mixin FormatOption format;

  @CommandLine.Mixin ProgressOption progress;

  /** The files this command reads (the output must not be one of them). */
  private Path[] inputs;

  @Override public Integer call() {
    if (!dtype.equals("float64") && !dtype.equals("float32")) {
      throw new UsageError("--dtype: expected float64 or float32, got '" + dtype + "'");
    }
    inputs = new Path[] {input, ticket, target == null ? null : Path.of(target),
        arch.file()};
    SafeOutput.check(out, "--out", inputs);
    long start = System.nanoTime();
    StoredTensor x = DataFiles.read("--input", input);
    if (ticket != null) return ticket(x, start);
    if (target != null && target.startsWith("builtin:")) return builtin(x, start);
    if (target == null) throw new ImportException("--target is required (or --ticket)");
    TargetLoader.Loaded target = loadFile(x.tensor());
    Tensor batch = DataFiles.examples("--input", input, x, target.built().network().inputShape());
    Network net = target.built().network();
    Tensor y = forward(net, batch);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("target", target.tensors().source());
    m.put("arch", arch.spec != null ? arch.spec : target.inferredPreset()); // null: the whole model's nn.Sequential
    m.put("prefix", target.prefix());
    m.put("activation", target.activation() == null ? null : target.activation().name());
    m.put("outputActivation", net.outputActivation() == null ? null : net.outputActivation().name());
    return written(batch, y, target.tensors().source(), m, start);
  }

  /**
   * The file target, with the batch's per-example shape as its input shape when the architecture does not fix one
   * (as a batch [N, C, H, W] or [N, F] gives it). When that fails, the batch may be laid out otherwise: the target is
   * loaded with the channels-last reading of a rank-4 batch ([N, H, W, C] as [C, H, W]), else with the architecture's
   * own input shape, and taken when the batch is a layout {@link DataFiles#layout} knows for it (which
   * {@link DataFiles#examples} then reads or refuses with its fix), or when a batch [F, N] holds its F values per
   * column (refused with the transpose); otherwise the first failure is reported. A
   * rank-3 batch [N, C, L] is first read as the signals [C, 1, L] of a network that starts with a Conv1d, then as
   * images [1, H, W] of one channel (a batch [N, H, W] without its channel axis). With
   * {@code --input-shape} the target is loaded with that shape and nothing is guessed.
   */
  private TargetLoader.Loaded loadFile(Tensor batch) {
    if (inputShape != null) {
      return TargetOptions.loadFile(Path.of(this.target), arch, activation, inputShape, "--input-shape", !noMasks);
    }
    int[] s = batch.shape();
    int[] example = batch.rank() == 2 || batch.rank() == 4 ? Arrays.copyOfRange(s, 1, batch.rank()) : null;
    if (batch.rank() == 3) {
      // signals [N, C, L]: the one-row images [C, 1, L] of a network that starts with a Conv1d
      try {
        TargetLoader.Loaded loaded = TargetOptions.loadFile(Path.of(this.target), arch, activation,
            new int[] {s[1], 1, s[2]}, "--input " + input, !noMasks);
        if (TargetOptions.startsWithConv1d(loaded)) return loaded;
      } catch (ImportException | dev.ticketproof.limits.BadParameter e) {
        // not such a network: as any other batch
      }
    }
    RuntimeException first;
    try {
      return TargetOptions.loadFile(Path.of(this.target), arch, activation, example, "--input " + input, !noMasks);
    } catch (ImportException | dev.ticketproof.limits.BadParameter e) {
      if (example == null && batch.rank() != 3) throw e;
      first = e;
    }
    // a rank-4 batch read channels last; a rank-3 one (already tried with the architecture's own shape) as images
    // [H, W] of one channel without their channel axis
    int[][] others = batch.rank() == 4 ? new int[][] {{s[3], s[1], s[2]}, null}
        : batch.rank() == 3 ? new int[][] {{1, s[1], s[2]}} : new int[][] {null};
    for (int[] other : others) {
      try {
        TargetLoader.Loaded loaded = TargetOptions.loadFile(Path.of(this.target), arch, activation, other,
            "--input " + input, !noMasks);
        int[] in = loaded.built().network().inputShape();
        if (DataFiles.layout(s, in) != DataFiles.Layout.OTHER) return loaded;
        // examples as columns [F, N] of a network that reads F values: refused with the transpose (DataFiles#examples)
        if (other == null && s.length == 2 && s[0] == dev.ticketproof.limits.Budget.values(in)) {
          return loaded;
        }
      } catch (ImportException | dev.ticketproof.limits.BadParameter e) {
        // the first failure is the one to report
      }
    }
    throw first;
  }

  /**
   * The target's outputs on the batch, through its output activation when it has one ({@link Network#outputs}); a
   * batch that does not fit is bad input naming --input.
   */
  private Tensor forward(Network net, Tensor batch) {
    try {
      return net.outputs(batch);
    } catch (IllegalArgumentException e) {
      throw new ImportException("--input " + input + " (shape " + Arrays.toString(batch.shape())
          + ") does not fit the target: " + e.getMessage(), e);
    }
  }

  /** The forward pass of a built-in target (its activation: --activation, else the target's default). */
  private int builtin(StoredTensor x, long start) {
    if (arch.spec != null) throw new UsageError("--arch: a built-in target has its own architecture");
    if (arch.prefix != null) throw new UsageError("--prefix: a built-in target has its own tensors");
    if (inputShape != null) throw new UsageError("--input-shape: a built-in target has its own input shape");
    String phi = TargetOptions.activationName(activation, target, null);
    Network net = TargetOptions.load(target, null, TargetOptions.activation(phi), null);
    Tensor batch = DataFiles.examples("--input", input, x, net.inputShape());
    Tensor y = forward(net, batch);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("target", target);
    m.put("activation", phi);
    return written(batch, y, target, m, start);
  }

  /**
   * Writes the outputs {@code y} of {@code batch} to {@code --out} and reports them: a JSON object (the given fields,
   * then shapes, file and time), else one line naming what was evaluated ({@code source}).
   */
  private int written(Tensor batch, Tensor y, String source, Map<String, Object> fields, long start) {
    finite(batch, y);
    byte[] encoded = Npy.encode(y, dtype.equals("float64") ? DType.FLOAT64 : DType.FLOAT32);
    SafeOutput.write(out, "--out", os -> os.write(encoded), inputs);
    double seconds = (System.nanoTime() - start) / 1e9;
    PrintWriter stdout = spec.commandLine().getOut();
    if (format.json()) {
      fields.put("input", batch.shape());
      fields.put("output", y.shape());
      fields.put("out", out.toString());
      fields.put("seconds", seconds);
      stdout.println(new Gson().toJson(fields));
    } else {
      stdout.printf("%s: output %s written to %s (%.3f s)%n", source, Arrays.toString(y.shape()), out, seconds);
    }
    stdout.flush();
    return 0;
  }

  /**
   * Refuses outputs that are not finite (inputs so large that the network's sums overflow doubles): nothing is
   * written, and the message names --input, the example and its largest value.
   */
  private void finite(Tensor batch, Tensor y) {
    int n = y.dim(0);
    int per = y.size() / n;
    int dim = batch.size() / n;
    double[] v = y.data();
    for (int i = 0; i < v.length; i++) {
      if (!Double.isFinite(v[i])) {
        int example = i / per;
        double largest = 0;
        for (int q = example * dim; q < (example + 1) * dim; q++) {
          largest = Math.max(largest, Math.abs(batch.data()[q]));
        }
        throw new UsageError("--input " + input + ": the output of example " + example + " is not finite (" + v[i]
            + " at output " + i % per + "): its values, up to " + largest + " in absolute value, overflow the "
            + "network's arithmetic in doubles");
      }
    }
  }

  /** Evaluates the ticket on the batch with the evaluator verify measures with and writes the outputs. */
  private int ticket(StoredTensor x, long start) {
    if (activation != null) throw new UsageError("--activation: a ticket's activation is the one in its header");
    if (noMasks) {
      throw new UsageError("--no-masks: a ticket's target is read with its masks applied, as construct read it (the "
          + "ticket's target hash is of that network)");
    }
    TargetOptions.Ticket t = TargetOptions.ticket(ticket, target, arch, inputShape, false);
    // the batch as the target reads it ([N, F] for a fully connected network, whose plan takes [F, 1, 1])
    Tensor batch = DataFiles.examples("--input", input, x, t.target().inputShape());
    int[] in = t.source().plan().inputShape();
    int dim = in[0] * in[1] * in[2];
    int n = batch.dim(0);
    java.util.List<double[]> xs = new java.util.ArrayList<>(n);
    for (int i = 0; i < n; i++) xs.add(Arrays.copyOfRange(batch.data(), i * dim, (i + 1) * dim));
    dev.ticketproof.measure.Evaluator ev = dev.ticketproof.measure.Evaluator.ofTicket(t.source(), t.cert());
    // batches of up to 8 examples, evaluated in parallel (each output is bit-identical to a lone evaluation)
    int size = Math.max(1, Math.min(8, 65_536 / dim));
    double[][] res = new double[n][];
    java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
    try (OverallProgress bar = OverallProgress.of(progress.show(), "eval", n)) {
      java.util.stream.IntStream.range(0, (n + size - 1) / size).parallel().forEach(g -> {
        java.util.List<double[]> part = ev.applyAll(xs.subList(g * size, Math.min(n, (g + 1) * size)));
        for (int k = 0; k < part.size(); k++) res[g * size + k] = part.get(k);
        bar.step(done.addAndGet(part.size()), n, "examples");
      });
    }
    java.util.List<double[]> ys = Arrays.asList(res);
    int[] outShape = dev.ticketproof.construct.TicketExport.outputShape(t.source(), t.target());
    int outDim = ys.isEmpty() ? 0 : ys.get(0).length;
    double[] data = new double[n * outDim];
    for (int i = 0; i < n; i++) System.arraycopy(ys.get(i), 0, data, i * outDim, outDim);
    int[] shape = new int[outShape.length + 1];
    shape[0] = n;
    System.arraycopy(outShape, 0, shape, 1, outShape.length);
    Tensor y = Tensor.of(data, shape);
    dev.ticketproof.net.OutputActivation g = t.target().outputActivation();
    if (g != null) y = g.apply(y);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ticket", ticket.toString());
    m.put("target", t.cert().header().target());
    m.put("activation", t.cert().header().activation());
    m.put("outputActivation", g == null ? null : g.name());
    return written(batch, y, ticket.toString(), m, start);
  }
}
