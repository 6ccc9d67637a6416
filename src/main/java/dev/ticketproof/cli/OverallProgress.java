package dev.ticketproof.cli;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * One progress bar over a whole job of a known number of steps, with an ETA, on stderr. On a terminal it is a
 * redrawn bar; otherwise (stderr or stdout redirected) plain lines without escapes or carriage returns, one at every
 * tenth of the job and at least every 30 seconds.
 */
final class OverallProgress implements AutoCloseable {
  private final ProgressBar bar;
  private final PrintStream lines;
  private final String task;
  private long total;
  private final long start = System.nanoTime();
  private long lastLine = start;
  private long lastTenth;

  private OverallProgress(ProgressBar bar, PrintStream lines, String task, long total) {
    this.bar = bar;
    this.lines = lines;
    this.task = task;
    this.total = total;
  }

  /** A progress display over {@code total} steps, or one that shows nothing when {@code show} is false. */
  static OverallProgress of(boolean show, String task, long total) { return of(show, task, total, false); }

  /**
   * A progress display over a whole run measured in permille of its estimated cost: a bar in percent on a terminal,
   * otherwise one plain line per {@link #stage}.
   */
  static OverallProgress ofRun(boolean show, String task) { return of(show, task, 1000, true); }

  /** Nothing, plain lines on stderr, or a bar on a terminal: in percent of permille steps, else with the speed. */
  private static OverallProgress of(boolean show, String task, long total, boolean percent) {
    if (!show) return new OverallProgress(null, null, task, total);
    if (System.console() == null) return new OverallProgress(null, System.err, task, total);
    ProgressBarBuilder bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
        .setUpdateIntervalMillis(250).setConsumer(new ConsoleProgressBarConsumer(System.err)).continuousUpdate();
    return new OverallProgress((percent ? bar.setUnit("%", 10) : bar.showSpeed()).build(), null, task, total);
  }

  /**
   * Reports progress within a stage: the bar moves; plain output prints nothing (but a line every 30 seconds of a
   * long stage).
   */
  synchronized void update(long done, long total, String note) {
    if (bar != null || lines == null) {
      step(done, total, note);
      return;
    }
    if (System.nanoTime() - lastLine >= 30_000_000_000L) line(done, total, note);
  }

  /** Reports the start of a stage: the bar moves; plain output prints one line. */
  synchronized void stage(long done, long total, String note) {
    if (bar != null || lines == null) {
      step(done, total, note);
      return;
    }
    line(done, total, note);
  }

  private void line(long done, long total, String note) {
    long now = System.nanoTime();
    lastLine = now;
    double elapsed = (now - start) / 1e9;
    double eta = done == 0 ? Double.NaN : elapsed * (total - done) / done;
    lines.printf(Locale.ROOT, "%s: %d %%, %s, %s elapsed, ETA %s%n", task, done * 100 / total, note,
        duration(elapsed), done >= total ? "0 s" : duration(eta));
  }

  /** Reports that {@code done} of {@code total} steps are finished; {@code note} names the last one. */
  synchronized void step(long done, long total, String note) {
    if (total <= 0) return;
    this.total = total;
    if (bar != null) {
      bar.maxHint(total);
      bar.stepTo(done);
      bar.setExtraMessage(note);
      return;
    }
    if (lines == null) return;
    long now = System.nanoTime();
    long tenth = done * 10 / total;
    if (tenth == lastTenth && now - lastLine < 30_000_000_000L && done < total) return;
    lastTenth = tenth;
    lastLine = now;
    double elapsed = (now - start) / 1e9;
    double eta = done == 0 ? Double.NaN : elapsed * (total - done) / done;
    lines.printf(Locale.ROOT, "%s: %d/%d (%d %%), %s elapsed, ETA %s%n", task, done, total, done * 100 / total,
        duration(elapsed), done == total ? "0 s" : duration(eta));
  }

  static String duration(double s) {
    if (Double.isNaN(s)) return "?";
    if (s < 60) return String.format(Locale.ROOT, "%.0f s", s);
    if (s < 3600) return String.format(Locale.ROOT, "%d min %02d s", (long) s / 60, (long) s % 60);
    return String.format(Locale.ROOT, "%d h %02d min", (long) s / 3600, (long) s % 3600 / 60);
  }

  @Override public void close() {
    if (bar != null) bar.close();
  }
}
