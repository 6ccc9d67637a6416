package dev.ticketproof.cli;

import dev.ticketproof.io.DType;
import dev.ticketproof.io.ImportException;
import dev.ticketproof.io.StoredTensor;
import dev.ticketproof.io.TensorFiles;
import dev.ticketproof.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The one reader of the data files every command takes ({@code --data}, {@code --labels}, eval's {@code --input},
 * {@code --around}): the formats of {@link TensorFiles#readSingle} ({@code .npy}, {@code .npz}, {@code .pt},
 * {@code FILE:NAME}), the element types data may have, and the shapes that fit a network without guessing. Whatever
 * does not fit is a {@link UsageError} naming the flag and the file and saying how to convert.
 */
final class DataFiles {
  private DataFiles() {}

  /** The one array of a data file; a file that cannot be read is a usage error naming the flag. */
  static StoredTensor read(String flag, Path file) {
    try {
      return TensorFiles.readSingle(file);
    } catch (ImportException e) {
      throw new UsageError(flag + " " + e.getMessage());
    }
  }

  /**
   * A batch of examples for a network that reads per-example shape {@code in}, as a tensor {@code [N, ...in]}.
   * Accepted: {@code [N, ...in]}; for one input channel ({@code in = [1, H, W]}) also {@code [N, H*W]},
   * {@code [N, H, W]} and {@code [N, H, W, 1]}, which hold the values in the same order (a note on stderr); for a
   * vector input ({@code in = [F]}) any {@code [N, ...]} of F values per example, flattened in C order (a note); for
   * any input, a shape that differs from {@code in} only in axes of size 1 ({@code [N, C, L]} for the one-row image
   * {@code [C, 1, L]} of a Conv1d's signal), which holds the values in the same order (a note).
   * Refused with the fix: channels-last {@code [N, H, W, C]}, flat rows for several channels, uint8 values.
   *
   * @param flag the flag, for messages ({@code --data})
   */
  static Tensor examples(String flag, Path file, int[] in) { return examples(flag, file, read(flag, file), in); }

  /** As {@link #examples(String, Path, int[])} for the array {@code st} already read from {@code file}. */
  static Tensor examples(String flag, Path file, StoredTensor st, int[] in) {
    Tensor x = st.tensor();
    String what = flag + " " + file;
    if (st.dtype() == DType.UINT8) {
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (double v : x.data()) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      throw new UsageError(what + ": uint8 values" + (x.size() > 0 ? String.format(Locale.ROOT, " (%d..%d)",
          (int) lo, (int) hi) : "") + ", as images are stored, are not read as network inputs: scale them as the "
          + "network was trained, e.g. x.astype('float32') / 255 if it was trained on [0, 1] inputs (PyTorch: "
          + "x.float() / 255), and save that");
    }
    int[] s = x.shape();
    int dim = product(in, 0);
    // the whole array holds the values of one example: its batch dimension is missing
    String oneExample = productLong(s, 0) == dim && s.length <= in.length ? " (one example: add the batch "
        + "dimension, x[None])" : "";
    if (s.length < 2 || s[0] == 0) {
      throw new UsageError(what + ": expected a batch [N, " + join(in) + "] with N >= 1, got shape "
          + Arrays.toString(s) + oneExample);
    }
    int n = s[0];
    int[] per = Arrays.copyOfRange(s, 1, s.length);
    int[] want = new int[in.length + 1];
    want[0] = n;
    System.arraycopy(in, 0, want, 1, in.length);
    Layout layout = layout(s, in);
    if (layout == Layout.SAME || layout == Layout.SAME_ORDER) pixelNote(st, what, in);
    switch (layout) {
      case SAME -> { return x; }
      case SAME_ORDER -> {
        if (!(flatInput(in) && per.length == 1)) { // rows [N, C] of a network that reads vectors need no note
          System.err.println("note: " + what + ": examples of shape " + Arrays.toString(per) + " read as "
              + Arrays.toString(in) + (in.length == 1 ? " (flattened in C order)" : in[0] == 1 ? " (one channel: the "
              + "values are in the same order)" : " (only axes of size 1 differ: the values are in the same order)"));
        }
        return Tensor.of(x.data(), want);
      }
      case CHANNELS_LAST -> throw new UsageError(what + ": expected a batch of shape " + Arrays.toString(want)
          + ", got " + Arrays.toString(s) + ", which looks like channels-last [N, H, W, C]: transpose it to [N, C, H, "
          + "W] (numpy: x.transpose(0, 3, 1, 2); PyTorch: x.permute(0, 3, 1, 2))");
      case FLAT -> {
        int c = in[0];
        int h = in[1];
        int w = in[2];
        throw new UsageError(what + ": expected a batch of shape " + Arrays.toString(want) + ", got flat examples "
            + Arrays.toString(s) + "; with " + c + " channels the order of a row's values is not known: reshape it, "
            + "x.reshape(-1, " + c + ", " + h + ", " + w + ") if each row holds one channel after the other, or "
            + "x.reshape(-1, " + h + ", " + w + ", " + c + ").transpose(0, 3, 1, 2) if it holds each pixel's "
            + "channels together");
      }
      default -> throw new UsageError(what + ": expected a batch of shape " + Arrays.toString(flatInput(in)
          ? new int[] {n, in[0]} : want) + " (" + dim + " values per example), got " + Arrays.toString(s)
          + (s.length == 4 && in.length == 3 && in[0] > 1 && s[3] == in[0] && s[1] != in[0] ? ", whose last axis "
          + "has the network's " + in[0] + " input channels: if it is channels-last [N, H, W, C], transpose it to [N, "
          + "C, H, W] (numpy: x.transpose(0, 3, 1, 2); PyTorch: x.permute(0, 3, 1, 2))"
          : s.length == 2 && s[0] == dim && s[1] != dim ? " (transposed? the examples are the rows, each of " + dim
          + " values: x.T)" : oneExample));
    }
  }

