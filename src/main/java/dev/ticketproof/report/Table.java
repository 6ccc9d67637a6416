package dev.ticketproof.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * A table of string cells with named columns, read from and written to CSV (RFC 4180, comma separated, header
 * line, "\n" line ends). Columns are the union of the rows' keys in order of first appearance; a row without a
 * column has an empty cell there. Writes are atomic (a temporary file in the same directory, then a move).
 */
public final class Table {
  private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setRecordSeparator('\n').get();

  private final Set<String> columns = new LinkedHashSet<>();
  private final List<Map<String, String>> rows = new ArrayList<>();

  /** Appends a row (copied); its new keys become columns after the existing ones. */
  public Table add(Map<String, String> row) {
    columns.addAll(row.keySet());
    rows.add(new LinkedHashMap<>(row));
    return this;
  }

  /** The rows in insertion order (unmodifiable views of the stored maps). */
  public List<Map<String, String>> rows() {
    List<Map<String, String>> r = new ArrayList<>();
    for (Map<String, String> m : rows) r.add(Collections.unmodifiableMap(m));
    return r;
  }

  /** The columns in order of first appearance. */
  public List<String> columns() { return List.copyOf(columns); }

  /** The table as CSV text. */
  public String toCsv() {
    StringWriter w = new StringWriter();
    try (CSVPrinter p = new CSVPrinter(w, FORMAT)) {
      p.printRecord(columns);
      for (Map<String, String> row : rows) {
        List<String> cells = new ArrayList<>(columns.size());
        for (String c : columns) cells.add(row.getOrDefault(c, ""));
        p.printRecord(cells);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /** Writes the table as CSV, atomically. */
  public void write(Path file) throws IOException {
    writeAtomically(file, toCsv());
  }

  /**
   * Reads a CSV file with a header line.
   *
   * @throws IOException when the file cannot be read or is not CSV with a header (the message names the file)
   */
  public static Table read(Path file) throws IOException {
    Table t = new Table();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      CSVFormat f = FORMAT.builder().setHeader().setSkipHeaderRecord(true).get();
      for (CSVRecord rec : f.parse(r)) {
        if (!rec.isConsistent()) {
          throw new IOException(file + ": line " + rec.getRecordNumber() + " has " + rec.size()
              + " cells, the header has " + rec.getParser().getHeaderNames().size());
        }
        t.add(rec.toMap());
      }
    } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
      throw new IOException(file + ": not a CSV file with a header line (" + e.getMessage() + ")", e);
    }
    return t;
  }

  /**
   * One CSV cell per field of a JSON object: primitives as their JSON text (strings unquoted), null as an empty
   * cell, arrays and objects as compact JSON.
   */
  public static Map<String, String> cells(JsonObject o) {
    Map<String, String> m = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : o.entrySet()) {
      JsonElement v = e.getValue();
      m.put(e.getKey(), v.isJsonNull() ? "" : v.isJsonPrimitive() ? v.getAsString() : v.toString());
    }
    return m;
  }

  /** Writes text to a file atomically ({@link dev.ticketproof.io.AtomicFile}). */
  public static void writeAtomically(Path file, String text) throws IOException {
    writeAtomically(file, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Writes bytes to a file atomically ({@link dev.ticketproof.io.AtomicFile}: temporary file in the same directory,
   * then a rename; the mode is what the umask gives any new file).
   */
  public static void writeAtomically(Path file, byte[] bytes) throws IOException {
    dev.ticketproof.io.AtomicFile.write(file, bytes);
  }
}
