package dev.ticketproof.net;

/**
 * A layer of a {@link Network}: pure data (weights and hyper-parameters). Evaluation lives apart from the data.
 * Names are the tensor-name prefixes of the PyTorch state dict the layer was read from ({@code 0},
 * {@code blocks.3.conv1}); they are what {@code --upto} and reports use.
 */
public sealed interface Layer
    permits Conv2d, Linear, ActivationLayer, BatchNorm2d, AvgPool2d, GlobalAvgPool, Flatten, ResidualBlock,
        SparseConv2d, SparseLinear, Residual {}
