package dev.ticketproof.kernel.bound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.kernel.TargetPlan;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The back-substitution on tapes made by hand, against the same identities evaluated forward in exact arithmetic.
 * Each recorded step is an identity that gives its output map from its inputs; composed forward with
 * {@link BigDecimal}, they write every output as an exact sum of input coordinates, named errors (each with its
 * radius) and a constant. Its bound, the constant's absolute value plus the coefficients' absolute values times their
 * ranges, is what the back-substitution computes with exact multipliers. So the computed bound may not lie below it
 * (its rounding slack covers the difference of computed and exact multipliers), and on tapes without cancellation it
 * may lie above it only by its rounding.
 *
 * <p>The networks' tests reach these steps only through what a forward pass records; here a window may hang over
 * the far edge of a map, a conv may read the input's exact difference, a bias tap may be zero or not, and the
 * multipliers of a map may cancel in floating point where they do not in the reals.
 */
class BackSubstitutionTapeTest {
  private static final MathContext EXACT = MathContext.UNLIMITED;

  /** An error term of the identities, with its radius: distinct objects are distinct errors. */
  private static final class Err {
    final BigDecimal radius;

    Err(double radius) { this.radius = new BigDecimal(radius); }
  }

  /** A neuron as constant + sum of coefficients times atoms (an input coordinate, an Integer, or an {@link Err}). */
  private static final class Expr {
    BigDecimal c = BigDecimal.ZERO;
    final Map<Object, BigDecimal> k = new HashMap<>();

    void add(Expr e, double mult) {
      BigDecimal m = new BigDecimal(mult);
      c = c.add(e.c.multiply(m, EXACT));
      e.k.forEach((atom, v) -> atom(atom, v.multiply(m, EXACT)));
    }

    void atom(Object atom, BigDecimal v) { k.merge(atom, v, BigDecimal::add); }

    /** |c| + sum |coefficient| * range (1 for an input coordinate, the radius for an error). */
    BigDecimal bound() {
      BigDecimal b = c.abs();
      for (Map.Entry<Object, BigDecimal> e : k.entrySet()) {
        BigDecimal range = e.getKey() instanceof Err err ? err.radius : BigDecimal.ONE;
        b = b.add(e.getValue().abs().multiply(range, EXACT));
      }
      return b;
    }
  }

  /** The steps' identities evaluated forward; maps that no step produces are forms of the input (FormMap's meaning). */
  private static final class Forward {
    final Map<FormMap, Expr[]> maps = new IdentityHashMap<>();
    final int[] in;

    Forward(int[] in) { this.in = in; }

    Expr[] of(FormMap m) { return maps.computeIfAbsent(m, this::start); }

    private Expr[] start(FormMap m) {
      Expr[] e = new Expr[m.c.length];
      for (int u = 0; u < m.units; u++) {
        for (int y = 0; y < m.h; y++) {
          for (int x = 0; x < m.w; x++) {
            int n = m.at(u, y * m.w + x);
            Expr v = new Expr();
            v.c = new BigDecimal(m.c[n]);
            v.atom(new Err(m.r[n]), BigDecimal.ONE);
            int oy = m.absolute ? 0 : y * m.sy - m.py;
            int ox = m.absolute ? 0 : x * m.sx - m.px;
            for (int ch = 0; m.coef != null && ch < m.cin; ch++) {
              for (int dy = 0; dy < m.rh; dy++) {
                for (int dx = 0; dx < m.rw; dx++) {
                  double k = m.coef[n * m.size() + (ch * m.rh + dy) * m.rw + dx];
                  int iy = oy + dy;
                  int ix = ox + dx;
                  if (iy < 0 || iy >= in[1] || ix < 0 || ix >= in[2]) {
                    assertThat(k).as("a coefficient outside the image").isZero();
                    continue;
                  }
                  v.atom((ch * in[1] + iy) * in[2] + ix, new BigDecimal(k));
                }
              }
            }
            e[n] = v;
          }
        }
      }
      return e;
    }

