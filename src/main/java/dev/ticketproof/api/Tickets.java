package dev.ticketproof.api;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.construct.Defaults;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.kernel.bound.Region;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.limits.BadParameter;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.TicketFile;
import dev.ticketproof.kernel.check.TicketChecker;
import dev.ticketproof.measure.Evaluator;
import dev.ticketproof.measure.DataBox;
import dev.ticketproof.measure.Goals;
import dev.ticketproof.measure.Measure;
import dev.ticketproof.measure.OutputErrors;
import dev.ticketproof.net.Network;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.targets.Builtins;
import dev.ticketproof.targets.TargetLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleFunction;
import java.util.function.IntFunction;

/**
 * The library's entry point: a certified strong lottery ticket for a target network in a few lines.
 *
 * <pre>{@code
 * Ticket t = Tickets.builtin("small-fc", "relu").build();
 * t.verify().isHolds();            // the kernel's verdict, recomputed from scratch
 * t.certifiedBound();              // sup |target - ticket| on the input box, certified
 * t.outputs(new double[] {0.1, -0.2, 0.3, 0.4});
 * }</pre>
 *
 * <p>Every option has the default the command line's {@code construct} uses (the constants below are the ones its
 * options show): the width follows the theorem ({@code rho auto}), the per-parameter tolerance is calibrated for a
 * relative output goal of {@value #DEFAULT_OUTPUT_REL}, the seed is {@value #DEFAULT_SEED}, the input box
 * [-{@value #DEFAULT_INPUT_BOUND}, {@value #DEFAULT_INPUT_BOUND}]. Errors are {@link IllegalArgumentException}s
 * naming the parameter at fault.
 *
 * <p>API status: experimental.
 */
public final class Tickets {
  /** Default activation ({@code --activation}). */
  public static final String DEFAULT_ACTIVATION = "relu";
  /** Default construction family ({@code --construction}). */
  public static final String DEFAULT_CONSTRUCTION = "l+1";
  /** Default relative output goal that calibrates the tolerance ({@code --output-rel}). */
  public static final double DEFAULT_OUTPUT_REL = Goals.DEFAULT_OUTPUT_REL;
  /** Default failure probability the automatic width is chosen for ({@code --delta}). */
  public static final double DEFAULT_DELTA = Goals.DEFAULT_DELTA;
  /** Default seed of the source network ({@code --seed}). */
  public static final long DEFAULT_SEED = 1;
  /** Default half-width B0 of the input box [-B0, B0]^d ({@code --input-bound}). */
  public static final double DEFAULT_INPUT_BOUND = 1;
  /**
   * Default subset-sum solver ({@code --mode}): least-norm subsets, chosen by measurement (docs/performance.md):
   * on the trained digits CNN and the MNIST-CNN analogue at the default width and tolerance they give a smaller
   * measured error per ticket parameter than min-size subsets (copies pass errors on through the norms of the kept
   * subsets) and certified bounds 2 to 6 times smaller, for 10 to 35 % more ticket parameters.
   */
  public static final String DEFAULT_MODE = "min-norm";
  /** Default number of sample inputs of the measured error ({@code --samples}). */
  public static final int DEFAULT_SAMPLES = 16;
  /** Calibration inputs on which a built ticket's relative error is checked against the goal. */
  public static final int CHECK_INPUTS = 16;
  /** Most constructions for one goal (tightening the tolerance, or the certified search). */
  public static final int MAX_BUILDS = 6;

  /**
   * The smallest input scale of univariate layers the output goal's calibration and builds take the default to, for
   * inputs in [-1, 1] (0.05 / 2^16, 7.6e-7); for a box reaching B &gt; 1 in absolute value, divided by B as the
   * default is ({@link Defaults#lambda(Activation, double)}). A trained regression network's smallest outputs, each
   * judged on its own scale, asked for lambda below its default / 1024 (GELU, docs/import.md); at 7.6e-7 sigmoid's
   * increments phi(lambda x) - phi(0) (phi(0) = 1/2, slope 1/4) keep about 9 of a double's 16 significant digits.
   */
  public static final double MIN_LAMBDA = 0.05 / 65536;

  private Tickets() {}

