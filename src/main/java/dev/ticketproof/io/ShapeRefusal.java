package dev.ticketproof.io;

/**
 * A layer that no layer of the normal form computes on the input it gets, though it may on another (a conv with
 * unequal strides where both axes have several outputs, a conv padding that gives more outputs than the input has
 * rows). Thrown while a layer is built; {@link NetworkBuilder} reports it as an {@link ImportException} naming the
 * layer and its input, and where input sizes are tried (a whole model's input shape) the size does not fit.
 */
public final class ShapeRefusal extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ShapeRefusal(String message) { super(message); }
}
