package dev.ticketproof.kernel;

import dev.ticketproof.activation.Activation;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleFunction;
import java.util.function.DoublePredicate;
import java.util.function.DoubleUnaryOperator;
import org.apache.commons.numbers.gamma.Erfc;

/**
 * The kernel's own activation functions, written independently of the activation catalog (JDK and Commons Numbers
 * only): the checkers evaluate phi, its constants, Lipschitz constant and interval images with these, so a wrong
 * constant in the catalog cannot make the kernel certify a false bound. Only the {@code Activation} interface (a
 * type, no code) is shared with the catalog.
 *
 * <p>One {@link Formula} per family ({@link #FORMULAS}, keyed by the catalog's base name): adding an activation to
 * the kernel is one entry there. Constants that are not doubles are rounded outward so that bounds stay bounds:
 * remainder constants up to the next double; phi(0) of softplus (ln 2) carries its rounding error; the Lipschitz
 * constants of SiLU and GELU to the smallest double not below the true value (1.0998393201288670..., attained at
 * t = 2.3993572...; 1.1289041451851549..., attained at t = sqrt 2), their minima to the largest double not above
 * the true value (-0.27846454276107379... at t = -1.27846454...; -0.16997120747990366... at t = -0.75179152...),
 * computed with mpmath at 30 digits.
 */
public final class KernelActivation implements Activation {
  private static final double INF = Double.POSITIVE_INFINITY;
  private static final DoublePredicate NO_PARAMETER = Double::isNaN;

  /**
   * The kernel's definition of one family of activations.
   *
   * @param valid which parameters name a member (NaN: no parameter)
   * @param piecewiseLinear whether the value is exact in floating point (one multiplication at most)
   * @param value phi_a(t), of (a, t) (a is NaN for a family without a parameter)
   * @param derivative phi_a'(t) (at a kink, the right derivative)
   * @param local the local model at 0 of phi_a
   * @param lipschitz a global Lipschitz constant of phi_a
   * @param minAt where a non-monotone phi_a takes its interior minimum (NaN for a monotone family)
   * @param min that minimum, rounded down
   */
  record Formula(DoublePredicate valid, boolean piecewiseLinear, DoubleBinaryOperator value,
      DoubleBinaryOperator derivative, DoubleFunction<Local> local, DoubleUnaryOperator lipschitz, double minAt,
      double min) {
    static Formula monotone(DoublePredicate valid, boolean piecewiseLinear, DoubleBinaryOperator value,
        DoubleBinaryOperator derivative, DoubleFunction<Local> local, DoubleUnaryOperator lipschitz) {
      return new Formula(valid, piecewiseLinear, value, derivative, local, lipschitz, Double.NaN, Double.NaN);
    }
  }