    void run(BackSubstitution.Step s) {
      FormMap out = s.out();
      Expr[] e = new Expr[out.c.length];
      for (int n = 0; n < e.length; n++) e[n] = new Expr();
      if (s instanceof BackSubstitution.ConvStep c) {
        conv(c, e);
      } else if (s instanceof BackSubstitution.ActStep a) {
        Expr[] x = of(a.in());
        for (int n = 0; n < e.length; n++) {
          e[n].add(x[n], a.lambda()[n]);
          e[n].c = e[n].c.add(new BigDecimal(a.c()[n]));
          e[n].atom(new Err(a.r()[n]), BigDecimal.ONE);
        }
      } else if (s instanceof BackSubstitution.SumStep p) {
        for (int n = 0; n < e.length; n++) {
          e[n].add(of(p.a())[n], 1);
          e[n].add(of(p.b())[n], 1);
        }
      } else if (s instanceof BackSubstitution.PoolStep p) {
        Expr[] x = of(p.in());
        FormMap m = p.in();
        for (int u = 0; u < out.units; u++) {
          for (int y = 0; y < out.h; y++) {
            for (int xx = 0; xx < out.w; xx++) {
              for (int a = 0; a < p.kh(); a++) {
                for (int b = 0; b < p.kw(); b++) {
                  int iy = y * p.sh() + a;
                  int ix = xx * p.sw() + b;
                  if (iy < m.h && ix < m.w) e[out.at(u, y * out.w + xx)].add(x[m.at(u, iy * m.w + ix)], p.lambda());
                }
              }
            }
          }
        }
      } else if (s instanceof BackSubstitution.TailStep t) {
        TargetPlan.Affine a = t.a();
        Expr[] x = of(t.in());
        FormMap m = t.in();
        for (int j = 0; j < out.units; j++) {
          for (int y = 0; y < out.h; y++) {
            for (int xx = 0; xx < out.w; xx++) {
              for (int i = 0; i < a.in(); i++) {
                for (int ty = 0; ty < a.kh(); ty++) {
                  for (int tx = 0; tx < a.kw(); tx++) {
                    int iy = y * a.stride() - a.ph() + ty;
                    int ix = xx * a.stride() - a.pw() + tx;
                    if (iy < 0 || iy >= m.h || ix < 0 || ix >= m.w) continue;
                    e[out.at(j, y * out.w + xx)].add(x[m.at(i, iy * m.w + ix)], a.k(j, i, ty, tx));
                  }
                }
              }
            }
          }
        }
      }
      maps.put(out, e);
    }

    /** Delta z_o(p) = sum_q w_q delta(unit_q, p s - pad + tap_q) + sum_g (d_g + e) x(g / taps, ...) + bias taps. */
    private void conv(BackSubstitution.ConvStep c, Expr[] e) {
      TargetPlan.Affine a = c.a();
      FormMap out = c.out();
      FormMap t = c.target();
      Expr[] tx = of(t);
      Expr[] dx = c.in() == null ? null : of(c.in());
      int taps = a.kh() * a.kw();
      for (int o = 0; o < out.units; o++) {
        for (int y = 0; y < out.h; y++) {
          for (int x = 0; x < out.w; x++) {
            Expr v = e[out.at(o, y * out.w + x)];
            for (int q = 0; dx != null && q < c.unit()[o].length; q++) {
              int p = inside(a, t, y, x, c.tap()[o][q]);
              if (p >= 0) v.add(dx[c.in().at(c.unit()[o][q], p)], c.w()[o][q]);
            }
            for (int g = 0; g < c.d()[o].length; g++) {
              int p = inside(a, t, y, x, g % taps);
              if (p < 0) continue;
              int m = t.at(g / taps, p);
              v.add(tx[m], c.d()[o][g]);
              v.atom(new Err(c.dErr()[o][g] * FormMap.abs(t.c[m], t.spread(m))), BigDecimal.ONE);
            }
            for (int tp = 0; tp < taps; tp++) {
              if (inside(a, t, y, x, tp) < 0) continue;
              v.c = v.c.add(new BigDecimal(c.bias()[o][0][tp]));
              v.atom(new Err(c.bias()[o][1][tp]), BigDecimal.ONE);
            }
          }
        }
      }
    }

