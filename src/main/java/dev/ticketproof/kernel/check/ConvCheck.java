package dev.ticketproof.kernel.check;

import dev.ticketproof.kernel.Intervals;
import dev.ticketproof.kernel.Layout;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.check.Analysis.Rejection;
import dev.ticketproof.kernel.check.Analysis.State;
import dev.ticketproof.kernel.check.TicketChecker.LayerReport;
import java.util.stream.IntStream;

/**
 * The checks of a convolution: kept weights in range and increasing, grouped into subset-sum instances per (output
 * unit, input channel, tap[, sign]) and per bias tap; every instance's achieved error recomputed in double-double; the
 * unit errors of the layer.
 */
final class ConvCheck {
  private ConvCheck() {}

  /** Per-output-unit results of a conv analysis. */
  private static final class UnitResult {
    double err;
    double constVal = Double.NaN;
    long instances;
    long failed;
    double maxErr;
  }

  static State run(Analysis an, SourceNetwork.Conv c, State in) {
    if (!in.layout.equals(c.in())) {
      throw new Rejection("layer " + c.id() + " reads layout " + c.in() + " but gets " + in.layout);
    }
    TargetPlan.Affine a = c.target();
    boolean act = a.phiAfter();
    Layout out = c.out();
    if (an.cert.keptBiases()[c.id()].length > 0) {
      throw new Rejection("layer " + c.id() + " keeps biases, but only univariate source layers have biases");
    }
    int[] kw = an.cert.keptWeights()[c.id()];
    long size = c.size();
    long perUnit = size / out.units();
    Analysis.increasing(kw, size, "layer " + a.name() + ": weight index");
    int[] starts = new int[out.units() + 1];
    for (int o = 0, k = 0; o <= out.units(); o++) {
      while (k < kw.length && kw[k] < (long) o * perUnit) k++;
      starts[o] = k;
    }
    // nonzero taps of every target row
    int taps = a.kh() * a.kw();
    int per = a.in() * taps;
    int[][] nz = new int[a.out()][];
    for (int j = 0; j < a.out(); j++) {
      int row = j * per;
      nz[j] = IntStream.range(0, per).filter(t -> a.kernel()[row + t] != 0).toArray();
    }
    boolean uni = in.layout.kind() == Layout.Kind.UNIVARIATE;
    boolean[] split = new boolean[a.in()];
    double[] bIn = new double[a.in()];
    for (int i = 0; i < a.in(); i++) {
      bIn[i] = Math.max(Math.abs(in.lo[i]), Math.abs(in.hi[i]));
      split[i] = uni && SourceNetwork.splitChannel(an.phi, in.lo[i], in.hi[i]);
    }
    UnitResult[] res = new UnitResult[out.units()];
    ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(() -> new Scratch(per, taps));
    IntStream.range(0, out.units()).parallel().forEach(o -> {
      res[o] = unit(an, c, in, o, kw, starts[o], starts[o + 1], nz, split, bIn, uni, scratch.get());
    });
    Intervals.Bounds iv = Intervals.affine(a, in.lo, in.hi, act, an.phi);
    State s = new State(out, iv.lo(), iv.hi());
    long inst = 0;
    long failed = 0;
    double maxErr = 0;
    double maxOut = 0;
    for (int o = 0; o < out.units(); o++) {
      UnitResult r = res[o];
      inst += r.instances;
      failed += r.failed;
      maxErr = Math.max(maxErr, r.maxErr);
      if (out.isConstant(o)) {
        s.constVal[o] = act ? an.phi.value(r.constVal) : r.constVal;
      } else {
        s.unitErr[o] = act ? an.lip * r.err : r.err;
        maxOut = Math.max(maxOut, s.unitErr[o]);
      }
    }
    an.report(new LayerReport(a.name(), inst, failed, maxErr, maxOut));
    return s;
  }

  /** Per-thread accumulators, indexed by (i, tap, side) and by tap. */
  private static final class Scratch {
    final double[] hi;
    final double[] lo;
    final double[] extra;
    final boolean[] touched;
    final int[] touchedList;
    final double[] bHi;
    final double[] bLo;
    final double[] offHi;
    final double[] offLo;
    final boolean[] bTouched;
    int nTouched;

    Scratch(int per, int taps) {
      hi = new double[2 * per];
      lo = new double[2 * per];
      extra = new double[2 * per];
      touched = new boolean[2 * per];
      touchedList = new int[2 * per];
      bHi = new double[taps];
      bLo = new double[taps];
      offHi = new double[taps];
      offLo = new double[taps];
      bTouched = new boolean[taps];
    }
  }

