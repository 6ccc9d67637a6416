package dev.ticketproof.kernel.check;

import dev.ticketproof.kernel.KernelActivation;
import dev.ticketproof.kernel.Layout;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.TicketCertificate;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A reference computation of the kernel's layerwise recursion, written straight from the formulas of
 * {@link TicketChecker}'s documentation: every instance sum in exact decimal arithmetic on the stored doubles, unit by
 * unit and instance by instance (no double-double accumulators, no scratch arrays, no parallelism). It assumes a
 * well-formed mask; the activation's values and images are the kernel's own ({@link KernelActivation}).
 */
final class RecursionReference {
  /** Per-layer figures of the reference. */
  record Layer(String name, long instances, long failed, double maxErr, double errorOut, long ticket) {}

  /** The reference's state of a feature map. */
  static final class Map {
    Layout layout;
    double[] err;
    double[] constVal;
    double[] lo;
    double[] hi;
    double[] w1;
    double[] inErr;
  }

  final SourceNetwork src;
  final TicketCertificate cert;
  final KernelActivation phi;
  final long seed;
  final double eps;
  final List<Layer> layers = new ArrayList<>();

  RecursionReference(SourceNetwork src, TicketCertificate cert) {
    this.src = src;
    this.cert = cert;
    this.phi = (KernelActivation) src.plan().phi();
    this.seed = src.params().seed();
    this.eps = cert.header().eps();
  }

  static BigDecimal big(double x) { return new BigDecimal(x); }

  double bIn(Map m, int i) { return Math.max(Math.abs(m.lo[i]), Math.abs(m.hi[i])); }

  boolean split(double lo, double hi) { return phi.slopePlus() != phi.slopeMinus() && lo < 0 && hi > 0; }

  /** The slope multiplying w w1: m+ + m- on a split channel, else m+ or m- by the sign of w1 x. */
  double slope(double w1, double lo, double hi) {
    if (split(lo, hi)) return phi.slopePlus() + phi.slopeMinus();
    if (lo >= 0) return w1 > 0 ? phi.slopePlus() : phi.slopeMinus();
    if (hi <= 0) return w1 > 0 ? phi.slopeMinus() : phi.slopePlus();
    return phi.slopePlus();
  }

  /** |phi(t) - phi(0) - m t| for |t| &lt;= arg: M arg^p on the radius, else (L + max m) arg. */
  double remainder(double arg) {
    double viaLip = (phi.lipschitz() + Math.max(Math.abs(phi.slopePlus()), Math.abs(phi.slopeMinus()))) * arg;
    if (phi.remainderConstant() == 0) return 0;
    if (arg > phi.remainderRadius()) return viaLip;
    return Math.min(phi.remainderConstant() * Math.pow(arg, phi.remainderPower()), viaLip);
  }

  /** Interval bounds of an affine step's outputs (zero padding contributes 0), widened by 1e-12, then phi. */
  double[][] interval(TargetPlan.Affine a, double[] lo, double[] hi, boolean act) {
    double[][] out = new double[2][a.out()];
    for (int j = 0; j < a.out(); j++) {
      double l = a.bias()[j];
      double u = a.bias()[j];
      for (int i = 0; i < a.in(); i++) {
        double li = a.ph() > 0 || a.pw() > 0 ? Math.min(lo[i], 0) : lo[i];
        double hiI = a.ph() > 0 || a.pw() > 0 ? Math.max(hi[i], 0) : hi[i];
        for (int r = 0; r < a.kh(); r++) {
          for (int c = 0; c < a.kw(); c++) {
            double k = a.k(j, i, r, c);
            l += k * (k > 0 ? li : hiI);
            u += k * (k > 0 ? hiI : li);
          }
        }
      }
      l -= 1e-12 * (1 + Math.abs(l));
      u += 1e-12 * (1 + Math.abs(u));
      double[] im = act ? phi.image(l, u) : new double[] {l, u};
      out[0][j] = im[0];
      out[1][j] = im[1];
    }
    return out;
  }

