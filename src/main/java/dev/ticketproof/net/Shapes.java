package dev.ticketproof.net;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Shape inference: the per-example output shape of each layer ({@link Layer#outShape}) for a given per-example input
 * shape, and the shape rules the layers share (convolutions, linear layers, residual layers).
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
   * The per-example output shape of one layer: its {@link Layer#outShape}, after checking that the input shape has
   * rank &gt;= 1 and positive dimensions.
   *
   * @param layer the layer. Not modified.
   * @param in the per-example input shape. Not modified.
   * @return the output shape (a fresh array)
   * @throws IllegalArgumentException if the layer does not accept {@code in}; the message names the layer
   *     ({@link Layer#describe()}), the expected and the actual shape
   */
  public static int[] output(Layer layer, int[] in) {
    checkDims(layer.describe(), in);
    return layer.outShape(in);
  }

  /**
   * The output shape of a convolution (dense or sparse) with {@code ph} rows of padding above and below and
   * {@code pw} columns left and right for an input {C, H, W}.
   */
  public static int[] conv(String what, int cin, int cout, int kh, int kw, int stride, int ph, int pw, int[] in) {
    String expected = "[" + cin + ", H, W] with H + 2*" + ph + " >= " + kh + " and W + 2*" + pw + " >= " + kw;
    if (in.length != 3 || in[0] != cin || in[1] + 2 * ph < kh || in[2] + 2 * pw < kw) {
      throw mismatch(what, expected, in);
    }
    return new int[] {cout, (in[1] + 2 * ph - kh) / stride + 1, (in[2] + 2 * pw - kw) / stride + 1};
  }

  /** A conv's paddings as messages show them: one number when the two axes agree, else {@code (rows, columns)}. */
  public static String padding(int ph, int pw) {
    return ph == pw ? Integer.toString(ph) : "(" + ph + ", " + pw + ")";
  }

  /** The output shape of a linear layer (dense or sparse) for an input {F} or {F, 1, 1}. */
  public static int[] linear(String what, int fin, int fout, int[] in) {
    boolean flat = in.length == 1 && in[0] == fin;
    boolean image = in.length == 3 && in[0] == fin && in[1] == 1 && in[2] == 1;
    if (!flat && !image) {
      IllegalArgumentException e = mismatch(what, "[" + fin + "] or [" + fin + ", 1, 1]", in);
      if (in.length > 1 && in[in.length - 1] == fin) {
        // PyTorch applies an nn.Linear to the last axis of a larger input, a map of other functions per position
        throw new IllegalArgumentException(e.getMessage() + ": its " + fin + " features are the last axis of each "
            + "example, where PyTorch applies it position by position; a linear layer here reads the whole example "
            + "as a vector (after a Flatten)");
      }
      throw e;
    }
    return new int[] {fout};
  }

  /**
   * The output shape of a residual layer: its body and its shortcut (empty: the identity) must give the same shape.
   *
   * @param what the layer's description, which prefixes every message
   * @param bodyName how a message names the body
   * @param numbered whether a message names a failing layer by its index in the body or the shortcut
   */
  static int[] residual(String what, List<Layer> body, List<Layer> shortcut, int[] in, String bodyName,
      boolean numbered) {
    int[] t = in;
    int[] skip = in;
    try {
      for (int i = 0; i < body.size(); i++) t = output(body.get(i), t, numbered ? "body layer " + i : null);
      for (int i = 0; i < shortcut.size(); i++) {
        skip = output(shortcut.get(i), skip, numbered ? "shortcut layer " + i : null);
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
    }
    if (!Arrays.equals(t, skip)) {
      throw new IllegalArgumentException(what + ": " + bodyName + " gives " + Arrays.toString(t)
          + " but the shortcut gives " + Arrays.toString(skip) + " for input " + Arrays.toString(in));
    }
    return t.clone();
  }

  private static int[] output(Layer layer, int[] in, String where) {
    if (where == null) return output(layer, in);
    try {
      return output(layer, in);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  /** A shape mismatch: the layer, the expected and the actual input shape. */
  static IllegalArgumentException mismatch(String what, String expected, int[] actual) {
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
