package dev.ticketproof.kernel.check;

import dev.ticketproof.activation.Activation;
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
 * composed): the state of every feature map, node by node through {@link SourceNetwork.Visitor}; the checks of each
 * node kind are {@link UnivariateCheck}, {@link ConvCheck} and {@link ResidualCheck}. A structural problem is
 * a {@link Rejection}.
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
    Arrays.fill(lo, src.params().inputLow());
    Arrays.fill(hi, src.params().inputHigh());
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
    double bound = 0;
    for (double e : err) bound = Math.max(bound, e);
    if (!Double.isFinite(bound)) throw new Rejection("the composed bound is not finite (" + bound + ")");
    return bound * (1 + 1e-9) + 1e-12;
  }

  /** The state after a node, from the state before it. */
  SourceNetwork.Visitor<State> after(State in) {
    return new SourceNetwork.Visitor<>() {
      @Override public State univariate(SourceNetwork.Univariate u) {
        return UnivariateCheck.run(Analysis.this, u, in);
      }

      @Override public State conv(SourceNetwork.Conv c) { return ConvCheck.run(Analysis.this, c, in); }

      /** Channelwise averages keep per-unit errors, constants and intervals. */
      @Override public State pool(SourceNetwork.Pool p) { return in; }

      @Override public State residual(SourceNetwork.Residual r) { return ResidualCheck.run(Analysis.this, r, in); }
    };
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
