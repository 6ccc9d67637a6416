package dev.ticketproof.kernel.bound;

import dev.ticketproof.kernel.TargetPlan;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The inputs a bound covers: a box that gives every input channel its own interval (C channels in CHW order: of
 * an input of d values, coordinates c d/C to (c+1) d/C - 1 are channel c's; one interval for all channels is the box
 * [low, high]^d), or the union of the l-infinity balls of radius {@code radius} around {@code points} (or, with
 * {@code radii}, of the boxes of half-width radii[c] on channel c's coordinates), each clipped to that box.
 *
 * @param channelLow lower end of every channel's interval (one value: the same for every channel); not modified
 * @param channelHigh upper end of every channel's interval, as many as {@code channelLow}; not modified
 * @param points the centres (each of length d, CHW order), or null for the whole box
 * @param radius the balls' radius (ignored for the whole box); with {@code radii}, their largest
 * @param radii per channel, the radius on its coordinates (as many as {@code channelLow}), or null: {@code radius}
 *     on every coordinate; not modified
 */
public record Region(double[] channelLow, double[] channelHigh, double[][] points, double radius, double[] radii) {
  /** A box, or balls of one radius on every coordinate. */
  public Region(double[] channelLow, double[] channelHigh, double[][] points, double radius) {
    this(channelLow, channelHigh, points, radius, null);
  }

  public Region {
    if (channelLow.length == 0 || channelLow.length != channelHigh.length) {
      throw new IllegalArgumentException("input box needs as many lower as upper ends (at least one), got "
          + channelLow.length + " and " + channelHigh.length);
    }
    for (int c = 0; c < channelLow.length; c++) {
      double lo = channelLow[c];
      double hi = channelHigh[c];
      if (!(lo < hi && Double.isFinite(lo) && Double.isFinite(hi))) {
        throw new IllegalArgumentException("input box must be finite with low < high, got [" + lo + ", " + hi + "]"
            + (channelLow.length > 1 ? " for channel " + c : ""));
      }
    }
    if (points != null) {
      if (!(radius >= 0 && Double.isFinite(radius))) {
        throw new IllegalArgumentException("radius must be finite and >= 0, got " + radius);
      }
      if (radii != null && (radii.length != channelLow.length
          || Arrays.stream(radii).anyMatch(r -> !(r >= 0 && r <= radius)))) {
        throw new IllegalArgumentException("per-channel radii must be one per channel, each in [0, " + radius + "]");
      }
      if (points.length == 0) throw new IllegalArgumentException("a local region needs at least one point");
      for (int p = 0; p < points.length; p++) {
        int per = perChannel(points[p].length, channelLow.length, "point " + p);
        for (int k = 0; k < points[p].length; k++) {
          double v = points[p][k];
          int c = k / per;
          double r = radii == null ? radius : radii[c];
          if (!(v + r >= channelLow[c] && v - r <= channelHigh[c])) {
            throw new IllegalArgumentException("the ball of radius " + r + " around point " + p
                + " misses the input box [" + channelLow[c] + ", " + channelHigh[c] + "]"
                + (channelLow.length > 1 ? " of channel " + c : "") + " (coordinate " + v + ")");
          }
        }
      }
    }
  }

  /** The whole box [low, high]^d. */
  public static Region box(double low, double high) { return box(new double[] {low}, new double[] {high}); }

  /** The whole box of per-channel intervals [low[c], high[c]]. */
  public static Region box(double[] low, double[] high) { return new Region(low, high, null, Double.NaN); }

  /** Balls around points, clipped to the box [low, high]^d. */
  public static Region balls(double low, double high, double[][] points, double radius) {
    return balls(new double[] {low}, new double[] {high}, points, radius);
  }

  /** Balls around points, clipped to the box of per-channel intervals [low[c], high[c]]. */
  public static Region balls(double[] low, double[] high, double[][] points, double radius) {
    return new Region(low, high, points, radius);
  }

  /**
   * The box [low, high]^d, or with per-channel intervals ({@code boxes[c] = {lo, hi}}, not null) their product, and
   * with points the balls around them clipped to it.
   */
  public static Region of(double low, double high, double[][] boxes, double[][] points, double radius) {
    double[] lo = {low};
    double[] hi = {high};
    if (boxes != null) {
      lo = new double[boxes.length];
      hi = new double[boxes.length];
      for (int c = 0; c < boxes.length; c++) {
        lo[c] = boxes[c][0];
        hi[c] = boxes[c][1];
      }
    }
    return new Region(lo, hi, points, radius);
  }

  /**
   * A region that contains this one's image under a target's input map: each channel's interval mapped outward
   * ({@link TargetPlan.InputMap#interval}); the balls' centres mapped as the map computes them, their radius on
   * channel c |scale[c]| times this radius, widened by four times the largest rounding of a centre's product and sum
   * on that channel (the points of a ball round by as much, within a factor of 2). A ball of radius 0 stays the
   * mapped point.
   */
  public Region mapped(TargetPlan.InputMap m) {
    int n = m.scale().length;
    if (channelLow.length != 1 && channelLow.length != n) {
      throw new IllegalArgumentException("the input box has intervals for " + channelLow.length + " channels, the "
          + "input map has " + n);
    }
    double[] lo = new double[n];
    double[] hi = new double[n];
    for (int c = 0; c < n; c++) {
      int at = channelLow.length == 1 ? 0 : c;
      double[] iv = m.interval(c, channelLow[at], channelHigh[at]);
      lo[c] = iv[0];
      hi[c] = iv[1];
    }
    if (points == null) return new Region(lo, hi, null, radius);
    double[] slack = new double[n];
    double[][] centres = new double[points.length][];
    for (int p = 0; p < points.length; p++) {
      centres[p] = m.apply(points[p]);
      int per = perChannel(points[p].length, n, "point " + p);
      for (int k = 0; k < centres[p].length; k++) {
        int c = k / per;
        slack[c] = Math.max(slack[c], Math.ulp(m.scale()[c] * points[p][k]) + Math.ulp(centres[p][k]));
      }
    }
    if (radius == 0) return new Region(lo, hi, centres, 0);
    double[] mappedRadii = new double[n];
    double most = 0;
    for (int c = 0; c < n; c++) {
      double r = radiusOf(channelLow.length == 1 ? 0 : c);
      mappedRadii[c] = Math.nextUp(Math.nextUp(Math.abs(m.scale()[c]) * r) + 4 * slack[c]);
      most = Math.max(most, mappedRadii[c]);
    }
    return new Region(lo, hi, centres, most, mappedRadii);
  }

  /** The radius on channel c's coordinates: its own with per-channel radii, else the radius. */
  public double radiusOf(int c) { return radii == null ? radius : radii[c]; }

  /** The lower end of the union of the channels' intervals (the smallest lower end). */
  public double low() {
    double m = channelLow[0];
    for (double v : channelLow) m = Math.min(m, v);
    return m;
  }

  /** The upper end of the union of the channels' intervals (the largest upper end). */
  public double high() {
    double m = channelHigh[0];
    for (double v : channelHigh) m = Math.max(m, v);
    return m;
  }

  /** Whether the channels have intervals of their own (more than one interval). */
  public boolean perChannel() { return channelLow.length > 1; }

  /** Whether the region is a set of balls. */
  public boolean local() { return points != null; }

  /** The coordinates per channel of an input of {@code dim} values: dim / C, when C divides it. */
  private static int perChannel(int dim, int channels, String what) {
    if (dim == 0 || dim % channels != 0) {
      throw new IllegalArgumentException(what + " has " + dim + " values, not a positive multiple of the input box's "
          + channels + " channels");
    }
    return dim / channels;
  }

  /** The lower end of every coordinate of an input of {@code dim} values (its channel's). */
  public double[] lowAt(int dim) { return expand(channelLow, dim); }

  /** The upper end of every coordinate of an input of {@code dim} values (its channel's). */
  public double[] highAt(int dim) { return expand(channelHigh, dim); }

  private static double[] expand(double[] perChannel, int dim) {
    int per = perChannel(dim, perChannel.length, "the input");
    double[] out = new double[dim];
    for (int k = 0; k < dim; k++) out[k] = perChannel[k / per];
    return out;
  }

  /**
   * The boxes the region is the union of, as {lo[], hi[]} per box: the box itself, or per point the ball clipped to
   * the box.
   */
  public List<double[][]> boxes(int dim) {
    List<double[][]> out = new ArrayList<>();
    double[] low = lowAt(dim);
    double[] high = highAt(dim);
    if (points == null) {
      out.add(new double[][] {low, high});
      return out;
    }
    for (int p = 0; p < points.length; p++) {
      double[] x = points[p];
      if (x.length != dim) {
        throw new IllegalArgumentException("point " + p + " has " + x.length + " values, the input has " + dim);
      }
      double[] lo = new double[dim];
      double[] hi = new double[dim];
      int per = perChannel(dim, channelLow.length, "the input");
      for (int k = 0; k < dim; k++) {
        double r = radiusOf(k / per);
        // x +- 0 is exact: a ball of radius 0 is its centre (no coefficients are then carried)
        lo[k] = r == 0 ? x[k] : Math.max(low[k], Math.nextDown(x[k] - r));
        hi[k] = r == 0 ? x[k] : Math.min(high[k], Math.nextUp(x[k] + r));
      }
      out.add(new double[][] {lo, hi});
    }
    return out;
  }

  /** Whether every input lies in the region (in the box, and for balls in at least one clipped ball). */
  public boolean containsAll(List<double[]> xs) {
    for (double[] x : xs) if (!contains(x)) return false;
    return true;
  }

  private boolean contains(double[] x) {
    if (x.length == 0 || x.length % channelLow.length != 0) return false;
    int per = x.length / channelLow.length;
    for (int k = 0; k < x.length; k++) {
      if (!(x[k] >= channelLow[k / per] && x[k] <= channelHigh[k / per])) return false;
    }
    if (points == null) return true;
    for (double[] p : points) {
      if (p.length != x.length) continue;
      boolean in = true;
      for (int k = 0; k < x.length && in; k++) in = Math.abs(x[k] - p[k]) <= radiusOf(k / per);
      if (in) return true;
    }
    return false;
  }

  /**
   * SHA-256 (hex) of a set of points: the count and the dimension as 4-byte big-endian integers, then every
   * value as an 8-byte big-endian IEEE double, row by row.
   */
  public static String digest(double[][] points) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      int dim = points.length == 0 ? 0 : points[0].length;
      md.update(ByteBuffer.allocate(8).putInt(points.length).putInt(dim).array());
      for (double[] x : points) {
        ByteBuffer b = ByteBuffer.allocate(8 * x.length);
        for (double v : x) b.putDouble(v);
        md.update(b.array());
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
