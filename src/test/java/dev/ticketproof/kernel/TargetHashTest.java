package dev.ticketproof.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
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
import dev.ticketproof.net.Residual;
import dev.ticketproof.net.ResidualBlock;
import dev.ticketproof.tensor.Tensor;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The target hash binds a certificate to its target: every parameter and hyper-parameter of every layer kind
 * changes it, and its encoding is prefix-free (names and arrays cannot run into each other).
 */
class TargetHashTest {
  static final Activation RELU = ActivationCatalog.parse("relu");

  static Tensor t(int[] shape, double start) {
    int n = 1;
    for (int d : shape) n *= d;
    double[] v = new double[n];
    for (int k = 0; k < n; k++) v[k] = start + 0.125 * k;
    return Tensor.of(v, shape);
  }

  static BatchNorm2d bn(String name, double start) {
    return new BatchNorm2d(name, new double[] {start, start + 1}, new double[] {start + 2, start + 3},
        new double[] {start + 4, start + 5}, new double[] {start + 6, start + 7}, 1e-5);
  }

  static Conv2d conv(String name, double start) {
    return new Conv2d(name, t(new int[] {2, 2, 3, 3}, start), t(new int[] {2}, start + 10), 1, 1);
  }

  /** A network with every hashed layer kind and every optional part present. */
  static List<Layer> all() {
    List<Layer> l = new ArrayList<>();
    l.add(conv("c", 0));
    l.add(bn("bn", 1));
    l.add(new ActivationLayer(RELU));
    l.add(new AvgPool2d(2, 2));
    l.add(new ResidualBlock("b1", conv("b1.conv1", 2), bn("b1.bn1", 3), conv("b1.conv2", 4), bn("b1.bn2", 5),
        new ResidualBlock.Identity(new double[] {0.5, 2}), RELU));
    l.add(new ResidualBlock("b2", conv("b2.conv1", 6), bn("b2.bn1", 7), conv("b2.conv2", 8), bn("b2.bn2", 9),
        new ResidualBlock.Projection(new Conv2d("b2.proj", t(new int[] {2, 2, 1, 1}, 11), null, 2, 0),
            bn("b2.projbn", 12)), RELU));
    l.add(new GlobalAvgPool());
    l.add(new Flatten());
    l.add(new Linear("fc", t(new int[] {3, 2}, 13), t(new int[] {3}, 14)));
    return l;
  }

  static String hash(List<Layer> layers) { return TargetHash.of(new Network(new int[] {2, 8, 8}, layers)); }

  /** The network {@link #all} with layer k replaced. */
  static String hashWith(int k, UnaryOperator<Layer> change) {
    List<Layer> l = all();
    l.set(k, change.apply(l.get(k)));
    return hash(l);
  }

  static double[] bump(double[] v) {
    double[] w = v.clone();
    w[w.length - 1] += 1;
    return w;
  }

  static Tensor bump(Tensor x) { return Tensor.of(bump(x.data()), x.shape()); }

  static Conv2d withWeight(Conv2d c, Tensor w) { return new Conv2d(c.name(), w, c.bias(), c.stride(), c.ph(), c.pw()); }

  static ResidualBlock block(Layer l) { return (ResidualBlock) l; }

  static ResidualBlock withShortcut(ResidualBlock b, ResidualBlock.Shortcut s) {
    return new ResidualBlock(b.name(), b.conv1(), b.bn1(), b.conv2(), b.bn2(), s, b.phi());
  }

  static BatchNorm2d bnChanged(BatchNorm2d b, int field) {
    return new BatchNorm2d(b.name(), field == 0 ? bump(b.gamma()) : b.gamma(), field == 1 ? bump(b.beta()) : b.beta(),
        field == 2 ? bump(b.mean()) : b.mean(), field == 3 ? bump(b.var()) : b.var(), field == 4 ? 1e-3 : b.eps());
  }

