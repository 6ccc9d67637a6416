package dev.ticketproof.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.activation.IdentityHypothesis;
import org.junit.jupiter.api.Test;

/** The kernel's independent activation definitions and constants agree with the catalog's. */
class ReferenceActivationsTest {
  @Test
  void valuesAndConstantsAgreeWithTheCatalog() {
    int smooth = 0;
    for (Activation a : ActivationCatalog.all()) {
      if (!IdentityHypothesis.holds(a)) {
        assertThat(ReferenceActivations.value(a.name(), 0.3)).as(a.name()).isNaN();
        continue;
      }
      for (double t = -8; t <= 8; t += 0.01) {
        double ref = ReferenceActivations.value(a.name(), t);
        assertThat(Math.abs(ref - a.value(t))).as("%s at %s", a.name(), t)
            .isLessThanOrEqualTo(1e-13 * Math.abs(ref));
      }
      ReferenceActivations.Smooth s = ReferenceActivations.smooth(a.name());
      double[] slopes = ReferenceActivations.slopes(a.name());
      if (a.slopeMinus() == a.slopePlus()) {
        smooth++;
        assertThat(s).as(a.name()).isNotNull();
        assertThat(s.phi0()).isEqualTo(a.phi0());
        assertThat(s.slope()).isEqualTo(a.slopePlus());
        assertThat(s.remainderConstant()).as(a.name()).isGreaterThanOrEqualTo(a.remainderConstant())
            .isLessThanOrEqualTo(Math.nextUp(a.remainderConstant()));
        assertThat(s.remainderPower()).isEqualTo(a.remainderPower());
        assertThat(s.phi0Error()).isGreaterThanOrEqualTo(a.phi0Error());
      } else {
        assertThat(slopes).as(a.name()).containsExactly(a.slopeMinus(), a.slopePlus());
      }
    }
    assertThat(smooth).isEqualTo(6);
  }
}
