package dev.ticketproof.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.stats.EmpiricalBound.Direction;
import org.junit.jupiter.api.Test;

class EmpiricalBoundTest {
  @Test
  void failureBoundIsContradictedOnlyWhenTheIntervalLiesAboveIt() {
    // 100 events in 1000 trials: the 1e-6 interval is roughly [0.06, 0.15]
    assertThat(EmpiricalBound.check(1000, 100, 0.05, Direction.AT_MOST).contradicted()).isTrue();
    assertThat(EmpiricalBound.check(1000, 100, 0.08, Direction.AT_MOST).contradicted()).isFalse();
    assertThat(EmpiricalBound.check(1000, 100, 0.2, Direction.AT_MOST).contradicted()).isFalse();
  }

  @Test
  void successBoundIsContradictedOnlyWhenTheIntervalLiesBelowIt() {
    assertThat(EmpiricalBound.check(1000, 900, 0.99, Direction.AT_LEAST).contradicted()).isTrue();
    assertThat(EmpiricalBound.check(1000, 900, 0.92, Direction.AT_LEAST).contradicted()).isFalse();
    assertThat(EmpiricalBound.check(1000, 900, 0.5, Direction.AT_LEAST).contradicted()).isFalse();
  }

  @Test
  void equalityIsTwoSided() {
    assertThat(EmpiricalBound.check(1000, 100, 0.1, Direction.EQUAL).consistent()).isTrue();
    assertThat(EmpiricalBound.check(1000, 100, 0.3, Direction.EQUAL).contradicted()).isTrue();
    assertThat(EmpiricalBound.check(1000, 100, 0.01, Direction.EQUAL).contradicted()).isTrue();
  }

  @Test
  void intervalIsExactAtTheEnds() {
    // Clopper-Pearson at 0 events: lower end 0, upper end 1 - (alpha/2)^(1/n)
    double[] ci = EmpiricalBound.ci95(100, 0);
    assertThat(ci[0]).isEqualTo(0.0);
    assertThat(ci[1]).isCloseTo(1 - Math.pow(0.025, 0.01), org.assertj.core.data.Offset.offset(1e-9));
    double[] all = EmpiricalBound.ci95(100, 100);
    assertThat(all[1]).isEqualTo(1.0);
    assertThat(all[0]).isCloseTo(Math.pow(0.025, 0.01), org.assertj.core.data.Offset.offset(1e-9));
    assertThat(EmpiricalBound.formatCi95(100, 0, 3)).isEqualTo("[0.00, 0.0362]");
  }

  @Test
  void messageCarriesCounts() {
    BoundVerdict v = EmpiricalBound.check(400, 7, 0.01, Direction.AT_MOST);
    assertThat(v.message()).contains("7/400").contains("claim p <= 0.01");
    assertThat(v.rate()).isEqualTo(7 / 400.0);
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> EmpiricalBound.check(0, 0, 0.1, Direction.AT_MOST)).hasMessageContaining("trials");
    assertThatThrownBy(() -> EmpiricalBound.check(10, 11, 0.1, Direction.AT_MOST)).hasMessageContaining("11");
    assertThatThrownBy(() -> EmpiricalBound.check(10, 1, Double.NaN, Direction.AT_MOST)).hasMessageContaining("NaN");
    assertThatThrownBy(() -> EmpiricalBound.check(10, 1, 0.1, Direction.AT_MOST, 0.05)).hasMessageContaining("alpha");
  }
}