  Map univariate(SourceNetwork.Univariate u, Map in) {
    Layout out = u.out();
    Map m = new Map();
    m.layout = out;
    m.lo = in.lo;
    m.hi = in.hi;
    m.err = new double[out.units()];
    m.w1 = new double[out.units()];
    m.inErr = new double[out.n()];
    for (int i = 0; i < out.n(); i++) m.inErr[i] = in.err[in.layout.copy(i, 0)];
    m.constVal = new double[out.units()];
    long ticket = 0;
    for (long idx : cert.keptWeights()[u.id()]) {
      int o = (int) (idx / in.layout.units());
      m.w1[o] = u.w1(seed, o);
      if (Math.abs(m.w1[o]) > eps) ticket++;
    }
    for (int o = out.constant(0); o < out.units(); o++) m.constVal[o] = phi.value(0);
    for (int o : cert.keptBiases()[u.id()]) {
      double beta = u.beta(seed, o);
      m.constVal[o] = phi.value(beta);
      if (Math.abs(beta) > eps) ticket++;
    }
    // named after the layer that reads it
    String next = "?";
    List<SourceNetwork.Node> nodes = src.nodes();
    for (int k = nodes.indexOf(u) + 1; k < nodes.size() && next.equals("?"); k++) {
      if (nodes.get(k) instanceof SourceNetwork.Conv c) next = c.target().name();
    }
    layers.add(new Layer("copies(" + next + ")", 0, 0, 0, 0, ticket));
    return m;
  }

  /**
   * An instance's tolerance: in the source's first conv eps 2^(e_ji - e_j), where 2^e_j and 2^e_ji are the smallest
   * powers of two at least the largest |K| of row j and of its block (j, i), when e_ji is at least 4 below e_j;
   * else eps.
   */
  double tolerance(TargetPlan.Affine a, int j, int i, boolean first) {
    if (!first) return eps;
    double row = 0;
    double block = 0;
    int taps = a.kh() * a.kw();
    for (int i2 = 0; i2 < a.in(); i2++) {
      for (int t = 0; t < taps; t++) {
        double k = Math.abs(a.k(j, i2, t / a.kw(), t % a.kw()));
        row = Math.max(row, k);
        if (i2 == i) block = Math.max(block, k);
      }
    }
    if (block == 0) return eps;
    int er = exponentAtLeast(row);
    int eb = exponentAtLeast(block);
    return er - eb >= 4 ? eps * Math.pow(2, eb - er) : eps;
  }

  static int exponentAtLeast(double m) {
    int e = 0;
    while (Math.pow(2, e) < m) e++;
    while (Math.pow(2, e - 1) >= m) e--;
    return e;
  }

