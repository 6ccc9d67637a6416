package dev.ticketproof.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;

/**
 * Strict JSON (RFC 8259 only): no comments, single quotes, unquoted names, NaN or trailing values; a duplicate key
 * is an error (not "last one wins"); nesting deeper than {@link #MAX_DEPTH} is an error (no stack overflow);
 * numbers keep their exact decimal value, so {@link #integer} can refuse {@code 1.5} where an integer is expected.
 */
public final class StrictJson {
  /** Deepest nesting of objects and arrays accepted. */
  public static final int MAX_DEPTH = 64;

  private StrictJson() {}

  /**
   * Parses one JSON document.
   *
   * @throws IllegalArgumentException naming the path of the offending value (e.g. {@code $.layers[3]})
   */
  public static JsonElement parse(String text) {
    try (JsonReader r = new JsonReader(new StringReader(text))) {
      r.setStrictness(Strictness.STRICT);
      JsonElement e = value(r, 0);
      if (r.peek() != JsonToken.END_DOCUMENT) throw new IllegalArgumentException("trailing content after the value");
      return e;
    } catch (IOException | IllegalStateException | NumberFormatException e) {
      String m = String.valueOf(e.getMessage()).lines().findFirst().orElse("")
          .replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "malformed JSON");
      throw new IllegalArgumentException("not strict JSON (no comments, single quotes, unquoted names, NaN or "
          + "trailing values): " + m, e);
    }
  }

  private static JsonElement value(JsonReader r, int depth) throws IOException {
    JsonToken t = r.peek();
    if ((t == JsonToken.BEGIN_OBJECT || t == JsonToken.BEGIN_ARRAY) && depth >= MAX_DEPTH) {
      throw new IllegalArgumentException("nested deeper than " + MAX_DEPTH + " levels at " + r.getPath());
    }
    switch (t) {
      case BEGIN_OBJECT -> {
        JsonObject o = new JsonObject();
        r.beginObject();
        while (r.hasNext()) {
          String k = r.nextName();
          if (o.has(k)) throw new IllegalArgumentException("duplicate key \"" + k + "\" at " + r.getPath());
          o.add(k, value(r, depth + 1));
        }
        r.endObject();
        return o;
      }
      case BEGIN_ARRAY -> {
        JsonArray a = new JsonArray();
        r.beginArray();
        while (r.hasNext()) a.add(value(r, depth + 1));
        r.endArray();
        return a;
      }
      case STRING -> {
        return new JsonPrimitive(r.nextString());
      }
      case NUMBER -> {
        return new JsonPrimitive(new BigDecimal(r.nextString()));
      }
      case BOOLEAN -> {
        return new JsonPrimitive(r.nextBoolean());
      }
      case NULL -> {
        r.nextNull();
        return JsonNull.INSTANCE;
      }
      default -> throw new IllegalArgumentException("unexpected " + t + " at " + r.getPath());
    }
  }

  /**
   * The exact integer value of a JSON number in [min, max].
   *
   * @throws IllegalArgumentException naming {@code where} when it is not a number, not an integer (1.5) or out of
   *     range
   */
  public static long integer(JsonElement e, String where, long min, long max) {
    if (!(e instanceof JsonPrimitive p && p.isNumber())) {
      throw new IllegalArgumentException(where + ": expected an integer, got " + e);
    }
    BigDecimal d = p.getAsBigDecimal();
    long v;
    try {
      if (d.signum() != 0 && d.precision() - d.scale() > 19) throw new ArithmeticException();
      v = d.longValueExact();
    } catch (ArithmeticException x) {
      throw new IllegalArgumentException(where + ": expected an integer in [" + min + ", " + max + "], got " + e);
    }
    if (v < min || v > max) {
      throw new IllegalArgumentException(where + ": expected an integer in [" + min + ", " + max + "], got " + v);
    }
    return v;
  }
}
