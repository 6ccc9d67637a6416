package dev.ticketproof.cli;

import com.google.gson.JsonArray;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ticketproof.kernel.bound.DifferentialBound;
import dev.ticketproof.kernel.check.TicketChecker;
import dev.ticketproof.measure.DataBox;
import dev.ticketproof.measure.LowerBound;
import dev.ticketproof.measure.Measure;
import dev.ticketproof.measure.Sizes;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.limits.Budget;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Shared helpers of the ticket commands: inputs, report JSON and tables. */
final class Cli {
  private Cli() {}

  /** Most worker threads accepted: four per processor, at least 16. */
  static int maxThreads() { return Math.max(16, 4 * Runtime.getRuntime().availableProcessors()); }

  /** {@code --threads}: the available processors by default, else in [1, {@link #maxThreads()}]. */
  static int threads(Integer threads) {
    if (threads == null) return Runtime.getRuntime().availableProcessors();
    if (threads < 1 || threads > maxThreads()) {
      throw new UsageError("--threads must be in [1, " + maxThreads() + "] (four per processor, at least 16), got "
          + threads);
    }
    return threads;
  }

  /**
   * {@code --samples}: at least 0, and the samples (each one example of the network's input) must fit the input
   * memory limit, since they are drawn at once.
   */
  static void checkSamples(int samples, dev.ticketproof.net.Network net) {
    if (samples < 0) throw new UsageError("--samples must be >= 0, got " + samples);
    long values = Budget.values(net.inputShape());
    long bytes = Budget.bytes(Budget.bytes(samples, values), Double.BYTES);
    long limit = Budget.limit();
    if (bytes > limit) {
      throw new UsageError("--samples " + samples + ": " + samples + " inputs of " + values + " values need " + bytes
          + " bytes, above the input limit of " + limit + " bytes (at most " + limit / Math.max(1, values * 8)
          + " samples); " + Budget.HINT);
    }
  }

  /**
   * Measuring target against ticket on examples holds feature maps of the source network: about {@code copies}
   * times the target's largest per-example feature map, for a few buffers and one example per parallel worker. The
   * estimate must fit the input memory limit, else the run is refused up front (it would run out of memory after
   * minutes).
   *
   * @param copies the largest number of copies per channel (rho or rho1)
   * @param examples how many examples are measured (samples, plus data)
   */
  static void checkMeasurement(dev.ticketproof.net.Network net, int copies, long examples) {
    if (examples <= 0) return;
    long largest = 0;
    for (int[] s : dev.ticketproof.net.Shapes.infer(net)) largest = Math.max(largest, Budget.values(s));
    long parallel = Math.min(examples, Runtime.getRuntime().availableProcessors());
    long bytes = Budget.bytes(Budget.bytes(Budget.bytes(largest, copies), 3 * Double.BYTES), parallel);
    long limit = Budget.limit();
    if (bytes > limit) {
      throw new UsageError("measuring on " + examples + " example(s) of shape " + java.util.Arrays.toString(
          net.inputShape()) + " needs about " + bytes + " bytes (largest feature map " + largest + " values x "
          + copies + " copies x 3 buffers of 8 bytes x " + parallel + " workers), above the input limit of " + limit
          + " bytes; give --samples 0 (and no --data), a smaller input, or raise the limit " + Budget.HOW);
    }
  }

  /** {@code --form-budget N}: a positive number of doubles, optionally with K, M or G (2^10, 2^20, 2^30). */
  static long formBudget(String n) {
    String t = n.trim().toUpperCase(java.util.Locale.ROOT);
    int shift = t.endsWith("K") ? 10 : t.endsWith("M") ? 20 : t.endsWith("G") ? 30 : 0;
    long v;
    try {
      v = Long.parseLong(shift == 0 ? t : t.substring(0, t.length() - 1));
    } catch (NumberFormatException e) {
      v = -1;
    }
    if (v < 1 || v > Long.MAX_VALUE >> 30) {
      throw new UsageError("--form-budget must be a positive integer, optionally with K, M or G (e.g. 64M), got '"
          + n + "'");
    }
    return v << shift;
  }

