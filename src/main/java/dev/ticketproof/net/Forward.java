package dev.ticketproof.net;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Forward evaluation of {@link Network}s, layer by layer through {@link Layer#forward}, and the numerical routines
 * the layer records' forward passes share (im2col convolution, pooling, BatchNorm, residual sums).
 *
 * <p>Tensors are batches: images {@code [N, C, H, W]} (NCHW), feature vectors {@code [N, F]}. Semantics follow
 * PyTorch: convolution is cross-correlation, \( y[n,o,p,q] = b[o] + \sum_{c,i,j} K[o,c,i,j]\, x[n,c,ps-P+i,qs-P+j] \)
 * with zeros outside the image (stride s, padding P); dense convs are evaluated by im2col and an EJML matrix
 * product. Every example of a batch is computed by exactly the same sequence of floating-point operations,
 * independently of the other examples, so results are bit-identical for any batch split and any thread count.
 */
public final class Forward {
  private Forward() {}

  /**
   * The network's output on a batch, using up to {@code min(N, available processors)} threads.
   *
   * @param net the network. Not modified.
   * @param batch shape {@code [N, C, H, W]} with {@code {C, H, W} = net.inputShape()}; a network whose input shape
   *     is {@code {F, 1, 1}} also accepts {@code [N, F]}, one whose input shape is {@code {F}} also accepts
   *     {@code [N, F, 1, 1]}. Not modified.
   * @return the output batch, {@code [N] ++} {@link Shapes#output(Network)}
   * @throws IllegalArgumentException if the batch shape does not fit the network, or a layer does not accept its
   *     input (the message names the layer)
   */
  public static Tensor forward(Network net, Tensor batch) {
    return forward(net, batch, Runtime.getRuntime().availableProcessors());
  }

  /**
   * The network's output on a batch using at most {@code threads} threads; the result does not depend on
   * {@code threads}, bit for bit.
   *
   * @param net the network. Not modified.
   * @param batch see {@link #forward(Network, Tensor)}. Not modified.
   * @param threads the number of threads, >= 1
   * @return the output batch
   * @throws IllegalArgumentException on shape mismatches or {@code threads < 1}
   */
  public static Tensor forward(Network net, Tensor batch, int threads) {
    if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    int[] in = net.inputShape();
    Tensor x = canonicalInput(in, batch);
    List<int[]> shapes = Shapes.infer(net);
    int[] outShape = shapes.get(shapes.size() - 1);
    int n = x.dim(0);
    int inSize = x.size() / Math.max(n, 1);
    int outSize = product(outShape);
    double[] out = new double[Math.multiplyExact(n, outSize)];
    int[] exampleShape = prepend(1, in);
    IntConsumer one = e -> {
      Tensor xe = Tensor.of(Arrays.copyOfRange(x.data(), e * inSize, (e + 1) * inSize), exampleShape);
      Tensor ye = forwardLayers(net.layers(), xe);
      System.arraycopy(ye.data(), 0, out, e * outSize, outSize);
    };
    int t = Math.min(threads, n);
    if (t <= 1) {
      IntStream.range(0, n).forEach(one);
    } else {
      ForkJoinPool pool = new ForkJoinPool(t);
      try {
        pool.submit(() -> IntStream.range(0, n).parallel().forEach(one)).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("forward pass interrupted", e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException r) throw r;
        if (cause instanceof Error err) throw err;
        throw new IllegalStateException(cause);
      } finally {
        pool.shutdown();
      }
    }
    return Tensor.of(out, prepend(n, outShape));
  }

  /**
   * The outputs of every layer of a network on a batch (one thread): element {@code i} is the output of layer
   * {@code i}; the last element equals {@link #forward(Network, Tensor)} bit for bit.
   *
   * @param net the network. Not modified.
   * @param batch see {@link #forward(Network, Tensor)}. Not modified.
   * @return {@code net.layers().size()} batches
   * @throws IllegalArgumentException on shape mismatches
   */
  public static List<Tensor> trace(Network net, Tensor batch) {
    Tensor y = canonicalInput(net.inputShape(), batch);
    Shapes.infer(net);
    List<Tensor> outs = new java.util.ArrayList<>(net.layers().size());
    for (Layer layer : net.layers()) {
      y = apply(layer, y);
      outs.add(y);
    }
    return outs;
  }

  /**
   * Applies layers in order on one thread.
   *
   * @param layers the layers. Not modified.
   * @param x the input batch. Not modified.
   * @return the output batch
   */
  public static Tensor forwardLayers(List<Layer> layers, Tensor x) {
    Tensor y = x;
    for (int i = 0; i < layers.size(); i++) {
      try {
        y = apply(layers.get(i), y);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("layer " + i + ": " + e.getMessage(), e);
      }
    }
    return y;
  }

  /**
   * Applies one layer to a batch.
   *
   * @param layer the layer. Not modified.
   * @param x the input batch. Not modified.
   * @return the output batch (a new tensor)
   * @throws IllegalArgumentException if the layer does not accept the shape of {@code x}
   */
  public static Tensor apply(Layer layer, Tensor x) {
    return layer.forward(x);
  }

  /**
   * Dense 2-d cross-correlation, by im2col and an EJML matrix product per example.
   *
   * @param conv the layer. Not modified.
   * @param x shape {@code [N, C, H, W]}. Not modified.
   * @return shape {@code [N, O, Ho, Wo]}, \( H_o = \lfloor (H + 2P - k_h)/s \rfloor + 1 \)
   */
  public static Tensor conv2d(Conv2d conv, Tensor x) {
    int[] os = checked(conv, x);
    int n = x.dim(0);
    int c = x.dim(1);
    int h = x.dim(2);
    int w = x.dim(3);
    int o = os[0];
    int ho = os[1];
    int wo = os[2];
    int kh = conv.kernelHeight();
    int kw = conv.kernelWidth();
    int fanIn = c * kh * kw;
    int positions = ho * wo;
    DMatrixRMaj kernel = DMatrixRMaj.wrap(o, fanIn, conv.weight().data());
    double[] out = new double[n * o * positions];
    // im2col buffer reused per thread (only its first fanIn * positions entries are read)
    double[] cols = scratch(fanIn * positions);
    DMatrixRMaj colMatrix = DMatrixRMaj.wrap(fanIn, positions, cols);
    DMatrixRMaj result = n == 1 ? DMatrixRMaj.wrap(o, positions, out) : new DMatrixRMaj(o, positions);
    double[] bias = conv.bias() == null ? null : conv.bias().data();
    int inPlane = c * h * w;
    for (int e = 0; e < n; e++) {
      im2col(x.data(), e * inPlane, c, h, w, kh, kw, conv.stride(), conv.ph(), conv.pw(), ho, wo, cols);
      CommonOps_DDRM.mult(kernel, colMatrix, result);
      int base = e * o * positions;
      if (result.data != out) System.arraycopy(result.data, 0, out, base, o * positions);
      if (bias != null) {
        for (int oc = 0; oc < o; oc++) {
          double b = bias[oc];
          int off = base + oc * positions;
          for (int p = 0; p < positions; p++) out[off + p] += b;
        }
      }
    }
    return Tensor.of(out, n, o, ho, wo);
  }

  /**
   * Sparse 2-d cross-correlation: for every kept weight, one multiply-add per output position it touches; time
   * proportional to {@code nonZeros() * Ho * Wo} per example. Equal (up to rounding) to {@link #conv2d} of
   * {@link SparseConv2d#toDense()}.
   *
   * @param conv the layer. Not modified.
   * @param x shape {@code [N, C, H, W]}. Not modified.
   * @return shape {@code [N, O, Ho, Wo]}
   */
  public static Tensor sparseConv2d(SparseConv2d conv, Tensor x) {
    int[] os = checked(conv, x);
    int n = x.dim(0);
    int h = x.dim(2);
    int w = x.dim(3);
    int o = os[0];
    int ho = os[1];
    int wo = os[2];
    int kh = conv.kernelHeight();
    int kw = conv.kernelWidth();
    int s = conv.stride();
    int ph = conv.ph();
    int pw = conv.pw();
    int positions = ho * wo;
    int inPlane = x.dim(1) * h * w;
    int[] rowStart = conv.rowStart();
    int[] column = conv.column();
    double[] values = conv.values();
    double[] xd = x.data();
    double[] out = new double[n * o * positions];
    double[] bias = conv.bias() == null ? null : conv.bias().data();
    for (int e = 0; e < n; e++) {
      int xBase = e * inPlane;
      for (int oc = 0; oc < o; oc++) {
        int yBase = (e * o + oc) * positions;
        for (int k = rowStart[oc]; k < rowStart[oc + 1]; k++) {
          int col = column[k];
          int j = col % kw;
          int i = (col / kw) % kh;
          int ch = col / (kw * kh);
          double wt = values[k];
          // output rows p with 0 <= p*s - ph + i < h, output columns q with 0 <= q*s - pw + j < w
          int pLo = firstValid(ph - i, s);
          int pHi = Math.min(ho - 1, floorDiv(h - 1 + ph - i, s));
          int qLo = firstValid(pw - j, s);
          int qHi = Math.min(wo - 1, floorDiv(w - 1 + pw - j, s));
          int plane = xBase + ch * h * w;
          for (int p = pLo; p <= pHi; p++) {
            int xRow = plane + (p * s - ph + i) * w - pw + j;
            int yRow = yBase + p * wo;
            if (s == 1) {
              for (int q = qLo; q <= qHi; q++) out[yRow + q] += wt * xd[xRow + q];
            } else {
              for (int q = qLo; q <= qHi; q++) out[yRow + q] += wt * xd[xRow + q * s];
            }
          }
        }
        if (bias != null) {
          double b = bias[oc];
          for (int p = 0; p < positions; p++) out[yBase + p] += b;
        }
      }
    }
    return Tensor.of(out, n, o, ho, wo);
  }

  /**
   * Fully connected layer \( y = W x + b \), one EJML matrix-vector product per example.
   *
   * @param linear the layer. Not modified.
   * @param x shape {@code [N, F]} or {@code [N, F, 1, 1]}. Not modified.
   * @return shape {@code [N, out]}
   */
  public static Tensor linear(Linear linear, Tensor x) {
    checked(linear, x);
    int n = x.dim(0);
    int fin = linear.inFeatures();
    int fout = linear.outFeatures();
    DMatrixRMaj weight = DMatrixRMaj.wrap(fout, fin, linear.weight().data());
    DMatrixRMaj column = new DMatrixRMaj(fin, 1);
    DMatrixRMaj result = new DMatrixRMaj(fout, 1);
    double[] out = new double[n * fout];
    double[] bias = linear.bias() == null ? null : linear.bias().data();
    for (int e = 0; e < n; e++) {
      System.arraycopy(x.data(), e * fin, column.data, 0, fin);
      CommonOps_DDRM.mult(weight, column, result);
      for (int j = 0; j < fout; j++) out[e * fout + j] = bias == null ? result.data[j] : result.data[j] + bias[j];
    }
    return Tensor.of(out, n, fout);
  }

  /**
   * Sparse fully connected layer; time proportional to the kept weights per example.
   *
   * @param linear the layer. Not modified.
   * @param x shape {@code [N, F]} or {@code [N, F, 1, 1]}. Not modified.
   * @return shape {@code [N, out]}
   */
  public static Tensor sparseLinear(SparseLinear linear, Tensor x) {
    checked(linear, x);
    int n = x.dim(0);
    int fin = linear.inFeatures();
    int fout = linear.outFeatures();
    int[] rowStart = linear.rowStart();
    int[] column = linear.column();
    double[] values = linear.values();
    double[] xd = x.data();
    double[] out = new double[n * fout];
    double[] bias = linear.bias() == null ? null : linear.bias().data();
    for (int e = 0; e < n; e++) {
      int xBase = e * fin;
      for (int j = 0; j < fout; j++) {
        double sum = 0;
        for (int k = rowStart[j]; k < rowStart[j + 1]; k++) sum += values[k] * xd[xBase + column[k]];
        out[e * fout + j] = bias == null ? sum : sum + bias[j];
      }
    }
    return Tensor.of(out, n, fout);
  }

  /**
   * Elementwise activation, \( y = \phi(x) \).
   *
   * @param phi the activation. Not modified.
   * @param x any shape. Not modified.
   * @return same shape
   */
  public static Tensor activation(Activation phi, Tensor x) {
    double[] in = x.data();
    double[] out = new double[in.length];
    for (int t = 0; t < in.length; t++) out[t] = phi.value(in[t]);
    return Tensor.of(out, x.shape());
  }

  /**
   * BatchNorm in inference mode, \( y = \gamma_c (x - \mu_c) / \sqrt{v_c + \epsilon} + \beta_c \).
   *
   * @param bn the layer. Not modified.
   * @param x shape {@code [N, C, H, W]}. Not modified.
   * @return same shape
   */
  public static Tensor batchNorm(BatchNorm2d bn, Tensor x) {
    checked(bn, x);
    int n = x.dim(0);
    int c = x.dim(1);
    int plane = x.rank() == 4 ? x.dim(2) * x.dim(3) : 1;
    double[] in = x.data();
    double[] out = new double[in.length];
    for (int ch = 0; ch < c; ch++) {
      double scale = bn.gamma()[ch] / Math.sqrt(bn.var()[ch] + bn.eps());
      double mean = bn.mean()[ch];
      double beta = bn.beta()[ch];
      for (int e = 0; e < n; e++) {
        int off = (e * c + ch) * plane;
        for (int p = 0; p < plane; p++) out[off + p] = scale * (in[off + p] - mean) + beta;
      }
    }
    return Tensor.of(out, x.shape());
  }

  /**
   * Average pooling with kh x kw windows and no padding (PyTorch {@code AvgPool2d((kh, kw), (sh, sw))}).
   *
   * @param pool the layer. Not modified.
   * @param x shape {@code [N, C, H, W]}. Not modified.
   * @return shape {@code [N, C, (H-kh)/sh+1, (W-kw)/sw+1]}
   */
  public static Tensor avgPool(AvgPool2d pool, Tensor x) {
    return pool(x, checked(pool, x), pool.kh(), pool.kw(), pool.sh(), pool.sw(), 0, 0, false);
  }

  /**
   * Max pooling with kh x kw windows, padding that is never the maximum (PyTorch
   * {@code MaxPool2d((kh, kw), (sh, sw), (ph, pw))}).
   *
   * @param pool the layer. Not modified.
   * @param x shape {@code [N, C, H, W]}. Not modified.
   * @return shape {@code [N, C, (H+2ph-kh)/sh+1, (W+2pw-kw)/sw+1]}
   */
  public static Tensor maxPool(MaxPool2d pool, Tensor x) {
    return pool(x, checked(pool, x), pool.kh(), pool.kw(), pool.sh(), pool.sw(), pool.ph(), pool.pw(), true);
  }

  /**
   * Pooling of every kh x kw window (strides sh, sw, paddings ph, pw, which no window reads) into output shape
   * {@code os}: the maximum (NaN wins, as in PyTorch) or the mean over kh kw, summed row by row.
   */
  private static Tensor pool(Tensor x, int[] os, int kh, int kw, int sh, int sw, int ph, int pw, boolean max) {
    int n = x.dim(0);
    int c = x.dim(1);
    int h = x.dim(2);
    int w = x.dim(3);
    int ho = os[1];
    int wo = os[2];
    double area = (double) kh * kw;
    double[] in = x.data();
    double[] out = new double[n * c * ho * wo];
    for (int plane = 0; plane < n * c; plane++) {
      int ib = plane * h * w;
      int ob = plane * ho * wo;
      for (int y = 0; y < ho; y++) {
        for (int q = 0; q < wo; q++) {
          double acc = max ? Double.NEGATIVE_INFINITY : 0;
          for (int i = Math.max(0, y * sh - ph); i < Math.min(h, y * sh - ph + kh); i++) {
            for (int j = Math.max(0, q * sw - pw); j < Math.min(w, q * sw - pw + kw); j++) {
              double v = in[ib + i * w + j];
              if (!max) acc += v;
              else if (v > acc || Double.isNaN(v)) acc = v;
            }
          }
          out[ob + y * wo + q] = max ? acc : acc / area;
        }
      }
    }
    return Tensor.of(out, n, c, ho, wo);
  }

  /**
   * Global average pooling: the mean of each channel's plane.
   *
   * @param pool the layer. Not modified.
   * @param x shape {@code [N, C, H, W]}. Not modified.
   * @return shape {@code [N, C, 1, 1]}
   */
  public static Tensor globalAvgPool(GlobalAvgPool pool, Tensor x) {
    checked(pool, x);
    int n = x.dim(0);
    int c = x.dim(1);
    int plane = x.dim(2) * x.dim(3);
    double[] in = x.data();
    double[] out = new double[n * c];
    for (int t = 0; t < n * c; t++) {
      double sum = 0;
      for (int p = 0; p < plane; p++) sum += in[t * plane + p];
      out[t] = sum / plane;
    }
    return Tensor.of(out, n, c, 1, 1);
  }

  /**
   * Flattens each example in C order.
   *
   * @param flatten the layer. Not modified.
   * @param x shape {@code [N, ...]}. Not modified.
   * @return shape {@code [N, product of the other dimensions]} (shares no data with {@code x})
   */
  public static Tensor flatten(Flatten flatten, Tensor x) {
    checked(flatten, x);
    int n = x.dim(0);
    return Tensor.of(x.data().clone(), n, n == 0 ? 0 : x.size() / n);
  }

  /**
   * A residual block, \( \phi( bn_2(conv_2(\phi(bn_1(conv_1 x)))) + shortcut(x) ) \); a missing BatchNorm is the
   * identity; an identity shortcut with a scale multiplies channel c by {@code scale[c]}.
   *
   * @param block the block. Not modified.
   * @param x shape {@code [N, C, H, W]}. Not modified.
   * @return the block's output
   */
  public static Tensor residual(ResidualBlock block, Tensor x) {
    checked(block, x);
    Tensor t = conv2d(block.conv1(), x);
    if (block.bn1() != null) t = batchNorm(block.bn1(), t);
    t = activation(block.phi(), t);
    t = conv2d(block.conv2(), t);
    if (block.bn2() != null) t = batchNorm(block.bn2(), t);
    double[] main = t.data();
    if (block.shortcut() instanceof ResidualBlock.Identity id) {
      double[] in = x.data();
      double[] scale = id.scale();
      if (scale == null) {
        for (int p = 0; p < main.length; p++) main[p] += in[p];
      } else {
        int c = x.dim(1);
        int plane = x.dim(2) * x.dim(3);
        for (int p = 0; p < main.length; p++) main[p] += scale[(p / plane) % c] * in[p];
      }
    } else {
      ResidualBlock.Projection proj = (ResidualBlock.Projection) block.shortcut();
      Tensor skip = conv2d(proj.conv(), x);
      if (proj.bn() != null) skip = batchNorm(proj.bn(), skip);
      double[] s = skip.data();
      for (int p = 0; p < main.length; p++) main[p] += s[p];
    }
    Activation phi = block.phi();
    for (int p = 0; p < main.length; p++) main[p] = phi.value(main[p]);
    return t;
  }

  /**
   * A general residual layer, \( \phi(\mathrm{body}(x) + \mathrm{shortcut}(x)) \) (no activation when
   * {@code phi} is null; an empty shortcut is the identity).
   *
   * @param residual the layer. Not modified.
   * @param x the input batch. Not modified.
   * @return the layer's output
   */
  public static Tensor residual(Residual residual, Tensor x) {
    checked(residual, x);
    Tensor t = forwardLayers(residual.body(), x);
    Tensor skip = forwardLayers(residual.shortcut(), x);
    double[] main = t.data() == x.data() ? t.data().clone() : t.data();
    double[] s = skip.data();
    Activation phi = residual.phi();
    for (int p = 0; p < main.length; p++) {
      double v = main[p] + s[p];
      main[p] = phi == null ? v : phi.value(v);
    }
    return Tensor.of(main, t.shape());
  }

  /** Fills {@code cols[(c kh + i) kw + j][p wo + q] = x[c, p s - pad + i, q s - pad + j]} (0 outside). */
  private static void im2col(double[] x, int base, int c, int h, int w, int kh, int kw, int s, int ph, int pw,
      int ho, int wo, double[] cols) {
    int positions = ho * wo;
    int row = 0;
    for (int ch = 0; ch < c; ch++) {
      int plane = base + ch * h * w;
      for (int i = 0; i < kh; i++) {
        for (int j = 0; j < kw; j++, row++) {
          int rowOff = row * positions;
          for (int p = 0; p < ho; p++) {
            int iy = p * s - ph + i;
            int dst = rowOff + p * wo;
            if (iy < 0 || iy >= h) {
              Arrays.fill(cols, dst, dst + wo, 0.0);
              continue;
            }
            int src = plane + iy * w;
            for (int q = 0; q < wo; q++) {
              int ix = q * s - pw + j;
              cols[dst + q] = ix >= 0 && ix < w ? x[src + ix] : 0.0;
            }
          }
        }
      }
    }
  }

  private static final ThreadLocal<double[]> SCRATCH = ThreadLocal.withInitial(() -> new double[0]);

  /** A per-thread buffer of at least {@code size} doubles (contents unspecified). */
  private static double[] scratch(int size) {
    double[] buf = SCRATCH.get();
    if (buf.length < size) {
      buf = new double[size];
      // keep small buffers for reuse; a huge one (a layer of a wide source on a large image) is not retained
      if (size <= MAX_RETAINED_SCRATCH) SCRATCH.set(buf);
    }
    return buf;
  }

  /** The largest im2col buffer kept per thread between calls: 2^22 doubles (32 MiB). */
  private static final int MAX_RETAINED_SCRATCH = 1 << 22;

  private static int firstValid(int numerator, int s) {
    // smallest p >= 0 with p * s >= numerator
    return numerator <= 0 ? 0 : (numerator + s - 1) / s;
  }

  private static int floorDiv(int a, int b) { return Math.floorDiv(a, b); }

  /**
   * Checks a batch's shape against a layer, for the layers' forward passes.
   *
   * @return the per-example output shape
   * @throws IllegalArgumentException naming the layer when the batch has rank &lt; 2 or the layer does not accept
   *     its per-example shape
   */
  static int[] checked(Layer layer, Tensor x) {
    if (x.rank() < 2) {
      throw new IllegalArgumentException(layer.describe() + ": expected a batch [N, ...], got " + x);
    }
    return Shapes.output(layer, Arrays.copyOfRange(x.shape(), 1, x.rank()));
  }

  private static Tensor canonicalInput(int[] in, Tensor batch) {
    int r = batch.rank();
    int[] per = r >= 1 ? Arrays.copyOfRange(batch.shape(), 1, r) : new int[0];
    if (Arrays.equals(per, in)) return batch;
    boolean featuresAsImage = in.length == 3 && in[1] == 1 && in[2] == 1 && per.length == 1 && per[0] == in[0];
    boolean imageAsFeatures = in.length == 1 && per.length == 3 && per[0] == in[0] && per[1] == 1 && per[2] == 1;
    if (featuresAsImage || imageAsFeatures) return batch.reshape(prepend(batch.dim(0), in));
    throw new IllegalArgumentException("network input: expected a batch of shape [N, "
        + Arrays.toString(in).substring(1) + ", got " + Arrays.toString(batch.shape()));
  }

  private static int[] prepend(int n, int[] shape) {
    int[] s = new int[shape.length + 1];
    s[0] = n;
    System.arraycopy(shape, 0, s, 1, shape.length);
    return s;
  }

  private static int product(int[] shape) {
    int p = 1;
    for (int d : shape) p = Math.multiplyExact(p, d);
    return p;
  }
}
