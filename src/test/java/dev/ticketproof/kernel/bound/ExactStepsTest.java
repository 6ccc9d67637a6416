package dev.ticketproof.kernel.bound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.kernel.Layout;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.ZeroTargetMasks;
import dev.ticketproof.kernel.bound.DifferentialBound.State;
import dev.ticketproof.kernel.bound.DifferentialBoundTest.Built;
import dev.ticketproof.kernel.bound.DifferentialBoundTest.Ranges;
import dev.ticketproof.measure.Evaluator;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.AvgPool2d;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Flatten;
import dev.ticketproof.net.GlobalAvgPool;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.MaxPool2d;
import dev.ticketproof.net.Network;
import dev.ticketproof.net.ResidualBlock;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.numbers.core.DD;
import org.junit.jupiter.api.Test;

/**
 * Every step of the differential bound against exact arithmetic, for piecewise-linear phi (whose values are exact
 * in decimal arithmetic). The pass runs node by node as {@code DifferentialBound.of} runs it; at sampled inputs each
 * step's input forms are given values (eta at vertices of [-1, 1]^d or inside, each neuron's residual at -r, r or
 * between), the step's meaning is evaluated in double-double arithmetic (commons-numbers {@code DD}, about 106 bits:
 * its error is far below the rounding of a double) from those values (the target layer K x + b; the ticket's units
 * from the certificate's kept weights, the source weights and the layouts; phi; average and max pooling; residual
 * sums), and every output neuron's form (centre plus coefficients times eta, plus or minus its radius) must contain
 * the exact value. A form that drops an outward-rounding margin is rounded to nearest, and at such
 * samples the exact value lies outside it about half the time; a form whose window is misplaced puts coefficients
 * on the wrong inputs. Coefficients on pixels outside the image must be 0.
 */
class ExactStepsTest {
  /** Exact values of the forms at one sampled input; each map's residuals are drawn once per map and neuron. */
  static final class Sample {
    final double[] eta;
    final SplittableRandom rng;
    final int h0;
    final int w0;
    final IdentityHashMap<Object, DD[]> values = new IdentityHashMap<>();

    Sample(SplittableRandom rng, int c0, int h0, int w0) {
      this.rng = rng;
      this.h0 = h0;
      this.w0 = w0;
      eta = new double[c0 * h0 * w0];
      boolean vertex = rng.nextInt(4) != 0;
      for (int k = 0; k < eta.length; k++) eta[k] = vertex ? (rng.nextBoolean() ? 1 : -1) : 2 * rng.nextDouble() - 1;
    }

    /** A sample at the given eta (the residuals drawn from {@code rng}). */
    Sample(SplittableRandom rng, int h0, int w0, double[] eta) {
      this.rng = rng;
      this.h0 = h0;
      this.w0 = w0;
      this.eta = eta.clone();
    }

    /** A residual fraction in [-1, 1]: mostly an end. */
    double fraction() {
      int k = rng.nextInt(5);
      return k == 0 ? 2 * rng.nextDouble() - 1 : k <= 2 ? 1 : -1;
    }

    /** c + sum a eta, exactly (coefficients on pixels outside the image must be 0). */
    DD centre(FormMap m, int n, String what) {
      DD v = DD.of(m.c[n]);
      if (m.coef == null) return v;
      int pos = n % m.positions();
      int oy = m.originY(pos / m.w);
      int ox = m.originX(pos % m.w);
      int base = n * m.size();
      for (int ch = 0; ch < m.cin; ch++) {
        for (int dy = 0; dy < m.rh; dy++) {
          for (int dx = 0; dx < m.rw; dx++) {
            double a = m.coef[base + (ch * m.rh + dy) * m.rw + dx];
            if (a == 0) continue;
            int iy = oy + dy;
            int ix = ox + dx;
            if (iy < 0 || iy >= h0 || ix < 0 || ix >= w0) {
              throw new AssertionError(what + ": neuron " + n + " has coefficient " + a + " on pixel (" + iy + ", "
                  + ix + ") outside the image");
            }
            v = v.add(DD.of(a).multiply(DD.of(eta[(ch * h0 + iy) * w0 + ix])));
          }
        }
      }
      return v;
    }

    /** Values of every neuron of a map: centre plus a residual within its radius. */
    DD[] of(FormMap m) {
      return values.computeIfAbsent(m, k -> {
        DD[] v = new DD[m.c.length];
        for (int n = 0; n < v.length; n++) {
          v[n] = centre(m, n, "input").add(DD.of(fraction()).multiply(DD.of(m.r[n])));
        }
        return v;
      });
    }

    /** Values of constant units: value plus a residual within the error bound. */
    DD[] constants(double[] val, double[] err) {
      return values.computeIfAbsent(val, k -> {
        DD[] v = new DD[val.length];
        for (int o = 0; o < v.length; o++) {
          v[o] = DD.of(val[o]).add(DD.of(fraction()).multiply(DD.of(err[o])));
        }
        return v;
      });
    }

    /** Every neuron of {@code out} contains its exact value. */
    void check(String what, FormMap out, DD[] exact) {
      assertThat(exact).as(what).hasSize(out.c.length);
      for (int n = 0; n < exact.length; n++) {
        DD off = exact[n].subtract(centre(out, n, what)).abs();
        if (off.subtract(out.r[n]).hi() > 0) {
          throw new AssertionError(what + ": neuron " + n + " exact " + exact[n] + " lies " + off
              + " from the form's centre, radius " + out.r[n]);
        }
      }
    }

    void checkConstants(String what, double[] val, double[] err, DD[] exact, Layout l) {
      for (int o = 0; o < exact.length; o++) {
        if (exact[o] == null || !l.isConstant(o)) continue;
        DD off = exact[o].subtract(DD.of(val[o])).abs();
        if (off.subtract(err[o]).hi() > 0) {
          throw new AssertionError(what + ": constant unit " + o + " exact " + exact[o] + " vs " + val[o] + " +- "
              + err[o]);
        }
      }
    }
  }

  /**
   * phi(v): piecewise-linear phi exactly; tanh, sigmoid, softplus, ELU, SELU, SiLU and hardswish from exp and log in
   * double-double arithmetic (relative error about 2^-100).
   */
  static DD phi(Activation phi, DD v) {
    String name = phi.name();
    if (name.equals("relu") || name.startsWith("leaky-relu")) {
      return v.hi() >= 0 ? v.multiply(DD.of(phi.slopePlus())) : v.multiply(DD.of(phi.slopeMinus()));
    }
    switch (name) {
      case "tanh" -> {
        DD e = exp(v.multiply(2));
        return e.subtract(DD.ONE).divide(e.add(DD.ONE));
      }
      case "sigmoid" -> {
        return sigmoid(v);
      }
      case "softplus" -> {
        // log(1 + e^v) = max(v, 0) + log(1 + e^-|v|)
        return (v.hi() > 0 ? v : DD.ZERO).add(log(DD.ONE.add(exp(v.abs().negate()))));
      }
      case "silu" -> {
        return v.multiply(sigmoid(v));
      }
      case "selu" -> {
        // lambda t, lambda alpha (e^t - 1) with lambda alpha the double product (the kernel's definition)
        double scale = 1.0507009873554805;
        return v.hi() > 0 ? v.multiply(scale) : exp(v).subtract(DD.ONE).multiply(1.6732632423543772 * scale);
      }
      case "hardswish" -> {
        return v.hi() <= -3 ? DD.ZERO : v.hi() >= 3 ? v : v.multiply(v.add(3)).divide(6);
      }
      default -> {
        if (!name.startsWith("elu")) throw new IllegalArgumentException("no exact evaluation of " + name);
        double alpha = name.equals("elu") ? 1 : Double.parseDouble(name.substring(4, name.length() - 1));
        return v.hi() >= 0 ? v : exp(v).subtract(DD.ONE).multiply(alpha);
      }
    }
  }

