package dev.ticketproof.io;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The element types TicketProof reads from PyTorch storages and NumPy arrays. Every value is converted to a
 * {@code double}: exactly for float16, bfloat16, float32, float64, int32, int16, int8, uint8, bool and for int64
 * values with
 * \( |v| \le 2^{53} \); larger int64 values are rounded to the nearest double.
 */
public enum DType {
  FLOAT32("float32", 4, "FloatStorage", "f4"),
  FLOAT64("float64", 8, "DoubleStorage", "f8"),
  FLOAT16("float16", 2, "HalfStorage", "f2"),
  BFLOAT16("bfloat16", 2, "BFloat16Storage", null),
  INT64("int64", 8, "LongStorage", "i8"),
  INT32("int32", 4, "IntStorage", "i4"),
  INT16("int16", 2, "ShortStorage", "i2"),
  INT8("int8", 1, "CharStorage", "i1"),
  UINT8("uint8", 1, "ByteStorage", "u1"),
  BOOL("bool", 1, "BoolStorage", "b1");

  private final String label;
  private final int elementSize;
  private final String torchStorage;
  private final String numpyCode;

  DType(String label, int elementSize, String torchStorage, String numpyCode) {
    this.label = label;
    this.elementSize = elementSize;
    this.torchStorage = torchStorage;
    this.numpyCode = numpyCode;
  }

  /** The NumPy type code without byte order, e.g. {@code f8}, or null when NumPy files of this type are not read. */
  String numpyCode() { return numpyCode; }

  /** The PyTorch/NumPy name, e.g. {@code float32}. */
  public String label() { return label; }

  /** Bytes per element. */
  public int elementSize() { return elementSize; }

  /** The class name of the PyTorch storage type in module {@code torch}, e.g. {@code FloatStorage}. */
  public String torchStorage() { return torchStorage; }

  /** Whether the type holds floating-point values. */
  public boolean isFloating() { return this == FLOAT32 || this == FLOAT64 || this == FLOAT16 || this == BFLOAT16; }

  /** The type whose PyTorch storage class is {@code torch.NAME}, if it is one of ours. */
  public static Optional<DType> ofTorchStorage(String name) {
    return Arrays.stream(values()).filter(d -> d.torchStorage.equals(name)).findFirst();
  }

  /** The type with NumPy kind and size code {@code code} (e.g. {@code f4}), if NumPy files may use it. */
  public static Optional<DType> ofNumpyCode(String code) {
    return Arrays.stream(values()).filter(d -> code.equals(d.numpyCode)).findFirst();
  }

  /** The NumPy type codes accepted in {@code .npy} files, for messages. */
  static String numpyCodes() {
    return Arrays.stream(values()).filter(d -> d.numpyCode != null)
        .map(d -> d.label + " ('" + (d.elementSize == 1 ? "|" : "<") + d.numpyCode + "')").collect(Collectors.joining(", "));
  }

  /** The PyTorch storage types accepted, for messages. */
  static String torchStorages() {
    return Arrays.stream(values()).map(d -> "torch." + d.torchStorage).collect(Collectors.joining(", "));
  }

  /**
   * Decodes {@code count} elements starting at element {@code first} of {@code buffer} (its byte order is used).
   *
   * @param buffer the raw bytes. Not modified (its position is not used).
   * @param first index of the first element
   * @param count number of elements
   * @return the values as doubles
   */
  public double[] decode(ByteBuffer buffer, int first, int count) {
    double[] out = new double[count];
    int base = first * elementSize;
    switch (this) {
      case FLOAT32 -> {
        float[] f = new float[count];
        buffer.slice(base, 4 * count).order(buffer.order()).asFloatBuffer().get(f);
        for (int i = 0; i < count; i++) out[i] = f[i];
      }
      case FLOAT64 -> buffer.slice(base, 8 * count).order(buffer.order()).asDoubleBuffer().get(out);
      case FLOAT16 -> { for (int i = 0; i < count; i++) out[i] = halfToDouble(buffer.getShort(base + 2 * i)); }
      case BFLOAT16 -> {
        for (int i = 0; i < count; i++) out[i] = Float.intBitsToFloat((buffer.getShort(base + 2 * i) & 0xffff) << 16);
      }
      case INT64 -> { for (int i = 0; i < count; i++) out[i] = buffer.getLong(base + 8 * i); }
      case INT32 -> { for (int i = 0; i < count; i++) out[i] = buffer.getInt(base + 4 * i); }
      case INT16 -> { for (int i = 0; i < count; i++) out[i] = buffer.getShort(base + 2 * i); }
      case INT8 -> { for (int i = 0; i < count; i++) out[i] = buffer.get(base + i); }
      case UINT8 -> { for (int i = 0; i < count; i++) out[i] = buffer.get(base + i) & 0xff; }
      case BOOL -> { for (int i = 0; i < count; i++) out[i] = buffer.get(base + i) != 0 ? 1.0 : 0.0; }
      default -> throw new AssertionError(this);
    }
    return out;
  }

  /** IEEE 754 binary16 bits to the double of equal value. */
  static double halfToDouble(short bits) {
    int h = bits & 0xffff;
    int exponent = (h >>> 10) & 0x1f;
    int mantissa = h & 0x3ff;
    double magnitude;
    if (exponent == 0) {
      magnitude = mantissa * 0x1p-24;
    } else if (exponent == 31) {
      magnitude = mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
    } else {
      magnitude = Math.scalb((double) (1024 + mantissa), exponent - 25);
    }
    return (h & 0x8000) != 0 ? -magnitude : magnitude;
  }
}
