package dev.ticketproof.kernel;

/**
 * How the channels ("units") of a source feature map relate to the target's channels.
 *
 * <ul>
 *   <li>{@code INPUT}: unit i is the target's input channel i, exactly.</li>
 *   <li>{@code UNIVARIATE}: unit (i, m) = phi(w1_{i,m} x_i) for a univariate source weight w1 (copies m &lt; rho of
 *       every channel i &lt; n); then the constant units phi(beta_m) ({@code SourceNetwork#constants}).</li>
 *   <li>{@code COPIES}: unit (i, m) approximates the target's channel i; then rho constant units.</li>
 *   <li>{@code PLAIN}: unit j approximates the target's channel j (no copies, no constants).</li>
 * </ul>
 * Unit index of copy (i, m) is {@code i * rho + m}; of constant m it is {@code n * rho + m}.
 *
 * @param kind the kind
 * @param n number of target channels represented
 * @param rho copies per channel (1 for INPUT and PLAIN)
 * @param constants number of constant units (0 for INPUT and PLAIN)
 */
public record Layout(Kind kind, int n, int rho, int constants) {
  /** The kinds of layout. */
  public enum Kind { INPUT, UNIVARIATE, COPIES, PLAIN }

  public static Layout input(int n) { return new Layout(Kind.INPUT, n, 1, 0); }

  public static Layout plain(int n) { return new Layout(Kind.PLAIN, n, 1, 0); }

  public static Layout univariate(int n, int rho, int constants) {
    return new Layout(Kind.UNIVARIATE, n, rho, constants);
  }

  public static Layout copies(int n, int rho) { return new Layout(Kind.COPIES, n, rho, rho); }

  /** Whether the layout has copies and constant units. */
  public boolean hasConstants() { return kind == Kind.UNIVARIATE || kind == Kind.COPIES; }

  /** Total number of units (channels of the source feature map). */
  public int units() { return hasConstants() ? rho * n + constants : n; }

  /** The target channel a unit represents, or -1 for a constant unit. */
  public int channel(int unit) {
    if (!hasConstants()) return unit;
    int i = unit / rho;
    return i < n ? i : -1;
  }

  /** Whether the unit is a constant unit. */
  public boolean isConstant(int unit) { return hasConstants() && unit >= n * rho; }

  /** The unit of copy m of channel i. */
  public int copy(int i, int m) { return hasConstants() ? i * rho + m : i; }

  /** The unit of constant m. */
  public int constant(int m) { return n * rho + m; }
}
