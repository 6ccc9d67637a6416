package dev.ticketproof.construct;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.activation.TorchActivation;
import dev.ticketproof.io.TorchWriter.Array;
import dev.ticketproof.kernel.Layout;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.net.OutputActivation;
import dev.ticketproof.random.WeightField;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A ticket as an ordinary network for PyTorch: the source network restricted to the certificate's mask, the same
 * function as {@link dev.ticketproof.measure.Evaluator#ofTicket} computes, as a JSON architecture spec and named
 * float64/integer arrays (a state dict). Every layer with weights is a convolution (a univariate layer is a 1x1
 * convolution, a linear layer a convolution covering its whole input map), with an optional bias and optional phi
 * after it; pooling and residual blocks ({@code phi(conv2(conv1 x) + skip x)}) keep their structure. A target's
 * input map is a first layer of kind {@code affine}: {@code KEY.scale * x + KEY.shift} per channel.
 *
 * <p>Two weight encodings:
 * <ul>
 *   <li>{@code sparse} (default; file size proportional to the kept weights): conv layer {@code KEY} has
 *       {@code KEY.weight_indices} (flat indices into its [out, in, kh, kw] weight, ascending) and
 *       {@code KEY.weight_values} (float64), plus {@code KEY.bias} when it has one;</li>
 *   <li>{@code pruned} (the {@code torch.nn.utils.prune} convention; size proportional to the dense source):
 *       {@code KEY.weight_orig} holds the source network's random weights, {@code KEY.weight_mask} the mask (1 kept,
 *       0 pruned), {@code KEY.bias_orig} and {@code KEY.bias_mask} likewise for univariate layers; layers of the
 *       target kept unchanged after {@code --upto} have plain {@code KEY.weight} and {@code KEY.bias}.</li>
 * </ul>
 * A unit of a univariate layer that keeps its weight computes phi(w1 x) (its bias, if the mask kept it, is not
 * used); one that keeps only its bias computes the constant phi(beta); the export encodes exactly that.
 */
public final class TicketExport {
  private TicketExport() {}

  /** The encodings of the weights. */
  public enum Encoding { SPARSE, PRUNED }

  /**
   * The exported ticket.
   *
   * @param spec the architecture spec (JSON)
   * @param arrays the state dict, in module order
   * @param keptWeights nonzero weights and biases of the ticket's layers (kept target tail included)
   */
  public record Exported(JsonObject spec, List<Array> arrays, long keptWeights) {}

