package dev.ticketproof.cli;


import com.google.gson.JsonObject;
import dev.ticketproof.activation.Activation;
import dev.ticketproof.api.Ticket;
import dev.ticketproof.api.Tickets;
import dev.ticketproof.construct.Defaults;
import dev.ticketproof.kernel.check.TicketChecker;
import dev.ticketproof.measure.Goals;
import dev.ticketproof.measure.LowerBound;
import dev.ticketproof.measure.Measure;
import dev.ticketproof.measure.Sizes;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.io.TicketWriter;
import dev.ticketproof.net.Network;
import dev.ticketproof.subsetsum.SubsetSum;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
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

  @CommandLine.Mixin ArchOption arch;

  @CommandLine.Mixin InputShapeOption inputShape;

  @Option(names = "--activation", description = "Activation, a catalog name (default: a JSON spec's \"activation\","
      + " a whole model's activation modules', else relu; for a built-in target relu, or the one a trained target is"
      + " only defined with: sigmoid for digits-resnet-sigmoid).")
  String activation;

  @Option(names = "--construction", defaultValue = Tickets.DEFAULT_CONSTRUCTION, description = "l+1 or 2l (default: ${DEFAULT-VALUE}).")
  String construction;

  @Option(names = "--eps",
      description = "Per-parameter tolerance of every subset-sum instance, in (0, 1) (default: calibrated for "
          + "--output-rel).")
  Double eps;

  @Option(names = "--output-rel", defaultValue = "" + Tickets.DEFAULT_OUTPUT_REL,
      description = "Relative output goal max|target - ticket| / max|target| that chooses the tolerance when --eps "
          + "is not given: certified when the kernel's bound meets it, else measured (default: ${DEFAULT-VALUE}).")
  double outputRel;

  @Option(names = "--output-eps",
      description = "Requested certified output error: searches a per-parameter tolerance whose certified bound is "
          + "at most this value (overrides --eps and --output-rel); exit 4 when no tolerance meets it.")
  Double outputEps;

  @Option(names = "--keep-best",
      description = "With --output-eps: write the certificate with the smallest bound found even when the request "
          + "is not met (still exit 4).")
  boolean keepBest;

  @Option(names = "--rho", defaultValue = "auto", converter = RhoConverter.class,
      description = "Copies per channel: auto (the theorem's width for --delta at the chosen tolerance, or the widest "
          + "below it whose source layers a mask can index) or 1.."
          + SourceNetwork.MAX_RHO + " (default: ${DEFAULT-VALUE}).")
  String rho;

  @Option(names = "--delta", defaultValue = "" + Tickets.DEFAULT_DELTA,
      description = "Failure probability over all subset-sum instances that --rho auto is chosen for "
          + "(default: ${DEFAULT-VALUE}).")
  double delta;

  @Option(names = "--rho1", description = "Copies per input channel in the first layer (default: 2 rho when phi "
      + "needs a sign split, else rho).")
  Integer rho1;

  @Option(names = "--lambda", description = "Input scale of univariate layers (default: 1 for piecewise-linear phi;"
      + " otherwise 0.05, or 0.05 / B for a box reaching B > 1, lowered by a calibration for --output-rel).")
  Double lambda;

  @Option(names = "--seed", defaultValue = "" + Tickets.DEFAULT_SEED, description = "Seed of the source network (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--upto", description = "Last target layer to construct (a layer name such as 2); later layers are"
      + " kept unchanged.")
  String upto;

  @Option(names = "--input-bound", defaultValue = "" + Tickets.DEFAULT_INPUT_BOUND,
      description = "B0: the bound is certified on the box [-B0, B0]^d (default: ${DEFAULT-VALUE}).")
  double inputBound;

  @Option(names = "--input-box", description = "Certify on another box: LO,HI for [LO, HI] on every input (e.g. 0,1 "
      + "for images); LO:HI,LO:HI,... for one interval per input channel (per feature of a vector input); data for "
      + "each channel's range in the --data rows.")
  String inputBox;

  @Option(names = "--mode", defaultValue = Tickets.DEFAULT_MODE,
      description = "Subset-sum solver: min-size, exact, first-hit or min-norm (least norm of the kept weights,"
          + " slower; smaller errors on deep targets) (default: ${DEFAULT-VALUE}).")
  String mode;

  @Option(names = "--samples", defaultValue = "" + Tickets.DEFAULT_SAMPLES,
      description = "Sample inputs for the measured error: half uniform in the box, half corners "
          + "(default: ${DEFAULT-VALUE}).")
  int samples;

  @CommandLine.Mixin SearchOption search;

  @CommandLine.Mixin DataOptions data;

  @Option(names = "--around", description = "Certify over l-infinity balls around these points (an array"
      + " [N, ...] of inputs, in the formats of --data), clipped to the input box, instead of the whole box; needs --radius.")
  Path around;

  @Option(names = "--radius", converter = RadiusConverter.class, description = "Radius of the balls of --around "
      + "(l-infinity): a number or a fraction, e.g. 0.00784 or 2/255.")
  Double radius;

  @Option(names = "--form-budget", paramLabel = "N", description = "Doubles of coefficients the differential bound"
      + " keeps per feature map (suffixes K, M, G: 2^10, 2^20, 2^30); larger maps hold intervals. More keeps deeper"
      + " maps symbolic: tighter local certificates, more time and memory (8 bytes a double, a few maps at once;"
      + " recorded in the certificate, so verify uses the same) (default: 8M).")
  String formBudget;

  @Option(names = "--substitution-work", paramLabel = "N", description = "Multiply-adds per region (box or ball) the"
      + " differential bound's back-substitution may cost, all outputs together (e.g. 5e10); a ticket whose"
      + " substitution costs more keeps the forward bound. More lets deeper tickets back-substitute: tighter bounds,"
      + " about a second per 1e9 on 2 cores (recorded in the certificate, so verify uses the same) (default: 2e9).")
  String substitutionWork;

  @Option(names = "--threads", description = "Worker threads (default: available processors).")
  Integer threads;

  @Option(names = "--out", description = "Write the certificate to this .tpz file.")
  Path out;

  @CommandLine.Mixin FormatOption format;

  @CommandLine.Mixin ProgressOption progress;

  /** Accepts {@code auto} or an integer in [1, {@link SourceNetwork#MAX_RHO}] for {@code --rho}. */
  static final class RhoConverter implements picocli.CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
      String v = value.trim();
      if (v.equals("auto")) return v;
      try {
        int r = Integer.parseInt(v);
        if (r >= 1 && r <= SourceNetwork.MAX_RHO) return v;
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new picocli.CommandLine.TypeConversionException("--rho must be auto or an integer in [1, "
          + SourceNetwork.MAX_RHO + "], got '" + value + "'");
    }
  }

  /**
   * Reads {@code --radius} as a decimal number or a fraction {@code A/B} of two (as l-infinity radii of images are
   * written, {@code 2/255}), computed as the double {@code A / B}; its range is checked with {@code --around}.
   */
  static final class RadiusConverter implements picocli.CommandLine.ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      String v = value.trim();
      int slash = v.indexOf('/');
      try {
        if (slash < 0) return Double.parseDouble(v);
        double a = Double.parseDouble(v.substring(0, slash));
        double b = Double.parseDouble(v.substring(slash + 1));
        if (b != 0) return a / b;
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new picocli.CommandLine.TypeConversionException("--radius must be a number or a fraction A/B of two "
          + "(B not 0), e.g. 0.00784 or 2/255, got '" + value + "'");
    }
  }

  /** {@link Cli#defaultBox} of the {@code --data} rows and the {@code --around} points, whichever are given. */
  private Cli.InputBox defaultBox(Network net, int channels, boolean vector, Cli.DataSet dataSet) {
    java.util.List<double[]> rows = new java.util.ArrayList<>();
    java.util.List<String> from = new java.util.ArrayList<>();
    if (dataSet != null) {
      rows.addAll(dataSet.inputs());
      from.add("--data " + data.inputs);
    }
    if (around != null) {
      rows.addAll(java.util.Arrays.asList(Cli.aroundPoints(net, around)));
      from.add("--around " + around);
    }
    return Cli.defaultBox(channels, vector, rows, String.join(" and ", from), spec.commandLine().getErr());
  }

  /**
   * The most copies per channel that {@code --rho auto} can give: the theorem's width grows as the tolerance
   * shrinks, and the calibration never goes below {@link Goals#MIN_EPS} (nor below a fixed {@code --eps}), so its
   * width there bounds every build's, as {@code rho1} (given, or the default for that width and the box's lower end
   * {@code lo}) bounds the first layer's. The measurement's memory is estimated from it before anything is built.
   */
  static int autoWidest(TargetPlan plan, SourceNetwork.Construction cons, Activation phi, Double eps, Integer rho1,
      double lo, double delta, int widest) {
    int r = Math.min(widest, Goals.theoremRho(plan, cons, eps != null ? Math.min(eps, Goals.MIN_EPS)
        : Goals.MIN_EPS, delta));
    return Math.min(widest, Math.max(r, rho1 != null ? rho1 : Defaults.rho1(phi, r, lo)));
  }

  /** A measured relative error above this prints a warning. */
  static final double WARN_REL = 0.01;

  private static double relative(double error, double scale) { return Tickets.relative(error, scale); }

  /** The files this command reads (an output must not be one of them). */
  private Path[] inputs() {
    return new Path[] {target.startsWith("builtin:") ? null : Path.of(target), data.inputs, data.labels,
        arch.file(), around};
  }

  @Override
  public Integer call() {
    Activation phi = TargetOptions.activation(activation, target, arch);
    Network net = TargetOptions.load(target, arch, phi, inputShape.value, data.inputs != null ? "--data" : "--around",
        data.inputs != null ? data.inputs : around);
    SourceNetwork.Construction cons = SourceNetwork.Construction.parse(construction);
    SubsetSum.Mode solver = SubsetSum.Mode.ofCliName(mode);
    Integer fixedRho = null;
    if (!"auto".equals(rho)) {
      try {
        fixedRho = Integer.parseInt(rho.trim());
      } catch (NumberFormatException e) {
        throw new UsageError("--rho must be auto or an integer in [1, " + SourceNetwork.MAX_RHO + "], got '" + rho + "'");
      }
      int max = Math.min(SourceNetwork.MAX_RHO, solver.maxN());
      if (fixedRho < 1 || fixedRho > max) {
        throw new UsageError("--rho must be in [1, " + max + "] for mode " + mode + ", got " + fixedRho);
      }
    }
    if (rho1 != null && (rho1 < 1 || rho1 > Math.min(SourceNetwork.MAX_RHO, solver.maxN()))) {
      throw new UsageError("--rho1 must be in [1, " + Math.min(SourceNetwork.MAX_RHO, solver.maxN()) + "], got "
          + rho1);
    }
    if (!(delta > 0 && delta < 1)) throw new UsageError("--delta must be in (0, 1), got " + delta);
    double lam = lambda != null ? lambda : Defaults.lambda(phi);
    if (!(lam > 0 && lam <= 1)) throw new UsageError("--lambda must be in (0, 1], got " + lam);
    if (eps != null && !(eps > 0 && eps < 1)) throw new UsageError("--eps must be in (0, 1), got " + eps);
    if (!(outputRel > 0 && outputRel < 1)) throw new UsageError("--output-rel must be in (0, 1), got " + outputRel);
    if (outputEps != null && !(outputEps > 0 && Double.isFinite(outputEps))) {
      throw new UsageError("--output-eps must be finite and > 0, got " + outputEps);
    }
    if (keepBest && outputEps == null) throw new UsageError("--keep-best needs --output-eps");
    if (!(inputBound > 0 && Double.isFinite(inputBound))) {
      throw new UsageError("--input-bound must be finite and > 0, got " + inputBound);
    }
    if (Cli.beyondBox(inputBound)) {
      throw new UsageError("--input-bound must be at most 1e100 (" + Cli.BOX_WHY + "), got " + inputBound);
    }
    int channels = net.inputShape()[0];
    int[] in = net.inputShape();
    boolean vector = in.length == 1 || in.length == 3 && in[1] == 1 && in[2] == 1;
    // a malformed box is refused before the data are read; --input-box data needs them (below), and so does the
    // default box when --data or --around is given without --input-box or --input-bound
    boolean boxFromData = inputBox == null && (data.inputs != null || around != null)
        && !spec.commandLine().getParseResult().hasMatchedOption("--input-bound");
    Cli.InputBox box = boxFromData ? null : inputBox == null ? Cli.InputBox.uniform(-inputBound, inputBound)
        : inputBox.trim().equals("data") ? null : Cli.inputBox(inputBox, channels, vector, null, null, null);
    if (box == null && !boxFromData && data.inputs == null) Cli.inputBox(inputBox, channels, vector, null, null, null);
    int widest = Math.min(SourceNetwork.MAX_RHO, solver.maxN());
    if (fixedRho != null) widest = Math.min(widest, Math.max(rho1 != null ? rho1 : 2 * fixedRho, fixedRho));
    if (eps != null) Cli.checkResolvable("--eps", eps, widest);
    Cli.checkSamples(Math.max(16, samples), net);
    int th = Cli.threads(threads);
    search.get();
    if (out != null) SafeOutput.check(out, "--out", inputs());
    Cli.DataSet dataSet = data.load(net);
    if (box == null) {
      box = boxFromData ? defaultBox(net, channels, vector, dataSet)
          : Cli.inputBox(inputBox, channels, vector, dataSet.inputs(), data.inputs, spec.commandLine().getErr());
    }
    double lo = box.lo();
    double hi = box.hi();
    String outside = dataSet == null ? null
        : dev.ticketproof.measure.DataCheck.outsideBox(dataSet.inputs(), box.lows(), box.highs());
    if (outside != null) {
      spec.commandLine().getErr().println("construct: warning: --data " + data.inputs + ": " + outside + ": the "
          + "certified bound holds on the box only and says nothing about them (dataInBox false); give the "
          + "range the network's inputs take as --input-box LO,HI, or per channel (LO:HI,... or data)");
    }
    String loose = dev.ticketproof.net.LooseBatchNorm.fold(net).refusal();
    if (loose != null) throw new UsageError(target + ": " + loose);
    TargetPlan plan = TargetPlan.of(net, phi);
    if (fixedRho == null) {
      // the first layer reads the box's image under the target's input map, if it has one
      double seenLow = plan.input() == null ? lo : java.util.Arrays.stream(plan.input().image(lo, hi, box.channels()))
          .mapToDouble(b -> b[0]).min().orElseThrow();
      widest = autoWidest(plan, cons, phi, eps, rho1, seenLow, delta, widest);
    }
    Cli.checkMeasurement(net, widest, samples + (data.inputs != null ? 1 : 0));
    double[][] points = Cli.around(net, around, radius, box);
    Tickets.Builder builder = Tickets.of(net, phi).construction(cons).outputRel(outputRel).delta(delta).seed(seed)
        .upto(upto).inputBox(lo, hi).mode(solver).samples(samples).threads(th).label(target)
        .calibrationInputs(dataSet == null ? null : dataSet.inputs())
        .around(points, points == null ? Double.NaN : radius);
    if (box.channels() != null) builder.inputBoxes(box.channels());
    if (formBudget != null) builder.formBudget(Cli.formBudget(formBudget));
    if (substitutionWork != null) builder.substitutionWork(Cli.substitutionWork(substitutionWork));
    if (eps != null) builder.tolerance(eps);
    if (outputEps != null) builder.outputEps(outputEps);
    if (fixedRho != null) builder.width(fixedRho);
    if (rho1 != null) builder.firstWidth(rho1);
    if (lambda != null) builder.lambda(lam);
    long start = System.nanoTime();
    Ticket ticket;
    double seconds;
    LowerBound.Result lb;
    double searchSeconds;
    dev.ticketproof.measure.DataCheck d = null;
    try (RunProgress bar = RunProgress.construct(progress.show(), samples, search.n,
        dataSet == null ? 0 : dataSet.inputs().size())) {
      ticket = builder.progress(bar).build();
      seconds = (System.nanoTime() - start) / 1e9;
      long searchStart = System.nanoTime();
      TicketBuilder.Result built = ticket.result();
      lb = built.report().verdict().isHolds() ? Cli.lowerBound(built.certificate(), net, points, samples,
          search.n, bar, ticket.measured()) : null;
      searchSeconds = (System.nanoTime() - searchStart) / 1e9;
      if (dataSet != null) {
        d = dev.ticketproof.measure.DataCheck.of(dev.ticketproof.measure.Evaluator.ofTarget(built.source().plan()),
            dev.ticketproof.measure.Evaluator.ofTicket(built.source(), built.certificate()), dataSet.inputs(),
            data.labels == null ? null : dataSet.labels(), bar::evaluatedData);
      }
      bar.finished();
    }
    TicketBuilder.Result res = ticket.result();
    double usedEps = ticket.tolerance();
    String epsBasis = ticket.toleranceBasis().label();
    Boolean outputEpsMet = ticket.outputEpsMet();
    int builds = ticket.builds();
    Measure.Result m = ticket.measured();
    TicketChecker.Report rep = res.report();
    // an input whose error exceeds the certified bound proves the bound wrong
    String unsound = lb != null && !(lb.lowerBound() <= rep.certifiedBound()) ? "measured error " + lb.lowerBound()
        + " exceeds the certified bound " + rep.certifiedBound() : null;
    boolean write = out != null && rep.verdict().isHolds() && unsound == null
        && (outputEpsMet == null || outputEpsMet || keepBest);
    if (write) {
      TicketBuilder.Result written = res;
      double[] witness = lb == null ? null : lb.witness();
      SafeOutput.write(out, "--out", os -> TicketWriter.write(written.certificate(), witness,
          target.startsWith("builtin:") ? null : net.inputShape(), os), inputs());
    }
    JsonObject o = Cli.reportJson(rep, res, m, lb, searchSeconds, seconds);
    double measuredRel = relative(m.maxError(), m.maxTargetOutput());
    o.addProperty("measuredRelError", measuredRel);
    double worstRel = measuredRel;
    Double dataGoalRel = null;
    // the output goal's relative error: each output on its own scale for a vector of outputs (on enough inputs), on
    // the box samples or the data (as the builds check it)
    boolean each = dev.ticketproof.measure.OutputErrors.eachOutput(plan, dataSet == null ? null : dataSet.inputs(),
        points);
    dev.ticketproof.measure.OutputErrors goalSet = m.outputs();
    if (d != null) {
      d.addTo(o, dev.ticketproof.measure.DataCheck.inBox(dataSet.inputs(), box.lows(), box.highs()));
      if (d.changedNote() != null) spec.commandLine().getErr().println("construct: note: " + d.changedNote());
      if (o.has("dataMaxError") && o.has("dataMaxTargetOutput")) {
        double dataRel = relative(o.get("dataMaxError").getAsDouble(), o.get("dataMaxTargetOutput").getAsDouble());
        o.addProperty("dataRelError", dataRel);
        goalSet = d.outputs();
        dataGoalRel = goalSet.relative(each);
        worstRel = Math.max(worstRel, Math.max(dataRel, dataGoalRel));
        int j = d.worstOutput();
        double own = d.worstOutputRelError();
        if (d.outputMaxError().length > 1 && own > WARN_REL && own > 2 * dataRel) {
          spec.commandLine().getErr().printf(Locale.ROOT, "construct: warning: output %d is %.3g %% off on the data "
              + "relative to its own scale (its values up to %.3g, the largest output's up to %.3g; the whole output "
              + "vector's relative error is %.3g %%): %s. Read each output's error before you use the ticket's small "
              + "outputs (dataWorstOutputRelError; eval --ticket and eval --target give the outputs); a smaller "
              + "--output-rel tightens the tolerance for every output%n", j, 100 * own, d.outputMaxTarget()[j],
              d.maxTargetOutput(), 100 * dataRel, each ? String.format(Locale.ROOT, "--output-rel bounds each "
              + "output's error on its own scale, taken at least %g times the largest output's",
              dev.ticketproof.measure.OutputErrors.SCALE_FLOOR) : "--output-rel bounds the error of the feature "
              + "map's units as one vector, relative to its largest unit");
        }
      }
    }
    SourceNetwork.Params used = res.source().params();
    int theorem = Goals.theoremRho(plan, cons, usedEps, delta);
    o.addProperty("activation", phi.name());
    o.addProperty("eps", usedEps);
    o.addProperty("epsBasis", epsBasis);
    o.addProperty("rho", used.rho());
    o.addProperty("rhoMode", fixedRho != null ? "given" : "auto");
    o.addProperty("rho1", used.rho1());
    o.addProperty("delta", delta);
    o.addProperty("lambda", used.lambda());
    o.addProperty("lambdaBasis", ticket.lambdaBasis().label());
    o.addProperty("lambdaDefault", Defaults.lambda(phi, SourceNetwork.scaledBound(used)));
    if (points != null) {
      o.addProperty("around", around.toString());
      o.addProperty("aroundPoints", points.length);
      Cli.addAgreement(o, rep);
      o.addProperty("radius", radius);
    }
    if (box.channels() != null) {
      com.google.gson.JsonArray boxes = new com.google.gson.JsonArray();
      for (double[] b : box.channels()) {
        com.google.gson.JsonArray one = new com.google.gson.JsonArray();
        one.add(b[0]);
        one.add(b[1]);
        boxes.add(one);
      }
      o.add("inputBoxes", boxes);
    }
    o.addProperty("formBudget", res.certificate().header().formBudget());
    o.addProperty("substitutionWork", res.certificate().header().substitutionWork());
    o.addProperty("mode", solver.cliName());
    o.addProperty("rhoTheorem", theorem);
    o.addProperty("builds", Math.max(1, builds));
    long dropped = Sizes.targetParams(plan, 0) - Sizes.targetParams(plan, usedEps);
    o.addProperty("droppedTargetParams", dropped);
    Cli.addLayerWidths(o, res.source());
    PrintWriter errOut = spec.commandLine().getErr();
    if (outputEps != null) {
      o.addProperty("outputEps", outputEps);
      o.addProperty("outputEpsMet", outputEpsMet);
      if (!outputEpsMet) {
        errOut.printf(Locale.ROOT, "construct: no per-parameter tolerance tried gives a certified bound <= %g; the "
            + "smallest bound found is %g (eps=%g, rho=%d)%s%n", outputEps, rep.certifiedBound(), usedEps, used.rho(),
            write ? "; written because of --keep-best" : "; no certificate written (--keep-best writes it)");
      }
    } else if (eps == null) {
      boolean certified = rep.certifiedBound() <= outputRel * goalSet.smallestScale(each);
      o.addProperty("outputRel", outputRel);
      o.addProperty("outputRelScale", each ? "each output" : "output vector");
      o.addProperty("outputRelError", goalSet.relative(each));
      o.addProperty("outputRelMet", outputRelMet(certified, outputRel, m.outputs().relative(each), dataGoalRel));
      o.addProperty("outputRelBasis", certified ? "certified" : "measured");
    }
    if (used.rho() < theorem) {
      boolean slots = fixedRho == null && used.rho() < Math.min(SourceNetwork.MAX_RHO, solver.maxN());
      errOut.printf(Locale.ROOT, "construct: warning: rho %d is below the theorem's width %d for eps %g and delta %g"
          + "%s: the theory does not bound the failed instances%n", used.rho(), theorem, usedEps, delta, slots
          ? " (the widest whose source layers a mask can index, " + SourceNetwork.MAX_SLOTS + " weight slots each)" : "");
    }
    if (worstRel > WARN_REL) {
      errOut.printf(Locale.ROOT, "construct: warning: measured relative error %.3g %% exceeds %.3g %%%n",
          100 * worstRel, 100 * WARN_REL);
    }
    if (dropped > 0) {
      errOut.printf(Locale.ROOT, "construct: note: %d nonzero target parameters have |w| <= eps and are approximated"
          + " by the empty subset (droppedTargetParams)%n", dropped);
    }
    if (unsound != null) {
      o.addProperty("verdict", "rejected");
      o.addProperty("reason", unsound);
    }
    if (write) o.addProperty("out", out.toString());
    Cli.addOutputActivation(o, net.outputActivation(), errOut, "construct");
    Cli.noteVacuous(o, errOut, "construct", points != null);
    Cli.print(spec.commandLine().getOut(), o, format.json());
    if (!rep.verdict().isHolds()) {
      spec.commandLine().getErr().println("construct: kernel rejected the certificate: " + rep.verdict().reason());
      return 3;
    }
    if (unsound != null) {
      spec.commandLine().getErr().println("construct: rejected: " + unsound);
      return 3;
    }
    return outputEpsMet != null && !outputEpsMet ? 4 : 0;
  }

  /**
   * Whether the relative output goal R is met: by the certified bound, or by the relative error measured where the
   * builds check the goal ({@link dev.ticketproof.measure.OutputErrors#relative}), on the user's data when given
   * ({@code dataRel}, null without --data: a trained network's inputs, not the box's), else on the box samples
   * ({@code measuredRel}).
   */
  static boolean outputRelMet(boolean certified, double outputRel, double measuredRel, Double dataRel) {
    return certified || (dataRel != null ? dataRel : measuredRel) <= outputRel;
  }
}
