package io.costgen.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ModelShapeTest {

  private static final ModelShape GPT2 = ModelShape.preset("gpt2");
  private static final ModelShape LLAMA2_7B = ModelShape.preset("llama-2-7b");

  @ParameterizedTest
  @CsvSource({
      "gpt2,        124439808",
      "gpt2-medium, 354823168",
      "gpt2-large,  774030080",
      "gpt2-xl,     1557611200"})
  void parameters_matchReleasedGpt2CheckpointsExactly(String preset, long expected) {
    assertThat(ModelShape.preset(preset).parameters()).isEqualTo(expected);
  }

  @Test
  void parameters_gpt2Small_decomposeIntoLayersEmbeddingsAndFinalNorm() {
    long d = 768;
    assertThat(GPT2.nonEmbeddingParameters()).isEqualTo(12 * (12 * d * d + 13 * d) + 2 * d);
    assertThat(GPT2.embeddingParameters()).isEqualTo(50257 * d + 1024 * d);
    assertThat(GPT2.embeddingParameters()).isEqualTo(38_597_376L + 786_432L);
  }

  @ParameterizedTest
  @CsvSource({
      "llama-2-7b,  6738415616",
      "llama-2-13b, 13015864320",
      "llama-2-70b, 68976648192",
      "llama-3-8b,  8030261248"})
  void parameters_matchPublishedLlamaCounts(String preset, long expected) {
    assertThat(ModelShape.preset(preset).parameters()).isEqualTo(expected);
  }

  @Test
  void kaplanNonEmbeddingParameters_gpt2Small_is84934656() {
    assertThat(GPT2.kaplanNonEmbeddingParameters()).isEqualTo(84_934_656L);
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt2", "gpt2-medium", "gpt2-large", "gpt2-xl", "gpt3-small",
      "gpt3-xl", "gpt3-13b", "gpt3-175b"})
  void kaplanNonEmbeddingParameters_equals12LayersDSquared_forStandardShapes(String preset) {
    ModelShape m = ModelShape.preset(preset);
    long d = m.hiddenSize();
    assertThat(m.kaplanNonEmbeddingParameters()).isEqualTo(12L * m.layers() * d * d);
    // The exact count only adds biases and norms (13d per layer + final norm): under 0.2%.
    assertThat((double) m.nonEmbeddingParameters())
        .isCloseTo(m.kaplanNonEmbeddingParameters(), withinPercentage(0.2));
  }

  @Test
  void parameters_useOverride_whenCountedFromWeights() {
    ModelShape m = GPT2.toBuilder().parameterCount(123).build();
    assertThat(m.parameters()).isEqualTo(123);
    assertThat(m.weightBytes(DType.FP32)).isEqualTo(492.0);
  }

  @Test
  void kvCacheBytesPerToken_llama2_7b_fp16_is524288() {
    assertThat(LLAMA2_7B.kvCacheBytesPerToken(DType.FP16)).isEqualTo(2.0 * 32 * 32 * 128 * 2);
    assertThat(LLAMA2_7B.kvCacheBytesPerToken(DType.FP16)).isEqualTo(524_288.0);
  }

  @Test
  void kvCacheBytesPerToken_usesKvHeads_forGroupedQueryAttention() {
    assertThat(ModelShape.preset("llama-2-70b").kvCacheBytesPerToken(DType.FP16))
        .isEqualTo(327_680.0);
    assertThat(ModelShape.preset("llama-3-8b").kvCacheBytesPerToken(DType.BF16))
        .isEqualTo(2.0 * 32 * 8 * 128 * 2);
    assertThat(GPT2.kvCacheBytesPerToken(DType.FP32)).isEqualTo(2.0 * 12 * 12 * 64 * 4);
  }

  @Test
  void weightBytes_scaleWithDtypeSize() {
    long p = GPT2.parameters();
    assertThat(GPT2.weightBytes(DType.FP32)).isEqualTo(4.0 * p);
    assertThat(GPT2.weightBytes(DType.FP16)).isEqualTo(2.0 * p);
    assertThat(GPT2.weightBytes(DType.BF16)).isEqualTo(2.0 * p);
    assertThat(GPT2.weightBytes(DType.INT8)).isEqualTo(1.0 * p);
    assertThat(GPT2.weightBytes(DType.INT4)).isEqualTo(0.5 * p);
  }

  @Test
  void kaplanForwardFlopsPerToken_isTwoNPlusContextTerm() {
    double expected = 2.0 * 85_056_000L + 2.0 * 12 * 1024 * 768;
    assertThat(GPT2.kaplanForwardFlopsPerToken(1024)).isEqualTo(expected);
    assertThat(GPT2.forwardFlopsPerToken(1024)).isEqualTo(expected + 2.0 * 768 * 50257);
  }

  @Test
  void forwardFlopsPerToken_isAffineInContext() {
    double slope = GPT2.attentionFlopsPerContextToken();
    assertThat(slope).isEqualTo(2.0 * 12 * 768);
    for (long c = 0; c < 2000; c += 97) {
      assertThat(GPT2.forwardFlopsPerToken(c + 1) - GPT2.forwardFlopsPerToken(c))
          .isCloseTo(slope, within(1e-3));
    }
  }

  @Test
  void forwardFlopsPerToken_isAboutTwoP_asKipplyApproximates() {
    ModelShape gpt3 = ModelShape.preset("gpt3-175b");
    double p = gpt3.parameters();
    // kipply: FLOPs per token ≈ 24·n_layers·d_model² ≈ 2·P
    assertThat(gpt3.forwardFlopsPerToken(1)).isCloseTo(2 * p, withinPercentage(1));
    assertThat(24.0 * 96 * 12288.0 * 12288.0).isCloseTo(2 * p, withinPercentage(1));
    // An untied input embedding does no FLOPs, so Llama 2 7B sits ~2% below 2·P.
    assertThat(LLAMA2_7B.forwardFlopsPerToken(1))
        .isCloseTo(2.0 * LLAMA2_7B.parameters(), withinPercentage(3));
  }

  @Test
  void prefillFlops_sumsCausalContexts() {
    for (int p : new int[] {0, 1, 7, 100}) {
      double loop = 0;
      for (int i = 1; i <= p; i++) {
        loop += GPT2.forwardFlopsPerToken(i);
      }
      assertThat(GPT2.prefillFlops(p, 3)).isCloseTo(3 * loop, withinPercentage(1e-9));
    }
  }

  @Test
  void decodeFlops_sumsPerTokenCostAtGrowingContext() {
    long p = 50;
    for (int n : new int[] {0, 1, 5, 300}) {
      double loop = 0;
      for (int i = 1; i <= n; i++) {
        loop += LLAMA2_7B.forwardFlopsPerToken(p + i);
      }
      assertThat(LLAMA2_7B.decodeFlops(p, n, 2)).isCloseTo(2 * loop, withinPercentage(1e-9));
    }
  }

  @Test
  void decodeFlops_growLinearlyInNewTokens_whenContextTermIsExcluded() {
    long p = 200;
    int batch = 4;
    double perToken = GPT2.forwardFlopsPerToken(0);
    double c = GPT2.attentionFlopsPerContextToken();
    for (long n = 0; n <= 1000; n += 125) {
      double contextTerm = batch * c * (n * p + n * (n + 1) / 2.0);
      assertThat(GPT2.decodeFlops(p, n, batch) - contextTerm)
          .isCloseTo(batch * n * perToken, withinPercentage(1e-9));
    }
  }

  @Test
  void decodeFlops_marginalTokenCostsOneForwardPassAtTheNewContext() {
    long p = 64;
    for (long n = 0; n < 50; n++) {
      double marginal = GPT2.decodeFlops(p, n + 1, 2) - GPT2.decodeFlops(p, n, 2);
      assertThat(marginal).isCloseTo(2 * GPT2.forwardFlopsPerToken(p + n + 1), withinPercentage(1e-9));
    }
  }

  @Test
  void prefillPlusDecode_equalsPrefillOfTheWholeSequence() {
    assertThat(GPT2.prefillFlops(300, 2) + GPT2.decodeFlops(300, 200, 2))
        .isCloseTo(GPT2.prefillFlops(500, 2), withinPercentage(1e-9));
  }

  @Test
  void trainingFlops_isSixTimesParametersTimesTokens() {
    assertThat(GPT2.trainingFlops(1e9)).isEqualTo(6.0 * 124_439_808L * 1e9);
  }

  @Test
  void flopMethods_rejectNegativeCounts_namingTheField() {
    assertThatThrownBy(() -> GPT2.prefillFlops(-1, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("promptTokens").hasMessageContaining("-1");
    assertThatThrownBy(() -> GPT2.decodeFlops(0, -5, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("newTokens");
    assertThatThrownBy(() -> GPT2.decodeFlops(0, 5, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batch");
    assertThatThrownBy(() -> GPT2.forwardFlopsPerToken(-3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("context");
  }

  @Test
  void builder_rejectsKvHeadsThatDoNotDivideHeads() {
    assertThatThrownBy(() -> GPT2.toBuilder().kvHeads(5).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kvHeads");
  }

  @Test
  void builder_rejectsNonPositiveSizes_namingTheField() {
    assertThatThrownBy(() -> GPT2.toBuilder().layers(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layers");
    assertThatThrownBy(() -> GPT2.toBuilder().vocabSize(-1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vocabSize");
  }
}
