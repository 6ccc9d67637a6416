package dev.ticketproof.targets;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.Relu;
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
 * average pooling, checked against the linear layer's fan-in. A block with {@code conv3} and {@code bn3} is a
 * bottleneck block (kuangliu's {@code PreActBottleneck}, his {@code PreActResNet50} and deeper):
 * {@code s' = sc + conv3(phi(bn3(conv2(phi(bn2(conv1 a))))))}, a = phi(bn1 s), {@code conv1} and {@code conv3} 1x1,
 * {@code conv2} 3x3 with the block's stride and padding 1, sc = s or the projection of a (or of s).
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
 *   <li>each bottleneck block, three normal-form steps: the same 1x1 conv to r; a second 1x1 conv and phi reading r,
 *       rows g2 W1 on a's channels with bias beta2 ({@code conv1} with bn2 folded), then what the shortcut reads,
 *       carried through phi: s as rows [0, k I, -k I] and [0, -k I, k I] (the identity, or a projection of s), which
 *       phi makes [phi(s), phi(-s)] again; a as rows [I, 0, 0] for relu (a = relu(bn1 s) &gt;= 0, so relu(a) = a),
 *       else as [I, 0, 0] and [-I, 0, 0], giving [phi(a), phi(-a)], a = k (phi(a) - phi(-a)): t = [phi(bn2(conv1
 *       a)), carried], P + C or P + 2C channels; then a residual block reading t: conv1 the block's 3x3
 *       {@code conv2} on the first P channels of t (zeros elsewhere; the block's stride, padding 1), its BatchNorm
 *       bn3, conv2 the block's {@code conv3} doubled [W3; -W3] (1x1), the shortcut a 1x1 conv on t with the block's
 *       stride reading the carried value (k [I, -I] combinations for the identity, the projection's weights on the
 *       carried a or s): the sum is [s', -s'] as above. The 1x1 convs before the residual block work position by
 *       position at stride 1, so the strided 3x3 conv and 1x1 shortcut read t where PyTorch's conv2 and projection
 *       read their inputs, and the only padded conv reads phi(bn2(conv1 a)), which PyTorch pads;</li>
 *   <li>head: a final BatchNorm and phi are a 1x1 conv 2C -&gt; C, [g k, -g k] with bias beta, then phi; without
 *       one, the pooling is linear, so p is pooled and the linear layer's weights are [W, -W] k.</li>
 * </ul>
 * Zero padding stays exact: every padded conv reads activated values, and phi(0) = 0 is what PyTorch pads with;
 * zero weights read the padding of the other channels.
 *
 * <p>RobustBench's DeepMind ResNets (dm_wide_resnet.py: {@code DMWideResNet}, {@code DMPreActResNet}; their names
 * {@link Layout#DM_WIDE_RESNET}, {@link Layout#DM_PREACT_RESNET}) are the same blocks with three differences of their
 * forwards, read exactly: the input normalised first, {@code (x - mean) / std} with the buffers {@code mean} and
 * {@code std} (a {@link ArchSpec.Normalize} first layer of those tensors); a block's first conv of padding 0 on
 * {@code F.pad(v, (1, 1, 1, 1))} at stride 1 (padding 1) and {@code F.pad(v, (0, 1, 0, 1))} at stride 2 (paddings top
 * 0, bottom 1, left 0, right 1, which the normal form computes as a 4x4 conv of padding 1 whose first row and column
 * are zero); and {@code DMPreActResNet}'s projection a 3x3 conv on the padded block input s itself (carried as
 * phi(s), phi(-s): phi(0) = 0 pads s with 0 as PyTorch does), {@code DMWideResNet}'s a 1x1 conv of the activated
 * input. Their stages are numbered from 0; the first block of every stage after the first has stride 2.
 */
public final class PreActResNet {
  private static final String[] BN = {".weight", ".bias", ".running_mean", ".running_var"};

  /** The layouts of names. */
  public enum Layout {
    /** kuangliu's / RobustBench's {@code PreActResNet}: {@code layerS.B}, {@code shortcut.0}, {@code bn}, {@code linear}. */
    PREACT_RESNET("PreActResNet", "conv1", "layer(\\d{1,8})\\.(\\d{1,8})\\.(.+)", 1, "bn1", "conv1", "bn2", "conv2",
        "shortcut.0", "bn", "linear"),
    /** RobustBench's {@code WideResNet}: {@code blockK.layer.B}, {@code convShortcut}, {@code bn1}, {@code fc}. */
    WIDE_RESNET("WideResNet", "conv1", "block(\\d{1,8})\\.layer\\.(\\d{1,8})\\.(.+)", 1, "bn1", "conv1", "bn2", "conv2",
        "convShortcut", "bn1", "fc"),
    /**
     * RobustBench's DeepMind {@code DMWideResNet} (dm_wide_resnet.py): {@code init_conv}, {@code layer.G.block.B} of
     * {@code batchnorm_0}, {@code conv_0}, {@code batchnorm_1}, {@code conv_1} and the 1x1 {@code shortcut} where the
     * channels change, {@code batchnorm}, {@code logits}, and the input normalisation's {@code mean} and {@code std}.
     */
    DM_WIDE_RESNET("DMWideResNet", "init_conv", "layer\\.(\\d{1,8})\\.block\\.(\\d{1,8})\\.(.+)", 0, "batchnorm_0",
        "conv_0", "batchnorm_1", "conv_1", "shortcut", "batchnorm", "logits"),
    /**
     * RobustBench's DeepMind {@code DMPreActResNet} (dm_wide_resnet.py): {@code conv_2d}, {@code layer_S.B} of
     * {@code batchnorm_0}, {@code conv_2d_1}, {@code batchnorm_1}, {@code conv_2d_2} and the 3x3 {@code shortcut}
     * where the stride is not 1 or the channels change, {@code batchnorm}, {@code logits}, {@code mean}, {@code std}.
     */
    DM_PREACT_RESNET("DMPreActResNet", "conv_2d", "layer_(\\d{1,8})\\.(\\d{1,8})\\.(.+)", 0, "batchnorm_0",
        "conv_2d_1", "batchnorm_1", "conv_2d_2", "shortcut", "batchnorm", "logits");

    private final String shown;
    private final String stem;
    private final Pattern block;
    private final int first;
    private final String bn1;
    private final String conv1;
    private final String bn2;
    private final String conv2;
    private final String shortcut;
    private final String headBn;
    private final String fc;

    Layout(String shown, String stem, String block, int first, String bn1, String conv1, String bn2, String conv2,
        String shortcut, String headBn, String fc) {
      this.shown = shown;
      this.stem = stem;
      this.block = Pattern.compile(block);
      this.first = first;
      this.bn1 = bn1;
      this.conv1 = conv1;
      this.bn2 = bn2;
      this.conv2 = conv2;
      this.shortcut = shortcut;
      this.headBn = headBn;
      this.fc = fc;
    }

    /** The class name the layout is known by. */
    public String shown() { return shown; }

    /** The stem conv's module name ({@code conv1}, {@code init_conv}, {@code conv_2d}). */
    public String stem() { return stem; }

    /** The first block's name and its first conv, for notes: {@code layer1.0.conv1}, {@code layer.0.block.0.conv_0}. */
    public String firstConv() { return blockName(first, 0) + "." + conv1; }

    /**
     * Whether the forward is DeepMind's (RobustBench's dm_wide_resnet.py): it normalises its input with the buffers
     * {@code mean} and {@code std}, and pads the input of a block's first conv itself, {@code F.pad(v, (1, 1, 1, 1))}
     * at stride 1 and {@code F.pad(v, (0, 1, 0, 1))} (below and right only) at stride 2.
     */
    public boolean deepMind() { return this == DM_WIDE_RESNET || this == DM_PREACT_RESNET; }

    /** The forward's fixed pooling window ({@code F.avg_pool2d(out, k)}), or 0 for a layout whose code varies. */
    public int window() {
      return switch (this) {
        case WIDE_RESNET, DM_WIDE_RESNET -> 8;
        case DM_PREACT_RESNET -> 4;
        default -> 0;
      };
    }

    /** A block's name (stage numbered from the layout's first, block from 0). */
    String blockName(int stage, int block) {
      return switch (this) {
        case PREACT_RESNET -> "layer" + stage + "." + block;
        case WIDE_RESNET -> "block" + stage + ".layer." + block;
        case DM_WIDE_RESNET -> "layer." + stage + ".block." + block;
        case DM_PREACT_RESNET -> "layer_" + stage + "." + block;
      };
    }
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
   * {@code layer1.0.conv1.weight}, {@code layer1.0.conv2.weight} and {@code linear.weight} or {@code fc.weight}
   * (basic and bottleneck blocks alike);
   * {@link Layout#WIDE_RESNET} for {@code conv1.weight}, {@code block1.layer.0.bn1.weight},
   * {@code block1.layer.0.conv1.weight}, {@code block1.layer.0.conv2.weight} and {@code fc.weight};
   * {@link Layout#DM_WIDE_RESNET} for {@code init_conv.weight}, {@code layer.0.block.0.batchnorm_0.weight},
   * {@code layer.0.block.0.conv_0.weight}, {@code layer.0.block.0.conv_1.weight} and {@code logits.weight};
   * {@link Layout#DM_PREACT_RESNET} for {@code conv_2d.weight}, {@code layer_0.0.batchnorm_0.weight},
   * {@code layer_0.0.conv_2d_1.weight}, {@code layer_0.0.conv_2d_2.weight} and {@code logits.weight}.
   */
  public static Layout layout(TensorFile t) {
    Layout l = null;
    for (Layout c : new Layout[] {Layout.DM_WIDE_RESNET, Layout.DM_PREACT_RESNET}) {
      String b = c.blockName(0, 0) + ".";
      if (t.has(c.stem + ".weight") && t.has(b + c.bn1 + ".weight") && t.has(b + c.conv1 + ".weight")
          && t.has(b + c.conv2 + ".weight") && t.has("logits.weight")) {
        l = c;
      }
    }
    if (l == null && t.has("conv1.weight")) {
      if (t.has("block1.layer.0.bn1.weight") && t.has("block1.layer.0.conv1.weight")
          && t.has("block1.layer.0.conv2.weight") && t.has("fc.weight")) {
        l = Layout.WIDE_RESNET;
      } else if (!t.has("bn1.weight") && t.has("layer1.0.bn1.weight") && t.has("layer1.0.conv1.weight")
          && t.has("layer1.0.conv2.weight") && (t.has("linear.weight") || t.has("fc.weight"))) {
        l = Layout.PREACT_RESNET;
      }
    }
    if (l == null) return null;
    // every block's bn1 normalises its input: conv1's input channels (a post-activation block's bn1 follows conv1)
    for (String n : t.names()) {
      Matcher m = l.block.matcher(n);
      if (!m.matches() || !m.group(3).equals(l.bn1 + ".weight")) continue;
      String conv = n.substring(0, n.length() - (l.bn1 + ".weight").length()) + l.conv1 + ".weight";
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
    Set<String> stems = new LinkedHashSet<>();
    for (Layout l : Layout.values()) stems.add(l.stem + ".weight");
    for (String name : file.names()) {
      for (String stem : stems) {
        if (!name.endsWith(stem)) continue;
        String p = name.substring(0, name.length() - stem.length());
        if (!p.isEmpty() && !p.endsWith(".") || found.contains(p)) continue;
        if (layout(file.under(p)) != null) found.add(p);
      }
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
    double k = dev.ticketproof.net.Bottleneck.carryFactor(phi);
    if (k != 0) return k;
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
    root.walk((path, m) -> {
      boolean block = m.children().stream().anyMatch(c -> c.name().equals("shortcut"))
          && m.children().stream().anyMatch(c -> c.name().equals("bn1"));
      if (!block) return;
      Object os = m.attributes().get("out_shortcut");
      if (m.simpleName().equals("PreActBlockV2")) {
        kinds.add(false);
      } else if (os instanceof Boolean b) {
        kinds.add(!b);
      } else {
        kinds.add(m.className().startsWith("robustbench.") && m.simpleName().equals("PreActBlock"));
      }
    });
    if (kinds.size() > 1) {
      throw new ImportException(source + ": its pre-activation blocks' projection shortcuts read the block's input in "
          + "some blocks and the activated input in others (their out_shortcut attributes differ); one network reads "
          + "one kind");
    }
    return kinds.contains(Boolean.TRUE);
  }

  /**
   * One pre-activation block.
   *
   * @param name its tensors' prefix
   * @param stride its stride (on conv1, or on conv2 with {@link Plan#strideOnConv2})
   * @param shortcut the name of its projection shortcut under the prefix, or {@code null} for the identity
   */
  record Block(String name, int stride, String shortcut) {}

  /**
   * What {@link #rewrite} reads: the names of a pre-activation ResNet's modules and its blocks in order.
   *
   * @param shown the network as messages name it (a layout's class, or the spec's)
   * @param layout the layout of names the plan follows, or {@code null} for a JSON spec's names
   * @param stem the stem conv (3x3, stride 1, padding 1)
   * @param blocks the blocks in order
   * @param bn1 a block's BatchNorm on its input, under the block's prefix
   * @param conv1 a block's first conv, under the block's prefix
   * @param bn2 a block's second BatchNorm, under the block's prefix
   * @param conv2 a block's second conv, under the block's prefix
   * @param shortcut a block's projection shortcut, under the block's prefix (where the block has one)
   * @param headBn the final BatchNorm (followed by the activation), or {@code null} for none
   * @param fc the final linear layer
   * @param strideOnConv2 whether a basic block's stride is on its conv2 (else on conv1)
   */
  record Plan(String shown, Layout layout, String stem, List<Block> blocks, String bn1, String conv1, String bn2,
      String conv2, String shortcut, String headBn, String fc, boolean strideOnConv2) {}

  /**
   * Where a value v of a layer's input is found: v_i = x[pos + i] when {@code neg < 0}, else carried as
   * v_i = k (x[pos + i] - x[neg + i]) (x[pos + i] = phi(v_i), x[neg + i] = phi(-v_i)).
   */
  private record Read(int pos, int neg, double k) {
    /** Adds {@code coef} v_i to the row {@code row} of a weight matrix of {@code width} columns. */
    void add(double[] w, int row, int width, int i, double coef) {
      if (neg < 0) {
        w[row * width + pos + i] += coef;
      } else {
        w[row * width + pos + i] += coef * k;
        w[row * width + neg + i] -= coef * k;
      }
    }
  }

  /**
   * The post-activation network of doubled width that computes what the pre-activation ResNet whose tensors are
   * {@code t} computes.
   *
   * @param t the tensors, named without any prefix ({@link TensorFile#under})
   * @param phi the activation: relu, leaky-relu, silu, gelu, gelu-tanh or hardswish ({@link #recovery})
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
          + "layer1.0.bn1/conv1/bn2/conv2, ..., linear (PreActResNet); conv1, block1.layer.0.bn1/conv1/bn2/conv2, "
          + "..., bn1, fc (WideResNet); init_conv, layer.0.block.0.batchnorm_0/conv_0/batchnorm_1/conv_1, ..., "
          + "batchnorm, logits (DMWideResNet); or conv_2d, layer_0.0.batchnorm_0/conv_2d_1/batchnorm_1/conv_2d_2, ..., "
          + "batchnorm, logits (DMPreActResNet))");
    }
    if (inputShortcut && (layout == Layout.WIDE_RESNET || layout == Layout.DM_WIDE_RESNET)) {
      throw new ImportException(where + ": the names are a " + layout.shown() + "'s (" + layout.firstConv() + ", ...), "
          + "whose " + layout.shortcut + " reads the activated input (x = relu(bn(x)) where the block changes the "
          + "channels); a shortcut of the block's input itself (" + Presets.PREACT_INPUT_SHORTCUT + ") is RobustBench's "
          + "PreActBlock's, with PreActResNet's names");
    }
    // DeepMind's DMPreActResNet: the shortcut, a 3x3 conv, reads the padded block input x itself
    if (layout == Layout.DM_PREACT_RESNET) inputShortcut = true;
    where = where + " (a pre-activation " + layout.shown() + ")";
    String fc = layout != Layout.PREACT_RESNET ? layout.fc : t.has("linear.weight") ? "linear" : "fc";
    if (layout == Layout.PREACT_RESNET && t.has("linear.weight") && t.has("fc.weight")) {
      throw new ImportException(where + ": both 'fc.weight' and 'linear.weight' (expected one final linear layer)");
    }
    Plan plan = new Plan(layout.shown(), layout, layout.stem, blocks(t, where, layout), layout.bn1, layout.conv1,
        layout.bn2, layout.conv2, layout.shortcut, layout == Layout.PREACT_RESNET && !t.has(layout.headBn + ".weight")
        ? null : layout.headBn, fc, false);
    return rewrite(t, phi, input, inputShortcut, plan, where);
  }

  /**
   * Whether a JSON spec describes a pre-activation ResNet ({@link ArchSpec.PreActNet}), which {@link #rewrite(
   * TensorFile, Activation, int[], ArchSpec, String)} reads.
   */
  public static boolean describes(ArchSpec spec) {
    return spec.layers().stream().anyMatch(l -> l instanceof ArchSpec.PreActNet);
  }

  /**
   * The network of a JSON spec whose layers are a {@link ArchSpec.PreActNet}, optionally after a
   * {@link ArchSpec.Normalize}: the pre-activation ResNet under the names the spec gives, rewritten as the layouts of
   * names are, the normalisation first (the input map before the padded stem). The blocks' strides are the spec's;
   * a block whose tensors hold {@code shortcut.weight} (the spec's shortcut name) has that projection, any other the
   * identity.
   *
   * @param t the tensors, named as the spec names them (its prefix taken off)
   * @param spec the spec
   * @param source the spec's file, for messages
   * @throws ImportException naming the spec and the layer when it has other layers, or the tensor at fault
   */
  public static Rewritten rewrite(TensorFile t, Activation phi, int[] input, ArchSpec spec, String source) {
    List<ArchSpec.LayerSpec> given = spec.layers();
    int at = given.size() - 1;
    if (!(given.get(at) instanceof ArchSpec.PreActNet net)
        || given.size() > 2 || given.size() == 2 && !(given.get(0) instanceof ArchSpec.Normalize)) {
      throw new ImportException(source + ": a preact-resnet is the whole network: its layers must be the "
          + "preact-resnet alone, or a normalize and then the preact-resnet (the stem, the blocks, the final "
          + "BatchNorm, the pooling and the linear layer are all in it)");
    }
    for (String n : net.requiredTensors()) {
      if (!t.has(n)) {
        throw new ImportException(source + " names tensor '" + n + "', which " + t.source() + " does not have (it has "
            + t.describeNames() + ")");
      }
    }
    String where = source + " (a pre-activation ResNet, preact-resnet)";
    List<Block> blocks = new ArrayList<>();
    for (ArchSpec.PreActNet.PreActBlock b : net.blocks()) {
      blocks.add(new Block(b.name(), b.stride(), t.has(b.name() + "." + net.shortcut() + ".weight") ? net.shortcut()
          : null));
    }
    Plan plan = new Plan("ResNet", null, net.stem(), blocks, net.bn1(), net.conv1(), net.bn2(), net.conv2(),
        net.shortcut(), net.bn(), net.linear(), net.strideOnConv2());
    Rewritten rw = rewrite(t, phi, input == null ? spec.input() : input, net.shortcutReadsInput(), plan, where);
    if (given.size() == 1) {
      return new Rewritten(new ArchSpec(rw.spec().input(), spec.activation(), rw.spec().layers(),
          spec.outputActivation()), rw.tensors(), rw.read(), rw.note());
    }
    ArchSpec.Normalize norm = (ArchSpec.Normalize) given.get(0);
    List<String> own = new ArrayList<>(); // the normalisation's tensors, read as they are
    for (String n : new String[] {norm.meanTensor(), norm.stdTensor()}) {
      if (n == null || own.contains(n)) continue;
      if (!t.has(n)) throw new ImportException(where + ": no tensor '" + n + "' (of its normalize)");
      own.add(n);
    }
    List<String> read = new ArrayList<>(rw.read());
    read.addAll(own);
    List<ArchSpec.LayerSpec> layers = new ArrayList<>();
    layers.add(norm);
    layers.addAll(rw.spec().layers());
    return new Rewritten(new ArchSpec(rw.spec().input(), spec.activation(), layers, spec.outputActivation()),
        rw.tensors().with(t, own), List.copyOf(read), rw.note()
        + "; the input normalised first, (x - mean) / std, as the spec's normalize says");
  }

  /**
   * The rewrite of the pre-activation ResNet that {@code plan} names in {@code t}.
   *
   * @param where the network for messages
   */
  static Rewritten rewrite(TensorFile t, Activation phi, int[] input, boolean inputShortcut, Plan plan,
      String where) {
    Layout layout = plan.layout();
    boolean dm = layout != null && layout.deepMind();
    double k = recovery(phi, where);
    Rw rw = new Rw(t, where);
    List<ArchSpec.LayerSpec> layers = new ArrayList<>();

    // DeepMind's forward normalises its input first: out = (x - mean) / std, buffers of [C, 1, 1]
    String stemName = plan.stem();
    int[] stem = rw.shape(stemName + ".weight", "the stem conv [C, in, 3, 3]");
    if (stem.length != 4 || stem[2] != 3 || stem[3] != 3) {
      throw new ImportException(where + ": tensor '" + stemName + ".weight' has shape " + Arrays.toString(stem)
          + ", expected the stem conv [C, in, 3, 3] (3x3, stride 1, padding 1)");
    }
    if (dm) {
      for (String n : new String[] {"mean", "std"}) {
        int[] sh = rw.shape(n, "[" + stem[1] + ", 1, 1], the " + n + " its forward's (x - mean) / std reads");
        if (!Arrays.equals(sh, new int[] {stem[1], 1, 1}) && !Arrays.equals(sh, new int[] {stem[1]})) {
          throw new ImportException(where + ": tensor '" + n + "' has shape " + Arrays.toString(sh) + ", expected ["
              + stem[1] + ", 1, 1] (the " + n + " its forward's (x - mean) / std reads, one per channel of the "
              + stem[1] + " the stem conv reads)");
        }
        rw.put(n, t.tensor(n));
        rw.read(n);
      }
      layers.add(new ArchSpec.Normalize("", null, null, "mean", "std"));
    }

    // stem: [W; -W], then phi
    Tensor w0 = t.tensor(stemName + ".weight");
    rw.put(stemName + ".weight", doubled(w0));
    rw.read(stemName + ".weight");
    if (t.has(stemName + ".bias")) {
      rw.put(stemName + ".bias", doubled(rw.vector(stemName + ".bias", stem[0], "the stem conv's bias")));
      rw.read(stemName + ".bias");
    }
    layers.add(new ArchSpec.Conv(stemName, 1, 1));
    layers.add(new ArchSpec.Activation());

    int c = stem[0];
    List<Integer> widths = new ArrayList<>();
    widths.add(c);
    List<String> steps = new ArrayList<>(); // a bottleneck block's second 1x1 conv: its channels and what they carry
    for (Block b : plan.blocks()) {
      String p = b.name();
      boolean bottleneck = !dm && (t.has(p + ".conv3.weight") || t.has(p + ".bn3.weight"));
      rw.noOthers(p, plan, bottleneck);
      // the block's BatchNorm on its input, folded into a 1x1 conv 2C -> 3C
      String bn1Name = p + "." + plan.bn1();
      double[][] bn1 = rw.batchNorm(bn1Name, c, "the block's input channels");
      int kernel = bottleneck ? 1 : 3;
      String k1 = "[C_out, " + c + ", " + kernel + ", " + kernel + "]";
      int[] c1 = rw.shape(p + "." + plan.conv1() + ".weight", k1);
      if (c1.length != 4 || c1[1] != c || c1[2] != kernel || c1[3] != kernel) {
        throw new ImportException(where + ": tensor '" + p + "." + plan.conv1() + ".weight' has shape "
            + Arrays.toString(c1)
            + ", expected " + k1 + " (a " + kernel + "x" + kernel + " conv reading the " + c + " channels of the "
            + (bottleneck ? "bottleneck " : "") + "block's input)");
      }
      int mid = c1[0];
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
      rw.put(bn1Name + ".weight", Tensor.of(w, 3 * c, 2 * c, 1, 1));
      rw.put(bn1Name + ".bias", Tensor.of(bias, 3 * c));
      layers.add(new ArchSpec.Conv(bn1Name, 1, 0));
      layers.add(new ArchSpec.Activation());
      // r = [a, phi(s), phi(-s)] with a = phi(bn1 s): where the residual block below finds a and s
      Read a = new Read(0, -1, 1);
      Read s = new Read(c, 2 * c, k);
      int width = 3 * c;
      // the residual block: a 3x3 conv on the first channels of its input, a BatchNorm, phi, a conv doubled; of a
      // basic block conv1 (reading a), bn2, conv2; of a bottleneck block conv2 (reading phi(bn2 conv1 a)), bn3, conv3
      String first = p + "." + plan.conv1();
      String norm = p + "." + plan.bn2();
      String last = p + "." + plan.conv2();
      int in = c;
      if (bottleneck) {
        // a second 1x1 conv and phi: conv1 with bn2 folded reading a, giving phi(bn2(conv1 a)), and what the
        // shortcut reads carried on: s as [phi(s), phi(-s)] (the identity, or a projection of s), else a as a
        // itself for relu (a >= 0, so phi(a) = a) or as [phi(a), phi(-a)] (a = k (phi(a) - phi(-a)))
        boolean readsS = b.shortcut() == null || inputShortcut;
        Read carried = readsS ? s : a;
        boolean single = !readsS && phi instanceof Relu;
        int t2 = mid + (single ? c : 2 * c);
        double[][] bn2 = rw.batchNorm(p + ".bn2", mid, "the channels of " + p + ".conv1");
        double[] w1 = t.tensor(p + ".conv1.weight").data();
        rw.read(p + ".conv1.weight");
        double[] b1 = null;
        if (t.has(p + ".conv1.bias")) {
          b1 = rw.vector(p + ".conv1.bias", mid, "conv1's bias");
          rw.read(p + ".conv1.bias");
        }
        double[] w2 = new double[t2 * width];
        double[] bias2 = new double[t2];
        for (int o = 0; o < mid; o++) {
          for (int i = 0; i < c; i++) w2[o * width + i] = bn2[0][o] * w1[o * c + i];
          bias2[o] = bn2[1][o] + (b1 == null ? 0 : bn2[0][o] * b1[o]);
        }
        for (int i = 0; i < c; i++) {
          carried.add(w2, mid + i, width, i, 1);
          if (!single) carried.add(w2, mid + c + i, width, i, -1);
        }
        rw.put(p + ".conv1.weight", Tensor.of(w2, t2, width, 1, 1));
        rw.put(p + ".conv1.bias", Tensor.of(bias2, t2));
        layers.add(new ArchSpec.Conv(p + ".conv1", 1, 0));
        layers.add(new ArchSpec.Activation());
        Read next = single ? new Read(mid, -1, 1) : new Read(mid, mid + c, k);
        if (readsS) {
          s = next;
        } else {
          a = next;
        }
        steps.add(t2 + " [" + mid + " phi(bn2 conv1 a), " + (readsS ? c + " phi(s), " + c + " phi(-s)" : single
            ? c + " a" : c + " phi(a), " + c + " phi(-a)") + "]");
        width = t2;
        first = p + ".conv2";
        norm = p + ".bn3";
        last = p + ".conv3";
        in = mid;
        int[] c2 = rw.shape(first + ".weight", "[" + mid + ", " + mid + ", 3, 3]");
        if (!Arrays.equals(c2, new int[] {mid, mid, 3, 3})) {
          throw new ImportException(where + ": tensor '" + first + ".weight' has shape " + Arrays.toString(c2)
              + ", expected [" + mid + ", " + mid + ", 3, 3] (the bottleneck's 3x3 conv on the " + mid + " channels "
              + "of " + p + ".conv1)");
        }
      }
      // the residual block's first conv on the first `in` channels of its input (zero weights on the others)
      double[] wf = t.tensor(first + ".weight").data();
      double[] wide = new double[mid * width * 9];
      for (int o = 0; o < mid; o++) System.arraycopy(wf, o * in * 9, wide, o * width * 9, in * 9);
      rw.put(first + ".weight", Tensor.of(wide, mid, width, 3, 3));
      rw.read(first + ".weight");
      if (t.has(first + ".bias")) {
        rw.put(first + ".bias", Tensor.of(rw.vector(first + ".bias", mid, "the bias of " + first).clone(), mid));
        rw.read(first + ".bias");
      }
      // its BatchNorm as it is
      rw.batchNorm(norm, mid, "the channels of " + first);
      for (String part : BN) rw.put(norm + part, t.tensor(norm + part));
      // the last conv doubled: of a basic block 3x3 (padding 1) keeping the channels, of a bottleneck 1x1 to out
      int[] cl = rw.shape(last + ".weight", bottleneck ? "[C_out, " + mid + ", 1, 1]" : "[" + mid + ", " + mid
          + ", 3, 3]");
      if (bottleneck ? cl.length != 4 || cl[1] != mid || cl[2] != 1 || cl[3] != 1
          : !Arrays.equals(cl, new int[] {mid, mid, 3, 3})) {
        throw new ImportException(where + ": tensor '" + last + ".weight' has shape " + Arrays.toString(cl)
            + ", expected " + (bottleneck ? "[C_out, " + mid + ", 1, 1] (the bottleneck's 1x1 conv on the " + mid
            + " channels of " + first + ")" : "[" + mid + ", " + mid + ", 3, 3] (a 3x3 conv on the " + mid
            + " channels of conv1)"));
      }
      int out = cl[0];
      rw.put(last + ".weight", doubled(t.tensor(last + ".weight")));
      rw.read(last + ".weight");
      if (t.has(last + ".bias")) {
        rw.put(last + ".bias", doubled(rw.vector(last + ".bias", out, "the bias of " + last)));
        rw.read(last + ".bias");
      }
      if (dm && b.shortcut() != null && out == c
          && (layout == Layout.DM_WIDE_RESNET || b.stride() == 1)) {
        throw new ImportException(where + ": tensor '" + p + "." + b.shortcut() + ".weight', but block " + p
            + " keeps its " + c + " channels" + (layout == Layout.DM_WIDE_RESNET ? "" : " at stride 1") + ": the "
            + plan.shown() + "'s block has a shortcut conv only where " + (layout == Layout.DM_WIDE_RESNET
            ? "the channels change (has_shortcut = in_planes != out_planes)" : "the stride is not 1 or the channels "
            + "change (has_shortcut = stride != 1 or in_planes != out_planes)") + ", and adds its input x otherwise");
      }
      // the shortcut, a conv reading the residual block's input, giving [s_skip; -s_skip]: 1x1, or DMPreActResNet's
      // 3x3 on the padded block input
      int sk = layout == Layout.DM_PREACT_RESNET && b.shortcut() != null ? 3 : 1;
      String sc;
      int scStride;
      double[] ws = new double[2 * out * width * sk * sk];
      if (b.shortcut() == null) {
        if (out != c || b.stride() != 1) {
          throw new ImportException(where + ": block " + p + " has stride " + b.stride() + " and maps " + c
              + " channels to " + out + ", but no tensor '" + p + "." + plan.shortcut() + ".weight' (the 1x1 "
              + "projection shortcut such a block has; without it the block's input cannot be added)");
        }
        sc = p + ".shortcut";
        scStride = 1;
        for (int i = 0; i < c; i++) {
          s.add(ws, i, width, i, 1);
          s.add(ws, out + i, width, i, -1);
        }
      } else {
        sc = p + "." + b.shortcut();
        scStride = b.stride();
        int[] sh = rw.shape(sc + ".weight", "[" + out + ", " + c + ", " + sk + ", " + sk + "]");
        if (!Arrays.equals(sh, new int[] {out, c, sk, sk})) {
          throw new ImportException(where + ": tensor '" + sc + ".weight' has shape " + Arrays.toString(sh)
              + ", expected [" + out + ", " + c + ", " + sk + ", " + sk + "] (the block's " + sk + "x" + sk
              + " projection shortcut)");
        }
        double[] wp = t.tensor(sc + ".weight").data();
        Read from = inputShortcut ? s : a; // W s = W k phi(s) - W k phi(-s); W a
        int taps = sk * sk;
        for (int tap = 0; tap < taps; tap++) {
          double[] m = new double[2 * out * width];
          for (int o = 0; o < out; o++) {
            for (int i = 0; i < c; i++) {
              from.add(m, o, width, i, wp[(o * c + i) * taps + tap]);
              from.add(m, out + o, width, i, -wp[(o * c + i) * taps + tap]);
            }
          }
          for (int j = 0; j < m.length; j++) ws[j * taps + tap] = m[j];
        }
        rw.read(sc + ".weight");
        if (t.has(sc + ".bias")) {
          rw.put(sc + ".bias", doubled(rw.vector(sc + ".bias", out, "the projection's bias")));
          rw.read(sc + ".bias");
        }
      }
      rw.put(sc + ".weight", Tensor.of(ws, 2 * out, width, sk, sk));
      boolean onConv2 = plan.strideOnConv2() && !bottleneck;
      layers.add(new ArchSpec.Residual(p, padded(first, onConv2 ? 1 : b.stride(), dm),
          new ArchSpec.BatchNorm(norm, ArchSpec.DEFAULT_BN_EPS),
          new ArchSpec.Conv(last, onConv2 ? b.stride() : 1, bottleneck ? 0 : 1), null,
          new ArchSpec.Projection(sk == 3 ? padded(sc, scStride, dm) : new ArchSpec.Conv(sc, scStride, 0), null)));
      c = out;
      widths.add(c);
    }

    // head
    String headBn = plan.headBn();
    String fc = plan.fc();
    if (headBn != null && !t.has(headBn + ".weight")) {
      throw new ImportException(where + ": no tensor '" + headBn + ".weight' (the final BatchNorm of the "
          + plan.shown() + ", on its " + c + " channels before the pooling)");
    }
    boolean hasHeadBn = headBn != null;
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
    String note = "read as a pre-activation " + plan.shown() + " (" + (blocksCount(layers)) + " blocks" + (steps
        .isEmpty() ? "" : ", " + steps.size() + " of them bottleneck blocks (conv1 1x1, conv2 3x3, conv3 1x1: "
        + "PreActBottleneck),") + " adding their input with no activation after the sum" + (hasHeadBn ? ", a final "
        + headBn + " and activation" : ", no final BatchNorm") + ") rewritten to a post-activation ResNet of doubled width: each value s is "
        + "carried as phi(s) and phi(-s), so the stream of " + join(widths) + " channels is carried in "
        + join(widths.stream().map(x -> 2 * x).toList()) + " channels and each block reads "
        + join(widths.subList(0, widths.size() - 1).stream().map(x -> 3 * x).toList()) + " channels [phi(bn1 s), "
        + "phi(s), phi(-s)] through a 1x1 conv first" + (steps.isEmpty() ? "" : "; each bottleneck block then a second "
        + "1x1 conv, bn2 folded in, to " + String.join(" / ", steps) + " channels (a = phi(bn1 s); the shortcut reads "
        + "the carried channels), and a residual block of its conv2 (3x3, the block's stride), bn3 and conv3 doubled")
        + "; the projection shortcuts read " + (layout == null ? (inputShortcut ? "the block's input s"
        : "the activated input phi(bn1 s)") + (plan.strideOnConv2() ? "; a block's stride is on its conv2" : "")
        : layout == Layout.DM_PREACT_RESNET ? "the block's input s (the "
        + "DMPreActResNet's 3x3 shortcut on the padded x)" : inputShortcut ? "the "
        + "block's input s (RobustBench's PreActBlock, out_shortcut=False)" : "the activated input phi(bn1 s) ("
        + (layout == Layout.WIDE_RESNET || layout == Layout.DM_WIDE_RESNET ? plan.shown() + "'s"
        : "kuangliu's PreActBlock" + (steps.isEmpty() ? ""
        : " and PreActBottleneck") + "; RobustBench's PreActBlock with "
        + "out_shortcut=False, its default, reads s itself: the preset " + Presets.PREACT_INPUT_SHORTCUT + " reads "
        + "that") + ")") + (dm ? "; the input is normalised first, (x - mean) / std with the tensors "
        + "'mean' and 'std', as the forward does (the first layer); the forward's F.pad(v, (1, 1, 1, 1)) before a "
        + "block's stride-1 3x3 conv of padding 0 is padding 1, and its F.pad(v, (0, 1, 0, 1)) before a stride-2 one "
        + "(a row below and a column on the right only) a 4x4 conv of padding 1 whose first row and column are zero, "
        + "the same sums on inputs of any size" : "") + "; exact for " + phi.name() + " (s = (phi(s) - phi(-s)) / (1 + a)"
        + "), and the ticket approximates the rewritten network, which computes the original's outputs";
    return new Rewritten(new ArchSpec(input, null, layers), rw.file(t.source() + ", rewritten from a pre-activation "
        + plan.shown()), List.copyOf(rw.read), note);
  }

  private static long blocksCount(List<ArchSpec.LayerSpec> layers) {
    return layers.stream().filter(l -> l instanceof ArchSpec.Residual).count();
  }

  private static String join(List<Integer> xs) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < xs.size(); i++) sb.append(i == 0 ? "" : "/").append(xs.get(i));
    return sb.toString();
  }

  /**
   * A block's first conv (and DMPreActResNet's 3x3 shortcut): 3x3 of padding 1 at the block's stride; of DeepMind's
   * forward, F.pad(v, (1, 1, 1, 1)) at stride 1 (padding 1) and F.pad(v, (0, 1, 0, 1)) at stride 2 (a row below and
   * a column on the right, which {@link ArchSpec.Conv}'s per-side paddings read as a 4x4 conv of padding 1 whose
   * first row and column are zero).
   */
  private static ArchSpec.Conv padded(String name, int stride, boolean deepMind) {
    if (!deepMind || stride == 1) return new ArchSpec.Conv(name, stride, 1);
    return new ArchSpec.Conv(name, stride, stride, 0, 0, 1, 1, false, new ArchSpec.Conv.Pads(0, 1, 0, 1));
  }

  /**
   * Checks a whole DeepMind model's own hyper-parameters that no tensor shows: the model's {@code padding} (its forward
   * pads the input with zeros before the normalisation when it is above 0) must be 0, and every block's
   * {@code _stride} (which chooses the padding its forward applies, and raises {@code ValueError} unless 1 or 2) the
   * stride its place gives.
   *
   * @param spec the rewritten network's spec ({@link #rewrite}), whose residual blocks are named as the model's
   * @param modules the path in the model of the network's names ({@code ""}, or ending with {@code .})
   * @throws ImportException naming the file, the module and the attribute
   */
  public static void checkDeepMind(dev.ticketproof.io.TorchModule root, String modules, ArchSpec spec,
      String source) {
    String top = modules.isEmpty() ? "" : modules.substring(0, modules.length() - 1);
    dev.ticketproof.io.TorchModule model = top.isEmpty() ? root : root.at(top);
    if (model == null) return;
    var attributes = new dev.ticketproof.io.TorchModule.Attributes(source, top, model);
    Object padding = attributes.raw("padding");
    if (padding != null && !(padding instanceof Number n && n.longValue() == 0)) {
      throw attributes.fail("padding " + dev.ticketproof.io.TorchModule.Attributes.show(padding) + ": its forward "
          + "pads the input with zeros on every side before the normalisation (x - mean) / std, so the padded values "
          + "are -mean / std where a conv's zero padding reads 0; read only with padding 0, RobustBench's default");
    }
    for (ArchSpec.LayerSpec l : spec.layers()) {
      if (!(l instanceof ArchSpec.Residual r)) continue;
      dev.ticketproof.io.TorchModule block = model.at(r.name());
      if (block == null || !block.attributes().containsKey("_stride")) continue;
      var a = new dev.ticketproof.io.TorchModule.Attributes(source, modules + r.name(), block);
      Object stride = a.raw("_stride");
      int read = r.conv1().sh();
      if (!(stride instanceof Number n && (n.longValue() == 1 || n.longValue() == 2))) {
        throw a.fail("_stride " + dev.ticketproof.io.TorchModule.Attributes.show(stride) + ": its forward pads a "
            + "block's input for stride 1 (F.pad(v, (1, 1, 1, 1))) or 2 (F.pad(v, (0, 1, 0, 1))) only, and raises "
            + "ValueError('Unsupported `stride`.') for any other: expected " + read + ", the stride of the block's place "
            + "(the first block of every stage after the first has stride 2)");
      }
      if (n.longValue() != read) {
        throw a.fail("_stride " + n + ": expected " + read + ", the stride of the block's place (the first block of "
            + "every stage after the first has stride 2), which the network is read with");
      }
    }
  }

  /**
   * The spec with the convs of a DeepMind block as its modules declare them: padding 0 where the forward pads their
   * input itself (a block's first conv, DMPreActResNet's 3x3 shortcut), to be compared with a whole model's modules;
   * the spec itself for the other layouts.
   */
  public static ArchSpec declared(ArchSpec spec, Layout layout) {
    if (!layout.deepMind()) return spec;
    List<ArchSpec.LayerSpec> out = new ArrayList<>();
    for (ArchSpec.LayerSpec l : spec.layers()) {
      if (l instanceof ArchSpec.Residual r) {
        ArchSpec.Shortcut sc = r.shortcut();
        if (layout == Layout.DM_PREACT_RESNET && sc instanceof ArchSpec.Projection p) {
          sc = new ArchSpec.Projection(new ArchSpec.Conv(p.conv().name(), p.conv().sh(), 0), p.bn(), p.pool());
        }
        out.add(new ArchSpec.Residual(r.name(), new ArchSpec.Conv(r.conv1().name(), r.conv1().sh(), 0), r.bn1(),
            r.conv2(), r.bn2(), r.conv3(), r.bn3(), sc));
      } else {
        out.add(l);
      }
    }
    return new ArchSpec(spec.input(), spec.activation(), out, spec.outputActivation());
  }

  /** The blocks in order, with their strides and projection shortcuts. */
  private static List<Block> blocks(TensorFile t, String where, Layout layout) {
    Pattern pattern = layout.block;
    Map<Integer, Map<Integer, Set<String>>> stages = new TreeMap<>();
    for (String name : t.names()) {
      Matcher m = pattern.matcher(name);
      if (!m.matches()) continue;
      stages.computeIfAbsent(Integer.parseInt(m.group(1)), x -> new TreeMap<>())
          .computeIfAbsent(Integer.parseInt(m.group(2)), x -> new LinkedHashSet<>()).add(m.group(3));
    }
    List<Block> blocks = new ArrayList<>();
    int expectedStage = layout.first;
    for (Map.Entry<Integer, Map<Integer, Set<String>>> stage : stages.entrySet()) {
      int s = stage.getKey();
      if (s != expectedStage) {
        throw new ImportException(where + ": stage " + expectedStage + " is missing (no tensor '"
            + blockName(layout, expectedStage, 0) + "." + layout.conv1 + ".weight'; stages are numbered from "
            + layout.first + " without gaps)");
      }
      expectedStage++;
      int expectedBlock = 0;
      for (Map.Entry<Integer, Set<String>> block : stage.getValue().entrySet()) {
        int b = block.getKey();
        String p = blockName(layout, s, b);
        if (b != expectedBlock) {
          throw new ImportException(where + ": block " + blockName(layout, s, expectedBlock) + " is missing (no tensor '"
              + blockName(layout, s, expectedBlock) + "." + layout.conv1 + ".weight'; blocks are numbered from 0 "
              + "without gaps)");
        }
        expectedBlock++;
        String sc = layout.shortcut;
        blocks.add(new Block(p, s > layout.first && b == 0 ? 2 : 1, block.getValue().contains(sc + ".weight") ? sc
            : null));
      }
    }
    return blocks;
  }

  private static String blockName(Layout layout, int stage, int block) {
    return layout.blockName(stage, block);
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

    /** Refuses a block tensor no pre-activation basic (or bottleneck) block has, naming it. */
    void noOthers(String p, Plan plan, boolean bottleneck) {
      List<String> known = new ArrayList<>(List.of(plan.conv1 + ".weight", plan.conv1 + ".bias",
          plan.conv2 + ".weight", plan.conv2 + ".bias"));
      if (bottleneck) known.addAll(List.of("conv3.weight", "conv3.bias"));
      for (String bn : bottleneck ? new String[] {"bn1", "bn2", "bn3"} : new String[] {plan.bn1, plan.bn2}) {
        for (String part : BN) known.add(bn + part);
        known.add(bn + ".num_batches_tracked");
      }
      String sc = plan.shortcut;
      known.add(sc + ".weight");
      known.add(sc + ".bias");
      for (String n : t.names()) {
        if (!n.startsWith(p + ".")) continue;
        String rest = n.substring(p.length() + 1);
        if (known.contains(rest) || rest.endsWith("_mask")) continue;
        throw new ImportException(where + ": tensor '" + n + "' is not part of a pre-activation " + (bottleneck
            ? "bottleneck block (expected " + p + ".bn1, conv1, bn2, conv2, bn3, conv3" : "basic block (expected " + p
            + "." + plan.bn1 + ", " + plan.conv1 + ", " + plan.bn2 + ", " + plan.conv2) + " and a projection "
            + p + "." + sc + ")");
      }
    }
  }
}
