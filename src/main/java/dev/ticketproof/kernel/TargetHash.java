package dev.ticketproof.kernel;

import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.AvgPool2d;
import dev.ticketproof.net.BatchNorm2d;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Flatten;
import dev.ticketproof.net.GlobalAvgPool;
import dev.ticketproof.net.Layer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.MaxPool2d;
import dev.ticketproof.net.Network;
import dev.ticketproof.net.ResidualBlock;
import dev.ticketproof.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of a network's parameters: for every parameter tensor in layer order, its name, shape and values
 * (IEEE-754 doubles, big-endian), plus the hyper-parameters (strides, paddings, BatchNorm eps, pooling windows),
 * the activations' names and the input shape.
 */
public final class TargetHash {
  private TargetHash() {}

  /** The lower-case hex SHA-256 of the network. */
  public static String of(Network net) {
    MessageDigest md = sha256();
    ints(md, net.inputShape());
    for (Layer l : net.layers()) layer(md, l);
    return HexFormat.of().formatHex(md.digest());
  }

  /** A SHA-256 digest (every JDK has one). */
  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void layer(MessageDigest md, Layer l) {
    text(md, l.getClass().getSimpleName());
    if (l instanceof Conv2d c) {
      text(md, c.name());
      // one padding as before convs could pad the axes unequally (its hash is unchanged), else both
      ints(md, c.ph() == c.pw() ? new int[] {c.stride(), c.ph()} : new int[] {c.stride(), c.ph(), c.pw()});
      tensor(md, c.weight());
      if (c.bias() != null) tensor(md, c.bias());
    } else if (l instanceof Linear lin) {
      text(md, lin.name());
      tensor(md, lin.weight());
      if (lin.bias() != null) tensor(md, lin.bias());
    } else if (l instanceof BatchNorm2d bn) {
      text(md, bn.name());
      doubles(md, bn.gamma());
      doubles(md, bn.beta());
      doubles(md, bn.mean());
      doubles(md, bn.var());
      doubles(md, new double[] {bn.eps()});
    } else if (l instanceof ResidualBlock rb) {
      text(md, rb.name());
      layer(md, rb.conv1());
      if (rb.bn1() != null) layer(md, rb.bn1());
      layer(md, rb.conv2());
      if (rb.bn2() != null) layer(md, rb.bn2());
      if (rb.shortcut() instanceof ResidualBlock.Identity id) {
        text(md, "identity");
        if (id.scale() != null) doubles(md, id.scale());
      } else if (rb.shortcut() instanceof ResidualBlock.Projection p) {
        text(md, "projection");
        layer(md, p.conv());
        if (p.bn() != null) layer(md, p.bn());
      }
    } else if (l instanceof AvgPool2d p) {
      // layers without parameters: their type, the activation's name, a pooling window (a square one as before
      // windows could have unequal sides: its hash is unchanged)
      ints(md, p.square() ? new int[] {p.kh(), p.sh()} : new int[] {p.kh(), p.sh(), p.kw(), p.sw()});
    } else if (l instanceof MaxPool2d p) {
      ints(md, p.square() ? new int[] {p.kh(), p.sh(), p.ph()} : new int[] {p.kh(), p.sh(), p.ph(), p.kw(), p.sw(),
          p.pw()});
    } else if (l instanceof ActivationLayer a) {
      text(md, a.phi().name());
    } else if (!(l instanceof Flatten || l instanceof GlobalAvgPool)) {
      throw new IllegalArgumentException("cannot hash layer type " + l.getClass().getSimpleName());
    }
  }

  private static void tensor(MessageDigest md, Tensor t) {
    ints(md, t.shape());
    doubles(md, t.data());
  }

  private static void text(MessageDigest md, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    ints(md, new int[] {b.length});
    md.update(b);
  }

  private static void ints(MessageDigest md, int[] v) {
    ByteBuffer buf = ByteBuffer.allocate(4 + 4 * v.length).putInt(v.length);
    for (int x : v) buf.putInt(x);
    md.update(buf.array());
  }

  private static void doubles(MessageDigest md, double[] v) {
    int chunk = Math.min(v.length, 1 << 16);
    ByteBuffer buf = ByteBuffer.allocate(8 * chunk);
    java.nio.DoubleBuffer view = buf.asDoubleBuffer(); // big-endian, like ByteBuffer.putDouble
    ints(md, new int[] {v.length});
    for (int i = 0; i < v.length; i += chunk) {
      int n = Math.min(chunk, v.length - i);
      view.clear();
      view.put(v, i, n);
      md.update(buf.array(), 0, 8 * n);
    }
  }
}
