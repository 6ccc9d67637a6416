package dev.ticketproof.kernel;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.AvgPool2d;
import dev.ticketproof.net.BatchNorm2d;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Flatten;
import dev.ticketproof.net.GlobalAvgPool;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.MaxPool2d;
import dev.ticketproof.net.Network;
import dev.ticketproof.net.ResidualBlock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A target network in the normal form the constructions and the kernel work on: every affine layer is a
 * convolution ({@link Affine}) with BatchNorm folded in; a linear layer after a flatten is a convolution whose
 * kernel covers the whole feature map; a linear layer on a vector is a 1x1 convolution on a 1x1 image; pooling and
 * residual blocks keep their structure. One activation phi is used throughout.
 *
 * <p>BatchNorm folding (exact up to rounding): \( K' = \frac{\gamma}{\sqrt{v+\epsilon}} K \),
 * \( b' = \beta + \frac{\gamma}{\sqrt{v+\epsilon}} (b - \mu) \).
 *
 * <p>A BatchNorm or an input normalisation that is the network's first layer is the plan's {@link InputMap}: a
 * per-channel affine map before the steps, which the source network reads through as the target does.
 *
 * @param inputShape {C, H, W}
 * @param steps the steps in order
 * @param phi the activation
 * @param input the per-channel affine map applied to the input before the first step, or null
 */
public record TargetPlan(int[] inputShape, List<Step> steps, Activation phi, InputMap input) {

  /** The same steps without the input map: the function of the mapped input. */
  public TargetPlan withoutInput() { return new TargetPlan(inputShape, steps, phi, null); }

  /**
   * y = scale[c] x + shift[c] on input channel c (a vector input's features are its channels), as the double
   * expression {@code scale * x + shift}: a first BatchNorm's \( \gamma / \sqrt{v + \epsilon} \) and
   * \( \beta - s \mu \), an input normalisation's 1 / std and -mean / std. Every scale is finite and nonzero, every
   * shift finite; not modified.
   */
  public record InputMap(double[] scale, double[] shift) {
    public InputMap {
      for (int c = 0; c < scale.length; c++) {
        if (!(Double.isFinite(scale[c]) && scale[c] != 0 && Double.isFinite(shift[c]))) {
          throw new IllegalArgumentException("input channel " + c + " is mapped to " + scale[c] + " x + " + shift[c]
              + ": its scale must be finite and nonzero (a zero scale makes the channel a constant), its shift finite");
        }
      }
    }

    /** The mapped input (CHW order, length a multiple of the channel count). */
    public double[] apply(double[] x) {
      int per = x.length / scale.length;
      double[] y = new double[x.length];
      for (int k = 0; k < x.length; k++) y[k] = scale[k / per] * x[k] + shift[k / per];
      return y;
    }

    /**
     * An interval containing the image of [lo, hi] (lo &lt;= hi) on channel c, in real arithmetic and as
     * {@link #apply} computes it: each end moved out by the rounding of the product and of the sum.
     */
    public double[] interval(int c, double lo, double hi) {
      double a = scale[c] * lo;
      double b = scale[c] * hi;
      double ya = a + shift[c];
      double yb = b + shift[c];
      double ea = Math.ulp(a) + Math.ulp(ya);
      double eb = Math.ulp(b) + Math.ulp(yb);
      return new double[] {Math.nextDown(Math.min(ya - ea, yb - eb)), Math.nextUp(Math.max(ya + ea, yb + eb))};
    }

    /**
     * Per channel c, {@link #interval} of its interval in a box: [low, high] on every channel, or {@code boxes[c]}
     * when not null.
     */
    public double[][] image(double low, double high, double[][] boxes) {
      double[][] out = new double[scale.length][];
      for (int c = 0; c < out.length; c++) {
        out[c] = boxes == null ? interval(c, low, high) : interval(c, boxes[c][0], boxes[c][1]);
      }
      return out;
    }
  }

  /** A step of the plan. */
  public sealed interface Step permits Affine, Pool, Residual {
    /** Output shape {C, H, W}. */
    int[] outShape();
  }

  /**
   * A convolution y = K * x + b (cross-correlation, zero padding of ph rows above and below and pw columns left and
   * right), optionally followed by phi.
   *
   * @param name layer name (tensor-name prefix)
   * @param ph zero rows above and below the input
   * @param pw zero columns left and right of the input
   * @param kernel weights in OIHW order, length out*in*kh*kw
   * @param bias per output channel (zeros when the layer has none)
   */
  public record Affine(String name, int out, int in, int kh, int kw, int stride, int ph, int pw, double[] kernel,
      double[] bias, boolean phiAfter, int[] inShape, int[] outShape) implements Step {
    public double k(int o, int i, int a, int c) { return kernel[((o * in + i) * kh + a) * kw + c]; }

    /** Whether the layer pads its input on some side (zero padding then adds the value 0 to what a tap reads). */
    public boolean padded() { return ph > 0 || pw > 0; }

    /** Row of the tap that never reads padding (the "centre" tap (ph, pw) when 2 ph &lt;= kh - 1). */
    public int centreA() { return Math.min(ph, kh - 1); }

    /** Column of the tap that never reads padding (the "centre" tap (ph, pw) when 2 pw &lt;= kw - 1). */
    public int centreC() { return Math.min(pw, kw - 1); }

  }

  /**
   * Average pooling (global when {@code global}; no padding) or max pooling ({@code max}; padding never the
   * maximum) with kh x kw windows, strides sh, sw and paddings ph, pw; channelwise and non-expansive in the sup norm.
   */
  public record Pool(boolean global, boolean max, int kh, int kw, int sh, int sw, int ph, int pw, int[] inShape,
      int[] outShape) implements Step {}

  /**
   * A residual block: out = phi( conv2(conv1 x) + skip(x) ) where conv1 has phiAfter and conv2 has not. An
   * identity skip with a per-channel scale other than 1 is the 1x1 projection with kernel diag(scale), named
   * {@code NAME.shortcut} (a source network prunes it like any projection).
   *
   * @param projection the projection skip (no phi after), or null for an identity skip
   */
  public record Residual(String name, Affine conv1, Affine conv2, Affine projection, int[] outShape)
      implements Step {}

  /**
   * Builds the plan of a network whose activation layers all use {@code phi}.
   *
   * @throws IllegalArgumentException for an unsupported layer order or a shape mismatch, naming the layer
   */
  public static TargetPlan of(Network net, Activation phi) {
    List<Step> steps = new ArrayList<>();
    int[] input = net.inputShape().length == 1 ? new int[] {net.inputShape()[0], 1, 1} : net.inputShape().clone();
    if (input.length != 3) throw new IllegalArgumentException("input shape must be {C,H,W} or {F}");
    int[] shape = input;
    List<Layer> layers = net.layers();
    boolean flattened = false;
    KernelActivation kphi = KernelActivation.of(phi.name());
    InputMap map = null;
    if (!layers.isEmpty() && layers.get(0) instanceof BatchNorm2d bn) {
      if (bn.channels() != input[0]) {
        throw new IllegalArgumentException(bn.label() + " has " + bn.channels() + " channels, the input has "
            + input[0]);
      }
      double[] s = new double[input[0]];
      double[] t = new double[input[0]];
      for (int c = 0; c < s.length; c++) {
        s[c] = bn.gamma()[c] / Math.sqrt(bn.var()[c] + bn.eps());
        t[c] = bn.beta()[c] - s[c] * bn.mean()[c];
      }
      try {
        map = new InputMap(s, t);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(bn.label() + " (first, read as the input map): " + e.getMessage());
      }
    }
    for (int li = map == null ? 0 : 1; li < layers.size(); li++) {
      Layer layer = layers.get(li);
      if (layer instanceof Conv2d || layer instanceof Linear) {
        // a conv or linear layer takes the BatchNorm after it, either takes the activation after it
        BatchNorm2d bn = li + 1 < layers.size() && layers.get(li + 1) instanceof BatchNorm2d b ? b : null;
        if (bn != null) li++;
        boolean act = li + 1 < layers.size() && layers.get(li + 1) instanceof ActivationLayer;
        // max pooling, then phi: the same as phi, then the pooling, for a non-decreasing phi (phi(max z) = max phi(z))
        MaxPool2d poolFirst = layer instanceof Conv2d && !act && li + 2 < layers.size()
            && layers.get(li + 1) instanceof MaxPool2d m && layers.get(li + 2) instanceof ActivationLayer
            && kphi != null && kphi.nonDecreasing() ? m : null;
        act |= poolFirst != null;
        if (act) li++;
        Affine a = layer instanceof Conv2d conv ? affine(conv, bn, act, shape)
            : linear((Linear) layer, bn, act, shape, flattened);
        steps.add(a);
        shape = a.outShape();
        if (poolFirst != null) {
          steps.add(pool(poolFirst, shape));
          shape = poolFirst.outShape(shape);
          li++;
        }
      } else if (layer instanceof Flatten) {
        flattened = true;
      } else if (layer instanceof GlobalAvgPool || layer instanceof AvgPool2d || layer instanceof MaxPool2d) {
        steps.add(pool(layer, shape));
        shape = layer.outShape(shape);
      } else if (layer instanceof ResidualBlock rb) {
        Affine c1 = affine(rb.conv1(), rb.bn1(), true, shape);
        Affine c2 = affine(rb.conv2(), rb.bn2(), false, c1.outShape());
        Affine proj = null;
        if (rb.shortcut() instanceof ResidualBlock.Identity id) {
          if (!Arrays.equals(shape, c2.outShape())) {
            throw new IllegalArgumentException("block " + rb.name() + ": identity shortcut needs equal shapes, got "
                + Arrays.toString(shape) + " -> " + Arrays.toString(c2.outShape()));
          }
          if (id.scale() != null) {
            if (id.scale().length != shape[0]) {
              throw new IllegalArgumentException("block " + rb.name() + ": shortcut scale has " + id.scale().length
                  + " channels, expected " + shape[0]);
            }
            if (Arrays.stream(id.scale()).anyMatch(v -> v != 1.0)) {
              proj = scaledIdentity(rb.name() + ".shortcut", id.scale(), shape);
            }
          }
        } else if (rb.shortcut() instanceof ResidualBlock.Projection pr) {
          proj = affine(pr.conv(), pr.bn(), false, shape);
          if (!Arrays.equals(proj.outShape(), c2.outShape())) {
            throw new IllegalArgumentException("block " + rb.name() + ": projection output "
                + Arrays.toString(proj.outShape()) + " differs from branch output " + Arrays.toString(c2.outShape()));
          }
        }
        steps.add(new Residual(rb.name(), c1, c2, proj, c2.outShape()));
        shape = c2.outShape();
      } else if (layer instanceof ActivationLayer) {
        throw new IllegalArgumentException("activation layer " + li + " does not follow a conv or linear layer"
            + (li > 1 && layers.get(li - 1) instanceof MaxPool2d && !(layers.get(li - 2) instanceof ActivationLayer)
            ? " (a max pooling between a conv and its activation"
            + " needs a non-decreasing activation, where phi(max z) = max phi(z); " + phi.name() + " is not)" : ""));
      } else if (layer instanceof BatchNorm2d bn) {
        throw new IllegalArgumentException("batchnorm " + bn.name() + " does not follow a conv or linear layer");
      } else {
        throw new IllegalArgumentException("layer " + li + " (" + layer.getClass().getSimpleName()
            + ") is not supported by the ticket constructions (dense Conv2d, Linear, BatchNorm2d, activation,"
            + " pooling, Flatten and ResidualBlock are)");
      }
    }
    if (steps.isEmpty() || !(steps.get(steps.size() - 1) instanceof Affine last) || last.phiAfter()) {
      throw new IllegalArgumentException("the network must end with a conv or linear layer without activation");
    }
    return new TargetPlan(input, steps, phi, map);
  }

  /** The step of a pooling layer (global average, average or max pooling) reading a map of shape {@code in}. */
  private static Pool pool(Layer l, int[] in) {
    int[] out = l.outShape(in);
    if (l instanceof MaxPool2d m) return new Pool(false, true, m.kh(), m.kw(), m.sh(), m.sw(), m.ph(), m.pw(), in, out);
    if (l instanceof AvgPool2d p) return new Pool(false, false, p.kh(), p.kw(), p.sh(), p.sw(), 0, 0, in, out);
    return new Pool(true, false, 0, 0, 0, 0, 0, 0, in, out);
  }

  private static Affine affine(Conv2d conv, BatchNorm2d bn, boolean act, int[] in) {
    if (conv.inChannels() != in[0]) {
      throw new IllegalArgumentException("conv " + conv.name() + ": expects " + conv.inChannels()
          + " input channels, gets " + in[0]);
    }
    int kh = conv.kernelHeight();
    int kw = conv.kernelWidth();
    if (2 * conv.ph() > kh - 1 || 2 * conv.pw() > kw - 1) {
      throw new IllegalArgumentException("conv " + conv.name() + ": padding " + (conv.ph() == conv.pw() ? conv.ph()
          : "(" + conv.ph() + ", " + conv.pw() + ")") + " exceeds (k-1)/2 for a " + kh + "x" + kw + " kernel "
          + "(hypothesis of [conv-decomposition], on each axis)");
    }
    double[] k = conv.weight().data().clone();
    int out = conv.outChannels();
    double[] b = conv.bias() == null ? new double[out] : conv.bias().data().clone();
    fold(bn, "conv " + conv.name(), k, b);
    int oh = conv.outHeight(in[1]);
    int ow = conv.outWidth(in[2]);
    if (oh < 1 || ow < 1) {
      throw new IllegalArgumentException("conv " + conv.name() + ": input " + in[1] + "x" + in[2]
          + " too small for its kernel");
    }
    return new Affine(conv.name(), out, in[0], kh, kw, conv.stride(), conv.ph(), conv.pw(), k, b, act, in.clone(),
        new int[] {out, oh, ow});
  }

  /** The 1x1 conv with kernel diag(scale): an identity skip with a per-channel scale. */
  private static Affine scaledIdentity(String name, double[] scale, int[] shape) {
    int c = shape[0];
    double[] k = new double[c * c];
    for (int j = 0; j < c; j++) k[j * c + j] = scale[j];
    return new Affine(name, c, c, 1, 1, 1, 0, 0, k, new double[c], false, shape.clone(), shape.clone());
  }

  private static Affine linear(Linear lin, BatchNorm2d bn, boolean act, int[] in, boolean flattened) {
    int features = in[0] * in[1] * in[2];
    if (lin.inFeatures() != features) {
      throw new IllegalArgumentException("linear " + lin.name() + ": expects " + lin.inFeatures()
          + " input features, gets " + features + " (shape " + Arrays.toString(in) + ")");
    }
    if (!flattened && (in[1] != 1 || in[2] != 1)) {
      throw new IllegalArgumentException("linear " + lin.name() + " reads a " + in[1] + "x" + in[2]
          + " feature map without a flatten before it");
    }
    int out = lin.outFeatures();
    double[] k = lin.weight().data().clone();
    double[] b = lin.bias() == null ? new double[out] : lin.bias().data().clone();
    fold(bn, "linear " + lin.name(), k, b);
    // Flatten is C-order over (c, h, w), which is exactly the OIHW order of a kernel covering the whole map.
    return new Affine(lin.name(), out, in[0], in[1], in[2], 1, 0, 0, k, b, act, in.clone(), new int[] {out, 1, 1});
  }

  /** Folds a BatchNorm (null: none) into the rows of kernel k and the bias b of the layer before it, in place. */
  private static void fold(BatchNorm2d bn, String layer, double[] k, double[] b) {
    if (bn == null) return;
    if (bn.channels() != b.length) {
      throw new IllegalArgumentException("batchnorm " + bn.name() + " has " + bn.channels() + " channels, "
          + layer + " has " + b.length);
    }
    int per = k.length / b.length;
    for (int o = 0; o < b.length; o++) {
      double s = bn.gamma()[o] / Math.sqrt(bn.var()[o] + bn.eps());
      for (int t = o * per; t < (o + 1) * per; t++) k[t] *= s;
      b[o] = bn.beta()[o] + s * (b[o] - bn.mean()[o]);
    }
  }
}
