package dev.ticketproof.kernel;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON of a ticket header, read by hand so that the kernel needs no JSON library: one flat object whose values
 * are strings, numbers, booleans or null (RFC 8259). Strict: no comments, trailing commas, single quotes, bare NaN or
 * trailing content; a duplicate key, a nested object or array, or a control character in a string is an error;
 * numbers keep their exact decimal value ({@link BigDecimal}) so that {@code 1.5} is never read where an integer is
 * expected. ({@code io.TicketWriter} writes headers with Gson.)
 */
final class HeaderJson {
  private final String s;
  private int i;

  private HeaderJson(String s) { this.s = s; }

  /**
   * Parses a header object.
   *
   * @return its members in order; values are {@link String}, {@link BigDecimal}, {@link Boolean} or null
   * @throws IllegalArgumentException naming the offset and what was expected
   */
  static Map<String, Object> parse(String text) {
    HeaderJson p = new HeaderJson(text);
    Map<String, Object> o = new LinkedHashMap<>();
    p.expect('{');
    if (!p.take('}')) {
      do {
        String k = p.string();
        p.expect(':');
        if (o.containsKey(k)) throw p.error("duplicate key \"" + k + "\"");
        o.put(k, p.value(k));
      } while (p.take(','));
      p.expect('}');
    }
    p.space();
    if (p.i != text.length()) throw p.error("trailing content after the object");
    return o;
  }

  private Object value(String key) {
    space();
    char c = i < s.length() ? s.charAt(i) : 0;
    if (c == '"') return string();
    if (c == '{' || c == '[') throw error("\"" + key + "\": nested values are not part of a header");
    for (String w : new String[] {"true", "false", "null"}) {
      if (s.startsWith(w, i)) {
        i += w.length();
        return w.equals("null") ? null : Boolean.valueOf(w);
      }
    }
    int start = i;
    skip("-");
    if (!skip("0") && !digits()) throw error("\"" + key + "\": expected a value");
    if (skip(".") && !digits()) throw error("\"" + key + "\": digits expected after the decimal point");
    if (skip("eE")) {
      skip("+-");
      if (!digits()) throw error("\"" + key + "\": digits expected in the exponent");
    }
    return new BigDecimal(s.substring(start, i));
  }

  private boolean digits() {
    int start = i;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
    return i > start;
  }

  private String string() {
    expect('"');
    StringBuilder b = new StringBuilder();
    while (true) {
      if (i >= s.length()) throw error("unterminated string");
      char c = s.charAt(i++);
      if (c == '"') return b.toString();
      if (c < 0x20) throw error("control character in a string");
      if (c != '\\') {
        b.append(c);
        continue;
      }
      char e = i < s.length() ? s.charAt(i++) : 0;
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          if (i + 4 > s.length()) throw error("truncated \\u escape");
          try {
            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          } catch (NumberFormatException x) {
            throw error("bad \\u escape");
          }
          i += 4;
        }
        default -> throw error("bad escape \\" + e);
      }
    }
  }

  private void space() {
    while (i < s.length() && " \t\n\r".indexOf(s.charAt(i)) >= 0) i++;
  }

  private boolean take(char c) {
    space();
    return skip(String.valueOf(c));
  }

  /** Moves past the next character if it is one of {@code chars}; whether it did. */
  private boolean skip(String chars) {
    if (i < s.length() && chars.indexOf(s.charAt(i)) >= 0) {
      i++;
      return true;
    }
    return false;
  }

  private void expect(char c) {
    if (!take(c)) throw error("expected '" + c + "'");
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException("not a strict JSON header: " + what + " at offset " + i);
  }
}
