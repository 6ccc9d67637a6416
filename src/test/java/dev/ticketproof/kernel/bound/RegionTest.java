package dev.ticketproof.kernel.bound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.commons.numbers.core.DD;
import org.junit.jupiter.api.Test;

/** Regions, the input map of a box, and the outward rounding, at the ends of their ranges. */
class RegionTest {
  @Test
  void aRegionRefusesWhatCoversNoInput() {
    assertThatThrownBy(() -> Region.box(1, 1)).hasMessageContaining("low < high");
    assertThatThrownBy(() -> Region.box(0, Double.POSITIVE_INFINITY)).hasMessageContaining("finite");
    assertThatThrownBy(() -> Region.box(Double.NEGATIVE_INFINITY, 0)).hasMessageContaining("finite");
    assertThatThrownBy(() -> Region.balls(0, 1, new double[][] {{0.5}}, -0x1p-1074)).hasMessageContaining("radius");
    assertThatThrownBy(() -> Region.balls(0, 1, new double[][] {{0.5}}, Double.POSITIVE_INFINITY))
        .hasMessageContaining("radius");
    assertThatThrownBy(() -> Region.balls(0, 1, new double[0][], 0.1)).hasMessageContaining("at least one point");
    // a ball that touches the box is accepted, one that misses it by an ulp is not
    assertThat(Region.balls(0, 1, new double[][] {{-0.5}}, 0.5).local()).isTrue();
    assertThat(Region.balls(0, 1, new double[][] {{1.5}}, 0.5).local()).isTrue();
    assertThatThrownBy(() -> Region.balls(0, 1, new double[][] {{0.5, Math.nextDown(-0.5)}}, 0.5))
        .hasMessageContaining("around point 0 misses the input box").hasMessageNotContaining("channel");
    assertThatThrownBy(() -> Region.balls(0, 1, new double[][] {{0.5}, {Math.nextUp(1.5)}}, 0.5))
        .hasMessageContaining("around point 1 misses the input box");
    assertThat(Region.box(0, 1).local()).isFalse();
  }

  @Test
  void theBoxesOfARegionCoverItsBallsClippedToTheBox() {
    List<double[][]> box = Region.box(-1, 2).boxes(3);
    assertThat(box).hasSize(1);
    assertThat(box.get(0)[0]).containsExactly(-1, -1, -1);
    assertThat(box.get(0)[1]).containsExactly(2, 2, 2);
    Region balls = Region.balls(-1, 2, new double[][] {{0, 1.9, -0.95}, {0.5, 0.5, 0.5}}, 0.1);
    List<double[][]> b = balls.boxes(3);
    assertThat(b).hasSize(2);
    double[] lo = b.get(0)[0];
    double[] hi = b.get(0)[1];
    assertThat(lo[0]).isLessThanOrEqualTo(-0.1).isGreaterThan(-0.1 - 1e-15);
    assertThat(hi[0]).isGreaterThanOrEqualTo(0.1).isLessThan(0.1 + 1e-15);
    assertThat(hi[1]).isEqualTo(2);
    assertThat(lo[2]).isEqualTo(-1);
    assertThat(b.get(1)[0][1]).isLessThanOrEqualTo(0.4).isGreaterThan(0.4 - 1e-15);
    assertThatThrownBy(() -> balls.boxes(2)).hasMessageContaining("point 0 has 3 values, the input has 2");
    // a ball of radius 0 is its centre, exactly (so the bound's maps hold no coefficients there)
    double[] x = {0.1, -1, 2, 1.0 / 3};
    List<double[][]> points = Region.balls(-1, 2, new double[][] {x}, 0).boxes(4);
    assertThat(points.get(0)[0]).containsExactly(x);
    assertThat(points.get(0)[1]).containsExactly(x);
  }

