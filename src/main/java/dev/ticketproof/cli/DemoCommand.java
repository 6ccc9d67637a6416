package dev.ticketproof.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.kernel.check.TicketChecker;
import dev.ticketproof.targets.Builtins;
import dev.ticketproof.measure.DataCheck;
import dev.ticketproof.targets.Digits;
import dev.ticketproof.api.Ticket;
import dev.ticketproof.api.Tickets;
import dev.ticketproof.measure.Evaluator;
import dev.ticketproof.measure.LowerBound;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.TicketFile;
import dev.ticketproof.net.Network;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code demo}: the embedded default job. Builds tickets for the built-in targets (a fully connected net, a small
 * CNN, a small ResNet, the real digits CNN and the MNIST-CNN analogue's conv layers) with ReLU and a smooth
 * activation, and a local certificate of the trained LeNet-style digits CNN over balls around test images, writes each
 * certificate, reads it back, re-checks it with the kernel, measures target vs ticket and prints a table.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Builds, writes, re-reads and kernel-checks tickets for the built-in targets and prints a table.")
public final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @CommandLine.Mixin ProgressOption progress;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the source networks (default: ${DEFAULT-VALUE}).")
  long seed;

  @CommandLine.Mixin FormatOption format;

  @CommandLine.Mixin SearchOption search;

  @Option(names = "--full", description = "Also the ResNet-20-sized sigmoid digits net at the default settings "
      + "(takes minutes).")
  boolean full;

  /**
   * One row of the demo: the library's defaults (the theorem's width, a tolerance calibrated for a 1 % relative
   * output error, least-norm subsets) unless {@code rho} and {@code eps} fix the width and tolerance (for the targets
   * whose tickets at the theorem's width take minutes to build and evaluate); digits targets are also evaluated on
   * their first {@code data} test images.
   */
  record Row(String target, String activation, String construction, String upto, double lo, double hi, Integer rho,
      Double eps, int data, int around, double radius) {
    Row(String target, String activation, String construction, String upto, double lo, double hi, Integer rho,
        Double eps, int data) {
      this(target, activation, construction, upto, lo, hi, rho, eps, data, 0, Double.NaN);
    }

    static Row defaults(String target, String activation, String construction, String upto, double lo, double hi) {
      return new Row(target, activation, construction, upto, lo, hi, null, null, 360);
    }

    /**
     * A local certificate at the defaults: the balls of this radius around the first {@code points} test images of a
     * digits target, clipped to the box [lo, hi].
     */
    static Row local(String target, double lo, double hi, int points, double radius) {
      return new Row(target, "relu", "l+1", null, lo, hi, null, null, 0, points, radius);
    }

    boolean local() { return around > 0; }
  }

  static final List<Row> ROWS = List.of(
      Row.defaults("small-fc", "relu", "l+1", null, -1, 1),
      Row.defaults("small-cnn", "relu", "l+1", null, -1, 1),
      Row.defaults("small-cnn", "sigmoid", "l+1", null, -1, 1),
      Row.defaults("small-cnn", "relu", "2l", null, -1, 1),
      new Row("small-resnet", "relu", "l+1", null, -1, 1, 32, 1e-3, 0),
      new Row("small-resnet", "sigmoid", "l+1", null, -1, 1, 32, 1e-3, 0),
      new Row("mnist-cnn", "relu", "l+1", "2", 0, 1, 24, 5e-4, 0),
      Row.defaults("digits-cnn", "relu", "l+1", null, 0, 1),
      Row.defaults("digits-cnn", "relu", "2l", null, 0, 1),
      Row.defaults(Digits.LENET, "relu", "l+1", null, 0, 1),
      new Row(Digits.RESNET_RELU, "relu", "l+1", null, 0, 1, 40, 5e-4, 40),
      Row.local(Digits.LENET, 0, 1, 8, 0.01));

  /** With {@code --full}: the ResNet-20-sized sigmoid digits net at the defaults (minutes, not seconds). */
  static final List<Row> FULL = List.of(Row.defaults(Digits.RESNET_SIGMOID, "sigmoid", "l+1", null, 0, 1));

  @Override
  public Integer call() {
    search.get();
    PrintWriter out = spec.commandLine().getOut();
    JsonArray rows = new JsonArray();
    Path dir;
    try {
      dir = Files.createTempDirectory("ticketproof-demo");
    } catch (IOException e) {
      spec.commandLine().getErr().println("demo: cannot create a temporary directory: " + e.getMessage());
      return 1;
    }
    boolean allHold = true;
    long start = System.nanoTime();
    List<Row> all = new java.util.ArrayList<>(ROWS);
    if (full) all.addAll(FULL);
    try (OverallProgress bar = OverallProgress.of(progress.show(), "demo", all.size())) {
      for (int i = 0; i < all.size(); i++) {
        Row row = all.get(i);
        JsonObject o = run(row, dir);
        allHold &= "holds".equals(o.get("verdict").getAsString());
        rows.add(o);
        bar.step(i + 1, all.size(), row.target() + " " + row.activation() + " " + row.construction());
      }
    } catch (IOException e) {
      spec.commandLine().getErr().println("demo: " + e.getMessage());
      return 1;
    }
    double total = (System.nanoTime() - start) / 1e9;
    if (format.json()) {
      JsonObject o = new JsonObject();
      o.add("rows", rows);
      o.addProperty("seconds", total);
      out.println(new GsonBuilder().serializeSpecialFloatingPointValues().create().toJson(o));
    } else {
      table(out, rows, total);
    }
    out.flush();
    return allHold ? 0 : 3;
  }

  private JsonObject run(Row row, Path dir) throws IOException {
    Activation phi = ActivationCatalog.parse(row.activation());
    Network target = Builtins.of(row.target(), phi);
    double lo = row.lo();
    Digits.TestSet test = Digits.isDigits(row.target()) && row.data() > 0 ? Digits.testSet(row.target()) : null;
    double[][] points = row.local()
        ? Digits.testSet(row.target()).inputs().subList(0, row.around()).toArray(new double[0][]) : null;
    Tickets.Builder builder = Tickets.of(target, phi)
        .construction(SourceNetwork.Construction.parse(row.construction())).inputBox(lo, row.hi()).seed(seed)
        .threads(Runtime.getRuntime().availableProcessors()).label("builtin:" + row.target());
    if (points != null) builder.around(points, row.radius());
    if (row.upto() != null) builder.upto(row.upto());
    if (row.rho() != null) builder.width(row.rho());
    if (row.eps() != null) builder.tolerance(row.eps());
    if (test != null) builder.calibrationInputs(test.inputs());
    long t0 = System.nanoTime();
    Ticket ticket = builder.build();
    double construct = (System.nanoTime() - t0) / 1e9;
    Path file = dir.resolve(row.target() + "-" + row.activation() + "-" + row.construction()
        + (points != null ? "-around-" + row.radius() : "") + ".tpz");
    ticket.write(file);
    long t1 = System.nanoTime();
    TicketCertificate back;
    try {
      back = TicketFile.read(file);
    } catch (TicketFile.Unreadable e) {
      throw new IOException(e.getMessage(), e);
    }
    TicketChecker.Report rep = TicketChecker.check(back, target, phi, TicketChecker.Listener.NONE, points);
    double verify = (System.nanoTime() - t1) / 1e9;
    long t2 = System.nanoTime();
    LowerBound.Result lb = Cli.lowerBound(back, target, points, 16, search.n, null);
    double searchSeconds = (System.nanoTime() - t2) / 1e9;
    JsonObject o = new JsonObject();
    o.addProperty("target", row.target());
    o.addProperty("activation", row.activation());
    o.addProperty("construction", row.construction());
    o.addProperty("upto", row.upto());
    o.addProperty("inputBox", "[" + fmt(lo) + "," + fmt(row.hi()) + "]");
    if (points != null) {
      o.addProperty("aroundPoints", points.length);
      o.addProperty("radius", row.radius());
      Cli.addAgreement(o, rep);
    }
    o.addProperty("rho", back.header().rho());
    o.addProperty("rhoMode", row.rho() == null ? "auto" : "given");
    o.addProperty("eps", back.header().eps());
    o.addProperty("epsBasis", ticket.toleranceBasis().label());
    Cli.addSizes(o, Cli.sizes(rep, ticket.result().source(), back));
    o.addProperty("instances", rep.instances());
    o.addProperty("failedInstances", rep.failedInstances());
    o.addProperty("certifiedBound", rep.certifiedBound());
    Cli.addLowerBound(o, lb, rep.certifiedBound(), searchSeconds);
    o.addProperty("measuredMaxError", lb.sampledMaxError());
    o.addProperty("maxTargetOutput", lb.maxTargetOutput());
    o.addProperty("lowerRelError", Tickets.relative(lb.lowerBound(), lb.maxTargetOutput()));
    boolean holds = rep.verdict().isHolds() && lb.lowerBound() <= rep.certifiedBound();
    if (test != null) {
      int n = Math.min(row.data(), test.inputs().size());
      Evaluator.Pair ev = Evaluator.of(back, target);
      DataCheck d = DataCheck.of(ev.target(), ev.ticket(), test.inputs().subList(0, n),
          java.util.Arrays.copyOf(test.labels(), n));
      o.addProperty("dataSamples", n);
      o.addProperty("dataRelError", Tickets.relative(d.maxError(), d.maxTargetOutput()));
      o.addProperty("targetAccuracy", d.targetAccuracy());
      o.addProperty("ticketAccuracy", d.ticketAccuracy());
      o.addProperty("agreement", d.agreement());
      o.addProperty("dataMaxError", d.maxError());
      holds &= d.maxError() <= rep.certifiedBound();
    }
    o.addProperty("constructSeconds", construct);
    o.addProperty("verifySeconds", verify);
    o.addProperty("verdict", holds ? "holds" : "rejected");
    if (!rep.verdict().isHolds()) o.addProperty("reason", rep.verdict().reason());
    return o;
  }

  private static String fmt(double v) { return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v); }

  private static void table(PrintWriter out, JsonArray rows, double total) {
    out.println("TicketProof demo: strong lottery tickets pruned from virtual random source networks, each certificate"
        + " written, read back and re-checked by the kernel.");
    out.println("rho: the width (a = auto, the theorem's width); eps: the tolerance (calibrated for a 1 % relative"
        + " output error unless fixed for the row).");
    out.println("certified: the kernel's bound on sup |target - ticket| over the input box; lower: the largest error an"
        + " adversarial search found (the sup lies in");
    out.println("[lower, certified]); rel: lower / max |target output|; ratio: certified / lower. box r=R: a local"
        + " certificate, over the balls of radius R");
    out.println("around the first test images (clipped to the box).");
    out.println();
    out.printf(Locale.ROOT, "%-21s %-7s %-4s %-4s %-6s %-5s %8s %7s %9s %14s %9s %9s %8s %9s %6s %6s %6s  %s%n",
        "target", "phi", "cons", "upto", "box", "rho", "eps", "target", "ticket", "failed/inst", "certified", "lower",
        "rel", "ratio", "build", "check", "search", "verdict");
    for (var el : rows) {
      JsonObject o = el.getAsJsonObject();
      out.printf(Locale.ROOT,
          "%-21s %-7s %-4s %-4s %-6s %-5s %8.2g %7d %9d %14s %9.3g %9.3g %7.3f%% %9.3g %5.1fs %5.1fs %5.1fs  %s%n",
          o.get("target").getAsString(), o.get("activation").getAsString(), o.get("construction").getAsString(),
          o.get("upto").isJsonNull() ? "-" : o.get("upto").getAsString(),
          o.has("radius") ? "r=" + fmt(o.get("radius").getAsDouble()) : o.get("inputBox").getAsString(),
          o.get("rho").getAsInt() + ("auto".equals(o.get("rhoMode").getAsString()) ? "a" : ""),
          o.get("eps").getAsDouble(), o.get("targetParams").getAsLong(), o.get("ticketParams").getAsLong(),
          o.get("failedInstances").getAsLong() + "/" + o.get("instances").getAsLong(),
          o.get("certifiedBound").getAsDouble(), o.get("lowerBound").getAsDouble(),
          100 * o.get("lowerRelError").getAsDouble(), o.get("boundRatio").getAsDouble(),
          o.get("constructSeconds").getAsDouble(), o.get("verifySeconds").getAsDouble(),
          o.get("searchSeconds").getAsDouble(), o.get("verdict").getAsString());
    }
    out.println();
    for (var el : rows) {
      JsonObject o = el.getAsJsonObject();
      if (o.has("targetAccuracy")) {
        out.printf(Locale.ROOT, "%s (%s, %d test images): target accuracy %.2f %%, ticket accuracy %.2f %%, predictions"
            + " agree on %.2f %%, max |target - ticket| on the data %.3g (%.3f %% of max |target|)%n",
            o.get("target").getAsString(), o.get("construction").getAsString(), o.get("dataSamples").getAsInt(),
            100 * o.get("targetAccuracy").getAsDouble(), 100 * o.get("ticketAccuracy").getAsDouble(),
            100 * o.get("agreement").getAsDouble(), o.get("dataMaxError").getAsDouble(),
            100 * o.get("dataRelError").getAsDouble());
      }
      if (o.has("radius")) {
        out.printf(Locale.ROOT, "%s (%s, balls of radius %s around %d test images): the kernel certifies |target -"
            + " ticket| <= %.3g there (the search found %.3g) and that the ticket predicts the target's class on every"
            + " input of %s of the %d balls%n", o.get("target").getAsString(), o.get("construction").getAsString(),
            fmt(o.get("radius").getAsDouble()), o.get("aroundPoints").getAsInt(), o.get("certifiedBound").getAsDouble(),
            o.get("lowerBound").getAsDouble(), o.get("certifiedAgreement").getAsString(), o.get("aroundPoints").getAsInt());
      }
    }
    out.printf(Locale.ROOT, "%nParameters count weights and biases with |w| above their tolerance (eps, or its share"
        + " in a first-layer block of its own scale; ticket: kept source weights; with --upto the kept target layers"
        + " too). Total %.1f s.%n", total);
  }
}
