package dev.ticketproof.io;

import dev.ticketproof.limits.Budget;
import dev.ticketproof.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format (versions 1.0, 2.0 and 3.0): a magic string, a header dict
 * {@code {'descr': ..., 'fortran_order': ..., 'shape': (...)}} and the raw values. Read: the types of {@link DType}
 * that NumPy has (float16, float32, float64, int64, int32, int16, int8, uint8, bool) in either byte order, C order
 * only; the data must have exactly the length the header announces. Write: float64
 * or float32, little endian, version 1.0, atomically (a temporary file in the same directory, then a move).
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  /** Longest header read (NumPy writes a few hundred bytes; its own reader stops at 10,000 by default). */
  static final int MAX_HEADER = 65_536;

  private Npy() {}

  /** Whether the bytes start with the {@code .npy} magic string. */
  static boolean isNpy(byte[] head) {
    return head.length >= MAGIC.length && Arrays.equals(Arrays.copyOf(head, MAGIC.length), MAGIC);
  }

  /**
   * Reads one array.
   *
   * @param source the file (and entry) name, for messages
   * @param name the tensor name to give it
   * @param bytes the whole {@code .npy} content. Not modified.
   * @throws ImportException naming {@code source} when the header is malformed, the type is not one of
   *     {@link DType}'s, or the data length differs from the header's shape
   */
  public static StoredTensor read(String source, String name, byte[] bytes) {
    return read(source, name, bytes, new Budget(source, ImportException::new));
  }

  /** As {@link #read(String, String, byte[])}, claiming the decoded values from {@code budget}. */
  static StoredTensor read(String source, String name, byte[] bytes, Budget budget) {
    if (!isNpy(bytes) || bytes.length < 10) {
      throw new ImportException(source + ": not a .npy file (expected the magic string \\x93NUMPY)");
    }
    int major = bytes[6] & 0xff;
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long headerLength;
    int start;
    if (major == 1) {
      headerLength = buf.getShort(8) & 0xffff;
      start = 10;
    } else if (major == 2 || major == 3) {
      if (bytes.length < 12) throw new ImportException(source + ": truncated .npy header");
      headerLength = buf.getInt(8) & 0xffffffffL;
      start = 12;
    } else {
      throw new ImportException(source + ": .npy format version " + major + " is not supported (1, 2 or 3)");
    }
    if (headerLength > MAX_HEADER) {
      throw new ImportException(source + ": .npy header declares " + headerLength + " bytes, more than the "
          + MAX_HEADER + " a header of a supported array needs");
    }
    if (start + headerLength > bytes.length) {
      throw new ImportException(source + ": truncated .npy header (" + headerLength + " bytes announced)");
    }
    String header = new String(bytes, start, (int) headerLength,
        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).trim();
    if (!header.startsWith("{") || !header.endsWith("}")) {
      throw new ImportException(source + ": malformed .npy header " + quote(header));
    }
    Matcher descr = DESCR.matcher(header);
    Matcher fortran = FORTRAN.matcher(header);
    Matcher shapeMatch = SHAPE.matcher(header);
    if (header.matches("(?s)\\{\\s*'descr'\\s*:\\s*\\[.*")) {
      throw new ImportException(source + ": a structured array (header " + quote(header) + "); only arrays of one "
          + "number type are read: save each field as its own array, e.g. numpy.save(path, a['x'])");
    }
    if (!descr.find() || !fortran.find() || !shapeMatch.find()) {
      throw new ImportException(source + ": malformed .npy header " + quote(header)
          + " (expected keys 'descr', 'fortran_order', 'shape')");
    }
    String d = descr.group(1);
    DType dtype = d.length() >= 2 && (d.charAt(0) == '<' || d.charAt(0) == '>' || d.charAt(0) == '='
        || d.charAt(0) == '|')
        ? DType.ofNumpyCode(d.substring(1)).orElse(null) : null;
    if (dtype == null) {
      throw new ImportException(source + ": unsupported dtype '" + d + "' (expected " + DType.numpyCodes() + ")");
    }
    int[] shape = parseShape(source, shapeMatch.group(1));
    long numel = 1;
    for (int s : shape) numel = Math.min(numel * s, Integer.MAX_VALUE); // saturates: s <= 2^31 - 1
    long dataStart = start + headerLength;
    long expected = numel * dtype.elementSize();
    if (numel >= Integer.MAX_VALUE - 16 || bytes.length - dataStart != expected) {
      throw new ImportException(source + ": data has " + (bytes.length - dataStart) + " bytes, but shape "
          + Arrays.toString(shape) + " of " + dtype.label() + " needs " + expected);
    }
    budget.reserve(Budget.bytes(numel, Double.BYTES), "array " + name + " (shape " + Arrays.toString(shape)
        + ", held as float64)");
    ByteBuffer data = ByteBuffer.wrap(bytes, (int) dataStart, (int) expected).slice()
        .order(d.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    double[] values = dtype.decode(data, 0, (int) numel);
    if (fortran.group(1).equals("True")) values = fromFortranOrder(values, shape);
    return new StoredTensor(name, new Tensor(shape, values), dtype);
  }

  /**
   * The values of an array stored in Fortran order (the first index varying fastest, as {@code numpy.save} writes
   * an array that is Fortran- but not C-contiguous, such as a transposed matrix) in C order.
   */
  private static double[] fromFortranOrder(double[] stored, int[] shape) {
    double[] c = new double[stored.length];
    int[] index = new int[shape.length];
    for (int i = 0; i < c.length; i++) {
      int offset = 0;
      for (int k = shape.length - 1; k >= 0; k--) offset = offset * shape[k] + index[k];
      c[i] = stored[offset];
      for (int k = shape.length - 1; k >= 0 && ++index[k] == shape[k]; k--) index[k] = 0;
    }
    return c;
  }

  private static int[] parseShape(String source, String text) {
    String t = text.trim();
    if (t.endsWith(",")) t = t.substring(0, t.length() - 1).trim();
    if (t.isEmpty()) return new int[0];
    String[] parts = t.split(",");
    int[] shape = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i].trim();
      if (!p.matches("\\d{1,10}") || Long.parseLong(p) > Integer.MAX_VALUE) {
        throw new ImportException(source + ": malformed shape (" + text + ") in the .npy header");
      }
      shape[i] = Integer.parseInt(p);
    }
    return shape;
  }

  private static String quote(String header) {
    return "'" + (header.length() > 80 ? header.substring(0, 80) + "..." : header) + "'";
  }

  /**
   * The {@code .npy} encoding (version 1.0, little endian, C order) of a tensor.
   *
   * @param tensor the values. Not modified.
   * @param dtype {@link DType#FLOAT64} or {@link DType#FLOAT32} (values rounded to nearest)
   */
  public static byte[] encode(Tensor tensor, DType dtype) {
    if (dtype != DType.FLOAT64 && dtype != DType.FLOAT32) {
      throw new IllegalArgumentException("npy output type must be float64 or float32, got " + dtype);
    }
    ByteBuffer data = ByteBuffer.allocate(tensor.size() * dtype.elementSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : tensor.data()) {
      if (dtype == DType.FLOAT64) data.putDouble(v);
      else data.putFloat((float) v);
    }
    return encode(tensor.shape(), "<" + dtype.numpyCode(), data.array());
  }

  /**
   * The {@code .npy} encoding (version 1.0, C order) of raw element bytes.
   *
   * @param descr the NumPy type string, e.g. {@code <f8} or {@code <i4}
   */
  static byte[] encode(int[] dims, String descr, byte[] data) {
    StringBuilder shape = new StringBuilder("(");
    for (int i = 0; i < dims.length; i++) {
      shape.append(dims[i]);
      if (dims.length == 1) shape.append(',');
      else if (i + 1 < dims.length) shape.append(", ");
    }
    shape.append(')');
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    int unpadded = 10 + dict.length() + 1;
    int padded = (unpadded + 63) / 64 * 64;
    String header = dict + " ".repeat(padded - unpadded) + "\n";
    ByteBuffer out = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
    out.put(header.getBytes(StandardCharsets.US_ASCII));
    out.put(data);
    return out.array();
  }

  /**
   * Writes a tensor as {@code .npy} atomically ({@link AtomicFile}): readers see either the old file or the
   * complete new one.
   *
   * @throws IOException when the file cannot be written (no partial file is left)
   */
  public static void write(Path path, Tensor tensor, DType dtype) throws IOException {
    AtomicFile.write(path, encode(tensor, dtype));
  }

  /** Writes bytes atomically ({@link AtomicFile}). */
  public static void writeAtomically(Path path, byte[] bytes) throws IOException {
    AtomicFile.write(path, bytes);
  }
}
