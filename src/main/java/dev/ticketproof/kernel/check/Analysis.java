package dev.ticketproof.kernel.check;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.kernel.Intervals;
import dev.ticketproof.kernel.Layout;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.check.TicketChecker.LayerReport;
import dev.ticketproof.kernel.check.TicketChecker.Listener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One analysis of a mask on its source network (see {@link TicketChecker} for what is checked and how the bound is
 * composed): the state of every feature map, node by node through {@link SourceNetwork.Visitor}, with the checks of
 * univariate layers and residual blocks; a convolution's are {@link ConvCheck}'s. A structural problem is a
 * {@link Rejection}.
 */
final class Analysis {
  /** Mutable per-feature-map state of the analysis. */
  static final class State {
    final Layout layout;
    final double[] unitErr;
    final double[] constVal;
    final double[] lo;
    final double[] hi;
    double[] inErr;
    double[] w1;
    boolean[] alive;

    /** A feature map with per-channel bounds [lo, hi]: no unit errors yet, constant values unknown (NaN). */
    State(Layout layout, double[] lo, double[] hi) {
      this.layout = layout;
      this.lo = lo;
      this.hi = hi;
      unitErr = new double[layout.units()];
      constVal = new double[layout.units()];
      Arrays.fill(constVal, Double.NaN);
    }
  }

