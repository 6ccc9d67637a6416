package dev.ticketproof.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.ticketproof.limits.Budget;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.AvgPool2d;
import dev.ticketproof.net.BatchNorm2d;
import dev.ticketproof.net.Bottleneck;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.MaxPool2d;
import dev.ticketproof.net.ResidualBlock;
import dev.ticketproof.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * An architecture: the layers of a network in order and the tensor names they read (a state dict has no
 * architecture). Written by hand as JSON (format in {@code docs/arch-spec.md}), produced by a preset
 * ({@code targets.Presets}) or read from a whole model's modules ({@link #fromModule}); turned into a
 * {@link dev.ticketproof.net.Network} by {@link NetworkBuilder}.
 *
 * <p>Each kind of layer is one record of {@link LayerSpec}, declared in this file with everything about it: the layer
 * it builds from the tensors ({@link LayerSpec#build}), the tensors it needs, its JSON (read through its entry of
 * {@code JSON_TYPES}, written by {@link LayerSpec#json}) and the {@code torch.nn} module classes read as it
 * ({@code MODULES}).
 *
 * <p>Layer names are the tensor-name prefixes of the state dict: a conv named {@code 0} reads {@code 0.weight}
 * and, if present, {@code 0.bias}; a BatchNorm named {@code bn} reads {@code bn.weight}, {@code bn.bias},
 * {@code bn.running_mean} and {@code bn.running_var}.
 *
 * @param input the per-example input shape ({@code [C, H, W]} or {@code [F]}), or {@code null} if it comes from
 *     elsewhere (the input batch, a preset's default)
 * @param activation the activation's catalog name used where the spec has none from the command line, or
 *     {@code null}
 * @param layers the layers in order
 * @param outputActivation the function applied to the outputs after the last layer
 *     ({@link dev.ticketproof.net.OutputActivation#parse}: {@code softmax}, {@code log-softmax} or a catalog name),
 *     or {@code null} for none
 */
public record ArchSpec(int[] input, String activation, List<LayerSpec> layers, String outputActivation) {
  public ArchSpec {
    input = input == null ? null : input.clone();
    layers = List.copyOf(layers);
  }

  /** A spec without output activation. */
  public ArchSpec(int[] input, String activation, List<LayerSpec> layers) {
    this(input, activation, layers, null);
  }

  /**
   * The shape the network reads for a given per-example shape: a signal's [C, L] is the one-row image [C, 1, L] for a
   * network of Conv1d layers (and no 2-d convs), as each Conv1d reads it; any other shape (or null) as it is.
   */
  public int[] asRead(int[] shape) {
    if (shape == null || shape.length != 2) return shape;
    boolean conv1d = false;
    for (LayerSpec l : layers) {
      if (l instanceof Conv) return shape;
      conv1d |= l instanceof Conv1d;
    }
    return conv1d ? new int[] {shape[0], 1, shape[1]} : shape;
  }

  /** One entry of {@link #layers()}: one record per kind of layer, all in this file. */
  public sealed interface LayerSpec {
    /** The layer's name in the layer table: its tensor-name prefix, or {@code ""} for a layer that reads none. */
    default String name() { return ""; }

    /**
     * The layer, read from the target's tensors.
     *
     * @param b the builder: the tensors (read through it, so that the layer table counts the parameters a layer
     *     reads), the activation and the names for messages
     * @param where the entry for messages, e.g. {@code layer 3}
     * @param in the per-example input shape (the builder checks the built layer against it)
     * @throws ImportException naming the spec, the layer and the tensor when a tensor is missing or does not fit
     */
    Layer build(NetworkBuilder b, String where, int[] in);

    /** The tensors the layer cannot do without ({@link ArchSpec#requiredTensors()}), in order. */
    default List<String> requiredTensors() { return List.of(); }

    /**
     * The members of the layer's JSON object, {@code "type"} first, every parameter written out.
     *
     * @param vectorInput whether the layer's input is a vector (a BatchNorm is then written as {@code batchnorm1d})
     */
    String json(boolean vectorInput);

    /** Whether the layer's output is a vector, given whether its input is; by default an image. */
    default boolean vectorOutput(boolean vectorInput) { return false; }
  }

  /**
   * A conv reading {@code name.weight} (OIHW) and optionally {@code name.bias}. With {@code groups} g > 1 (PyTorch's
   * grouped and depthwise convs) the weight is {@code [out, in / g, kh, kw]} and output channel o reads only the input
   * channels of its group; with {@code dilation} r > 1 its taps are r apart. Either is read exactly as the dense conv
   * of {@link #dense}: zeros off the groups' blocks and between the taps, which the ticket does not keep. Strides and
   * paddings are per axis (rows, columns), or the padding is PyTorch's {@code 'same'} ({@code k - 1} on each axis,
   * the odd one after); a conv whose strides differ or whose padding differs before and after an axis is read as the
   * conv of the normal form that computes it ({@link ConvAxes}: zero rows or columns around its kernel where
   * needed, one stride, a padding per axis).
   *
   * @param sh the stride along the rows
   * @param sw the stride along the columns
   * @param ph the padding above and below (0 with {@code same})
   * @param pw the padding left and right (0 with {@code same})
   * @param same whether the padding is PyTorch's {@code 'same'}
   * @param pads zero paddings that differ before and after an axis, {@code null} when {@code ph} and {@code pw} say
   *     them: a padding module before the conv ({@code nn.ZeroPad2d((0, 1, 0, 1))}) folded into the conv's own
   *     ({@link #withZeroPadding}), or JSON's {@code "padding": [[top, bottom], [left, right]]}; {@code ph} and
   *     {@code pw} are then 0 and {@code same} false
   */
  public record Conv(String name, int sh, int sw, int ph, int pw, int groups, int dilation, boolean same, Pads pads)
      implements LayerSpec {
    /** An ordinary conv: one stride and one padding for both axes, one group, taps side by side. */
    public Conv(String name, int stride, int padding) { this(name, stride, padding, 1, 1); }

    /** A conv with one stride and one padding for both axes. */
    public Conv(String name, int stride, int padding, int groups, int dilation) {
      this(name, stride, stride, padding, padding, groups, dilation, false);
    }

    /** A conv whose paddings are the same before and after each axis (or PyTorch's {@code 'same'}). */
    public Conv(String name, int sh, int sw, int ph, int pw, int groups, int dilation, boolean same) {
      this(name, sh, sw, ph, pw, groups, dilation, same, null);
    }

    /**
     * Zero paddings per side, in rows above and below and columns left and right.
     *
     * @param top rows above
     * @param bottom rows below
     * @param left columns on the left
     * @param right columns on the right
     */
    public record Pads(int top, int bottom, int left, int right) {
      int[] array() { return new int[] {top, bottom, left, right}; }
    }

    /** The conv's zero paddings (top, bottom, left, right) for a dense kernel of {@code kh x kw}. */
    private int[] paddings(int kh, int kw) {
      if (pads != null) return pads.array();
      return same ? ConvAxes.same(kh, kw) : new int[] {ph, ph, pw, pw};
    }

    /**
     * This conv after a zero padding of the given rows and columns (an {@code nn.ZeroPad2d} or
     * {@code nn.ConstantPad2d} of value 0 right before it): PyTorch pads the map with zeros and the conv pads the
     * padded map with zeros again, which is the conv with the sum of the two paddings on each side, term for term.
     * Paddings equal before and after each axis give an ordinary conv ({@code ZeroPad2d(1)} before a conv without
     * padding is the conv with padding 1, the same network and target hash).
     *
     * @param kernel the conv's kernel sides (rows, columns), for a padding {@code 'same'}
     */
    public Conv withZeroPadding(int top, int bottom, int left, int right, int[] kernel) {
      int[] p = paddings(dilation * (kernel[0] - 1) + 1, dilation * (kernel[1] - 1) + 1);
      return padded(name, sh, sw, p[0] + top, p[1] + bottom, p[2] + left, p[3] + right, groups, dilation);
    }

    /** A conv with the given paddings per side: {@code pads} only where an axis has unequal ones. */
    static Conv padded(String name, int sh, int sw, int top, int bottom, int left, int right, int groups,
        int dilation) {
      if (top == bottom && left == right) return new Conv(name, sh, sw, top, left, groups, dilation, false);
      return new Conv(name, sh, sw, 0, 0, groups, dilation, false, new Pads(top, bottom, left, right));
    }

    @Override
    public Conv2d build(NetworkBuilder b, String where, int[] in) {
      Tensor w = b.weight(name, 4, groups == 1 ? "[out, in, kh, kw]" : "[out, in / groups, kh, kw]");
      Tensor d = dense(b, where, "conv '" + name + "'", w, groups, dilation);
      int[] p = paddings(d.dim(2), d.dim(3));
      Conv2d c = ConvAxes.build(b, where, name, "conv '" + name + "'", d, b.bias(name, w.dim(0)), sh, sw, p, in);
      if (c.weight() != w || sh != sw || same || pads != null) {
        b.describe("conv '" + name + "' (" + c.inChannels() + "->" + c.outChannels() + ", " + w.dim(2) + "x"
            + w.dim(3) + (groups == 1 ? "" : ", groups " + groups) + (dilation == 1 ? "" : ", dilation " + dilation)
            + ", stride " + ConvAxes.pair(sh, sw) + ", padding " + (same ? "'same'" : ConvAxes.padding(p))
            + "; read as " + c.kernelHeight() + "x" + c.kernelWidth() + ", stride " + c.stride() + ", padding "
            + ConvAxes.pair(c.ph(), c.pw()) + ")");
      }
      return c;
    }

    @Override public List<String> requiredTensors() { return List.of(name + ".weight"); }

    @Override public String json(boolean vectorInput) { return "\"type\": \"conv2d\", " + members(); }

    private String members() {
      return "\"name\": " + quote(name) + ", \"stride\": " + pair(sh, sw) + ", \"padding\": "
          + (same ? "\"same\"" : pads != null ? "[[" + pads.top() + ", " + pads.bottom() + "], [" + pads.left() + ", "
          + pads.right() + "]]" : pair(ph, pw)) + extras(groups, dilation);
    }

    private static Conv read(Reader r, JsonObject o, String where, String defaultName) {
      r.onlyKeys(o, where, Set.of("type", "name", "stride", "padding", "groups", "dilation"));
      int[] stride = o.has("stride") ? r.pair(o.get("stride"), where + ".stride", 1) : new int[] {1, 1};
      int groups = o.has("groups") ? r.positiveInt(o.get("groups"), where + ".groups") : 1;
      int dilation = o.has("dilation") ? r.positiveInt(o.get("dilation"), where + ".dilation") : 1;
      String name = r.name(o, where, defaultName);
      JsonElement p = o.get("padding");
      if (p instanceof JsonPrimitive s && s.isString()) {
        String mode = s.getAsString();
        if (mode.equals("valid")) return new Conv(name, stride[0], stride[1], 0, 0, groups, dilation, false);
        if (!mode.equals("same")) {
          throw r.fail(where + ".padding", "expected a number, [rows, columns], [[top, bottom], [left, right]], "
              + "\"same\" or \"valid\", got " + p);
        }
        if (stride[0] != 1 || stride[1] != 1) {
          throw r.fail(where + ".padding", "\"same\" needs stride 1 (as PyTorch's padding='same'), got stride "
              + pair(stride[0], stride[1]));
        }
        return new Conv(name, 1, 1, 0, 0, groups, dilation, true);
      }
      if (p != null && p.isJsonArray() && p.getAsJsonArray().size() == 2 && p.getAsJsonArray().get(0).isJsonArray()) {
        int[] before = new int[2];
        int[] after = new int[2];
        for (int a = 0; a < 2; a++) {
          String at = where + ".padding[" + a + "]";
          JsonElement e = p.getAsJsonArray().get(a);
          if (!e.isJsonArray() || e.getAsJsonArray().size() != 2) {
            throw r.fail(at, "expected [before, after] (\"padding\": [[top, bottom], [left, right]]), got " + e);
          }
          before[a] = r.nonNegativeInt(e.getAsJsonArray().get(0), at + "[0]");
          after[a] = r.nonNegativeInt(e.getAsJsonArray().get(1), at + "[1]");
        }
        return padded(name, stride[0], stride[1], before[0], after[0], before[1], after[1], groups, dilation);
      }
      int[] padding = p != null ? r.pair(p, where + ".padding", 0) : new int[2];
      return new Conv(name, stride[0], stride[1], padding[0], padding[1], groups, dilation, false);
    }

    /**
     * A {@code Conv2d}: its strides and paddings per axis; {@code padding='same'} as the paddings
     * {@code dilation (k - 1) / 2} where that is even on both axes, else kept as {@code 'same'}.
     */
    private static Conv fromModule(TorchModule.Attributes h) {
      int[] k = h.pair("kernel_size");
      h.require("kernel_size", k[0] >= 1 && k[1] >= 1, "kernel sides must be at least 1");
      int[] s = h.pair("stride");
      h.require("stride", s[0] >= 1 && s[1] >= 1, "strides must be at least 1");
      int[] gd = groupsAndDilation(h);
      Object pad = h.raw("padding");
      if ("same".equals(pad)) {
        int[] total = {gd[1] * (k[0] - 1), gd[1] * (k[1] - 1)};
        if (total[0] % 2 != 0 || total[1] % 2 != 0) return new Conv(h.path(), 1, 1, 0, 0, gd[0], gd[1], true);
        return new Conv(h.path(), 1, 1, total[0] / 2, total[1] / 2, gd[0], gd[1], false);
      }
      int[] p = "valid".equals(pad) ? new int[2] : h.pair("padding");
      return new Conv(h.path(), s[0], s[1], p[0], p[1], gd[0], gd[1], false);
    }

    /** The JSON members of groups and dilation other than 1 (none for an ordinary conv). */
    static String extras(int groups, int dilation) {
      return (groups == 1 ? "" : ", \"groups\": " + groups) + (dilation == 1 ? "" : ", \"dilation\": " + dilation);
    }

    /**
     * A Conv1d's or Conv2d's groups and dilation (equal on both axes), its padding mode checked to be zeros and a
     * {@code padding='same'} to have stride 1 (PyTorch refuses it otherwise).
     */
    static int[] groupsAndDilation(TorchModule.Attributes h) {
      int d = h.square("dilation");
      h.require("dilation", d >= 1, "dilation must be at least 1");
      int g = h.integer("groups");
      h.require("groups", g >= 1, "groups must be at least 1");
      Object mode = h.raw("padding_mode");
      h.require("padding_mode", mode == null || "zeros".equals(mode), "only padding_mode='zeros' is supported");
      if ("same".equals(h.raw("padding"))) {
        int[] s = h.pair("stride");
        h.require("padding", s[0] == 1 && s[1] == 1, "padding='same' needs stride 1");
      }
      return new int[] {g, d};
    }

    /**
     * The dense kernel of a conv with {@code groups} g and {@code dilation} r whose weight {@code w} is
     * {@code [out, in / g, kh, kw]}: the {@code [out, in, r (kh - 1) + 1, r (kw - 1) + 1]} kernel in which output
     * channel o (of group {@code o / (out / g)}) has the file's taps, r apart, at the input channels of its group and
     * zeros elsewhere. Its cross-correlation is the grouped, dilated conv's, term for term: every other term is a
     * product with 0. The file's weights are returned as they are when g = r = 1.
     *
     * @throws ImportException naming the layer when out is not a multiple of g or the dense kernel is too large
     */
    static Tensor dense(NetworkBuilder b, String where, String what, Tensor w, int groups, int dilation) {
      if (groups == 1 && dilation == 1) return w;
      int out = w.dim(0);
      int per = w.dim(1);
      int kh = w.dim(2);
      int kw = w.dim(3);
      if (out % groups != 0) {
        throw new ImportException(b.specName() + ": " + where + ": " + what + " has " + out + " output channels, "
            + "not a multiple of its " + groups + " groups");
      }
      long dh = (long) dilation * (kh - 1) + 1;
      long dw = (long) dilation * (kw - 1) + 1;
      long size = (long) out * per * groups * dh * dw;
      if (size > Budget.MAX_EXAMPLE_VALUES) {
        throw new ImportException(b.specName() + ": " + where + ": " + what + " with " + groups + " groups and "
            + "dilation " + dilation + " would be a dense conv of " + size + " weights; supported: at most "
            + Budget.MAX_EXAMPLE_VALUES);
      }
      int in = per * groups;
      int h = (int) dh;
      int wd = (int) dw;
      double[] src = w.data();
      double[] k = new double[(int) size];
      int outPer = out / groups;
      for (int o = 0; o < out; o++) {
        int first = o / outPer * per;
        for (int i = 0; i < per; i++) {
          for (int a = 0; a < kh; a++) {
            for (int c = 0; c < kw; c++) {
              k[((o * in + first + i) * h + a * dilation) * wd + c * dilation] = src[((o * per + i) * kh + a) * kw + c];
            }
          }
        }
      }
      return Tensor.of(k, out, in, h, wd);
    }
  }

  /**
   * PyTorch's {@code Conv1d} over a signal {@code [C, L]}, read as a conv over the one-row image {@code [C, 1, L]}:
   * its kernel {@code name.weight} ({@code [out, in, k]}) becomes the {@code [out, in, 1, k]} kernel, with the same
   * stride, no padding above and below and the padding p left and right: on the one-row input its one output row
   * reads exactly the Conv1d's taps and its padding along the signal, the Conv1d's outputs, and it is a conv of the
   * normal form (padding at most half the kernel's side less 1 on each axis: 0 rows, p columns). Groups and dilation
   * are read as for {@link Conv} (the row is first made dense: {@link Conv#dense}); with {@code padding='same'}
   * ({@code same}) and an even {@code dilation (k - 1)} the padding after the signal is one more than before it, read
   * as {@link ConvAxes} reads it (a zero column first, padding the larger of the two).
   */
  public record Conv1d(String name, int stride, int padding, int groups, int dilation, boolean same)
      implements LayerSpec {
    /** An ordinary Conv1d: one group, taps side by side. */
    public Conv1d(String name, int stride, int padding) { this(name, stride, padding, 1, 1); }

    /** A Conv1d with an explicit padding. */
    public Conv1d(String name, int stride, int padding, int groups, int dilation) {
      this(name, stride, padding, groups, dilation, false);
    }

    @Override
    public Conv2d build(NetworkBuilder b, String where, int[] in) {
      Tensor w3 = b.weight(name, 3, groups == 1 ? "[out, in, k] (a Conv1d's)" : "[out, in / groups, k] (a Conv1d's)");
      if (in.length != 3 || in[1] != 1) {
        throw new ImportException(b.specName() + ": " + where + ": conv1d '" + name + "' reads a signal [C, L], "
            + "taken as the one-row image [C, 1, L], but gets " + Arrays.toString(in) + (in.length == 3 ? " (a "
            + "Conv1d does not read images)" : ""));
      }
      Tensor w = Conv.dense(b, where, "conv1d '" + name + "'", Tensor.of(w3.data(), w3.dim(0), w3.dim(1), 1,
          w3.dim(2)), groups, dilation);
      int[] pads = same ? ConvAxes.same(1, w.dim(3)) : new int[] {0, 0, padding, padding};
      Conv2d c = ConvAxes.build(b, where, name, "conv1d '" + name + "'", w, b.bias(name, w.dim(0)), stride, stride,
          pads, in);
      if (same) {
        b.describe("conv1d '" + name + "' (" + c.inChannels() + "->" + c.outChannels() + ", " + w3.dim(2)
            + (groups == 1 ? "" : ", groups " + groups) + (dilation == 1 ? "" : ", dilation " + dilation)
            + ", stride " + stride + ", padding 'same'; read as " + c.kernelHeight() + "x" + c.kernelWidth()
            + ", stride " + c.stride() + ", padding " + ConvAxes.pair(c.ph(), c.pw()) + ")");
      }
      return c;
    }

    @Override public List<String> requiredTensors() { return List.of(name + ".weight"); }

    @Override public String json(boolean vectorInput) {
      return "\"type\": \"conv1d\", \"name\": " + quote(name) + ", \"stride\": " + stride + ", \"padding\": "
          + (same ? "\"same\"" : padding) + Conv.extras(groups, dilation);
    }

    private static Conv1d read(Reader r, JsonObject o, String where) {
      Conv c = Conv.read(r, o, where, null);
      if (c.sh() != c.sw()) {
        throw r.fail(where + ".stride", "a Conv1d has one stride, got " + o.get("stride"));
      }
      if (c.ph() != c.pw()) {
        throw r.fail(where + ".padding", "a Conv1d has one padding, got " + o.get("padding"));
      }
      return new Conv1d(c.name(), c.sh(), c.ph(), c.groups(), c.dilation(), c.same());
    }

    /** A {@code Conv1d}; {@code padding='same'} as {@link Conv#fromModule} reads it. */
    private static Conv1d fromModule(TorchModule.Attributes h) {
      int k = h.square("kernel_size");
      h.require("kernel_size", k >= 1, "the kernel must have at least 1 tap");
      int s = h.square("stride");
      h.require("stride", s >= 1, "stride must be at least 1");
      int[] gd = Conv.groupsAndDilation(h);
      Object pad = h.raw("padding");
      if ("same".equals(pad)) {
        int total = gd[1] * (k - 1);
        return new Conv1d(h.path(), 1, total % 2 == 0 ? total / 2 : 0, gd[0], gd[1], total % 2 != 0);
      }
      return new Conv1d(h.path(), s, "valid".equals(pad) ? 0 : h.square("padding"), gd[0], gd[1], false);
    }
  }

  /**
   * A fully connected layer reading {@code name.weight} ([out, in], or [out, in, 1, 1]: a 1x1 conv applied to the
   * flattened map viewed as [N, in, 1, 1], as edge-popup's Conv2 to Conv8 compute their classifier) and optionally
   * {@code name.bias}.
   */
  public record Linear(String name) implements LayerSpec {
    @Override
    public dev.ticketproof.net.Linear build(NetworkBuilder b, String where, int[] in) {
      Tensor w = b.weight(name, 2, "[out, in]");
      return new dev.ticketproof.net.Linear(name, w, b.bias(name, w.dim(0)));
    }

    @Override public List<String> requiredTensors() { return List.of(name + ".weight"); }

    @Override public String json(boolean vectorInput) { return "\"type\": \"linear\", \"name\": " + quote(name); }

    @Override public boolean vectorOutput(boolean vectorInput) { return true; }

    private static Linear read(Reader r, JsonObject o, String where) {
      r.onlyKeys(o, where, Set.of("type", "name"));
      return new Linear(r.name(o, where, null));
    }
  }

  /**
   * BatchNorm2d in inference mode reading {@code name.weight/bias/running_mean/running_var}; without the affine
   * parameters ({@code affine=False}) only the running statistics, with weight 1 and bias 0.
   */
  public record BatchNorm(String name, double eps, boolean affine) implements LayerSpec {
    /** A BatchNorm with its affine parameters (PyTorch's default). */
    public BatchNorm(String name, double eps) { this(name, eps, true); }

    @Override
    public BatchNorm2d build(NetworkBuilder b, String where, int[] in) {
      if (affine && !b.has(name + ".weight") && b.has(name + ".running_mean") && !b.has(name + ".bias")) {
        throw new ImportException(b.specName() + ": " + where + ": BatchNorm '" + name + "' has running statistics "
            + "but no tensors '" + name + ".weight' and '" + name + ".bias' in " + b.source() + ": a BatchNorm with "
            + "affine=False, written {\"type\": \"batchnorm" + (in.length == 1 ? "1d" : "2d") + "\", \"name\": "
            + quote(name) + ", \"affine\": false}");
      }
      double[] gamma;
      double[] beta;
      double[] mean;
      int c;
      if (affine) {
        gamma = b.vector(name + ".weight", -1);
        c = gamma.length;
        beta = b.vector(name + ".bias", c);
        mean = b.statistic(name + ".running_mean", c);
      } else {
        mean = b.statistic(name + ".running_mean", -1);
        c = mean.length;
        gamma = new double[c];
        java.util.Arrays.fill(gamma, 1.0);
        beta = new double[c];
      }
      double[] var = b.statistic(name + ".running_var", c);
      for (int i = 0; i < c; i++) {
        if (var[i] < 0) {
          throw new ImportException(b.source() + ": tensor '" + name + ".running_var' has the negative variance "
              + var[i] + " at channel " + i);
        }
      }
      return new BatchNorm2d(name, gamma, beta, mean, var, eps);
    }

    @Override
    public List<String> requiredTensors() {
      List<String> out = new ArrayList<>();
      for (String t : affine ? new String[] {".weight", ".bias", ".running_mean", ".running_var"}
          : new String[] {".running_mean", ".running_var"}) {
        out.add(name + t);
      }
      return out;
    }

    @Override public String json(boolean vectorInput) {
      return "\"type\": \"batchnorm" + (vectorInput ? "1d" : "2d") + "\", " + members();
    }

    private String members() {
      return "\"name\": " + quote(name) + ", \"eps\": " + java.math.BigDecimal.valueOf(eps).stripTrailingZeros()
          .toString() + (affine ? "" : ", \"affine\": false");
    }

    @Override public boolean vectorOutput(boolean vectorInput) { return vectorInput; }

    private static BatchNorm read(Reader r, JsonObject o, String where, String defaultName) {
      r.onlyKeys(o, where, Set.of("type", "name", "eps", "affine"));
      double eps = DEFAULT_BN_EPS;
      if (o.has("eps")) {
        eps = r.number(o.get("eps"), where + ".eps");
        if (!(eps > 0 && eps < Double.POSITIVE_INFINITY)) throw r.fail(where + ".eps", "must be > 0, got " + eps);
      }
      boolean affine = true;
      if (o.has("affine")) {
        if (!(o.get("affine") instanceof com.google.gson.JsonPrimitive p && p.isBoolean())) {
          throw r.fail(where + ".affine", "must be true or false, got " + o.get("affine"));
        }
        affine = o.get("affine").getAsBoolean();
      }
      return new BatchNorm(r.name(o, where, defaultName), eps, affine);
    }

    private static BatchNorm fromModule(TorchModule.Attributes h) {
      if (!h.bool("track_running_stats")) {
        throw h.fail("track_running_stats=False (batch statistics at inference) is not supported");
      }
      double eps = h.number("eps");
      if (!(eps > 0 && Double.isFinite(eps))) throw h.fail("eps " + eps + " must be > 0");
      return new BatchNorm(h.path(), eps, h.bool("affine"));
    }
  }

  /**
   * An input normalisation, {@code (x - mean) / std} per channel (per feature of a vector): torchvision's
   * {@code transforms.Normalize} (an {@code nn.Module} whose {@code mean} and {@code std} are plain numbers), or a
   * normaliser whose {@code mean} and {@code std} are buffers (RobustBench's {@code ImageNormalizer}, a model's own
   * {@code register_buffer('mean', ...)}), named as tensors of C values each ({@code [C]}, {@code [1, C, 1, 1]}, ...).
   * It is built as the eval-mode BatchNorm that computes it (weight 1, or -1 where std is negative, bias 0, running
   * mean the mean, running variance std^2, an eps below that variance's last bit), which folds into the next layer
   * where that is exact ({@link dev.ticketproof.net.LooseBatchNorm}).
   *
   * @param name the layer's name in the table (a whole model's module path; may be empty)
   * @param mean the mean per channel, or {@code null} when {@code meanTensor} names it
   * @param std the standard deviation per channel, or {@code null} when {@code stdTensor} names it
   * @param meanTensor the tensor holding the means, or {@code null}
   * @param stdTensor the tensor holding the standard deviations, or {@code null}
   */
  public record Normalize(String name, List<Double> mean, List<Double> std, String meanTensor, String stdTensor)
      implements LayerSpec {
    public Normalize {
      if ((mean == null) == (meanTensor == null) || (std == null) == (stdTensor == null)) {
        throw new IllegalArgumentException("normalize: give the mean and the std each as numbers or as a tensor");
      }
      mean = mean == null ? null : List.copyOf(mean);
      std = std == null ? null : List.copyOf(std);
    }

    @Override
    public BatchNorm2d build(NetworkBuilder b, String where, int[] in) {
      int c = in[0];
      double[] m = meanTensor != null ? b.channelValues(meanTensor, c, where, in) : values(b, mean, "mean", c, where, in);
      double[] s = stdTensor != null ? b.channelValues(stdTensor, c, where, in) : values(b, std, "std", c, where, in);
      double[] gamma = new double[c];
      double[] var = new double[c];
      for (int i = 0; i < c; i++) {
        var[i] = s[i] * s[i];
        if (!(Double.isFinite(s[i]) && var[i] >= Double.MIN_NORMAL && Double.isFinite(var[i]))) {
          throw new ImportException(b.specName() + ": " + where + ": normalize" + (name.isEmpty() ? "" : " '" + name
              + "'") + ": std " + s[i] + " in channel " + i + " (" + (stdTensor == null ? "given" : "tensor '"
              + stdTensor + "'") + "): expected a finite std whose square is a normal double (not 0)");
        }
        gamma[i] = s[i] < 0 ? -1.0 : 1.0;
      }
      // var + eps rounds to var (eps far below its last bit): gamma (x - mean) / sqrt(var) = (x - mean) / std
      return new BatchNorm2d(name, gamma, new double[c], m, var, Double.MIN_VALUE, true);
    }

    /**
     * For a vector input of a multiple of {@code n} values: that it is read as one value per channel, and that an
     * image input gives the normalisation its n channels.
     */
    static String vectorHint(int n, int[] in) {
      if (in.length != 1 || n <= 1 || in[0] % n != 0) return "";
      return "; the input is read as a vector of " + in[0] + " values, one channel each: if the network reads "
          + "images of " + n + " channels (a flatten after the normalisation), give the input shape as [" + n
          + ", H, W] with H W = " + in[0] / n;
    }

    private double[] values(NetworkBuilder b, List<Double> v, String what, int c, String where, int[] in) {
      if (v.size() != c && v.size() != 1) {
        throw new ImportException(b.specName() + ": " + where + ": normalize" + (name.isEmpty() ? "" : " '" + name
            + "'") + " has " + v.size() + " values of " + what + " for an input of " + c + " channels: expected "
            + c + " (or 1 for all)" + vectorHint(v.size(), in));
      }
      double[] out = new double[c];
      for (int i = 0; i < c; i++) out[i] = v.get(v.size() == 1 ? 0 : i);
      return out;
    }

    @Override
    public List<String> requiredTensors() {
      List<String> out = new ArrayList<>();
      if (meanTensor != null) out.add(meanTensor);
      if (stdTensor != null) out.add(stdTensor);
      return out;
    }

    @Override public String json(boolean vectorInput) {
      return "\"type\": \"normalize\"" + (name.isEmpty() ? "" : ", \"name\": " + quote(name)) + ", \"mean\": "
          + member(mean, meanTensor) + ", \"std\": " + member(std, stdTensor);
    }

    private static String member(List<Double> v, String tensor) {
      if (tensor != null) return quote(tensor);
      List<String> parts = new ArrayList<>();
      for (double d : v) parts.add(Double.toString(d));
      return "[" + String.join(", ", parts) + "]";
    }

    @Override public boolean vectorOutput(boolean vectorInput) { return vectorInput; }

    @SuppressWarnings("unchecked")
    private static Normalize read(Reader r, JsonObject o, String where) {
      r.onlyKeys(o, where, Set.of("type", "name", "mean", "std"));
      String name = o.has("name") ? r.name(o, where, null) : "";
      Object[] mean = r.numbersOrTensor(o.get("mean"), where + ".mean");
      Object[] std = r.numbersOrTensor(o.get("std"), where + ".std");
      return new Normalize(name, (List<Double>) mean[0], (List<Double>) std[0], (String) mean[1], (String) std[1]);
    }

    private static final String IN_A_SPEC = "write it in a JSON spec as {\"type\": \"normalize\", \"mean\": [...], "
        + "\"std\": [...]} (docs/arch-spec.md)";

    /**
     * torchvision's {@code transforms.Normalize}: its {@code mean} and {@code std}, numbers (one, or a tuple, or a
     * tensor of at most {@value TorchModule#MAX_TUPLE} values, read as the tuple of its values).
     */
    public static Normalize fromTorchvision(TorchModule.Attributes h) {
      return new Normalize(h.path(), numbers(h, "mean"), numbers(h, "std"), null, null);
    }

    private static List<Double> numbers(TorchModule.Attributes h, String key) {
      if (!h.module().attributes().containsKey(key)) {
        throw h.fail(key + " is not a number, a tuple of numbers nor a tensor of at most " + TorchModule.MAX_TUPLE
            + " values (the module's attributes are read as plain values and small tensors only): save the model with "
            + "transforms.Normalize(mean=[...], std=[...]) of plain numbers (mean.tolist()), or " + IN_A_SPEC);
      }
      Object v = h.get(key);
      List<Double> out = new ArrayList<>();
      if (v instanceof Number n) {
        out.add(n.doubleValue());
      } else if (v instanceof List<?> l && !l.isEmpty()) {
        for (Object x : l) {
          if (!(x instanceof Number n)) {
            throw h.fail(key + " " + TorchModule.Attributes.show(v) + ": expected numbers, one per channel");
          }
          out.add(n.doubleValue());
        }
      } else {
        throw h.fail(key + (v == null ? " is None" : " " + TorchModule.Attributes.show(
            v) + ": expected numbers, one per channel") + ": give the normalisation with plain numbers, "
            + "transforms.Normalize(mean=[...], std=[...]), or " + IN_A_SPEC);
      }
      return out;
    }
  }

  /** The network's activation, elementwise. */
  public record Activation() implements LayerSpec {
    @Override
    public ActivationLayer build(NetworkBuilder b, String where, int[] in) {
      return new ActivationLayer(b.activation(where));
    }

    @Override public String json(boolean vectorInput) { return "\"type\": \"activation\""; }

    @Override public boolean vectorOutput(boolean vectorInput) { return vectorInput; }

    private static Activation read(Reader r, JsonObject o, String where) {
      r.onlyKeys(o, where, Set.of("type"));
      return new Activation();
    }
  }

  /**
   * An activation of the ReLU family with slopes of its own, in a network whose activation is relu: an
   * {@code nn.PReLU} (its learned slopes {@code name.weight}, one or one per channel; JSON {@code "prelu"}) or a leaky
   * relu whose slope differs from the other activations' (JSON {@code "leaky-relu"} with its {@code "slope"}). The
   * network is read as ReLU of doubled channels ({@link dev.ticketproof.net.ReluDoubling}).
   *
   * @param name the PReLU's tensor-name prefix, or {@code null} for a leaky relu of {@code slope}
   * @param slope the leaky relu's slope (NaN for a PReLU)
   */
  public record OwnSlopes(String name, double slope) implements LayerSpec {
    @Override
    public dev.ticketproof.net.ReluDoubling.Leaky build(NetworkBuilder b, String where, int[] in) {
      if (name == null) return new dev.ticketproof.net.ReluDoubling.Leaky("leaky-relu(" + slope + ")",
          new double[] {slope});
      Tensor w = b.weight(name, 1, "[C] or [1], the learned slopes");
      if (w.dim(0) != 1 && w.dim(0) != in[0]) {
        throw new ShapeRefusal("tensor '" + name + ".weight' has " + w.dim(0) + " slopes for the " + in[0]
            + " channels of its input (a PReLU has one slope, or one per channel)");
      }
      for (double a : w.data()) {
        if (!Double.isFinite(a)) throw new ShapeRefusal("tensor '" + name + ".weight' holds the slope " + a);
      }
      return new dev.ticketproof.net.ReluDoubling.Leaky(name, w.data());
    }

    @Override public String name() { return name == null ? "" : name; }

    @Override public List<String> requiredTensors() { return name == null ? List.of() : List.of(name + ".weight"); }

    @Override public String json(boolean vectorInput) {
      return name == null ? "\"type\": \"leaky-relu\", \"slope\": "
          + java.math.BigDecimal.valueOf(slope).stripTrailingZeros().toPlainString()
          : "\"type\": \"prelu\", \"name\": " + quote(name);
    }

    @Override public boolean vectorOutput(boolean vectorInput) { return vectorInput; }

    private static OwnSlopes readPrelu(Reader r, JsonObject o, String where) {
      r.onlyKeys(o, where, Set.of("type", "name"));
      return new OwnSlopes(r.name(o, where, null), Double.NaN);
    }

    private static OwnSlopes readLeaky(Reader r, JsonObject o, String where) {
      r.onlyKeys(o, where, Set.of("type", "slope"));
      double a = r.number(o.get("slope"), where + ".slope");
      if (!Double.isFinite(a)) throw r.fail(where + ".slope", "expected a finite number, got " + a);
      return new OwnSlopes(null, a);
    }
  }

  /** Flatten [C, H, W] to [C*H*W]. */
  public record Flatten() implements LayerSpec {
    @Override
    public dev.ticketproof.net.Flatten build(NetworkBuilder b, String where, int[] in) {
      return new dev.ticketproof.net.Flatten();
    }

    @Override public String json(boolean vectorInput) { return "\"type\": \"flatten\""; }

    @Override public boolean vectorOutput(boolean vectorInput) { return true; }

    private static Flatten read(Reader r, JsonObject o, String where) {
      r.onlyKeys(o, where, Set.of("type"));
      return new Flatten();
    }

    private static Flatten fromModule(TorchModule.Attributes h) {
      h.require("start_dim", h.integer("start_dim") == 1, "only start_dim=1 is supported");
      h.require("end_dim", h.integer("end_dim") == -1, "only end_dim=-1 is supported");
      return new Flatten();
    }
  }

  /**
   * Average pooling with windows of kh x kw, strides sh, sw, no padding ({@code AvgPool1d(k, s)} on a signal read as
   * the one-row image [C, 1, L]: 1 x k windows, strides 1 and s). With {@code ceil} (PyTorch's {@code ceil_mode=True})
   * it is built only on inputs where PyTorch adds no window ({@link #ceilWindows}), where it is the same pooling.
   */
  public record AvgPool(int kh, int kw, int sh, int sw, boolean ceil) implements LayerSpec {
    /** Without {@code ceil_mode}. */
    public AvgPool(int kh, int kw, int sh, int sw) { this(kh, kw, sh, sw, false); }

    /** A square window. */
    public AvgPool(int kernel, int stride) { this(kernel, kernel, stride, stride); }

    @Override public AvgPool2d build(NetworkBuilder b, String where, int[] in) {
      if (ceil) ceilWindows("average", in, kh, kw, sh, sw, 0, 0);
      return new AvgPool2d(kh, kw, sh, sw);
    }

    @Override public String json(boolean vectorInput) {
      return "\"type\": \"avgpool2d\", \"kernel\": " + pair(kh, kw) + ", \"stride\": " + pair(sh, sw)
          + (ceil ? ", \"ceilMode\": true" : "");
    }

    private static AvgPool read(Reader r, JsonObject o, String where) {
      r.onlyKeys(o, where, Set.of("type", "kernel", "stride", "ceilMode"));
      if (!o.has("kernel")) throw r.fail(where + ".kernel", "missing");
      int[] k = r.pair(o.get("kernel"), where + ".kernel", 1);
      int[] s = o.has("stride") ? r.pair(o.get("stride"), where + ".stride", 1) : k;
      return new AvgPool(k[0], k[1], s[0], s[1], ceilMode(r, o, where));
    }

    /** {@code AvgPool2d} ({@code oneD} false) or {@code AvgPool1d} on a signal read as one row. */
    private static AvgPool fromModule(TorchModule.Attributes h, boolean oneD) {
      int[] k = oneD ? new int[] {1, h.square("kernel_size")} : h.pair("kernel_size");
      int[] s = h.isNone("stride") ? k : oneD ? new int[] {1, h.square("stride")} : h.pair("stride");
      int[] p = oneD ? new int[] {0, h.square("padding")} : h.pair("padding");
      h.require("padding", p[0] == 0 && p[1] == 0, "the normal form's average pooling reads no padding (with "
          + "count_include_pad=True the windows at the border would average zeros in, which the source network's "
          + "constant units do not follow; with count_include_pad=False they divide by fewer inputs)");
      h.require("divisor_override", oneD || h.isNone("divisor_override"), "divisor_override is not supported");
      return new AvgPool(k[0], k[1], s[0], s[1], h.bool("ceil_mode"));
    }

    /** A spec's optional {@code "ceilMode"}: true or false (default false). */
    static boolean ceilMode(Reader r, JsonObject o, String where) {
      if (!o.has("ceilMode")) return false;
      if (!(o.get("ceilMode") instanceof com.google.gson.JsonPrimitive p && p.isBoolean())) {
        throw r.fail(where + ".ceilMode", "must be true or false, got " + o.get("ceilMode"));
      }
      return o.get("ceilMode").getAsBoolean();
    }

    /**
     * A pooling with {@code ceil_mode=True} on the input {@code in} [C, H, W]: PyTorch's output size along an axis of
     * L values is {@code ceil((L + 2 p - k) / s) + 1}, less one when that last window would start at or after
     * {@code L + p}. Where that is the floor's {@code floor((L + 2 p - k) / s) + 1} on both axes (L + 2 p - k a
     * multiple of s, or the extra window starting in the right padding), the pooling computes what it computes
     * without ceil_mode, and nothing is thrown; else PyTorch adds a last window that runs past the input, which the
     * normal form's pooling does not have.
     *
     * @throws ShapeRefusal naming the axis, its size and the window PyTorch adds
     */
    static void ceilWindows(String kind, int[] in, int kh, int kw, int sh, int sw, int ph, int pw) {
      if (in.length != 3) return; // a vector input: the pooling's own shape check refuses it
      String[] axes = {"rows", "columns"};
      int[][] kps = {{in[1], kh, sh, ph}, {in[2], kw, sw, pw}};
      for (int a = 0; a < 2; a++) {
        int len = kps[a][0];
        int k = kps[a][1];
        int st = kps[a][2];
        int p = kps[a][3];
        if (len + 2 * p < k) continue; // no window at all: the pooling's own shape check refuses it
        int floor = (len + 2 * p - k) / st + 1;
        if ((len + 2 * p - k) % st == 0 || (long) floor * st >= len + p) continue;
        int start = floor * st - p;
        throw new ShapeRefusal(kind + " pooling with ceil_mode=True (kernel " + pair(kh, kw) + ", stride "
            + pair(sh, sw) + (ph == 0 && pw == 0 ? "" : ", padding " + pair(ph, pw)) + "): on " + len + " " + axes[a]
            + " PyTorch adds a last window, " + axes[a] + " " + start + " to " + (start + k - 1) + ", which runs past "
            + "the input (" + (floor + 1) + " windows where the normal form's pooling has floor((" + len + " + 2 x "
            + p + " - " + k + ") / " + st + ") + 1 = " + floor + "), so it is not read on this input; ceil_mode makes "
            + "no difference where " + axes[a] + " + 2 padding - kernel is a multiple of the stride (give inputs of "
            + "such a size, or a network trained with ceil_mode=False)");
      }
    }
  }

  /**
   * Max pooling with windows of kh x kw, strides sh, sw and paddings ph, pw that are never the maximum
   * ({@code MaxPool1d(k, s, p)} on a signal read as the one-row image [C, 1, L]: 1 x k windows, strides 1 and s,
   * paddings 0 and p). With {@code ceil} (PyTorch's {@code ceil_mode=True}) it is built only on inputs where PyTorch
   * adds no window ({@link AvgPool#ceilWindows}), where it is the same pooling.
   */
  public record MaxPool(int kh, int kw, int sh, int sw, int ph, int pw, boolean ceil) implements LayerSpec {
    /** Without {@code ceil_mode}. */
    public MaxPool(int kh, int kw, int sh, int sw, int ph, int pw) { this(kh, kw, sh, sw, ph, pw, false); }

    /** A square window. */
    public MaxPool(int kernel, int stride, int padding) { this(kernel, kernel, stride, stride, padding, padding); }

    @Override
    public MaxPool2d build(NetworkBuilder b, String where, int[] in) {
      if (ceil) AvgPool.ceilWindows("max", in, kh, kw, sh, sw, ph, pw);
      return new MaxPool2d(kh, kw, sh, sw, ph, pw);
    }

    @Override public String json(boolean vectorInput) {
      return "\"type\": \"maxpool2d\", \"kernel\": " + pair(kh, kw) + ", \"stride\": " + pair(sh, sw)
          + ", \"padding\": " + pair(ph, pw) + (ceil ? ", \"ceilMode\": true" : "");
    }

    private static MaxPool read(Reader r, JsonObject o, String where) {
      r.onlyKeys(o, where, Set.of("type", "kernel", "stride", "padding", "ceilMode"));
      if (!o.has("kernel")) throw r.fail(where + ".kernel", "missing");
      int[] k = r.pair(o.get("kernel"), where + ".kernel", 1);
      int[] s = o.has("stride") ? r.pair(o.get("stride"), where + ".stride", 1) : k;
      int[] p = o.has("padding") ? r.pair(o.get("padding"), where + ".padding", 0) : new int[2];
      if (2 * p[0] > k[0] || 2 * p[1] > k[1]) {
        throw r.fail(where + ".padding", "must be at most half the kernel (" + pair(k[0], k[1]) + "), got "
            + pair(p[0], p[1]));
      }
      return new MaxPool(k[0], k[1], s[0], s[1], p[0], p[1], AvgPool.ceilMode(r, o, where));
    }

    /** {@code MaxPool2d} ({@code oneD} false) or {@code MaxPool1d} on a signal read as one row. */
    private static MaxPool fromModule(TorchModule.Attributes h, boolean oneD) {
      int[] k = oneD ? new int[] {1, h.square("kernel_size")} : h.pair("kernel_size");
      int[] s = h.isNone("stride") ? k : oneD ? new int[] {1, h.square("stride")} : h.pair("stride");
      int[] p = oneD ? new int[] {0, h.square("padding")} : h.pair("padding");
      h.require("dilation", h.square("dilation") == 1, "dilation must be 1 (a dilated window is not a window of "
          + "neighbouring inputs)");
      h.require("return_indices", !h.bool("return_indices"), "return_indices=True is not supported");
      h.require("padding", 2 * p[0] <= k[0] && 2 * p[1] <= k[1], "padding must be at most half the kernel");
      return new MaxPool(k[0], k[1], s[0], s[1], p[0], p[1], h.bool("ceil_mode"));
    }
  }

  /** A window side, stride or padding for JSON: one number when both axes agree, else [rows, columns]. */
  private static String pair(int rows, int columns) {
    return rows == columns ? Integer.toString(rows) : "[" + rows + ", " + columns + "]";
  }

  /** Global average pooling. */
  public record GlobalAvgPool() implements LayerSpec {
    @Override
    public dev.ticketproof.net.GlobalAvgPool build(NetworkBuilder b, String where, int[] in) {
      return new dev.ticketproof.net.GlobalAvgPool();
    }

    @Override public String json(boolean vectorInput) { return "\"type\": \"globalavgpool\""; }

    private static GlobalAvgPool read(Reader r, JsonObject o, String where) {
      r.onlyKeys(o, where, Set.of("type"));
      return new GlobalAvgPool();
    }
  }

  /**
   * PyTorch's {@code AdaptiveAvgPool2d} to {@code outH x outW} (an output of 1 x 1 is {@link GlobalAvgPool};
   * {@code AdaptiveAvgPool1d(n)} on a signal read as the one-row image [C, 1, L] is this to 1 x n). On an input
   * {@code [C, H, W]} with {@code H = a outH} and {@code W = c outW} its windows are
   * {@code [i a, (i + 1) a) x [j c, (j + 1) c)} (PyTorch's {@code floor(i H / outH)} to
   * {@code ceil((i + 1) H / outH)}), so it is exactly the average pooling with kernel = stride = (a, c), which it
   * builds; any other input is refused (PyTorch's windows then overlap or differ in size).
   */
  public record AdaptiveAvgPool(int outH, int outW) implements LayerSpec {
    @Override
    public AvgPool2d build(NetworkBuilder b, String where, int[] in) {
      int[] k = window(b, where, "average", outH, outW, in);
      return new AvgPool2d(k[0], k[1], k[0], k[1]);
    }

    /**
     * The sides {a, c} of the windows of an adaptive pooling to {@code outH x outW} on {@code in}: its height and
     * width are {@code a outH} and {@code c outW}; otherwise an error naming the layer and the map.
     */
    static int[] window(NetworkBuilder b, String where, String kind, int outH, int outW, int[] in) {
      String what = b.specName() + ": " + where + ": adaptive " + kind + " pooling to " + outH + "x" + outW;
      if (in.length != 3) {
        throw new ImportException(what + " needs an image [C, H, W], gets " + Arrays.toString(in));
      }
      int h = in[1];
      int w = in[2];
      if (h % outH != 0 || w % outW != 0) {
        throw new ImportException(what + " on a " + h + "x" + w + " map: " + (h % outH != 0 ? h + " is not a "
            + "multiple of " + outH : w + " is not a multiple of " + outW) + ", so PyTorch's windows overlap or "
            + "differ in size, which no " + kind + " pooling of the normal form (one window, one stride per axis) "
            + "computes; supported: maps of " + outH + "a x " + outW + "c rows and columns (a, c whole numbers), where it "
            + "is the " + kind + " pooling with kernel = stride = (a, c) (give inputs of such a size)");
      }
      return new int[] {h / outH, w / outW};
    }

    @Override public String json(boolean vectorInput) {
      return "\"type\": \"adaptiveavgpool2d\", \"output\": [" + outH + ", " + outW + "]";
    }

    private static AdaptiveAvgPool read(Reader r, JsonObject o, String where) {
      int[] out = readOutput(r, o, where);
      return new AdaptiveAvgPool(out[0], out[1]);
    }

    /**
     * {@code AdaptiveAvgPool2d(n)} or {@code ((h, w))}, or {@code AdaptiveAvgPool1d(n)} ({@code oneD}: to 1 x n):
     * global average pooling for 1 x 1, else this.
     */
    private static LayerSpec fromModule(TorchModule.Attributes h, boolean oneD) {
      int[] out = outputSize(h, oneD);
      return out[0] == 1 && out[1] == 1 ? new GlobalAvgPool() : new AdaptiveAvgPool(out[0], out[1]);
    }

    /**
     * An adaptive pooling's {@code output_size}, {@code n} or {@code (h, w)}, as {@code {h, w}}; a 1-d pooling's
     * ({@code oneD}), {@code n} or {@code (n,)}, as {@code {1, n}}.
     */
    static int[] outputSize(TorchModule.Attributes h, boolean oneD) {
      if (oneD) return new int[] {1, h.square("output_size")};
      Object v = h.get("output_size");
      List<?> sizes = v instanceof List<?> l ? l : java.util.Collections.singletonList(v);
      if (sizes.size() != 2 && sizes.size() != 1) {
        throw h.fail("output_size " + TorchModule.Attributes.show(v) + ": expected one size or (H, W)");
      }
      int[] out = new int[2];
      for (int i = 0; i < 2; i++) {
        Object s = sizes.get(Math.min(i, sizes.size() - 1));
        if (s == null) {
          throw h.fail("output_size " + TorchModule.Attributes.show(v) + ": None (the input's own size along that "
              + "axis) is not supported");
        }
        if (!(s instanceof Integer || s instanceof Long) || ((Number) s).longValue() < 1
            || ((Number) s).longValue() > 1 << 20) {
          throw h.fail("output_size " + TorchModule.Attributes.show(v) + ": expected integers >= 1");
        }
        out[i] = ((Number) s).intValue();
      }
      return out;
    }

    /** The output size as JSON reads it: {@code [H, W]} or one number. */
    static int[] readOutput(Reader r, JsonObject o, String where) {
      r.onlyKeys(o, where, Set.of("type", "output"));
      if (!o.has("output")) throw r.fail(where + ".output", "missing (the output size, [H, W] or one number)");
      JsonElement e = o.get("output");
      if (e.isJsonArray()) {
        JsonArray a = e.getAsJsonArray();
        if (a.size() != 2) throw r.fail(where + ".output", "expected [H, W] or one number, got " + a);
        return new int[] {r.positiveInt(a.get(0), where + ".output[0]"), r.positiveInt(a.get(1), where + ".output[1]")};
      }
      int n = r.positiveInt(e, where + ".output");
      return new int[] {n, n};
    }
  }

  /**
   * PyTorch's {@code AdaptiveMaxPool2d} to {@code outH x outW} ({@code AdaptiveMaxPool2d(1)}: global max pooling;
   * {@code AdaptiveMaxPool1d(n)}: to 1 x n on a signal read as one row): on an input {@code [C, H, W]} with
   * {@code H = a outH} and {@code W = c outW} exactly the max pooling with kernel = stride = (a, c) and no padding,
   * which it builds (as {@link AdaptiveAvgPool}); any other input is refused.
   */
  public record AdaptiveMaxPool(int outH, int outW) implements LayerSpec {
    @Override
    public MaxPool2d build(NetworkBuilder b, String where, int[] in) {
      int[] k = AdaptiveAvgPool.window(b, where, "max", outH, outW, in);
      return new MaxPool2d(k[0], k[1], k[0], k[1], 0, 0);
    }

    @Override public String json(boolean vectorInput) {
      return "\"type\": \"adaptivemaxpool2d\", \"output\": [" + outH + ", " + outW + "]";
    }

    private static AdaptiveMaxPool read(Reader r, JsonObject o, String where) {
      int[] out = AdaptiveAvgPool.readOutput(r, o, where);
      return new AdaptiveMaxPool(out[0], out[1]);
    }

    private static AdaptiveMaxPool fromModule(TorchModule.Attributes h, boolean oneD) {
      h.require("return_indices", !h.bool("return_indices"), "return_indices=True is not supported");
      int[] out = AdaptiveAvgPool.outputSize(h, oneD);
      return new AdaptiveMaxPool(out[0], out[1]);
    }
  }

  /**
   * A residual block: phi(bn2(conv2(phi(bn1(conv1 x)))) + shortcut(x)); or, with a third conv (a bottleneck block,
   * torchvision's {@code Bottleneck}), phi(bn3(conv3(phi(bn2(conv2(phi(bn1(conv1 x)))))) + shortcut(x)). The
   * BatchNorms may be {@code null}; {@code conv3} is {@code null} for a block of two convs, and then {@code bn3} too.
   */
  public record Residual(String name, Conv conv1, BatchNorm bn1, Conv conv2, BatchNorm bn2, Conv conv3, BatchNorm bn3,
      Shortcut shortcut) implements LayerSpec {
    public Residual {
      if (conv3 == null && bn3 != null) throw new IllegalArgumentException("residual " + name + ": bn3 without conv3");
    }

    /** A block of two convs. */
    public Residual(String name, Conv conv1, BatchNorm bn1, Conv conv2, BatchNorm bn2, Shortcut shortcut) {
      this(name, conv1, bn1, conv2, bn2, null, null, shortcut);
    }

    @Override
    public Layer build(NetworkBuilder b, String where, int[] in) {
      Conv2d c1 = conv1.build(b, where, in);
      BatchNorm2d n1 = bn1 == null ? null : bn1.build(b, where, in);
      Conv2d c2 = conv2.build(b, where, after(c1, in));
      BatchNorm2d n2 = bn2 == null ? null : bn2.build(b, where, in);
      Conv2d c3 = conv3 == null ? null : conv3.build(b, where, after(c2, after(c1, in)));
      BatchNorm2d n3 = bn3 == null ? null : bn3.build(b, where, in);
      ResidualBlock.Shortcut skip = shortcut.build(b, name, in, (c3 == null ? c2 : c3).outChannels());
      String what = where + " (" + (c3 == null ? "residual" : "bottleneck") + " block " + name + ")";
      return c3 == null ? new ResidualBlock(name, c1, n1, c2, n2, skip, b.activation(what))
          : new Bottleneck(name, c1, n1, c2, n2, c3, n3, skip, b.activation(what));
    }

    /** A conv's output shape, or its input's when it does not fit (the block's shape check reports it). */
    private static int[] after(Conv2d conv, int[] in) {
      try {
        return conv.outShape(in);
      } catch (IllegalArgumentException e) {
        return in;
      }
    }

    @Override
    public List<String> requiredTensors() {
      List<String> out = new ArrayList<>(conv1.requiredTensors());
      if (bn1 != null) out.addAll(bn1.requiredTensors());
      out.addAll(conv2.requiredTensors());
      if (bn2 != null) out.addAll(bn2.requiredTensors());
      if (conv3 != null) out.addAll(conv3.requiredTensors());
      if (bn3 != null) out.addAll(bn3.requiredTensors());
      out.addAll(shortcut.requiredTensors());
      return out;
    }

    @Override
    public String json(boolean vectorInput) {
      return "\"type\": \"residual\", \"name\": " + quote(name) + ", \"conv1\": {" + conv1.members() + "}"
          + (bn1 == null ? "" : ", \"bn1\": {" + bn1.members() + "}") + ", \"conv2\": {" + conv2.members() + "}"
          + (bn2 == null ? "" : ", \"bn2\": {" + bn2.members() + "}")
          + (conv3 == null ? "" : ", \"conv3\": {" + conv3.members() + "}")
          + (bn3 == null ? "" : ", \"bn3\": {" + bn3.members() + "}") + ", \"shortcut\": {" + shortcut.json() + "}";
    }

    private static Residual read(Reader r, JsonObject o, String where) {
      r.onlyKeys(o, where, Set.of("type", "name", "conv1", "bn1", "conv2", "bn2", "conv3", "bn3", "shortcut"));
      String name = r.name(o, where, null);
      for (String k : new String[] {"conv1", "conv2"}) if (!o.has(k)) throw r.fail(where + "." + k, "missing");
      if (o.has("bn3") && !o.has("conv3")) throw r.fail(where + ".bn3", "bn3 without conv3");
      Conv[] convs = new Conv[3];
      BatchNorm[] bns = new BatchNorm[3];
      for (int i = 0; i < 3; i++) {
        String c = "conv" + (i + 1);
        String n = "bn" + (i + 1);
        if (o.has(c)) convs[i] = Conv.read(r, r.sub(o, c, where), where + "." + c, name + "." + c);
        if (o.has(n)) bns[i] = BatchNorm.read(r, r.sub(o, n, where), where + "." + n, name + "." + n);
      }
      Shortcut shortcut = o.has("shortcut") ? Shortcut.read(r, r.sub(o, "shortcut", where), where + ".shortcut",
          name) : new Identity(null);
      return new Residual(name, convs[0], bns[0], convs[1], bns[1], convs[2], bns[2], shortcut);
    }
  }

  /**
   * A pre-activation ResNet under names of its own: a stem conv, blocks that add their input with no activation after
   * the sum ({@code s' = sc + conv2(phi(bn2(conv1(phi(bn1 s)))))}, the shortcut the identity or a 1x1 projection of
   * the activated input {@code phi(bn1 s)} or of {@code s} itself), an optional final BatchNorm with the activation,
   * global average pooling and a linear layer. It is never built as one layer: the loader reads the whole network
   * rewritten to a post-activation ResNet of doubled width ({@code targets.PreActResNet}), so it is the spec's only
   * layer but for a {@link Normalize} before it.
   *
   * @param stem the stem conv's name (3x3, stride 1, padding 1)
   * @param blocks the blocks' names (their tensors' prefixes) in order, with their strides
   * @param bn1 a block's BatchNorm on its input, under the block's name
   * @param conv1 a block's first conv (3x3, padding 1), under the block's name
   * @param bn2 a block's second BatchNorm, under the block's name
   * @param conv2 a block's second conv (3x3, padding 1), under the block's name
   * @param shortcut a block's projection shortcut, under the block's name, where the block has one
   * @param shortcutReadsInput whether a projection reads the block's input s (else phi(bn1 s))
   * @param strideOnConv2 whether a block's stride is on its conv2 (else on its conv1)
   * @param bn the final BatchNorm's name, or {@code null} for none
   * @param linear the linear layer's name
   */
  public record PreActNet(String stem, List<PreActBlock> blocks, String bn1, String conv1, String bn2, String conv2,
      String shortcut, boolean shortcutReadsInput, boolean strideOnConv2, String bn, String linear)
      implements LayerSpec {
    public PreActNet {
      blocks = List.copyOf(blocks);
    }

    /**
     * One block of a {@link PreActNet}.
     *
     * @param name its tensors' prefix
     * @param stride its stride
     */
    public record PreActBlock(String name, int stride) {}

    @Override
    public Layer build(NetworkBuilder b, String where, int[] in) {
      throw new ImportException(where + ": a preact-resnet is read as the whole network, rewritten (a normalize "
          + "layer may come before it, no layer after it)");
    }

    @Override
    public List<String> requiredTensors() {
      List<String> out = new ArrayList<>(List.of(stem + ".weight"));
      for (PreActBlock blk : blocks) out.add(blk.name() + "." + conv1 + ".weight");
      out.add(linear + ".weight");
      return out;
    }

    @Override
    public String json(boolean vectorInput) {
      StringBuilder sb = new StringBuilder("\"type\": \"preact-resnet\", \"stem\": " + quote(stem) + ", \"blocks\": [");
      for (int i = 0; i < blocks.size(); i++) {
        sb.append(i == 0 ? "" : ", ").append("{\"name\": ").append(quote(blocks.get(i).name())).append(", \"stride\": ")
            .append(blocks.get(i).stride()).append('}');
      }
      return sb.append("], \"bn1\": ").append(quote(bn1)).append(", \"conv1\": ").append(quote(conv1))
          .append(", \"bn2\": ").append(quote(bn2)).append(", \"conv2\": ").append(quote(conv2))
          .append(", \"shortcut\": ").append(quote(shortcut)).append(", \"shortcutReads\": ")
          .append(quote(shortcutReadsInput ? "input" : "activated")).append(", \"strideOn\": ")
          .append(quote(strideOnConv2 ? "conv2" : "conv1")).append(bn == null ? "" : ", \"bn\": " + quote(bn))
          .append(", \"linear\": ").append(quote(linear)).toString();
    }

    @Override public boolean vectorOutput(boolean vectorInput) { return true; }

    private static PreActNet read(Reader r, JsonObject o, String where) {
      r.onlyKeys(o, where, Set.of("type", "stem", "blocks", "bn1", "conv1", "bn2", "conv2", "shortcut",
          "shortcutReads", "strideOn", "bn", "linear"));
      if (!o.has("blocks")) throw r.fail(where + ".blocks", "missing (the blocks' names in order)");
      JsonArray a = r.array(o.get("blocks"), where + ".blocks");
      if (a.isEmpty()) throw r.fail(where + ".blocks", "expected at least one block");
      List<PreActBlock> blocks = new ArrayList<>();
      for (int i = 0; i < a.size(); i++) {
        String w = where + ".blocks[" + i + "]";
        JsonObject b = r.object(a.get(i), w);
        r.onlyKeys(b, w, Set.of("name", "stride"));
        int stride = b.has("stride") ? r.positiveInt(b.get("stride"), w + ".stride") : 1;
        blocks.add(new PreActBlock(r.name(b, w, null), stride));
      }
      String reads = text(r, o, "shortcutReads", where, "activated");
      if (!reads.equals("activated") && !reads.equals("input")) {
        throw r.fail(where + ".shortcutReads", "expected \"activated\" (a projection of phi(bn1 s), kuangliu's) or "
            + "\"input\" (of the block's input s itself), got '" + reads + "'");
      }
      String on = text(r, o, "strideOn", where, "conv1");
      if (!on.equals("conv1") && !on.equals("conv2")) {
        throw r.fail(where + ".strideOn", "expected \"conv1\" or \"conv2\" (the block's conv that has its stride), "
            + "got '" + on + "'");
      }
      return new PreActNet(text(r, o, "stem", where, "conv1"), blocks, text(r, o, "bn1", where, "bn1"),
          text(r, o, "conv1", where, "conv1"), text(r, o, "bn2", where, "bn2"), text(r, o, "conv2", where, "conv2"),
          text(r, o, "shortcut", where, "shortcut.0"), reads.equals("input"), on.equals("conv2"),
          o.has("bn") ? text(r, o, "bn", where, null) : null, text(r, o, "linear", where, "linear"));
    }

    private static String text(Reader r, JsonObject o, String key, String where, String otherwise) {
      if (!o.has(key)) return otherwise;
      String v = r.string(o.get(key), where + "." + key);
      if (v.isEmpty()) throw r.fail(where + "." + key, "must not be empty");
      return v;
    }
  }

  /** The skip path of a residual block. */
  public sealed interface Shortcut {
    /**
     * The skip path of the block's layer.
     *
     * @param block the block's name
     * @param in the block's per-example input shape
     * @param out the main branch's output channels
     */
    ResidualBlock.Shortcut build(NetworkBuilder b, String block, int[] in, int out);

    /** The tensors it cannot do without. */
    List<String> requiredTensors();

    /** The members of its JSON object, {@code "type"} first. */
    String json();

    private static Shortcut read(Reader r, JsonObject o, String where, String block) {
      String type = o.has("type") ? r.string(o.get("type"), where + ".type") : "";
      if (type.equals("identity")) {
        r.onlyKeys(o, where, Set.of("type", "scale"));
        if (!o.has("scale")) return new Identity(null);
        return new Identity(r.name(r.sub(o, "scale", where), where + ".scale", block + ".shortcut.weight"));
      }
      if (type.equals("projection")) {
        r.onlyKeys(o, where, Set.of("type", "pool", "conv", "bn"));
        int pool = o.has("pool") ? r.positiveInt(o.get("pool"), where + ".pool") : 1;
        if (!o.has("conv")) throw r.fail(where + ".conv", "missing");
        Conv conv = Conv.read(r, r.sub(o, "conv", where), where + ".conv", block + ".shortcut.0");
        BatchNorm bn = o.has("bn") ? BatchNorm.read(r, r.sub(o, "bn", where), where + ".bn", block + ".shortcut.1")
            : null;
        return new Projection(conv, bn, pool);
      }
      if (type.equals("pad")) {
        r.onlyKeys(o, where, Set.of("type", "name", "stride", "pad"));
        int stride = o.has("stride") ? r.positiveInt(o.get("stride"), where + ".stride") : 2;
        int pad = o.has("pad") ? r.nonNegativeInt(o.get("pad"), where + ".pad") : PAD_FROM_SHAPES;
        return new ChannelPad(r.name(o, where, block + ".shortcut"), stride, pad);
      }
      throw r.fail(where + ".type", "unsupported shortcut type '" + type + "' (supported: identity, projection, "
          + "pad)");
    }
  }

  /** Identity skip; {@code scale} names a per-channel scale tensor, or is {@code null}. */
  public record Identity(String scale) implements Shortcut {
    @Override
    public ResidualBlock.Identity build(NetworkBuilder b, String block, int[] in, int out) {
      if (scale == null) return new ResidualBlock.Identity(null);
      // stored as [C], [C, 1, 1] (open_lth style, with a mask of the same shape) or [1, C, 1, 1] (broadcast over a
      // batch); any other shape is an error
      Tensor s = b.tensor(scale);
      int[] d = s.shape();
      boolean ok = d.length == 1 || (d.length == 3 && d[1] == 1 && d[2] == 1)
          || (d.length == 4 && d[0] == 1 && d[2] == 1 && d[3] == 1);
      if (!ok) {
        throw new ImportException(b.specName() + ": tensor '" + scale + "' in " + b.source() + " has shape "
            + Arrays.toString(d) + ", expected [C], [C, 1, 1] or [1, C, 1, 1] (a per-channel scale of the identity "
            + "shortcut)");
      }
      return new ResidualBlock.Identity(s.data().clone());
    }

    @Override public List<String> requiredTensors() { return scale == null ? List.of() : List.of(scale); }

    @Override public String json() {
      return "\"type\": \"identity\"" + (scale == null ? "" : ", \"scale\": {\"name\": " + quote(scale) + "}");
    }
  }

  /**
   * Projection skip: a conv, then an optional BatchNorm ({@code null} for none); with {@code pool} p &gt; 1, an average
   * pooling with kernel and stride p before the conv (ResNet-D's {@code nn.Sequential(AvgPool2d(2, 2, ceil_mode=True,
   * count_include_pad=False), Conv2d(C_in, C_out, 1), BatchNorm2d)}, timm's {@code downsample_avg}). The pooling and a
   * 1x1 conv of stride 1 without padding are one conv: kernel p x p, stride p, every tap the 1x1 weight divided by
   * p^2, the same sums up to rounding; built only on maps whose sides are multiples of p, where PyTorch's pooling
   * (ceil_mode or not) has no partial window.
   */
  public record Projection(Conv conv, BatchNorm bn, int pool) implements Shortcut {
    /** A projection without pooling. */
    public Projection(Conv conv, BatchNorm bn) { this(conv, bn, 1); }

    @Override
    public ResidualBlock.Projection build(NetworkBuilder b, String block, int[] in, int out) {
      Conv2d c = conv.build(b, block, in);
      if (pool > 1) c = pooled(b, block, c, in);
      return new ResidualBlock.Projection(c, bn == null ? null : bn.build(b, block, in));
    }

    private Conv2d pooled(NetworkBuilder b, String block, Conv2d c, int[] in) {
      String what = b.specName() + ": residual block '" + block + "': its projection's average pooling " + pool + "x"
          + pool + " before conv '" + c.name() + "'";
      if (c.kernelHeight() != 1 || c.kernelWidth() != 1 || c.stride() != 1 || c.padded()) {
        throw new ImportException(what + " is read with a 1x1 conv of stride 1 without padding after it, got "
            + c.describe());
      }
      if (in.length != 3 || in[1] % pool != 0 || in[2] % pool != 0) {
        throw new ImportException(what + " reads a map of " + (in.length == 3 ? in[1] + "x" + in[2] : "shape "
            + Arrays.toString(in)) + ", whose sides are not multiples of " + pool + ": PyTorch's pooling (with "
            + "ceil_mode=True, as ResNet-D's) then has a partial last window, which is not read; give an input whose "
            + "maps have even sides there");
      }
      double[] w = c.weight().data();
      int o = c.outChannels();
      int i = c.inChannels();
      int taps = pool * pool;
      double[] d = new double[o * i * taps];
      for (int k = 0; k < o * i; k++) for (int t = 0; t < taps; t++) d[k * taps + t] = w[k] / taps;
      return new Conv2d(c.name(), Tensor.of(d, o, i, pool, pool), c.bias(), pool, 0);
    }

    @Override public List<String> requiredTensors() {
      List<String> out = new ArrayList<>(conv.requiredTensors());
      if (bn != null) out.addAll(bn.requiredTensors());
      return out;
    }

    @Override public String json() {
      return "\"type\": \"projection\"" + (pool > 1 ? ", \"pool\": " + pool : "") + ", \"conv\": {" + conv.members()
          + "}" + (bn == null ? "" : ", \"bn\": {" + bn.members() + "}");
    }
  }

  /**
   * A skip without parameters (the "option A" shortcut of He et al.'s CIFAR ResNets): spatial subsampling by
   * {@code stride} ({@code x[:, :, ::s, ::s]}) and {@code pad} zero channels on each side, so that
   * {@code C_out = C_in + 2 pad}. The network builder represents it exactly as a 1x1 conv named {@code name} with
   * stride {@code stride}, no padding, no bias and the fixed kernel {@code K[j][i] = 1 if j == i + pad else 0}.
   *
   * @param name the name of that conv (it reads no tensors)
   * @param stride the subsampling step, >= 1
   * @param pad the zero channels on each side, or {@link #PAD_FROM_SHAPES} for {@code (C_out - C_in) / 2} with
   *     {@code C_out} the block's output channels
   */
  public record ChannelPad(String name, int stride, int pad) implements Shortcut {
    /**
     * The projection it equals: a 1x1 conv with the given stride, no padding, no bias and the kernel
     * {@code K[j][i] = 1 if j == i + pad else 0} ({@code out = in + 2 pad} channels), which subsamples
     * {@code x[:, :, ::stride, ::stride]} and puts {@code pad} zero channels on each side, exactly (each output is
     * one input times 1 plus zeros). Its weights are the spec's, not the file's: the layer table does not count
     * them.
     */
    @Override
    public ResidualBlock.Projection build(NetworkBuilder b, String block, int[] in, int out) {
      String what = b.specName() + ": residual block '" + block + "': its pad shortcut";
      if (in.length != 3) {
        throw new ImportException(what + " needs an image input [C, H, W], gets " + Arrays.toString(in));
      }
      int c = in[0];
      int p = pad;
      if (p == PAD_FROM_SHAPES) {
        if (out < c || (out - c) % 2 != 0) {
          throw new ImportException(what + " pads zero channels equally on both sides of the block's " + c
              + " input channels, which cannot give the " + out + " channels of its main branch (the difference "
              + "must be even and >= 0)");
        }
        p = (out - c) / 2;
      } else if ((long) c + 2L * p != out) {
        throw new ImportException(what + " pads " + p + " zero channels on each side of the block's " + c
            + " input channels, giving " + ((long) c + 2L * p) + ", but its main branch gives " + out);
      }
      if ((long) out * c > Budget.MAX_EXAMPLE_VALUES) {
        throw new ImportException(what + " (" + c + " -> " + out + " channels) would be a 1x1 conv of "
            + (long) out * c + " weights; supported: at most " + Budget.MAX_EXAMPLE_VALUES);
      }
      double[] k = new double[out * c];
      for (int i = 0; i < c; i++) k[(i + p) * c + i] = 1;
      return new ResidualBlock.Projection(new Conv2d(name, Tensor.of(k, out, c, 1, 1), null, stride, 0), null);
    }

    @Override public List<String> requiredTensors() { return List.of(); }

    @Override public String json() {
      return "\"type\": \"pad\", \"name\": " + quote(name) + ", \"stride\": " + stride
          + (pad == PAD_FROM_SHAPES ? "" : ", \"pad\": " + pad);
    }
  }

  /** {@link ChannelPad#pad()} when it follows from the block's channel counts. */
  public static final int PAD_FROM_SHAPES = -1;

  /** How a layer's JSON object is read ({@code where} names it in messages, e.g. {@code layers[3]}). */
  private interface JsonType {
    LayerSpec read(Reader r, JsonObject o, String where);
  }

  /** The JSON layer types ({@code "type"}) and how each is read: one entry per record above. */
  private static final Map<String, JsonType> JSON_TYPES = Map.ofEntries(
      Map.entry("conv2d", (r, o, where) -> Conv.read(r, o, where, null)),
      Map.entry("conv1d", Conv1d::read),
      Map.entry("adaptiveavgpool2d", AdaptiveAvgPool::read),
      Map.entry("adaptivemaxpool2d", AdaptiveMaxPool::read),
      Map.entry("linear", Linear::read),
      Map.entry("batchnorm2d", (r, o, where) -> BatchNorm.read(r, o, where, null)),
      Map.entry("batchnorm1d", (r, o, where) -> BatchNorm.read(r, o, where, null)),
      Map.entry("normalize", Normalize::read),
      Map.entry("activation", Activation::read),
      Map.entry("prelu", OwnSlopes::readPrelu),
      Map.entry("leaky-relu", OwnSlopes::readLeaky),
      Map.entry("flatten", Flatten::read),
      Map.entry("avgpool2d", AvgPool::read),
      Map.entry("maxpool2d", MaxPool::read),
      Map.entry("globalavgpool", GlobalAvgPool::read),
      Map.entry("residual", Residual::read),
      Map.entry("preact-resnet", PreActNet::read));

  /**
   * A {@code torch.nn} class a whole model's Sequential may hold as a layer, and how its hyper-parameters give the
   * layer's spec.
   *
   * @param shown the class as messages list it
   * @param read the spec of a module of the class
   */
  private record ModuleType(String shown, Function<TorchModule.Attributes, LayerSpec> read) {}

  /** The {@code torch.nn} layer classes by simple name, in the order messages list them: one per record above. */
  private static final Map<String, ModuleType> MODULES = new LinkedHashMap<>();

  static {
    MODULES.put("Conv2d", new ModuleType("Conv2d", Conv::fromModule));
    MODULES.put("Conv1d", new ModuleType("Conv1d", Conv1d::fromModule));
    MODULES.put("Linear", new ModuleType("Linear", h -> new Linear(h.path())));
    MODULES.put("BatchNorm1d", new ModuleType("BatchNorm1d", BatchNorm::fromModule));
    MODULES.put("BatchNorm2d", new ModuleType("BatchNorm2d", BatchNorm::fromModule));
    MODULES.put("MaxPool2d", new ModuleType("MaxPool2d", h -> MaxPool.fromModule(h, false)));
    MODULES.put("MaxPool1d", new ModuleType("MaxPool1d", h -> MaxPool.fromModule(h, true)));
    MODULES.put("AvgPool2d", new ModuleType("AvgPool2d", h -> AvgPool.fromModule(h, false)));
    MODULES.put("AvgPool1d", new ModuleType("AvgPool1d", h -> AvgPool.fromModule(h, true)));
    MODULES.put("AdaptiveAvgPool2d", new ModuleType("AdaptiveAvgPool2d", h -> AdaptiveAvgPool.fromModule(h, false)));
    MODULES.put("AdaptiveAvgPool1d", new ModuleType("AdaptiveAvgPool1d", h -> AdaptiveAvgPool.fromModule(h, true)));
    MODULES.put("AdaptiveMaxPool2d", new ModuleType("AdaptiveMaxPool2d", h -> AdaptiveMaxPool.fromModule(h, false)));
    MODULES.put("AdaptiveMaxPool1d", new ModuleType("AdaptiveMaxPool1d", h -> AdaptiveMaxPool.fromModule(h, true)));
    MODULES.put("Flatten", new ModuleType("Flatten", Flatten::fromModule));
  }

  /**
   * The layer spec of a whole model's module of a {@code torch.nn} layer class, named by its path: its
   * hyper-parameters checked to be what the spec represents exactly.
   *
   * @param module a {@code torch.nn} module (the caller has checked the class's module)
   * @return its spec, or {@code null} when its class is not a layer class here (an activation, say)
   * @throws ImportException naming the module's path and class and the hyper-parameter the spec cannot represent
   */
  public static LayerSpec fromModule(TorchModule.Attributes module) {
    ModuleType t = MODULES.get(module.simpleName());
    return t == null ? null : t.read().apply(module);
  }

  /** The {@code torch.nn} layer classes {@link #fromModule} reads, for messages. */
  public static List<String> moduleClasses() {
    return MODULES.values().stream().map(ModuleType::shown).toList();
  }

  /**
   * The tensors the spec cannot do without, in layer order: every conv's and linear layer's {@code .weight}, the
   * four tensors of every BatchNorm and every identity shortcut's scale (biases are optional).
   */
  public List<String> requiredTensors() {
    List<String> out = new ArrayList<>();
    for (LayerSpec l : layers) out.addAll(l.requiredTensors());
    return out;
  }

  /**
   * The spec as JSON in the format {@link #parse} reads ({@code docs/arch-spec.md}), one layer a line, every
   * parameter written out: {@code parse(source, toJson())} gives this spec again. A BatchNorm is written as
   * {@code batchnorm1d} where its input is a vector (after a flatten or a linear layer, or on a vector input),
   * else as {@code batchnorm2d}.
   */
  public String toJson() {
    StringBuilder sb = new StringBuilder("{\n");
    if (input != null) {
      sb.append("  \"input\": ").append(Arrays.toString(input)).append(",\n");
    }
    if (activation != null) sb.append("  \"activation\": ").append(quote(activation)).append(",\n");
    sb.append("  \"layers\": [\n");
    boolean flat = input != null && input.length == 1;
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec l = layers.get(i);
      sb.append("    {").append(l.json(flat)).append("}").append(i + 1 < layers.size() ? ",\n" : "\n");
      flat = l.vectorOutput(flat);
    }
    sb.append("  ]");
    if (outputActivation != null) sb.append(",\n  \"outputActivation\": ").append(quote(outputActivation));
    return sb.append("\n}\n").toString();
  }

  private static String quote(String s) { return new com.google.gson.Gson().toJson(s); }

  /** PyTorch's default BatchNorm epsilon. */
  public static final double DEFAULT_BN_EPS = 1e-5;

  /** Largest spec file read (a spec of a thousand layers has about 100 KB). */
  public static final long MAX_SPEC_BYTES = 1 << 20;

  /**
   * Reads a JSON spec file.
   *
   * @throws ImportException naming the file and the offending entry (e.g. {@code layers[3].type}) when the file is
   *     missing, not JSON, or not a valid spec
   */
  public static ArchSpec read(Path file) {
    String text;
    try {
      long size = Files.size(file);
      if (size > MAX_SPEC_BYTES) {
        throw new ImportException(file + ": architecture spec of " + size + " bytes, above the " + MAX_SPEC_BYTES
            + " a spec may have");
      }
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ImportException(file + ": cannot read the architecture spec (" + e.getMessage() + ")", e);
    }
    return parse(file.toString(), text);
  }

  /**
   * Parses a JSON spec: strict JSON ({@link StrictJson}: no comments, single quotes or duplicate keys; nesting
   * at most {@link StrictJson#MAX_DEPTH}).
   *
   * @param source name of the spec for messages
   * @param json the spec text
   * @throws ImportException naming {@code source} and the offending entry
   */
  public static ArchSpec parse(String source, String json) {
    JsonElement root;
    try {
      root = StrictJson.parse(json);
    } catch (IllegalArgumentException e) {
      throw new ImportException(source + ": not valid JSON (" + e.getMessage() + ")", e);
    }
    Reader r = new Reader(source);
    JsonObject obj = r.object(root, "the spec");
    r.onlyKeys(obj, "the spec", Set.of("input", "activation", "layers", "outputActivation"));
    int[] input = null;
    if (obj.has("input")) {
      JsonArray a = r.array(obj.get("input"), "input");
      if (a.size() < 1 || a.size() > 3) {
        throw r.fail("input", "expected [C, H, W], [C, L] (a signal, for Conv1d layers) or [F], got " + a);
      }
      input = new int[a.size()];
      for (int i = 0; i < a.size(); i++) input[i] = r.positiveInt(a.get(i), "input[" + i + "]");
      if (Budget.values(input) > Budget.MAX_EXAMPLE_VALUES) {
        throw r.fail("input", java.util.Arrays.toString(input) + " has " + Budget.values(input) + " values per "
            + "example, above the limit of " + Budget.MAX_EXAMPLE_VALUES);
      }
    }
    String activation = obj.has("activation") ? r.string(obj.get("activation"), "activation") : null;
    if (!obj.has("layers")) throw r.fail("layers", "missing: the spec needs a list of layers");
    JsonArray arr = r.array(obj.get("layers"), "layers");
    if (arr.isEmpty()) throw r.fail("layers", "is empty");
    List<LayerSpec> layers = new ArrayList<>();
    for (int i = 0; i < arr.size(); i++) layers.add(r.layer(arr.get(i), "layers[" + i + "]"));
    if (input != null && input.length == 2) {
      int[] read = new ArchSpec(input, null, layers, null).asRead(input);
      if (read.length == 2) {
        throw r.fail("input", "[C, L] is a signal's shape, for a network of Conv1d layers; this one has "
            + (layers.stream().anyMatch(l -> l instanceof Conv) ? "2-d convs: give [C, H, W]" : "no Conv1d: give [F] "
            + "or [C, H, W]") + ", got " + java.util.Arrays.toString(input));
      }
      input = read;
    }
    String output = null;
    if (obj.has("outputActivation")) {
      output = r.string(obj.get("outputActivation"), "outputActivation");
      try {
        dev.ticketproof.net.OutputActivation.parse(output);
      } catch (IllegalArgumentException e) {
        throw r.fail("outputActivation", "\"" + output + "\": " + e.getMessage() + " (or softmax, log-softmax)");
      }
    }
    return new ArchSpec(input, activation, layers, output);
  }

  /** JSON navigation with messages that name the spec and the path of the offending entry. */
  private static final class Reader {
    private final String source;

    Reader(String source) { this.source = source; }

    LayerSpec layer(JsonElement e, String where) {
      JsonObject o = object(e, where);
      if (!o.has("type")) {
        throw fail(where, "missing \"type\" (one of " + String.join(", ", sorted(JSON_TYPES.keySet())) + ")");
      }
      String type = string(o.get("type"), where + ".type");
      JsonType t = JSON_TYPES.get(type);
      if (t == null) {
        throw fail(where + ".type", "unsupported layer type '" + type + "' (supported: "
            + String.join(", ", sorted(JSON_TYPES.keySet())) + ")");
      }
      return t.read(this, o, where);
    }

    String name(JsonObject o, String where, String defaultName) {
      if (!o.has("name")) {
        if (defaultName == null) throw fail(where + ".name", "missing (the tensor-name prefix of the layer)");
        return defaultName;
      }
      String n = string(o.get("name"), where + ".name");
      if (n.isEmpty()) throw fail(where + ".name", "must not be empty");
      return n;
    }

    JsonObject sub(JsonObject o, String key, String where) { return object(o.get(key), where + "." + key); }

    JsonObject object(JsonElement e, String where) {
      if (e == null || !e.isJsonObject()) throw fail(where, "expected a JSON object, got " + e);
      return e.getAsJsonObject();
    }

    JsonArray array(JsonElement e, String where) {
      if (e == null || !e.isJsonArray()) throw fail(where, "expected a JSON array, got " + e);
      return e.getAsJsonArray();
    }

    String string(JsonElement e, String where) {
      if (e instanceof JsonPrimitive p && p.isString()) return p.getAsString();
      throw fail(where, "expected a string, got " + e);
    }

    double number(JsonElement e, String where) {
      if (e instanceof JsonPrimitive p && p.isNumber()) return p.getAsDouble();
      throw fail(where, "expected a number, got " + e);
    }

    /** A JSON array of numbers ({numbers, null}) or a string naming a tensor ({null, name}). */
    Object[] numbersOrTensor(JsonElement e, String where) {
      if (e instanceof JsonPrimitive p && p.isString()) {
        if (p.getAsString().isEmpty()) throw fail(where, "must not be empty");
        return new Object[] {null, p.getAsString()};
      }
      if (e instanceof JsonPrimitive p && p.isNumber()) return new Object[] {List.of(p.getAsDouble()), null};
      if (e != null && e.isJsonArray() && !e.getAsJsonArray().isEmpty()) {
        List<Double> out = new ArrayList<>();
        JsonArray a = e.getAsJsonArray();
        for (int i = 0; i < a.size(); i++) out.add(number(a.get(i), where + "[" + i + "]"));
        return new Object[] {out, null};
      }
      throw fail(where, "expected numbers, one per channel ([0.49, 0.48, 0.45]), or the name of a tensor holding "
          + "them (\"normalize.mean\"), got " + e);
    }

    int nonNegativeInt(JsonElement e, String where) {
      double d = number(e, where);
      if (d >= 0 && d <= 1 << 20 && d == Math.rint(d)) return (int) d;
      throw fail(where, "expected an integer >= 0, got " + e);
    }

    /** One integer (at least {@code min}) for both axes, or {@code [rows, columns]}. */
    int[] pair(JsonElement e, String where, int min) {
      if (e != null && e.isJsonArray()) {
        JsonArray a = e.getAsJsonArray();
        if (a.size() != 2) throw fail(where, "expected one number or [rows, columns], got " + a);
        int[] v = {nonNegativeInt(a.get(0), where + "[0]"), nonNegativeInt(a.get(1), where + "[1]")};
        if (v[0] < min || v[1] < min) throw fail(where, "expected integers >= " + min + ", got " + a);
        return v;
      }
      int v = min == 1 ? positiveInt(e, where) : nonNegativeInt(e, where);
      return new int[] {v, v};
    }

    int positiveInt(JsonElement e, String where) {
      int v = nonNegativeInt(e, where);
      if (v >= 1) return v;
      throw fail(where, "expected an integer >= 1, got " + e);
    }

    void onlyKeys(JsonObject o, String where, Set<String> allowed) {
      for (String k : o.keySet()) {
        if (!allowed.contains(k)) {
          throw fail(where + "." + k, "unknown key (allowed here: " + String.join(", ", sorted(allowed)) + ")");
        }
      }
    }

    ImportException fail(String where, String what) {
      return new ImportException(source + ": " + where + ": " + what);
    }

    private static List<String> sorted(Set<String> s) { return s.stream().sorted().toList(); }
  }
}