  /** {@code --substitution-work N}: a finite number of multiply-adds >= 0 (e.g. 2e9 or 50000000000). */
  static double substitutionWork(String n) {
    double v;
    try {
      v = Double.parseDouble(n.trim());
    } catch (NumberFormatException e) {
      v = Double.NaN;
    }
    if (!(v >= 0 && v < Double.POSITIVE_INFINITY) || n.trim().matches(".*[^0-9eE.+-].*")) {
      throw new UsageError("--substitution-work must be a finite number >= 0 of multiply-adds per region (e.g. 5e10),"
          + " got '" + n + "'");
    }
    return v;
  }

  /**
   * {@code --input-box LO,HI}: two finite numbers with LO < HI.
   *
   * @return {LO, HI}
   */
  static double[] box(String box) {
    double[] b = interval(box, ",");
    if (b == null) throw new UsageError("--input-box must be LO,HI (two numbers), got '" + box + "'");
    if (!(b[0] < b[1] && Double.isFinite(b[0]) && Double.isFinite(b[1]))) {
      throw new UsageError("--input-box needs finite LO < HI, got '" + box + "'");
    }
    if (beyondBox(b)) throw new UsageError("--input-box: LO and HI must be " + BOX_LIMIT + ", got '" + box + "'");
    return b;
  }

  /**
   * The largest end of an input box ({@code --input-box}, {@code --input-bound}) in absolute value: the certified
   * bound grows with the box, and over boxes reaching 1e306 it is no longer a double (digits-cnn).
   */
  static final double MAX_BOX = 1e100;

  /** Why the box ends are limited, for messages. */
  static final String BOX_WHY = "the certified bound grows with the box and would leave the doubles";

  /** The limit with why, for messages ("must be " + this). */
  static final String BOX_LIMIT = "at most 1e100 in absolute value (" + BOX_WHY + ")";

  /** Whether a box end or data value is beyond {@link #MAX_BOX} in absolute value (or NaN): it is refused. */
  static boolean beyondBox(double... values) {
    for (double v : values) {
      if (!(Math.abs(v) <= MAX_BOX)) return true;
    }
    return false;
  }