  @Test
  void theHashIsDeterministicHexSha256() {
    assertThat(hash(all())).isEqualTo(hash(all())).matches("[0-9a-f]{64}");
  }

  @Test
  void everyHashedFieldChangesTheHash() {
    Map<String, String> hashes = new HashMap<>();
    hashes.put("original", hash(all()));
    hashes.put("input shape", TargetHash.of(new Network(new int[] {2, 8, 9}, all())));
    // a convolution: name, stride, padding, weight values and shape, bias present or not, bias values
    hashes.put("conv name", hashWith(0, l -> new Conv2d("d", ((Conv2d) l).weight(), ((Conv2d) l).bias(), 1, 1)));
    hashes.put("conv stride", hashWith(0, l -> new Conv2d("c", ((Conv2d) l).weight(), ((Conv2d) l).bias(), 2, 1)));
    hashes.put("conv padding", hashWith(0, l -> new Conv2d("c", ((Conv2d) l).weight(), ((Conv2d) l).bias(), 1, 0)));
    // paddings per axis: (1, 0) and (0, 1) differ from each other and from 1 and 0 on all sides
    hashes.put("conv row padding", hashWith(0, l -> new Conv2d("c", ((Conv2d) l).weight(), ((Conv2d) l).bias(), 1, 1,
        0)));
    hashes.put("conv column padding", hashWith(0, l -> new Conv2d("c", ((Conv2d) l).weight(), ((Conv2d) l).bias(), 1,
        0, 1)));
    hashes.put("conv weight", hashWith(0, l -> withWeight((Conv2d) l, bump(((Conv2d) l).weight()))));
    hashes.put("conv weight shape", hashWith(0, l -> withWeight((Conv2d) l,
        ((Conv2d) l).weight().reshape(2, 2, 1, 9))));
    hashes.put("conv without bias", hashWith(0, l -> new Conv2d("c", ((Conv2d) l).weight(), null, 1, 1)));
    hashes.put("conv bias", hashWith(0, l -> new Conv2d("c", ((Conv2d) l).weight(), bump(((Conv2d) l).bias()), 1,
        1)));
    // BatchNorm: name, gamma, beta, mean, var, eps
    hashes.put("bn name", hashWith(1, l -> bn("bm", 1)));
    for (int f = 0; f < 5; f++) {
      int field = f;
      hashes.put("bn field " + f, hashWith(1, l -> bnChanged((BatchNorm2d) l, field)));
    }
    hashes.put("activation", hashWith(2, l -> new ActivationLayer(ActivationCatalog.parse("tanh"))));
    hashes.put("pool kernel", hashWith(3, l -> new AvgPool2d(3, 2)));
    hashes.put("pool stride", hashWith(3, l -> new AvgPool2d(2, 1)));
    hashes.put("max pool", hashWith(3, l -> new MaxPool2d(2, 2, 0)));
    hashes.put("max pool padding", hashWith(3, l -> new MaxPool2d(2, 2, 1)));
    // a residual block: name, each member, each optional member absent, the shortcut's kind and scale
    hashes.put("block name", hashWith(4, l -> {
      ResidualBlock b = block(l);
      return new ResidualBlock("b0", b.conv1(), b.bn1(), b.conv2(), b.bn2(), b.shortcut(), b.phi());
    }));
    hashes.put("block conv1", hashWith(4, l -> {
      ResidualBlock b = block(l);
      return new ResidualBlock(b.name(), withWeight(b.conv1(), bump(b.conv1().weight())), b.bn1(), b.conv2(),
          b.bn2(), b.shortcut(), b.phi());
    }));
    hashes.put("block bn1", hashWith(4, l -> {
      ResidualBlock b = block(l);
      return new ResidualBlock(b.name(), b.conv1(), bnChanged(b.bn1(), 0), b.conv2(), b.bn2(), b.shortcut(), b.phi());
    }));
    hashes.put("block without bn1", hashWith(4, l -> {
      ResidualBlock b = block(l);
      return new ResidualBlock(b.name(), b.conv1(), null, b.conv2(), b.bn2(), b.shortcut(), b.phi());
    }));
    hashes.put("block conv2", hashWith(4, l -> {
      ResidualBlock b = block(l);
      return new ResidualBlock(b.name(), b.conv1(), b.bn1(), withWeight(b.conv2(), bump(b.conv2().weight())),
          b.bn2(), b.shortcut(), b.phi());
    }));
    hashes.put("block bn2", hashWith(4, l -> {
      ResidualBlock b = block(l);
      return new ResidualBlock(b.name(), b.conv1(), b.bn1(), b.conv2(), bnChanged(b.bn2(), 1), b.shortcut(), b.phi());
    }));
    hashes.put("block without bn2", hashWith(4, l -> {
      ResidualBlock b = block(l);
      return new ResidualBlock(b.name(), b.conv1(), b.bn1(), b.conv2(), null, b.shortcut(), b.phi());
    }));
    hashes.put("identity scale", hashWith(4, l -> withShortcut(block(l), new ResidualBlock.Identity(
        new double[] {0.5, 3}))));
    hashes.put("identity without scale", hashWith(4, l -> withShortcut(block(l), new ResidualBlock.Identity(null))));
    hashes.put("projection conv", hashWith(5, l -> {
      ResidualBlock.Projection p = (ResidualBlock.Projection) block(l).shortcut();
      return withShortcut(block(l), new ResidualBlock.Projection(withWeight(p.conv(), bump(p.conv().weight())),
          p.bn()));
    }));
    hashes.put("projection bn", hashWith(5, l -> {
      ResidualBlock.Projection p = (ResidualBlock.Projection) block(l).shortcut();
      return withShortcut(block(l), new ResidualBlock.Projection(p.conv(), bnChanged(p.bn(), 2)));
    }));
    hashes.put("projection without bn", hashWith(5, l -> {
      ResidualBlock.Projection p = (ResidualBlock.Projection) block(l).shortcut();
      return withShortcut(block(l), new ResidualBlock.Projection(p.conv(), null));
    }));
    // layers without parameters differ by their type only
    hashes.put("flatten for global pool", hashWith(6, l -> new Flatten()));
    hashes.put("linear name", hashWith(8, l -> new Linear("fd", ((Linear) l).weight(), ((Linear) l).bias())));
    hashes.put("linear weight", hashWith(8, l -> new Linear("fc", bump(((Linear) l).weight()), ((Linear) l).bias())));
    hashes.put("linear without bias", hashWith(8, l -> new Linear("fc", ((Linear) l).weight(), null)));
    hashes.put("linear bias", hashWith(8, l -> new Linear("fc", ((Linear) l).weight(), bump(((Linear) l).bias()))));
    Map<String, String> seen = new HashMap<>();
    for (Map.Entry<String, String> e : hashes.entrySet()) {
      String before = seen.put(e.getValue(), e.getKey());
      assertThat(before).as("%s and %s hash alike", e.getKey(), before).isNull();
    }
  }

