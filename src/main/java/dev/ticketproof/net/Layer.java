package dev.ticketproof.net;

import dev.ticketproof.tensor.Tensor;

/**
 * A layer of a {@link Network}: data (weights and hyper-parameters) that states its own output shape, its
 * description and its forward pass on a batch. The kernel reads the data and the output shape, never the forward
 * pass (its own normal form, {@code kernel.TargetPlan}, says what a layer computes; {@code ArchitectureTest} checks
 * that the kernel calls no {@code forward}).
 * Names are the tensor-name prefixes of the PyTorch state dict the layer was read from ({@code 0},
 * {@code blocks.3.conv1}); they are what {@code --upto} and reports use.
 */
public sealed interface Layer
    permits Conv2d, Linear, ActivationLayer, BatchNorm2d, AvgPool2d, MaxPool2d, GlobalAvgPool, Flatten, ResidualBlock,
        SparseConv2d, SparseLinear, Residual, ReluDoubling.Leaky, Bottleneck {
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
   * The layer's output on a batch, every example computed by the same sequence of floating-point operations,
   * independently of the others ({@link Forward#forward(Network, Tensor, int)} relies on it). Shared numerical
   * routines (im2col convolution, pooling) are {@link Forward}'s.
   *
   * @param batch {@code [N] ++} an input shape the layer accepts. Not modified.
   * @return the output batch, {@code [N] ++} {@link #outShape} of the per-example shape (a new tensor)
   * @throws IllegalArgumentException if the layer does not accept the shape of {@code batch}, naming the layer
   */
  Tensor forward(Tensor batch);

  /**
   * A short description for messages: the layer's kind and, where it has one, its name, e.g.
   * {@code conv 'blocks.1.conv2' (16->16, 3x3, stride 1, padding 1)}.
   */
  String describe();
}
