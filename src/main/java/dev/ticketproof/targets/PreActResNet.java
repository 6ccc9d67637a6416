package dev.ticketproof.targets;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.LeakyRelu;
import dev.ticketproof.activation.Gelu;
import dev.ticketproof.activation.GeluTanh;
import dev.ticketproof.activation.Hardswish;
import dev.ticketproof.activation.Relu;
import dev.ticketproof.activation.Silu;
import dev.ticketproof.io.ArchSpec;
import dev.ticketproof.io.DType;
import dev.ticketproof.io.ImportException;
import dev.ticketproof.io.StoredTensor;
import dev.ticketproof.io.TensorFile;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pre-activation ResNets read exactly as post-activation ResNets of doubled width: a target rewrite, so that every
 * command sees the rewritten network (and its target hash), and the kernel's normal form of residual blocks
 * {@code phi(bn2(conv2(phi(bn1(conv1 x)))) + shortcut(x))} stays as it is.
 *
 * <p>The networks: kuangliu's / RobustBench's / Wong et al.'s {@code PreActResNet} (stem {@code conv1} without
 * BatchNorm; stages {@code layerS.B} of blocks {@code bn1}, {@code conv1}, {@code bn2}, {@code conv2} and, where the
 * block has stride 2 or changes the channel count, the 1x1 projection {@code shortcut.0}; an optional final
 * {@code bn} with activation, RobustBench's {@code bn_before_fc}; pooling to 1x1, {@code linear} or {@code fc}) and
 * RobustBench's {@code WideResNet} (stem {@code conv1}; stages {@code blockK.layer.B} of blocks {@code bn1},
 * {@code conv1}, {@code bn2}, {@code conv2} and, where the block changes the channel count ({@code equalInOut}
 * false), the 1x1 projection {@code convShortcut}; final {@code bn1} with activation, pooling, {@code fc}). A block
 * computes {@code s' = s + conv2(phi(bn2(conv1(phi(bn1 s)))))}, or with a projection
 * {@code s' = sc(phi(bn1 s)) + conv2(...)}: the shortcut conv reads the activated input (kuangliu's
 * {@code self.shortcut(out)}, WideResNet's {@code x = relu1(bn1(x))} when not {@code equalInOut}). The first block
 * of every stage after the first has stride 2 (their {@code _make_layer}); the final pooling is read as global
 * average pooling, checked against the linear layer's fan-in.
 *
 * <p>The rewrite, exact for phi = ReLU and leaky ReLU of slope a &gt; -1 (phi(s) - phi(-s) = (1 + a) s for every
 * s), and for the self-gated SiLU, GELU (erf and tanh forms) and Hardswish, x g(x) with g(x) + g(-x) = 1
 * (phi(s) - phi(-s) = s, a = 0 below): the stream s of C channels is carried as p = [phi(s), phi(-s)] (2C channels)
 * and recovered linearly ({@code k = 1/(1+a)}):
 * <ul>
 *   <li>stem: the conv doubled, weights [W; -W] (biases [b; -b]), then phi: p_0;</li>
 *   <li>each block, two normal-form steps: a 1x1 conv 2C -&gt; 3C, rows [g k I, -g k I] with bias beta (bn1 folded,
 *       g = gamma / sqrt(var + eps), beta = bias - g mean), [k I, -k I] and [-k I, k I], then phi: r = [phi(bn1 s),
 *       phi(s), phi(-s)]; and a residual block reading r: conv1 the block's conv1 on the first C channels of r (zero
 *       weights on the others), its BatchNorm the block's bn2, conv2 the block's conv2 doubled [W2; -W2], no
 *       BatchNorm after it; the shortcut a 1x1 conv on r, [[0, k I, -k I], [0, -k I, k I]] for the identity, or the
 *       projection doubled on the first C channels (its stride, no padding). The sum is [s', -s'], phi after it
 *       gives p' = [phi(s'), phi(-s')];</li>
 *   <li>head: a final BatchNorm and phi are a 1x1 conv 2C -&gt; C, [g k, -g k] with bias beta, then phi; without
 *       one, the pooling is linear, so p is pooled and the linear layer's weights are [W, -W] k.</li>
 * </ul>
 * Zero padding stays exact: every padded conv reads activated values, and phi(0) = 0 is what PyTorch pads with.
 */
public final class PreActResNet {
  private static final Pattern KUANGLIU = Pattern.compile("layer(\\d{1,8})\\.(\\d{1,8})\\.(.+)");
  private static final Pattern WIDE = Pattern.compile("block(\\d{1,8})\\.layer\\.(\\d{1,8})\\.(.+)");
  private static final String[] BN = {".weight", ".bias", ".running_mean", ".running_var"};

  /** The two layouts of names. */
  public enum Layout {
    /** kuangliu's / RobustBench's {@code PreActResNet}: {@code layerS.B}, {@code shortcut.0}, {@code bn}, {@code linear}. */
    PREACT_RESNET("PreActResNet"),
    /** RobustBench's {@code WideResNet}: {@code blockK.layer.B}, {@code convShortcut}, {@code bn1}, {@code fc}. */
    WIDE_RESNET("WideResNet");

    private final String shown;

    Layout(String shown) { this.shown = shown; }

    /** The class name the layout is known by. */
    public String shown() { return shown; }
  }

  /**
   * A network rewritten.
   *
   * @param spec the post-activation network's architecture, over the names of {@link #tensors}
   * @param tensors the rewritten tensors (named after the modules they come from)
   * @param read the names of the original tensors (as given to {@link #rewrite}) the rewrite reads
   * @param note what was read and how it was rewritten, with the channel counts, for {@code inspect} and notes
   */
  public record Rewritten(ArchSpec spec, TensorFile tensors, List<String> read, String note) {}

  private PreActResNet() {}

  /**
   * The layout of the names of {@code t} (as they are), or {@code null} when they are not a pre-activation ResNet's:
   * {@link Layout#PREACT_RESNET} for {@code conv1.weight} without {@code bn1.weight}, {@code layer1.0.bn1.weight},
   * {@code layer1.0.conv1.weight}, {@code layer1.0.conv2.weight} and {@code linear.weight} or {@code fc.weight};
   * {@link Layout#WIDE_RESNET} for {@code conv1.weight}, {@code block1.layer.0.bn1.weight},
   * {@code block1.layer.0.conv1.weight}, {@code block1.layer.0.conv2.weight} and {@code fc.weight}.
   */
  public static Layout layout(TensorFile t) {
    if (!t.has("conv1.weight")) return null;
    Layout l = null;
    if (t.has("block1.layer.0.bn1.weight") && t.has("block1.layer.0.conv1.weight")
        && t.has("block1.layer.0.conv2.weight") && t.has("fc.weight")) {
      l = Layout.WIDE_RESNET;
    } else if (!t.has("bn1.weight") && t.has("layer1.0.bn1.weight") && t.has("layer1.0.conv1.weight")
        && t.has("layer1.0.conv2.weight") && (t.has("linear.weight") || t.has("fc.weight"))) {
      l = Layout.PREACT_RESNET;
    }
    if (l == null) return null;
    // every block's bn1 normalises its input: conv1's input channels (a post-activation block's bn1 follows conv1)
    Pattern pattern = l == Layout.WIDE_RESNET ? WIDE : KUANGLIU;
    for (String n : t.names()) {
      Matcher m = pattern.matcher(n);
      if (!m.matches() || !m.group(3).equals("bn1.weight")) continue;
      String conv = n.substring(0, n.length() - "bn1.weight".length()) + "conv1.weight";
      if (!t.has(conv)) continue; // the rewrite names the missing tensor
      int[] bn = t.tensor(n).shape();
      int[] c = t.tensor(conv).shape();
      if (bn.length != 1 || c.length != 4 || bn[0] != c[1]) return null;
    }
    return l;
  }

  /**
   * The name prefixes ({@code ""} for the names as they are, else ending with {@code .}) under which the names of
   * {@code file} are a pre-activation ResNet's ({@link #layout}).
   */
  public static List<String> prefixes(TensorFile file) {
    Set<String> found = new LinkedHashSet<>();
    for (String name : file.names()) {
      if (!name.endsWith("conv1.weight")) continue;
      String p = name.substring(0, name.length() - "conv1.weight".length());
      if (!p.isEmpty() && !p.endsWith(".") || found.contains(p)) continue;
      if (layout(file.under(p)) != null) found.add(p);
    }
    return new ArrayList<>(found);
  }

  /**
   * Whether the activation's values on s and -s give s back linearly, and the factor 1/(1+a) that does it.
   *
   * @return {@code 1/(1+a)}: 1 for ReLU
   * @throws ImportException naming the activation and why, for any other
   */
  public static double recovery(Activation phi, String where) {
    if (phi instanceof Relu) return 1.0;
    if (phi instanceof LeakyRelu l && l.a() > -1) return 1.0 / (1.0 + l.a());
    // x g(x) with g(x) + g(-x) = 1: phi(s) - phi(-s) = s (g the logistic function, the normal cdf, its tanh form,
    // relu6(x + 3) / 6); mish's tanh(softplus(x)) has no such symmetry
    if (phi instanceof Silu || phi instanceof Gelu || phi instanceof GeluTanh || phi instanceof Hardswish) return 1.0;
    throw new ImportException(where + ": activation " + phi.name() + ": a pre-activation ResNet's blocks add their "
        + "input with no activation after the sum, and the network is read as a post-activation one by carrying each "
        + "value s as phi(s) and phi(-s), from which s must come back linearly: s = (phi(s) - phi(-s)) / (1 + a) "
        + "holds for relu and leaky-relu of slope a > -1, and s = phi(s) - phi(-s) for silu, gelu, gelu-tanh and "
        + "hardswish (x g(x) with g(x) + g(-x) = 1), only, so a pre-activation ResNet with " + phi.name()
        + " cannot be read exactly");
  }

  /**
   * Whether a whole model's pre-activation blocks with a projection read the block's input itself: a block module
   * with the attribute {@code out_shortcut} reads its input when that is false (RobustBench's {@code PreActBlock}
   * and {@code PreActResNet}), a {@code robustbench...PreActBlock} without it reads its input (RobustBench's
   * earlier {@code self.shortcut(x)}), a {@code PreActBlockV2} and any other class the activated input (kuangliu's).
   *
   * @throws ImportException naming the file when blocks of both kinds are found
   */
  public static boolean inputShortcut(dev.ticketproof.io.TorchModule root, String source) {
    Set<Boolean> kinds = new LinkedHashSet<>();
    collect(root, kinds, 0);
    if (kinds.size() > 1) {
      throw new ImportException(source + ": its pre-activation blocks' projection shortcuts read the block's input in "
          + "some blocks and the activated input in others (their out_shortcut attributes differ); one network reads "
          + "one kind");
    }
    return kinds.contains(Boolean.TRUE);
  }

  private static void collect(dev.ticketproof.io.TorchModule m, Set<Boolean> kinds, int depth) {
    if (depth > 64) return;
    boolean block = m.children().stream().anyMatch(c -> c.name().equals("shortcut"))
        && m.children().stream().anyMatch(c -> c.name().equals("bn1"));
    if (block) {
      Object os = m.attributes().get("out_shortcut");
      if (m.simpleName().equals("PreActBlockV2")) {
        kinds.add(false);
      } else if (os instanceof Boolean b) {
        kinds.add(!b);
      } else {
        kinds.add(m.className().startsWith("robustbench.") && m.simpleName().equals("PreActBlock"));
      }
    }
    for (dev.ticketproof.io.TorchModule.Child c : m.children()) collect(c.module(), kinds, depth + 1);
  }

  /** One pre-activation block, by its tensors' prefix. */
  private record Block(String name, int stride, String shortcut) {}

  /**
   * The post-activation network of doubled width that computes what the pre-activation ResNet whose tensors are
   * {@code t} computes.
   *
   * @param t the tensors, named without any prefix ({@link TensorFile#under})
   * @param phi the activation: relu or leaky-relu ({@link #recovery})
   * @param input the per-example input shape if known, else {@code null} ({@code [C, 32, 32]}, C from
   *     {@code conv1.weight})
   * @throws ImportException naming the file and the tensor when the tensors are not such a network's
   */
  public static Rewritten rewrite(TensorFile t, Activation phi, int[] input) {
    return rewrite(t, phi, input, false);
  }

  /**
   * As {@link #rewrite(TensorFile, Activation, int[])}, with the projection shortcuts reading the block's input s
   * itself when {@code inputShortcut}: RobustBench's {@code PreActBlock} ({@code self.shortcut(out if
   * self.out_shortcut else x)}, {@code out_shortcut} false by default), whose names are kuangliu's. The shortcut's
   * 1x1 conv then reads phi(s) and phi(-s), [W k, -W k] (s = k (phi(s) - phi(-s))), doubled.
   *
   * @param inputShortcut whether a projection reads s (else phi(bn1 s), kuangliu's and WideResNet's)
   */
  public static Rewritten rewrite(TensorFile t, Activation phi, int[] input, boolean inputShortcut) {
    Layout layout = layout(t);
    String where = Presets.CIFAR_RESNET + " on " + t.source();
    if (layout == null) {
      throw new ImportException(where + ": the names are not a pre-activation ResNet's (expected conv1, "
          + "layer1.0.bn1/conv1/bn2/conv2, ..., linear (PreActResNet) or conv1, block1.layer.0.bn1/conv1/bn2/conv2, "
          + "..., bn1, fc (WideResNet))");
    }
    if (inputShortcut && layout == Layout.WIDE_RESNET) {
      throw new ImportException(where + ": the names are a WideResNet's (block1.layer.0, ...), whose convShortcut "
          + "reads the activated input (x = relu1(bn1(x)) when not equalInOut); a shortcut of the block's input itself "
          + "(" + Presets.PREACT_INPUT_SHORTCUT + ") is RobustBench's PreActBlock's, with PreActResNet's names");
    }
    where = where + " (a pre-activation " + layout.shown() + ")";
    double k = recovery(phi, where);
    Rw rw = new Rw(t, where);
    List<ArchSpec.LayerSpec> layers = new ArrayList<>();

    // stem: [W; -W], then phi
    int[] stem = rw.shape("conv1.weight", "the stem conv [C, in, 3, 3]");
    if (stem.length != 4 || stem[2] != 3 || stem[3] != 3) {
      throw new ImportException(where + ": tensor 'conv1.weight' has shape " + Arrays.toString(stem) + ", expected "
          + "the stem conv [C, in, 3, 3] (3x3, stride 1, padding 1)");
    }
    Tensor w0 = t.tensor("conv1.weight");
    rw.put("conv1.weight", doubled(w0));
    rw.read("conv1.weight");
    if (t.has("conv1.bias")) {
      rw.put("conv1.bias", doubled(rw.vector("conv1.bias", stem[0], "the stem conv's bias")));
      rw.read("conv1.bias");
    }
    layers.add(new ArchSpec.Conv("conv1", 1, 1));
    layers.add(new ArchSpec.Activation());

    int c = stem[0];
    List<Integer> widths = new ArrayList<>();
    widths.add(c);
    for (Block b : blocks(t, where, layout)) {
      String p = b.name();
      rw.noOthers(p, b.shortcut(), layout);
      // the block's BatchNorm on its input, folded into a 1x1 conv 2C -> 3C
      double[][] bn1 = rw.batchNorm(p + ".bn1", c, "the block's input channels");
      int[] c1 = rw.shape(p + ".conv1.weight", "[C_out, " + c + ", 3, 3]");
      if (c1.length != 4 || c1[1] != c || c1[2] != 3 || c1[3] != 3) {
        throw new ImportException(where + ": tensor '" + p + ".conv1.weight' has shape " + Arrays.toString(c1)
            + ", expected [C_out, " + c + ", 3, 3] (a 3x3 conv reading the " + c + " channels of the block's input)");
      }
      int out = c1[0];
      double[] w = new double[3 * c * 2 * c];
      double[] bias = new double[3 * c];
      for (int i = 0; i < c; i++) {
        double g = bn1[0][i];
        w[i * 2 * c + i] = g * k;
        w[i * 2 * c + c + i] = -g * k;
        bias[i] = bn1[1][i];
        w[(c + i) * 2 * c + i] = k;
        w[(c + i) * 2 * c + c + i] = -k;
        w[(2 * c + i) * 2 * c + i] = -k;
        w[(2 * c + i) * 2 * c + c + i] = k;
      }
      rw.put(p + ".bn1.weight", Tensor.of(w, 3 * c, 2 * c, 1, 1));
      rw.put(p + ".bn1.bias", Tensor.of(bias, 3 * c));
      layers.add(new ArchSpec.Conv(p + ".bn1", 1, 0));
      layers.add(new ArchSpec.Activation());
      // conv1 on the first C channels of r
      double[] w1 = t.tensor(p + ".conv1.weight").data();
      double[] wide = new double[out * 3 * c * 9];
      for (int o = 0; o < out; o++) System.arraycopy(w1, o * c * 9, wide, o * 3 * c * 9, c * 9);
      rw.put(p + ".conv1.weight", Tensor.of(wide, out, 3 * c, 3, 3));
      rw.read(p + ".conv1.weight");
      if (t.has(p + ".conv1.bias")) {
        rw.put(p + ".conv1.bias", Tensor.of(rw.vector(p + ".conv1.bias", out, "conv1's bias").clone(), out));
        rw.read(p + ".conv1.bias");
      }
      // bn2 stays the BatchNorm after conv1
      rw.batchNorm(p + ".bn2", out, "the channels of " + p + ".conv1");
      for (String part : BN) rw.put(p + ".bn2" + part, t.tensor(p + ".bn2" + part));
      // conv2 doubled
      int[] c2 = rw.shape(p + ".conv2.weight", "[" + out + ", " + out + ", 3, 3]");
      if (!Arrays.equals(c2, new int[] {out, out, 3, 3})) {
        throw new ImportException(where + ": tensor '" + p + ".conv2.weight' has shape " + Arrays.toString(c2)
            + ", expected [" + out + ", " + out + ", 3, 3] (a 3x3 conv on the " + out + " channels of conv1)");
      }
      rw.put(p + ".conv2.weight", doubled(t.tensor(p + ".conv2.weight")));
      rw.read(p + ".conv2.weight");
      if (t.has(p + ".conv2.bias")) {
        rw.put(p + ".conv2.bias", doubled(rw.vector(p + ".conv2.bias", out, "conv2's bias")));
        rw.read(p + ".conv2.bias");
      }
      // the shortcut, a 1x1 conv reading r, giving [s_skip; -s_skip]
      String sc;
      int scStride;
      if (b.shortcut() == null) {
        if (out != c || b.stride() != 1) {
          throw new ImportException(where + ": block " + p + " has stride " + b.stride() + " and maps " + c
              + " channels to " + out + ", but no tensor '" + p + "." + shortcutTensor(layout) + "' (the 1x1 "
              + "projection shortcut such a block has; without it the block's input cannot be added)");
        }
        sc = p + ".shortcut";
        scStride = 1;
        double[] ws = new double[2 * c * 3 * c];
        for (int i = 0; i < c; i++) {
          ws[i * 3 * c + c + i] = k;
          ws[i * 3 * c + 2 * c + i] = -k;
          ws[(c + i) * 3 * c + c + i] = -k;
          ws[(c + i) * 3 * c + 2 * c + i] = k;
        }
        rw.put(sc + ".weight", Tensor.of(ws, 2 * c, 3 * c, 1, 1));
      } else {
        sc = p + "." + b.shortcut();
        scStride = b.stride();
        int[] s = rw.shape(sc + ".weight", "[" + out + ", " + c + ", 1, 1]");
        if (!Arrays.equals(s, new int[] {out, c, 1, 1})) {
          throw new ImportException(where + ": tensor '" + sc + ".weight' has shape " + Arrays.toString(s)
              + ", expected [" + out + ", " + c + ", 1, 1] (the block's 1x1 projection shortcut)");
        }
        double[] ws0 = t.tensor(sc + ".weight").data();
        double[] ws = new double[2 * out * 3 * c];
        for (int o = 0; o < out; o++) {
          for (int i = 0; i < c; i++) {
            double v = ws0[o * c + i];
            if (inputShortcut) { // W s = W k phi(s) - W k phi(-s): the channels c + i and 2c + i of r
              ws[o * 3 * c + c + i] = v * k;
              ws[o * 3 * c + 2 * c + i] = -v * k;
              ws[(out + o) * 3 * c + c + i] = -v * k;
              ws[(out + o) * 3 * c + 2 * c + i] = v * k;
            } else {
              ws[o * 3 * c + i] = v;
              ws[(out + o) * 3 * c + i] = -v;
            }
          }
        }
        rw.put(sc + ".weight", Tensor.of(ws, 2 * out, 3 * c, 1, 1));
        rw.read(sc + ".weight");
        if (t.has(sc + ".bias")) {
          rw.put(sc + ".bias", doubled(rw.vector(sc + ".bias", out, "the projection's bias")));
          rw.read(sc + ".bias");
        }
      }
      layers.add(new ArchSpec.Residual(p, new ArchSpec.Conv(p + ".conv1", b.stride(), 1),
          new ArchSpec.BatchNorm(p + ".bn2", ArchSpec.DEFAULT_BN_EPS), new ArchSpec.Conv(p + ".conv2", 1, 1), null,
          new ArchSpec.Projection(new ArchSpec.Conv(sc, scStride, 0), null)));
      c = out;
      widths.add(c);
    }

    // head
    String headBn = layout == Layout.WIDE_RESNET ? "bn1" : "bn";
    String fc = layout == Layout.WIDE_RESNET ? "fc" : t.has("linear.weight") ? "linear" : "fc";
    if (layout == Layout.PREACT_RESNET && t.has("linear.weight") && t.has("fc.weight")) {
      throw new ImportException(where + ": both 'fc.weight' and 'linear.weight' (expected one final linear layer)");
    }
    if (layout == Layout.WIDE_RESNET && !t.has("bn1.weight")) {
      throw new ImportException(where + ": no tensor 'bn1.weight' (the final BatchNorm of the WideResNet, on its "
          + c + " channels before the pooling)");
    }
    boolean hasHeadBn = t.has(headBn + ".weight");
    int[] lin = rw.shape(fc + ".weight", "[classes, " + c + "]");
    if (lin.length != 2 || lin[1] != c) {
      throw new ImportException(where + ": tensor '" + fc + ".weight' has shape " + Arrays.toString(lin)
          + ", expected [classes, " + c + "]: the final pooling is read as global average pooling (avg_pool2d over "
          + "the last stage's whole map, as on 32x32 inputs), which gives the " + c + " channels of the last block"
          + (lin.length == 2 && lin[1] % c == 0 && lin[1] > c ? "; " + lin[1] + " features are a pooling that leaves "
          + lin[1] / c + " positions, which is not read" : ""));
    }
    int classes = lin[0];
    double[] wl = t.tensor(fc + ".weight").data();
    if (hasHeadBn) {
      double[][] bn = rw.batchNorm(headBn, c, "the last block's channels");
      double[] w = new double[c * 2 * c];
      for (int i = 0; i < c; i++) {
        w[i * 2 * c + i] = bn[0][i] * k;
        w[i * 2 * c + c + i] = -bn[0][i] * k;
      }
      rw.put(headBn + ".weight", Tensor.of(w, c, 2 * c, 1, 1));
      rw.put(headBn + ".bias", Tensor.of(bn[1], c));
      layers.add(new ArchSpec.Conv(headBn, 1, 0));
      layers.add(new ArchSpec.Activation());
      rw.put(fc + ".weight", Tensor.of(wl.clone(), classes, c));
    } else {
      double[] w = new double[classes * 2 * c];
      for (int o = 0; o < classes; o++) {
        for (int i = 0; i < c; i++) {
          w[o * 2 * c + i] = wl[o * c + i] * k;
          w[o * 2 * c + c + i] = -wl[o * c + i] * k;
        }
      }
      rw.put(fc + ".weight", Tensor.of(w, classes, 2 * c));
    }
    rw.read(fc + ".weight");
    if (t.has(fc + ".bias")) {
      rw.put(fc + ".bias", Tensor.of(rw.vector(fc + ".bias", classes, "the linear layer's bias").clone(), classes));
      rw.read(fc + ".bias");
    }
    layers.add(new ArchSpec.GlobalAvgPool());
    layers.add(new ArchSpec.Flatten());
    layers.add(new ArchSpec.Linear(fc));
    if (input == null) input = new int[] {stem[1], 32, 32};
    String note = "read as a pre-activation " + layout.shown() + " (" + (blocksCount(layers)) + " blocks adding "
        + "their input with no activation after the sum" + (hasHeadBn ? ", a final " + headBn + " and activation"
        : ", no final BatchNorm") + ") rewritten to a post-activation ResNet of doubled width: each value s is "
        + "carried as phi(s) and phi(-s), so the stream of " + join(widths) + " channels is carried in "
        + join(widths.stream().map(x -> 2 * x).toList()) + " channels and each block reads "
        + join(widths.subList(0, widths.size() - 1).stream().map(x -> 3 * x).toList()) + " channels [phi(bn1 s), "
        + "phi(s), phi(-s)] through a 1x1 conv first; the projection shortcuts read " + (inputShortcut ? "the "
        + "block's input s (RobustBench's PreActBlock, out_shortcut=False)" : "the activated input phi(bn1 s) ("
        + (layout == Layout.WIDE_RESNET ? "WideResNet's" : "kuangliu's PreActBlock; RobustBench's PreActBlock with "
        + "out_shortcut=False, its default, reads s itself: the preset " + Presets.PREACT_INPUT_SHORTCUT + " reads "
        + "that") + ")") + "; exact for " + phi.name() + " (s = (phi(s) - phi(-s)) / (1 + a)"
        + "), and the ticket approximates the rewritten network, which computes the original's outputs";
    return new Rewritten(new ArchSpec(input, null, layers), rw.file(t.source() + ", rewritten from a pre-activation "
        + layout.shown()), List.copyOf(rw.read), note);
  }

  private static long blocksCount(List<ArchSpec.LayerSpec> layers) {
    return layers.stream().filter(l -> l instanceof ArchSpec.Residual).count();
  }

  private static String join(List<Integer> xs) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < xs.size(); i++) sb.append(i == 0 ? "" : "/").append(xs.get(i));
    return sb.toString();
  }

  private static String shortcutTensor(Layout layout) {
    return layout == Layout.WIDE_RESNET ? "convShortcut.weight" : "shortcut.0.weight";
  }

  /** The blocks in order, with their strides and projection shortcuts. */
  private static List<Block> blocks(TensorFile t, String where, Layout layout) {
    Pattern pattern = layout == Layout.WIDE_RESNET ? WIDE : KUANGLIU;
    Map<Integer, Map<Integer, Set<String>>> stages = new TreeMap<>();
    for (String name : t.names()) {
      Matcher m = pattern.matcher(name);
      if (!m.matches()) continue;
      stages.computeIfAbsent(Integer.parseInt(m.group(1)), x -> new TreeMap<>())
          .computeIfAbsent(Integer.parseInt(m.group(2)), x -> new LinkedHashSet<>()).add(m.group(3));
    }
    List<Block> blocks = new ArrayList<>();
    int expectedStage = 1;
    for (Map.Entry<Integer, Map<Integer, Set<String>>> stage : stages.entrySet()) {
      int s = stage.getKey();
      if (s != expectedStage) {
        throw new ImportException(where + ": stage " + expectedStage + " is missing (no tensor '"
            + blockName(layout, expectedStage, 0) + ".conv1.weight'; stages are numbered from 1 without gaps)");
      }
      expectedStage++;
      int expectedBlock = 0;
      for (Map.Entry<Integer, Set<String>> block : stage.getValue().entrySet()) {
        int b = block.getKey();
        String p = blockName(layout, s, b);
        if (b != expectedBlock) {
          throw new ImportException(where + ": block " + blockName(layout, s, expectedBlock) + " is missing (no tensor '"
              + blockName(layout, s, expectedBlock) + ".conv1.weight'; blocks are numbered from 0 without gaps)");
        }
        expectedBlock++;
        String sc = layout == Layout.WIDE_RESNET ? "convShortcut" : "shortcut.0";
        blocks.add(new Block(p, s > 1 && b == 0 ? 2 : 1, block.getValue().contains(sc + ".weight") ? sc : null));
      }
    }
    return blocks;
  }

  private static String blockName(Layout layout, int stage, int block) {
    return layout == Layout.WIDE_RESNET ? "block" + stage + ".layer." + block : "layer" + stage + "." + block;
  }

  private static Tensor doubled(Tensor w) {
    double[] d = w.data();
    double[] out = new double[2 * d.length];
    System.arraycopy(d, 0, out, 0, d.length);
    for (int i = 0; i < d.length; i++) out[d.length + i] = -d[i];
    int[] shape = w.shape().clone();
    shape[0] *= 2;
    return Tensor.of(out, shape);
  }

  private static Tensor doubled(double[] v) {
    return doubled(Tensor.of(v, v.length));
  }

  /** The rewritten tensors being written, and the original ones read. */
  private static final class Rw {
    private final TensorFile t;
    private final String where;
    private final Map<String, StoredTensor> out = new LinkedHashMap<>();
    private final Set<String> read = new LinkedHashSet<>();

    Rw(TensorFile t, String where) {
      this.t = t;
      this.where = where;
    }

    void put(String name, Tensor x) { out.put(name, new StoredTensor(name, x, DType.FLOAT64)); }

    void read(String name) { read.add(name); }

    TensorFile file(String source) { return new TensorFile(source, out, List.of(), List.of()); }

    int[] shape(String name, String expected) {
      if (!t.has(name)) {
        throw new ImportException(where + ": no tensor '" + name + "' (expected " + expected + ")");
      }
      return t.tensor(name).shape();
    }

    double[] vector(String name, int n, String what) {
      int[] s = shape(name, "[" + n + "], " + what);
      if (s.length != 1 || s[0] != n) {
        throw new ImportException(where + ": tensor '" + name + "' has shape " + Arrays.toString(s) + ", expected ["
            + n + "] (" + what + ")");
      }
      return t.tensor(name).data();
    }

    /** A BatchNorm's g and beta per channel (eps 1e-5), its four tensors read. */
    double[][] batchNorm(String name, int c, String what) {
      double[][] parts = new double[4][];
      for (int i = 0; i < 4; i++) {
        parts[i] = vector(name + BN[i], c, "of the BatchNorm " + name + " on " + what);
        read(name + BN[i]);
      }
      double[] g = new double[c];
      double[] beta = new double[c];
      for (int i = 0; i < c; i++) {
        g[i] = parts[0][i] / Math.sqrt(parts[3][i] + ArchSpec.DEFAULT_BN_EPS);
        beta[i] = parts[1][i] - g[i] * parts[2][i];
      }
      return new double[][] {g, beta};
    }

    /** Refuses a block tensor no pre-activation basic block has, naming it. */
    void noOthers(String p, String shortcut, Layout layout) {
      List<String> known = new ArrayList<>(List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias"));
      for (String bn : new String[] {"bn1", "bn2"}) {
        for (String part : BN) known.add(bn + part);
        known.add(bn + ".num_batches_tracked");
      }
      String sc = layout == Layout.WIDE_RESNET ? "convShortcut" : "shortcut.0";
      known.add(sc + ".weight");
      known.add(sc + ".bias");
      for (String n : t.names()) {
        if (!n.startsWith(p + ".")) continue;
        String rest = n.substring(p.length() + 1);
        if (known.contains(rest) || rest.endsWith("_mask")) continue;
        if (rest.startsWith("conv3.") || rest.startsWith("bn3.")) {
          throw new ImportException(where + ": tensor '" + n + "': block " + p + " is a pre-activation bottleneck "
              + "block (conv1, conv2, conv3: PreActBottleneck); only pre-activation basic blocks of two 3x3 convs "
              + "are read");
        }
        throw new ImportException(where + ": tensor '" + n + "' is not part of a pre-activation basic block "
            + "(expected " + p + ".bn1, conv1, bn2, conv2 and a projection " + p + "." + sc + ")");
      }
    }
  }
}
