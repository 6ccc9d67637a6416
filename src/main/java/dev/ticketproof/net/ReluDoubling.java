package dev.ticketproof.net;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads activations of the ReLU family with slopes of their own (an {@code nn.PReLU} with one learned slope per
 * channel, or leaky slopes that differ from layer to layer) as ReLU, exactly: \( \mathrm{prelu}_a(z) = \mathrm{relu}(z)
 * - a\,\mathrm{relu}(-z) \) for any slope a. The conv or linear layer before such an activation computes its
 * channels twice, as z and -z (rows [W; -W], biases [b; -b]; a BatchNorm between them likewise, with mean and shift
 * negated in the second half), ReLU follows, and the conv or linear layer after it reads channel c as relu(z_c) and
 * C + c as relu(-z_c) with the columns [V_c, -a_c V_c]. A BatchNorm after the activation, \( s h + t \), becomes one of
 * the doubled channels (scales s and -a s, shifts t and 0) read with the columns [V, V]; average poolings and a
 * flatten between commute with all of this. Every sum is of the same terms, so the network computes the same function
 * up to rounding; where the layer after has padding, its zeros are read in both halves, which is what the activation
 * gives at 0. Negation is exact in floating point, so relu(-z) is exactly the negative part of the same z.
 *
 * <p>What cannot be read this way is refused: a max pooling next to the activation (the maximum of -z is not minus
 * the maximum of z), a residual block or another layer between, or no conv or linear layer before or after.
 */
public final class ReluDoubling {
  private ReluDoubling() {}

  /**
   * An activation of the ReLU family with its own slopes: \( \max(0, z) + a_c \min(0, z) \) on channel c (feature c
   * of a vector), or one slope for all.
   *
   * @param name the module's name, for messages
   * @param slopes one slope per channel, or one for every channel
   */
  public record Leaky(String name, double[] slopes) implements Layer {
    public Leaky {
      slopes = slopes.clone();
      if (slopes.length == 0) throw new IllegalArgumentException("activation " + name + ": no slope");
      for (double a : slopes) {
        if (!Double.isFinite(a)) throw new IllegalArgumentException("activation " + name + ": slope " + a);
      }
    }

    /** The slope of channel c. */
    double slope(int c) { return slopes[slopes.length == 1 ? 0 : c]; }

    @Override public int[] outShape(int[] in) {
      if (slopes.length > 1 && in[0] != slopes.length) {
        throw new IllegalArgumentException(describe() + " reads " + slopes.length + " channels, got "
            + Arrays.toString(in));
      }
      return in.clone();
    }

    @Override public Tensor forward(Tensor batch) {
      int[] s = batch.shape();
      int c = s.length > 1 ? s[1] : 1;
      int inner = 1;
      for (int i = 2; i < s.length; i++) inner *= s[i];
      double[] in = batch.data();
      double[] out = new double[in.length];
      for (int t = 0; t < in.length; t++) {
        double z = in[t];
        out[t] = z >= 0 ? z : slope(t / inner % c) * z;
      }
      return Tensor.of(out, s);
    }

    /** The activation, for messages: {@code prelu '2' (8 slopes, one per channel)}. */
    String what() {
      return slopes.length > 1 ? "prelu '" + name + "' (" + slopes.length + " slopes, one per channel)"
          : name.startsWith("leaky-relu(") ? "leaky relu of slope " + slopes[0]
          : "prelu '" + name + "' (slope " + slopes[0] + ")";
    }

    @Override public String describe() { return what() + ", read as relu of doubled channels"; }
  }

  /** Whether the network holds an activation with slopes of its own. */
  public static boolean needed(Network net) {
    return net.layers().stream().anyMatch(l -> l instanceof Leaky);
  }

  /**
   * The network with every {@link Leaky} activation read as ReLU of doubled channels.
   *
   * @param relu the ReLU the rewritten activations become
   * @throws IllegalArgumentException naming the activation when the layers around it do not allow the rewrite
   */
  public static Network apply(Network net, Activation relu) {
    List<Layer> layers = new ArrayList<>(net.layers());
    for (int i = 0; i < layers.size(); i++) {
      if (!(layers.get(i) instanceof Leaky act)) continue;
      int before = i - 1;
      while (before >= 0 && passes(layers.get(before))) before--;
      if (before < 0 || !(layers.get(before) instanceof Conv2d || layers.get(before) instanceof Linear)) {
        throw refused(act, before < 0 ? "no conv or linear layer before it"
            : "before it, " + layers.get(before).describe() + " stands where a conv or linear layer (with only a "
            + "BatchNorm, average poolings or a flatten between) is needed");
      }
      int after = i + 1;
      while (after < layers.size() && passes(layers.get(after))) after++;
      if (after == layers.size() || !(layers.get(after) instanceof Conv2d || layers.get(after) instanceof Linear)) {
        throw refused(act, after == layers.size() ? "no conv or linear layer after it"
            : "after it, " + layers.get(after).describe() + " stands where a conv or linear layer (with only a "
            + "BatchNorm, average poolings or a flatten between) is needed");
      }
      int channels = outputs(layers.get(before));
      if (act.slopes().length > 1 && act.slopes().length != channels) {
        throw refused(act, act.slopes().length + " slopes for the " + channels + " channels of "
            + layers.get(before).describe());
      }
      for (int j = before; j < i; j++) layers.set(j, doubled(layers.get(j)));
      layers.set(i, new ActivationLayer(relu));
      // after it: a BatchNorm becomes one of the doubled channels, read with [V, V]; else [V, -a V]
      boolean bn = false;
      for (int j = i + 1; j < after; j++) {
        if (layers.get(j) instanceof BatchNorm2d b) {
          if (bn) throw refused(act, "two BatchNorms after it");
          bn = true;
          layers.set(j, afterActivation(b, act));
        }
      }
      layers.set(after, columns(layers.get(after), act, channels, bn));
    }
    return new Network(net.inputShape(), layers, net.outputActivation());
  }

