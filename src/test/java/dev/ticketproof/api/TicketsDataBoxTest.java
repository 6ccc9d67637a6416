package dev.ticketproof.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.measure.DataBox;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Without a box, the calibration inputs and the points of local balls choose it, as construct's --data and --around
 * do ({@link DataBox}); a given box is kept whatever the inputs. {@link Ticket#verify} checks a local certificate
 * over the balls it was built for.
 */
class TicketsDataBoxTest {
  private static TicketCertificate.Header header(Tickets.Builder b) {
    Ticket t = b.width(4).tolerance(0.05).samples(0).threads(1).build();
    assertThat(t.verify().isHolds()).isTrue();
    return t.certificate().header();
  }

  private static Tickets.Builder tabular() {
    return Tickets.of(TicketsCalibratedLambdaTest.tabular(), ActivationCatalog.parse("silu"));
  }

  /** |the tabular rows| / 1000: every value in [0, 1]. */
  private static List<double[]> small() {
    List<double[]> out = new ArrayList<>();
    for (double[] x : TicketsCalibratedLambdaTest.rows()) {
      double[] y = x.clone();
      for (int k = 0; k < y.length; k++) y[k] = Math.abs(y[k]) / 1000;
      out.add(y);
    }
    return out;
  }

  @Test
  void featuresOfUnequalScalesGetTheirOwnRanges() {
    List<double[]> rows = TicketsCalibratedLambdaTest.rows();
    TicketCertificate.Header h = header(tabular().calibrationInputs(rows));
    assertThat(h.inputBoxes()).isDeepEqualTo(DataBox.ranges(6, rows));
    assertThat(h.inputBoxes()[0][1]).isGreaterThan(100);
    assertThat(h.inputBoxes()[3][1]).isLessThan(0.05);
  }

  @Test
  void inputsInTheUnitIntervalGiveIt() {
    TicketCertificate.Header h = header(tabular().calibrationInputs(small()));
    assertThat(h.inputBoxes()).isNull();
    assertThat(new double[] {h.inputLow(), h.inputHigh()}).containsExactly(0, 1);
  }

  @Test
  void pointsOfBallsChooseTheBoxToo() {
    double[][] points = small().subList(0, 2).toArray(new double[0][]);
    TicketCertificate.Header h = header(tabular().around(points, 0.01));
    assertThat(h.inputBoxes()).isNull();
    assertThat(new double[] {h.inputLow(), h.inputHigh()}).containsExactly(0, 1);
  }

  @Test
  void inputsOfAnotherSizeOrNotFiniteAreRefused() {
    List<double[]> rows = new ArrayList<>(small());
    rows.add(new double[5]);
    assertThatThrownBy(() -> tabular().calibrationInputs(rows).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("calibration input 16 has 5 values, the input has 6");
    assertThatThrownBy(() -> tabular().around(new double[][] {new double[6], new double[7]}, 0.1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("point 1 has 7 values, the input has 6");
    List<double[]> nan = new ArrayList<>(small());
    nan.get(3)[2] = Double.NaN;
    assertThatThrownBy(() -> tabular().calibrationInputs(nan).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the inputs have values that are not finite");
  }

  @Test
  void aGivenBoxIsKept() {
    TicketCertificate.Header h = header(tabular().inputBox(-2000, 2000)
        .calibrationInputs(TicketsCalibratedLambdaTest.rows()));
    assertThat(h.inputBoxes()).isNull();
    assertThat(new double[] {h.inputLow(), h.inputHigh()}).containsExactly(-2000, 2000);
  }
}
