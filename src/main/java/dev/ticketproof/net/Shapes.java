package dev.ticketproof.net;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Shape inference: the per-example output shape of each layer for a given per-example input shape.
 *
 * <p>Shapes here never include the batch dimension. Image tensors have shape {@code {C, H, W}}; feature vectors
 * have shape {@code {F}}. Layers that read features (linear) also accept {@code {F, 1, 1}}. A mismatch is an
 * {@link IllegalArgumentException} whose message names the layer and states the expected and the actual shape.
 */
public final class Shapes {
  private Shapes() {}

  /**
   * The per-example shapes through a network: element 0 is {@link Network#inputShape()}, element {@code i + 1}
   * the output of layer {@code i}.
   *
   * @param net the network. Not modified.
   * @return {@code layers().size() + 1} shapes (fresh arrays)
   * @throws IllegalArgumentException if some layer does not accept its input shape; the message names the layer
   *     by index and description
   */
  public static List<int[]> infer(Network net) {
    return infer(net, net.inputShape());
  }

  /**
   * The per-example shapes through a network for a given per-example input shape.
   *
   * @param net the network. Not modified.
   * @param inputShape the per-example input shape. Not modified.
   * @return {@code layers().size() + 1} shapes (fresh arrays)
   * @throws IllegalArgumentException if some layer does not accept its input shape
   */
  public static List<int[]> infer(Network net, int[] inputShape) {
    checkDims("network input", inputShape);
    List<int[]> shapes = new ArrayList<>(net.layers().size() + 1);
    int[] s = inputShape.clone();
    shapes.add(s);
    for (int i = 0; i < net.layers().size(); i++) {
      Layer layer = net.layers().get(i);
      try {
        s = output(layer, s);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("layer " + i + " of the network: " + e.getMessage(), e);
      }
      shapes.add(s);
    }
    return shapes;
  }

  /**
   * The per-example output shape of a network.
   *
   * @param net the network. Not modified.
   * @return the output shape
   * @throws IllegalArgumentException if some layer does not accept its input shape
   */
  public static int[] output(Network net) {
    List<int[]> all = infer(net);
    return all.get(all.size() - 1);
  }

  /**
   * The per-example output shape of one layer.
   *
   * @param layer the layer. Not modified.
   * @param in the per-example input shape. Not modified.
   * @return the output shape (a fresh array)
   * @throws IllegalArgumentException if the layer does not accept {@code in}; the message names the layer
   *     ({@link #describe(Layer)}), the expected and the actual shape
   */
  public static int[] output(Layer layer, int[] in) {
    checkDims(describe(layer), in);
    if (layer instanceof Conv2d c) {
      return convOutput(describe(layer), c.inChannels(), c.outChannels(), c.kernelHeight(), c.kernelWidth(),
          c.stride(), c.padding(), in);
    } else if (layer instanceof SparseConv2d c) {
      return convOutput(describe(layer), c.inChannels(), c.outChannels(), c.kernelHeight(), c.kernelWidth(),
          c.stride(), c.padding(), in);
    } else if (layer instanceof Linear l) {
      return linearOutput(describe(layer), l.inFeatures(), l.outFeatures(), in);
    } else if (layer instanceof SparseLinear l) {
      return linearOutput(describe(layer), l.inFeatures(), l.outFeatures(), in);
    } else if (layer instanceof ActivationLayer) {
      return in.clone();
    } else if (layer instanceof BatchNorm2d bn) {
      requireImage(describe(layer), in, "[" + bn.channels() + ", H, W]");
      if (in[0] != bn.channels()) {
        throw mismatch(describe(layer), "[" + bn.channels() + ", H, W]", in);
      }
      return in.clone();
    } else if (layer instanceof AvgPool2d p) {
      if (p.kernel() < 1 || p.stride() < 1) {
        throw new IllegalArgumentException(describe(layer) + ": needs kernel >= 1 and stride >= 1, got kernel="
            + p.kernel() + ", stride=" + p.stride());
      }
      String expected = "[C, H, W] with H, W >= " + p.kernel();
      requireImage(describe(layer), in, expected);
      if (in[1] < p.kernel() || in[2] < p.kernel()) throw mismatch(describe(layer), expected, in);
      return new int[] {in[0], (in[1] - p.kernel()) / p.stride() + 1, (in[2] - p.kernel()) / p.stride() + 1};
    } else if (layer instanceof GlobalAvgPool) {
      String expected = "[C, H, W] with H, W >= 1";
      requireImage(describe(layer), in, expected);
      if (in[1] < 1 || in[2] < 1) throw mismatch(describe(layer), expected, in);
      return new int[] {in[0], 1, 1};
    } else if (layer instanceof Flatten) {
      long n = 1;
      for (int d : in) n *= d;
      return new int[] {Math.toIntExact(n)};
    } else if (layer instanceof ResidualBlock b) {
      return residualOutput(b, in);
    } else if (layer instanceof Residual r) {
      return residualOutput(r, in);
    }
    throw new IllegalArgumentException("unknown layer type " + layer.getClass().getName());
  }

