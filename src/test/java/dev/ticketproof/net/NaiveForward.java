package dev.ticketproof.net;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.tensor.Tensor;

/**
 * Reference forward pass by direct loops over the mathematical definitions; used only to check {@link Forward}.
 * Works on a single example at a time, shapes without the batch dimension.
 */
final class NaiveForward {
  private NaiveForward() {}

  /** Runs a network on a batch [N, ...inputShape] (or the [N, F] / [N, F, 1, 1] variants). */
  static Tensor forward(Network net, Tensor batch) {
    int n = batch.dim(0);
    int per = batch.size() / n;
    double[][] outs = new double[n][];
    int[] outShape = null;
    for (int e = 0; e < n; e++) {
      double[] x = new double[per];
      System.arraycopy(batch.data(), e * per, x, 0, per);
      int[] shape = net.inputShape().clone();
      for (Layer layer : net.layers()) {
        Ex r = layer(layer, new Ex(x, shape));
        x = r.data;
        shape = r.shape;
      }
      outs[e] = x;
      outShape = shape;
    }
    int m = outs[0].length;
    double[] all = new double[n * m];
    for (int e = 0; e < n; e++) System.arraycopy(outs[e], 0, all, e * m, m);
    int[] full = new int[outShape.length + 1];
    full[0] = n;
    System.arraycopy(outShape, 0, full, 1, outShape.length);
    return Tensor.of(all, full);
  }

  record Ex(double[] data, int[] shape) {}

  static Ex layer(Layer layer, Ex x) {
    if (layer instanceof Conv2d c) {
      return conv(c.weight().data(), c.outChannels(), c.inChannels(), c.kernelHeight(), c.kernelWidth(),
          c.bias() == null ? null : c.bias().data(), c.stride(), c.ph(), c.pw(), x);
    }
    if (layer instanceof SparseConv2d s) {
      // reference for the sparse layer: the dense definition on the equivalent dense kernel
      Conv2d c = s.toDense();
      return layer(c, x);
    }
    if (layer instanceof Linear l) return linear(l.weight().data(), l.outFeatures(), l.inFeatures(), l.bias(), x);
    if (layer instanceof SparseLinear s) return layer(s.toDense(), x);
    if (layer instanceof ActivationLayer a) return act(a.phi(), x);
    if (layer instanceof BatchNorm2d bn) return bn(bn, x);
    if (layer instanceof AvgPool2d p) return avgPool(p.kh(), p.kw(), p.sh(), p.sw(), x);
    if (layer instanceof GlobalAvgPool) return avgPool2(x);
    if (layer instanceof Flatten) return new Ex(x.data.clone(), new int[] {x.data.length});
    if (layer instanceof ResidualBlock b) return residual(b, x);
    if (layer instanceof Residual r) {
      Ex t = x;
      for (Layer l : r.body()) t = layer(l, t);
      Ex skip = x;
      for (Layer l : r.shortcut()) skip = layer(l, skip);
      double[] y = new double[t.data.length];
      for (int p = 0; p < y.length; p++) {
        double v = t.data[p] + skip.data[p];
        y[p] = r.phi() == null ? v : r.phi().value(v);
      }
      return new Ex(y, t.shape);
    }
    throw new IllegalArgumentException("unknown layer " + layer);
  }