  /** A structural rejection. */
  static final class Rejection extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Rejection(String msg) { super(msg, null, false, false); }
  }

  final SourceNetwork src;
  final TicketCertificate cert;
  final Activation phi;
  final long seed;
  final double eps;
  final double lip;
  final List<LayerReport> reports = new ArrayList<>();
  final Listener listener;

  Analysis(SourceNetwork src, TicketCertificate cert, Listener listener) {
    this.listener = listener;
    this.src = src;
    this.cert = cert;
    this.phi = src.plan().phi();
    this.seed = src.params().seed();
    this.eps = cert.header().eps();
    this.lip = phi.lipschitz();
  }

  void report(LayerReport r) {
    reports.add(r);
    listener.layerDone(r.name(), reports.size(), src.layerCount());
  }

  /** The recursion's bound (with its slack for rounding); the layers' figures are in {@link #reports}. */
  double run() {
    int layers = src.layerCount();
    if (cert.keptWeights().length != layers || cert.keptBiases().length != layers) {
      throw new Rejection("mask has " + cert.keptWeights().length + " weight and " + cert.keptBiases().length
          + " bias layers, source has " + layers);
    }
    int n = src.plan().inputShape()[0];
    double[] lo = new double[n];
    double[] hi = new double[n];
    for (int c = 0; c < n; c++) {
      lo[c] = src.params().channelLow(c);
      hi[c] = src.params().channelHigh(c);
    }
    State s = new State(Layout.input(n), lo, hi);
    for (SourceNetwork.Node node : src.nodes()) s = node.accept(after(s));
    // the kept target layers propagate the error with their l1 row norms (pooling keeps it)
    double[] err = s.unitErr.clone();
    for (TargetPlan.Step step : src.tail()) {
      if (step instanceof TargetPlan.Affine a) {
        err = tailAffine(a, err, a.phiAfter());
      } else if (step instanceof TargetPlan.Residual r) {
        double[] e2 = tailAffine(r.conv2(), tailAffine(r.conv1(), err, true), false);
        double[] es = r.projection() != null ? tailAffine(r.projection(), err, false) : err;
        err = new double[e2.length];
        for (int j = 0; j < err.length; j++) err[j] = lip * (e2[j] + es[j]);
      }
    }
    double bound = Arrays.stream(err).max().orElse(0);
    if (!Double.isFinite(bound)) throw new Rejection("the composed bound is not finite (" + bound + ")");
    return bound * (1 + 1e-9) + 1e-12;
  }

  /** The state after a node, from the state before it. */
  SourceNetwork.Visitor<State> after(State in) {
    return new SourceNetwork.Visitor<>() {
      @Override public State univariate(SourceNetwork.Univariate u) { return Analysis.this.univariate(u, in); }

      @Override public State conv(SourceNetwork.Conv c) { return ConvCheck.run(Analysis.this, c, in); }

      /** Channelwise averages keep per-unit errors, constants and intervals. */
      @Override public State pool(SourceNetwork.Pool p) { return in; }

      @Override public State residual(SourceNetwork.Residual r) { return Analysis.this.residual(r, in); }
    };
  }

  /**
   * A univariate (copy) layer: kept weights only from the copied channel, biases only on constant units; the copies'
   * weights and the constant units' values.
   */
  private State univariate(SourceNetwork.Univariate u, State in) {
    Layout out = u.out();
    int[] kw = cert.keptWeights()[u.id()];
    int[] kb = cert.keptBiases()[u.id()];
    State s = new State(out, in.lo, in.hi);
    s.inErr = new double[out.n()];
    for (int i = 0; i < out.n(); i++) s.inErr[i] = in.unitErr[in.layout.copy(i, 0)];
    s.w1 = new double[out.units()];
    s.alive = new boolean[out.units()];
    long inUnits = in.layout.units();
    increasing(kw, inUnits * out.units(), "univariate layer " + u.id() + ": weight index");
    for (long idx : kw) {
      int o = (int) (idx / inUnits);
      int from = (int) (idx % inUnits);
      if (out.isConstant(o) || from != out.channel(o)) {
        throw new Rejection("univariate layer " + u.id() + ": unit " + o + " keeps a weight from input " + from
            + (out.isConstant(o) ? " but is a constant unit" : " but copies channel " + out.channel(o)));
      }
      s.alive[o] = true;
      s.w1[o] = u.w1(seed, o);
    }
    for (int o = out.constant(0); o < out.units(); o++) s.constVal[o] = phi.value(0);
    increasing(kb, out.units(), "univariate layer " + u.id() + ": bias index");
    for (int o : kb) {
      if (!out.isConstant(o)) {
        throw new Rejection("univariate layer " + u.id() + ": copy unit " + o + " keeps its bias");
      }
      s.constVal[o] = phi.value(u.beta(seed, o));
    }
    // named after the layer that reads it (the node after it)
    int next = src.nodes().indexOf(u) + 1;
    String reader = next < src.nodes().size() && src.nodes().get(next) instanceof SourceNetwork.Conv c
        ? c.target().name() : "?";
    report(new LayerReport("copies(" + reader + ")", 0, 0, 0, 0));
    return s;
  }

  /** A residual block: both branch convolutions and the projection, then the pre-activation error branch + skip. */
  private State residual(SourceNetwork.Residual r, State in) {
    State h = ConvCheck.run(this, r.conv1(), in);
    State b = ConvCheck.run(this, r.conv2(), h);
    State skip = r.projection() != null ? ConvCheck.run(this, r.projection(), in) : in;
    Layout out = b.layout;
    Intervals.Bounds iv = Intervals.residual(b.lo, b.hi, skip.lo, skip.hi, phi);
    State s = new State(out, iv.lo(), iv.hi());
    for (int o = 0; o < out.units(); o++) {
      if (out.isConstant(o)) {
        s.constVal[o] = phi.value(b.constVal[o] + skip.constVal[o]);
      } else {
        s.unitErr[o] = lip * (b.unitErr[o] + skip.unitErr[o]);
      }
    }
    return s;
  }

  /** Rejects indices that are not strictly increasing in [0, size). */
  static void increasing(int[] idx, long size, String what) {
    for (int k = 0; k < idx.length; k++) {
      if (idx[k] < 0 || idx[k] >= size || (k > 0 && idx[k] <= idx[k - 1])) {
        throw new Rejection(what + " " + idx[k] + " out of range [0," + size + ") or not strictly increasing");
      }
    }
  }

  double[] tailAffine(TargetPlan.Affine a, double[] e, boolean act) {
    double[] out = new double[a.out()];
    int per = a.in() * a.kh() * a.kw();
    int taps = a.kh() * a.kw();
    for (int j = 0; j < a.out(); j++) {
      double s = 0;
      for (int t = 0; t < per; t++) s += Math.abs(a.kernel()[j * per + t]) * e[t / taps];
      out[j] = act ? lip * s : s;
    }
    return out;
  }

  /**
   * Bound on |phi(t) - phi(0) - m t| for |t| &lt;= arg: M arg^p plus the slopes' rounding times arg (0 within the
   * radius of an exact local model).
   */
  double remainder(double arg) {
    double m = phi.remainderConstant();
    double d = phi.slopeError();
    if (arg == 0 || (m == 0 && d == 0 && arg <= phi.remainderRadius())) return 0;
    double viaLip = (lip + Math.max(Math.abs(phi.slopePlus()), Math.abs(phi.slopeMinus())) + d) * arg;
    if (arg <= phi.remainderRadius()) return Math.min(m * Math.pow(arg, phi.remainderPower()) + d * arg, viaLip);
    return viaLip;
  }
}
