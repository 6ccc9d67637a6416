package dev.ticketproof.construct;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.IdentityHypothesis;
import dev.ticketproof.kernel.lemma.ConstantNeuronCertificate;
import dev.ticketproof.kernel.lemma.LinearisationCertificate;
import dev.ticketproof.kernel.lemma.SignSplitCertificate;
import dev.ticketproof.kernel.lemma.SymmetricLinearisationCertificate;
import dev.ticketproof.random.Uniform;
import dev.ticketproof.subsetsum.SubsetSum;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The constructions of the [identity] lemma (activation linearisation, proof page {@code proofs/identity.md}).
 * Each returns a certificate that {@code kernel.lemma.IdentityChecker} re-checks without calling this class.
 *
 * <ul>
 *   <li>{@link #signSplit}: for ReLU-like \( \psi(t) = m_+ t^+ - m_- t^- \) with \( m_+ + m_- \ne 0 \): keep
 *       first-layer copies with \( w_1 > 0 \) (S+) and \( w_1 < 0 \) (S-) whose products \( w_2 w_1 \) sum to the
 *       target \( w/(m_+ + m_-) \) on each side (NOT w: for LeakyReLU(a) that would build \( (1+a) w x \)). Then
 *       \( |\sum w_2 \psi(w_1 x) - w x| \le K |x| \) for all x, with
 *       \( K = \max(|m_+| e_+ + |m_-| e_-, |m_-| e_+ + |m_+| e_-) \) from the achieved errors.</li>
 *   <li>{@link #linearise}: for phi differentiable at 0 with \( \phi'(0) = m \ne 0 \): input scale lambda, readout
 *       \( 1/(\lambda m) \), bias \( -\phi(0)/(\lambda m) \); error \( \le M \lambda^{p-1} |t|^p / |m| \) for
 *       \( \lambda |t| \le r \) (tanh and sigmoid: the exact cubic forms, p = 3).</li>
 *   <li>{@link #lineariseSymmetric}: the general class (m- and m+ may differ, e.g. ELU(alpha)): two units
 *       \( \pm\lambda \), readout \( \pm 1/(\lambda (m_+ + m_-)) \); error
 *       \( \le 2 M \lambda^{p-1} |t|^p / |m_+ + m_-| \).</li>
 *   <li>{@link #constantNeuron}: a unit with zero input weights and bias beta outputs \( c = \phi(\beta) \ne 0 \);
 *       readout 1/c turns it into (nearly) 1.</li>
 * </ul>
 * Weights come only from the weight field and are never redrawn: if no subset is within eps, the best subset is
 * kept and its achieved error recorded.
 */
public final class IdentityConstruction {
  private IdentityConstruction() {}

  /**
   * Where the sign split's weights come from: first-layer weight i is {@code first.value(seed, firstStream, i)},
   * readout weight i is {@code second.value(seed, secondStream, i)}, for {@code 0 <= i < copies}.
   *
   * @param seed the source seed
   * @param firstStream stream of the first-layer weights
   * @param secondStream stream of the readout weights
   * @param copies number of first-layer copies, &ge; 0
   * @param first distribution of the first-layer weights (it should put mass on both signs)
   * @param second distribution of the readout weights
   */
  public record SignSplitSource(long seed, long firstStream, long secondStream, int copies, Uniform first,
      Uniform second) {
    public SignSplitSource {
      if (copies < 0 || first == null || second == null) {
        throw new IllegalArgumentException("sign-split source needs copies >= 0 and two distributions, got copies="
            + copies + ", first=" + first + ", second=" + second);
      }
    }

    /** U(-1,1) for both layers. */
    public static SignSplitSource uniform(long seed, long firstStream, long secondStream, int copies) {
      return new SignSplitSource(seed, firstStream, secondStream, copies, Uniform.symmetric(1), Uniform.symmetric(1));
    }
  }

  /**
   * The sign split for a ReLU-like activation.
   *
   * @param phi the activation: it must satisfy the [identity] hypothesis and be piecewise linear through 0
   *     (phi0 = 0, remainder constant 0 on an infinite radius), i.e. relu or leaky-relu(a)
   * @param w the weight to represent, finite (any magnitude; |w| &gt; 1 needs enough copies to be reachable)
   * @param source the source weights
   * @param eps the tolerance per side, finite and &gt; 0
   * @param mode the subset-sum strategy
   * @return the certificate, with the achieved errors (withinEps false when a side missed eps)
   * @throws IllegalArgumentException when a hypothesis fails (named in the message) or a side has more than
   *     {@code mode.maxN()} copies
   */
  public static SignSplitCertificate signSplit(Activation phi, double w, SignSplitSource source, double eps,
      SubsetSum.Mode mode) {
    IdentityHypothesis.require(phi);
    if (!(phi.phi0() == 0 && phi.remainderConstant() == 0 && phi.remainderRadius() == Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("sign split needs a ReLU-like phi (phi(t) = m+ t for t >= 0, m- t for t < 0:"
          + " phi0 = 0 and remainder 0 on all of R), got " + phi.name() + " with phi0 = " + phi.phi0() + ", M = "
          + phi.remainderConstant() + ", r = " + phi.remainderRadius() + "; smooth activations use linearise");
    }
    if (!Double.isFinite(w)) {
      throw new IllegalArgumentException("sign split needs a finite target w, got " + w);
    }
    if (!(eps > 0 && eps < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("sign split needs a finite eps > 0, got " + eps);
    }
    double mMinus = phi.slopeMinus();
    double mPlus = phi.slopePlus();
    List<Integer> pos = new ArrayList<>();
    List<Integer> neg = new ArrayList<>();
    double[] w1 = new double[source.copies()];
    double[] w2 = new double[source.copies()];
    for (int i = 0; i < source.copies(); i++) {
      w1[i] = source.first().value(source.seed(), source.firstStream(), i);
      w2[i] = source.second().value(source.seed(), source.secondStream(), i);
      if (w1[i] > 0) {
        pos.add(i);
      } else if (w1[i] < 0) {
        neg.add(i);
      }
    }
    if (pos.size() > mode.maxN() || neg.size() > mode.maxN()) {
      throw new IllegalArgumentException("sign split: " + pos.size() + " positive and " + neg.size()
          + " negative copies, but subset-sum mode " + mode.cliName() + " takes at most " + mode.maxN() + " per side");
    }
    double sigma = mPlus + mMinus;
    double c = w / sigma;
    int[] sPlus = solveSide(pos, w1, w2, c, eps, mode);
    int[] sMinus = solveSide(neg, w1, w2, c, eps, mode);
    BigDecimal bigSigma = new BigDecimal(mPlus).add(new BigDecimal(mMinus));
    BigDecimal absSigma = bigSigma.abs();
    BigDecimal ePlus = bigSigma.multiply(exactSum(sPlus, w1, w2)).subtract(new BigDecimal(w)).abs();
    BigDecimal eMinus = bigSigma.multiply(exactSum(sMinus, w1, w2)).subtract(new BigDecimal(w)).abs();
    BigDecimal aPlus = new BigDecimal(Math.abs(mPlus));
    BigDecimal aMinus = new BigDecimal(Math.abs(mMinus));
    BigDecimal k = aPlus.multiply(ePlus).add(aMinus.multiply(eMinus))
        .max(aMinus.multiply(ePlus).add(aPlus.multiply(eMinus)));
    boolean within = ePlus.max(eMinus).compareTo(new BigDecimal(eps).multiply(absSigma)) <= 0;
    return new SignSplitCertificate(phi.name(), mMinus, mPlus, w, source.seed(), source.firstStream(),
        source.secondStream(), source.copies(), source.first(), source.second(), sPlus, sMinus,
        quotientUp(ePlus, absSigma), quotientUp(eMinus, absSigma), quotientUp(k, absSigma), eps, within);
  }

  private static int[] solveSide(List<Integer> side, double[] w1, double[] w2, double c, double eps,
      SubsetSum.Mode mode) {
    double[] base = new double[side.size()];
    for (int k = 0; k < base.length; k++) {
      int i = side.get(k);
      base[k] = w2[i] * w1[i];
    }
    int[] local = SubsetSum.solve(base, c, eps, mode).indices();
    int[] out = new int[local.length];
    for (int k = 0; k < local.length; k++) {
      out[k] = side.get(local[k]);
    }
    return out; // ascending, since side is ascending and local indices are
  }

  private static BigDecimal exactSum(int[] set, double[] w1, double[] w2) {
    BigDecimal s = BigDecimal.ZERO;
    for (int i : set) {
      s = s.add(new BigDecimal(w1[i]).multiply(new BigDecimal(w2[i])));
    }
    return s;
  }

  /**
   * The value of the sign-split unit, \( \sum_{i \in S_+ \cup S_-} w_{2,i}\, \phi(w_{1,i} x) \), in floating
   * point, with the weights regenerated from the certificate's source.
   */
  public static double evaluate(SignSplitCertificate c, Activation phi, double x) {
    double s = 0;
    for (int[] set : new int[][] {c.positive(), c.negative()}) {
      for (int i : set) {
        double w1 = c.first().value(c.seed(), c.firstStream(), i);
        double w2 = c.second().value(c.seed(), c.secondStream(), i);
        s += w2 * phi.value(w1 * x);
      }
    }
    return s;
  }

  /**
   * The linearisation of a smooth activation on |t| &le; B.
   *
   * @param phi the activation: [identity] hypothesis, and differentiable at 0 (m- = m+ = m != 0)
   * @param lambda the input scale, finite and &gt; 0, with lambda B &le; r
   * @param inputBound B, finite and &ge; 0
   * @return the certificate with readout 1/(lambda m), bias -phi0/(lambda m) and the exact bound rounded up
   * @throws IllegalArgumentException naming the violated hypothesis
   */
  public static LinearisationCertificate linearise(Activation phi, double lambda, double inputBound) {
    IdentityHypothesis.require(phi);
    double m = phi.slopePlus();
    if (phi.slopeMinus() != m) {
      throw new IllegalArgumentException("linearisation needs phi differentiable at 0 (m- = m+), got " + phi.name()
          + " with m- = " + phi.slopeMinus() + ", m+ = " + m + "; ReLU-like activations use the sign split");
    }
    requireScale(phi, lambda, inputBound);
    double readout = 1 / (lambda * m);
    double bias = -phi.phi0() * readout;
    BigDecimal bigReadout = new BigDecimal(readout);
    BigDecimal bigLambda = new BigDecimal(lambda);
    BigDecimal b = new BigDecimal(inputBound);
    int p = phi.remainderPower();
    BigDecimal kappa = bigReadout.multiply(bigLambda).multiply(new BigDecimal(m));
    BigDecimal beta = new BigDecimal(bias).add(bigReadout.multiply(new BigDecimal(phi.phi0())));
    BigDecimal rem = new BigDecimal(phi.remainderConstant()).multiply(bigLambda.pow(p)).multiply(b.pow(p))
        .add(new BigDecimal(phi.slopeError()).multiply(bigLambda).multiply(b)).add(new BigDecimal(phi.phi0Error()));
    BigDecimal bound = kappa.subtract(BigDecimal.ONE).abs().multiply(b).add(bigReadout.abs().multiply(rem))
        .add(beta.abs());
    return new LinearisationCertificate(phi.name(), phi.phi0(), m, phi.remainderConstant(), p, phi.remainderRadius(),
        lambda, inputBound, readout, bias, up(bound));
  }

  /** The hypotheses of both linearisations on lambda and B: finite, lambda &gt; 0, B &ge; 0, lambda B &le; r. */
  private static void requireScale(Activation phi, double lambda, double inputBound) {
    if (!(lambda > 0 && lambda < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("linearisation needs a finite input scale lambda > 0, got " + lambda);
    }
    if (!(inputBound >= 0 && inputBound < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("linearisation needs a finite input bound B >= 0, got " + inputBound);
    }
    if (!(lambda * inputBound <= phi.remainderRadius())) {
      throw new IllegalArgumentException("linearisation needs lambda B <= r (the remainder radius), got lambda = "
          + lambda + ", B = " + inputBound + ", r = " + phi.remainderRadius());
    }
  }

  /**
   * The symmetric linearisation, for every activation that satisfies the [identity] hypothesis (including ELU with
   * alpha != 1, whose one-sided slopes differ, and ReLU-like phi): two units with input weights lambda and -lambda,
   * readouts \( \pm 1/(\lambda \sigma) \), \( \sigma = m_+ + m_- \). phi(0) cancels without a bias, and
   * \( |u(t) - t| \le 2 M \lambda^{p-1} |t|^p / |\sigma| \) for \( \lambda |t| \le r \).
   *
   * @param phi the activation ([identity] hypothesis)
   * @param lambda input scale, finite and &gt; 0, with lambda B &le; r
   * @param inputBound B, finite and &ge; 0
   * @return the certificate with the exact bound rounded up
   * @throws IllegalArgumentException naming the violated hypothesis
   */
  public static SymmetricLinearisationCertificate lineariseSymmetric(Activation phi, double lambda,
      double inputBound) {
    IdentityHypothesis.require(phi);
    requireScale(phi, lambda, inputBound);
    double sigma = phi.slopePlus() + phi.slopeMinus();
    double readout = 1 / (lambda * sigma);
    BigDecimal bigReadout = new BigDecimal(readout);
    BigDecimal bigLambda = new BigDecimal(lambda);
    BigDecimal b = new BigDecimal(inputBound);
    int p = phi.remainderPower();
    BigDecimal kappa = bigReadout.multiply(bigLambda)
        .multiply(new BigDecimal(phi.slopePlus()).add(new BigDecimal(phi.slopeMinus())));
    BigDecimal bound = kappa.subtract(BigDecimal.ONE).abs().multiply(b).add(bigReadout.abs()
        .multiply(BigDecimal.valueOf(2)).multiply(new BigDecimal(phi.remainderConstant()).multiply(bigLambda.pow(p))
        .multiply(b.pow(p)).add(new BigDecimal(phi.slopeError()).multiply(bigLambda).multiply(b))));
    return new SymmetricLinearisationCertificate(phi.name(), phi.slopeMinus(), phi.slopePlus(),
        phi.remainderConstant(), p, phi.remainderRadius(), lambda, inputBound, readout, up(bound));
  }

  /** The symmetric pair \( \text{readout} \cdot (\phi(\lambda t) - \phi(-\lambda t)) \) in floating point. */
  public static double evaluate(SymmetricLinearisationCertificate c, Activation phi, double t) {
    return c.readout() * (phi.value(c.lambda() * t) - phi.value(-c.lambda() * t));
  }

  /** The pointwise symmetric bound at t, \( 2 M \lambda^{p-1} |t|^p / |m_+ + m_-| \) (real arithmetic). */
  public static double pointwiseBound(SymmetricLinearisationCertificate c, double t) {
    return 2 * c.remainderConstant() * Math.pow(c.lambda(), c.remainderPower() - 1)
        * Math.pow(Math.abs(t), c.remainderPower()) / Math.abs(c.slopePlus() + c.slopeMinus());
  }

  /** The linearised unit \( \text{readout} \cdot \phi(\lambda t) + \text{bias} \) in floating point. */
  public static double evaluate(LinearisationCertificate c, Activation phi, double t) {
    return c.readout() * phi.value(c.lambda() * t) + c.bias();
  }

  /**
   * The pointwise linearisation bound at t, \( M \lambda^{p-1} |t|^p / |m| \) (real arithmetic, without the
   * rounding terms the certificate adds).
   */
  public static double pointwiseBound(LinearisationCertificate c, double t) {
    return c.remainderConstant() * Math.pow(c.lambda(), c.remainderPower() - 1)
        * Math.pow(Math.abs(t), c.remainderPower()) / Math.abs(c.slope());
  }

  /**
   * A constant neuron with a bias drawn from the weight field (never redrawn).
   *
   * @param phi the activation ([identity] hypothesis)
   * @param biasDistribution distribution of beta, e.g. U(0, 2) for ReLU
   * @param seed source seed
   * @param stream stream of the bias draws
   * @param index index of this neuron's draw
   * @throws IllegalArgumentException when phi fails the hypothesis or phi(beta) = 0 (e.g. ReLU with beta &le; 0)
   */
  public static ConstantNeuronCertificate constantNeuron(Activation phi, Uniform biasDistribution, long seed,
      long stream, long index) {
    double beta = biasDistribution.value(seed, stream, index);
    return constantNeuron(phi, biasDistribution, seed, stream, index, beta);
  }

  /**
   * A constant neuron with a fixed bias beta (e.g. 0 for sigmoid, whose phi(0) = 1/2).
   *
   * @throws IllegalArgumentException when phi fails the hypothesis or phi(beta) = 0 (e.g. tanh with beta = 0)
   */
  public static ConstantNeuronCertificate constantNeuron(Activation phi, double beta) {
    return constantNeuron(phi, null, 0, 0, 0, beta);
  }

  private static ConstantNeuronCertificate constantNeuron(Activation phi, Uniform dist, long seed, long stream,
      long index, double beta) {
    IdentityHypothesis.require(phi);
    double value = phi.value(beta);
    if (!(value != 0 && Double.isFinite(value))) {
      throw new IllegalArgumentException("a constant neuron needs a finite phi(beta) != 0, got " + phi.name() + "("
          + beta + ") = " + value);
    }
    double readout = 1 / value;
    // exact in floating point: an exact local model with slopes that are doubles (not hardsigmoid's (t + 3)/6)
    boolean piecewiseLinear = phi.remainderConstant() == 0 && phi.slopeError() == 0;
    double valueError = piecewiseLinear ? 0 : 2 * Math.ulp(value);
    BigDecimal r = new BigDecimal(readout);
    BigDecimal deviation = r.multiply(new BigDecimal(value)).subtract(BigDecimal.ONE).abs()
        .add(r.abs().multiply(new BigDecimal(valueError)));
    return new ConstantNeuronCertificate(phi.name(), dist, seed, stream, index, beta, value, readout, up(deviation));
  }

  /** The smallest double &ge; x (x &ge; 0). */
  private static double up(BigDecimal x) {
    double d = x.doubleValue();
    return new BigDecimal(d).compareTo(x) < 0 ? Math.nextUp(d) : d;
  }

  /** A double &ge; x / y (x &ge; 0, y &gt; 0), the smallest one up to the 40-digit quotient's rounding. */
  private static double quotientUp(BigDecimal x, BigDecimal y) {
    BigDecimal q = x.divide(y, new java.math.MathContext(40, java.math.RoundingMode.UP));
    return up(q);
  }
}
