package dev.ticketproof.net;

import java.util.List;

/**
 * A feed-forward network: layers applied in order to an input of shape [N, C, H, W] (a fully connected network
 * reads [N, F] or [N, F, 1, 1]).
 *
 * @param inputShape the per-example input shape, {C, H, W}
 * @param layers the layers in order
 */
public record Network(int[] inputShape, List<Layer> layers) {
  public Network {
    inputShape = inputShape.clone();
    layers = List.copyOf(layers);
  }
}
