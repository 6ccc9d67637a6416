package dev.ticketproof.construct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.activation.Activation;
import dev.ticketproof.activation.ActivationCatalog;
import dev.ticketproof.io.DigitsTargetTest;
import dev.ticketproof.io.Fixtures;
import dev.ticketproof.io.TensorFiles;
import dev.ticketproof.kernel.SourceNetwork;
import dev.ticketproof.kernel.TicketCertificate;
import dev.ticketproof.limits.BadParameter;
import dev.ticketproof.measure.DataCheck;
import dev.ticketproof.measure.Evaluator;
import dev.ticketproof.measure.Sizes;
import dev.ticketproof.net.Conv2d;
import dev.ticketproof.net.Forward;
import dev.ticketproof.net.Linear;
import dev.ticketproof.net.MaxPool2d;
import dev.ticketproof.net.Network;
import dev.ticketproof.subsetsum.SubsetSum;
import dev.ticketproof.targets.Builtins;
import dev.ticketproof.targets.Digits;
import dev.ticketproof.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The LeNet-style digits target (conv, max pooling, conv, max pooling, two linear layers; trained by PyTorch,
 * train_digits_lenet.py, read with its JSON arch spec): PyTorch's test logits reproduced, and a ticket of it on
 * the 360 test images.
 */
class DigitsLeNetTest {
  private static final Activation RELU = ActivationCatalog.parse("relu");

  @Test void forwardPassMatchesPyTorchAndGivesItsAccuracy() {
    Network net = Builtins.of(Digits.LENET, RELU);
    assertThat(net.inputShape()).containsExactly(1, 8, 8);
    assertThat(net.layers()).filteredOn(l -> l instanceof MaxPool2d)
        .containsExactly(new MaxPool2d(2, 2, 0), new MaxPool2d(2, 2, 0));
    assertThat(net.layers()).filteredOn(l -> l instanceof Conv2d).extracting(l -> ((Conv2d) l).name())
        .containsExactly("0", "3");
    assertThat(net.layers()).filteredOn(l -> l instanceof Linear).extracting(l -> ((Linear) l).name())
        .containsExactly("7", "9");

    Digits.TestSet test = Digits.testSet(Digits.LENET);
    Tensor x = DigitsResNetTest.batch(test.inputs(), 1, 8, 8);
    Tensor logits = Forward.forward(net, x);
    Tensor torch = TensorFiles.readNpy(Fixtures.path("digits_lenet_test_logits.npy")).tensor();
    double err = DigitsResNetTest.relativeError(logits, torch);
    int[] ours = DigitsTargetTest.argmax(logits);
    int[] theirs = DigitsTargetTest.argmax(torch);
    int agree = 0;
    for (int i = 0; i < ours.length; i++) if (ours[i] == theirs[i]) agree++;
    int correct = DigitsResNetTest.correct(logits, test.labels());
    System.out.printf("digits-lenet: accuracy %d/%d, PyTorch %d/%d, agreement %d/%d, max relative error %.3g%n",
        correct, ours.length, DigitsResNetTest.correct(torch, test.labels()), ours.length, agree, ours.length, err);
    assertThat(err).isLessThanOrEqualTo(1e-5);
    assertThat(agree).isEqualTo(ours.length);
    assertThat(correct).isEqualTo(353); // the training log (targets/digits/README.txt)
  }

  @Test void isOnlyDefinedWithRelu() {
    assertThatThrownBy(() -> Builtins.of(Digits.LENET, ActivationCatalog.parse("tanh")))
        .isInstanceOf(BadParameter.class).hasMessageStartingWith("activation tanh: ")
        .hasMessageContaining("digits-lenet was trained with relu")
        .extracting(e -> ((BadParameter) e).parameter()).isEqualTo("activation");
    assertThat(Builtins.defaultActivation(Digits.LENET)).isEqualTo("relu");
  }

  @Test void ticketHoldsAndAgreesWithTheTargetOnTheTestImages() {
    Network target = Builtins.of(Digits.LENET, RELU);
    // rho 40 (the defaults pick about 100): no instance fails at eps 1e-3; at rho 15 or 24 some do, and the
    // ticket disagrees with the target on 0.6 % (rho 24, eps 1e-3) and 8 to 12 % (rho 15) of the test images
    SourceNetwork.Params p = new SourceNetwork.Params(SourceNetwork.Construction.L_PLUS_1, 40,
        Defaults.rho1(RELU, 40, 0), 1, 1, null, 0, 1, null, TicketCertificate.VERSION);
    TicketBuilder.Result r = TicketBuilder.build(target, RELU,
        new TicketBuilder.Options(p, 1e-3, SubsetSum.Mode.MIN_NORM, 2, "builtin:digits-lenet"),
        TicketBuilder.Progress.NONE);
    assertThat(r.report().verdict().isHolds()).as(r.report().verdict().reason()).isTrue();
    Digits.TestSet test = Digits.testSet(Digits.LENET);
    assertThat(DataCheck.inBox(test.inputs(), 0, 1)).isTrue();
    DataCheck d = DataCheck.of(Evaluator.ofTarget(r.source().plan()), Evaluator.ofTicket(r.source(), r.certificate()),
        test.inputs(), test.labels());
    System.out.printf("digits-lenet l+1 rho 40 eps 1e-3: target accuracy %.4f, ticket accuracy %.4f, agreement %.4f, max error"
        + " on data %.4g, certified %.4g, ticket params %d%n", d.targetAccuracy(), d.ticketAccuracy(), d.agreement(),
        d.maxError(), r.report().certifiedBound(), Sizes.of(r.source(), r.certificate()).ticketParams());
    assertThat(d.maxError()).isLessThanOrEqualTo(r.report().certifiedBound());
    assertThat(d.targetAccuracy()).isEqualTo(353 / 360.0);
    assertThat(d.agreement()).isEqualTo(1.0);
  }
}
