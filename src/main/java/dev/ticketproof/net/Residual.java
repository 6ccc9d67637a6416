package dev.ticketproof.net;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A general residual layer: \( y = \phi(\mathrm{body}(x) + \mathrm{shortcut}(x)) \), where body and shortcut are
 * sequences of layers (an empty shortcut is the identity). It carries what {@link ResidualBlock} cannot: sparse
 * convs, or a body with more than two convs (each conv of a block replaced by two layers), as tickets of residual
 * networks need; {@link #of(ResidualBlock)} gives the equivalent form of a CIFAR block.
 *
 * @param name tensor-name prefix, e.g. {@code blocks.3}
 * @param body the main branch, at least one layer
 * @param shortcut the skip branch; empty for the identity
 * @param phi the activation applied after the sum, or {@code null} for none
 */
public record Residual(String name, List<Layer> body, List<Layer> shortcut, Activation phi) implements Layer {
  public Residual {
    body = List.copyOf(body);
    shortcut = List.copyOf(shortcut);
    if (body.isEmpty()) throw new IllegalArgumentException("residual " + name + ": the body needs at least one layer");
  }

  /**
   * The equivalent general form of a CIFAR block: body conv1, bn1, phi, conv2, bn2 (missing BNs left out); shortcut
   * empty (identity without scale), a 1x1 conv holding the per-channel scale (identity with scale), or the
   * projection conv and BN.
   *
   * @param block the block. Not modified.
   * @return the residual layer with the same name and activation
   */
  public static Residual of(ResidualBlock block) {
    List<Layer> body = new ArrayList<>();
    body.add(block.conv1());
    if (block.bn1() != null) body.add(block.bn1());
    body.add(new ActivationLayer(block.phi()));
    body.add(block.conv2());
    if (block.bn2() != null) body.add(block.bn2());
    return new Residual(block.name(), body, skip(block.name(), block.shortcut()), block.phi());
  }

  /**
   * A block's skip path as layers: none for the identity without scale, a 1x1 conv {@code NAME.shortcut} holding the
   * per-channel scale, or the projection's conv and BN.
   */
  static List<Layer> skip(String name, ResidualBlock.Shortcut shortcut) {
    List<Layer> skip = new ArrayList<>();
    if (shortcut instanceof ResidualBlock.Identity id) {
      if (id.scale() != null) {
        int c = id.scale().length;
        double[] w = new double[c * c];
        for (int i = 0; i < c; i++) w[i * c + i] = id.scale()[i];
        skip.add(new Conv2d(name + ".shortcut", dev.ticketproof.tensor.Tensor.of(w, c, c, 1, 1), null, 1, 0));
      }
    } else {
      ResidualBlock.Projection p = (ResidualBlock.Projection) shortcut;
      skip.add(p.conv());
      if (p.bn() != null) skip.add(p.bn());
    }
    return skip;
  }

  @Override public int[] outShape(int[] in) { return Shapes.residual(describe(), body, shortcut, in, "the body", true); }

  @Override public Tensor forward(Tensor batch) { return Forward.residual(this, batch); }

  @Override public String describe() { return "residual '" + name + "'"; }
}
