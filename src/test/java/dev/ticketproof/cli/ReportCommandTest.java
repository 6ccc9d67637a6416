package dev.ticketproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.report.Markers;
import dev.ticketproof.report.Table;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {
  private static CommandRun run(String... args) { return CommandRun.of(args); }

  @Test
  void quickReportWritesEveryFigureAndTheTables(@TempDir Path dir) throws IOException {
    String kept = "# Bounds\n\nprose that stays\n";
    StringBuilder doc = new StringBuilder(kept);
    for (String t : new String[] {"certified-vs-measured", "error-depth", "error-width", "width-vs-eps",
        "certified-vs-lower", "certification-goals", "local-certificates"}) {
      doc.append(Markers.open(t)).append("\nstale\n").append(Markers.close(t)).append('\n');
    }
    Path bounds = Files.writeString(dir.resolve("bounds.md"), doc.toString());
    Path figures = dir.resolve("figures");
    CommandRun r = run("report", "--quick", "--out", figures.toString(), "--no-progress");
    assertThat(r.code()).as(r.err()).isZero();
    for (String f : ReportCommand.FIGURES) {
      for (String ext : new String[] {"png", "svg", "csv"}) {
        Path p = figures.resolve(f + "." + ext);
        assertThat(p).as(p.toString()).isRegularFile();
        assertThat(Files.size(p)).as(p.toString()).isGreaterThan(100);
      }
      BufferedImage img = ImageIO.read(figures.resolve(f + ".png").toFile());
      assertThat(img.getWidth()).as(f).isEqualTo(900);
      assertThat(img.getHeight()).as(f).isGreaterThan(540);
      assertThat(Files.readString(figures.resolve(f + ".svg"))).as(f).contains("<svg")
          .contains("ticketproof report --out");
      assertThat(Table.read(figures.resolve(f + ".csv")).rows()).as(f).isNotEmpty();
    }
    String text = Files.readString(bounds);
    assertThat(text).startsWith(kept).doesNotContain("stale");
    for (String t : Markers.names(text)) {
      String body = text.substring(text.indexOf(Markers.open(t)), text.indexOf(Markers.close(t)));
      assertThat(body).as(t).contains("|---|");
    }
    String goals = text.substring(text.indexOf(Markers.open("certification-goals")),
        text.indexOf(Markers.close("certification-goals")));
    assertThat(goals).contains("QUICK SCALE");
    int rows = 0;
    for (String line : goals.split("\n")) {
      if (!line.startsWith("| small-cnn")) continue;
      String[] cells = line.split(" \\| ");
      double ratio = Double.parseDouble(cells[8]);
      assertThat(cells[9]).as(line).isEqualTo((ratio <= 10 ? "met" : "not met") + " (<= 10) |");
      rows++;
    }
    assertThat(rows).as(goals).isEqualTo(3);
  }

  @Test
  void equalSeedsGiveIdenticalCsvs(@TempDir Path dir) throws IOException {
    String only = "subset-sum-failure,subset-sum-coverage,error-width,certification-goals";
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    Path c = dir.resolve("c");
    assertThat(run("report", "--quick", "--only", only, "--out", a.toString(), "--no-progress", "--threads", "2")
        .code()).isZero();
    assertThat(run("report", "--quick", "--only", only, "--out", b.toString(), "--no-progress", "--threads", "1")
        .code()).isZero();
    assertThat(run("report", "--quick", "--only", "subset-sum-failure", "--seed", "2", "--out", c.toString(),
        "--no-progress").code()).isZero();
    for (String f : only.split(",")) {
      assertThat(Files.readString(b.resolve(f + ".csv"))).as(f).isEqualTo(Files.readString(a.resolve(f + ".csv")));
    }
    assertThat(Files.readString(c.resolve("subset-sum-failure.csv")))
        .isNotEqualTo(Files.readString(a.resolve("subset-sum-failure.csv")));
  }

  @Test
  void badArgumentsExitWithTwo(@TempDir Path dir) {
    CommandRun r = run("report", "--quick", "--only", "nothing", "--out", dir.resolve("x").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--only").contains("nothing");
    assertThat(dir.resolve("x")).doesNotExist();
    r = run("report", "--quick", "--bounds", dir.resolve("missing.md").toString(), "--out", dir.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("missing.md");
  }
}