  /**
   * Exports the ticket a certificate's mask selects in its source network.
   *
   * @param maxDense largest number of dense weight values the pruned encoding may write
   * @throws IllegalArgumentException when the mask does not fit the source network, or the pruned encoding would
   *     exceed {@code maxDense} values
   */
  public static Exported of(SourceNetwork src, TicketCertificate cert, Encoding enc, long maxDense) {
    if (cert.keptWeights().length != src.layerCount() || cert.keptBiases().length != src.layerCount()) {
      throw new IllegalArgumentException("mask has " + cert.keptWeights().length + " weight layers, the source "
          + "network has " + src.layerCount());
    }
    if (enc == Encoding.PRUNED) {
      long dense = sourceParams(src);
      for (TargetPlan.Step s : src.tail()) for (TargetPlan.Affine a : affines(s)) dense += a.kernel().length;
      if (dense > maxDense) {
        throw new IllegalArgumentException("the dense source network has " + dense + " weights, more than the "
            + maxDense + " the pruned encoding writes; use the sparse encoding");
      }
    }
    Writer w = new Writer(src, cert, enc);
    JsonArray layers = new JsonArray();
    int k = 0;
    TargetPlan.InputMap map = src.plan().input();
    if (map != null) {
      // the target's input map (a first BatchNorm or input normalisation): scale * x + shift per channel
      String key = "layers." + k++;
      JsonObject o = new JsonObject();
      o.addProperty("kind", "affine");
      o.addProperty("key", key);
      layers.add(o);
      w.arrays.add(Array.of(key + ".scale", new int[] {map.scale().length}, map.scale().clone()));
      w.arrays.add(Array.of(key + ".shift", new int[] {map.shift().length}, map.shift().clone()));
    }
    for (SourceNetwork.Node n : src.nodes()) {
      String key = "layers." + k++;
      layers.add(n.accept(new SourceNetwork.Visitor<JsonObject>() {
        @Override public JsonObject univariate(SourceNetwork.Univariate u) { return w.univariate(key, u); }

        @Override public JsonObject conv(SourceNetwork.Conv c) { return w.sourceConv(key, c, c.target().phiAfter()); }

        @Override public JsonObject pool(SourceNetwork.Pool p) { return TicketExport.pool(p.target()); }

        @Override
        public JsonObject residual(SourceNetwork.Residual r) {
          JsonObject o = new JsonObject();
          o.addProperty("kind", "residual");
          o.add("conv1", w.sourceConv(key + ".conv1", r.conv1(), true));
          o.add("conv2", w.sourceConv(key + ".conv2", r.conv2(), false));
          if (r.projection() != null) o.add("projection", w.sourceConv(key + ".projection", r.projection(), false));
          return o;
        }
      }));
    }
    for (TargetPlan.Step s : src.tail()) {
      String key = "layers." + k++;
      if (s instanceof TargetPlan.Affine a) {
        layers.add(w.targetConv(key, a, a.phiAfter()));
      } else if (s instanceof TargetPlan.Pool p) {
        layers.add(pool(p));
      } else if (s instanceof TargetPlan.Residual r) {
        JsonObject o = new JsonObject();
        o.addProperty("kind", "residual");
        o.add("conv1", w.targetConv(key + ".conv1", r.conv1(), true));
        o.add("conv2", w.targetConv(key + ".conv2", r.conv2(), false));
        if (r.projection() != null) o.add("projection", w.targetConv(key + ".projection", r.projection(), false));
        layers.add(o);
      }
    }
    TicketCertificate.Header h = cert.header();
    JsonObject spec = new JsonObject();
    spec.addProperty("format", "ticketproof-ticket");
    spec.addProperty("version", 1);
    spec.addProperty("weights", enc == Encoding.SPARSE ? "sparse" : "pruned");
    spec.addProperty("activation", h.activation());
    spec.add("activationModule", activationModule(h.activation()));
    spec.add("inputShape", ints(src.plan().inputShape()));
    spec.add("outputShape", ints(outputShape(src)));
    spec.addProperty("keptWeights", w.kept);
    spec.addProperty("target", h.target());
    spec.addProperty("targetSha256", h.targetSha256());
    spec.addProperty("construction", h.construction());
    spec.addProperty("rho", h.rho());
    spec.addProperty("rho1", h.rho1());
    spec.addProperty("seed", h.seed());
    spec.addProperty("eps", h.eps());
    spec.addProperty("certifiedBound", h.claimedBound());
    JsonArray box = new JsonArray();
    box.add(h.inputLow());
    box.add(h.inputHigh());
    spec.add("inputBox", box);
    if (h.inputBoxes() != null) {
      JsonArray boxes = new JsonArray();
      for (double[] b : h.inputBoxes()) {
        JsonArray one = new JsonArray();
        one.add(b[0]);
        one.add(b[1]);
        boxes.add(one);
      }
      spec.add("inputBoxes", boxes);
    }
    spec.add("layers", layers);
    return new Exported(spec, List.copyOf(w.arrays), w.kept);
  }

  /**
   * The {@code torch.nn} module of a catalog activation, as the exported spec's {@code "activationModule"}:
   * {@code {"class": "Hardtanh", "kwargs": {"min_val": -2.0, "max_val": 2.0}}} (the catalog entry's module,
   * {@link ActivationCatalog#toTorch}), or JSON null when no {@code torch.nn} module computes it.
   *
   * @param activation a catalog specification
   * @throws IllegalArgumentException for a specification the catalog refuses
   */
  public static JsonElement activationModule(String activation) {
    TorchActivation.Call call = ActivationCatalog.toTorch(activation).orElse(null);
    if (call == null) return JsonNull.INSTANCE;
    JsonObject kwargs = new JsonObject();
    call.kwargs().forEach((k, v) -> {
      if (v instanceof Number n) kwargs.addProperty(k, n);
      else kwargs.addProperty(k, v.toString());
    });
    JsonObject o = new JsonObject();
    o.addProperty("class", call.className());
    o.add("kwargs", kwargs);
    return o;
  }