  /** Two numbers separated by {@code sep} (spaces around them allowed), or null when the text is not that. */
  private static double[] interval(String text, String sep) {
    String[] parts = text.split(java.util.regex.Pattern.quote(sep), -1);
    if (parts.length != 2) return null;
    try {
      return new double[] {Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim())};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * The box of {@code --input-box} or {@code --input-bound}: the union [lo, hi] of its intervals and, when every input
   * channel has its own, those intervals.
   *
   * @param lo the smallest lower end
   * @param hi the largest upper end
   * @param channels per input channel {lo, hi}, or null when every channel has [lo, hi]
   */
  record InputBox(double lo, double hi, double[][] channels) {
    /** The same interval [lo, hi] for every channel. */
    static InputBox uniform(double lo, double hi) { return new InputBox(lo, hi, null); }

    /** Per-channel intervals, with their union. */
    static InputBox of(double[][] channels) {
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (double[] b : channels) {
        lo = Math.min(lo, b[0]);
        hi = Math.max(hi, b[1]);
      }
      return new InputBox(lo, hi, channels);
    }

    /** The lower ends, one per channel (one for all without per-channel intervals). */
    double[] lows() { return column(0, lo); }

    /** The upper ends, one per channel (one for all without per-channel intervals). */
    double[] highs() { return column(1, hi); }

    private double[] column(int k, double all) {
      if (channels == null) return new double[] {all};
      double[] v = new double[channels.length];
      for (int c = 0; c < v.length; c++) v[c] = channels[c][k];
      return v;
    }

    /** The whole box as a region. */
    dev.ticketproof.kernel.bound.Region region() { return dev.ticketproof.kernel.bound.Region.box(lows(), highs()); }
  }

  /**
   * The input box of {@code construct} when {@code --data} or {@code --around} is given without {@code --input-box} or
   * {@code --input-bound}: {@link DataBox}'s (a box per channel as {@code --input-box data}). A note on {@code err}
   * names a box other than [-1, 1].
   *
   * @param data the rows of {@code --data}, or the points of {@code --around} without it, or both (each flattened,
   *     CHW order)
   * @param source the flags and files they come from, for messages ({@code --data x.npy})
   */
  static InputBox defaultBox(int channels, boolean vector, List<double[]> data, String source,
      java.io.PrintWriter err) {
    DataBox box = DataBox.of(channels, vector, data);
    if (box.kind() == DataBox.Kind.UNIT) return InputBox.uniform(-1, 1);
    String why = "construct: note: no --input-box nor --input-bound: the values of " + source + " lie in ["
        + fmt(box.dataLow()) + ", " + fmt(box.dataHigh()) + "], ";
    String other = "LO,HI or LO:HI,... to certify another)";
    err.println(why + switch (box.kind()) {
      case ZERO_ONE -> "so the box is [0, 1] (give --input-box LO,HI to certify another)";
      case WHOLE_RANGE -> "beyond [-1, 1], so the box is that range on every feature (give --input-box data for "
          + "each feature's own range, " + other;
      case EACH_FEATURE -> "beyond [-1, 1], on features of unequal scales, so the box is each feature's range in "
          + "them (--input-box data; give --input-box " + other;
      default -> "beyond [-1, 1], so the box is each input channel's range in them (--input-box data; give "
          + "--input-box " + other;
    });
    if (!box.perChannel()) return InputBox.uniform(box.uniform()[0], box.uniform()[1]);
    return channelRanges(channels, data, source, err);
  }

  /**
   * Each channel's range in rows (flattened, CHW order) of {@code source} (a flag and its file, for messages): a
   * channel with one value v gets [v, the next double above v], with a note on {@code err} (when not null).
   *
   * @throws UsageError for values that are not finite or beyond a box's limit, naming the channel and the source
   */
  private static InputBox channelRanges(int channels, List<double[]> rows, String source, java.io.PrintWriter err) {
    double[][] out = DataBox.ranges(channels, rows);
    for (int c = 0; c < channels; c++) {
      double lo = out[c][0];
      double hi = out[c][1];
      if (!(Double.isFinite(lo) && Double.isFinite(hi))) {
        throw new UsageError("--input-box data: channel " + c + " of " + source + " has values that are not finite ("
            + lo + " to " + hi + ")");
      }
      if (beyondBox(lo, hi)) {
        throw new UsageError("--input-box data: channel " + c + " of " + source + " has values from " + lo + " to "
            + hi + ", but a box's ends must be " + BOX_LIMIT);
      }
      if (lo == hi) {
        hi = Math.nextUp(lo);
        if (err != null) {
          err.println("construct: note: --input-box data: channel " + c + " takes the one value " + lo + " in "
              + source + "; its interval is [" + lo + ", " + hi + "] (the next double above)");
        }
      }
      out[c] = new double[] {lo, hi};
    }
    return InputBox.of(out);
  }

  /** A number for a message: 3 significant digits. */
  private static String fmt(double v) { return String.format(Locale.ROOT, "%.3g", v); }

  /**
   * Whether an {@code --input-box} value asks for per-channel intervals ({@code data}, or {@code LO:HI,...}) rather
   * than {@code LO,HI}.
   */
  static boolean perChannelBox(String box) { return box.trim().equals("data") || box.contains(":"); }

  /**
   * {@code --input-box} for a network with {@code channels} input channels (the features of a vector input):
   * {@code LO,HI} (the same interval for every channel), {@code LO:HI,LO:HI,...} (one interval per channel, in
   * order) or {@code data} (per channel, the smallest and largest value of that channel in the {@code --data} rows;
   * a channel with one value v gets [v, the next double above v], with a note on {@code err}).
   *
   * @param data the rows of {@code --data} (each flattened, CHW order), or null without it
   * @param dataFile the file of {@code --data}, for messages
   * @throws UsageError naming the flag, the channel and what was expected
   */
  static InputBox inputBox(String box, int channels, List<double[]> data, java.nio.file.Path dataFile,
      java.io.PrintWriter err) {
    return inputBox(box, channels, false, data, dataFile, err);
  }

  /**
   * As {@link #inputBox(String, int, List, java.nio.file.Path, java.io.PrintWriter)}, for a network that reads
   * vectors ({@code vector}: its channels are the features) or images.
   */
  static InputBox inputBox(String box, int channels, boolean vector, List<double[]> data,
      java.nio.file.Path dataFile, java.io.PrintWriter err) {
    String b = box.trim();
    if (b.equals("data")) {
      if (data == null) {
        throw new UsageError("--input-box data takes each input channel's range from the --data rows, but no --data"
            + " is given: give --data FILE, or the box as LO,HI (every channel) or LO:HI,... (one per channel)");
      }
      return channelRanges(channels, data, "--data " + dataFile, err);
    }
    if (!b.contains(":")) {
      double[] lh = box(box);
      return InputBox.uniform(lh[0], lh[1]);
    }
    String[] parts = b.split(",", -1);
    if (parts.length != channels) {
      throw new UsageError("--input-box: " + parts.length + " interval" + (parts.length == 1 ? "" : "s") + " LO:HI, "
          + "but the network has " + channels + " input channel" + (channels == 1 ? "" : "s") + (vector ? " (the "
          + "features of a vector input)" : "") + ": give one LO:HI per channel, LO,HI for the same box on every "
          + "channel, or data");
    }
    double[][] out = new double[channels][];
    for (int c = 0; c < channels; c++) {
      double[] lh = interval(parts[c], ":");
      if (lh == null) {
        throw new UsageError("--input-box: channel " + c + ": expected LO:HI (two numbers), got '" + parts[c].trim()
            + "'");
      }
      double lo = lh[0];
      double hi = lh[1];
      if (!(lo < hi && Double.isFinite(lo) && Double.isFinite(hi))) {
        throw new UsageError("--input-box: channel " + c + ": needs finite LO < HI, got '" + parts[c].trim() + "'");
      }
      if (beyondBox(lo, hi)) {
        throw new UsageError("--input-box: channel " + c + ": LO and HI must be " + BOX_LIMIT + ", got '"
            + parts[c].trim() + "'");
      }
      out[c] = new double[] {lo, hi};
    }
    return InputBox.of(out);
  }

  /**
   * The smallest tolerance a sum of {@code n} candidates (each of magnitude at most 2) resolves in doubles:
   * summing n terms rounds by up to (n - 1) 2^-53 times the sum of their magnitudes, so below n^2 2^-52 a subset
   * "within eps" is decided by rounding, and the search for one runs without end.
   */
  static double minResolvableEps(int n) { return (double) n * n * 0x1p-52; }

  /** {@code eps} must be at least {@link #minResolvableEps} for base sets of {@code n} candidates. */
  static void checkResolvable(String flag, double eps, int n) {
    if (eps < minResolvableEps(n)) {
      throw new UsageError(String.format(Locale.ROOT, "%s %g is below what doubles resolve for sums of %d "
          + "candidates (n^2 2^-52 = %.3g): rounding, not the subset, would decide; use a larger tolerance", flag,
          eps, n, minResolvableEps(n)));
    }
  }


  /**
   * Inputs read from a file, with their labels.
   *
   * @param inputs the examples, each flattened
   * @param labels one per example, or empty without a labels file
   */
  record DataSet(List<double[]> inputs, int[] labels) {}

  /**
   * Reads inputs for a network ({@link DataFiles#examples}: each example flattened) and optional labels [N]
   * ({@link DataFiles#labels}).
   *
   * @param flag the data's flag, for messages
   * @throws UsageError naming the flag and the file when the file cannot be read or does not fit
   */
  static DataSet read(String flag, java.nio.file.Path data, java.nio.file.Path labels, int[] inputShape) {
    dev.ticketproof.tensor.Tensor x = DataFiles.examples(flag, data, inputShape);
    int n = x.dim(0);
    int dim = x.size() / n;
    List<double[]> inputs = new java.util.ArrayList<>(n);
    for (int i = 0; i < n; i++) inputs.add(java.util.Arrays.copyOfRange(x.data(), i * dim, (i + 1) * dim));
    return new DataSet(inputs, labels == null ? new int[0] : DataFiles.labels(labels, n));
  }

  /**
   * The {@code --data}/{@code --labels} inputs for a network, or null without {@code --data}. Labels must be
   * classes of the network's output (below its number of outputs; 0 or 1 for a single output, a binary classifier's
   * logit).
   *
   * @throws UsageError naming the flag or file when they do not fit the network
   */
  static DataSet data(dev.ticketproof.net.Network net, java.nio.file.Path data,
      java.nio.file.Path labels) {
    if (labels != null && data == null) throw new UsageError("--labels needs --data");
    if (data == null) return null;
    DataSet set = read("--data", data, labels, net.inputShape());
    for (int i = 0; i < set.inputs().size(); i++) {
      double[] x = set.inputs().get(i);
      for (int q = 0; q < x.length; q++) {
        if (beyondBox(x[q])) {
          throw new UsageError("--data " + data + ": value " + x[q] + " at index " + q + " of example " + i + " is "
              + "above 1e100 in absolute value: no input box reaches it (" + BOX_WHY + "), and the network's "
              + "outputs on it may overflow");
        }
      }
    }
    int[] out = dev.ticketproof.net.Shapes.output(net);
    long classes = dev.ticketproof.limits.Budget.values(out);
    if (out.length == 1 || out.length == 3 && out[1] == 1 && out[2] == 1) {
      for (int i = 0; i < set.labels().length; i++) {
        if (classes == 1 && set.labels()[i] > 1) {
          throw new UsageError("--labels " + labels + ": label " + set.labels()[i] + " at index " + i + ", but the "
              + "network has one output, read as a binary classifier's logit (class 1 where it is positive, as "
              + "BCEWithLogitsLoss trains it): labels must be 0 or 1");
        }
        if (classes > 1 && set.labels()[i] >= classes) {
          throw new UsageError("--labels " + labels + ": label " + set.labels()[i] + " at index " + i + ", but the "
              + "network has " + classes + " outputs (classes 0 to " + (classes - 1) + "; labels counted from 1? "
              + "give y - 1)");
        }
      }
    }
    return set;
  }

  /**
   * The points of {@code --around} (rows of the array, each the size of the network's input), or null without it.
   *
   * @throws UsageError when only one of --around and --radius is given, the radius is not finite and >= 0, the file
   *     does not fit the network, or a ball misses the box
   */
  static double[][] around(dev.ticketproof.net.Network net, java.nio.file.Path around, Double radius, double lo,
      double hi) {
    return around(net, around, radius, InputBox.uniform(lo, hi));
  }

  /** As {@link #around(dev.ticketproof.net.Network, java.nio.file.Path, Double, double, double)} in a box. */
  static double[][] around(dev.ticketproof.net.Network net, java.nio.file.Path around, Double radius, InputBox box) {
    if (around == null && radius == null) return null;
    if (around == null) throw new UsageError("--radius needs --around");
    if (radius == null) throw new UsageError("--around needs --radius");
    if (!(radius >= 0 && Double.isFinite(radius))) {
      throw new UsageError("--radius must be finite and >= 0, got " + radius);
    }
    double[][] points = aroundPoints(net, around);
    try {
      dev.ticketproof.kernel.bound.Region.balls(box.lows(), box.highs(), points, radius);
    } catch (IllegalArgumentException e) {
      throw new UsageError("--around " + around + ": " + e.getMessage());
    }
    return points;
  }

  /** The rows of a {@code --around} file as points of the network's input. */
  static double[][] aroundPoints(dev.ticketproof.net.Network net, java.nio.file.Path around) {
    return read("--around", around, null, net.inputShape()).inputs().toArray(new double[0][]);
  }

  /**
   * The adversarial lower bound of a certificate ({@link LowerBound#of}): {@code search} evaluations, or the default
   * budget when null; nothing (null) when the search is switched off ({@code --search 0} with {@code --samples 0}).
   */
  static LowerBound.Result lowerBound(dev.ticketproof.kernel.TicketCertificate cert, dev.ticketproof.net.Network net,
      int samples, Integer search) {
    return lowerBound(cert, net, null, samples, search, null);
  }

  /**
   * As {@link #lowerBound(dev.ticketproof.kernel.TicketCertificate, dev.ticketproof.net.Network, int, Integer)} in
   * the certificate's region (its box, or the balls around {@code around} for a local certificate), shown as the
   * last stage of a progress display (when not null).
   */
  static LowerBound.Result lowerBound(dev.ticketproof.kernel.TicketCertificate cert, dev.ticketproof.net.Network net,
      double[][] around, int samples, Integer search, RunProgress bar) {
    return lowerBound(cert, net, around, samples, search, bar, null);
  }

  /**
   * As {@link #lowerBound(dev.ticketproof.kernel.TicketCertificate, dev.ticketproof.net.Network, double[][], int,
   * Integer, RunProgress)}, going on from the construction's measurement of the certificate (when not null): its
   * samples are the search's first points and are not evaluated again.
   */
  static LowerBound.Result lowerBound(dev.ticketproof.kernel.TicketCertificate cert, dev.ticketproof.net.Network net,
      double[][] around, int samples, Integer search, RunProgress bar, dev.ticketproof.measure.Measure.Result measured) {
    if (search != null && search == 0 && samples == 0) return null;
    long budget = Math.max(samples, search != null ? search : LowerBound.defaultBudget(cert, net));
    if (bar != null) bar.searching(budget);
    dev.ticketproof.kernel.bound.Region region = TicketChecker.region(cert.header(), around);
    java.util.function.LongConsumer progress = done -> { if (bar != null) bar.searched(done, budget); };
    return measured != null && measured.samples() == samples
        ? LowerBound.continueFrom(measured, region, budget, cert.header().seed(), progress)
        : LowerBound.of(cert, net, region, samples, budget, cert.header().seed(), progress);
  }

  /**
   * As {@link #lowerBound(dev.ticketproof.kernel.TicketCertificate, dev.ticketproof.net.Network, double[][], int,
   * Integer, RunProgress)} without the search: the samples and a recorded witness ({@link LowerBound#atWitness});
   * null when the witness is not an input of the certificate's region.
   */
  static LowerBound.Result lowerBoundAt(dev.ticketproof.kernel.TicketCertificate cert,
      dev.ticketproof.net.Network net, double[][] around, int samples, double[] witness, RunProgress bar) {
    long budget = samples + 1L;
    if (bar != null) bar.searching(budget);
    return LowerBound.atWitness(cert, net, TicketChecker.region(cert.header(), around), samples, cert.header().seed(),
        witness, done -> { if (bar != null) bar.searched(done, budget); });
  }

  /**
   * Adds {@code lowerBound}, {@code boundRatio} (certified / lower), {@code searchEvaluations} and
   * {@code searchSeconds}; NaN figures when there was no search.
   */
  static void addLowerBound(JsonObject o, LowerBound.Result lb, double certified, double seconds) {
    double lower = lb == null ? Double.NaN : lb.lowerBound();
    o.addProperty("lowerBound", lower);
    o.addProperty("boundRatio", lower > 0 ? certified / lower : Double.NaN);
    o.addProperty("searchEvaluations", lb == null ? 0 : lb.evaluations());
    o.addProperty("searchSeconds", seconds);
  }

  /**
   * The parameter counts of a certificate the kernel analysed ({@link Sizes#NONE} when it rejected the mask's
   * structure, or its source network cannot be rebuilt).
   */
  static Sizes sizes(TicketChecker.Report rep, dev.ticketproof.kernel.SourceNetwork src,
      dev.ticketproof.kernel.TicketCertificate cert) {
    return rep.layers().isEmpty() || src == null ? Sizes.NONE : Sizes.of(src, cert);
  }

  /** Adds the parameter counts: the target's, the source network's and the ticket's. */
  static void addSizes(JsonObject o, Sizes s) {
    o.addProperty("targetParams", s.targetParams());
    o.addProperty("sourceParams", s.sourceParams());
    o.addProperty("ticketParams", s.ticketParams());
  }

  /**
   * Adds {@code certifiedAgreement}: the kernel's count of balls on which the ticket provably predicts the target's
   * class ({@link DifferentialBound.Box#agrees}; for one output its sign), or "n/a" for a rejected certificate.
   */
  static void addAgreement(JsonObject o, TicketChecker.Report rep) {
    List<DifferentialBound.Box> boxes = rep.boxes();
    if (!rep.verdict().isHolds()) {
      o.addProperty("certifiedAgreement", "n/a");
    } else {
      o.addProperty("certifiedAgreement", DifferentialBound.agreeing(boxes));
    }
  }

  /** The DESIGN contract's report fields plus per-layer figures. */
  static JsonObject reportJson(TicketChecker.Report rep, TicketBuilder.Result res, Measure.Result m,
      LowerBound.Result lb, double searchSeconds, double seconds) {
    JsonObject o = new JsonObject();
    Sizes sizes = sizes(rep, res.source(), res.certificate());
    addSizes(o, sizes);
    o.addProperty("keptParams", sizes.keptParams());
    o.addProperty("maxParamError", rep.maxParamError());
    o.addProperty("certifiedBound", rep.certifiedBound());
    o.addProperty("recursionBound", rep.recursionBound());
    o.addProperty("differentialBound", rep.differentialBound());
    addLowerBound(o, lb, rep.certifiedBound(), searchSeconds);
    o.addProperty("measuredMaxError", m == null ? Double.NaN : m.maxError());
    if (m != null) {
      o.addProperty("measuredSamples", m.samples());
      o.addProperty("maxTargetOutput", m.maxTargetOutput());
    }
    o.addProperty("seconds", seconds);
    o.addProperty("verdict", rep.verdict().isHolds() ? "holds" : "rejected");
    if (!rep.verdict().isHolds()) o.addProperty("reason", rep.verdict().reason());
    o.addProperty("depth", sizes.depth());
    o.addProperty("instances", rep.instances());
    o.addProperty("failedInstances", rep.failedInstances());
    o.addProperty("solverFailures", res.solverFailures());
    o.addProperty("predictedFailedInstances", TicketBuilder.predictedFailures(res));
    JsonArray layers = new JsonArray();
    for (int k = 0; k < rep.layers().size(); k++) {
      TicketChecker.LayerReport l = rep.layers().get(k);
      Sizes.Layer size = k < sizes.layers().size() ? sizes.layers().get(k) : new Sizes.Layer(0, 0, 0);
      JsonObject lo = new JsonObject();
      lo.addProperty("name", l.name());
      lo.addProperty("targetParams", size.targetParams());
      lo.addProperty("sourceParams", size.sourceParams());
      lo.addProperty("ticketParams", size.ticketParams());
      lo.addProperty("instances", l.instances());
      lo.addProperty("failedInstances", l.failedInstances());
      lo.addProperty("maxParamError", l.maxParamError());
      lo.addProperty("errorBound", l.errorOut());
      layers.add(lo);
    }
    o.add("layers", layers);
    return o;
  }

  /**
   * Adds the width of every source layer ({@code rho}: copies per channel of its output, 1 for plain outputs) to the
   * report's {@code layers}, in the kernel's layer order.
   */
  static void addLayerWidths(JsonObject o, dev.ticketproof.kernel.SourceNetwork src) {
    List<Integer> widths = new java.util.ArrayList<>();
    for (dev.ticketproof.kernel.SourceNetwork.Node n : src.nodes()) {
      if (n instanceof dev.ticketproof.kernel.SourceNetwork.Univariate u) widths.add(u.out().rho());
      if (n instanceof dev.ticketproof.kernel.SourceNetwork.Conv c) widths.add(c.out().rho());
      if (n instanceof dev.ticketproof.kernel.SourceNetwork.Residual r) {
        widths.add(r.conv1().out().rho());
        widths.add(r.conv2().out().rho());
        if (r.projection() != null) widths.add(r.projection().out().rho());
      }
    }
    JsonArray layers = o.getAsJsonArray("layers");
    if (layers == null || layers.size() != widths.size()) return;
    for (int k = 0; k < widths.size(); k++) layers.get(k).getAsJsonObject().addProperty("rho", widths.get(k));
  }

  /**
   * Whether a holding certificate's bound says nothing about approximation: not below the largest target output
   * measured (on the samples and on --data, when there). Adds {@code certifiedVacuous} to the report and, when true,
   * says on stderr what does show the approximation and how to get a smaller bound. Nothing when no output was
   * measured.
   */
  static void noteVacuous(JsonObject o, PrintWriter err, String command, boolean local) {
    double out = Double.NaN;
    for (String key : new String[] {"maxTargetOutput", "dataMaxTargetOutput"}) {
      double v = number(o, key);
      if (!(out >= v)) out = Double.isNaN(v) ? out : v;
    }
    if (!(out > 0) || !"holds".equals(o.get("verdict").getAsString())) return;
    double bound = o.get("certifiedBound").getAsDouble();
    boolean vacuous = !(bound < out);
    o.addProperty("certifiedVacuous", vacuous);
    if (!vacuous) return;
    // the measured errors show the approximation only when they are small: above the goal they show the opposite
    double sampled = number(o, "measuredRelError");
    double data = number(o, "dataRelError");
    double measured = Double.isNaN(sampled) ? data : Double.isNaN(data) ? sampled : Math.max(sampled, data);
    double goal = o.has("outputRel") ? o.get("outputRel").getAsDouble() : dev.ticketproof.api.Tickets.DEFAULT_OUTPUT_REL;
    String evidence = !(measured > goal) ? "the measured errors do (measuredRelError" + (o.has("dataRelError")
        ? ", dataRelError" : "") + ", lowerBound)"
        : String.format(Locale.ROOT, "nor do the measured errors, %.3g %% of the target's outputs (above the goal "
        + "of %.3g %%): a wider source or a smaller tolerance gives a closer ticket (--rho, --eps; the defaults "
        + "choose both)", 100 * measured, 100 * goal);
    err.printf(Locale.ROOT, "%s: note: the certified bound %.3g is not below the largest target output measured "
        + "(%.3g), so over the %s it does not show that the ticket approximates the target; %s. %s (docs/bounds.md)%n",
        command, bound, out, local ? "balls" : "whole input box", evidence,
        !local ? "Over balls around your inputs (--around X.npy --radius R) the bound is smaller, the more so the "
            + "smaller R"
            : number(o, "radius") == 0 ? "At points (radius 0) the bound is the error there plus the rounding that the "
            + "layers carry with the l1 norms of their weights, which grows with depth: well above lowerBound, that "
            + "rounding is the cause (deep nets), and no smaller radius or larger form budget removes it"
            : "A smaller --radius gives a smaller bound, and so can a larger form budget (construct --form-budget,"
            + " e.g. 64M, for more time and memory: it keeps more of the bound's maps symbolic)");
    err.flush();
  }

  /**
   * The target's output activation ({@link dev.ticketproof.net.Network#outputActivation}), when it has one:
   * {@code outputActivation} (its name), its Lipschitz constant and the certified bound it gives after it; a note on
   * stderr says that the ticket's layers approximate the outputs before it.
   */
  static void addOutputActivation(JsonObject o, dev.ticketproof.net.OutputActivation g, PrintWriter err,
      String command) {
    if (g == null) return;
    double bound = o.get("certifiedBound").getAsDouble();
    o.addProperty("outputActivation", g.name());
    o.addProperty("outputActivationLipschitz", g.lipschitz());
    o.addProperty("certifiedBoundAfterOutputActivation", g.boundAfter(bound));
    if (!Double.isFinite(bound)) return; // a rejected certificate has no bound to speak of
    err.printf(Locale.ROOT, "%s: note: the target applies %s to its outputs after its last layer; the ticket "
        + "approximates the outputs before it and applies it to its own (eval does), so the bound and the errors "
        + "reported are of the outputs before it; after it the bound is %.4g times as large, %.3g "
        + "(certifiedBoundAfterOutputActivation)%n", command, g.name(), g.lipschitz(), g.boundAfter(bound));
    err.flush();
  }

  /** A number field of a report, NaN when absent. */
  private static double number(JsonObject o, String key) {
    return o.has(key) && o.get(key).isJsonPrimitive() ? o.get(key).getAsDouble() : Double.NaN;
  }

  /** Prints a report object: one line of JSON, or the table of {@link #printTable}. */
  static void print(PrintWriter pw, JsonObject o, boolean json) {
    if (json) {
      pw.println(new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create().toJson(o));
    } else {
      printTable(pw, o);
    }
    pw.flush();
  }

  /** Prints a report object as aligned "key value" lines and a layer table. */
  static void printTable(PrintWriter pw, JsonObject o) {
    for (Map.Entry<String, JsonElement> e : o.entrySet()) {
      if (e.getValue().isJsonPrimitive()) pw.printf(Locale.ROOT, "%-26s %s%n", e.getKey(), fmt(e.getValue()));
    }
    if (o.has("layers")) {
      pw.printf(Locale.ROOT, "%n%-22s %12s %14s %12s %10s %8s %12s %12s%n", "layer", "targetParams", "sourceParams",
          "ticketParams", "instances", "failed", "maxParamErr", "errorBound");
      for (JsonElement el : o.getAsJsonArray("layers")) {
        JsonObject l = el.getAsJsonObject();
        pw.printf(Locale.ROOT, "%-22s %12d %14d %12d %10d %8d %12.4g %12.4g%n", l.get("name").getAsString(),
            l.get("targetParams").getAsLong(), l.get("sourceParams").getAsLong(), l.get("ticketParams").getAsLong(),
            l.get("instances").getAsLong(), l.get("failedInstances").getAsLong(),
            l.get("maxParamError").getAsDouble(), l.get("errorBound").getAsDouble());
      }
    }
  }

  private static String fmt(JsonElement v) {
    if (v.getAsJsonPrimitive().isNumber()) {
      double d = v.getAsDouble();
      if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
      return String.format(Locale.ROOT, "%.6g", d);
    }
    return v.getAsString();
  }
}
