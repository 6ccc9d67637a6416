package dev.ticketproof.measure;

import dev.ticketproof.construct.TicketExport;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.TicketCertificate;
import java.util.ArrayList;
import java.util.List;

/**
 * The parameter counts of a ticket, reported beside the kernel's verdict and never part of it: per source layer with
 * weights, in the kernel's layer order, the target parameters it represents, the dense source layer's parameters and
 * the ticket's (kept weights and biases of magnitude above their instance's tolerance); in total, the same with the
 * target layers kept after {@code upto} counted in all three, and every kept index.
 *
 * @param layers per source layer with weights (the order of {@code TicketChecker.Report#layers})
 * @param targetParams target weights and biases with |value| above their instance's tolerance (eps, or its share in a
 *     first-layer block of its own scale: {@link SourceNetwork.Conv#tolerance})
 * @param sourceParams dense parameters of the source network (plus the kept target layers)
 * @param ticketParams kept weights and biases with |value| above that tolerance (plus the kept target layers')
 * @param keptParams every kept index of the mask
 * @param depth layers with weights, a residual block counting as the two convs of its branch (kept target layers
 *     included)
 */
public record Sizes(List<Layer> layers, long targetParams, long sourceParams, long ticketParams, long keptParams,
    int depth) {
  /**
   * The counts of one source layer.
   *
   * @param targetParams target weights and biases with |value| above their tolerance it represents (0 for a
   *     univariate layer)
   * @param sourceParams its dense parameter count
   * @param ticketParams its kept weights and biases with |value| above their tolerance
   */
  public record Layer(long targetParams, long sourceParams, long ticketParams) {}

  /** No counts (a certificate whose mask does not fit its source network). */
  public static final Sizes NONE = new Sizes(List.of(), 0, 0, 0, 0, 0);

  /** The counts of a certificate's mask on its source network; {@link #NONE} when the mask does not fit it. */
  public static Sizes of(SourceNetwork src, TicketCertificate cert) {
    if (cert.keptWeights().length != src.layerCount() || cert.keptBiases().length != src.layerCount()) return NONE;
    long seed = src.params().seed();
    double eps = cert.header().eps();
    List<Layer> layers = new ArrayList<>();
    int depth = depth(src);
    for (SourceNetwork.Node n : src.nodes()) {
      if (n instanceof SourceNetwork.Univariate u) {
        long ticket = 0;
        for (long idx : cert.keptWeights()[u.id()]) {
          long o = idx / u.in().units();
          if (idx >= 0 && o < u.out().units() && Math.abs(u.w1(seed, (int) o)) > eps) ticket++;
        }
        for (int o : cert.keptBiases()[u.id()]) {
          if (o >= 0 && o < u.out().units() && Math.abs(u.beta(seed, o)) > eps) ticket++;
        }
        layers.add(new Layer(0, TicketExport.sourceParams(u), ticket));
      }
      List<SourceNetwork.Conv> convs = n instanceof SourceNetwork.Conv c ? List.of(c)
          : n instanceof SourceNetwork.Residual r ? residualConvs(r) : List.of();
      for (SourceNetwork.Conv c : convs) {
        // every kept weight regenerated, in parallel: wide tickets keep 1e8 of them
        long key = c.weightKey(seed);
        long ticket = java.util.Arrays.stream(cert.keptWeights()[c.id()]).parallel()
            .filter(idx -> idx >= 0 && idx < c.size() && Math.abs(c.weightIn(key, idx)) > threshold(c, eps, idx))
            .count();
        layers.add(new Layer(count(c.target(), eps, c.blockScale() != null, c.channelScale()), c.size(), ticket));
      }
    }
    long tail = 0;
    for (TargetPlan.Step s : src.tail()) {
      depth += s instanceof TargetPlan.Residual ? 2 : s instanceof TargetPlan.Pool ? 0 : 1;
      if (s instanceof TargetPlan.Affine a) tail += count(a, eps);
      if (s instanceof TargetPlan.Residual r) {
        tail += count(r.conv1(), eps) + count(r.conv2(), eps);
        if (r.projection() != null) tail += count(r.projection(), eps);
      }
    }
    long kept = 0;
    for (int[] w : cert.keptWeights()) kept += w.length;
    for (int[] b : cert.keptBiases()) kept += b.length;
    long target = tail;
    long source = tail;
    long ticket = tail;
    for (Layer l : layers) {
      target += l.targetParams();
      source += l.sourceParams();
      ticket += l.ticketParams();
    }
    return new Sizes(List.copyOf(layers), target, source, ticket, kept, depth);
  }

  /** Depth of a source network (without its kept tail): layers with weights, a residual block counting as two. */
  public static int depth(SourceNetwork src) {
    int d = 0;
    for (SourceNetwork.Node n : src.nodes()) {
      d += n instanceof SourceNetwork.Residual ? 2 : n instanceof SourceNetwork.Pool ? 0 : 1;
    }
    return d;
  }

  /** A residual block's convolutions in the kernel's order: conv1, conv2, then the projection. */
  private static List<SourceNetwork.Conv> residualConvs(SourceNetwork.Residual r) {
    return r.projection() == null ? List.of(r.conv1(), r.conv2()) : List.of(r.conv1(), r.conv2(), r.projection());
  }

  /** Weights and biases of an affine step with |value| &gt; threshold. */
  public static long count(TargetPlan.Affine a, double threshold) { return count(a, threshold, false, null); }

  /** Weights and biases of an affine step with |value| above their instance's tolerance ({@link #tolerances}). */
  static long count(TargetPlan.Affine a, double eps, boolean first, double[] channels) {
    double[] th = tolerances(a, eps, first, channels);
    long n = 0;
    for (int t = 0; t < th.length; t++) if (Math.abs(a.kernel()[t]) > th[t]) n++;
    for (double b : a.bias()) if (Math.abs(b) > eps) n++;
    return n;
  }

  /**
   * The tolerance of every kernel entry's instance at eps, as {@link SourceNetwork.Conv#tolerance}: in the first layer
   * entry (j, i, t) eps times block (j, i)'s scale over row j's, times s_i, the scales those of the kernel seen through
   * the input channels' scales s_i ({@link SourceNetwork#throughChannels}; {@code channels} null: all 1); eps for
   * every entry of the other layers.
   */
  static double[] tolerances(TargetPlan.Affine a, double eps, boolean first, double[] channels) {
    double[] th = new double[a.kernel().length];
    TargetPlan.Affine seen = SourceNetwork.throughChannels(a, channels);
    double[] blocks = first ? SourceNetwork.blockScales(seen) : null;
    double[] rows = first ? SourceNetwork.rowScales(seen) : null;
    int taps = a.kh() * a.kw();
    for (int t = 0; t < th.length; t++) {
      int i = t / taps % a.in();
      th[t] = !first ? eps : eps * (blocks[t / taps] / rows[t / taps / a.in()]) * (channels == null ? 1 : channels[i]);
    }
    return th;
  }

  /** The tolerance of the instance that source weight idx of c serves ({@link SourceNetwork.Conv#tolerance}). */
  private static double threshold(SourceNetwork.Conv c, double eps, long idx) {
    if (c.blockScale() == null) return eps;
    long row = idx / ((long) c.target().kh() * c.target().kw());
    int j = c.out().channel((int) (row / c.in().units()));
    int u = (int) (row % c.in().units());
    return j < 0 || c.in().isConstant(u) ? eps : c.tolerance(eps, j, c.in().channel(u));
  }

  /** The affine steps of a plan (convs, a block's conv1, conv2 and projection) in order. */
  public static List<TargetPlan.Affine> affines(TargetPlan plan) {
    List<TargetPlan.Affine> all = new ArrayList<>();
    for (TargetPlan.Step s : plan.steps()) {
      if (s instanceof TargetPlan.Affine a) all.add(a);
      if (s instanceof TargetPlan.Residual r) {
        all.add(r.conv1());
        all.add(r.conv2());
        if (r.projection() != null) all.add(r.projection());
      }
    }
    return all;
  }

  /** Weights and biases of all affine steps of a plan with |value| &gt; threshold (the reference code's count). */
  public static long targetParams(TargetPlan plan, double threshold) {
    long n = 0;
    for (TargetPlan.Affine a : affines(plan)) {
      n += count(a, threshold, a == plan.steps().get(0), null);
    }
    return n;
  }
}
