package dev.ticketproof.report;

import de.erichseifert.vectorgraphics2d.Document;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Writes an XChart chart as PNG and SVG with a provenance footer (command, seeds, commit) below the plot, so that
 * every image says how it was made.
 */
public final class Figures {
  /** Width of every figure in pixels. */
  public static final int WIDTH = 900;
  /** Height of the plot area in pixels (the footer is added below). */
  public static final int HEIGHT = 540;
  private static final int LINE = 15;

  private Figures() {}

  static {
    System.setProperty("java.awt.headless", "true");
  }

  /**
   * Writes {@code dir/name.png} and {@code dir/name.svg} (atomically).
   *
   * @param chart the chart, sized {@link #WIDTH} x {@link #HEIGHT}. Not modified.
   * @param footer provenance lines drawn below the plot
   */
  public static void save(Chart<?, ?> chart, List<String> provenance, Path dir, String name) throws IOException {
    List<String> footer = wrap(provenance, 140);
    int w = chart.getWidth();
    int h = chart.getHeight();
    int total = h + LINE * footer.size() + 10;
    BufferedImage img = new BufferedImage(w, total, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    paint(g, chart, footer, w, h, total);
    g.dispose();
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(img, "png", png);
    write(dir.resolve(name + ".png"), png.toByteArray());

    VectorGraphics2D vg = new VectorGraphics2D();
    paint(vg, chart, footer, w, h, total);
    Document doc = new SVGProcessor().getDocument(vg.getCommands(), new PageSize(0, 0, w, total));
    ByteArrayOutputStream svg = new ByteArrayOutputStream();
    doc.writeTo(svg);
    write(dir.resolve(name + ".svg"), compact(svg.toString(StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
  }

  private static final Pattern PATH_DATA = Pattern.compile("( d=\")([^\"]*)(\")");
  private static final Pattern DECIMAL = Pattern.compile("-?\\d+\\.\\d+");

  /**
   * The SVG with the coordinates of its path data ({@code d} attributes: the glyphs of XChart's text, which it draws
   * as outlines, and the shapes) rounded to 1/100 pixel; text and other attributes are unchanged.
   */
  static String compact(String svg) {
    Matcher m = PATH_DATA.matcher(svg);
    StringBuilder out = new StringBuilder(svg.length() / 2);
    while (m.find()) {
      Matcher d = DECIMAL.matcher(m.group(2));
      StringBuilder path = new StringBuilder();
      while (d.find()) {
        String r = new BigDecimal(d.group()).setScale(2, RoundingMode.HALF_EVEN).stripTrailingZeros()
            .toPlainString();
        d.appendReplacement(path, r.equals("-0") ? "0" : r);
      }
      d.appendTail(path);
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + path + m.group(3)));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Lines broken at spaces so that none is longer than {@code width} characters (longer words stay whole). */
  static List<String> wrap(List<String> lines, int width) {
    List<String> out = new java.util.ArrayList<>();
    for (String line : lines) {
      StringBuilder cur = new StringBuilder();
      for (String word : line.split(" ")) {
        if (cur.length() > 0 && cur.length() + 1 + word.length() > width) {
          out.add(cur.toString());
          cur.setLength(0);
          cur.append("    ");
        }
        if (cur.length() > 0 && !cur.toString().isBlank()) cur.append(' ');
        cur.append(word);
      }
      out.add(cur.toString());
    }
    return out;
  }

  private static void paint(Graphics2D g, Chart<?, ?> chart, List<String> footer, int w, int h, int total) {
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, total);
    chart.paint(g, w, h);
    g.setColor(Color.DARK_GRAY);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    for (int i = 0; i < footer.size(); i++) g.drawString(footer.get(i), 10, h + LINE * (i + 1));
  }

  private static void write(Path file, byte[] bytes) throws IOException {
    Table.writeAtomically(file, bytes);
  }
}
