package dev.ticketproof.kernel.lemma;

import dev.ticketproof.kernel.KernelActivation;
import dev.ticketproof.kernel.Verdict;
import java.math.BigDecimal;

/**
 * Checks the certificates of the [identity] lemma (activation linearisation) from scratch. Uses only the JDK,
 * Commons Numbers (erfc, through {@link KernelActivation}) and the weight field; never construction code.
 *
 * <p>Sums, products and bounds are computed EXACTLY with {@link BigDecimal} (every finite double is a dyadic
 * rational). A claimed figure must be an upper bound of the exact one and tight (within a relative 2^-40 of it):
 * a certificate states what was achieved, so an understated or an inflated figure is rejected.
 */
public final class IdentityChecker {
  private static final BigDecimal TIGHT = BigDecimal.ONE.add(new BigDecimal(0x1.0p-40));

  private IdentityChecker() {}

  /**
   * The sign split (ReLU-like phi). The whole check: (1) all fields present and finite, eps &gt; 0; (2) the
   * activation is one the kernel knows as piecewise linear ({@code relu}, {@code leaky-relu(a)}) and its slopes are
   * exactly the recorded m-, m+; (3) m+ + m- != 0 (the lemma's hypothesis); (4) index sets strictly ascending inside
   * [0, copies), every first-layer weight in S+ is &gt; 0 and in S- is &lt; 0 (regenerated from the weight field);
   * (5) with \( \sigma = m_+ + m_- \) and \( S_\pm = \sum w_2 w_1 \) exact, \( E_\pm = \sigma S_\pm - w \) exact, the
   * claimed errors satisfy \( |E_\pm| \le e_\pm |\sigma| \le |E_\pm|(1 + 2^{-40}) \); (6) the claimed K satisfies the
   * same with \( \max(|m_+||E_+| + |m_-||E_-|, |m_-||E_+| + |m_+||E_-|) \); (7) withinEps equals
   * \( \max|E_\pm| \le \varepsilon |\sigma| \). Then for every real x, by the exact identities
   * \( \sum w_2 \psi(w_1 x) - w x = x (m_+ e_+ + m_- e_-) \) (x &gt; 0) and \( x (m_- e_+ + m_+ e_-) \) (x &lt; 0)
   * with signed errors, the claim holds.
   *
   * @param c the certificate. Not modified.
   * @return "holds" or "rejected" with the first reason found
   */
  public static Verdict check(SignSplitCertificate c) {
    if (c == null || c.activation() == null || c.first() == null || c.second() == null || c.positive() == null
        || c.negative() == null) {
      return Verdict.rejected("incomplete sign-split certificate: " + c);
    }
    String finite = firstNonFinite(new String[] {"m-", "m+", "target", "e+", "e-", "coefficient", "eps"},
        c.slopeMinus(), c.slopePlus(), c.target(), c.errorPlus(), c.errorMinus(), c.coefficient(), c.eps());
    if (finite != null) {
      return Verdict.rejected(finite);
    }
    if (!(c.eps() > 0)) {
      return Verdict.rejected("eps must be > 0, got " + c.eps());
    }
    KernelActivation kphi = KernelActivation.family(c.activation());
    if (kphi == null || !kphi.piecewiseLinear()) {
      return Verdict.rejected("activation " + c.activation()
          + " is not a piecewise-linear activation the kernel knows (relu, leaky-relu(a))");
    }
    if (kphi.slopeMinus() != c.slopeMinus() || kphi.slopePlus() != c.slopePlus()) {
      return Verdict.rejected("recorded slopes m- = " + c.slopeMinus() + ", m+ = " + c.slopePlus() + " differ from "
          + c.activation() + "'s m- = " + kphi.slopeMinus() + ", m+ = " + kphi.slopePlus());
    }
    BigDecimal mMinus = new BigDecimal(c.slopeMinus());
    BigDecimal mPlus = new BigDecimal(c.slopePlus());
    BigDecimal sigma = mPlus.add(mMinus);
    if (sigma.signum() == 0) {
      return Verdict.rejected("hypothesis m+ + m- != 0 violated: m- = " + c.slopeMinus() + ", m+ = " + c.slopePlus());
    }
    if (c.copies() < 0) {
      return Verdict.rejected("copies must be >= 0, got " + c.copies());
    }
    BigDecimal[] sums = new BigDecimal[2];
    int[][] sets = {c.positive(), c.negative()};
    for (int side = 0; side < 2; side++) {
      int[] s = sets[side];
      String label = side == 0 ? "S+" : "S-";
      BigDecimal sum = BigDecimal.ZERO;
      for (int k = 0; k < s.length; k++) {
        if (s[k] < 0 || s[k] >= c.copies()) {
          return Verdict.rejected(label + " index " + s[k] + " is outside [0, " + c.copies() + ")");
        }
        if (k > 0 && s[k] <= s[k - 1]) {
          return Verdict.rejected(label + " is not strictly ascending at position " + k + ": " + s[k - 1] + ", "
              + s[k]);
        }
        double w1 = c.first().value(c.seed(), c.firstStream(), s[k]);
        double w2 = c.second().value(c.seed(), c.secondStream(), s[k]);
        if (side == 0 ? !(w1 > 0) : !(w1 < 0)) {
          return Verdict.rejected(label + " index " + s[k] + " has first-layer weight " + w1 + ", expected "
              + (side == 0 ? "> 0" : "< 0"));
        }
        if (!Double.isFinite(w2)) {
          return Verdict.rejected("readout weight " + s[k] + " is not finite: " + w2);
        }
        sum = sum.add(new BigDecimal(w1).multiply(new BigDecimal(w2)));
      }
      sums[side] = sum;
    }
    BigDecimal w = new BigDecimal(c.target());
    BigDecimal ePlus = sigma.multiply(sums[0]).subtract(w).abs();
    BigDecimal eMinus = sigma.multiply(sums[1]).subtract(w).abs();
    BigDecimal absSigma = sigma.abs();
    String r = tight("e+", c.errorPlus(), absSigma, ePlus);
    if (r == null) {
      r = tight("e-", c.errorMinus(), absSigma, eMinus);
    }
    if (r != null) {
      return Verdict.rejected(r);
    }
    BigDecimal aPlus = mPlus.abs();
    BigDecimal aMinus = mMinus.abs();
    BigDecimal k = aPlus.multiply(ePlus).add(aMinus.multiply(eMinus))
        .max(aMinus.multiply(ePlus).add(aPlus.multiply(eMinus)));
    r = tight("coefficient K", c.coefficient(), absSigma, k);
    if (r != null) {
      return Verdict.rejected(r);
    }
    boolean within = ePlus.max(eMinus).compareTo(new BigDecimal(c.eps()).multiply(absSigma)) <= 0;
    if (within != c.withinEps()) {
      return Verdict.rejected("withinEps is recorded as " + c.withinEps() + " but max(e+, e-) <= eps is " + within);
    }
    return Verdict.holds();
  }

