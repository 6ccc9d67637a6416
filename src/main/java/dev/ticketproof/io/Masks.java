package dev.ticketproof.io;

import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pruning masks stored beside the tensors they prune (the Synaptic-Flow and open_lth convention): a tensor named
 * {@code X_mask} next to {@code X}. Applying them gives the effective tensor \( X \odot M \) (elementwise product)
 * and removes the mask entries.
 */
public final class Masks {
  /** The suffix that marks a mask. */
  public static final String SUFFIX = "_mask";

  private Masks() {}

  /**
   * Multiplies every mask {@code X_mask} into {@code X}.
   *
   * @param file the tensors. Not modified.
   * @return the tensors without the masks, each masked {@code X} replaced by \( X \odot M \), with
   *     {@link TensorFile#appliedMasks()} listing the masked names
   * @throws ImportException when a mask has no tensor beside it, or shapes differ
   */
  public static TensorFile apply(TensorFile file) {
    Map<String, StoredTensor> out = new LinkedHashMap<>();
    List<String> applied = new ArrayList<>(file.appliedMasks());
    for (StoredTensor t : file.tensors().values()) {
      if (t.name().endsWith(SUFFIX)) {
        String target = t.name().substring(0, t.name().length() - SUFFIX.length());
        if (!file.has(target)) {
          throw new ImportException(file.source() + ": mask '" + t.name() + "' has no tensor '" + target
              + "' beside it");
        }
        continue;
      }
      StoredTensor mask = file.tensors().get(t.name() + SUFFIX);
      if (mask == null) {
        out.put(t.name(), t);
        continue;
      }
      Tensor x = t.tensor();
      Tensor m = mask.tensor();
      if (!Arrays.equals(x.shape(), m.shape())) {
        throw new ImportException(file.source() + ": mask '" + mask.name() + "' has shape "
            + Arrays.toString(m.shape()) + ", but '" + t.name() + "' has shape " + Arrays.toString(x.shape()));
      }
      double[] v = new double[x.size()];
      for (int i = 0; i < v.length; i++) v[i] = x.data()[i] * m.data()[i];
      out.put(t.name(), new StoredTensor(t.name(), new Tensor(x.shape().clone(), v), t.dtype()));
      applied.add(t.name());
    }
    return new TensorFile(file.source(), out, file.skipped(), applied, file.model(),
        file.modelPrefix());
  }
}
