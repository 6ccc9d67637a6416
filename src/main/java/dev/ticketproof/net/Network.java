package dev.ticketproof.net;

import java.util.List;

/**
 * A feed-forward network: layers applied in order to an input of shape [N, C, H, W] (a fully connected network
 * reads [N, F] or [N, F, 1, 1]).
 *
 * @param inputShape the per-example input shape, {C, H, W}
 * @param layers the layers in order
 * @param outputActivation the function applied to the outputs after the last layer (a final sigmoid or softmax),
 *     or {@code null} for none. The layers are what the constructions approximate and what a certificate is
 *     about; {@link Forward#forward} computes them without it, and {@link #outputs} with it.
 */
public record Network(int[] inputShape, List<Layer> layers, OutputActivation outputActivation) {
  public Network {
    inputShape = inputShape.clone();
    layers = List.copyOf(layers);
  }

  /** A network without output activation. */
  public Network(int[] inputShape, List<Layer> layers) {
    this(inputShape, layers, null);
  }

  /** The network's outputs as its file computes them: the layers, then the output activation if there is one. */
  public dev.ticketproof.tensor.Tensor outputs(dev.ticketproof.tensor.Tensor batch) {
    dev.ticketproof.tensor.Tensor y = Forward.forward(this, batch);
    return outputActivation == null ? y : outputActivation.apply(y);
  }
}