  static UnitResult unit(Analysis an, SourceNetwork.Conv c, State in, int o, int[] kw, int from, int to, int[][] nz,
      boolean[] split, double[] bIn, boolean uni, Scratch sc) {
    TargetPlan.Affine a = c.target();
    Layout lin = in.layout;
    Layout out = c.out();
    int taps = a.kh() * a.kw();
    int per = a.in() * taps;
    long inUnits = lin.units();
    long key = c.weightKey(an.seed);
    UnitResult r = new UnitResult();
    int centre = a.centreA() * a.kw() + a.centreC();
    boolean constOut = out.isConstant(o);
    int j = out.channel(o);
    double phi0 = uni ? an.phi.phi0() : 0;
    double mPlus = an.phi.slopePlus();
    double mMinus = an.phi.slopeMinus();
    double mu = mPlus + mMinus;
    sc.nTouched = 0;
    // the instances with a nonzero target come first, in order; kept weights touch the others
    if (!constOut) for (int t : nz[j]) touch(sc, 2 * t);
    for (int k = from; k < to; k++) {
      long rem = kw[k] - (long) o * inUnits * taps;
      int u = (int) (rem / taps);
      int t = (int) (rem % taps);
      if (constOut && (!lin.isConstant(u) || t != centre)) {
        throw new Rejection("layer " + a.name() + ": constant unit " + o + " keeps a weight from "
            + (lin.isConstant(u) ? "a constant unit at a tap other than the centre" : "non-constant unit " + u));
      }
      double w = SourceNetwork.Conv.weightIn(key, kw[k], c.halfWidth(o, u));
      if (lin.isConstant(u)) {
        double cv = in.constVal[u];
        double p = w * cv;
        double pe = Math.fma(w, cv, -p);
        addTo(sc.bHi, sc.bLo, t, p, pe);
        sc.bTouched[t] = true;
        continue;
      }
      int i = lin.channel(u);
      int g;
      double p;
      double pe;
      double extra;
      if (uni) {
        if (!in.alive[u]) {
          throw new Rejection("layer " + a.name() + ": unit " + o + " reads pruned univariate unit " + u);
        }
        double w1 = in.w1[u];
        double f = SourceNetwork.slopeFor(an.phi, w1, in.lo[i], in.hi[i]);
        int side = split[i] && w1 < 0 ? 1 : 0;
        g = 2 * (i * taps + t) + side;
        double ww = w * w1;
        double wwe = Math.fma(w, w1, -ww);
        p = ww * f;
        pe = Math.fma(ww, f, -p) + wwe * f;
        double arg = Math.abs(w1) * bIn[i];
        extra = Math.abs(w) * (an.remainder(arg) + an.lip * Math.abs(w1) * in.inErr[i]);
        if (phi0 != 0) {
          addTo(sc.offHi, sc.offLo, t, w, 0);
          sc.bTouched[t] = true;
        }
      } else {
        g = 2 * (i * taps + t);
        p = w;
        pe = 0;
        extra = Math.abs(w) * in.unitErr[u];
      }
      touch(sc, g);
      addTo(sc.hi, sc.lo, g, p, pe);
      sc.extra[g] += extra;
    }
    if (constOut) { // its value: the sum of w c over the constant units it reads at the centre
      r.constVal = sc.bHi[centre] + sc.bLo[centre];
      sc.bHi[centre] = sc.bLo[centre] = 0;
      sc.bTouched[centre] = false;
      return r;
    }
    double err = 0;
    // every instance: (input channel, tap), or its two sides w1 > 0, w1 < 0 for a split channel
    for (int q = 0; q < sc.nTouched; q++) {
      int g = sc.touchedList[q];
      int t = g / 2;
      int i = t / taps;
      double kval = a.kernel()[j * per + t];
      double tol = c.tolerance(an.eps, j, i);
      if (!split[i]) {
        double d = sc.hi[g] - kval + sc.lo[g];
        err += Math.abs(d) * bIn[i] + sc.extra[g];
        count(r, Math.abs(d), tol);
      } else if ((g & 1) == 0 || !sc.touched[g - 1]) {
        int g0 = g & ~1;
        double dPlus = sc.hi[g0] - kval + sc.lo[g0];
        double dMinus = sc.hi[g0 + 1] - kval + sc.lo[g0 + 1];
        err += bIn[i] * Math.max(Math.abs(dPlus * mPlus + dMinus * mMinus), Math.abs(dPlus * mMinus + dMinus * mPlus))
            / mu + sc.extra[g0] + sc.extra[g0 + 1];
        count(r, Math.abs(dPlus), tol);
        count(r, Math.abs(dMinus), tol);
      }
    }
    for (int q = 0; q < sc.nTouched; q++) {
      int g = sc.touchedList[q];
      sc.touched[g] = false;
      sc.hi[g] = 0;
      sc.lo[g] = 0;
      sc.extra[g] = 0;
    }
    // bias instances, tap by tap
    double bj = a.bias()[j];
    for (int t = 0; t < taps; t++) {
      double target = t == centre ? bj : 0;
      if (!sc.bTouched[t] && target == 0) continue;
      double v = sc.bHi[t] + phi0 * sc.offHi[t];
      double d = (v - target) + sc.bLo[t] + phi0 * sc.offLo[t];
      err += Math.abs(d);
      count(r, Math.abs(d), an.eps);
      sc.bTouched[t] = false;
      sc.bHi[t] = 0;
      sc.bLo[t] = 0;
      sc.offHi[t] = 0;
      sc.offLo[t] = 0;
    }
    r.err = err;
    return r;
  }

  /** Marks accumulator g as holding an instance (once). */
  private static void touch(Scratch sc, int g) {
    if (!sc.touched[g]) {
      sc.touched[g] = true;
      sc.touchedList[sc.nTouched++] = g;
    }
  }

  static void count(UnitResult r, double e, double eps) {
    r.instances++;
    if (!(e <= eps)) r.failed++;
    r.maxErr = Math.max(r.maxErr, e);
  }

  /** Adds p + pe to the double-double (hi[k], lo[k]). */
  static void addTo(double[] hi, double[] lo, int k, double p, double pe) {
    double s = hi[k] + p;
    double bb = s - hi[k];
    lo[k] += (hi[k] - (s - bb)) + (p - bb) + pe;
    hi[k] = s;
  }
}
