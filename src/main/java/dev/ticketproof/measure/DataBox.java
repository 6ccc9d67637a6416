package dev.ticketproof.measure;

import dev.ticketproof.kernel.SourceNetwork;
import java.util.List;

/**
 * The input box of a ticket whose caller gives inputs (data, or the points of local balls) but no box: [0, 1] when
 * every value lies in it (images scaled to [0, 1]), else [-1, 1] (the default without inputs) when every value lies
 * in that, else each channel's range in the inputs for images and for vectors of features of unequal scales
 * ({@link #unequalScales}), the inputs' whole range on every feature for other vectors (a flattened image's border
 * pixel can take one value in a few rows, so a box per feature would be a slab there). The box then holds the inputs
 * the ticket is measured on.
 *
 * @param kind which of the four boxes
 * @param dataLow the smallest value of the inputs
 * @param dataHigh the largest value of the inputs
 */
public record DataBox(Kind kind, double dataLow, double dataHigh) {
  /** The boxes, by the inputs' range. */
  public enum Kind {
    /** Every value in [-1, 1], some negative: [-1, 1]. */
    UNIT,
    /** Every value in [0, 1]: [0, 1]. */
    ZERO_ONE,
    /** A vector of features of one scale beyond [-1, 1]: the inputs' whole range on every feature. */
    WHOLE_RANGE,
    /** A vector of features of unequal scales beyond [-1, 1]: each feature's range. */
    EACH_FEATURE,
    /** An image beyond [-1, 1]: each channel's range. */
    EACH_CHANNEL
  }

  /**
   * The box for inputs of a target with {@code channels} input channels (features of a vector input).
   *
   * @param vector whether the target reads vectors (features as channels of one position)
   * @param rows the inputs, each flattened in CHW order; at least one
   * @throws IllegalArgumentException when a value is not finite
   */
  public static DataBox of(int channels, boolean vector, List<double[]> rows) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double[] x : rows) {
      for (double v : x) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    if (!(Double.isFinite(lo) && Double.isFinite(hi))) {
      throw new IllegalArgumentException("the inputs have values that are not finite (" + lo + " to " + hi + ")");
    }
    Kind kind = lo >= 0 && hi <= 1 ? Kind.ZERO_ONE : lo >= -1 && hi <= 1 ? Kind.UNIT
        : !vector ? Kind.EACH_CHANNEL : unequalScales(rows, channels) ? Kind.EACH_FEATURE : Kind.WHOLE_RANGE;
    return new DataBox(kind, lo, hi);
  }

  /** Whether the box has an interval per channel (of the inputs' ranges) rather than one for all. */
  public boolean perChannel() { return kind == Kind.EACH_FEATURE || kind == Kind.EACH_CHANNEL; }

  /** The interval of every channel when the box has one for all: [0, 1], [-1, 1] or the inputs' range. */
  public double[] uniform() {
    return switch (kind) {
      case ZERO_ONE -> new double[] {0, 1};
      case UNIT -> new double[] {-1, 1};
      default -> new double[] {dataLow, dataLow < dataHigh ? dataHigh : Math.nextUp(dataLow)};
    };
  }

  /**
   * The box of every channel, {lo, hi}: each channel's range in the rows (those {@link #of} took, finite) for a box
   * per channel (a channel of one value v gets [v, the next double above v]), else {@link #uniform()}.
   */
  public double[][] boxes(int channels, List<double[]> rows) {
    if (!perChannel()) {
      double[][] out = new double[channels][];
      java.util.Arrays.setAll(out, c -> uniform());
      return out;
    }
    double[][] out = ranges(channels, rows);
    for (double[] r : out) if (r[0] == r[1]) r[1] = Math.nextUp(r[0]);
    return out;
  }

  /** {lo, hi} of each channel's values in rows (flattened, CHW order). */
  public static double[][] ranges(int channels, List<double[]> rows) {
    int per = rows.get(0).length / channels;
    double[][] out = new double[channels][];
    for (int c = 0; c < channels; c++) {
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (double[] x : rows) {
        for (int q = c * per; q < (c + 1) * per; q++) {
          lo = Math.min(lo, x[q]);
          hi = Math.max(hi, x[q]);
        }
      }
      out[c] = new double[] {lo, hi};
    }
    return out;
  }

  /**
   * Whether the features of vector rows take scales of their own: none of them takes one value only, and their
   * largest |value|s differ by a factor of {@link SourceNetwork#BLOCK_GAP} or more.
   */
  public static boolean unequalScales(List<double[]> rows, int features) {
    double least = Double.POSITIVE_INFINITY;
    double most = 0;
    for (double[] r : ranges(features, rows)) {
      if (r[0] == r[1]) return false;
      double b = Math.max(Math.abs(r[0]), Math.abs(r[1]));
      least = Math.min(least, b);
      most = Math.max(most, b);
    }
    return most >= SourceNetwork.BLOCK_GAP * least;
  }
}
