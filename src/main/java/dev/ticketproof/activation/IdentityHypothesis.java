package dev.ticketproof.activation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The hypothesis of the [identity] lemma (activation linearisation), as a precondition.
 *
 * <p>An activation qualifies when
 * <ol>
 *   <li><b>finite constants</b>: phi(0), m-, m+, the Lipschitz constant L and the remainder constant M are finite,
 *       L, M &ge; 0, the remainder power p is 2 or 3 and the radius r &gt; 0 (r may be infinite);</li>
 *   <li><b>m+ + m- != 0 at 0</b>: the sign split reconstructs \( (m_+ + m_-) x \), so it must not vanish
 *       (this rejects |x|, x^2, cos);</li>
 *   <li><b>stated constants match phi</b> (a numerical check, aimed at user-supplied activations):
 *       \( |\phi(0) - \phi_0| \le 10^{-12}\max(1,|\phi_0|) \), and on the grid
 *       \( t = \pm 2^{-j} \) (j = 1..30) and \( t = \pm k/16 \) (k = 1..160) with \( |t| \le r \):
 *       \( |\phi(t) - \phi_0 - m_\pm t| \le M |t|^p + \tau \), \( |\phi'(t)| \le L(1 + 10^{-9}) \), and on
 *       consecutive grid points \( |\phi(s) - \phi(t)| \le L |s - t| (1 + 10^{-9}) + \tau \), with the rounding
 *       allowance \( \tau = 10^{-12} \max(1, |\phi(t)|, |\phi_0|) \).</li>
 * </ol>
 * Nothing is approximated: an activation that fails any of these is rejected with every failure named.
 */
public final class IdentityHypothesis {
  /** Name of hypothesis 1. */
  public static final String FINITE_CONSTANTS = "finite constants";
  /** Name of hypothesis 2. */
  public static final String SLOPE_SUM = "m+ + m- != 0 at 0";
  /** Name of hypothesis 3. */
  public static final String CONSISTENT = "stated constants match phi";

  private static final double[] GRID = grid();

  private IdentityHypothesis() {}

  private static double[] grid() {
    List<Double> ts = new ArrayList<>();
    for (int j = 30; j >= 1; j--) {
      ts.add(Math.scalb(1.0, -j));
    }
    for (int k = 1; k <= 160; k++) {
      ts.add(k / 16.0);
    }
    double[] out = new double[2 * ts.size()];
    int n = ts.size();
    for (int i = 0; i < n; i++) {
      out[i] = -ts.get(i);
      out[n + i] = ts.get(i);
    }
    java.util.Arrays.sort(out);
    return out; // sorted ascending, 0 excluded
  }

  /**
   * The violated hypotheses of {@code phi}, each as "name: offending values"; empty when phi qualifies.
   *
   * @param phi the activation; not modified
   * @return the list of violations (never null)
   */
  public static List<String> violations(Activation phi) {
    List<String> out = new ArrayList<>();
    double phi0 = phi.phi0();
    double mMinus = phi.slopeMinus();
    double mPlus = phi.slopePlus();
    double lip = phi.lipschitz();
    double bigM = phi.remainderConstant();
    int p = phi.remainderPower();
    double r = phi.remainderRadius();
    List<String> bad = new ArrayList<>();
    if (!Double.isFinite(phi0)) {
      bad.add("phi(0) = " + phi0);
    }
    if (!Double.isFinite(mMinus)) {
      bad.add("m- = " + mMinus);
    }
    if (!Double.isFinite(mPlus)) {
      bad.add("m+ = " + mPlus);
    }
    if (!(lip >= 0 && lip < Double.POSITIVE_INFINITY)) {
      bad.add("Lipschitz constant = " + lip);
    }
    if (!(bigM >= 0 && bigM < Double.POSITIVE_INFINITY)) {
      bad.add("remainder constant M = " + bigM);
    }
    if (p != 2 && p != 3) {
      bad.add("remainder power p = " + p + " (expected 2 or 3)");
    }
    if (!(r > 0)) {
      bad.add("remainder radius r = " + r);
    }
    if (!bad.isEmpty()) {
      out.add(FINITE_CONSTANTS + ": " + String.join(", ", bad));
    }
    if (Double.isFinite(mMinus) && Double.isFinite(mPlus)) {
      double sum = mPlus + mMinus;
      if (!(Math.abs(sum) > 1e-12 * Math.max(Math.abs(mPlus), Math.abs(mMinus)) && sum != 0)) {
        out.add(SLOPE_SUM + ": m- = " + mMinus + ", m+ = " + mPlus + ", m+ + m- = " + sum
            + " (the sign split would reconstruct (m+ + m-) x = 0)");
      }
    }
    if (bad.isEmpty()) {
      String mismatch = mismatch(phi, phi0, mMinus, mPlus, lip, bigM, p, r);
      if (mismatch != null) {
        out.add(CONSISTENT + ": " + mismatch);
      }
    }
    return out;
  }

  /**
   * Throws unless {@code phi} satisfies every hypothesis.
   *
   * @param phi the activation; not modified
   * @throws IllegalArgumentException "activation NAME violates the [identity] hypothesis: ..." listing every
   *     violation
   */
  public static void require(Activation phi) {
    List<String> v = violations(phi);
    if (!v.isEmpty()) {
      List<String> each = new ArrayList<>();
      for (String s : v) {
        int colon = s.indexOf(": ");
        each.add("it requires " + s.substring(0, colon) + ", but " + s.substring(colon + 2));
      }
      throw new IllegalArgumentException("activation " + phi.name() + " violates the [identity] hypothesis that the "
          + "constructions rest on: " + String.join("; ", each));
    }
  }

  /** Whether phi qualifies (no violations). */
  public static boolean holds(Activation phi) { return violations(phi).isEmpty(); }

  private static String mismatch(Activation phi, double phi0, double mMinus, double mPlus, double lip,
      double bigM, int p, double r) {
    double v0 = phi.value(0);
    if (!(Math.abs(v0 - phi0) <= 1e-12 * Math.max(1, Math.abs(phi0)))) {
      return "phi(0) evaluates to " + v0 + " but phi0 = " + phi0;
    }
    double prevT = Double.NaN;
    double prevV = Double.NaN;
    for (double t : GRID) {
      double v = phi.value(t);
      double tau = 1e-12 * Math.max(1, Math.max(Math.abs(v), Math.abs(phi0)));
      if (!Double.isFinite(v)) {
        return String.format(Locale.ROOT, "phi(%s) = %s is not finite", t, v);
      }
      if (Math.abs(t) <= r) {
        double m = t < 0 ? mMinus : mPlus;
        double rem = Math.abs(v - phi0 - m * t);
        double allowed = bigM * Math.pow(Math.abs(t), p) + tau;
        if (!(rem <= allowed)) {
          return String.format(Locale.ROOT, "|phi(t) - phi0 - m%s t| = %s > M|t|^%d = %s at t = %s",
              t < 0 ? "-" : "+", rem, p, bigM * Math.pow(Math.abs(t), p), t);
        }
      }
      double d = phi.derivative(t);
      if (!(Math.abs(d) <= lip * (1 + 1e-9))) {
        return "|phi'(" + t + ")| = " + Math.abs(d) + " exceeds the Lipschitz constant " + lip;
      }
      if (!Double.isNaN(prevT) && !(Math.abs(v - prevV) <= lip * (t - prevT) * (1 + 1e-9) + tau)) {
        return "|phi(" + t + ") - phi(" + prevT + ")| = " + Math.abs(v - prevV)
            + " exceeds Lipschitz constant " + lip + " times the distance " + (t - prevT);
      }
      prevT = t;
      prevV = v;
    }
    return null;
  }
}
