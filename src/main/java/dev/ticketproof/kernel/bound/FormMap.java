package dev.ticketproof.kernel.bound;

/**
 * A feature map of affine forms in the input. Every neuron (unit, y, x) holds
 * \( v(\eta) = c + \sum_k a_k \eta_k + e \) with \( |e| \le r \), valid for every input of the region, where
 * \( \eta \in [-1,1]^K \) parametrises the region's box (input coordinate k is \( m_k + h_k \eta_k \)). The
 * coefficients cover only the neuron's window of the input: {@code cin} channels, {@code rh x rw} pixels with
 * origin (y sy - py, x sx - px), index {@code (ch * rh + dy) * rw + dx}; pixels outside the image have
 * coefficient 0. A map without coefficients ({@code coef == null}) holds intervals c &plusmn; r.
 *
 * <p>Geometry through a layer with kernel kh x kw, strides s, t and paddings p, q (rows, columns): sy' = sy s,
 * py' = py + p sy, rh' = rh + (kh - 1) sy, and sx' = sx t, px' = px + q sx, rw' = rw + (kw - 1) sx; tap (a, b) reads a
 * window that sits at offset (a sy, b sx) in the output's.
 * When a window would reach the size of the input image, the map is <em>absolute</em>: every neuron's window is the
 * whole input image (origin (0, 0), size h0 x w0).
 */
final class FormMap {
  final int units;
  final int h;
  final int w;
  final int sy;
  final int sx;
  final int py;
  final int px;
  final int rh;
  final int rw;
  final int cin;
  final boolean absolute;
  final double[] coef;
  final double[] c;
  final double[] r;
  /**
   * The centres' accumulated rounding errors while a source conv sums an interval map by compensated sums
   * ({@code DifferentialBound.Pass#addProduct}), else null.
   */
  double[] low;
  /**
   * Once the forward pass has finished this map and recorded a step that produces it: the same centres and radii
   * (shared arrays) without coefficients, which is all {@link BackSubstitution} reads of such a map (the twin's
   * own is itself); else null.
   */
  FormMap light;

  FormMap(int units, int h, int w, int sy, int sx, int py, int px, int rh, int rw, int cin, boolean absolute,
      boolean symbolic) {
    this.units = units;
    this.h = h;
    this.w = w;
    this.sy = sy;
    this.sx = sx;
    this.py = py;
    this.px = px;
    this.rh = rh;
    this.rw = rw;
    this.cin = cin;
    this.absolute = absolute;
    long n = (long) units * h * w;
    this.coef = symbolic ? new double[Math.toIntExact(n * size())] : null;
    this.c = new double[(int) n];
    this.r = new double[(int) n];
  }

  /** The map's twin without coefficients: its geometry, centres and radii (the same arrays). */
  private FormMap(FormMap m) {
    units = m.units;
    h = m.h;
    w = m.w;
    sy = m.sy;
    sx = m.sx;
    py = m.py;
    px = m.px;
    rh = m.rh;
    rw = m.rw;
    cin = m.cin;
    absolute = m.absolute;
    coef = null;
    c = m.c;
    r = m.r;
    light = this;
  }

  /** {@link #light}, made on the first call. */
  FormMap light() {
    if (light == null) light = new FormMap(this);
    return light;
  }

  /** An empty map with the geometry of {@code g} and {@code units} units. */
  static FormMap like(FormMap g, int units) {
    return new FormMap(units, g.h, g.w, g.sy, g.sx, g.py, g.px, g.rh, g.rw, g.cin, g.absolute, g.coef != null);
  }

  /** Coefficients per neuron. */
  int size() { return cin * rh * rw; }

  int positions() { return h * w; }

  /** Row of the input image where the window of output row y starts. */
  int originY(int y) { return absolute ? 0 : y * sy - py; }

  int originX(int x) { return absolute ? 0 : x * sx - px; }

  /** Neuron index of (unit, position). */
  int at(int unit, int pos) { return unit * h * w + pos; }

  /** |sum of |coefficients|| + r: the half-width of the neuron's range, rounded up. */
  double spread(int n) {
    double s = r[n];
    if (coef != null) {
      int base = n * size();
      for (int k = 0; k < size(); k++) s += Math.abs(coef[base + k]);
    }
    return Rounding.up(s);
  }

  /** The spreads of all neurons. */
  double[] spreads() {
    double[] s = new double[c.length];
    for (int n = 0; n < s.length; n++) s[n] = spread(n);
    return s;
  }

  /** A bound on |v| over the region: |c| + spread. */
  static double abs(double c, double spread) { return Rounding.up(Math.abs(c) + spread); }

  static double lo(double c, double spread) { return Math.nextDown(c - spread); }

  static double hi(double c, double spread) { return Math.nextUp(c + spread); }

  /**
   * Whether a map of these dimensions may hold coefficients within the budget (doubles per map).
   */
  static boolean fits(long units, long positions, long size, long budget) { return units * positions * size <= budget; }

  /**
   * The input map of a box region: channel i at (y, x) is m + h eta with m, h the midpoint and half-width of
   * [lo, hi] for that coordinate (h rounded up so that [m - h, m + h] contains [lo, hi]).
   *
   * @param lo per coordinate (CHW order)
   * @param hi per coordinate
   */
  static FormMap input(int c, int h, int w, double[] lo, double[] hi, boolean symbolic) {
    FormMap m = new FormMap(c, h, w, 1, 1, 0, 0, 1, 1, c, false, symbolic);
    for (int i = 0; i < c; i++) {
      for (int q = 0; q < h * w; q++) {
        int k = i * h * w + q;
        double mid = lo[k] + (hi[k] - lo[k]) / 2;
        double half = Math.nextUp(Math.max(hi[k] - mid, mid - lo[k]));
        int n = m.at(i, q);
        m.c[n] = mid;
        if (symbolic) {
          m.coef[n * m.size() + i] = half;
        } else {
          m.r[n] = half;
        }
      }
    }
    return m;
  }
}
