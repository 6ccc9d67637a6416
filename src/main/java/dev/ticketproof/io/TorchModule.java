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
