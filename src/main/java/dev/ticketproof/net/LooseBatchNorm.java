package dev.ticketproof.net;

import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Folds the BatchNorms that do not directly follow a conv or linear layer into a layer next to them, where that is
 * exact. Such a BatchNorm is an affine map per channel, {@code y = s x + t} with \( s = \gamma / \sqrt{v + \epsilon}
 * \) and \( t = \beta - s \mu \); the normal form ({@code kernel.TargetPlan}) folds a BatchNorm into the conv or
 * linear layer right before it only.
 *
 * <ul>
 *   <li><b>Backward</b>, when only pooling layers stand between the BatchNorm and a conv or linear layer before it
 *       ({@code conv -> MaxPool2d -> BatchNorm2d -> ReLU}): an average pooling commutes with the per-channel affine
 *       map, a max pooling when no scale is negative ({@code max(s x + t) = s max(x) + t} for {@code s >= 0}; the
 *       rounding of {@code s x + t} is monotone in x too). Rows {@code o} of the layer are scaled by {@code s_o}, its
 *       bias becomes {@code s_o b_o + t_o}.</li>
 *   <li><b>Forward</b>, otherwise (the BatchNorm after an activation, {@code Linear -> ReLU -> BatchNorm1d ->
 *       Linear}, or first): into the next conv or linear layer, across flatten and pooling layers (as above):
 *       column {@code j} of that layer (input channel {@code i} of a conv, feature {@code j} of a linear layer,
 *       which a flatten took from channel {@code j / (H W)}) is scaled by {@code s} of its channel and the bias
 *       gains \( \sum_j W_{oj} t_{c(j)} \). Exact for a linear layer and for a conv without padding; a conv with
 *       padding reads zeros at the border where the BatchNorm's output would be shifted by {@code t}, so there it is
 *       exact only when every {@code t} is 0.</li>
 *   <li><b>Split</b>, before the forward fold, when the BatchNorm follows a relu or leaky relu that follows a conv or
 *       linear layer and no scale is negative: the scale into that layer (\( \phi(s z) = s \phi(z) \) for
 *       \( s \ge 0 \)), the shift forward as above. The same function; but the ticket's errors in a unit are not
 *       multiplied by its scale, which is large where a unit's outputs barely vary (a nearly dead relu's variance of
 *       1e-11 gives a scale of 311: its ticket at rho 16, eps 0.01 missed the target by 830 % folded forward and by
 *       6 % split).</li>
 * </ul>
 *
 * A BatchNorm that neither fold reaches stays in the network (its forward pass computes it as PyTorch does). The
 * first layer's (an input normalisation before a padded conv, say) is then the target's input map, which the
 * constructions read through ({@code kernel.TargetPlan#input}); for any other, {@link Result#refusal} says why the
 * ticket constructions cannot take it.
 */
public final class LooseBatchNorm {
  private LooseBatchNorm() {}

  /**
   * The network with every loose BatchNorm folded where that is exact.
   *
   * @param network the network (with its layers in order)
   * @param folded what was folded into what, one line per BatchNorm, e.g. {@code batchnorm '3' (after an activation)
   *     into linear '5'}
   * @param refusal why a BatchNorm that does not follow a conv or linear layer was left standing (the first such),
   *     or {@code null} when none was
   */
  public record Result(Network network, List<String> folded, String refusal) {}

  /**
   * Folds the loose BatchNorms of a network's top-level layers.
   *
   * @param net the network. Not modified; layers it does not change are shared.
   * @return the network with the foldable BatchNorms folded, what was folded and why the others were not
   * @throws IllegalArgumentException if the layers' shapes do not fit (as {@link Shapes#infer} would)
   */
  public static Result fold(Network net) {
    List<Layer> layers = new ArrayList<>(net.layers());
    List<String> folded = new ArrayList<>();
    String refusal = null;
    int i = 0;
    while (i < layers.size()) {
      if (!(layers.get(i) instanceof BatchNorm2d bn) || i > 0 && affine(layers.get(i - 1))) {
        i++;
        continue;
      }
      List<int[]> shapes = Shapes.infer(new Network(net.inputShape(), layers));
      String why = backward(layers, i, bn, folded);
      if (why == null || homogeneous(layers, shapes, i, bn, folded)) continue;
      String whyForward = forward(layers, shapes, i, bn, scaleShift(bn), null, folded);
      if (whyForward == null) continue;
      if (refusal == null && i > 0) refusal = why.isEmpty() ? whyForward : why;
      i++;
    }
    return new Result(folded.isEmpty() ? net : new Network(net.inputShape(), layers), folded, refusal);
  }

  private static boolean affine(Layer l) { return l instanceof Conv2d || l instanceof Linear; }

  private static boolean pooling(Layer l) {
    return l instanceof MaxPool2d || l instanceof AvgPool2d || l instanceof GlobalAvgPool;
  }

  /**
   * Folds the BatchNorm at {@code at} into the conv or linear layer before the pooling layers before it.
   *
   * @return {@code null} when folded (the BatchNorm removed), {@code ""} when no such layer is before it, else why
   *     not
   */
  private static String backward(List<Layer> layers, int at, BatchNorm2d bn, List<String> folded) {
    int j = at - 1;
    boolean max = false;
    while (j >= 0 && pooling(layers.get(j))) max |= layers.get(j--) instanceof MaxPool2d;
    if (j < 0 || j == at - 1 || !affine(layers.get(j))) return "";
    double[][] st = scaleShift(bn);
    String negative = max ? negative(bn, st[0]) : null;
    if (negative != null) {
      return bn.label() + " follows " + layers.get(j).describe() + " across a max pooling, which does not commute "
          + "with its " + negative;
    }
    Layer l = layers.get(j);
    int out = l instanceof Conv2d c ? c.outChannels() : ((Linear) l).outFeatures();
    if (out != bn.channels()) return "";
    layers.set(j, scaled(l, out, st[0], st[1]));
    layers.remove(at);
    folded.add(bn.label() + " (after " + layers.get(j + 1).describe() + ") into " + l.describe());
    return null;
  }

  /**
   * The conv or linear layer {@code l} of {@code out} outputs followed by the per-channel map s x + t: its weights of
   * output o times s[o], its bias s[o] b[o] + t[o] (t null: 0).
   */
  private static Layer scaled(Layer l, int out, double[] s, double[] t) {
    Tensor w = l instanceof Conv2d c ? c.weight() : ((Linear) l).weight();
    Tensor b = l instanceof Conv2d c ? c.bias() : ((Linear) l).bias();
    double[] k = w.data().clone();
    int per = k.length / out;
    double[] bias = new double[out];
    for (int o = 0; o < out; o++) {
      for (int q = o * per; q < (o + 1) * per; q++) k[q] *= s[o];
      bias[o] = s[o] * (b == null ? 0.0 : b.data()[o]) + (t == null ? 0.0 : t[o]);
    }
    return rebuild(l, Tensor.of(k, w.shape()), Tensor.of(bias, out));
  }

  /**
   * Folds the BatchNorm at {@code at}, after a relu or leaky relu after a conv or linear layer, with no negative
   * scale: its scale into that layer (\( \phi(s z) = s \phi(z) \) for \( s \ge 0 \)), its shift into the next
   * one ({@link #forward}). The same function as folding the whole BatchNorm forward, but a unit whose outputs barely
   * vary (a BatchNorm of a nearly dead relu divides by the square root of a variance near 0: scales of 300) has its
   * scale where the errors of the ticket's weights are not multiplied by it.
   *
   * @return whether it was folded (the BatchNorm removed)
   */
  private static boolean homogeneous(List<Layer> layers, List<int[]> shapes, int at, BatchNorm2d bn,
      List<String> folded) {
    if (at < 2 || !(layers.get(at - 1) instanceof ActivationLayer a) || !affine(layers.get(at - 2))) return false;
    String phi = a.phi().name();
    if (!phi.equals("relu") && !phi.startsWith("leaky-relu(")) return false;
    Layer l = layers.get(at - 2);
    int out = l instanceof Conv2d c ? c.outChannels() : ((Linear) l).outFeatures();
    double[][] st = scaleShift(bn);
    if (out != bn.channels()) return false;
    for (double v : st[0]) if (!(v >= 0)) return false;
    double[][] shift = {new double[out], st[1]};
    java.util.Arrays.fill(shift[0], 1.0);
    if (forward(layers, shapes, at, bn, shift, "its scale into " + l.describe() + " (" + phi + "(s z) = s " + phi
        + "(z) for s >= 0), its shift", folded) != null) {
      return false;
    }
    layers.set(at - 2, scaled(l, out, st[0], null));
    return true;
  }

  /**
   * Folds the per-channel affine map {@code st} ({s, t}) of the BatchNorm at {@code at} into the next conv or linear
   * layer across flatten and pooling layers.
   *
   * @param what what is folded there, for the line in {@code folded} ({@code null}: the BatchNorm)
   * @return {@code null} when folded (the BatchNorm removed), else why not
   */
  private static String forward(List<Layer> layers, List<int[]> shapes, int at, BatchNorm2d bn, double[][] st,
      String what, List<String> folded) {
    String after = at == 0 ? "first" : "after " + layers.get(at - 1).describe();
    int j = at + 1;
    boolean max = false;
    while (j < layers.size() && (pooling(layers.get(j)) || layers.get(j) instanceof Flatten)) {
      max |= layers.get(j++) instanceof MaxPool2d;
    }
    if (j == layers.size() || !affine(layers.get(j))) {
      return bn.label() + " (" + after + ") is followed by " + (j == layers.size() ? "no conv or linear layer"
          : layers.get(j).describe()) + ": a BatchNorm folds into the conv or linear layer right before it or, "
          + "across flatten and pooling layers only, into the one after it";
    }
    Layer l = layers.get(j);
    String negative = max ? negative(bn, st[0]) : null;
    if (negative != null) {
      return bn.label() + " (" + after + ") would fold into " + l.describe() + " across a max pooling, which "
          + "does not commute with its " + negative;
    }
    int[] in = shapes.get(j);
    int c = bn.channels();
    long values = 1;
    for (int d : in) values *= d;
    int inputs = l instanceof Conv2d conv ? conv.inChannels() : ((Linear) l).inFeatures();
    if (values % c != 0 || (l instanceof Conv2d conv2 ? conv2.inChannels() != c : inputs != values)) {
      throw new IllegalArgumentException(l.describe() + " does not read the " + c + " channels of " + bn.label()
          + " (input shape " + Arrays.toString(in) + ")");
    }
    if (l instanceof Conv2d conv && conv.padded()) {
      int shifted = -1;
      for (int ch = 0; ch < c && shifted < 0; ch++) if (st[1][ch] != 0) shifted = ch;
      if (shifted >= 0) {
        return bn.label() + " (" + after + ") would fold into the next layer, " + l.describe() + ", but that "
            + "conv pads its input with zeros: PyTorch pads the " + (bn.normalize() ? "normalised input" : "BatchNorm's "
            + "output") + ", so the shift (" + (bn.normalize() ? "-mean / std" : "beta - gamma mean / sqrt(var + eps)")
            + ", " + st[1][shifted] + " in channel " + shifted + ") is not added at the border, which a conv's one "
            + "bias per channel cannot follow; the network computes it exactly (eval), the ticket constructions need "
            + "it right after a conv or linear layer (conv -> BatchNorm -> activation), before a conv without "
            + "padding, or as the network's first layer";
      }
    }
    // the values of one channel are consecutive in C order: a conv's input channel i, or a block of `per` features
    // of a linear layer (a flatten of [C, H, W], or C features)
    int per = l instanceof Conv2d ? 1 : Math.toIntExact(values / c);
    Tensor w = l instanceof Conv2d conv ? conv.weight() : ((Linear) l).weight();
    Tensor b = l instanceof Conv2d conv ? conv.bias() : ((Linear) l).bias();
    int out = w.dim(0);
    int cols = w.size() / out;
    int tap = l instanceof Conv2d ? cols / c : 1;
    double[] k = w.data().clone();
    double[] bias = new double[out];
    for (int o = 0; o < out; o++) {
      double sum = b == null ? 0.0 : b.data()[o];
      for (int col = 0; col < cols; col++) {
        int ch = col / tap / per;
        int t = o * cols + col;
        sum += k[t] * st[1][ch];
        k[t] *= st[0][ch];
      }
      bias[o] = sum;
    }
    layers.set(j, rebuild(l, Tensor.of(k, w.shape()), Tensor.of(bias, out)));
    layers.remove(at);
    folded.add(bn.label() + " (" + after + ")" + (what == null ? "" : ": " + what) + " into " + l.describe());
    return null;
  }

  private static Layer rebuild(Layer l, Tensor weight, Tensor bias) {
    if (l instanceof Conv2d c) return new Conv2d(c.name(), weight, bias, c.stride(), c.ph(), c.pw());
    return new Linear(((Linear) l).name(), weight, bias);
  }

  /** {s, t} per channel: the BatchNorm is {@code s x + t}. */
  private static double[][] scaleShift(BatchNorm2d bn) {
    int c = bn.channels();
    double[][] st = new double[2][c];
    for (int ch = 0; ch < c; ch++) {
      st[0][ch] = bn.gamma()[ch] / Math.sqrt(bn.var()[ch] + bn.eps());
      st[1][ch] = bn.beta()[ch] - st[0][ch] * bn.mean()[ch];
    }
    return st;
  }

  private static String negative(BatchNorm2d bn, double[] s) {
    for (int ch = 0; ch < s.length; ch++) {
      if (s[ch] < 0) {
        return "negative scale in channel " + ch + " (gamma " + bn.gamma()[ch] + "): the maximum of -x is minus the "
            + "minimum of x";
      }
    }
    return null;
  }
}
