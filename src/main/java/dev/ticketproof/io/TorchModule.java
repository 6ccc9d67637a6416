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
 *     {@code None}, or a tuple or list of such; tuples and lists as lists), e.g. {@code kernel_size} = [3, 3]
 * @param children the submodules of {@code _modules} in order ({@code None} entries left out)
 * @param forwardHooks the number of forward hooks and forward pre-hooks registered on the module (they change what
 *     its forward computes)
 */
public record TorchModule(String className, Map<String, Object> attributes, List<Child> children, int forwardHooks) {
  /** A submodule under its attribute name ({@code 0}, {@code features}). */
  public record Child(String name, TorchModule module) {}

  public TorchModule {
    attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    children = List.copyOf(children);
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

  /** A plain attribute value as the pickle gives it: numbers, strings, booleans, {@code None}, tuples and lists. */
  static Object plain(Object v, int depth) {
    if (v == null || v instanceof Number || v instanceof String || v instanceof Boolean) return v;
    if (depth < 4 && (v instanceof Object[] || v instanceof List<?>)) {
      List<Object> out = new ArrayList<>();
      for (Object o : v instanceof Object[] a ? java.util.Arrays.asList(a) : (List<?>) v) {
        Object p = plain(o, depth + 1);
        if (p == NOT_PLAIN) return NOT_PLAIN;
        out.add(p);
      }
      return Collections.unmodifiableList(out);
    }
    return NOT_PLAIN;
  }

  /** Marks a value {@link #plain} does not keep. */
  static final Object NOT_PLAIN = new Object();
}
