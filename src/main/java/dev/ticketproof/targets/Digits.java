package dev.ticketproof.targets;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.io.TensorFiles;
import dev.ticketproof.net.Network;
import dev.ticketproof.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in real target {@code digits-cnn}: a small CNN trained with PyTorch on the UCI optical digits (8x8
 * images, CC BY 4.0; see {@code targets/digits/README.txt}) and pruned to 20 %, with its 360-image test split.
 */
public final class Digits {
  private static final String DIR = "/targets/digits/";

  private Digits() {}

  /** The test split: inputs (each 1x8x8 in [0,1], CHW order) and labels. */
  public record TestSet(List<double[]> inputs, int[] labels) {}

  /** The target network with activation phi (it was trained with ReLU). */
  public static Network target(Activation phi) {
    return TargetLoader.load(resource("digits_cnn.pt"), "synflow-conv", phi.name(), null, true).built().network();
  }

  /** The 360-image test split. */
  public static TestSet testSet() {
    Tensor x = TensorFiles.readNpy(resource("digits_test_x.npy")).tensor();
    Tensor y = TensorFiles.readNpy(resource("digits_test_y.npy")).tensor();
    int n = x.dim(0);
    int per = x.size() / n;
    List<double[]> inputs = new ArrayList<>();
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      double[] v = new double[per];
      System.arraycopy(x.data(), i * per, v, 0, per);
      inputs.add(v);
      labels[i] = (int) y.data()[i];
    }
    return new TestSet(inputs, labels);
  }

  /** A resource of the digits target as a file (copied once to a temporary directory when inside a jar). */
  static synchronized Path resource(String name) {
    try {
      java.net.URL url = Digits.class.getResource(DIR + name);
      if (url == null) throw new IllegalStateException("missing resource " + DIR + name);
      if ("file".equals(url.getProtocol())) return Path.of(url.toURI());
      Path dir = Path.of(System.getProperty("java.io.tmpdir"), "ticketproof-digits");
      Files.createDirectories(dir);
      Path file = dir.resolve(name);
      if (!Files.exists(file)) {
        Path tmp = Files.createTempFile(dir, name, ".tmp");
        try (InputStream in = url.openStream()) {
          Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
