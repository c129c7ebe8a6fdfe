package io.costgen.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelPresetsTest {

  @Test
  void presetNames_listTheWholeCatalogInOrder() {
    assertThat(ModelShape.presetNames()).containsExactly(
        "gpt2", "gpt2-medium", "gpt2-large", "gpt2-xl",
        "gpt3-small", "gpt3-medium", "gpt3-large", "gpt3-xl", "gpt3-2.7b", "gpt3-6.7b",
        "gpt3-13b", "gpt3-175b",
        "llama-2-7b", "llama-2-13b", "llama-2-70b", "llama-3-8b");
  }

  @Test
  void preset_isCaseInsensitive() {
    assertThat(ModelShape.preset(" GPT2-Medium ")).isEqualTo(ModelShape.preset("gpt2-medium"));
  }

  @Test
  void preset_unknownName_listsAllowedNames() {
    assertThatThrownBy(() -> ModelShape.preset("gpt5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gpt5")
        .hasMessageContaining("allowed:")
        .hasMessageContaining("llama-3-8b")
        .hasMessageContaining("gpt3-175b");
  }

  /** Brown et al. 2020, Table D.1, "Params (M)". */
  @ParameterizedTest
  @CsvSource({
      "gpt3-small,  125",
      "gpt3-medium, 356",
      "gpt3-large,  760",
      "gpt3-xl,     1320",
      "gpt3-2.7b,   2650",
      "gpt3-6.7b,   6660",
      "gpt3-13b,    12850",
      "gpt3-175b,   174600"})
  void gpt3Presets_reproduceTableD1ParameterCounts(String preset, double millions) {
    assertThat((double) ModelShape.preset(preset).parameters())
        .isCloseTo(millions * 1e6, withinPercentage(0.5));
  }

  @Test
  void gpt3_13b_usesDModel5120_notThePrinted5140() {
    ModelShape m = ModelShape.preset("gpt3-13b");
    assertThat(m.hiddenSize()).isEqualTo(5120).isEqualTo(m.attentionHeads() * m.headSize());
    ModelShape printed = m.toBuilder().hiddenSize(5140).headSize(128).intermediateSize(4 * 5140).build();
    // The printed value misses Table D.1's 12,850M by more than the corrected one does.
    assertThat(Math.abs(printed.parameters() - 12_850e6))
        .isGreaterThan(Math.abs(m.parameters() - 12_850e6));
  }

  @Test
  void gpt3Presets_shareContextAndVocabulary() {
    for (String name : ModelShape.presetNames()) {
      if (name.startsWith("gpt3")) {
        ModelShape m = ModelShape.preset(name);
        assertThat(m.contextLength()).as(name).isEqualTo(2048);
        assertThat(m.vocabSize()).as(name).isEqualTo(50257);
        assertThat(m.intermediateSize()).as(name).isEqualTo(4 * m.hiddenSize());
        assertThat(m.attentionSize()).as(name).isEqualTo(m.hiddenSize());
      }
    }
  }

  @Test
  void llama3_8b_matchesItsPublishedConfig() {
    ModelShape m = ModelShape.preset("llama-3-8b");
    assertThat(m.family()).isEqualTo(ArchitectureFamily.LLAMA);
    assertThat(m.vocabSize()).isEqualTo(128256);
    assertThat(m.kvHeads()).isEqualTo(8);
    assertThat(m.intermediateSize()).isEqualTo(14336);
    assertThat(m.contextLength()).isEqualTo(8192);
    assertThat(m.tiedEmbeddings()).isFalse();
  }

  @Test
  void llama2_70b_usesEightKvHeads() {
    ModelShape m = ModelShape.preset("llama-2-70b");
    assertThat(m.attentionHeads()).isEqualTo(64);
    assertThat(m.kvHeads()).isEqualTo(8);
    assertThat(m.headSize()).isEqualTo(128);
  }
}
