package dev.ticketproof.report;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generated sections of a Markdown file: the text between {@code <!-- report:NAME -->} and
 * {@code <!-- /report:NAME -->} belongs to the report and is replaced on every run; everything else is kept.
 */
public final class Markers {
  private Markers() {}

  /** The opening marker of a section. */
  public static String open(String name) { return "<!-- report:" + name + " -->"; }

  /** The closing marker of a section. */
  public static String close(String name) { return "<!-- /report:" + name + " -->"; }

  /** Whether the text has the section (both markers, in order). */
  public static boolean has(String text, String name) {
    int a = text.indexOf(open(name));
    return a >= 0 && text.indexOf(close(name), a) > a;
  }

  /** The names of all opening markers in the text, in order. */
  public static List<String> names(String text) {
    Matcher m = Pattern.compile("<!-- report:([A-Za-z0-9_.-]+) -->").matcher(text);
    List<String> out = new java.util.ArrayList<>();
    while (m.find()) out.add(m.group(1));
    return out;
  }

  /**
   * Replaces the body of a section.
   *
   * @param text the document. Not modified.
   * @param name the section
   * @param body the new body (a trailing newline is added when missing)
   * @return the document with the section's body replaced
   * @throws IllegalArgumentException when the markers are missing, repeated or out of order
   */
  public static String replace(String text, String name, String body) {
    int a = text.indexOf(open(name));
    int b = text.indexOf(close(name));
    if (a < 0 || b < a || text.indexOf(open(name), a + 1) >= 0 || text.indexOf(close(name), b + 1) >= 0) {
      throw new IllegalArgumentException("expected exactly one '" + open(name) + "' followed by one '" + close(name)
          + "'");
    }
    String b2 = body.endsWith("\n") ? body : body + "\n";
    return text.substring(0, a + open(name).length()) + "\n" + b2 + text.substring(b);
  }

  /** A Markdown table. */
  public static String table(List<String> header, List<List<String>> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append("| ").append(String.join(" | ", header)).append(" |\n|");
    for (int i = 0; i < header.size(); i++) sb.append("---|");
    sb.append('\n');
    for (List<String> r : rows) sb.append("| ").append(String.join(" | ", r)).append(" |\n");
    return sb.toString();
  }
}
