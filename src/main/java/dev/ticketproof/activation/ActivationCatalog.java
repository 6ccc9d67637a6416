package dev.ticketproof.activation;

import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The catalog of activations and its parser.
 *
 * <p>Accepted forms (case-insensitive, '-' and '_' in names ignored): {@code relu}; {@code leaky-relu},
 * {@code leaky-relu(0.2)}, {@code leakyrelu:0.2} (negative slope a, default 0.01); {@code tanh}; {@code sigmoid};
 * {@code elu}, {@code elu(0.5)} (alpha, default 1); {@code softplus}, {@code softplus(2)} (beta, default 1);
 * {@code silu} (alias {@code swish}); {@code gelu}; {@code gelu-tanh} (GELU's tanh approximation); {@code relu6};
 * {@code hardtanh}, {@code hardtanh(-2,2)} (min and max, default -1 and 1); {@code selu}; {@code celu},
 * {@code celu(0.5)} (alpha, default 1); {@code hardswish}; {@code hardsigmoid}; {@code mish}; and the unsupported {@code abs}, {@code square},
 * {@code cos}, which parse so that the [identity] precondition ({@link #requireIdentityHypothesis}) can reject
 * them with a reason. Several parameters are separated by commas.
 */
public final class ActivationCatalog {
  /**
   * One catalog entry.
   *
   * @param names accepted names, the first canonical ('-' and '_' are ignored when matching)
   * @param parameters the parameters' short names in {@link #VALID_NAMES} (empty for a parameterless activation)
   * @param description what the parameters are, for messages
   * @param defaults the parameters when none are given
   * @param make the activation for its parameters
   */
  private record Entry(List<String> names, List<String> parameters, String description, double[] defaults,
      Function<double[], Activation> make) {}

  private static Entry entry(Supplier<Activation> make, String... names) {
    return new Entry(List.of(names), List.of(), null, new double[0], p -> make.get());
  }

  private static Entry entry(String parameter, String description, double defaultParameter,
      DoubleFunction<Activation> make, String... names) {
    return new Entry(List.of(names), List.of(parameter), description, new double[] {defaultParameter},
        p -> make.apply(p[0]));
  }

  /** The catalog, in order: adding an activation is one entry here (and its class, and the kernel's formula). */
  private static final List<Entry> ENTRIES = List.of(
      entry(Relu::new, "relu"),
      entry("a", "negative slope a", LeakyRelu.DEFAULT_SLOPE, LeakyRelu::new, "leaky-relu", "lrelu"),
      entry(Tanh::new, "tanh"),
      entry(Sigmoid::new, "sigmoid", "logistic"),
      entry("alpha", "alpha", 1.0, Elu::new, "elu"),
      entry("beta", "beta", 1.0, Softplus::new, "softplus"),
      entry(Silu::new, "silu", "swish"),
      entry(Gelu::new, "gelu"),
      entry(GeluTanh::new, "gelu-tanh"),
      entry(Relu6::new, "relu6"),
      new Entry(List.of("hardtanh"), List.of("min", "max"), "min and max", new double[] {-1, 1},
          p -> new Hardtanh(p[0], p[1])),
      entry(Selu::new, "selu"),
      entry("alpha", "alpha", 1.0, Celu::new, "celu"),
      entry(Hardswish::new, "hardswish"),
      entry(Hardsigmoid::new, "hardsigmoid"),
      entry(Mish::new, "mish"),
      entry(AbsoluteValue::new, "abs"),
      entry(Square::new, "square"),
      entry(Cosine::new, "cos", "cosine"));

  /** The names the parser accepts, as listed in error messages. */
  public static final String VALID_NAMES = ENTRIES.stream()
      .map(e -> e.names().get(0) + (e.parameters().isEmpty() ? "" : "[(" + String.join(",", e.parameters()) + ")]"))
      .collect(Collectors.joining(", "));

  private ActivationCatalog() {}

  /** One instance of every catalog entry, with default parameters, in catalog order. */
  public static List<Activation> all() {
    return ENTRIES.stream().map(e -> e.make().apply(e.defaults())).toList();
  }

  /**
   * Parses an activation specification.
   *
   * @param spec e.g. {@code relu}, {@code leaky-relu(0.2)}, {@code leakyrelu:0.2}, {@code elu(0.5)},
   *     {@code hardtanh(-2,2)}; not null
   * @return the activation (unsupported ones included; check them with {@link #requireIdentityHypothesis})
   * @throws IllegalArgumentException for an unknown name (the message lists the valid names), a malformed or
   *     non-finite parameter, the wrong number of parameters, or a parameter the activation refuses
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
      if (e.parameters().isEmpty()) return noParam(spec, param, e.make().apply(e.defaults()));
      if (param == null) return e.make().apply(e.defaults());
      String[] parts = param.split(",", -1);
      if (parts.length != e.parameters().size()) {
        throw new IllegalArgumentException("activation '" + spec + "': " + e.names().get(0) + " takes "
            + e.parameters().size() + " parameter" + (e.parameters().size() == 1 ? "" : "s") + " ("
            + e.description() + "), got " + parts.length);
      }
      double[] p = new double[parts.length];
      for (int k = 0; k < parts.length; k++) p[k] = number(spec, parts[k], e.description());
      return e.make().apply(p);
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
