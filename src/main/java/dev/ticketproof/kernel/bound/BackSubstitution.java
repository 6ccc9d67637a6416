package dev.ticketproof.kernel.bound;

import dev.ticketproof.kernel.TargetPlan;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * The back-substituted differential bound ([differential-bound], "Back-substitution"). The forward pass of
 * {@link DifferentialBound} folds what a relaxation leaves open (a unit whose target may sit on either side of a
 * kink, a slope known only within a range) into the radius of that unit's difference, and the layers after multiply
 * radii by the absolute values of their weights: errors that meet again along other paths cannot cancel, and the
 * ticket's copies, which a subset sum recombines with weights of both signs, give many such paths. Here every
 * relaxation error keeps a name: the forward pass records its linear steps (a {@link Tape}), and each output
 * difference is written, step by step from the output back, as an exact linear combination of
 *
 * <ul>
 *   <li>the relaxation errors e_n of the activations, each in the interval the forward pass proved for it
 *       (\( \delta_n = \lambda_n \Delta_n + c_n + e_n \), |e_n| &lt;= r_n);</li>
 *   <li>the target's values at the inputs of the source convs, which the instance errors multiply (their forms in
 *       the input);</li>
 *   <li>the bias instances, and the differences where the tape starts (a univariate layer's reader, max pooling:
 *       their forms from the forward pass).</li>
 * </ul>
 * The input's coefficients of all terms are added before their absolute values are taken, and each relaxation error
 * counts once, with the coefficient all its paths give it. Rounding: the multipliers computed at a step are used as
 * exact multipliers of the next step's identity, and the difference from the exact products (gamma of the number of
 * terms times their magnitudes) is bounded with the forward pass's bound on |value| of the neuron it multiplies.
 */
final class BackSubstitution {
  private BackSubstitution() {}

  /** A recorded step: an identity that gives its output map from its inputs. */
  sealed interface Step permits ConvStep, ActStep, PoolStep, SumStep, TailStep {
    FormMap out();

    /** The same step with each map replaced by {@code f} of it. */
    Step with(UnaryOperator<FormMap> f);
  }

  /** A source conv reading copies: per output unit its kept weights, instance errors and bias taps. */
  record ConvStep(FormMap out, FormMap in, FormMap target, TargetPlan.Affine a, int[][] unit, int[][] tap,
      double[][] w, double[][] d, double[][] dErr, double[][][] bias) implements Step {
    @Override public Step with(UnaryOperator<FormMap> f) {
      return new ConvStep(f.apply(out), f.apply(in), f.apply(target), a, unit, tap, w, d, dErr, bias);
    }
  }

  /** An activation: per difference neuron delta = lambda Delta + c + e, |e| &lt;= r. */
  record ActStep(FormMap out, FormMap in, double[] lambda, double[] c, double[] r) implements Step {
    @Override public Step with(UnaryOperator<FormMap> f) { return new ActStep(f.apply(out), f.apply(in), lambda, c,
        r); }
  }

  /** Average pooling: out(u, y, x) = lambda sum of in(u, y sh + a, x sw + b) over the window inside the map. */
  record PoolStep(FormMap out, FormMap in, int kh, int kw, int sh, int sw, double lambda) implements Step {
    @Override public Step with(UnaryOperator<FormMap> f) {
      return new PoolStep(f.apply(out), f.apply(in), kh, kw, sh, sw, lambda);
    }
  }

  /** A residual sum: out = a + b, neuron by neuron. */
  record SumStep(FormMap out, FormMap a, FormMap b) implements Step {
    @Override public Step with(UnaryOperator<FormMap> f) { return new SumStep(f.apply(out), f.apply(a), f.apply(b)); }
  }

  /** A kept target layer on the differences: out = K in (no bias). */
  record TailStep(FormMap out, FormMap in, TargetPlan.Affine a) implements Step {
    @Override public Step with(UnaryOperator<FormMap> f) { return new TailStep(f.apply(out), f.apply(in), a); }
  }

  /**
   * The linear steps of one forward pass, in the order they ran. A map that a step produces is never where a
   * substitution ends (its multipliers pass on through that step), so of such a map the tape keeps only its centres,
   * radii and bounds on |value|: once the next step is recorded (by then the pass has finished the map), the map is
   * replaced by its {@link FormMap#light} twin in every step, and its coefficients are left to the forward pass, which
   * drops them when it moves on. The maps where the substitutions end keep their forms.
   */
  static final class Tape {
    final List<Step> steps = new ArrayList<>();
    /** Multiply-adds of one back-substitution from one output. */
    double work;
    /** Per map, the forward pass's bound on |value| of each neuron (|c| + spread), computed once for all outputs. */
    private final Map<FormMap, double[]> abs = new IdentityHashMap<>();

