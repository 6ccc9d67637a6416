package dev.ticketproof.io;

import dev.ticketproof.activation.Activation;

/** ReLU for the import tests (the models in the fixtures use it). */
final class Relu implements Activation {
  static final Relu INSTANCE = new Relu();

  @Override public String name() { return "relu"; }
  @Override public double value(double t) { return t > 0 ? t : 0.0; }
  @Override public double derivative(double t) { return t >= 0 ? 1 : 0; }
  @Override public double phi0() { return 0; }
  @Override public double slopeMinus() { return 0; }
  @Override public double slopePlus() { return 1; }
  @Override public double lipschitz() { return 1; }
  @Override public double remainderConstant() { return 0; }
  @Override public int remainderPower() { return 2; }
  @Override public double remainderRadius() { return Double.POSITIVE_INFINITY; }
  @Override public double[] image(double lo, double hi) { return new double[] {value(lo), value(hi)}; }
}
