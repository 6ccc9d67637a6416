package dev.ticketproof.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.ticketproof.limits.Budget;
import dev.ticketproof.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads a {@code .safetensors} file (Hugging Face's format, written by {@code safetensors.torch.save_file}): an
 * 8-byte little-endian header length N, N bytes of a JSON object (UTF-8) giving each tensor's {@code dtype},
 * {@code shape} and {@code data_offsets} {@code [begin, end)} into the data that follows, and an optional
 * {@code __metadata__} object of strings, then the tensors' raw little-endian bytes in C order. As the format's
 * own reader does, the tensors must cover the data exactly, without gaps or overlaps; a header longer than the
 * file, offsets out of range, a byte count that differs from the shape's, and an unknown dtype are errors naming the
 * file and the tensor. The JSON is read strictly ({@link StrictJson}: a duplicate name is an error).
 */
final class Safetensors {
  /** The format's own limit on the header (100 MB). */
  static final long MAX_HEADER = 100_000_000L;

  private static final Map<String, DType> DTYPES = new LinkedHashMap<>();

  static {
    DTYPES.put("F64", DType.FLOAT64);
    DTYPES.put("F32", DType.FLOAT32);
    DTYPES.put("F16", DType.FLOAT16);
    DTYPES.put("BF16", DType.BFLOAT16);
    DTYPES.put("I64", DType.INT64);
    DTYPES.put("I32", DType.INT32);
    DTYPES.put("I16", DType.INT16);
    DTYPES.put("I8", DType.INT8);
    DTYPES.put("U8", DType.UINT8);
    DTYPES.put("BOOL", DType.BOOL);
  }

  private Safetensors() {}

  /**
   * Whether the first bytes look like a safetensors file: a header length in [2, {@link #MAX_HEADER}], then
   * <code>{</code> (no other format read here starts so).
   *
   * @param head the first 9 bytes (or fewer, for a short file)
   */
  static boolean looksLike(byte[] head) {
    if (head.length < 9 || head[8] != '{') return false;
    long n = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    return n >= 2 && n <= MAX_HEADER;
  }

  static TensorFile read(Path path, Budget budget) {
    return read(path.toString(), TensorFiles.readAll(path, budget), budget);
  }

  /**
   * Reads the tensors of a whole safetensors file's bytes.
   *
   * @throws ImportException naming {@code source} (and the tensor) when the file is not well formed
   */
  static TensorFile read(String source, byte[] bytes, Budget budget) {
    if (bytes.length < 8) throw new ImportException(source + ": truncated safetensors file (" + bytes.length
        + " bytes, less than the 8-byte header length)");
    long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (n < 2 || n > MAX_HEADER) {
      throw new ImportException(source + ": safetensors header length " + Long.toUnsignedString(n) + " is not in [2, "
          + MAX_HEADER + "]");
    }
    if (n > bytes.length - 8) {
      throw new ImportException(source + ": safetensors header announces " + n + " bytes, but only "
          + (bytes.length - 8) + " follow the length (file truncated?)");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 8, (int) n)).toString();
    } catch (CharacterCodingException e) {
      throw new ImportException(source + ": safetensors header is not UTF-8", e);
    }
    JsonElement root;
    try {
      root = StrictJson.parse(text.stripTrailing());
    } catch (IllegalArgumentException e) {
      throw new ImportException(source + ": safetensors header: " + e.getMessage(), e);
    }
    if (!(root instanceof JsonObject header)) {
      throw new ImportException(source + ": safetensors header is not a JSON object");
    }
    long dataStart = 8 + n;
    long dataLength = bytes.length - dataStart;
    Map<String, Entry> byName = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    for (Map.Entry<String, JsonElement> e : header.entrySet()) {
      if (e.getKey().equals("__metadata__")) {
        if (!(e.getValue() instanceof JsonObject meta)
            || !meta.entrySet().stream().allMatch(m -> m.getValue() instanceof JsonPrimitive p && p.isString())) {
          throw new ImportException(source + ": safetensors __metadata__ must be an object of strings");
        }
        meta.keySet().forEach(k -> skipped.add("__metadata__." + k));
        continue;
      }
      byName.put(e.getKey(), entry(source, e.getKey(), e.getValue(), dataLength));
    }
    List<Entry> entries = new ArrayList<>(byName.values());
    // the tensors cover the data exactly: sorted by offset, each begins where the previous one ends
    entries.sort(Comparator.comparingLong(Entry::begin));
    long at = 0;
    for (Entry e : entries) {
      if (e.begin() != at) {
        throw new ImportException(source + ": tensor '" + e.name() + "': data_offsets [" + e.begin() + ", " + e.end()
            + "] " + (e.begin() < at ? "overlap the tensor before it (which ends at " + at + ")"
            : "leave bytes " + at + " to " + e.begin() + " of the data unused") + " (the tensors must cover the "
            + "data exactly)");
      }
      at = e.end();
    }
    if (at != dataLength) {
      throw new ImportException(source + ": the tensors cover " + at + " bytes of data, but " + dataLength
          + " follow the header (the tensors must cover the data exactly)");
    }
    Map<String, StoredTensor> tensors = new LinkedHashMap<>();
    for (Entry e : byName.values()) {
      budget.reserve(Budget.bytes(e.numel(), Double.BYTES), "tensor " + e.name() + " (shape "
          + Arrays.toString(e.shape()) + ", held as float64)");
      ByteBuffer data = ByteBuffer.wrap(bytes, (int) (dataStart + e.begin()), (int) (e.end() - e.begin())).slice()
          .order(ByteOrder.LITTLE_ENDIAN);
      tensors.put(e.name(), new StoredTensor(e.name(), new Tensor(e.shape(), e.dtype().decode(data, 0,
          (int) e.numel())), e.dtype()));
    }
    return new TensorFile(source, tensors, skipped, List.of());
  }

  private record Entry(String name, DType dtype, int[] shape, long numel, long begin, long end) {}

  private static Entry entry(String source, String name, JsonElement value, long dataLength) {
    String where = source + ": tensor '" + name + "'";
    if (!(value instanceof JsonObject o)) throw new ImportException(where + ": expected an object with dtype, "
        + "shape and data_offsets, got " + value);
    Set<String> keys = o.keySet();
    if (!keys.equals(Set.of("dtype", "shape", "data_offsets"))) {
      throw new ImportException(where + ": expected the keys dtype, shape and data_offsets, got "
          + String.join(", ", keys));
    }
    DType dtype = o.get("dtype") instanceof JsonPrimitive p && p.isString() ? DTYPES.get(p.getAsString()) : null;
    if (dtype == null) {
      throw new ImportException(where + ": unsupported dtype " + o.get("dtype") + " (supported: "
          + DTYPES.entrySet().stream().map(d -> d.getKey() + " (" + d.getValue().label() + ")")
          .collect(Collectors.joining(", ")) + ")");
    }
    if (!(o.get("shape") instanceof JsonArray shapeArray)) {
      throw new ImportException(where + ": shape must be an array of integers, got " + o.get("shape"));
    }
    int[] shape = new int[shapeArray.size()];
    long numel = 1;
    try {
      for (int i = 0; i < shape.length; i++) {
        shape[i] = (int) StrictJson.integer(shapeArray.get(i), "shape[" + i + "]", 0, Integer.MAX_VALUE);
        numel = Budget.bytes(numel, shape[i]);
      }
    } catch (IllegalArgumentException e) {
      throw new ImportException(where + ": " + e.getMessage(), e);
    }
    if (!(o.get("data_offsets") instanceof JsonArray offsets) || offsets.size() != 2) {
      throw new ImportException(where + ": data_offsets must be [begin, end], got " + o.get("data_offsets"));
    }
    long begin;
    long end;
    try {
      begin = StrictJson.integer(offsets.get(0), "data_offsets[0]", 0, Long.MAX_VALUE);
      end = StrictJson.integer(offsets.get(1), "data_offsets[1]", 0, Long.MAX_VALUE);
    } catch (IllegalArgumentException e) {
      throw new ImportException(where + ": " + e.getMessage(), e);
    }
    if (begin > end || end > dataLength) {
      throw new ImportException(where + ": data_offsets [" + begin + ", " + end + "] are out of range: the data "
          + "after the header has " + dataLength + " bytes" + (end > dataLength ? " (file truncated?)" : ""));
    }
    long expected = Budget.bytes(numel, dtype.elementSize());
    if (numel >= Integer.MAX_VALUE - 16 || end - begin != expected) {
      throw new ImportException(where + ": data_offsets [" + begin + ", " + end + "] hold " + (end - begin)
          + " bytes, but shape " + Arrays.toString(shape) + " of " + dtype.label() + " needs " + expected);
    }
    return new Entry(name, dtype, shape, numel, begin, end);
  }
}