  /**
   * The linearisation (smooth phi). The whole check: (1) fields finite, lambda &gt; 0, B &ge; 0, p in {2, 3}; (2)
   * the activation has a kernel reference model and the recorded phi0, m, p equal it, M is at least its M and r at
   * most its r; (3) \( \lambda B \le r \); (4) the bound of {@link LinearisationCertificate}, recomputed exactly, is
   * at most the claimed one and at least a relative \( 2^{-40} \) close to it; (5) a sanity check of the reference
   * model: at 65 equally spaced t in [-B, B], the kernel's own phi gives \( |u(t) - t| \le \) bound + 8 ulp-sized
   * rounding terms.
   *
   * @param c the certificate. Not modified.
   * @return "holds" or "rejected" with the first reason found
   */
  public static Verdict check(LinearisationCertificate c) {
    if (c == null || c.activation() == null) {
      return Verdict.rejected("incomplete linearisation certificate: " + c);
    }
    String finite = firstNonFinite(new String[] {"phi0", "slope", "M", "lambda", "B", "readout", "bias", "bound"},
        c.phi0(), c.slope(), c.remainderConstant(), c.lambda(), c.inputBound(), c.readout(), c.bias(), c.bound());
    if (finite != null) {
      return Verdict.rejected(finite);
    }
    if (Double.isNaN(c.remainderRadius())) {
      return Verdict.rejected("remainder radius is NaN");
    }
    if (!(c.lambda() > 0) || !(c.inputBound() >= 0)) {
      return Verdict.rejected("need lambda > 0 and B >= 0, got lambda = " + c.lambda() + ", B = " + c.inputBound());
    }
    KernelActivation kphi = KernelActivation.family(c.activation());
    KernelActivation.Local ref = kphi == null ? null : kphi.local();
    if (ref == null || ref.slopeMinus() != ref.slopePlus()) {
      return Verdict.rejected("activation " + c.activation() + " has no smooth local model in the kernel "
          + "(families: " + KernelActivation.families() + "; smooth ones have equal one-sided slopes)");
    }
    if (c.phi0() != ref.phi0() || c.slope() != ref.slopePlus() || c.remainderPower() != ref.remainderPower()
        || !(c.remainderConstant() >= ref.remainderConstant()) || !(c.remainderRadius() <= ref.radius())) {
      return Verdict.rejected("recorded local model (phi0 = " + c.phi0() + ", m = " + c.slope() + ", M = "
          + c.remainderConstant() + ", p = " + c.remainderPower() + ", r = " + c.remainderRadius() + ") does not match "
          + c.activation() + "'s " + ref);
    }
    BigDecimal lambda = new BigDecimal(c.lambda());
    BigDecimal b = new BigDecimal(c.inputBound());
    if (Double.isFinite(c.remainderRadius()) && lambda.multiply(b).compareTo(new BigDecimal(c.remainderRadius())) > 0) {
      return Verdict.rejected("lambda B = " + c.lambda() * c.inputBound() + " exceeds the remainder radius "
          + c.remainderRadius());
    }
    BigDecimal readout = new BigDecimal(c.readout());
    BigDecimal kappa = readout.multiply(lambda).multiply(new BigDecimal(c.slope()));
    BigDecimal beta = new BigDecimal(c.bias()).add(readout.multiply(new BigDecimal(c.phi0())));
    int p = c.remainderPower();
    BigDecimal rem = new BigDecimal(c.remainderConstant()).multiply(lambda.pow(p)).multiply(b.pow(p))
        .add(new BigDecimal(ref.slopeError()).multiply(lambda).multiply(b)).add(new BigDecimal(ref.phi0Error()));
    BigDecimal exact = kappa.subtract(BigDecimal.ONE).abs().multiply(b).add(readout.abs().multiply(rem))
        .add(beta.abs());
    String r = tight("bound", c.bound(), BigDecimal.ONE, exact);
    if (r != null) {
      return Verdict.rejected(r);
    }
    return sanity(kphi, c.lambda(), c.inputBound(), c.readout(), c.bias(), false, c.bound());
  }

