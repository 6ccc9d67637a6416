package dev.ticketproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

/**
 * {@code outputRelMet} judges the goal where the builds check it: on the user's data when given. The numbers are
 * those of the CELU(0.5) digits CNN at {@code --output-rel 0.001} (docs/import.md): 0.068 % on its data, 0.107 % on
 * the box samples.
 */
class OutputRelGoalTest {
  @Test void theDataDecideWhenGiven() {
    assertThat(ConstructCommand.outputRelMet(false, 0.001, 0.00107, 0.00068)).isTrue();
    assertThat(ConstructCommand.outputRelMet(false, 0.001, 0.00068, 0.00107)).isFalse();
  }

  @Test void theBoxSamplesDecideWithoutData() {
    assertThat(ConstructCommand.outputRelMet(false, 0.001, 0.00107, null)).isFalse();
    assertThat(ConstructCommand.outputRelMet(false, 0.001, 0.00068, null)).isTrue();
  }

  @Test void aCertifiedBoundMeetsItWhateverWasMeasured() {
    assertThat(ConstructCommand.outputRelMet(true, 0.001, 0.5, 0.5)).isTrue();
  }

  /**
   * construct reports the error the goal judges, each of small-fc's 10 outputs on its own scale: at least the error of
   * the whole vector on the same samples (each output's scale is at most the largest), and the goal met by it.
   */
  @Test void constructReportsTheErrorOfEachOutputOnItsOwnScale() {
    CommandRun r = ImportCommandsTest.run("construct", "--target", "builtin:small-fc", "--search", "0",
        "--samples", "8", "--format", "json", "--no-progress");
    assertThat(r.code()).as(r.err()).isZero();
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    assertThat(o.get("outputRelScale").getAsString()).isEqualTo("each output");
    double each = o.get("outputRelError").getAsDouble();
    assertThat(each).as(r.out()).isGreaterThanOrEqualTo(o.get("measuredRelError").getAsDouble()).isPositive();
    boolean certified = "certified".equals(o.get("outputRelBasis").getAsString());
    assertThat(o.get("outputRelMet").getAsBoolean()).as(r.out())
        .isEqualTo(certified || each <= o.get("outputRel").getAsDouble());
  }
}
