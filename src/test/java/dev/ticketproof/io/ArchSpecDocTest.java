package dev.ticketproof.io;

import dev.ticketproof.targets.Presets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ticketproof.net.Forward;
import dev.ticketproof.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The JSON examples of docs/arch-spec.md parse, and the first three build the networks the presets build. */
class ArchSpecDocTest {
  static List<String> jsonBlocks() throws IOException {
    String doc = Files.readString(Path.of("docs/arch-spec.md"));
    Matcher m = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL).matcher(doc);
    List<String> blocks = new ArrayList<>();
    while (m.find()) blocks.add(m.group(1));
    return blocks;
  }

  @Test void everyExampleParses() throws IOException {
    List<String> blocks = jsonBlocks();
    assertThat(blocks).hasSize(4);
    for (int i = 0; i < blocks.size(); i++) {
      ArchSpec spec = ArchSpec.parse("docs/arch-spec.md example " + (i + 1), blocks.get(i));
      assertThat(spec.layers()).isNotEmpty();
    }
  }

  @Test void examplesBuildThePresetNetworks() throws IOException {
    List<String> blocks = jsonBlocks();
    TensorFile digits = TensorFiles.read(Path.of("src/main/resources/targets/digits/digits_cnn.pt"));
    ArchSpec cnn = ArchSpec.parse("example 1", blocks.get(0));
    Tensor x = TensorFiles.readNpy(Path.of("src/main/resources/targets/digits/digits_test_x.npy")).tensor();
    Tensor fromDoc = Forward.forward(NetworkBuilder.build("example 1", cnn, digits, Relu.INSTANCE, null).network(), x);
    Tensor fromPreset = Forward.forward(NetworkBuilder.build("synflow-conv",
        Presets.infer("synflow-conv", digits, null), digits, Relu.INSTANCE, null).network(), x);
    assertThat(fromDoc).isEqualTo(fromPreset);

    TensorFile resnet = TensorFiles.read(Fixtures.path("openlth_resnet.pt"));
    ArchSpec res = ArchSpec.parse("example 2", blocks.get(1));
    Tensor xr = TensorFiles.readNpy(Fixtures.path("openlth_resnet_input.npy")).tensor();
    int[] example = {3, 8, 8};
    ArchSpec resWithInput = new ArchSpec(null, res.activation(), res.layers());
    Tensor a = Forward.forward(NetworkBuilder.build("example 2", resWithInput, resnet, Relu.INSTANCE, example)
        .network(), xr);
    Tensor b = Forward.forward(NetworkBuilder.build("preset", Presets.infer("openlth-cifar-resnet", resnet, example),
        resnet, Relu.INSTANCE, example).network(), xr);
    assertThat(a).isEqualTo(b);

    // akamaster's checkpoint (under its prefix) with option-A shortcuts: the same network, target hash included
    TensorFile ak = TensorFiles.read(Fixtures.path("resnet_akamaster.pt")).under("state_dict.module.");
    ArchSpec pads = ArchSpec.parse("example 3", blocks.get(2));
    dev.ticketproof.net.Network fromSpec = NetworkBuilder.build("example 3", pads, ak, Relu.INSTANCE, null).network();
    dev.ticketproof.net.Network fromCifarPreset = NetworkBuilder.build("preset", Presets.infer(Presets.CIFAR_RESNET,
        ak, new int[] {3, 16, 16}), ak, Relu.INSTANCE, null).network();
    assertThat(dev.ticketproof.kernel.TargetHash.of(fromSpec))
        .isEqualTo(dev.ticketproof.kernel.TargetHash.of(fromCifarPreset));
  }
}
