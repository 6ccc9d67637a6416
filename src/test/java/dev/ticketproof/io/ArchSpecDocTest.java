package dev.ticketproof.io;

import dev.ticketproof.targets.Presets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ticketproof.net.Forward;
import dev.ticketproof.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The JSON examples of docs/arch-spec.md parse (the first, a preact-resnet, as its fixture's spec), and the next three
 * build the networks the presets build; the specs
 * the page shows in command output parse too, and its table of layer types names the types the parser reads.
 */
class ArchSpecDocTest {
  static String doc() throws IOException {
    return Files.readString(Path.of("docs/arch-spec.md"));
  }

  /** The fenced blocks of the page whose opening fence carries {@code info} ("" for unlabelled ones), in order. */
  static List<String> blocks(String info) throws IOException {
    List<String> blocks = new ArrayList<>();
    StringBuilder block = null;
    String open = null;
    for (String line : doc().split("\n", -1)) {
      if (block == null && line.startsWith("```")) {
        open = line.substring(3).trim();
        block = new StringBuilder();
      } else if (block != null && line.equals("```")) {
        if (open.equals(info)) blocks.add(block.toString());
        block = null;
      } else if (block != null) {
        block.append(line).append('\n');
      }
    }
    assertThat(block).as("an unclosed block").isNull();
    return blocks;
  }

  static List<String> jsonBlocks() throws IOException {
    return blocks("json");
  }

  @Test void everyExampleParses() throws IOException {
    List<String> blocks = jsonBlocks();
    assertThat(blocks).hasSize(5);
    // the first: the preact-resnet of the round-21 fixture, as its spec file writes it
    assertThat(ArchSpec.parse("docs/arch-spec.md preact-resnet", blocks.get(0)).layers())
        .isEqualTo(ArchSpec.read(Fixtures.path("round21_wide.json")).layers());
    for (int i = 0; i < blocks.size(); i++) {
      ArchSpec spec = ArchSpec.parse("docs/arch-spec.md example " + (i + 1), blocks.get(i));
      assertThat(spec.layers()).isNotEmpty();
    }
  }

  @Test void examplesBuildThePresetNetworks() throws IOException {
    List<String> blocks = jsonBlocks();
    TensorFile digits = TensorFiles.read(Path.of("src/main/resources/targets/digits/digits_cnn.pt"));
    ArchSpec cnn = ArchSpec.parse("example 1", blocks.get(1));
    Tensor x = TensorFiles.readNpy(Path.of("src/main/resources/targets/digits/digits_test_x.npy")).tensor();
    Tensor fromDoc = Forward.forward(NetworkBuilder.build("example 1", cnn, digits, Relu.INSTANCE, null).network(), x);
    Tensor fromPreset = Forward.forward(NetworkBuilder.build("synflow-conv",
        Presets.infer("synflow-conv", digits, null), digits, Relu.INSTANCE, null).network(), x);
    assertThat(fromDoc).isEqualTo(fromPreset);

    TensorFile resnet = TensorFiles.read(Fixtures.path("openlth_resnet.pt"));
    ArchSpec res = ArchSpec.parse("example 2", blocks.get(2));
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
    ArchSpec pads = ArchSpec.parse("example 3", blocks.get(3));
    dev.ticketproof.net.Network fromSpec = NetworkBuilder.build("example 3", pads, ak, Relu.INSTANCE, null).network();
    dev.ticketproof.net.Network fromCifarPreset = NetworkBuilder.build("preset", Presets.infer(Presets.CIFAR_RESNET,
        ak, new int[] {3, 16, 16}), ak, Relu.INSTANCE, null).network();
    assertThat(dev.ticketproof.kernel.TargetHash.of(fromSpec))
        .isEqualTo(dev.ticketproof.kernel.TargetHash.of(fromCifarPreset));
  }

  /** The specs inside the page's unlabelled blocks of command output (inspect's derived spec, the draft). */
  @Test void specsShownInCommandOutputParse() throws IOException {
    Pattern spec = Pattern.compile("^\\{\\n.*?^\\}$", Pattern.DOTALL | Pattern.MULTILINE);
    int found = 0;
    for (String block : blocks("")) {
      Matcher m = spec.matcher(block);
      while (m.find()) {
        ArchSpec parsed = ArchSpec.parse("docs/arch-spec.md output " + (found + 1), m.group());
        assertThat(parsed.layers()).isNotEmpty();
        assertThat(parsed.input()).isNotNull();
        found++;
      }
    }
    assertThat(found).isEqualTo(2);
  }

  /** The rows of the layer-type table are the types the parser reads, no more and no fewer. */
  @Test void layerTypeTableNamesTheParsedTypes() throws IOException {
    String doc = doc();
    int start = doc.indexOf("| type | keys | meaning |");
    assertThat(start).isNotNegative();
    String table = doc.substring(start, doc.indexOf("\n\n", start));
    Set<String> documented = new TreeSet<>();
    Matcher row = Pattern.compile("^\\| `([a-z0-9-]+)`(?:, `([a-z0-9-]+)`)? \\|", Pattern.MULTILINE).matcher(table);
    while (row.find()) {
      documented.add(row.group(1));
      if (row.group(2) != null) documented.add(row.group(2));
    }
    String[] message = new String[1];
    assertThatThrownBy(() -> ArchSpec.parse("t.json", "{\"layers\": [{\"type\": \"no-such-type\"}]}"))
        .isInstanceOf(ImportException.class)
        .satisfies(e -> message[0] = e.getMessage());
    Matcher supported = Pattern.compile("\\(supported: ([^)]*)\\)").matcher(message[0]);
    assertThat(supported.find()).as(message[0]).isTrue();
    assertThat(documented).isEqualTo(new TreeSet<>(List.of(supported.group(1).split(", "))));
  }
}