  static DD sigmoid(DD v) { return DD.ONE.divide(DD.ONE.add(exp(v.negate()))); }

  /** e^v: the Taylor series at v / 2^k (|v / 2^k| &lt;= 2^-10, 12 terms), squared k times. */
  static DD exp(DD v) {
    int k = Math.max(0, Math.getExponent(v.hi()) + 11);
    DD y = v.scalb(-k);
    DD sum = DD.ONE;
    DD term = DD.ONE;
    for (int n = 1; n <= 12; n++) {
      term = term.multiply(y).divide(n);
      sum = sum.add(term);
    }
    for (int i = 0; i < k; i++) sum = sum.square();
    return sum;
  }

  /** log a for a &gt; 0: Halley's iteration y += 2 (a - e^y) / (a + e^y) from the double logarithm. */
  static DD log(DD a) {
    DD y = DD.of(Math.log(a.hi()));
    for (int i = 0; i < 2; i++) {
      DD e = exp(y);
      y = y.add(a.subtract(e).multiply(2).divide(a.add(e)));
    }
    return y;
  }

  /** K x + b (with the bias when {@code bias}) on a map of {@code a.in()} channels of h x w. */
  static DD[] affine(TargetPlan.Affine a, DD[] x, int h, int w, boolean bias) {
    int oh = a.outShape()[1];
    int ow = a.outShape()[2];
    DD[] out = new DD[a.out() * oh * ow];
    for (int j = 0; j < a.out(); j++) {
      for (int y = 0; y < oh; y++) {
        for (int xx = 0; xx < ow; xx++) {
          DD v = bias ? DD.of(a.bias()[j]) : DD.ZERO;
          for (int i = 0; i < a.in(); i++) {
            for (int p = 0; p < a.kh(); p++) {
              for (int q = 0; q < a.kw(); q++) {
                int iy = y * a.stride() - a.ph() + p;
                int ix = xx * a.stride() - a.pw() + q;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                v = v.add(DD.of(a.k(j, i, p, q)).multiply(x[(i * h + iy) * w + ix]));
              }
            }
          }
          out[(j * oh + y) * ow + xx] = v;
        }
      }
    }
    return out;
  }

  /** Average pooling of every unit. */
  static DD[] pool(TargetPlan.Pool p, DD[] x, int units, int h, int w) {
    int kh = p.global() ? h : p.kh();
    int kw = p.global() ? w : p.kw();
    int sh = p.global() ? 1 : p.sh();
    int sw = p.global() ? 1 : p.sw();
    int oh = p.outShape()[1];
    int ow = p.outShape()[2];
    DD[] out = new DD[units * oh * ow];
    DD count = DD.of(kh * kw);
    for (int u = 0; u < units; u++) {
      for (int y = 0; y < oh; y++) {
        for (int xx = 0; xx < ow; xx++) {
          DD v = DD.ZERO;
          for (int a = 0; a < kh; a++) {
            for (int b = 0; b < kw; b++) v = v.add(x[(u * h + y * sh + a) * w + xx * sw + b]);
          }
          out[(u * oh + y) * ow + xx] = v.divide(count);
        }
      }
    }
    return out;
  }

  /**
   * Max pooling of every unit (padding reads nothing): of the target's values {@code x} when {@code d} is null, else
   * of the ticket's: max_i (x_i + d_i) - max_i x_i, the ticket's maximum minus the target's, for unit u of {@code d}
   * representing the target's channel {@code l.channel(u)}.
   */
  static DD[] maxPool(TargetPlan.Pool p, DD[] x, DD[] d, Layout l, int units, int h, int w) {
    int oh = p.outShape()[1];
    int ow = p.outShape()[2];
    DD[] out = new DD[units * oh * ow];
    for (int u = 0; u < units; u++) {
      int j = d == null ? u : l.channel(u);
      for (int y = 0; y < oh; y++) {
        for (int xx = 0; xx < ow; xx++) {
          DD target = null;
          DD ticket = null;
          for (int a = 0; a < p.kh(); a++) {
            for (int b = 0; b < p.kw(); b++) {
              int iy = y * p.sh() - p.ph() + a;
              int ix = xx * p.sw() - p.pw() + b;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              DD t = x[(j * h + iy) * w + ix];
              target = target == null || t.subtract(target).hi() > 0 ? t : target;
              if (d == null) continue;
              DD v = t.add(d[(u * h + iy) * w + ix]);
              ticket = ticket == null || v.subtract(ticket).hi() > 0 ? v : ticket;
            }
          }
          out[(u * oh + y) * ow + xx] = d == null ? target : ticket.subtract(target);
        }
      }
    }
    return out;
  }

  static DD[] sum(DD[] a, DD[] b) {
    DD[] out = new DD[a.length];
    for (int n = 0; n < a.length; n++) out[n] = a[n].add(b[n]);
    return out;
  }

  /** Runs the pass node by node on one box and checks every step at {@code samples} sampled inputs. */
  static final class Walk {
    final Built b;
    final DifferentialBound.Pass pass;
    final Activation phi;
    final long seed;
    final List<Sample> samples = new ArrayList<>();
    final String what;
    int checked;

    /**
     * The geometry of {@link FormMap}: a window that would reach the size of the image makes the map absolute (its
     * window the whole image); else the window is the receptive field, so each of its edge rows and columns carries
     * a coefficient of some neuron (a larger window would only hold zeros and cost doubles of the budget).
     */
    void geometry(String at, FormMap m) { geometry(at, m, true); }

    /**
     * {@link #geometry(String, FormMap)}, the edges checked only when {@code edges}: a max pooling's form is one
     * input's (its reference's), whose window is that input's within the pooled window, so it need not reach every
     * edge.
     */
    void geometry(String at, FormMap m, boolean edges) {
      int h0 = samples.get(0).h0;
      int w0 = samples.get(0).w0;
      maps.add(m);
      if (budget == SYMBOLIC || budget == 0) {
        // every map of these targets fits the default budget; a budget of 0 doubles, or a point, leaves intervals only
        assertThat(m.coef == null).as(at + ": intervals exactly when the budget is 0 or the box a point (budget "
            + budget + ", box " + (wide ? "wide" : "a point") + ")").isEqualTo(budget == 0 || !wide);
      } else if (doubles(m) > budget) {
        assertThat(m.coef).as(at + ": " + doubles(m) + " doubles of coefficients exceed the budget " + budget).isNull();
      }
      if (m.absolute) {
        assertThat(new int[] {m.rh, m.rw}).as(at + ": an absolute window is the image").containsExactly(h0, w0);
        return;
      }
      assertThat(m.rh < h0 && m.rw < w0).as(at + ": window " + m.rh + "x" + m.rw + " below the image " + h0 + "x"
          + w0 + " unless absolute").isTrue();
      if (m.coef == null || !edges) return;
      boolean any = false;
      boolean[] edge = new boolean[4];
      for (int n = 0; n < m.c.length; n++) {
        for (int ch = 0; ch < m.cin; ch++) {
          for (int dy = 0; dy < m.rh; dy++) {
            for (int dx = 0; dx < m.rw; dx++) {
              if (m.coef[n * m.size() + (ch * m.rh + dy) * m.rw + dx] == 0) continue;
              any = true;
              edge[0] |= dy == 0;
              edge[1] |= dy == m.rh - 1;
              edge[2] |= dx == 0;
              edge[3] |= dx == m.rw - 1;
            }
          }
        }
      }
      if (any) assertThat(edge).as(at + ": coefficients on the window's top, bottom, left, right edges").containsOnly(true);
    }

    /**
     * Whether the difference maps' windows must reach every edge: not for a bounded phi, whose images can replace a
     * unit's difference form by an interval ([differential-bound] step 5), leaving the edges of its window without a
     * coefficient.
     */
    boolean diffEdges() { return !PhiBounds.of(phi).bounded(); }

    void geometry(String at, State s) {
      geometry(at + " target", s.target);
      if (s.diff != null) geometry(at + " difference", s.diff, diffEdges());
    }

