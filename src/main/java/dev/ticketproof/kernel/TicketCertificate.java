package dev.ticketproof.kernel;

/**
 * A ticket certificate: the source network's definition (through the parameters in the header), the target's
 * hash, the mask (kept weights and biases of every source layer, by layer id) and the claimed error bound.
 *
 * @param header everything but the mask
 * @param keptWeights per source layer id: strictly increasing flat weight indices (see {@link SourceNetwork})
 * @param keptBiases per source layer id: strictly increasing unit indices whose bias is kept (univariate layers)
 * @param maskDigest SHA-256 of the mask's encoding ({@code mask.bin}), which the header's {@code maskSha256} must
 *     equal: of the bytes {@link TicketFile#read} decoded the mask from; of a certificate made in memory, as its
 *     maker computed it ({@code io.TicketWriter#maskDigest})
 */
public record TicketCertificate(Header header, int[][] keptWeights, int[][] keptBiases, String maskDigest) {

  /**
   * The certificate format version this kernel writes; it checks versions 2 to 5 ({@link #checks}), each with the
   * source network it was made with.
   */
  public static final int VERSION = 5;

  /**
   * Whether this kernel checks certificates of a format version: 5, 4 (without the input channels' own scales in the
   * first univariate layer), 3 (without the large-scale constant units' own scales either) and 2 (without the first
   * layer's block scales either).
   */
  public static boolean checks(int version) { return version >= 2 && version <= VERSION; }

  /** The differential bound's form budget of a header that names none: 2^23 doubles (64 MB) per feature map. */
  public static final long DEFAULT_FORM_BUDGET = 1L << 23;

  /** The back-substitution's work limit of a header that names none: 2e9 multiply-adds per box, a few seconds. */
  public static final double DEFAULT_SUBSTITUTION_WORK = 2e9;

  /**
   * The certificate header. Its fields construction, rho, rho1, lambda, seed, inputLow, inputHigh, upto and inputBoxes
   * (null in headers without the field) are the source network's parameters, as {@link SourceNetwork.Params} states
   * them ({@link #params}); the certified input box is [inputLow, inputHigh] on every channel, or the product of the
   * intervals of inputBoxes.
   *
   * @param version format version ({@link #VERSION}; version 2 introduced the per-channel weight scales of the
   *     source network, version 3 the first layer's block scales, {@code SourceNetwork#blockScales}, version 4 the
   *     large-scale constant units' scales, {@code SourceNetwork#largeScales}, version 5 the input channels' scales
   *     in the first univariate layer, {@code SourceNetwork#channelScales})
   * @param target {@code builtin:NAME} or the path the target was read from (informational)
   * @param targetSha256 SHA-256 of the target's tensors ({@link TargetHash})
   * @param activation activation name as accepted by the catalog
   * @param eps requested per-parameter tolerance
   * @param claimedBound the claimed sup over the box of |target - ticket|
   * @param maskSha256 SHA-256 of the mask's encoding ({@code mask.bin})
   * @param claimedFailedInstances the claimed number of instances whose achieved error exceeds eps
   * @param aroundSha256 for a local certificate, the digest of the points ({@code kernel.bound.Region#digest}) whose
   *     l-infinity balls (clipped to the box) the bound covers; null when the bound covers the whole box
   * @param radius the balls' radius (NaN when the bound covers the whole box)
   * @param formBudget the most doubles of coefficients the differential bound keeps per feature map (larger maps
   *     hold intervals; {@link #DEFAULT_FORM_BUDGET} in headers without it): more is tighter, slower and larger
   * @param substitutionWork the most multiply-adds per box of the differential bound's back-substitution, all outputs
   *     together (beyond it the bound is the forward pass's; {@link #DEFAULT_SUBSTITUTION_WORK} in headers without
   *     it): more is tighter on deeper tickets and slower
   */
  public record Header(int version, String target, String targetSha256, String activation, String construction,
      int rho, int rho1, double lambda, long seed, double inputLow, double inputHigh, String upto, double eps,
      double claimedBound, String maskSha256, long claimedFailedInstances, String aroundSha256, double radius,
      long formBudget, double substitutionWork, double[][] inputBoxes) {

    /** Whether the bound covers balls around points rather than the whole box. */
    public boolean local() { return aroundSha256 != null; }

    /** This header for the whole box: a local certificate's points and radius dropped. */
    public Header withoutPoints() {
      return new Header(version, target, targetSha256, activation, construction, rho, rho1, lambda, seed, inputLow,
          inputHigh, upto, eps, claimedBound, maskSha256, claimedFailedInstances, null, Double.NaN, formBudget,
          substitutionWork, inputBoxes);
    }

    /** This header with other claims (bound and failed instances). */
    public Header withClaims(double bound, long failed) {
      return new Header(version, target, targetSha256, activation, construction, rho, rho1, lambda, seed, inputLow,
          inputHigh, upto, eps, bound, maskSha256, failed, aroundSha256, radius, formBudget, substitutionWork,
          inputBoxes);
    }

  }

  /** The source parameters this header defines. */
  public SourceNetwork.Params params() {
    return new SourceNetwork.Params(SourceNetwork.Construction.parse(header.construction()), header.rho(),
        header.rho1(), header.lambda(), header.seed(), header.upto(), header.inputLow(), header.inputHigh(),
        header.inputBoxes(), header.version());
  }
}
