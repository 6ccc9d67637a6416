package dev.ticketproof.measure;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.kernel.KernelActivation;
import dev.ticketproof.kernel.Layout;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.net.Network;
import java.util.ArrayList;
import java.util.List;

/**
 * An evaluator of targets (from a {@link TargetPlan}) and tickets (from a certificate's mask),
 * used to measure |target - ticket| on sample inputs. Sparse: time proportional to nonzero (kept) weights.
 * Feature maps are {@code double[channels][H * W * n]} for a batch of n examples, the examples innermost (value
 * (y, x) of example s at {@code (y * W + x) * n + s}), so that the sparse loops run over long contiguous stretches.
 * Every output value is computed by the same operations in the same order whatever the batch, so a batch gives
 * bit for bit the results of evaluating its examples one at a time.
 *
 * <p>Reverse-mode differentiation ({@link #forward}, {@link Pass#gradients}): the forward pass keeps phi' at every
 * pre-activation (and the input of every univariate layer); the backward pass runs the ops' transposes in reverse
 * order (transposed sparse convs over the same packed blocks, phi', residual adds and shortcuts, pooling), so a
 * gradient of one output combination costs one forward and about one more pass of the network.
 */
public final class Evaluator {
  private final List<Op> ops;
  private final Activation phi;
  private final int[] inShape;
  private final long tileDoubles;

  private Evaluator(List<Op> ops, Activation phi, int[] inShape, long tileDoubles) {
    this.ops = ops;
    this.phi = phi;
    this.inShape = inShape;
    this.tileDoubles = tileDoubles;
  }

  private Evaluator(List<Op> ops, Activation phi, int[] inShape) {
    this(ops, phi, inShape, TILE_DOUBLES);
  }

  /** The same evaluator with another tile budget ({@link #TILE_DOUBLES}): the results must not change. */
  Evaluator withTileDoubles(long doubles) {
    return new Evaluator(ops, phi, inShape, doubles);
  }

  /** The activation of the network. */
  Activation activation() {
    return phi;
  }

  /** Values per input example: C*H*W. */
  public int inputSize() {
    return inShape[0] * inShape[1] * inShape[2];
  }

  /** Evaluates one example, input of length C*H*W in CHW order; returns the flattened output. */
  public double[] apply(double[] x) {
    return applyAll(List.of(x)).get(0);
  }

  /**
   * Evaluates a batch of examples (each of length C*H*W in CHW order) in one pass; returns their flattened outputs
   * in order, bit-identical to {@link #apply} on each.
   */
  public List<double[]> applyAll(List<double[]> xs) {
    return outputs(run(xs, null));
  }

  /** The batch's input maps, then every op's output in order; the op's backward steps added to {@code tape}. */
  private Maps run(List<double[]> xs, Tape tape) {
    int c = inShape[0];
    int hw = inShape[1] * inShape[2];
    int n = xs.size();
    double[][] maps = new double[c][hw * n];
    for (int s = 0; s < n; s++) {
      double[] x = xs.get(s);
      if (x.length != c * hw) {
        throw new IllegalArgumentException("input " + s + " has " + x.length + " values, expected " + c * hw);
      }
      for (int i = 0; i < c; i++) {
        double[] m = maps[i];
        for (int q = 0; q < hw; q++) m[q * n + s] = x[i * hw + q];
      }
    }
    Maps m = new Maps(maps, inShape[1], inShape[2], n, tileDoubles);
    for (Op op : ops) m = op.apply(m, tape);
    return m;
  }

  /** The examples of a batch's maps, each flattened in CHW order. */
  private static List<double[]> outputs(Maps m) {
    int n = m.n;
    int ohw = m.h * m.w;
    List<double[]> outs = new ArrayList<>(n);
    for (int s = 0; s < n; s++) {
      double[] out = new double[m.v.length * ohw];
      for (int i = 0; i < m.v.length; i++) {
        double[] v = m.v[i];
        for (int q = 0; q < ohw; q++) out[i * ohw + q] = v[q * n + s];
      }
      outs.add(out);
    }
    return outs;
  }

  /**
   * Evaluates a batch as {@link #applyAll} (the same outputs, bit for bit) and keeps what reverse-mode
   * differentiation needs: the derivative of phi at every pre-activation, and the input of every univariate layer.
   * The pass's {@link Pass#gradients} then costs about one more evaluation of the batch (a transposed convolution per
   * convolution; no weight gradients).
   */
  public Pass forward(List<double[]> xs) {
    return forward(xs, false);
  }

  /**
   * As {@link #forward(List)}; with {@code keepPreActivations} the pass also keeps the pre-activation of every
   * activation site (a conv followed by phi, the sum of a residual block), for {@link Pass#scales} and for
   * {@link Pass#gradients(List, double[][])} with smoothed slopes (twice the memory of the kept slopes).
   */
  public Pass forward(List<double[]> xs, boolean keepPreActivations) {
    Tape tape = new Tape(new ArrayList<>(), keepPreActivations);
    Maps out = run(xs, tape);
    return new Pass(outputs(out), tape, out.v.length, out.h, out.w, xs.size(), tileDoubles);
  }

  /**
   * A forward pass over a batch that can be differentiated ({@link #forward}).
   */
  public static final class Pass {
    private final List<double[]> outputs;
    private final Tape tape;
    private final int channels;
    private final int h;
    private final int w;
    private final int n;
    private final long tile;

    private Pass(List<double[]> outputs, Tape tape, int channels, int h, int w, int n, long tile) {
      this.outputs = outputs;
      this.tape = tape;
      this.channels = channels;
      this.h = h;
      this.w = w;
      this.n = n;
      this.tile = tile;
    }

    /** The outputs of the batch's examples, in order, bit-identical to {@link #applyAll}'s. */
    public List<double[]> outputs() {
      return outputs;
    }

    /**
     * The gradients with respect to the inputs of \( \sum_j c_{s,j} f_j(x_s) \), for every example s, in CHW order.
     * phi' is the activation's {@link Activation#derivative} (the right derivative at a kink: for ReLU 1 at 0, a
     * subgradient). Every example's gradient is computed by the same operations in the same order whatever the batch
     * and the thread count.
     *
     * @param coefficients per example, its output coefficients c_s (as long as the output); not modified
     */
    public List<double[]> gradients(List<double[]> coefficients) {
      return gradients(coefficients, null);
    }

    /**
     * Activation sites of the network, in order: every conv followed by phi and every residual block's sum (the
     * univariate layers of a ticket are none). A target and its ticket have the same sites in the same order: the
     * ticket's copies of a target layer's units share its site.
     */
    public int sites() {
      return tape.pre.size();
    }

