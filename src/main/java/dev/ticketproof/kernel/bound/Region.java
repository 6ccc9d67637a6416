package dev.ticketproof.kernel.bound;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The inputs a bound covers: the box [low, high]^d, or the union of the l-infinity balls of radius
 * {@code radius} around {@code points}, each clipped to the box.
 *
 * @param low lower end of the box
 * @param high upper end of the box
 * @param points the centres (each of length d, CHW order), or null for the whole box
 * @param radius the balls' radius (ignored for the whole box)
 */
public record Region(double low, double high, double[][] points, double radius) {
  public Region {
    if (!(low < high && Double.isFinite(low) && Double.isFinite(high))) {
      throw new IllegalArgumentException("input box must be finite with low < high, got [" + low + ", " + high + "]");
    }
    if (points != null) {
      if (!(radius >= 0 && Double.isFinite(radius))) {
        throw new IllegalArgumentException("radius must be finite and >= 0, got " + radius);
      }
      if (points.length == 0) throw new IllegalArgumentException("a local region needs at least one point");
      for (int p = 0; p < points.length; p++) {
        for (double v : points[p]) {
          if (!(v + radius >= low && v - radius <= high)) {
            throw new IllegalArgumentException("the ball of radius " + radius + " around point " + p
                + " misses the input box [" + low + ", " + high + "] (coordinate " + v + ")");
          }
        }
      }
    }
  }

  /** The whole box. */
  public static Region box(double low, double high) { return new Region(low, high, null, Double.NaN); }

  /** Balls around points, clipped to the box. */
  public static Region balls(double low, double high, double[][] points, double radius) {
    return new Region(low, high, points, radius);
  }

  /** Whether the region is a set of balls. */
  public boolean local() { return points != null; }

  /**
   * The boxes the region is the union of, as {lo[], hi[]} per box: one box [low, high]^dim, or per point the
   * ball clipped to the box.
   */
  public List<double[][]> boxes(int dim) {
    List<double[][]> out = new ArrayList<>();
    if (points == null) {
      double[] lo = new double[dim];
      double[] hi = new double[dim];
      java.util.Arrays.fill(lo, low);
      java.util.Arrays.fill(hi, high);
      out.add(new double[][] {lo, hi});
      return out;
    }
    for (int p = 0; p < points.length; p++) {
      double[] x = points[p];
      if (x.length != dim) {
        throw new IllegalArgumentException("point " + p + " has " + x.length + " values, the input has " + dim);
      }
      double[] lo = new double[dim];
      double[] hi = new double[dim];
      for (int k = 0; k < dim; k++) {
        // x +- 0 is exact: a ball of radius 0 is its centre (no coefficients are then carried)
        lo[k] = radius == 0 ? x[k] : Math.max(low, Math.nextDown(x[k] - radius));
        hi[k] = radius == 0 ? x[k] : Math.min(high, Math.nextUp(x[k] + radius));
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
    for (double v : x) if (!(v >= low && v <= high)) return false;
    if (points == null) return true;
    for (double[] p : points) {
      if (p.length != x.length) continue;
      boolean in = true;
      for (int k = 0; k < x.length && in; k++) in = Math.abs(x[k] - p[k]) <= radius;
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