  /**
   * The symmetric linearisation (general class). The whole check: (1) fields finite, lambda &gt; 0, B &ge; 0; (2)
   * the activation has a kernel local model and the recorded m-, m+, p equal it, M is at least its M, r at most
   * its r; (3) \( \sigma = m_+ + m_- \ne 0 \) (the lemma's hypothesis); (4) \( \lambda B \le r \); (5) the bound of
   * {@link SymmetricLinearisationCertificate}, recomputed exactly, is at most the claimed one and within a relative
   * \( 2^{-40} \) of it; (6) the sanity check of {@link #check(LinearisationCertificate)} at 65 points with the
   * kernel's own phi.
   *
   * @param c the certificate. Not modified.
   * @return "holds" or "rejected" with the first reason found
   */
  public static Verdict check(SymmetricLinearisationCertificate c) {
    if (c == null || c.activation() == null) {
      return Verdict.rejected("incomplete symmetric linearisation certificate: " + c);
    }
    String finite = firstNonFinite(new String[] {"m-", "m+", "M", "lambda", "B", "readout", "bound"},
        c.slopeMinus(), c.slopePlus(), c.remainderConstant(), c.lambda(), c.inputBound(), c.readout(), c.bound());
    if (finite != null) {
      return Verdict.rejected(finite);
    }
    if (Double.isNaN(c.remainderRadius())) {
      return Verdict.rejected("remainder radius is NaN");
    }
    if (!(c.lambda() > 0) || !(c.inputBound() >= 0)) {
      return Verdict.rejected("need lambda > 0 and B >= 0, got lambda = " + c.lambda() + ", B = " + c.inputBound());
    }
    KernelActivation kphi = KernelActivation.family(c.activation());
    KernelActivation.Local ref = kphi == null ? null : kphi.local();
    if (ref == null) {
      return Verdict.rejected("activation " + c.activation() + " has no local model in the kernel (families: "
          + KernelActivation.families() + ")");
    }
    if (c.slopeMinus() != ref.slopeMinus() || c.slopePlus() != ref.slopePlus()
        || c.remainderPower() != ref.remainderPower() || !(c.remainderConstant() >= ref.remainderConstant())
        || !(c.remainderRadius() <= ref.radius())) {
      return Verdict.rejected("recorded local model (m- = " + c.slopeMinus() + ", m+ = " + c.slopePlus() + ", M = "
          + c.remainderConstant() + ", p = " + c.remainderPower() + ", r = " + c.remainderRadius()
          + ") does not match " + c.activation() + "'s " + ref);
    }
    BigDecimal sigma = new BigDecimal(c.slopePlus()).add(new BigDecimal(c.slopeMinus()));
    if (sigma.signum() == 0) {
      return Verdict.rejected("hypothesis m+ + m- != 0 violated: m- = " + c.slopeMinus() + ", m+ = " + c.slopePlus());
    }
    BigDecimal lambda = new BigDecimal(c.lambda());
    BigDecimal b = new BigDecimal(c.inputBound());
    if (Double.isFinite(c.remainderRadius()) && lambda.multiply(b).compareTo(new BigDecimal(c.remainderRadius())) > 0) {
      return Verdict.rejected("lambda B = " + c.lambda() * c.inputBound() + " exceeds the remainder radius "
          + c.remainderRadius());
    }
    BigDecimal readout = new BigDecimal(c.readout());
    BigDecimal kappa = readout.multiply(lambda).multiply(sigma);
    int p = c.remainderPower();
    BigDecimal exact = kappa.subtract(BigDecimal.ONE).abs().multiply(b).add(readout.abs()
        .multiply(BigDecimal.valueOf(2)).multiply(new BigDecimal(c.remainderConstant()).multiply(lambda.pow(p))
        .multiply(b.pow(p)).add(new BigDecimal(ref.slopeError()).multiply(lambda).multiply(b))));
    String r = tight("bound", c.bound(), BigDecimal.ONE, exact);
    if (r != null) {
      return Verdict.rejected(r);
    }
    return sanity(kphi, c.lambda(), c.inputBound(), c.readout(), 0, true, c.bound());
  }