  /** Layers that commute with the rewrite: a BatchNorm, average poolings, a flatten. */
  private static boolean passes(Layer l) {
    return l instanceof BatchNorm2d || l instanceof AvgPool2d || l instanceof GlobalAvgPool || l instanceof Flatten;
  }

  private static IllegalArgumentException refused(Leaky act, String why) {
    return new IllegalArgumentException(act.what() + " is read as ReLU of doubled channels (prelu_a(z) = "
        + "relu(z) - a relu(-z)), which needs a conv or linear layer before and after it with only a BatchNorm, "
        + "average poolings or a flatten between: " + why);
  }

  private static int outputs(Layer l) {
    return l instanceof Conv2d c ? c.weight().shape()[0] : ((Linear) l).weight().shape()[0];
  }

  /** A layer before the activation computing its channels twice, as z and -z. */
  private static Layer doubled(Layer l) {
    if (l instanceof Conv2d c) {
      return new Conv2d(c.name(), rows(c.weight()), c.bias() == null ? null : rows(c.bias()), c.stride(), c.ph(),
          c.pw());
    }
    if (l instanceof Linear f) return new Linear(f.name(), rows(f.weight()), f.bias() == null ? null : rows(f.bias()));
    if (l instanceof BatchNorm2d b) {
      return new BatchNorm2d(b.name(), twice(b.gamma(), 1), twice(b.beta(), -1), twice(b.mean(), -1),
          twice(b.var(), 1), b.eps(), b.normalize());
    }
    return l; // poolings and a flatten work channel by channel
  }

  /** The rows (first dimension) of t, then their negatives. */
  private static Tensor rows(Tensor t) {
    double[] d = t.data();
    double[] out = new double[2 * d.length];
    for (int k = 0; k < d.length; k++) {
      out[k] = d[k];
      out[d.length + k] = -d[k];
    }
    int[] shape = t.shape().clone();
    shape[0] *= 2;
    return Tensor.of(out, shape);
  }

  private static double[] twice(double[] v, double sign) {
    double[] out = Arrays.copyOf(v, 2 * v.length);
    for (int k = 0; k < v.length; k++) out[v.length + k] = sign * v[k];
    return out;
  }

  /**
   * A BatchNorm after the activation, \( s h + t \) with \( h = \mathrm{relu}(z) - a\,\mathrm{relu}(-z) \): on the
   * doubled channels, the first half as it was, the second with scale -a s and no shift (gamma -a gamma, mean 0,
   * beta 0).
   */
  private static BatchNorm2d afterActivation(BatchNorm2d b, Leaky act) {
    int c = b.gamma().length;
    double[] gamma = Arrays.copyOf(b.gamma(), 2 * c);
    double[] beta = Arrays.copyOf(b.beta(), 2 * c);
    double[] mean = Arrays.copyOf(b.mean(), 2 * c);
    double[] var = Arrays.copyOf(b.var(), 2 * c);
    for (int k = 0; k < c; k++) {
      gamma[c + k] = -act.slope(k) * b.gamma()[k];
      var[c + k] = b.var()[k];
    }
    return new BatchNorm2d(b.name(), gamma, beta, mean, var, b.eps(), b.normalize());
  }

  /**
   * The layer after the activation reading the doubled channels: input channel c (a conv's, or the features a flatten
   * took from channel c) as relu(z_c) with column V_c, channel C + c as relu(-z_c) with column -a_c V_c (V_c again
   * when a BatchNorm between holds the slope).
   */
  private static Layer columns(Layer l, Leaky act, int channels, boolean bn) {
    Tensor w = l instanceof Conv2d c ? c.weight() : ((Linear) l).weight();
    int o = w.shape()[0];
    int in = w.shape()[1];
    int inner = 1;
    for (int k = 2; k < w.rank(); k++) inner *= w.shape()[k];
    if (in % channels != 0) {
      throw refused(act, l.describe() + " reads " + in + " inputs, not a multiple of the " + channels + " channels");
    }
    int per = in / channels; // features per channel after a flatten, 1 for a conv
    double[] d = w.data();
    double[] out = new double[2 * d.length];
    for (int r = 0; r < o; r++) {
      for (int j = 0; j < in; j++) {
        double a = bn ? -1 : act.slope(j / per);
        for (int q = 0; q < inner; q++) {
          double v = d[(r * in + j) * inner + q];
          out[(r * 2 * in + j) * inner + q] = v;
          out[(r * 2 * in + in + j) * inner + q] = -a * v;
        }
      }
    }
    int[] shape = w.shape().clone();
    shape[1] *= 2;
    Tensor doubled = Tensor.of(out, shape);
    if (l instanceof Conv2d c) return new Conv2d(c.name(), doubled, c.bias(), c.stride(), c.ph(), c.pw());
    return new Linear(((Linear) l).name(), doubled, ((Linear) l).bias());
  }
}