    final long budget;
    /** Whether the box has width (a point's box holds intervals only: its coefficients would all be 0). */
    final boolean wide;
    /** Every map the walk checked, in order. */
    final List<FormMap> maps = new ArrayList<>();

    Walk(Built b, long budget, double[] lo, double[] hi, int samples, long seed) {
      this(b, budget, lo, hi, samples, seed, new double[0][]);
    }

    /** The walk with a sample at each of {@code at} (values of eta) before the {@code samples} drawn ones. */
    Walk(Built b, long budget, double[] lo, double[] hi, int samples, long seed, double[][] at) {
      this.b = b;
      this.budget = budget;
      this.pass = new DifferentialBound.Pass(b.src(), b.cert(), budget);
      this.phi = b.src().plan().phi();
      this.seed = seed;
      this.what = b.what() + " budget " + budget + " sample seed " + seed;
      int[] in = b.src().plan().inputShape();
      SplittableRandom rng = new SplittableRandom(seed);
      for (double[] eta : at) this.samples.add(new Sample(rng.split(), in[1], in[2], eta));
      for (int k = 0; k < samples; k++) this.samples.add(new Sample(rng.split(), in[0], in[1], in[2]));
      State s = new State();
      s.layout = Layout.input(in[0]);
      boolean wide = false;
      for (int k = 0; k < lo.length; k++) wide |= hi[k] > lo[k];
      this.wide = wide;
      s.target = FormMap.input(in[0], in[1], in[2], lo, hi,
          wide && FormMap.fits(in[0], (long) in[1] * in[2], in[0], budget));
      run(s);
    }

    void run(State s) {
      for (SourceNetwork.Node node : b.src().nodes()) {
        State in = s;
        s = node.accept(new SourceNetwork.Visitor<State>() {
          @Override public State univariate(SourceNetwork.Univariate u) { return univariateStep(u, in); }

          @Override public State conv(SourceNetwork.Conv c) { return activate(convStep(c, in), c.target().phiAfter()); }

          @Override public State pool(SourceNetwork.Pool p) { return poolStep(p.target(), in); }

          @Override public State residual(SourceNetwork.Residual r) {
            State h = activate(convStep(r.conv1(), in), true);
            State br = convStep(r.conv2(), h);
            State sk = r.projection() != null ? convStep(r.projection(), in) : in;
            return activate(sumStep(br, sk), true);
          }
        });
      }
      for (TargetPlan.Step step : b.src().tail()) {
        if (step instanceof TargetPlan.Affine a) {
          s = activate(tail(a, s), a.phiAfter());
        } else if (step instanceof TargetPlan.Pool p) {
          s = poolStep(p, s);
        } else if (step instanceof TargetPlan.Residual r) {
          State h = activate(tail(r.conv1(), s), true);
          State br = tail(r.conv2(), h);
          State sk = r.projection() != null ? tail(r.projection(), s) : s;
          s = activate(sumStep(br, sk), true);
        }
      }
    }

    State univariateStep(SourceNetwork.Univariate u, State in) {
      State out = pass.univariate(u, in);
      long seed = b.src().params().seed();
      for (Sample x : samples) {
        DD[] exact = new DD[out.layout.units()];
        boolean[] kept = new boolean[exact.length];
        for (int o : b.cert().keptBiases()[u.id()]) kept[o] = true;
        for (int o = out.layout.constant(0); o < exact.length; o++) {
          exact[o] = phi(phi, DD.of(kept[o] ? u.beta(seed, o) : 0));
        }
        x.checkConstants(what + " univariate " + u.id(), out.constVal, out.constErr, exact, out.layout);
      }
      checked++;
      return out;
    }

    /**
     * The ticket's value of input unit u at pixel (y, x) of the input state (padding reads 0): the input itself,
     * phi(w1 (x_i + delta_i)) for a univariate unit, x_i + delta_u for a copy, the constant for a constant unit.
     */
    DD unitValue(State in, Sample s, int u, int y, int x) {
      FormMap t = in.target;
      if (y < 0 || y >= t.h || x < 0 || x >= t.w) return DD.ZERO;
      Layout l = in.layout;
      if (l.isConstant(u)) return s.constants(in.constVal, in.constErr)[u];
      int i = l.channel(u);
      int pos = y * t.w + x;
      DD xi = s.of(t)[t.at(i, pos)];
      if (l.kind() == Layout.Kind.UNIVARIATE) {
        DD[] memo = s.values.computeIfAbsent(in.w1, k -> new DD[l.units() * t.positions()]);
        int at = u * t.positions() + pos;
        if (memo[at] == null) {
          DD v = in.diff == null ? xi : xi.add(s.of(in.diff)[in.diff.at(i, pos)]);
          memo[at] = phi(phi, DD.of(in.w1[u]).multiply(v));
        }
        return memo[at];
      }
      return in.diff == null ? xi : xi.add(s.of(in.diff)[in.diff.at(u, pos)]);
    }

