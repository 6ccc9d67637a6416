package dev.ticketproof.io;

import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The named tensors of one target file, in the order the file lists them (consumers look tensors up by name and
 * never depend on that order).
 *
 * @param source the file the tensors came from, for messages
 * @param tensors the tensors by name
 * @param skipped names of entries that are not tensors (e.g. an epoch counter), ignored
 * @param appliedMasks names {@code X} whose mask {@code X_mask} was multiplied into {@code X} (see {@link Masks})
 * @param model the module tree when the file is a whole model ({@code torch.save(model)}), or holds one whole model
 *     in a dict (a checkpoint {@code {"model": model, ...}}), else {@code null}
 * @param modelPrefix the prefix of the names of the model's tensors: {@code ""} for a whole model,
 *     {@code "model."} for one under the key {@code model}
 * @param models every whole model the file holds, by the prefix of its tensors' names: {@code model} alone, or
 *     several in a dict ({@code {"model": model, "ema": ema}}, where {@code model} is {@code null} until one is
 *     chosen, {@link #withModel})
 */
public record TensorFile(String source, Map<String, StoredTensor> tensors, List<String> skipped,
    List<String> appliedMasks, TorchModule model, String modelPrefix, Map<String, TorchModule> models) {
  public TensorFile {
    tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    skipped = List.copyOf(skipped);
    appliedMasks = List.copyOf(appliedMasks);
    models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
  }

  /** Tensors and at most one whole model. */
  public TensorFile(String source, Map<String, StoredTensor> tensors, List<String> skipped, List<String> appliedMasks,
      TorchModule model, String modelPrefix) {
    this(source, tensors, skipped, appliedMasks, model, modelPrefix,
        model == null ? Map.of() : Map.of(modelPrefix, model));
  }

  /** The same tensors, with the whole model of {@link #models} under {@code prefix} as the model. */
  public TensorFile withModel(String prefix) {
    return new TensorFile(source, tensors, skipped, appliedMasks, models.get(prefix), prefix, models);
  }

  /** Tensors without a module tree. */
  public TensorFile(String source, Map<String, StoredTensor> tensors, List<String> skipped, List<String> appliedMasks) {
    this(source, tensors, skipped, appliedMasks, null, "");
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

  /**
   * The tensors whose names begin with {@code prefix}, named without it (a checkpoint's {@code state_dict.},
   * DataParallel's {@code module.}): what a spec reads when its names are found under that prefix.
   *
   * @param prefix a name prefix, {@code ""} or ending with {@code .}
   * @return the view, whose source names the file and the prefix; the file itself for {@code ""}
   */
  public TensorFile under(String prefix) {
    if (prefix.isEmpty()) return this;
    Map<String, StoredTensor> view = new LinkedHashMap<>();
    for (StoredTensor t : tensors.values()) {
      if (t.name().startsWith(prefix)) {
        String name = t.name().substring(prefix.length());
        view.put(name, new StoredTensor(name, t.tensor(), t.dtype()));
      }
    }
    List<String> masks = new ArrayList<>();
    for (String m : appliedMasks) if (m.startsWith(prefix)) masks.add(m.substring(prefix.length()));
    return new TensorFile(source + " (under prefix '" + prefix + "')", view, List.of(), masks);
  }

  /**
   * This view with the named tensors of {@code file} added under their names in it (a spec's normalisation tensors
   * beside the prefix its network is read under); the names must not be in this view.
   */
  public TensorFile with(TensorFile file, List<String> names) {
    Map<String, StoredTensor> view = new LinkedHashMap<>(tensors);
    for (String n : names) {
      if (view.containsKey(n)) throw new IllegalArgumentException("tensor '" + n + "' is in the view");
      view.put(n, file.tensors.get(n));
    }
    return new TensorFile(source, view, List.of(), appliedMasks);
  }

  /**
   * The distinct prefixes of the tensor names that end with a {@code .} (for {@code a.b.weight}: {@code a.} and
   * {@code a.b.}), shortest first, then in file order.
   */
  public List<String> prefixes() {
    Set<String> seen = new LinkedHashSet<>();
    for (String name : tensors.keySet()) {
      for (int i = name.indexOf('.'); i >= 0 && i < name.length() - 1; i = name.indexOf('.', i + 1)) {
        seen.add(name.substring(0, i + 1));
      }
    }
    List<String> out = new ArrayList<>(seen);
    out.sort(java.util.Comparator.comparingInt(String::length));
    return out;
  }

  /**
   * The prefixes ({@code ""}, or ending with {@code .}) under which the file has a tensor named {@code name}, in the
   * file's order: {@code "model."} for {@code model.fc.weight} and the name {@code fc.weight}.
   */
  public List<String> prefixesOf(String name) {
    List<String> out = new ArrayList<>();
    for (String n : tensors.keySet()) {
      String p = n.endsWith(name) ? n.substring(0, n.length() - name.length()) : null;
      if (p != null && (p.isEmpty() || p.endsWith("."))) out.add(p);
    }
    return out;
  }

  /** The names, in file order. */
  public List<String> names() { return new ArrayList<>(tensors.keySet()); }

  /**
   * The tensors the whole model's module at {@code path} holds itself (not its submodules'), named without the
   * module's prefix ({@code weight}, {@code mean}), in file order.
   */
  public List<String> ownTensors(String path) {
    String pre = modelPrefix + path + ".";
    List<String> own = new ArrayList<>();
    for (String n : tensors.keySet()) {
      if (n.startsWith(pre) && n.indexOf('.', pre.length()) < 0) own.add(n.substring(pre.length()));
    }
    return own;
  }

  /** The names for messages: all of them, or the first 12 and the count. */
  public String describeNames() {
    List<String> names = names();
    if (names.isEmpty()) return "no tensors";
    if (names.size() <= 12) return String.join(", ", names);
    return String.join(", ", names.subList(0, 12)) + ", ... (" + names.size() + " tensors)";
  }
}