  /**
   * For integer images of an accepted batch: a note that values 0..255, as pixels are stored, are read as they are.
   */
  private static void pixelNote(StoredTensor st, String what, int[] in) {
    Tensor x = st.tensor();
    if ((st.dtype() == DType.INT16 || st.dtype() == DType.INT32 || st.dtype() == DType.INT64) && in.length == 3
        && (long) in[1] * in[2] > 1 && x.size() > 0) {
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (double v : x.data()) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      if (lo >= 0 && hi > 1 && hi <= 255) {
        System.err.printf(Locale.ROOT, "note: %s: %s values %d..%d, as image pixels are stored: they are read as "
            + "they are; if the network was trained on scaled inputs, scale them as it was, e.g. x.astype('float32') "
            + "/ 255 for [0, 1] inputs, and save that%n", what, st.dtype().name().toLowerCase(Locale.ROOT), (int) lo,
            (int) hi);
      }
    }
  }

  /** Whether a network reads vectors: its normal form's input [C, 1, 1], for which a batch [N, C] is read as is. */
  private static boolean flatInput(int[] in) { return in.length == 3 && in[1] == 1 && in[2] == 1; }

  /** How a batch's shape relates to a network's per-example input shape. */
  enum Layout {
    /** {@code [N, ...in]}. */
    SAME,
    /** Another shape holding the values in the network's order: read as it (one channel, or a vector input). */
    SAME_ORDER,
    /** {@code [N, H, W, C]} for {@code in = [C, H, W]} with several channels: refused with the transpose. */
    CHANNELS_LAST,
    /** {@code [N, C*H*W]} for several channels: refused with the reshapes. */
    FLAT,
    /** None of these. */
    OTHER
  }

  /** The layout of a batch of shape {@code s} ([N, ...], N >= 1) for a network reading {@code in}. */
  static Layout layout(int[] s, int[] in) {
    if (s.length < 2) return Layout.OTHER;
    int[] per = Arrays.copyOfRange(s, 1, s.length);
    if (Arrays.equals(per, in)) return Layout.SAME;
    boolean sameCount = productLong(per, 0) == productLong(in, 0);
    if (in.length == 3) {
      int c = in[0];
      int h = in[1];
      int w = in[2];
      if (c > 1 && Arrays.equals(per, new int[] {h, w, c})) return Layout.CHANNELS_LAST;
      // only axes of size 1 differ (a signal [C, L] for the one-row image [C, 1, L] a Conv1d reads): the same order
      if (sameCount && Arrays.equals(withoutOnes(per), withoutOnes(in))) return Layout.SAME_ORDER;
      int[] core = withoutOnes(per);
      if (c == 1 && sameCount && (Arrays.equals(core, withoutOnes(new int[] {h, w}))
          || Arrays.equals(core, withoutOnes(new int[] {h * w})))) {
        return Layout.SAME_ORDER;
      }
      if (c > 1 && per.length == 1 && sameCount) return Layout.FLAT;
    } else if (in.length == 1 && sameCount) {
      return Layout.SAME_ORDER;
    }
    return Layout.OTHER;
  }

  /**
   * Class indices {@code [N]} (or {@code [N, 1]}) for {@code n} examples: integers of any type, bool, or floats that
   * are whole numbers; each in [0, 2^31).
   */
  static int[] labels(Path file, int n) {
    String what = "--labels " + file;
    Tensor t = read("--labels", file).tensor();
    int[] s = t.shape();
    if (!(s.length == 1 && s[0] == n || s.length == 2 && s[0] == n && s[1] == 1)) {
      throw new UsageError(what + ": expected " + n + " labels (shape [" + n + "], one class index per example of "
          + "--data), got shape " + Arrays.toString(s) + (s.length == 2 && s[0] == n && s[1] > 1
          ? " (one-hot or scores? give the class indices, y.argmax(1))" : ""));
    }
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      double v = t.data()[i];
      if (v != Math.rint(v) || v < 0) {
        throw new UsageError(what + ": label " + number(v) + " at index " + i + " is not a class index (a whole "
            + "number >= 0)");
      }
      if (v > Integer.MAX_VALUE) {
        throw new UsageError(what + ": label " + number(v) + " at index " + i + " is not a class index (at most 2^31 "
            + "- 1)");
      }
      y[i] = (int) v;
    }
    return y;
  }

  /** A value as users write it: a whole number without a fraction ({@code -1}, not {@code -1.0}). */
  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 0x1p53 ? Long.toString((long) v) : Double.toString(v);
  }

  private static long productLong(int[] s, int from) {
    long p = 1;
    for (int i = from; i < s.length; i++) p *= s[i];
    return p;
  }

  private static int product(int[] s, int from) {
    return (int) Math.min(productLong(s, from), Integer.MAX_VALUE);
  }

  private static int[] withoutOnes(int[] s) {
    return Arrays.stream(s).filter(d -> d != 1).toArray();
  }

  private static String join(int[] s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length; i++) b.append(i == 0 ? "" : ", ").append(s[i]);
    return b.toString();
  }
}