    /** The position that tap tp of output (y, x) reads, or -1 where it reads padding. */
    private static int inside(TargetPlan.Affine a, FormMap t, int y, int x, int tp) {
      int iy = y * a.stride() - a.ph() + tp / a.kw();
      int ix = x * a.stride() - a.pw() + tp % a.kw();
      return iy < 0 || iy >= t.h || ix < 0 || ix >= t.w ? -1 : iy * t.w + ix;
    }
  }

  /** A hand-made tape: its steps in order, its output and its input's shape. */
  private record Made(List<BackSubstitution.Step> steps, FormMap output, int[] in) {
    /** The exact bound: the largest over the outputs of the forward identities' bound. */
    double exact() {
      Forward f = new Forward(in);
      for (BackSubstitution.Step s : steps) f.run(s);
      BigDecimal max = BigDecimal.ZERO;
      for (Expr e : f.of(output)) max = max.max(e.bound());
      return max.doubleValue();
    }

    BackSubstitution.Tape tape() {
      BackSubstitution.Tape t = new BackSubstitution.Tape();
      for (BackSubstitution.Step s : steps) t.add(s, 1);
      return t;
    }

    double bound() { return BackSubstitution.bound(tape(), output, in); }
  }

  /** A map of forms: windows of 3x3 pixels of every channel around each position, random inside the image. */
  private static FormMap forms(SplittableRandom rng, int units, int[] in, double scale) {
    FormMap m = new FormMap(units, in[1], in[2], 1, 1, 1, 1, 3, 3, in[0], false, true);
    for (int u = 0; u < units; u++) {
      for (int y = 0; y < m.h; y++) {
        for (int x = 0; x < m.w; x++) {
          int n = m.at(u, y * m.w + x);
          m.c[n] = scale * (rng.nextDouble() - 0.5);
          m.r[n] = scale * 0.1 * rng.nextDouble();
          for (int ch = 0; ch < in[0]; ch++) {
            for (int dy = 0; dy < 3; dy++) {
              for (int dx = 0; dx < 3; dx++) {
                int iy = y - 1 + dy;
                int ix = x - 1 + dx;
                if (iy < 0 || iy >= in[1] || ix < 0 || ix >= in[2]) continue;
                m.coef[n * m.size() + (ch * 3 + dy) * 3 + dx] = scale * (rng.nextDouble() - 0.5);
              }
            }
          }
        }
      }
    }
    return m;
  }

  /** A map that a step produces, to be given its |value| bound from the identities. */
  private static FormMap produced(int units, int h, int w) {
    return new FormMap(units, h, w, 1, 1, 0, 0, 1, 1, 1, false, false);
  }