  /** An activation that only carries a name (the hash reads nothing else). */
  static Activation named(String name) {
    return (Activation) Proxy.newProxyInstance(Activation.class.getClassLoader(), new Class<?>[] {Activation.class},
        (proxy, method, args) -> {
          if (method.getName().equals("name")) return name;
          throw new UnsupportedOperationException(method.getName());
        });
  }

  /**
   * A network of convs with one padding for both axes hashes as it did before convs could pad the axes unequally
   * (the value below was computed then): certificates of such targets keep their target hash.
   */
  @Test
  void convsWithOnePaddingHashAsBefore() {
    double[] v = new double[36];
    for (int k = 0; k < 36; k++) v[k] = 0.125 * k;
    double[] u = new double[8];
    for (int k = 0; k < 8; k++) u[k] = 0.5 - 0.25 * k;
    Conv2d c = new Conv2d("c", Tensor.of(v, 2, 2, 3, 3), Tensor.of(new double[] {1.5, -2}, 2), 1, 1);
    Conv2d d = new Conv2d("d", Tensor.of(u, 2, 2, 1, 2), null, 2, 0);
    assertThat(TargetHash.of(new Network(new int[] {2, 5, 5}, List.of(c, new ActivationLayer(RELU), d))))
        .isEqualTo("9f4dd68d8306d30d60cea9c2d863c1a7d3bcc66524693dabaee8aec7a4a4313b");
    // the same first conv padding its columns only hashes otherwise
    Conv2d columns = new Conv2d("c", c.weight(), c.bias(), 1, 0, 1);
    assertThat(TargetHash.of(new Network(new int[] {2, 5, 5}, List.of(columns, new ActivationLayer(RELU), d))))
        .isNotEqualTo("9f4dd68d8306d30d60cea9c2d863c1a7d3bcc66524693dabaee8aec7a4a4313b");
  }