    void add(Step step, double cost) {
      light();
      steps.add(step.with(Tape::twin));
      work += cost;
    }

    /** The last step's output replaced by its twin without coefficients, its |value| bounds taken before. */
    void light() {
      if (steps.isEmpty()) return;
      Step last = steps.get(steps.size() - 1);
      FormMap m = last.out();
      if (m.light == m) return;
      double[] a = abs(m);
      abs.remove(m);
      abs.put(m.light(), a);
      steps.set(steps.size() - 1, last.with(Tape::twin));
    }

    /** A map's twin without coefficients, where it has one. */
    static FormMap twin(FormMap m) { return m == null || m.light == null ? m : m.light; }

    synchronized double[] abs(FormMap m) {
      return abs.computeIfAbsent(m, x -> {
        double[] sp = x.spreads();
        for (int n = 0; n < sp.length; n++) sp[n] = FormMap.abs(x.c[n], sp[n]);
        return sp;
      });
    }
  }

  /** The multipliers of one map and what bounds their rounding. */
  private static final class Reg {
    final double[] mu;
    final double[] mass;
    long terms;

    Reg(int n) {
      mu = new double[n];
      mass = new double[n];
    }
  }

  /** The constant, the input's coefficients and the radius of one output's difference, with their magnitudes. */
  static final class Acc {
    final double[] a;
    final double[] aMass;
    double c;
    double cMass;
    double r;
    long terms;
    final int h0;
    final int w0;

    Acc(int c0, int h0, int w0) {
      this.h0 = h0;
      this.w0 = w0;
      a = new double[c0 * h0 * w0];
      aMass = new double[a.length];
    }

    /** + mu * (neuron n of m): its centre, its radius and its coefficients on the input. */
    void form(FormMap m, int n, double mu) {
      c += mu * m.c[n];
      cMass += Math.abs(mu * m.c[n]);
      r += Math.abs(mu) * m.r[n];
      terms++;
      if (m.coef == null) return;
      int hw = m.h * m.w;
      int pos = n % hw;
      int oy = m.originY(pos / m.w);
      int ox = m.originX(pos % m.w);
      int base = n * m.size();
      for (int ch = 0; ch < m.cin; ch++) {
        for (int dy = 0; dy < m.rh; dy++) {
          int iy = oy + dy;
          if (iy < 0 || iy >= h0) continue;
          for (int dx = 0; dx < m.rw; dx++) {
            int ix = ox + dx;
            double k = m.coef[base + (ch * m.rh + dy) * m.rw + dx];
            if (ix < 0 || ix >= w0 || k == 0) continue;
            int z = (ch * h0 + iy) * w0 + ix;
            a[z] += mu * k;
            aMass[z] += Math.abs(mu * k);
          }
        }
      }
    }

    /** + mu (c + e), |e| &lt;= r. */
    void constant(double mu, double cv, double rv) {
      c += mu * cv;
      cMass += Math.abs(mu * cv);
      r += Math.abs(mu) * rv;
      terms++;
    }

    /** |value| over the region, rounded up. */
    double bound() {
      long n = Math.max(1, terms);
      double spread = 0;
      double mass = 0;
      for (int z = 0; z < a.length; z++) {
        spread += Math.abs(a[z]);
        mass += aMass[z];
      }
      double slack = gamma(n) * (cMass + mass) + gamma(n + a.length) * (spread + r);
      return Rounding.up(Math.abs(c) + spread + r + slack);
    }
  }

  /**
   * gamma_n = n u / (1 - n u) for any n &lt; 2^50: {@link Rounding#gamma} up to its limit, beyond it 2^(ceil(log2 n) -
   * 51), since n u &lt;= 1/4 there and gamma_n &lt;= 4/3 n u.
   */
  static double gamma(long n) {
    if (n <= Rounding.MAX_TERMS) return Rounding.gamma(Math.max(1, n));
    return Math.scalb(1.0, 64 - Long.numberOfLeadingZeros(n - 1) - 51);
  }

