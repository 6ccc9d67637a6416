package dev.ticketproof.construct;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.io.TicketWriter;
import dev.ticketproof.kernel.bound.Region;
import dev.ticketproof.kernel.Intervals;
import dev.ticketproof.kernel.Layout;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetHash;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.check.TicketChecker;
import dev.ticketproof.net.Network;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.subsetsum.WidthBound;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.DoubleFunction;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Builds a ticket (a mask of the virtual source network) for a target: the untrusted half of the construction.
 * It walks the source network layer by layer ([conv-decomposition] for the layer that reads the univariate copies,
 * [copy-propagation] after it, [residual] for blocks) and solves one subset-sum instance per (output unit, input
 * channel, tap[, sign]) plus one bias instance per (output unit, tap) over the constant units. The source is never
 * redrawn: an instance without a subset within eps keeps its best subset and counts as failed. The claimed bound
 * is the one the kernel recomputes from the finished mask; the result carries the kernel's full check.
 */
public final class TicketBuilder {
  /** Smallest per-parameter tolerance the output-error search tries. */
  public static final double MIN_EPS = 1e-6;

  /** Tolerance of the coarse stage of a two-scale bias instance. */
  static final double COARSE = 0.5;

  private TicketBuilder() {}

  /**
   * Options of a construction.
   *
   * @param params source network parameters
   * @param eps per-parameter tolerance of every subset-sum instance (absolute: the source's weight ranges follow the
   *     target's scale, so tolerances of 1 or more are meaningful for large targets)
   * @param mode subset-sum solver
   * @param threads worker threads (results do not depend on it)
   * @param targetLabel {@code builtin:NAME} or a path, recorded in the header
   * @param around for a local certificate, the points whose l-infinity balls (clipped to the box) it covers; null
   *     for the whole box
   * @param radius the balls' radius (ignored without points)
   * @param formBudget doubles of coefficients the differential bound keeps per feature map (recorded in the header)
   * @param substitutionWork multiply-adds per box the differential bound's back-substitution may cost (recorded in
   *     the header)
   */
  public record Options(SourceNetwork.Params params, double eps, SubsetSum.Mode mode, int threads,
      String targetLabel, double[][] around, double radius, long formBudget, double substitutionWork) {
    public Options {
      if (!(eps > 0 && eps < Double.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException("tolerance must be finite and > 0, got " + eps);
      }
      if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
      if (around != null) Region.of(params.inputLow(), params.inputHigh(), params.inputBoxes(), around, radius);
      if (formBudget < 1) throw new IllegalArgumentException("form budget must be >= 1, got " + formBudget);
      if (!(substitutionWork >= 0 && substitutionWork < Double.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException("substitution work must be finite and >= 0, got " + substitutionWork);
      }
    }

    /** Options with the default substitution work ({@link TicketCertificate#DEFAULT_SUBSTITUTION_WORK}). */
    public Options(SourceNetwork.Params params, double eps, SubsetSum.Mode mode, int threads, String targetLabel,
        double[][] around, double radius, long formBudget) {
      this(params, eps, mode, threads, targetLabel, around, radius, formBudget,
          TicketCertificate.DEFAULT_SUBSTITUTION_WORK);
    }

    /** Options with the default form budget ({@link TicketCertificate#DEFAULT_FORM_BUDGET}). */
    public Options(SourceNetwork.Params params, double eps, SubsetSum.Mode mode, int threads, String targetLabel,
        double[][] around, double radius) {
      this(params, eps, mode, threads, targetLabel, around, radius, TicketCertificate.DEFAULT_FORM_BUDGET);
    }

    /** Options of a certificate over the whole box. */
    public Options(SourceNetwork.Params params, double eps, SubsetSum.Mode mode, int threads, String targetLabel) {
      this(params, eps, mode, threads, targetLabel, null, Double.NaN);
    }
  }

  /**
   * A built ticket.
   *
   * @param certificate the certificate (claimed bound = the kernel's recomputed bound)
   * @param report the kernel's check of the certificate against the target
   * @param source the source network
   * @param solverFailures instances whose solver found no subset within eps
   * @param instances instances solved
   */
  public record Result(TicketCertificate certificate, TicketChecker.Report report, SourceNetwork source,
      long solverFailures, long instances) {}

  /** Listener for progress: called with the number of output units finished in a layer. */
  public interface Progress {
    void step(String layer, long done, long total);

    /** The listener for the kernel's pass {@code check} (what to claim and the check of the claim, in one). */
    default TicketChecker.Listener kernel(String pass) { return TicketChecker.Listener.NONE; }

    /**
     * After every 64 output units of a layer and after each layer: the source weights kept so far, and the share of
     * the construction done (a layer's share is its subset-sum instances', its target weights times its copies, done
     * in proportion to its units; 1 after the last layer, before the kernel's check).
     */
    default void kept(long keptWeights, double fractionDone) {}

    Progress NONE = (l, d, t) -> { };
  }

  /** Builds and checks a ticket. */
  public static Result build(Network target, Activation phi, Options opt, Progress progress) {
    if (dev.ticketproof.kernel.KernelActivation.of(phi.name()) == null) {
      throw new IllegalArgumentException("the kernel certifies no ticket with activation " + phi.name() + ": it takes "
          + "leaky-relu(a) only with 0 <= a <= 1, and hardtanh(min,max) only with min <= 0 < max (with max = 0 the "
          + "constant units phi(beta), beta in [0, 2], would all be 0); its families: "
          + dev.ticketproof.kernel.KernelActivation.families());
    }
    TargetPlan plan = TargetPlan.of(target, phi);
    SourceNetwork src = SourceNetwork.of(plan, opt.params());
    Builder b = new Builder(src, opt, progress);
    b.run();
    // The kernel recomputes the bound and the failure count from the mask, the certificate claims exactly those, and
    // the kernel's verdict is the one it gives on the claimed certificate (one analysis: TicketChecker.certify).
    String digest = TicketWriter.maskDigest(b.kept, b.keptBias);
    TicketChecker.Certified c = TicketChecker.certify(new TicketCertificate(
        header(opt, TargetHash.of(target), phi, Double.POSITIVE_INFINITY, digest, 0), b.kept, b.keptBias, digest),
        target, phi, progress.kernel("check"), opt.around());
    return new Result(c.certificate(), c.report(), src, b.failures, b.instances);
  }

  /**
   * The outcome of an output-error budget: the ticket built with the largest per-parameter tolerance whose
   * certified bound met the request (or the one with the smallest bound when none did).
   *
   * @param result the ticket
   * @param eps the per-parameter tolerance used
   * @param met whether the certified bound is at most the requested output error
   */
  public record Budget(Result result, double eps, boolean met) {}

  /**
   * Finds a per-parameter tolerance whose certified bound is at most {@code outputEps}. The bound is close to linear
   * in the tolerance while no instance fails, so from {@code startEps} each step moves the tolerance by the factor
   * {@code 0.8 outputEps / bound} (at least halving it), for at most {@code maxBuilds} constructions; the width
   * follows the tolerance through {@code paramsFor} (the theorem's width for {@code --rho auto}). When no
   * construction meets the request, it returns the one with the smallest certified bound and {@code met == false}.
   *
   * @param paramsFor the source parameters for a tolerance
   */
  public static Budget forOutputError(Network target, Activation phi, DoubleFunction<SourceNetwork.Params> paramsFor,
      double outputEps, double startEps, int maxBuilds, SubsetSum.Mode mode, int threads, String label,
      Progress progress) {
    return forOutputError(target, phi, paramsFor, outputEps, startEps, maxBuilds, mode, threads, label, null,
        Double.NaN, TicketCertificate.DEFAULT_FORM_BUDGET, TicketCertificate.DEFAULT_SUBSTITUTION_WORK, progress);
  }

  /**
   * As above, for certificates over the l-infinity balls of radius {@code radius} around {@code around} (null: the
   * whole box), with the differential bound's form budget {@code formBudget} and back-substitution work
   * {@code substitutionWork}.
   */
  public static Budget forOutputError(Network target, Activation phi, DoubleFunction<SourceNetwork.Params> paramsFor,
      double outputEps, double startEps, int maxBuilds, SubsetSum.Mode mode, int threads, String label,
      double[][] around, double radius, long formBudget, double substitutionWork, Progress progress) {
    if (!(outputEps > 0)) throw new IllegalArgumentException("output error goal must be > 0, got " + outputEps);
    Result smallest = null;
    double smallestEps = 0;
    double eps = Math.min(0.5, startEps);
    for (int k = 0; k < maxBuilds; k++) {
      Result r = build(target, phi,
          new Options(paramsFor.apply(eps), eps, mode, threads, label, around, radius, formBudget, substitutionWork),
          progress);
      double bound = r.report().certifiedBound();
      if (bound <= outputEps) return new Budget(r, eps, true);
      if (smallest == null || bound < smallest.report().certifiedBound()) {
        smallest = r;
        smallestEps = eps;
      }
      if (eps <= MIN_EPS) break;
      eps = Math.max(MIN_EPS, eps * Math.min(0.5, 0.8 * outputEps / bound));
    }
    return new Budget(smallest, smallestEps, false);
  }

  /**
   * The theory's predicted number of failed instances: N exp(-rho / C) when rho >= C ln(1/eps) (where
   * [subset-sum] guarantees failure probability at most exp(-rho/C)), else N (no guarantee); N is the kernel's
   * instance count.
   */
  public static double predictedFailures(Result r) {
    int n = r.source().params().rho();
    double eps = r.certificate().header().eps();
    double p = n >= WidthBound.C * Math.log(1 / Math.min(eps, 0.5)) ? Math.exp(-n / WidthBound.C) : 1.0;
    return p * r.report().instances();
  }

  private static TicketCertificate.Header header(Options o, String targetSha, Activation phi, double claim,
      String digest, long failed) {
    SourceNetwork.Params p = o.params();
    // the certificate's version is that of the source definition it was made with
    return new TicketCertificate.Header(p.version(), o.targetLabel(), targetSha, phi.name(),
        p.construction().label(), p.rho(), p.rho1(), p.lambda(), p.seed(), p.inputLow(), p.inputHigh(), p.upto(),
        o.eps(), claim, digest, failed, o.around() == null ? null : Region.digest(o.around()),
        o.around() == null ? Double.NaN : o.radius(), o.formBudget(),
        o.substitutionWork(), p.inputBoxes());
  }

  /** The whole box of a certificate (per-channel intervals when it has them): the inputs its target reads. */
  public static Region box(TicketCertificate.Header h) {
    return Region.of(h.inputLow(), h.inputHigh(), h.inputBoxes(), null, Double.NaN);
  }

  /** Feature-map state the construction needs: layout, constant values, target intervals, univariate weights. */
  private static final class State {
    Layout layout;
    double[] constVal;
    double[] lo;
    double[] hi;
    double[] w1;
    SourceNetwork.Univariate uni;
  }

  private static final class Builder {
    final SourceNetwork src;
    final Options opt;
    final Progress progress;
    final Activation phi;
    final long seed;
    final int[][] kept;
    final int[][] keptBias;
    long failures;
    long instances;
    /** The construction's work in all (instances: target weights times copies per layer), and the work done. */
    final double work;
    double workDone;

    Builder(SourceNetwork src, Options opt, Progress progress) {
      this.src = src;
      this.opt = opt;
      this.progress = progress;
      this.phi = src.plan().phi();
      this.seed = src.params().seed();
      this.kept = new int[src.layerCount()][];
      this.keptBias = new int[src.layerCount()][];
      for (int k = 0; k < kept.length; k++) {
        kept[k] = new int[0];
        keptBias[k] = new int[0];
      }
      double w = 0;
      for (SourceNetwork.Conv c : src.convs()) w += work(c);
      this.work = w;
    }

    /** A layer's share of the work: its subset-sum instances, its target weights times its copies. */
    static double work(SourceNetwork.Conv c) {
      return (double) c.target().kernel().length * Math.max(1, c.out().rho());
    }

    void run() {
      int[] in = src.plan().inputShape();
      State s = new State();
      s.layout = Layout.input(in[0]);
      s.lo = new double[in[0]];
      s.hi = new double[in[0]];
      for (int c = 0; c < in[0]; c++) {
        s.lo[c] = src.params().channelLow(c);
        s.hi[c] = src.params().channelHigh(c);
      }
      for (SourceNetwork.Node node : src.nodes()) s = node.accept(after(s));
    }

    /** Builds a node's part of the mask; the state after the node, from the state before it. */
    SourceNetwork.Visitor<State> after(State in) {
      return new SourceNetwork.Visitor<>() {
        @Override public State univariate(SourceNetwork.Univariate u) { return Builder.this.univariate(u, in); }

        @Override public State conv(SourceNetwork.Conv c) {
          return Builder.this.conv(c, in, c.target().phiAfter() ? zStar() : 1);
        }

        /** Channelwise averages keep the layout, the constants and the intervals. */
        @Override public State pool(SourceNetwork.Pool p) { return in; }

        @Override public State residual(SourceNetwork.Residual r) { return Builder.this.residual(r, in); }
      };
    }

    State residual(SourceNetwork.Residual r, State s) {
      State h = conv(r.conv1(), s, zStar());
      State br = conv(r.conv2(), h, r.projection() == null ? 0 : zStar());
      State skip = r.projection() != null ? conv(r.projection(), s, 0) : s;
      State out = new State();
      out.layout = br.layout;
      out.constVal = new double[br.layout.units()];
      for (int o = 0; o < out.constVal.length; o++) {
        out.constVal[o] = br.layout.isConstant(o) ? phi.value(br.constVal[o] + skip.constVal[o]) : Double.NaN;
      }
      Intervals.Bounds iv = Intervals.residual(br.lo, br.hi, skip.lo, skip.hi, phi);
      out.lo = iv.lo();
      out.hi = iv.hi();
      return out;
    }

    State univariate(SourceNetwork.Univariate u, State in) {
      Layout out = u.out();
      State s = new State();
      s.layout = out;
      s.lo = in.lo;
      s.hi = in.hi;
      s.uni = u;
      s.w1 = new double[out.units()];
      s.constVal = new double[out.units()];
      for (int o = 0; o < out.units(); o++) {
        if (out.isConstant(o)) {
          s.constVal[o] = phi.value(u.beta(seed, o));
        } else {
          s.w1[o] = u.w1(seed, o);
          s.constVal[o] = Double.NaN;
        }
      }
      return s;
    }

    /** Keeps exactly the univariate weights and biases that the layer reading them uses. */
    void finishUnivariate(SourceNetwork.Univariate u, int[] readerKept, SourceNetwork.Conv reader) {
      int taps = reader.target().kh() * reader.target().kw();
      int inUnits = reader.in().units();
      boolean[] used = new boolean[inUnits];
      for (int idx : readerKept) used[(idx / taps) % inUnits] = true;
      Layout out = u.out();
      int srcIn = u.in().units();
      List<Integer> w = new ArrayList<>();
      List<Integer> b = new ArrayList<>();
      for (int o = 0; o < out.units(); o++) {
        if (!used[o]) continue;
        if (out.isConstant(o)) {
          b.add(o);
        } else {
          w.add(o * srcIn + out.channel(o));
        }
      }
      kept[u.id()] = w.stream().mapToInt(Integer::intValue).toArray();
      keptBias[u.id()] = b.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The pre-activation value constant output units aim at: phi(z*) != 0 with z* = 0 when phi(0) != 0, else 1.
     * A layer without phi after it aims at 1; in a residual block the branch aims at 0 beside an identity skip (whose
     * constants carry the value), and the projection at 0 beside a branch that aims at z*.
     */
    double zStar() { return phi.phi0() != 0 ? 0.0 : 1.0; }

    State conv(SourceNetwork.Conv c, State in, double constTarget) {
      boolean act = c.target().phiAfter();
      TargetPlan.Affine a = c.target();
      Layout out = c.out();
      int units = out.units();
      int[][] perUnit = new int[units][];
      double[] z = new double[units];
      long[] fails = new long[units];
      long[] inst = new long[units];
      boolean[] split = new boolean[a.in()];
      boolean uni = in.layout.kind() == Layout.Kind.UNIVARIATE;
      for (int i = 0; i < a.in(); i++) split[i] = uni && SourceNetwork.splitChannel(phi, in.lo[i], in.hi[i]);
      // per copy unit, the factor of its weights in the subset sums: w1 times the slope phi passes on (1 when the
      // input is not univariate), computed once for the layer instead of once per instance
      double[] factor = new double[in.layout.units()];
      Arrays.fill(factor, 1);
      for (int i = 0; uni && i < a.in(); i++) {
        for (int m = 0; m < in.layout.rho(); m++) {
          int u = in.layout.copy(i, m);
          factor[u] = in.w1[u] * SourceNetwork.slopeFor(phi, in.w1[u], in.lo[i], in.hi[i]);
        }
      }
      long before = keptSoFar();
      // units finished; the first units all finished (a prefix, whatever the threads' order) and the weights they
      // keep, reported every 64 units, so that a ticket too large for the heap is known within its first layers
      long[] done = {0, 0, 0};
      IntConsumer work = o -> {
        UnitSolver us = new UnitSolver(c, in, split, factor, constTarget);
        int[] unitKept = us.solve(o);
        z[o] = us.z;
        fails[o] = us.fails;
        inst[o] = us.instances;
        synchronized (done) {
          perUnit[o] = unitKept;
          done[0]++;
          if (done[0] % 64 == 0 || done[0] == units) progress.step(a.name(), done[0], units);
          while (done[1] < units && perUnit[(int) done[1]] != null) {
            done[2] += perUnit[(int) done[1]++].length;
            if (done[1] % 64 == 0 && done[1] < units) {
              progress.kept(before + done[2], (workDone + work(c) * done[1] / units) / Builder.this.work);
            }
          }
        }
      };
      parallel(units, work);
      int total = 0;
      for (int[] p : perUnit) total += p.length;
      int[] all = new int[total];
      int pos = 0;
      for (int[] p : perUnit) {
        System.arraycopy(p, 0, all, pos, p.length);
        pos += p.length;
      }
      kept[c.id()] = all;
      for (int o = 0; o < units; o++) {
        failures += fails[o];
        instances += inst[o];
      }
      if (uni) finishUnivariate(in.uni, all, c);
      workDone += work(c);
      progress.kept(keptSoFar(), Math.min(1, workDone / Builder.this.work));
      State s = new State();
      s.layout = out;
      s.constVal = new double[units];
      for (int o = 0; o < units; o++) {
        s.constVal[o] = out.isConstant(o) ? (act ? phi.value(z[o]) : z[o]) : Double.NaN;
      }
      Intervals.Bounds iv = Intervals.affine(a, in.lo, in.hi, act, phi);
      s.lo = iv.lo();
      s.hi = iv.hi();
      return s;
    }

    /** The weights and biases kept by the layers built so far. */
    long keptSoFar() {
      long n = 0;
      for (int k = 0; k < kept.length; k++) n += kept[k].length + keptBias[k].length;
      return n;
    }

    void parallel(int n, IntConsumer work) {
      if (opt.threads() == 1) {
        for (int o = 0; o < n; o++) work.accept(o);
        return;
      }
      ForkJoinPool pool = new ForkJoinPool(opt.threads());
      try {
        pool.submit(() -> IntStream.range(0, n).parallel().forEach(work)).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException re) throw re;
        throw new IllegalStateException(cause);
      } finally {
        pool.shutdown();
      }
    }

    /** Solves all instances of one output unit. */
    private final class UnitSolver {
      final SourceNetwork.Conv c;
      final State in;
      final boolean[] split;
      final double[] factor;
      final double constTarget;
      long fails;
      long instances;
      double z;
      int[] buf = new int[64];
      int n;

      UnitSolver(SourceNetwork.Conv c, State in, boolean[] split, double[] factor, double constTarget) {
        this.constTarget = constTarget;
        this.c = c;
        this.in = in;
        this.split = split;
        this.factor = factor;
      }

      void add(int idx) {
        if (n == buf.length) buf = Arrays.copyOf(buf, 2 * n);
        buf[n++] = idx;
      }

      int[] solve(int o) {
        TargetPlan.Affine a = c.target();
        Layout lin = in.layout;
        int rho = lin.rho();
        int consts = lin.constants();
        int kw = a.kw();
        int taps = a.kh() * kw;
        int centreA = a.centreA();
        int centreC = a.centreC();
        double eps = opt.eps();
        SubsetSum.Mode mode = opt.mode();
        long key = c.weightKey(seed);
        if (c.out().isConstant(o)) {
          if (!lin.hasConstants()) return new int[0];
          // constant outputs read the unit-scale constant units (the large-scale ones exist to cancel offsets)
          int from = c.largeConstants();
          double[] base = new double[consts - from];
          int[] idx = new int[consts - from];
          for (int m = 0; m < consts - from; m++) {
            int u = lin.constant(from + m);
            idx[m] = c.index(o, u, centreA, centreC);
            base[m] = SourceNetwork.Conv.weightIn(key, idx[m], c.halfWidth(o, u)) * in.constVal[u];
          }
          SubsetSum.Solution sol = SubsetSum.solve(base, constTarget, eps, mode);
          count(sol);
          double s = 0;
          for (int k = 0; k < sol.size(); k++) {
            add(idx[sol.index(k)]);
            s += base[sol.index(k)];
          }
          z = s;
          return sorted();
        }
        int j = c.out().channel(o);
        double phi0 = in.layout.kind() == Layout.Kind.UNIVARIATE ? phi.phi0() : 0;
        double[] offset = phi0 != 0 ? new double[taps] : null;
        double[] base = new double[Math.max(rho, consts)];
        int[] idx = new int[Math.max(rho, consts)];
        int per = a.in() * taps;
        for (int i = 0; i < a.in(); i++) {
          double copyWidth = c.halfWidth(o, lin.copy(i, 0)); // the same for every copy of channel i
          double tol = c.tolerance(eps, j, i);
          for (int t = 0; t < taps; t++) {
            double kval = a.kernel()[j * per + i * taps + t];
            if (kval == 0) continue;
            int ta = t / kw;
            int tc = t % kw;
            for (int side = 0; side < (split[i] ? 2 : 1); side++) {
              int cnt = 0;
              for (int m = 0; m < rho; m++) {
                int u = lin.copy(i, m);
                if (split[i] && (side == 0) != (in.w1[u] > 0)) continue;
                int id = c.index(o, u, ta, tc);
                idx[cnt] = id;
                base[cnt++] = SourceNetwork.Conv.weightIn(key, id, copyWidth) * factor[u];
              }
              SubsetSum.Solution sol = SubsetSum.solve(Arrays.copyOf(base, cnt), kval, tol, mode);
              count(sol);
              for (int k = 0; k < sol.size(); k++) {
                int id = idx[sol.index(k)];
                add(id);
                if (offset != null) offset[t] += SourceNetwork.Conv.weightIn(key, id, copyWidth);
              }
            }
          }
        }
        if (lin.hasConstants()) {
          for (int t = 0; t < taps; t++) {
            int ta = t / kw;
            int tc = t % kw;
            double bias = ta == centreA && tc == centreC ? a.bias()[j] : 0;
            double target = bias - (offset != null ? phi0 * offset[t] : 0);
            if (target == 0) continue;
            for (int m = 0; m < consts; m++) {
              int u = lin.constant(m);
              idx[m] = c.index(o, u, ta, tc);
              base[m] = SourceNetwork.Conv.weightIn(key, idx[m], c.halfWidth(o, u)) * in.constVal[u];
            }
            // large-scale constants first, coarsely (the unit-scale ones correct any remainder up to about
            // COARSE), then the unit-scale ones on the remainder, to eps
            int large = c.largeConstants();
            double rest = target;
            if (large > 0) {
              SubsetSum.Solution coarse = SubsetSum.solve(Arrays.copyOf(base, large), rest, Math.max(eps, COARSE),
                  SubsetSum.Mode.MIN_SIZE);
              for (int k = 0; k < coarse.size(); k++) {
                add(idx[coarse.index(k)]);
                rest -= base[coarse.index(k)];
              }
            }
            SubsetSum.Solution sol = SubsetSum.solve(Arrays.copyOfRange(base, large, consts), rest, eps, mode);
            count(sol);
            for (int k = 0; k < sol.size(); k++) add(idx[large + sol.index(k)]);
          }
        }
        return sorted();
      }

      void count(SubsetSum.Solution sol) {
        instances++;
        if (!sol.withinEps()) fails++;
      }

      int[] sorted() {
        int[] r = Arrays.copyOf(buf, n);
        Arrays.sort(r);
        return r;
      }
    }
  }
}