    /**
     * Per activation site ({@link #sites}) and example, the mean |pre-activation| over the site's values (needs a
     * pass that kept them, {@link Evaluator#forward(List, boolean)}).
     */
    public double[][] scales() {
      if (!tape.keep) throw new IllegalStateException("the pass kept no pre-activations");
      double[][] scale = new double[tape.pre.size()][n];
      for (int k = 0; k < scale.length; k++) {
        double[][] t = tape.pre.get(k);
        long values = 0;
        for (double[] m : t) {
          values += m.length / n;
          for (int j = 0; j < m.length; j++) scale[k][j % n] += Math.abs(m[j]);
        }
        for (int s = 0; s < n; s++) scale[k][s] = values == 0 ? 0 : scale[k][s] / values;
      }
      return scale;
    }

    /**
     * As {@link #gradients(List)}, with phi' at activation site k of example s replaced by the secant slope
     * \( (\varphi(t + h) - \varphi(t - h)) / 2h \) for {@code h = widths[k][s] > 0} (the derivative of phi averaged
     * over [t - h, t + h]; for ReLU a ramp from 0 to 1 over |t| < h instead of a step): a surrogate gradient of the
     * network with every activation smoothed, which tends to the exact gradient as h falls to 0 (away from kinks).
     * The univariate layers of a ticket keep phi'. Needs a pass that kept its pre-activations
     * ({@link Evaluator#forward(List, boolean)}) unless {@code widths} is null (exact gradients).
     *
     * @param widths per activation site and example, h (0: phi'); null for {@link #gradients(List)}; not modified
     */
    public List<double[]> gradients(List<double[]> coefficients, double[][] widths) {
      if (widths != null && (!tape.keep || widths.length != tape.pre.size())) {
        throw new IllegalArgumentException("widths for " + widths.length + " activation sites, the pass has "
            + tape.pre.size() + (tape.keep ? "" : " and kept no pre-activations"));
      }
      if (coefficients.size() != n) {
        throw new IllegalArgumentException(coefficients.size() + " coefficient vectors for " + n + " examples");
      }
      int hw = h * w;
      double[][] g = new double[channels][hw * n];
      for (int s = 0; s < n; s++) {
        double[] c = coefficients.get(s);
        if (c.length != channels * hw) {
          throw new IllegalArgumentException("coefficients " + s + " have " + c.length + " values, expected "
              + channels * hw);
        }
        for (int i = 0; i < channels; i++) {
          for (int q = 0; q < hw; q++) g[i][q * n + s] = c[i * hw + q];
        }
      }
      return Evaluator.outputs(backAll(tape.steps, new Maps(g, h, w, n, tile), widths));
    }
  }

