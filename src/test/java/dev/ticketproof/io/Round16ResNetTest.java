package dev.ticketproof.io;

import static dev.ticketproof.io.UserNets2Test.fidelity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.targets.TargetLoader;
import org.junit.jupiter.api.Test;

/**
 * The sixteenth round's ResNets (fixtures {@code round16_res_*}, made by train_round16_resnets.py): whole ResNet
 * models whose stem and head poolings are not the ones the preset infers from the names. A whole model is read with
 * the poolings of its modules {@code maxpool} and {@code avgpool}; a module there that is not a pooling read exactly
 * is refused, naming it. References: PyTorch's float64 forward pass.
 */
class Round16ResNetTest {
  private static TargetLoader.Loaded load(String file, int side) {
    return TargetLoader.load(Fixtures.path(file), null, null, null, new int[] {3, side, side}, "the input", true);
  }

  /** A 3x3 stem that keeps torchvision's max pooling: read with it (the preset reads a 3x3 stem without one). */
  @Test void aMaxPoolingAfterA3x3StemIsReadFromTheWholeModel() {
    assertThat(fidelity("round16_res_stempool_whole.pt", null, "round16_res_stempool", "relu"))
        .isLessThanOrEqualTo(1e-14);
    TargetLoader.Loaded l = load("round16_res_stempool_whole.pt", 16);
    assertThat(l.spec().layers().subList(0, 5)).containsExactly(new ArchSpec.Conv("conv1", 1, 1),
        new ArchSpec.BatchNorm("bn1", 1e-5), new ArchSpec.Activation(), new ArchSpec.MaxPool(3, 2, 1),
        l.spec().layers().get(4));
    assertThat(l.spec().layers().get(4)).isInstanceOf(ArchSpec.Residual.class);
    assertThat(l.fromModules()).isEqualTo("maxpool maxpool2d, kernel: 3, stride: 2, padding: 1 (the preset's: none)");
  }

  /** A 7x7 stem whose maxpool is nn.Identity: read without the max pooling the preset puts after a 7x7 stem. */
  @Test void anIdentityInPlaceOfTheStemsMaxPoolingIsReadFromTheWholeModel() {
    assertThat(fidelity("round16_res_nostempool_whole.pt", null, "round16_res_nostempool", "relu"))
        .isLessThanOrEqualTo(1e-14);
    TargetLoader.Loaded l = load("round16_res_nostempool_whole.pt", 16);
    assertThat(l.spec().layers()).noneMatch(x -> x instanceof ArchSpec.MaxPool);
    assertThat(l.fromModules()).isEqualTo("maxpool none (the preset's: maxpool2d, kernel: 3, stride: 2, padding: 1)");
  }

  /**
   * The head's pooling from avgpool: nn.AvgPool2d(4) on a 6x6 map (its top-left window, not global pooling) and
   * nn.AdaptiveMaxPool2d(1).
   */
  @Test void theHeadsPoolingIsReadFromTheWholeModel() {
    assertThat(fidelity("round16_res_avgpool4_whole.pt", null, "round16_res_avgpool4", "relu"))
        .isLessThanOrEqualTo(1e-14);
    TargetLoader.Loaded avg = load("round16_res_avgpool4_whole.pt", 24);
    assertThat(avg.spec().layers()).contains(new ArchSpec.AvgPool(4, 4)).noneMatch(
        x -> x instanceof ArchSpec.GlobalAvgPool);
    assertThat(avg.fromModules()).isEqualTo("avgpool avgpool2d, kernel: 4, stride: 4 (the preset's: global average "
        + "pooling)");
    assertThat(fidelity("round16_res_maxhead_whole.pt", null, "round16_res_maxhead", "relu"))
        .isLessThanOrEqualTo(1e-14);
    assertThat(load("round16_res_maxhead_whole.pt", 16).spec().layers()).contains(new ArchSpec.AdaptiveMaxPool(1, 1));
  }

  /** A pooling module of the training code (GeM) where the head pools: refused, naming it. */
  @Test void aHeadPoolingOfTheTrainingCodeIsRefusedNamingTheModule() {
    assertThatThrownBy(() -> load("round16_res_gem_whole.pt", 16)).isInstanceOf(ImportException.class)
        .hasMessageContaining("round16_res_gem_whole.pt: module 'avgpool' (__main__.GeM) is where the network pools "
            + "(the preset's global average pooling), and is not a pooling read exactly");
  }

  /**
   * kuangliu's ResNet as a state dict, whose forward pools with F.avg_pool2d(out, 4): global pooling on the 4x4 map
   * of 32x32 inputs, as the preset reads it; on 40x40 inputs the top-left 4x4 window of the 5x5 map, another function
   * (the commands' note says so, Round16ResNetCommandsTest).
   */
  @Test void kuangliusFixedPoolingIsGlobalOn32x32InputsOnly() {
    assertThat(fidelity("round16_res_kuangliu_sd.pt", null, "round16_res_kuangliu32", "relu"))
        .isLessThanOrEqualTo(1e-14);
    assertThat(fidelity("round16_res_kuangliu_sd.pt", null, "round16_res_kuangliu40", "relu")).isGreaterThan(1e-3);
  }
}