  /**
   * A constant neuron. The whole check: (1) the activation is one the kernel can evaluate; (2) for a drawn bias, the
   * recorded beta equals the weight-field draw bit for bit; (3) the recorded value equals the kernel's phi(beta)
   * (exactly for piecewise-linear phi, within 2 ulp otherwise) and is finite and nonzero; (4) the claimed deviation
   * covers \( |\text{readout} \cdot c - 1| + |\text{readout}| \cdot \) valueError exactly and is tight to 2^-40.
   *
   * @param c the certificate. Not modified.
   * @return "holds" or "rejected" with the first reason found
   */
  public static Verdict check(ConstantNeuronCertificate c) {
    if (c == null || c.activation() == null) {
      return Verdict.rejected("incomplete constant-neuron certificate: " + c);
    }
    String finite = firstNonFinite(new String[] {"bias", "value", "readout", "deviation"}, c.bias(), c.value(),
        c.readout(), c.deviation());
    if (finite != null) {
      return Verdict.rejected(finite);
    }
    KernelActivation kphi = KernelActivation.family(c.activation());
    if (kphi == null) {
      return Verdict.rejected("activation " + c.activation() + " is not one the kernel can evaluate");
    }
    if (c.biasDistribution() != null) {
      double beta = c.biasDistribution().value(c.seed(), c.stream(), c.index());
      if (Double.compare(beta, c.bias()) != 0) {
        return Verdict.rejected("recorded bias " + c.bias() + " is not the weight-field draw " + beta + " at (seed "
            + c.seed() + ", stream " + c.stream() + ", index " + c.index() + ")");
      }
    }
    double ref = kphi.value(c.bias());
    boolean pl = kphi.piecewiseLinear();
    double valueError = pl ? 0 : 2 * Math.ulp(c.value());
    if (!(Math.abs(c.value() - ref) <= valueError)) {
      return Verdict.rejected("recorded value " + c.value() + " is not " + c.activation() + "(" + c.bias() + ") = "
          + ref);
    }
    if (c.value() == 0) {
      return Verdict.rejected("a constant neuron needs phi(beta) != 0, got " + c.activation() + "(" + c.bias()
          + ") = 0");
    }
    BigDecimal readout = new BigDecimal(c.readout());
    BigDecimal exact = readout.multiply(new BigDecimal(c.value())).subtract(BigDecimal.ONE).abs()
        .add(readout.abs().multiply(new BigDecimal(valueError)));
    String r = tight("deviation", c.deviation(), BigDecimal.ONE, exact);
    return r == null ? Verdict.holds() : Verdict.rejected(r);
  }

