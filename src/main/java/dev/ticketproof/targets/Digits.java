package dev.ticketproof.targets;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.io.TensorFiles;
import dev.ticketproof.limits.BadParameter;
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
 * The built-in real targets trained with PyTorch on the UCI optical digits (8x8 images, CC BY 4.0; see
 * {@code targets/digits/README.txt}), with their 360-image test split:
 *
 * <ul>
 *   <li>{@code digits-cnn}: a small CNN on the 8x8 images, pruned to 20 %;</li>
 *   <li>{@code digits-lenet}: a LeNet-style CNN with max pooling on the 8x8 images, read with its JSON arch spec
 *       ({@code digits_lenet.json}); fixed to relu, the activation it was trained with;</li>
 *   <li>{@code digits-resnet-relu} and {@code digits-resnet-sigmoid}: CIFAR-style ResNets (open_lth layout,
 *       BatchNorm, identity and projection shortcuts) on the images upscaled to 32x32 by nearest-neighbour
 *       interpolation (each pixel a 4x4 block); they are fixed to the activation they were trained with.</li>
 * </ul>
 */
public final class Digits {
  private static final String DIR = "/targets/digits/";
  /** Name of the CNN target. */
  public static final String CNN = "digits-cnn";
  /** Name of the LeNet-style target (conv, max pooling, conv, max pooling, two linear layers). */
  public static final String LENET = "digits-lenet";
  /** Name of the ReLU ResNet target (8/16/32 channels, one block per stage). */
  public static final String RESNET_RELU = "digits-resnet-relu";
  /** Name of the sigmoid ResNet target (ResNet-20 size: 16/32/64 channels, three blocks per stage). */
  public static final String RESNET_SIGMOID = "digits-resnet-sigmoid";
  /** Upscaling factor from the 8x8 images to the ResNets' 32x32 inputs. */
  public static final int UPSCALE = 4;

  private Digits() {}

  /** The test split: inputs (each CxHxW in [0,1], CHW order) and labels. */
  public record TestSet(List<double[]> inputs, int[] labels) {}

  /** Whether {@code name} is one of the digits targets. */
  public static boolean isDigits(String name) {
    return CNN.equals(name) || LENET.equals(name) || RESNET_RELU.equals(name) || RESNET_SIGMOID.equals(name);
  }

  /** The CNN target with activation phi (it was trained with ReLU). */
  public static Network target(Activation phi) {
    return TargetLoader.load(resource("digits_cnn.pt"), Presets.SYNFLOW_CONV, phi.name(), null, true).built()
        .network();
  }

  /**
   * A digits ResNet target, its BatchNorm layers kept (with running statistics).
   *
   * @param name {@value #RESNET_RELU} or {@value #RESNET_SIGMOID}
   * @param phi the activation; must be the one the network was trained with
   * @throws IllegalArgumentException for another activation or name
   */
  public static Network resnet(String name, Activation phi) {
    String trained = switch (name) {
      case RESNET_RELU -> "relu";
      case RESNET_SIGMOID -> "sigmoid";
      default -> throw new IllegalArgumentException("unknown digits ResNet '" + name + "'");
    };
    requireTrained(name, trained, phi);
    return TargetLoader.load(resource(name.replace('-', '_') + ".pt"), Presets.OPENLTH_CIFAR_RESNET, trained,
        new int[] {1, 8 * UPSCALE, 8 * UPSCALE}, true).built().network();
  }

  /**
   * The LeNet-style target: {@code digits_lenet.pt} built by its arch spec {@code digits_lenet.json}.
   *
   * @param phi the activation; must be relu, the one the network was trained with
   * @throws BadParameter for another activation
   */
  public static Network lenet(Activation phi) {
    requireTrained(LENET, "relu", phi);
    return TargetLoader.load(resource("digits_lenet.pt"), resource("digits_lenet.json").toString(), "relu", null,
        true).built().network();
  }

  private static void requireTrained(String name, String trained, Activation phi) {
    if (!trained.equals(phi.name())) {
      throw new BadParameter("activation", "activation " + phi.name() + ": " + name + " was trained with "
          + trained + " and is only defined with it");
    }
  }

  /** The 360-image test split at 8x8 (the input of {@code digits-cnn}). */
  public static TestSet testSet() { return read("digits_test_x.npy"); }

  /**
   * The test split of the named digits target: the 8x8 images for {@value #CNN} and {@value #LENET}, the 32x32 ones (shipped as
   * {@code digits_test_x32.npy}, the 8x8 images upscaled by {@link #upscale}) for the ResNets.
   *
   * @throws IllegalArgumentException for a name that is not a digits target
   */
  public static TestSet testSet(String name) {
    if (CNN.equals(name) || LENET.equals(name)) return testSet();
    if (isDigits(name)) return read("digits_test_x32.npy");
    throw new IllegalArgumentException("'" + name + "' is not a digits target");
  }

  /**
   * Nearest-neighbour upscaling of one CxHxW image by {@link #UPSCALE} (as PyTorch's
   * {@code F.interpolate(x, scale_factor=4, mode="nearest")}): output pixel (i, j) is input pixel (i / 4, j / 4).
   */
  public static double[] upscale(double[] image, int c, int h, int w) {
    int oh = h * UPSCALE;
    int ow = w * UPSCALE;
    double[] out = new double[c * oh * ow];
    for (int ch = 0; ch < c; ch++) {
      for (int i = 0; i < oh; i++) {
        for (int j = 0; j < ow; j++) out[(ch * oh + i) * ow + j] = image[(ch * h + i / UPSCALE) * w + j / UPSCALE];
      }
    }
    return out;
  }

  private static TestSet read(String inputs) {
    Tensor x = TensorFiles.readNpy(resource(inputs)).tensor();
    Tensor y = TensorFiles.readNpy(resource("digits_test_y.npy")).tensor();
    int n = x.dim(0);
    int per = x.size() / n;
    List<double[]> list = new ArrayList<>();
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      double[] v = new double[per];
      System.arraycopy(x.data(), i * per, v, 0, per);
      list.add(v);
      labels[i] = (int) y.data()[i];
    }
    return new TestSet(list, labels);
  }

  /** A resource of the digits targets as a file (copied once to a temporary directory when inside a jar). */
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
