package dev.ticketproof.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FiguresTest {
  @Test
  void compactRoundsPathDataOnly() {
    String svg = "<g transform=\"translate(19.123456 278)\"><path d=\"M-6.5625,-0.001 L120.004,3.999 Q1,2 -0.5,7.125"
        + " Z\" style=\"fill:rgb(0,0,0);\"/><text x=\"10.125\" y=\"555\">eps 0.005, 1.23456e-4</text></g>";
    assertThat(Figures.compact(svg)).isEqualTo("<g transform=\"translate(19.123456 278)\"><path d=\"M-6.56,0 "
        + "L120,4 Q1,2 -0.5,7.12 Z\" style=\"fill:rgb(0,0,0);\"/><text x=\"10.125\" y=\"555\">eps 0.005, "
        + "1.23456e-4</text></g>");
  }
}
