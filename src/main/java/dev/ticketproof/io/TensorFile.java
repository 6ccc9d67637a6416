package dev.ticketproof.io;

import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named tensors of one target file, in the order the file lists them (consumers look tensors up by name and
 * never depend on that order).
 *
 * @param source the file the tensors came from, for messages
 * @param tensors the tensors by name
 * @param skipped names of entries that are not tensors (e.g. an epoch counter), ignored
 * @param appliedMasks names {@code X} whose mask {@code X_mask} was multiplied into {@code X} (see {@link Masks})
 */
public record TensorFile(String source, Map<String, StoredTensor> tensors, List<String> skipped,
    List<String> appliedMasks) {
  public TensorFile {
    tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    skipped = List.copyOf(skipped);
    appliedMasks = List.copyOf(appliedMasks);
  }

  /** Whether a tensor of this name exists. */
  public boolean has(String name) { return tensors.containsKey(name); }

  /**
   * The tensor called {@code name}.
   *
   * @throws ImportException naming the file and the tensor when there is none
   */
  public Tensor tensor(String name) {
    StoredTensor t = tensors.get(name);
    if (t == null) {
      throw new ImportException(source + ": no tensor named '" + name + "' (the file has " + describeNames() + ")");
    }
    return t.tensor();
  }

  /** The names, in file order. */
  public List<String> names() { return new ArrayList<>(tensors.keySet()); }

  private String describeNames() {
    List<String> names = names();
    if (names.isEmpty()) return "no tensors";
    if (names.size() <= 12) return String.join(", ", names);
    return String.join(", ", names.subList(0, 12)) + ", ... (" + names.size() + " tensors)";
  }
}
