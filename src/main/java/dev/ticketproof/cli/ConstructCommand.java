package dev.ticketproof.cli;


import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ticketproof.activation.Activation;
import dev.ticketproof.measure.Measure;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TicketChecker;
import dev.ticketproof.kernel.TicketFile;
import dev.ticketproof.net.Network;
import dev.ticketproof.subsetsum.SubsetSum;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code construct}: builds a ticket for a target, checks it with the kernel, writes the certificate. */
@Command(name = "construct", mixinStandardHelpOptions = true,
    description = "Builds a strong lottery ticket for a target by pruning a virtual random source network "
        + "(never training it), checks the certificate with the kernel and writes it.")
public final class ConstructCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--target", required = true, description = "builtin:NAME or a PyTorch .pt / NumPy .npz file.")
  String target;

  @Option(names = "--arch", description = "Architecture spec for a file target: a preset name or a JSON file.")
  String arch;

  @Option(names = "--input-shape", paramLabel = "C,H,W", split = ",",
      description = "Per-example input shape of a file target, when the architecture cannot infer it.")
  int[] inputShape;

  @Option(names = "--activation", defaultValue = "relu", description = "Activation (default: ${DEFAULT-VALUE}).")
  String activation;

  @Option(names = "--construction", defaultValue = "l+1", description = "l+1 or 2l (default: ${DEFAULT-VALUE}).")
  String construction;

  @Option(names = "--eps", defaultValue = "0.01",
      description = "Per-parameter tolerance of every subset-sum instance (default: ${DEFAULT-VALUE}).")
  double eps;

  @Option(names = "--output-eps",
      description = "Requested certified output error: searches the largest per-parameter tolerance whose "
          + "certified bound is at most this value (overrides --eps).")
  Double outputEps;

  @Option(names = "--rho", defaultValue = "15", description = "Copies per channel, 1..62 (default: ${DEFAULT-VALUE}).")
  int rho;

  @Option(names = "--rho1", description = "Copies per input channel in the first layer (default: 2 rho when phi "
      + "needs a sign split, else rho).")
  Integer rho1;

  @Option(names = "--lambda", description = "Input scale of univariate layers (default: 1 for piecewise-linear phi,"
      + " 0.05 otherwise).")
  Double lambda;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the source network (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--upto", description = "Last target layer to construct (a layer name such as 2); later layers are"
      + " kept unchanged.")
  String upto;

  @Option(names = "--input-bound", defaultValue = "1",
      description = "B0: the bound is certified on the box [-B0, B0]^d (default: ${DEFAULT-VALUE}).")
  double inputBound;

  @Option(names = "--input-box", description = "LO,HI: certify on the box [LO, HI]^d instead (e.g. 0,1 for images).")
  String inputBox;

  @Option(names = "--mode", defaultValue = "min-size",
      description = "Subset-sum solver: min-size, exact, first-hit or min-norm (least norm of the kept weights,"
          + " slower; smaller errors on deep targets) (default: ${DEFAULT-VALUE}).")
  String mode;

  @Option(names = "--samples", defaultValue = "16",
      description = "Sample inputs for the measured error: half uniform in the box, half corners "
          + "(default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--data", description = "Also measure on these inputs: a .npy array [N, ...] (e.g. test images).")
  Path data;

  @Option(names = "--labels", description = "Labels [N] for --data: report target and ticket accuracy.")
  Path labels;

  @Option(names = "--threads", description = "Worker threads (default: available processors).")
  Integer threads;

  @Option(names = "--out", description = "Write the certificate to this .tpz file.")
  Path out;

  @Option(names = "--format", defaultValue = "table", description = "json or table (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--no-progress", description = "No progress bar on stderr.")
  boolean noProgress;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    try {
      return run();
    } catch (UsageError | IllegalArgumentException e) {
      err.println("construct: " + e.getMessage());
      return 2;
    }
  }

  private static double lowOf(String box) {
    try {
      return Double.parseDouble(box.split(",")[0].trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private int run() {
    Cli.checkFormat(format);
    Activation phi = TargetOptions.activation(activation);
    Network net = TargetOptions.load(target, arch, phi, inputShape);
    SourceNetwork.Construction cons;
    SubsetSum.Mode solver;
    try {
      cons = SourceNetwork.Construction.parse(construction);
      solver = SubsetSum.Mode.ofCliName(mode);
    } catch (IllegalArgumentException e) {
      throw new UsageError((e.getMessage().startsWith("construction") ? "--" : "--mode: ") + e.getMessage());
    }
    if (rho < 1 || rho > solver.maxN()) {
      throw new UsageError("--rho must be in [1, " + solver.maxN() + "] for mode " + mode + ", got " + rho);
    }
    int r1 = rho1 != null ? rho1 : SourceNetwork.defaultRho1(phi, rho, inputBox == null ? -1 : lowOf(inputBox));
    if (r1 < 1 || r1 > solver.maxN()) throw new UsageError("--rho1 must be in [1, " + solver.maxN() + "], got " + r1);
    double lam = lambda != null ? lambda : SourceNetwork.defaultLambda(phi);
    if (!(lam > 0 && lam <= 1)) throw new UsageError("--lambda must be in (0, 1], got " + lam);
    if (!(eps > 0 && eps < 1)) throw new UsageError("--eps must be in (0, 1), got " + eps);
    if (outputEps != null && !(outputEps > 0 && Double.isFinite(outputEps))) {
      throw new UsageError("--output-eps must be finite and > 0, got " + outputEps);
    }
    if (!(inputBound > 0 && Double.isFinite(inputBound))) {
      throw new UsageError("--input-bound must be finite and > 0, got " + inputBound);
    }
    double lo = -inputBound;
    double hi = inputBound;
    if (inputBox != null) {
      String[] parts = inputBox.split(",");
      try {
        if (parts.length != 2) throw new NumberFormatException();
        lo = Double.parseDouble(parts[0].trim());
        hi = Double.parseDouble(parts[1].trim());
      } catch (NumberFormatException e) {
        throw new UsageError("--input-box must be LO,HI (two numbers), got '" + inputBox + "'");
      }
      if (!(lo < hi && Double.isFinite(lo) && Double.isFinite(hi))) {
        throw new UsageError("--input-box needs finite LO < HI, got '" + inputBox + "'");
      }
    }
    if (samples < 0) throw new UsageError("--samples must be >= 0, got " + samples);
    int th = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    if (th < 1) throw new UsageError("--threads must be >= 1, got " + th);
    if (out != null && out.toAbsolutePath().getParent() != null
        && !java.nio.file.Files.isDirectory(out.toAbsolutePath().getParent())) {
      throw new UsageError("--out " + out + ": directory " + out.toAbsolutePath().getParent() + " does not exist");
    }
    java.util.Map.Entry<java.util.List<double[]>, int[]> dataSet = Cli.data(net, data, labels);
    SourceNetwork.Params params = new SourceNetwork.Params(cons, rho, r1, lam, seed, upto, lo, hi);
    long start = System.nanoTime();
    TicketBuilder.Result res;
    double usedEps = eps;
    Boolean outputEpsMet = null;
    try (Cli.Bar bar = Cli.bar(!noProgress, "construct")) {
      if (outputEps != null) {
        TicketBuilder.Budget budget = TicketBuilder.forOutputError(net, phi, params, outputEps, solver, th, target,
            bar);
        res = budget.result();
        usedEps = budget.eps();
        outputEpsMet = budget.met();
      } else {
        res = TicketBuilder.build(net, phi, new TicketBuilder.Options(params, eps, solver, th, target),
            bar);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Measure.Result m = Measure.of(res, net, phi, samples, seed);
    TicketChecker.Report rep = res.report();
    if (out != null && rep.verdict().isHolds()) {
      try {
        TicketFile.write(res.certificate(), out);
      } catch (IOException e) {
        throw new UsageError("--out " + out + ": cannot write (" + e.getMessage() + ")");
      }
    }
    JsonObject o = Cli.reportJson(rep, res, m, seconds);
    if (dataSet != null) {
      dev.ticketproof.measure.DataCheck d = dev.ticketproof.measure.DataCheck.of(
          dev.ticketproof.measure.Evaluator.ofTarget(res.source().plan()),
          dev.ticketproof.measure.Evaluator.ofTicket(res.source(), res.certificate()), dataSet.getKey(),
          labels == null ? null : dataSet.getValue());
      d.addTo(o, dev.ticketproof.measure.DataCheck.inBox(dataSet.getKey(), lo, hi));
    }
    o.addProperty("eps", usedEps);
    o.addProperty("rho", rho);
    o.addProperty("rho1", r1);
    o.addProperty("lambda", lam);
    if (outputEpsMet != null) {
      o.addProperty("outputEps", outputEps);
      o.addProperty("outputEpsMet", outputEpsMet);
      if (!outputEpsMet) {
        spec.commandLine().getErr().printf(Locale.ROOT, "construct: no per-parameter tolerance in [1e-6, 0.5] gives a "
            + "certified bound <= %g with rho=%d; reporting the smallest bound found (%g at eps=%g)%n", outputEps, rho,
            rep.certifiedBound(), usedEps);
      }
    }
    o.addProperty("rhoTheorem", TicketBuilder.theoremRho(usedEps, 0.01, rep.instances()));
    if (out != null && rep.verdict().isHolds()) o.addProperty("out", out.toString());
    PrintWriter pw = spec.commandLine().getOut();
    if ("json".equals(format)) {
      pw.println(new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create().toJson(o));
    } else {
      Cli.printTable(pw, o);
    }
    pw.flush();
    if (!rep.verdict().isHolds()) {
      spec.commandLine().getErr().println("construct: kernel rejected the certificate: " + rep.verdict().reason());
      return 3;
    }
    return 0;
  }
}
