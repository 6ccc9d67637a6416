package dev.ticketproof.kernel;

import dev.ticketproof.activation.Activation;
import org.apache.commons.numbers.gamma.Erfc;

/**
 * The kernel's own activation functions, written from {@link ReferenceActivations} (JDK and Commons Numbers only)
 * and independent of the activation catalog: the ticket checker evaluates phi, its constants, Lipschitz constant
 * and interval images with these, so a wrong constant in the catalog cannot make the kernel certify a false bound.
 * Only the {@code Activation} interface (a type, no code) is shared with the catalog.
 *
 * <p>Constants that are not doubles are rounded outward: Lipschitz constants of SiLU and GELU to the smallest
 * double not below the true value (1.0998393201288670..., attained at t = 2.3993572...; 1.1289041451851549...,
 * attained at t = sqrt 2), their minima to the largest double not above the true value
 * (-0.27846454276107379... at t = -1.27846454...; -0.16997120747990366... at t = -0.75179152...), computed with
 * mpmath at 30 digits.
 */
public final class KernelActivation implements Activation {
  private static final double SILU_LIPSCHITZ = 1.099839320128867;
  private static final double GELU_LIPSCHITZ = 1.128904145185155;
  private static final double SILU_MIN_AT = -1.2784645427610738;
  private static final double SILU_MIN = -0.27846454276107384;
  private static final double GELU_MIN_AT = -0.7517915246935645;
  private static final double GELU_MIN = -0.1699712074799037;

  private final String name;
  private final String base;
  private final double parameter;
  private final ReferenceActivations.Local local;

  private KernelActivation(String name, ReferenceActivations.Name n, ReferenceActivations.Local local) {
    this.name = name;
    this.base = n.base();
    this.parameter = n.parameter();
    this.local = local;
  }

  /**
   * The kernel's activation of that catalog name ({@code relu}, {@code leaky-relu(a)} with 0 &lt;= a &lt;= 1,
   * {@code tanh}, {@code sigmoid}, {@code elu(alpha)} with alpha &gt;= 0, {@code softplus}, {@code silu},
   * {@code gelu}), or null for a name the kernel does not know.
   */
  public static KernelActivation of(String name) {
    ReferenceActivations.Name n = ReferenceActivations.parse(name);
    ReferenceActivations.Local l = ReferenceActivations.local(name);
    if (n == null || l == null) return null;
    if (n.base().equals("leaky-relu") && !(n.parameter() >= 0 && n.parameter() <= 1)) return null;
    return new KernelActivation(name, n, l);
  }

  @Override public String name() { return name; }

  @Override public double value(double t) { return ReferenceActivations.value(name, t); }

  @Override
  public double derivative(double t) {
    switch (base) {
      case "relu": return t >= 0 ? 1 : 0;
      case "leaky-relu": return t >= 0 ? 1 : parameter;
      case "tanh": {
        double y = Math.tanh(t);
        return 1 - y * y;
      }
      case "sigmoid": {
        double s = value(t);
        return s * (1 - s);
      }
      case "elu": return t >= 0 ? 1 : parameter * Math.exp(t);
      case "softplus": return ReferenceActivations.value("sigmoid", t);
      case "silu": {
        double s = ReferenceActivations.value("sigmoid", t);
        return s + t * s * (1 - s);
      }
      case "gelu": return 0.5 * Erfc.value(-t * Math.sqrt(0.5)) + t * Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI);
      default: throw new IllegalStateException(base);
    }
  }

  @Override public double phi0() { return local.phi0(); }

  @Override public double slopeMinus() { return local.slopeMinus(); }

  @Override public double slopePlus() { return local.slopePlus(); }

  @Override
  public double lipschitz() {
    return switch (base) {
      case "sigmoid" -> 0.25;
      case "elu" -> Math.max(1, parameter);
      case "silu" -> SILU_LIPSCHITZ;
      case "gelu" -> GELU_LIPSCHITZ;
      default -> 1.0; // relu, leaky-relu (a <= 1), tanh, softplus
    };
  }

  @Override public double remainderConstant() { return local.remainderConstant(); }

  @Override public int remainderPower() { return local.remainderPower(); }

  @Override public double remainderRadius() { return local.radius(); }

  @Override
  public double[] image(double lo, double hi) {
    if (!(lo <= hi)) throw new IllegalArgumentException("image of [" + lo + ", " + hi + "]: need lo <= hi");
    double a = value(lo);
    double b = value(hi);
    // monotone families: the ends; computed values are widened by a few ulps so that rounding never shrinks it
    double lower = Math.min(a, b);
    double upper = Math.max(a, b);
    if (base.equals("silu") && lo < SILU_MIN_AT && hi > SILU_MIN_AT) lower = SILU_MIN;
    if (base.equals("gelu") && lo < GELU_MIN_AT && hi > GELU_MIN_AT) lower = GELU_MIN;
    if (!ReferenceActivations.piecewiseLinear(name)) {
      lower -= 4 * Math.ulp(lower);
      upper += 4 * Math.ulp(upper);
    }
    return new double[] {lower, upper};
  }

  @Override public String toString() { return name; }
}
