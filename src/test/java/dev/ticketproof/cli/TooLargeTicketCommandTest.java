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
}
