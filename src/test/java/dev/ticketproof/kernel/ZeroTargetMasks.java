package dev.ticketproof.kernel;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.io.TicketWriter;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.Network;
import dev.ticketproof.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Masks that keep more than the construction does: a weight where the target weight is 0. The construction never
 * keeps one there (the instance's target is 0), but a certificate may; the weight then forms an instance of target
 * 0 whose error both bounds must count.
 */
public final class ZeroTargetMasks {
  private ZeroTargetMasks() {}

  /** Fully connected 3 -> 4 -> phi -> 2 whose first row has a zero in each layer (fc1 input 1, fc2 input 2). */
  public static Network fc(Activation phi) {
    double[] w1 = {0.5, 0, -0.7, 0.3, 0.9, -0.4, -0.6, 0.8, 0.2, 0.7, -0.5, 0.6};
    double[] w2 = {0.8, -0.6, 0, 0.5, -0.4, 0.7, 0.6, -0.9};
    return new Network(new int[] {3}, List.of(
        new Linear("fc1", Tensor.of(w1, 4, 3), Tensor.of(new double[] {0.1, -0.2, 0.3, 0.05}, 4)),
        new ActivationLayer(phi),
        new Linear("fc2", Tensor.of(w2, 2, 4), Tensor.of(new double[] {0.2, -0.1}, 2))));
  }

  /**
   * The certificate with one more kept weight in every source conv: from output unit 0 (target channel 0) to the
   * first input channel whose target weight is 0 (a 1x1 or fully connected layer), read from a kept univariate unit
   * of that channel, or from its copy 0; the mask digest rewritten to match.
   */
  public static TicketCertificate keepWhereTheTargetIsZero(SourceNetwork src, TicketCertificate cert) {
    int[][] w = cert.keptWeights().clone();
    int[] alive = new int[0];
    for (SourceNetwork.Node n : src.nodes()) {
      if (n instanceof SourceNetwork.Univariate u) {
        long inUnits = u.in().units();
        alive = Arrays.stream(cert.keptWeights()[u.id()]).map(idx -> (int) (idx / inUnits)).toArray();
      }
      if (!(n instanceof SourceNetwork.Conv c)) continue;
      TargetPlan.Affine a = c.target();
      int i = 0;
      while (a.k(0, i, 0, 0) != 0) i++;
      int ch = i;
      int unit = c.in().kind() == Layout.Kind.UNIVARIATE
          ? Arrays.stream(alive).filter(v -> c.in().channel(v) == ch).findFirst().orElseThrow()
          : c.in().copy(i, 0);
      int idx = c.index(c.out().copy(0, 0), unit, 0, 0);
      if (Arrays.stream(w[c.id()]).anyMatch(v -> v == idx)) throw new IllegalStateException("already kept: " + idx);
      int[] more = Arrays.copyOf(w[c.id()], w[c.id()].length + 1);
      more[more.length - 1] = idx;
      Arrays.sort(more);
      w[c.id()] = more;
    }
    TicketCertificate.Header h = cert.header();
    TicketCertificate.Header nh = new TicketCertificate.Header(h.version(), h.target(), h.targetSha256(),
        h.activation(), h.construction(), h.rho(), h.rho1(), h.lambda(), h.seed(), h.inputLow(), h.inputHigh(),
        h.upto(), h.eps(), h.claimedBound(), TicketWriter.maskDigest(w, cert.keptBiases()),
        h.claimedFailedInstances(), null, Double.NaN, h.formBudget(), h.substitutionWork(), null);
    return new TicketCertificate(nh, w, cert.keptBiases(), nh.maskSha256());
  }
}
