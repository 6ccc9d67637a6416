package dev.ticketproof.kernel.lemma;

import dev.ticketproof.kernel.KernelActivation;
import dev.ticketproof.random.Uniform;

/**
 * A claim that a unit with zero input weights and bias \( \beta \) outputs the nonzero constant
 * \( c = \phi(\beta) \), and that {@code readout} \( \cdot c \) is within {@code deviation} of 1:
 * \( |\text{readout} \cdot \phi(\beta) - 1| \le \) deviation, where the deviation must cover
 * \( |\text{readout} \cdot c - 1| + |\text{readout}| \cdot \) valueError with valueError = 0 for piecewise-linear
 * phi and 2 ulp(c) otherwise (the rounding of the recorded value).
 *
 * @param activation the catalog name of a family {@link KernelActivation} knows
 * @param biasDistribution where beta comes from: {@code biasDistribution.value(seed, stream, index)}; null for a
 *     fixed beta (e.g. 0 for sigmoid, whose phi(0) = 1/2)
 * @param seed the source seed (ignored for a fixed beta)
 * @param stream weight-field stream (ignored for a fixed beta)
 * @param index index in the stream (ignored for a fixed beta)
 * @param bias beta
 * @param value c = phi(beta), nonzero
 * @param readout the weight that scales the unit towards 1 (normally 1/c)
 * @param deviation the claimed bound on |readout phi(beta) - 1|
 */
public record ConstantNeuronCertificate(String activation, Uniform biasDistribution, long seed, long stream,
    long index, double bias, double value, double readout, double deviation) {
  /** A copy with another seed. */
  public ConstantNeuronCertificate withSeed(long newSeed) {
    return new ConstantNeuronCertificate(activation, biasDistribution, newSeed, stream, index, bias, value, readout,
        deviation);
  }

  /** A copy with another recorded value. */
  public ConstantNeuronCertificate withValue(double newValue) {
    return new ConstantNeuronCertificate(activation, biasDistribution, seed, stream, index, bias, newValue, readout,
        deviation);
  }

  /** A copy with another bias, readout and deviation. */
  public ConstantNeuronCertificate withBias(double newBias) {
    return new ConstantNeuronCertificate(activation, biasDistribution, seed, stream, index, newBias, value, readout,
        deviation);
  }

  /** A copy with another claimed deviation. */
  public ConstantNeuronCertificate withDeviation(double newDeviation) {
    return new ConstantNeuronCertificate(activation, biasDistribution, seed, stream, index, bias, value, readout,
        newDeviation);
  }
}
