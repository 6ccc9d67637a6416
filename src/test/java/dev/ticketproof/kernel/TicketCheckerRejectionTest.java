package dev.ticketproof.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.construct.Defaults;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.io.TicketWriter;
import dev.ticketproof.kernel.bound.Region;
import dev.ticketproof.kernel.check.TicketChecker;
import dev.ticketproof.net.Flatten;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.Network;
import dev.ticketproof.net.Residual;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.targets.Builtins;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Malformed certificates and mismatched inputs are rejected with a reason (never an exception), and a rejected
 * report carries no bound; each check is exercised at its boundary so that the accepted side still holds.
 */
class TicketCheckerRejectionTest {
  static Activation phi;
  static Network target;
  static TicketCertificate cert;

  @BeforeAll
  static void build() {
    phi = ActivationCatalog.parse("relu");
    target = Builtins.of("small-fc", phi);
    SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, 3,
        Defaults.rho1(phi, 3, -1), Defaults.lambda(phi), 2, null, -1, 1, null, TicketCertificate.VERSION);
    cert = TicketBuilder.build(target, phi, new TicketBuilder.Options(p, 0.05, SubsetSum.Mode.MIN_SIZE, 1, "t"),
        TicketBuilder.Progress.NONE).certificate();
  }

  /** The header with its fields passed through a change (record components by name). */
  static TicketCertificate.Header header(UnaryOperator<Object[]> change) {
    TicketCertificate.Header h = cert.header();
    Object[] f = {h.version(), h.target(), h.targetSha256(), h.activation(), h.construction(), h.rho(), h.rho1(),
        h.lambda(), h.seed(), h.inputLow(), h.inputHigh(), h.upto(), h.eps(), h.claimedBound(), h.maskSha256(),
        h.claimedFailedInstances(), h.aroundSha256(), h.radius()};
    f = change.apply(f);
    return new TicketCertificate.Header((Integer) f[0], (String) f[1], (String) f[2], (String) f[3], (String) f[4],
        (Integer) f[5], (Integer) f[6], (Double) f[7], (Long) f[8], (Double) f[9], (Double) f[10], (String) f[11],
        (Double) f[12], (Double) f[13], (String) f[14], (Long) f[15], (String) f[16], (Double) f[17],
        TicketCertificate.DEFAULT_FORM_BUDGET, TicketCertificate.DEFAULT_SUBSTITUTION_WORK, null);
  }

  static UnaryOperator<Object[]> set(int field, Object value) {
    return f -> {
      f[field] = value;
      return f;
    };
  }

  static TicketCertificate with(TicketCertificate.Header h) {
    return new TicketCertificate(h, cert.keptWeights(), cert.keptBiases(), cert.maskDigest());
  }

  static void rejected(TicketChecker.Report r, String reasonPart) {
    assertThat(r.verdict().isHolds()).as("must be rejected").isFalse();
    assertThat(r.verdict().reason()).containsIgnoringCase(reasonPart);
    assertThat(r.verdict().toString()).isEqualTo("rejected: " + r.verdict().reason());
  }

  static void rejectedBeforeAnalysis(TicketChecker.Report r, String reasonPart) {
    rejected(r, reasonPart);
    assertThat(r.certifiedBound()).isNaN();
    assertThat(r.layers()).isEmpty();
  }

  @Test
  void theUntamperedCertificateHolds() {
    TicketChecker.Report r = TicketChecker.check(cert, target, phi);
    assertThat(r.verdict().isHolds()).isTrue();
    assertThat(r.verdict().toString()).isEqualTo("holds");
    assertThat(r.certifiedBound()).isEqualTo(cert.header().claimedBound());
    assertThat(r.certifiedBound()).isEqualTo(Math.min(r.recursionBound(), r.differentialBound()));
  }

  @Test
  void malformedHeadersAreRejected() {
    rejectedBeforeAnalysis(TicketChecker.check(with(header(set(0, 1))), target, phi), "version 1");
    rejectedBeforeAnalysis(TicketChecker.check(with(header(set(0, TicketCertificate.VERSION + 1))), target, phi),
        "version " + (TicketCertificate.VERSION + 1));
    for (double eps : new double[] {0, -0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
      rejectedBeforeAnalysis(TicketChecker.check(with(header(set(12, eps))), target, phi), "eps must be finite");
    }
    double[][] boxes = {{1, 1}, {1, -1}, {Double.NEGATIVE_INFINITY, 1}, {-1, Double.POSITIVE_INFINITY},
        {Double.NaN, 1}};
    for (double[] b : boxes) {
      TicketCertificate c = with(header(f -> {
        f[9] = b[0];
        f[10] = b[1];
        return f;
      }));
      TicketChecker.Report r = TicketChecker.check(c, target, phi);
      rejectedBeforeAnalysis(r, "input box");
      assertThat(r.verdict().reason()).startsWith("input box must be finite with low < high");
    }
    rejectedBeforeAnalysis(TicketChecker.check(with(header(set(13, -1e-300))), target, phi), "claimed bound is");
    rejectedBeforeAnalysis(TicketChecker.check(with(header(set(13, Double.NaN))), target, phi), "claimed bound is");
    for (int field : new int[] {2, 3, 4}) {
      rejectedBeforeAnalysis(TicketChecker.check(with(header(set(field, null))), target, phi), "header lacks");
    }
  }

  /**
   * The structure's check (for uses of a ticket that report no bound): the certificate holds with the recursion as
   * its bound and no differential bound computed; a failure count the seed does not bear out, a damaged mask and a
   * claim above the recursion are judged as by the full check.
   */
  @Test
  void theStructuresCheckSkipsOnlyTheDifferentialBound() {
    TicketCertificate.Header h = cert.header();
    TicketChecker.Report full = TicketChecker.check(cert, target, phi);
    TicketCertificate above = with(h.withClaims(full.recursionBound(), h.claimedFailedInstances()));
    TicketChecker.Report r = TicketChecker.checkStructure(above, target, phi);
    assertThat(r.verdict().isHolds()).isTrue();
    assertThat(r.differentialBound()).isInfinite();
    assertThat(r.boxes()).isEmpty();
    assertThat(r.recursionBound()).isEqualTo(full.recursionBound());
    assertThat(r.failedInstances()).isEqualTo(full.failedInstances());
    rejected(TicketChecker.checkStructure(with(h.withClaims(full.recursionBound(), h.claimedFailedInstances() + 1)),
        target, phi), "failed instances");
    rejectedBeforeAnalysis(TicketChecker.checkStructure(new TicketCertificate(h, cert.keptWeights(),
        cert.keptBiases(), "0".repeat(64)), target, phi), "mask digest mismatch");
    // the claim the differential bound gave is below the recursion: the structure's check cannot confirm it
    assertThat(full.differentialBound()).isLessThan(full.recursionBound());
    rejected(TicketChecker.checkStructure(cert, target, phi), "below the recomputed bound");
  }

  @Test
  void aZeroClaimIsJudgedNotRefused() {
    // 0 passes the header check and is then compared with the recomputed bound
    rejected(TicketChecker.check(with(header(set(13, 0.0))), target, phi), "below the recomputed bound");
  }

  @Test
  void claimsAreComparedWithTheRecomputedFigures() {
    TicketCertificate.Header h = cert.header();
    rejected(TicketChecker.check(with(h.withClaims(h.claimedBound(), h.claimedFailedInstances() + 1)), target, phi),
        "failed instances");
    TicketChecker.Report low = TicketChecker.check(with(h.withClaims(Math.nextDown(h.claimedBound()),
        h.claimedFailedInstances())), target, phi);
    rejected(low, "below the recomputed bound");
    // a rejected claim keeps the recomputed figures
    assertThat(low.certifiedBound()).isEqualTo(h.claimedBound());
    assertThat(low.layers()).isNotEmpty();
    TicketChecker.Report inf = TicketChecker.check(with(h.withClaims(Double.POSITIVE_INFINITY,
        h.claimedFailedInstances())), target, phi);
    rejected(inf, "not finite");
    assertThat(inf.certifiedBound()).isEqualTo(h.claimedBound());
    assertThat(TicketChecker.check(with(h.withClaims(Math.nextUp(h.claimedBound()), h.claimedFailedInstances())),
        target, phi).verdict().isHolds()).isTrue();
  }

  @Test
  void mismatchedInputsAreRejected() {
    List<Layer> layers = new ArrayList<>(target.layers());
    layers.add(new Residual("r", List.of(new Flatten()), List.of(), phi));
    rejectedBeforeAnalysis(TicketChecker.check(cert, new Network(target.inputShape(), layers), phi),
        "target cannot be hashed");
    rejectedBeforeAnalysis(TicketChecker.check(cert, Builtins.of("small-cnn", phi), phi), "target hash mismatch");
    rejectedBeforeAnalysis(TicketChecker.check(cert, target, ActivationCatalog.parse("tanh")), "activation mismatch");
    // an activation the catalog knows by that name but the kernel does not define
    Activation unknown = named("swish-like");
    rejectedBeforeAnalysis(TicketChecker.check(with(header(set(3, "swish-like"))), target, unknown),
        "no definition of activation swish-like");
    rejectedBeforeAnalysis(TicketChecker.certify(with(header(set(3, "swish-like"))), target, unknown,
        TicketChecker.Listener.NONE, null).report(), "no definition of activation swish-like");
    rejectedBeforeAnalysis(TicketChecker.check(new TicketCertificate(cert.header(), cert.keptWeights(),
        new int[cert.keptBiases().length + 1][], cert.maskDigest()), target, phi), "bias layers");
    rejectedBeforeAnalysis(TicketChecker.check(with(header(set(14, "00"))), target, phi), "mask digest mismatch");
  }

  @Test
  void aSourceThatCannotBeRebuiltIsRejected() {
    TicketCertificate c = with(header(set(11, "nope")));
    rejectedBeforeAnalysis(TicketChecker.check(c, target, phi), "source network cannot be rebuilt");
    TicketChecker.Certified cf = TicketChecker.certify(c, target, phi, TicketChecker.Listener.NONE, null);
    rejectedBeforeAnalysis(cf.report(), "source network cannot be rebuilt");
    // a mask for fewer layers than the source has
    int[][] w = new int[cert.keptWeights().length - 1][];
    int[][] b = new int[w.length][];
    System.arraycopy(cert.keptWeights(), 0, w, 0, w.length);
    System.arraycopy(cert.keptBiases(), 0, b, 0, b.length);
    TicketCertificate.Header h = header(set(14, TicketWriter.maskDigest(w, b)));
    rejectedBeforeAnalysis(TicketChecker.check(new TicketCertificate(h, w, b, h.maskSha256()), target, phi),
        "source has");
  }

  @Test
  void pointsMustMatchTheCertificatesKind() {
    double[][] points = {new double[4]};
    assertThatThrownBy(() -> TicketChecker.region(cert.header(), points))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("takes no points");
    rejectedBeforeAnalysis(TicketChecker.check(cert, target, phi, TicketChecker.Listener.NONE, points),
        "takes no points");
    rejectedBeforeAnalysis(TicketChecker.certify(cert, target, phi, TicketChecker.Listener.NONE, points).report(),
        "takes no points");
    TicketCertificate local = with(header(f -> {
      f[16] = Region.digest(points);
      f[17] = 0.25;
      return f;
    }));
    rejectedBeforeAnalysis(TicketChecker.check(local, target, phi), "give the points");
    rejectedBeforeAnalysis(TicketChecker.check(local, target, phi, TicketChecker.Listener.NONE,
        new double[][] {{0, 0, 0, 0.5}}), "points digest mismatch");
    // the right points: the claim is then judged against the bound over the balls
    TicketChecker.Report r = TicketChecker.check(local, target, phi, TicketChecker.Listener.NONE, points);
    assertThat(r.verdict().isHolds()).as(r.verdict().toString()).isTrue();
    assertThat(r.differentialBound()).isLessThanOrEqualTo(TicketChecker.check(cert, target, phi).differentialBound());
  }

  @Test
  void theListenerSeesEveryLayer() {
    List<String> seen = new ArrayList<>();
    TicketChecker.Report r = TicketChecker.check(cert, target, phi, (name, done, total) -> seen.add(done + "/" + total
        + " " + name), null);
    assertThat(r.verdict().isHolds()).isTrue();
    assertThat(seen).hasSize(r.layers().size()).last().asString().startsWith(r.layers().size() + "/"
        + r.layers().size() + " ");
  }

  static Activation named(String name) {
    Activation relu = ActivationCatalog.parse("relu");
    return (Activation) java.lang.reflect.Proxy.newProxyInstance(Activation.class.getClassLoader(),
        new Class<?>[] {Activation.class}, (proxy, method, args) -> method.getName().equals("name") ? name
            : method.invoke(relu, args));
  }
}
