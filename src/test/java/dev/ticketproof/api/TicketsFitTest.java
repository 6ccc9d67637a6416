package dev.ticketproof.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.construct.Defaults;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.net.Network;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.targets.Builtins;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A ticket that cannot be measured in the heap stops its construction early, with the kept weights it projects;
 * the construction reports its kept weights as it goes (every 64 output units and after every layer), exactly.
 */
class TicketsFitTest {
  static final Activation RELU = ActivationCatalog.parse("relu");

  static TicketBuilder.Options options() {
    SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, 6,
        Defaults.rho1(RELU, 6, -1), Defaults.lambda(RELU), 3, null, -1, 1, null, TicketCertificate.VERSION);
    return new TicketBuilder.Options(p, 0.02, SubsetSum.Mode.MIN_SIZE, 1, "t");
  }

  static long keptWeights(TicketCertificate c) {
    long n = 0;
    for (int[] k : c.keptWeights()) n += k.length;
    for (int[] k : c.keptBiases()) n += k.length;
    return n;
  }

  @Test
  void theConstructionReportsItsKeptWeightsAsItGoesAndAllOfThemAtTheEnd() {
    long reportsWithin = 0;
    for (String name : new String[] {"small-cnn", "small-resnet", "digits-lenet"}) {
      Network target = Builtins.of(name, RELU);
      List<double[]> calls = new ArrayList<>();
      TicketCertificate c = TicketBuilder.build(target, RELU, options(), new TicketBuilder.Progress() {
        @Override public void step(String layer, long done, long total) { }

        @Override public void kept(long keptWeights, double fractionDone) {
          calls.add(new double[] {keptWeights, fractionDone});
        }
      }).certificate();
      // one report after each layer, and one every 64 output units of a layer with more
      SourceNetwork src = SourceNetwork.of(dev.ticketproof.kernel.TargetPlan.of(target, RELU), options().params());
      long within = src.convs().stream().mapToLong(cv -> (cv.out().units() - 1) / 64).sum();
      reportsWithin += within;
      assertThat(calls).as(name).hasSize((int) (src.convs().size() + within));
      for (int k = 1; k < calls.size(); k++) {
        assertThat(calls.get(k)[0]).as(name + " kept, report " + k).isGreaterThanOrEqualTo(calls.get(k - 1)[0]);
        assertThat(calls.get(k)[1]).as(name + " share, report " + k).isGreaterThan(calls.get(k - 1)[1]);
      }
      double[] last = calls.get(calls.size() - 1);
      assertThat(last[1]).isEqualTo(1.0);
      assertThat((long) last[0]).as(name).isEqualTo(keptWeights(c));
    }
    assertThat(reportsWithin).as("reports within a layer of more than 64 units").isPositive();
  }

  @Test
  void aTicketThatDoesNotFitTheHeapStopsBeforeItIsChecked() {
    Network target = Builtins.of("small-cnn", RELU);
    long kept = keptWeights(TicketBuilder.build(target, RELU, options(), TicketBuilder.Progress.NONE).certificate());
    long need = kept * Tickets.BYTES_PER_KEPT_WEIGHT;
    boolean[] checked = {false};
    Tickets.Progress progress = new Tickets.Progress() {
      @Override public void step(String layer, long done, long total) { }

      @Override public dev.ticketproof.kernel.check.TicketChecker.Listener kernel(String pass) {
        checked[0] = true;
        return dev.ticketproof.kernel.check.TicketChecker.Listener.NONE;
      }
    };
    assertThatThrownBy(() -> TicketBuilder.build(target, RELU, options(), Tickets.fitting(progress, need - 1)))
        .isInstanceOf(Tickets.TooLarge.class).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("measuring it holds about 16 bytes per kept weight")
        .hasMessageContaining("maximum heap");
    assertThat(checked[0]).as("the kernel's check was not started").isFalse();
    assertThatCode(() -> TicketBuilder.build(target, RELU, options(), Tickets.fitting(progress, need)))
        .doesNotThrowAnyException();
    assertThat(checked[0]).isTrue();
  }

  @Test
  void aProjectionStopsOnlyBeyondItsMarginAndOnlyAfterItsShare() {
    long heap = 1L << 30;
    long atHeap = heap / Tickets.BYTES_PER_KEPT_WEIGHT;
    // before the share a projection is trusted: nothing, however large
    assertThatCode(() -> Tickets.checkFits(atHeap * 100, Tickets.PROJECT_AFTER / 2, heap)).doesNotThrowAnyException();
    // a projection: 10 % done with a tenth of the heap's kept weights projects to the heap, within the margin (a
    // small target's first layers keep more per instance than its later ones: small-cnn projects 1.4 times its count)
    assertThatCode(() -> Tickets.checkFits(atHeap / 10, 0.1, heap)).doesNotThrowAnyException();
    assertThatCode(() -> Tickets.checkFits((long) (atHeap * Tickets.PROJECTION_MARGIN / 10) - 1, 0.1, heap))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> Tickets.checkFits((long) (atHeap * Tickets.PROJECTION_MARGIN / 10) + 10, 0.1, heap))
        .isInstanceOf(Tickets.TooLarge.class)
        .hasMessageContaining("would keep about 1.34e+08 source weights (projected from the 10 % of its "
            + "construction done, which keeps 13421782)")
        .hasMessageContaining("2.0 GiB in all, more than the JVM's maximum heap of 1.0 GiB");
    // after the last layer the count is exact: no margin
    assertThatCode(() -> Tickets.checkFits(atHeap, 1, heap)).doesNotThrowAnyException();
    assertThatThrownBy(() -> Tickets.checkFits(atHeap + 1, 1, heap)).isInstanceOf(Tickets.TooLarge.class)
        .hasMessageStartingWith("the ticket keeps about 6.71e+07 source weights, and measuring");
  }
}
