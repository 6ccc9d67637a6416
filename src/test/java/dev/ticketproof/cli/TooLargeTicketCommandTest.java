package dev.ticketproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ticket whose measurement cannot fit the heap stops early with exit 2, naming its projected size and the flags
 * that make it smaller, and writes nothing (a JVM of 256 MB: ResNet-20's ticket keeps about 5.4e7 weights); its
 * progress is not shown as done.
 */
class TooLargeTicketCommandTest {
  @TempDir Path tmp;

  @Test void aTicketTooLargeForTheHeapStopsEarlyAndWritesNothing() throws Exception {
    Path out = tmp.resolve("r.tpz");
    Path err = tmp.resolve("err.txt");
    Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "construct", "--target", "builtin:resnet20", "--samples", "0", "--out", out.toString()))
        .redirectError(err.toFile()).redirectOutput(tmp.resolve("out.txt").toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("finished").isTrue();
    String message = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(message).isEqualTo(2);
    // progress lines (stderr is no terminal), then the error; the run is not shown as done
    assertThat(message).contains("construct: 0 %, layer ").doesNotContain(", done")
        .contains("\nconstruct: the ticket would keep about ")
        .contains("projected from the ", "more than the JVM's maximum heap of 0.2 GiB", "-Xmx in TICKETPROOF_JAVA_OPTS",
            "--upto", "--rho", "--eps")
        .doesNotContain("Exception");
    assertThat(out).doesNotExist();
  }

  @Test void runningOutOfMemoryNamesTheHeapAndHowToRaiseIt() {
    assertThat(Main.outOfMemory(8_589_934_592L)).isEqualTo("ticketproof: out of memory: the JVM's maximum heap of "
        + "8.0 GiB is too small for this input or ticket: give the JVM more (-Xmx in TICKETPROOF_JAVA_OPTS, e.g. "
        + "TICKETPROOF_JAVA_OPTS='-Xmx16g -XX:+UseParallelGC'), or a smaller input or ticket");
  }

  /** A measurement above the input limit names the flags that avoid it and how to raise the limit. */
  @Test void aMeasurementAboveTheInputLimitSaysHowToRaiseIt() {
    dev.ticketproof.net.Network net = dev.ticketproof.targets.Builtins.of("small-fc",
        dev.ticketproof.activation.ActivationCatalog.parse("relu"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Cli.checkMeasurement(net, Integer.MAX_VALUE, 1))
        .isInstanceOf(UsageError.class).hasMessageStartingWith("measuring on 1 example(s) of shape ")
        .hasMessageEndingWith("; give --samples 0 (and no --data), a smaller input, or raise the limit with "
            + "-Dticketproof.maxInputBytes=SIZE (e.g. in TICKETPROOF_JAVA_OPTS) and a larger -Xmx");
  }

  /**
   * With {@code --rho auto} the measurement's memory is estimated from the widest width the calibration can reach
   * (the theorem's at the smallest tolerance), not from the cap on rho: an input limit between the two estimates
   * refused a build that fits (a 3x224x224 CNN at the defaults needed -Dticketproof.maxInputBytes before).
   */
  @Test void theAutomaticWidthIsEstimatedFromTheTheoremNotTheCap() throws Exception {
    dev.ticketproof.activation.Activation relu = dev.ticketproof.activation.ActivationCatalog.parse("relu");
    dev.ticketproof.net.Network net = dev.ticketproof.targets.Builtins.of("small-cnn", relu);
    dev.ticketproof.kernel.TargetPlan plan = dev.ticketproof.kernel.TargetPlan.of(net, relu);
    dev.ticketproof.kernel.SourceNetwork.Construction cons = dev.ticketproof.kernel.SourceNetwork.Construction.L_PLUS_1;
    int cap = dev.ticketproof.kernel.SourceNetwork.MAX_RHO;
    int widest = ConstructCommand.autoWidest(plan, cons, relu, null, null, -1, 0.01, cap);
    assertThat(widest).isLessThan(cap);
    // every tolerance the calibration can choose gives a width (and a first width) within the estimate
    for (double e : new double[] {dev.ticketproof.measure.Goals.MIN_EPS, 1e-5, 1e-4, 1e-3, 1e-2, 0.1}) {
      int r = dev.ticketproof.measure.Goals.theoremRho(plan, cons, e, 0.01);
      assertThat(Math.max(r, dev.ticketproof.kernel.SourceNetwork.defaultRho1(relu, r))).as("eps %s", e)
          .isLessThanOrEqualTo(widest);
    }
    assertThat(ConstructCommand.autoWidest(plan, cons, relu, 1e-8, null, -1, 0.01, cap)).isGreaterThan(widest);
    // on a box of non-negative inputs the first layer needs no sign split: rho copies, not 2 rho
    assertThat(ConstructCommand.autoWidest(plan, cons, relu, null, null, 0, 0.01, cap)).isLessThan(widest);
    // a limit between the estimates at the cap and at the theorem's width: the build runs and holds
    long largest = 0;
    for (int[] s : dev.ticketproof.net.Shapes.infer(net)) largest = Math.max(largest, dev.ticketproof.limits.Budget.values(s));
    long limit = largest * 3 * Double.BYTES * (widest + cap) / 2;
    Path out = tmp.resolve("c.tpz");
    Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dticketproof.maxInputBytes=" + limit, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "construct", "--target", "builtin:small-cnn", "--samples", "1", "--search", "0", "--threads", "1",
        "--no-progress", "--out", out.toString()))
        .redirectError(tmp.resolve("err.txt").toFile()).redirectOutput(tmp.resolve("out.txt").toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("finished").isTrue();
    String err = Files.readString(tmp.resolve("err.txt"), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(err).isZero();
    assertThat(Files.readString(tmp.resolve("out.txt"), StandardCharsets.UTF_8)).contains("holds");
    // the estimate at the cap (one worker: --samples 1) is above the limit, so the run was refused before
    assertThat(largest * cap * 3 * Double.BYTES).isGreaterThan(limit);
  }
}
