package dev.ticketproof.io;

import dev.ticketproof.io.RestrictedUnpickler.ObjectStub;
import dev.ticketproof.io.RestrictedUnpickler.StorageRef;
import dev.ticketproof.io.RestrictedUnpickler.StorageType;
import dev.ticketproof.io.RestrictedUnpickler.TensorRef;
import dev.ticketproof.limits.Budget;
import dev.ticketproof.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads the tensors of a file written by {@code torch.save(state_dict)}: the zip format (PyTorch 1.6 and later:
 * {@code NAME/data.pkl} and one entry {@code NAME/data/KEY} per storage) and the legacy format
 * ({@code _use_new_zipfile_serialization=False}: magic number, protocol, system info, the pickle, the storage keys,
 * then each storage as an int64 element count and its raw bytes). The pickle is read by
 * {@link RestrictedUnpickler}, which executes nothing from the file.
 *
 * <p>Every tensor is a strided view (offset, size, stride) of a storage; the reader checks that the view lies
 * inside the storage, that each storage has exactly the bytes its persistent id announces, and (zip format) each
 * entry's CRC-32, then gathers the view into a dense C-order {@link Tensor}. Every declared size (zip entry,
 * storage, tensor) is claimed from a {@link Budget} before anything is allocated for it; a zip entry is inflated
 * only up to the size it declares. Non-tensor values of the dict are
 * listed as skipped; nested dicts are flattened with {@code .}-joined keys. A file may also hold one tensor alone
 * (named {@link #LONE_TENSOR}) or a list or tuple at the top (its items named by index, {@code 0}, {@code 1}, ...).
 */
public final class TorchReader {
  private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
  private static final int LEGACY_PROTOCOL = 1001;
  private static final int MAX_DEPTH = 8;

  /** The name of the tensor of a file that holds one tensor alone ({@code torch.save(tensor)}). */
  public static final String LONE_TENSOR = "tensor";
  /** Deepest module nesting read from a whole model (a ResNet's is 4). */
  private static final int MAX_MODULE_DEPTH = 64;

  private TorchReader() {}

  /**
   * Reads a {@code .pt} file in zip or legacy format.
   *
   * @throws ImportException naming the file and what was expected when it is not a readable PyTorch state dict
   */
  public static TensorFile read(Path path) { return read(path, TensorFiles.budget(path)); }

  static TensorFile read(Path path, Budget budget) {
    byte[] head = TensorFiles.head(path, 4);
    if (head.length >= 4 && head[0] == 'P' && head[1] == 'K') return readZip(path, budget);
    if (head.length >= 1 && (head[0] & 0xff) == 0x80) return readLegacy(path, budget);
    throw new ImportException(path + ": not a zip archive nor a legacy PyTorch file (expected a file written by "
        + "torch.save, a .safetensors, .npy or .npz file; the first bytes are " + TensorFiles.hex(head) + ")");
  }

  static TensorFile readZip(Path path, Budget budget) {
    String source = path.toString();
    long fileSize = TensorFiles.size(path);
    try (ZipFile zip = new ZipFile(path.toFile())) {
      ZipEntry pklEntry = null;
      List<String> pklNames = new ArrayList<>();
      for (var e = zip.entries(); e.hasMoreElements();) {
        ZipEntry entry = e.nextElement();
        String name = entry.getName();
        int slash = name.indexOf('/');
        if (slash > 0 && name.indexOf('/', slash + 1) < 0 && name.endsWith("/data.pkl")) {
          pklEntry = entry;
          pklNames.add(name);
        }
      }
      if (pklNames.isEmpty() && zip.getEntry("header.json") != null && zip.getEntry("mask.bin") != null) {
        throw new ImportException(source + ": a ticket (a TicketProof certificate: header.json, mask.bin), not a "
            + "network's tensors nor data: the commands verify, export and eval read it as a ticket, beside its "
            + "target");
      }
      if (pklNames.size() != 1) {
        throw new ImportException(source + ": " + (pklNames.isEmpty() ? "no data.pkl entry in the zip archive"
            : "several data.pkl entries " + pklNames) + " (expected a file written by torch.save, with one "
            + "ARCHIVE/data.pkl)");
      }
      String prefix = pklEntry.getName().substring(0, pklEntry.getName().length() - "data.pkl".length());
      if (zip.getEntry(prefix + "constants.pkl") != null || hasEntryUnder(zip, prefix + "code/")) {
        throw new ImportException(source + ": a TorchScript archive (torch.jit.save; it holds " + prefix
            + "code/ and " + prefix + "constants.pkl), whose forward pass is TorchScript code, which is never run "
            + "here: save the weights in PyTorch, torch.save(torch.jit.load('" + path.getFileName()
            + "').state_dict(), 'state_dict.pt'), "
            + "and describe the network with a preset or a JSON spec (docs/arch-spec.md), or save the original "
            + "model with torch.save(model) (an nn.Sequential needs no spec)");
      }
      ByteOrder order = ByteOrder.LITTLE_ENDIAN;
      ZipEntry byteorder = zip.getEntry(prefix + "byteorder");
      if (byteorder != null) {
        String bo = new String(readEntry(zip, byteorder, source, fileSize, budget), StandardCharsets.US_ASCII)
            .trim();
        if (bo.equals("big")) order = ByteOrder.BIG_ENDIAN;
        else if (!bo.equals("little")) throw new ImportException(source + ": byteorder entry says '" + bo
            + "', expected 'little' or 'big'");
      }
      byte[] pkl = readEntry(zip, pklEntry, source, fileSize, budget);
      Map<String, StorageRef> storages = new HashMap<>();
      Object root = new RestrictedUnpickler(source, new ByteArrayInputStream(pkl),
          pid -> storageRef(source, pid, 5, storages, budget)).loadOne();
      Map<String, double[]> decoded = new HashMap<>();
      for (StorageRef ref : storages.values()) {
        ZipEntry entry = zip.getEntry(prefix + "data/" + ref.key());
        if (entry == null) {
          throw new ImportException(source + ": storage entry " + prefix + "data/" + ref.key() + " is missing");
        }
        byte[] bytes = readEntry(zip, entry, source, fileSize, budget);
        decoded.put(ref.key(), decodeStorage(source, ref, bytes, order, entry.getName()));
      }
      return collect(source, root, decoded, budget);
    } catch (ImportException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new ImportException(source + ": not a readable zip archive, truncated or corrupt ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
    }
  }

  private static boolean hasEntryUnder(ZipFile zip, String dir) {
    for (var e = zip.entries(); e.hasMoreElements();) if (e.nextElement().getName().startsWith(dir)) return true;
    return false;
  }

  static TensorFile readLegacy(Path path, Budget budget) {
    String source = path.toString();
    byte[] all = TensorFiles.readAll(path, budget);
    ByteArrayInputStream in = new ByteArrayInputStream(all);
    Object magic = plain(source, in);
    if (!(magic instanceof BigInteger b && b.equals(LEGACY_MAGIC))) {
      throw new ImportException(source + ": not a PyTorch file (a pickle, but without the legacy torch.save magic "
          + "number)");
    }
    Object protocol = plain(source, in);
    if (!(protocol instanceof Integer p && p == LEGACY_PROTOCOL)) {
      throw new ImportException(source + ": legacy PyTorch protocol " + RestrictedUnpickler.describe(protocol)
          + " is not supported (expected " + LEGACY_PROTOCOL + ")");
    }
    Object sysInfo = plain(source, in);
    ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    if (sysInfo instanceof Map<?, ?> info) {
      if (Boolean.FALSE.equals(info.get("little_endian"))) order = ByteOrder.BIG_ENDIAN;
    } else {
      throw new ImportException(source + ": legacy PyTorch header has no system info dict");
    }
    Map<String, StorageRef> storages = new HashMap<>();
    Object root = new RestrictedUnpickler(source, in, pid -> storageRef(source, pid, 6, storages, budget))
        .loadOne();
    Object keys = plain(source, in);
    if (!(keys instanceof List<?> keyList)) {
      throw new ImportException(source + ": legacy PyTorch file without the list of storage keys");
    }
    ByteBuffer rest = ByteBuffer.wrap(all, all.length - in.available(), in.available()).slice();
    rest.order(ByteOrder.LITTLE_ENDIAN);
    Map<String, double[]> decoded = new HashMap<>();
    for (Object k : keyList) {
      StorageRef ref = k instanceof String s ? storages.get(s) : null;
      if (ref == null) {
        throw new ImportException(source + ": storage key " + RestrictedUnpickler.describe(k)
            + " is not used by any tensor");
      }
      if (rest.remaining() < 8) {
        throw new ImportException(source + ": storage " + ref.key() + " is missing (file truncated)");
      }
      long numel = order == ByteOrder.LITTLE_ENDIAN ? rest.getLong() : Long.reverseBytes(rest.getLong());
      if (numel != ref.numel()) {
        throw new ImportException(source + ": storage " + ref.key() + " has " + numel + " elements, its "
            + "persistent id says " + ref.numel());
      }
      long bytes = numel * ref.dtype().elementSize();
      if (bytes > rest.remaining()) {
        throw new ImportException(source + ": storage " + ref.key() + " is too short: " + rest.remaining()
            + " bytes left, " + bytes + " needed (file truncated?)");
      }
      budget.reserve(bytes, "storage " + ref.key());
      byte[] data = new byte[(int) bytes];
      rest.get(data);
      decoded.put(ref.key(), decodeStorage(source, ref, data, order, "storage " + ref.key()));
    }
    for (String key : storages.keySet()) {
      if (!decoded.containsKey(key)) throw new ImportException(source + ": storage " + key + " has no data");
    }
    return collect(source, root, decoded, budget);
  }

  private static Object plain(String source, ByteArrayInputStream in) {
    return new RestrictedUnpickler(source, in, pid -> {
      throw new ImportException(source + ": unexpected persistent id in the legacy header");
    }).loadOne();
  }

  /** ('storage', type, key, location, numel) and, legacy format, a sixth entry view_metadata (must be None). */
  private static StorageRef storageRef(String source, Object[] pid, int arity, Map<String, StorageRef> seen,
      Budget budget) {
    if (pid.length != arity || !"storage".equals(pid[0]) || !(pid[1] instanceof StorageType type)
        || !(pid[2] instanceof String key) || !(pid[3] instanceof String)
        || !(pid[4] instanceof Integer || pid[4] instanceof Long) || (arity == 6 && pid[5] != null)) {
      throw new ImportException(source + ": malformed storage reference (expected ('storage', torch.XStorage, key, "
          + "location, numel" + (arity == 6 ? ", None" : "") + "), got a tuple of " + pid.length + ")");
    }
    long numel = ((Number) pid[4]).longValue();
    if (numel < 0) throw new ImportException(source + ": storage " + key + " has an invalid size " + numel);
    if (numel > (Integer.MAX_VALUE - 16) / type.dtype().elementSize()) {
      throw new ImportException(source + ": storage " + key + " declares " + numel + " " + type.dtype().label()
          + " elements, more than one array can hold (at most " + (Integer.MAX_VALUE - 16)
          / type.dtype().elementSize() + ")");
    }
    StorageRef ref = new StorageRef(type.dtype(), key, numel);
    StorageRef old = seen.putIfAbsent(key, ref);
    if (old == null) {
      budget.reserve(Budget.bytes(numel, Double.BYTES), "storage " + key + " (" + numel + " "
          + type.dtype().label() + " elements, held as float64)");
    }
    if (old != null && !old.equals(ref)) {
      throw new ImportException(source + ": storage " + key + " is referenced as " + old.dtype().label() + "["
          + old.numel() + "] and as " + ref.dtype().label() + "[" + ref.numel() + "]");
    }
    return ref;
  }

  private static double[] decodeStorage(String source, StorageRef ref, byte[] bytes, ByteOrder order, String where) {
    long expected = ref.numel() * ref.dtype().elementSize();
    if (bytes.length != expected) {
      throw new ImportException(source + ": " + where + " has " + bytes.length + " bytes, but its storage "
          + "reference announces " + ref.numel() + " " + ref.dtype().label() + " elements (" + expected
          + " bytes)" + (bytes.length < expected ? ": storage too short" : ""));
    }
    return ref.dtype().decode(ByteBuffer.wrap(bytes).order(order), 0, (int) ref.numel());
  }

  /**
   * Reads a whole zip entry and checks its CRC-32. Its declared size is claimed from the budget first; the entry
   * is inflated only up to that size (one byte more is an error), so a header that understates the size cannot
   * make it inflate further.
   */
  static byte[] readEntry(ZipFile zip, ZipEntry entry, String source, long fileSize, Budget budget)
      throws IOException {
    long size = entry.getSize();
    long limit = entry.getMethod() == ZipEntry.STORED ? fileSize : Integer.MAX_VALUE - 16;
    if (size < 0 || size > limit) {
      throw new ImportException(source + ": zip entry " + entry.getName() + " declares an impossible size " + size
          + (size > limit ? " (at most " + limit + ")" : ""));
    }
    budget.reserve(size, "zip entry " + entry.getName());
    byte[] bytes;
    try (InputStream in = zip.getInputStream(entry)) {
      bytes = in.readNBytes((int) size);
      if (bytes.length != size || in.read() != -1) {
        throw new ImportException(source + ": zip entry " + entry.getName() + " has not the " + size
            + " bytes it declares (truncated or corrupt)");
      }
    }
    CRC32 crc = new CRC32();
    crc.update(bytes);
    if (entry.getCrc() != -1 && crc.getValue() != entry.getCrc()) {
      throw new ImportException(source + ": zip entry " + entry.getName() + " is corrupt (CRC-32 mismatch)");
    }
    return bytes;
  }

  /** The tuple of tensors of a {@code torch.utils.data.TensorDataset} (its {@code tensors}), else null. */
  private static Object tensorDataset(Object root) {
    if (!(root instanceof ObjectStub o) || !"torch.utils.data.dataset".equals(o.type.module())
        || !"TensorDataset".equals(o.type.name()) || o.state == null) {
      return null;
    }
    Object t = o.state.get("tensors");
    return t instanceof List<?> || t instanceof Object[] ? t : null;
  }

  private static TensorFile collect(String source, Object root, Map<String, double[]> storages, Budget budget) {
    Map<String, StoredTensor> tensors = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    Flattener f = new Flattener(source, storages, tensors, skipped, budget);
    TorchModule model = null;
    String modelPrefix = "";
    if (root instanceof TensorRef t) { // torch.save(tensor): one tensor, named as a lone tensor is
      f.tensor(LONE_TENSOR, t);
    } else if (root instanceof List<?> || root instanceof Object[] || tensorDataset(root) != null) {
      // a list or tuple, or a TensorDataset's tuple of tensors: its items by index
      Object seq = tensorDataset(root) != null ? tensorDataset(root) : root;
      List<?> items = seq instanceof Object[] a ? java.util.Arrays.asList(a) : (List<?>) seq;
      Map<Object, Object> byIndex = new LinkedHashMap<>();
      for (int i = 0; i < items.size(); i++) byIndex.put(i, items.get(i));
      f.dict("", byIndex, 0);
    } else if (root instanceof Map<?, ?> map) {
      f.dict("", map, 0);
    } else if (root instanceof ObjectStub o && isModule(o)) {
      f.models.put("", f.module("", o, 0));
    } else {
      throw new ImportException(source + ": expected a dict of tensors (a state dict), a whole model (an "
          + "nn.Module), a tensor, or a list or tuple of tensors, got "
          + (root instanceof ObjectStub o ? "an object of class " + o.type
          : RestrictedUnpickler.describe(root)));
    }
    Map<String, TorchModule> models = new LinkedHashMap<>();
    for (Map.Entry<String, TorchModule> e : f.models.entrySet()) {
      TorchModule m = e.getValue();
      String p = e.getKey();
      while (isDataParallel(m)) { // the wrapper's forward runs its module: that is the model
        m = m.children().get(0).module();
        p += "module.";
      }
      models.put(p, m);
    }
    if (models.size() == 1) { // a whole model, alone or in a checkpoint dict
      modelPrefix = models.keySet().iterator().next();
      model = models.get(modelPrefix);
    }
    return new TensorFile(source, tensors, skipped, List.of(), model, modelPrefix, models);
  }

  /**
   * Whether a module is PyTorch's {@code nn.DataParallel} or {@code DistributedDataParallel} wrapper around one
   * submodule {@code module} (its device ids and output device are data; at inference it computes its module).
   */
  private static boolean isDataParallel(TorchModule m) {
    return (m.className().equals("torch.nn.parallel.data_parallel.DataParallel")
        || m.className().equals("torch.nn.parallel.distributed.DistributedDataParallel"))
        && m.children().size() == 1 && m.children().get(0).name().equals("module") && m.forwardHooks() == 0;
  }

  /** Whether an object the pickle made is an {@code nn.Module}: its state has the dicts every module has. */
  private static boolean isModule(ObjectStub o) {
    return o.state != null && o.state.get("_parameters") instanceof Map && o.state.get("_buffers") instanceof Map
        && o.state.get("_modules") instanceof Map;
  }

  /**
   * Turns the unpickled values into named tensors: nested dicts (and objects of dict subclasses) flattened with
   * {@code .}-joined keys (integer keys, as in an optimizer's state, by their decimal digits), and modules walked as
   * {@code state_dict()} names them.
   */
  private static final class Flattener {
    /** Most dicts and modules visited (a DAG of shared modules could otherwise be walked exponentially often). */
    static final int MAX_VISITS = 1 << 16;
    final String source;
    final Map<String, double[]> storages;
    final Map<String, StoredTensor> tensors;
    final List<String> skipped;
    final Budget budget;
    final Set<Object> visiting = Collections.newSetFromMap(new IdentityHashMap<>());
    /** The whole models found as dict values, by the prefix of their tensors' names. */
    final Map<String, TorchModule> models = new LinkedHashMap<>();
    int visits;

    Flattener(String source, Map<String, double[]> storages, Map<String, StoredTensor> tensors, List<String> skipped,
        Budget budget) {
      this.source = source;
      this.storages = storages;
      this.tensors = tensors;
      this.skipped = skipped;
      this.budget = budget;
    }

    void enter(Object o, String prefix, int depth, int maxDepth) {
      if (++visits > MAX_VISITS) {
        throw new ImportException(source + ": more than " + MAX_VISITS + " dicts and modules to read (at '" + prefix
            + "')");
      }
      if (depth > maxDepth || !visiting.add(o)) {
        throw new ImportException(source + ": " + (o instanceof ObjectStub ? "modules" : "dicts")
            + " nested too deeply or cyclic at '" + prefix + "'");
      }
    }

    void dict(String prefix, Map<?, ?> map, int depth) {
      enter(map, prefix, depth, MAX_DEPTH);
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String k;
        if (e.getKey() instanceof String s) k = s;
        else if (e.getKey() instanceof Integer || e.getKey() instanceof Long) k = e.getKey().toString();
        else {
          throw new ImportException(source + ": dict key " + RestrictedUnpickler.describe(e.getKey())
              + " is not a string or an integer");
        }
        String name = prefix + k;
        Object v = e.getValue();
        if (v instanceof TensorRef t) tensor(name, t);
        else if (v instanceof Map<?, ?> inner) dict(name + ".", inner, depth + 1);
        else if (v instanceof ObjectStub o && isModule(o)) models.put(name + ".", module(name + ".", o, depth + 1));
        else if (v instanceof ObjectStub o && !o.items.isEmpty()) dict(name + ".", o.items, depth + 1);
        else skipped.add(name);
      }
      visiting.remove(map);
    }

    /**
     * A module's tensors as {@code state_dict()} names them: its {@code _parameters}, its {@code _buffers} but the
     * non-persistent ones, then each submodule of {@code _modules} under its name; {@code None} entries are left out.
     *
     * @return the module's class, plain attributes and submodules
     */
    TorchModule module(String prefix, ObjectStub m, int depth) {
      enter(m, prefix, depth, MAX_MODULE_DEPTH);
      Object nonPersistent = m.state.get("_non_persistent_buffers_set");
      Set<?> skip = nonPersistent instanceof Set<?> set ? set : Set.of();
      for (String part : new String[] {"_parameters", "_buffers"}) {
        for (Map.Entry<?, ?> e : ((Map<?, ?>) m.state.get(part)).entrySet()) {
          if (e.getValue() == null || skip.contains(e.getKey()) && part.equals("_buffers")) continue;
          if (!(e.getKey() instanceof String k && e.getValue() instanceof TensorRef t)) {
            throw new ImportException(source + ": module '" + prefix + "' (" + m.type + ") has a " + part.substring(1)
                .replace("_", "") + " entry " + RestrictedUnpickler.describe(e.getKey()) + " that is not a named "
                + "tensor but " + RestrictedUnpickler.describe(e.getValue()));
          }
          tensor(prefix + k, t);
        }
      }
      List<TorchModule.Child> children = new ArrayList<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) m.state.get("_modules")).entrySet()) {
        if (e.getValue() == null) continue;
        if (!(e.getKey() instanceof String k && e.getValue() instanceof ObjectStub sub && isModule(sub))) {
          throw new ImportException(source + ": module '" + prefix + "' (" + m.type + ") has a submodule entry "
              + RestrictedUnpickler.describe(e.getKey()) + " that is not a named module but "
              + RestrictedUnpickler.describe(e.getValue()));
        }
        children.add(new TorchModule.Child(k, module(prefix + k + ".", sub, depth + 1)));
      }
      visiting.remove(m);
      Map<String, Object> attributes = new LinkedHashMap<>();
      int hooks = 0;
      for (String k : new String[] {"_forward_hooks", "_forward_pre_hooks"}) {
        if (m.state.get(k) instanceof Map<?, ?> h) {
          for (Object hook : h.values()) if (!(k.equals("_forward_pre_hooks") && readAsTensors(m, hook))) hooks++;
        }
      }
      if (m.state.size() <= TorchModule.MAX_ATTRIBUTES) {
        for (Map.Entry<?, ?> e : m.state.entrySet()) {
          Object v = TorchModule.plain(smallTensor(e.getValue()));
          // private attributes are PyTorch's own, but for _stride: RobustBench's DeepMind blocks keep their stride
          // there, which chooses the padding their forward applies
          if (e.getKey() instanceof String k && (!k.startsWith("_") || k.equals("_stride"))
              && v != TorchModule.NOT_PLAIN) {
            attributes.put(k, v);
          }
        }
      }
      return new TorchModule(m.type.toString(), attributes, children, hooks);
    }

    /**
     * Whether a forward pre-hook computes a tensor the reader composes as the hook does: {@code torch.nn.utils.prune}'s
     * ({@code X = X_orig * X_mask}, see {@link Masks}) and {@code torch.nn.utils.weight_norm}'s
     * ({@code X = g v / |v|}, see {@link WeightNorms}) and {@code torch.nn.utils.spectral_norm}'s over dim 0
     * ({@code X = X_orig / (X_u . (X_orig X_v))}, see {@link SpectralNorms}), recognised by the class of the hook
     * object, the tensor name it
     * holds and the module's tensors of that name.
     */
    static boolean readAsTensors(ObjectStub m, Object hook) {
      if (!(hook instanceof ObjectStub h) || h.state == null) return false;
      Map<?, ?> params = m.state.get("_parameters") instanceof Map<?, ?> p ? p : Map.of();
      Map<?, ?> buffers = m.state.get("_buffers") instanceof Map<?, ?> b ? b : Map.of();
      if (h.type.module().equals("torch.nn.utils.prune") && h.state.get("_tensor_name") instanceof String t) {
        return params.get(t + Masks.ORIG) instanceof TensorRef && buffers.get(t + Masks.SUFFIX) instanceof TensorRef;
      }
      if (h.type.module().equals("torch.nn.utils.weight_norm") && h.type.name().equals("WeightNorm")
          && h.state.get("name") instanceof String t) {
        return params.get(t + WeightNorms.G) instanceof TensorRef && params.get(t + WeightNorms.V) instanceof TensorRef
            && !params.containsKey(t);
      }
      if (h.type.module().equals("torch.nn.utils.spectral_norm") && h.type.name().equals("SpectralNorm")
          && h.state.get("name") instanceof String t && h.state.get("dim") instanceof Number dim
          && dim.longValue() == 0) {
        return params.get(t + SpectralNorms.ORIG) instanceof TensorRef && buffers.get(t + SpectralNorms.U)
            instanceof TensorRef && buffers.get(t + SpectralNorms.V) instanceof TensorRef && !params.containsKey(t);
      }
      return false;
    }

    /**
     * A tensor among a module's plain attributes (not a parameter nor a buffer: torchvision's {@code Normalize} given
     * {@code mean=torch.tensor([...])} keeps it so) as the list of its values in C order when it has at most
     * {@value TorchModule#MAX_TUPLE} (its view was checked against its storage when it was built); any other value
     * as it is (a larger tensor is then not plain, and not kept).
     */
    Object smallTensor(Object v) {
      if (!(v instanceof TensorRef t) || Budget.values(t.size()) > TorchModule.MAX_TUPLE) return v;
      double[] storage = storages.get(t.storage().key());
      if (storage == null) return v;
      List<Double> values = new ArrayList<>();
      for (double d : gather(t, storage).data()) values.add(d);
      return values;
    }

    void tensor(String name, TensorRef t) {
      if (tensors.containsKey(name)) throw new ImportException(source + ": tensor name '" + name + "' twice");
      budget.reserve(Budget.bytes(Budget.values(t.size()), Double.BYTES), "tensor '" + name + "' (shape "
          + java.util.Arrays.toString(t.size()) + ", a view of storage " + t.storage().key() + ", held as float64)");
      tensors.put(name, new StoredTensor(name, gather(t, storages.get(t.storage().key())), t.storage().dtype()));
    }
  }

  /** The dense C-order copy of a strided view (bounds were checked when the view was built). */
  static Tensor gather(TensorRef t, double[] storage) {
    int[] size = t.size();
    long n = 1;
    for (int s : size) n *= s;
    double[] out = new double[(int) n];
    if (n == 0) return new Tensor(size.clone(), out);
    int rank = size.length;
    boolean contiguous = true;
    long expect = 1;
    for (int d = rank - 1; d >= 0; d--) {
      if (size[d] != 1 && t.stride()[d] != expect) contiguous = false;
      expect *= size[d];
    }
    if (contiguous) {
      System.arraycopy(storage, (int) t.offset(), out, 0, out.length);
      return new Tensor(size.clone(), out);
    }
    int[] index = new int[rank];
    long pos = t.offset();
    for (int i = 0; i < out.length; i++) {
      out[i] = storage[(int) pos];
      for (int d = rank - 1; d >= 0; d--) {
        index[d]++;
        pos += t.stride()[d];
        if (index[d] < size[d]) break;
        pos -= (long) index[d] * t.stride()[d];
        index[d] = 0;
      }
    }
    return new Tensor(size.clone(), out);
  }
}