  /**
   * The largest bound over the output neurons of {@code output}, the final difference map of the tape's pass.
   *
   * @param tape the pass's steps
   * @param output the pass's final difference map
   * @param inputShape the network's input (channels, height, width)
   */
  static double bound(Tape tape, FormMap output, int[] inputShape) {
    tape.light();
    FormMap out = Tape.twin(output);
    return IntStream.range(0, out.c.length).parallel()
        .mapToDouble(k -> bound(tape, out, k, inputShape)).max().orElse(0);
  }

  private static double bound(Tape tape, FormMap output, int k, int[] in) {
    Map<FormMap, Reg> regs = new IdentityHashMap<>();
    Reg top = new Reg(output.c.length);
    top.mu[k] = 1;
    top.mass[k] = 1;
    top.terms = 1;
    regs.put(output, top);
    Acc acc = new Acc(in[0], in[1], in[2]);
    for (int s = tape.steps.size() - 1; s >= 0; s--) {
      Step step = tape.steps.get(s);
      FormMap out = step.out();
      Reg r = regs.remove(out);
      if (r == null) continue;
      acc.r += slack(r, tape.abs(out));
      acc.terms++;
      if (step instanceof ConvStep c) {
        conv(c, r.mu, reg(regs, c.in()), acc, tape.abs(c.target()));
      } else if (step instanceof ActStep a) {
        Reg into = reg(regs, a.in());
        into.terms++;
        for (int n = 0; n < r.mu.length; n++) {
          double mu = r.mu[n];
          if (mu == 0) continue;
          if (a.lambda()[n] != 0) {
            into.mu[n] += mu * a.lambda()[n];
            into.mass[n] += Math.abs(mu * a.lambda()[n]);
          }
          acc.constant(mu, a.c()[n], DifferentialBound.mutation == DifferentialBound.Mutation.DROP_BACK_RADIUS
              ? 0 : a.r()[n]);
        }
      } else if (step instanceof SumStep p) {
        for (FormMap m : new FormMap[] {p.a(), p.b()}) {
          Reg into = reg(regs, m);
          into.terms++;
          for (int n = 0; n < r.mu.length; n++) {
            into.mu[n] += r.mu[n];
            into.mass[n] += Math.abs(r.mu[n]);
          }
        }
      } else if (step instanceof PoolStep p) {
        pool(p, r.mu, reg(regs, p.in()));
      } else if (step instanceof TailStep t) {
        tail(t, r.mu, reg(regs, t.in()));
      }
    }
    // where the tape starts: the forward pass's forms
    for (Map.Entry<FormMap, Reg> e : regs.entrySet()) {
      FormMap m = e.getKey();
      Reg r = e.getValue();
      acc.r += slack(r, tape.abs(m));
      acc.terms++;
      for (int n = 0; n < r.mu.length; n++) if (r.mu[n] != 0) acc.form(m, n, r.mu[n]);
    }
    return acc.bound();
  }

  /** The register of a map (null for the input's exact difference, which has none). */
  private static Reg reg(Map<FormMap, Reg> regs, FormMap m) {
    return m == null ? null : regs.computeIfAbsent(m, x -> new Reg(x.c.length));
  }

  /** gamma(terms) times the magnitudes of a register's multipliers times the forward bound on |value| of each neuron. */
  private static double slack(Reg r, double[] abs) {
    double s = 0;
    for (int n = 0; n < r.mu.length; n++) if (r.mass[n] != 0) s += r.mass[n] * abs[n];
    return s == 0 ? 0 : Rounding.up(gamma(Math.max(1, r.terms)) * s);
  }

