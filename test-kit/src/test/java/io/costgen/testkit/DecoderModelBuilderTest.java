package io.costgen.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.cost.ArchitectureFamily;
import org.junit.jupiter.api.Test;

class DecoderModelBuilderTest {

  @Test
  void gpt2Defaults_deriveHeadSizeKvHeadsAndFourTimesWideMlp() {
    SyntheticModel m = SyntheticModels.gpt2().build();
    assertThat(m.family()).isEqualTo(ArchitectureFamily.GPT2);
    assertThat(m.layers()).isEqualTo(2);
    assertThat(m.hiddenSize()).isEqualTo(64);
    assertThat(m.headSize()).isEqualTo(16);
    assertThat(m.kvHeads()).isEqualTo(4);
    assertThat(m.intermediateSize()).isEqualTo(256);
    assertThat(m.vocabSize()).isEqualTo(512);
    assertThat(m.contextLength()).isEqualTo(128);
    assertThat(m.tiedEmbeddings()).isTrue();
    assertThat(m.seed()).isEqualTo(42);
    assertThat(m.initStd()).isEqualTo(0.02);
  }

  @Test
  void llamaDefaults_useGroupedQueryAttentionAndSwigluWidth() {
    SyntheticModel m = SyntheticModels.llama().build();
    assertThat(m.family()).isEqualTo(ArchitectureFamily.LLAMA);
    assertThat(m.kvHeads()).isEqualTo(2);
    assertThat(m.intermediateSize()).isEqualTo(176); // 8·64/3 = 170.7, rounded up to 8
    assertThat(m.tiedEmbeddings()).isFalse();
    assertThat(m.ropeTheta()).isEqualTo(10_000.0);
  }

  @Test
  void llama_mayChooseHeadSizeIndependentlyOfHidden() {
    SyntheticModel m = SyntheticModels.llama().hidden(48).heads(4).kvHeads(1).headSize(8).build();
    assertThat(m.headSize()).isEqualTo(8);
    assertThat(m.attentionHeads() * m.headSize()).isNotEqualTo(m.hiddenSize());
  }

  @Test
  void hiddenNotMultipleOfHeads_isRejectedNamingTheField() {
    assertThatThrownBy(() -> SyntheticModels.gpt2().hidden(100).heads(3).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hidden: 100")
        .hasMessageContaining("heads (3)");
  }

  @Test
  void gpt2WithGroupedQueryAttention_isAConflict() {
    assertThatThrownBy(() -> SyntheticModels.gpt2().kvHeads(2).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("kvHeads: 2");
  }

  @Test
  void kvHeadsThatDoNotDivideHeads_areRejected() {
    assertThatThrownBy(() -> SyntheticModels.llama().heads(4).kvHeads(3).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kvHeads: 3");
  }

  @Test
  void vocabularyTooSmallForTheByteLevelTokenizer_isRejected() {
    assertThatThrownBy(() -> SyntheticModels.gpt2().vocab(256).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vocabSize: 256 must be >= 257");
    assertThatThrownBy(() -> SyntheticModels.llama().vocab(257).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vocabSize: 257 must be >= 258");
  }

  @Test
  void oddHeadSizeForRotaryEmbeddings_isRejected() {
    assertThatThrownBy(() -> SyntheticModels.llama().headSize(7).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("headSize: 7");
  }

  @Test
  void nonPositiveSizesAndBadFloats_areRejectedNamingTheField() {
    assertThatThrownBy(() -> SyntheticModels.gpt2().layers(0).build())
        .hasMessageContaining("layers: 0");
    assertThatThrownBy(() -> SyntheticModels.gpt2().context(0).build())
        .hasMessageContaining("contextLength: 0");
    assertThatThrownBy(() -> SyntheticModels.gpt2().initStd(0).build())
        .hasMessageContaining("initStd: 0.0");
    assertThatThrownBy(() -> SyntheticModels.llama().ropeTheta(Double.NaN).build())
        .hasMessageContaining("ropeTheta: NaN");
    assertThatThrownBy(() -> SyntheticModels.gpt2().normEpsilon(-1).build())
        .hasMessageContaining("normEpsilon: -1.0");
  }

  @Test
  void toBuilder_roundTripsEveryField_andDerivesVariants() {
    SyntheticModel m = SyntheticModels.llama().layers(3).hidden(32).heads(4).kvHeads(1)
        .intermediate(40).vocab(400).context(16).tiedEmbeddings(true).normEpsilon(1e-6)
        .ropeTheta(500_000).initStd(0.05).seed(-3).name("x").build();
    assertThat(m.toBuilder().build()).isEqualTo(m);
    assertThat(m.toBuilder().seed(4).build().seed()).isEqualTo(4);
  }
}
