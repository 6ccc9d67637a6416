package dev.ticketproof.io;

import dev.ticketproof.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Weights reparametrised by spectral normalisation, as the state dict (or the whole model) of such a module holds
 * them without the weight itself: {@code torch.nn.utils.spectral_norm}'s {@code X_orig}, {@code X_u} and
 * {@code X_v}, and {@code torch.nn.utils.parametrizations.spectral_norm}'s {@code parametrizations.X.original},
 * {@code parametrizations.X.0._u} and {@code parametrizations.X.0._v}. In eval mode both compute, without a power
 * iteration, \( X = W / \sigma \) with \( \sigma = u \cdot (M v) \), M the weight W reshaped to
 * {@code [W.shape[0], -1]} (the norm's {@code dim} 0, every layer's default but a transposed conv's, which is not
 * read): u has {@code W.shape[0]} values and v the rest. The composed tensor is named {@code X}, computed in double
 * precision.
 */
final class SpectralNorms {
  static final String ORIG = "_orig";
  static final String U = "_u";
  static final String V = "_v";
  static final String PARAMETRIZATIONS = "parametrizations.";
  static final String ORIGINAL = ".original";

  private SpectralNorms() {}

  /** The three tensors of one spectral norm and the name of the weight they compose. */
  private record Norm(String weight, String orig, String u, String v) {}

  /**
   * Composes every spectral norm whose weight is absent into the weight.
   *
   * @throws ImportException naming the tensors when u or v do not have the lengths of the weight's rows and
   *     columns, or sigma is 0
   */
  static TensorFile apply(TensorFile file) {
    Map<String, Norm> byOrig = new LinkedHashMap<>();
    for (String n : file.tensors().keySet()) {
      Norm norm = norm(file, n);
      if (norm != null) byOrig.put(n, norm);
    }
    if (byOrig.isEmpty()) return file;
    java.util.Set<String> consumed = new java.util.HashSet<>();
    for (Norm norm : byOrig.values()) {
      consumed.add(norm.u());
      consumed.add(norm.v());
    }
    Map<String, StoredTensor> out = new LinkedHashMap<>();
    for (StoredTensor t : file.tensors().values()) {
      Norm norm = byOrig.get(t.name());
      if (norm != null) {
        out.put(norm.weight(), new StoredTensor(norm.weight(), compose(file.source(), norm, t.tensor(),
            file.tensors().get(norm.u()).tensor(), file.tensors().get(norm.v()).tensor()), t.dtype()));
      } else if (!consumed.contains(t.name())) {
        out.put(t.name(), t);
      }
    }
    return new TensorFile(file.source(), out, file.skipped(), file.appliedMasks(), file.model(), file.modelPrefix(),
        file.models());
  }

  /** The spectral norm whose original weight is {@code name}, else null (the weight is there, or u or v is not). */
  private static Norm norm(TensorFile file, String name) {
    String weight;
    String u;
    String v;
    if (name.endsWith(ORIG)) {
      weight = name.substring(0, name.length() - ORIG.length());
      u = weight + U;
      v = weight + V;
    } else if (name.endsWith(ORIGINAL) && name.contains(PARAMETRIZATIONS)) {
      int at = name.lastIndexOf(PARAMETRIZATIONS);
      if (at > 0 && name.charAt(at - 1) != '.') return null;
      String attribute = name.substring(at + PARAMETRIZATIONS.length(), name.length() - ORIGINAL.length());
      if (attribute.isEmpty() || attribute.contains(".")) return null;
      String under = name.substring(0, at + PARAMETRIZATIONS.length() + attribute.length() + 1);
      u = under + "0." + U;
      v = under + "0." + V;
      weight = name.substring(0, at) + attribute;
      // only the one parametrization: another one (orthogonal, a second norm) under the same weight is not read
      for (String other : file.tensors().keySet()) {
        if (other.startsWith(under) && !other.equals(name) && !other.equals(u) && !other.equals(v)) return null;
      }
    } else {
      return null;
    }
    if (weight.isEmpty() || file.has(weight) || !file.has(u) || !file.has(v)) return null;
    return new Norm(weight, name, u, v);
  }

  static Tensor compose(String source, Norm norm, Tensor w, Tensor u, Tensor v) {
    int[] ws = w.shape();
    if (ws.length < 2 || u.rank() != 1 || v.rank() != 1 || u.size() != ws[0] || (long) u.size() * v.size()
        != w.size()) {
      throw new ImportException(source + ": spectral norm of '" + norm.orig() + "' " + Arrays.toString(ws)
          + ": expected '" + norm.u() + "' of its " + (ws.length > 0 ? ws[0] : 0) + " rows and '" + norm.v()
          + "' of the other " + (ws.length > 0 && ws[0] > 0 ? w.size() / ws[0] : 0) + " values (the norm over "
          + "dim 0, as for a Linear or a Conv), got " + Arrays.toString(u.shape()) + " and "
          + Arrays.toString(v.shape()));
    }
    int rows = ws[0];
    int cols = v.size();
    double sigma = 0;
    for (int r = 0; r < rows; r++) {
      double mv = 0;
      for (int c = 0; c < cols; c++) mv += w.data()[r * cols + c] * v.data()[c];
      sigma += u.data()[r] * mv;
    }
    if (!(sigma != 0 && Double.isFinite(sigma))) {
      throw new ImportException(source + ": spectral norm of '" + norm.orig() + "': sigma = u . (W v) is " + sigma
          + " (the weight W / sigma is not defined)");
    }
    double[] x = new double[w.size()];
    for (int i = 0; i < x.length; i++) x[i] = w.data()[i] / sigma; // as torch: weight / sigma
    return new Tensor(ws.clone(), x);
  }
}
