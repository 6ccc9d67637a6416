package dev.ticketproof.kernel.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.construct.TicketBuilder;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TargetPlan;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.net.ActivationLayer;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.Network;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Certificates of format version 4 read the first layer's large-scale constant units with weights of their own scale
 * ({@link SourceNetwork#largeScales}), which grows with the l1 norm of the target's weights into a tap; version 3
 * read them at the row's scale. On a first layer of 64 inputs with phi(0) != 0 the offsets phi(0) sum w that the
 * constants cancel outgrow version 3's reach, and its bias instances fail; version 4's do not. Each version is
 * checked against its own source.
 */
class LargeScalesVersionTest {
  /** Linear 64 -> 6, phi, Linear 6 -> 2: first-layer weights U(-0.3, 0.5) of a fixed seed, mostly positive as a trained layer's may be: F_j is about 11. */
  static Network target(Activation phi) {
    Random r = new Random(5);
    double[] k1 = new double[6 * 64];
    for (int i = 0; i < k1.length; i++) k1[i] = 0.8 * r.nextDouble() - 0.3;
    double[] k2 = new double[2 * 6];
    for (int i = 0; i < k2.length; i++) k2[i] = r.nextDouble() - 0.5;
    return new Network(new int[] {64}, List.of(new Linear("fc1", Tensor.of(k1, 6, 64), Tensor.zeros(6)),
        new ActivationLayer(phi), new Linear("fc2", Tensor.of(k2, 2, 6), Tensor.zeros(2))));
  }

  static TicketBuilder.Result build(Activation phi, int version) {
    SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, 30, 30, 0.05, 3, null, 0,
        1, null, version);
    return TicketBuilder.build(target(phi), phi, new TicketBuilder.Options(p, 1e-2, SubsetSum.Mode.MIN_NORM, 1, "t"),
        TicketBuilder.Progress.NONE);
  }

  @Test void theLargeScaleGrowsWithTheFanInsL1Norm() {
    Activation phi = ActivationCatalog.parse("log-sigmoid");
    TargetPlan.Affine first = (TargetPlan.Affine) TargetPlan.of(target(phi), phi).steps().get(0);
    double[] row = SourceNetwork.rowScales(first);
    double[] large = SourceNetwork.largeScales(first, phi.phi0());
    for (int j = 0; j < row.length; j++) {
      double f = 0;
      for (int i = 0; i < 64; i++) f += Math.abs(first.kernel()[j * 64 + i]);
      assertThat(row[j]).isEqualTo(0.5);
      assertThat(large[j]).as("channel %d, F = %.3f", j, f).isGreaterThanOrEqualTo(8 * Math.log(2) * f)
          .isLessThan(16 * Math.log(2) * f);
    }
    // phi(0) = 0: the row's scale, as before version 4
    assertThat(SourceNetwork.largeScales(first, 0)).containsExactly(row);
  }

  @Test void version4CancelsTheOffsetsThatVersion3CouldNotReach() {
    for (String name : new String[] {"log-sigmoid", "sigmoid"}) {
      Activation phi = ActivationCatalog.parse(name);
      TicketBuilder.Result v3 = build(phi, 3);
      TicketBuilder.Result v4 = build(phi, 4);
      long f3 = v3.report().failedInstances();
      long f4 = v4.report().failedInstances();
      System.out.printf("%s: failed instances, version 3: %d, version 4: %d; bound %.3g against %.3g%n", name, f3, f4,
          v3.report().certifiedBound(), v4.report().certifiedBound());
      assertThat(v4.certificate().header().version()).isEqualTo(4);
      assertThat(v3.certificate().header().version()).isEqualTo(3);
      assertThat(f4).as(name).isZero();
      assertThat(f3).as(name).isPositive();
      if (name.equals("log-sigmoid")) {
        // its constants phi(beta) are small (0.13 to 0.69 in magnitude): version 3 missed by far, and its bound shows
        assertThat(v4.report().certifiedBound()).isLessThan(v3.report().certifiedBound() / 10);
      }
      // each version holds against its own source, and the mask read against the other is rejected
      assertThat(TicketChecker.check(v3.certificate(), target(phi), phi).verdict().isHolds()).isTrue();
      assertThat(TicketChecker.check(v4.certificate(), target(phi), phi).verdict().isHolds()).isTrue();
      assertThat(TicketChecker.check(BlockScalesVersionTest.withVersion(v4.certificate(), 3), target(phi), phi)
          .verdict().isHolds()).isFalse();
    }
  }
}
