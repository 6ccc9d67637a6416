package dev.ticketproof.net;

import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Folds every inference-mode BatchNorm into the conv that precedes it ([residual]: BatchNorm at inference is affine
 * and folds exactly). With \( s_o = \gamma_o / \sqrt{v_o + \epsilon} \):
 * \( K'[o,\cdot] = s_o K[o,\cdot] \) and \( b'_o = \beta_o - s_o \mu_o + s_o b_o \) (\( b_o = 0 \) for a conv
 * without bias), so \( \mathrm{bn}(\mathrm{conv}_K(x) + b) = \mathrm{conv}_{K'}(x) + b' \) exactly in real
 * arithmetic; in floating point the two differ by rounding only.
 *
 * <p>Folding reaches inside {@link ResidualBlock}s (bn1 into conv1, bn2 into conv2, the projection's BN into the
 * projection conv) and inside {@link Residual} bodies and shortcuts; dense and sparse convs both fold (a sparse
 * conv keeps its sparsity pattern).
 */
public final class BatchNormFolding {
  private BatchNormFolding() {}

  /**
   * An equivalent network without BatchNorm layers.
   *
   * @param net the network. Not modified.
   * @return a network with the same input shape, every BatchNorm folded into its conv; convs followed by a
   *     BatchNorm get a bias; all other layers are kept as they are (shared, not copied)
   * @throws IllegalArgumentException if some BatchNorm does not directly follow a conv (dense or sparse) with the
   *     same number of output channels; the message names the BatchNorm and what precedes it
   */
  public static Network fold(Network net) {
    return new Network(net.inputShape(), foldLayers(net.layers(), "network"));
  }

  /**
   * Folds BatchNorms in a sequence of layers.
   *
   * @param layers the layers. Not modified.
   * @param where a description of the sequence for messages (e.g. {@code network}, {@code residual 'blocks.1'})
   * @return the folded sequence
   * @throws IllegalArgumentException if a BatchNorm does not follow a conv
   */
  public static List<Layer> foldLayers(List<Layer> layers, String where) {
    List<Layer> out = new ArrayList<>(layers.size());
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      if (layer instanceof BatchNorm2d bn) {
        Layer prev = out.isEmpty() ? null : out.get(out.size() - 1);
        if (prev instanceof Conv2d c) {
          out.set(out.size() - 1, fold(c, bn));
        } else if (prev instanceof SparseConv2d c) {
          out.set(out.size() - 1, fold(c, bn));
        } else {
          throw new IllegalArgumentException("batchnorm '" + bn.name() + "' (layer " + i + " of " + where
              + ") cannot be folded: it must directly follow a conv, but follows "
              + (prev == null ? "nothing" : prev.describe()));
        }
      } else if (layer instanceof ResidualBlock b) {
        out.add(fold(b));
      } else if (layer instanceof Residual r) {
        out.add(fold(r));
      } else {
        out.add(layer);
      }
    }
    return out;
  }

  /**
   * A residual block with its BatchNorms folded: bn1 into conv1, bn2 into conv2, the projection's BN into the
   * projection conv. The result has {@code bn1 == bn2 == null} and a projection without BN.
   *
   * @param block the block. Not modified.
   * @return the folded block
   * @throws IllegalArgumentException if a BatchNorm's channel count differs from its conv's output channels
   */
  public static ResidualBlock fold(ResidualBlock block) {
    Conv2d c1 = block.bn1() == null ? block.conv1() : fold(block.conv1(), block.bn1());
    Conv2d c2 = block.bn2() == null ? block.conv2() : fold(block.conv2(), block.bn2());
    ResidualBlock.Shortcut sc = block.shortcut();
    if (sc instanceof ResidualBlock.Projection p && p.bn() != null) {
      sc = new ResidualBlock.Projection(fold(p.conv(), p.bn()), null);
    }
    return new ResidualBlock(block.name(), c1, null, c2, null, sc, block.phi());
  }

  /**
   * A general residual layer with BatchNorms folded in its body and its shortcut.
   *
   * @param residual the layer. Not modified.
   * @return the folded layer
   * @throws IllegalArgumentException if a BatchNorm does not follow a conv
   */
  public static Residual fold(Residual residual) {
    return new Residual(residual.name(),
        foldLayers(residual.body(), "body of residual '" + residual.name() + "'"),
        foldLayers(residual.shortcut(), "shortcut of residual '" + residual.name() + "'"), residual.phi());
  }

  /**
   * The conv equivalent to {@code bn(conv(x))}: \( K' = s K \), \( b' = \beta - s \mu + s b \) per output channel.
   *
   * @param conv the conv. Not modified.
   * @param bn the BatchNorm after it. Not modified.
   * @return a conv with the same name, stride and padding, and a bias
   * @throws IllegalArgumentException if {@code bn.channels() != conv.outChannels()}
   */
  public static Conv2d fold(Conv2d conv, BatchNorm2d bn) {
    double[] s = scales(conv.outChannels(), conv.describe(), bn);
    int o = conv.outChannels();
    double[] w = conv.weight().data().clone();
    int fanIn = w.length / o;
    for (int oc = 0; oc < o; oc++) {
      for (int t = oc * fanIn; t < (oc + 1) * fanIn; t++) w[t] *= s[oc];
    }
    Tensor weight = new Tensor(conv.weight().shape().clone(), w);
    return new Conv2d(conv.name(), weight, foldedBias(conv.bias(), bn, s), conv.stride(), conv.ph(),
        conv.pw());
  }

  /**
   * The sparse conv equivalent to {@code bn(conv(x))}, with the same kept positions.
   *
   * @param conv the sparse conv. Not modified.
   * @param bn the BatchNorm after it. Not modified.
   * @return a sparse conv with the same name, pattern, stride and padding, and a bias
   * @throws IllegalArgumentException if {@code bn.channels() != conv.outChannels()}
   */
  public static SparseConv2d fold(SparseConv2d conv, BatchNorm2d bn) {
    double[] s = scales(conv.outChannels(), conv.describe(), bn);
    double[] v = conv.values().clone();
    int[] rowStart = conv.rowStart();
    for (int oc = 0; oc < conv.outChannels(); oc++) {
      for (int k = rowStart[oc]; k < rowStart[oc + 1]; k++) v[k] *= s[oc];
    }
    return new SparseConv2d(conv.name(), conv.outChannels(), conv.inChannels(), conv.kernelHeight(),
        conv.kernelWidth(), conv.stride(), conv.ph(), conv.pw(), rowStart.clone(), conv.column().clone(), v,
        foldedBias(conv.bias(), bn, s));
  }

  private static double[] scales(int outChannels, String conv, BatchNorm2d bn) {
    if (bn.channels() != outChannels) {
      throw new IllegalArgumentException("batchnorm '" + bn.name() + "' has " + bn.channels()
          + " channels but the preceding " + conv + " has " + outChannels + " output channels");
    }
    double[] s = new double[outChannels];
    for (int c = 0; c < outChannels; c++) s[c] = bn.gamma()[c] / Math.sqrt(bn.var()[c] + bn.eps());
    return s;
  }

  private static Tensor foldedBias(Tensor bias, BatchNorm2d bn, double[] s) {
    double[] b = new double[s.length];
    for (int c = 0; c < s.length; c++) {
      double old = bias == null ? 0.0 : bias.data()[c];
      b[c] = bn.beta()[c] - s[c] * bn.mean()[c] + s[c] * old;
    }
    return Tensor.of(b, s.length);
  }
}
