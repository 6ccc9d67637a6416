package dev.ticketproof.net;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A CIFAR-style residual block: out = phi( bn2(conv2( phi(bn1(conv1 x)) )) + shortcut(x) ).
 *
 * @param name tensor-name prefix, e.g. {@code blocks.3}
 * @param conv1 first conv (usually 3x3, stride 1 or 2)
 * @param bn1 BatchNorm after conv1, or {@code null}
 * @param conv2 second conv (3x3, stride 1)
 * @param bn2 BatchNorm after conv2, or {@code null}
 * @param shortcut identity or projection
 * @param phi the activation used inside and after the block
 */
public record ResidualBlock(String name, Conv2d conv1, BatchNorm2d bn1, Conv2d conv2, BatchNorm2d bn2,
    Shortcut shortcut, Activation phi) implements Layer {

  /** The skip path of a residual block. */
  public sealed interface Shortcut permits Identity, Projection {}

  /**
   * Identity skip, optionally with a per-channel scale (open_lth's {@code shortcut.weight}; all ones in practice).
   *
   * @param scale per-channel scale, or {@code null} for 1
   */
  public record Identity(double[] scale) implements Shortcut {}

  /** Projection skip: a (1x1, strided) conv followed by an optional BatchNorm. */
  public record Projection(Conv2d conv, BatchNorm2d bn) implements Shortcut {}

  @Override
  public int[] outShape(int[] in) {
    Shortcut s = shortcut;
    List<Layer> skip = s instanceof Projection p ? present(p.conv(), p.bn()) : List.of();
    if (s instanceof Identity id && id.scale() != null && (in.length != 3 || id.scale().length != in[0])) {
      throw new IllegalArgumentException(describe() + ": " + Shapes.mismatch("identity shortcut", "["
          + id.scale().length + ", H, W] (one scale per channel)", in).getMessage());
    }
    return Shapes.residual(describe(), present(conv1, bn1, conv2, bn2), skip, in, "the main branch", false);
  }

  @Override public Tensor forward(Tensor batch) { return Forward.residual(this, batch); }

  @Override public String describe() { return "residual block '" + name + "'"; }

  private static List<Layer> present(Layer... layers) {
    List<Layer> l = new ArrayList<>();
    for (Layer x : layers) if (x != null) l.add(x);
    return l;
  }
}
