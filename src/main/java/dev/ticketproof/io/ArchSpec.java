package dev.ticketproof.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.ticketproof.limits.Budget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An architecture: the layers of a network in order and the tensor names they read (a state dict has no
 * architecture). Written by hand as JSON (format in {@code docs/arch-spec.md}) or produced by a preset
 * ({@code targets.Presets}); turned into a {@link dev.ticketproof.net.Network} by {@link NetworkBuilder}.
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
 */
public record ArchSpec(int[] input, String activation, List<LayerSpec> layers) {
  public ArchSpec {
    input = input == null ? null : input.clone();
    layers = List.copyOf(layers);
  }

  /** One entry of {@link #layers()}. */
  public sealed interface LayerSpec
      permits Conv, Linear, BatchNorm, Activation, Flatten, AvgPool, MaxPool, GlobalAvgPool, Residual {}

  /** A conv reading {@code name.weight} (OIHW) and optionally {@code name.bias}. */
  public record Conv(String name, int stride, int padding) implements LayerSpec {}

  /** A fully connected layer reading {@code name.weight} ([out, in]) and optionally {@code name.bias}. */
  public record Linear(String name) implements LayerSpec {}

  /** BatchNorm2d in inference mode reading {@code name.weight/bias/running_mean/running_var}. */
  public record BatchNorm(String name, double eps) implements LayerSpec {}

  /** The network's activation, elementwise. */
  public record Activation() implements LayerSpec {}

  /** Flatten [C, H, W] to [C*H*W]. */
  public record Flatten() implements LayerSpec {}

  /** Average pooling, square window, no padding. */
  public record AvgPool(int kernel, int stride) implements LayerSpec {}

  /** Max pooling, square window, padding that is never the maximum. */
  public record MaxPool(int kernel, int stride, int padding) implements LayerSpec {}

  /** Global average pooling. */
  public record GlobalAvgPool() implements LayerSpec {}

  /** A residual block: phi(bn2(conv2(phi(bn1(conv1 x)))) + shortcut(x)); bn1, bn2 may be {@code null}. */
  public record Residual(String name, Conv conv1, BatchNorm bn1, Conv conv2, BatchNorm bn2, Shortcut shortcut)
      implements LayerSpec {}

  /** The skip path of a residual block. */
  public sealed interface Shortcut permits Identity, Projection, ChannelPad {}

  /** Identity skip; {@code scale} names a per-channel scale tensor, or is {@code null}. */
  public record Identity(String scale) implements Shortcut {}

  /** Projection skip: a conv, then an optional BatchNorm ({@code null} for none). */
  public record Projection(Conv conv, BatchNorm bn) implements Shortcut {}

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
  public record ChannelPad(String name, int stride, int pad) implements Shortcut {}

  /** {@link ChannelPad#pad()} when it follows from the block's channel counts. */
  public static final int PAD_FROM_SHAPES = -1;

  /**
   * The tensors the spec cannot do without, in layer order: every conv's and linear layer's {@code .weight}, the
   * four tensors of every BatchNorm and every identity shortcut's scale (biases are optional).
   */
  public List<String> requiredTensors() {
    List<String> out = new ArrayList<>();
    for (LayerSpec l : layers) {
      if (l instanceof Conv c) out.add(c.name() + ".weight");
      else if (l instanceof Linear lin) out.add(lin.name() + ".weight");
      else if (l instanceof BatchNorm b) addBn(out, b);
      else if (l instanceof Residual r) {
        out.add(r.conv1().name() + ".weight");
        addBn(out, r.bn1());
        out.add(r.conv2().name() + ".weight");
        addBn(out, r.bn2());
        if (r.shortcut() instanceof Identity id && id.scale() != null) out.add(id.scale());
        if (r.shortcut() instanceof Projection p) {
          out.add(p.conv().name() + ".weight");
          addBn(out, p.bn());
        }
      }
    }
    return out;
  }