  @Test
  void containsAllAtTheEdgesOfBoxAndBalls() {
    Region box = Region.box(0, 1);
    assertThat(box.containsAll(List.of(new double[] {0, 1}, new double[] {0.5, 0.5}))).isTrue();
    assertThat(box.containsAll(List.of(new double[] {0, 1}, new double[] {Math.nextUp(1.0), 0.5}))).isFalse();
    assertThat(box.containsAll(List.of(new double[] {Math.nextDown(0.0), 0.5}))).isFalse();
    Region balls = Region.balls(0, 1, new double[][] {{0.25, 0.25}, {0.75}}, 0.25);
    assertThat(balls.containsAll(List.of(new double[] {0.5, 0}, new double[] {0.25, 0.25}))).isTrue();
    assertThat(balls.containsAll(List.of(new double[] {0.5, Math.nextUp(0.5)}))).isFalse();
    // a point of another dimension is in no ball
    assertThat(balls.containsAll(List.of(new double[] {0.75}))).isTrue();
    assertThat(balls.containsAll(List.of(new double[] {0.75, 0.75}))).isFalse();
  }

  @Test
  void aBoxPerChannelGivesEveryChannelItsOwnInterval() {
    assertThatThrownBy(() -> Region.box(new double[0], new double[0]))
        .hasMessageContaining("as many lower as upper ends (at least one), got 0 and 0");
    assertThatThrownBy(() -> Region.box(new double[] {0, 0}, new double[] {1}))
        .hasMessageContaining("got 2 and 1");
    assertThatThrownBy(() -> Region.box(new double[] {0, 1}, new double[] {1, 1}))
        .hasMessageContaining("low < high, got [1.0, 1.0] for channel 1");
    assertThatThrownBy(() -> Region.box(new double[] {0, 0}, new double[] {1, Double.POSITIVE_INFINITY}))
        .hasMessageContaining("for channel 1");
    assertThatThrownBy(() -> Region.box(1, 1)).hasMessageNotContaining("channel");
    // channels of 2 coordinates each (d = 6, C = 3); the union's ends are not the first channel's
    Region box = Region.box(new double[] {0, -2, 1}, new double[] {1, 3, 2});
    assertThat(box.perChannel()).isTrue();
    assertThat(Region.box(0, 1).perChannel()).isFalse();
    assertThat(box.low()).isEqualTo(-2);
    assertThat(box.high()).isEqualTo(3);
    assertThat(Region.box(new double[] {-1, 0}, new double[] {5, 1}).high()).isEqualTo(5);
    assertThat(Region.box(new double[] {-1, 0}, new double[] {5, 1}).low()).isEqualTo(-1);
    assertThat(box.lowAt(6)).containsExactly(0, 0, -2, -2, 1, 1);
    assertThat(box.highAt(6)).containsExactly(1, 1, 3, 3, 2, 2);
    assertThat(box.boxes(3).get(0)[0]).containsExactly(0, -2, 1);
    assertThatThrownBy(() -> box.lowAt(4))
        .hasMessageContaining("the input has 4 values, not a positive multiple of the input box's 3 channels");
    assertThatThrownBy(() -> box.highAt(0)).hasMessageContaining("has 0 values");
    assertThat(box.containsAll(List.of(new double[] {0, 1, -2, 3, 1, 2}))).isTrue();
    assertThat(box.containsAll(List.of(new double[] {0, 1, -2, 3, 1, Math.nextUp(2.0)}))).isFalse();
    assertThat(box.containsAll(List.of(new double[] {0, 1, -2, Math.nextDown(1.0), 1, 2}))).isTrue();
    assertThat(box.containsAll(List.of(new double[] {0, -1, -2, 0, 1, 2}))).isFalse();
    assertThat(box.containsAll(List.of(new double[] {0, 0, 0, 0}))).isFalse();
    assertThat(Region.box(0, 1).containsAll(List.of(new double[0]))).isFalse();
    // per-channel intervals from the header's boxes, or one interval
    Region of = Region.of(0, 4, new double[][] {{0, 1}, {3, 4}}, null, Double.NaN);
    assertThat(of.channelLow()).containsExactly(0, 3);
    assertThat(of.channelHigh()).containsExactly(1, 4);
    assertThat(of.local()).isFalse();
    Region one = Region.of(-1, 2, null, new double[][] {{0.5}}, 0.25);
    assertThat(one.channelLow()).containsExactly(-1);
    assertThat(one.channelHigh()).containsExactly(2);
    assertThat(one.local()).isTrue();
    assertThat(one.radius()).isEqualTo(0.25);
  }

