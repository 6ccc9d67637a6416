package dev.ticketproof.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.activation.Activation;
import org.junit.jupiter.api.Test;

/** The factory and withers of the source parameters: the command line's defaults, one field changed at a time. */
class SourceNetworkParamsTest {
  @Test
  void factoryUsesTheDefaultsAndWithersChangeOneField() {
    Activation relu = ActivationCatalog.parse("relu");
    Activation tanh = ActivationCatalog.parse("tanh");
    SourceNetwork.Construction l1 = SourceNetwork.Construction.L_PLUS_1;
    assertThat(SourceNetwork.Params.of(l1, 5, relu)).isEqualTo(new SourceNetwork.Params(l1, 5,
        SourceNetwork.defaultRho1(relu, 5), SourceNetwork.defaultLambda(relu), 1, null, -1, 1));
    assertThat(SourceNetwork.Params.of(l1, 5, tanh).lambda()).isEqualTo(SourceNetwork.defaultLambda(tanh));
    SourceNetwork.Params p = SourceNetwork.Params.of(l1, 5, relu).withSeed(9).withUpto("2").withBox(0, 1)
        .withRho1(7).withLambda(0.5);
    assertThat(p).isEqualTo(new SourceNetwork.Params(l1, 5, 7, 0.5, 9, "2", 0, 1));
    assertThatThrownBy(() -> p.withBox(1, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("input box");
  }
}
