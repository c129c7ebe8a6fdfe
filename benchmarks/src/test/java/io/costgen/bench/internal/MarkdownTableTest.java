package io.costgen.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MarkdownTableTest {

  @Test
  void render_alignsColumns_numbersRight_textLeft() {
    String md = new MarkdownTable("model", "tok/s")
        .row("gpt2-small", "12.5")
        .row("x", "1,234.0")
        .render();

    assertThat(md).isEqualTo(""
        + "| model      |   tok/s |\n"
        + "| ---------- | ------: |\n"
        + "| gpt2-small |    12.5 |\n"
        + "| x          | 1,234.0 |\n");
  }

  @Test
  void row_printsNullAsDash_andEscapesPipes() {
    String md = new MarkdownTable("a", "b").row(null, "x|y").render();

    assertThat(md).contains("| –   | x\\|y |");
  }

  @Test
  void row_rejectsTheWrongNumberOfCells() {
    assertThatThrownBy(() -> new MarkdownTable("a", "b").row("only one"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 cells").hasMessageContaining("2 columns");
  }

  @Test
  void looksNumeric_acceptsUnitsAndSpreads_rejectsWords() {
    assertThat(MarkdownTable.looksNumeric("12.5 ms")).isTrue();
    assertThat(MarkdownTable.looksNumeric("0.981 [0.97–0.99]")).isFalse();
    assertThat(MarkdownTable.looksNumeric("778 ±70%")).isTrue();
    assertThat(MarkdownTable.looksNumeric("yes")).isFalse();
  }
}
