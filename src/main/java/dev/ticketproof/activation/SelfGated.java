package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;

/**
 * An activation \( \phi(t) = t\,g(t) \) with a gate g that rises from 0 to 1 (SiLU, GELU and its tanh approximation,
 * Mish, hardswish): \( \phi(0) = 0 \), one slope \( m_- = m_+ = m \) at 0, a remainder \( M t^2 \) on all of R, and
 * one interior minimum, at {@link #argmin()}; one analytic piece serves both sides.
 */
interface SelfGated extends Activation, AnalyticPieces {
  /** m, the slope at 0 from either side. */
  double slopeAtZero();

  /** Where phi has its minimum (phi decreases before it, increases after it). */
  double argmin();

  @Override default double phi0() { return 0; }

  @Override default double slopeMinus() { return slopeAtZero(); }

  @Override default double slopePlus() { return slopeAtZero(); }

  @Override default int remainderPower() { return 2; }

  @Override default double remainderRadius() { return Double.POSITIVE_INFINITY; }

  /** The image of [lo, hi] (the interior minimum included), widened outwards by a few ulps for rounding. */
  @Override default double[] image(double lo, double hi) {
    return Images.widen(Images.withTurningPoint(this::value, argmin(), lo, hi));
  }

  @Override default UnivariateDifferentiableFunction left() { return right(); }
}
