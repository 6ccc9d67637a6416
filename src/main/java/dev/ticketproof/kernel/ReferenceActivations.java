package dev.ticketproof.kernel;

import org.apache.commons.numbers.gamma.Erfc;

/**
 * The kernel's own definitions of the activations it can check, written independently of the construction code
 * (JDK and Commons Numbers only), with the constants of the [identity] lemma in closed form.
 *
 * <p>Names: {@code relu}, {@code leaky-relu(a)}, {@code tanh}, {@code sigmoid}, {@code elu(alpha)},
 * {@code softplus}, {@code silu}, {@code gelu}. Constants that are not doubles are rounded so that bounds stay
 * bounds: remainder constants up to the next double; phi(0) of softplus (ln 2) carries its rounding error.
 */
final class ReferenceActivations {
  private ReferenceActivations() {}

  /**
   * The local model of a smooth activation at 0: phi0 (with |phi(0) - phi0| &le; phi0Error), the derivative
   * m = phi'(0), and \( |\phi(t) - \phi(0) - m t| \le M |t|^p \) for \( |t| \le r \).
   */
  record Smooth(double phi0, double phi0Error, double slope, double remainderConstant, int remainderPower,
      double radius) {}

  /** A parsed name: the base name and its parameter (NaN when absent). */
  record Name(String base, double parameter) {}

  static Name parse(String name) {
    if (name == null) {
      return null;
    }
    int open = name.indexOf('(');
    if (open < 0) {
      return new Name(name, Double.NaN);
    }
    if (!name.endsWith(")")) {
      return null;
    }
    try {
      double p = Double.parseDouble(name.substring(open + 1, name.length() - 1));
      return Double.isFinite(p) ? new Name(name.substring(0, open), p) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The kernel's value of the named activation at t, or NaN for a name it does not know. */
  static double value(String name, double t) {
    Name n = parse(name);
    if (n == null) {
      return Double.NaN;
    }
    boolean noParam = Double.isNaN(n.parameter());
    switch (n.base()) {
      case "relu": return noParam ? Math.max(0.0, t) : Double.NaN;
      case "leaky-relu": return noParam ? Double.NaN : (t >= 0 ? t : n.parameter() * t);
      case "tanh": return noParam ? Math.tanh(t) : Double.NaN;
      case "sigmoid": return noParam ? logistic(t) : Double.NaN;
      case "elu": return noParam || n.parameter() < 0 ? Double.NaN : (t >= 0 ? t : n.parameter() * Math.expm1(t));
      case "softplus": return noParam ? (t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t))) : Double.NaN;
      case "silu": return noParam ? t * logistic(t) : Double.NaN;
      case "gelu": return noParam ? t * (0.5 * Erfc.value(-t * Math.sqrt(0.5))) : Double.NaN;
      default: return Double.NaN;
    }
  }

  /**
   * Whether the kernel's value of the named activation is exact in floating point (piecewise linear: one
   * multiplication at most, correctly rounded, and exact for relu).
   */
  static boolean piecewiseLinear(String name) {
    Name n = parse(name);
    return n != null && (n.base().equals("relu") || n.base().equals("leaky-relu"));
  }

  /**
   * The one-sided slopes {m-, m+} of a piecewise-linear activation \( m_+ t^+ - m_- t^- \), or null.
   */
  static double[] slopes(String name) {
    Name n = parse(name);
    if (n == null) {
      return null;
    }
    if (n.base().equals("relu") && Double.isNaN(n.parameter())) {
      return new double[] {0, 1};
    }
    if (n.base().equals("leaky-relu") && !Double.isNaN(n.parameter())) {
      return new double[] {n.parameter(), 1};
    }
    return null;
  }

  /**
   * The local model at 0 of a known activation: \( \phi(t) = \phi_0 + m_\pm t + R(t) \) with
   * \( |R(t)| \le M |t|^p \) for \( |t| \le r \), and \( |\phi(0) - \phi_0| \le \) phi0Error.
   */
  record Local(double phi0, double phi0Error, double slopeMinus, double slopePlus, double remainderConstant,
      int remainderPower, double radius) {}

  /** The local model of the named activation, or null for a name the kernel does not know. */
  static Local local(String name) {
    Name n = parse(name);
    if (n == null) {
      return null;
    }
    double inf = Double.POSITIVE_INFINITY;
    boolean noParam = Double.isNaN(n.parameter());
    switch (n.base()) {
      case "relu": return noParam ? new Local(0, 0, 0, 1, 0, 2, inf) : null;
      case "leaky-relu": return noParam ? null : new Local(0, 0, n.parameter(), 1, 0, 2, inf);
      case "tanh": return noParam ? new Local(0, 0, 1, 1, Math.nextUp(1.0 / 3), 3, inf) : null;
      case "sigmoid": return noParam ? new Local(0.5, 0, 0.25, 0.25, Math.nextUp(1.0 / 48), 3, inf) : null;
      // alpha (e^t - 1 - t) lies in [0, alpha t^2 / 2] for t <= 0; alpha / 2 is exact in binary
      case "elu": return noParam || !(n.parameter() >= 0) ? null
          : new Local(0, 0, n.parameter(), 1, n.parameter() / 2, 2, inf);
      case "softplus": {
        double ln2 = Math.log(2);
        return noParam ? new Local(ln2, Math.ulp(ln2), 0.5, 0.5, 0.125, 2, inf) : null;
      }
      case "silu": return noParam ? new Local(0, 0, 0.5, 0.5, 0.25, 2, inf) : null;
      // 1/sqrt(2 pi) = 0.398942280401432677939..., the smallest double not below it
      case "gelu": return noParam ? new Local(0, 0, 0.5, 0.5, 0.3989422804014327, 2, inf) : null;
      default: return null;
    }
  }

  /** The local model of a smooth activation (m- = m+), or null when the kernel has none for this name. */
  static Smooth smooth(String name) {
    Local l = local(name);
    if (l == null || l.slopeMinus() != l.slopePlus()) {
      return null;
    }
    return new Smooth(l.phi0(), l.phi0Error(), l.slopePlus(), l.remainderConstant(), l.remainderPower(), l.radius());
  }

  private static double logistic(double t) {
    if (t >= 0) {
      return 1 / (1 + Math.exp(-t));
    }
    double e = Math.exp(t);
    return e / (1 + e);
  }
}
