package dev.ticketproof.targets;

import dev.ticketproof.io.ArchSpec;
import dev.ticketproof.io.ImportException;
import dev.ticketproof.io.TensorFile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@value Presets#CIFAR_RESNET} preset: ResNets of basic or bottleneck blocks with torchvision's names, as the
 * common CIFAR training code and torchvision save them (torchvision-style {@code pytorch-cifar-models}, kuangliu's
 * {@code pytorch-cifar}, akamaster's {@code pytorch_resnet_cifar10}, torchvision's and timm's resnet50 and deeper).
 *
 * <ul>
 *   <li>stem {@code conv1} (3x3, stride 1, padding 1; or torchvision's ImageNet stem: 7x7, stride 2, padding 3,
 *       then after the activation a 3x3 max pooling with stride 2 and padding 1), {@code bn1}, activation;</li>
 *   <li>stages {@code layer1}, {@code layer2}, ... of blocks {@code layerS.0}, {@code layerS.1}, ... (both numbered
 *       without gaps), each {@code phi(bn2(conv2(phi(bn1(conv1 x)))) + shortcut(x))} with 3x3 convs, padding 1;</li>
 *   <li>a block's conv1 has stride 2 exactly when the block is the first of a stage after the first and its channel
 *       count differs from the previous stage's, or when it has a projection but keeps the channel count (the
 *       code bases create a projection exactly when the stride is not 1 or the channel count changes);</li>
 *   <li>shortcut: the projection {@code downsample.0} or {@code shortcut.0} (1x1 conv, the block's stride) with the
 *       BatchNorm {@code downsample.1} / {@code shortcut.1} when those tensors exist; else, when the channel count
 *       changes, the parameterless "option A" shortcut ({@link ArchSpec.ChannelPad}: subsampling by 2 and
 *       {@code (C_out - C_in) / 2} zero channels on each side); else the identity;</li>
 *   <li>a block with {@code conv3} is a bottleneck block, {@code phi(bn3(conv3(phi(bn2(conv2(phi(bn1(conv1 x))))))) +
 *       shortcut(x))} with conv1 and conv3 1x1 and conv2 3x3 (padding 1, in groups when its weight says so: ResNeXt),
 *       the block's stride on conv2 (torchvision's v1.5, kuangliu's, timm's), computed as two steps of the normal
 *       form ({@link dev.ticketproof.net.Bottleneck});</li>
 *   <li>then global average pooling, flatten and the linear layer {@code fc} or {@code linear}.</li>
 * </ul>
 * timm's deep stem ({@code conv1.0} ... {@code conv1.6}) and ResNet-D's shortcuts (an average pooling before the
 * 1x1 conv {@code downsample.1}) are read too. Blocks with other tensors are refused. The activation is relu (the code
 * bases' {@code F.relu} and {@code nn.ReLU}). Default input: {@code [C, 32, 32]} ({@code [C, 224, 224]} with the
 * ImageNet stem), C from {@code conv1.weight}.
 *
 * <p>Pre-activation ResNets (BatchNorm and activation before each conv, no activation after the sum: the stem has no
 * {@code bn1}, every block's {@code bn1} has the block's input channels; kuangliu's and RobustBench's
 * {@code PreActResNet}, RobustBench's {@code WideResNet} with {@code blockK.layer.B} names) are not read by this
 * class: the preset reads them through {@link PreActResNet}, which rewrites them exactly to post-activation ResNets of
 * doubled width for relu, leaky-relu, silu, gelu and hardswish ({@code TargetLoader} takes that path before this
 * class sees the names), so that one preset, given or inferred, reads the CIFAR ResNets of both block forms. {@link #preActivation} and
 * {@link #PRE_ACTIVATION} say why such a network is not read where it is not (another activation, a whole model whose
 * activation modules compute several activations).
 */
public final class ResNetPreset {
  private static final Pattern BLOCK_TENSOR = Pattern.compile("layer(\\d{1,8})\\.(\\d{1,8})\\.(.+)");
  private static final String PREFIX_PROJECTION = "downsample";
  private static final String[] BN = {".weight", ".bias", ".running_mean", ".running_var"};

  /** The preset's activation, the code bases' {@code F.relu} / {@code nn.ReLU}: the spec's {@code "activation"}. */
  public static final String ACTIVATION = "relu";

  private ResNetPreset() {}

  /**
   * The name prefixes under which the names of {@code file} clearly are such a ResNet's ({@code ""} for the names as
   * they are): those with {@code conv1.weight}, {@code bn1.weight}, {@code layer1.0.conv1.weight},
   * {@code layer1.0.conv2.weight} and {@code fc.weight} or {@code linear.weight} under them. The tensors may still
   * not fit ({@link #infer} says why).
   */
  public static List<String> prefixes(TensorFile file) {
    List<String> found = new ArrayList<>();
    for (String p : file.prefixesOf("layer1.0.conv1.weight")) {
      if ((file.has(p + "conv1.weight") || file.has(p + "conv1.0.weight")) && file.has(p + "bn1.weight")
          && file.has(p + "layer1.0.conv2.weight")
          && (file.has(p + "fc.weight") || file.has(p + "linear.weight"))) {
        found.add(p);
      }
    }
    return found;
  }

  /**
   * Whether the names and shapes of {@code file} (as they are, or under one name prefix) are those of a
   * pre-activation ResNet (kuangliu's {@code PreActResNet}, He et al.'s identity mappings): a stem {@code conv1}
   * without {@code bn1}, blocks {@code layerS.B} with {@code bn1}, {@code conv1}, {@code bn2}, {@code conv2}, and
   * every block's {@code bn1} on its input channels ({@code conv1}'s second dimension).
   *
   * @return why such a network cannot be read ({@link #PRE_ACTIVATION}), naming the prefix and a block, or
   *     {@code null} when the names are not such a ResNet's
   */
  public static String preActivation(TensorFile file) {
    for (String p : file.prefixesOf("layer1.0.bn1.weight")) {
      if (!file.has(p + "conv1.weight") || file.has(p + "bn1.weight")) continue;
      String shown = null;
      boolean all = true;
      for (String n : file.names()) {
        if (!n.startsWith(p) || !n.endsWith(".bn1.weight")) continue;
        Matcher m = BLOCK_TENSOR.matcher(n.substring(p.length()));
        if (!m.matches()) continue;
        String block = n.substring(0, n.length() - ".bn1.weight".length());
        if (!file.has(block + ".conv1.weight") || !file.has(block + ".conv2.weight")) {
          all = false;
          break;
        }
        int[] bn = file.tensor(n).shape();
        int[] conv = file.tensor(block + ".conv1.weight").shape();
        if (bn.length != 1 || conv.length != 4 || bn[0] != conv[1]) {
          all = false;
          break;
        }
        if (shown == null || conv[0] != conv[1]) {
          shown = "'" + n + "' normalises the " + bn[0] + " input channels of '" + block + ".conv1'";
        }
      }
      if (all && shown != null) {
        return "the tensors " + (p.isEmpty() ? "" : "under '" + p + "' ") + "are those of a pre-activation ResNet "
            + "(the stem '" + p + "conv1' has no BatchNorm, " + shown + "): " + PRE_ACTIVATION;
      }
    }
    return null;
  }

  /**
   * Where the names are those of code whose forward pools the last block's map with a fixed window, and the map on
   * this input is not that window, what the preset's global average pooling reads and what that forward computes:
   * kuangliu's {@code pytorch-cifar} and RobustBench's {@code PreActResNet} ({@code F.avg_pool2d(out, 4)}; their names
   * a {@code linear} head beside {@code layerS.B.shortcut.0} projections) and RobustBench's {@code WideResNet}
   * ({@code F.avg_pool2d(out, 8)}), and RobustBench's DeepMind {@code DMWideResNet} ({@code F.avg_pool2d(out, 8)}) and
   * {@code DMPreActResNet} ({@code F.avg_pool2d(out, 4)}), global on the maps of 32x32 inputs only. The file does not
   * hold the forward (a fork
   * may pool adaptively), so the note says it; torchvision's {@code AdaptiveAvgPool2d} and akamaster's
   * {@code F.avg_pool2d(out, out.size()[3])} are global on every input, and a whole model's pooling module is read
   * ({@link Architectures#fitted}).
   *
   * @param t the network's tensors (without their prefix)
   * @param model the whole model, or {@code null} for a state dict
   * @param modules the path in the model of the network's names ({@code ""}, or ending with {@code .})
   * @param input the per-example input [C, H, W]
   * @param map the last block's output [C, H, W], the global pooling's input
   * @return the note, or {@code null}
   */
  public static String fixedPooling(TensorFile t, dev.ticketproof.io.TorchModule model, String modules, int[] input,
      int[] map) {
    PreActResNet.Layout layout = PreActResNet.layout(t);
    boolean deepMind = layout != null && layout.deepMind();
    boolean wide = layout == PreActResNet.Layout.WIDE_RESNET || layout == PreActResNet.Layout.DM_WIDE_RESNET;
    boolean kuangliu = !wide && !deepMind && t.has("linear.weight")
        && t.names().stream().anyMatch(n -> n.matches("layer\\d+\\.\\d+\\.shortcut\\.0\\.weight"));
    if (!wide && !kuangliu && !deepMind || input.length != 3 || map.length != 3) return null;
    if (model != null && (model.at(modules + "avgpool") != null
        || model.at(modules + "global_pool") != null)) {
      return null;
    }
    int k = layout != null && layout.window() > 0 ? layout.window() : 4; // kuangliu's F.avg_pool2d(out, 4)
    if (map[1] == k && map[2] == k) return null;
    String side = map[1] + "x" + map[2];
    String computes = map[1] < k || map[2] < k
        ? "has no output (PyTorch's forward fails: a window larger than the map)"
        : map[1] < 2 * k && map[2] < 2 * k ? "averages the top-left " + k + "x" + k + " window only, another function"
        : wide ? "gives several windows per example, and its view(-1, " + map[0] + ") makes more rows than inputs"
        : "gives several windows per example, more features than '" + (deepMind ? "logits" : "linear") + "' reads "
        + "(PyTorch's forward fails)";
    return "the last block gives maps of " + side + " on inputs of " + input[1] + "x" + input[2] + ", read with "
        + "global average pooling; the forward of " + (deepMind ? "RobustBench's " + layout.shown() + " (dm_wide_resnet"
        + ".py), whose names these are (" + layout.stem() + ", " + layout.firstConv() + ", logits), pools with "
        + "F.avg_pool2d(out, " + k + ")" : wide ? "RobustBench's WideResNet, whose names these are "
        + "(blockK.layer.B, convShortcut), pools with F.avg_pool2d(out, 8)" : "kuangliu's pytorch-cifar and "
        + "RobustBench's PreActResNet, whose names these are ('linear', 'layerS.B.shortcut.0'), pools with "
        + "F.avg_pool2d(out, 4)") + ", which is global on " + k + "x" + k + " maps only (those of 32x32 inputs in its "
        + "ResNets): on " + side + " maps it " + computes + ". The file does not hold the forward: if it pools so, the "
        + "outputs are not the network's (compare eval with PyTorch's outputs; give inputs of 32x32)";
  }

  /** Why a pre-activation ResNet is not read, for messages. */
  static final String PRE_ACTIVATION = "its blocks compute x + conv2(phi(bn2(conv1(phi(bn1(x)))))) and add their input "
      + "x with no activation after the sum; the " + Presets.CIFAR_RESNET + " preset reads such a network (the names of "
      + "kuangliu's or RobustBench's PreActResNet, or of RobustBench's WideResNet) as a post-activation ResNet of "
      + "doubled width, each value s carried as phi(s) and phi(-s), which is exact for relu and leaky-relu (s = "
      + "(phi(s) - phi(-s)) / (1 + a)) and for silu, gelu, gelu-tanh and hardswish (s = phi(s) - phi(-s)) only; a "
      + "whole model whose activation modules compute several activations is read given the preset and its "
      + "activation; with another activation or other tensors in a block it is not "
      + "read";

  /**
   * The architecture the tensors' names and shapes give.
   *
   * @param input the per-example input shape if known, else {@code null} (the default above)
   * @throws ImportException naming the preset, the file and the tensor when the tensors are not such a ResNet's
   */
  public static ArchSpec infer(TensorFile t, int[] input) {
    String where = Presets.CIFAR_RESNET + " on " + t.source();
    if (!t.has("conv1.weight") && t.has("conv1.0.weight")) return deepStem(t, where, input);
    int[] stem = shape(t, where, "conv1.weight", "the stem conv, [C, in, 3, 3] or [C, in, 7, 7]");
    if (stem.length != 4 || stem[2] != stem[3] || (stem[2] != 3 && stem[2] != 7)) {
      throw new ImportException(where + ": tensor 'conv1.weight' has shape " + Arrays.toString(stem) + ", expected "
          + "the stem conv [C, in, 3, 3] (CIFAR) or [C, in, 7, 7] (torchvision's ImageNet stem)");
    }
    boolean imagenet = stem[2] == 7;
    if (!t.has("bn1.weight")) {
      String pre = preActivation(t);
      throw new ImportException(where + ": no tensor 'bn1.weight' (the stem's BatchNorm" + (pre == null ? "; a "
          + "pre-activation ResNet's stem has none)" : "): " + pre));
    }
    List<ArchSpec.LayerSpec> layers = new ArrayList<>();
    layers.add(new ArchSpec.Conv("conv1", imagenet ? 2 : 1, imagenet ? 3 : 1));
    layers.add(bn("bn1"));
    layers.add(new ArchSpec.Activation());
    if (imagenet) layers.add(new ArchSpec.MaxPool(3, 2, 1));
    if (input == null) input = new int[] {stem[1], imagenet ? 224 : 32, imagenet ? 224 : 32};
    return stages(t, where, layers, stem[0], input);
  }

  /**
   * timm's deep stem (its resnet*d and resnet*t: {@code stem_type='deep'} or {@code 'deep_tiered'}): three 3x3 convs
   * {@code conv1.0} (stride 2), {@code conv1.3}, {@code conv1.6} (padding 1) with the BatchNorms {@code conv1.1} and
   * {@code conv1.4} and the activation between, then {@code bn1}, the activation and the 3x3 max pooling with stride 2
   * and padding 1; default input {@code [C, 224, 224]}.
   */
  private static ArchSpec deepStem(TensorFile t, String where, int[] input) {
    List<ArchSpec.LayerSpec> layers = new ArrayList<>();
    int[] first = shape(t, where, "conv1.0.weight", "[C, in, 3, 3], the deep stem's first conv");
    int channels = first.length == 4 ? first[1] : 0;
    String[][] convs = {{"conv1.0", "conv1.1"}, {"conv1.3", "conv1.4"}, {"conv1.6", "bn1"}};
    for (int i = 0; i < convs.length; i++) {
      String c = convs[i][0];
      int[] w = shape(t, where, c + ".weight", "[C, " + channels + ", 3, 3]");
      if (w.length != 4 || w[1] != channels || w[2] != 3 || w[3] != 3) {
        throw new ImportException(where + ": tensor '" + c + ".weight' has shape " + Arrays.toString(w) + ", expected "
            + "[C, " + channels + ", 3, 3] (conv " + (i + 1) + " of timm's deep stem conv1.0, conv1.3, conv1.6: 3x3 "
            + "convs, each reading the channels of the one before)");
      }
      for (String part : BN) {
        int[] d = shape(t, where, convs[i][1] + part, "[" + w[0] + "], the BatchNorm after " + c);
        if (d.length != 1 || d[0] != w[0]) {
          throw new ImportException(where + ": tensor '" + convs[i][1] + part + "' has shape " + Arrays.toString(d)
              + ", expected [" + w[0] + "] (the channels of " + c + ")");
        }
      }
      layers.add(new ArchSpec.Conv(c, i == 0 ? 2 : 1, 1));
      layers.add(bn(convs[i][1]));
      layers.add(new ArchSpec.Activation());
      channels = w[0];
    }
    for (String n : t.names()) {
      if (n.startsWith("conv1.") && !n.endsWith("num_batches_tracked") && !n.endsWith("_mask")
          && !n.matches("conv1\\.[036]\\.(weight|bias)")
          && !n.matches("conv1\\.[14]\\.(weight|bias|running_mean|running_var)")) {
        throw new ImportException(where + ": tensor '" + n + "' is not part of timm's deep stem (expected conv1.0, "
            + "conv1.1, conv1.3, conv1.4, conv1.6: conv, BatchNorm, activation, conv, BatchNorm, activation, conv)");
      }
    }
    layers.add(new ArchSpec.MaxPool(3, 2, 1));
    if (input == null) input = new int[] {first[1], 224, 224};
    return stages(t, where, layers, channels, input);
  }

  /** The stages of blocks after the stem {@code layers} of {@code channels} channels, the pooling and the head. */
  private static ArchSpec stages(TensorFile t, String where, List<ArchSpec.LayerSpec> layers, int channels,
      int[] input) {
    String head = t.has("fc.weight") ? "fc" : t.has("linear.weight") ? "linear" : null;
    if (head == null || (t.has("fc.weight") && t.has("linear.weight"))) {
      throw new ImportException(where + ": " + (head == null ? "no tensor 'fc.weight' or 'linear.weight'"
          : "both 'fc.weight' and 'linear.weight'") + " (expected one final linear layer, fc or linear)");
    }
    // stage -> block -> the block's tensor names without the prefix layerS.B.
    Map<Integer, Map<Integer, List<String>>> stages = new TreeMap<>();
    for (String name : t.names()) {
      Matcher m = BLOCK_TENSOR.matcher(name);
      if (!m.matches()) continue;
      stages.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new TreeMap<>())
          .computeIfAbsent(Integer.parseInt(m.group(2)), k -> new ArrayList<>()).add(m.group(3));
    }
    if (stages.isEmpty()) {
      throw new ImportException(where + ": no tensor 'layer1.0.conv1.weight' (expected stages layer1, layer2, ... "
          + "of blocks layerS.B with conv1, bn1, conv2, bn2)");
    }
    int expectedStage = 1;
    for (Map.Entry<Integer, Map<Integer, List<String>>> stage : stages.entrySet()) {
      int s = stage.getKey();
      if (s != expectedStage) {
        throw new ImportException(where + ": stage " + expectedStage + " is missing (no tensor 'layer"
            + expectedStage + ".0.conv1.weight'; stages are layer1, layer2, ... without gaps)");
      }
      expectedStage++;
      int expectedBlock = 0;
      for (Map.Entry<Integer, List<String>> block : stage.getValue().entrySet()) {
        int b = block.getKey();
        if (b != expectedBlock) {
          throw new ImportException(where + ": block layer" + s + "." + expectedBlock + " is missing (no tensor "
              + "'layer" + s + "." + expectedBlock + ".conv1.weight'; blocks are numbered from 0 without gaps)");
        }
        expectedBlock++;
        String p = "layer" + s + "." + b;
        ArchSpec.Residual r = block(t, where, p, block.getValue(), channels, s > 1 && b == 0);
        layers.add(r);
        channels = t.tensor(p + (t.has(p + ".conv3.weight") ? ".conv3.weight" : ".conv2.weight")).dim(0);
      }
    }
    layers.add(new ArchSpec.GlobalAvgPool());
    layers.add(new ArchSpec.Flatten());
    layers.add(new ArchSpec.Linear(head));
    return new ArchSpec(input, ACTIVATION, layers);
  }

  /**
   * One basic or bottleneck block.
   *
   * @param in the channels the block reads (the previous stage's, for the first block of a stage)
   * @param stageStart whether the block is the first of a stage after the first
   */
  private static ArchSpec.Residual block(TensorFile t, String where, String p, List<String> names, int in,
      boolean stageStart) {
    boolean bottleneck = names.contains("conv3.weight");
    // the projection: a conv at '.0' and its BatchNorm at '.1', or (ResNet-D, timm's downsample_avg) a pooling or
    // nn.Identity at '.0' without tensors, the conv at '.1' and its BatchNorm at '.2'
    String projection = null;
    boolean pooled = false;
    for (String kind : new String[] {PREFIX_PROJECTION, "shortcut"}) {
      boolean plain = names.contains(kind + ".0.weight");
      boolean avg = !plain && t.has(p + "." + kind + ".1.weight") && t.tensor(p + "." + kind + ".1.weight").rank() == 4;
      if (plain || avg) {
        if (projection != null) {
          throw new ImportException(where + ": block " + p + " has both '" + p + ".downsample' and '" + p
              + ".shortcut' tensors (expected one projection shortcut)");
        }
        projection = p + "." + kind;
        pooled = avg;
      }
    }
    int k1 = bottleneck ? 1 : 3;
    String kernel1 = k1 + ", " + k1;
    int[] c1 = shape(t, where, p + ".conv1.weight", "[C_out, " + in + ", " + kernel1 + "]");
    if (c1.length != 4 || c1[1] != in || c1[2] != k1 || c1[3] != k1) {
      throw new ImportException(where + ": tensor '" + p + ".conv1.weight' has shape " + Arrays.toString(c1)
          + ", expected [C_out, " + in + ", " + kernel1 + "] (a " + k1 + "x" + k1 + " conv reading the " + in
          + " channels of the layer before" + (bottleneck ? ", the first conv of a bottleneck block" : "") + ")");
    }
    int width = c1[0];
    int[] c2 = shape(t, where, p + ".conv2.weight", "[C, " + width + " / groups, 3, 3]");
    int groups = c2.length == 4 && c2[1] > 0 && width % c2[1] == 0 ? width / c2[1] : 0;
    if (c2.length != 4 || c2[2] != 3 || c2[3] != 3 || groups == 0 || c2[0] % groups != 0
        || !bottleneck && (groups != 1 || c2[0] != width)) {
      throw new ImportException(where + ": tensor '" + p + ".conv2.weight' has shape " + Arrays.toString(c2)
          + ", expected " + (bottleneck ? "[C, " + width + " / groups, 3, 3] (a 3x3 conv on the " + width
          + " channels of conv1, in groups as ResNeXt's)" : "[" + width + ", " + width + ", 3, 3] (a 3x3 conv on the "
          + width + " channels of conv1)"));
    }
    int mid = c2[0];
    int out = mid;
    if (bottleneck) {
      int[] c3 = shape(t, where, p + ".conv3.weight", "[C_out, " + mid + ", 1, 1]");
      if (c3.length != 4 || c3[1] != mid || c3[2] != 1 || c3[3] != 1) {
        throw new ImportException(where + ": tensor '" + p + ".conv3.weight' has shape " + Arrays.toString(c3)
            + ", expected [C_out, " + mid + ", 1, 1] (the 1x1 conv on the " + mid + " channels of conv2)");
      }
      out = c3[0];
    }
    int[] widths = {width, mid, out};
    for (int i = 1; i <= (bottleneck ? 3 : 2); i++) {
      int n = widths[i - 1];
      String bn = ".bn" + i;
      for (String part : BN) {
        int[] d = shape(t, where, p + bn + part, "[" + n + "], of the BatchNorm after " + p + ".conv" + i);
        if (d.length != 1 || d[0] != n) {
          throw new ImportException(where + ": tensor '" + p + bn + part + "' has shape " + Arrays.toString(d)
              + ", expected [" + n + "] (the channels of " + p + ".conv" + i + ")"
              + (i == 1 && d.length == 1 && d[0] == in ? "; a BatchNorm on the block's input is a "
              + "pre-activation block, which computes another function" : ""));
        }
      }
    }
    List<String> known = new ArrayList<>();
    for (int i = 1; i <= (bottleneck ? 3 : 2); i++) {
      known.addAll(List.of("conv" + i + ".weight", "conv" + i + ".bias"));
      for (String part : BN) known.add("bn" + i + part);
    }
    if (projection != null) {
      String kind = projection.substring(p.length() + 1);
      String c = kind + (pooled ? ".1" : ".0");
      known.addAll(List.of(c + ".weight", c + ".bias"));
      for (String part : BN) known.add(kind + (pooled ? ".2" : ".1") + part);
    }
    for (String n : names) {
      if (!known.contains(n) && !n.endsWith("num_batches_tracked") && !n.endsWith("_mask")) {
        throw new ImportException(where + ": tensor '" + p + "." + n + "' is not part of a " + (bottleneck
            ? "bottleneck block (expected " + p + ".conv1, bn1, conv2, bn2, conv3, bn3" : "basic block (expected " + p
            + ".conv1, bn1, conv2, bn2") + " and a projection " + p + ".downsample.0/.1 or " + p + ".shortcut.0/.1)");
      }
    }
    boolean changes = out != in;
    int stride = (stageStart && changes) || (projection != null && !changes) ? 2 : 1;
    ArchSpec.Shortcut shortcut;
    if (projection != null) {
      String conv = projection + (pooled ? ".1" : ".0");
      String norm = projection + (pooled ? ".2" : ".1");
      int[] w = shape(t, where, conv + ".weight", "[" + out + ", " + in + ", 1, 1]");
      if (!Arrays.equals(w, new int[] {out, in, 1, 1})) {
        throw new ImportException(where + ": tensor '" + conv + ".weight' has shape " + Arrays.toString(w)
            + ", expected [" + out + ", " + in + ", 1, 1] (a 1x1 projection from the block's " + in + " input "
            + "channels to its " + out + (pooled ? ", after the average pooling of ResNet-D's shortcut" : "") + ")");
      }
      // ResNet-D: AvgPool2d(stride, stride, ceil_mode=True, count_include_pad=False) where the block has a stride,
      // nn.Identity where it has none, then the 1x1 conv of stride 1
      shortcut = new ArchSpec.Projection(new ArchSpec.Conv(conv, pooled ? 1 : stride, 0),
          t.has(norm + ".weight") ? bn(norm) : null, pooled ? stride : 1);
    } else if (!changes) {
      shortcut = new ArchSpec.Identity(null);
    } else if (stride == 2 && out > in && (out - in) % 2 == 0) {
      shortcut = new ArchSpec.ChannelPad(p + ".shortcut", 2, (out - in) / 2);
    } else {
      throw new ImportException(where + ": block " + p + " changes the channel count from " + in + " to " + out
          + (stride == 1 ? " at stride 1 (not the first block of a stage after the first)" : "") + " and has no "
          + "projection tensors ('" + p + ".downsample.0.weight' or '" + p + ".shortcut.0.weight'); without them "
          + "only the option-A shortcut is read: subsampling by 2 in the first block of a stage after the first, and "
          + "as many zero channels on each side, which needs C_out - C_in even and > 0");
    }
    if (bottleneck) { // the stride on conv2, as torchvision's Bottleneck (v1.5), kuangliu's and timm's have it
      return new ArchSpec.Residual(p, new ArchSpec.Conv(p + ".conv1", 1, 0), bn(p + ".bn1"),
          new ArchSpec.Conv(p + ".conv2", stride, 1, groups, 1), bn(p + ".bn2"), new ArchSpec.Conv(p + ".conv3", 1, 0),
          bn(p + ".bn3"), shortcut);
    }
    return new ArchSpec.Residual(p, new ArchSpec.Conv(p + ".conv1", stride, 1), bn(p + ".bn1"),
        new ArchSpec.Conv(p + ".conv2", 1, 1), bn(p + ".bn2"), shortcut);
  }

  private static ArchSpec.BatchNorm bn(String name) { return new ArchSpec.BatchNorm(name, ArchSpec.DEFAULT_BN_EPS); }

  private static int[] shape(TensorFile t, String where, String name, String expected) {
    if (!t.has(name)) {
      throw new ImportException(where + ": no tensor '" + name + "' (expected " + expected + ")");
    }
    return t.tensor(name).shape();
  }
}
