package dev.ticketproof.kernel.check;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.kernel.KernelActivation;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetHash;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.kernel.Verdict;
import dev.ticketproof.kernel.bound.DifferentialBound;
import dev.ticketproof.kernel.bound.Region;
import dev.ticketproof.kernel.check.Analysis.Rejection;
import dev.ticketproof.net.Network;
import java.util.List;
import java.util.function.Supplier;

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
 * <p>The activation passed to {@link #check} only has to carry the certificate's activation name: the kernel
 * evaluates its own {@link KernelActivation}.
 *
 * <p>Floating point: the certified bound is the computed bound times (1 + 1e-9) plus 1e-12, which covers the
 * rounding of the bound computation (the analysis is exact real arithmetic on the stored doubles up to
 * double-double rounding); the network's own floating-point evaluation error is below this slack for the sizes
 * handled here.
 */
public final class TicketChecker {
  private TicketChecker() {}

  /** Per source layer figures; {@code errorOut} bounds the error of the layer's output units. */
  public record LayerReport(String name, long instances, long failedInstances, double maxParamError,
      double errorOut) {}

  /**
   * The kernel's report (NaN bounds and no layers when the structure was rejected).
   *
   * @param layers per source layer
   * @param recursionBound the layerwise recursion described in this class's documentation, over the whole box
   * @param differentialBound the differential bound over the certificate's region ({@link DifferentialBound};
   *     +infinity when it could not be computed)
   * @param boxes the differential bound and the target's margin on every box of the region (the balls of a local
   *     certificate, in the order of its points; the box of one that is not); empty when the bound could not be
   *     computed or the structure was rejected
   */
  public record Report(Verdict verdict, List<LayerReport> layers, double recursionBound, double differentialBound,
      List<DifferentialBound.Box> boxes) {
    /** The certified bound: the smaller of the two. */
    public double certifiedBound() { return Math.min(recursionBound, differentialBound); }

    public long instances() { return layers.stream().mapToLong(LayerReport::instances).sum(); }

    public long failedInstances() { return layers.stream().mapToLong(LayerReport::failedInstances).sum(); }

    /** The largest achieved error of an instance (NaN without layers). */
    public double maxParamError() {
      return layers.stream().mapToDouble(LayerReport::maxParamError).max().orElse(Double.NaN);
    }
  }

  /**
   * Checks a certificate against a target network: header sanity, target hash, mask structure, every instance,
   * the composed bound, a finite claimed bound, and claimed bound >= recomputed bound.
   */
  public static Report check(TicketCertificate cert, Network target, Activation phi) {
    return check(cert, target, phi, Listener.NONE, null);
  }

  /**
   * The checks of {@link #check} without the differential bound, whose certified bound is then the recursion's (above
   * a claim the differential bound gave): a mask's structure, seed and failure count, for a use of a ticket that does
   * not report its bound. A local certificate is checked as one of its box (its points are not needed).
   */
  public static Report checkStructure(TicketCertificate cert, Network target, Activation phi) {
    TicketCertificate onBox = !cert.header().local() ? cert : new TicketCertificate(cert.header().withoutPoints(),
        cert.keptWeights(), cert.keptBiases(), cert.maskDigest());
    try {
      Prepared p = prepare(onBox, target, phi, null);
      return judge(onBox.header(), analyse(p.src(), onBox, Listener.NONE, null));
    } catch (Rejection e) {
      return rejected(e.getMessage());
    }
  }

  /** Observes the progress of a check: called after every source layer, then as the differential bound runs. */
  public interface Listener {
    void layerDone(String name, int done, int total);

    /** The differential bound's progress ({@link DifferentialBound.Progress}). */
    default void bound(long done, long total, int boxes) { }

    Listener NONE = (n, d, t) -> { };
  }

  /**
   * As {@link #check(TicketCertificate, Network, Activation)}, reporting progress to a listener, for a certificate
   * that may be local: a local certificate is checked over the balls around {@code around} (whose digest must match
   * the header's); a certificate of the whole box takes no points.
   *
   * @param around the points of a local certificate (N rows of the input's size), or null
   */
  public static Report check(TicketCertificate cert, Network target, Activation phi, Listener listener,
      double[][] around) {
    try {
      Prepared p = prepare(cert, target, phi, around);
      return judge(cert.header(), analyse(p.src(), cert, listener, p.region()));
    } catch (Rejection e) {
      return rejected(e.getMessage());
    }
  }

  /**
   * A certificate that claims the bound and failure count the kernel recomputed (an infinite bound when the mask's
   * structure is rejected), and the report of {@link #check} on it.
   */
  public record Certified(TicketCertificate certificate, Report report) {}

  /**
   * Claims what the kernel recomputes for a mask and checks the claimed certificate, analysing the mask once: the
   * result is the certificate that claims the analysis's bound and failure count, and the report {@link #check}
   * gives on it (the checks before the analysis do not read the claims, and the analysis does not either).
   *
   * @param unclaimed a certificate whose claims are ignored
   * @param around the points of a local certificate, or null
   */
  public static Certified certify(TicketCertificate unclaimed, Network target, Activation phi, Listener listener,
      double[][] around) {
    TicketCertificate.Header open = unclaimed.header().withClaims(Double.POSITIVE_INFINITY, 0);
    TicketCertificate start = new TicketCertificate(open, unclaimed.keptWeights(), unclaimed.keptBiases(),
        unclaimed.maskDigest());
    try {
      Prepared p = prepare(start, target, phi, around);
      Report r = analyse(p.src(), start, listener, p.region());
      TicketCertificate.Header claimed = open.withClaims(r.verdict().isHolds() ? r.certifiedBound()
          : Double.POSITIVE_INFINITY, r.failedInstances());
      checkHeader(claimed);
      return new Certified(new TicketCertificate(claimed, start.keptWeights(), start.keptBiases(), start.maskDigest()),
          judge(claimed, r));
    } catch (Rejection e) {
      return new Certified(start, rejected(e.getMessage()));
    }
  }

  /** The source network and region of a certificate whose header, target and mask digest check out. */
  private record Prepared(SourceNetwork src, Region region) {}

  /** The checks before the analysis; a failed one is a {@link Rejection}. */
  private static Prepared prepare(TicketCertificate cert, Network target, Activation phi, double[][] around) {
    TicketCertificate.Header h = cert.header();
    checkHeader(h);
    Region region = orReject("", () -> region(h, around));
    String sha = orReject("target cannot be hashed: ", () -> TargetHash.of(target));
    if (!sha.equals(h.targetSha256())) {
      throw new Rejection("target hash mismatch: certificate has " + h.targetSha256() + ", target has " + sha);
    }
    if (!phi.name().equals(h.activation())) {
      throw new Rejection("activation mismatch: certificate has " + h.activation() + ", checker was given "
          + phi.name());
    }
    KernelActivation kphi = KernelActivation.of(h.activation());
    if (kphi == null) throw new Rejection("the kernel has no definition of activation " + h.activation());
    if (h.maskSha256() == null || !h.maskSha256().equals(cert.maskDigest())) {
      throw new Rejection("mask digest mismatch: header has " + h.maskSha256() + ", mask has " + cert.maskDigest());
    }
    SourceNetwork src = orReject("source network cannot be rebuilt: ",
        () -> SourceNetwork.of(TargetPlan.of(target, kphi), cert.params()));
    // a target with an input map: the source network reads the image of the region under it
    TargetPlan.InputMap map = src.plan().input();
    return new Prepared(src, map == null ? region : orReject("", () -> region.mapped(map)));
  }

  /** The value, or the {@link Rejection} of its {@link IllegalArgumentException}, whose message follows a prefix. */
  private static <T> T orReject(String prefix, Supplier<T> value) {
    try {
      return value.get();
    } catch (IllegalArgumentException e) {
      throw new Rejection(prefix + e.getMessage());
    }
  }

  /** The checks after the analysis: the header's claims against the recomputed figures. */
  private static Report judge(TicketCertificate.Header h, Report r) {
    // a vacuous claim certifies nothing; checked after the structure so that a malformed mask keeps its reason
    String bad = !r.verdict().isHolds() ? null
        : !Double.isFinite(h.claimedBound())
            ? "claimed bound " + h.claimedBound() + " is not finite (recomputed " + r.certifiedBound() + ")"
        : h.claimedFailedInstances() != r.failedInstances()
            ? "claimed " + h.claimedFailedInstances() + " failed instances, recomputed " + r.failedInstances()
        : !(h.claimedBound() >= r.certifiedBound())
            ? "claimed bound " + h.claimedBound() + " is below the recomputed bound " + r.certifiedBound() : null;
    return bad == null ? r : new Report(Verdict.rejected(bad), r.layers(), r.recursionBound(), r.differentialBound(),
        r.boxes());
  }

  /**
   * The inputs a certificate's bound covers: its box (per-channel intervals when the header has them, checked
   * against its union box by {@link SourceNetwork#checkInputBoxes}), or, for a local certificate, the balls of its
   * radius around the given points clipped to the box.
   *
   * @throws IllegalArgumentException when a local certificate gets no points or points of another digest, or a
   *     certificate of the whole box gets points
   */
  public static Region region(TicketCertificate.Header h, double[][] around) {
    SourceNetwork.checkInputBoxes(h.inputLow(), h.inputHigh(), h.inputBoxes());
    if (!h.local()) {
      if (around != null) {
        throw new IllegalArgumentException("the certificate covers the whole input box; it takes no points");
      }
      return Region.of(h.inputLow(), h.inputHigh(), h.inputBoxes(), null, Double.NaN);
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
    return Region.of(h.inputLow(), h.inputHigh(), h.inputBoxes(), around, h.radius());
  }

  /**
   * Recomputes the certified bound of a mask on a source network over a region, without comparing it with a claim,
   * reporting progress to a listener: the smaller of the recursion (over the whole box, which contains the region)
   * and the differential bound over the region (none for a null region). The verdict holds when the mask's structure
   * is valid.
   */
  public static Report analyse(SourceNetwork src, TicketCertificate cert, Listener listener, Region region) {
    Analysis a = new Analysis(src, cert, listener);
    double recursion;
    try {
      recursion = a.run();
    } catch (Rejection e) {
      return rejected(e.getMessage());
    }
    List<DifferentialBound.Box> boxes = List.of();
    try {
      if (region != null) boxes = List.copyOf(DifferentialBound.boxes(src, cert, region, listener::bound));
    } catch (IllegalArgumentException | ArithmeticException e) {
      boxes = List.of();
    }
    double diff = boxes.isEmpty() ? Double.POSITIVE_INFINITY : DifferentialBound.max(boxes);
    return new Report(Verdict.holds(), List.copyOf(a.reports), recursion, diff, boxes);
  }

  private static Report rejected(String reason) {
    return new Report(Verdict.rejected(reason), List.of(), Double.NaN, Double.NaN, List.of());
  }

  /** The header's own sanity: its version, eps, claimed bound and the fields a check needs (the box: {@link Region}). */
  private static void checkHeader(TicketCertificate.Header h) {
    if (!TicketCertificate.checks(h.version())) {
      throw new Rejection("unsupported certificate version " + h.version() + " (this kernel checks versions 2 to "
          + TicketCertificate.VERSION + "; version 1 predates the scaled source network: rebuild the ticket)");
    }
    if (!(h.eps() > 0) || !Double.isFinite(h.eps())) throw new Rejection("eps must be finite and > 0, got " + h.eps());
    if (!(h.claimedBound() >= 0)) throw new Rejection("claimed bound is " + h.claimedBound());
    if (h.targetSha256() == null || h.activation() == null || h.construction() == null) {
      throw new Rejection("header lacks target hash, activation or construction");
    }
  }
}