  /**
   * A listener for the progress of {@link Builder#build}: the construction's layers, plus the source network about
   * to be built and the measurement.
   */
  @SuppressWarnings("exports") // the construction's listener, not exported: on the module path, implement step only
  public interface Progress extends TicketBuilder.Progress {
    /** The source network of the next construction (called before the first one is built). */
    default void plan(SourceNetwork source) {}

    /** The measurement: {@code done} of {@code total} sample inputs evaluated. */
    default void measured(int done, int total) {}

    /** No progress. */
    Progress NONE = (l, d, t) -> { };
  }

  /**
   * Bytes a built ticket holds per kept source weight while it is measured: the mask's index (4) and the
   * evaluator's code and weight (4 and 8), both held while the evaluator is made.
   */
  public static final int BYTES_PER_KEPT_WEIGHT = 16;

  /**
   * The share of a construction after which its kept weights are projected to the whole ticket (reported every 64
   * output units: on ResNet-20 the projection after 0.16 % is within 7 % of the final count).
   */
  static final double PROJECT_AFTER = 0.002;

  /**
   * How far a projection may exceed the heap before the construction stops: a projection is not a count (the first
   * layers of a small target keep more weights per instance than its later ones; small-cnn's projects 1.4 times its
   * count, ResNet-20's within 7 % from the first 0.2 %).
   */
  static final double PROJECTION_MARGIN = 2;