  /** The families the kernel knows, by base name. */
  static final Map<String, Formula> FORMULAS = Map.of(
      "relu", Formula.monotone(NO_PARAMETER, true, (a, t) -> Math.max(0.0, t), (a, t) -> t >= 0 ? 1 : 0,
          a -> new Local(0, 0, 0, 1, 0, 2, INF), a -> 1),
      "leaky-relu", Formula.monotone(a -> !Double.isNaN(a), true, (a, t) -> t >= 0 ? t : a * t,
          (a, t) -> t >= 0 ? 1 : a, a -> new Local(0, 0, a, 1, 0, 2, INF), a -> Math.max(1, Math.abs(a))),
      "tanh", Formula.monotone(NO_PARAMETER, false, (a, t) -> Math.tanh(t), (a, t) -> 1 - Math.tanh(t) * Math.tanh(t),
          a -> new Local(0, 0, 1, 1, Math.nextUp(1.0 / 3), 3, INF), a -> 1),
      "sigmoid", Formula.monotone(NO_PARAMETER, false, (a, t) -> logistic(t),
          (a, t) -> logistic(t) * (1 - logistic(t)), a -> new Local(0.5, 0, 0.25, 0.25, Math.nextUp(1.0 / 48), 3, INF),
          a -> 0.25),
      // alpha (e^t - 1 - t) lies in [0, alpha t^2 / 2] for t <= 0; alpha / 2 is exact in binary
      "elu", Formula.monotone(a -> a >= 0, false, (a, t) -> t >= 0 ? t : a * Math.expm1(t),
          (a, t) -> t >= 0 ? 1 : a * Math.exp(t), a -> new Local(0, 0, a, 1, a / 2, 2, INF), a -> Math.max(1, a)),
      "softplus", Formula.monotone(NO_PARAMETER, false,
          (a, t) -> t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t)), (a, t) -> logistic(t),
          a -> new Local(Math.log(2), Math.ulp(Math.log(2)), 0.5, 0.5, 0.125, 2, INF), a -> 1),
      "silu", new Formula(NO_PARAMETER, false, (a, t) -> t * logistic(t),
          (a, t) -> logistic(t) + t * logistic(t) * (1 - logistic(t)), a -> new Local(0, 0, 0.5, 0.5, 0.25, 2, INF),
          a -> 1.099839320128867, -1.2784645427610738, -0.27846454276107384),
      // 1/sqrt(2 pi) = 0.398942280401432677939..., the smallest double not below it
      "gelu", new Formula(NO_PARAMETER, false, (a, t) -> t * (0.5 * Erfc.value(-t * Math.sqrt(0.5))),
          (a, t) -> 0.5 * Erfc.value(-t * Math.sqrt(0.5)) + t * Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI),
          a -> new Local(0, 0, 0.5, 0.5, 0.3989422804014327, 2, INF), a -> 1.128904145185155,
          -0.7517915246935645, -0.1699712074799037));

  /**
   * The local model at 0 of a known activation: \( \phi(t) = \phi_0 + m_\pm t + R(t) \) with
   * \( |R(t)| \le M |t|^p \) for \( |t| \le r \), and \( |\phi(0) - \phi_0| \le \) phi0Error.
   */
  public record Local(double phi0, double phi0Error, double slopeMinus, double slopePlus, double remainderConstant,
      int remainderPower, double radius) {}

  private final String name;
  private final Formula formula;
  /** The family's parameter (NaN when it has none). */
  private final double a;
  private final Local local;

  private KernelActivation(String name, Formula formula, double a) {
    this.name = name;
    this.formula = formula;
    this.a = a;
    this.local = formula.local().apply(a);
  }

  /**
   * As {@link #of}, for any member of a family the kernel knows ({@code leaky-relu(a)} with any finite a: the lemma
   * checkers take any slope), or null.
   */
  public static KernelActivation family(String name) {
    if (name == null) return null;
    int open = name.indexOf('(');
    double p = Double.NaN;
    if (open >= 0) {
      if (!name.endsWith(")")) return null;
      try {
        p = Double.parseDouble(name.substring(open + 1, name.length() - 1));
      } catch (NumberFormatException e) {
        return null;
      }
      if (!Double.isFinite(p)) return null;
    }
    Formula f = FORMULAS.get(open >= 0 ? name.substring(0, open) : name);
    return f != null && f.valid().test(p) ? new KernelActivation(name, f, p) : null;
  }

  /**
   * The kernel's activation of that catalog name ({@code relu}, {@code leaky-relu(a)} with 0 &lt;= a &lt;= 1,
   * {@code tanh}, {@code sigmoid}, {@code elu(alpha)} with alpha &gt;= 0, {@code softplus}, {@code silu},
   * {@code gelu}), or null for a name the kernel does not know.
   */
  public static KernelActivation of(String name) {
    KernelActivation k = family(name);
    return k != null && k.formula == FORMULAS.get("leaky-relu") && !(k.a >= 0 && k.a <= 1) ? null : k;
  }

  /** The base names of the families the kernel knows, sorted, for messages. */
  public static String families() { return String.join(", ", new java.util.TreeSet<>(FORMULAS.keySet())); }

  /** Whether the value is exact in floating point (one multiplication at most). */
  public boolean piecewiseLinear() { return formula.piecewiseLinear(); }

  /** The local model at 0. */
  public Local local() { return local; }

  /** Whether phi is non-decreasing: a monotone family with a slope of at least 0 (every member {@link #of} gives). */
  public boolean nonDecreasing() { return Double.isNaN(formula.minAt()) && !(a < 0); }

  @Override public String name() { return name; }

  @Override public double value(double t) { return formula.value().applyAsDouble(a, t); }

  @Override public double derivative(double t) { return formula.derivative().applyAsDouble(a, t); }

  @Override public double phi0() { return local.phi0(); }

  @Override public double slopeMinus() { return local.slopeMinus(); }

  @Override public double slopePlus() { return local.slopePlus(); }

  @Override public double lipschitz() { return formula.lipschitz().applyAsDouble(a); }

  @Override public double remainderConstant() { return local.remainderConstant(); }

  @Override public int remainderPower() { return local.remainderPower(); }

  @Override public double remainderRadius() { return local.radius(); }

  @Override
  public double[] image(double lo, double hi) {
    if (!(lo <= hi)) throw new IllegalArgumentException("image of [" + lo + ", " + hi + "]: need lo <= hi");
    double vlo = value(lo);
    double vhi = value(hi);
    // monotone families: the ends; computed values are widened by a few ulps so that rounding never shrinks it
    double lower = Math.min(vlo, vhi);
    double upper = Math.max(vlo, vhi);
    if (lo < formula.minAt() && hi > formula.minAt()) lower = formula.min();
    if (!formula.piecewiseLinear()) {
      lower -= 4 * Math.ulp(lower);
      upper += 4 * Math.ulp(upper);
    }
    return new double[] {lower, upper};
  }

  @Override public String toString() { return name; }

  private static double logistic(double t) {
    if (t >= 0) return 1 / (1 + Math.exp(-t));
    double e = Math.exp(t);
    return e / (1 + e);
  }
}
