package dev.ticketproof.io;

import dev.ticketproof.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Weights reparametrised by {@code torch.nn.utils.weight_norm}: {@code X_g} (the norms) and {@code X_v} (the
 * directions) without {@code X}, as the state dict of such a module holds them. Its forward pre-hook computes
 * \( X = g \, v / \lVert v \rVert \), the norm over every dimension but the hook's {@code dim} (over all of them for
 * {@code dim=None}); {@code X_g} has the size of {@code X_v} in the dimension the norm keeps and 1 in the others
 * (it is a scalar for {@code dim=None}), so the dimensions the norm runs over are read from its shape (where
 * {@code X_v} also has size 1, running over it or not is the same). The composed tensor is named {@code X}, in
 * place of {@code X_v}, computed in double precision.
 */
final class WeightNorms {
  static final String G = "_g";
  static final String V = "_v";

  private WeightNorms() {}

  /**
   * Composes every pair {@code X_g}, {@code X_v} without an {@code X} into {@code X}.
   *
   * @throws ImportException naming the tensors when {@code X_g}'s shape is not that of a weight norm of
   *     {@code X_v}, or a norm is 0
   */
  static TensorFile apply(TensorFile file) {
    boolean any = false;
    for (String n : file.tensors().keySet()) any |= pair(file, n) != null;
    if (!any) return file;
    Map<String, StoredTensor> out = new LinkedHashMap<>();
    for (StoredTensor t : file.tensors().values()) {
      String base = pair(file, t.name());
      if (base != null) {
        out.put(base, new StoredTensor(base, compose(file.source(), base, file.tensors().get(base + G).tensor(),
            t.tensor()), t.dtype()));
      } else if (!(t.name().endsWith(G) && pair(file, base(t.name(), G) + V) != null)) {
        out.put(t.name(), t);
      }
    }
    return new TensorFile(file.source(), out, file.skipped(), file.appliedMasks(), file.model(), file.modelPrefix(),
        file.models());
  }

  private static String base(String name, String suffix) { return name.substring(0, name.length() - suffix.length()); }

  /** {@code X} when {@code name} is {@code X_v} with an {@code X_g} beside it and no {@code X}, else null. */
  private static String pair(TensorFile file, String name) {
    if (!name.endsWith(V)) return null;
    String base = base(name, V);
    return base.isEmpty() || file.has(base) || !file.has(base + G) ? null : base;
  }

  static Tensor compose(String source, String base, Tensor g, Tensor v) {
    int[] vs = v.shape();
    int[] gs = g.shape();
    boolean scalar = g.size() == 1 && (gs.length == 0 || gs.length != vs.length);
    if (!scalar && gs.length != vs.length) {
      throw new ImportException(source + ": weight norm '" + base + G + "' has shape " + Arrays.toString(gs)
          + ", which is not that of the norms of '" + base + V + "' " + Arrays.toString(vs));
    }
    boolean[] reduce = new boolean[vs.length];
    for (int d = 0; d < vs.length; d++) {
      reduce[d] = scalar || gs[d] == 1;
      if (!reduce[d] && gs[d] != vs[d]) {
        throw new ImportException(source + ": weight norm '" + base + G + "' has shape " + Arrays.toString(gs)
            + ", which is not that of the norms of '" + base + V + "' " + Arrays.toString(vs) + " (each size 1 or "
            + "that of '" + base + V + "')");
      }
    }
    // index of each element's norm: its index with the reduced dimensions set to 0, in g's C order
    int n = v.size();
    int[] normIndex = new int[n];
    int[] idx = new int[vs.length];
    for (int i = 0; i < n; i++) {
      int gi = 0;
      for (int d = 0; d < vs.length; d++) gi = gi * (reduce[d] ? 1 : vs[d]) + (reduce[d] ? 0 : idx[d]);
      normIndex[i] = gi;
      for (int d = vs.length - 1; d >= 0; d--) {
        if (++idx[d] < vs[d]) break;
        idx[d] = 0;
      }
    }
    double[] squares = new double[g.size()];
    for (int i = 0; i < n; i++) squares[normIndex[i]] += v.data()[i] * v.data()[i];
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      double norm = Math.sqrt(squares[normIndex[i]]);
      if (!(norm > 0)) {
        throw new ImportException(source + ": weight norm of '" + base + V + "' is 0 at flat index " + i
            + " (the weight g v / |v| is not defined)");
      }
      x[i] = v.data()[i] * (g.data()[normIndex[i]] / norm); // as torch._weight_norm: v * (g / |v|)
    }
    return new Tensor(vs.clone(), x);
  }
}
