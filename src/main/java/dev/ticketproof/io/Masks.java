package dev.ticketproof.io;

import dev.ticketproof.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pruning masks stored beside the tensors they prune: a tensor named {@code X_mask} next to {@code X} (the
 * Synaptic-Flow and open_lth convention), or next to {@code X_orig} when there is no {@code X} (the convention of
 * {@code torch.nn.utils.prune}, whose forward pre-hook computes {@code X = X_orig * X_mask}). Applying them gives the
 * effective tensor \( X \odot M \) (elementwise product), named {@code X}, and removes the mask (and
 * {@code X_orig}) entries.
 */
public final class Masks {
  /** The suffix that marks a mask. */
  public static final String SUFFIX = "_mask";
  /** The suffix of the unpruned tensor in {@code torch.nn.utils.prune}'s convention. */
  public static final String ORIG = "_orig";

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
        if (!file.has(target) && !file.has(target + ORIG)) {
          throw new ImportException(file.source() + ": mask '" + t.name() + "' has no tensor '" + target
              + "' beside it (nor '" + target + ORIG + "', as torch.nn.utils.prune names it)");
        }
        continue;
      }
      String name = t.name();
      StoredTensor mask = file.tensors().get(name + SUFFIX);
      if (mask == null && name.endsWith(ORIG)) { // torch.nn.utils.prune: X_orig and X_mask, no X
        String target = name.substring(0, name.length() - ORIG.length());
        mask = file.has(target) ? null : file.tensors().get(target + SUFFIX);
        if (mask != null) name = target;
      }
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
      out.put(name, new StoredTensor(name, new Tensor(x.shape().clone(), v), t.dtype()));
      applied.add(name);
    }
    return new TensorFile(file.source(), out, file.skipped(), applied, file.model(),
        file.modelPrefix(), file.models());
  }
}
