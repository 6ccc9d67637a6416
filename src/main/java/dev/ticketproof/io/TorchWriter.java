package dev.ticketproof.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes named arrays as the file {@code torch.save(state_dict)} writes (the zip format of PyTorch 1.6 and later),
 * which {@code torch.load(path, weights_only=True)} and {@link TorchReader} read back: {@code archive/data.pkl} is a
 * protocol-2 pickle of an {@code OrderedDict} whose values are {@code torch._utils._rebuild_tensor_v2(storage, 0,
 * size, stride, False, OrderedDict())} with the storage given by the persistent id
 * {@code ('storage', torch.XStorage, 'N', 'cpu', numel)}, and {@code archive/data/N} holds storage N's raw
 * little-endian bytes. Entries are stored uncompressed. The pickle uses only the opcodes PyTorch's weights-only
 * unpickler accepts.
 */
public final class TorchWriter {
  private TorchWriter() {}

  /**
   * A named array: float64 values, or int64/int32 values, in C order.
   *
   * @param name the state-dict key
   * @param shape the tensor's size
   * @param values float64 values, or null
   * @param longs integer values (int64 or int32 per {@code dtype}), or null
   * @param dtype FLOAT64, INT64 or INT32
   */
  public record Array(String name, int[] shape, double[] values, long[] longs, DType dtype) {
    public Array {
      long n = 1;
      for (int d : shape) n *= d;
      long len = values != null ? values.length : longs.length;
      if (n != len) throw new IllegalArgumentException(name + ": shape does not match " + len + " values");
    }

    /** A float64 array. */
    public static Array of(String name, int[] shape, double[] values) {
      return new Array(name, shape, values, null, DType.FLOAT64);
    }

    /** An integer array, int32 when every value fits, else int64. */
    public static Array ofIndices(String name, long[] values) {
      boolean small = true;
      for (long v : values) small &= v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
      return new Array(name, new int[] {values.length}, null, values, small ? DType.INT32 : DType.INT64);
    }

    int count() { return values != null ? values.length : longs.length; }

    /** The raw little-endian bytes of the values. */
    byte[] bytes() {
      ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(count(), dtype.elementSize()))
          .order(ByteOrder.LITTLE_ENDIAN);
      if (values != null) {
        for (double v : values) b.putDouble(v);
      } else if (dtype == DType.INT32) {
        for (long v : longs) b.putInt((int) v);
      } else {
        for (long v : longs) b.putLong(v);
      }
      return b.array();
    }
  }

  /**
   * Writes the arrays as a PyTorch state dict, atomically (a temporary file beside {@code path}, then a move).
   *
   * @throws IOException when the file cannot be written (no partial file is left)
   */
  public static void write(Path path, List<Array> arrays) throws IOException {
    AtomicFile.write(path, os -> {
      ZipOutputStream zip = new ZipOutputStream(os);
      stored(zip, "archive/data.pkl", pickle(arrays));
      stored(zip, "archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
      for (int k = 0; k < arrays.size(); k++) stored(zip, "archive/data/" + k, arrays.get(k).bytes());
      stored(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
      zip.finish();
    });
  }

  /**
   * Writes the arrays as a NumPy {@code .npz} archive (one {@code NAME.npy} entry per array; integer arrays as
   * int64), atomically.
   *
   * @throws IOException when the file cannot be written (no partial file is left)
   */
  public static void writeNpz(Path path, List<Array> arrays) throws IOException {
    AtomicFile.write(path, os -> {
      ZipOutputStream zip = new ZipOutputStream(os);
      for (Array a : arrays) {
        Array wide = a.values() != null || a.dtype() == DType.INT64 ? a
            : new Array(a.name(), a.shape(), null, a.longs(), DType.INT64);
        stored(zip, a.name() + ".npy", Npy.encode(a.shape(), a.values() != null ? "<f8" : "<i8", wide.bytes()));
      }
      zip.finish();
    });
  }

  private static void stored(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(bytes.length);
    e.setCompressedSize(bytes.length);
    CRC32 crc = new CRC32();
    crc.update(bytes);
    e.setCrc(crc.getValue());
    e.setTime(0);
    zip.putNextEntry(e);
    zip.write(bytes);
    zip.closeEntry();
  }

  /** The protocol-2 pickle of the state dict; storage k is array k. */
  static byte[] pickle(List<Array> arrays) {
    Pickle p = new Pickle();
    p.op(0x80).op(2);
    p.global("collections", "OrderedDict").op(')').op('R');
    p.op('(');
    for (int k = 0; k < arrays.size(); k++) {
      Array a = arrays.get(k);
      p.string(a.name());
      p.global("torch._utils", "_rebuild_tensor_v2");
      p.op('(');
      p.op('(').string("storage").global("torch", a.dtype().torchStorage()).string(Integer.toString(k))
          .string("cpu").integer(a.count()).op('t').op('Q');
      p.integer(0);
      p.op('(');
      for (int d : a.shape()) p.integer(d);
      p.op('t');
      p.op('(');
      long stride = 1;
      long[] strides = new long[a.shape().length];
      for (int i = a.shape().length - 1; i >= 0; i--) {
        strides[i] = stride;
        stride *= a.shape()[i];
      }
      for (long s : strides) p.integer(s);
      p.op('t');
      p.op(0x89);
      p.global("collections", "OrderedDict").op(')').op('R');
      p.op('t').op('R');
    }
    p.op('u').op('.');
    return p.out.toByteArray();
  }

  /** The few pickle opcodes the state dict needs. */
  private static final class Pickle {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Pickle op(int code) {
      out.write(code);
      return this;
    }

    Pickle global(String module, String name) {
      op('c');
      byte[] b = (module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII);
      out.write(b, 0, b.length);
      return this;
    }

    Pickle string(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      op('X');
      le(b.length, 4);
      out.write(b, 0, b.length);
      return this;
    }

    Pickle integer(long v) {
      if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
        op('J');
        le(v, 4);
      } else {
        op(0x8a).op(8); // LONG1 with 8 bytes, two's complement little endian
        le(v, 8);
      }
      return this;
    }

    private void le(long v, int bytes) {
      for (int i = 0; i < bytes; i++) out.write((int) (v >>> (8 * i)) & 0xff);
    }
  }
}