  Map conv(SourceNetwork.Conv c, Map in, boolean act) {
    TargetPlan.Affine a = c.target();
    boolean firstConv = src.convs().get(0) == c;
    Layout lin = in.layout;
    Layout out = c.out();
    boolean uni = lin.kind() == Layout.Kind.UNIVARIATE;
    int taps = a.kh() * a.kw();
    int centre = a.centreA() * a.kw() + a.centreC();
    int[] kept = cert.keptWeights()[c.id()];
    Map m = new Map();
    m.layout = out;
    m.err = new double[out.units()];
    m.constVal = new double[out.units()];
    double[][] iv = interval(a, in.lo, in.hi, act);
    m.lo = iv[0];
    m.hi = iv[1];
    long instances = 0;
    long failed = 0;
    long ticket = 0;
    double maxErr = 0;
    double errorOut = 0;
    List<double[]> ds = new ArrayList<>(); // per instance: its error and tolerance
    for (int o = 0; o < out.units(); o++) {
      long first = (long) o * lin.units() * taps;
      long end = first + (long) lin.units() * taps;
      // per (input channel, tap, side): the instance's exact sum and its extra error; per tap: the bias instance
      BigDecimal[][] sum = new BigDecimal[a.in() * taps][2];
      boolean[] touched = new boolean[a.in() * taps];
      double[][] extra = new double[a.in() * taps][2];
      BigDecimal[] bias = new BigDecimal[taps];
      BigDecimal[] offset = new BigDecimal[taps];
      for (int t = 0; t < taps; t++) {
        bias[t] = BigDecimal.ZERO;
        offset[t] = BigDecimal.ZERO;
        for (int i = 0; i < a.in(); i++) sum[i * taps + t] = new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO};
      }
      boolean[] biasTouched = new boolean[taps];
      for (long idx : kept) {
        if (idx < first || idx >= end) continue;
        int u = (int) ((idx - first) / taps);
        int t = (int) ((idx - first) % taps);
        double w = c.weightAt(seed, idx);
        boolean fromCopy = !lin.isConstant(u) && !out.isConstant(o);
        if (Math.abs(w) > (fromCopy ? tolerance(a, out.channel(o), lin.channel(u), firstConv) : eps)) ticket++;
        if (lin.isConstant(u)) {
          bias[t] = bias[t].add(big(w).multiply(big(in.constVal[u])));
          biasTouched[t] = true;
          continue;
        }
        int i = lin.channel(u);
        int g = i * taps + t;
        touched[g] = true;
        if (uni) {
          double w1 = in.w1[u];
          int side = split(in.lo[i], in.hi[i]) && w1 < 0 ? 1 : 0;
          sum[g][side] = sum[g][side].add(big(w).multiply(big(w1)).multiply(big(slope(w1, in.lo[i], in.hi[i]))));
          extra[g][side] += Math.abs(w) * (remainder(Math.abs(w1) * bIn(in, i))
              + phi.lipschitz() * Math.abs(w1) * in.inErr[i]);
          if (phi.phi0() != 0) {
            offset[t] = offset[t].add(big(w));
            biasTouched[t] = true;
          }
        } else {
          sum[g][0] = sum[g][0].add(big(w));
          extra[g][0] += Math.abs(w) * in.err[u];
        }
      }
      if (out.isConstant(o)) {
        double z = bias[centre].doubleValue();
        m.constVal[o] = act ? phi.value(z) : z;
        continue;
      }
      int j = out.channel(o);
      double err = 0;
      double mp = phi.slopePlus();
      double mm = phi.slopeMinus();
      for (int i = 0; i < a.in(); i++) {
        for (int t = 0; t < taps; t++) {
          int g = i * taps + t;
          BigDecimal k = big(a.k(j, i, t / a.kw(), t % a.kw()));
          if (k.signum() == 0 && !touched[g]) continue;
          double b = bIn(in, i);
          double tol = tolerance(a, j, i, firstConv);
          if (uni && split(in.lo[i], in.hi[i])) {
            double dp = sum[g][0].subtract(k).doubleValue();
            double dm = sum[g][1].subtract(k).doubleValue();
            err += b * Math.max(Math.abs(dp * mp + dm * mm), Math.abs(dp * mm + dm * mp)) / (mp + mm)
                + extra[g][0] + extra[g][1];
            ds.add(new double[] {Math.abs(dp), tol});
            ds.add(new double[] {Math.abs(dm), tol});
          } else {
            double d = sum[g][0].subtract(k).doubleValue();
            err += Math.abs(d) * b + extra[g][0];
            ds.add(new double[] {Math.abs(d), tol});
          }
        }
      }
      BigDecimal phi0 = uni ? big(phi.phi0()) : BigDecimal.ZERO;
      for (int t = 0; t < taps; t++) {
        double target = t == centre ? a.bias()[j] : 0;
        if (!biasTouched[t] && target == 0) continue;
        double d = bias[t].add(phi0.multiply(offset[t])).subtract(big(target)).doubleValue();
        err += Math.abs(d);
        ds.add(new double[] {Math.abs(d), eps});
      }
      m.err[o] = act ? phi.lipschitz() * err : err;
      errorOut = Math.max(errorOut, m.err[o]);
    }
    for (double[] d : ds) {
      instances++;
      if (d[0] > d[1]) failed++;
      maxErr = Math.max(maxErr, d[0]);
    }
    layers.add(new Layer(a.name(), instances, failed, maxErr, errorOut, ticket));
    return m;
  }

  Map residual(SourceNetwork.Residual r, Map in) {
    Map h = conv(r.conv1(), in, true);
    Map b = conv(r.conv2(), h, false);
    Map p = r.projection() != null ? conv(r.projection(), in, false) : null;
    Map m = new Map();
    m.layout = b.layout;
    m.err = new double[b.layout.units()];
    m.constVal = new double[b.layout.units()];
    double[][] sk = p != null ? new double[][] {p.lo, p.hi} : new double[][] {in.lo, in.hi};
    m.lo = new double[b.lo.length];
    m.hi = new double[b.hi.length];
    for (int j = 0; j < b.lo.length; j++) {
      double[] im = phi.image(b.lo[j] + sk[0][j], b.hi[j] + sk[1][j]);
      m.lo[j] = im[0];
      m.hi[j] = im[1];
    }
    for (int o = 0; o < m.err.length; o++) {
      Map skip = p != null ? p : in;
      m.constVal[o] = phi.value(b.constVal[o] + skip.constVal[o]);
      m.err[o] = phi.lipschitz() * (b.err[o] + skip.err[o]);
    }
    return m;
  }

  /** The recursion: the largest output unit's error, with the kernel's documented slack. */
  double bound() {
    Map m = new Map();
    int c = src.plan().inputShape()[0];
    m.layout = Layout.input(c);
    m.err = new double[c];
    m.constVal = new double[c];
    m.lo = new double[c];
    m.hi = new double[c];
    Arrays.fill(m.lo, src.params().inputLow());
    Arrays.fill(m.hi, src.params().inputHigh());
    for (SourceNetwork.Node n : src.nodes()) {
      if (n instanceof SourceNetwork.Univariate u) m = univariate(u, m);
      if (n instanceof SourceNetwork.Conv cv) m = conv(cv, m, cv.target().phiAfter());
      if (n instanceof SourceNetwork.Residual r) m = residual(r, m);
    }
    double[] err = m.err;
    double[] lo = m.lo;
    double[] hi = m.hi;
    // the target's layers kept after upto: errors through |K| (and L after phi), intervals through the target
    for (TargetPlan.Step step : src.tail()) {
      if (step instanceof TargetPlan.Affine a) {
        double[][] iv = interval(a, lo, hi, a.phiAfter());
        err = tail(a, err, a.phiAfter());
        lo = iv[0];
        hi = iv[1];
      } else if (step instanceof TargetPlan.Residual r) {
        double[][] h = interval(r.conv1(), lo, hi, true);
        double[][] b = interval(r.conv2(), h[0], h[1], false);
        double[][] sk = r.projection() != null ? interval(r.projection(), lo, hi, false) : new double[][] {lo, hi};
        double[] e2 = tail(r.conv2(), tail(r.conv1(), err, true), false);
        double[] es = r.projection() != null ? tail(r.projection(), err, false) : err;
        err = new double[e2.length];
        lo = new double[e2.length];
        hi = new double[e2.length];
        for (int j = 0; j < e2.length; j++) {
          err[j] = phi.lipschitz() * (e2[j] + es[j]);
          double[] im = phi.image(b[0][j] + sk[0][j], b[1][j] + sk[1][j]);
          lo[j] = im[0];
          hi[j] = im[1];
        }
      }
    }
    double worst = 0;
    for (double e : err) worst = Math.max(worst, e);
    return worst * (1 + 1e-9) + 1e-12;
  }

  /** A kept target layer: error of output j = sum over inputs and taps of |K| times the input's error. */
  double[] tail(TargetPlan.Affine a, double[] e, boolean act) {
    double[] out = new double[a.out()];
    for (int j = 0; j < a.out(); j++) {
      double s = 0;
      for (int i = 0; i < a.in(); i++) {
        for (int r = 0; r < a.kh(); r++) for (int c = 0; c < a.kw(); c++) s += Math.abs(a.k(j, i, r, c)) * e[i];
      }
      out[j] = act ? phi.lipschitz() * s : s;
    }
    return out;
  }
}
