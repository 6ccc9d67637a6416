package dev.ticketproof.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.io.ArchSpec;
import dev.ticketproof.io.ImportException;
import dev.ticketproof.io.TorchModule;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A preset's spec read against a whole model's modules (Architectures.fitted): each named conv and BatchNorm takes
 * its module's hyper-parameters, a name without a module keeps the preset's, and a pooled projection's pooling of
 * another window than the block's stride is refused naming the module.
 */
class FittedTest {
  private static TorchModule nn(String module, String cls, Object... attrs) {
    Map<String, Object> a = new HashMap<>();
    for (int i = 0; i < attrs.length; i += 2) a.put((String) attrs[i], attrs[i + 1]);
    return new TorchModule("torch.nn.modules." + module + "." + cls, a, List.of(), 0);
  }

  private static TorchModule tree(String cls, Object... children) {
    List<TorchModule.Child> c = new java.util.ArrayList<>();
    for (int i = 0; i < children.length; i += 2) c.add(new TorchModule.Child((String) children[i], (TorchModule) children[i + 1]));
    return new TorchModule(cls, Map.of(), c, 0);
  }

  private static TorchModule conv(int stride, int padding) {
    return nn("conv", "Conv2d", "kernel_size", List.of(3, 3), "stride", List.of(stride, stride), "padding",
        List.of(padding, padding), "dilation", List.of(1, 1), "groups", 1, "padding_mode", "zeros");
  }

  private static TorchModule avgPool(int kernel, int stride) {
    return nn("pooling", "AvgPool2d", "kernel_size", kernel, "stride", stride, "padding", 0, "ceil_mode", true,
        "count_include_pad", false, "divisor_override", null);
  }

  private static ArchSpec spec(ArchSpec.LayerSpec... layers) { return new ArchSpec(null, "relu", List.of(layers)); }

  @Test void namedConvsTakeTheirModulesStridesAndNamesWithoutAModuleKeepThePresets() {
    TorchModule root = tree("__main__.Net", "conv1", conv(2, 1), "layer1",
        tree("torch.nn.modules.container.Sequential", "0", tree("__main__.Block", "conv1", conv(1, 1))));
    ArchSpec s = spec(new ArchSpec.Conv("conv1", 1, 1), new ArchSpec.Conv("layer1.0.conv1", 1, 1),
        new ArchSpec.Conv("layer1.0.conv2", 2, 1));
    Architectures.Fitted f = Architectures.fitted(s, root, "", "m.pt");
    assertThat(f.spec().layers()).containsExactly(new ArchSpec.Conv("conv1", 2, 1),
        new ArchSpec.Conv("layer1.0.conv1", 1, 1), new ArchSpec.Conv("layer1.0.conv2", 2, 1));
    assertThat(f.changes()).containsOnlyKeys("conv1");
    // the spec's names under a path of the model (a model wrapped by nn.DataParallel: 'module.')
    TorchModule wrapped = tree("torch.nn.parallel.data_parallel.DataParallel", "module", root);
    assertThat(Architectures.fitted(s, wrapped, "module.", "m.pt").spec()).isEqualTo(f.spec());
  }

  @Test void aPooledProjectionsPoolingOfAnotherWindowIsRefusedNamingIt() {
    ArchSpec s = spec(new ArchSpec.Residual("l.0", new ArchSpec.Conv("l.0.conv1", 2, 1), null,
        new ArchSpec.Conv("l.0.conv2", 1, 1), null, new ArchSpec.Projection(new ArchSpec.Conv("l.0.downsample.1", 1, 0),
        null, 2)));
    for (int[] ks : new int[][] {{2, 2}, {4, 2}, {2, 1}}) {
      TorchModule root = tree("__main__.Net", "l", tree("torch.nn.modules.container.Sequential", "0",
          tree("__main__.Block", "downsample", tree("torch.nn.modules.container.Sequential", "0",
              avgPool(ks[0], ks[1])))));
      if (ks[0] == 2 && ks[1] == 2) {
        assertThat(Architectures.fitted(s, root, "", "m.pt").spec()).isEqualTo(s);
      } else {
        assertThatThrownBy(() -> Architectures.fitted(s, root, "", "m.pt")).isInstanceOf(ImportException.class)
            .hasMessageContaining("module 'l.0.downsample.0', the average pooling before the projection's conv "
                + "'l.0.downsample.1'");
      }
    }
  }
}
