package dev.ticketproof.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.ticketproof.targets.Builtins;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.report.Table;
import dev.ticketproof.subsetsum.SubsetSum;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A grid of {@code construct} runs: the spec names construct options; an array (or an integer range
 * {@code {"from": a, "to": b}}) is an axis of the grid, a single value is fixed for every run. Each grid point runs
 * the {@code construct} command in this process with {@code --format json --no-progress --threads 1}, so a row holds
 * exactly the fields construct prints (new fields appear as new columns). Points run in parallel on a thread pool;
 * rows already in the output (same {@code args}) are skipped, and the output is rewritten atomically, in grid order,
 * as runs finish.
 */
public final class Sweep {
  /** Options the sweep sets itself. */
  static final Set<String> RESERVED = Set.of("format", "no-progress", "threads", "out", "help", "version");
  /** The key column: the construct arguments of a grid point. */
  public static final String KEY = "args";

  private final String label;
  private final List<Field> fields;

  /** One spec field: a construct option and its values (one for a fixed option). */
  record Field(String name, List<String> values, boolean axis, boolean flag) {}

  /**
   * One run.
   *
   * @param args the construct arguments of the grid point (without the sweep's own options)
   * @param values spec field name -> value
   */
  public record Point(List<String> args, Map<String, String> values) {
    /** The key of the point in the output: its arguments joined by spaces. */
    public String key() { return String.join(" ", args); }
  }

  private Sweep(String label, List<Field> fields) {
    this.label = label;
    this.fields = fields;
  }

  /**
   * Reads and validates a spec file.
   *
   * @throws UsageError naming the file and the field at fault
   */
  public static Sweep read(Path file) {
    String text;
    try {
      if (!Files.isRegularFile(file)) throw new IOException("not a regular file");
      if (Files.size(file) > dev.ticketproof.io.ArchSpec.MAX_SPEC_BYTES) {
        throw new IOException(Files.size(file) + " bytes, above the " + dev.ticketproof.io.ArchSpec.MAX_SPEC_BYTES
            + " a spec may have");
      }
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UsageError(file + ": cannot read the sweep spec (" + e.getMessage() + ")");
    }
    JsonElement root;
    try {
      root = dev.ticketproof.io.StrictJson.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UsageError(file + ": not valid JSON (" + e.getMessage() + ")");
    }
    return of(file.toString(), root);
  }

  /**
   * Validates a spec given as JSON.
   *
   * @param label the spec's name in error messages (its file)
   * @throws UsageError naming the field at fault and what was expected
   */
  public static Sweep of(String label, JsonElement root) {
    if (root == null || !root.isJsonObject()) {
      throw new UsageError(label + ": the sweep spec must be a JSON object of construct options, e.g. "
          + "{\"target\": \"builtin:small-cnn\", \"rho\": [4, 8], \"seed\": {\"from\": 1, \"to\": 10}}");
    }
    CommandLine model = new CommandLine(new ConstructCommand());
    List<Field> fields = new ArrayList<>();
    for (Map.Entry<String, JsonElement> e : root.getAsJsonObject().entrySet()) {
      String name = e.getKey();
      String where = label + ": field '" + name + "'";
      OptionSpec opt = model.getCommandSpec().findOption("--" + name);
      if (opt == null || RESERVED.contains(name)) {
        throw new UsageError(where + ": not a construct option the sweep can set; fields are construct options "
            + "without the leading --, except " + String.join(", ", RESERVED.stream().sorted().toList())
            + ": " + String.join(", ", optionNames(model)));
      }
      boolean flag = opt.arity().max() == 0;
      JsonElement v = e.getValue();
      List<String> values = new ArrayList<>();
      boolean axis;
      if (v.isJsonArray()) {
        axis = true;
        if (v.getAsJsonArray().isEmpty()) throw new UsageError(where + ": an axis needs at least one value, got []");
        for (JsonElement x : v.getAsJsonArray()) values.add(scalar(where, x, flag));
      } else if (v.isJsonObject()) {
        axis = true;
        values.addAll(range(where, v.getAsJsonObject()));
      } else {
        axis = false;
        values.add(scalar(where, v, flag));
      }
      if (values.stream().distinct().count() != values.size()) {
        throw new UsageError(where + ": repeated values " + values);
      }
      for (String x : values) check(model, where, name, x, flag);
      fields.add(new Field(name, List.copyOf(values), axis, flag));
    }
    if (fields.stream().noneMatch(f -> f.name().equals("target"))) {
      throw new UsageError(label + ": field 'target' is required (builtin:NAME or a .pt/.npz file, or an array)");
    }
    return new Sweep(label, fields);
  }

  private static List<String> optionNames(CommandLine model) {
    List<String> names = new ArrayList<>();
    for (OptionSpec o : model.getCommandSpec().options()) {
      String n = o.longestName().replaceFirst("^--", "");
      if (!RESERVED.contains(n)) names.add(n);
    }
    return names;
  }

