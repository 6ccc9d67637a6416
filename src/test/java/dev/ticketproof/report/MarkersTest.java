package dev.ticketproof.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MarkersTest {
  @Test
  void replacesOnlyTheSectionBody() {
    String doc = "intro\n<!-- report:a -->\nold a\n<!-- /report:a -->\nmiddle\n<!-- report:b -->\n<!-- /report:b -->\nend\n";
    String once = Markers.replace(doc, "a", "new a");
    assertThat(once).isEqualTo("intro\n<!-- report:a -->\nnew a\n<!-- /report:a -->\nmiddle\n<!-- report:b -->\n"
        + "<!-- /report:b -->\nend\n");
    assertThat(Markers.replace(once, "a", "new a")).isEqualTo(once);
    assertThat(Markers.replace(once, "b", "B\n")).contains("<!-- report:b -->\nB\n<!-- /report:b -->\nend\n")
        .contains("new a");
    assertThat(Markers.names(doc)).containsExactly("a", "b");
    assertThat(Markers.has(doc, "b")).isTrue();
    assertThat(Markers.has(doc, "c")).isFalse();
  }

  @Test
  void rejectsMissingRepeatedOrReversedMarkers() {
    assertThatThrownBy(() -> Markers.replace("no markers", "a", "x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("<!-- report:a -->");
    assertThatThrownBy(() -> Markers.replace("<!-- /report:a --> <!-- report:a -->", "a", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Markers.replace("<!-- report:a --><!-- /report:a --><!-- report:a --><!-- /report:a -->",
        "a", "x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tablesAreMarkdown() {
    assertThat(Markers.table(List.of("x", "y"), List.of(List.of("1", "2"))))
        .isEqualTo("| x | y |\n|---|---|\n| 1 | 2 |\n");
  }

  @Test
  void footerLinesAreWrappedAtSpaces() {
    List<String> w = Figures.wrap(List.of("aaa bbb ccc ddd"), 8);
    assertThat(w).containsExactly("aaa bbb", "    ccc", "    ddd");
    assertThat(Figures.wrap(List.of("short"), 80)).containsExactly("short");
  }
}