  /**
   * Sample inputs of the box [lo, hi]^dim: {@code n/2} uniform points and {@code n - n/2} corners, drawn from the
   * weight field with the given seed (streams from 7000021).
   */
  public static List<double[]> boxSamples(int dim, double lo, double hi, int n, long seed) {
    List<double[]> xs = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      double[] x = new double[dim];
      boolean corner = s >= n / 2;
      for (int q = 0; q < dim; q++) {
        double u = dev.ticketproof.random.WeightField.u01(seed, 7_000_021L + s, q);
        x[q] = corner ? (u < 0.5 ? lo : hi) : lo + (hi - lo) * u;
      }
      xs.add(x);
    }
    return xs;
  }

  /**
   * Sample inputs of the box of per-coordinate intervals [lo[q], hi[q]], as {@link #boxSamples(int, double, double,
   * int, long)} draws them (the same points when every interval is the same).
   */
  public static List<double[]> boxSamples(double[] lo, double[] hi, int n, long seed) {
    List<double[]> xs = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      double[] x = new double[lo.length];
      boolean corner = s >= n / 2;
      for (int q = 0; q < lo.length; q++) {
        double u = dev.ticketproof.random.WeightField.u01(seed, 7_000_021L + s, q);
        x[q] = corner ? (u < 0.5 ? lo[q] : hi[q]) : lo[q] + (hi[q] - lo[q]) * u;
      }
      xs.add(x);
    }
    return xs;
  }

  /**
   * The centres of a region's balls, one per ball in order: its points, each moved into its ball's box (the ball
   * clipped to the input box) where the ball reaches over the box; none for the whole box.
   */
  public static List<double[]> centres(dev.ticketproof.kernel.bound.Region region, int dim) {
    List<double[]> out = new ArrayList<>();
    if (!region.local()) return out;
    List<double[][]> boxes = region.boxes(dim);
    for (int i = 0; i < boxes.size(); i++) {
      double[][] b = boxes.get(i);
      double[] p = region.points()[i];
      double[] x = new double[dim];
      for (int q = 0; q < dim; q++) x[q] = Math.min(b[1][q], Math.max(b[0][q], p[q]));
      out.add(x);
    }
    return out;
  }

  /**
   * Sample inputs of a region, {@code n} in all: for the whole box, {@link #boxSamples}; for N balls, sample s lies in
   * ball s mod N (clipped to the box): for s &lt; N the ball's centre (the point, moved into the box when the ball
   * reaches over it), so that the error measured over the balls is at least the error at the points; after that
   * uniform for the first half of the samples and a corner for the second, drawn from the weight field with the given
   * seed (streams from 7000021).
   */
  public static List<double[]> regionSamples(dev.ticketproof.kernel.bound.Region region, int dim, int n,
      long seed) {
    if (!region.local()) {
      return region.perChannel() ? boxSamples(region.lowAt(dim), region.highAt(dim), n, seed)
          : boxSamples(dim, region.low(), region.high(), n, seed);
    }
    List<double[][]> boxes = region.boxes(dim);
    List<double[]> centres = centres(region, dim);
    List<double[]> xs = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      double[][] b = boxes.get(s % boxes.size());
      if (s < centres.size()) {
        xs.add(centres.get(s));
        continue;
      }
      boolean corner = s >= n / 2;
      double[] x = new double[dim];
      for (int q = 0; q < dim; q++) {
        double u = dev.ticketproof.random.WeightField.u01(seed, 7_000_021L + s, q);
        x[q] = corner ? (u < 0.5 ? b[0][q] : b[1][q]) : Math.min(b[1][q], b[0][q] + (b[1][q] - b[0][q]) * u);
      }
      xs.add(x);
    }
    return xs;
  }

  /**
   * What {@link #compare} measures.
   *
   * @param maxDifference max over inputs and outputs of |a(x) - b(x)| (infinite for NaN or a length mismatch)
   * @param maxMagnitude max over inputs and outputs of |a(x)|
   */
  public record Comparison(double maxDifference, double maxMagnitude) {
    /** The larger difference and the larger magnitude of the two. */
    public Comparison max(Comparison o) {
      return new Comparison(Math.max(maxDifference, o.maxDifference), Math.max(maxMagnitude, o.maxMagnitude));
    }
  }

  /** Max over inputs and outputs of |a(x) - b(x)|, and of |a(x)| ({@link #compareEach}). */
  public static Comparison compare(Evaluator a, Evaluator b, List<double[]> inputs) {
    return compare(a, b, inputs, done -> { });
  }

  /** As {@link #compare(Evaluator, Evaluator, List)}, reporting the number of inputs done after every batch. */
  public static Comparison compare(Evaluator a, Evaluator b, List<double[]> inputs,
      java.util.function.IntConsumer progress) {
    Comparison all = new Comparison(0, 0);
    for (Comparison x : compareEach(a, b, inputs, progress)) all = all.max(x);
    return all;
  }

  /**
   * The comparison of a(x) and b(x) for every input, in order. Inputs are evaluated in batches ({@link #batchSize})
   * one after the other ({@link #forEachPair}); every input gets the same bits in any batch, so the split changes the
   * speed and the memory only. {@code progress} gets the number of inputs done after every
   * batch.
   */
  public static Comparison[] compareEach(Evaluator a, Evaluator b, List<double[]> inputs,
      java.util.function.IntConsumer progress) {
    Comparison[] res = new Comparison[inputs.size()];
    forEachPair(a, b, inputs, progress, (q, ya, yb) -> res[q] = difference(ya, yb));
    return res;
  }

  /** What {@link #forEachPair} hands on: input q's outputs on the two networks. */
  interface PairSink {
    void accept(int q, double[] ya, double[] yb);
  }

  /**
   * Evaluates a and b on every input in batches, one batch after the other (every conv is parallel inside, so a batch
   * uses the cores, and only one batch's feature maps are held: a wide ticket's take gigabytes), and hands each
   * input's two outputs to {@code sink}, each input once. {@code progress} gets the number of inputs done after every
   * batch.
   */
  static void forEachPair(Evaluator a, Evaluator b, List<double[]> inputs, java.util.function.IntConsumer progress,
      PairSink sink) {
    java.util.concurrent.atomic.AtomicInteger finished = new java.util.concurrent.atomic.AtomicInteger();
    progress.accept(0);
    int n = inputs.size();
    int batch = batchSize(inputs);
    int batches = (n + batch - 1) / batch;
    for (int g = 0; g < batches; g++) {
      List<double[]> xs = inputs.subList(g * batch, Math.min(n, (g + 1) * batch));
      List<double[]> yas = a.applyAll(xs);
      List<double[]> ybs = b.applyAll(xs);
      for (int k = 0; k < xs.size(); k++) sink.accept(g * batch + k, yas.get(k), ybs.get(k));
      progress.accept(finished.addAndGet(xs.size()));
    }
  }

  /**
   * Inputs per batch when a list of inputs is evaluated in batches: up to 8, fewer for large inputs, and at most the
   * inputs per processor (the convs are parallel inside a batch; smaller batches hold smaller feature maps).
   */
  static int batchSize(List<double[]> inputs) {
    int n = inputs.size();
    int dim = n == 0 ? 1 : Math.max(1, inputs.get(0).length);
    int cores = Runtime.getRuntime().availableProcessors();
    return Math.max(1, Math.min(Math.min(8, 65_536 / dim), (n + cores - 1) / cores));
  }

  /** The comparison of two outputs. */
  static Comparison difference(double[] ya, double[] yb) {
    double err = ya.length == yb.length ? 0 : Double.POSITIVE_INFINITY;
    double mag = 0;
    for (int j = 0; j < Math.min(ya.length, yb.length); j++) {
      double d = Math.abs(ya[j] - yb[j]);
      err = Double.isNaN(d) || d > err ? (Double.isNaN(d) ? Double.POSITIVE_INFINITY : d) : err;
      mag = Math.max(mag, Math.abs(ya[j]));
    }
    return new Comparison(err, mag);
  }


  /**
   * The target and ticket evaluators of a certificate, with the kernel's own activation (so the measurement uses
   * kernel code only).
   *
   * @throws IllegalArgumentException when the activation is unknown to the kernel or the source cannot be rebuilt
   */
  public static Pair of(TicketCertificate cert, Network target) {
    KernelActivation kphi = KernelActivation.of(cert.header().activation());
    if (kphi == null) throw new IllegalArgumentException("unknown activation " + cert.header().activation());
    SourceNetwork src = SourceNetwork.of(TargetPlan.of(target, kphi), cert.params());
    return new Pair(ofTarget(src.plan()), ofTicket(src, cert));
  }

  /** As {@link #of(TicketCertificate, Network)}, with at most {@code block} output units per block of a conv. */
  static Pair of(TicketCertificate cert, Network target, int block) {
    KernelActivation kphi = KernelActivation.of(cert.header().activation());
    SourceNetwork src = SourceNetwork.of(TargetPlan.of(target, kphi), cert.params());
    return new Pair(ofTarget(src.plan(), block), ofTicket(src, cert, block));
  }

  /**
   * The evaluators of a certificate's target and ticket.
   *
   * @param target the target network
   * @param ticket the ticket (the kept weights of the source network)
   */
  public record Pair(Evaluator target, Evaluator ticket) {}

  /** The evaluator of a target plan. */
  public static Evaluator ofTarget(TargetPlan plan) {
    return ofTarget(plan, BLOCK_UNITS);
  }

  private static Evaluator ofTarget(TargetPlan plan, int block) {
    List<Op> ops = new ArrayList<>();
    if (plan.input() != null) ops.add(inputMap(plan.input()));
    for (TargetPlan.Step s : plan.steps()) ops.add(targetOp(s, plan.phi(), block));
    return new Evaluator(ops, plan.phi(), plan.inputShape());
  }

  /** The evaluator of the ticket a certificate's mask selects in its source network. */
  public static Evaluator ofTicket(SourceNetwork src, TicketCertificate cert) {
    return ofTicket(src, cert, BLOCK_UNITS);
  }

  private static Evaluator ofTicket(SourceNetwork src, TicketCertificate cert, int block) {
    Activation phi = src.plan().phi();
    long seed = src.params().seed();
    List<Op> ops = new ArrayList<>();
    if (src.plan().input() != null) ops.add(inputMap(src.plan().input()));
    SourceNetwork.Visitor<Op> op = new SourceNetwork.Visitor<>() {
      @Override public Op univariate(SourceNetwork.Univariate u) { return Evaluator.univariate(u, cert, seed, phi); }

      @Override public Op conv(SourceNetwork.Conv c) {
        return ticketConv(c, cert, seed, phi, c.target().phiAfter(), block);
      }

      @Override public Op pool(SourceNetwork.Pool p) { return Evaluator.pool(p.target()); }

      @Override
      public Op residual(SourceNetwork.Residual r) {
        Op c1 = ticketConv(r.conv1(), cert, seed, phi, true, block);
        Op c2 = ticketConv(r.conv2(), cert, seed, phi, false, block);
        Op proj = r.projection() == null ? null : ticketConv(r.projection(), cert, seed, phi, false, block);
        return Evaluator.residual(c1, c2, proj, phi);
      }
    };
    for (SourceNetwork.Node n : src.nodes()) ops.add(n.accept(op));
    for (TargetPlan.Step s : src.tail()) ops.add(targetOp(s, phi, block));
    return new Evaluator(ops, phi, src.plan().inputShape());
  }

  /**
   * Feature maps of a batch: value (y, x) of example s in channel c at {@code v[c][(y * w + x) * n + s]}; convs
   * tile their output rows with the budget {@code tile} ({@link #tileRows}).
   */
  private record Maps(double[][] v, int h, int w, int n, long tile) {}

  private interface Op {
    /** The op's output on a batch; when {@code tape} is not null, the op's backward step is added to it. */
    Maps apply(Maps in, Tape tape);
  }

  /**
   * What a differentiable pass records: the backward steps of its ops in order and, shared with the tapes of its
   * residual branches, the pre-activations of its activation sites in the order of the forward pass (each site's
   * maps, or null when they are not kept).
   */
  private static final class Tape {
    final List<Back> steps = new ArrayList<>();
    final List<double[][]> pre;
    final boolean keep;

    Tape(List<double[][]> pre, boolean keep) {
      this.pre = pre;
      this.keep = keep;
    }

    /** A tape for a branch of a block: its own steps, the same sites. */
    Tape branch() {
      return new Tape(pre, keep);
    }

    void add(Back b) {
      steps.add(b);
    }

    /** Registers an activation site with its pre-activations (null when not kept); returns its index. */
    int site(double[][] t) {
      pre.add(t);
      return pre.size() - 1;
    }
  }

  /** The backward step of an op: the gradient with respect to its input from that with respect to its output. */
  private interface Back {
    /** @param widths the smoothing widths of {@link Pass#gradients(List, double[][])}, or null */
    Maps back(Maps g, double[][] widths);
  }

  /**
   * The slopes of an activation site: phi' ({@code d}), or where {@code widths[site]} gives example s (index mod n)
   * a width h > 0, the secant slope of phi over [t - h, t + h] at the kept pre-activation t.
   */
  private static double[][] slopes(double[][] d, double[][] t, int site, double[][] widths, Activation phi, int n) {
    if (widths == null || t == null) return d;
    double[] h = widths[site];
    double[][] out = new double[d.length][];
    for (int c = 0; c < d.length; c++) {
      double[] dc = d[c];
      double[] tc = t[c];
      double[] o = new double[dc.length];
      for (int k = 0; k < o.length; k++) {
        double w = h[k % n];
        o[k] = w > 0 ? (phi.value(tc[k] + w) - phi.value(tc[k] - w)) / (2 * w) : dc[k];
      }
      out[c] = o;
    }
    return out;
  }

  /**
   * phi'(t) from t and v = phi(t): for tanh 1 - v^2 and for sigmoid v (1 - v), which saves evaluating the function a
   * second time; else {@link Activation#derivative}.
   */
  private interface Slope {
    double at(double t, double v);

    static Slope of(Activation phi) {
      return switch (phi.name()) {
        case "tanh" -> (t, v) -> 1 - v * v;
        case "sigmoid" -> (t, v) -> v * (1 - v);
        default -> (t, v) -> phi.derivative(t);
      };
    }
  }

  /** The maps g times d, value by value (d of g's shape). */
  private static Maps times(Maps g, double[][] d) {
    double[][] out = new double[g.v.length][];
    for (int c = 0; c < out.length; c++) {
      double[] gc = g.v[c];
      double[] dc = d[c];
      double[] o = new double[gc.length];
      for (int k = 0; k < o.length; k++) o[k] = gc[k] * dc[k];
      out[c] = o;
    }
    return new Maps(out, g.h, g.w, g.n, g.tile);
  }

  /**
   * A plan's input map: channel c's values times scale[c] plus shift[c], the expression of
   * {@link TargetPlan.InputMap#apply}; its gradient is scaled by scale[c].
   */
  private static Op inputMap(TargetPlan.InputMap m) {
    return (in, tape) -> {
      if (tape != null) tape.add((g, wd) -> scaled(g, m.scale(), null));
      return scaled(in, m.scale(), m.shift());
    };
  }

  /** The maps with channel c times scale[c], plus shift[c] when shift is not null. */
  private static Maps scaled(Maps in, double[] scale, double[] shift) {
    double[][] out = new double[in.v.length][];
    for (int c = 0; c < out.length; c++) {
      double[] v = in.v[c];
      double[] o = new double[v.length];
      for (int k = 0; k < o.length; k++) o[k] = shift == null ? v[k] * scale[c] : scale[c] * v[k] + shift[c];
      out[c] = o;
    }
    return new Maps(out, in.h, in.w, in.n, in.tile);
  }

  private static Op targetOp(TargetPlan.Step s, Activation phi, int block) {
    if (s instanceof TargetPlan.Affine a) return targetConv(a, phi, a.phiAfter(), block);
    if (s instanceof TargetPlan.Pool p) return pool(p);
    TargetPlan.Residual r = (TargetPlan.Residual) s;
    return residual(targetConv(r.conv1(), phi, true, block), targetConv(r.conv2(), phi, false, block),
        r.projection() == null ? null : targetConv(r.projection(), phi, false, block), phi);
  }

  private static Op pool(TargetPlan.Pool p) {
    if (p.max()) return maxPool(p);
    return (in, tape) -> {
      if (tape != null) tape.add((g, wd) -> poolBack(p, in.v.length, in.h, in.w, g));
      int n = in.n;
      if (p.global()) {
        int hw = in.h * in.w;
        double[][] out = new double[in.v.length][n];
        for (int c = 0; c < in.v.length; c++) {
          double[] s = out[c];
          double[] v = in.v[c];
          for (int k = 0; k < hw; k++) {
            for (int q = 0; q < n; q++) s[q] += v[k * n + q];
          }
          for (int q = 0; q < n; q++) s[q] = s[q] / hw;
        }
        return new Maps(out, 1, 1, n, in.tile);
      }
      int oh = (in.h - p.kh()) / p.sh() + 1;
      int ow = (in.w - p.kw()) / p.sw() + 1;
      double[][] out = new double[in.v.length][oh * ow * n];
      double[] s = new double[n];
      for (int c = 0; c < in.v.length; c++) {
        for (int y = 0; y < oh; y++) {
          for (int x = 0; x < ow; x++) {
            java.util.Arrays.fill(s, 0);
            for (int a = 0; a < p.kh(); a++) {
              for (int b = 0; b < p.kw(); b++) {
                int at = ((y * p.sh() + a) * in.w + x * p.sw() + b) * n;
                for (int q = 0; q < n; q++) s[q] += in.v[c][at + q];
              }
            }
            for (int q = 0; q < n; q++) out[c][(y * ow + x) * n + q] = s[q] / (p.kh() * p.kw());
          }
        }
      }
      return new Maps(out, oh, ow, n, in.tile);
    };
  }

  /**
   * Max pooling: every output the largest input of its window (padding is never the maximum; NaN wins, as in
   * {@link dev.ticketproof.net.Forward#maxPool}); the gradient goes to the first largest input of the window.
   */
  private static Op maxPool(TargetPlan.Pool p) {
    return (in, tape) -> {
      int n = in.n;
      int oh = (in.h + 2 * p.ph() - p.kh()) / p.sh() + 1;
      int ow = (in.w + 2 * p.pw() - p.kw()) / p.sw() + 1;
      double[][] out = new double[in.v.length][oh * ow * n];
      // the first largest input of every window, for the gradient (with a tape only)
      int[][] arg = tape == null ? null : new int[in.v.length][oh * ow * n];
      for (int c = 0; c < in.v.length; c++) {
        double[] v = in.v[c];
        for (int y = 0; y < oh; y++) {
          for (int x = 0; x < ow; x++) {
            for (int q = 0; q < n; q++) {
              double m = Double.NEGATIVE_INFINITY;
              int at = -1;
              for (int i = Math.max(0, y * p.sh() - p.ph()); i < Math.min(in.h, y * p.sh() - p.ph() + p.kh()); i++) {
                for (int j = Math.max(0, x * p.sw() - p.pw()); j < Math.min(in.w, x * p.sw() - p.pw() + p.kw()); j++) {
                  double e = v[(i * in.w + j) * n + q];
                  if (at < 0 || e > m || Double.isNaN(e) && !Double.isNaN(m)) {
                    m = e;
                    at = (i * in.w + j) * n + q;
                  }
                }
              }
              out[c][(y * ow + x) * n + q] = m;
              if (arg != null) arg[c][(y * ow + x) * n + q] = at;
            }
          }
        }
      }
      if (tape != null) {
        tape.add((g, wd) -> {
          double[][] gi = new double[in.v.length][in.h * in.w * n];
          for (int c = 0; c < gi.length; c++) {
            for (int o = 0; o < arg[c].length; o++) gi[c][arg[c][o]] += g.v[c][o];
          }
          return new Maps(gi, in.h, in.w, n, g.tile);
        });
      }
      return new Maps(out, oh, ow, n, in.tile);
    };
  }

  /** The gradient with respect to a pool's input (channels x h x w) from that with respect to its output. */
  private static Maps poolBack(TargetPlan.Pool p, int channels, int h, int w, Maps g) {
    int n = g.n;
    double[][] out = new double[channels][h * w * n];
    for (int c = 0; c < channels; c++) {
      double[] o = out[c];
      double[] gc = g.v[c];
      if (p.global()) {
        for (int k = 0; k < h * w; k++) {
          for (int q = 0; q < n; q++) o[k * n + q] = gc[q] / (h * w);
        }
        continue;
      }
      int area = p.kh() * p.kw();
      for (int y = 0; y < g.h; y++) {
        for (int x = 0; x < g.w; x++) {
          for (int a = 0; a < p.kh(); a++) {
            for (int b = 0; b < p.kw(); b++) {
              int at = ((y * p.sh() + a) * w + x * p.sw() + b) * n;
              for (int q = 0; q < n; q++) o[at + q] += gc[(y * g.w + x) * n + q] / area;
            }
          }
        }
      }
    }
    return new Maps(out, h, w, n, g.tile);
  }

  private static Op residual(Op c1, Op c2, Op proj, Activation phi) {
    Slope slope = Slope.of(phi);
    return (in, tape) -> {
      Tape branch = tape == null ? null : tape.branch();
      Tape shortcut = tape == null || proj == null ? null : tape.branch();
      Maps b = c2.apply(c1.apply(in, branch), branch);
      Maps s = proj != null ? proj.apply(in, shortcut) : in;
      double[][] out = new double[b.v.length][];
      double[][] d = tape == null ? null : new double[out.length][];
      double[][] t = tape != null && tape.keep ? new double[out.length][] : null;
      for (int c = 0; c < out.length; c++) {
        double[] o = new double[b.v[c].length];
        for (int k = 0; k < o.length; k++) o[k] = phi.value(b.v[c][k] + s.v[c][k]);
        out[c] = o;
        if (d != null) {
          double[] dc = new double[o.length];
          for (int k = 0; k < o.length; k++) dc[k] = slope.at(b.v[c][k] + s.v[c][k], o[k]);
          d[c] = dc;
        }
        if (t != null) {
          double[] tc = new double[o.length];
          for (int k = 0; k < o.length; k++) tc[k] = b.v[c][k] + s.v[c][k];
          t[c] = tc;
        }
      }
      if (tape != null) {
        int site = tape.site(t);
        int n = in.n;
        tape.add((g, wd) -> {
          Maps z = times(g, slopes(d, t, site, wd, phi, n));
          Maps gb = backAll(branch.steps, z, wd);
          Maps gs = shortcut != null ? backAll(shortcut.steps, z, wd) : z;
          double[][] sum = new double[gb.v.length][];
          for (int c = 0; c < sum.length; c++) {
            double[] o = gb.v[c].clone();
            double[] sc = gs.v[c];
            for (int k = 0; k < o.length; k++) o[k] += sc[k];
            sum[c] = o;
          }
          return new Maps(sum, gb.h, gb.w, gb.n, gb.tile);
        });
      }
      return new Maps(out, b.h, b.w, b.n, b.tile);
    };
  }

  /** The backward steps of a tape, last first. */
  private static Maps backAll(List<Back> tape, Maps g, double[][] widths) {
    for (int k = tape.size() - 1; k >= 0; k--) g = tape.get(k).back(g, widths);
    return g;
  }

  private static Op univariate(SourceNetwork.Univariate u, TicketCertificate cert, long seed, Activation phi) {
    Layout out = u.out();
    int inUnits = u.in().units();
    double[] w1 = new double[out.units()];
    boolean[] alive = new boolean[out.units()];
    for (int idx : cert.keptWeights()[u.id()]) {
      int o = idx / inUnits;
      alive[o] = true;
      w1[o] = u.w1(seed, o);
    }
    double[] constant = new double[out.units()];
    for (int o = 0; o < out.units(); o++) constant[o] = phi.value(0);
    for (int o : cert.keptBiases()[u.id()]) constant[o] = phi.value(u.beta(seed, o));
    return (in, tape) -> {
      double[][] v = new double[out.units()][];
      int hw = in.h * in.w * in.n;
      if (tape != null) {
        tape.add((g, wd) -> {
          // d/dx phi(w1 x) = phi'(w1 x) w1, summed over the units reading channel c in increasing order
          double[][] gx = new double[in.v.length][hw];
          for (int o = 0; o < out.units(); o++) {
            if (!alive[o]) continue;
            double[] x = in.v[out.channel(o)];
            double[] go = g.v[o];
            double[] t = gx[out.channel(o)];
            for (int k = 0; k < hw; k++) t[k] += go[k] * (phi.derivative(w1[o] * x[k]) * w1[o]);
          }
          return new Maps(gx, in.h, in.w, in.n, in.tile);
        });
      }
      for (int o = 0; o < out.units(); o++) {
        double[] m = new double[hw];
        if (alive[o]) {
          double[] x = in.v[out.channel(o)];
          for (int k = 0; k < hw; k++) m[k] = phi.value(w1[o] * x[k]);
        } else {
          java.util.Arrays.fill(m, constant[o]);
        }
        v[o] = m;
      }
      return new Maps(v, in.h, in.w, in.n, in.tile);
    };
  }

  private static Op ticketConv(SourceNetwork.Conv c, TicketCertificate cert, long seed, Activation phi, boolean act,
      int block) {
    TargetPlan.Affine a = c.target();
    long per = (long) c.in().units() * a.kh() * a.kw();
    long key = c.weightKey(seed);
    return new Conv(c.out().units(), block, a, cert.keptWeights()[c.id()], per, idx -> c.weightIn(key, idx), null,
        act ? phi : null);
  }

  private static Op targetConv(TargetPlan.Affine a, Activation phi, boolean act, int block) {
    double[] k = a.kernel();
    int[] nonzero = java.util.stream.IntStream.range(0, k.length).filter(i -> k[i] != 0).toArray();
    return new Conv(a.out(), block, a, nonzero, (long) a.in() * a.kh() * a.kw(), idx -> k[(int) idx], a.bias(),
        act ? phi : null);
  }

  /**
   * Doubles of output rows a block of output units works on at a time ({@link #tileRows}): 4 MB. The rows a tap
   * adds to are one stretch of the tile, so taller tiles make longer loops; with the rows of a block within a core's
   * level-2 cache (1 MB) they were shorter and slower (docs/performance.md).
   */
  static final long TILE_DOUBLES = 1L << 19;

  /** Most output units per block of a conv ({@link Conv}): the blocks are computed in parallel. */
  static final int BLOCK_UNITS = 256;

  /** Units per block: at most {@code most}, and small enough for 8 blocks when there are 8 units. */
  static int blockFor(int units, int most) {
    return Math.max(1, Math.min(most, (units + 7) / 8));
  }

  /** Output rows per tile: as many as keep {@code block} units' rows within {@code budget} doubles, at least one. */
  static int tileRows(long budget, int block, int ow, int n, int oh) {
    long rows = budget / Math.max(1L, (long) block * ow * n);
    return (int) Math.max(1, Math.min(oh, rows));
  }

  /**
   * A sparse cross-correlation. Its output units are cut into blocks; a block's weights are held sorted by input
   * tap, so that one input unit's rows are read once for every output unit of the block that reads them, and the
   * output rows are processed in tiles ({@link #tileRows}); a tap's rows within a tile are added in one loop over
   * their stretch ({@code addTap}). A wide ticket's layers read thousands of
   * input maps, each from every output unit: without blocks and tiles the evaluation waits on memory. With a stride
   * above 1 the input rows are first cut into their column phases ({@code columnPhases}), so that a tap reads one
   * contiguous stretch per output row as with a stride of 1 (a strided read of n values per output column ran at a
   * quarter of the speed). Every output
   * value still gets its bias and then its taps in increasing order (the certificate's order), so neither the
   * blocks, the tiles nor the threads change a bit.
   */
  static final class Conv implements Op {
    private final int units;
    private final int block;
    private final int kh;
    private final int kw;
    private final int s;
    private final int ph;
    private final int pw;
    private final double[] bias;
    private final Activation act;
    private final Slope slope;
    /** Per block: its entries, packed as tap * block + (unit - first unit of the block), in increasing order. */
    private final int[][] code;
    /** Per block: the weights of its entries. */
    private final double[][] w;

    /**
     * @param units output units
     * @param most most output units per block ({@link #blockFor})
     * @param flat the nonzero weights' flat indices o * per + tap, strictly increasing (tap packed as
     *     (u * kh + a) * kw + c); not modified or kept
     * @param per taps per output unit
     * @param weight the weight at a flat index
     */
    Conv(int units, int most, TargetPlan.Affine geom, int[] flat, long per,
        java.util.function.LongToDoubleFunction weight, double[] bias, Activation act) {
      this.block = (int) Math.min(blockFor(units, most), Math.max(1, Integer.MAX_VALUE / Math.max(1, per)));
      this.units = units;
      this.kh = geom.kh();
      this.kw = geom.kw();
      this.s = geom.stride();
      this.ph = geom.ph();
      this.pw = geom.pw();
      this.bias = bias;
      this.act = act;
      this.slope = act == null ? null : Slope.of(act);
      int blocks = (units + block - 1) / block;
      // where each block's entries start in flat (the indices increase with the output unit)
      int[] start = new int[blocks + 1];
      for (int bl = 0, e = 0; bl <= blocks; bl++) {
        long first = (long) Math.min(units, bl * block) * per;
        while (e < flat.length && flat[e] < first) e++;
        start[bl] = bl == blocks ? flat.length : e;
      }
      code = new int[blocks][];
      w = new double[blocks][];
      // in order of tap, then output unit: the block's units that read one input row follow each other; for one
      // output unit the order is still by increasing tap
      java.util.stream.IntStream.range(0, blocks).parallel().forEach(bl -> {
        long o0 = (long) bl * block;
        int[] cb = new int[start[bl + 1] - start[bl]];
        for (int e = 0; e < cb.length; e++) {
          long idx = flat[start[bl] + e];
          long o = idx / per;
          cb[e] = (int) ((idx - o * per) * block + (o - o0));
        }
        sortByTap(cb, block, per);
        double[] wb = new double[cb.length];
        for (int e = 0; e < cb.length; e++) {
          int tap = cb[e] / block;
          wb[e] = weight.applyAsDouble((o0 + cb[e] - tap * block) * per + tap);
        }
        code[bl] = cb;
        w[bl] = wb;
      });
    }

    /**
     * Sorts a block's codes tap * block + unit, given in order of unit and then tap: counted by tap when there are
     * not many more taps than codes (within a tap the units then keep their increasing order), else compared.
     */
    static void sortByTap(int[] cb, int block, long per) {
      if (per > Math.max(1 << 16, 4L * cb.length)) {
        java.util.Arrays.sort(cb);
        return;
      }
      int[] at = new int[(int) per + 1];
      for (int x : cb) at[x / block + 1]++;
      for (int t = 0; t < per; t++) at[t + 1] += at[t];
      int[] sorted = new int[cb.length];
      for (int x : cb) sorted[at[x / block]++] = x;
      System.arraycopy(sorted, 0, cb, 0, cb.length);
    }

    @Override
    public Maps apply(Maps in, Tape tape) {
      int n = in.n;
      int oh = (in.h + 2 * ph - kh) / s + 1;
      int ow = (in.w + 2 * pw - kw) / s + 1;
      double[][] out = new double[units][];
      // with a tape: phi' at every pre-activation
      double[][] d = tape != null && act != null ? new double[units][] : null;
      // with a tape that keeps them: the pre-activations
      double[][] t = d != null && tape.keep ? new double[units][] : null;
      int rows = tileRows(in.tile, block, ow, n, oh);
      int kk = kh * kw;
      // per kernel column c, the output columns whose input column xx * s - pw + c lies inside the map: first..last
      int[] first = new int[kw];
      int[] last = new int[kw];
      for (int c = 0; c < kw; c++) {
        first[c] = Math.max(0, Math.floorDiv(pw - c + s - 1, s));
        last[c] = Math.min(ow - 1, Math.floorDiv(in.w - 1 + pw - c, s));
      }
      // with a stride above 1, every input row cut into its s column phases, so that a tap reads a stretch
      int qw = (in.w + s - 1) / s;
      double[][] phased = s == 1 ? null : columnPhases(in, s);
      java.util.stream.IntStream.range(0, code.length).parallel().forEach(b -> {
        int o0 = b * block;
        int o1 = Math.min(units, o0 + block);
        for (int o = o0; o < o1; o++) {
          out[o] = new double[oh * ow * n];
          if (bias != null) java.util.Arrays.fill(out[o], bias[o]);
          if (d != null) d[o] = new double[oh * ow * n];
          if (t != null) t[o] = new double[oh * ow * n];
        }
        int[] cb = code[b];
        double[] wb = w[b];
        // the rows a tap reads, copied to where its products go: the same index in both arrays lets the JIT
        // vectorise the multiply-adds (with different offsets it cannot rule out overlap and stays scalar)
        double[] sc = new double[oh * ow * n];
        for (int ya = 0; ya < oh; ya += rows) {
          int yb = Math.min(oh, ya + rows);
          for (int e = 0; e < cb.length; ) {
            int tap = cb[e] / block;
            int next = e + 1;
            int lim = (tap + 1) * block;
            while (next < cb.length && cb[next] < lim) next++;
            int u = tap / kk;
            int r = tap - u * kk;
            int a = r / kw;
            int c = r - a * kw;
            int x0 = first[c];
            int len = (last[c] - x0 + 1) * n;
            // the tile's output rows whose input row y * s - ph + a lies inside the map: y0..y1 - 1
            int y0 = Math.max(ya, -Math.floorDiv(a - ph, s));
            int y1 = Math.min(yb, Math.floorDiv(in.h - 1 + ph - a, s) + 1);
            if (len > 0 && y0 < y1) {
              copyRows(s == 1 ? in.v[u] : phased[u], in, sc, y0, y1, ow, a, c, x0, len, qw);
              addTap(out, o0, tap * block, cb, wb, e, next, sc, y0, y1, ow, x0, len, n);
            }
            e = next;
          }
          if (act != null) {
            for (int o = o0; o < o1; o++) {
              double[] m = out[o];
              if (t != null) System.arraycopy(m, ya * ow * n, t[o], ya * ow * n, (yb - ya) * ow * n);
              if (d != null) {
                double[] dm = d[o];
                for (int k = ya * ow * n; k < yb * ow * n; k++) {
                  double v = act.value(m[k]);
                  dm[k] = slope.at(m[k], v);
                  m[k] = v;
                }
              } else {
                for (int k = ya * ow * n; k < yb * ow * n; k++) m[k] = act.value(m[k]);
              }
            }
          }
        }
      });
      if (tape != null) {
        int inUnits = in.v.length;
        int inH = in.h;
        int inW = in.w;
        int site = d == null ? -1 : tape.site(t);
        tape.add((g, wd) -> back(d == null ? g : times(g, slopes(d, t, site, wd, act, n)), inUnits, inH, inW, first,
            last));
      }
      return new Maps(out, oh, ow, n, in.tile);
    }

    /**
     * Copies what tap (a, c) reads for output rows y0..y1 - 1, whose input rows lie inside the map (columns from x0,
     * {@code len} values per row), to the positions of those outputs in {@code sc}: from the input map {@code x} when
     * the stride is 1 (one stretch when input and output rows are as long, the gaps between the rows' columns then
     * holding other input values), else from its column phases ({@link #columnPhases}, {@code qw} columns per
     * phase).
     */
    private void copyRows(double[] x, Maps in, double[] sc, int y0, int y1, int ow, int a, int c, int x0, int len,
        int qw) {
      int n = in.n;
      if (s == 1 && in.w == ow) {
        // input position (y - ph + a, x - pw + c) lies a fixed distance from output position (y, x): one stretch
        int lo = (y0 * ow + x0) * n;
        System.arraycopy(x, lo + ((a - ph) * ow + c - pw) * n, sc, lo, ((y1 - 1 - y0) * ow) * n + len);
        return;
      }
      int px = Math.floorMod(c - pw, s);
      for (int y = y0; y < y1; y++) {
        int iy = y * s - ph + a;
        // input column xx * s - pw + c lies in phase px at (xx * s - pw + c - px) / s (the column itself when s = 1)
        int xb = s == 1 ? (iy * in.w + x0 - pw + c) * n : ((iy * s + px) * qw + x0 + (c - pw - px) / s) * n;
        System.arraycopy(x, xb, sc, (y * ow + x0) * n, len);
      }
    }

    /**
     * Adds the products of one tap's entries {@code from..to - 1} of a block (output units o0 + code - base) for the
     * output rows y0..y1 - 1, whose values the tap reads are at the same positions in {@code sc}. The rows are one
     * stretch from column x0 of row y0 to the last of row y1 - 1, with the columns outside x0.. between them (the
     * gaps): where sc holds a zero whose sign makes the product -0.0 (-0.0 for a weight with a clear sign bit, +0.0
     * for one with the sign bit set), m + w * 0 is m bit for bit (also for +0.0, -0.0, infinities and NaN), so one
     * loop over the stretch gives every value the bits of adding the rows one by one; a weight that is not finite
     * (whose product with zero is NaN) takes the rows one by one. The entries of a tap belong to distinct output
     * units, so the order in which they are added does not matter.
     */
    private static void addTap(double[][] out, int o0, int base, int[] cb, double[] wb, int from, int to,
        double[] sc, int y0, int y1, int ow, int x0, int len, int n) {
      int lo = (y0 * ow + x0) * n;
      int hi = ((y1 - 1) * ow + x0) * n + len;
      boolean gaps = len < ow * n && y1 - y0 > 1;
      for (int pass = 0; pass < (gaps ? 2 : 1); pass++) {
        boolean negative = pass == 1;
        if (gaps) {
          double zero = negative ? 0.0 : -0.0;
          for (int y = y0; y < y1 - 1; y++) {
            int gapEnd = ((y + 1) * ow + x0) * n;
            for (int j = (y * ow + x0) * n + len; j < gapEnd; j++) sc[j] = zero;
          }
        }
        for (int e = from; e < to; e++) {
          double wk = wb[e];
          double[] m = out[o0 + cb[e] - base];
          if (!Double.isFinite(wk)) {
            if (pass > 0) continue;
            for (int y = y0; y < y1; y++) {
              int mb = (y * ow + x0) * n;
              for (int j = mb; j < mb + len; j++) m[j] += wk * sc[j];
            }
          } else if (!gaps || (Double.doubleToRawLongBits(wk) < 0) == negative) {
            for (int j = lo; j < hi; j++) m[j] += wk * sc[j];
          }
        }
      }
    }

    /**
     * The input maps with every row cut into its s column phases: row iy, phase px holds the columns px, px + s, ...
     * at ((iy * s + px) * ceil(w / s) + column / s) * n, the n examples of a position together (the positions past
     * a phase's last column are left 0 and never read).
     */
    private static double[][] columnPhases(Maps in, int s) {
      int n = in.n;
      int qw = (in.w + s - 1) / s;
      double[][] x = new double[in.v.length][];
      java.util.stream.IntStream.range(0, x.length).parallel().forEach(u -> {
        double[] src = in.v[u];
        if (src == null) return;
        double[] v = new double[in.h * s * qw * n];
        for (int iy = 0; iy < in.h; iy++) {
          for (int ix = 0; ix < in.w; ix++) {
            System.arraycopy(src, (iy * in.w + ix) * n, v, ((iy * s + ix % s) * qw + ix / s) * n, n);
          }
        }
        x[u] = v;
      });
      return x;
    }

    /**
     * The transposed cross-correlation: the gradient with respect to the input (inUnits x h x w) from that with
     * respect to the pre-activations, {@code g}. Input units are done in parallel; each sums its blocks' entries in
     * order (a block's entries of one input unit are a stretch of its sorted codes), so no thread count changes a
     * bit.
     */
    private Maps back(Maps g, int inUnits, int ih, int iw, int[] first, int[] last) {
      int n = g.n;
      int oh = g.h;
      int ow = g.w;
      int kk = kh * kw;
      double[][] gx = new double[inUnits][];
      java.util.stream.IntStream.range(0, inUnits).parallel().forEach(u -> {
        double[] x = new double[ih * iw * n];
        // the values of x a tap's products go to, copied to the products' positions and back after the tap's
        // entries of a block: the same index in both arrays lets the JIT vectorise (the same additions in the
        // same order)
        double[] sc = new double[oh * ow * n];
        for (int b = 0; b < code.length; b++) {
          int[] cb = code[b];
          double[] wb = w[b];
          int o0 = b * block;
          int to = firstAtLeast(cb, (long) (u + 1) * kk * block);
          for (int e = firstAtLeast(cb, (long) u * kk * block); e < to; ) {
            int tap = cb[e] / block;
            int r = tap - u * kk;
            int a = r / kw;
            int c = r - a * kw;
            int x0 = first[c];
            int len = (last[c] - x0 + 1) * n;
            int next = firstAtLeast(cb, (long) (tap + 1) * block);
            if (len > 0) {
              moveRows(x, sc, oh, ow, ih, iw, n, a, c, x0, len, false);
              for (; e < next; e++) {
                double[] m = g.v[o0 + cb[e] - tap * block];
                double wk = wb[e];
                for (int y = 0; y < oh; y++) {
                  int iy = y * s - ph + a;
                  if (iy < 0 || iy >= ih) continue;
                  int mb = (y * ow + x0) * n;
                  int end = mb + len;
                  for (int j = mb; j < end; j++) sc[j] += wk * m[j];
                }
              }
              moveRows(x, sc, oh, ow, ih, iw, n, a, c, x0, len, true);
            }
            e = next;
          }
        }
        gx[u] = x;
      });
      return new Maps(gx, ih, iw, n, g.tile);
    }

    /**
     * Copies the input positions tap (a, c) reads for the output columns from x0 ({@code len} values per output
     * row) between {@code x} and their output positions in {@code sc}: into {@code sc}, or back when {@code back}.
     */
    private void moveRows(double[] x, double[] sc, int oh, int ow, int ih, int iw, int n, int a, int c, int x0,
        int len, boolean back) {
      for (int y = 0; y < oh; y++) {
        int iy = y * s - ph + a;
        if (iy < 0 || iy >= ih) continue;
        int mb = (y * ow + x0) * n;
        int xb = (iy * iw + x0 * s - pw + c) * n;
        if (s == 1) {
          if (back) System.arraycopy(sc, mb, x, xb, len); else System.arraycopy(x, xb, sc, mb, len);
        } else {
          for (int k = 0; k < len; k += n) {
            int xk = xb + k * s;
            if (back) System.arraycopy(sc, mb + k, x, xk, n); else System.arraycopy(x, xk, sc, mb + k, n);
          }
        }
      }
    }

    /** The first index of the sorted {@code a} whose value is at least {@code key} ({@code a.length} if none). */
    static int firstAtLeast(int[] a, long key) {
      int lo = 0;
      int hi = a.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (a[mid] < key) lo = mid + 1; else hi = mid;
      }
      return lo;
    }
  }
}
