package dev.ticketproof.kernel;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.kernel.bound.DifferentialBound;
import dev.ticketproof.kernel.bound.Region;
import dev.ticketproof.net.Network;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The kernel's checker of ticket certificates. It never calls construction code. From the header it rebuilds
 * the virtual source network ({@link SourceNetwork}), regenerates every kept weight from the seed, checks that the
 * mask has the structure the lemmas need, groups the kept weights into subset-sum instances, recomputes every
 * instance's achieved error with compensated (double-double) arithmetic, and composes the certified bound:
 *
 * <p><b>Univariate layer</b> (copy unit (i,m) = phi(w1 x_i), constant unit phi(beta)): must keep, for a copy unit,
 * only the weight from its own channel and no bias; for a constant unit, only its bias.
 *
 * <p><b>A layer reading copies</b> (output unit o representing target channel j): for every input channel i and
 * tap (a,c) the kept weights from the copies of i form one instance with target K[j,i,a,c]; its contribution to
 * |pre-activation error| is |sum_S w - K| B_i + sum_S |w| e_u, where B_i bounds |x_i| on the box (interval
 * propagation of the target) and e_u is the certified error of input unit u ([copy-propagation], with the sum of
 * |w| rather than |K| + e': copies err independently). Kept weights from constant units at tap (a,c) form the
 * bias instance of that tap, target b_j at the centre tap (p,p) and 0 elsewhere.
 *
 * <p><b>A layer reading a univariate layer</b> ([identity], [conv-decomposition]): with phi(t) = phi(0) + m+ t^+ -
 * m- t^- + R(t), |R(t)| &lt;= M |t|^p for |t| &lt;= r (else &lt;= (L + max m) |t|): when x_i takes both signs and m+ != m-,
 * the copies with w1 > 0 and w1 &lt; 0 form two instances with sums P, N of w w1 (m+ + m-) and target K; with
 * d = P - K, d' = N - K the contribution is B_i max(|d m+ + d' m-|, |d m- + d' m+|) / (m+ + m-). Otherwise one
 * instance with sum of w w1 m_(sign) and target K, contribution |sum - K| B_i. Plus sum_S |w| R(|w1| B_i) and
 * sum_S |w| L |w1| e_i (input error, 2L). The offsets phi(0) sum_S w are cancelled tap by tap: the bias instance
 * at tap t has value sum_T w c + phi(0) sum_(S at t) w.
 *
 * <p><b>Constant output units</b> may read constant input units at the centre tap only (exact at borders); their
 * values are computed. <b>Residual blocks</b>: pre-activation error = branch error + skip error (identity:
 * e_u; projection, including an identity skip with a per-channel scale: its own instance errors). <b>Pooling</b> keeps errors and bounds. After the
 * constructed prefix, kept target layers propagate the error with their l1 row norms and L_phi.
 *
 * <p>Trusted base: this class, {@link SourceNetwork}, {@link TargetPlan}, {@link Intervals},
 * {@link KernelActivation} (the kernel's own activations, independent of the catalog), {@link TicketFile},
 * {@code random.WeightField}, and the data records of {@code net} and {@code tensor}. The activation passed to
 * {@link #check} only has to carry the certificate's activation name.
 *
 * <p>Floating point: the certified bound is the computed bound times (1 + 1e-9) plus 1e-12, which covers the
 * rounding of the bound computation (the analysis is exact real arithmetic on the stored doubles up to
 * double-double rounding); the network's own floating-point evaluation error is below this slack for the sizes
 * handled here.
 */
public final class TicketChecker {
  private TicketChecker() {}

  /** Per source layer figures. */
  public record LayerReport(String name, long targetParams, long sourceParams, long ticketParams, long instances,
      long failedInstances, double maxParamError, double errorOut) {}

  /**
   * The kernel's report.
   *
   * @param verdict holds or rejected (with the reason)
   * @param certifiedBound the recomputed bound: the smaller of the two below (NaN when the structure was rejected)
   * @param layers per source layer
   * @param recursionBound the layerwise recursion described in this class's documentation, over the whole box
   * @param differentialBound the differential bound over the certificate's region
   *     ({@link dev.ticketproof.kernel.bound.DifferentialBound}; +infinity when it could not be computed)
   */
  public record Report(Verdict verdict, double certifiedBound, List<LayerReport> layers, long ticketParams,
      long keptParams, long instances, long failedInstances, double maxParamError, long sourceParams,
      long targetParams, int depth, double recursionBound, double differentialBound) {}

  /** A structural rejection. */
  private static final class Rejection extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Rejection(String msg) { super(msg, null, false, false); }
  }

  /**
   * Checks a certificate against a target network: header sanity, target hash, mask structure, every instance,
   * the composed bound, a finite claimed bound, and claimed bound >= recomputed bound.
   */
  public static Report check(TicketCertificate cert, Network target, Activation phi) {
    return check(cert, target, phi, Listener.NONE);
  }

  /** Observes the progress of a check: called after every source layer. */
  public interface Listener {
    void layerDone(String name, int done, int total);

    Listener NONE = (n, d, t) -> { };
  }

  /** As {@link #check(TicketCertificate, Network, Activation)}, reporting progress to a listener. */
  public static Report check(TicketCertificate cert, Network target, Activation phi, Listener listener) {
    return check(cert, target, phi, listener, null);
  }

  /**
   * As {@link #check(TicketCertificate, Network, Activation, Listener)} for a certificate that may be local: a local
   * certificate is checked over the balls around {@code around} (whose digest must match the header's); a
   * certificate of the whole box takes no points.
   *
   * @param around the points of a local certificate (N rows of the input's size), or null
   */
  public static Report check(TicketCertificate cert, Network target, Activation phi, Listener listener,
      double[][] around) {
    Object prepared = prepare(cert, target, phi, around);
    if (prepared instanceof Report rejected) return rejected;
    Prepared p = (Prepared) prepared;
    return judge(cert.header(), analyse(p.src(), cert, listener, p.region()));
  }

  /**
   * A certificate whose claims are the kernel's, and the kernel's verdict on it.
   *
   * @param certificate the certificate with the recomputed bound and failure count as its claims (an infinite claim
   *     when the mask's structure is rejected)
   * @param report the verdict of {@link #check} on that certificate
   */
  public record Certified(TicketCertificate certificate, Report report) {}

  /**
   * Claims what the kernel recomputes for a mask and checks the claimed certificate, analysing the mask once: the
   * result is the certificate {@link #claims} would make and the report {@link #check} gives on it (the checks
   * before the analysis do not read the claims, and the analysis does not either).
   *
   * @param unclaimed a certificate whose claims are ignored
   * @param around the points of a local certificate, or null
   */
  public static Certified certify(TicketCertificate unclaimed, Network target, Activation phi, Listener listener,
      double[][] around) {
    TicketCertificate.Header u = unclaimed.header();
    TicketCertificate.Header open = u.withClaims(Double.POSITIVE_INFINITY, 0);
    TicketCertificate start = new TicketCertificate(open, unclaimed.keptWeights(), unclaimed.keptBiases());
    Object prepared = prepare(start, target, phi, around);
    if (prepared instanceof Report rejected) return new Certified(start, rejected);
    Prepared p = (Prepared) prepared;
    Report r = analyse(p.src(), start, listener, p.region());
    TicketCertificate.Header claimed = r.verdict().isHolds() ? open.withClaims(r.certifiedBound(), r.failedInstances())
        : open.withClaims(Double.POSITIVE_INFINITY, r.failedInstances());
    String bad = headerProblem(claimed);
    if (bad != null) return new Certified(start, rejected(bad));
    return new Certified(new TicketCertificate(claimed, unclaimed.keptWeights(), unclaimed.keptBiases()),
        judge(claimed, r));
  }

  /** The source network and region of a certificate whose header, target and mask digest check out. */
  private record Prepared(SourceNetwork src, Region region) {}

  /** The checks before the analysis: a {@link Prepared} source, or the rejecting {@link Report}. */
  private static Object prepare(TicketCertificate cert, Network target, Activation phi, double[][] around) {
    TicketCertificate.Header h = cert.header();
    String bad = headerProblem(h);
    if (bad != null) return rejected(bad);
    Region region;
    try {
      region = region(h, around);
    } catch (IllegalArgumentException e) {
      return rejected(e.getMessage());
    }
    String sha;
    try {
      sha = TargetHash.of(target);
    } catch (IllegalArgumentException e) {
      return rejected("target cannot be hashed: " + e.getMessage());
    }
    if (!sha.equals(h.targetSha256())) {
      return rejected("target hash mismatch: certificate has " + h.targetSha256() + ", target has " + sha);
    }
    if (!phi.name().equals(h.activation())) {
      return rejected("activation mismatch: certificate has " + h.activation() + ", checker was given " + phi.name());
    }
    // the kernel's own activation (not the catalog's): values, constants, Lipschitz constant and images
    KernelActivation kphi = KernelActivation.of(h.activation());
    if (kphi == null) return rejected("the kernel has no definition of activation " + h.activation());
    if (cert.keptWeights().length != cert.keptBiases().length) {
      return rejected("mask has " + cert.keptWeights().length + " weight layers but " + cert.keptBiases().length
          + " bias layers");
    }
    String digest = TicketFile.maskDigest(cert.keptWeights(), cert.keptBiases());
    if (!digest.equals(h.maskSha256())) {
      return rejected("mask digest mismatch: header has " + h.maskSha256() + ", mask has " + digest);
    }
    try {
      return new Prepared(SourceNetwork.of(TargetPlan.of(target, kphi), cert.params()), region);
    } catch (IllegalArgumentException e) {
      return rejected("source network cannot be rebuilt: " + e.getMessage());
    }
  }

  /** The checks after the analysis: the header's claims against the recomputed figures. */
  private static Report judge(TicketCertificate.Header h, Report r) {
    if (!r.verdict().isHolds()) return r;
    if (!Double.isFinite(h.claimedBound())) {
      // a vacuous claim certifies nothing; checked after the structure so that a malformed mask keeps its reason
      return with(r, Verdict.rejected("claimed bound " + h.claimedBound() + " is not finite (recomputed "
          + r.certifiedBound() + ")"));
    }
    if (h.claimedFailedInstances() != r.failedInstances()) {
      return with(r, Verdict.rejected("claimed " + h.claimedFailedInstances() + " failed instances, recomputed "
          + r.failedInstances()));
    }
    if (!(h.claimedBound() >= r.certifiedBound())) {
      return with(r, Verdict.rejected("claimed bound " + h.claimedBound() + " is below the recomputed bound "
          + r.certifiedBound()));
    }
    return r;
  }

  /**
   * What a certificate may claim: the kernel's recomputed bound and failure count for its mask on the target, with
   * the kernel's own activation, without checking the hash, digest or claims (the construction calls this to learn
   * what to claim). The verdict holds when the mask's structure is valid.
   */
  public static Report claims(TicketCertificate cert, Network target) {
    return claims(cert, target, Listener.NONE, null);
  }

  /** As {@link #claims(TicketCertificate, Network)}, reporting progress to a listener. */
  public static Report claims(TicketCertificate cert, Network target, Listener listener) {
    return claims(cert, target, listener, null);
  }

  /**
   * As {@link #claims(TicketCertificate, Network, Listener)} for a certificate that may be local (see
   * {@link #region}).
   */
  public static Report claims(TicketCertificate cert, Network target, Listener listener, double[][] around) {
    KernelActivation kphi = KernelActivation.of(cert.header().activation());
    if (kphi == null) return rejected("the kernel has no definition of activation " + cert.header().activation());
    Region region;
    try {
      region = region(cert.header(), around);
    } catch (IllegalArgumentException e) {
      return rejected(e.getMessage());
    }
    try {
      return analyse(SourceNetwork.of(TargetPlan.of(target, kphi), cert.params()), cert, listener, region);
    } catch (IllegalArgumentException e) {
      return rejected("source network cannot be rebuilt: " + e.getMessage());
    }
  }

  /**
   * The inputs a certificate's bound covers: its box, or, for a local certificate, the balls of its radius around
   * the given points clipped to the box.
   *
   * @throws IllegalArgumentException when a local certificate gets no points or points of another digest, or a
   *     certificate of the whole box gets points
   */
  public static Region region(TicketCertificate.Header h, double[][] around) {
    if (!h.local()) {
      if (around != null) {
        throw new IllegalArgumentException("the certificate covers the whole input box; it takes no points");
      }
      return Region.box(h.inputLow(), h.inputHigh());
    }
    if (around == null) {
      throw new IllegalArgumentException("the certificate is local (balls of radius " + h.radius()
          + " around points with digest " + h.aroundSha256() + "): give the points it was built around");
    }
    String d = Region.digest(around);
    if (!d.equals(h.aroundSha256())) {
      throw new IllegalArgumentException("points digest mismatch: certificate has " + h.aroundSha256()
          + ", the points have " + d);
    }
    return Region.balls(h.inputLow(), h.inputHigh(), around, h.radius());
  }

  /**
   * Recomputes the certified bound of a mask on a source network without comparing it with a claim. The verdict
   * holds when the mask's structure is valid.
   */
  public static Report analyse(SourceNetwork src, TicketCertificate cert) {
    return analyse(src, cert, Listener.NONE);
  }

  /** As {@link #analyse(SourceNetwork, TicketCertificate)}, reporting progress to a listener. */
  public static Report analyse(SourceNetwork src, TicketCertificate cert, Listener listener) {
    return analyse(src, cert, listener, Region.box(src.params().inputLow(), src.params().inputHigh()));
  }

  /**
   * As {@link #analyse(SourceNetwork, TicketCertificate, Listener)} over a region: the certified bound is the
   * smaller of the recursion (over the whole box, which contains the region) and the differential bound over the
   * region.
   */
  public static Report analyse(SourceNetwork src, TicketCertificate cert, Listener listener, Region region) {
    Report r;
    try {
      r = new Analysis(src, cert, listener).run();
    } catch (Rejection e) {
      return rejected(e.getMessage());
    }
    double diff;
    try {
      diff = DifferentialBound.of(src, cert, region);
    } catch (IllegalArgumentException | ArithmeticException e) {
      diff = Double.POSITIVE_INFINITY;
    }
    return new Report(r.verdict(), Math.min(r.recursionBound(), diff), r.layers(), r.ticketParams(), r.keptParams(),
        r.instances(), r.failedInstances(), r.maxParamError(), r.sourceParams(), r.targetParams(), r.depth(),
        r.recursionBound(), diff);
  }

  private static Report with(Report r, Verdict v) {
    return new Report(v, r.certifiedBound(), r.layers(), r.ticketParams(), r.keptParams(), r.instances(),
        r.failedInstances(), r.maxParamError(), r.sourceParams(), r.targetParams(), r.depth(), r.recursionBound(),
        r.differentialBound());
  }

  private static Report rejected(String reason) {
    return new Report(Verdict.rejected(reason), Double.NaN, List.of(), 0, 0, 0, 0, Double.NaN, 0, 0, 0, Double.NaN,
        Double.NaN);
  }

  private static String headerProblem(TicketCertificate.Header h) {
    if (h.version() != TicketCertificate.VERSION) {
      return "unsupported certificate version " + h.version() + " (this kernel checks version " + TicketCertificate.VERSION
          + "; version 1 predates the scaled source network: rebuild the ticket)";
    }
    if (!(h.eps() > 0) || !Double.isFinite(h.eps())) return "eps must be finite and > 0, got " + h.eps();
    if (!(h.inputLow() < h.inputHigh()) || !Double.isFinite(h.inputLow()) || !Double.isFinite(h.inputHigh())) {
      return "input box must be finite with low < high, got [" + h.inputLow() + ", " + h.inputHigh() + "]";
    }
    if (Double.isNaN(h.claimedBound()) || h.claimedBound() < 0) return "claimed bound is " + h.claimedBound();
    if (h.targetSha256() == null || h.activation() == null || h.construction() == null) {
      return "header lacks target hash, activation or construction";
    }
    return null;
  }

  /** Mutable per-feature-map state of the analysis. */
  private static final class State {
    Layout layout;
    double[] unitErr;
    double[] constVal;
    double[] lo;
    double[] hi;
    double[] inErr;
    double[] w1;
    boolean[] alive;
  }

  private static final class Analysis {
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

    Report run() {
      int layers = src.layerCount();
      if (cert.keptWeights().length != layers || cert.keptBiases().length != layers) {
        throw new Rejection("mask has " + cert.keptWeights().length + " weight and " + cert.keptBiases().length
            + " bias layers, source has " + layers);
      }
      int[] in = src.plan().inputShape();
      State s = new State();
      s.layout = Layout.input(in[0]);
      s.unitErr = new double[in[0]];
      s.lo = new double[in[0]];
      s.hi = new double[in[0]];
      Arrays.fill(s.lo, src.params().inputLow());
      Arrays.fill(s.hi, src.params().inputHigh());
      for (SourceNetwork.Node node : src.nodes()) s = node.accept(after(s));
      for (int k = 0; k < cert.keptBiases().length; k++) {
        if (!isUnivariate(k) && cert.keptBiases()[k].length > 0) {
          throw new Rejection("layer " + k + " keeps biases, but only univariate source layers have biases");
        }
      }
      double[] err = s.unitErr.clone();
      double[] lo = s.lo;
      double[] hi = s.hi;
      for (TargetPlan.Step step : src.tail()) {
        if (step instanceof TargetPlan.Affine a) {
          err = tailAffine(a, err, a.phiAfter());
          double[][] iv = interval(a, lo, hi, a.phiAfter());
          lo = iv[0];
          hi = iv[1];
        } else if (step instanceof TargetPlan.Residual r) {
          double[] e1 = tailAffine(r.conv1(), err, true);
          double[] e2 = tailAffine(r.conv2(), e1, false);
          double[] es = r.projection() != null ? tailAffine(r.projection(), err, false) : err;
          double[] out = new double[e2.length];
          for (int j = 0; j < out.length; j++) out[j] = lip * (e2[j] + es[j]);
          err = out;
          double[][] iv = Intervals.residual(r, lo, hi, phi);
          lo = iv[0];
          hi = iv[1];
        }
      }
      double bound = 0;
      for (double e : err) bound = Math.max(bound, e);
      if (!Double.isFinite(bound)) throw new Rejection("the composed bound is not finite (" + bound + ")");
      bound = bound * (1 + 1e-9) + 1e-12;
      long ticket = 0;
      long inst = 0;
      long failed = 0;
      long srcParams = 0;
      long tgtParams = 0;
      double maxErr = 0;
      for (LayerReport r : reports) {
        ticket += r.ticketParams();
        inst += r.instances();
        failed += r.failedInstances();
        srcParams += r.sourceParams();
        tgtParams += r.targetParams();
        maxErr = Math.max(maxErr, r.maxParamError());
      }
      long tailParams = 0;
      for (TargetPlan.Step step : src.tail()) {
        if (step instanceof TargetPlan.Affine a) tailParams += a.count(eps);
        if (step instanceof TargetPlan.Residual r) {
          tailParams += r.conv1().count(eps) + r.conv2().count(eps);
          if (r.projection() != null) tailParams += r.projection().count(eps);
        }
      }
      long kept = 0;
      for (long[] w : cert.keptWeights()) kept += w.length;
      for (int[] b : cert.keptBiases()) kept += b.length;
      return new Report(Verdict.holds(), bound, List.copyOf(reports), ticket + tailParams, kept, inst, failed,
          maxErr, srcParams + tailParams, tgtParams + tailParams, src.depth() + tailDepth(), bound,
          Double.POSITIVE_INFINITY);
    }

    /** The state after a node, from the state before it. */
    SourceNetwork.Visitor<State> after(State in) {
      return new SourceNetwork.Visitor<>() {
        @Override public State univariate(SourceNetwork.Univariate u) { return Analysis.this.univariate(u, in); }

        @Override public State conv(SourceNetwork.Conv c) { return Analysis.this.conv(c, in, c.phiAfter()); }

        /** Channelwise averages keep per-unit errors, constants and intervals. */
        @Override public State pool(SourceNetwork.Pool p) { return in; }

        @Override public State residual(SourceNetwork.Residual r) { return Analysis.this.residual(r, in); }
      };
    }

    int tailDepth() {
      int d = 0;
      for (TargetPlan.Step step : src.tail()) {
        if (step instanceof TargetPlan.Affine) d++;
        if (step instanceof TargetPlan.Residual) d += 2;
      }
      return d;
    }

    boolean isUnivariate(int id) {
      for (SourceNetwork.Node n : src.nodes()) if (n instanceof SourceNetwork.Univariate u && u.id() == id) return true;
      return false;
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

    State univariate(SourceNetwork.Univariate u, State in) {
      Layout out = u.out();
      long[] kw = cert.keptWeights()[u.id()];
      int[] kb = cert.keptBiases()[u.id()];
      State s = new State();
      s.layout = out;
      s.lo = in.lo;
      s.hi = in.hi;
      s.inErr = new double[out.n()];
      for (int i = 0; i < out.n(); i++) s.inErr[i] = in.unitErr[in.layout.copy(i, 0)];
      s.w1 = new double[out.units()];
      s.alive = new boolean[out.units()];
      s.constVal = new double[out.units()];
      Arrays.fill(s.constVal, Double.NaN);
      s.unitErr = new double[out.units()];
      long inUnits = in.layout.units();
      long ticket = 0;
      long prev = -1;
      for (long idx : kw) {
        if (idx <= prev || idx < 0 || idx >= inUnits * out.units()) {
          throw new Rejection("univariate layer " + u.id() + ": weight index " + idx
              + " out of range or not strictly increasing");
        }
        prev = idx;
        int o = (int) (idx / inUnits);
        int from = (int) (idx % inUnits);
        if (out.isConstant(o) || from != out.channel(o)) {
          throw new Rejection("univariate layer " + u.id() + ": unit " + o + " keeps a weight from input " + from
              + (out.isConstant(o) ? " but is a constant unit" : " but copies channel " + out.channel(o)));
        }
        s.alive[o] = true;
        s.w1[o] = u.w1(seed, o);
        if (Math.abs(s.w1[o]) > eps) ticket++;
      }
      int prevB = -1;
      for (int o = out.constant(0); o < out.units(); o++) s.constVal[o] = phi.value(0);
      for (int o : kb) {
        if (o <= prevB || o < 0 || o >= out.units()) {
          throw new Rejection("univariate layer " + u.id() + ": bias index " + o + " out of range or not increasing");
        }
        prevB = o;
        if (!out.isConstant(o)) {
          throw new Rejection("univariate layer " + u.id() + ": copy unit " + o + " keeps its bias");
        }
        double beta = u.beta(seed, o);
        s.constVal[o] = phi.value(beta);
        if (Math.abs(beta) > eps) ticket++;
      }
      report(new LayerReport("copies(" + nextName(u) + ")", 0, u.sourceParams(), ticket, 0, 0, 0, 0));
      return s;
    }

    String nextName(SourceNetwork.Univariate u) {
      List<SourceNetwork.Node> nodes = src.nodes();
      for (int k = nodes.indexOf(u) + 1; k < nodes.size(); k++) {
        if (nodes.get(k) instanceof SourceNetwork.Conv c) return c.target().name();
      }
      return "?";
    }

    State residual(SourceNetwork.Residual r, State in) {
      State h = conv(r.conv1(), in, true);
      State b = conv(r.conv2(), h, false);
      State p = r.projection() != null ? conv(r.projection(), in, false) : null;
      Layout out = b.layout;
      State s = new State();
      s.layout = out;
      s.unitErr = new double[out.units()];
      s.constVal = new double[out.units()];
      Arrays.fill(s.constVal, Double.NaN);
      double[][] iv = Intervals.residual(r.target(), in.lo, in.hi, phi);
      s.lo = iv[0];
      s.hi = iv[1];
      for (int o = 0; o < out.units(); o++) {
        if (out.isConstant(o)) {
          double skip = p != null ? p.constVal[o] : in.constVal[o];
          s.constVal[o] = phi.value(b.constVal[o] + skip);
        } else {
          double skipErr = p != null ? p.unitErr[o] : in.unitErr[o];
          s.unitErr[o] = lip * (b.unitErr[o] + skipErr);
        }
      }
      return s;
    }

    double[][] interval(TargetPlan.Affine a, double[] lo, double[] hi, boolean act) {
      return Intervals.affine(a, lo, hi, act, phi);
    }

    /** Per-output-unit results of a conv analysis. */
    private static final class UnitResult {
      double err;
      double constVal = Double.NaN;
      long instances;
      long failed;
      double maxErr;
      long ticket;
    }

    State conv(SourceNetwork.Conv c, State in, boolean act) {
      if (!in.layout.equals(c.in())) {
        throw new Rejection("layer " + c.id() + " reads layout " + c.in() + " but gets " + in.layout);
      }
      TargetPlan.Affine a = c.target();
      Layout out = c.out();
      long[] kw = cert.keptWeights()[c.id()];
      long size = c.size();
      long perUnit = size / out.units();
      for (int k = 0; k < kw.length; k++) {
        if (kw[k] < 0 || kw[k] >= size || (k > 0 && kw[k] <= kw[k - 1])) {
          throw new Rejection("layer " + a.name() + ": weight index " + kw[k]
              + " out of range [0," + size + ") or not strictly increasing");
        }
      }
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
        int n = 0;
        for (int t = 0; t < per; t++) if (a.kernel()[j * per + t] != 0) n++;
        int[] list = new int[n];
        n = 0;
        for (int t = 0; t < per; t++) if (a.kernel()[j * per + t] != 0) list[n++] = t;
        nz[j] = list;
      }
      boolean uni = in.layout.kind() == Layout.Kind.UNIVARIATE;
      boolean[] split = new boolean[a.in()];
      double[] bIn = new double[a.in()];
      for (int i = 0; i < a.in(); i++) {
        bIn[i] = Math.max(Math.abs(in.lo[i]), Math.abs(in.hi[i]));
        split[i] = uni && SourceNetwork.splitChannel(phi, in.lo[i], in.hi[i]);
      }
      UnitResult[] res = new UnitResult[out.units()];
      ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(() -> new Scratch(per, taps));
      IntStream.range(0, out.units()).parallel().forEach(o -> {
        res[o] = unit(c, in, o, kw, starts[o], starts[o + 1], nz, split, bIn, uni, scratch.get());
      });
      State s = new State();
      s.layout = out;
      s.unitErr = new double[out.units()];
      s.constVal = new double[out.units()];
      double[][] iv = interval(a, in.lo, in.hi, act);
      s.lo = iv[0];
      s.hi = iv[1];
      long inst = 0;
      long failed = 0;
      long ticket = 0;
      double maxErr = 0;
      double maxOut = 0;
      for (int o = 0; o < out.units(); o++) {
        UnitResult r = res[o];
        inst += r.instances;
        failed += r.failed;
        ticket += r.ticket;
        maxErr = Math.max(maxErr, r.maxErr);
        if (out.isConstant(o)) {
          s.constVal[o] = act ? phi.value(r.constVal) : r.constVal;
        } else {
          s.constVal[o] = Double.NaN;
          s.unitErr[o] = act ? lip * r.err : r.err;
          maxOut = Math.max(maxOut, s.unitErr[o]);
        }
      }
      report(new LayerReport(a.name(), a.count(eps), c.sourceParams(), ticket, inst, failed, maxErr, maxOut));
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

    UnitResult unit(SourceNetwork.Conv c, State in, int o, long[] kw, int from, int to, int[][] nz,
        boolean[] split, double[] bIn, boolean uni, Scratch sc) {
      TargetPlan.Affine a = c.target();
      Layout lin = in.layout;
      Layout out = c.out();
      int taps = a.kh() * a.kw();
      int per = a.in() * taps;
      long inUnits = lin.units();
      UnitResult r = new UnitResult();
      int centre = a.centreA() * a.kw() + a.centreC();
      if (out.isConstant(o)) {
        double zh = 0;
        double zl = 0;
        for (int k = from; k < to; k++) {
          long rem = kw[k] - (long) o * inUnits * taps;
          int u = (int) (rem / taps);
          int t = (int) (rem % taps);
          if (!lin.isConstant(u) || t != centre) {
            throw new Rejection("layer " + a.name() + ": constant unit " + o + " keeps a weight from "
                + (lin.isConstant(u) ? "a constant unit at a tap other than the centre" : "non-constant unit " + u));
          }
          double w = c.weightAt(seed, kw[k]);
          if (Math.abs(w) > eps) r.ticket++;
          double p = w * in.constVal[u];
          double pe = Math.fma(w, in.constVal[u], -p);
          double s = zh + p;
          double bb = s - zh;
          zl += (zh - (s - bb)) + (p - bb) + pe;
          zh = s;
        }
        r.constVal = zh + zl;
        return r;
      }
      int j = out.channel(o);
      double phi0 = uni ? phi.phi0() : 0;
      double mPlus = phi.slopePlus();
      double mMinus = phi.slopeMinus();
      double mu = mPlus + mMinus;
      sc.nTouched = 0;
      for (int k = from; k < to; k++) {
        long rem = kw[k] - (long) o * inUnits * taps;
        int u = (int) (rem / taps);
        int t = (int) (rem % taps);
        double w = c.weightAt(seed, kw[k]);
        if (Math.abs(w) > eps) r.ticket++;
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
          double f = SourceNetwork.slopeFor(phi, w1, in.lo[i], in.hi[i]);
          int side = split[i] && w1 < 0 ? 1 : 0;
          g = 2 * (i * taps + t) + side;
          double ww = w * w1;
          double wwe = Math.fma(w, w1, -ww);
          p = ww * f;
          pe = Math.fma(ww, f, -p) + wwe * f;
          double arg = Math.abs(w1) * bIn[i];
          extra = Math.abs(w) * (remainder(arg) + lip * Math.abs(w1) * in.inErr[i]);
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
        if (!sc.touched[g]) {
          sc.touched[g] = true;
          sc.touchedList[sc.nTouched++] = g;
        }
        addTo(sc.hi, sc.lo, g, p, pe);
        sc.extra[g] += extra;
      }
      double err = 0;
      // instances with a nonzero target
      for (int t : nz[j]) {
        int i = t / taps;
        double kval = a.kernel()[j * per + t];
        int g = 2 * t;
        if (split[i]) {
          double dPlus = sc.hi[g] - kval + sc.lo[g];
          double dMinus = sc.hi[g + 1] - kval + sc.lo[g + 1];
          err += bIn[i] * Math.max(Math.abs(dPlus * mPlus + dMinus * mMinus), Math.abs(dPlus * mMinus + dMinus * mPlus))
              / mu + sc.extra[g] + sc.extra[g + 1];
          count(r, Math.abs(dPlus));
          count(r, Math.abs(dMinus));
        } else {
          double d = sc.hi[g] - kval + sc.lo[g];
          err += Math.abs(d) * bIn[i] + sc.extra[g];
          count(r, Math.abs(d));
        }
      }
      // kept weights where the target is zero
      for (int q = 0; q < sc.nTouched; q++) {
        int g = sc.touchedList[q];
        int t = g / 2;
        double kval = a.kernel()[j * per + t];
        if (kval == 0) {
          int i = t / taps;
          if (split[i]) {
            if ((g & 1) == 0 || !sc.touched[g - 1]) {
              int g0 = g & ~1;
              double dPlus = sc.hi[g0] + sc.lo[g0];
              double dMinus = sc.hi[g0 + 1] + sc.lo[g0 + 1];
              err += bIn[i] * Math.max(Math.abs(dPlus * mPlus + dMinus * mMinus),
                  Math.abs(dPlus * mMinus + dMinus * mPlus)) / mu + sc.extra[g0] + sc.extra[g0 + 1];
              count(r, Math.abs(dPlus));
              count(r, Math.abs(dMinus));
            }
          } else {
            double d = sc.hi[g] + sc.lo[g];
            err += Math.abs(d) * bIn[i] + sc.extra[g];
            count(r, Math.abs(d));
          }
        }
      }
      for (int q = 0; q < sc.nTouched; q++) {
        int g = sc.touchedList[q];
        sc.touched[g] = false;
        sc.hi[g] = 0;
        sc.lo[g] = 0;
        sc.extra[g] = 0;
        sc.hi[g ^ 1] = 0;
        sc.lo[g ^ 1] = 0;
        sc.extra[g ^ 1] = 0;
      }
      // bias instances, tap by tap
      double bj = a.bias()[j];
      for (int t = 0; t < taps; t++) {
        double target = t == centre ? bj : 0;
        if (!sc.bTouched[t] && target == 0) continue;
        double v = sc.bHi[t] + phi0 * sc.offHi[t];
        double d = (v - target) + sc.bLo[t] + phi0 * sc.offLo[t];
        err += Math.abs(d);
        count(r, Math.abs(d));
        sc.bTouched[t] = false;
        sc.bHi[t] = 0;
        sc.bLo[t] = 0;
        sc.offHi[t] = 0;
        sc.offLo[t] = 0;
      }
      r.err = err;
      return r;
    }

    void count(UnitResult r, double e) {
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

    /** Bound on |phi(t) - phi(0) - m t| for |t| &lt;= arg. */
    double remainder(double arg) {
      double m = phi.remainderConstant();
      if (m == 0 || arg == 0) return 0;
      double viaLip = (lip + Math.max(Math.abs(phi.slopePlus()), Math.abs(phi.slopeMinus()))) * arg;
      if (arg <= phi.remainderRadius()) return Math.min(m * Math.pow(arg, phi.remainderPower()), viaLip);
      return viaLip;
    }
  }
}