  static Ex conv(double[] k, int o, int c, int kh, int kw, double[] bias, int s, int ph, int pw, Ex x) {
    int h = x.shape[1];
    int w = x.shape[2];
    int ho = (h + 2 * ph - kh) / s + 1;
    int wo = (w + 2 * pw - kw) / s + 1;
    double[] y = new double[o * ho * wo];
    for (int oc = 0; oc < o; oc++) {
      for (int p = 0; p < ho; p++) {
        for (int q = 0; q < wo; q++) {
          double sum = 0;
          for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < kh; i++) {
              for (int j = 0; j < kw; j++) {
                int iy = p * s - ph + i;
                int ix = q * s - pw + j;
                if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                  sum += k[((oc * c + ch) * kh + i) * kw + j] * x.data[(ch * h + iy) * w + ix];
                }
              }
            }
          }
          y[(oc * ho + p) * wo + q] = bias == null ? sum : sum + bias[oc];
        }
      }
    }
    return new Ex(y, new int[] {o, ho, wo});
  }

  static Ex linear(double[] wt, int out, int in, Tensor bias, Ex x) {
    double[] y = new double[out];
    for (int j = 0; j < out; j++) {
      double sum = 0;
      for (int i = 0; i < in; i++) sum += wt[j * in + i] * x.data[i];
      y[j] = bias == null ? sum : sum + bias.data()[j];
    }
    return new Ex(y, new int[] {out});
  }

  static Ex act(Activation phi, Ex x) {
    double[] y = new double[x.data.length];
    for (int t = 0; t < y.length; t++) y[t] = phi.value(x.data[t]);
    return new Ex(y, x.shape.clone());
  }

  static Ex bn(BatchNorm2d bn, Ex x) {
    int c = x.shape[0];
    int plane = x.shape[1] * x.shape[2];
    double[] y = new double[x.data.length];
    for (int ch = 0; ch < c; ch++) {
      for (int p = 0; p < plane; p++) {
        y[ch * plane + p] = bn.gamma()[ch] * (x.data[ch * plane + p] - bn.mean()[ch])
            / Math.sqrt(bn.var()[ch] + bn.eps()) + bn.beta()[ch];
      }
    }
    return new Ex(y, x.shape.clone());
  }

  static Ex avgPool(int kh, int kw, int sh, int sw, Ex x) {
    int c = x.shape[0];
    int h = x.shape[1];
    int w = x.shape[2];
    int ho = (h - kh) / sh + 1;
    int wo = (w - kw) / sw + 1;
    double[] y = new double[c * ho * wo];
    for (int ch = 0; ch < c; ch++) {
      for (int p = 0; p < ho; p++) {
        for (int q = 0; q < wo; q++) {
          double sum = 0;
          for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) sum += x.data[(ch * h + p * sh + i) * w + q * sw + j];
          }
          y[(ch * ho + p) * wo + q] = sum / (kh * kw);
        }
      }
    }
    return new Ex(y, new int[] {c, ho, wo});
  }

  static Ex avgPool2(Ex x) {
    int c = x.shape[0];
    int plane = x.shape[1] * x.shape[2];
    double[] y = new double[c];
    for (int ch = 0; ch < c; ch++) {
      double sum = 0;
      for (int p = 0; p < plane; p++) sum += x.data[ch * plane + p];
      y[ch] = sum / plane;
    }
    return new Ex(y, new int[] {c, 1, 1});
  }

  static Ex residual(ResidualBlock b, Ex x) {
    Ex t = layer(b.conv1(), x);
    if (b.bn1() != null) t = bn(b.bn1(), t);
    t = act(b.phi(), t);
    t = layer(b.conv2(), t);
    if (b.bn2() != null) t = bn(b.bn2(), t);
    Ex skip;
    if (b.shortcut() instanceof ResidualBlock.Identity id) {
      double[] y = x.data.clone();
      if (id.scale() != null) {
        int plane = x.shape[1] * x.shape[2];
        for (int p = 0; p < y.length; p++) y[p] *= id.scale()[p / plane];
      }
      skip = new Ex(y, x.shape.clone());
    } else {
      ResidualBlock.Projection pr = (ResidualBlock.Projection) b.shortcut();
      skip = layer(pr.conv(), x);
      if (pr.bn() != null) skip = bn(pr.bn(), skip);
    }
    double[] sum = new double[t.data.length];
    for (int p = 0; p < sum.length; p++) sum[p] = b.phi().value(t.data[p] + skip.data[p]);
    return new Ex(sum, t.shape);
  }
}