  @Test
  void namesAndArraysCannotRunIntoEachOther() {
    // without length prefixes, "relu" + "ActivationLayer" + "relu" would read like one longer name
    assertThat(hash(List.of(new ActivationLayer(RELU), new ActivationLayer(RELU))))
        .isNotEqualTo(hash(List.of(new ActivationLayer(named("reluActivationLayerrelu")))));
    // a block's last batch norm, or a batch-norm layer after a block without one
    ResidualBlock b = block(all().get(4));
    ResidualBlock withBn2 = withShortcut(b, new ResidualBlock.Identity(null));
    ResidualBlock withoutBn2 = new ResidualBlock(b.name(), b.conv1(), b.bn1(), b.conv2(), null,
        new ResidualBlock.Identity(null), b.phi());
    assertThat(hash(List.of(withBn2))).isNotEqualTo(hash(List.of(withoutBn2, b.bn2())));
    // a BatchNorm of 16 channels whose values spell a BatchNorm of one channel followed by 32 flatten layers (each
    // a type name: a 1-element length array, then the bytes)
    BatchNorm2d one = new BatchNorm2d("bn", new double[] {1}, new double[] {2}, new double[] {3}, new double[] {4},
        1e-5);
    ByteBuffer spelt = ByteBuffer.allocate(65 * 8);
    for (double v : new double[] {1, 2, 3, 4, 1e-5}) spelt.putDouble(v);
    for (int k = 0; k < 32; k++) spelt.putInt(1).putInt(7).put("Flatten".getBytes(StandardCharsets.UTF_8));
    spelt.flip();
    double[][] arrays = new double[4][16];
    for (double[] a : arrays) for (int c = 0; c < 16; c++) a[c] = spelt.getDouble();
    double eps = spelt.getDouble();
    List<Layer> flattens = new ArrayList<>(List.of(one));
    for (int k = 0; k < 32; k++) flattens.add(new Flatten());
    BatchNorm2d sixteen = new BatchNorm2d("bn", arrays[0], arrays[1], arrays[2], arrays[3], eps);
    assertThat(hash(flattens)).isNotEqualTo(hash(List.of(sixteen)));
  }

  @Test
  void largeTensorsAreHashedToTheirLastValue() {
    // more values than one chunk of the encoder (65,536)
    Tensor w = t(new int[] {7, 10_001}, 0);
    Tensor w2 = bump(w);
    assertThat(hash(List.of(new Linear("fc", w, null)))).isNotEqualTo(hash(List.of(new Linear("fc", w2, null))));
  }

  @Test
  void unsupportedLayersAreNamed() {
    Layer r = new Residual("r", List.of(new Flatten()), List.of(), RELU);
    assertThatThrownBy(() -> hash(List.of(r))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Residual");
  }
}