  @Test
  void ballsAreCheckedAndClippedAgainstTheirOwnChannelsInterval() {
    double[] lo = {0, 10};
    double[] hi = {1, 11};
    Region balls = Region.balls(lo, hi, new double[][] {{0.95, 0.5, 10.02, 10.5}}, 0.1);
    List<double[][]> b = balls.boxes(4);
    assertThat(b.get(0)[0][0]).isLessThanOrEqualTo(0.85).isGreaterThan(0.85 - 1e-15);
    assertThat(b.get(0)[1][0]).isEqualTo(1);
    assertThat(b.get(0)[0][2]).isEqualTo(10);
    assertThat(b.get(0)[1][3]).isGreaterThanOrEqualTo(10.6).isLessThan(10.6 + 1e-14);
    assertThat(balls.containsAll(List.of(new double[] {1, 0.5, 10, 10.5}))).isTrue();
    assertThat(balls.containsAll(List.of(new double[] {0.95, 0.5, 9.95, 10.5}))).isFalse();
    // coordinate 1 belongs to channel 0, coordinate 2 to channel 1
    assertThatThrownBy(() -> Region.balls(lo, hi, new double[][] {{0.5, 10.5, 10.5, 10.5}}, 0.1))
        .hasMessageContaining("misses the input box [0.0, 1.0] of channel 0 (coordinate 10.5)");
    assertThatThrownBy(() -> Region.balls(lo, hi, new double[][] {{0.5, 0.5, 0.5, 10.5}}, 0.1))
        .hasMessageContaining("misses the input box [10.0, 11.0] of channel 1 (coordinate 0.5)");
    assertThat(Region.balls(lo, hi, new double[][] {{1.25, 0.5, 9.75, 11.25}}, 0.25).local()).isTrue();
    assertThatThrownBy(() -> Region.balls(lo, hi, new double[][] {{0.5, 0.5, 10.5}}, 0.1))
        .hasMessageContaining("point 0 has 3 values, not a positive multiple of the input box's 2 channels");
    assertThatThrownBy(() -> Region.balls(lo, hi, new double[][] {{0.5, 10.5}, {}}, 0.1))
        .hasMessageContaining("point 1 has 0 values");
    assertThatThrownBy(() -> Region.balls(0, 1, new double[][] {{0.5}}, 0.1).boxes(0)).hasMessageContaining("0 values");
  }

  @Test
  void theDigestOfPointsNamesTheirCountDimensionAndEveryValue() {
    double[][] p = {{0.5, 1}, {0.25, -1}};
    String d = Region.digest(p);
    assertThat(d).hasSize(64).matches("[0-9a-f]+").isEqualTo(Region.digest(new double[][] {{0.5, 1}, {0.25, -1}}));
    assertThat(Region.digest(new double[][] {{0.5, 1}, {0.25, -0.5}})).isNotEqualTo(d);
    assertThat(Region.digest(new double[][] {{0.5, 1}})).isNotEqualTo(d);
    // the same values as one point of four, or four of one: a different digest
    assertThat(Region.digest(new double[][] {{0.5, 1, 0.25, -1}})).isNotEqualTo(d)
        .isNotEqualTo(Region.digest(new double[][] {{0.5}, {1}, {0.25}, {-1}}));
    assertThat(Region.digest(new double[0][])).hasSize(64).isNotEqualTo(Region.digest(new double[][] {{}}));
  }

