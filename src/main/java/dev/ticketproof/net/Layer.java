package dev.ticketproof.net;

/**
 * A layer of a {@link Network}: data (weights and hyper-parameters) that states its own output shape and
 * description. Evaluation lives apart from the data ({@link Forward}).
 * Names are the tensor-name prefixes of the PyTorch state dict the layer was read from ({@code 0},
 * {@code blocks.3.conv1}); they are what {@code --upto} and reports use.
 */
public sealed interface Layer
    permits Conv2d, Linear, ActivationLayer, BatchNorm2d, AvgPool2d, MaxPool2d, GlobalAvgPool, Flatten, ResidualBlock,
        SparseConv2d, SparseLinear, Residual {
  /**
   * The per-example output shape for a per-example input shape ({@link Shapes} applies it layer by layer and checks
   * the input's rank and dimensions first).
   *
   * @param in the input shape: rank &gt;= 1, positive dimensions. Not modified.
   * @return the output shape (a fresh array)
   * @throws IllegalArgumentException if the layer does not accept {@code in}; the message names the layer
   *     ({@link #describe()}), the expected and the actual shape
   */
  int[] outShape(int[] in);

  /**
   * A short description for messages: the layer's kind and, where it has one, its name, e.g.
   * {@code conv 'blocks.1.conv2' (16->16, 3x3, stride 1, padding 1)}.
   */
  String describe();
}
