package dev.ticketproof.io;

import dev.ticketproof.limits.Budget;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads target tensors from any supported file, recognised by content: a PyTorch {@code .pt} (zip or legacy, see
 * {@link TorchReader}), a {@code .safetensors} file (see {@link Safetensors}), a NumPy {@code .npy} (one tensor
 * named by the file name without {@code .npy}), a NumPy {@code .npz} (tensors named by their entries) or a
 * directory of {@code .npy} files named by tensor. Every tensor
 * must be finite; masks {@code X_mask} are applied unless asked not to (see {@link Masks}). The memory one read
 * may claim is bounded by a {@link Budget}.
 */
public final class TensorFiles {
  private TensorFiles() {}

  /** Reads a file and applies its masks. */
  public static TensorFile read(Path path) { return read(path, true); }

  /**
   * Reads a file of tensors; weights saved as {@code torch.nn.utils.weight_norm} keeps them ({@code X_g} and
   * {@code X_v}, see {@link WeightNorms}) or as spectral normalisation keeps them ({@code X_orig}, {@code X_u},
   * {@code X_v}, or {@code parametrizations.X.original} and its {@code _u}, {@code _v}, see {@link SpectralNorms})
   * are composed into {@code X}.
   *
   * @param path a {@code .pt}, {@code .npy} or {@code .npz} file, or a directory of {@code .npy} files
   * @param applyMasks whether to multiply masks {@code X_mask} into {@code X} (otherwise masks stay ordinary
   *     tensors)
   * @throws ImportException naming the file (and tensor) when it is missing, malformed, of an unsupported type, or
   *     holds a NaN or an infinity
   */
  public static TensorFile read(Path path, boolean applyMasks) {
    TensorFile file = readRaw(path);
    checkFinite(file);
    file = SpectralNorms.apply(file);
    file = WeightNorms.apply(file);
    return applyMasks ? Masks.apply(file) : file;
  }

  /** Reads without the finiteness check and without applying masks. */
  static TensorFile readRaw(Path path) {
    Budget budget = budget(path);
    if (Files.isDirectory(path)) return readNpyDirectory(path, budget);
    if (!Files.isRegularFile(path)) {
      throw new ImportException(path + (Files.exists(path) ? ": not a regular file" : ": no such file"));
    }
    byte[] head = head(path, 9);
    if (head.length == 0) throw new ImportException(path + ": empty file");
    if (Safetensors.looksLike(head) || path.getFileName().toString().endsWith(".safetensors")) {
      return Safetensors.read(path, budget);
    }
    if (Npy.isNpy(head)) return new TensorFile(path.toString(), Map.of(stem(path), Npy.read(path.toString(),
        stem(path), readAll(path, budget), budget)), List.of(), List.of());
    if (head[0] == 'P' && head.length >= 2 && head[1] == 'K' && isNpz(path)) return readNpz(path, budget);
    return TorchReader.read(path, budget);
  }

  /** The budget of one input file. */
  static Budget budget(Path path) { return new Budget(path.toString(), ImportException::new); }

  /** Every value of every tensor is finite, else an exception naming the tensor and the first bad index. */
  static void checkFinite(TensorFile file) {
    for (StoredTensor t : file.tensors().values()) {
      double[] v = t.tensor().data();
      for (int i = 0; i < v.length; i++) {
        if (!Double.isFinite(v[i])) {
          throw new ImportException(file.source() + ": tensor '" + t.name() + "' has " + v[i] + " at flat index " + i
              + " (all values must be finite)");
        }
      }
    }
  }

  private static boolean isNpz(Path path) {
    if (path.getFileName().toString().endsWith(".npz")) return true;
    try (ZipFile zip = new ZipFile(path.toFile())) {
      var entries = zip.entries();
      boolean any = false;
      while (entries.hasMoreElements()) {
        if (!entries.nextElement().getName().endsWith(".npy")) return false;
        any = true;
      }
      return any;
    } catch (IOException | RuntimeException e) {
      return false; // the torch reader reports it
    }
  }