  /**
   * The sanity check at 65 equally spaced t in [-B, B] with the kernel's own phi: |u(t) - t| &le; bound + 8 ulp-sized
   * rounding terms, u = readout phi(lambda t) + bias, or with {@code pair} readout (phi(lambda t) - phi(-lambda t)).
   */
  private static Verdict sanity(KernelActivation kphi, double lambda, double inputBound, double readout, double bias,
      boolean pair, double bound) {
    for (int k = 0; k <= 64; k++) {
      double t = inputBound * (-1 + k / 32.0);
      double v1 = kphi.value(lambda * t);
      double v2 = pair ? kphi.value(-lambda * t) : 0;
      double u = pair ? readout * (v1 - v2) : readout * v1 + bias;
      double allowance = 8 * (Math.abs(readout) * (Math.ulp(v1) + (pair ? Math.ulp(v2) : 0))
          + (pair ? 0 : Math.ulp(bias)) + Math.ulp(u) + Math.ulp(t));
      if (!(Math.abs(u - t) <= bound + allowance)) {
        return Verdict.rejected("sanity check failed: at t = " + t + (pair ? " the units give " : " the unit gives ")
            + u + ", error " + Math.abs(u - t) + " > bound " + bound);
      }
    }
    return Verdict.holds();
  }

  /** Null when {@code exact <= claimed * scale <= exact * (1 + 2^-40) + scale * MIN_VALUE}, else the reason. */
  private static String tight(String what, double claimed, BigDecimal scale, BigDecimal exact) {
    if (!(claimed >= 0)) {
      return "claimed " + what + " must be >= 0, got " + claimed;
    }
    BigDecimal scaled = new BigDecimal(claimed).multiply(scale);
    if (scaled.compareTo(exact) < 0) {
      return "claimed " + what + " " + claimed + " is below the exact value "
          + exact.divide(scale, java.math.MathContext.DECIMAL64);
    }
    BigDecimal slack = scale.multiply(new BigDecimal(Double.MIN_VALUE));
    if (scaled.compareTo(exact.multiply(TIGHT).add(slack)) > 0) {
      return "claimed " + what + " " + claimed + " overstates the exact value "
          + exact.divide(scale, java.math.MathContext.DECIMAL64) + " (a certificate records what was achieved)";
    }
    return null;
  }

  private static String firstNonFinite(String[] names, double... values) {
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        return names[i] + " is not finite: " + values[i];
      }
    }
    return null;
  }
}