  /**
   * The {@code torch.nn} module of a network's output activation, as the exported spec's
   * {@code "outputActivationModule"}: its activation's module ({@link #activationModule}), or {@code Softmax} /
   * {@code LogSoftmax} over dim 1, the channels.
   */
  public static JsonElement outputActivationModule(OutputActivation g) {
    if (g.elementwise() != null) return activationModule(g.name());
    JsonObject kwargs = new JsonObject();
    kwargs.addProperty("dim", 1);
    JsonObject o = new JsonObject();
    o.addProperty("class", g.equals(OutputActivation.SOFTMAX) ? "Softmax" : "LogSoftmax");
    o.add("kwargs", kwargs);
    return o;
  }

  /**
   * The shape of one example's output, {C, H, W}, or {C} when the output map is 1x1 (a classifier's logits): the
   * shape {@code eval --ticket} writes and the Python loader returns.
   */
  public static int[] outputShape(SourceNetwork src) {
    List<TargetPlan.Step> steps = src.plan().steps();
    int[] s = steps.isEmpty() ? src.plan().inputShape() : steps.get(steps.size() - 1).outShape();
    return s.length == 3 && s[1] == 1 && s[2] == 1 ? new int[] {s[0]} : s.clone();
  }

  /**
   * The shape of one example's output of a ticket of {@code target}: {@link #outputShape(SourceNetwork)}, or {F} when
   * the target flattens its output map (an {@code nn.Flatten} after its last layer with weights), as the target's
   * own outputs are; a softmax over the outputs then normalises over all F units, as PyTorch's after the flatten
   * does, not over each position's channels.
   */
  public static int[] outputShape(SourceNetwork src, dev.ticketproof.net.Network target) {
    int[] s = outputShape(src);
    int[] t = dev.ticketproof.net.Shapes.output(target);
    return t.length == 1 && s.length == 3 && t[0] == s[0] * s[1] * s[2] ? t : s;
  }

  /** The output shape of a ticket of {@code target} (the method above) as JSON. */
  public static JsonArray outputShapeJson(SourceNetwork src, dev.ticketproof.net.Network target) {
    return ints(outputShape(src, target));
  }

  /** Dense parameter count of a source network: its layers' weights and biases (the kept target tail apart). */
  public static long sourceParams(SourceNetwork src) {
    long n = 0;
    for (SourceNetwork.Node node : src.nodes()) if (node instanceof SourceNetwork.Univariate u) n += sourceParams(u);
    for (SourceNetwork.Conv c : src.convs()) n += c.size();
    return n;
  }

  /** Dense parameter count of a univariate layer (weights and biases). */
  public static long sourceParams(SourceNetwork.Univariate u) {
    return (long) u.out().units() * u.in().units() + u.out().units();
  }

  private static List<TargetPlan.Affine> affines(TargetPlan.Step s) {
    if (s instanceof TargetPlan.Affine a) return List.of(a);
    if (s instanceof TargetPlan.Residual r) {
      List<TargetPlan.Affine> all = new ArrayList<>(List.of(r.conv1(), r.conv2()));
      if (r.projection() != null) all.add(r.projection());
      return all;
    }
    return List.of();
  }

  private static JsonObject pool(TargetPlan.Pool p) {
    JsonObject o = new JsonObject();
    if (p.global()) {
      o.addProperty("kind", "global-avgpool");
    } else {
      // a square window as one number each (as before windows could have unequal sides), else [rows, columns]
      boolean sq = p.kh() == p.kw() && p.sh() == p.sw() && p.ph() == p.pw();
      o.addProperty("kind", p.max() ? "maxpool" : "avgpool");
      o.add("size", pair(p.kh(), p.kw(), sq));
      o.add("stride", pair(p.sh(), p.sw(), sq));
      if (p.max()) o.add("padding", pair(p.ph(), p.pw(), sq));
    }
    return o;
  }

