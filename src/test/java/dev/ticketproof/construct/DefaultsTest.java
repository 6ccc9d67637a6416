package dev.ticketproof.construct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TicketCertificate;
import org.junit.jupiter.api.Test;

/** The construction's defaults, and the withers of the source parameters: one field changed at a time. */
class DefaultsTest {
  static final Activation RELU = ActivationCatalog.parse("relu");
  static final Activation TANH = ActivationCatalog.parse("tanh");

  @Test
  void widthAndScaleByActivationAndBox() {
    assertThat(Defaults.rho1(RELU, 5, 0)).isEqualTo(5);
    assertThat(Defaults.rho1(RELU, 5, -0.1)).isEqualTo(10);
    assertThat(Defaults.rho1(TANH, 5, -1)).isEqualTo(5);
    assertThat(Defaults.lambda(RELU)).isEqualTo(1.0);
    assertThat(Defaults.lambda(TANH)).isEqualTo(0.05);
  }

  @Test
  void paramsUseTheDefaults() {
    SourceNetwork.Construction l1 = SourceNetwork.Construction.L_PLUS_1;
    assertThat(Defaults.params(l1, 5, RELU))
        .isEqualTo(new SourceNetwork.Params(l1, 5, 10, 1.0, 1, null, -1, 1, null, TicketCertificate.VERSION));
    assertThat(Defaults.params(l1, 5, TANH).lambda()).isEqualTo(0.05);
    assertThatThrownBy(() -> new SourceNetwork.Params(l1, 5, 10, 0.5, 9, null, 1, 0, null, TicketCertificate.VERSION))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("input box");
  }
}