    State convStep(SourceNetwork.Conv c, State in) {
      State out = pass.conv(c, in);
      TargetPlan.Affine a = c.target();
      FormMap t = in.target;
      int oh = a.outShape()[1];
      int ow = a.outShape()[2];
      int taps = a.kh() * a.kw();
      int inUnits = c.in().units();
      long seed = b.src().params().seed();
      int[] kw = b.cert().keptWeights()[c.id()];
      String at = what + " " + a.name();
      for (Sample s : samples) {
        DD[] target = affine(a, s.of(t), t.h, t.w, true);
        s.check(at + " target", out.target, target);
        Layout lout = c.out();
        DD[] ticket = new DD[lout.units() * oh * ow];
        java.util.Arrays.fill(ticket, DD.ZERO);
        DD[] consts = new DD[lout.units()];
        for (int idx : kw) {
          int o = idx / (inUnits * taps);
          int u = idx / taps % inUnits;
          int p = idx % taps / a.kw();
          int q = idx % a.kw();
          DD w = DD.of(c.weightAt(seed, idx));
          if (lout.isConstant(o)) {
            assertThat(in.layout.isConstant(u)).as(at + ": a constant unit reads a constant").isTrue();
            DD v = w.multiply(s.constants(in.constVal, in.constErr)[u]);
            consts[o] = consts[o] == null ? v : consts[o].add(v);
            continue;
          }
          for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
              DD v = unitValue(in, s, u, y * a.stride() - a.ph() + p, x * a.stride() - a.pw() + q);
              int n = (o * oh + y) * ow + x;
              ticket[n] = ticket[n].add(w.multiply(v));
            }
          }
        }
        int copies = out.diff.units;
        DD[] diff = new DD[copies * oh * ow];
        for (int o = 0; o < copies; o++) {
          int j = lout.channel(o);
          for (int q = 0; q < oh * ow; q++) diff[o * oh * ow + q] = ticket[o * oh * ow + q].subtract(
              target[j * oh * ow + q]);
        }
        s.check(at + " difference", out.diff, diff);
        for (int o = lout.hasConstants() ? lout.constant(0) : lout.units(); o < lout.units(); o++) {
          if (consts[o] == null) consts[o] = DD.ZERO;
        }
        s.checkConstants(at + " constants", out.constVal, out.constErr, consts, lout);
      }
      geometry(at, out);
      checked++;
      return out;
    }

    State activate(State pre, boolean act) {
      State out = pass.activate(pre, act);
      if (!act) return out;
      Layout l = pre.layout;
      FormMap t = pre.target;
      for (Sample s : samples) {
        DD[] z = s.of(t);
        DD[] target = new DD[z.length];
        for (int n = 0; n < z.length; n++) target[n] = phi(phi, z[n]);
        s.check(what + " phi of the target", out.target, target);
        DD[] d = s.of(pre.diff);
        DD[] diff = new DD[d.length];
        for (int n = 0; n < d.length; n++) {
          int u = n / pre.diff.positions();
          DD zt = z[t.at(l.channel(u), n % pre.diff.positions())];
          diff[n] = phi(phi, zt.add(d[n])).subtract(phi(phi, zt));
        }
        s.check(what + " phi of the difference", out.diff, diff);
        if (out.shared != null) {
          // the next layer's shared slope reads the pre-activation forms as well: the values after phi are phi of
          // the values before it, not any values of the forms after phi
          s.values.put(out.target, target);
          s.values.put(out.diff, diff);
        }
        if (pre.constVal != null) {
          DD[] c = s.constants(pre.constVal, pre.constErr);
          DD[] exact = new DD[c.length];
          for (int o = 0; o < c.length; o++) exact[o] = l.isConstant(o) ? phi(phi, c[o]) : null;
          s.checkConstants(what + " phi of the constants", out.constVal, out.constErr, exact, l);
        }
      }
      geometry(what + " after phi", out);
      checked++;
      return out;
    }

    State poolStep(TargetPlan.Pool p, State in) {
      State out = pass.pool(p, in);
      FormMap t = in.target;
      for (Sample s : samples) {
        if (p.max()) {
          s.check(what + " max-pooled target", out.target, maxPool(p, s.of(t), null, null, t.units, t.h, t.w));
          s.check(what + " max-pooled difference", out.diff,
              maxPool(p, s.of(t), s.of(in.diff), in.layout, in.diff.units, t.h, t.w));
        } else {
          s.check(what + " pooled target", out.target, pool(p, s.of(t), t.units, t.h, t.w));
          s.check(what + " pooled difference", out.diff, pool(p, s.of(in.diff), in.diff.units, in.diff.h, in.diff.w));
        }
      }
      geometry(what + " pooled target", out.target, !p.max());
      geometry(what + " pooled difference", out.diff, !p.max() && diffEdges());
      checked++;
      return out;
    }

    State sumStep(State br, State sk) {
      State out = pass.sum(br, sk);
      for (Sample s : samples) {
        s.check(what + " residual sum of the target", out.target, sum(s.of(br.target), s.of(sk.target)));
        s.check(what + " residual sum of the difference", out.diff, sum(s.of(br.diff), s.of(sk.diff)));
        if (br.constVal != null) {
          DD[] cb = s.constants(br.constVal, br.constErr);
          DD[] cs = s.constants(sk.constVal, sk.constErr);
          DD[] exact = new DD[cb.length];
          for (int o = 0; o < exact.length; o++) exact[o] = br.layout.isConstant(o) ? cb[o].add(cs[o]) : null;
          s.checkConstants(what + " residual sum of the constants", out.constVal, out.constErr, exact, br.layout);
        }
      }
      geometry(what + " residual sum", out);
      checked++;
      return out;
    }

    State tail(TargetPlan.Affine a, State in) {
      State out = pass.tailAffine(a, in);
      for (Sample s : samples) {
        s.check(what + " kept " + a.name() + " target", out.target,
            affine(a, s.of(in.target), in.target.h, in.target.w, true));
        s.check(what + " kept " + a.name() + " difference", out.diff,
            affine(a, s.of(in.diff), in.diff.h, in.diff.w, false));
      }
      geometry(what + " kept " + a.name(), out);
      checked++;
      return out;
    }
  }

  static final long SYMBOLIC = dev.ticketproof.kernel.TicketCertificate.DEFAULT_FORM_BUDGET;

  /** Checks every step on every box of the region, with forms and with intervals; returns the steps checked. */
  static int walk(Built b, Region r, int samples, long seed) {
    int steps = 0;
    for (long budget : new long[] {SYMBOLIC, 0}) {
      for (double[][] box : r.boxes(b.dim())) steps += new Walk(b, budget, box[0], box[1], samples, seed++).checked;
    }
    return steps;
  }

  /** The doubles of coefficients a map holds when it holds them: units x positions x window. */
  static long doubles(FormMap m) { return (long) m.units * m.positions() * m.size(); }

  /**
   * Maps of at most the budget's doubles hold coefficients, larger ones intervals: with the budget the size of the
   * largest map every map holds coefficients; with one double less than any map's size, no map of that size or
   * larger holds coefficients.
   */
  @Test
  void aMapOfExactlyTheBudgetsSizeHoldsCoefficients() {
    long seed = 71;
    Activation phi = ActivationCatalog.parse("relu");
    List<Network> nets = new ArrayList<>(DifferentialBoundTest.targets(phi, Ranges.MIXED, seed));
    nets.addAll(DifferentialBoundTest.wide(phi, Ranges.MIXED, seed));
    for (Network net : nets) {
      Built b = DifferentialBoundTest.build(net, "relu", DifferentialBoundTest.L1, 3, 0.05, -1, 1, null, seed++);
      double[][] box = Region.box(-1, 1).boxes(b.dim()).get(0);
      long[] sizes = new Walk(b, SYMBOLIC, box[0], box[1], 1, seed).maps.stream()
          .mapToLong(ExactStepsTest::doubles).distinct().sorted().toArray();
      long largest = sizes[sizes.length - 1];
      assertThat(new Walk(b, largest, box[0], box[1], 1, seed).maps).as(b.what() + " budget " + largest)
          .allMatch(m -> m.coef != null);
      // one double below each size: the maps of that size or more hold intervals (Walk.geometry checks each map)
      for (long size : sizes) {
        assertThat(new Walk(b, size - 1, box[0], box[1], 1, seed).maps).as(b.what() + " budget " + (size - 1))
            .filteredOn(m -> doubles(m) == size).isNotEmpty();
      }
    }
  }

  /**
   * A mask that keeps a weight where the target weight is 0 ({@link ZeroTargetMasks}): the extra instance of target
   * 0 is in the forms, in the layer reading the univariate layer and in the one reading copies.
   */
  @Test
  void everyStepOfAMaskKeepingWhereTheTargetIsZeroContainsTheExactValues() {
    long seed = 75;
    for (String name : new String[] {"relu", "leaky-relu(0.2)", "tanh"}) {
      Activation phi = ActivationCatalog.parse(name);
      Network net = ZeroTargetMasks.fc(phi);
      Built b = DifferentialBoundTest.build(net, name, DifferentialBoundTest.L1, 4, 0.05, -1, 1, null, seed++);
      TicketCertificate cert = ZeroTargetMasks.keepWhereTheTargetIsZero(b.src(), b.cert());
      Built t = new Built(net, b.phi(), b.src(), cert, Evaluator.of(cert, net), b.what() + " keeping where K = 0");
      SplittableRandom rng = new SplittableRandom(seed);
      Region[] near = ballAndPoint(rng, t.dim());
      for (Region r : new Region[] {Region.box(-1, 1), near[0], near[1]}) {
        assertThat(walk(t, r, 6, seed)).as(t.what()).isGreaterThan(2);
      }
    }
  }

  @Test
  void everyStepOfTheTinyTargetsContainsTheExactValues() {
    long seed = 61;
    for (String name : new String[] {"relu", "leaky-relu(0.2)"}) {
      Activation phi = ActivationCatalog.parse(name);
      List<Network> nets = DifferentialBoundTest.targets(phi, Ranges.MIXED, seed);
      for (int k = 0; k < nets.size(); k++) {
        // 2l covers sequential networks only: the fully connected one and the CNN
        for (SourceNetwork.Construction cons : k < 2 ? new SourceNetwork.Construction[] {DifferentialBoundTest.L1,
            DifferentialBoundTest.L2} : new SourceNetwork.Construction[] {DifferentialBoundTest.L1}) {
          Built b = DifferentialBoundTest.build(nets.get(k), name, cons, 4, 0.05, -1, 1,
              k % 2 == 1 ? DifferentialBoundTest.FIRST[k] : null, seed++);
          SplittableRandom rng = new SplittableRandom(seed);
          Region[] near = ballAndPoint(rng, b.dim());
          for (Region r : new Region[] {Region.box(-1, 1), near[0], near[1]}) {
            assertThat(walk(b, r, 8, seed)).as(b.what()).isGreaterThan(2);
          }
        }
      }
    }
  }

  /**
   * Tickets accurate to about 1e-8 (subset sums of 24 candidates, the 2l construction) on the fully connected target and the
   * CNN: the
   * instance errors d = (sum of kept weights) - K and the biases' errors are then far smaller than the terms they
   * are summed from, so their own rounding is what their margins must cover.
   */
  @Test
  void everyStepOfAccurateTicketsContainsTheExactValues() {
    long seed = 81;
    for (String name : new String[] {"relu", "leaky-relu(0.2)"}) {
      List<Network> nets = DifferentialBoundTest.targets(ActivationCatalog.parse(name), Ranges.MIXED, seed);
      for (int k = 0; k < 2; k++) {
        for (SourceNetwork.Construction cons : new SourceNetwork.Construction[] {DifferentialBoundTest.L2}) {
          Built b = DifferentialBoundTest.build(nets.get(k), name, cons, 24, 1e-8, -1, 1, null, seed++);
          SplittableRandom rng = new SplittableRandom(seed);
          for (Region r : ballAndPoint(rng, b.dim())) assertThat(walk(b, r, 4, seed)).as(b.what()).isGreaterThan(2);
        }
      }
    }
  }

  /**
   * Average pooling whose windows are smaller than its map (the tiny targets' poolings read the whole map): a CNN on
   * 1x6x6, conv 2 (3x3, padding 1) -> phi -> average pooling 2 (stride 2, a 3x3 map) -> fc 2, ReLU, over the box, a
   * ball and a point. A window that reads a row or a column beyond its own puts another pixel's value in the sum.
   */
  @Test
  void everyStepOfAPoolingSmallerThanItsMapContainsTheExactValues() {
    long seed = 97;
    Activation relu = ActivationCatalog.parse("relu");
    SplittableRandom w = new SplittableRandom(seed);
    Ranges r = Ranges.MIXED;
    Network net = new Network(new int[] {1, 6, 6}, List.of(new Conv2d("c1", DifferentialBoundTest.weights(w, r.stemLo(),
        r.wHi(), 2, 1, 3, 3), DifferentialBoundTest.weights(w, r.bLo(), r.bHi(), 2), 1, 1), new ActivationLayer(relu),
        new AvgPool2d(2, 2), new Flatten(), new Linear("fc", DifferentialBoundTest.weights(w, r.wLo(),
        r.wHi(), 2, 18), DifferentialBoundTest.weights(w, r.bLo(), r.bHi(), 2))));
    for (String upto : new String[] {null, "c1"}) {
      Built b = DifferentialBoundTest.build(net, "relu", DifferentialBoundTest.L1, 4, 0.05, -1, 1, upto, seed++);
      SplittableRandom rng = new SplittableRandom(seed);
      Region[] near = ballAndPoint(rng, b.dim());
      for (Region reg : new Region[] {Region.box(-1, 1), near[0], near[1]}) {
        assertThat(walk(b, reg, 8, seed)).as(b.what()).isGreaterThan(2);
      }
    }
  }

  /**
   * A ResNet on 1x9x9 whose windows stay smaller than the image until its block's last conv: stem conv 2 (3x3, stride
   * 2, padding 1; its last row and column of taps read padding at the last output row and column) -> phi -> identity
   * block (conv1 3x3 padding 1: 7x7 windows at origins 2y - 3, reading the stem's 3x3 windows at origins 2y - 1;
   * conv2 3x3 padding 1, whose window reaches the image, so the branch is absolute and the skip is not) -> global
   * pooling -> fc 2.
   */
  static Network stridedResnet(Activation phi, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Ranges r = Ranges.MIXED;
    List<Layer> l = new ArrayList<>();
    l.add(new Conv2d("conv", DifferentialBoundTest.weights(rng, r.stemLo(), r.wHi(), 2, 1, 3, 3),
        DifferentialBoundTest.weights(rng, r.bLo(), r.bHi(), 2), 2, 1));
    l.add(new ActivationLayer(phi));
    l.add(new ResidualBlock("b", new Conv2d("b.conv1", DifferentialBoundTest.weights(rng, r.wLo() / 2, r.wHi() / 2,
        2, 2, 3, 3), DifferentialBoundTest.weights(rng, r.bLo(), r.bHi(), 2), 1, 1),
        DifferentialBoundTest.unitBn("b.bn1", 2), new Conv2d("b.conv2", DifferentialBoundTest.weights(rng,
        r.wLo() / 2, r.wHi() / 2, 2, 2, 3, 3), null, 1, 1), DifferentialBoundTest.unitBn("b.bn2", 2),
        new ResidualBlock.Identity(null), phi));
    l.add(new GlobalAvgPool());
    l.add(new Flatten());
    l.add(new Linear("fc", DifferentialBoundTest.weights(rng, r.wLo(), r.wHi(), 2, 2),
        DifferentialBoundTest.weights(rng, r.bLo(), r.bHi(), 2)));
    return new Network(new int[] {1, 9, 9}, l);
  }

  /**
   * Windows at their own origins under a stride: the strided ResNet on 1x9x9 ({@link #stridedResnet}) with sigmoid
   * (phi(0) != 0: every tap of the stem carries a bias instance, and those of its last row and column read padding
   * at the last output row and column), tanh (the block's conv1 takes the shared slope of the stem's copies at
   * windows offset from its own) and ReLU, over the box, a ball and a point. The residual sum is absolute while its
   * skip is not: each skip neuron's window goes to its own origin in the image. A bias instance added at a position
   * where its tap reads padding, a window placed at the wrong origin, puts a value in the sum that is not there.
   */
  @Test
  void everyStepOfAStridedResNetWithWindowsAtTheirOwnOriginsContainsTheExactValues() {
    long seed = 131;
    for (String name : new String[] {"sigmoid", "tanh", "relu"}) {
      Network net = stridedResnet(ActivationCatalog.parse(name), seed);
      Built b = DifferentialBoundTest.build(net, name, DifferentialBoundTest.L1, 4, 1e-3, -1, 1, null, seed++, 0.5);
      SplittableRandom rng = new SplittableRandom(seed);
      Region[] near = ballAndPoint(rng, b.dim());
      for (Region reg : new Region[] {Region.box(-1, 1), near[0], near[1]}) {
        assertThat(walk(b, reg, 6, seed)).as(b.what()).isGreaterThan(4);
      }
    }
  }

  /**
   * Convs padding their rows and columns unequally on a 1x7x9 image (not square, so that rows and columns cannot
   * stand for each other): conv 2 (1x3, padding (0, 1)) -> phi -> conv 2 (3x1, padding (1, 0)) -> phi -> conv 2 (3x5,
   * stride 2, padding (1, 2): 4x5 outputs) -> phi -> fc 2.
   */
  static Network unequalPaddings(Activation phi, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Ranges r = Ranges.MIXED;
    List<Layer> l = new ArrayList<>();
    l.add(new Conv2d("c1", DifferentialBoundTest.weights(rng, r.stemLo(), r.wHi(), 2, 1, 1, 3),
        DifferentialBoundTest.weights(rng, r.bLo(), r.bHi(), 2), 1, 0, 1));
    l.add(new ActivationLayer(phi));
    l.add(new Conv2d("c2", DifferentialBoundTest.weights(rng, r.wLo() / 2, r.wHi() / 2, 2, 2, 3, 1),
        DifferentialBoundTest.weights(rng, r.bLo(), r.bHi(), 2), 1, 1, 0));
    l.add(new ActivationLayer(phi));
    l.add(new Conv2d("c3", DifferentialBoundTest.weights(rng, r.wLo() / 2, r.wHi() / 2, 2, 2, 3, 5),
        DifferentialBoundTest.weights(rng, r.bLo(), r.bHi(), 2), 2, 1, 2));
    l.add(new ActivationLayer(phi));
    l.add(new Flatten());
    l.add(new Linear("fc", DifferentialBoundTest.weights(rng, r.wLo() / 4, r.wHi() / 4, 2, 40),
        DifferentialBoundTest.weights(rng, r.bLo(), r.bHi(), 2)));
    return new Network(new int[] {1, 7, 9}, l);
  }

  /**
   * Paddings per axis ({@link #unequalPaddings}) with sigmoid (phi(0) != 0: a bias instance at every tap, added only
   * where the tap reads the image, rows and columns each by their own padding), tanh and leaky ReLU (whose slope is
   * never 0, so that every edge of a window keeps coefficients, which the geometry check asks), over the box, a ball
   * and a point, the whole network and up to its first conv. A pass that pads the columns by the rows' padding (or
   * both by one) places the windows and the bias instances where the convs do not read.
   */
  @Test
  void everyStepOfConvsWithUnequalPaddingsContainsTheExactValues() {
    long seed = 151;
    for (String name : new String[] {"sigmoid", "tanh", "leaky-relu(0.2)"}) {
      Network net = unequalPaddings(ActivationCatalog.parse(name), seed);
      for (String upto : new String[] {null, "c1"}) {
        Built b = DifferentialBoundTest.build(net, name, DifferentialBoundTest.L1, 4, 1e-3, -1, 1, upto, seed++, 0.5);
        SplittableRandom rng = new SplittableRandom(seed);
        Region[] near = ballAndPoint(rng, b.dim());
        for (Region reg : new Region[] {Region.box(-1, 1), near[0], near[1]}) {
          assertThat(walk(b, reg, 6, seed)).as(b.what()).isGreaterThan(2);
        }
      }
    }
  }

  /**
   * A CNN on 2x8x8 with a max pooling whose windows are smaller than its map: conv 2 (3x3, padding 1) -> phi -> max
   * pool {@code k} (stride 2, padding {@code pad}; 4x4 or 5x5 windows of the image at origins 2y - 1 - pad) -> fc 2.
   */
  static Network stridedMaxPool(Activation phi, int k, int pad, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Ranges r = Ranges.MIXED;
    return new Network(new int[] {2, 8, 8}, List.of(new Conv2d("c1", DifferentialBoundTest.weights(rng, r.stemLo(),
        r.wHi(), 2, 2, 3, 3), DifferentialBoundTest.weights(rng, r.bLo(), r.bHi(), 2), 1, 1),
        new ActivationLayer(phi), new MaxPool2d(k, 2, pad), new Flatten(),
        new Linear("fc", DifferentialBoundTest.weights(rng, r.wLo(), r.wHi(), 2, 32),
        DifferentialBoundTest.weights(rng, r.bLo(), r.bHi(), 2))));
  }

  /**
   * Max pooling under a stride of 2 whose windows are smaller than its map ({@link #stridedMaxPool}: 2x2 windows,
   * 3x3 with padding 1), ReLU and leaky ReLU, over the box, a ball and a point: the pooled forms hold the maximum of
   * the target's values and the ticket's maximum minus the target's. Where the pooled form is its reference input's
   * form (in some windows of every ball, checked), that form's window goes to its own origin in the pooled map's;
   * the gaps of the window's inputs to the reference come from the differences of forms at different origins.
   */
  @Test
  void everyStepOfAMaxPoolingSmallerThanItsMapUnderAStrideContainsTheExactValues() {
    long seed = 141;
    for (String name : new String[] {"relu", "leaky-relu(0.2)"}) {
      for (int[] kp : new int[][] {{2, 0}, {3, 1}}) {
        Network net = stridedMaxPool(ActivationCatalog.parse(name), kp[0], kp[1], seed);
        for (String upto : new String[] {null, "c1"}) {
          Built b = DifferentialBoundTest.build(net, name, DifferentialBoundTest.L1, 3, 0.05, -1, 1, upto, seed++);
          SplittableRandom rng = new SplittableRandom(seed);
          Region[] near = ballAndPoint(rng, b.dim());
          for (Region reg : new Region[] {Region.box(-1, 1), near[0], near[1]}) {
            assertThat(walk(b, reg, 6, seed)).as(b.what()).isGreaterThan(2);
          }
          // the reference input's form is taken at pooled neurons away from the map's first row
          double[][] ball = near[0].boxes(b.dim()).get(0);
          Walk w = new Walk(b, SYMBOLIC, ball[0], ball[1], 1, seed);
          FormMap pooled = w.maps.stream().filter(m -> m.h == 4 && m.w == 4 && m.rh > 3 && m.coef != null
              && m.sy == 2).findFirst().orElseThrow();
          int referenced = 0;
          for (int n = 0; n < pooled.c.length; n++) {
            if (n % pooled.positions() < pooled.w) continue;
            for (int z = 0; z < pooled.size(); z++) {
              if (pooled.coef[n * pooled.size() + z] != 0) {
                referenced++;
                break;
              }
            }
          }
          assertThat(referenced).as(b.what() + ": pooled neurons below the first row holding a reference's form")
              .isPositive();
        }
      }
    }
  }

  /**
   * Poolings with unequal sides under strides: (a) a CNN on 2x12x10, conv 2 (3x3, padding 1) -> phi -> max pool of
   * 3 x 2 windows, strides 2 and 1, paddings 1 and 0 (2x6x9; windows of the image 5 x 4 at origins (2y - 2, x - 1)) ->
   * conv 2 (3x3, padding 1; windows 9 x 6, still smaller than the image) -> phi -> fc 2; (b) a CNN on 2x7x9, conv 2 ->
   * phi -> average pool of 2 x 3 windows, strides 1 and 2 (2x6x4) -> fc 2.
   */
  static Network rectangularPools(Activation phi, boolean max, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Ranges r = Ranges.MIXED;
    List<Layer> l = new ArrayList<>();
    l.add(new Conv2d("c1", DifferentialBoundTest.weights(rng, r.stemLo(), r.wHi(), 2, 2, 3, 3),
        DifferentialBoundTest.weights(rng, r.bLo(), r.bHi(), 2), 1, 1));
    l.add(new ActivationLayer(phi));
    if (max) {
      l.add(new MaxPool2d(3, 2, 2, 1, 1, 0));
      l.add(new Conv2d("c2", DifferentialBoundTest.weights(rng, r.wLo(), r.wHi(), 2, 2, 3, 3),
          DifferentialBoundTest.weights(rng, r.bLo(), r.bHi(), 2), 1, 1));
      l.add(new ActivationLayer(phi));
    } else {
      l.add(new AvgPool2d(2, 3, 1, 2));
    }
    l.add(new Flatten());
    int features = max ? 2 * 6 * 9 : 2 * 6 * 4;
    l.add(new Linear("fc", DifferentialBoundTest.weights(rng, r.wLo(), r.wHi(), 2, features),
        DifferentialBoundTest.weights(rng, r.bLo(), r.bHi(), 2)));
    return new Network(max ? new int[] {2, 12, 10} : new int[] {2, 7, 9}, l);
  }

  /**
   * Max and average pooling with unequal sides, strides and paddings under strides ({@link #rectangularPools}), ReLU
   * and tanh (average) or leaky ReLU (max), over the box, a ball and a point: every step's forms, the pooled ones and
   * a conv's after the max pooling (whose windows have row and column strides 2 and 1), contain the exact values. A
   * window whose row and column extents, strides or paddings were swapped reads other inputs.
   */
  @Test
  void everyStepOfPoolingsWithUnequalSidesContainsTheExactValues() {
    long seed = 151;
    for (boolean max : new boolean[] {true, false}) {
      for (String name : max ? new String[] {"relu", "leaky-relu(0.2)"} : new String[] {"relu", "tanh"}) {
        Network net = rectangularPools(ActivationCatalog.parse(name), max, seed);
        for (String upto : new String[] {null, "c1"}) {
          Built b = DifferentialBoundTest.build(net, name, DifferentialBoundTest.L1, 3, 0.05, -1, 1, upto, seed++);
          SplittableRandom rng = new SplittableRandom(seed);
          Region[] near = ballAndPoint(rng, b.dim());
          for (Region reg : new Region[] {Region.box(-1, 1), near[0], near[1]}) {
            assertThat(walk(b, reg, 6, seed)).as(b.what()).isGreaterThan(2);
          }
          // the pooled map keeps forms with windows of the image smaller than it: 5 x 4 (max) or 4 x 5 (average)
          double[][] ball = near[0].boxes(b.dim()).get(0);
          Walk w = new Walk(b, SYMBOLIC, ball[0], ball[1], 1, seed);
          assertThat(w.maps).as(b.what()).anyMatch(m -> m.coef != null && !m.absolute
              && (max ? m.h == 6 && m.w == 9 && m.rh == 5 && m.rw == 4 && m.sy == 2 && m.sx == 1
              : m.h == 6 && m.w == 4 && m.rh == 4 && m.rw == 5 && m.sy == 1 && m.sx == 2));
        }
      }
    }
  }

  /**
   * The two-layer chains on a one-dimensional input ({@link DifferentialBoundProperties#smoothChain} of depth 2, as in
   * {@code DifferentialBoundTest.twoLayerChainsOnAnIntervalTheBoundIsWithinAFactorOfTheLargestError}), tanh and
   * sigmoid, l+1 and 2l, over an interval of half-width 0.05: there the second layer's copies take the shared slope
   * of their channel, with forms and with intervals ({@code sharedSlopeIntervals}), which the tiny targets' steps do
   * not reach with intervals.
   */
  @Test
  void everyStepOfTheSmoothChainsContainsTheExactValues() {
    long seed = 95;
    for (String name : new String[] {"tanh", "sigmoid"}) {
      Network net = DifferentialBoundProperties.smoothChain(dev.ticketproof.construct.RandomTargets.rng(1),
          ActivationCatalog.parse(name), 2);
      for (SourceNetwork.Construction cons : new SourceNetwork.Construction[] {DifferentialBoundTest.L1,
          DifferentialBoundTest.L2}) {
        for (double eps : new double[] {0.01, 0.1}) {
          Built b = DifferentialBoundTest.build(net, name, cons, 6, eps, -1, 1, null, 1, 0.5);
          assertThat(walk(b, Region.balls(-1, 1, new double[][] {{-0.2}}, 0.05), 16, seed++)).as(b.what())
              .isGreaterThan(2);
        }
      }
    }
  }

  /**
   * Twice differentiable phi (the relaxations of gridRelax and PhiBounds, the shared slope of the copies of a
   * channel, the remainder of phi's local model), SiLU (with its minimum), and ELU(0.5), SELU and hardswish (without
   * a curvature bound: the secant-slope relaxation of the univariate instances, the difference range).
   */
  @Test
  void everyStepOfSmoothPhiContainsTheExactValues() {
    long seed = 91;
    for (String name : new String[] {"tanh", "sigmoid", "softplus", "elu(0.5)", "silu", "selu", "hardswish"}) {
      List<Network> nets = DifferentialBoundTest.targets(ActivationCatalog.parse(name), Ranges.MIXED, seed);
      for (int k = 0; k < 3; k++) {
        for (SourceNetwork.Construction cons : k < 2 ? new SourceNetwork.Construction[] {DifferentialBoundTest.L1,
            DifferentialBoundTest.L2} : new SourceNetwork.Construction[] {DifferentialBoundTest.L1}) {
          Built b = DifferentialBoundTest.build(nets.get(k), name, cons, 6, 1e-3, -1, 1, null, seed++, 0.5);
          SplittableRandom rng = new SplittableRandom(seed);
          for (Region r : ballAndPoint(rng, b.dim())) assertThat(walk(b, r, 3, seed)).as(b.what()).isGreaterThan(2);
        }
      }
    }
  }

  /**
   * A linear layer on a one-dimensional input (the smooth chains of depth 0) through SELU, ELU(0.5) and ELU(2), whose
   * phi' jumps at 0, on intervals that hold 0 inside one of the 16 subintervals of {@code gridRelax} (not at one of
   * their ends): every copy phi(w_1 x) of a univariate instance has its kink at x = 0, so the instance's g has a kink
   * there, and its grid needs a node at 0 ("Kinks of phi' at 0" of [differential-bound]). Each walk has samples at
   * x = 0 and at x = +-r/32 besides two drawn ones, with forms (with intervals the input is not a form, and a
   * sample's x is not its eta). Without the node, the relaxation's range is the values at the equally spaced points
   * plus the curvature's bulge, and at x = 0 the exact value lies outside the output's form, by 1 % to 15 % of its
   * radius, in 16 of the 27 walks (seeds 2 and 3 of each family).
   */
  @Test
  void everyStepOfALinearLayerAroundTheKinkContainsTheExactValues() {
    long seed = 99;
    int walks = 0;
    for (String name : new String[] {"selu", "elu(0.5)", "elu(2)"}) {
      for (long s = 1; s <= 3; s++) {
        Network net = DifferentialBoundProperties.smoothChain(dev.ticketproof.construct.RandomTargets.rng(s),
            ActivationCatalog.parse(name), 0);
        Built b = DifferentialBoundTest.build(net, name, DifferentialBoundTest.L1, 12, 0.1, -1, 1, null, s, 0.5);
        for (double[] cr : new double[][] {{0.0031, 0.01}, {-0.0047, 0.01}, {0.013, 0.03}}) {
          double lo = cr[0] - cr[1];
          double hi = cr[0] + cr[1];
          assertThat(lo < 0 && hi > 0).as("0 inside [" + lo + ", " + hi + "]").isTrue();
          assertThat(PhiBounds.gridPoints(lo, hi, DifferentialBound.Pass.GRID, false)).as("no point at 0")
              .doesNotContain(0.0);
          // eta of x in the input's form: its centre and half-width as FormMap.input computes them
          double mid = lo + (hi - lo) / 2;
          double half = Math.nextUp(Math.max(hi - mid, mid - lo));
          double[][] at = {{-mid / half}, {(-mid - cr[1] / 32) / half}, {(-mid + cr[1] / 32) / half}};
          Walk w = new Walk(b, SYMBOLIC, new double[] {lo}, new double[] {hi}, 2, seed++, at);
          assertThat(w.checked).as(b.what()).isGreaterThan(1);
          walks++;
        }
      }
    }
    assertThat(walks).isEqualTo(27);
  }

  /** A ball of radius 0.1 around a point of [-1, 1]^dim, then a ball of radius 0 around another (drawn in order). */
  static Region[] ballAndPoint(SplittableRandom rng, int dim) {
    Region ball = Region.balls(-1, 1, new double[][] {DifferentialBoundTest.point(rng, dim, -1, 1)}, 0.1);
    return new Region[] {ball, Region.balls(-1, 1, new double[][] {DifferentialBoundTest.point(rng, dim, -1, 1)}, 0)};
  }

  /** The reference phi agrees with the activations' own double evaluation to a few ulps. */
  @Test
  void theReferencePhiAgreesWithTheActivations() {
    SplittableRandom rng = new SplittableRandom(7);
    for (String name : new String[] {"relu", "leaky-relu(0.2)", "tanh", "sigmoid", "softplus", "elu(0.5)", "silu",
        "selu", "hardswish"}) {
      Activation a = ActivationCatalog.parse(name);
      for (int k = 0; k < 200; k++) {
        double t = (2 * rng.nextDouble() - 1) * (k < 100 ? 1 : 30);
        double ref = phi(a, DD.of(t)).doubleValue();
        assertThat(a.value(t)).as(name + " at " + t).isCloseTo(ref,
            org.assertj.core.data.Offset.offset(4 * Math.ulp(ref) + 1e-300));
      }
    }
    assertThat(log(exp(DD.of(0.3))).subtract(0.3).abs().hi()).isLessThan(1e-28);
  }

  /** A CNN on 1 x h x w: conv 2 (3x3, padding 1) -> phi -> conv 2 (3x3) -> phi -> fc 2. */
  static Network cnn(Activation phi, int h, int w, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Ranges r = Ranges.MIXED;
    List<Layer> l = new ArrayList<>();
    l.add(new Conv2d("c1", DifferentialBoundTest.weights(rng, r.stemLo(), r.wHi(), 2, 1, 3, 3),
        DifferentialBoundTest.weights(rng, r.bLo(), r.bHi(), 2), 1, 1));
    l.add(new ActivationLayer(phi));
    l.add(new Conv2d("c2", DifferentialBoundTest.weights(rng, r.wLo() / 2, r.wHi() / 2, 2, 2, 3, 3),
        DifferentialBoundTest.weights(rng, r.bLo(), r.bHi(), 2), 1, 0));
    l.add(new ActivationLayer(phi));
    l.add(new Flatten());
    l.add(new Linear("fc", DifferentialBoundTest.weights(rng, r.wLo(), r.wHi(), 2, 2 * (h - 2) * (w - 2)),
        DifferentialBoundTest.weights(rng, r.bLo(), r.bHi(), 2)));
    return new Network(new int[] {1, h, w}, l);
  }

  /**
   * A ResNet on 1x12x10: stem conv 2 (3x3, padding 1) -> phi -> identity block (its 5x5 windows summed with the
   * stem's 3x3 ones, offset by a pixel) -> projection block (stride 2) -> global pooling -> fc 2.
   */
  static Network resnet(Activation phi, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Ranges r = Ranges.MIXED;
    List<Layer> l = new ArrayList<>();
    l.add(new Conv2d("conv", DifferentialBoundTest.weights(rng, r.stemLo(), r.wHi(), 2, 1, 3, 3),
        DifferentialBoundTest.weights(rng, r.bLo(), r.bHi(), 2), 1, 1));
    l.add(new ActivationLayer(phi));
    for (int k = 0; k < 2; k++) {
      String n = "b" + k;
      int stride = k + 1;
      Conv2d c1 = new Conv2d(n + ".conv1", DifferentialBoundTest.weights(rng, r.wLo() / 2, r.wHi() / 2, 2, 2, 3, 3),
          DifferentialBoundTest.weights(rng, r.bLo(), r.bHi(), 2), stride, 1);
      Conv2d c2 = new Conv2d(n + ".conv2", DifferentialBoundTest.weights(rng, r.wLo() / 2, r.wHi() / 2, 2, 2, 1, 1),
          null, 1, 0);
      ResidualBlock.Shortcut sc = k == 0 ? new ResidualBlock.Identity(null)
          : new ResidualBlock.Projection(new Conv2d(n + ".proj", DifferentialBoundTest.weights(rng, r.wLo(), r.wHi(),
              2, 2, 1, 1), null, 2, 0), DifferentialBoundTest.unitBn(n + ".projbn", 2));
      l.add(new ResidualBlock(n, c1, DifferentialBoundTest.unitBn(n + ".bn1", 2), c2,
          DifferentialBoundTest.unitBn(n + ".bn2", 2), sc, phi));
    }
    l.add(new GlobalAvgPool());
    l.add(new Flatten());
    l.add(new Linear("fc", DifferentialBoundTest.weights(rng, r.wLo(), r.wHi(), 2, 2),
        DifferentialBoundTest.weights(rng, r.bLo(), r.bHi(), 2)));
    return new Network(new int[] {1, 12, 10}, l);
  }

  /**
   * Images that are not square: CNNs on 1x3x7 and 1x7x3 (the first layer's windows reach the image in one direction
   * only) and the ResNet on 1x12x10 (sums of windows that stay smaller than the image).
   */
  @Test
  void everyStepOnImagesThatAreNotSquareContainsTheExactValues() {
    long seed = 121;
    Activation relu = ActivationCatalog.parse("relu");
    for (Network net : List.of(cnn(relu, 3, 7, seed), cnn(relu, 7, 3, seed + 1), resnet(relu, seed + 2))) {
      Built b = DifferentialBoundTest.build(net, "relu", DifferentialBoundTest.L1, 3, 0.05, -1, 1, null, seed++);
      assertThat(walk(b, Region.box(-1, 1), 2, seed)).as(b.what()).isGreaterThan(3);
    }
  }

  /**
   * The rounding slack covers sums of at most 2^22 terms (Rounding.MAX_TERMS): pooling over 2^22 inputs is summed,
   * over one more refused, and so is a layer whose neurons sum 2^22 products and a bias.
   */
  @Test
  void sumsOfMoreTermsThanTheRoundingSlackCoversAreRefused() {
    Built b = DifferentialBoundTest.build(DifferentialBoundTest.fc(ActivationCatalog.parse("relu"), Ranges.MIXED, 1),
        "relu", DifferentialBoundTest.L1, 2, 0.1, -1, 1, null, 1);
    DifferentialBound.Pass pass = new DifferentialBound.Pass(b.src(), b.cert(), 0);
    int most = (int) Rounding.MAX_TERMS;
    FormMap row = new FormMap(1, 1, most + 1, 1, 1, 0, 0, 1, 1, 1, false, false);
    java.util.Arrays.fill(row.c, 0.5);
    FormMap pooled = pass.poolMap(row, 1, most, 1, 1, 1, 1, 1.0 / most);
    assertThat(pooled.c[0]).as("the mean of 2^22 halves").isEqualTo(0.5);
    assertThatThrownBy(() -> pass.poolMap(row, 1, most + 1, 1, 1, 1, 1, 1.0 / (most + 1)))
        .hasMessageContaining("pool: " + (most + 1) + " terms in one sum");
    double[] kernel = new double[most];
    TargetPlan.Affine wide = new TargetPlan.Affine("wide", 1, 1, 1, most, 1, 0, 0, kernel, new double[1], false,
        new int[] {1, 1, most + 1}, new int[] {1, 1, 2});
    assertThatThrownBy(() -> pass.targetAffine(wide, row)).hasMessageContaining("wide: " + (most + 1) + " terms");
  }

  /**
   * Inputs so large that the ranges overflow: the bound is +infinity, with forms and with intervals; for a bounded phi
   * too, whose images are not taken of ranges that overflowed.
   */
  @Test
  void anOverflowingBoundIsInfinite() {
    for (String phi : new String[] {"relu", "tanh", "sigmoid"}) {
      Built b = DifferentialBoundTest.build(DifferentialBoundTest.fc(ActivationCatalog.parse(phi), Ranges.MIXED, 3),
          phi, DifferentialBoundTest.L1, 2, 0.1, -1, 1, null, 3);
      for (long budget : new long[] {SYMBOLIC, 0}) {
        assertThat(b.bound(Region.box(-1e308, 1e308), budget)).as(phi + " budget " + budget).isInfinite().isPositive();
        assertThat(b.bound(Region.balls(-1e308, 1e308, new double[][] {{1e308, 0, 0}, {0, 0, 0}}, 1e308), budget))
            .as(phi + " balls, budget " + budget).isInfinite().isPositive();
      }
    }
  }

  @Test
  void everyStepOfTheWideTargetsContainsTheExactValues() {
    long seed = 71;
    for (Network net : DifferentialBoundTest.wide(ActivationCatalog.parse("relu"), Ranges.MIXED, seed)) {
      Built b = DifferentialBoundTest.build(net, "relu", DifferentialBoundTest.L1, 3, 0.05, -1, 1, null, seed++);
      SplittableRandom rng = new SplittableRandom(seed);
      Region ball = Region.balls(-1, 1, new double[][] {DifferentialBoundTest.point(rng, b.dim(), -1, 1)}, 0.05);
      assertThat(walk(b, ball, 4, seed)).as(b.what()).isGreaterThan(4);
      assertThat(walk(b, Region.box(-1, 1), 4, seed)).as(b.what()).isGreaterThan(4);
    }
  }
}