  @Test
  void theInputMapOfABoxCoversItWithCentresAndHalfWidths() {
    double[] lo = {-1, 0.1, 0.3};
    double[] hi = {1, 0.7, 0.3};
    for (boolean symbolic : new boolean[] {true, false}) {
      FormMap m = FormMap.input(1, 1, 3, lo, hi, symbolic);
      for (int k = 0; k < 3; k++) {
        double half = symbolic ? m.coef[k * m.size()] : m.r[k];
        assertThat(m.c[k] - half).isLessThanOrEqualTo(lo[k]).isGreaterThan(lo[k] - 1e-15);
        assertThat(m.c[k] + half).isGreaterThanOrEqualTo(hi[k]).isLessThan(hi[k] + 1e-15);
        assertThat(m.spread(k)).isGreaterThanOrEqualTo(half).isLessThan(half * (1 + 1e-8) + 1e-300);
        assertThat(FormMap.lo(m.c[k], m.spread(k))).isLessThanOrEqualTo(lo[k]).isGreaterThan(lo[k] - 1e-8);
        assertThat(FormMap.hi(m.c[k], m.spread(k))).isGreaterThanOrEqualTo(hi[k]).isLessThan(hi[k] + 1e-8);
      }
      assertThat(m.spreads()).hasSize(3);
    }
    // two channels of 2x2: coordinate (i, y, x) of the box is neuron (i, y * 2 + x), its coefficient the i-th
    double[] l8 = new double[8];
    double[] h8 = new double[8];
    for (int k = 0; k < 8; k++) {
      l8[k] = k;
      h8[k] = k + 0.5 + k / 8.0;
    }
    FormMap m = FormMap.input(2, 2, 2, l8, h8, true);
    for (int i = 0; i < 2; i++) {
      for (int q = 0; q < 4; q++) {
        int k = i * 4 + q;
        int n = m.at(i, q);
        assertThat(m.c[n]).as("centre of coordinate " + k).isEqualTo((l8[k] + h8[k]) / 2);
        assertThat(m.coef[n * m.size() + i]).as("half-width of coordinate " + k)
            .isGreaterThanOrEqualTo((h8[k] - l8[k]) / 2).isLessThan((h8[k] - l8[k]) / 2 + 1e-15);
        assertThat(m.coef[n * m.size() + 1 - i]).isZero();
      }
    }
    FormMap twoChannels = FormMap.input(2, 1, 2, new double[] {0, 0, 0, 0}, new double[] {1, 1, 1, 1}, true);
    // channel i's coefficient sits at its own place of the neuron's window
    assertThat(twoChannels.size()).isEqualTo(2);
    assertThat(twoChannels.coef[twoChannels.at(1, 1) * 2 + 1]).isGreaterThanOrEqualTo(0.5);
    assertThat(twoChannels.coef[twoChannels.at(1, 1) * 2]).isZero();
    assertThat(FormMap.abs(-2, 0.5)).isGreaterThanOrEqualTo(2.5).isLessThan(2.5 + 1e-8);
  }

  @Test
  void aMapHoldsCoefficientsUpToTheBudgetExactly() {
    assertThat(FormMap.fits(4, 8, 16, 512)).isTrue();
    assertThat(FormMap.fits(4, 8, 16, 511)).isFalse();
  }

