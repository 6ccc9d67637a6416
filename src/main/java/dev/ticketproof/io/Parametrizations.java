package dev.ticketproof.io;

import java.util.ArrayList;
import java.util.List;

/**
 * Tensors of {@code torch.nn.utils.parametrize} that are not read: a parametrized module's state dict holds
 * {@code L.parametrizations.X.original} (and the parametrization's own tensors, {@code L.parametrizations.X.0.base}
 * for {@code parametrizations.orthogonal}) in place of {@code L.X}, which the parametrization's forward computes from
 * them. Spectral normalisation's is composed ({@link SpectralNorms}); any other is code the file does not hold, so the
 * weight is not read, and the refusal says what to save instead.
 */
public final class Parametrizations {
  private Parametrizations() {}

  /**
   * Why the tensor {@code name} ({@code L.X}) the architecture needs is not read, when the file holds it only as a
   * parametrization ({@code L.parametrizations.X.original}); {@code null} when the file has {@code name} or no such
   * parametrization.
   *
   * @param who what names the tensor, for the message ({@code net.json names tensor ...})
   */
  public static String refusal(String who, TensorFile tensors, String name) {
    int dot = name.lastIndexOf('.');
    if (tensors.has(name) || dot < 0) return null;
    String under = name.substring(0, dot + 1) + SpectralNorms.PARAMETRIZATIONS + name.substring(dot + 1) + ".";
    if (!tensors.has(under + "original")) return null;
    List<String> held = new ArrayList<>();
    for (String n : tensors.names()) if (n.startsWith(under)) held.add("'" + n + "'");
    return who + " tensor '" + name + "', which " + tensors.source() + " holds only as a parametrization "
        + "(torch.nn.utils.parametrize): " + String.join(", ", held) + ", from which the parametrization's forward "
        + "computes the weight (parametrizations.orthogonal's matrix exponential or Householder product, or a "
        + "parametrization of your code); that forward is code the file does not hold (only spectral_norm's, "
        + "original with 0._u and 0._v, is composed here), so the weight is not read. Save the weights it computes: "
        + "torch.nn.utils.parametrize.remove_parametrizations(module, '" + name.substring(dot + 1) + "') on each "
        + "parametrized module (it keeps the computed weight as a plain parameter), then "
        + "torch.save(model.state_dict(), PATH)";
  }
}
