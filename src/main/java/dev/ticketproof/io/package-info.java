/**
 * Reading targets: PyTorch {@code .pt} files through a restricted unpickler, NumPy {@code .npy}/{@code .npz}
 * files ({@link dev.ticketproof.io.TensorFiles}), masks, architecture specs ({@link dev.ticketproof.io.ArchSpec})
 * and building a {@link dev.ticketproof.net.Network} from tensors and a spec
 * ({@link dev.ticketproof.io.NetworkBuilder}). Errors name the file, tensor or field at fault
 * ({@link dev.ticketproof.io.ImportException}).
 */
package dev.ticketproof.io;