  @Test
  void roundingIsOutwardAndItsTermLimitIsTheLastCovered() {
    for (double x : new double[] {0, 1e-300, 0.1, 1, 3e10}) {
      assertThat(Rounding.up(x)).as("up(" + x + ")").isGreaterThan(x).isLessThanOrEqualTo(x * (1 + 0x1p-29) + 1e-300);
    }
    assertThat(Rounding.evalSlack(0)).isEqualTo(0x1p-40);
    assertThat(Rounding.evalSlack(-3)).isEqualTo(4 * 0x1p-40);
    Rounding.checkTerms(Rounding.MAX_TERMS, "layer x");
    assertThatThrownBy(() -> Rounding.gamma(Rounding.MAX_TERMS + 1)).hasMessageContaining((Rounding.MAX_TERMS + 1)
        + " terms in one sum");
    assertThatThrownBy(() -> Rounding.gamma(0)).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * gamma(n) bounds gamma_n = n u / (1 - n u) (u = 2^-53, exactly in double-double) for every n from 1 to
   * {@link Rounding#MAX_TERMS}, is a power of two, less than 4 n u (so within twice the smallest power of two
   * above gamma_n: no more slack than the count of the sum needs) and not larger for fewer terms.
   */
  @Test
  void gammaBoundsTheRoundingOfASumOfItsTermsWithinAFactorOfTwo() {
    double u = 0x1p-53;
    double prev = 0;
    for (long n = 1; n <= Rounding.MAX_TERMS; n += n < 70 ? 1 : n / 7) {
      for (long m : new long[] {n, Long.highestOneBit(n), Long.highestOneBit(n) + 1, Long.highestOneBit(n) - 1}) {
        if (m < 1 || m > Rounding.MAX_TERMS) continue;
        double g = Rounding.gamma(m);
        DD nu = DD.of(m).multiply(u);
        DD exact = nu.divide(DD.ONE.subtract(nu));
        assertThat(DD.of(g).subtract(exact).hi()).as("gamma(" + m + ") - gamma_n").isGreaterThanOrEqualTo(0);
        assertThat(g).as("gamma(" + m + ") < 4 n u").isLessThan(4 * m * u);
        assertThat(g).as("gamma(" + m + ") is a power of two").isEqualTo(Math.scalb(1.0, Math.getExponent(g)));
      }
      double g = Rounding.gamma(n);
      assertThat(g).as("gamma(" + n + ") not below gamma of fewer terms").isGreaterThanOrEqualTo(prev);
      prev = g;
    }
    assertThat(Rounding.gamma(Rounding.MAX_TERMS)).isLessThanOrEqualTo(Rounding.REL);
    assertThatThrownBy(() -> Rounding.checkTerms(Rounding.MAX_TERMS + 1, "layer x"))
        .hasMessageContaining("layer x: " + (Rounding.MAX_TERMS + 1) + " terms");
  }

  /**
   * Radii per channel apply to their own channel's coordinates (here two per channel), in the boxes, in the test of
   * membership and through an input map; a radius of 0 and one equal to the largest are both allowed.
   */
  @Test
  void perChannelRadiiApplyToTheirOwnChannelsCoordinates() {
    Region r = new Region(new double[] {0, 0}, new double[] {1, 1}, new double[][] {{0.5, 0.5, 0.5, 0.5}}, 0.3,
        new double[] {0, 0.3});
    double[][] b = r.boxes(4).get(0);
    assertThat(b[0][0]).isEqualTo(0.5);
    assertThat(b[1][1]).isEqualTo(0.5);
    assertThat(b[0][2]).isBetween(0.2 - 1e-15, 0.2);
    assertThat(b[1][3]).isBetween(0.8, 0.8 + 1e-15);
    assertThat(r.containsAll(List.of(new double[] {0.5, 0.5, 0.25, 0.75}))).isTrue();
    assertThat(r.containsAll(List.of(new double[] {0.5, 0.51, 0.5, 0.5}))).isFalse();
    Region two = new Region(new double[] {0, 0}, new double[] {1, 1}, new double[][] {{0.5, 0.5}}, 0.2,
        new double[] {0.1, 0.2});
    Region mapped = two.mapped(new dev.ticketproof.kernel.TargetPlan.InputMap(new double[] {1, 1},
        new double[] {0, 0}));
    assertThat(mapped.radiusOf(0)).isBetween(0.1, 0.1 + 1e-15);
    assertThat(mapped.radiusOf(1)).isBetween(0.2, 0.2 + 1e-15);
  }

  /**
   * The image of a region under an input map: each channel's interval mapped with its ends moved outward (a negative
   * scale swaps them; a box of one interval becomes one per channel), ball centres mapped as the map computes them,
   * the radius the largest |scale| times it plus the centres' rounding, a ball of radius 0 the mapped point; a box of
   * another channel count is refused.
   */
  @Test
  void theImageOfARegionUnderAnInputMapContainsTheMappedInputs() {
    dev.ticketproof.kernel.TargetPlan.InputMap m = new dev.ticketproof.kernel.TargetPlan.InputMap(
        new double[] {4.1, -0.3}, new double[] {-2.05, 0.7});
    Region box = Region.box(0, 1).mapped(m);
    assertThat(box.channelLow()).hasSize(2);
    assertThat(box.channelLow()[0]).isLessThan(-2.05).isGreaterThan(-2.05 - 1e-14);
    assertThat(box.channelHigh()[0]).isGreaterThan(4.1 - 2.05).isLessThan(4.1 - 2.05 + 1e-14);
    assertThat(box.channelLow()[1]).isLessThan(0.4).isGreaterThan(0.4 - 1e-14);
    assertThat(box.channelHigh()[1]).isGreaterThan(0.7).isLessThan(0.7 + 1e-14);
    assertThat(box.local()).isFalse();
    // every computed image of a point of the box lies in the image, at and between the ends
    for (double x = 0; x <= 1; x += 1.0 / 64) {
      double[] y = m.apply(new double[] {x, x});
      assertThat(y[0]).isBetween(box.channelLow()[0], box.channelHigh()[0]);
      assertThat(y[1]).isBetween(box.channelLow()[1], box.channelHigh()[1]);
    }
    Region perChannel = Region.box(new double[] {0, -1}, new double[] {1, 3}).mapped(m);
    assertThat(perChannel.channelLow()[1]).isLessThan(0.7 - 0.9).isGreaterThan(0.7 - 0.9 - 1e-14);
    assertThat(perChannel.channelHigh()[1]).isGreaterThan(1.0).isLessThan(1.0 + 1e-14);

    double[][] points = {{0.25, 0.5}, {1, 0}};
    Region balls = Region.balls(0, 1, points, 0.01).mapped(m);
    assertThat(balls.points()[0]).containsExactly(m.apply(points[0]));
    assertThat(balls.points()[1]).containsExactly(m.apply(points[1]));
    // per channel, |scale| times the radius and the rounding; the largest is the region's radius
    assertThat(balls.radiusOf(0)).isGreaterThan(4.1 * 0.01).isLessThan(4.1 * 0.01 + 1e-14);
    assertThat(balls.radiusOf(1)).isGreaterThan(0.3 * 0.01).isLessThan(0.3 * 0.01 + 1e-14);
    assertThat(balls.radius()).isEqualTo(balls.radiusOf(0));
    // each point of a ball maps into the mapped ball, and the mapped ball's boxes are those radii around the centre
    for (double d = -0.01; d <= 0.01; d += 0.0025) {
      double[] y = m.apply(new double[] {0.25 + d, 0.5 - d});
      assertThat(Math.abs(y[0] - balls.points()[0][0])).isLessThanOrEqualTo(balls.radiusOf(0));
      assertThat(Math.abs(y[1] - balls.points()[0][1])).isLessThanOrEqualTo(balls.radiusOf(1));
      assertThat(balls.containsAll(List.of(y))).isTrue();
    }
    double[][] first = balls.boxes(2).get(0);
    double c1 = balls.points()[0][1];
    assertThat(first[0][1]).isBetween(c1 - 0.3 * 0.01 - 1e-14, c1 - 0.3 * 0.01);
    assertThat(first[1][1]).isBetween(c1 + 0.3 * 0.01, c1 + 0.3 * 0.01 + 1e-14);
    assertThat(balls.containsAll(List.of(new double[] {balls.points()[0][0], balls.points()[0][1] + 0.004}))).isFalse();
    Region point = Region.balls(0, 1, points, 0).mapped(m);
    assertThat(point.radius()).isZero();
    assertThat(point.points()[1]).containsExactly(m.apply(points[1]));
    // far from 0 the rounding of the map exceeds |scale| r: the mapped ball still holds every computed image (two
    // values per channel, the second channel's scale the larger)
    dev.ticketproof.kernel.TargetPlan.InputMap far = new dev.ticketproof.kernel.TargetPlan.InputMap(
        new double[] {0.3, -3.7}, new double[] {0.1, 1e7});
    double[][] big = {{1e8, 1e8 + 0.5, 3e7, 3e7 + 0.25}};
    Region wide = Region.balls(0, 2e8, big, 1e-9).mapped(far);
    for (int q = -8; q <= 8; q++) {
      double[] x = big[0].clone();
      for (int k = 0; k < x.length; k++) x[k] += q * 1e-9 / 8;
      double[] y = far.apply(x);
      for (int k = 0; k < y.length; k++) {
        assertThat(Math.abs(y[k] - wide.points()[0][k])).as("q %d coordinate %d", q, k)
            .isLessThanOrEqualTo(wide.radiusOf(k / 2));
      }
    }
    assertThat(wide.radiusOf(1)).isGreaterThan(4 * Math.ulp(3.7 * 3e7 - 1e7));
    assertThat(wide.radiusOf(0)).isGreaterThan(4 * Math.ulp(0.3 * 1e8 + 0.1));
    assertThatThrownBy(() -> Region.box(new double[] {0, 0, 0}, new double[] {1, 1, 1}).mapped(m))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the input box has intervals for 3 channels, the input map has 2");
  }
}
