package dev.ticketproof.kernel;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.limits.BadParameter;
import dev.ticketproof.random.WeightField;
import java.util.ArrayList;
import java.util.List;

/**
 * The virtual random source ("mother") network of a ticket: its architecture is derived from the target's plan
 * and a few parameters, and every one of its weights is a pure function of (seed, layer, index) through
 * {@link WeightField}. It is never stored; the construction and the kernel regenerate the weights they need.
 *
 * <p>Source distributions (the source network's definition):
 * <ul>
 *   <li>univariate layer (1x1, dense in the source): weights U(-2 lambda, 2 lambda), or U(0, 2 lambda) when its
 *       inputs are non-negative (a non-negative input box, or outputs of a non-negative phi) and phi needs a sign
 *       split ("positive copies"); biases U(0, 2); in the first, the weights of the copies of input channel c times
 *       its power of two s_c ({@link #channelScales}), and the next layer's weights from them divided by it;</li>
 *   <li>a layer reading a univariate layer: weights U(-sigma, sigma), sigma = 1 / (lambda mu) with
 *       mu = m+ + m- when phi needs a sign split and mu = m+ otherwise; from the univariate layer's constant units
 *       ({@link #constants}) U(-sigma, sigma) from the large-scale ones, U(-1, 1) from the others;</li>
 *   <li>every other layer: weights U(-1, 1); no biases after the univariate layer.</li>
 * </ul>
 * Every range above is multiplied by a per-output-channel power of two derived from the target ({@link #rowScales}
 * for the weights from non-constant units, {@link #largeScales} from large-scale constant units, which grows with
 * the fan-in's l1 norm, {@link #biasScales} from the others), so that
 * targets beyond [-1, 1] are in reach and small targets take small weights ([scaled-source]); powers of two keep the
 * scaled samples exact. In the first layer, which reads the copies of the input, the weights from the copies of
 * input channel i into channel j take the block's own power of two instead when it is at least {@link #BLOCK_GAP}
 * times smaller than the row's ({@link #blockScales}: inputs of unequal scales, whose weights differ by the inverse).
 * Weight (o, u, a, c) of source layer {@code id} (output unit o, input unit u, tap (a, c)) is draw
 * {@code ((o * inUnits + u) * kh + a) * kw + c} of stream {@code 4 id}; bias o of a univariate layer is draw o of
 * stream {@code 4 id + 1}.
 *
 * @param plan the target in normal form
 * @param params construction parameters; for a plan with an input map ({@link TargetPlan#input}), with the image of
 *     the given box under the map, which the source network reads (the certificate's header keeps the given box)
 * @param nodes the source's layers in order
 * @param tail target steps kept unchanged after the constructed prefix ({@code --upto})
 */
public record SourceNetwork(TargetPlan plan, Params params, List<Node> nodes, List<TargetPlan.Step> tail) {
  /** The largest number of copies per channel (the solvers' largest base set). */
  public static final int MAX_RHO = 256;

  /** The most weight slots a source layer may have: its flat weight indices are {@code int}s. */
  public static final long MAX_SLOTS = Integer.MAX_VALUE;

  /** Refuses a layer with more than {@link #MAX_SLOTS} weight slots, naming it and its slots. */
  static void checkSlots(int id, String name, long slots) {
    if (slots > MAX_SLOTS) {
      throw new BadParameter("rho", "source layer " + id + " (" + name + ") would have " + slots
          + " weight slots, more than the " + MAX_SLOTS + " a mask indexes: use a smaller rho or rho1");
    }
  }

  /** The construction family. */
  public enum Construction {
    L_PLUS_1("l+1"), TWO_L("2l");
    private final String label;

    Construction(String label) { this.label = label; }

    public String label() { return label; }

    /** Parses {@code l+1} or {@code 2l}. */
    public static Construction parse(String s) {
      for (Construction c : values()) if (c.label.equalsIgnoreCase(s)) return c;
      throw new BadParameter("construction", "construction must be l+1 or 2l, got '" + s + "'");
    }
  }

