package dev.ticketproof.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.construct.Defaults;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.io.TicketWriter;
import dev.ticketproof.kernel.bound.Region;
import dev.ticketproof.kernel.check.TicketChecker;
import dev.ticketproof.net.Network;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.targets.Builtins;
import org.junit.jupiter.api.Test;

/** One analysis ({@link TicketChecker#certify}) gives what an analysis, then a check of its claims gives. */
class CertifyTest {
  static TicketCertificate ticket(Network target, Activation phi) {
    SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, 6,
        Defaults.rho1(phi, 6, -1), Defaults.lambda(phi), 3, null, -1, 1, null, TicketCertificate.VERSION);
    return TicketBuilder.build(target, phi, new TicketBuilder.Options(p, 0.02, SubsetSum.Mode.MIN_SIZE, 1, "t"),
        TicketBuilder.Progress.NONE).certificate();
  }

  @Test
  void certifyEqualsClaimsThenCheck() {
    for (String name : new String[] {"small-cnn", "small-resnet"}) {
      Activation phi = ActivationCatalog.parse("relu");
      Network target = Builtins.of(name, phi);
      TicketCertificate built = ticket(target, phi);
      TicketCertificate unclaimed = new TicketCertificate(built.header().withClaims(0, 7), built.keptWeights(),
          built.keptBiases(), built.maskDigest());
      TicketChecker.Certified c = TicketChecker.certify(unclaimed, target, phi, TicketChecker.Listener.NONE, null);
      TicketChecker.Report claims = TicketChecker.analyse(
          SourceNetwork.of(TargetPlan.of(target, KernelActivation.of("relu")), unclaimed.params()), unclaimed,
          TicketChecker.Listener.NONE, Region.box(-1, 1));
      assertThat(c.certificate().header().claimedBound()).as(name).isEqualTo(claims.certifiedBound());
      assertThat(c.certificate().header().claimedFailedInstances()).isEqualTo(claims.failedInstances());
      assertThat(c.report().verdict().isHolds()).as(c.report().verdict().toString()).isTrue();
      assertThat(c.report()).isEqualTo(TicketChecker.check(c.certificate(), target, phi));
    }
  }

  /**
   * The kernel bounds a certificate with the form budget its header names: a certificate built with forms checks
   * with forms, and the same mask whose header names a budget of one double (intervals everywhere) recomputes a
   * larger bound, so its claim is rejected.
   */
  @Test
  void theHeadersFormBudgetIsTheKernels() {
    Activation phi = ActivationCatalog.parse("relu");
    Network target = Builtins.of("small-cnn", phi);
    SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, 6,
        Defaults.rho1(phi, 6, -1), Defaults.lambda(phi), 3, null, -1, 1, null, TicketCertificate.VERSION);
    double[][] around = {new double[128], new double[128]};
    for (int i = 0; i < 128; i++) {
      around[0][i] = Math.sin(i);
      around[1][i] = Math.cos(3 * i) / 2;
    }
    double[] bounds = new double[2];
    TicketCertificate[] certs = new TicketCertificate[2];
    long[] budgets = {TicketCertificate.DEFAULT_FORM_BUDGET, 1};
    for (int k = 0; k < 2; k++) {
      certs[k] = TicketBuilder.build(target, phi, new TicketBuilder.Options(p, 0.02, SubsetSum.Mode.MIN_SIZE, 1, "t",
          around, 0.05, budgets[k]), TicketBuilder.Progress.NONE).certificate();
      assertThat(certs[k].header().formBudget()).isEqualTo(budgets[k]);
      TicketChecker.Report r = TicketChecker.check(certs[k], target, phi, TicketChecker.Listener.NONE, around);
      assertThat(r.verdict().isHolds()).as(r.verdict().toString()).isTrue();
      bounds[k] = r.differentialBound();
    }
    assertThat(certs[1].keptWeights()).isDeepEqualTo(certs[0].keptWeights());
    assertThat(bounds[0]).as("forms against intervals").isLessThan(bounds[1]);
    TicketCertificate.Header h = certs[0].header();
    TicketCertificate intervals = new TicketCertificate(new TicketCertificate.Header(h.version(), h.target(),
        h.targetSha256(), h.activation(), h.construction(), h.rho(), h.rho1(), h.lambda(), h.seed(), h.inputLow(),
        h.inputHigh(), h.upto(), h.eps(), h.claimedBound(), h.maskSha256(), h.claimedFailedInstances(),
        h.aroundSha256(), h.radius(), 1, TicketCertificate.DEFAULT_SUBSTITUTION_WORK, null), certs[0].keptWeights(),
        certs[0].keptBiases(), certs[0].maskDigest());
    TicketChecker.Report r = TicketChecker.check(intervals, target, phi, TicketChecker.Listener.NONE, around);
    assertThat(r.differentialBound()).isEqualTo(bounds[1]);
    assertThat(r.verdict().isHolds()).isFalse();
    assertThat(r.verdict().reason()).contains("is below the recomputed bound");
  }

  /**
   * The kernel back-substitutes with the work limit its header names: on a ResNet the default limit lowers the bound
   * below the forward pass's, which a limit of 0 keeps, and the same mask whose header names 0 recomputes that larger
   * bound, so the smaller claim is rejected.
   */
  @Test
  void theHeadersSubstitutionWorkIsTheKernels() {
    Activation phi = ActivationCatalog.parse("relu");
    Network target = Builtins.of("small-resnet", phi);
    SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, 3,
        Defaults.rho1(phi, 3, -1), Defaults.lambda(phi), 3, null, -1, 1, null, TicketCertificate.VERSION);
    double[] works = {TicketCertificate.DEFAULT_SUBSTITUTION_WORK, 0};
    double[] bounds = new double[2];
    TicketCertificate[] certs = new TicketCertificate[2];
    for (int k = 0; k < 2; k++) {
      certs[k] = TicketBuilder.build(target, phi, new TicketBuilder.Options(p, 0.05, SubsetSum.Mode.MIN_SIZE, 2, "t",
          null, Double.NaN, TicketCertificate.DEFAULT_FORM_BUDGET, works[k]), TicketBuilder.Progress.NONE)
          .certificate();
      assertThat(certs[k].header().substitutionWork()).isEqualTo(works[k]);
      TicketChecker.Report r = TicketChecker.check(certs[k], target, phi);
      assertThat(r.verdict().isHolds()).as(r.verdict().toString()).isTrue();
      bounds[k] = r.differentialBound();
    }
    assertThat(certs[1].keptWeights()).isDeepEqualTo(certs[0].keptWeights());
    assertThat(bounds[0]).as("back-substituted against the forward pass").isLessThan(bounds[1]);
    TicketCertificate.Header h = certs[0].header();
    TicketCertificate forward = new TicketCertificate(new TicketCertificate.Header(h.version(), h.target(),
        h.targetSha256(), h.activation(), h.construction(), h.rho(), h.rho1(), h.lambda(), h.seed(), h.inputLow(),
        h.inputHigh(), h.upto(), h.eps(), h.claimedBound(), h.maskSha256(), h.claimedFailedInstances(),
        h.aroundSha256(), h.radius(), h.formBudget(), 0, null), certs[0].keptWeights(), certs[0].keptBiases(),
        certs[0].maskDigest());
    TicketChecker.Report r = TicketChecker.check(forward, target, phi);
    assertThat(r.differentialBound()).isEqualTo(bounds[1]);
    assertThat(r.verdict().isHolds()).isFalse();
    assertThat(r.verdict().reason()).contains("is below the recomputed bound");
  }

  @Test
  void aRejectedMaskClaimsNothingAndKeepsItsReason() {
    Activation phi = ActivationCatalog.parse("relu");
    Network target = Builtins.of("small-cnn", phi);
    TicketCertificate built = ticket(target, phi);
    int[][] w = built.keptWeights().clone();
    int k = 0;
    while (w[k].length == 0) k++;
    w[k] = w[k].clone();
    w[k][w[k].length - 1] = Integer.MAX_VALUE;
    String digest = TicketWriter.maskDigest(w, built.keptBiases());
    TicketCertificate.Header h = built.header();
    TicketCertificate bad = new TicketCertificate(new TicketCertificate.Header(h.version(), h.target(),
        h.targetSha256(), h.activation(), h.construction(), h.rho(), h.rho1(), h.lambda(), h.seed(), h.inputLow(),
        h.inputHigh(), h.upto(), h.eps(), 0, digest, 0, null, Double.NaN, h.formBudget(), h.substitutionWork(),
        null), w, built.keptBiases(),
        digest);
    TicketChecker.Certified c = TicketChecker.certify(bad, target, phi, TicketChecker.Listener.NONE, null);
    assertThat(c.report().verdict().isHolds()).isFalse();
    assertThat(c.report().verdict().reason()).isEqualTo(TicketChecker.check(bad, target, phi).verdict().reason());
    assertThat(c.certificate().header().claimedBound()).isEqualTo(Double.POSITIVE_INFINITY);
  }
}
