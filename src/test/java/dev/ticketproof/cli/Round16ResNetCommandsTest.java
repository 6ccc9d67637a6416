package dev.ticketproof.cli;

import static dev.ticketproof.cli.ImportCommandsTest.fx;
import static dev.ticketproof.cli.ImportCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on the sixteenth round's ResNets: they say which poolings a whole model's modules give, refuse one
 * that is not a pooling read exactly (writing nothing), and say, for the names of kuangliu's ResNet, on which inputs
 * its forward's fixed pooling window is not the global pooling the preset reads.
 */
class Round16ResNetCommandsTest {
  @TempDir Path tmp;

  private CommandRun eval(String target, String input) {
    return ResNetCommandsTest.runCapturingNotes("eval", "--target", fx(target), "--input", fx(input), "--out",
        tmp.resolve("y.npy").toString(), "--no-progress");
  }

  @Test void evalSaysWhichPoolingsTheModulesGive() {
    CommandRun c = eval("round16_res_nostempool_whole.pt", "round16_res_nostempool_input.npy");
    assertThat(c.code()).as(c.err()).isZero();
    assertThat(c.err()).contains("where the preset would have taken others: maxpool none (the preset's: maxpool2d, "
        + "kernel: 3, stride: 2, padding: 1)");
  }

  @Test void aHeadPoolingOfTheTrainingCodeIsRefusedWritingNothing() {
    CommandRun c = run("eval", "--target", fx("round16_res_gem_whole.pt"), "--input",
        fx("round16_res_maxhead_input.npy"), "--out", tmp.resolve("y.npy").toString(), "--no-progress");
    assertThat(c.code()).isEqualTo(2);
    assertThat(c.err()).contains("module 'avgpool' (__main__.GeM)");
    assertThat(Files.exists(tmp.resolve("y.npy"))).isFalse();
  }

  /**
   * A whole ResNet whose activation modules are of the training code's class (train_round17_custom.py): eval without
   * an activation is refused naming them, writing nothing; with the activation given it is read.
   */
  @Test void activationModulesOfTheTrainingCodeAskForTheActivation() {
    CommandRun c = run("eval", "--target", fx("round17_custom_mish_whole.pt"), "--input",
        fx("round17_custom_input.npy"), "--out", tmp.resolve("y.npy").toString(), "--no-progress");
    assertThat(c.code()).isEqualTo(2);
    assertThat(c.err()).contains("--activation not given").contains("'layer1.0.act1' (__main__.Mish)");
    assertThat(Files.exists(tmp.resolve("y.npy"))).isFalse();
    CommandRun given = run("eval", "--target", fx("round17_custom_mish_whole.pt"), "--activation", "mish", "--input",
        fx("round17_custom_input.npy"), "--out", tmp.resolve("y.npy").toString(), "--no-progress");
    assertThat(given.code()).as(given.err()).isZero();
    assertThat(Files.exists(tmp.resolve("y.npy"))).isTrue();
  }

  /**
   * On kuangliu's names: no note on 32x32 inputs (a 4x4 last map, where F.avg_pool2d(out, 4) is global); on 40x40 the
   * note says the forward averages the top-left window (eval is 1e-3 off PyTorch there, Round16ResNetTest), on 24x24
   * that it has no output.
   */
  @Test void evalSaysWhereKuangliusFixedPoolingIsNotGlobal() {
    CommandRun at32 = eval("round16_res_kuangliu_sd.pt", "round16_res_kuangliu32_input.npy");
    assertThat(at32.code()).as(at32.err()).isZero();
    assertThat(at32.err()).doesNotContain("F.avg_pool2d");
    CommandRun at40 = eval("round16_res_kuangliu_sd.pt", "round16_res_kuangliu40_input.npy");
    assertThat(at40.code()).as(at40.err()).isZero();
    assertThat(at40.err()).contains("note: the last block gives maps of 5x5 on inputs of 40x40, read with global "
        + "average pooling; the forward of kuangliu's pytorch-cifar").contains("pools with F.avg_pool2d(out, 4)")
        .contains("on 5x5 maps it averages the top-left 4x4 window only, another function");
    CommandRun at24 = eval("round16_res_kuangliu_sd.pt", "round16_res_kuangliu24_input.npy");
    assertThat(at24.err()).contains("on 3x3 maps it has no output (PyTorch's forward fails");
  }
}
