package dev.ticketproof.activation;

import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;

/**
 * An activation given as two analytic pieces meeting at 0: \( \phi(t) = \phi_-(t) \) for \( t < 0 \) and
 * \( \phi(t) = \phi_+(t) \) for \( t \ge 0 \). Each piece is a Commons Math
 * {@link UnivariateDifferentiableFunction}, so its derivatives of any order at any point (in particular the
 * one-sided derivatives at 0) can be computed with {@code DerivativeStructure} instead of being typed in.
 * For a smooth activation both pieces are the same function.
 *
 * <p>{@link ConstantDerivation} uses the pieces to derive the constants that {@link Activation} states.
 */
public interface AnalyticPieces {
  /** The piece used for t &lt; 0 (it must agree with the activation's value there). */
  UnivariateDifferentiableFunction left();

  /** The piece used for t &ge; 0 (it must agree with the activation's value there). */
  UnivariateDifferentiableFunction right();
}