  /** One number, or [rows, columns]. */
  private static com.google.gson.JsonElement pair(int rows, int columns, boolean one) {
    return one ? new com.google.gson.JsonPrimitive(rows) : ints(new int[] {rows, columns});
  }

  private static JsonArray ints(int[] v) {
    JsonArray a = new JsonArray();
    for (int x : v) a.add(x);
    return a;
  }

  /** Collects the arrays and layer specs. */
  private static final class Writer {
    final SourceNetwork src;
    final TicketCertificate cert;
    final Encoding enc;
    final long seed;
    final List<Array> arrays = new ArrayList<>();
    long kept;

    Writer(SourceNetwork src, TicketCertificate cert, Encoding enc) {
      this.src = src;
      this.cert = cert;
      this.enc = enc;
      this.seed = src.params().seed();
    }

    JsonObject conv(String key, String source, int out, int in, int kh, int kw, int stride, int ph, int pw,
        boolean bias, boolean act) {
      JsonObject o = new JsonObject();
      o.addProperty("kind", "conv");
      o.addProperty("key", key);
      o.addProperty("source", source);
      o.addProperty("out", out);
      o.addProperty("in", in);
      o.add("kernel", ints(new int[] {kh, kw}));
      o.addProperty("stride", stride);
      // one number when the axes agree (as before convs could pad them unequally), else [rows, columns]
      o.add("padding", pair(ph, pw, ph == pw));
      o.addProperty("bias", bias);
      o.addProperty("activation", act);
      return o;
    }

    JsonObject univariate(String key, SourceNetwork.Univariate u) {
      Layout out = u.out();
      int units = out.units();
      int inUnits = u.in().units();
      boolean[] alive = new boolean[units];
      for (long idx : cert.keptWeights()[u.id()]) {
        if (idx < 0 || idx >= (long) units * inUnits) throw outOfRange(u.id(), idx);
        alive[(int) (idx / inUnits)] = true;
      }
      boolean[] constant = new boolean[units];
      for (int o : cert.keptBiases()[u.id()]) {
        if (o < 0 || o >= units) throw new IllegalArgumentException("mask layer " + u.id() + ": bias index " + o
            + " is outside the layer's " + units + " units");
        constant[o] = !alive[o];
      }
      JsonObject o = conv(key, "univariate", units, inUnits, 1, 1, 1, 0, 0, true, true);
      double[] bias = new double[units];
      for (int j = 0; j < units; j++) if (constant[j]) bias[j] = u.beta(seed, j);
      if (enc == Encoding.SPARSE) {
        List<Long> idx = new ArrayList<>();
        List<Double> val = new ArrayList<>();
        for (int j = 0; j < units; j++) {
          if (alive[j]) {
            idx.add((long) j * inUnits + out.channel(j));
            val.add(u.w1(seed, j));
          }
        }
        sparse(key, o, idx.stream().mapToLong(Long::longValue).toArray(),
            val.stream().mapToDouble(Double::doubleValue).toArray());
        arrays.add(Array.of(key + ".bias", new int[] {units}, bias));
      } else {
        double[] wOrig = new double[units * inUnits];
        double[] wMask = new double[units * inUnits];
        for (int j = 0; j < units; j++) {
          for (int i = 0; i < inUnits; i++) {
            wOrig[j * inUnits + i] = WeightField.uniform(seed, 4L * u.id(), (long) j * inUnits + i, u.w1Lo(),
                u.w1Hi()) * u.rowScale(j);
          }
          if (alive[j]) wMask[j * inUnits + out.channel(j)] = 1;
        }
        double[] bOrig = new double[units];
        double[] bMask = new double[units];
        for (int j = 0; j < units; j++) {
          bOrig[j] = u.beta(seed, j);
          bMask[j] = constant[j] ? 1 : 0;
        }
        int[] shape = {units, inUnits, 1, 1};
        arrays.add(Array.of(key + ".weight_orig", shape, wOrig));
        arrays.add(Array.of(key + ".weight_mask", shape, wMask));
        arrays.add(Array.of(key + ".bias_orig", new int[] {units}, bOrig));
        arrays.add(Array.of(key + ".bias_mask", new int[] {units}, bMask));
        o.addProperty("nonzero", count(wMask));
      }
      for (int j = 0; j < units; j++) kept += (alive[j] ? 1 : 0) + (constant[j] ? 1 : 0);
      return o;
    }

