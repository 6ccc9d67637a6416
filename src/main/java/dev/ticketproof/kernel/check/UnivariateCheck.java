package dev.ticketproof.kernel.check;

import dev.ticketproof.kernel.Layout;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.check.Analysis.Rejection;
import dev.ticketproof.kernel.check.Analysis.State;
import dev.ticketproof.kernel.check.TicketChecker.LayerReport;

/**
 * The checks of a univariate (copy) layer: kept weights only from the copied channel, biases only on constant units;
 * the copies' weights and the constant units' values.
 */
final class UnivariateCheck {
  private UnivariateCheck() {}

  static State run(Analysis an, SourceNetwork.Univariate u, State in) {
    Layout out = u.out();
    int[] kw = an.cert.keptWeights()[u.id()];
    int[] kb = an.cert.keptBiases()[u.id()];
    State s = new State(out, in.lo, in.hi);
    s.inErr = new double[out.n()];
    for (int i = 0; i < out.n(); i++) s.inErr[i] = in.unitErr[in.layout.copy(i, 0)];
    s.w1 = new double[out.units()];
    s.alive = new boolean[out.units()];
    long inUnits = in.layout.units();
    Analysis.increasing(kw, inUnits * out.units(), "univariate layer " + u.id() + ": weight index");
    for (long idx : kw) {
      int o = (int) (idx / inUnits);
      int from = (int) (idx % inUnits);
      if (out.isConstant(o) || from != out.channel(o)) {
        throw new Rejection("univariate layer " + u.id() + ": unit " + o + " keeps a weight from input " + from
            + (out.isConstant(o) ? " but is a constant unit" : " but copies channel " + out.channel(o)));
      }
      s.alive[o] = true;
      s.w1[o] = u.w1(an.seed, o);
    }
    for (int o = out.constant(0); o < out.units(); o++) s.constVal[o] = an.phi.value(0);
    Analysis.increasing(kb, out.units(), "univariate layer " + u.id() + ": bias index");
    for (int o : kb) {
      if (!out.isConstant(o)) {
        throw new Rejection("univariate layer " + u.id() + ": copy unit " + o + " keeps its bias");
      }
      s.constVal[o] = an.phi.value(u.beta(an.seed, o));
    }
    an.report(new LayerReport("copies(" + nextName(an.src, u) + ")", 0, 0, 0, 0));
    return s;
  }

  /** The name of the layer that reads a univariate layer (the node after it). */
  static String nextName(SourceNetwork src, SourceNetwork.Univariate u) {
    int k = src.nodes().indexOf(u) + 1;
    return k < src.nodes().size() && src.nodes().get(k) instanceof SourceNetwork.Conv c ? c.target().name() : "?";
  }
}