  static TensorFile readNpz(Path path, Budget budget) {
    String source = path.toString();
    long size = size(path);
    Map<String, StoredTensor> tensors = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(path.toFile())) {
      var entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry e = entries.nextElement();
        if (e.isDirectory()) continue;
        if (!e.getName().endsWith(".npy")) {
          throw new ImportException(source + ": entry " + e.getName() + " is not a .npy array (expected a file "
              + "written by numpy.savez)");
        }
        String name = e.getName().substring(0, e.getName().length() - 4);
        tensors.put(name, Npy.read(source + "!" + e.getName(), name,
            TorchReader.readEntry(zip, e, source, size, budget), budget));
      }
    } catch (ImportException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new ImportException(source + ": not a readable zip archive, truncated or corrupt ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
    }
    if (tensors.isEmpty()) throw new ImportException(source + ": no arrays in the .npz archive");
    return new TensorFile(source, tensors, List.of(), List.of());
  }

  static TensorFile readNpyDirectory(Path dir, Budget budget) {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> p.getFileName().toString().endsWith(".npy") && Files.isRegularFile(p)).sorted()
          .forEach(files::add);
    } catch (IOException e) {
      throw new ImportException(dir + ": cannot list the directory (" + e.getMessage() + ")", e);
    }
    if (files.isEmpty()) throw new ImportException(dir + ": directory without .npy files");
    Map<String, StoredTensor> tensors = new LinkedHashMap<>();
    for (Path f : files) tensors.put(stem(f), Npy.read(f.toString(), stem(f), readAll(f, budget), budget));
    return new TensorFile(dir.toString(), tensors, List.of(), List.of());
  }

  private static String stem(Path p) {
    String n = p.getFileName().toString();
    return n.endsWith(".npy") ? n.substring(0, n.length() - 4) : n;
  }

  static byte[] head(Path path, int n) {
    try (InputStream in = Files.newInputStream(path)) {
      return in.readNBytes(n);
    } catch (NoSuchFileException e) {
      throw new ImportException(path + ": no such file", e);
    } catch (IOException e) {
      throw new ImportException(path + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  /** The whole file, its size claimed from the budget first. */
  static byte[] readAll(Path path, Budget budget) {
    budget.reserve(size(path), "the whole file");
    try {
      return Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new ImportException(path + ": no such file", e);
    } catch (IOException | OutOfMemoryError e) {
      throw new ImportException(path + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  static long size(Path path) {
    try {
      return Files.size(path);
    } catch (IOException e) {
      throw new ImportException(path + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (byte b : bytes) sb.append(String.format("%02x ", b & 0xff));
    return sb.toString().trim();
  }

  /**
   * Reads the one array of a data file (an input batch, labels, points): a NumPy {@code .npy}, a {@code .npz} or
   * {@code .safetensors} file with one array, or a PyTorch file holding one tensor ({@code torch.save(x)}) or a
   * dict, list or tuple with exactly one tensor. {@code FILE:NAME} (when no file has that whole name) picks the array
   * {@code NAME} of a file with several: a {@code .npz} or {@code .safetensors} entry, a dict key, or a list or tuple
   * index. Masks are not applied.
   *
   * @throws ImportException naming the file when it is missing, not one of these formats, a whole model, holds no
   *     or several tensors without a name (listing them, with how to pick one), or a value is not finite
   */
  public static StoredTensor readSingle(Path path) {
    Path file = path;
    String name = null;
    String s = path.toString();
    int colon = s.lastIndexOf(':');
    if (!Files.exists(path) && colon > 0 && colon > s.lastIndexOf('/') && colon < s.length() - 1
        && Files.isRegularFile(Path.of(s.substring(0, colon)))) {
      file = Path.of(s.substring(0, colon));
      name = s.substring(colon + 1);
    }
    if (!Files.isRegularFile(file)) {
      throw new ImportException(file + (Files.exists(file) ? ": not a regular file" : ": no such file"));
    }
    byte[] head = head(file, 9);
    if (head.length == 0) throw new ImportException(file + ": empty file");
    if (!Npy.isNpy(head) && !(head.length >= 2 && head[0] == 'P' && head[1] == 'K') && (head[0] & 0xff) != 0x80
        && !Safetensors.looksLike(head) && !file.getFileName().toString().endsWith(".safetensors")) {
      throw new ImportException(file + ": not a .npy, .npz, .safetensors or PyTorch file (it starts with "
          + hex(Arrays.copyOf(head, Math.min(head.length, 8))) + "); save the array with numpy.save(path, x) or "
          + "torch.save(x, path)");
    }
    TensorFile all = readRaw(file);
    if (all.model() != null) {
      throw new ImportException(file + ": a whole model (torch.save(model)), not data: save the tensor itself, "
          + "torch.save(x, path)");
    }
    StoredTensor t;
    if (name != null) {
      t = all.tensors().get(name);
      if (t == null) {
        throw new ImportException(file + ": no array named '" + name + "' (the file has " + describe(all) + ")");
      }
    } else if (all.tensors().size() == 1) {
      t = all.tensors().values().iterator().next();
    } else {
      String first = all.tensors().isEmpty() ? "NAME" : all.tensors().keySet().iterator().next();
      throw new ImportException(file + ": holds " + (all.tensors().isEmpty() ? "no tensor" : all.tensors().size()
          + " tensors (" + describe(all) + "): pick one as " + file + ":NAME, e.g. " + file + ":" + first));
    }
    checkFinite(new TensorFile(all.source(), Map.of(t.name(), t), List.of(), List.of()));
    return t;
  }

  private static String describe(TensorFile f) {
    List<String> parts = new ArrayList<>();
    for (StoredTensor t : f.tensors().values()) {
      if (parts.size() == 12) {
        parts.add("... (" + f.tensors().size() + " tensors)");
        break;
      }
      parts.add(t.name() + " " + java.util.Arrays.toString(t.tensor().shape()) + " " + t.dtype().label());
    }
    return parts.isEmpty() ? "no tensors" : String.join(", ", parts);
  }

  /**
   * Reads the single tensor of a {@code .npy} file (an input batch, say).
   *
   * @throws ImportException naming the file when it is not a valid {@code .npy} file or not finite
   */
  public static StoredTensor readNpy(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new ImportException(path + (Files.exists(path) ? ": not a regular file" : ": no such file"));
    }
    String stem = stem(path);
    Budget budget = budget(path);
    StoredTensor t = Npy.read(path.toString(), stem, readAll(path, budget), budget);
    checkFinite(new TensorFile(path.toString(), Map.of(stem, t), List.of(), List.of()));
    return t;
  }
}