  /**
   * A ticket that does not fit the JVM's heap: the construction stops when its kept weights, projected from the share
   * built so far (at least {@link #PROJECT_AFTER} of it), would need more than {@link #PROJECTION_MARGIN} times the
   * maximum heap at {@link #BYTES_PER_KEPT_WEIGHT} bytes each, or when, after the last layer, they need more than the
   * heap: the measurement would run out of memory, after all the construction's time.
   */
  public static final class TooLarge extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    TooLarge(String message) { super(message); }
  }

  /**
   * Throws {@link TooLarge} when {@code kept} weights after the share {@code done} of a construction (in (0, 1])
   * project to more than {@code heap} bytes allow (see there).
   */
  static void checkFits(long kept, double done, long heap) {
    if (done < PROJECT_AFTER) return;
    boolean last = done >= 1;
    double projected = last ? kept : kept / done;
    double need = projected * BYTES_PER_KEPT_WEIGHT;
    if (need <= (last ? 1 : PROJECTION_MARGIN) * heap) return;
    throw new TooLarge(String.format(java.util.Locale.ROOT, "the ticket %s about %.3g source weights%s, and "
        + "measuring it holds about %d bytes per kept weight (its mask and its evaluator): %s in all, more than the "
        + "JVM's maximum heap of %s", last ? "keeps" : "would keep", projected,
        last ? "" : String.format(java.util.Locale.ROOT, " (projected from the %.2g %% of its construction done, "
            + "which keeps %d)", 100 * done, kept), BYTES_PER_KEPT_WEIGHT, gigabytes(need), gigabytes(heap)));
  }

  private static String gigabytes(double bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (1L << 30));
  }

  /** {@code progress}, with the construction stopped by {@link #checkFits} against {@code heap} bytes. */
  static TicketBuilder.Progress fitting(Progress progress, long heap) {
    return new TicketBuilder.Progress() {
      @Override public void step(String layer, long done, long total) { progress.step(layer, done, total); }

      @Override public TicketChecker.Listener kernel(String pass) { return progress.kernel(pass); }

      @Override public void kept(long keptWeights, double fractionDone) {
        checkFits(keptWeights, fractionDone, heap);
        progress.kept(keptWeights, fractionDone);
      }
    };
  }

  /**
   * A builder for a ticket of a target network.
   *
   * @param target the target. Not modified.
   * @param activation the target's activation (its catalog name is recorded in the certificate)
   * @return a builder with every option at its default
   */
  public static Builder of(Network target, Activation activation) { return new Builder(target, activation); }

  /**
   * A builder for a ticket of a built-in target ({@code builtin:NAME} on the command line).
   *
   * @param name a built-in target, e.g. {@code small-fc}, {@code small-cnn}, {@code small-resnet}
   * @param activation an activation's catalog name, e.g. {@code relu}, {@code tanh}, {@code leaky-relu(0.01)}
   * @return a builder with every option at its default
   * @throws IllegalArgumentException when the name or the activation is unknown
   */
  public static Builder builtin(String name, String activation) {
    Activation phi = activation(activation);
    return new Builder(Builtins.of(name, phi), phi).label("builtin:" + name);
  }

  /**
   * A builder for a ticket of a target stored in a file ({@code --target PATH --arch SPEC} on the command line).
   *
   * @param file a PyTorch {@code .pt}, NumPy {@code .npy}/{@code .npz} file or a directory of {@code .npy} files
   * @param arch a preset ({@code synflow-conv}, {@code openlth-cifar-resnet}, {@code openlth-cifar-vgg},
   *     {@code openlth-mnist-lenet}, {@code vgg}, {@code cifar-resnet}, {@code preact-input-shortcut}) or the path of
   *     a JSON spec;
   *     {@code null} for a whole model's {@code nn.Sequential}, a state dict with a torchvision-style ResNet's names
   *     ({@code cifar-resnet} is taken) or with the names of one of open_lth's models (its preset is taken)
   * @param activation an activation's catalog name
   * @return a builder with every option at its default
   * @throws dev.ticketproof.io.ImportException naming the file, tensor or field at fault
   * @throws IllegalArgumentException when the activation is unknown
   */
  public static Builder fromFile(Path file, String arch, String activation) {
    Activation phi = activation(activation);
    Network net = TargetLoader.load(file, arch, phi.name(), null, true).built().network();
    return new Builder(net, phi).label(file.toString());
  }

  /**
   * Checks a ticket file against its target with the kernel, from scratch.
   *
   * @param file a {@code .tpz} ticket file
   * @param target the target network the ticket was built for
   * @return the kernel's report (verdict, certified bound, per-layer figures)
   * @throws IOException when the file cannot be opened
   * @throws TicketFile.Unreadable when the file is damaged or not a ticket file
   */
  public static TicketChecker.Report verify(Path file, Network target) throws IOException, TicketFile.Unreadable {
    TicketCertificate cert = TicketFile.read(file);
    return TicketChecker.check(cert, target, activation(cert.header().activation()));
  }

  /**
   * An activation of the catalog that the constructions support.
   *
   * @param name the catalog name, e.g. {@code relu}
   * @return the activation
   * @throws IllegalArgumentException naming the activation when it is unknown or unsupported
   */
  public static Activation activation(String name) {
    return ActivationCatalog.requireIdentityHypothesis(ActivationCatalog.parse(name));
  }

  /**
   * Options of a construction. Setters return this builder; {@link #build} runs the construction.
   *
   * <p>API status: experimental.
   */
  public static final class Builder {
    private final Network target;
    private final Activation phi;
    private SourceNetwork.Construction construction = SourceNetwork.Construction.parse(DEFAULT_CONSTRUCTION);
    private Double eps;
    private double outputRel = DEFAULT_OUTPUT_REL;
    private Double outputEps;
    private Integer rho;
    private Integer rho1;
    private Double lambda;
    private double delta = DEFAULT_DELTA;
    private long seed = DEFAULT_SEED;
    private String upto;
    private double inputLow = -DEFAULT_INPUT_BOUND;
    private double inputHigh = DEFAULT_INPUT_BOUND;
    private double[][] inputBoxes;
    /** Whether {@link #inputBox} or {@link #inputBoxes} chose the box (else the inputs choose it, when given). */
    private boolean boxGiven;
    private SubsetSum.Mode mode = SubsetSum.Mode.ofCliName(DEFAULT_MODE);
    private int samples = DEFAULT_SAMPLES;
    private int threads = Runtime.getRuntime().availableProcessors();
    private List<double[]> calibrationInputs;
    private double[][] around;
    private long formBudget = TicketCertificate.DEFAULT_FORM_BUDGET;
    private double substitutionWork = TicketCertificate.DEFAULT_SUBSTITUTION_WORK;
    private double radius = Double.NaN;
    private String label = "library";
    private Progress progress = Progress.NONE;

    private Builder(Network target, Activation phi) {
      if (target == null || phi == null) throw new IllegalArgumentException("target and activation are required");
      this.target = target;
      this.phi = phi;
    }

    /** The construction family: {@code L_PLUS_1} (default) or {@code TWO_L}. */
    public Builder construction(SourceNetwork.Construction c) {
      construction = c;
      return this;
    }

    /** A fixed per-parameter tolerance in (0, 1) instead of one calibrated for the relative output goal. */
    public Builder tolerance(double eps) {
      if (!(eps > 0 && eps < 1)) throw new IllegalArgumentException("tolerance must be in (0, 1), got " + eps);
      this.eps = eps;
      return this;
    }

    /**
     * The relative output goal in (0, 1) that calibrates the tolerance: each output's largest |target - ticket| over
     * its own largest |target| for a vector of outputs, the whole output's for a feature map
     * ({@link OutputErrors#relative}).
     */
    public Builder outputRel(double goal) {
      if (!(goal > 0 && goal < 1)) throw new IllegalArgumentException("outputRel must be in (0, 1), got " + goal);
      outputRel = goal;
      return this;
    }

    /**
     * A certified output error to search a tolerance for (the result says whether it was met); overrides the
     * relative goal.
     */
    public Builder outputEps(double goal) {
      if (!(goal > 0 && Double.isFinite(goal))) {
        throw new IllegalArgumentException("outputEps must be finite and > 0, got " + goal);
      }
      outputEps = goal;
      return this;
    }

    /**
     * A fixed width (copies per channel) instead of the automatic one ({@code rho auto}: the theorem's, or the widest
     * below it whose source layers a mask indexes).
     */
    public Builder width(int rho) {
      if (rho < 1) throw new IllegalArgumentException("width must be >= 1, got " + rho);
      this.rho = rho;
      return this;
    }

    /** A fixed width of the first (univariate) layer; default 2 width when phi needs a sign split, else width. */
    public Builder firstWidth(int rho1) {
      if (rho1 < 1) throw new IllegalArgumentException("firstWidth must be >= 1, got " + rho1);
      this.rho1 = rho1;
      return this;
    }

    /**
     * The input scale of univariate layers, in (0, 1], kept as given. Default: 1 for piecewise-linear phi; else from
     * 0.05, divided by the box's largest |value| B when B &gt; 1 ({@link Defaults#lambda(Activation, double)}): with a
     * fixed {@link #tolerance} that; with the relative output goal, calibrated below it for the first build
     * ({@link Goals#calibrateLambda}: halved until the first layer's modelled linearisation error moves the target's
     * outputs on the calibration inputs by at most {@link Goals#SAFETY} times the goal), then divided by 4 with the
     * tolerance each time the measured error misses the goal; scaled with the tolerance in the certified search of
     * {@link #outputEps}; never below {@link #MIN_LAMBDA} (divided by B likewise). {@link Ticket#lambdaBasis} says
     * which.
     */
    public Builder lambda(double lambda) {
      if (!(lambda > 0 && lambda <= 1)) throw new IllegalArgumentException("lambda must be in (0, 1], got " + lambda);
      this.lambda = lambda;
      return this;
    }

    /** The failure probability over all instances that the automatic width is chosen for, in (0, 1). */
    public Builder delta(double delta) {
      if (!(delta > 0 && delta < 1)) throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
      this.delta = delta;
      return this;
    }

    /** The seed of the source network. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** The last target layer to construct (later layers are kept unchanged); {@code null} for all. */
    public Builder upto(String layer) {
      upto = layer;
      return this;
    }

    /** The box [low, high]^d on which the bound is certified (finite, low &lt; high). */
    public Builder inputBox(double low, double high) {
      if (!(low < high && Double.isFinite(low) && Double.isFinite(high))) {
        throw new IllegalArgumentException("input box needs finite low < high, got [" + low + ", " + high + "]");
      }
      inputLow = low;
      inputHigh = high;
      inputBoxes = null;
      boxGiven = true;
      return this;
    }

    /**
     * A box with an interval per input channel (per feature of a vector input): {@code boxes[c] = {lo, hi}}, finite
     * with lo &lt; hi, one per input channel of the target; the bound is certified on their product. Not modified.
     */
    public Builder inputBoxes(double[][] boxes) {
      if (boxes == null || boxes.length == 0) throw new IllegalArgumentException("input boxes need one per channel");
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      double[][] copy = new double[boxes.length][];
      for (int c = 0; c < boxes.length; c++) {
        double[] b = boxes[c];
        if (b == null || b.length != 2 || !(b[0] < b[1] && Double.isFinite(b[0]) && Double.isFinite(b[1]))) {
          throw new IllegalArgumentException("input box of channel " + c + " needs finite lo < hi, got "
              + java.util.Arrays.toString(b));
        }
        copy[c] = b.clone();
        lo = Math.min(lo, b[0]);
        hi = Math.max(hi, b[1]);
      }
      inputLow = lo;
      inputHigh = hi;
      inputBoxes = copy;
      boxGiven = true;
      return this;
    }

    /** The subset-sum solver (its type belongs to the solvers, which the module does not export). */
    @SuppressWarnings("exports")
    public Builder mode(SubsetSum.Mode mode) {
      this.mode = mode;
      return this;
    }

    /** Sample inputs of the measured error (half uniform in the box, half corners), at least 0. */
    public Builder samples(int n) {
      if (n < 0) throw new IllegalArgumentException("samples must be >= 0, got " + n);
      samples = n;
      return this;
    }

    /** Worker threads, at least 1 (the ticket does not depend on it). */
    public Builder threads(int n) {
      if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
      threads = n;
      return this;
    }

    /**
     * A local certificate: the bound covers the l-infinity balls of this radius around the points (each of the
     * input's size, CHW order), clipped to the input box, instead of the whole box; null for the whole box. Without
     * {@link #inputBox} or {@link #inputBoxes} the points choose the box, with the calibration inputs
     * ({@link #calibrationInputs}).
     */
    public Builder around(double[][] points, double radius) {
      this.around = points == null ? null : points.clone();
      this.radius = points == null ? Double.NaN : radius;
      return this;
    }

    /**
     * The most doubles of coefficients the differential bound keeps per feature map (default
     * {@link TicketCertificate#DEFAULT_FORM_BUDGET}; recorded in the certificate, so its check uses the same): a
     * larger budget keeps more maps symbolic, which tightens local certificates on deeper networks at the cost of
     * time and memory (8 bytes per double, several maps at once).
     */
    public Builder formBudget(long doubles) {
      if (doubles < 1) throw new IllegalArgumentException("form budget must be >= 1, got " + doubles);
      formBudget = doubles;
      return this;
    }

    /**
     * The most multiply-adds per box that the differential bound's back-substitution may cost, all outputs together
     * (default {@link TicketCertificate#DEFAULT_SUBSTITUTION_WORK}; recorded in the certificate, so its check uses the
     * same). A ticket whose back-substitution costs more keeps the forward pass's bound; a larger limit lets deeper
     * tickets back-substitute, which tightens their bound at the cost of time (about a second per 1e9 on 2 cores).
     */
    public Builder substitutionWork(double multiplyAdds) {
      if (!(multiplyAdds >= 0 && multiplyAdds < Double.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException("substitution work must be finite and >= 0, got " + multiplyAdds);
      }
      substitutionWork = multiplyAdds;
      return this;
    }

    /**
     * Inputs the tolerance is calibrated and checked on (e.g. test data); default: points of the input box. Without
     * {@link #inputBox} or {@link #inputBoxes} they (and the points of {@link #around}) also choose the box, as
     * {@code construct} does from its data: [0, 1], [-1, 1], or their ranges ({@link DataBox}).
     */
    public Builder calibrationInputs(List<double[]> inputs) {
      calibrationInputs = inputs == null || inputs.isEmpty() ? null : List.copyOf(inputs);
      return this;
    }

    /** The target's label recorded in the certificate (a path or {@code builtin:NAME}). */
    public Builder label(String label) {
      this.label = label;
      return this;
    }

    /** A listener for progress. */
    public Builder progress(Progress progress) {
      this.progress = progress;
      return this;
    }

    /** Whether every source layer of the parameters fits a mask's index range ({@link SourceNetwork#MAX_SLOTS}). */
    private static boolean fits(TargetPlan plan, SourceNetwork.Params p) {
      try {
        SourceNetwork.of(plan, p);
        return true;
      } catch (BadParameter e) {
        if (!"rho".equals(e.parameter())) throw e;
        return false;
      }
    }

    /**
     * Builds the ticket and has the kernel check it.
     *
     * <p>With a fixed tolerance: one construction. With an output goal and no fixed tolerance: the tolerance is
     * calibrated on the calibration inputs, and so is lambda for phi with a remainder when it is not given; the built
     * ticket's measured relative error is checked and the tolerance (and such a lambda) divided by 4 while it misses
     * the goal (at most {@value Tickets#MAX_BUILDS} constructions). With a
     * certified output error: the certified search of {@link TicketBuilder#forOutputError}.
     *
     * @return the ticket, with how its tolerance was chosen
     * @throws IllegalArgumentException when the target or an option is invalid (naming it)
     * @throws TooLarge when the ticket's measurement would not fit the JVM's maximum heap (known early, see there)
     */
    public Ticket build() {
      if (!boxGiven && (calibrationInputs != null || around != null)) boxOfTheInputs();
      TargetPlan full = TargetPlan.of(target, phi);
      // the calibrations and defaults see the inputs the steps read: with an input map, the box's image and the
      // mapped inputs (the source network reads them as well)
      TargetPlan plan = full.withoutInput();
      TicketBuilder.Progress fitted = fitting(progress, Runtime.getRuntime().maxMemory());
      int dim = 1;
      for (int d : target.inputShape()) dim *= d;
      int channels = plan.inputShape()[0];
      if (inputBoxes != null && inputBoxes.length != channels) {
        throw new IllegalArgumentException("input boxes: " + inputBoxes.length + " intervals, the target has "
            + channels + " input channels");
      }
      Region region = Region.of(inputLow, inputHigh, inputBoxes, around, around == null ? Double.NaN : radius);
      List<double[]> given = calibrationInputs != null
          ? calibrationInputs.subList(0, Math.min(64, calibrationInputs.size())) : null;
      List<double[]> calibration = given != null ? given
          : Evaluator.regionSamples(region, dim, Math.max(16, samples), seed);
      double[][] seen = new double[channels][];
      for (int c = 0; c < channels; c++) {
        seen[c] = inputBoxes != null ? inputBoxes[c] : new double[] {inputLow, inputHigh};
      }
      if (full.input() != null) {
        seen = full.input().image(inputLow, inputHigh, inputBoxes);
        calibration = calibration.stream().map(full.input()::apply).toList();
      }
      double seenLow = Arrays.stream(seen).mapToDouble(b -> b[0]).min().orElseThrow();
      double seenHigh = Arrays.stream(seen).mapToDouble(b -> b[1]).max().orElseThrow();
      int maxRho = Math.min(SourceNetwork.MAX_RHO, mode.maxN());
      if (rho != null && rho > maxRho) {
        throw new IllegalArgumentException("width must be in [1, " + maxRho + "] for mode " + mode.cliName()
            + ", got " + rho);
      }
      if (rho1 != null && rho1 > maxRho) {
        throw new IllegalArgumentException("firstWidth must be in [1, " + maxRho + "], got " + rho1);
      }
      // the input scale of univariate layers; for phi with a remainder, tightened with the tolerance (below)
      // the default for the box's largest |value| (copies of inputs up to B see lambda B), each channel's scaled by
      // its copies' s_c
      double defaultLambda = Defaults.lambda(phi, SourceNetwork.scaledBound(seen));
      double[] scales = SourceNetwork.channelScales(seen);
      double minLambda = defaultLambda * (MIN_LAMBDA / Defaults.lambda(phi)); // the default / 65536, exactly
      double[] lam = {lambda != null ? lambda : defaultLambda};
      boolean tightenLambda = lambda == null && phi.remainderConstant() != 0;
      Ticket.Basis lambdaBasis = lambda != null ? Ticket.Basis.GIVEN : Ticket.Basis.DEFAULT;
      IntFunction<SourceNetwork.Params> withWidth = r -> new SourceNetwork.Params(construction, r,
          rho1 != null ? rho1 : Math.min(maxRho, Defaults.rho1(phi, r, seenLow)), lam[0], seed, upto, inputLow,
          inputHigh, inputBoxes, TicketCertificate.VERSION);
      DoubleFunction<SourceNetwork.Params> paramsFor = e -> {
        if (rho != null) return withWidth.apply(rho);
        // the theorem's width, or the widest below it whose source layers a mask can index
        int r = Math.min(maxRho, Goals.theoremRho(plan, construction, e, delta));
        if (fits(full, withWidth.apply(r))) return withWidth.apply(r);
        int lo = 1;
        while (lo < r - 1) {
          int mid = (lo + r) >>> 1;
          if (fits(full, withWidth.apply(mid))) lo = mid; else r = mid;
        }
        return withWidth.apply(lo);
      };
      if (outputEps != null) {
        double scale = maxAbs(Evaluator.ofTarget(plan).applyAll(calibration));
        double rel = scale > 0 ? outputEps / scale : 0.5;
        double startEps = eps != null ? eps
            : rel >= 0.5 ? Goals.MAX_EPS : Goals.calibrate(plan, calibration, rel, Goals.SAFETY, false, seed,
                scales);
        // for phi with a remainder and no given lambda, lambda follows the tolerance down from its default (the
        // linearisation's share of the bound, of order lambda, would otherwise stay as the search shrinks the rest)
        DoubleFunction<SourceNetwork.Params> searched = e -> {
          if (tightenLambda) lam[0] = Math.max(minLambda, defaultLambda * Math.min(1, e / startEps));
          return paramsFor.apply(e);
        };
        progress.plan(SourceNetwork.of(full, searched.apply(startEps)));
        TicketBuilder.Budget budget = TicketBuilder.forOutputError(target, phi, searched, outputEps, startEps,
            MAX_BUILDS, mode, threads, label, around, radius, formBudget, substitutionWork, fitted);
        return new Ticket(target, phi, budget.result(), budget.eps(), Ticket.Basis.CERTIFIED_SEARCH, 1,
            budget.met(), Measure.of(budget.result(), target, region, samples, seed, this::measured),
            tightenLambda ? Ticket.Basis.CERTIFIED_SEARCH : lambdaBasis, around);
      }
      // a vector of outputs is judged output by output, each on its own scale (on enough inputs); a feature map as
      // one vector
      boolean each = OutputErrors.eachOutput(plan, given, around);
      double usedEps = eps != null ? eps
          : Goals.calibrate(plan, calibration, outputRel, Goals.SAFETY, each, seed, scales);
      Ticket.Basis basis = eps != null ? Ticket.Basis.GIVEN : Ticket.Basis.CALIBRATED;
      // input channels of unequal scales: their copies see one lambda at scales of their own, so no one default
      // serves them all, and lambda is calibrated at a given tolerance too
      boolean unequal = Arrays.stream(scales).distinct().count() > 1;
      if (tightenLambda && (eps == null || unequal)) {
        // the first univariate layer's linearisation error, modelled on the same inputs as the tolerance's share
        double[] lows = new double[channels];
        double[] highs = new double[channels];
        for (int c = 0; c < channels; c++) {
          lows[c] = seen[c][0];
          highs[c] = seen[c][1];
        }
        lam[0] = Goals.calibrateLambda(plan, calibration, outputRel, Goals.SAFETY, defaultLambda, minLambda, lows,
            highs, each, seed).lambda();
        lambdaBasis = Ticket.Basis.CALIBRATED;
      }
      int builds = 0;
      progress.plan(SourceNetwork.of(full, paramsFor.apply(usedEps)));
      while (true) {
        TicketBuilder.Result res = TicketBuilder.build(target, phi,
            new TicketBuilder.Options(paramsFor.apply(usedEps), usedEps, mode, threads, label, around, radius,
                formBudget, substitutionWork),
            fitted);
        builds++;
        Measure.Result m = Measure.of(res, target, region, samples, seed, this::measured);
        // the calibration is a measurement: check the built ticket, tighten the tolerance when it misses the goal
        boolean done = eps != null || builds >= MAX_BUILDS
            || usedEps <= Goals.MIN_EPS && !(tightenLambda && lam[0] > minLambda);
        double relErr = 0;
        if (!done) {
          // the goal is checked where the user's inputs lie: on their data when given (points of the box are off
          // the data's distribution for a trained network), else on the box samples
          OutputErrors checked = given == null ? m.outputs()
              : Measure.on(res, target, given.subList(0, Math.min(CHECK_INPUTS, given.size()))).outputs();
          relErr = checked.relative(each);
          done = relErr <= outputRel
              || res.report().certifiedBound() <= outputRel * checked.smallestScale(each);
        }
        if (done) return new Ticket(target, phi, res, usedEps, basis, builds, null, m, lambdaBasis, around);
        usedEps = Math.max(Goals.MIN_EPS, usedEps / 4);
        // lambda's calibration is a model of the first univariate layer's linearisation error (of order lambda^(p-1)
        // times phi's remainder constant); neither the copies' independent errors passed on by the later layers' kept
        // subsets nor the 2l construction's later univariate layers are modelled: that error may be what misses the
        // goal. A smaller lambda costs no width and no parameters, so it is divided by
        // the measured excess over the calibration's share of the goal (as the error's order in lambda), at least 4
        if (tightenLambda && lam[0] > minLambda) {
          lam[0] = Math.max(minLambda, lam[0] / lambdaStep(relErr / (outputRel * Goals.SAFETY),
              phi.remainderPower()));
          lambdaBasis = Ticket.Basis.TIGHTENED;
        }
        basis = Ticket.Basis.TIGHTENED;
      }
    }

    private void measured(int done) { progress.measured(done, samples); }

    /** The rows, each checked to have {@code dim} values (else named as {@code what} and its index). */
    private static List<double[]> sized(List<double[]> rows, String what, int dim) {
      for (int i = 0; i < rows.size(); i++) {
        if (rows.get(i).length != dim) {
          throw new IllegalArgumentException(what + " " + i + " has " + rows.get(i).length + " values, the input has "
              + dim);
        }
      }
      return rows;
    }

    /**
     * The box of the calibration inputs and the points of {@link #around}, as {@code construct} takes it from
     * {@code --data} and {@code --around} without a box ({@link DataBox}).
     */
    private void boxOfTheInputs() {
      int[] in = target.inputShape();
      int dim = Arrays.stream(in).reduce(1, (a, b) -> a * b);
      List<double[]> rows = new java.util.ArrayList<>();
      if (calibrationInputs != null) rows.addAll(sized(calibrationInputs, "calibration input", dim));
      if (around != null) rows.addAll(sized(Arrays.asList(around), "point", dim));
      boolean vector = in.length == 1 || in.length == 3 && in[1] == 1 && in[2] == 1;
      DataBox box = DataBox.of(in[0], vector, rows);
      double[][] boxes = box.boxes(in[0], rows);
      inputBoxes = box.perChannel() ? boxes : null;
      inputLow = Arrays.stream(boxes).mapToDouble(b -> b[0]).min().orElseThrow();
      inputHigh = Arrays.stream(boxes).mapToDouble(b -> b[1]).max().orElseThrow();
    }
  }

  /**
   * The factor lambda is divided by after a build misses the goal by {@code excess} (the measured relative error over
   * the share of the goal the calibration gives the linearisation): excess^(1/(p-1)) rounded up to a power of two,
   * at least 4 (and 2^30 for an infinite or undefined excess).
   */
  static double lambdaStep(double excess, int p) {
    double f = Math.pow(excess, 1.0 / Math.max(1, p - 1));
    if (!(f < 0x1p30)) return 0x1p30;
    return Math.max(4, Math.scalb(1.0, Math.getExponent(f) + (f == Math.scalb(1.0, Math.getExponent(f)) ? 0 : 1)));
  }

  /** error / scale, 0 for 0 / 0, infinity for a nonzero error on a zero scale. */
  public static double relative(double error, double scale) { return OutputErrors.ratio(error, scale); }

  private static double maxAbs(List<double[]> ys) {
    double m = 0;
    for (double[] y : ys) for (double v : y) m = Math.max(m, Math.abs(v));
    return m;
  }
}