    JsonObject sourceConv(String key, SourceNetwork.Conv c, boolean act) {
      TargetPlan.Affine a = c.target();
      int out = c.out().units();
      int in = c.in().units();
      JsonObject o = conv(key, "source", out, in, a.kh(), a.kw(), a.stride(), a.ph(), a.pw(), false, act);
      long size = c.size();
      int[] idx = cert.keptWeights()[c.id()].clone();
      Arrays.sort(idx);
      for (int k = 0; k < idx.length; k++) {
        if (idx[k] < 0 || idx[k] >= size) throw outOfRange(c.id(), idx[k]);
        if (k > 0 && idx[k] == idx[k - 1]) {
          throw new IllegalArgumentException("mask layer " + c.id() + " keeps weight " + idx[k] + " twice");
        }
      }
      kept += idx.length;
      int[] shape = {out, in, a.kh(), a.kw()};
      if (enc == Encoding.SPARSE) {
        double[] val = new double[idx.length];
        for (int k = 0; k < idx.length; k++) val[k] = c.weightAt(seed, idx[k]);
        sparse(key, o, Arrays.stream(idx).asLongStream().toArray(), val);
      } else {
        double[] wOrig = new double[(int) size];
        double[] wMask = new double[(int) size];
        for (int k = 0; k < wOrig.length; k++) wOrig[k] = c.weightAt(seed, k);
        for (int i : idx) wMask[i] = 1;
        arrays.add(Array.of(key + ".weight_orig", shape, wOrig));
        arrays.add(Array.of(key + ".weight_mask", shape, wMask));
        o.addProperty("nonzero", idx.length);
      }
      return o;
    }

    JsonObject targetConv(String key, TargetPlan.Affine a, boolean act) {
      JsonObject o = conv(key, "target", a.out(), a.in(), a.kh(), a.kw(), a.stride(), a.ph(), a.pw(), true,
          act);
      int[] shape = {a.out(), a.in(), a.kh(), a.kw()};
      double[] k = a.kernel();
      long nz = 0;
      for (double v : k) if (v != 0) nz++;
      for (double v : a.bias()) if (v != 0) kept++;
      kept += nz;
      if (enc == Encoding.SPARSE) {
        long[] idx = new long[(int) nz];
        double[] val = new double[(int) nz];
        int n = 0;
        for (int t = 0; t < k.length; t++) {
          if (k[t] != 0) {
            idx[n] = t;
            val[n++] = k[t];
          }
        }
        sparse(key, o, idx, val);
      } else {
        arrays.add(Array.of(key + ".weight", shape, k.clone()));
        o.addProperty("nonzero", nz);
      }
      arrays.add(Array.of(key + ".bias", new int[] {a.out()}, a.bias().clone()));
      return o;
    }

    void sparse(String key, JsonObject o, long[] idx, double[] val) {
      arrays.add(Array.ofIndices(key + ".weight_indices", idx));
      arrays.add(Array.of(key + ".weight_values", new int[] {val.length}, val));
      o.addProperty("nonzero", idx.length);
    }

    static long count(double[] mask) {
      long n = 0;
      for (double m : mask) if (m != 0) n++;
      return n;
    }

    static IllegalArgumentException outOfRange(int layer, long idx) {
      return new IllegalArgumentException("mask layer " + layer + ": weight index " + idx
          + " is outside the source layer");
    }
  }
}