  /**
   * Parameters of the source network.
   *
   * @param construction l+1 or 2l
   * @param rho copies per channel in every layer after the first
   * @param rho1 copies per input channel in the first univariate layer
   * @param lambda input scale of univariate layers (1 for piecewise-linear phi)
   * @param seed the seed of the weight field
   * @param upto name of the last target layer constructed, or null for all
   * @param inputLow lower end of the input box (every input coordinate lies in [inputLow, inputHigh]); with
   *     per-channel intervals, the smallest of their lower ends
   * @param inputHigh upper end of the input box; with per-channel intervals, the largest of their upper ends
   * @param inputBoxes per input channel c, its interval {lo, hi} (every coordinate of channel c lies in it), or null
   *     when every channel has [inputLow, inputHigh]; checked by {@link #checkInputBoxes}, and its count against the
   *     target's input channels by {@link SourceNetwork#of}. Not modified.
   * @param version the definition of the source network, the certificate format version it was made with
   *     ({@link TicketCertificate#VERSION}): from 3 the first layer's blocks take their own scales
   *     ({@link #blockScales}), from 4 the large-scale constant units their own ({@link #largeScales}), from 5 the
   *     input channels their own in the first univariate layer ({@link #channelScales})
   */
  public record Params(Construction construction, int rho, int rho1, double lambda, long seed, String upto,
      double inputLow, double inputHigh, double[][] inputBoxes, int version) {
    public Params {
      if (!(inputLow < inputHigh && Double.isFinite(inputLow) && Double.isFinite(inputHigh))) {
        throw new IllegalArgumentException("input box must be finite with low < high, got [" + inputLow + ", "
            + inputHigh + "]");
      }
      checkInputBoxes(inputLow, inputHigh, inputBoxes);
      if (rho < 1 || rho > MAX_RHO) {
        throw new IllegalArgumentException("rho must be in [1, " + MAX_RHO + "], got " + rho);
      }
      if (rho1 < 1 || rho1 > MAX_RHO) {
        throw new IllegalArgumentException("rho1 must be in [1, " + MAX_RHO + "], got " + rho1);
      }
      if (!(lambda > 0 && lambda <= 1)) throw new IllegalArgumentException("lambda must be in (0, 1], got " + lambda);
    }

    /** Whether the first layer's blocks take their own scales ({@link SourceNetwork#blockScales}): version 3 on. */
    public boolean blockScales() { return version >= 3; }

    /** Whether large-scale constant units take their own scales ({@link SourceNetwork#largeScales}): version 4 on. */
    public boolean largeScales() { return version >= 4; }

    /** Whether input channels take their own scales ({@link SourceNetwork#channelScales}): version 5 on. */
    public boolean channelScales() { return version >= 5; }

    /** The lower end of input channel c's interval. */
    public double channelLow(int c) { return inputBoxes == null ? inputLow : inputBoxes[c][0]; }

    /** The upper end of input channel c's interval. */
    public double channelHigh(int c) { return inputBoxes == null ? inputHigh : inputBoxes[c][1]; }
  }

