package dev.ticketproof.activation;

import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;
import java.util.function.Supplier;
import java.util.stream.Collectors;

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
  /**
   * One catalog entry.
   *
   * @param names accepted names, the first canonical ('-' and '_' are ignored when matching)
   * @param parameter the parameter's short name in {@link #VALID_NAMES}, or null for a parameterless activation
   * @param parameterDescription what the parameter is, for messages
   * @param defaultParameter the parameter when none is given
   * @param make the activation for a parameter (NaN for a parameterless one)
   */
  private record Entry(List<String> names, String parameter, String parameterDescription, double defaultParameter,
      DoubleFunction<Activation> make) {}

  private static Entry entry(Supplier<Activation> make, String... names) {
    return new Entry(List.of(names), null, null, Double.NaN, a -> make.get());
  }

  private static Entry entry(String parameter, String description, double defaultParameter,
      DoubleFunction<Activation> make, String... names) {
    return new Entry(List.of(names), parameter, description, defaultParameter, make);
  }

  /** The catalog, in order: adding an activation is one entry here (and its class, and the kernel's formula). */
  private static final List<Entry> ENTRIES = List.of(
      entry(Relu::new, "relu"),
      entry("a", "negative slope a", LeakyRelu.DEFAULT_SLOPE, LeakyRelu::new, "leaky-relu", "lrelu"),
      entry(Tanh::new, "tanh"),
      entry(Sigmoid::new, "sigmoid", "logistic"),
      entry("alpha", "alpha", 1.0, Elu::new, "elu"),
      entry(Softplus::new, "softplus"),
      entry(Silu::new, "silu", "swish"),
      entry(Gelu::new, "gelu"),
      entry(AbsoluteValue::new, "abs"),
      entry(Square::new, "square"),
      entry(Cosine::new, "cos", "cosine"));

  /** The names the parser accepts, as listed in error messages. */
  public static final String VALID_NAMES = ENTRIES.stream()
      .map(e -> e.names().get(0) + (e.parameter() == null ? "" : "[(" + e.parameter() + ")]"))
      .collect(Collectors.joining(", "));

  private ActivationCatalog() {}

  /** One instance of every catalog entry, with default parameters, in catalog order. */
  public static List<Activation> all() {
    return ENTRIES.stream().map(e -> e.make().apply(e.defaultParameter())).toList();
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
    String key = normalise(name);
    for (Entry e : ENTRIES) {
      if (e.names().stream().noneMatch(n -> normalise(n).equals(key))) continue;
      if (e.parameter() == null) return noParam(spec, param, e.make().apply(Double.NaN));
      return e.make().apply(param == null ? e.defaultParameter() : number(spec, param, e.parameterDescription()));
    }
    throw new IllegalArgumentException("unknown activation '" + spec + "': expected one of " + VALID_NAMES);
  }

  private static String normalise(String name) { return name.trim().replace("-", "").replace("_", ""); }

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