  private static void addBn(List<String> out, BatchNorm b) {
    if (b == null) return;
    for (String t : new String[] {".weight", ".bias", ".running_mean", ".running_var"}) out.add(b.name() + t);
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
      sb.append("  \"input\": ").append(java.util.Arrays.toString(input)).append(",\n");
    }
    if (activation != null) sb.append("  \"activation\": ").append(quote(activation)).append(",\n");
    sb.append("  \"layers\": [\n");
    boolean flat = input != null && input.length == 1;
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec l = layers.get(i);
      String entry;
      if (l instanceof Conv c) {
        entry = "\"type\": \"conv2d\", " + conv(c);
      } else if (l instanceof Linear lin) {
        entry = "\"type\": \"linear\", \"name\": " + quote(lin.name());
      } else if (l instanceof BatchNorm b) {
        entry = "\"type\": \"batchnorm" + (flat ? "1d" : "2d") + "\", " + bn(b);
      } else if (l instanceof Activation) {
        entry = "\"type\": \"activation\"";
      } else if (l instanceof Flatten) {
        entry = "\"type\": \"flatten\"";
      } else if (l instanceof AvgPool p) {
        entry = "\"type\": \"avgpool2d\", \"kernel\": " + p.kernel() + ", \"stride\": " + p.stride();
      } else if (l instanceof MaxPool p) {
        entry = "\"type\": \"maxpool2d\", \"kernel\": " + p.kernel() + ", \"stride\": " + p.stride()
            + ", \"padding\": " + p.padding();
      } else if (l instanceof GlobalAvgPool) {
        entry = "\"type\": \"globalavgpool\"";
      } else {
        Residual r = (Residual) l;
        entry = "\"type\": \"residual\", \"name\": " + quote(r.name()) + ", \"conv1\": {" + conv(r.conv1()) + "}"
            + (r.bn1() == null ? "" : ", \"bn1\": {" + bn(r.bn1()) + "}") + ", \"conv2\": {" + conv(r.conv2()) + "}"
            + (r.bn2() == null ? "" : ", \"bn2\": {" + bn(r.bn2()) + "}") + ", \"shortcut\": ";
        if (r.shortcut() instanceof Identity id) {
          entry += "{\"type\": \"identity\"" + (id.scale() == null ? "" : ", \"scale\": {\"name\": "
              + quote(id.scale()) + "}") + "}";
        } else if (r.shortcut() instanceof ChannelPad p) {
          entry += "{\"type\": \"pad\", \"name\": " + quote(p.name()) + ", \"stride\": " + p.stride()
              + (p.pad() == PAD_FROM_SHAPES ? "" : ", \"pad\": " + p.pad()) + "}";
        } else {
          Projection p = (Projection) r.shortcut();
          entry += "{\"type\": \"projection\", \"conv\": {" + conv(p.conv()) + "}"
              + (p.bn() == null ? "" : ", \"bn\": {" + bn(p.bn()) + "}") + "}";
        }
      }
      if (l instanceof Linear || l instanceof Flatten) flat = true;
      else if (!(l instanceof BatchNorm || l instanceof Activation)) flat = false;
      sb.append("    {").append(entry).append("}").append(i + 1 < layers.size() ? ",\n" : "\n");
    }
    return sb.append("  ]\n}\n").toString();
  }

  private static String conv(Conv c) {
    return "\"name\": " + quote(c.name()) + ", \"stride\": " + c.stride() + ", \"padding\": " + c.padding();
  }

  private static String bn(BatchNorm b) {
    return "\"name\": " + quote(b.name()) + ", \"eps\": " + java.math.BigDecimal.valueOf(b.eps())
        .stripTrailingZeros().toString();
  }

  private static String quote(String s) { return new com.google.gson.Gson().toJson(s); }

  /** PyTorch's default BatchNorm epsilon. */
  public static final double DEFAULT_BN_EPS = 1e-5;

  /** Largest spec file read (a spec of a thousand layers has about 100 KB). */
  public static final long MAX_SPEC_BYTES = 1 << 20;

  private static final Set<String> TYPES = Set.of("conv2d", "linear", "batchnorm2d", "batchnorm1d", "activation", "flatten",
      "avgpool2d", "maxpool2d", "globalavgpool", "residual");

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
    r.onlyKeys(obj, "the spec", Set.of("input", "activation", "layers"));
    int[] input = null;
    if (obj.has("input")) {
      JsonArray a = r.array(obj.get("input"), "input");
      if (a.size() != 1 && a.size() != 3) throw r.fail("input", "expected [C, H, W] or [F], got " + a);
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
    return new ArchSpec(input, activation, layers);
  }

  /** JSON navigation with messages that name the spec and the path of the offending entry. */
  private static final class Reader {
    private final String source;

    Reader(String source) { this.source = source; }

    LayerSpec layer(JsonElement e, String where) {
      JsonObject o = object(e, where);
      if (!o.has("type")) throw fail(where, "missing \"type\" (one of " + String.join(", ", sorted(TYPES)) + ")");
      String type = string(o.get("type"), where + ".type");
      switch (type) {
        case "conv2d" -> {
          onlyKeys(o, where, Set.of("type", "name", "stride", "padding"));
          return conv(o, where, null);
        }
        case "linear" -> {
          onlyKeys(o, where, Set.of("type", "name"));
          return new Linear(name(o, where, null));
        }
        case "batchnorm2d", "batchnorm1d" -> {
          onlyKeys(o, where, Set.of("type", "name", "eps"));
          return bn(o, where, null);
        }
        case "activation" -> {
          onlyKeys(o, where, Set.of("type"));
          return new Activation();
        }
        case "flatten" -> {
          onlyKeys(o, where, Set.of("type"));
          return new Flatten();
        }
        case "globalavgpool" -> {
          onlyKeys(o, where, Set.of("type"));
          return new GlobalAvgPool();
        }
        case "avgpool2d" -> {
          onlyKeys(o, where, Set.of("type", "kernel", "stride"));
          if (!o.has("kernel")) throw fail(where + ".kernel", "missing");
          int k = positiveInt(o.get("kernel"), where + ".kernel");
          int s = o.has("stride") ? positiveInt(o.get("stride"), where + ".stride") : k;
          return new AvgPool(k, s);
        }
        case "maxpool2d" -> {
          onlyKeys(o, where, Set.of("type", "kernel", "stride", "padding"));
          if (!o.has("kernel")) throw fail(where + ".kernel", "missing");
          int k = positiveInt(o.get("kernel"), where + ".kernel");
          int s = o.has("stride") ? positiveInt(o.get("stride"), where + ".stride") : k;
          int p = o.has("padding") ? nonNegativeInt(o.get("padding"), where + ".padding") : 0;
          if (2 * p > k) throw fail(where + ".padding", "must be at most half the kernel (" + k + "), got " + p);
          return new MaxPool(k, s, p);
        }
        case "residual" -> {
          onlyKeys(o, where, Set.of("type", "name", "conv1", "bn1", "conv2", "bn2", "shortcut"));
          String name = name(o, where, null);
          for (String k : new String[] {"conv1", "conv2"}) if (!o.has(k)) throw fail(where + "." + k, "missing");
          Conv conv1 = conv(sub(o, "conv1", where), where + ".conv1", name + ".conv1");
          Conv conv2 = conv(sub(o, "conv2", where), where + ".conv2", name + ".conv2");
          BatchNorm bn1 = o.has("bn1") ? bn(sub(o, "bn1", where), where + ".bn1", name + ".bn1") : null;
          BatchNorm bn2 = o.has("bn2") ? bn(sub(o, "bn2", where), where + ".bn2", name + ".bn2") : null;
          Shortcut shortcut = o.has("shortcut") ? shortcut(sub(o, "shortcut", where), where + ".shortcut", name)
              : new Identity(null);
          return new Residual(name, conv1, bn1, conv2, bn2, shortcut);
        }
        default -> throw fail(where + ".type", "unsupported layer type '" + type + "' (supported: "
            + String.join(", ", sorted(TYPES)) + ")");
      }
    }

    Shortcut shortcut(JsonObject o, String where, String block) {
      String type = o.has("type") ? string(o.get("type"), where + ".type") : "";
      if (type.equals("identity")) {
        onlyKeys(o, where, Set.of("type", "scale"));
        if (!o.has("scale")) return new Identity(null);
        return new Identity(name(sub(o, "scale", where), where + ".scale", block + ".shortcut.weight"));
      }
      if (type.equals("projection")) {
        onlyKeys(o, where, Set.of("type", "conv", "bn"));
        if (!o.has("conv")) throw fail(where + ".conv", "missing");
        Conv conv = conv(sub(o, "conv", where), where + ".conv", block + ".shortcut.0");
        BatchNorm bn = o.has("bn") ? bn(sub(o, "bn", where), where + ".bn", block + ".shortcut.1") : null;
        return new Projection(conv, bn);
      }
      if (type.equals("pad")) {
        onlyKeys(o, where, Set.of("type", "name", "stride", "pad"));
        int stride = o.has("stride") ? positiveInt(o.get("stride"), where + ".stride") : 2;
        int pad = o.has("pad") ? nonNegativeInt(o.get("pad"), where + ".pad") : PAD_FROM_SHAPES;
        return new ChannelPad(name(o, where, block + ".shortcut"), stride, pad);
      }
      throw fail(where + ".type", "unsupported shortcut type '" + type + "' (supported: identity, projection, pad)");
    }

    Conv conv(JsonObject o, String where, String defaultName) {
      onlyKeys(o, where, Set.of("type", "name", "stride", "padding"));
      int stride = o.has("stride") ? positiveInt(o.get("stride"), where + ".stride") : 1;
      int padding = o.has("padding") ? nonNegativeInt(o.get("padding"), where + ".padding") : 0;
      return new Conv(name(o, where, defaultName), stride, padding);
    }

    BatchNorm bn(JsonObject o, String where, String defaultName) {
      onlyKeys(o, where, Set.of("type", "name", "eps"));
      double eps = DEFAULT_BN_EPS;
      if (o.has("eps")) {
        eps = number(o.get("eps"), where + ".eps");
        if (!(eps > 0 && eps < Double.POSITIVE_INFINITY)) throw fail(where + ".eps", "must be > 0, got " + eps);
      }
      return new BatchNorm(name(o, where, defaultName), eps);
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

    int nonNegativeInt(JsonElement e, String where) {
      double d = number(e, where);
      if (d >= 0 && d <= 1 << 20 && d == Math.rint(d)) return (int) d;
      throw fail(where, "expected an integer >= 0, got " + e);
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
