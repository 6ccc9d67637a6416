package dev.ticketproof.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.report.Figures;
import dev.ticketproof.report.Markers;
import dev.ticketproof.report.Table;
import dev.ticketproof.subsetsum.Experiments;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.subsetsum.WidthBound;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code report}: runs the experiments behind every figure (subset-sum statistics through
 * {@link Experiments}, constructions through {@link Sweep}), writes one CSV, PNG and SVG per figure and regenerates
 * the measured tables of {@code bounds.md} between their markers. CSVs hold no timings, so equal seeds give equal
 * CSVs.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Draws the figures (PNG, SVG, and the data as CSV) of the bounds: subset-sum failure and "
        + "coverage against n, width against eps, ticket size against eps and target size, errors against depth "
        + "and width, certified against searched lower bounds and the ratio goals, activation constants; "
        + "regenerates the measured tables of bounds.md.")
public final class ReportCommand implements Callable<Integer> {
  /** The figures, in order. */
  static final List<String> FIGURES = List.of("subset-sum-failure", "subset-sum-coverage", "width-vs-eps",
      "ticket-size-eps", "ticket-size-target", "error-depth", "error-width", "certified-vs-lower",
      "certification-goals", "local-certificates", "activations");

  @Spec CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created).")
  Path out;

  @Option(names = "--quick", description = "Small scale (seconds): fewer trials, sizes and seeds.")
  boolean quick;

  @Option(names = "--seed", defaultValue = "1",
      description = "First seed of every experiment (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--bounds", paramLabel = "FILE", description = "Markdown file whose report sections to regenerate "
      + "(default: bounds.md beside the output directory, when it exists).")
  Path bounds;

  @Option(names = "--only", split = ",", paramLabel = "NAME", description = "Only these figures (comma separated).")
  List<String> only;

  @Option(names = "--threads", description = "Worker threads of the construction sweeps (default: processors).")
  Integer threads;

  @picocli.CommandLine.Mixin ProgressOption progress;

  /**
   * The scale of the experiments.
   *
   * @param trials "one z" trials per point
   * @param coverageTrials "all z" base sets per point
   * @param failureN sizes n of the failure figure
   * @param coverageN sizes n of the coverage figure
   * @param widthEps tolerances of the width figure
   * @param allZMinEps smallest tolerance measured for "all z" in the width figure
   * @param seeds seeds per construction
   * @param sizeEps tolerances of the ticket-size figure
   * @param depths depths of the error-depth figure
   * @param rhos widths of the error-width figure
   * @param resnet20 whether the target-size figure includes ResNet-20
   */
  record Scale(int trials, int coverageTrials, int[] failureN, int[] coverageN, double[] widthEps, double allZMinEps,
      int seeds, double[] sizeEps, int[] depths, int[] rhos, boolean resnet20) {}

  static final double[] SUBSET_EPS = {1e-1, 1e-2, 1e-3, 1e-4};

  static Scale scale(boolean quick) {
    if (quick) {
      return new Scale(1_000, 40, range(2, 22, 4), range(2, 14, 4), new double[] {1e-1, 1e-2, 1e-3}, 1e-2, 1,
          new double[] {0.1, 0.01}, new int[] {2, 3, 4}, new int[] {4, 8, 15}, false);
    }
    return new Scale(20_000, 300, range(2, 32, 2), range(2, 24, 2),
        new double[] {1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5}, 1e-4, 3,
        new double[] {0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002}, new int[] {2, 3, 4, 5, 6, 8, 10},
        new int[] {4, 6, 8, 10, 15, 20, 25, 30}, true);
  }

  private static int[] range(int from, int to, int step) {
    List<Integer> v = new ArrayList<>();
    for (int k = from; k <= to; k += step) v.add(k);
    return v.stream().mapToInt(Integer::intValue).toArray();
  }

  private Scale scale;
  private int threadCount;
  private String commit;
  private final Map<String, String> tables = new LinkedHashMap<>();
  /** Construct rows of this report's sweeps by their arguments ({@link Sweep#KEY}). */
  private final Map<String, Map<String, String>> runs = new java.util.HashMap<>();

  @Override
  public Integer call() throws IOException {
    List<String> figures = only == null ? FIGURES : only;
    for (String f : figures) {
      if (!FIGURES.contains(f)) throw new UsageError("--only: unknown figure '" + f + "'; valid: " + FIGURES);
    }
    threadCount = Cli.threads(threads);
    Path boundsFile = bounds;
    if (boundsFile == null) {
      Path beside = out.toAbsolutePath().getParent() == null ? null
          : out.toAbsolutePath().getParent().resolve("bounds.md");
      if (beside != null && Files.isRegularFile(beside)) boundsFile = beside;
    } else if (!Files.isRegularFile(boundsFile)) {
      throw new UsageError("--bounds " + boundsFile + ": no such file");
    }
    Files.createDirectories(out);
    scale = scale(quick);
    commit = gitCommit();
    long start = System.nanoTime();
    PrintWriter pw = spec.commandLine().getOut();
    try (OverallProgress bar = OverallProgress.of(progress.show(), "report", figures.size())) {
      int done = 0;
      for (String f : figures) {
        long t0 = System.nanoTime();
        switch (f) {
          case "subset-sum-failure" -> failure();
          case "subset-sum-coverage" -> coverage();
          case "width-vs-eps" -> width();
          case "ticket-size-eps" -> sizeAgainstEps();
          case "ticket-size-target" -> sizeAgainstTarget();
          case "error-depth" -> errorDepth();
          case "error-width" -> errorWidth();
          case "certified-vs-lower" -> certifiedVsLower();
          case "certification-goals" -> certificationGoals();
          case "local-certificates" -> localCertificates();
          case "activations" -> activations();
          default -> throw new IllegalStateException(f);
        }
        pw.printf(Locale.ROOT, "report: %s (%.1f s)%n", out.resolve(f + ".png"), (System.nanoTime() - t0) / 1e9);
        pw.flush();
        bar.step(++done, figures.size(), f);
      }
    }
    if (boundsFile != null && !tables.isEmpty()) {
      String text = Files.readString(boundsFile);
      for (Map.Entry<String, String> t : tables.entrySet()) {
        if (Markers.has(text, t.getKey())) {
          text = Markers.replace(text, t.getKey(), t.getValue());
        } else {
          spec.commandLine().getErr().println("report: " + boundsFile + " has no section " + Markers.open(t.getKey())
              + "; table not written");
        }
      }
      Table.writeAtomically(boundsFile, text);
      pw.printf(Locale.ROOT, "report: tables %s regenerated in %s%n", tables.keySet(), boundsFile);
    }
    pw.printf(Locale.ROOT, "report: %d figures in %s (%.1f s)%n", figures.size(), out,
        (System.nanoTime() - start) / 1e9);
    pw.flush();
    return 0;
  }

  // ---- provenance -------------------------------------------------------------------------------------------

  private String command() {
    return "./ticketproof report --out " + out + (quick ? " --quick" : "") + (seed != 1 ? " --seed " + seed : "")
        + (only != null ? " --only " + String.join(",", only) : "");
  }

  private List<String> footer(String seeds, String scaleNote) {
    return List.of(command() + "   (commit " + commit + ")", "seeds " + seeds + "; " + scaleNote);
  }

  private String seedRange(int count) {
    return count == 1 ? Long.toString(seed) : seed + ".." + (seed + count - 1);
  }

  private String seedNote() {
    return scale.seeds() == 1 ? "seed " + seed : "means over seeds " + seedRange(scale.seeds());
  }

  /** {@code git rev-parse --short HEAD}, or "unknown". */
  static String gitCommit() {
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
      String s;
      try (InputStream in = p.getInputStream()) {
        s = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      }
      if (p.waitFor() == 0 && s.matches("[0-9a-f]{4,40}")) return s;
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "unknown";
  }

  // ---- charts ------------------------------------------------------------------------------------------------

  private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44),
      new Color(148, 103, 189), new Color(255, 127, 14), new Color(140, 86, 75), new Color(227, 119, 194)};

  private static XYChart xy(String title, String x, String y, boolean logX, boolean logY) {
    XYChart c = new XYChartBuilder().width(Figures.WIDTH).height(Figures.HEIGHT).title(title).xAxisTitle(x)
        .yAxisTitle(y).build();
    style(c.getStyler());
    c.getStyler().setXAxisLogarithmic(logX);
    c.getStyler().setYAxisLogarithmic(logY);
    c.getStyler().setMarkerSize(6);
    return c;
  }

  /**
   * The common style: legend on the right, white background, solid light grid lines (XChart draws dashed ones as
   * one outline per dash, which made each SVG hundreds of kilobytes).
   */
  private static void style(AxesChartStyler s) {
    s.setLegendPosition(Styler.LegendPosition.OutsideE);
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setPlotGridLinesStroke(new BasicStroke(0.6f));
    s.setPlotGridLinesColor(new Color(225, 225, 225));
  }

  private static XYSeries line(XYChart c, String name, List<Double> x, List<Double> y, Color color,
      BasicStroke stroke, boolean markers) {
    XYSeries s = c.addSeries(name, x, y);
    s.setLineColor(color);
    s.setMarkerColor(color);
    s.setLineStyle(stroke);
    s.setMarker(markers ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
    return s;
  }

  private static XYSeries points(XYChart c, String name, List<Double> x, List<Double> y, Color color) {
    XYSeries s = c.addSeries(name, x, y);
    s.setMarkerColor(color);
    s.setLineStyle(SeriesLines.NONE);
    s.setMarker(SeriesMarkers.DIAMOND);
    return s;
  }

  private void save(Object chart, Table data, String name, String seeds, String note) throws IOException {
    withoutTimings(data).write(out.resolve(name + ".csv"));
    Figures.save((org.knowm.xchart.internal.chartpart.Chart<?, ?>) chart, footer(seeds, note), out, name);
  }

  private static String eps(double e) {
    return String.format(Locale.ROOT, "%.0e", e).replace("e-0", "e-");
  }

  private static String g(double v) {
    if (Double.isNaN(v)) return "n/a";
    if (v != 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3)) return String.format(Locale.ROOT, "%.2e", v);
    return String.format(Locale.ROOT, "%.3g", v);
  }

  /** The lemma's failure probability bound at width n: exp(-n/C) once n >= C ln(1/eps), else 1 (none). */
  static double lemmaFailure(int n, double eps) {
    return n >= WidthBound.C * Math.log(1 / Math.min(eps, WidthBound.MAX_MIN_EPS_DELTA)) ? Math.exp(-n / WidthBound.C)
        : 1.0;
  }

  // ---- subset sum --------------------------------------------------------------------------------------------

  private void failure() throws IOException {
    Table data = new Table();
    XYChart c = xy("Subset sum, one target: failure probability against n", "n (candidates U(-1,1))",
        "P(no subset within eps of z)", false, true);
    double floor = 0.3 / scale.trials();
    for (int e = 0; e < SUBSET_EPS.length; e++) {
      double eps = SUBSET_EPS[e];
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      List<Double> bx = new ArrayList<>();
      List<Double> hi = new ArrayList<>();
      List<Double> lo = new ArrayList<>();
      List<Double> lx = new ArrayList<>();
      List<Double> ly = new ArrayList<>();
      for (int n : scale.failureN()) {
        Experiments.StatsResult r = Experiments.stats(n, eps, scale.trials(), seed, SubsetSum.Mode.MIN_SIZE, false,
            null);
        double lemma = lemmaFailure(n, eps);
        Map<String, String> row = new LinkedHashMap<>();
        row.put("eps", Double.toString(eps));
        row.put("n", Integer.toString(n));
        row.put("trials", Long.toString(r.trials()));
        row.put("failures", Long.toString(r.failures()));
        row.put("failureRate", Double.toString(r.failureRate()));
        row.put("ciLow", Double.toString(r.ci95()[0]));
        row.put("ciHigh", Double.toString(r.ci95()[1]));
        row.put("lemmaBound", Double.toString(lemma));
        data.add(row);
        if (r.failures() > 0) {
          xs.add((double) n);
          ys.add(r.failureRate());
        }
        bx.add((double) n);
        hi.add(r.ci95()[1]);
        lo.add(Math.max(floor, r.ci95()[0]));
        if (lemma < 1) {
          lx.add((double) n);
          ly.add(lemma);
        }
      }
      Color col = PALETTE[e];
      if (!xs.isEmpty()) line(c, "eps " + eps(eps) + " measured", xs, ys, col, SeriesLines.SOLID, true);
      line(c, "eps " + eps(eps) + " 95% CI", bx, hi, col, thin(), false).setShowInLegend(true);
      line(c, "eps " + eps(eps) + " CI low", bx, lo, col, thin(), false).setShowInLegend(false);
      if (!lx.isEmpty()) line(c, "eps " + eps(eps) + " lemma", lx, ly, col, SeriesLines.DOT_DOT, false);
    }
    c.getStyler().setYAxisMin(floor);
    c.getStyler().setYAxisMax(1.0);
    save(c, data, "subset-sum-failure", Long.toString(seed), String.format(Locale.ROOT,
        "%,d trials per point (base set and target z ~ U(-1,1)); bands: 95%% Clopper-Pearson, floored at %.1e; "
            + "lemma: exp(-n/C), C = %.0f, once n >= C ln(1/eps)", scale.trials(), floor, WidthBound.C));
  }

  private static BasicStroke thin() {
    return new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f}, 0f);
  }

  private void coverage() throws IOException {
    Table data = new Table();
    XYChart c = xy("Subset sum, all targets: P(every z in [-1,1] within eps) against n", "n (candidates U(-1,1))",
        "coverage probability", false, false);
    for (int e = 0; e < SUBSET_EPS.length; e++) {
      double eps = SUBSET_EPS[e];
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      List<Double> lo = new ArrayList<>();
      List<Double> hi = new ArrayList<>();
      List<Double> lx = new ArrayList<>();
      List<Double> ly = new ArrayList<>();
      for (int n : scale.coverageN()) {
        Experiments.CoverageResult r = Experiments.coverage(n, eps, scale.coverageTrials(), seed, false, null);
        double lemma = 1 - lemmaFailure(n, eps);
        Map<String, String> row = new LinkedHashMap<>();
        row.put("eps", Double.toString(eps));
        row.put("n", Integer.toString(n));
        row.put("trials", Long.toString(r.trials()));
        row.put("covered", Long.toString(r.covered()));
        row.put("coverage", Double.toString(r.coverage()));
        row.put("ciLow", Double.toString(r.ci95()[0]));
        row.put("ciHigh", Double.toString(r.ci95()[1]));
        row.put("lemmaBound", Double.toString(lemma));
        data.add(row);
        xs.add((double) n);
        ys.add(r.coverage());
        lo.add(r.ci95()[0]);
        hi.add(r.ci95()[1]);
        if (lemma > 0) {
          lx.add((double) n);
          ly.add(lemma);
        }
      }
      Color col = PALETTE[e];
      line(c, "eps " + eps(eps) + " measured", xs, ys, col, SeriesLines.SOLID, true);
      line(c, "eps " + eps(eps) + " 95% CI", xs, hi, col, thin(), false);
      line(c, "eps " + eps(eps) + " CI low", xs, lo, col, thin(), false).setShowInLegend(false);
      if (!lx.isEmpty()) line(c, "eps " + eps(eps) + " lemma", lx, ly, col, SeriesLines.DOT_DOT, false);
    }
    c.getStyler().setYAxisMin(0.0);
    c.getStyler().setYAxisMax(1.0);
    save(c, data, "subset-sum-coverage", Long.toString(seed), String.format(Locale.ROOT,
        "%,d base sets per point, decided exactly (sorted subset sums); bands: 95%% Clopper-Pearson; "
            + "lemma: 1 - exp(-n/C), C = %.0f, once n >= C ln(1/eps)", scale.coverageTrials(), WidthBound.C));
  }

  private void width() throws IOException {
    double delta = 0.01;
    Table data = new Table();
    List<Double> ex = new ArrayList<>();
    List<Double> one = new ArrayList<>();
    List<Double> allX = new ArrayList<>();
    List<Double> all = new ArrayList<>();
    List<Double> thm = new ArrayList<>();
    List<List<String>> rows = new ArrayList<>();
    int nOne = 1;
    int nAll = 1;
    SubsetSum.Mode mode = SubsetSum.Mode.MIN_SIZE;
    for (double eps : scale.widthEps()) {
      Experiments.StatsResult r;
      while (true) {
        r = Experiments.stats(nOne, eps, scale.trials(), seed, mode, false, null);
        if (r.failureRate() <= delta || nOne == mode.maxN()) break;
        nOne++;
      }
      Experiments.CoverageResult cr = null;
      if (eps >= scale.allZMinEps()) {
        nAll = Math.max(nAll, nOne);
        while (true) {
          cr = Experiments.coverage(nAll, eps, scale.coverageTrials(), seed, false, null);
          if (cr.coverage() >= 1 - delta || nAll == 30) break;
          nAll++;
        }
      }
      int theorem = WidthBound.uniform(eps, delta);
      Map<String, String> row = new LinkedHashMap<>();
      row.put("eps", Double.toString(eps));
      row.put("theoremN", Integer.toString(theorem));
      row.put("oneZN", Integer.toString(nOne));
      row.put("oneZFailureRate", Double.toString(r.failureRate()));
      row.put("oneZTrials", Long.toString(r.trials()));
      row.put("allZN", cr == null ? "" : Integer.toString(nAll));
      row.put("allZCoverage", cr == null ? "" : Double.toString(cr.coverage()));
      row.put("allZTrials", cr == null ? "" : Long.toString(cr.trials()));
      data.add(row);
      ex.add(eps);
      one.add((double) nOne);
      thm.add((double) theorem);
      if (cr != null) {
        allX.add(eps);
        all.add((double) nAll);
      }
      rows.add(List.of(eps(eps), Integer.toString(theorem),
          nOne + String.format(Locale.ROOT, " (%.2f %%)", 100 * r.failureRate()),
          cr == null ? "not measured" : nAll + String.format(Locale.ROOT, " (%.1f %%)", 100 * cr.coverage())));
    }
    double slopeOne = slope(ex, one);
    double slopeAll = allX.size() >= 2 ? slope(allX, all) : Double.NaN;
    XYChart c = xy("Width needed against eps: measured beside the theorem (failure <= 1 %)", "eps",
        "smallest n", true, false);
    line(c, String.format(Locale.ROOT, "one z measured (%.2f per ln(1/eps))", slopeOne), ex, one, PALETTE[0],
        SeriesLines.SOLID, true);
    if (!allX.isEmpty()) {
      line(c, String.format(Locale.ROOT, "all z measured (%.2f per ln(1/eps))", slopeAll), allX, all, PALETTE[1],
          SeriesLines.SOLID, true);
    }
    line(c, String.format(Locale.ROOT, "theorem ceil(%.0f ln(1/min(eps, %.2f)))", WidthBound.C, delta), ex, thm,
        PALETTE[2], SeriesLines.DASH_DASH, false);
    save(c, data, "width-vs-eps", Long.toString(seed), String.format(Locale.ROOT,
        "smallest n with one-z failure rate <= 1 %% (%,d trials) and all-z coverage >= 99 %% (%,d base sets); "
            + "slopes: least squares of n on ln(1/eps)", scale.trials(), scale.coverageTrials()));
    tables.put("width-vs-eps", Markers.table(List.of("eps", "theorem n (C = 6, delta = 0.01)",
        "one z: smallest n with failure <= 1 % (rate)", "all z: smallest n with coverage >= 99 % (coverage)"), rows)
        + String.format(Locale.ROOT, "%nLeast-squares slope of the measured n on ln(1/eps): %.2f (one z), %s (all z); "
            + "the theorem's C = %.0f. %,d trials per one-z point, %,d base sets per all-z point, seed %d.%n",
            slopeOne, Double.isNaN(slopeAll) ? "n/a" : String.format(Locale.ROOT, "%.2f", slopeAll), WidthBound.C,
            scale.trials(), scale.coverageTrials(), seed));
  }

  /** Least-squares slope of y on ln(1/x). */
  static double slope(List<Double> x, List<Double> y) {
    int n = x.size();
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += Math.log(1 / x.get(i)) / n;
      my += y.get(i) / n;
    }
    double sxy = 0;
    double sxx = 0;
    for (int i = 0; i < n; i++) {
      double dx = Math.log(1 / x.get(i)) - mx;
      sxy += dx * (y.get(i) - my);
      sxx += dx * dx;
    }
    return sxy / sxx;
  }

  // ---- constructions -----------------------------------------------------------------------------------------

  /**
   * Runs sweeps (JSON specs) and returns their rows, spec after spec in grid order (timings included; the CSVs drop
   * them). A grid point that an earlier sweep of this report ran (same construct arguments) is not run again.
   */
  private Table sweep(String name, List<String> specs) throws IOException {
    Table t = new Table();
    for (String s : specs) {
      Path tmp = Files.createTempFile("ticketproof-" + name, ".csv");
      try {
        Files.delete(tmp);
        JsonObject spec = JsonParser.parseString(s).getAsJsonObject();
        // the quick scale measures lowerBound on the box samples only (no adversarial search), to stay fast
        if (quick) spec.addProperty("search", 0);
        Sweep sweep = Sweep.of("report " + name, spec);
        Table known = new Table();
        for (Sweep.Point p : sweep.points()) {
          if (runs.containsKey(p.key())) known.add(runs.get(p.key()));
        }
        if (!known.rows().isEmpty()) known.write(tmp);
        for (Map<String, String> r : sweep.run(tmp, threadCount, null).table().rows()) {
          runs.put(r.get(Sweep.KEY), r);
          t.add(r);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    return t;
  }

  /** The table without timing columns, so that equal seeds give equal CSVs. */
  private static Table withoutTimings(Table t) {
    Table out = new Table();
    for (Map<String, String> r : t.rows()) {
      Map<String, String> m = new LinkedHashMap<>(r);
      m.keySet().removeIf(k -> k.toLowerCase(Locale.ROOT).endsWith("seconds") || k.startsWith("nanos"));
      out.add(m);
    }
    return out;
  }

  private String seeds(int count) {
    return "{\"from\": " + seed + ", \"to\": " + (seed + count - 1) + "}";
  }

  private static double num(Map<String, String> r, String col) {
    String v = r.get(col);
    if (v == null || v.isEmpty()) return Double.NaN;
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** Sum of a field over the constructed layers ({@code layers}): the part of the network the ticket replaces. */
  private static double layerSum(Map<String, String> r, String field) {
    double s = 0;
    for (JsonElement l : JsonParser.parseString(r.get("layers")).getAsJsonArray()) {
      JsonElement v = l.getAsJsonObject().get(field);
      if (v != null && v.isJsonPrimitive()) s += v.getAsDouble();
    }
    return s;
  }

  /** Mean of f over the rows of each x (x ascending), for the rows that pass the filter. */
  private static TreeMap<Double, Double> means(List<Map<String, String>> rows, Function<Map<String, String>, Double> x,
      Function<Map<String, String>, Double> f) {
    TreeMap<Double, double[]> acc = new TreeMap<>();
    for (Map<String, String> r : rows) {
      double v = f.apply(r);
      if (!Double.isFinite(v)) continue;
      double[] a = acc.computeIfAbsent(x.apply(r), k -> new double[2]);
      a[0] += v;
      a[1]++;
    }
    TreeMap<Double, Double> m = new TreeMap<>();
    acc.forEach((k, a) -> m.put(k, a[0] / a[1]));
    return m;
  }

  private static List<Map<String, String>> where(Table t, String col, String value) {
    return t.rows().stream().filter(r -> value.equals(r.get(col))).toList();
  }

  /** Reference code's ticket sizes (conv parameters, MNIST CNN, rho 15, eps 0.01), from the proof pages. */
  static Map<String, Double> reference() throws IOException {
    Map<String, Double> m = new LinkedHashMap<>();
    try (InputStream in = ReportCommand.class.getResourceAsStream("/report/reference-tickets.csv")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.startsWith("#") || line.isBlank() || line.startsWith("construction,")) continue;
        String[] p = line.split(",");
        m.put(p[0] + " " + p[1], Double.parseDouble(p[2]));
      }
    }
    return m;
  }

  /** The target of a sweep row without "builtin:", with the layer of {@code --upto} when given. */
  private static String targetName(Map<String, String> r) {
    String upto = r.getOrDefault("--upto", "");
    return r.get("--target").replace("builtin:", "") + (upto.isEmpty() ? "" : " (up to layer " + upto + ")");
  }

  /**
   * The input box of a sweep row: {@code --input-box}, else construct's default [-1,1]; per-channel boxes as given
   * ({@code data}: each channel's range in the data).
   */
  private static String box(Map<String, String> r) {
    String b = r.getOrDefault("--input-box", "");
    if (b.trim().equals("data")) return "per channel, the data's ranges";
    return b.isEmpty() ? "[-1,1]" : Cli.perChannelBox(b) ? "per channel " + b : "[" + b + "]";
  }

  private static String label(String construction, String phi) {
    return ("l+1".equals(construction) ? "L+1 " : "2L ") + phi;
  }

  private void sizeAgainstEps() throws IOException {
    JsonArray ea = new JsonArray();
    for (double e : scale.sizeEps()) ea.add(new JsonPrimitive(e));
    String eps = ea.toString();
    // a figure of ticket sizes: its constructions skip the adversarial search (lowerBound from the samples)
    String common = "\"target\": \"builtin:mnist-cnn\", \"upto\": \"2\", \"input-box\": \"0,1\", \"rho\": 15, "
        + "\"eps\": " + eps + ", \"seed\": " + seeds(scale.seeds()) + ", \"samples\": 4, \"search\": 0";
    Table t = sweep("ticket-size-eps", List.of(
        "{" + common.replace("\"rho\"", "\"activation\": \"relu\", \"construction\": [\"l+1\", \"2l\"], \"rho\"") + "}",
        "{" + common.replace("\"rho\"", "\"activation\": [\"tanh\", \"sigmoid\"], \"construction\": \"l+1\", \"rho\"")
            + "}"));
    XYChart c = xy("Ticket size against eps (MNIST-CNN analogue, conv layers, rho 15, inputs in [0,1])",
        "eps (per-parameter tolerance)", "ticket parameters (|w| > eps) of the constructed layers", true, false);
    String[][] series = {{"l+1", "relu"}, {"2l", "relu"}, {"l+1", "tanh"}, {"l+1", "sigmoid"}};
    Map<String, Double> ref = reference();
    for (int i = 0; i < series.length; i++) {
      String cons = series[i][0];
      String phi = series[i][1];
      List<Map<String, String>> rows = t.rows().stream().filter(r -> cons.equals(r.get("--construction"))
          && phi.equals(r.get("--activation"))).toList();
      TreeMap<Double, Double> m = means(rows, r -> num(r, "--eps"), r -> layerSum(r, "ticketParams"));
      line(c, label(series[i][0], series[i][1]), new ArrayList<>(m.keySet()), new ArrayList<>(m.values()),
          PALETTE[i], SeriesLines.SOLID, true);
      Double rv = ref.get(series[i][0] + " " + series[i][1]);
      if (rv != null) {
        points(c, label(series[i][0], series[i][1]) + " reference code", List.of(0.01), List.of(rv), PALETTE[i]);
      }
    }
    save(c, t, "ticket-size-eps", seedRange(scale.seeds()), "mean over seeds; builtin:mnist-cnn --upto 2 "
        + "--input-box 0,1 --rho 15 --samples 4 --search 0; diamonds: the reference code on the real MNIST CNN at eps 0.01, rho 15 "
        + "(proofs/theorem-l-plus-1.md, proofs/theorem-2l.md)");
  }

  private void sizeAgainstTarget() throws IOException {
    List<String> specs = new ArrayList<>();
    String tail = ", \"rho\": 15, \"eps\": 0.01, \"seed\": " + seed;
    String both = ", \"activation\": [\"relu\", \"sigmoid\"], \"construction\": [\"l+1\", \"2l\"]";
    specs.add("{\"target\": [\"builtin:small-fc\", \"builtin:small-cnn\"]" + both + tail + "}");
    specs.add("{\"target\": \"builtin:digits-cnn\", \"input-box\": \"0,1\"" + both + tail + "}");
    specs.add("{\"target\": \"builtin:mnist-cnn\", \"upto\": \"2\", \"input-box\": \"0,1\"" + both + tail
        + ", \"samples\": 4}");
    specs.add("{\"target\": \"builtin:small-resnet\", \"activation\": [\"relu\", \"sigmoid\"], \"construction\": "
        + "\"l+1\"" + tail + "}");
    if (scale.resnet20()) {
      specs.add("{\"target\": \"builtin:resnet20\", \"activation\": \"sigmoid\", \"construction\": \"l+1\"" + tail
          + ", \"samples\": 4}");
    }
    Table t = sweep("ticket-size-target", specs);
    XYChart c = xy("Ticket size against target size (rho 15, eps 0.01)",
        "target parameters (|w| > eps) of the constructed layers", "ticket parameters (|w| > eps)", true, true);
    String[][] series = {{"l+1", "relu"}, {"2l", "relu"}, {"l+1", "sigmoid"}, {"2l", "sigmoid"}};
    Map<String, Double> ref = reference();
    double mnist = t.rows().stream().filter(r -> r.get("args").contains("mnist-cnn"))
        .mapToDouble(r -> layerSum(r, "targetParams")).findFirst().orElse(Double.NaN);
    for (int i = 0; i < series.length; i++) {
      String cons = series[i][0];
      String phi = series[i][1];
      List<Map<String, String>> rows = t.rows().stream().filter(r -> cons.equals(r.get("--construction"))
          && phi.equals(r.get("--activation"))).toList();
      TreeMap<Double, Double> m = means(rows, r -> layerSum(r, "targetParams"), r -> layerSum(r, "ticketParams"));
      line(c, label(cons, phi), new ArrayList<>(m.keySet()), new ArrayList<>(m.values()), PALETTE[i],
          SeriesLines.SOLID, true);
      Double rv = ref.get(cons + " " + phi);
      if (rv != null && Double.isFinite(mnist)) {
        points(c, label(cons, phi) + " reference code", List.of(mnist), List.of(rv), PALETTE[i]);
      }
    }
    save(c, t, "ticket-size-target", Long.toString(seed), "targets: small-fc, small-cnn, digits-cnn and mnist-cnn "
        + "(--upto 2) in [0,1], small-resnet" + (scale.resnet20() ? ", resnet20 (sigmoid only)" : "")
        + "; diamonds: the reference code on the real MNIST CNN, placed at the analogue's size");
    boolean hasLower = t.columns().contains("lowerBound");
    List<List<String>> rows = new ArrayList<>();
    for (Map<String, String> r : t.rows()) {
      List<String> cells = new ArrayList<>(List.of(targetName(r),
          r.get("--activation"), label(r.get("--construction"), "").trim(), box(r),
          String.format(Locale.ROOT, "%,.0f", layerSum(r, "targetParams")),
          String.format(Locale.ROOT, "%,.0f", layerSum(r, "ticketParams")),
          String.format(Locale.ROOT, "%,.0f / %,.0f", num(r, "failedInstances"), num(r, "instances")),
          g(num(r, "certifiedBound"))));
      if (hasLower) cells.add(g(num(r, "lowerBound")));
      cells.add(g(num(r, "measuredMaxError")));
      cells.add(g(num(r, "maxTargetOutput")));
      rows.add(cells);
    }
    List<String> header = new ArrayList<>(List.of("target", "phi", "construction", "input box",
        "target params", "ticket params", "failed / instances", "certified"));
    if (hasLower) header.add("lower bound");
    header.add("measured");
    header.add("max abs target output");
    tables.put("certified-vs-measured", Markers.table(header, rows) + String.format(Locale.ROOT,
        "%nrho 15, eps 0.01, seed %d; parameters of the constructed layers with |w| above their instance's tolerance"
            + " (eps, or its share in a first-layer block of its own scale); measured on box samples"
            + " (construct's default count; 4 for mnist-cnn and resnet20).%n", seed));
  }

  /** Certified, lower-bound and measured error (means over seeds) against x; returns the table rows. */
  private List<List<String>> errorChart(XYChart c, Table t, Function<Map<String, String>, Double> x) {
    boolean hasLower = t.columns().contains("lowerBound")
        && t.rows().stream().anyMatch(r -> Double.isFinite(num(r, "lowerBound")));
    TreeMap<Double, Double> cert = means(t.rows(), x, r -> num(r, "certifiedBound"));
    TreeMap<Double, Double> meas = means(t.rows(), x, r -> num(r, "measuredMaxError"));
    TreeMap<Double, Double> out = means(t.rows(), x, r -> num(r, "maxTargetOutput"));
    TreeMap<Double, Double> lower = hasLower ? means(t.rows(), x, r -> num(r, "lowerBound")) : null;
    line(c, "certified bound", new ArrayList<>(cert.keySet()), new ArrayList<>(cert.values()), PALETTE[1],
        SeriesLines.SOLID, true);
    if (hasLower) {
      line(c, "lower bound (search)", new ArrayList<>(lower.keySet()), new ArrayList<>(lower.values()), PALETTE[2],
          SeriesLines.SOLID, true);
    }
    line(c, hasLower ? "measured (samples)" : "measured (samples; a lower bound)", new ArrayList<>(meas.keySet()),
        new ArrayList<>(meas.values()), PALETTE[0], SeriesLines.SOLID, true);
    line(c, "max |target output|", new ArrayList<>(out.keySet()), new ArrayList<>(out.values()), Color.GRAY,
        SeriesLines.DASH_DASH, false);
    List<List<String>> rows = new ArrayList<>();
    for (Double k : cert.keySet()) {
      List<String> r = new ArrayList<>(List.of(String.format(Locale.ROOT, "%.0f", k), g(cert.get(k))));
      if (hasLower) r.add(g(lower.getOrDefault(k, Double.NaN)));
      r.add(g(meas.getOrDefault(k, Double.NaN)));
      r.add(g(out.getOrDefault(k, Double.NaN)));
      rows.add(r);
    }
    return rows;
  }

  private List<String> errorHeader(Table t, String x) {
    List<String> h = new ArrayList<>(List.of(x, "certified"));
    if (t.columns().contains("lowerBound") && t.rows().stream().anyMatch(r -> Double.isFinite(num(r, "lowerBound")))) {
      h.add("lower bound");
    }
    h.add("measured");
    h.add("max abs target output");
    return h;
  }

  private void errorDepth() throws IOException {
    JsonArray targets = new JsonArray();
    for (int d : scale.depths()) targets.add("builtin:cnn-depth-" + d);
    Table t = sweep("error-depth", List.of("{\"target\": " + targets + ", \"activation\": \"relu\", \"construction\": "
        + "\"l+1\", \"rho\": 15, \"eps\": 0.01, \"seed\": " + seeds(scale.seeds()) + "}"));
    XYChart c = xy("Output error against depth (cnn-depth-L, relu, L+1, rho 15, eps 0.01)", "target depth L",
        "max |target - ticket| on [-1,1]^d", false, true);
    List<List<String>> rows = errorChart(c, t, r -> Double.parseDouble(r.get("--target").replaceAll(".*-", "")));
    save(c, t, "error-depth", seedRange(scale.seeds()), "mean over seeds; measured on the construct default's box "
        + "samples (uniform points and corners)");
    tables.put("error-depth", Markers.table(errorHeader(t, "depth L"), rows) + String.format(Locale.ROOT,
        "%nbuiltin:cnn-depth-L, relu, L+1, rho 15, eps 0.01; %s.%n", seedNote()));
  }

  private void errorWidth() throws IOException {
    JsonArray rhos = new JsonArray();
    for (int r : scale.rhos()) rhos.add(r);
    Table t = sweep("error-width", List.of("{\"target\": \"builtin:small-cnn\", \"activation\": \"relu\", "
        + "\"construction\": \"l+1\", \"rho\": " + rhos + ", \"eps\": 0.01, \"seed\": " + seeds(scale.seeds())
        + "}"));
    XYChart c = xy("Output error against width (small-cnn, relu, L+1, eps 0.01)", "rho (copies per channel)",
        "max |target - ticket| on [-1,1]^d", false, true);
    List<List<String>> rows = errorChart(c, t, r -> num(r, "--rho"));
    save(c, t, "error-width", seedRange(scale.seeds()), "mean over seeds; rho1 = 2 rho (sign split on [-1,1]); "
        + "measured on the construct default's box samples");
    tables.put("error-width", Markers.table(errorHeader(t, "rho"), rows) + String.format(Locale.ROOT,
        "%nbuiltin:small-cnn, relu, L+1, eps 0.01; %s.%n", seedNote()));
  }

  // ---- certified against the searched lower bound ------------------------------------------------------------

  private static final String PHIS = "[\"relu\", \"tanh\", \"sigmoid\"]";

  /**
   * Sweep specs of the bound tables: small-cnn, digits-cnn (box [0,1]) and the conv part of mnist-cnn
   * ({@code --upto 2}, box [0,1]) for relu, tanh and sigmoid (mnist-cnn relu only unless {@code mnistAllPhis}),
   * and small-resnet relu; the quick scale keeps small-cnn. The members follow the order of the ticket-size
   * sweeps, so that equal runs are shared.
   *
   * @param settings further construct options as JSON members, each with a leading comma (empty: defaults)
   */
  private List<String> boundSpecs(String settings, boolean mnistAllPhis) {
    String tail = settings + ", \"seed\": " + seed + "}";
    List<String> specs = new ArrayList<>();
    specs.add("{\"target\": \"builtin:small-cnn\", \"activation\": " + PHIS + tail);
    if (quick) return specs;
    specs.add("{\"target\": \"builtin:digits-cnn\", \"input-box\": \"0,1\", \"activation\": " + PHIS + tail);
    specs.add("{\"target\": \"builtin:mnist-cnn\", \"upto\": \"2\", \"input-box\": \"0,1\", \"activation\": "
        + (mnistAllPhis ? PHIS : "\"relu\"") + tail);
    specs.add("{\"target\": \"builtin:small-resnet\", \"activation\": \"relu\"" + tail);
    return specs;
  }

  /** What the quick scale leaves out of the bound tables, for their notes and figure footers. */
  private String boundsScaleNote() {
    return quick ? "QUICK SCALE: small-cnn only, and no adversarial search, so the lower bound is the sampled error "
        + "(run report without --quick for the documented tables). " : "";
  }

  /** certified / lower of a construct row (infinite when the lower bound is 0 and the certified bound is not). */
  private static double ratio(Map<String, String> r) {
    double c = num(r, "certifiedBound");
    double l = num(r, "lowerBound");
    return c == 0 ? 1 : c / l;
  }

  /** The distinct values of a column, in order, joined by " / ". */
  private static String distinct(Table t, String col) {
    return String.join(" / ", t.rows().stream().map(r -> r.getOrDefault(col, "")).distinct().toList());
  }

  /** Smallest and largest of f over the rows, each with the row's target and phi: "a (x) to b (y)". */
  private static String range(Table t, Function<Map<String, String>, Double> f) {
    Map<String, String> lo = null;
    Map<String, String> hi = null;
    for (Map<String, String> r : t.rows()) {
      if (!Double.isFinite(f.apply(r))) continue;
      if (lo == null || f.apply(r) < f.apply(lo)) lo = r;
      if (hi == null || f.apply(r) > f.apply(hi)) hi = r;
    }
    if (lo == null) return "n/a";
    return g(f.apply(lo)) + " (" + targetName(lo) + " " + lo.get("--activation") + ") to " + g(f.apply(hi)) + " ("
        + targetName(hi) + " " + hi.get("--activation") + ")";
  }

  private static String rowLabel(Map<String, String> r) {
    return targetName(r).replace(" (up to layer ", " up to ").replace(")", "") + " " + r.get("--activation");
  }

  /**
   * A bar chart with a logarithmic value axis, one group of bars per row; the axis spans the powers of ten around
   * the values (XChart's bars would otherwise start at 0).
   */
  private static CategoryChart logBars(String title, String y, List<List<Double>> values) {
    double lo = values.stream().flatMap(List::stream).filter(v -> v > 0 && Double.isFinite(v)).min(Double::compare)
        .orElse(1.0);
    double hi = values.stream().flatMap(List::stream).filter(v -> v > 0 && Double.isFinite(v)).max(Double::compare)
        .orElse(1.0);
    CategoryChart c = new CategoryChartBuilder().width(Figures.WIDTH).height(Figures.HEIGHT).title(title)
        .xAxisTitle("target and phi").yAxisTitle(y).build();
    style(c.getStyler());
    c.getStyler().setYAxisLogarithmic(true);
    c.getStyler().setXAxisLabelRotation(30);
    c.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(lo))));
    c.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(hi) + 1e-9)));
    return c;
  }

  private void certifiedVsLower() throws IOException {
    Table t = sweep("certified-vs-lower", boundSpecs("", false));
    List<List<String>> rows = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<Double> cert = new ArrayList<>();
    List<Double> lower = new ArrayList<>();
    List<Double> sampled = new ArrayList<>();
    for (Map<String, String> r : t.rows()) {
      rows.add(List.of(targetName(r), r.get("--activation"), box(r), r.get("rho"),
          String.format(Locale.ROOT, "%.1e", num(r, "eps")).replaceFirst("e-0", "e-"),
          g(num(r, "certifiedBound")), g(num(r, "lowerBound")), g(ratio(r)), g(num(r, "measuredMaxError")),
          String.format(Locale.ROOT, "%,.0f, %.0f s", num(r, "searchEvaluations"), num(r, "searchSeconds"))));
      names.add(rowLabel(r));
      cert.add(num(r, "certifiedBound"));
      lower.add(num(r, "lowerBound"));
      sampled.add(num(r, "measuredMaxError"));
    }
    CategoryChart c = logBars("Certified bound against the searched lower bound (construct's defaults)",
        "sup |target - ticket| on the box", List.of(cert, lower, sampled));
    c.addSeries("certified bound", names, cert).setFillColor(PALETTE[1]);
    c.addSeries("lower bound (search)", names, lower).setFillColor(PALETTE[2]);
    c.addSeries("sampled (" + distinct(t, "measuredSamples") + " points)", names, sampled).setFillColor(PALETTE[0]);
    save(c, t, "certified-vs-lower", Long.toString(seed), boundsScaleNote() + "construct at its defaults; the true "
        + "sup lies between the lower and the certified bound");
    tables.put("certified-vs-lower", Markers.table(List.of("target", "phi", "box", "rho", "eps", "certified",
        "lower bound", "certified / lower", "sampled (" + distinct(t, "measuredSamples") + " points)",
        "search: evaluations, s"), rows) + String.format(Locale.ROOT, "%n%sconstruct's defaults: mode %s, rho %s, "
        + "eps %s for --output-rel %s, %s samples, %s; seed %d. certified / lower: %s.%s Search seconds: wall time "
        + "in this run (%d constructions in parallel).%n", boundsScaleNote(), distinct(t, "mode"),
        distinct(t, "rhoMode"), distinct(t, "epsBasis"), distinct(t, "outputRel"), distinct(t, "measuredSamples"),
        searchNote(), seed, range(t, ReportCommand::ratio), quick ? "" : " The sampled error is "
            + range(t, r -> num(r, "lowerBound") / num(r, "measuredMaxError")) + " times below the lower bound.",
        threadCount));
  }

  private String searchNote() {
    return quick ? "no adversarial search (--search 0)" : "the default search budget";
  }

  /** The goal of certified / lower: 1,000 for a residual target over the whole box, else 10. */
  static double ratioGoal(String target) {
    return target.contains("resnet") ? 1_000 : 10;
  }

  private void certificationGoals() throws IOException {
    Table t = sweep("certification-goals", boundSpecs(", \"construction\": \"l+1\", \"rho\": 15, "
        + "\"eps\": 0.01", true));
    Table data = new Table();
    List<List<String>> rows = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    List<Double> goals = new ArrayList<>();
    List<String> met = new ArrayList<>();
    for (Map<String, String> r : t.rows()) {
      double ratio = ratio(r);
      double goal = ratioGoal(r.get("--target"));
      boolean ok = ratio <= goal;
      Map<String, String> row = new LinkedHashMap<>(r);
      row.put("ratio", Double.toString(ratio));
      row.put("ratioGoal", Double.toString(goal));
      row.put("goalMet", Boolean.toString(ok));
      data.add(row);
      rows.add(List.of(targetName(r), r.get("--activation"), box(r), g(num(r, "recursionBound")),
          g(num(r, "differentialBound")), g(num(r, "certifiedBound")), g(num(r, "lowerBound")),
          g(num(r, "measuredMaxError")), g(ratio),
          String.format(Locale.ROOT, "%s (<= %,.0f)", ok ? "met" : "not met", goal)));
      names.add(rowLabel(r));
      ratios.add(ratio);
      goals.add(goal);
      if (ok) met.add(targetName(r) + " " + r.get("--activation"));
    }
    CategoryChart c = logBars("certified / lower against the goal (rho 15, eps 0.01)", "certified / lower",
        List.of(ratios, goals));
    c.addSeries("certified / lower", names, ratios).setFillColor(PALETTE[1]);
    c.addSeries("goal", names, goals).setFillColor(Color.LIGHT_GRAY);
    save(c, data, "certification-goals", Long.toString(seed), boundsScaleNote() + "construct --construction l+1 "
        + "--rho 15 --eps 0.01; goal: certified / lower <= 10, small-resnet <= 1,000 over the whole box");
    tables.put("certification-goals", Markers.table(List.of("target", "phi", "box", "recursion", "differential",
        "certified", "lower bound", "sampled", "certified / lower", "goal"), rows) + String.format(Locale.ROOT,
        "%n%sconstruct --construction l+1 --rho 15 --eps 0.01, mode %s, %s samples, %s, seed %d; certified = "
        + "min(recursion, differential); recursion / differential: %s. Goals met: %d of %d%s.%n",
        boundsScaleNote(), distinct(t, "mode"), distinct(t, "measuredSamples"), searchNote(), seed,
        range(t, r -> num(r, "recursionBound") / num(r, "differentialBound")), met.size(), t.rows().size(),
        met.isEmpty() ? "" : " (" + String.join(", ", met) + ")"));
  }

  /** Radius of the ResNet-20 balls: 2/255, one step of an 8-bit image. */
  static final double RADIUS_2_255 = 2.0 / 255;

  /**
   * The sweep spec of local certificates around {@code n} points drawn uniformly from [-1, 1]^d with the report's
   * seed, written as {@code dir/TARGET-points.npy}.
   */
  private String localSpec(Path dir, String target, String phis, int n, double radius) throws IOException {
    int[] shape = dev.ticketproof.targets.Builtins.of(target, ActivationCatalog.parse("relu")).inputShape();
    int[] dims = new int[shape.length + 1];
    dims[0] = n;
    System.arraycopy(shape, 0, dims, 1, shape.length);
    int size = n;
    for (int s : shape) size *= s;
    double[] v = new double[size];
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
    for (int i = 0; i < size; i++) v[i] = -1 + 2 * rnd.nextDouble();
    Path f = dir.resolve(target + "-points.npy");
    dev.ticketproof.io.Npy.write(f, dev.ticketproof.tensor.Tensor.of(v, dims), dev.ticketproof.io.DType.FLOAT64);
    return "{\"target\": \"builtin:" + target + "\", \"activation\": " + phis + ", \"construction\": \"l+1\", "
        + "\"rho\": 15, \"eps\": 0.01, \"around\": \"" + f + "\", \"radius\": " + radius + ", \"seed\": " + seed + "}";
  }

  private void localCertificates() throws IOException {
    Path dir = Files.createTempDirectory("ticketproof-report-points");
    Table raw;
    try {
      List<String> specs = new ArrayList<>();
      specs.add(localSpec(dir, "small-cnn", PHIS, 4, 0.05));
      if (!quick) specs.add(localSpec(dir, "resnet20", "\"relu\"", 16, RADIUS_2_255));
      raw = sweep("local-certificates", specs);
    } finally {
      try (java.util.stream.Stream<Path> files = Files.list(dir)) {
        for (Path f : files.toList()) Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    }
    // the points' temporary directory is no part of the result
    Table t = new Table();
    for (Map<String, String> r : raw.rows()) {
      Map<String, String> m = new LinkedHashMap<>();
      r.forEach((k, v) -> m.put(k, v.replace(dir.toString(), "POINTS")));
      t.add(m);
    }
    List<List<String>> rows = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<Double> cert = new ArrayList<>();
    List<Double> lower = new ArrayList<>();
    List<Double> output = new ArrayList<>();
    String resnet = "";
    for (Map<String, String> r : t.rows()) {
      boolean nonVacuous = num(r, "certifiedBound") < num(r, "maxTargetOutput");
      rows.add(List.of(targetName(r), r.get("--activation"), r.get("aroundPoints"), g(num(r, "radius")),
          String.format(Locale.ROOT, "%,.0f / %,.0f", num(r, "failedInstances"), num(r, "instances")),
          g(num(r, "certifiedBound")), g(num(r, "lowerBound")), g(ratio(r)), g(num(r, "maxTargetOutput")),
          nonVacuous ? "yes" : "no", String.format(Locale.ROOT, "%.0f s", num(r, "seconds"))));
      names.add(rowLabel(r));
      cert.add(num(r, "certifiedBound"));
      lower.add(num(r, "lowerBound"));
      output.add(num(r, "maxTargetOutput"));
      if (r.get("--target").equals("builtin:resnet20")) {
        boolean fast = num(r, "seconds") <= 120;
        resnet = String.format(Locale.ROOT, " Goal on ResNet-20 (balls of radius 2/255 around 16 inputs): certified "
            + "< max |target output| (non-vacuous): %s; computed in <= 2 minutes on 2 cores: %s (%.0f s here, "
            + "in parallel with other constructions).", nonVacuous ? "met" : "not met", fast ? "met" : "not met",
            num(r, "seconds"));
      }
    }
    CategoryChart c = logBars("Local certificates: l-infinity balls around points (rho 15, eps 0.01)",
        "sup |target - ticket| over the balls", List.of(cert, lower, output));
    c.addSeries("certified bound", names, cert).setFillColor(PALETTE[1]);
    c.addSeries("lower bound (search)", names, lower).setFillColor(PALETTE[2]);
    c.addSeries("max |target output|", names, output).setFillColor(Color.LIGHT_GRAY);
    save(c, t, "local-certificates", Long.toString(seed), boundsScaleNote().replace("small-cnn only", "no ResNet-20")
        + "construct --around POINTS --radius R; points uniform in [-1,1]^d (SplittableRandom, the report's seed)");
    tables.put("local-certificates", Markers.table(List.of("target", "phi", "points", "radius",
        "failed / instances", "certified",
        "lower bound", "certified / lower", "max abs target output", "certified < output", "construct"), rows)
        + String.format(Locale.ROOT, "%n%sconstruct --construction l+1 --rho 15 --eps 0.01 --around POINTS --radius R, "
        + "mode %s, %s samples in the balls, %s, seed %d; the points are drawn uniformly from [-1, 1]^d with the same "
        + "seed; lower bound and max abs target output over the balls; construct: wall time in this run (%d "
        + "constructions in parallel).%s%n", boundsScaleNote().replace("small-cnn only", "no ResNet-20"),
        distinct(t, "mode"), distinct(t, "measuredSamples"), searchNote(), seed, threadCount, resnet));
  }

  // ---- activations -------------------------------------------------------------------------------------------

  private void activations() throws IOException {
    Table data = new Table();
    List<String> names = new ArrayList<>();
    String[] fields = {"phi0", "slopeMinus", "slopePlus", "lipschitz", "remainder M"};
    List<List<Double>> values = new ArrayList<>();
    for (int k = 0; k < fields.length; k++) values.add(new ArrayList<>());
    for (Activation a : ActivationCatalog.all()) {
      JsonObject o = ActivationsCommand.describe(a, false);
      Map<String, String> row = new LinkedHashMap<>();
      row.put("name", a.name());
      for (String f : List.of("phi0", "slopeMinus", "slopePlus", "lipschitz")) row.put(f, cell(o.get(f)));
      JsonObject rem = o.getAsJsonObject("remainder");
      row.put("remainderConstant", cell(rem.get("constant")));
      row.put("remainderPower", cell(rem.get("power")));
      row.put("supported", cell(o.get("supported")));
      row.put("construction", o.has("construction") ? o.get("construction").getAsString() : "");
      data.add(row);
      if (!o.get("supported").getAsBoolean()) continue;
      names.add(a.name());
      values.get(0).add(a.phi0());
      values.get(1).add(a.slopeMinus());
      values.get(2).add(a.slopePlus());
      values.get(3).add(a.lipschitz());
      values.get(4).add(a.remainderConstant());
    }
    CategoryChart c = new CategoryChartBuilder().width(Figures.WIDTH).height(Figures.HEIGHT)
        .title("Activation catalog: constants of the [identity] construction (supported activations)")
        .xAxisTitle("activation").yAxisTitle("value").build();
    style(c.getStyler());
    c.getStyler().setXAxisLabelRotation(45); // sixteen names side by side would overlap
    for (int k = 0; k < fields.length; k++) {
      c.addSeries(fields[k], names, values.get(k)).setFillColor(PALETTE[k]);
    }
    save(c, data, "activations", "none (deterministic)", "remainder M: |phi(t) - phi(0) - m t| <= M |t|^p "
        + "(p in the CSV); unsupported activations (m+ + m- = 0) are in the CSV only");
  }

  private static String cell(JsonElement v) {
    return v == null || v.isJsonNull() ? "" : v.getAsString();
  }
}