  /**
   * A source conv reading copies: Delta z_o(p) = sum_{(u,t)} w delta_u(p + t) + sum_{(i,t)} d x_i(p + t) + sum_t beta_t
   * (taps that read padding left out, as in the forward pass).
   */
  private static void conv(ConvStep c, double[] muOut, Reg into, Acc acc, double[] tAbs) {
    TargetPlan.Affine a = c.a();
    FormMap out = c.out();
    FormMap tin = c.target();
    int taps = a.kh() * a.kw();
    int s = a.stride();
    Reg t = new Reg(tin.c.length);
    double dSlack = 0;
    boolean dropD = DifferentialBound.mutation == DifferentialBound.Mutation.DROP_BACK_INSTANCE;
    long terms = 0;
    for (int o = 0; o < out.units; o++) terms += c.unit()[o].length + c.d()[o].length;
    for (int o = 0; o < out.units; o++) {
      int[] unit = c.unit()[o];
      int[] tap = c.tap()[o];
      double[] w = c.w()[o];
      double[] d = c.d()[o];
      double[] dErr = c.dErr()[o];
      double[][] bias = c.bias()[o];
      for (int y = 0; y < out.h; y++) {
        for (int x = 0; x < out.w; x++) {
          double mu = muOut[out.at(o, y * out.w + x)];
          if (mu == 0) continue;
          for (int q = 0; into != null && q < unit.length; q++) {
            int iy = y * s - a.ph() + tap[q] / a.kw();
            int ix = x * s - a.pw() + tap[q] % a.kw();
            if (iy < 0 || iy >= tin.h || ix < 0 || ix >= tin.w) continue;
            int m = c.in().at(unit[q], iy * tin.w + ix);
            into.mu[m] += mu * w[q];
            into.mass[m] += Math.abs(mu * w[q]);
          }
          for (int g = 0; g < d.length; g++) {
            if (d[g] == 0 && dErr[g] == 0) continue;
            int tp = g % taps;
            int iy = y * s - a.ph() + tp / a.kw();
            int ix = x * s - a.pw() + tp % a.kw();
            if (iy < 0 || iy >= tin.h || ix < 0 || ix >= tin.w) continue;
            int m = tin.at(g / taps, iy * tin.w + ix);
            if (!dropD) {
              t.mu[m] += mu * d[g];
              t.mass[m] += Math.abs(mu * d[g]);
            }
            if (dErr[g] != 0) dSlack += Math.abs(mu) * dErr[g] * tAbs[m];
          }
          for (int tp = 0; tp < taps; tp++) {
            if (bias[0][tp] == 0 && bias[1][tp] == 0) continue;
            int iy = y * s - a.ph() + tp / a.kw();
            int ix = x * s - a.pw() + tp % a.kw();
            if (iy < 0 || iy >= tin.h || ix < 0 || ix >= tin.w) continue;
            acc.constant(mu, bias[0][tp], bias[1][tp]);
          }
        }
      }
    }
    if (into != null) into.terms += terms;
    t.terms = terms;
    acc.r += Rounding.up(dSlack) + slack(t, tAbs);

    acc.terms += 2;
    for (int m = 0; m < t.mu.length; m++) if (t.mu[m] != 0) acc.form(tin, m, t.mu[m]);
  }

  private static void pool(PoolStep p, double[] muOut, Reg into) {
    FormMap out = p.out();
    FormMap in = p.in();
    into.terms += (long) p.kh() * p.kw();
    for (int u = 0; u < out.units; u++) {
      for (int y = 0; y < out.h; y++) {
        for (int x = 0; x < out.w; x++) {
          double mu = muOut[out.at(u, y * out.w + x)];
          if (mu == 0) continue;
          double v = mu * p.lambda();
          for (int a = 0; a < p.kh(); a++) {
            int iy = y * p.sh() + a;
            if (iy >= in.h) continue;
            for (int b = 0; b < p.kw(); b++) {
              int ix = x * p.sw() + b;
              if (ix >= in.w) continue;
              int m = in.at(u, iy * in.w + ix);
              into.mu[m] += v;
              into.mass[m] += Math.abs(v);
            }
          }
        }
      }
    }
  }

  private static void tail(TailStep t, double[] muOut, Reg into) {
    TargetPlan.Affine a = t.a();
    FormMap out = t.out();
    FormMap in = t.in();
    int taps = a.kh() * a.kw();
    int per = a.in() * taps;
    into.terms += (long) out.units * per;
    for (int j = 0; j < out.units; j++) {
      for (int y = 0; y < out.h; y++) {
        for (int x = 0; x < out.w; x++) {
          double mu = muOut[out.at(j, y * out.w + x)];
          if (mu == 0) continue;
          for (int g = 0; g < per; g++) {
            double k = a.kernel()[j * per + g];
            if (k == 0) continue;
            int tp = g % taps;
            int iy = y * a.stride() - a.ph() + tp / a.kw();
            int ix = x * a.stride() - a.pw() + tp % a.kw();
            if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) continue;
            int m = in.at(g / taps, iy * in.w + ix);
            into.mu[m] += mu * k;
            into.mass[m] += Math.abs(mu * k);
          }
        }
      }
    }
  }
}
