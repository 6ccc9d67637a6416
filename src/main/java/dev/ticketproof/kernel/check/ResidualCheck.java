package dev.ticketproof.kernel.check;

import dev.ticketproof.kernel.Intervals;
import dev.ticketproof.kernel.Layout;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.check.Analysis.State;

/**
 * The checks of a residual block: both branch convolutions and the projection, then the pre-activation error branch +
 * skip.
 */
final class ResidualCheck {
  private ResidualCheck() {}

  static State run(Analysis an, SourceNetwork.Residual r, State in) {
    State h = ConvCheck.run(an, r.conv1(), in);
    State b = ConvCheck.run(an, r.conv2(), h);
    State p = r.projection() != null ? ConvCheck.run(an, r.projection(), in) : null;
    Layout out = b.layout;
    Intervals.Bounds iv = Intervals.residual(r.target(), in.lo, in.hi, an.phi);
    State s = new State(out, iv.lo(), iv.hi());
    for (int o = 0; o < out.units(); o++) {
      if (out.isConstant(o)) {
        double skip = p != null ? p.constVal[o] : in.constVal[o];
        s.constVal[o] = an.phi.value(b.constVal[o] + skip);
      } else {
        double skipErr = p != null ? p.unitErr[o] : in.unitErr[o];
        s.unitErr[o] = an.lip * (b.unitErr[o] + skipErr);
      }
    }
    return s;
  }
}
