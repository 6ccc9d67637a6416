package dev.ticketproof.kernel.bound;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.kernel.Layout;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.TicketCertificate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The differential bound ([differential-bound]): an upper bound on sup |f_T(x) - f_ticket(x)| over a
 * {@link Region}, computed by propagating, layer by layer and neuron by neuron, affine forms in the input
 * ({@link FormMap}) for the target's values and for the difference ticket minus target of every ticket unit.
 *
 * <ul>
 *   <li>Target: z = K x + b exactly on forms; through phi a parallelogram relaxation
 *       phi(z) = alpha z + [g-, g+] ({@link PhiBounds#relax}) over the neuron's range.</li>
 *   <li>A layer reading copies: output unit o (target channel j) at position p has pre-activation difference
 *       \( \Delta z_o = \sum_{i,t} d_{o,i,t}\, x_i(p+t) + \sum_{(u,t) \in S} w\, \delta_u(p+t) + \sum_t \beta_t \),
 *       d = (sum of the kept weights of instance (i, t)) - K[j,i,t], beta_t the bias instance of tap t; taps
 *       that read padding contribute nothing (ticket and target both read 0 there).</li>
 *   <li>A layer reading a univariate layer: instance (i, t) contributes
 *       \( g(x) = \sum_S w \phi(w_1 x) - K x - \phi_0 \sum_S w \), i.e. (P - K) x for x &gt;= 0 and
 *       (N - K) x for x &lt; 0 plus phi's remainder, relaxed per position over the range of x; in 2L layers plus
 *       \( \sum_S |w w_1| L_\phi |\delta_i| \); for twice differentiable phi also g itself over a grid
 *       ({@link Pass#gridRelax}), whichever is narrower.</li>
 *   <li>Through phi: \( \phi(z + \Delta z) - \phi(z) = s \Delta z \) with s in the range of phi' over the hull
 *       of both pre-activations ({@link PhiBounds#slopes}); so \( \delta = s_0 \Delta z \pm
 *       \frac{s_+ - s_-}{2} |\Delta z| \); for ReLU also \( \delta \in [0, (h + \Delta h)^+] \) when the
 *       target is inactive (h &lt;= 0), whichever is smaller (for ReLU and LeakyReLU: the exact range of the difference).
 *       For twice differentiable phi, the copies of one channel read by one tap share the slope phi'(z) of their
 *       target: their pre-activation differences are summed first ({@link Pass#sharedSlope}).</li>
 *   <li>Residual blocks add the branch's and the skip's forms before phi; pooling averages forms; the target layers
 *       kept after the constructed prefix propagate the difference with their own weights.</li>
 * </ul>
 * Forms carry coefficients while a map fits the header's form budget (doubles), intervals after that. Rounding is outward
 * ({@link Rounding}). The bound is the max over the region's boxes and output neurons of |c| + spread.
 *
 * <p>The certificate's structure must already have been checked ({@code TicketChecker}); this class trusts the mask
 * to have the layout the checker verified.
 */
public final class DifferentialBound {
  private DifferentialBound() {}


  /** Units per block of {@link Pass#sharedSlopes}. */
  static final int SHARED_BLOCK = 32;

  /** Hand mutations for the mutation-kill properties (never set outside tests). */
  enum Mutation {
    NONE, DROP_INSTANCE_ERROR, HALVE_COPY_ERROR, SKIP_BLOCK, DROP_SKIP_ERROR, CONV1_TIMES_0_01, DROP_BIAS_ERROR,
    DROP_SLOPE_UNCERTAINTY, DROP_REMAINDER, DROP_SHARED_SLOPE_UNCERTAINTY, DROP_SECOND_ORDER, DROP_GRID_INTERIOR,
    TARGET_GRID_ENDS_ONLY,
    /** Agreement certified when the margin exceeds the bound once instead of twice. */
    AGREEMENT_MARGIN_ONCE,
    /** The ticket's margin taken as the target's (the differences of the output differences dropped). */
    TICKET_MARGIN_WITHOUT_DIFFERENCE,
    /**
     * The difference through a bounded phi without the difference of phi's images ({@link PhiBounds#images}):
     * not a hand mutation (it only widens the bound), what the images gain is measured against it.
     */
    DROP_IMAGE_RANGE,
    /** The back-substitution without the radii of the activations' relaxation errors. */
    DROP_BACK_RADIUS,
    /**
     * The forward pass alone, without the back-substitution: not a hand mutation (it only widens the bound), what the
     * back-substitution gains is measured against it.
     */
    FORWARD_ONLY,
    /** The back-substitution without the instance errors' terms. */
    DROP_BACK_INSTANCE,
    /**
     * The back-substitution's bound alone, infinite where it does not run: not a hand mutation (it is sound by
     * itself); tests check it apart from the forward pass's, which the smaller of the two would otherwise hide.
     */
    BACK_ONLY
  }

  /** Whether the back-substitution runs under the current mutation (not under the forward pass's hand mutations). */
  static boolean backSubstitutes() {
    return switch (mutation) {
      case NONE, AGREEMENT_MARGIN_ONCE, TICKET_MARGIN_WITHOUT_DIFFERENCE, DROP_IMAGE_RANGE, DROP_BACK_RADIUS,
          DROP_BACK_INSTANCE, BACK_ONLY -> true;
      case FORWARD_ONLY -> false;
      default -> false;
    };
  }

  static volatile Mutation mutation = Mutation.NONE;

  /**
   * The differential bound of a certificate's ticket over a region, with the form budget its header names.
   *
   * @param src the source network (from the certificate and the target)
   * @param cert the certificate (its structure already checked by the kernel)
   * @param region the inputs covered
   * @return the bound (finite, or +infinity when some range overflowed)
   */
  public static double of(SourceNetwork src, TicketCertificate cert, Region region) {
    return of(src, cert, region, cert.header().formBudget());
  }

  /** {@link #of(SourceNetwork, TicketCertificate, Region)} with maps of at most {@code budget} doubles symbolic. */
  static double of(SourceNetwork src, TicketCertificate cert, Region region, long budget) {
    return max(boxes(src, cert, region, budget));
  }

  /**
   * What the bound says about one box of a region (for a local region: one ball, clipped to the input box).
   *
   * @param bound the differential bound over the box: an upper bound on max_o |ticket_o(x) - target_o(x)|
   *     (+infinity when some range overflowed)
   * @param cls for a network with more than one output, the output whose target form has the largest centre; for
   *     one output, 1 when the centre of its target form is positive, else 0 (a network with one output predicts
   *     class 1 where its output is positive)
   * @param margin a lower bound over the box on the target's margin z_cls(x) - max_{k != cls} z_k(x), from the
   *     differences of the target's output forms; for one output on s z(x), s = 1 for class 1 and -1 for class 0
   * @param ticketMargin a lower bound over the box on the ticket's margin t_cls(x) - max_{k != cls} t_k(x), from the
   *     differences of the target's output forms plus those of the output differences; for one output on s t(x)
   */
  public record Box(double bound, int cls, double margin, double ticketMargin) {
    /**
     * Whether the ticket provably predicts the target's class {@code cls} at every input of the box: margin &gt; 0
     * and ticketMargin &gt; 0, or margin &gt; 2 bound. In the second case z_cls(x) - z_k(x) &gt; 2 bound &gt;= 0 and
     * t_cls(x) - t_k(x) &gt;= z_cls(x) - z_k(x) - 2 bound &gt; 0 for every k != cls ([differential-bound], "Certified
     * agreement"). For one output the margins are those of s z and s t, and s t(x) &gt;= s z(x) - bound.
     */
    public boolean agrees() {
      double needed = mutation == Mutation.AGREEMENT_MARGIN_ONCE ? bound : 2 * bound;
      return cls >= 0 && (margin > needed || margin > 0 && ticketMargin > 0);
    }
  }

  /** The largest bound of the boxes (+infinity when one is not finite). */
  public static double max(List<Box> boxes) {
    double bound = 0;
    for (Box b : boxes) {
      if (!(b.bound() < Double.POSITIVE_INFINITY)) return Double.POSITIVE_INFINITY;
      bound = Math.max(bound, b.bound());
    }
    return bound;
  }

  /** The number of boxes on which the ticket provably predicts the target's class ({@link Box#agrees}). */
  public static int agreeing(List<Box> boxes) {
    int n = 0;
    for (Box b : boxes) if (b.agrees()) n++;
    return n;
  }

  /**
   * The bound and the target's margin on every box of a region ({@link Region#boxes}), in order, with the form budget
   * the certificate's header names.
   *
   * @param src the source network (from the certificate and the target)
   * @param cert the certificate (its structure already checked by the kernel)
   * @param region the inputs covered
   */
  public static List<Box> boxes(SourceNetwork src, TicketCertificate cert, Region region) {
    return boxes(src, cert, region, Progress.NONE);
  }

  /** Observes a computation of the bound: called after every node of every box's pass. */
  public interface Progress {
    /**
     * {@code done} of {@code total} steps, {@code total} the nodes of the source network times the boxes; a box's
     * second pass ({@link #boxes}) is not counted.
     */
    void step(long done, long total, int boxes);

    Progress NONE = (d, t, b) -> { };
  }

  /** {@link #boxes(SourceNetwork, TicketCertificate, Region)} reporting its progress. */
  public static List<Box> boxes(SourceNetwork src, TicketCertificate cert, Region region, Progress progress) {
    return boxes(src, cert, region, cert.header().formBudget(), progress);
  }

  static List<Box> boxes(SourceNetwork src, TicketCertificate cert, Region region, long budget) {
    return boxes(src, cert, region, budget, Progress.NONE);
  }

  private static List<Box> boxes(SourceNetwork src, TicketCertificate cert, Region region, long budget,
      Progress progress) {
    int[] in = src.plan().inputShape();
    int dim = in[0] * in[1] * in[2];
    List<Box> out = new java.util.ArrayList<>();
    boolean own = true;
    List<double[][]> all = region.boxes(dim);
    int nodes = src.nodes().size();
    long total = (long) nodes * all.size();
    progress.step(0, total, all.size());
    for (double[][] box : all) {
      long before = (long) out.size() * nodes;
      Pass pass = new Pass(src, cert, budget, own);
      pass.progress = done -> progress.step(before + done, total, all.size());
      Box b = pass.run(box[0], box[1]);
      // the boxes of a region share the maps' geometry, so a pass that gave up gives up on every box
      own &= b != null;
      if (pass.joined) {
        // the pass without the ticket's own pre-activation ranges (a pass gives up only after it used them): alone
        // where they were used on the first layers only (the pass gave up where its maps became intervals), else the
        // smaller bound of the two (each is sound, neither is smaller on every network), so that the bound is never
        // above the one without them
        Box o = new Pass(src, cert, budget, false).run(box[0], box[1]);
        b = b == null ? o : new Box(Math.min(b.bound(), o.bound()), b.cls(), b.margin(),
            Math.max(b.ticketMargin(), o.ticketMargin()));
      }
      out.add(b);
    }
    return out;
  }

  /** The state between nodes: target forms, difference forms and constant units. */
  static final class State {
    Layout layout;
    FormMap target;
    /** Difference of every non-constant unit (null: exact, for the input). */
    FormMap diff;
    double[] constVal;
    double[] constErr;
    /** Univariate layers: the univariate weight of every unit, and the input's difference map. */
    double[] w1;
    /**
     * After phi, for twice differentiable phi: the pre-activation target and differences (for the shared slope of
     * the copies of a channel, {@link Pass#sharedSlope}); null otherwise.
     */
    Shared shared;
  }

  /**
   * What {@link Pass#sharedSlope} needs of a state after phi: the pre-activation differences with their spreads,
   * per target neuron the midpoint s0 and half-width of phi' over its pre-activation range, and per difference
   * neuron the bound |Delta| min(S+ - S-, M_2 |Delta| / 2) on its second-order term; for interval maps, what
   * {@link Pass#sharedSlopeIntervals} reads of a neuron m, side by side in {@code packed[5m .. 5m + 4]}: the
   * pre-activation centre, spread and second-order term, the centre and spread after phi (null until
   * {@link #pack}).
   */
  record Shared(FormMap preDiff, double[] preSpread, double[] s0, double[] half, double[] second,
      double[] packed) {
    /** With {@code packed} filled from the differences after phi and their spreads. */
    Shared pack(FormMap post, double[] postSpread) {
      double[] p = new double[5 * post.c.length];
      for (int m = 0; m < post.c.length; m++) {
        p[5 * m] = preDiff.c[m];
        p[5 * m + 1] = preSpread[m];
        p[5 * m + 2] = second[m];
        p[5 * m + 3] = post.c[m];
        p[5 * m + 4] = postSpread[m];
      }
      return new Shared(preDiff, preSpread, s0, half, second, p);
    }
  }


  static final class Pass {
    final SourceNetwork src;
    final TicketCertificate cert;
    final Activation phi;
    final PhiBounds pb;
    final long seed;
    final double lip;

    final int h0;
    final int w0;
    final long budget;
    /** Whether the ticket's own pre-activation ranges are taken where the forms allow (sameWindows). */
    final boolean own;
    /** Whether they were: some activation read forms of the target and the difference on the same windows. */
    boolean joined;
    /** Whether a map became intervals after they were used: the pass then gives up ({@link #run} returns null). */
    boolean abandoned;
    /** The linear steps for {@link BackSubstitution} (null when it does not run or would cost too much). */
    BackSubstitution.Tape tape;
    /** The network's outputs (each one back-substitution). */
    final int outputs;
    /** The most multiply-adds of the back-substitution of one box, all outputs together (the header's). */
    final double work;
    /** Told the number of nodes done after each node. */
    java.util.function.IntConsumer progress = done -> { };

    Pass(SourceNetwork src, TicketCertificate cert, long budget) { this(src, cert, budget, true); }

    Pass(SourceNetwork src, TicketCertificate cert, long budget, boolean own) {
      this.budget = budget;
      this.own = own;
      this.h0 = src.plan().inputShape()[1];
      this.w0 = src.plan().inputShape()[2];
      this.src = src;
      this.cert = cert;
      this.phi = src.plan().phi();
      this.pb = PhiBounds.of(phi);
      this.seed = src.params().seed();
      this.lip = phi.lipschitz();
      List<TargetPlan.Step> steps = src.plan().steps();
      int n = 1;
      for (int e : steps.get(steps.size() - 1).outShape()) n *= e;
      this.outputs = n;
      this.work = cert.header().substitutionWork();
      this.tape = backSubstitutes() && keptProducts() * n <= work ? new BackSubstitution.Tape() : null;
    }

    /** The kept weights of the source convs times their output positions: the least a substitution costs. */
    double keptProducts() {
      double w = 0;
      for (SourceNetwork.Node node : src.nodes()) {
        List<SourceNetwork.Conv> convs = node instanceof SourceNetwork.Conv c ? List.of(c)
            : node instanceof SourceNetwork.Residual r ? java.util.stream.Stream.of(r.conv1(), r.conv2(), r.projection())
                .filter(java.util.Objects::nonNull).toList() : List.of();
        for (SourceNetwork.Conv c : convs) {
          int[] os = c.target().outShape();
          w += (double) cert.keptWeights()[c.id()].length * os[1] * os[2];
        }
      }
      return w;
    }

    /** Records a step of the back-substitution, dropping the tape once the substitution of every output costs too much. */
    void record(BackSubstitution.Step step, double cost) {
      BackSubstitution.Tape t = tape;
      if (t == null) return;
      t.add(step, cost);
      if (t.work * outputs > work) tape = null;
    }

    /** The bound over the box [lo, hi]; null when the pass gave up ({@link #abandoned}). */
    Box run(double[] lo, double[] hi) {
      int[] shape = src.plan().inputShape();
      State s = new State();
      s.layout = Layout.input(shape[0]);
      boolean wide = false;
      for (int k = 0; k < lo.length; k++) wide |= hi[k] > lo[k];
      s.target = FormMap.input(shape[0], shape[1], shape[2], lo, hi,
          wide && FormMap.fits(shape[0], (long) shape[1] * shape[2], shape[0], budget));
      int done = 0;
      for (SourceNetwork.Node node : src.nodes()) {
        State in = s;
        s = node.accept(new SourceNetwork.Visitor<State>() {
          @Override public State univariate(SourceNetwork.Univariate u) { return Pass.this.univariate(u, in); }

          @Override public State conv(SourceNetwork.Conv c) {
            return activate(Pass.this.conv(c, in), c.target().phiAfter());
          }

          @Override public State pool(SourceNetwork.Pool p) { return Pass.this.pool(p.target(), in); }

          @Override public State residual(SourceNetwork.Residual r) { return Pass.this.residual(r, in); }
        });
        if (abandoned) return null;
        progress.accept(++done);
      }
      for (TargetPlan.Step step : src.tail()) {
        if (abandoned) return null;
        if (step instanceof TargetPlan.Affine a) {
          s = activate(tailAffine(a, s), a.phiAfter());
        } else if (step instanceof TargetPlan.Pool p) {
          s = pool(p, s);
        } else if (step instanceof TargetPlan.Residual r) {
          State h = activate(tailAffine(r.conv1(), s), true);
          State b = tailAffine(r.conv2(), h);
          State sk = r.projection() != null ? tailAffine(r.projection(), s) : s;
          s = activate(sum(b, sk), true);
        }
      }
      if (abandoned) return null;
      double bound = 0;
      FormMap d = s.diff;
      if (d != null) {
        double[] sp = d.spreads();
        for (int n = 0; n < sp.length; n++) bound = Math.max(bound, FormMap.abs(d.c[n], sp[n]));
      }
      if (Double.isNaN(bound)) bound = Double.POSITIVE_INFINITY;
      double forward = bound;
      if (d != null && tape != null) {
        double back = BackSubstitution.bound(tape, d, shape);
        bound = mutation == Mutation.BACK_ONLY ? back : Math.min(bound, back);
      } else if (mutation == Mutation.BACK_ONLY) {
        bound = Double.POSITIVE_INFINITY;
      }
      FormMap t = s.target;
      if (t.c.length == 1) {
        // one output: class 1 where it is positive, 0 elsewhere; the margins are the lower ends of s z and s (z + d)
        double tsp = t.spread(0);
        int cls = t.c[0] > 0 ? 1 : 0;
        double sign = cls == 1 ? 1 : -1;
        double margin = FormMap.lo(sign * t.c[0], tsp);
        double ticketMargin = d == null || mutation == Mutation.TICKET_MARGIN_WITHOUT_DIFFERENCE ? margin
            : d.c.length != 1 ? Double.NaN : Math.nextDown(margin + FormMap.lo(sign * d.c[0], d.spread(0)));
        return new Box(bound, cls, margin, atLeast(ticketMargin, margin, bound, forward));
      }
      int cls = 0;
      for (int n = 1; n < t.c.length; n++) if (t.c[n] > t.c[cls]) cls = n;
      // the margins' lower ends: the smallest lower end of z_cls - z_k, the negated upper end of z_k - z_cls; for the
      // ticket t = z + d, the upper end of t_k - t_cls is at most that of z_k - z_cls plus that of d_k - d_cls
      double[] tsp = t.spreads();
      double[] dsp = d == null || d.c.length != t.c.length ? null : d.spreads();
      boolean exact = d == null || mutation == Mutation.TICKET_MARGIN_WITHOUT_DIFFERENCE;
      double margin = Double.POSITIVE_INFINITY;
      double ticketMargin = exact || dsp != null ? Double.POSITIVE_INFINITY : Double.NaN;
      for (int n = 0; n < t.c.length; n++) {
        if (n == cls) continue;
        double z = hiMinus(t, tsp, n, cls);
        margin = Math.min(margin, -z);
        if (exact) ticketMargin = Math.min(ticketMargin, -z);
        else if (dsp != null) ticketMargin = Math.min(ticketMargin, -Math.nextUp(z + hiMinus(d, dsp, n, cls)));
      }
      return new Box(bound, cls, margin, atLeast(ticketMargin, margin, bound, forward));
    }

    /**
     * The ticket's margin is at least the target's minus twice the bound ({@link Box#agrees}); where the
     * back-substitution made the bound smaller than the forward pass's, that may be more than the forms' margin.
     */
    static double atLeast(double ticketMargin, double margin, double bound, double forward) {
      return bound < forward && !Double.isNaN(ticketMargin)
          ? Math.max(ticketMargin, Math.nextDown(margin - 2 * bound)) : ticketMargin;
    }

    // ---------------------------------------------------------------------------------------------------------
    // geometry and linear combinations of forms

    /** The output map of a layer with kernel kh x kw, strides s, t, paddings p, q (rows, columns) reading in. */
    FormMap output(FormMap in, int units, int kh, int kw, int s, int t, int p, int q, int oh, int ow,
        boolean wantSymbolic) {
      int rh = in.rh + (kh - 1) * in.sy;
      int rw = in.rw + (kw - 1) * in.sx;
      boolean abs = in.absolute || rh >= h0 || rw >= w0;
      if (abs) {
        rh = h0;
        rw = w0;
      }
      boolean sym = wantSymbolic && in.coef != null
          && FormMap.fits(units, (long) oh * ow, (long) in.cin * rh * rw, budget);
      return new FormMap(units, oh, ow, in.sy * s, in.sx * t, in.py + p * in.sy, in.px + q * in.sx, rh, rw, in.cin, abs,
          sym);
    }

    /**
     * out(o, .) += lambda in(u, .) through tap (a, b) of a layer with strides s, t and paddings p, q (rows, columns),
     * at every output position whose input lies inside the map; {@code lambdaErr} bounds the error of lambda itself.
     */
    static void addTap(FormMap in, double[] inSpread, int u, FormMap out, double[] scale, int o, int a, int b,
        int s, int t, int p, int q, double lambda, double lambdaErr) {
      boolean sym = out.coef != null;
      double al = Math.abs(lambda);
      if (!sym || in.coef == null) {
        // intervals (or an interval input): centre, radius and rounding scale only, over contiguous columns
        int x0 = Math.max(0, Math.floorDiv(q - b + t - 1, t));
        int x1 = Math.min(out.w - 1, Math.floorDiv(in.w - 1 + q - b, t));
        for (int y = 0; y < out.h; y++) {
          int iy = y * s - p + a;
          if (iy < 0 || iy >= in.h) continue;
          int nb = out.at(o, y * out.w);
          int mb = in.at(u, iy * in.w) - q + b;
          for (int x = x0; x <= x1; x++) {
            int n = nb + x;
            int m = mb + x * t;
            double sp = inSpread[m];
            double inAbs = Math.abs(in.c[m]) + sp;
            addProduct(out, n, lambda, in.c[m]);
            scale[n] += al * inAbs;
            out.r[n] += al * sp + lambdaErr * inAbs;
          }
        }
        return;
      }
      for (int y = 0; y < out.h; y++) {
        int iy = y * s - p + a;
        if (iy < 0 || iy >= in.h) continue;
        int offY = in.originY(iy) - out.originY(y);
        for (int x = 0; x < out.w; x++) {
          int ix = x * t - q + b;
          if (ix < 0 || ix >= in.w) continue;
          int m = in.at(u, iy * in.w + ix);
          int n = out.at(o, y * out.w + x);
          add(in, inSpread, m, out, scale, n, offY, in.originX(ix) - out.originX(x), lambda, al, lambdaErr, sym);
        }
      }
    }

    /**
     * out[n] += lambda in[m], the input's window at offset (offY, offX) of the output's (rows and columns outside the
     * output's window are outside the image: their coefficients are 0).
     */
    static void add(FormMap in, double[] inSpread, int m, FormMap out, double[] scale, int n, int offY, int offX,
        double lambda, double al, double lambdaErr, boolean sym) {
      double inAbs = FormMap.abs(in.c[m], inSpread[m]);
      addProduct(out, n, lambda, in.c[m]);
      scale[n] += al * inAbs;
      out.r[n] += lambdaErr * inAbs;
      if (sym && in.coef != null) {
        out.r[n] += al * in.r[m];
        int ib = m * in.size();
        int ob = n * out.size();
        int y0 = Math.max(0, -offY);
        int y1 = Math.min(in.rh, out.rh - offY);
        int x0 = Math.max(0, -offX);
        int x1 = Math.min(in.rw, out.rw - offX);
        // whole rows of equal width (offX = 0) are one run per channel
        boolean rows = x1 - x0 == in.rw && in.rw == out.rw;
        for (int ch = 0; ch < in.cin; ch++) {
          for (int dy = y0; dy < y1; dy++) {
            int ir = ib + (ch * in.rh + dy) * in.rw;
            int or = ob + (ch * out.rh + dy + offY) * out.rw + offX;
            int end = rows ? (y1 - dy) * in.rw : x1;
            for (int dx = x0; dx < end; dx++) out.coef[or + dx] += lambda * in.coef[ir + dx];
            if (rows) break;
          }
        }
      } else {
        out.r[n] += al * inSpread[m];
      }
    }

    /** out.c[n] += a b; with a compensated map ({@link FormMap#low}) the product's and the sum's errors kept, exact. */
    static void addProduct(FormMap out, int n, double a, double b) {
      double p = a * b;
      if (out.low != null) out.low[n] += twoSumError(out.c[n], p) + Math.fma(a, b, -p);
      out.c[n] += p;
    }

    /** out.c[n] += x, likewise. */
    static void addCentre(FormMap out, int n, double x) {
      if (out.low != null) out.low[n] += twoSumError(out.c[n], x);
      out.c[n] += x;
    }

    /** Folds the accumulated rounding scale into the radii: {@code gamma} bounds the rounding of every neuron's sum. */
    static void finish(FormMap out, double[] scale, double gamma) {
      for (int n = 0; n < out.r.length; n++) out.r[n] = Rounding.up(out.r[n] + gamma * scale[n]);
    }

    /** The target's affine layer on forms: K x + b. */
    FormMap targetAffine(TargetPlan.Affine a, FormMap in) {
      int[] os = a.outShape();
      FormMap out = output(in, a.out(), a.kh(), a.kw(), a.stride(), a.stride(), a.ph(), a.pw(), os[1], os[2],
          true);
      double[] sp = in.spreads();
      double[] scale = new double[out.c.length];
      int taps = a.kh() * a.kw();
      int per = a.in() * taps;
      Rounding.checkTerms((long) per + 1, a.name());
      boolean sym = out.coef != null && in.coef != null;
      IntStream.range(0, a.out()).parallel().forEach(j -> {
        for (int t = 0; t < per; t++) {
          double k = a.kernel()[j * per + t];
          if (k == 0 || sym) continue;
          addTap(in, sp, t / taps, out, scale, j, t % taps / a.kw(), t % taps % a.kw(), a.stride(), a.stride(),
              a.ph(), a.pw(), k, 0);
        }
        // forms: neuron by neuron over an input channel's taps (the neuron's coefficients stay in cache), so every
        // neuron still sums its terms in the order of t
        for (int i = 0; sym && i < a.in(); i++) {
          for (int n = 0; n < out.positions(); n++) {
            int y = n / out.w;
            int x = n % out.w;
            for (int tap = 0; tap < taps; tap++) {
              double k = a.kernel()[j * per + i * taps + tap];
              int iy = y * a.stride() - a.ph() + tap / a.kw();
              int ix = x * a.stride() - a.pw() + tap % a.kw();
              if (k == 0 || iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) continue;
              add(in, sp, in.at(i, iy * in.w + ix), out, scale, out.at(j, n), in.originY(iy) - out.originY(y),
                  in.originX(ix) - out.originX(x), k, Math.abs(k), 0, true);
            }
          }
        }
        double b = a.bias()[j];
        for (int q = 0; q < out.positions(); q++) {
          int n = out.at(j, q);
          out.c[n] += b;
          scale[n] += Math.abs(b);
        }
      });
      finish(out, scale, Rounding.gamma((long) per + 1));
      return out;
    }

    /** Sum of two maps of equal units and size (residual additions); the windows are aligned. */
    FormMap sumMaps(FormMap a, FormMap b, boolean dropB) {
      if (a.units != b.units || a.h != b.h || a.w != b.w) {
        throw new IllegalArgumentException("residual sum of maps " + a.units + "x" + a.h + "x" + a.w + " and "
            + b.units + "x" + b.h + "x" + b.w);
      }
      int py = Math.max(a.py, b.py);
      int px = Math.max(a.px, b.px);
      int rh = Math.max(py - a.py + a.rh, py - b.py + b.rh);
      int rw = Math.max(px - a.px + a.rw, px - b.px + b.rw);
      boolean abs = a.absolute || b.absolute || a.sy != b.sy || a.sx != b.sx || rh >= h0 || rw >= w0;
      if (abs) {
        rh = h0;
        rw = w0;
      }
      boolean sym = a.coef != null && b.coef != null
          && FormMap.fits(a.units, a.positions(), (long) a.cin * rh * rw, budget);
      FormMap out = new FormMap(a.units, a.h, a.w, a.sy, a.sx, py, px, rh, rw, a.cin, abs, sym);
      double[] scale = new double[out.c.length];
      double[] sa = a.spreads();
      double[] sb = b.spreads();
      int hw = a.positions();
      for (int n = 0; n < out.c.length; n++) {
        int y = (n % hw) / a.w;
        int x = n % a.w;
        add(a, sa, n, out, scale, n, a.originY(y) - out.originY(y), a.originX(x) - out.originX(x), 1, 1, 0, sym);
        if (!dropB) {
          add(b, sb, n, out, scale, n, b.originY(y) - out.originY(y), b.originX(x) - out.originX(x), 1, 1, 0, sym);
        }
      }
      finish(out, scale, Rounding.gamma(2));
      return out;
    }

    // ---------------------------------------------------------------------------------------------------------
    // nodes

    State univariate(SourceNetwork.Univariate u, State in) {
      Layout out = u.out();
      State s = new State();
      s.layout = out;
      s.target = in.target;
      s.diff = in.diff;
      s.w1 = new double[out.units()];
      s.constVal = new double[out.units()];
      s.constErr = new double[out.units()];
      long inUnits = in.layout.units();
      for (long idx : cert.keptWeights()[u.id()]) {
        int o = (int) (idx / inUnits);
        s.w1[o] = u.w1(seed, o);
      }
      double[] beta = new double[out.units()];
      for (int o : cert.keptBiases()[u.id()]) beta[o] = u.beta(seed, o);
      for (int o = out.constant(0); o < out.units(); o++) {
        s.constVal[o] = pb.value(beta[o]);
        s.constErr[o] = pb.valueSlack(beta[o], s.constVal[o]);
      }
      return s;
    }

    /** Kept weights of one output unit, grouped. */
    private static final class Kept {
      int[] unit;
      int[] tap;
      double[] w;
      int n;

      /**
       * The kept weights of every (input channel, tap) group g = channel * taps + tap of {@code per} groups,
       * constant units left out.
       */
      int[][] groups(Layout layout, int taps, int per) {
        int[] count = new int[per];
        for (int q = 0; q < n; q++) {
          if (!layout.isConstant(unit[q])) count[layout.channel(unit[q]) * taps + tap[q]]++;
        }
        int[][] members = new int[per][];
        for (int g = 0; g < per; g++) members[g] = new int[count[g]];
        int[] fill = new int[per];
        for (int q = 0; q < n; q++) {
          if (layout.isConstant(unit[q])) continue;
          int g = layout.channel(unit[q]) * taps + tap[q];
          members[g][fill[g]++] = q;
        }
        return members;
      }
    }

    Kept kept(SourceNetwork.Conv c, int o, int[] kw, int from, int to) {
      TargetPlan.Affine a = c.target();
      int taps = a.kh() * a.kw();
      long inUnits = c.in().units();
      Kept k = new Kept();
      k.n = to - from;
      k.unit = new int[k.n];
      k.tap = new int[k.n];
      k.w = new double[k.n];
      long key = c.weightKey(seed);
      for (int q = from; q < to; q++) {
        long rem = kw[q] - (long) o * inUnits * taps;
        k.unit[q - from] = (int) (rem / taps);
        k.tap[q - from] = (int) (rem % taps);
        k.w[q - from] = SourceNetwork.Conv.weightIn(key, kw[q], c.halfWidth(o, k.unit[q - from]));
      }
      return k;
    }

    /**
     * A source conv: the target's pre-activation forms and the ticket's pre-activation differences (state with
     * the output layout; activation applied by {@link #activate}).
     */
    State conv(SourceNetwork.Conv c, State in) {
      TargetPlan.Affine a = c.target();
      Layout lin = in.layout;
      Layout lout = c.out();
      boolean uni = lin.kind() == Layout.Kind.UNIVARIATE;
      FormMap tIn = in.target;
      FormMap tOut = targetAffine(a, tIn);
      int[] os = a.outShape();
      int copies = lout.hasConstants() ? lout.n() * lout.rho() : lout.n();
      FormMap dOut = output(tIn, copies, a.kh(), a.kw(), a.stride(), a.stride(), a.ph(), a.pw(), os[1], os[2],
          true);
      // an interval map (at points, always) sums its centres by Dot2 (addProduct, addCentre)
      if (dOut.coef == null) dOut.low = new double[dOut.c.length];
      double[] dScale = new double[dOut.c.length];
      double[] tSp = tIn.spreads();
      double[] dSp = in.diff == null ? null : in.diff.spreads();
      Shared pre = uni || in.shared == null ? null
          : in.shared.preDiff().coef == null ? in.shared.pack(in.diff, dSp) : in.shared;
      int[] kw = cert.keptWeights()[c.id()];
      long perUnit = c.size() / lout.units();
      int[] starts = new int[lout.units() + 1];
      for (int o = 0, q = 0; o <= lout.units(); o++) {
        while (q < kw.length && kw[q] < (long) o * perUnit) q++;
        starts[o] = q;
      }
      // the terms a difference neuron sums: a unit's kept weights (or its shared slopes' groups), its instance errors
      // (two terms each for a univariate input), its bias taps
      int taps = a.kh() * a.kw();
      long most = 0;
      for (int o = 0; o < lout.units(); o++) most = Math.max(most, starts[o + 1] - starts[o]);
      long terms = most + 2L * a.in() * taps + taps;
      Rounding.checkTerms(terms, a.name());
      State s = new State();
      s.layout = lout;
      s.target = tOut;
      s.diff = dOut;
      s.constVal = new double[lout.units()];
      s.constErr = new double[lout.units()];
      double scaleConv1 = mutation == Mutation.CONV1_TIMES_0_01 && isConv1(c) ? 0.01 : 1;
      BackSubstitution.ConvStep step = uni || tape == null ? null : new BackSubstitution.ConvStep(dOut, in.diff, tIn,
          a, new int[copies][], new int[copies][], new double[copies][], new double[copies][], new double[copies][],
          new double[copies][][]);
      // with the shared slope, units in blocks that read the copies channel by channel (sharedSlopes)
      int block = pre == null ? 1 : SHARED_BLOCK;
      IntStream.range(0, (lout.units() + block - 1) / block).parallel().forEach(b -> {
        int o0 = b * block;
        Kept[] ks = new Kept[Math.min(lout.units() - o0, block)];
        for (int o = o0; o < o0 + ks.length; o++) {
          ks[o - o0] = kept(c, o, kw, starts[o], starts[o + 1]);
        }
        if (pre != null) sharedSlopes(c, in, o0, ks, dOut, dScale, dSp, pre);
        for (int o = o0; o < o0 + ks.length; o++) {
          unit(c, in, s, o, ks[o - o0], dOut, dScale, tSp, dSp, pre, scaleConv1, step);
        }
      });
      if (step != null) record(step, (double) (kw.length + (long) copies * a.in() * taps) * dOut.positions());
      if (dOut.low == null) {
        finish(dOut, dScale, Rounding.gamma(terms));
        return s;
      }
      // Dot2's bound for at most N = terms products: 2^-52 |c| + gamma_2N gamma_N+1 of their magnitudes, and
      // gamma(2N) <= 2 gamma(N), gamma(N + 1) <= 2 gamma(N)
      double g = Rounding.gamma(terms);
      for (int n = 0; n < dOut.c.length; n++) {
        dOut.c[n] += dOut.low[n];
        dOut.r[n] = Rounding.up(dOut.r[n] + 0x1p-52 * Math.abs(dOut.c[n]) + 16 * g * g * dScale[n]);
      }
      dOut.low = null;
      return s;
    }

    /** Unit o of a source conv, its shared slope (if any) already added ({@link #sharedSlopes}). */
    void unit(SourceNetwork.Conv c, State in, State s, int o, Kept k, FormMap dOut, double[] dScale, double[] tSp,
        double[] dSp, Shared pre, double scaleConv1, BackSubstitution.ConvStep step) {
      Layout lout = c.out();
      boolean uni = in.layout.kind() == Layout.Kind.UNIVARIATE;
      if (lout.isConstant(o)) {
        double v = 0;
        double sc = 0;
        double err = 0;
        for (int q = 0; q < k.n; q++) {
          v += k.w[q] * in.constVal[k.unit[q]];
          sc += Math.abs(k.w[q] * in.constVal[k.unit[q]]);
          err += Math.abs(k.w[q]) * in.constErr[k.unit[q]];
        }
        s.constVal[o] = v;
        s.constErr[o] = Rounding.up(err + Rounding.gamma(Math.max(1, k.n)) * sc);
        return;
      }
      int j = lout.channel(o);
      if (uni) {
        univariateUnit(c, in, o, j, k, dOut, dScale, tSp, dSp);
      } else {
        copiesUnit(c, in, o, j, k, dOut, dScale, tSp, dSp, pre, step);
      }
      if (scaleConv1 != 1) {
        for (int q = 0; q < dOut.positions(); q++) {
          int n = dOut.at(o, q);
          dOut.c[n] *= scaleConv1;
          if (dOut.low != null) dOut.low[n] *= scaleConv1;
          dOut.r[n] *= scaleConv1;
          if (dOut.coef != null) {
            for (int z = 0; z < dOut.size(); z++) dOut.coef[n * dOut.size() + z] *= scaleConv1;
          }
        }
      }
    }

    boolean isConv1(SourceNetwork.Conv c) {
      for (SourceNetwork.Node n : src.nodes()) if (n instanceof SourceNetwork.Residual r && r.conv1() == c) return true;
      return false;
    }

    /** Bias instance of every tap: {value, error bound}. */
    double[][] biasTaps(TargetPlan.Affine a, State in, Kept k, int j, boolean uni) {
      int taps = a.kh() * a.kw();
      int centre = a.centreA() * a.kw() + a.centreC();
      double phi0 = uni ? phi.phi0() : 0;
      // each tap's sum by Dot2, as gAt's
      double[] v = new double[taps];
      double[] low = new double[taps];
      double[] sc = new double[taps];
      double[] err = new double[taps];
      for (int q = 0; q < k.n; q++) {
        int u = k.unit[q];
        int t = k.tap[q];
        if (in.layout.isConstant(u)) {
          double p = k.w[q] * in.constVal[u];
          low[t] += twoSumError(v[t], p) + Math.fma(k.w[q], in.constVal[u], -p);
          v[t] += p;
          sc[t] += Math.abs(p);
          err[t] += Math.abs(k.w[q]) * in.constErr[u];
        } else if (phi0 != 0) {
          double p = phi0 * k.w[q];
          low[t] += twoSumError(v[t], p) + Math.fma(phi0, k.w[q], -p);
          v[t] += p;
          sc[t] += Math.abs(phi0 * k.w[q]);
          err[t] += Math.abs(k.w[q]) * phi.phi0Error();
        }
      }
      low[centre] += twoSumError(v[centre], -a.bias()[j]);
      v[centre] -= a.bias()[j];
      sc[centre] += Math.abs(a.bias()[j]);
      double[][] out = new double[2][taps];
      double gn = Rounding.gamma(k.n + 1L);
      for (int t = 0; t < taps; t++) {
        double value = v[t] + low[t];
        out[0][t] = mutation == Mutation.DROP_BIAS_ERROR ? 0 : value;
        out[1][t] = Rounding.up(err[t] + 0x1p-52 * Math.abs(value) + gn * gn * sc[t]);
      }
      return out;
    }

    /** Adds the bias instances of every tap at the positions where the tap reads inside the map. */
    static void addBias(TargetPlan.Affine a, double[][] bias, FormMap in, FormMap out, double[] scale, int o) {
      for (int y = 0; y < out.h; y++) {
        for (int x = 0; x < out.w; x++) {
          int n = out.at(o, y * out.w + x);
          for (int t = 0; t < bias[0].length; t++) {
            if (bias[0][t] == 0 && bias[1][t] == 0) continue;
            int iy = y * a.stride() - a.ph() + t / a.kw();
            int ix = x * a.stride() - a.pw() + t % a.kw();
            if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) continue;
            addCentre(out, n, bias[0][t]);
            scale[n] += Math.abs(bias[0][t]);
            out.r[n] += bias[1][t];
          }
        }
      }
    }

    /** A unit reading copies: instance errors times the target's inputs plus kept weights times differences. */
    void copiesUnit(SourceNetwork.Conv c, State in, int o, int j, Kept k, FormMap dOut, double[] dScale,
        double[] tSp, double[] dSp, Shared pre, BackSubstitution.ConvStep step) {
      TargetPlan.Affine a = c.target();
      int taps = a.kh() * a.kw();
      int per = a.in() * taps;
      double[] ds = step == null ? null : new double[per];
      double[] dErrs = step == null ? null : new double[per];
      // each instance's sum of kept weights in two parts (Sum2 of Ogita, Rump and Oishi: TwoSum, errors summed)
      double[] sum = new double[per];
      double[] low = new double[per];
      double[] abs = new double[per];
      boolean[] touched = new boolean[per];
      double lambdaFactor = mutation == Mutation.HALVE_COPY_ERROR ? 0.5 : 1;
      for (int q = 0; q < k.n; q++) {
        int u = k.unit[q];
        if (in.layout.isConstant(u)) continue;
        int i = in.layout.channel(u);
        int g = i * taps + k.tap[q];
        low[g] += twoSumError(sum[g], k.w[q]);
        sum[g] += k.w[q];
        abs[g] += Math.abs(k.w[q]);
        touched[g] = true;
        if (pre != null) continue;
        int t = k.tap[q];
        addTap(in.diff, dSp, u, dOut, dScale, o, t / a.kw(), t % a.kw(), a.stride(), a.stride(), a.ph(),
            a.pw(), lambdaFactor * k.w[q], 0);
      }
      if (mutation != Mutation.DROP_INSTANCE_ERROR) {
        for (int g = 0; g < per; g++) {
          double kval = a.kernel()[j * per + g];
          if (kval == 0 && !touched[g]) continue;
          // Sum2 over the n kept weights and -K: |d - exact| <= u |exact| + gamma_n^2 (sum |w| + |K|)
          double d = (sum[g] - kval) + (low[g] + twoSumError(sum[g], -kval));
          double gn = Rounding.gamma(k.n + 1L);
          double dErr = Rounding.up(0x1p-52 * Math.abs(d) + gn * gn * (abs[g] + Math.abs(kval)));
          int t = g % taps;
          addTap(in.target, tSp, g / taps, dOut, dScale, o, t / a.kw(), t % a.kw(), a.stride(), a.stride(),
              a.ph(), a.pw(), d, dErr);
          if (ds != null) {
            ds[g] = d;
            dErrs[g] = dErr;
          }
        }
      }
      double[][] bias = biasTaps(a, in, k, j, false);
      addBias(a, bias, in.target, dOut, dScale, o);
      if (step == null) return;
      int m = 0;
      for (int q = 0; q < k.n; q++) if (!in.layout.isConstant(k.unit[q])) m++;
      int[] units = new int[m];
      int[] tapsOf = new int[m];
      double[] ws = new double[m];
      for (int q = 0, z = 0; q < k.n; q++) {
        if (in.layout.isConstant(k.unit[q])) continue;
        units[z] = k.unit[q];
        tapsOf[z] = k.tap[q];
        ws[z++] = k.w[q];
      }
      step.unit()[o] = units;
      step.tap()[o] = tapsOf;
      step.w()[o] = ws;
      step.d()[o] = ds;
      step.dErr()[o] = dErrs;
      step.bias()[o] = bias;
    }

    /**
     * The shared slope ({@link #sharedSlope}) of the units o0 .. o0 + ks.length - 1, input channel by input channel:
     * the block's units read one channel's copies after the other, so that those maps come from memory once per
     * block instead of once per unit (all channels' copies of a wide layer exceed the cache). Every unit still adds
     * its groups in increasing order, before its instance errors and bias ({@link #copiesUnit}).
     */
    void sharedSlopes(SourceNetwork.Conv c, State in, int o0, Kept[] ks, FormMap dOut, double[] dScale,
        double[] dSp, Shared pre) {
      TargetPlan.Affine a = c.target();
      int taps = a.kh() * a.kw();
      double factor = mutation == Mutation.HALVE_COPY_ERROR ? 0.5 : 1;
      FormMap dp = pre.preDiff();
      FormMap f = new FormMap(1, 1, 1, dp.sy, dp.sx, dp.py, dp.px, dp.rh, dp.rw, dp.cin, dp.absolute, dp.coef != null);
      int[][][] members = new int[ks.length][][];
      for (int b = 0; b < ks.length; b++) {
        if (!c.out().isConstant(o0 + b)) members[b] = ks[b].groups(in.layout, taps, a.in() * taps);
      }
      for (int i = 0; i < a.in(); i++) {
        for (int b = 0; b < ks.length; b++) {
          for (int t = 0; members[b] != null && t < taps; t++) {
            int[] m = members[b][i * taps + t];
            if (m.length > 0) sharedSlope(a, in, o0 + b, i, t, ks[b], m, factor, dOut, dScale, dSp, pre, f);
          }
        }
      }
    }

    /**
     * The copies S of channel i read through tap t by output unit o, for twice differentiable phi: all share the
     * target's pre-activation z = z_i(p + t), so with phi(z + Delta_u) - phi(z) = phi'(z) Delta_u + e_u,
     * \( \sum_S w_u \delta_u = \sigma F + \sum_S w_u e_u \) with \( F = \sum_S w_u \Delta_u \) (pre-activation
     * differences, whose signs cancel), sigma = phi'(z) in the range [s-, s+] of phi' over z's range, and
     * \( |e_u| \le |\Delta_u| \min(S_+ - S_-, \tfrac12 M_2 |\Delta_u|) \) (Taylor: e_u = phi''(xi) Delta_u^2 / 2;
     * and e_u = (s - phi'(z)) Delta_u with s, phi'(z) in the range [S-, S+] of phi' over the hull of z and
     * z + Delta_u). So the group adds s0 F with radius half |F| + sum |w_u| |e_u|. Per position this is used when
     * its spread is below that of the copies' own differences after phi bounded term by term
     * (\( \sum_S |w_u| \text{spread}_u \)); else those are added. Both bound the same sum; the spreads are what
     * the layers after multiply by the l1 norms of their kept weights.
     *
     * @param f scratch form of the input's geometry (one neuron)
     */
    void sharedSlope(TargetPlan.Affine a, State in, int o, int i, int tap, Kept k, int[] members, double factor,
        FormMap dOut, double[] dScale, double[] dSp, Shared pre, FormMap f) {
      FormMap tp = in.target;
      FormMap dp = pre.preDiff();
      FormMap post = in.diff;
      if (dp.coef == null) {
        sharedSlopeIntervals(a, tp, o, i, tap, k, members, factor, dOut, dScale, pre);
        return;
      }
      double[] fSp = new double[1];
      int ta = tap / a.kw();
      int tb = tap % a.kw();
      boolean sym = dOut.coef != null;
      for (int y = 0; y < dOut.h; y++) {
        int iy = y * a.stride() - a.ph() + ta;
        if (iy < 0 || iy >= tp.h) continue;
        for (int x = 0; x < dOut.w; x++) {
          int ix = x * a.stride() - a.pw() + tb;
          if (ix < 0 || ix >= tp.w) continue;
          int pos = iy * tp.w + ix;
          int mt = tp.at(i, pos);
          double s0 = pre.s0()[mt];
          f.c[0] = 0;
          f.r[0] = 0;
          if (f.coef != null) java.util.Arrays.fill(f.coef, 0);
          double fScale = 0;
          double e = 0;
          double copiesSpread = 0;
          for (int q : members) {
            double w = factor * k.w[q];
            double aw = Math.abs(w);
            int m = dp.at(k.unit[q], pos);
            fScale += aw * FormMap.abs(dp.c[m], pre.preSpread()[m]);
            accumulate(dp, m, f, w);
            e += aw * pre.second()[m];
            copiesSpread += aw * dSp[m];
          }
          f.r[0] = Rounding.up(f.r[0] + 2 * Rounding.gamma(k.n + 1L) * fScale);
          fSp[0] = f.spread(0);
          double fAbs = FormMap.abs(f.c[0], fSp[0]);
          if (mutation == Mutation.DROP_SECOND_ORDER) e = 0;
          double extra = Rounding.up(pre.half()[mt] * fAbs + Rounding.up(e) * (1 + 2 * Rounding.REL));
          if (mutation == Mutation.DROP_SHARED_SLOPE_UNCERTAINTY) extra = 0;
          int n = dOut.at(o, y * dOut.w + x);
          int offY = dp.originY(iy) - dOut.originY(y);
          int offX = dp.originX(ix) - dOut.originX(x);
          if (Math.abs(s0) * fSp[0] + extra < copiesSpread) {
            add(f, fSp, 0, dOut, dScale, n, offY, offX, s0, Math.abs(s0), 0, sym);
            dOut.r[n] += extra;
          } else {
            for (int q : members) {
              double w = factor * k.w[q];
              add(post, dSp, dp.at(k.unit[q], pos), dOut, dScale, n, offY, offX, w, Math.abs(w), 0, sym);
            }
          }
        }
      }
    }

    /**
     * {@link #sharedSlope} when the differences are intervals (no coefficients): the same sums, position by
     * position over the members, in scalars.
     */
    void sharedSlopeIntervals(TargetPlan.Affine a, FormMap tp, int o, int i, int tap, Kept k, int[] members,
        double factor, FormMap dOut, double[] dScale, Shared pre) {
      FormMap dp = pre.preDiff();
      double[] p = pre.packed();
      int ta = tap / a.kw();
      int tb = tap % a.kw();
      for (int y = 0; y < dOut.h; y++) {
        int iy = y * a.stride() - a.ph() + ta;
        if (iy < 0 || iy >= tp.h) continue;
        for (int x = 0; x < dOut.w; x++) {
          int ix = x * a.stride() - a.pw() + tb;
          if (ix < 0 || ix >= tp.w) continue;
          int pos = iy * tp.w + ix;
          double fc = 0, fr = 0, fScale = 0, e = 0, cc = 0, cSpread = 0, cScale = 0;
          for (int q : members) {
            double w = factor * k.w[q];
            double aw = Math.abs(w);
            int m = 5 * dp.at(k.unit[q], pos);
            fc += w * p[m];
            fr += aw * p[m + 1];
            fScale += aw * FormMap.abs(p[m], p[m + 1]);
            e += aw * p[m + 2];
            cc += w * p[m + 3];
            cSpread += aw * p[m + 4];
            cScale += aw * FormMap.abs(p[m + 3], p[m + 4]);
          }
          int mt = tp.at(i, pos);
          double s0 = pre.s0()[mt];
          double fSpread = Rounding.up(fr + 2 * Rounding.gamma(k.n + 1L) * fScale);
          double fAbs = FormMap.abs(fc, fSpread);
          double en = mutation == Mutation.DROP_SECOND_ORDER ? 0 : e;
          double extra = Rounding.up(pre.half()[mt] * fAbs + Rounding.up(en) * (1 + 2 * Rounding.REL));
          if (mutation == Mutation.DROP_SHARED_SLOPE_UNCERTAINTY) extra = 0;
          int out = dOut.at(o, y * dOut.w + x);
          if (Math.abs(s0) * fSpread + extra < cSpread) {
            addProduct(dOut, out, s0, fc);
            dScale[out] += Math.abs(s0) * fAbs;
            dOut.r[out] += Math.abs(s0) * fSpread + extra;
          } else {
            addCentre(dOut, out, cc);
            dScale[out] += cScale;
            dOut.r[out] += Rounding.up(cSpread + 2 * Rounding.gamma(k.n + 1L) * cScale);
          }
        }
      }
    }

    /** The rounding error of a + b: (a + b) - fl(a + b), exact (Knuth's TwoSum). */
    static double twoSumError(double a, double b) {
      double s = a + b;
      double bb = s - a;
      return (a - (s - bb)) + (b - bb);
    }

    /** acc += w m[n] (centre, radius times |w|, coefficients); the caller accounts for the rounding. */
    static void accumulate(FormMap m, int n, FormMap acc, double w) {
      acc.c[0] += w * m.c[n];
      acc.r[0] += Math.abs(w) * m.r[n];
      if (m.coef != null && acc.coef != null) {
        int base = n * m.size();
        for (int z = 0; z < acc.coef.length; z++) acc.coef[z] += w * m.coef[base + z];
      }
    }

    /** A unit reading a univariate layer: per instance, the piecewise-linear relaxation of g at every position. */
    void univariateUnit(SourceNetwork.Conv c, State in, int o, int j, Kept k, FormMap dOut, double[] dScale,
        double[] tSp, double[] dSp) {
      TargetPlan.Affine a = c.target();
      int taps = a.kh() * a.kw();
      int per = a.in() * taps;
      double mPlus = phi.slopePlus();
      double mMinus = phi.slopeMinus();
      double mMax = Math.max(Math.abs(mPlus), Math.abs(mMinus));
      double[] pSum = new double[per];
      double[] nSum = new double[per];
      double[] slopeAbs = new double[per];
      double[] ww1 = new double[per];
      boolean[] touched = new boolean[per];
      for (int q = 0; q < k.n; q++) {
        int u = k.unit[q];
        if (in.layout.isConstant(u)) continue;
        int g = in.layout.channel(u) * taps + k.tap[q];
        double w1 = in.w1[u];
        double ww = k.w[q] * w1;
        pSum[g] += ww * (w1 > 0 ? mPlus : mMinus);
        nSum[g] += ww * (w1 > 0 ? mMinus : mPlus);
        slopeAbs[g] += Math.abs(ww) * mMax;
        ww1[g] += Math.abs(ww);
        touched[g] = true;
      }
      // kept weights of every group, for the remainder
      int[][] members = k.groups(in.layout, taps, per);
      // a local model with a remainder, exact only up to a radius (relu6, hardtanh) or with rounded slopes
      boolean smooth = phi.remainderConstant() != 0 || phi.remainderRadius() < Double.POSITIVE_INFINITY
          || phi.slopeError() != 0;
      boolean twice = !Double.isNaN(pb.curvature());
      FormMap t = in.target;
      FormMap dIn = in.diff;
      // the relaxation of a group depends on its range alone: positions with the same range (a box's, or the balls'
      // around inputs of few distinct values, as 8-bit images have) share one
      Map<Range, double[]> memo = new HashMap<>();
      for (int g = 0; g < per; g++) {
        double kval = a.kernel()[j * per + g];
        if (kval == 0 && !touched[g]) continue;
        int i = g / taps;
        int tap = g % taps;
        int ta = tap / a.kw();
        int tb = tap % a.kw();
        double dP = pSum[g] - kval;
        double dN = nSum[g] - kval;
        double slopeErr = 2 * Rounding.gamma(k.n + 1L) * (slopeAbs[g] + Math.abs(kval));
        for (int y = 0; y < dOut.h; y++) {
          int iy = y * a.stride() - a.ph() + ta;
          if (iy < 0 || iy >= t.h) continue;
          for (int x = 0; x < dOut.w; x++) {
            int ix = x * a.stride() - a.pw() + tb;
            if (ix < 0 || ix >= t.w) continue;
            int m = t.at(i, iy * t.w + ix);
            int n = dOut.at(o, y * dOut.w + x);
            int offY = t.originY(iy) - dOut.originY(y);
            int offX = t.originX(ix) - dOut.originX(x);
            double lo = FormMap.lo(t.c[m], tSp[m]);
            double hi = FormMap.hi(t.c[m], tSp[m]);
            double xMax = Math.max(Math.abs(lo), Math.abs(hi));
            double extra = slopeErr * xMax;
            double[] grid = null;
            // without a curvature bound, g at the midpoint and its Lipschitz constant (narrow ranges: points)
            if ((twice || smooth) && mutation != Mutation.DROP_INSTANCE_ERROR && mutation != Mutation.DROP_REMAINDER) {
              int group = g;
              if (memo.size() >= MEMO) memo.clear();
              grid = memo.computeIfAbsent(new Range(group, lo + 0.0, hi + 0.0),
                  r -> gridRelax(members[group], k, in.w1, kval, r.lo(), r.hi()));
              double[] rel = PhiBounds.piecewise(lo, hi, dN, dP);
              double termwise = (rel[2] - rel[1]) / 2 + remainderSum(members[g], k, in.w1, xMax);
              if (!((grid[2] - grid[1]) / 2 < termwise)) grid = null;
            }
            if (grid != null) {
              add(t, tSp, m, dOut, dScale, n, offY, offX, grid[0], Math.abs(grid[0]), 0, dOut.coef != null);
              addCentre(dOut, n, (grid[1] + grid[2]) / 2);
              dScale[n] += Math.abs(grid[1]) + Math.abs(grid[2]);
              // the midpoint's own rounding (the sums' slack covers only their additions when compensated)
              extra = (grid[2] - grid[1]) / 2 + 0x1p-53 * (Math.abs(grid[1]) + Math.abs(grid[2])) + Double.MIN_NORMAL;
            } else if (mutation != Mutation.DROP_INSTANCE_ERROR) {
              double[] rel = PhiBounds.piecewise(lo, hi, dN, dP);
              add(t, tSp, m, dOut, dScale, n, offY, offX, rel[0], Math.abs(rel[0]), 0, dOut.coef != null);
              addCentre(dOut, n, (rel[1] + rel[2]) / 2);
              dScale[n] += Math.abs(rel[1]) + Math.abs(rel[2]);
              extra += (rel[2] - rel[1]) / 2 + 0x1p-53 * (Math.abs(rel[1]) + Math.abs(rel[2])) + Double.MIN_NORMAL;
            }
            if (grid == null && smooth && mutation != Mutation.DROP_REMAINDER) {
              extra += remainderSum(members[g], k, in.w1, xMax);
            }
            if (dIn != null) {
              int md = dIn.at(i, iy * t.w + ix);
              extra += ww1[g] * lip * FormMap.abs(dIn.c[md], dSp[md]);
            }
            dOut.r[n] += Rounding.up(extra);
          }
        }
      }
      addBias(a, biasTaps(a, in, k, j, true), t, dOut, dScale, o);
    }

    /** The most ranges a unit's relaxations are kept for (a few MB; inputs of continuous values have no repeats). */
    private static final int MEMO = 1 << 15;

    /** A group of a unit reading a univariate layer and its input's range [lo, hi] (zeros of one sign). */
    private record Range(int group, double lo, double hi) {}

    /** sum over the members of |w| R(|w_1| xMax): the remainders of phi's local model, bounded term by term. */
    double remainderSum(int[] members, Kept k, double[] w1, double xMax) {
      double rem = 0;
      for (int q : members) rem += Math.abs(k.w[q]) * remainder(Math.abs(w1[k.unit[q]]) * xMax);
      return rem;
    }

    /** Subintervals of the validated range bound of {@link #gridRelax}. */
    static final int GRID = 16;

    /**
     * {alpha, lo, hi} with lo &lt;= g(x) - alpha x &lt;= hi for every x in [xl, xh], where
     * \( g(x) = \sum_S w \psi(w_1 x) - K x \), \( \psi = \phi - \phi(0) \) (twice differentiable phi): alpha is
     * the chord slope of g, h = g - alpha x is evaluated at the ends of {@link #GRID} subintervals, and on a
     * subinterval of width delta h lies within its linear interpolant plus or minus \( C \delta^2 / 8 \) with
     * \( C = M_2 \sum_S |w| w_1^2 \ge |h''| \) (one subinterval where \( C (x_h - x_l)^2 / 8 \) is below the ends'
     * evaluation slack); every evaluation is widened by its rounding ({@link #gAt}). For phi
     * without a curvature bound: alpha from the midpoints s0 of phi's slopes [s-, s+] over the members' arguments,
     * and h at the midpoint xm plus or minus \( \sum_S |w w_1| (s_+ - s_-)/2 \) max |x - xm|, which is narrow only
     * on narrow ranges (at points and small balls).
     */
    double[] gridRelax(int[] members, Kept k, double[] w1, double kval, double xl, double xh) {
      double m2 = pb.curvature();
      if (Double.isNaN(m2)) {
        // h = g - alpha x, alpha = sum w w_1 s0_u - K with s0_u the midpoint of phi's slopes [s-, s+] over w_1 [xl, xh]:
        // h(x) - h(y) = (sum w w_1 sigma_u - K - alpha)(x - y) with secant slopes sigma_u in [s-, s+], so h is within
        // (sum |w w_1| (s+ - s-) / 2 + alpha's rounding) max |x - xm| of h(xm)
        double xm = xl + (xh - xl) / 2;
        double alpha = -kval;
        double mag = Math.abs(kval);
        double lh = 0;
        for (int q : members) {
          double v = w1[k.unit[q]];
          double ww = k.w[q] * v;
          double[] sl = pb.slopes(Math.nextDown(Math.min(v * xl, v * xh)), Math.nextUp(Math.max(v * xl, v * xh)));
          double s0 = sl[0] + (sl[1] - sl[0]) / 2;
          alpha += ww * s0;
          mag += Math.abs(ww * s0);
          lh += Math.abs(ww) * Math.max(sl[1] - s0, s0 - sl[0]);
        }
        lh = Rounding.up(Rounding.up(lh) + 2 * Rounding.gamma(members.length + 2L) * mag);
        double[] g = gAt(members, k, w1, kval, xm);
        double h = g[0] - alpha * xm;
        double r = Rounding.up(Rounding.up(g[1] + Rounding.gamma(2) * (Math.abs(g[0]) + Math.abs(alpha * xm)))
            + Rounding.up(lh * Math.nextUp(Math.max(xm - xl, xh - xm))));
        return new double[] {alpha, h - r, h + r};
      }
      double c2 = 0;
      for (int q : members) {
        double v = w1[k.unit[q]];
        c2 += Math.abs(k.w[q]) * v * v;
      }
      c2 = Rounding.up(Rounding.up(c2) * m2);
      double[] gl = gAt(members, k, w1, kval, xl);
      double[] gh = gAt(members, k, w1, kval, xh);
      double alpha = xh > xl ? (gh[0] - gl[0]) / (xh - xl) : 0;
      // one subinterval where its bulge is below g's evaluation slack (a range of a few ulps: a point's), where the
      // grid's interior would only repeat the ends
      boolean narrow = c2 * (xh - xl) * (xh - xl) / 8 <= Math.min(gl[1], gh[1]);
      int steps = xh > xl && !narrow && mutation != Mutation.DROP_GRID_INTERIOR ? GRID : 1;
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      double slack = 0;
      double widest = 0;
      double prev = xl;
      // every copy's phi' may jump where w_1 x = 0, i.e. at x = 0: a node there
      double[] xs = PhiBounds.gridPoints(xl, xh, steps, pb.jump() > 0);
      for (int s = 0; s < xs.length; s++) {
        double x = xs[s];
        double[] g = s == 0 ? gl : s == xs.length - 1 ? gh : gAt(members, k, w1, kval, x);
        double h = g[0] - alpha * x;
        lo = Math.min(lo, h);
        hi = Math.max(hi, h);
        // g's own slack, and the product alpha x and the subtraction: 2 u (|g| + |alpha x|)
        slack = Math.max(slack, g[1] + Rounding.gamma(2) * (Math.abs(g[0]) + Math.abs(alpha * x)));
        widest = Math.max(widest, Rounding.up(x - prev));
        prev = x;
      }
      double bulge = mutation == Mutation.DROP_GRID_INTERIOR ? 0 : Rounding.up(c2 * widest * widest / 8);
      slack = Rounding.up(slack);
      return new double[] {alpha, lo - bulge - slack, hi + bulge + slack};
    }

    /**
     * {g(x), e} for g of {@link #gridRelax} in floating point, |computed - g(x)| &lt;= e. The n + 1 products w psi and
     * -K x are summed by Dot2 (Ogita, Rump and Oishi: each product split exactly by fma, the sums by TwoSum, the errors
     * summed), within u |g| + gamma_{n+1}^2 of their magnitudes (2^-52 |g| and gamma(n + 2)^2 taken, the magnitudes
     * being computed too); psi's values err by their slack ({@link PhiBounds#psiSlack}); the rounding of t = w_1 x (at
     * most 2^-53 |t|) moves psi(t) by at most L 2^-53 |t|, so the terms by L 2^-52 |w t|.
     */
    double[] gAt(int[] members, Kept k, double[] w1, double kval, double x) {
      double v = 0;
      double low = 0;
      double mag = 0;
      double eval = 0;
      double args = 0;
      for (int q : members) {
        double w = k.w[q];
        double t = w1[k.unit[q]] * x;
        double p = pb.psi(t);
        double wp = w * p;
        low += twoSumError(v, wp) + Math.fma(w, p, -wp);
        v += wp;
        mag += Math.abs(wp);
        eval += Math.abs(w) * pb.psiSlack(p);
        args += Math.abs(w * t);
      }
      double kx = kval * x;
      double g = (v - kx) + (low + twoSumError(v, -kx) + Math.fma(-kval, x, kx));
      double gn = Rounding.gamma(members.length + 2L);
      double e = 0x1p-52 * Math.abs(g) + gn * gn * (mag + Math.abs(kx)) + eval + lip * 0x1p-52 * args;
      return new double[] {g, Rounding.up(e)};
    }

    /**
     * Bound on |phi(t) - phi(0) - m t| for |t| &lt;= arg (the kernel's local model of phi: M arg^p plus the slopes'
     * rounding times arg; 0 within the radius of an exact one).
     */
    double remainder(double arg) {
      double m = phi.remainderConstant();
      double d = phi.slopeError();
      if (arg == 0 || (m == 0 && d == 0 && arg <= phi.remainderRadius())) return 0;
      double viaLip = (lip + Math.max(Math.abs(phi.slopePlus()), Math.abs(phi.slopeMinus())) + d) * arg;
      double r = arg <= phi.remainderRadius()
          ? Math.min(m * Math.pow(arg, phi.remainderPower()) + d * arg, viaLip) : viaLip;
      // pow within 1 ulp, at most four more roundings: r errs by less than 2^-49 r, which up's 2^-30 r covers
      return Rounding.up(r);
    }

    /**
     * Applies phi (when {@code act}) to the pre-activation state: the target through {@link PhiBounds#relax},
     * every difference through {@link PhiBounds#slopes}; constants through phi.
     */
    State activate(State pre, boolean act) {
      if (!act) return pre;
      State s = new State();
      s.layout = pre.layout;
      FormMap t = pre.target;
      double[] tSp = t.spreads();
      FormMap tOut = FormMap.like(t, t.units);
      double[] tScale = new double[t.c.length];
      IntStream.range(0, t.units).parallel().forEach(j -> {
        for (int q = 0; q < t.positions(); q++) {
          int n = t.at(j, q);
          double[] rel = pb.relax(FormMap.lo(t.c[n], tSp[n]), FormMap.hi(t.c[n], tSp[n]));
          add(t, tSp, n, tOut, tScale, n, 0, 0, rel[0], Math.abs(rel[0]), 0, tOut.coef != null);
          tOut.c[n] += (rel[1] + rel[2]) / 2;
          tScale[n] += Math.abs(rel[1]) + Math.abs(rel[2]);
          tOut.r[n] += Rounding.up((rel[2] - rel[1]) / 2);
        }
      });
      finish(tOut, tScale, Rounding.gamma(2));
      s.target = tOut;
      FormMap d = pre.diff;
      double[] dSp = d.spreads();
      boolean shared = !Double.isNaN(pb.curvature());
      double m2 = pb.curvature();
      double[] s0T = shared ? new double[t.c.length] : null;
      double[] halfT = shared ? new double[t.c.length] : null;
      double[] second = shared ? new double[d.c.length] : null;
      if (shared) {
        for (int n = 0; n < t.c.length; n++) {
          double[] sl = pb.slopes(FormMap.lo(t.c[n], tSp[n]), FormMap.hi(t.c[n], tSp[n]));
          s0T[n] = sl[0] + (sl[1] - sl[0]) / 2;
          halfT[n] = Math.nextUp(Math.max(sl[1] - s0T[n], s0T[n] - sl[0]));
        }
      }
      FormMap dOut = FormMap.like(d, d.units);
      double[] dScale = new double[d.c.length];
      Layout l = pre.layout;
      boolean joint = own && sameWindows(t, d);
      double[] lam = tape == null ? null : new double[d.c.length];
      double[] cen = tape == null ? null : new double[d.c.length];
      double[] rad = tape == null ? null : new double[d.c.length];
      abandoned |= joined && !joint;
      joined |= joint;
      IntStream.range(0, d.units).parallel().forEach(u -> {
        int j = l.channel(u);
        for (int q = 0; q < d.positions(); q++) {
          int n = d.at(u, q);
          int m = t.at(j, q);
          double zl = FormMap.lo(t.c[m], tSp[m]);
          double zh = FormMap.hi(t.c[m], tSp[m]);
          double dl = FormMap.lo(d.c[n], dSp[n]);
          double dh = FormMap.hi(d.c[n], dSp[n]);
          // the ticket's pre-activation y = z + dz: from the sum of the two forms where both have coefficients on the
          // same window (their shared coefficients cancel), else from the sum of the ranges
          double yl = Math.nextDown(zl + dl);
          double yh = Math.nextUp(zh + dh);
          if (joint) {
            double[] y = jointRange(t, m, d, n);
            if (y[0] > yl) yl = y[0];
            if (y[1] < yh) yh = y[1];
          }
          double hullLo = Math.min(zl, yl);
          double hullHi = Math.max(zh, yh);
          double[] sl = pb.slopes(hullLo, hullHi);
          double s0 = sl[0] + (sl[1] - sl[0]) / 2;
          double half = Math.max(sl[1] - s0, s0 - sl[0]);
          if (mutation == Mutation.DROP_SLOPE_UNCERTAINTY) half = 0;
          double dAbs = FormMap.abs(d.c[n], dSp[n]);
          // phi(z + d) - phi(z) - phi'(z) d: M_2 d^2 / 2, plus jump |d| when z and z + d may lie on both sides of 0
          double jd = hullLo <= 0 && hullHi >= 0 ? pb.jump() : 0;
          if (shared) second[n] = Rounding.up(dAbs * Math.min(sl[1] - sl[0], Rounding.up(0.5 * m2 * dAbs) + jd));
          double[] exact = mutation == Mutation.DROP_SLOPE_UNCERTAINTY ? null : pb.differenceRange(zl, zh, dl, dh);
          // phi(y) - phi(z) also lies between the differences of phi's images of the two ranges: for a bounded phi,
          // narrower where the difference is wide against phi's range over them (saturated units)
          double[] images = !pb.bounded() || mutation == Mutation.DROP_SLOPE_UNCERTAINTY
              || mutation == Mutation.DROP_IMAGE_RANGE ? null : pb.images(zl, zh, yl, yh);
          if (joint && exact != null && pb.piecewiseLinear()) {
            // slope 1 (or a) with the slack of the side of the kink where z and the ticket's y = z + dz both lie,
            // up to how far each range reaches past 0 (oneSidedSlack)
            double a = pb.negSlope();
            double[] above = oneSidedSlack(a, zl, zh, yl, yh, true);
            double[] below = oneSidedSlack(a, zl, zh, yl, yh, false);
            boolean up = above[1] - above[0] <= below[1] - below[0];
            double[] e = up ? above : below;
            if ((e[1] - e[0]) / 2 < Math.min(half * dAbs, (exact[1] - exact[0]) / 2)) {
              double slope = up ? 1 : a;
              if (slope != 0) add(d, dSp, n, dOut, dScale, n, 0, 0, slope, Math.abs(slope), 0, dOut.coef != null);
              dOut.c[n] += e[0] + (e[1] - e[0]) / 2;
              dScale[n] += Math.abs(e[0]) + Math.abs(e[1]);
              dOut.r[n] += Rounding.up((e[1] - e[0]) / 2);
              if (lam != null) relaxation(lam, cen, rad, n, slope, e);
              continue;
            }
          }
          boolean range = exact != null && (exact[1] - exact[0]) / 2 <= half * dAbs;
          if (images != null && range) {
            exact = new double[] {Math.max(exact[0], images[0]), Math.min(exact[1], images[1])};
          } else if (images != null && images[1] - images[0] < 2 * (Math.abs(s0) + half) * dAbs) {
            // narrower than all the slope form can reach: the form's coefficients are given up for the images
            exact = images;
            range = true;
          }
          if (range) {
            // the range of phi(z + dz) - phi(z) (exact for piecewise-linear phi, and at a point up to rounding for
            // twice differentiable phi) adds less radius than the slope form
            dOut.c[n] = exact[0] + (exact[1] - exact[0]) / 2;
            dOut.r[n] = Rounding.up(Math.max(exact[1] - dOut.c[n], dOut.c[n] - exact[0]));
            if (lam != null) relaxation(lam, cen, rad, n, 0, exact);
            continue;
          }
          add(d, dSp, n, dOut, dScale, n, 0, 0, s0, Math.abs(s0), 0, dOut.coef != null);
          dOut.r[n] += Rounding.up(half * dAbs);
          if (lam != null) {
            // phi(z + Delta) - phi(z) = s Delta with s in [s0 - half, s0 + half]: the computed half may lie an ulp
            // below the exact one
            lam[n] = s0;
            rad[n] = Rounding.up(Math.nextUp(half) * dAbs);
          }
        }
      });
      finish(dOut, dScale, Rounding.gamma(2));
      s.diff = dOut;
      if (lam != null) record(new BackSubstitution.ActStep(dOut, d, lam, cen, rad), d.c.length);
      if (shared) s.shared = new Shared(d, dSp, s0T, halfT, second, null);
      if (pre.constVal != null) {
        s.constVal = new double[pre.constVal.length];
        s.constErr = new double[pre.constVal.length];
        for (int o = 0; o < s.constVal.length; o++) {
          if (!l.isConstant(o)) continue;
          double v = pb.value(pre.constVal[o]);
          s.constVal[o] = v;
          s.constErr[o] = Rounding.up(lip * pre.constErr[o]) + pb.valueSlack(pre.constVal[o], v);
        }
      }
      return s;
    }

    /**
     * The relaxation delta_n = slope Delta_n + e, e in [e[0], e[1]], as a centre and a radius that hold whatever the
     * rounding of the centre.
     */
    static void relaxation(double[] lam, double[] cen, double[] rad, int n, double slope, double[] e) {
      double c = e[0] + (e[1] - e[0]) / 2;
      lam[n] = slope;
      cen[n] = c;
      rad[n] = Rounding.up(Math.max(e[1] - c, c - e[0]));
    }

    /** Whether both maps hold coefficients on the same windows of the input (a target neuron's and its copies'). */
    static boolean sameWindows(FormMap t, FormMap d) {
      return t.coef != null && d.coef != null && t.h == d.h && t.w == d.w && t.sy == d.sy && t.sx == d.sx
          && t.py == d.py && t.px == d.px && t.rh == d.rh && t.rw == d.rw && t.cin == d.cin && t.absolute == d.absolute;
    }

    /** The range of the sum of neuron m of t and neuron n of d, forms on the same windows ({@link #sameWindows}). */
    static double[] jointRange(FormMap t, int m, FormMap d, int n) {
      double s = t.r[m] + d.r[n];
      int tb = m * t.size();
      int db = n * d.size();
      for (int k = 0; k < t.size(); k++) s += Math.abs(t.coef[tb + k] + d.coef[db + k]);
      double c = t.c[m] + d.c[n];
      double sp = Rounding.up(s + Math.ulp(c));
      return new double[] {FormMap.lo(c, sp), FormMap.hi(c, sp)};
    }

    /**
     * For phi(t) = t (t &gt;= 0), a t (t &lt; 0): an interval that holds phi(y) - phi(z) - lambda (y - z) for every z in
     * [zl, zh] and y in [yl, yh], lambda = 1 ({@code above}) or a. With k = 1 - a, phi(t) = t + k relu(-t) =
     * a t + k relu(t), and relu(t) lies in [0, max(0, th)], relu(-t) in [0, max(0, -tl)]; so the interval is
     * k [-max(0, -zl), max(0, -yl)] above and k [-max(0, zh), max(0, yh)] below, its ends rounded outward: a few ulps
     * wide where z and y both lie on that side of 0.
     */
    static double[] oneSidedSlack(double a, double zl, double zh, double yl, double yh, boolean above) {
      double k = 1 - a;
      double lo = above ? -Math.max(0, -zl) : -Math.max(0, zh);
      double hi = above ? Math.max(0, -yl) : Math.max(0, yh);
      double p = k * lo;
      double q = k * hi;
      return new double[] {Math.nextDown(Math.min(p, q)), Math.nextUp(Math.max(p, q))};
    }

    State pool(TargetPlan.Pool p, State in) {
      if (p.max()) return maxPool(p, in);
      int[] os = p.outShape();
      int kh = p.global() ? in.target.h : p.kh();
      int kw = p.global() ? in.target.w : p.kw();
      int sh = p.global() ? 1 : p.sh();
      int sw = p.global() ? 1 : p.sw();
      double lambda = 1.0 / ((double) kh * kw);
      State s = new State();
      s.layout = in.layout;
      s.target = poolMap(in.target, kh, kw, sh, sw, os[1], os[2], lambda);
      s.diff = poolMap(in.diff, kh, kw, sh, sw, os[1], os[2], lambda);
      record(new BackSubstitution.PoolStep(s.diff, in.diff, kh, kw, sh, sw, lambda), (double) kh * kw * s.diff.c.length);
      s.constVal = in.constVal;
      s.constErr = in.constErr;
      return s;
    }

    /**
     * Max pooling. For a window, with k its input of the largest lower end and H the largest upper end of x_i - x_k
     * (from the forms' difference, so shared coefficients cancel; at least 0), the maximum is x_k + [0, H]: k's form
     * with H/2 added to its centre and its radius (exactly x_k when H = 0), or else the interval [max lo, max hi] of
     * the inputs, whichever is narrower. A difference, the ticket's maximum minus the target's, max_i (x_i + d_i) -
     * max_i x_i: the ticket's maximum minus x_k + d_k lies in [0, H'] (H' from the upper ends of x_i - x_k and
     * d_i - d_k), so the difference lies in d_k + [-H, H']; or in an interval: with i* and j* the inputs where the
     * target and the ticket take their maxima, x_j* + d_j* - x_i* lies in [d_i*, d_j*], i* among the inputs whose
     * upper end reaches the target's largest lower end and j* likewise for the ticket, and between the ticket's range
     * minus the target's. Again the narrower of the two.
     */
    State maxPool(TargetPlan.Pool p, State in) {
      int[] os = p.outShape();
      State s = new State();
      s.layout = in.layout;
      s.constVal = in.constVal;
      s.constErr = in.constErr;
      s.target = output(in.target, in.target.units, p.kh(), p.kw(), p.sh(), p.sw(), p.ph(), p.pw(), os[1], os[2], true);
      s.diff = output(in.diff, in.diff.units, p.kh(), p.kw(), p.sh(), p.sw(), p.ph(), p.pw(), os[1], os[2], true);
      double[] tsp = in.target.spreads();
      double[] dsp = in.diff.spreads();
      int kk = p.kh() * p.kw();
      // per target window: its reference input k, and the upper ends of x_i - x_k (NaN outside the map)
      int[] ref = new int[s.target.c.length];
      double[] gaps = new double[s.target.c.length * kk];
      double[] tScale = new double[s.target.c.length];
      double[] dScale = new double[s.diff.c.length];
      IntStream.range(0, in.target.units).parallel()
          .forEach(j -> maxWindows(p, in.target, tsp, null, null, j, j, s.target, tScale, ref, gaps));
      IntStream.range(0, in.diff.units).parallel().forEach(u -> maxWindows(p, in.diff, dsp, in.target, tsp, u,
          in.layout.channel(u), s.diff, dScale, ref, gaps));
      finish(s.target, tScale, Rounding.gamma(2));
      finish(s.diff, dScale, Rounding.gamma(2));
      return s;
    }

    /**
     * The max pooling of unit u of {@code in} into {@code out}. The target ({@code target} null, j = u): every
     * window's reference input goes to {@code ref} and the upper ends of x_i - x_k to {@code gaps}. A difference map
     * (unit u of the target's channel j, {@code target} the target's map before pooling) reads them.
     */
    static void maxWindows(TargetPlan.Pool p, FormMap in, double[] sp, FormMap target, double[] tsp, int u, int j,
        FormMap out, double[] scale, int[] ref, double[] gaps) {
      int kw = p.kw();
      int kk = p.kh() * kw;
      int hw = in.h * in.w;
      boolean diff = target != null;
      for (int y = 0; y < out.h; y++) {
        for (int x = 0; x < out.w; x++) {
          int y0 = y * p.sh() - p.ph();
          int x0 = x * p.sw() - p.pw();
          int n = out.at(u, y * out.w + x);
          int t = j * out.h * out.w + y * out.w + x;
          // the target's (and the ticket's) largest lower and upper ends over the window
          double tl = Double.NEGATIVE_INFINITY;
          double th = Double.NEGATIVE_INFINITY;
          double kl = Double.NEGATIVE_INFINITY;
          double kh = Double.NEGATIVE_INFINITY;
          int best = -1;
          for (int q = 0; q < kk; q++) {
            int iy = y0 + q / kw;
            int ix = x0 + q % kw;
            if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) continue;
            int m = in.at(u, iy * in.w + ix);
            int mt = j * hw + iy * in.w + ix;
            FormMap tm = diff ? target : in;
            double[] ts = diff ? tsp : sp;
            double l = FormMap.lo(tm.c[mt], ts[mt]);
            if (!diff && (best < 0 || l > tl)) best = q;
            tl = Math.max(tl, l);
            th = Math.max(th, FormMap.hi(tm.c[mt], ts[mt]));
            if (diff) {
              kl = Math.max(kl, ticketLo(in, sp, target, tsp, m, mt));
              kh = Math.max(kh, ticketHi(in, sp, target, tsp, m, mt));
            }
          }
          if (!diff) ref[t] = best;
          int rq = ref[t];
          int mr = in.at(u, (y0 + rq / kw) * in.w + x0 + rq % kw);
          // H: the largest upper end of x_i - x_k (the target's); H': of (x_i + d_i) - (x_k + d_k)
          double gap = 0;
          double gapK = 0;
          for (int q = 0; q < kk; q++) {
            int iy = y0 + q / kw;
            int ix = x0 + q % kw;
            if (q == rq || iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) continue;
            int m = in.at(u, iy * in.w + ix);
            if (!diff) gaps[t * kk + q] = hiMinus(in, sp, m, mr);
            gap = Math.max(gap, gaps[t * kk + q]);
            if (diff) gapK = Math.max(gapK, Math.nextUp(gaps[t * kk + q] + hiMinus(in, sp, m, mr)));
          }
          double lo = tl;
          double hi = th;
          if (diff) {
            // d over the inputs that may be the target's maximum (low end) and the ticket's (high end), and the
            // ticket's range minus the target's
            double dl = Double.POSITIVE_INFINITY;
            double dh = Double.NEGATIVE_INFINITY;
            for (int q = 0; q < kk; q++) {
              int iy = y0 + q / kw;
              int ix = x0 + q % kw;
              if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) continue;
              int m = in.at(u, iy * in.w + ix);
              int mt = j * hw + iy * in.w + ix;
              if (FormMap.hi(target.c[mt], tsp[mt]) >= tl) dl = Math.min(dl, FormMap.lo(in.c[m], sp[m]));
              if (ticketHi(in, sp, target, tsp, m, mt) >= kl) dh = Math.max(dh, FormMap.hi(in.c[m], sp[m]));
            }
            lo = Math.max(dl, Math.nextDown(kl - th));
            hi = Math.min(dh, Math.nextUp(kh - tl));
          }
          // the reference's form plus [lo', hi'] (target: [0, H]; difference: [-H, H']), when narrower
          double shiftLo = diff ? -gap : 0;
          double shiftHi = diff ? gapK : gap;
          if (sp[mr] + (shiftHi - shiftLo) / 2 < (hi - lo) / 2 || shiftLo == 0 && shiftHi == 0) {
            int my = mr % hw / in.w;
            int mx = mr % in.w;
            add(in, sp, mr, out, scale, n, in.originY(my) - out.originY(y), in.originX(mx) - out.originX(x), 1, 1, 0,
                out.coef != null);
            out.c[n] += (shiftLo + shiftHi) / 2;
            out.r[n] += (shiftHi - shiftLo) / 2;
            scale[n] += shiftHi - shiftLo;
            continue;
          }
          double c = lo + (hi - lo) / 2;
          out.c[n] = c;
          out.r[n] = Rounding.up(Math.max(hi - c, c - lo));
        }
      }
    }

    /**
     * An upper end of v_m - v_r over the region for two neurons of one map, from the difference of their forms
     * (coefficients at the same input cancel); negative when v_r is above v_m everywhere.
     */
    static double hiMinus(FormMap in, double[] sp, int m, int r) {
      double l1 = 0;
      if (in.coef == null) {
        l1 = sp[m] + sp[r];
      } else {
        int hw = in.h * in.w;
        int om = m % hw;
        int or = r % hw;
        int mY = in.originY(om / in.w);
        int mX = in.originX(om % in.w);
        int rY = in.originY(or / in.w);
        int rX = in.originX(or % in.w);
        int size = in.size();
        for (int ch = 0; ch < in.cin; ch++) {
          for (int yy = Math.min(mY, rY); yy < Math.max(mY, rY) + in.rh; yy++) {
            for (int xx = Math.min(mX, rX); xx < Math.max(mX, rX) + in.rw; xx++) {
              l1 += Math.abs(coefAt(in, m * size, ch, yy - mY, xx - mX) - coefAt(in, r * size, ch, yy - rY, xx - rX));
            }
          }
        }
        l1 += in.r[m] + in.r[r];
      }
      double v = in.c[m] - in.c[r] + l1;
      // at most 2 size coefficient differences, two radii, two centres
      return v + Rounding.gamma(2L * in.size() + 4) * (Math.abs(in.c[m]) + Math.abs(in.c[r]) + l1) + Double.MIN_NORMAL;
    }

    /** Coefficient (ch, dy, dx) of the window at {@code base}; 0 outside it. */
    static double coefAt(FormMap in, int base, int ch, int dy, int dx) {
      if (dy < 0 || dy >= in.rh || dx < 0 || dx >= in.rw) return 0;
      return in.coef[base + (ch * in.rh + dy) * in.rw + dx];
    }

    /** A lower end of the ticket's value x + d at difference neuron m and target neuron mt. */
    static double ticketLo(FormMap d, double[] dsp, FormMap t, double[] tsp, int m, int mt) {
      return Math.nextDown(FormMap.lo(t.c[mt], tsp[mt]) + FormMap.lo(d.c[m], dsp[m]));
    }

    /** An upper end of the ticket's value x + d at difference neuron m and target neuron mt. */
    static double ticketHi(FormMap d, double[] dsp, FormMap t, double[] tsp, int m, int mt) {
      return Math.nextUp(FormMap.hi(t.c[mt], tsp[mt]) + FormMap.hi(d.c[m], dsp[m]));
    }

    FormMap poolMap(FormMap in, int kh, int kw, int sh, int sw, int oh, int ow, double lambda) {
      FormMap out = output(in, in.units, kh, kw, sh, sw, 0, 0, oh, ow, true);
      double[] sp = in.spreads();
      double[] scale = new double[out.c.length];
      Rounding.checkTerms((long) kh * kw, "pool");
      IntStream.range(0, in.units).parallel().forEach(u -> {
        for (int a = 0; a < kh; a++) {
          for (int b = 0; b < kw; b++) addTap(in, sp, u, out, scale, u, a, b, sh, sw, 0, 0, lambda, 0);
        }
      });
      finish(out, scale, Rounding.gamma((long) kh * kw));
      return out;
    }

    State residual(SourceNetwork.Residual r, State in) {
      State h = activate(conv(r.conv1(), in), true);
      State b = conv(r.conv2(), h);
      State sk = r.projection() != null ? conv(r.projection(), in) : in;
      if (mutation == Mutation.SKIP_BLOCK) {
        b.diff = scaled(b.diff, 0);
      }
      State pre = sum(b, sk);
      return activate(pre, true);
    }

    static FormMap scaled(FormMap m, double f) {
      FormMap out = FormMap.like(m, m.units);
      for (int n = 0; n < m.c.length; n++) {
        out.c[n] = m.c[n] * f;
        out.r[n] = m.r[n] * Math.abs(f);
      }
      if (m.coef != null) for (int z = 0; z < m.coef.length; z++) out.coef[z] = m.coef[z] * f;
      return out;
    }

    /** The pre-activation state of a residual sum: branch plus skip, targets and differences. */
    State sum(State b, State sk) {
      State s = new State();
      s.layout = b.layout;
      s.target = sumMaps(b.target, sk.target, false);
      s.diff = sumMaps(b.diff, sk.diff, mutation == Mutation.DROP_SKIP_ERROR);
      record(new BackSubstitution.SumStep(s.diff, b.diff, sk.diff), 2.0 * s.diff.c.length);
      if (b.constVal != null) {
        s.constVal = new double[b.constVal.length];
        s.constErr = new double[b.constVal.length];
        for (int o = 0; o < s.constVal.length; o++) {
          if (!b.layout.isConstant(o)) continue;
          s.constVal[o] = b.constVal[o] + sk.constVal[o];
          s.constErr[o] = Rounding.up(b.constErr[o] + sk.constErr[o]
              + Rounding.gamma(2) * (Math.abs(b.constVal[o]) + Math.abs(sk.constVal[o])));
        }
      }
      return s;
    }

    /** A kept target layer: the target through K, b; the difference through K. */
    State tailAffine(TargetPlan.Affine a, State in) {
      if (in.layout.kind() != Layout.Kind.PLAIN) {
        throw new IllegalArgumentException("kept layer " + a.name() + " reads layout " + in.layout);
      }
      State s = new State();
      s.layout = Layout.plain(a.out());
      s.target = targetAffine(a, in.target);
      TargetPlan.Affine noBias = new TargetPlan.Affine(a.name(), a.out(), a.in(), a.kh(), a.kw(), a.stride(),
          a.ph(), a.pw(), a.kernel(), new double[a.out()], a.phiAfter(), a.inShape(), a.outShape());
      s.diff = targetAffine(noBias, in.diff);
      record(new BackSubstitution.TailStep(s.diff, in.diff, a), (double) a.kernel().length * s.diff.positions());
      return s;
    }
  }

  /** For tests: runs {@code body} with a mutation of the bound switched on. */
  static <T> T withMutation(Mutation m, java.util.function.Supplier<T> body) {
    Mutation before = mutation;
    mutation = m;
    try {
      return body.get();
    } finally {
      mutation = before;
    }
  }

  /** The mutations of the bound (all but NONE and the agreement's two, which have their own properties). */
  static List<Mutation> mutations() {
    return Arrays.stream(Mutation.values()).filter(m -> m != Mutation.NONE && m != Mutation.AGREEMENT_MARGIN_ONCE
        && m != Mutation.TICKET_MARGIN_WITHOUT_DIFFERENCE && m != Mutation.DROP_IMAGE_RANGE
        && m != Mutation.FORWARD_ONLY && m != Mutation.BACK_ONLY).toList();
  }
}