  private static String scalar(String where, JsonElement x, boolean flag) {
    if (x == null || !x.isJsonPrimitive()) {
      throw new UsageError(where + ": expected " + (flag ? "true or false" : "a string or a number")
          + (flag ? "" : " (or an array of them, or {\"from\": a, \"to\": b})") + ", got " + x);
    }
    JsonPrimitive p = x.getAsJsonPrimitive();
    if (flag != p.isBoolean()) {
      throw new UsageError(where + ": expected " + (flag ? "true or false" : "a string or a number") + ", got " + p);
    }
    if (p.isNumber()) {
      try {
        return new BigDecimal(p.getAsString()).stripTrailingZeros().toPlainString();
      } catch (NumberFormatException e) {
        throw new UsageError(where + ": expected a finite number, got " + p);
      }
    }
    return p.getAsString();
  }

  private static List<String> range(String where, JsonObject o) {
    if (!o.keySet().equals(Set.of("from", "to"))) {
      throw new UsageError(where + ": a range must be {\"from\": a, \"to\": b} with integers a <= b, got " + o);
    }
    long from;
    long to;
    try {
      from = o.get("from").getAsJsonPrimitive().getAsBigDecimal().longValueExact();
      to = o.get("to").getAsJsonPrimitive().getAsBigDecimal().longValueExact();
    } catch (RuntimeException e) {
      throw new UsageError(where + ": a range must be {\"from\": a, \"to\": b} with integers a <= b, got " + o);
    }
    if (from > to || to - from >= 1_000_000) {
      throw new UsageError(where + ": a range needs from <= to and at most 10^6 values, got " + o);
    }
    List<String> values = new ArrayList<>();
    for (long k = from; k <= to; k++) values.add(Long.toString(k));
    return values;
  }

