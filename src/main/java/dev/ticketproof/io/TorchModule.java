package dev.ticketproof.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One module of a whole model ({@code torch.save(model)}) as the pickle describes it: the class's qualified name,
 * its plain hyper-parameters and its submodules in the order of {@code _modules}. It is read, never instantiated:
 * nothing of the class's code is known beyond its name.
 *
 * @param className the module and name of the class, e.g. {@code torch.nn.modules.conv.Conv2d} or
 *     {@code __main__.Net}
 * @param attributes the attributes of the module's dict whose values are plain (a number, a string, a boolean,
 *     {@code None}, or a short tuple or list of such; tuples and lists as lists), e.g. {@code kernel_size} = [3, 3];
 *     none when the dict has more than {@value #MAX_ATTRIBUTES} entries (no torch.nn module has)
 * @param children the submodules of {@code _modules} in order ({@code None} entries left out)
 * @param forwardHooks the number of forward hooks and forward pre-hooks registered on the module (they change what
 *     its forward computes)
 */
public record TorchModule(String className, Map<String, Object> attributes, List<Child> children, int forwardHooks) {
  /** A submodule under its attribute name ({@code 0}, {@code features}). */
  public record Child(String name, TorchModule module) {}

  /**
   * One module's hyper-parameters read with messages that name the file, the module's path and its class (how a
   * whole model's modules are read as layers of an architecture spec, {@link ArchSpec#fromModule}).
   *
   * @param source the file (and the prefix of the whole model in it) for messages
   * @param path the module's path in the model, e.g. {@code features.3}: the tensor-name prefix of its layer
   * @param module the module
   */
  public record Attributes(String source, String path, TorchModule module) {
    /** An error naming the file, the module's path and class, and {@code what}. */
    public ImportException fail(String what) {
      return new ImportException(source + ": module '" + path + "' (" + module.className() + "): " + what);
    }

    /** The class name without its module ({@code Conv2d}). */
    public String simpleName() { return module.simpleName(); }

    /** The attribute's value, {@code null} when the module has none or it is {@code None}. */
    public Object raw(String key) { return module.attributes().get(key); }

    /** The attribute's value; an error when the module has no such attribute. */
    public Object get(String key) {
      if (!module.attributes().containsKey(key)) {
        throw fail("has no attribute '" + key + "' (saved by another PyTorch?)");
      }
      return module.attributes().get(key);
    }

    /** An error naming the attribute, its value and {@code what} unless {@code ok}. */
    public void require(String key, boolean ok, String what) {
      if (!ok) throw fail(key + " " + show(module.attributes().get(key)) + ": " + what);
    }

    /** Whether the attribute is {@code None} (or missing, or an empty tuple). */
    public boolean isNone(String key) {
      Object v = module.attributes().get(key);
      return v == null || v instanceof List<?> l && l.isEmpty();
    }

    /** A boolean attribute. */
    public boolean bool(String key) {
      if (get(key) instanceof Boolean b) return b;
      throw fail(key + " " + show(get(key)) + ": expected True or False");
    }

    /** A number attribute. */
    public double number(String key) {
      if (get(key) instanceof Number n) return n.doubleValue();
      throw fail(key + " " + show(get(key)) + ": expected a number");
    }

    /** An integer attribute of magnitude at most 2^20. */
    public int integer(String key) {
      Object v = get(key);
      if (v instanceof Integer || v instanceof Long) {
        long l = ((Number) v).longValue();
        if (Math.abs(l) <= 1 << 20) return (int) l;
      }
      throw fail(key + " " + show(v) + ": expected an integer");
    }

    /** An int, or a tuple of equal ints (a square window); unequal values are refused. */
    public int square(String key) {
      Object v = get(key);
      if (v instanceof List<?> l && !l.isEmpty()) {
        for (Object o : l) {
          if (!o.equals(l.get(0))) throw fail(key + " " + show(v) + ": only equal values (square windows) are "
              + "supported");
        }
        v = l.get(0);
      }
      if ((v instanceof Integer || v instanceof Long) && ((Number) v).longValue() >= 0
          && ((Number) v).longValue() <= 1 << 20) {
        return ((Number) v).intValue();
      }
      throw fail(key + " " + show(v) + ": expected an integer >= 0 or a tuple of equal ones");
    }

    /** An int for both axes, or a tuple (rows, columns) (a one-element tuple for both): {rows, columns}. */
    public int[] pair(String key) {
      Object v = get(key);
      if (v instanceof List<?> l && l.size() == 2) {
        Object[] two = l.toArray();
        int[] out = new int[2];
        for (int i = 0; i < 2; i++) {
          if (!(two[i] instanceof Integer || two[i] instanceof Long) || ((Number) two[i]).longValue() < 0
              || ((Number) two[i]).longValue() > 1 << 20) {
            throw fail(key + " " + show(v) + ": expected integers >= 0");
          }
          out[i] = ((Number) two[i]).intValue();
        }
        return out;
      }
      int one = square(key);
      return new int[] {one, one};
    }

    /** A value as Python shows it ({@code None}, {@code 'zeros'}, {@code (3, 3)}, {@code True}). */
    public static String show(Object v) {
      if (v == null) return "None";
      if (v instanceof String s) return "'" + s + "'";
      if (v instanceof List<?> l) {
        List<String> parts = new ArrayList<>();
        for (Object o : l) parts.add(show(o));
        return "(" + String.join(", ", parts) + (l.size() == 1 ? ",)" : ")");
      }
      if (v instanceof Boolean b) return b ? "True" : "False";
      return v.toString();
    }
  }

  public TorchModule {
    attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    children = List.copyOf(children);
  }

  /** Deepest module {@link #walk} visits: the root has depth 0. */
  public static final int MAX_DEPTH = 64;

  /**
   * Calls {@code each} on this module and every submodule, depth first in order, with its path (names joined by
   * {@code .}; {@code ""} for this one), down to {@link #MAX_DEPTH}.
   *
   * @return whether the whole tree was visited (false when it is deeper)
   */
  public boolean walk(java.util.function.BiConsumer<String, TorchModule> each) { return walk("", 0, each); }

  private boolean walk(String path, int depth, java.util.function.BiConsumer<String, TorchModule> each) {
    if (depth > MAX_DEPTH) return false;
    each.accept(path, this);
    boolean whole = true;
    for (Child c : children) whole &= c.module().walk(path.isEmpty() ? c.name() : path + "." + c.name(), depth + 1, each);
    return whole;
  }

  /** The submodule at {@code path} (names joined by {@code .}), or {@code null} when there is none there. */
  public TorchModule at(String path) {
    TorchModule m = this;
    for (String part : path.split("\\.", -1)) {
      TorchModule next = null;
      for (Child c : m.children) if (c.name().equals(part)) next = c.module();
      if (next == null) return null;
      m = next;
    }
    return m;
  }

  /** The class name without its module ({@code Conv2d}). */
  public String simpleName() { return className.substring(className.lastIndexOf('.') + 1); }

  /**
   * Whether this is PyTorch's own {@code torch.nn} class of that name (a class of the user's code of the same name,
   * whose forward may differ, is not).
   */
  public boolean isTorchNn(String name) {
    return className.startsWith("torch.nn.modules.") && simpleName().equals(name);
  }

  /**
   * torchvision's subclasses of {@code nn.Sequential} that do not override its forward (the conv, norm and activation
   * blocks of {@code torchvision.ops}, and its {@code MLP}): they compute their submodules in order, as a Sequential
   * does.
   */
  static final java.util.Set<String> TORCHVISION_SEQUENTIALS = java.util.Set.of(
      "torchvision.ops.misc.ConvNormActivation", "torchvision.ops.misc.Conv2dNormActivation",
      "torchvision.ops.misc.Conv1dNormActivation", "torchvision.ops.misc.MLP");

  /**
   * Whether the module computes its submodules in order: PyTorch's {@code nn.Sequential}, or one of torchvision's
   * subclasses of it that keep its forward ({@link #TORCHVISION_SEQUENTIALS}: {@code Conv2dNormActivation}, ...). A
   * subclass of the user's code may override the forward, which the file does not hold: it is not one.
   */
  public boolean isSequential() {
    return isTorchNn("Sequential") || TORCHVISION_SEQUENTIALS.contains(className);
  }

  /**
   * A plain attribute value as the pickle gives it: a number, a string, a boolean, {@code None}, or a tuple or list
   * of at most {@link #MAX_TUPLE} of these (hyper-parameters are no more; a nested or longer value, which a hostile
   * file could make expensive to copy, is not kept).
   */
  static Object plain(Object v) {
    if (scalar(v)) return v;
    if (v instanceof Object[] || v instanceof List<?>) {
      List<?> items = v instanceof Object[] a ? java.util.Arrays.asList(a) : (List<?>) v;
      if (items.size() > MAX_TUPLE) return NOT_PLAIN;
      for (Object o : items) if (!scalar(o)) return NOT_PLAIN;
      return Collections.unmodifiableList(new ArrayList<>(items));
    }
    return NOT_PLAIN;
  }

  private static boolean scalar(Object v) {
    return v == null || v instanceof Number || v instanceof String || v instanceof Boolean;
  }

  /** Longest tuple kept as an attribute. */
  static final int MAX_TUPLE = 16;

  /** Most entries of a module's dict whose attributes are kept (a torch.nn module's has about 20). */
  static final int MAX_ATTRIBUTES = 256;

  /** Marks a value {@link #plain} does not keep. */
  static final Object NOT_PLAIN = new Object();
}
