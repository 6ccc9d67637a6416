/**
 * Reading targets: PyTorch {@code .pt} files through a restricted unpickler, NumPy {@code .npy}/{@code .npz}
 * files ({@link dev.ticketproof.io.TensorFiles}), masks, architecture specs ({@link dev.ticketproof.io.ArchSpec})
 * and building a {@link dev.ticketproof.net.Network} from tensors and a spec
 * ({@link dev.ticketproof.io.NetworkBuilder}). Errors name the file, tensor or field at fault
 * ({@link dev.ticketproof.io.ImportException}).
 *
 * <p><b>API status.</b> Stable: {@link dev.ticketproof.io.TensorFiles}, {@link dev.ticketproof.io.ArchSpec},
 * {@link dev.ticketproof.io.NetworkBuilder} and {@link dev.ticketproof.io.ImportException}. Experimental: the
 * readers behind them.
 */
package dev.ticketproof.io;