  private static double[] random(SplittableRandom rng, int n, double zeros) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = rng.nextDouble() < zeros ? 0 : rng.nextDouble() * 2 - 1;
    return v;
  }

  private static TargetPlan.Affine affine(int out, int in, int k, int stride, int pad, double[] kernel) {
    return new TargetPlan.Affine("t", out, in, k, k, stride, pad, pad, kernel, new double[out], false, null, null);
  }

  /**
   * A source conv of 3x3 taps at stride {@code stride} and padding 1 from {@code in} (or the input's exact difference,
   * null) and the target map {@code t}: per output unit 6 kept weights on random copies and taps, instance errors with
   * and without a rounding of their own, and bias taps of which some are zero.
   */
  private static BackSubstitution.ConvStep conv(SplittableRandom rng, FormMap out, FormMap in, FormMap t, int stride) {
    int taps = 9;
    int[][] unit = new int[out.units][];
    int[][] tap = new int[out.units][];
    double[][] w = new double[out.units][];
    double[][] d = new double[out.units][];
    double[][] dErr = new double[out.units][];
    double[][][] bias = new double[out.units][2][];
    for (int o = 0; o < out.units; o++) {
      int kept = in == null ? 0 : 6;
      unit[o] = new int[kept];
      tap[o] = new int[kept];
      for (int q = 0; q < kept; q++) {
        unit[o][q] = rng.nextInt(in.units);
        tap[o][q] = rng.nextInt(taps);
      }
      w[o] = random(rng, kept, 0);
      d[o] = random(rng, t.units * taps, 0.3);
      dErr[o] = random(rng, t.units * taps, 0.5);
      for (int g = 0; g < dErr[o].length; g++) dErr[o][g] = Math.abs(dErr[o][g]) * 1e-3;
      bias[o][0] = random(rng, taps, 0.4);
      bias[o][1] = random(rng, taps, 0.4);
      for (int tp = 0; tp < taps; tp++) bias[o][1][tp] = Math.abs(bias[o][1][tp]) * 0.1;
    }
    return new BackSubstitution.ConvStep(out, in, t, affine(out.units, t.units, 3, stride, 1, null), unit, tap, w, d,
        dErr, bias);
  }

  /**
   * Every kind of step, with windows over the far edges: a source conv on the input's exact difference, one at stride 2
   * on copies, an activation with zero and nonzero slopes, a 2x2 pooling at stride 2 of a 3x3 map, two kept layers
   * (3x3 with padding, 1x1) summed, and a classifier that reads the whole 2x2 map.
   */
  private static Made everyStep(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int[] in = {2, 5, 5};
    FormMap x0 = forms(rng, 2, in, 1);
    FormMap t = forms(rng, 2, in, 2);
    FormMap d0 = produced(3, 5, 5);
    FormMap d1 = produced(2, 3, 3);
    FormMap d2 = produced(2, 3, 3);
    FormMap d3 = produced(2, 2, 2);
    FormMap d4 = produced(3, 2, 2);
    FormMap d5 = produced(3, 2, 2);
    FormMap d6 = produced(3, 2, 2);
    FormMap d7 = produced(2, 1, 1);
    List<BackSubstitution.Step> steps = new ArrayList<>();
    steps.add(conv(rng, d0, null, x0, 1));
    steps.add(conv(rng, d1, d0, t, 2));
    double[] lambda = random(rng, 18, 0.3);
    double[] r = random(rng, 18, 0.3);
    for (int n = 0; n < 18; n++) r[n] = Math.abs(r[n]);
    steps.add(new BackSubstitution.ActStep(d2, d1, lambda, random(rng, 18, 0.3), r));
    steps.add(new BackSubstitution.PoolStep(d3, d2, 2, 2, 2, 2, 0.25));
    steps.add(new BackSubstitution.TailStep(d4, d3, affine(3, 2, 3, 1, 1, random(rng, 3 * 2 * 9, 0.2))));
    steps.add(new BackSubstitution.TailStep(d5, d3, affine(3, 2, 1, 1, 0, random(rng, 6, 0))));
    steps.add(new BackSubstitution.SumStep(d6, d4, d5));
    steps.add(new BackSubstitution.TailStep(d7, d6, affine(2, 3, 2, 1, 0, random(rng, 2 * 3 * 4, 0))));
    Made m = new Made(steps, d7, in);
    giveBounds(m);
    return m;
  }

  /**
   * Each produced map's centres 0 and radii the bound of its identity, rounded up: a valid bound on |value|, which is
   * all the back-substitution reads of such a map.
   */
  private static void giveBounds(Made m) {
    Forward f = new Forward(m.in());
    for (BackSubstitution.Step s : m.steps()) {
      f.run(s);
      Expr[] e = f.of(s.out());
      for (int n = 0; n < e.length; n++) s.out().r[n] = Math.nextUp(e[n].bound().doubleValue()) * (1 + 1e-12);
    }
  }

  @Test
  void everyKindOfStepGivesTheExactBoundUpToRounding() {
    StringBuilder seen = new StringBuilder();
    for (long seed = 1; seed <= 6; seed++) {
      Made m = everyStep(seed);
      double exact = m.exact();
      double bound = m.bound();
      seen.append(String.format("%nseed %d: exact %.17g, computed %.17g", seed, exact, bound));
      assertThat(bound).as("seed " + seed + seen).isGreaterThanOrEqualTo(exact).isLessThanOrEqualTo(exact * (1 + 1e-8));
    }
    System.out.println("back-substitution on hand-made tapes:" + seen);
  }

  /** The recorded steps hold no coefficients of a map that a step produces; the work is the steps' costs. */
  @Test
  void theTapeKeepsOnlyWhatTheSubstitutionReads() {
    Made m = everyStep(7);
    BackSubstitution.Tape tape = new BackSubstitution.Tape();
    for (int s = 0; s < m.steps().size(); s++) {
      tape.add(m.steps().get(s), s + 0.5);
      if (s > 0) assertThat(tape.steps.get(s - 1).out().light).as("step " + (s - 1) + "'s output").isNotNull();
    }
    assertThat(tape.work).isEqualTo(m.steps().size() * m.steps().size() / 2.0);
    double bound = BackSubstitution.bound(tape, m.output(), m.in());
    assertThat(bound).isEqualTo(m.bound());
    Set<FormMap> outs = Collections.newSetFromMap(new IdentityHashMap<>());
    for (BackSubstitution.Step s : m.steps()) outs.add(s.out());
    for (BackSubstitution.Step s : tape.steps) {
      List<FormMap> maps = new ArrayList<>(List.of(s.out()));
      if (s instanceof BackSubstitution.ConvStep c && c.in() != null) maps.add(c.in());
      if (s instanceof BackSubstitution.ActStep a) maps.add(a.in());
      if (s instanceof BackSubstitution.PoolStep p) maps.add(p.in());
      if (s instanceof BackSubstitution.TailStep t) maps.add(t.in());
      if (s instanceof BackSubstitution.SumStep p) maps.addAll(List.of(p.a(), p.b()));
      for (FormMap f : maps) {
        assertThat(f.light).as("a produced map on the tape is its twin").isSameAs(f);
        assertThat(outs).as("the twin of a produced map").doesNotContain(f);
      }
    }
  }

  /**
   * A produced map with coefficients: once the next step is recorded the tape holds its twin without them, and the
   * twin's bounds on |value| are the map's own (|c| + the coefficients' absolute values + r), taken before the
   * coefficients were left behind, not the twin's |c| + r.
   */
  @Test
  void theTwinKeepsTheBoundsOfTheMapWithItsCoefficients() {
    SplittableRandom rng = new SplittableRandom(11);
    int[] in = {2, 5, 5};
    FormMap heavy = forms(rng, 3, in, 1);
    double[] want = new double[heavy.c.length];
    for (int n = 0; n < want.length; n++) want[n] = FormMap.abs(heavy.c[n], heavy.spread(n));
    FormMap out = produced(3, 5, 5);
    BackSubstitution.Tape tape = new BackSubstitution.Tape();
    tape.add(new BackSubstitution.ActStep(heavy, forms(rng, 3, in, 1), new double[75], new double[75],
        new double[75]), 1);
    tape.add(new BackSubstitution.ActStep(out, heavy, new double[75], new double[75], new double[75]), 1);
    FormMap twin = tape.steps.get(0).out();
    assertThat(twin).isNotSameAs(heavy);
    assertThat(twin.coef).isNull();
    assertThat(tape.abs(twin)).containsExactly(want);
    assertThat(want[0]).isGreaterThan(FormMap.abs(heavy.c[0], heavy.r[0]));
  }

  /**
   * A kept layer of weights 1 + 2^-52 and 1 from two constants that cancel (2^104 and -(2^104 + 2^52)), under a
   * multiplier 1 + 2^-52, summed with a kept layer of weights -(1 + 2^-51) and -(1 + 2^-52) of the same constants. The
   * output is 1, and each layer's value is 0 or 1, so only the constants' own multipliers may be large. In floating
   * point those cancel to 0 (the product (1 + 2^-52)^2 loses 2^-104), in the reals they are 2^-104 and 0: the bound
   * must be at least 1, which only the constants' rounding slack gives.
   *
   * @param viaConv the first layer is a source conv reading the constants as copies, not a kept layer
   * @param produced the constants are an activation's output (slope 1) of a constant map, not where the tape starts
   */
  private static Made cancelling(boolean viaConv, boolean produced) {
    int[] in = {1, 1, 1};
    FormMap x = new FormMap(2, 1, 1, 1, 1, 0, 0, 1, 1, 1, false, true);
    x.c[0] = 0x1p104;
    x.c[1] = -(0x1p104 + 0x1p52);
    List<BackSubstitution.Step> steps = new ArrayList<>();
    FormMap consts = x;
    if (produced) {
      consts = produced(2, 1, 1);
      steps.add(new BackSubstitution.ActStep(consts, x, new double[] {1, 1}, new double[2], new double[2]));
    }
    double m = 1 + 0x1p-52;
    FormMap q = produced(1, 1, 1);
    if (viaConv) {
      FormMap zero = new FormMap(1, 1, 1, 1, 1, 0, 0, 1, 1, 1, false, true);
      steps.add(new BackSubstitution.ConvStep(q, consts, zero, affine(1, 1, 1, 1, 0, null), new int[][] {{0, 1}},
          new int[][] {{0, 0}}, new double[][] {{m, 1}}, new double[][] {{0}}, new double[][] {{0}},
          new double[][][] {{{0}, {0}}}));
    } else {
      steps.add(new BackSubstitution.TailStep(q, consts, affine(1, 2, 1, 1, 0, new double[] {m, 1})));
    }
    FormMap q2 = produced(1, 1, 1);
    steps.add(new BackSubstitution.TailStep(q2, q, affine(1, 1, 1, 1, 0, new double[] {m})));
    FormMap p = produced(1, 1, 1);
    steps.add(new BackSubstitution.TailStep(p, consts, affine(1, 2, 1, 1, 0, new double[] {-(1 + 0x1p-51), -m})));
    FormMap out = produced(1, 1, 1);
    steps.add(new BackSubstitution.SumStep(out, q2, p));
    Made made = new Made(steps, out, in);
    giveBounds(made);
    return made;
  }

  @Test
  void theBoundCoversMultipliersThatCancelOnlyInFloatingPoint() {
    for (boolean viaConv : new boolean[] {false, true}) {
      for (boolean produced : new boolean[] {false, true}) {
        Made m = cancelling(viaConv, produced);
        String what = (viaConv ? "a source conv" : "a kept layer") + (produced ? " of an activation's output" : "");
        assertThat(m.exact()).as(what + ": the exact bound").isEqualTo(1);
        // and at most a few ulps of the magnitudes 2^105 that cancel
        assertThat(m.bound()).as(what).isGreaterThanOrEqualTo(1).isLessThan(0x1p60);
      }
    }
  }

  /**
   * One constant map x = 1 that 102 steps read (or one step 102 times), with multipliers 2^54, then 100 times 2,
   * then -2^54 (in the order the substitution meets them), all summed: the output is 200. In floating point x's
   * multiplier is 0 (2^54 + 2 rounds to 2^54), and only gamma of the 102 terms times their magnitudes (2^55) covers
   * the 200 lost: the slack of one term is 8, and every other map's slack together is about 16.
   *
   * @param kind {@code slope}: each step an activation of slope m_i; {@code centre}: an activation of slope 0 and
   *     centre m_i; {@code sum}: a residual sum of x and a zero map, times m_i by an activation after it; {@code
   *     conv}: one source conv of 102 kept weights m_i on x; {@code instances}: a source conv of 102 output
   *     channels with instance errors m_i on x as its target's input; {@code tail}: a kept layer of 102 output channels
   *     of weights m_i, summed by a kept layer of weights 1; {@code pool}: an 11x11 sum pooling at stride 1, whose 121
   *     windows all hold x's 1, under a kept layer of weights m_i (119 of them 2: the output is 238)
   */
  private static Made manyFeeders(String kind) {
    int[] in = {1, 1, 1};
    FormMap x = new FormMap(1, 1, 1, 1, 1, 0, 0, 1, 1, 1, false, false);
    x.c[0] = 1;
    double[] mult = new double[102];
    mult[0] = -0x1p54;
    for (int i = 1; i <= 100; i++) mult[i] = 2;
    mult[101] = 0x1p54;
    List<BackSubstitution.Step> steps = new ArrayList<>();
    if (!List.of("slope", "centre", "sum").contains(kind)) {
      // one step that reads x 102 times (a pooling: 121), the large terms first
      int n = kind.equals("pool") ? 121 : 102;
      double[] w = new double[n];
      w[0] = 0x1p54;
      for (int i = 1; i < n - 1; i++) w[i] = 2;
      w[n - 1] = -0x1p54;
      FormMap out = produced(1, 1, 1);
      FormMap y = produced(n, 1, 1);
      double[] ones = new double[n];
      Arrays.fill(ones, 1);
      switch (kind) {
        case "conv" -> {
          // 128 target channels: more instance errors than kept weights
          FormMap zero = new FormMap(128, 1, 1, 1, 1, 0, 0, 1, 1, 1, false, false);
          steps.add(new BackSubstitution.ConvStep(out, x, zero, affine(1, 128, 1, 1, 0, null),
              new int[][] {new int[n]}, new int[][] {new int[n]}, new double[][] {w}, new double[][] {new double[128]},
              new double[][] {new double[128]}, new double[][][] {{{0}, {0}}}));
        }
        case "instances" -> {
          double[][] d = new double[n][];
          double[][][] bias = new double[n][][];
          for (int o = 0; o < n; o++) {
            d[o] = new double[] {w[o]};
            bias[o] = new double[][] {{0}, {0}};
          }
          steps.add(new BackSubstitution.ConvStep(y, null, x, affine(n, 1, 1, 1, 0, null), new int[n][0], new int[n][0],
              new double[n][0], d, new double[n][1], bias));
          steps.add(new BackSubstitution.TailStep(out, y, affine(1, n, 1, 1, 0, ones)));
        }
        case "tail" -> {
          // 128 input channels, of which x's first holds 1 and the others 0
          FormMap wide = new FormMap(128, 1, 1, 1, 1, 0, 0, 1, 1, 1, false, false);
          wide.c[0] = 1;
          double[] k = new double[n * 128];
          for (int j = 0; j < n; j++) k[j * 128] = w[j];
          steps.add(new BackSubstitution.TailStep(y, wide, affine(n, 128, 1, 1, 0, k)));
          steps.add(new BackSubstitution.TailStep(out, y, affine(1, n, 1, 1, 0, ones)));
        }
        default -> {
          // windows of 11x11 at stride 1 over a 21x21 map whose centre is 1 and the rest 0: all hold the centre
          FormMap image = new FormMap(1, 21, 21, 1, 1, 0, 0, 1, 1, 1, false, false);
          image.c[10 * 21 + 10] = 1;
          FormMap pooled = produced(1, 11, 11);
          steps.add(new BackSubstitution.PoolStep(pooled, image, 11, 11, 1, 1, 1));
          steps.add(new BackSubstitution.TailStep(out, pooled, affine(1, 1, 11, 1, 0, w)));
        }
      }
      Made made = new Made(steps, out, in);
      giveBounds(made);
      return made;
    }
    List<FormMap> terms = new ArrayList<>();
    for (double v : mult) {
      FormMap y = produced(1, 1, 1);
      switch (kind) {
        case "slope" -> steps.add(new BackSubstitution.ActStep(y, x, new double[] {v}, new double[1], new double[1]));
        case "centre" -> steps.add(new BackSubstitution.ActStep(y, x, new double[1], new double[] {v}, new double[1]));
        default -> {
          FormMap s = produced(1, 1, 1);
          steps.add(new BackSubstitution.SumStep(s, x, new FormMap(1, 1, 1, 1, 1, 0, 0, 1, 1, 1, false, false)));
          steps.add(new BackSubstitution.ActStep(y, s, new double[] {v}, new double[1], new double[1]));
        }
      }
      terms.add(y);
    }
    // the two large terms first, so that every partial sum is small
    FormMap sum = produced(1, 1, 1);
    steps.add(new BackSubstitution.SumStep(sum, terms.get(0), terms.get(101)));
    for (int i = 1; i <= 100; i++) {
      FormMap next = produced(1, 1, 1);
      steps.add(new BackSubstitution.SumStep(next, sum, terms.get(i)));
      sum = next;
    }
    Made made = new Made(steps, sum, in);
    giveBounds(made);
    return made;
  }

  @Test
  void theSlackCountsEveryStepThatFeedsAMap() {
    for (String kind : new String[] {"slope", "centre", "sum", "conv", "instances", "tail", "pool"}) {
      Made m = manyFeeders(kind);
      double output = kind.equals("pool") ? 238 : 200;
      assertThat(m.exact()).as(kind).isEqualTo(output);
      assertThat(m.bound()).as(kind).isGreaterThanOrEqualTo(output).isLessThan(1e6);
    }
  }
}