  /**
   * Checks per-channel input intervals against the union box [low, high] they claim: every channel's {lo, hi} finite
   * with lo &lt; hi, the smallest lo equal to low and the largest hi to high (so every interval lies in [low, high]).
   * Null (no per-channel intervals) passes.
   *
   * @throws IllegalArgumentException naming the channel and what was expected
   */
  public static void checkInputBoxes(double low, double high, double[][] boxes) {
    if (boxes == null) return;
    if (boxes.length == 0) throw new IllegalArgumentException("per-channel input box has no channels");
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < boxes.length; c++) {
      double[] b = boxes[c];
      if (b == null || b.length != 2) {
        throw new IllegalArgumentException("input box of channel " + c + " must be a pair {lo, hi}");
      }
      if (!(b[0] < b[1] && Double.isFinite(b[0]) && Double.isFinite(b[1]))) {
        throw new IllegalArgumentException("input box of channel " + c + " must be finite with lo < hi, got ["
            + b[0] + ", " + b[1] + "]");
      }
      min = Math.min(min, b[0]);
      max = Math.max(max, b[1]);
    }
    if (min != low || max != high) {
      throw new IllegalArgumentException("the per-channel input boxes span [" + min + ", " + max + "], not the"
          + " header's union box [" + low + ", " + high + "]");
    }
  }

  /** A source layer or structure. */
  public sealed interface Node permits Univariate, Conv, Pool, Residual {
    <R> R accept(Visitor<R> v);
  }

  /**
   * One method per node kind: the builder, the checker, the evaluator and the exporter walk the source network
   * through this, so a new kind of node is a compile error in each of them, not a silently skipped node.
   *
   * @param <R> what a visit returns
   */
  public interface Visitor<R> {
    R univariate(Univariate u);

    R conv(Conv c);

    R pool(Pool p);

    R residual(Residual r);
  }

  /**
   * A univariate 1x1 layer: copy unit (i, m) = phi(w1 x_i); constant unit m = phi(beta_m).
   *
   * @param id layer id (stream 4 id for weights, 4 id + 1 for biases)
   * @param in layout read (INPUT or PLAIN)
   * @param out layout written (UNIVARIATE)
   * @param channelScale per input channel c, the power of two s_c that multiplies the weights of its copies
   *     ({@link #channelScales}), or null (all 1)
   */
  public record Univariate(int id, Layout in, Layout out, double w1Lo, double w1Hi, double betaLo, double betaHi,
      double[] channelScale) implements Node {
    public Univariate {
      checkSlots(id, "univariate layer", (long) out.units() * in.units());
    }

    /** The scale of the weights of unit {@code o}'s row: s_c of the channel it copies (1 without scales). */
    public double rowScale(int o) {
      return channelScale == null || out.isConstant(o) ? 1 : channelScale[out.channel(o)];
    }

    /** The univariate weight of copy unit {@code o} (which reads input channel {@code out.channel(o)}). */
    public double w1(long seed, int o) {
      return WeightField.uniform(seed, 4L * id, (long) o * in.units() + out.channel(o), w1Lo, w1Hi) * rowScale(o);
    }

    /** The bias of unit o. */
    public double beta(long seed, int o) { return WeightField.uniform(seed, 4L * id + 1, o, betaLo, betaHi); }

    @Override public <R> R accept(Visitor<R> v) { return v.univariate(this); }
  }

  /**
   * A source convolution with the target layer's geometry, from all units of {@code in} to all units of
   * {@code out}, no bias.
   *
   * @param id layer id (stream 4 id)
   * @param target the target layer it represents
   * @param sigma weights from non-constant units are U(-sigma, sigma) times {@code scale[j]} ({@link #rowScales}),
   *     from the first {@code largeConstants} constant units U(-sigma, sigma) times {@code largeScale[j]}
   *     ({@link #largeScales}), from the other constant units U(-1, 1) times {@code biasScale[j]}
   *     ({@link #biasScales}), j the output unit's target channel
   * @param blockScale in the first layer, the scales of the weights from the copies of input channel i into channel
   *     j at {@code j * in + i} ({@link #blockScales}), in place of {@code scale[j]}; null in the other layers
   * @param largeScale the scales of the weights from the large-scale constant units; null without them
   * @param channelScale reading the first univariate layer, per input channel i the s_i of its copies
   *     ({@link #channelScales}); the layer's scales are then those of the kernel K[j, i, t] / s_i that the copies'
   *     values x_i s_i meet ({@link #throughChannels}); null (all 1) in the other layers
   */
  public record Conv(int id, TargetPlan.Affine target, Layout in, Layout out, double sigma, int largeConstants,
      double[] scale, double[] biasScale, double[] blockScale, double[] largeScale, double[] channelScale)
      implements Node {
    public Conv {
      checkSlots(id, target.name(), (long) out.units() * in.units() * target.kh() * target.kw());
    }

    Conv(int id, TargetPlan.Affine target, Layout in, Layout out, double sigma, int largeConstants, boolean first,
        double phi0, double[] channelScale) {
      this(id, target, in, out, sigma, largeConstants, throughChannels(target, channelScale), first, phi0,
          channelScale);
    }

    private Conv(int id, TargetPlan.Affine target, Layout in, Layout out, double sigma, int largeConstants,
        TargetPlan.Affine seen, boolean first, double phi0, double[] channelScale) {
      this(id, target, in, out, sigma, largeConstants, rowScales(seen), biasScales(seen, largeConstants > 0),
          first ? blockScales(seen) : null, largeConstants > 0 ? largeScales(seen, phi0) : null, channelScale);
    }

    /**
     * The tolerance of the instance of weight (j, i, .) at the per-parameter tolerance eps: eps times the block's
     * scale over the row's ({@link #blockScales}; exact, both are powers of two), times s_i with channel scales, so
     * that every instance asks the same precision relative to its source weights, and the error it leaves, times
     * inputs of the inverse scale, is that of the row's.
     */
    public double tolerance(double eps, int j, int i) {
      if (blockScale == null) return eps;
      double t = eps * (blockScale[j * target.in() + i] / scale[j]);
      return channelScale == null ? t : t * channelScale[i];
    }

    /** Flat index of weight (o, u, a, c) (below {@link #MAX_SLOTS}). */
    public int index(int o, int u, int a, int c) {
      return (int) ((((long) o * in.units() + u) * target.kh() + a) * target.kw() + c);
    }

    /** The source weight at a flat index. */
    public double weightAt(long seed, long index) { return weightIn(weightKey(seed), index); }

    /** {@link #weightAt(long, long)} for {@code key == weightKey(seed)}. */
    public double weightIn(long key, long index) {
      long row = index / ((long) target.kh() * target.kw());
      return weightIn(key, index, halfWidth((int) (row / in.units()), (int) (row % in.units())));
    }

    /** Half-width s of the weights from input unit u into output unit o: they are U(-s, s). */
    public double halfWidth(int o, int u) {
      int j = out.channel(o);
      boolean large = !in.isConstant(u) || u - in.n() * in.rho() < largeConstants;
      if (j < 0) return large ? sigma : 1;
      if (!large) return biasScale[j];
      if (in.isConstant(u)) return sigma * largeScale[j];
      return sigma * (blockScale != null ? blockScale[j * target.in() + in.channel(u)] : scale[j]);
    }

    /** The key of this layer's weights under a seed (its stream 4 id), for {@link #weightIn}. */
    public long weightKey(long seed) { return WeightField.streamKey(seed, 4L * id); }

    /** {@link #weightIn(long, long)} at a flat index (o, u, a, c) when {@code halfWidth == halfWidth(o, u)}. */
    public static double weightIn(long key, long index, double halfWidth) {
      return WeightField.uniformIn(key, index, -halfWidth, halfWidth);
    }

    /** Total number of weight slots (the mask's index range): the dense parameter count of the layer. */
    public long size() { return (long) out.units() * in.units() * target.kh() * target.kw(); }

    @Override public <R> R accept(Visitor<R> v) { return v.conv(this); }
  }

  /** Pooling, applied channelwise to every unit. */
  public record Pool(TargetPlan.Pool target) implements Node {
    @Override public <R> R accept(Visitor<R> v) { return v.pool(this); }
  }

  /** A residual block of the source: same skip topology as the target's. */
  public record Residual(TargetPlan.Residual target, Conv conv1, Conv conv2, Conv projection) implements Node {
    @Override public <R> R accept(Visitor<R> v) { return v.residual(this); }
  }

  /**
   * The smallest power of two at least x, for x &gt; 0 (1 for x = 0), within [2^-60, 2^60]: the scale of a weight
   * range (a power of two, so that scaled samples stay exact).
   */
  public static double powerOfTwoAtLeast(double x) {
    if (!(x > 0)) return 1;
    if (!(x < 0x1p60)) return 0x1p60;
    if (x <= 0x1p-60) return 0x1p-60;
    double p = Math.scalb(1.0, Math.getExponent(x));
    return p < x ? 2 * p : p;
  }

  /** Per output channel j of an affine step: the smallest power of two at least max |K[j]| (1 for a zero row). */
  public static double[] rowScales(TargetPlan.Affine a) {
    double[] s = new double[a.out()];
    int per = a.in() * a.kh() * a.kw();
    for (int j = 0; j < a.out(); j++) {
      double m = 0;
      for (int t = j * per; t < (j + 1) * per; t++) m = Math.max(m, Math.abs(a.kernel()[t]));
      s[j] = powerOfTwoAtLeast(m);
    }
    return s;
  }

  /**
   * Per output channel j of an affine step reading a univariate layer: the scale of the weights from its large-scale
   * constant units, which cancel the offset phi(0) sum w of the kept weights at each tap (coarsely: the unit-scale
   * constant units then refine). The kept weights at a tap sum to about sigma sum_i |K[j, i, t]| (each subset's
   * weights times their copies' slopes, of about lambda mu, give K[j, i, t]), so the constants must reach
   * |phi(0)| sigma F_j, F_j = max_t sum_i |K[j, i, t]|; their values phi(beta), beta in [0, 2], are not all large
   * (log-sigmoid's are 0.13 to 0.69 in magnitude) and a subset's sum varies, hence the margin: the smallest power
   * of two at least 8 |phi(0)| F_j, and not below the row's scale ({@link #rowScales}). phi0 = 0 gives the row's
   * scale (the definition before version 4, which a wide first layer, such as an MLP's on 784 inputs, outgrew).
   */
  public static double[] largeScales(TargetPlan.Affine a, double phi0) {
    double[] row = rowScales(a);
    int taps = a.kh() * a.kw();
    double[] s = new double[a.out()];
    for (int j = 0; j < a.out(); j++) {
      double f = 0;
      for (int t = 0; t < taps; t++) {
        double sum = 0;
        for (int i = 0; i < a.in(); i++) sum += Math.abs(a.kernel()[(j * a.in() + i) * taps + t]);
        f = Math.max(f, sum);
      }
      double need = 8 * Math.abs(phi0) * f;
      s[j] = need > 0 ? Math.max(row[j], powerOfTwoAtLeast(need)) : row[j];
    }
    return s;
  }

  /**
   * Per input channel c of the first univariate layer (its interval {lo_c, hi_c}, after the target's input map), the
   * power of two s_c that scales the weights of its copies ({@link Univariate#channelScale}) and divides the next
   * layer's weights from them: with B_c = max(|lo_c|, |hi_c|), the largest power of two at most 1 / B_c (within
   * [2^-60, 2^60]), so that every channel's copies see w1 x with |x| s_c in (1/2, 1], as copies of inputs in [-1, 1]
   * do: one lambda fits inputs of unequal scales, the layer reading the copies meets the kernel K[j, i, t] / s_i of
   * inputs scaled to [-1, 1] ({@link #throughChannels}), and its instances' tolerances are those of that kernel
   * ({@link Conv#tolerance}). One interval on every channel gives every channel its scale.
   */
  public static double[] channelScales(double[][] intervals) {
    double[] s = new double[intervals.length];
    for (int c = 0; c < s.length; c++) {
      s[c] = 1 / powerOfTwoAtLeast(Math.max(Math.abs(intervals[c][0]), Math.abs(intervals[c][1])));
    }
    return s;
  }

  /**
   * The affine step as the copies of input channels of scales s_i see it: K[j, i, t] / s_i (exact: powers of two), the
   * bias unchanged; the step itself for null scales.
   */
  public static TargetPlan.Affine throughChannels(TargetPlan.Affine a, double[] s) {
    if (s == null) return a;
    double[] k = a.kernel().clone();
    int taps = a.kh() * a.kw();
    for (int t = 0; t < k.length; t++) k[t] /= s[t / taps % a.in()];
    return new TargetPlan.Affine(a.name(), a.out(), a.in(), a.kh(), a.kw(), a.stride(), a.ph(), a.pw(), k, a.bias(),
        a.phiAfter(), a.inShape(), a.outShape());
  }

  /**
   * The largest |x| the first univariate layer's copies scale by lambda: max |x| s_c over the channels' intervals
   * ({@link #channelScales}).
   */
  public static double scaledBound(double[][] intervals) {
    double[] s = channelScales(intervals);
    double b = 0;
    for (int c = 0; c < s.length; c++) {
      b = Math.max(b, Math.max(Math.abs(intervals[c][0]), Math.abs(intervals[c][1])) * s[c]);
    }
    return b;
  }

  /** {@link #scaledBound(double[][])} of the parameters' source network (the box's largest |x| before version 5). */
  public static double scaledBound(Params p) {
    return p.channelScales() ? scaledBound(intervals(p, p.inputBoxes() == null ? 1 : p.inputBoxes().length))
        : Math.max(Math.abs(p.inputLow()), Math.abs(p.inputHigh()));
  }

  /** The intervals of the parameters' first {@code channels} input channels, {lo, hi} each. */
  private static double[][] intervals(Params p, int channels) {
    double[][] b = new double[channels][];
    for (int c = 0; c < channels; c++) b[c] = new double[] {p.channelLow(c), p.channelHigh(c)};
    return b;
  }

  /** How many times smaller than its row's scale a block's scale must be to be its own ({@link #blockScales}). */
  public static final double BLOCK_GAP = 16;

  /**
   * Per (output channel j, input channel i) of an affine step, at {@code j * in + i}: the smallest power of two at
   * least max_t |K[j, i, t]| when that is at most the row's scale ({@link #rowScales}) over {@link #BLOCK_GAP}, else
   * the row's (a zero block: the row's).
   */
  public static double[] blockScales(TargetPlan.Affine a) {
    double[] row = rowScales(a);
    int taps = a.kh() * a.kw();
    double[] s = new double[a.out() * a.in()];
    for (int j = 0; j < a.out(); j++) {
      for (int i = 0; i < a.in(); i++) {
        double m = 0;
        for (int t = 0; t < taps; t++) m = Math.max(m, Math.abs(a.kernel()[(j * a.in() + i) * taps + t]));
        double p = powerOfTwoAtLeast(m);
        s[j * a.in() + i] = m > 0 && p * BLOCK_GAP <= row[j] ? p : row[j];
      }
    }
    return s;
  }

  /**
   * Per output channel j of an affine step: the smallest power of two at least 2 |b_j| (constant units carry values
   * of at least 1/2 in magnitude), at least 1 when large-scale constant units exist (the unit-scale ones then also
   * correct the coarse stage's remainder).
   */
  public static double[] biasScales(TargetPlan.Affine a, boolean largeConstants) {
    double[] s = new double[a.out()];
    for (int j = 0; j < a.out(); j++) {
      double p = powerOfTwoAtLeast(2 * Math.abs(a.bias()[j]));
      s[j] = largeConstants ? Math.max(1, p) : p;
    }
    return s;
  }

  /** Whether phi needs a sign split on inputs of both signs (m+ != m-). */
  public static boolean needsSignSplit(Activation phi) { return phi.slopeMinus() != phi.slopePlus(); }

  /**
   * Whether the copies of an input channel with target values in [lo, hi] form two instances (w1 > 0 and
   * w1 &lt; 0): when phi needs a sign split and the channel takes both signs.
   */
  public static boolean splitChannel(Activation phi, double lo, double hi) {
    return needsSignSplit(phi) && lo < 0 && hi > 0;
  }

  /**
   * The slope that multiplies w w1 for a copy with univariate weight w1 of a channel with values in [lo, hi]
   * that is not split: m+ or m- according to the sign of w1 x, which is that of w1 on a channel with lo &gt;= 0 and
   * the opposite otherwise (a channel of both signs that is not split has m+ = m-); m+ + m- for split channels.
   */
  public static double slopeFor(Activation phi, double w1, double lo, double hi) {
    if (splitChannel(phi, lo, hi)) return phi.slopePlus() + phi.slopeMinus();
    return (w1 > 0) == (lo >= 0) ? phi.slopePlus() : phi.slopeMinus();
  }

  /**
   * The width of a univariate layer that feeds a layer in the 2l construction (and the default first-layer width):
   * 2 rho when a sign split is needed, else rho (at most {@link #MAX_RHO}).
   */
  public static int defaultRho1(Activation phi, int rho) {
    return Math.min(MAX_RHO, needsSignSplit(phi) ? 2 * rho : rho);
  }

  /**
   * Constant units of a univariate layer with rho copies: {@link #largeConstants} read with large weights (they cancel
   * the offsets phi(0) sum w, which are of order sigma), then rho read with unit-scale weights (they refine to eps).
   */
  public static int constants(Activation phi, int rho) { return largeConstants(phi, rho) + rho; }

  /**
   * How many of a univariate layer's constant units are read with the large scale sigma: min(2 rho, 40) when
   * phi(0) != 0 (at most 40, so that their instance stays within the exact solver's range), else 0.
   */
  public static int largeConstants(Activation phi, int rho) { return phi.phi0() != 0 ? Math.min(2 * rho, 40) : 0; }

  /** All conv layers (with weights) in order, residual members included. */
  public List<Conv> convs() {
    List<Conv> all = new ArrayList<>();
    for (Node n : nodes) {
      if (n instanceof Conv c) all.add(c);
      if (n instanceof Residual r) {
        all.add(r.conv1());
        all.add(r.conv2());
        if (r.projection() != null) all.add(r.projection());
      }
    }
    return all;
  }

  /** Number of layers with weights (univariate and conv), i.e. the mask count. */
  public int layerCount() {
    int n = 0;
    for (Node node : nodes) if (node instanceof Univariate) n++;
    return n + convs().size();
  }

  /**
   * Derives the source network of a target plan.
   *
   * @throws IllegalArgumentException when the plan is not supported by the chosen construction (naming why)
   */
  public static SourceNetwork of(TargetPlan plan, Params p) {
    Activation phi = plan.phi();
    List<String> names = new ArrayList<>(); // of the affine steps, null for the others
    for (TargetPlan.Step s : plan.steps()) names.add(s instanceof TargetPlan.Affine a ? a.name() : null);
    int uptoIdx = p.upto() == null ? names.size() - 1 : names.lastIndexOf(p.upto());
    if (uptoIdx < 0 && p.upto() != null) {
      throw new BadParameter("upto", "upto " + p.upto() + " names no conv or linear layer of the target"
          + " (layers outside residual blocks: " + names.stream().filter(n -> n != null).toList() + ")");
    }
    double mu = needsSignSplit(phi) ? phi.slopePlus() + phi.slopeMinus() : phi.slopePlus();
    double sigma = 1.0 / (p.lambda() * mu);
    boolean nonNegativeImage = phi.image(-1e300, 1e300)[0] >= 0;
    List<Node> nodes = new ArrayList<>();
    int[] in = plan.inputShape();
    if (p.inputBoxes() != null && p.inputBoxes().length != in[0]) {
      throw new IllegalArgumentException("the input box has intervals for " + p.inputBoxes().length + " channels, the"
          + " target has " + in[0] + " input channels");
    }
    if (plan.input() != null) p = mapped(p, plan.input());
    Layout cur = Layout.input(in[0]);
    boolean curAfterPhi = false;
    double[] channels = null; // the scales of the last univariate layer's input channels
    int id = 0;
    for (int k = 0; k <= uptoIdx; k++) {
      TargetPlan.Step s = plan.steps().get(k);
      boolean last = k == uptoIdx;
      if (s instanceof TargetPlan.Affine a) {
        // the univariate layer: before the first layer (l+1), before every layer (2l)
        if (k == 0 || p.construction() == Construction.TWO_L) {
          boolean positive = (k == 0 ? p.inputLow() >= 0 : curAfterPhi && nonNegativeImage) && needsSignSplit(phi);
          int copies = k == 0 ? p.rho1() : (positive ? p.rho() : defaultRho1(phi, p.rho()));
          Layout out = Layout.univariate(cur.n(), copies, constants(phi, copies));
          channels = k == 0 && p.channelScales() ? channelScales(intervals(p, cur.n())) : null;
          nodes.add(new Univariate(id++, cur, out, positive ? 0 : -2 * p.lambda(), 2 * p.lambda(), 0, 2, channels));
          cur = out;
        }
        boolean readsUni = cur.kind() == Layout.Kind.UNIVARIATE;
        Layout out = last || p.construction() == Construction.TWO_L ? Layout.plain(a.out())
            : Layout.copies(a.out(), p.rho());
        nodes.add(new Conv(id++, a, cur, out, readsUni ? sigma : 1, readsUni ? largeConstants(phi, cur.rho()) : 0,
            k == 0 && p.blockScales(), p.largeScales() ? phi.phi0() : 0, readsUni ? channels : null));
        cur = out;
        curAfterPhi = a.phiAfter();
      } else if (s instanceof TargetPlan.Pool pool) {
        if (cur.kind() == Layout.Kind.UNIVARIATE || cur.kind() == Layout.Kind.INPUT) {
          throw new IllegalArgumentException("pooling before the first conv or linear layer is not supported");
        }
        nodes.add(new Pool(pool));
      } else if (s instanceof TargetPlan.Residual r) {
        if (p.construction() != Construction.L_PLUS_1) {
          throw new BadParameter("construction", "construction 2l covers sequential networks only (residual "
              + "block " + r.name() + "); use l+1");
        }
        if (cur.kind() != Layout.Kind.COPIES) {
          throw new IllegalArgumentException("residual block " + r.name() + " must follow a constructed conv layer"
              + " (its input needs copies and constant channels)");
        }
        if (last) {
          throw new IllegalArgumentException("the target must end with a conv or linear layer after its last block");
        }
        Conv c1 = new Conv(id++, r.conv1(), cur, Layout.copies(r.conv1().out(), p.rho()), 1, 0, false, 0, null);
        Layout blockOut = Layout.copies(r.conv2().out(), p.rho());
        Conv proj = r.projection() == null ? null
            : new Conv(id++, r.projection(), cur, blockOut, 1, 0, false, 0, null);
        Conv c2 = new Conv(id++, r.conv2(), c1.out(), blockOut, 1, 0, false, 0, null);
        nodes.add(new Residual(r, c1, c2, proj));
        cur = blockOut;
        curAfterPhi = true;
      }
    }
    List<TargetPlan.Step> tail = List.copyOf(plan.steps().subList(uptoIdx + 1, plan.steps().size()));
    return new SourceNetwork(plan, p, List.copyOf(nodes), tail);
  }

  /**
   * The parameters of a source network that reads the target's mapped input: the box's image under the map, an
   * interval per channel ({@link TargetPlan.InputMap#image}).
   */
  private static Params mapped(Params p, TargetPlan.InputMap m) {
    double[][] boxes = m.image(p.inputLow(), p.inputHigh(), p.inputBoxes());
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double[] b : boxes) {
      lo = Math.min(lo, b[0]);
      hi = Math.max(hi, b[1]);
    }
    return new Params(p.construction(), p.rho(), p.rho1(), p.lambda(), p.seed(), p.upto(), lo, hi, boxes,
        p.version());
  }
}
