package dev.ticketproof.kernel.lemma;

import dev.ticketproof.random.Uniform;
import java.util.Arrays;
import java.util.Objects;

/**
 * A claim of the [identity] lemma for a ReLU-like activation \( \psi(t) = m_+ t^+ - m_- t^- \) (the sign split):
 * with first-layer weights \( w_{1,i} \) = {@code first.value(seed, firstStream, i)} and readout weights
 * \( w_{2,i} \) = {@code second.value(seed, secondStream, i)} for \( 0 \le i &lt; \) {@code copies},
 * \[ \Big| \sum_{i \in S_+ \cup S_-} w_{2,i}\, \psi(w_{1,i} x) - w x \Big| \le K |x| \quad \text{for all real } x, \]
 * where \( S_+ \) = {@code positive} (all \( w_{1,i} > 0 \)), \( S_- \) = {@code negative} (all \( w_{1,i} &lt; 0 \)),
 * K = {@code coefficient}. The claimed achieved errors are
 * \( e_\pm = |\sum_{S_\pm} w_2 w_1 - w/(m_+ + m_-)| \) ({@code errorPlus}, {@code errorMinus}), and
 * \( K = \max(|m_+| e_+ + |m_-| e_-,\ |m_-| e_+ + |m_+| e_-) \).
 *
 * <p>Arrays are copied on the way in and out. {@link IdentityChecker#check(SignSplitCertificate)} decides.
 *
 * @param activation the activation's canonical name ({@code relu} or {@code leaky-relu(a)})
 * @param slopeMinus m-
 * @param slopePlus m+
 * @param target the weight w to represent
 * @param seed the source seed
 * @param firstStream weight-field stream of the first-layer weights
 * @param secondStream weight-field stream of the readout weights
 * @param copies number of first-layer copies (indices 0..copies-1)
 * @param first distribution of the first-layer weights
 * @param second distribution of the readout weights
 * @param positive S+, strictly ascending
 * @param negative S-, strictly ascending
 * @param errorPlus claimed e+ (the smallest double not below the exact value, up to 2^-50 relative)
 * @param errorMinus claimed e-
 * @param coefficient claimed K
 * @param eps the requested tolerance
 * @param withinEps whether max(e+, e-) &le; eps
 */
public record SignSplitCertificate(String activation, double slopeMinus, double slopePlus, double target, long seed,
    long firstStream, long secondStream, int copies, Uniform first, Uniform second, int[] positive, int[] negative,
    double errorPlus, double errorMinus, double coefficient, double eps, boolean withinEps) {
  public SignSplitCertificate {
    positive = positive == null ? null : positive.clone();
    negative = negative == null ? null : negative.clone();
  }

  @Override public int[] positive() { return positive == null ? null : positive.clone(); }

  @Override public int[] negative() { return negative == null ? null : negative.clone(); }

  /** A copy with another target (for tools and tamper tests). */
  public SignSplitCertificate withTarget(double w) {
    return new SignSplitCertificate(activation, slopeMinus, slopePlus, w, seed, firstStream, secondStream, copies,
        first, second, positive, negative, errorPlus, errorMinus, coefficient, eps, withinEps);
  }

  /** A copy with another seed. */
  public SignSplitCertificate withSeed(long newSeed) {
    return new SignSplitCertificate(activation, slopeMinus, slopePlus, target, newSeed, firstStream, secondStream,
        copies, first, second, positive, negative, errorPlus, errorMinus, coefficient, eps, withinEps);
  }

  /** A copy with other index sets. */
  public SignSplitCertificate withSets(int[] newPositive, int[] newNegative) {
    return new SignSplitCertificate(activation, slopeMinus, slopePlus, target, seed, firstStream, secondStream, copies,
        first, second, newPositive, newNegative, errorPlus, errorMinus, coefficient, eps, withinEps);
  }

  /** A copy with other claimed figures. */
  public SignSplitCertificate withClaims(double newErrorPlus, double newErrorMinus, double newCoefficient,
      boolean newWithinEps) {
    return new SignSplitCertificate(activation, slopeMinus, slopePlus, target, seed, firstStream, secondStream, copies,
        first, second, positive, negative, newErrorPlus, newErrorMinus, newCoefficient, eps, newWithinEps);
  }

  /** A copy with another activation and slopes. */
  public SignSplitCertificate withActivation(String name, double newSlopeMinus, double newSlopePlus) {
    return new SignSplitCertificate(name, newSlopeMinus, newSlopePlus, target, seed, firstStream, secondStream, copies,
        first, second, positive, negative, errorPlus, errorMinus, coefficient, eps, withinEps);
  }

  @Override public boolean equals(Object o) {
    return o instanceof SignSplitCertificate c && Objects.equals(activation, c.activation)
        && Double.compare(slopeMinus, c.slopeMinus) == 0 && Double.compare(slopePlus, c.slopePlus) == 0
        && Double.compare(target, c.target) == 0 && seed == c.seed && firstStream == c.firstStream
        && secondStream == c.secondStream && copies == c.copies && Objects.equals(first, c.first)
        && Objects.equals(second, c.second) && Arrays.equals(positive, c.positive)
        && Arrays.equals(negative, c.negative) && Double.compare(errorPlus, c.errorPlus) == 0
        && Double.compare(errorMinus, c.errorMinus) == 0 && Double.compare(coefficient, c.coefficient) == 0
        && Double.compare(eps, c.eps) == 0 && withinEps == c.withinEps;
  }

  @Override public int hashCode() {
    return Objects.hash(activation, slopeMinus, slopePlus, target, seed, firstStream, secondStream, copies, first,
        second, errorPlus, errorMinus, coefficient, eps, withinEps) * 31 + Arrays.hashCode(positive) * 17
        + Arrays.hashCode(negative);
  }

  @Override public String toString() {
    return "SignSplitCertificate[" + activation + ", m-=" + slopeMinus + ", m+=" + slopePlus + ", w=" + target
        + ", seed=" + seed + ", streams=" + firstStream + "/" + secondStream + ", copies=" + copies + ", " + first
        + ", " + second + ", S+=" + Arrays.toString(positive) + ", S-=" + Arrays.toString(negative) + ", e+="
        + errorPlus + ", e-=" + errorMinus + ", K=" + coefficient + ", eps=" + eps + ", withinEps=" + withinEps + "]";
  }
}
