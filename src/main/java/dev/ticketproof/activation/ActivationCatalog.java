package dev.ticketproof.activation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
 * {@code celu(0.5)} (alpha, default 1); {@code hardswish}; {@code hardsigmoid}; {@code mish}; {@code softsign};
 * {@code log-sigmoid}; and the unsupported {@code abs}, {@code square}, {@code cos}, which parse so that the
 * [identity] precondition ({@link #requireIdentityHypothesis}) can reject them with a reason. Several parameters are separated by commas.
 *
 * <p>An entry that PyTorch computes declares its {@code torch.nn} module ({@link TorchActivation}): the class, the
 * attributes that carry the parameters, fixed attributes and reading rules. The whole-model reader maps modules to
 * entries with it ({@link #fromTorch}) and the export names the module of a ticket's activation ({@link #toTorch}).
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
   * @param torch the {@code torch.nn} module that computes it, or {@code null} when there is none
   */
  private record Entry(List<String> names, List<String> parameters, String description, double[] defaults,
      Function<double[], Activation> make, TorchActivation torch) {
    Entry {
      if (torch != null && torch.parameters().size() != parameters.size()) {
        throw new IllegalStateException(names.get(0) + ": " + parameters.size() + " parameters, "
            + torch.parameters().size() + " torch attributes");
      }
    }

    /** This entry computed by the {@code torch.nn} module {@code t}. */
    Entry torch(TorchActivation t) { return new Entry(names, parameters, description, defaults, make, t); }
  }

  private static Entry entry(Supplier<Activation> make, String... names) {
    return new Entry(List.of(names), List.of(), null, new double[0], p -> make.get(), null);
  }

  private static Entry entry(String parameter, String description, double defaultParameter,
      DoubleFunction<Activation> make, String... names) {
    return new Entry(List.of(names), List.of(parameter), description, new double[] {defaultParameter},
        p -> make.apply(p[0]), null);
  }

  /**
   * Softplus's threshold: above {@code threshold / beta} PyTorch returns x. A module read must have at least 20
   * (x then differs from ln(1 + e^(beta x)) / beta by less than e^-20 / beta, 1.1e-10 of x); the export writes 40
   * (less than e^-40 / beta, 4.2e-18 / beta, below the rounding of x >= 40 / beta).
   */
  private static final TorchActivation.Rule SOFTPLUS_THRESHOLD = new TorchActivation.Rule("threshold", t -> t >= 20,
      "a threshold below 20 is not supported (PyTorch returns x above it)", 40, true);

  private static TorchActivation gelu(String approximate, boolean ifAbsent) {
    return TorchActivation.of("GELU").with(new TorchActivation.Fixed("approximate", approximate, ifAbsent));
  }

  /**
   * The catalog, in order: adding an activation is one entry here (with its {@code torch.nn} module, if it has one),
   * its class, and the kernel's formula.
   */
  private static final List<Entry> ENTRIES = List.of(
      entry(Relu::new, "relu").torch(TorchActivation.of("ReLU")),
      entry("a", "negative slope a", LeakyRelu.DEFAULT_SLOPE, LeakyRelu::new, "leaky-relu", "lrelu")
          .torch(TorchActivation.of("LeakyReLU", "negative_slope")),
      entry(Tanh::new, "tanh").torch(TorchActivation.of("Tanh")),
      entry(Sigmoid::new, "sigmoid", "logistic").torch(TorchActivation.of("Sigmoid")),
      entry("alpha", "alpha", 1.0, Elu::new, "elu").torch(TorchActivation.of("ELU", "alpha")),
      entry("beta", "beta", 1.0, Softplus::new, "softplus")
          .torch(TorchActivation.of("Softplus", "beta").with(SOFTPLUS_THRESHOLD)),
      entry(Silu::new, "silu", "swish").torch(TorchActivation.of("SiLU")),
      entry(Gelu::new, "gelu").torch(gelu("none", true)),
      entry(GeluTanh::new, "gelu-tanh").torch(gelu("tanh", false)),
      entry(Relu6::new, "relu6").torch(TorchActivation.of("ReLU6")
          .with(new TorchActivation.Rule("min_val", v -> v == 0, "ReLU6 clamps at 0", 0, false))
          .with(new TorchActivation.Rule("max_val", v -> v == 6, "ReLU6 clamps at 6", 6, false))),
      new Entry(List.of("hardtanh"), List.of("min", "max"), "min and max", new double[] {-1, 1},
          p -> new Hardtanh(p[0], p[1]), TorchActivation.of("Hardtanh", "min_val", "max_val")),
      entry(Selu::new, "selu").torch(TorchActivation.of("SELU")),
      entry("alpha", "alpha", 1.0, Celu::new, "celu").torch(TorchActivation.of("CELU", "alpha")),
      entry(Hardswish::new, "hardswish").torch(TorchActivation.of("Hardswish")),
      entry(Hardsigmoid::new, "hardsigmoid").torch(TorchActivation.of("Hardsigmoid")),
      entry(Mish::new, "mish").torch(TorchActivation.of("Mish")),
      entry(Softsign::new, "softsign").torch(TorchActivation.of("Softsign")),
      entry(LogSigmoid::new, "log-sigmoid").torch(TorchActivation.of("LogSigmoid")),
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
    Resolved r = resolve(spec);
    return r.entry().make().apply(r.parameters());
  }

  /** A catalog entry and the parameters a specification gives it. */
  private record Resolved(Entry entry, double[] parameters) {}

  private static Resolved resolve(String spec) {
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
      if (e.parameters().isEmpty()) {
        if (param != null) {
          throw new IllegalArgumentException("activation '" + spec + "': " + e.make().apply(e.defaults()).name()
              + " takes no parameter");
        }
        return new Resolved(e, e.defaults());
      }
      if (param == null) return new Resolved(e, e.defaults());
      String[] parts = param.split(",", -1);
      if (parts.length != e.parameters().size()) {
        throw new IllegalArgumentException("activation '" + spec + "': " + e.names().get(0) + " takes "
            + e.parameters().size() + " parameter" + (e.parameters().size() == 1 ? "" : "s") + " ("
            + e.description() + "), got " + parts.length);
      }
      double[] p = new double[parts.length];
      for (int k = 0; k < parts.length; k++) p[k] = number(spec, parts[k], e.description());
      return new Resolved(e, p);
    }
    throw new IllegalArgumentException("unknown activation '" + spec + "': expected one of " + VALID_NAMES);
  }

  /** The simple names of the {@code torch.nn} classes of the catalog's entries, once each, in catalog order. */
  public static List<String> torchClassNames() {
    return ENTRIES.stream().filter(e -> e.torch() != null).map(e -> e.torch().className()).distinct().toList();
  }

  /**
   * The {@code torch.nn} module that computes an activation, for an export.
   *
   * @param spec a specification {@link #parse} accepts
   * @return the module's class and keyword arguments, or empty when the entry has no {@code torch.nn} module
   *     ({@code abs}, {@code square}, {@code cos})
   * @throws IllegalArgumentException as {@link #parse} does
   */
  public static Optional<TorchActivation.Call> toTorch(String spec) {
    Resolved r = resolve(spec);
    r.entry().make().apply(r.parameters());
    TorchActivation t = r.entry().torch();
    if (t == null) return Optional.empty();
    Map<String, Object> kwargs = new LinkedHashMap<>();
    for (int k = 0; k < t.parameters().size(); k++) kwargs.put(t.parameters().get(k), r.parameters()[k]);
    for (TorchActivation.Fixed f : t.fixed()) kwargs.put(f.attribute(), f.value());
    Map<String, Object> attributes = new LinkedHashMap<>(kwargs);
    for (TorchActivation.Rule rule : t.rules()) {
      if (rule.passed()) kwargs.put(rule.attribute(), rule.value());
      attributes.put(rule.attribute(), rule.value());
    }
    return Optional.of(new TorchActivation.Call(t.className(), Collections.unmodifiableMap(kwargs),
        Collections.unmodifiableMap(attributes)));
  }

  /**
   * The activation a {@code torch.nn} module computes: the entry whose module has the class and whose fixed
   * attributes match, with its parameters read from the module's attributes and its rules checked.
   *
   * @param className the simple name of the module's {@code torch.nn} class, e.g. {@code LeakyReLU}
   * @param attributes the module's attributes
   * @return the activation, or empty when no entry has a module of that class
   * @throws RuntimeException what {@code attributes} throws for a missing or non-numeric parameter attribute or a
   *     refused value (a fixed attribute no entry has, a rule violated)
   * @throws IllegalArgumentException for parameters the activation refuses (its constructor's message)
   */
  public static Optional<Activation> fromTorch(String className, TorchActivation.Attributes attributes) {
    List<Entry> same = ENTRIES.stream().filter(e -> e.torch() != null && e.torch().className().equals(className))
        .toList();
    if (same.isEmpty()) return Optional.empty();
    Entry e = same.stream().filter(c -> fixedMatch(c.torch(), attributes)).findFirst().orElse(null);
    if (e == null) {
      TorchActivation.Fixed first = same.stream().flatMap(c -> c.torch().fixed().stream()).findFirst().orElseThrow();
      List<String> options = new ArrayList<>();
      for (Entry c : same) {
        options.add(c.torch().fixed().stream().map(f -> f.attribute() + "='" + f.value() + "'")
            .collect(Collectors.joining(", ")) + " (" + c.names().get(0) + ")");
      }
      throw attributes.refused(first.attribute(), "only " + String.join(" and ", options) + (options.size() == 1
          ? " is" : " are") + " supported");
    }
    TorchActivation t = e.torch();
    double[] p = new double[t.parameters().size()];
    for (int k = 0; k < p.length; k++) p[k] = attributes.number(t.parameters().get(k));
    for (TorchActivation.Rule rule : t.rules()) {
      if (!rule.holds().test(attributes.number(rule.attribute()))) {
        throw attributes.refused(rule.attribute(), rule.violation());
      }
    }
    return Optional.of(e.make().apply(p));
  }

  private static boolean fixedMatch(TorchActivation t, TorchActivation.Attributes attributes) {
    for (TorchActivation.Fixed f : t.fixed()) {
      boolean ok = attributes.has(f.attribute()) ? f.value().equals(attributes.get(f.attribute())) : f.ifAbsent();
      if (!ok) return false;
    }
    return true;
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