  /**
   * A short description of a layer for messages: its kind and, where it has one, its name, e.g.
   * {@code conv 'blocks.1.conv2' (16->16, 3x3, stride 1, padding 1)}.
   *
   * @param layer the layer. Not modified.
   * @return the description
   */
  public static String describe(Layer layer) {
    if (layer instanceof Conv2d c) {
      return "conv '" + c.name() + "' (" + c.inChannels() + "->" + c.outChannels() + ", " + c.kernelHeight() + "x"
          + c.kernelWidth() + ", stride " + c.stride() + ", padding " + c.padding() + ")";
    } else if (layer instanceof SparseConv2d c) {
      return "sparse conv '" + c.name() + "' (" + c.inChannels() + "->" + c.outChannels() + ", " + c.kernelHeight()
          + "x" + c.kernelWidth() + ", stride " + c.stride() + ", padding " + c.padding() + ", " + c.nonZeros()
          + " kept)";
    } else if (layer instanceof Linear l) {
      return "linear '" + l.name() + "' (" + l.inFeatures() + "->" + l.outFeatures() + ")";
    } else if (layer instanceof SparseLinear l) {
      return "sparse linear '" + l.name() + "' (" + l.inFeatures() + "->" + l.outFeatures() + ", " + l.nonZeros()
          + " kept)";
    } else if (layer instanceof ActivationLayer a) {
      return "activation " + a.phi().name();
    } else if (layer instanceof BatchNorm2d bn) {
      return "batchnorm '" + bn.name() + "' (" + bn.channels() + " channels)";
    } else if (layer instanceof AvgPool2d p) {
      return "avgpool (kernel " + p.kernel() + ", stride " + p.stride() + ")";
    } else if (layer instanceof GlobalAvgPool) {
      return "global avgpool";
    } else if (layer instanceof Flatten) {
      return "flatten";
    } else if (layer instanceof ResidualBlock b) {
      return "residual block '" + b.name() + "'";
    } else if (layer instanceof Residual r) {
      return "residual '" + r.name() + "'";
    }
    return layer.getClass().getSimpleName();
  }

  private static int[] convOutput(String what, int cin, int cout, int kh, int kw, int stride, int padding, int[] in) {
    String expected = "[" + cin + ", H, W] with H + 2*" + padding + " >= " + kh + " and W + 2*" + padding + " >= "
        + kw;
    requireImage(what, in, expected);
    if (in[0] != cin || in[1] + 2 * padding < kh || in[2] + 2 * padding < kw) throw mismatch(what, expected, in);
    return new int[] {cout, (in[1] + 2 * padding - kh) / stride + 1, (in[2] + 2 * padding - kw) / stride + 1};
  }

  private static int[] linearOutput(String what, int fin, int fout, int[] in) {
    boolean flat = in.length == 1 && in[0] == fin;
    boolean image = in.length == 3 && in[0] == fin && in[1] == 1 && in[2] == 1;
    if (!flat && !image) throw mismatch(what, "[" + fin + "] or [" + fin + ", 1, 1]", in);
    return new int[] {fout};
  }

  private static int[] residualOutput(ResidualBlock b, int[] in) {
    String what = describe(b);
    int[] t;
    int[] skip;
    try {
      t = output(b.conv1(), in);
      if (b.bn1() != null) t = output(b.bn1(), t);
      t = output(b.conv2(), t);
      if (b.bn2() != null) t = output(b.bn2(), t);
      if (b.shortcut() instanceof ResidualBlock.Identity id) {
        if (id.scale() != null && (in.length != 3 || id.scale().length != in[0])) {
          throw mismatch("identity shortcut", "[" + id.scale().length + ", H, W] (one scale per channel)", in);
        }
        skip = in.clone();
      } else {
        ResidualBlock.Projection p = (ResidualBlock.Projection) b.shortcut();
        skip = output(p.conv(), in);
        if (p.bn() != null) skip = output(p.bn(), skip);
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
    }
    if (!Arrays.equals(t, skip)) {
      throw new IllegalArgumentException(what + ": the main branch gives " + Arrays.toString(t)
          + " but the shortcut gives " + Arrays.toString(skip) + " for input " + Arrays.toString(in));
    }
    return t;
  }

  private static int[] residualOutput(Residual r, int[] in) {
    String what = describe(r);
    int[] t = in;
    int[] skip = in;
    try {
      for (int i = 0; i < r.body().size(); i++) t = output(r.body().get(i), t, "body layer " + i);
      for (int i = 0; i < r.shortcut().size(); i++) skip = output(r.shortcut().get(i), skip, "shortcut layer " + i);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
    }
    if (!Arrays.equals(t, skip)) {
      throw new IllegalArgumentException(what + ": the body gives " + Arrays.toString(t) + " but the shortcut gives "
          + Arrays.toString(skip) + " for input " + Arrays.toString(in));
    }
    return t.clone();
  }

  private static int[] output(Layer layer, int[] in, String where) {
    try {
      return output(layer, in);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  private static void requireImage(String what, int[] in, String expected) {
    if (in.length != 3) throw mismatch(what, expected, in);
  }

  private static IllegalArgumentException mismatch(String what, String expected, int[] actual) {
    return new IllegalArgumentException(what + ": expected input shape " + expected + ", got "
        + Arrays.toString(actual));
  }

  private static void checkDims(String what, int[] shape) {
    if (shape.length == 0) throw new IllegalArgumentException(what + ": input shape must have rank >= 1, got []");
    for (int d : shape) {
      if (d < 1) {
        throw new IllegalArgumentException(what + ": input shape must have positive dimensions, got "
            + Arrays.toString(shape));
      }
    }
  }
}
