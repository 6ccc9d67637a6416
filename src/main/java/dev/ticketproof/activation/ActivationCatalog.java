package dev.ticketproof.activation;

import java.util.List;
import java.util.Locale;

/**
 * The catalog of activations and its parser.
 *
 * <p>Accepted forms (case-insensitive, '-' and '_' in names ignored): {@code relu}; {@code leaky-relu},
 * {@code leaky-relu(0.2)}, {@code leakyrelu:0.2} (negative slope a, default 0.01); {@code tanh}; {@code sigmoid};
 * {@code elu}, {@code elu(0.5)} (alpha, default 1); {@code softplus}; {@code silu} (alias {@code swish});
 * {@code gelu}; and the unsupported {@code abs}, {@code square}, {@code cos}, which parse so that the
 * [identity] precondition ({@link #requireIdentityHypothesis}) can reject them with a reason.
 */
public final class ActivationCatalog {
  /** The names the parser accepts, as listed in error messages. */
  public static final String VALID_NAMES =
      "relu, leaky-relu[(a)], tanh, sigmoid, elu[(alpha)], softplus, silu, gelu, abs, square, cos";

  private ActivationCatalog() {}

  /** One instance of every catalog entry, with default parameters, in catalog order. */
  public static List<Activation> all() {
    return List.of(new Relu(), new LeakyRelu(LeakyRelu.DEFAULT_SLOPE), new Tanh(), new Sigmoid(), new Elu(1),
        new Softplus(), new Silu(), new Gelu(), new AbsoluteValue(), new Square(), new Cosine());
  }

  /**
   * Parses an activation specification.
   *
   * @param spec e.g. {@code relu}, {@code leaky-relu(0.2)}, {@code leakyrelu:0.2}, {@code elu(0.5)}; not null
   * @return the activation (unsupported ones included; check them with {@link #requireIdentityHypothesis})
   * @throws IllegalArgumentException for an unknown name (the message lists the valid names), a malformed or
   *     non-finite parameter, or a parameter given to a parameterless activation
   */
  public static Activation parse(String spec) {
    if (spec == null) {
      throw new IllegalArgumentException("activation: expected one of " + VALID_NAMES + ", got null");
    }
    String s = spec.trim().toLowerCase(Locale.ROOT);
    String name = s;
    String param = null;
    int open = s.indexOf('(');
    int colon = s.indexOf(':');
    int eq = s.indexOf('=');
    if (open >= 0) {
      if (!s.endsWith(")")) {
        throw new IllegalArgumentException("activation '" + spec + "': missing ')' after the parameter");
      }
      name = s.substring(0, open);
      param = s.substring(open + 1, s.length() - 1);
    } else if (colon >= 0 || eq >= 0) {
      int at = colon >= 0 ? colon : eq;
      name = s.substring(0, at);
      param = s.substring(at + 1);
    }
    name = name.trim().replace("-", "").replace("_", "");
    switch (name) {
      case "relu":
        return noParam(spec, param, new Relu());
      case "leakyrelu":
      case "lrelu":
        return new LeakyRelu(param == null ? LeakyRelu.DEFAULT_SLOPE : number(spec, param, "negative slope a"));
      case "tanh":
        return noParam(spec, param, new Tanh());
      case "sigmoid":
      case "logistic":
        return noParam(spec, param, new Sigmoid());
      case "elu":
        return new Elu(param == null ? 1.0 : number(spec, param, "alpha"));
      case "softplus":
        return noParam(spec, param, new Softplus());
      case "silu":
      case "swish":
        return noParam(spec, param, new Silu());
      case "gelu":
        return noParam(spec, param, new Gelu());
      case "abs":
        return noParam(spec, param, new AbsoluteValue());
      case "square":
        return noParam(spec, param, new Square());
      case "cos":
      case "cosine":
        return noParam(spec, param, new Cosine());
      default:
        throw new IllegalArgumentException(
            "unknown activation '" + spec + "': expected one of " + VALID_NAMES);
    }
  }

  /**
   * The [identity] precondition: throws unless {@code phi} satisfies the hypothesis of the activation
   * linearisation lemma (see {@link IdentityHypothesis}).
   *
   * @param phi the activation; not modified
   * @return phi, for chaining
   * @throws IllegalArgumentException naming every violated hypothesis, with the offending values
   */
  public static Activation requireIdentityHypothesis(Activation phi) {
    IdentityHypothesis.require(phi);
    return phi;
  }

  private static Activation noParam(String spec, String param, Activation a) {
    if (param != null) {
      throw new IllegalArgumentException("activation '" + spec + "': " + a.name() + " takes no parameter");
    }
    return a;
  }

  private static double number(String spec, String param, String what) {
    try {
      double v = Double.parseDouble(param.trim());
      if (Double.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("activation '" + spec + "': the " + what
        + " must be a finite number, got '" + param + "'");
  }
}
