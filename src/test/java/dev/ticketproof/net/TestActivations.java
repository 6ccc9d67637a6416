package dev.ticketproof.net;

import dev.ticketproof.activation.Activation;
import java.util.function.DoubleUnaryOperator;

/** Small activations for substrate tests only (the catalog lives in {@code dev.ticketproof.activation}). */
final class TestActivations {
  private TestActivations() {}

  static final Activation IDENTITY = of("identity", t -> t, 1, 1);
  static final Activation RELU = of("relu", t -> t > 0 ? t : 0.0, 0, 1);
  static final Activation TANH = of("tanh", Math::tanh, 1, 1);

  private static Activation of(String name, DoubleUnaryOperator f, double mMinus, double mPlus) {
    return new Activation() {
      @Override public String name() { return name; }
      @Override public double value(double t) { return f.applyAsDouble(t); }
      @Override public double derivative(double t) { throw new UnsupportedOperationException("test activation"); }
      @Override public double phi0() { return f.applyAsDouble(0); }
      @Override public double slopeMinus() { return mMinus; }
      @Override public double slopePlus() { return mPlus; }
      @Override public double lipschitz() { return 1; }
      @Override public double remainderConstant() { throw new UnsupportedOperationException("test activation"); }
      @Override public int remainderPower() { throw new UnsupportedOperationException("test activation"); }
      @Override public double remainderRadius() { throw new UnsupportedOperationException("test activation"); }
      @Override public double[] image(double lo, double hi) {
        return new double[] {f.applyAsDouble(lo), f.applyAsDouble(hi)};
      }
      @Override public String toString() { return name; }
    };
  }
}
