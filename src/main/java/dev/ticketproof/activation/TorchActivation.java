package dev.ticketproof.activation;

import java.util.List;
import java.util.Map;
import java.util.function.DoublePredicate;
import java.util.stream.Stream;

/**
 * The {@code torch.nn} module of a catalog entry, as data: what a whole model's module must be to read as the entry
 * ({@code targets.WholeModels}) and what an exported ticket's architecture names for the Python loader
 * ({@code construct.TicketExport}, {@code docs/ticket_loader.py}). A module reads as the entry when its class is
 * {@code className} and its {@code fixed} attributes match; the {@code parameters} attributes then give the
 * catalog's parameters, in the catalog's order, and each {@code rule} must hold. On export the module is
 * {@code className(**kwargs)}: the parameters under their attribute names, the fixed attributes, and the rules' values
 * that the constructor takes.
 *
 * @param className the simple name of the {@code torch.nn} class, e.g. {@code Hardtanh}
 * @param parameters the attributes carrying the catalog's parameters, in the catalog's parameter order, e.g.
 *     {@code min_val}, {@code max_val}
 * @param fixed attributes with one value for this entry (GELU's {@code approximate}), in order
 * @param rules attributes whose value PyTorch's semantics restrict (Softplus's {@code threshold}), in order
 */
public record TorchActivation(String className, List<String> parameters, List<Fixed> fixed, List<Rule> rules) {
  public TorchActivation {
    parameters = List.copyOf(parameters);
    fixed = List.copyOf(fixed);
    rules = List.copyOf(rules);
  }

  /** A module of class {@code className} with the given parameter attributes, no fixed attribute and no rule. */
  public static TorchActivation of(String className, String... parameters) {
    return new TorchActivation(className, List.of(parameters), List.of(), List.of());
  }

  /** This module with one more fixed attribute. */
  public TorchActivation with(Fixed f) {
    return new TorchActivation(className, parameters, append(fixed, f), rules);
  }

  /** This module with one more rule. */
  public TorchActivation with(Rule r) {
    return new TorchActivation(className, parameters, fixed, append(rules, r));
  }

  private static <T> List<T> append(List<T> list, T t) {
    return Stream.concat(list.stream(), Stream.of(t)).toList();
  }

  /**
   * An attribute with one value for this entry; it tells entries of the same class apart and is passed on export.
   *
   * @param attribute the attribute's name, e.g. {@code approximate}
   * @param value its value, e.g. {@code none}
   * @param ifAbsent whether a module without the attribute (saved by a PyTorch that predates it) matches
   */
  public record Fixed(String attribute, String value, boolean ifAbsent) {}

  /**
   * A numeric attribute whose value must satisfy a condition for the catalog's function to be the module's.
   *
   * @param attribute the attribute's name, e.g. {@code threshold}
   * @param holds the condition on its value
   * @param violation what a value that fails it means, for messages
   * @param value a value that satisfies it: the one exported when {@code passed}, and the one a module built by the
   *     export holds
   * @param passed whether the module's constructor takes the attribute (so that the export passes {@code value})
   */
  public record Rule(String attribute, DoublePredicate holds, String violation, double value, boolean passed) {}

  /**
   * A module to build: {@code torch.nn.<className>(**kwargs)}.
   *
   * @param className the simple name of the {@code torch.nn} class
   * @param kwargs the constructor's keyword arguments, in order (numbers as {@code Double}, strings as {@code String})
   * @param attributes the attributes a module so built holds that {@link ActivationCatalog#fromTorch} reads: the
   *     kwargs and the values of rules the constructor does not take
   */
  public record Call(String className, Map<String, Object> kwargs, Map<String, Object> attributes) {}

  /** A module's attributes, as a reader of a saved model sees them. */
  public interface Attributes {
    /** Whether the module has the attribute. */
    boolean has(String attribute);

    /** The value of an attribute the module has ({@code null} for None). */
    Object get(String attribute);

    /**
     * The attribute's value as a number.
     *
     * @throws RuntimeException naming the module and attribute when it is absent or not a number
     */
    double number(String attribute);

    /** The exception for an attribute whose value is refused, naming the module, the attribute and its value. */
    RuntimeException refused(String attribute, String what);
  }
}