  /** Checks one value the way construct reads it: the option's type, then the names construct resolves. */
  private static void check(CommandLine model, String where, String name, String value, boolean flag) {
    List<String> args = new ArrayList<>();
    if (!name.equals("target")) args.addAll(List.of("--target", "builtin:small-fc"));
    args.add("--" + name);
    if (!flag) args.add(value);
    try {
      new CommandLine(new ConstructCommand()).parseArgs(args.toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      throw new UsageError(where + ": " + e.getMessage());
    }
    try {
      switch (name) {
        case "target" -> {
          if (value.startsWith("builtin:")) {
            Builtins.of(value.substring("builtin:".length()), dev.ticketproof.activation.ActivationCatalog.parse("relu"));
          } else if (!Files.isRegularFile(Path.of(value))) {
            throw new IllegalArgumentException("no such file " + value);
          }
        }
        case "activation" -> TargetOptions.activation(value);
        case "construction" -> SourceNetwork.Construction.parse(value);
        case "mode" -> SubsetSum.Mode.ofCliName(value);
        default -> { }
      }
    } catch (IllegalArgumentException | UsageError e) {
      throw new UsageError(where + ": " + e.getMessage());
    }
  }

  /** The grid points in order: the first field varies slowest, the last fastest. */
  public List<Point> points() {
    List<Point> out = new ArrayList<>();
    int[] idx = new int[fields.size()];
    while (true) {
      List<String> args = new ArrayList<>();
      Map<String, String> values = new LinkedHashMap<>();
      for (int f = 0; f < fields.size(); f++) {
        Field field = fields.get(f);
        String v = field.values().get(idx[f]);
        values.put(field.name(), v);
        if (field.flag()) {
          if (Boolean.parseBoolean(v)) args.add("--" + field.name());
        } else {
          args.add("--" + field.name());
          args.add(v);
        }
      }
      out.add(new Point(List.copyOf(args), values));
      int f = fields.size() - 1;
      while (f >= 0 && ++idx[f] == fields.get(f).values().size()) idx[f--] = 0;
      if (f < 0) return out;
    }
  }

  /** The names of the axes (fields with several values or given as arrays or ranges). */
  public List<String> axes() {
    return fields.stream().filter(Field::axis).map(Field::name).toList();
  }

  /** Listener for finished runs. */
  public interface Listener {
    void finished(Point p, int done, int total);
  }

  /**
   * The outcome of a sweep.
   *
   * @param table every row of the output (grid order, then rows of other grids that the file held)
   * @param ran runs done now
   * @param skipped grid points already in the output
   */
  public record Outcome(Table table, int ran, int skipped) {}

  /**
   * Runs every grid point that the output does not hold yet and writes the output.
   *
   * @param out the CSV file; its rows are kept, and points whose {@value #KEY} it holds are skipped
   * @param threads runs in parallel
   * @param listener told of every finished run; may be null
   * @throws UsageError when the output is not a sweep CSV or a run rejects its arguments (exit code 2)
   * @throws IOException when the output cannot be written
   */
  public Outcome run(Path out, int threads, Listener listener) throws IOException {
    Map<String, Map<String, String>> done = new LinkedHashMap<>();
    if (Files.exists(out)) {
      Table old;
      try {
        old = Table.read(out);
      } catch (IOException e) {
        throw new UsageError("--out " + e.getMessage());
      }
      if (!old.rows().isEmpty() && !old.columns().contains(KEY)) {
        throw new UsageError("--out " + out + ": not a sweep output (no '" + KEY + "' column); refusing to overwrite");
      }
      for (Map<String, String> r : old.rows()) done.put(r.get(KEY), r);
    }
    List<Point> grid = points();
    List<Point> todo = grid.stream().filter(p -> !done.containsKey(p.key())).toList();
    Map<String, Map<String, String>> rows = new HashMap<>(done);
    Writer writer = new Writer(out, grid, rows);
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, todo.size())));
    try {
      List<Future<?>> futures = new ArrayList<>();
      int[] finished = {0};
      for (Point p : todo) {
        futures.add(pool.submit(() -> {
          if (stop.get()) return null;
          Map<String, String> row = runOne(p);
          synchronized (rows) {
            rows.put(p.key(), row);
            finished[0]++;
            if (listener != null) listener.finished(p, finished[0], todo.size());
            writer.maybeWrite(false);
          }
          return null;
        }));
      }
      RuntimeException failure = null;
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          stop.set(true);
          if (failure == null) {
            failure = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          stop.set(true);
          failure = new IllegalStateException("interrupted");
        }
      }
      synchronized (rows) {
        // after a failure, the finished rows are kept for a resumed run; nothing is written when none finished
        if (failure == null || finished[0] > 0) writer.maybeWrite(true);
      }
      if (failure != null) throw failure;
      synchronized (rows) {
        return new Outcome(writer.table(), todo.size(), grid.size() - todo.size());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Writes the output in grid order at most every two seconds (and at the end). */
  private static final class Writer {
    final Path out;
    final List<Point> grid;
    final Map<String, Map<String, String>> rows;
    long last = System.nanoTime();

    Writer(Path out, List<Point> grid, Map<String, Map<String, String>> rows) {
      this.out = out;
      this.grid = grid;
      this.rows = rows;
    }

    Table table() {
      Table t = new Table();
      Set<String> inGrid = new java.util.HashSet<>();
      for (Point p : grid) {
        inGrid.add(p.key());
        Map<String, String> r = rows.get(p.key());
        if (r != null) t.add(r);
      }
      // rows of other grids that the file held keep their order after this grid's
      rows.entrySet().stream().filter(e -> !inGrid.contains(e.getKey())).forEach(e -> t.add(e.getValue()));
      return t;
    }

    void maybeWrite(boolean force) {
      long now = System.nanoTime();
      if (!force && now - last < 2_000_000_000L) return;
      last = now;
      try {
        table().write(out);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("--out " + out + ": cannot write (" + e.getMessage() + ")", e);
      }
    }
  }

  /**
   * Runs construct on one grid point and returns its row: {@value #KEY}, the spec's values (columns named
   * {@code --NAME}), {@code exitCode}, then every field of construct's JSON.
   *
   * @throws UsageError when construct rejects the arguments (exit code 2)
   * @throws IllegalStateException when construct fails otherwise or prints no JSON object
   */
  Map<String, String> runOne(Point p) {
    List<String> args = new ArrayList<>(p.args());
    args.addAll(List.of("--format", "json", "--no-progress", "--threads", "1"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.withErrorHandling(new CommandLine(new ConstructCommand()));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args.toArray(String[]::new));
    String text = out.toString().trim();
    if (code == 2) {
      String msg = firstLine(err.toString(), text).replaceFirst("^construct: ", "");
      String field = fields.stream().map(Field::name)
          .filter(n -> msg.matches("(?s).*--" + java.util.regex.Pattern.quote(n) + "\\b(?!-).*")).findFirst()
          .map(n -> " field '" + n + "':").orElse("");
      throw new UsageError(label + ":" + field + " construct " + p.key() + ": " + msg);
    }
    JsonObject o = null;
    try {
      JsonElement e = JsonParser.parseString(text);
      if (e.isJsonObject()) o = e.getAsJsonObject();
    } catch (JsonParseException e) {
      o = null;
    }
    if (o == null || code == 1 || o.has("error")) {
      throw new IllegalStateException("construct " + p.key() + " failed with exit code " + code + ": "
          + firstLine(err.toString(), text));
    }
    Map<String, String> row = new LinkedHashMap<>();
    row.put(KEY, p.key());
    for (Map.Entry<String, String> v : p.values().entrySet()) row.put("--" + v.getKey(), v.getValue());
    row.put("exitCode", Integer.toString(code));
    row.putAll(Table.cells(o));
    return row;
  }

  /**
   * The first line of the error output that is not a warning, else the {@code error} of a JSON error object on the
   * standard output, else its first line.
   */
  private static String firstLine(String err, String out) {
    for (String l : err.split("\n")) {
      if (!l.isBlank() && !l.contains("warning:")) return l.strip();
    }
    try {
      JsonElement e = JsonParser.parseString(out);
      if (e.isJsonObject() && e.getAsJsonObject().has("error")) return e.getAsJsonObject().get("error").getAsString();
    } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
      // not a JSON error object: fall through
    }
    String s = out.strip();
    return s.isEmpty() ? "(no message)" : s.split("\n")[0];
  }
}
