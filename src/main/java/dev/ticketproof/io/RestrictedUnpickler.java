package dev.ticketproof.io;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * Pyrolite's unpickler restricted to what {@code torch.save(state_dict)} writes. Globals are resolved by this
 * instance alone (Pyrolite's JVM-wide constructor registry is never consulted nor changed): the only names accepted
 * are {@code torch._utils._rebuild_tensor_v2}, the storage types of {@link DType} and
 * {@code collections.OrderedDict}. Any other global is rejected with a message naming it, before anything could be
 * called. The opcodes that instantiate classes ({@code INST}, {@code OBJ}, {@code NEWOBJ}, {@code NEWOBJ_EX}),
 * extension codes, sets and out-of-band buffers are rejected; {@code BUILD} is accepted only to attach attributes
 * (the {@code _metadata} of a state dict) to a dict, and is ignored. Dict keys must be strings or numbers (hashing
 * a list that holds itself would recurse without end). Dicts keep their insertion order. Lengths read from the
 * stream are checked against the bytes left before anything is allocated.
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
    StorageRef load(Object[] pid);
  }

  /** A storage type named in the pickle ({@code torch.FloatStorage}); data, not callable. */
  record StorageType(DType dtype) {}

  /** The callables the pickle may use. */
  private enum Callable { REBUILD_TENSOR_V2, ORDERED_DICT }

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
        if (!(callable instanceof Callable c)) {
          throw fail("REDUCE on " + describe(callable) + ", which is not callable");
        }
        if (!(args instanceof Object[] a)) throw fail("REDUCE needs an argument tuple, got " + describe(args));
        stack.add(call(c, a));
      }
      case Opcodes.BUILD -> {
        Object state = stack.pop();
        Object target = stack.peek();
        if (!(target instanceof Map && (state instanceof Map || state == null))) {
          throw fail("BUILD (setting object state) is accepted only for dict attributes, got "
              + describe(state) + " on " + describe(target));
        }
      }
      case Opcodes.BINPERSID -> {
        Object pid = stack.pop();
        if (!(pid instanceof Object[] tuple)) throw fail("persistent id must be a tuple, got " + describe(pid));
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
      case Opcodes.BINSTRING -> stack.add(PickleUtils.rawStringFromBytes(readSized(4)));
      case Opcodes.BINBYTES -> stack.add(readSized(4));
      case Opcodes.BINBYTES8 -> stack.add(readSized(8));
      case Opcodes.BINUNICODE -> stack.add(new String(readSized(4), StandardCharsets.UTF_8));
      case Opcodes.BINUNICODE8 -> stack.add(new String(readSized(8), StandardCharsets.UTF_8));
      case Opcodes.LONG4 -> stack.add(PickleUtils.decode_long(readSized(4)));
      case Opcodes.INST, Opcodes.OBJ, Opcodes.NEWOBJ, Opcodes.NEWOBJ_EX, Opcodes.EXT1, Opcodes.EXT2, Opcodes.EXT4,
          Opcodes.PERSID, Opcodes.BYTEARRAY8, Opcodes.NEXT_BUFFER, Opcodes.READONLY_BUFFER, Opcodes.EMPTY_SET,
          Opcodes.FROZENSET, Opcodes.ADDITEMS ->
          throw fail("pickle opcode 0x" + Integer.toHexString(key) + " is not accepted: a state dict needs only "
              + "tensors and dicts, nothing is instantiated");
      default -> {
        return super.dispatch(key);
      }
    }
    return NO_RETURN_VALUE;
  }

  private Object resolveGlobal(String module, String name) {
    if ("torch._utils".equals(module) && "_rebuild_tensor_v2".equals(name)) return Callable.REBUILD_TENSOR_V2;
    if ("collections".equals(module) && "OrderedDict".equals(name)) return Callable.ORDERED_DICT;
    if ("torch".equals(module) && name.endsWith("Storage")) {
      return new StorageType(DType.ofTorchStorage(name).orElseThrow(() -> new ImportException(source
          + ": unknown storage type torch." + name + " (supported: " + DType.torchStorages() + ")")));
    }
    throw new ImportException(source + ": forbidden global '" + module + "." + name + "' in the pickle; only "
        + "torch._utils._rebuild_tensor_v2, collections.OrderedDict and the storage types " + DType.torchStorages()
        + " are accepted (nothing from the file is executed)");
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
    throw fail("SETITEM(S) on " + describe(o) + ", which is not a dict");
  }

  private Map<Object, Object> putAll(Map<Object, Object> map, List<Object> items) {
    if (items.size() % 2 != 0) throw fail("dict items of odd length " + items.size());
    for (int i = 0; i < items.size(); i += 2) map.put(checkKey(items.get(i)), items.get(i + 1));
    return map;
  }

  /** Dict keys are strings or numbers: hashing anything else (a list holding itself) could recurse without end. */
  private Object checkKey(Object key) {
    if (key instanceof String || key instanceof Integer || key instanceof Long || key instanceof BigInteger
        || key instanceof Double || key instanceof Boolean || key == null) {
      return key;
    }
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
    return "a " + o.getClass().getSimpleName();
  }
}
