package dev.ticketproof.cli;


import com.google.gson.JsonObject;
import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.kernel.check.TicketChecker;
import dev.ticketproof.measure.Evaluator;
import dev.ticketproof.measure.LowerBound;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.TicketFile;
import dev.ticketproof.net.Network;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code verify}: re-checks a ticket certificate with the kernel only (exit 0 holds, 3 rejected, 2 bad input).
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Re-checks a ticket certificate with the kernel: regenerates every kept weight from the seed, "
        + "re-checks every subset sum, recomputes the bound and measures target vs ticket on sample inputs and on "
        + "the witness of construct's search (or searches again with --search). "
        + "Exit 0 when it holds, 3 when it is rejected (reason on stderr), 2 for bad input.")
public final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", description = "The .tpz ticket file.")
  Path ticket;

  @CommandLine.Mixin TicketTargetOptions target;

  @Option(names = "--samples", defaultValue = "16",
      description = "Sample inputs for the measured error (0: skip) (default: ${DEFAULT-VALUE}).")
  int samples;

  @CommandLine.Mixin SearchOption search;

  @CommandLine.Mixin DataOptions data;

  @Option(names = "--around", description = "The points of a local certificate (the array it was built"
      + " with, in any format of --data): the kernel checks their digest and the bound over their balls.")
  Path around;

  @CommandLine.Mixin FormatOption format;

  @CommandLine.Mixin ProgressOption progress;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    search.get();
    if (!Files.isRegularFile(ticket)) throw new UsageError(TargetOptions.noTicket(ticket));
    TicketCertificate cert;
    try {
      cert = TicketFile.read(ticket);
    } catch (TicketFile.Unreadable e) {
      err.println("verify: rejected: " + e.getMessage());
      return 3;
    } catch (TicketFile.TooLarge e) {
      throw new UsageError(e.getMessage());
    } catch (IOException e) {
      throw new UsageError(ticket + ": cannot read (" + e.getMessage() + ")");
    }
    Activation phi;
    try {
      phi = ActivationCatalog.parse(cert.header().activation());
    } catch (IllegalArgumentException e) {
      err.println("verify: rejected: header names an unknown activation: " + e.getMessage());
      return 3;
    }
    String t = target.target != null ? target.target : cert.header().target();
    if (t == null) {
      err.println("verify: rejected: " + ticket + ": the header names no target (damaged certificate)");
      return 3;
    }
    if (!t.startsWith("builtin:") && target.target == null) {
      throw new UsageError("the ticket's target is " + t + "; pass it with --target PATH --arch SPEC (no --arch "
          + "for a whole model's nn.Sequential)");
    }
    Network net;
    int[] shape = TargetOptions.shapeOf(ticket, t, target.inputShape.value);
    try {
      net = TargetOptions.load(t, target.arch, phi, shape, ticket);
    } catch (UsageError e) {
      if (target.target != null) throw e;
      err.println("verify: rejected: " + ticket + ": the header's target " + t + " cannot be loaded ("
          + e.getMessage() + ")");
      return 3;
    }
    Cli.checkSamples(samples, net);
    Cli.checkMeasurement(net, Math.max(1, Math.max(cert.header().rho(), cert.header().rho1())),
        samples + (data.inputs != null ? 1 : 0));
    Cli.DataSet dataSet = data.load(net);
    // the search witness, unless a search is asked for: evaluated instead of repeating construct's search
    double[] witness = null;
    String witnessUse = search.n != null ? "not used" : "absent";
    if (search.n == null) {
      try {
        witness = dev.ticketproof.io.TicketWitness.read(ticket);
      } catch (IOException | dev.ticketproof.io.ImportException e) {
        err.println("verify: note: the search witness is not read (" + e.getMessage() + "); searching instead");
        witnessUse = "unreadable";
      }
    }
    double[][] points = around == null ? null : Cli.aroundPoints(net, around);
    long start = System.nanoTime();
    TicketChecker.Report rep;
    SourceNetwork planned;
    try {
      planned = SourceNetwork.of(TargetPlan.of(net, phi), cert.params());
    } catch (IllegalArgumentException e) {
      planned = null; // the kernel rejects the certificate and says why
    }
    LowerBound.Result lb;
    double searchSeconds;
    dev.ticketproof.measure.DataCheck dataCheck = null;
    try (RunProgress bar = RunProgress.verify(progress.show() && planned != null, planned, 0,
        dataSet == null ? 0 : dataSet.inputs().size())) {
      rep = TicketChecker.check(cert, net, phi, bar.check(), points);
      long searchStart = System.nanoTime();
      lb = null;
      if (rep.verdict().isHolds() && witness != null) {
        lb = Cli.lowerBoundAt(cert, net, points, samples, witness, bar);
        witnessUse = lb != null ? "evaluated" : "outside the region";
        if (lb == null) err.println("verify: note: the search witness is no input of the certified region; searching");
      }
      if (rep.verdict().isHolds() && lb == null) lb = Cli.lowerBound(cert, net, points, samples, search.n, bar);
      searchSeconds = (System.nanoTime() - searchStart) / 1e9;
      if (rep.verdict().isHolds() && dataSet != null) {
        Evaluator.Pair ev = Evaluator.of(cert, net);
        dataCheck = dev.ticketproof.measure.DataCheck.of(ev.target(), ev.ticket(), dataSet.inputs(),
            data.labels == null ? null : dataSet.labels(), bar::evaluatedData);
      }
      bar.finished();
    }
    double measured = lb == null ? Double.NaN : lb.lowerBound();
    boolean dataInBox = false;
    if (dataCheck != null) {
      dataInBox = TicketChecker.region(cert.header(), points).containsAll(dataSet.inputs());
      if (dataInBox) measured = Math.max(Double.isNaN(measured) ? 0 : measured, dataCheck.maxError());
      if (dataCheck.changedNote() != null) err.println("verify: note: " + dataCheck.changedNote());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    boolean holds = rep.verdict().isHolds() && !(measured > rep.certifiedBound());
    JsonObject o = new JsonObject();
    o.addProperty("ticket", ticket.toString());
    o.addProperty("target", t);
    o.addProperty("verdict", holds ? "holds" : "rejected");
    String reason = !rep.verdict().isHolds() ? rep.verdict().reason()
        : measured > rep.certifiedBound() ? "measured error " + measured + " exceeds the certified bound "
            + rep.certifiedBound() : null;
    if (reason != null) o.addProperty("reason", reason);
    o.addProperty("claimedBound", cert.header().claimedBound());
    o.addProperty("certifiedBound", rep.certifiedBound());
    o.addProperty("recursionBound", rep.recursionBound());
    o.addProperty("differentialBound", rep.differentialBound());
    if (cert.header().local()) {
      o.addProperty("aroundSha256", cert.header().aroundSha256());
      o.addProperty("radius", cert.header().radius());
      if (points != null) o.addProperty("aroundPoints", points.length);
      Cli.addAgreement(o, rep);
    }
    o.addProperty("formBudget", cert.header().formBudget());
    o.addProperty("substitutionWork", cert.header().substitutionWork());
    Cli.addLowerBound(o, lb, rep.certifiedBound(), searchSeconds);
    o.addProperty("witness", witnessUse);
    o.addProperty("measuredMaxError", lb == null || samples == 0 ? Double.NaN : lb.sampledMaxError());
    if (lb != null) {
      o.addProperty("maxTargetOutput", samples == 0 ? Double.NaN : lb.sampledMaxTargetOutput());
      o.addProperty("measuredRelError", samples == 0 ? Double.NaN
          : dev.ticketproof.api.Tickets.relative(lb.sampledMaxError(), lb.sampledMaxTargetOutput()));
    }
    Cli.addSizes(o, Cli.sizes(rep, planned, cert));
    o.addProperty("instances", rep.instances());
    o.addProperty("failedInstances", rep.failedInstances());
    o.addProperty("maxParamError", rep.maxParamError());
    if (dataCheck != null) dataCheck.addTo(o, dataInBox);
    o.addProperty("seconds", seconds);
    Cli.addOutputActivation(o, net.outputActivation(), err, "verify");
    Cli.noteVacuous(o, err, "verify", cert.header().local());
    Cli.print(spec.commandLine().getOut(), o, format.json());
    if (!holds) {
      err.println("verify: rejected: " + reason + (reason.startsWith("target hash mismatch")
          ? TargetOptions.shapeHint(t, shape, net) : ""));
      return 3;
    }
    return 0;
  }
}
