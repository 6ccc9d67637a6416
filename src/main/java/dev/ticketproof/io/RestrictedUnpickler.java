package dev.ticketproof.io;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * Pyrolite's unpickler restricted to what {@code torch.save} writes for a state dict, a checkpoint dict, or a whole
 * model ({@code torch.save(model)}). Nothing from the file is executed, instantiated or looked up as code. Globals
 * are resolved by this instance alone (Pyrolite's JVM-wide constructor registry is never consulted nor changed),
 * each to an inert value:
 *
 * <ul>
 *   <li>{@code torch._utils._rebuild_tensor_v2} and {@code torch._utils._rebuild_parameter}: a strided view of a
 *       storage ({@link TensorRef}), checked to lie inside it;</li>
 *   <li>the storage types of {@link DType} (data, never called);</li>
 *   <li>{@code collections.OrderedDict} (a dict) and {@code builtins.set} / {@code __builtin__.set} (a set of
 *       strings and numbers);</li>
 *   <li>{@code torch.device} called with a type and an index ({@code nn.DataParallel} keeps one): an inert record of
 *       the two;</li>
 *   <li>a checkpoint's numpy values ({@code numpy.core.multiarray.scalar} called with a {@code numpy.dtype},
 *       {@code numpy.core.multiarray._reconstruct} of {@code numpy.ndarray}, and {@code _codecs.encode(text,
 *       'latin1')}, how protocol 2 writes their bytes): inert records of what they are, never decoded, and
 *       {@code argparse.Namespace} (a training script's options) as a class stub; the reader lists them as
 *       skipped;</li>
 *   <li>a learning-rate scheduler's state as PyTorch before 2.0 writes {@code OneCycleLR}'s (a bound method,
 *       {@code getattr(scheduler, '_annealing_cos')}, with the scheduler and its optimizer): {@code getattr} called
 *       with an object and a name ({@link BoundMethod}), {@code collections.defaultdict} of a built-in type (a dict),
 *       and the classes of {@code torch.optim} (class stubs); the reader lists them as skipped;</li>
 *   <li>a class ({@link ClassStub}, never resolved): a name in {@code __main__}, in a module under
 *       {@code torch.nn.}, or in a module outside the Python standard library,
 *       torch, numpy and the pickling libraries (the list is the resource {@code pickle-system-modules.txt}). Its only
 *       use is as the target of {@code NEWOBJ} with no arguments, which makes an {@link ObjectStub}: the class name
 *       and, after {@code BUILD}, the state dict the pickle gives it (and the items {@code SETITEM(S)} put into an
 *       object of a dict subclass).</li>
 * </ul>
 *
 * <p>Any other global is rejected with a message naming it, before anything could be called. {@code REDUCE} calls
 * only the functions above (never a class stub; a stub whose name is not a class's by Python's convention, a
 * function such as {@code mymodels.build_net}, is refused there as a forbidden global). The opcodes {@code INST},
 * {@code OBJ}, {@code NEWOBJ_EX}, extension
 * codes and out-of-band buffers are rejected; protocol 4's set opcodes make sets as {@code builtins.set} does. {@code BUILD} attaches a dict to an
 * object stub once, or is ignored on a dict (the {@code _metadata} of a state dict). Dict keys must be strings or
 * numbers (hashing a list that holds itself would recurse without end). Dicts keep their insertion order. Lengths
 * read from the stream are checked against the bytes left before anything is allocated.
 *
 * <p>Not thread-safe; one instance reads one pickle stream.
 */
final class RestrictedUnpickler extends Unpickler {
  /** Reference to a storage, from a persistent id. */
  record StorageRef(DType dtype, String key, long numel) {}

  /** What {@code _rebuild_tensor_v2} was called with: a strided view of a storage. */
  record TensorRef(StorageRef storage, long offset, int[] size, long[] stride) {}

  /** Resolves persistent ids (storage references). */
  interface PersistentLoader {
    Object load(Object[] pid);
  }

  /** A class the pickle names, by its module and name; never resolved nor called. */
  record ClassStub(String module, String name) {
    @Override public String toString() { return module + "." + name; }
  }

  /**
   * An object the pickle makes with {@code NEWOBJ} from a {@link ClassStub}: the class's name, the state dict
   * {@code BUILD} gives it ({@code null} before), and the items {@code SETITEM(S)} put into it (an object of a dict
   * subclass, such as a hyper-parameter dict).
   */
  static final class ObjectStub {
    final ClassStub type;
    final Map<Object, Object> items = new LinkedHashMap<>();
    Map<?, ?> state;

    ObjectStub(ClassStub type) { this.type = type; }
  }

  /** A storage type named in the pickle ({@code torch.FloatStorage}); data, not callable. */
  record StorageType(DType dtype) {}

  /** The callables the pickle may use. */
  private enum Callable {
    REBUILD_TENSOR_V2, REBUILD_PARAMETER, ORDERED_DICT, SET, DEVICE, NUMPY_SCALAR, NUMPY_DTYPE, NUMPY_RECONSTRUCT,
    CODECS_ENCODE, DEFAULT_DICT, GETATTR
  }

  /**
   * A built-in type named in the pickle as the factory of a {@code collections.defaultdict} (an optimizer object's
   * {@code state} is a {@code defaultdict(dict)}); data, never called.
   */
  record BuiltinType(String name) {}

  /**
   * What {@code getattr(object, name)} was called with, as protocol 2 writes a bound method: the object's class and
   * the attribute's name. PyTorch before 2.0 keeps one in the state dict of {@code OneCycleLR} (its
   * {@code anneal_func}), whose object (the scheduler, with its optimizer) then comes along. An inert record, never
   * looked up nor called; a checkpoint's value that is one is listed as skipped.
   */
  record BoundMethod(ClassStub owner, String name) {}

  /** {@code numpy.ndarray}, named in the pickle of an array as the class to reconstruct; data, never called. */
  private enum NumpyClass { NDARRAY }

  /**
   * A numpy value of a checkpoint's metadata (a metric saved as {@code np.float64}, losses as an array): an inert
   * record of what it is, never decoded nor built by numpy. Read values of a checkpoint that are not tensors are
   * listed as skipped.
   *
   * @param what e.g. {@code a numpy float64 scalar}
   */
  record NumpyValue(String what) {}

  /** A {@code numpy.dtype} the pickle makes: its type string ({@code f8}); its state, given by BUILD, is ignored. */
  record NumpyDType(String type) {}

  /** What {@code torch.device(type[, index])} was called with: a device name, data (a DataParallel's devices). */
  record Device(String type, long index) {}

  /**
   * A module path of Python identifiers, and a class name by Python's convention (upper-case initial, after one
   * underscore for a private class: torchvision's DenseNet has _DenseBlock).
   */
  private static final java.util.regex.Pattern MODULE =
      java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
  /** A class's name by Python's convention; the model's own classes may have any name (a model class {@code fc1}). */
  private static final java.util.regex.Pattern CLASS = java.util.regex.Pattern.compile("_?[A-Z][A-Za-z0-9_]*");
  private static final java.util.regex.Pattern IDENTIFIER = java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** The built-in types a {@code collections.defaultdict} may have as its factory. */
  private static final Set<String> FACTORIES = Set.of("dict", "list", "int", "float");

  /** Top-level modules whose classes are never stubs: the standard library, torch (but torch.nn), numpy, ... */
  static final java.util.Set<String> SYSTEM_MODULES = systemModules();

  private static java.util.Set<String> systemModules() {
    try (var in = RestrictedUnpickler.class.getResourceAsStream("pickle-system-modules.txt")) {
      java.util.Set<String> out = new java.util.HashSet<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) out.add(line.trim());
      }
      return java.util.Set.copyOf(out);
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("resource pickle-system-modules.txt is missing", e);
    }
  }

  private final String source;
  private final PersistentLoader persistentLoader;
  private final ByteArrayInputStream in;

  RestrictedUnpickler(String source, ByteArrayInputStream in, PersistentLoader persistentLoader) {
    this.source = source;
    this.in = in;
    this.persistentLoader = persistentLoader;
  }

  /** Reads one pickle from the stream given at construction. */
  Object loadOne() {
    try {
      return load(in);
    } catch (ImportException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new ImportException(source + ": malformed pickle (" + e.getClass().getSimpleName() + ": "
          + e.getMessage() + ")", e);
    }
  }

  @Override protected Object dispatch(short key) throws IOException {
    switch (key) {
      case Opcodes.GLOBAL -> {
        String module = PickleUtils.readline(input);
        String name = PickleUtils.readline(input);
        stack.add(resolveGlobal(module, name));
      }
      case Opcodes.STACK_GLOBAL -> {
        Object name = stack.pop();
        Object module = stack.pop();
        if (!(module instanceof String m && name instanceof String n)) {
          throw fail("STACK_GLOBAL needs two strings, got " + describe(module) + " and " + describe(name));
        }
        stack.add(resolveGlobal(m, n));
      }
      case Opcodes.REDUCE -> {
        Object args = stack.pop();
        Object callable = stack.pop();
        if (callable instanceof ClassStub c) {
          if (!CLASS.matcher(c.name()).matches()) throw forbidden(c.module(), c.name());
          throw fail("REDUCE on the class " + c + ": a class is only read as an inert record made by NEWOBJ, "
              + "never called");
        }
        if (!(callable instanceof Callable c)) {
          throw fail("REDUCE on " + describe(callable) + ", which is not callable");
        }
        if (!(args instanceof Object[] a)) throw fail("REDUCE needs an argument tuple, got " + describe(args));
        stack.add(call(c, a));
      }
      case Opcodes.NEWOBJ -> {
        Object args = stack.pop();
        Object cls = stack.pop();
        if (!(cls instanceof ClassStub c)) throw fail("NEWOBJ on " + describe(cls) + ", which is not a class");
        if (!(args instanceof Object[] a && a.length == 0)) {
          throw fail("NEWOBJ of " + c + " with arguments " + describe(args) + " (a module is made with none)");
        }
        stack.add(new ObjectStub(c));
      }
      case Opcodes.BUILD -> {
        Object state = stack.pop();
        Object target = stack.peek();
        if (target instanceof ObjectStub o) {
          if (!(state instanceof Map<?, ?> m)) {
            throw fail("BUILD of " + o.type + " with " + describe(state) + " (expected the object's dict)");
          }
          if (o.state != null) throw fail("BUILD of " + o.type + " twice");
          o.state = m;
          return NO_RETURN_VALUE;
        }
        if (target instanceof NumpyDType || target instanceof NumpyValue) return NO_RETURN_VALUE; // its state: data
        if (!(target instanceof Map && (state instanceof Map || state == null))) {
          throw fail("BUILD (setting object state) is accepted only for dict attributes, got "
              + describe(state) + " on " + describe(target));
        }
      }
      case Opcodes.BINPERSID -> {
        Object pid = stack.pop();
        if (!(pid instanceof Object[] tuple)) throw fail("persistent id must be a tuple, got " + describe(pid));
        // a legacy-format whole model names each module class as ('module', class, file, source): the class
        if (tuple.length == 4 && "module".equals(tuple[0]) && tuple[1] instanceof ClassStub c) {
          stack.add(c);
          return NO_RETURN_VALUE;
        }
        stack.add(persistentLoader.load(tuple));
      }
      case Opcodes.EMPTY_DICT -> stack.add(new LinkedHashMap<Object, Object>());
      case Opcodes.DICT -> {
        List<Object> items = stack.pop_all_since_marker();
        stack.add(putAll(new LinkedHashMap<>(), items));
      }
      case Opcodes.SETITEMS -> {
        List<Object> items = stack.pop_all_since_marker();
        putAll(asDict(stack.peek()), items);
      }
      case Opcodes.SETITEM -> {
        Object value = stack.pop();
        Object k = stack.pop();
        asDict(stack.peek()).put(checkKey(k), value);
      }
      // protocol 4's sets (nn.Module's _non_persistent_buffers_set): of strings and numbers, as builtins.set's
      case Opcodes.EMPTY_SET -> stack.add(new java.util.LinkedHashSet<>());
      case Opcodes.FROZENSET -> stack.add(addAll(new java.util.LinkedHashSet<>(), stack.pop_all_since_marker()));
      case Opcodes.ADDITEMS -> {
        List<Object> items = stack.pop_all_since_marker();
        if (!(stack.peek() instanceof java.util.Set<?> set)) {
          throw fail("ADDITEMS on " + describe(stack.peek()) + ", which is not a set");
        }
        @SuppressWarnings("unchecked") java.util.Set<Object> target = (java.util.Set<Object>) set;
        addAll(target, items);
      }
      case Opcodes.BINSTRING -> stack.add(PickleUtils.rawStringFromBytes(readSized(4)));
      case Opcodes.BINBYTES -> stack.add(readSized(4));
      case Opcodes.BINBYTES8 -> stack.add(readSized(8));
      case Opcodes.BINUNICODE -> stack.add(new String(readSized(4), StandardCharsets.UTF_8));
      case Opcodes.BINUNICODE8 -> stack.add(new String(readSized(8), StandardCharsets.UTF_8));
      case Opcodes.LONG4 -> stack.add(PickleUtils.decode_long(readSized(4)));
      case Opcodes.INST, Opcodes.OBJ, Opcodes.NEWOBJ_EX, Opcodes.EXT1, Opcodes.EXT2, Opcodes.EXT4,
          Opcodes.PERSID, Opcodes.BYTEARRAY8, Opcodes.NEXT_BUFFER, Opcodes.READONLY_BUFFER ->
          throw fail("pickle opcode 0x" + Integer.toHexString(key) + " is not accepted: a state dict needs only "
              + "tensors and dicts, a whole model only NEWOBJ and BUILD of module classes; nothing is instantiated");
      default -> {
        return super.dispatch(key);
      }
    }
    return NO_RETURN_VALUE;
  }

  private Object resolveGlobal(String module, String name) {
    if ("torch._utils".equals(module) && "_rebuild_tensor_v2".equals(name)) return Callable.REBUILD_TENSOR_V2;
    if ("torch._utils".equals(module) && "_rebuild_parameter".equals(name)) return Callable.REBUILD_PARAMETER;
    if ("collections".equals(module) && "OrderedDict".equals(name)) return Callable.ORDERED_DICT;
    if (("builtins".equals(module) || "__builtin__".equals(module)) && "set".equals(name)) return Callable.SET;
    if ("torch".equals(module) && "device".equals(name)) return Callable.DEVICE;
    if (("numpy.core.multiarray".equals(module) || "numpy._core.multiarray".equals(module)) && "scalar".equals(name)) {
      return Callable.NUMPY_SCALAR;
    }
    if (("numpy.core.multiarray".equals(module) || "numpy._core.multiarray".equals(module))
        && "_reconstruct".equals(name)) {
      return Callable.NUMPY_RECONSTRUCT;
    }
    if ("numpy".equals(module) && "dtype".equals(name)) return Callable.NUMPY_DTYPE;
    if ("numpy".equals(module) && "ndarray".equals(name)) return NumpyClass.NDARRAY;
    if ("_codecs".equals(module) && "encode".equals(name)) return Callable.CODECS_ENCODE;
    // a learning-rate scheduler's state (OneCycleLR's bound method anneal_func, with the scheduler and its
    // optimizer): getattr, the optimizer's defaultdict and the classes of torch.optim, all inert records
    if (("builtins".equals(module) || "__builtin__".equals(module)) && "getattr".equals(name)) return Callable.GETATTR;
    if ("collections".equals(module) && "defaultdict".equals(name)) return Callable.DEFAULT_DICT;
    if (("builtins".equals(module) || "__builtin__".equals(module)) && FACTORIES.contains(name)) {
      return new BuiltinType(name);
    }
    if (module.startsWith("torch.optim.") && MODULE.matcher(module).matches() && CLASS.matcher(name).matches()) {
      return new ClassStub(module, name);
    }
    // a training script's options (argparse.Namespace) beside the weights: a class like the model's, an inert record
    if ("argparse".equals(module) && "Namespace".equals(name)) return new ClassStub(module, name);
    // data saved as a dataset of tensors (torch.save(TensorDataset(x, y))): an inert record of its tuple of tensors
    if ("torch.utils.data.dataset".equals(module) && "TensorDataset".equals(name)) return new ClassStub(module, name);
    if ("torch".equals(module) && name.endsWith("Storage")) {
      return new StorageType(DType.ofTorchStorage(name).orElseThrow(() -> new ImportException(source
          + ": unknown storage type torch." + name + " (supported: " + DType.torchStorages() + ")")));
    }
    if (isQuantized(module, name)) {
      throw new ImportException(source + ": a quantized model (the pickle names " + module + "." + name + ", of "
          + "torch.quantization or torch.ao.quantization): its weights are int8 values with a scale and a zero point, "
          + "and its layers quantize their inputs at run time (a dynamically quantized Linear by the range of each "
          + "batch), which is not a fixed function of one input that the normal form's layers compute, so it is not "
          + "read. Build the ticket from the float model before quantization: save its state dict, torch.save("
          + "model.state_dict(), PATH), before quantize_dynamic or convert");
    }
    if (isModuleClass(module, name)) return new ClassStub(module, name);
    if ("torch._utils".equals(module) && ("_rebuild_sparse_tensor".equals(name)
        || "_rebuild_sparse_csr_tensor".equals(name))) {
      throw new ImportException(source + ": a sparse tensor (torch._utils." + name + "); only dense tensors are "
          + "read: save it dense, torch.save(x.to_dense(), PATH)");
    }
    throw forbidden(module, name);
  }

  private ImportException forbidden(String module, String name) {
    return new ImportException(source + ": forbidden global '" + module + "." + name + "' in the pickle; only "
        + "torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter, collections.OrderedDict, builtins.set, "
        + "torch.device, numpy scalars and arrays, argparse.Namespace, torch.utils.data.TensorDataset and a "
        + "learning-rate scheduler's state "
        + "(getattr of an object, collections.defaultdict, classes of torch.optim: inert records, skipped), "
        + "the storage types " + DType.torchStorages() + " and classes (of __main__, torch.nn or a module outside "
        + "the standard library, as inert records) are accepted (nothing from the file is executed)");
  }

  /**
   * A global only a quantized model's pickle names: a quantized dtype ({@code torch.qint8}), the rebuild of a
   * quantized tensor, a quantization scheme, or a class of PyTorch's quantized modules.
   */
  static boolean isQuantized(String module, String name) {
    return module.equals("torch") && Set.of("qint8", "quint8", "qint32", "quint4x2", "quint2x4", "per_tensor_affine",
        "per_channel_affine", "per_channel_affine_float_qparams", "per_tensor_symmetric", "per_channel_symmetric")
        .contains(name)
        || module.equals("torch._utils") && name.equals("_rebuild_qtensor")
        || module.startsWith("torch.ao.nn.quantized") || module.startsWith("torch.nn.quantized")
        || module.startsWith("torch.ao.nn.intrinsic.quantized") || module.startsWith("torch.nn.intrinsic.quantized")
        || module.startsWith("torch.ao.nn.qat") || module.startsWith("torch.nn.qat");
  }

  /** A class of the model's own code ({@code __main__}, a user module) or of {@code torch.nn}, by its name. */
  static boolean isModuleClass(String module, String name) {
    // the wrapper torch.nn keeps a load-state-dict hook in (spectral_norm registers one): a class like any other
    if (module.equals("torch.nn.modules.module") && name.equals("_WrappedHook")) return true;
    if (!IDENTIFIER.matcher(name).matches() || !MODULE.matcher(module).matches()) return false;
    if (module.equals("__main__") || module.startsWith("torch.nn.")) return true;
    int dot = module.indexOf('.');
    return !SYSTEM_MODULES.contains(dot < 0 ? module : module.substring(0, dot));
  }

  private Object call(Callable callable, Object[] args) {
    switch (callable) {
      case ORDERED_DICT -> {
        if (args.length != 0) throw fail("collections.OrderedDict called with arguments");
        return new LinkedHashMap<Object, Object>();
      }
      case REBUILD_TENSOR_V2 -> {
        return rebuildTensor(args);
      }
      case REBUILD_PARAMETER -> {
        // _rebuild_parameter(data, requires_grad, backward_hooks): a parameter is its tensor
        if (args.length != 3 || !(args[0] instanceof TensorRef t) || !(args[1] instanceof Boolean)
            || !(args[2] instanceof Map<?, ?> hooks) || !hooks.isEmpty()) {
          throw fail("_rebuild_parameter needs (tensor, requires_grad, empty hooks), got a tuple of " + args.length);
        }
        return t;
      }
      case SET -> {
        java.util.Set<Object> set = new java.util.LinkedHashSet<>();
        if (args.length == 1 && args[0] instanceof List<?> items) return addAll(set, items);
        else if (args.length != 0) throw fail("set needs one list of items, got a tuple of " + args.length);
        return set;
      }
      case DEVICE -> {
        // torch.device('cuda', 0) pickles as REDUCE(torch.device, (type, index)): kept as its name, nothing called
        if (args.length >= 1 && args.length <= 2 && args[0] instanceof String type && type.matches("[a-z]{1,16}")
            && (args.length == 1 || args[1] == null || args[1] instanceof Integer || args[1] instanceof Long)) {
          return new Device(type, args.length == 2 && args[1] != null ? ((Number) args[1]).longValue() : -1);
        }
        throw fail("torch.device needs (type) or (type, index), got a tuple of " + args.length);
      }
      case NUMPY_DTYPE -> {
        // numpy.dtype('f8', False, True): kept as its type string
        if (args.length == 3 && args[0] instanceof String type && type.length() <= 16 && args[1] instanceof Boolean
            && args[2] instanceof Boolean) {
          return new NumpyDType(type);
        }
        throw fail("numpy.dtype needs (type, align, copy), got a tuple of " + args.length);
      }
      case NUMPY_SCALAR -> {
        // numpy.core.multiarray.scalar(dtype, bytes): a numpy scalar, not decoded
        if (args.length >= 1 && args.length <= 2 && args[0] instanceof NumpyDType d) {
          return new NumpyValue("a numpy " + d.type() + " scalar");
        }
        throw fail("numpy scalar needs (dtype, bytes), got a tuple of " + args.length);
      }
      case NUMPY_RECONSTRUCT -> {
        // numpy.core.multiarray._reconstruct(ndarray, (0,), b'b'): an empty array that BUILD fills: not decoded
        if (args.length == 3 && args[0] == NumpyClass.NDARRAY) return new NumpyValue("a numpy array");
        throw fail("numpy _reconstruct needs (numpy.ndarray, shape, dtype), got a tuple of " + args.length);
      }
      case CODECS_ENCODE -> {
        // _codecs.encode(text, 'latin1'): how protocol 2 writes bytes (numpy's raw data)
        if (args.length == 2 && args[0] instanceof String text && ("latin1".equals(args[1])
            || "latin-1".equals(args[1]))) {
          return text.getBytes(StandardCharsets.ISO_8859_1);
        }
        throw fail("_codecs.encode needs (text, 'latin1'), got a tuple of " + args.length);
      }
      case DEFAULT_DICT -> {
        // collections.defaultdict(factory): a dict (SETITEMS fills it); the factory is never called
        if (args.length == 1 && (args[0] == null || args[0] instanceof BuiltinType)) {
          return new LinkedHashMap<Object, Object>();
        }
        throw fail("collections.defaultdict needs (a built-in type or None), got a tuple of " + args.length);
      }
      case GETATTR -> {
        // getattr(object, name): how protocol 2 writes a bound method; kept as a record, nothing is looked up
        if (args.length == 2 && args[0] instanceof ObjectStub o && args[1] instanceof String n
            && n.matches("[A-Za-z_][A-Za-z0-9_]{0,63}")) {
          return new BoundMethod(o.type, n);
        }
        throw fail("getattr needs (an object, an attribute name), got a tuple of " + args.length);
      }
      default -> throw new AssertionError(callable);
    }
  }

  /**
   * torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[,
   * metadata]): a strided view, checked to lie inside the storage.
   */
  private TensorRef rebuildTensor(Object[] args) {
    if (args.length < 6 || args.length > 7) {
      throw fail("_rebuild_tensor_v2 needs 6 or 7 arguments, got " + args.length);
    }
    if (!(args[0] instanceof StorageRef storage)) {
      throw fail("_rebuild_tensor_v2: expected a storage, got " + describe(args[0]));
    }
    long offset = toLong(args[1], "storage offset");
    if (!(args[2] instanceof Object[] sizeTuple)) {
      throw fail("_rebuild_tensor_v2: size must be a tuple, got " + describe(args[2]));
    }
    if (!(args[3] instanceof Object[] strideTuple)) {
      throw fail("_rebuild_tensor_v2: stride must be a tuple, got " + describe(args[3]));
    }
    if (sizeTuple.length != strideTuple.length) {
      throw fail("_rebuild_tensor_v2: size has " + sizeTuple.length + " entries but stride " + strideTuple.length);
    }
    if (!(args[5] instanceof Map<?, ?> hooks) || !hooks.isEmpty()) {
      throw fail("_rebuild_tensor_v2: backward hooks must be an empty dict, got " + describe(args[5]));
    }
    if (args.length == 7 && args[6] != null && !(args[6] instanceof Map<?, ?> m && m.isEmpty())) {
      throw fail("_rebuild_tensor_v2: tensor metadata is not supported, got " + describe(args[6]));
    }
    int[] size = new int[sizeTuple.length];
    long[] stride = new long[strideTuple.length];
    long numel = 1;
    long last = offset; // largest storage index used
    for (int i = 0; i < size.length; i++) {
      long s = toLong(sizeTuple[i], "size");
      stride[i] = toLong(strideTuple[i], "stride");
      if (s > Integer.MAX_VALUE) throw fail("_rebuild_tensor_v2: dimension " + s + " too large");
      size[i] = (int) s;
      numel = Math.multiplyExact(numel, s);
    }
    if (numel > Integer.MAX_VALUE - 16) throw fail("tensor with " + numel + " elements is too large");
    if (numel > 0) {
      for (int i = 0; i < size.length; i++) last = Math.addExact(last, Math.multiplyExact(size[i] - 1L, stride[i]));
      if (last >= storage.numel()) {
        throw new ImportException(source + ": storage " + storage.key() + " is too short: it has " + storage.numel()
            + " elements, but offset " + offset + ", size " + java.util.Arrays.toString(size) + " and stride "
            + java.util.Arrays.toString(stride) + " reach element " + last);
      }
    }
    return new TensorRef(storage, offset, size, stride);
  }

  private long toLong(Object o, String what) {
    if (o instanceof Integer || o instanceof Long) {
      long v = ((Number) o).longValue();
      if (v >= 0) return v;
    }
    if (o instanceof BigInteger) throw fail(what + " out of range: " + o);
    throw fail(what + " must be a non-negative integer, got " + describe(o));
  }

  private byte[] readSized(int lengthBytes) throws IOException {
    byte[] header = PickleUtils.readbytes(input, lengthBytes);
    long length = lengthBytes == 4 ? PickleUtils.bytes_to_integer(header) : PickleUtils.bytes_to_long(header, 0);
    if (length < 0 || length > in.available()) {
      throw fail("length " + length + " exceeds the " + in.available() + " bytes left in the pickle");
    }
    return PickleUtils.readbytes(input, (int) length);
  }

  @SuppressWarnings("unchecked")
  private Map<Object, Object> asDict(Object o) {
    if (o instanceof LinkedHashMap<?, ?> m) return (Map<Object, Object>) m;
    if (o instanceof ObjectStub stub) return stub.items;
    throw fail("SETITEM(S) on " + describe(o) + ", which is not a dict");
  }

  private Map<Object, Object> putAll(Map<Object, Object> map, List<Object> items) {
    if (items.size() % 2 != 0) throw fail("dict items of odd length " + items.size());
    for (int i = 0; i < items.size(); i += 2) map.put(checkKey(items.get(i)), items.get(i + 1));
    return map;
  }

  /** Adds the items to a set (each checked as a dict key is) and returns the set. */
  private java.util.Set<Object> addAll(java.util.Set<Object> set, List<?> items) {
    for (Object o : items) set.add(checkKey(o));
    return set;
  }

  /**
   * Dict keys are strings or numbers, or tensors (an optimizer object's state is keyed by its parameters): hashing
   * anything else (a list holding itself) could recurse without end.
   */
  private Object checkKey(Object key) {
    if (key instanceof String || key instanceof Integer || key instanceof Long || key instanceof BigInteger
        || key instanceof Double || key instanceof Boolean || key == null) {
      return key;
    }
    // an optimizer object's state (a defaultdict) is keyed by its parameters: a tensor's record hashes by identity
    if (key instanceof TensorRef) return key;
    throw fail("dict key " + describe(key) + " is not a string or a number");
  }

  private ImportException fail(String what) {
    return new ImportException(source + ": malformed pickle: " + what);
  }

  static String describe(Object o) {
    if (o == null) return "None";
    if (o instanceof String s) return "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
    if (o instanceof Number || o instanceof Boolean) return o.toString();
    if (o instanceof Object[] t) return "a tuple of " + t.length;
    if (o instanceof Map<?, ?> m) return "a dict of " + m.size();
    if (o instanceof List<?> l) return "a list of " + l.size();
    if (o instanceof NumpyValue n) return n.what();
    if (o instanceof NumpyDType d) return "a numpy dtype " + d.type();
    return "a " + o.getClass().getSimpleName();
  }
}
