package io.costgen.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.cost.DType;
import io.costgen.cost.ModelShape;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class GenerationConfigTest {

  private static ModelInfo model(SpecialTokens special, Map<String, Object> defaults) {
    ModelShape shape = ModelShape.builder().name("m").layers(1).hiddenSize(8).attentionHeads(2)
        .vocabSize(100).contextLength(64).build();
    return new ModelInfo(shape, DType.FP32, DType.FP32, special, defaults, "cpu", 1);
  }

  @Test
  void defaults_matchHuggingFace() {
    GenerationConfig c = GenerationConfig.defaults();
    assertThat(c.maxLength()).isEqualTo(20);
    assertThat(c.maxNewTokens()).isEmpty();
    assertThat(c.minLength()).isZero();
    assertThat(c.doSample()).isFalse();
    assertThat(c.temperature()).isEqualTo(1.0);
    assertThat(c.topK()).isEqualTo(50);
    assertThat(c.topP()).isEqualTo(1.0);
    assertThat(c.minP()).isEmpty();
    assertThat(c.typicalP()).isEqualTo(1.0);
    assertThat(c.epsilonCutoff()).isZero();
    assertThat(c.etaCutoff()).isZero();
    assertThat(c.repetitionPenalty()).isEqualTo(1.0);
    assertThat(c.noRepeatNgramSize()).isZero();
    assertThat(c.numBeams()).isEqualTo(1);
    assertThat(c.lengthPenalty()).isEqualTo(1.0);
    assertThat(c.earlyStopping()).isEqualTo(EarlyStopping.FALSE);
    assertThat(c.numReturnSequences()).isEqualTo(1);
    assertThat(c.eosTokenIds()).isEmpty();
    assertThat(c.padTokenId()).isEmpty();
    assertThat(c.seed()).isEmpty();
    assertThat(c.maxTime()).isEmpty();
    assertThat(c.explicitFields()).isEmpty();
  }

  @Test
  void builder_recordsExplicitFields_andToBuilderKeepsThem() {
    GenerationConfig c = GenerationConfig.builder().maxNewTokens(5).topK(50).build();
    assertThat(c.explicitFields()).containsExactlyInAnyOrder("max_new_tokens", "top_k");
    assertThat(c.toBuilder().build()).isEqualTo(c);
    assertThat(c.toString()).isEqualTo("GenerationConfig{max_new_tokens=5, top_k=50}");
  }

  @Test
  void builder_rejectsOutOfRangeValues_namingFieldValueAndRange() {
    GenerationConfig.Builder b = GenerationConfig.builder();
    assertThatThrownBy(() -> b.topP(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topP").hasMessageContaining("0.0").hasMessageContaining("(0, 1]");
    assertThatThrownBy(() -> b.topP(1.5)).hasMessageContaining("topP");
    assertThatThrownBy(() -> b.topK(-1)).hasMessageContaining("topK").hasMessageContaining("-1");
    assertThatThrownBy(() -> b.maxNewTokens(0)).hasMessageContaining("maxNewTokens");
    assertThatThrownBy(() -> b.maxLength(-3)).hasMessageContaining("maxLength");
    assertThatThrownBy(() -> b.minLength(-1)).hasMessageContaining("minLength");
    assertThatThrownBy(() -> b.minNewTokens(-1)).hasMessageContaining("minNewTokens");
    assertThatThrownBy(() -> b.repetitionPenalty(0)).hasMessageContaining("repetitionPenalty");
    assertThatThrownBy(() -> b.temperature(-1)).hasMessageContaining("temperature");
    assertThatThrownBy(() -> b.typicalP(0)).hasMessageContaining("typicalP");
    assertThatThrownBy(() -> b.minP(1.1)).hasMessageContaining("minP");
    assertThatThrownBy(() -> b.epsilonCutoff(1)).hasMessageContaining("epsilonCutoff");
    assertThatThrownBy(() -> b.etaCutoff(-0.1)).hasMessageContaining("etaCutoff");
    assertThatThrownBy(() -> b.numBeams(0)).hasMessageContaining("numBeams");
    assertThatThrownBy(() -> b.numReturnSequences(0)).hasMessageContaining("numReturnSequences");
    assertThatThrownBy(() -> b.noRepeatNgramSize(-1)).hasMessageContaining("noRepeatNgramSize");
    assertThatThrownBy(() -> b.eosTokenId(-1)).hasMessageContaining("eosTokenIds");
    assertThatThrownBy(() -> b.padTokenId(-1)).hasMessageContaining("padTokenId");
    assertThatThrownBy(() -> b.addBadWords()).hasMessageContaining("badWordsIds");
    assertThatThrownBy(() -> b.stopStrings("")).hasMessageContaining("stopStrings");
    assertThatThrownBy(() -> b.maxTime(Duration.ZERO)).hasMessageContaining("maxTime");
    assertThatThrownBy(() -> b.lengthPenalty(Double.NaN)).hasMessageContaining("lengthPenalty");
  }

  @Test
  void build_rejectsZeroTemperature_onlyWhenSampling() {
    assertThat(GenerationConfig.builder().temperature(0).build().temperature()).isZero();
    assertThatThrownBy(() -> GenerationConfig.builder().temperature(0).doSample(true).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("temperature");
  }

  @Test
  void build_rejectsMoreReturnSequencesThanBeams() {
    assertThatThrownBy(() -> GenerationConfig.builder().numBeams(2).numReturnSequences(3).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("numReturnSequences")
        .hasMessageContaining("3").hasMessageContaining("numBeams 2");
  }

  @Test
  void build_rejectsSeveralReturnSequencesWithGreedy_butAllowsThemWhenSampling() {
    assertThatThrownBy(() -> GenerationConfig.builder().numReturnSequences(2).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("greedy");
    assertThat(GenerationConfig.builder().numReturnSequences(2).doSample(true).build().numReturnSequences())
        .isEqualTo(2);
  }

  @Test
  void fromHuggingFace_readsSnakeCaseKeys_eosAsIntOrList() {
    Map<String, Object> json = new HashMap<>();
    json.put("max_new_tokens", 7);
    json.put("do_sample", true);
    json.put("temperature", 0.6);
    json.put("top_p", 0.9);
    json.put("eos_token_id", List.of(128001, 128009));
    json.put("early_stopping", "never");
    json.put("bad_words_ids", List.of(List.of(5, 6)));
    json.put("max_time", 1.5);
    json.put("stop_strings", "END");
    json.put("bos_token_id", 1);
    json.put("transformers_version", "4.45.0");
    json.put("pad_token_id", null);
    GenerationConfig c = GenerationConfig.fromHuggingFace(json);
    assertThat(c.maxNewTokens()).hasValue(7);
    assertThat(c.doSample()).isTrue();
    assertThat(c.temperature()).isEqualTo(0.6);
    assertThat(c.topP()).isEqualTo(0.9);
    assertThat(c.eosTokenIds()).containsExactly(128001L, 128009L);
    assertThat(c.earlyStopping()).isEqualTo(EarlyStopping.NEVER);
    assertThat(c.badWordsIds()).containsExactly(List.of(5L, 6L));
    assertThat(c.maxTime()).hasValue(Duration.ofMillis(1500));
    assertThat(c.stopStrings()).containsExactly("END");
    assertThat(c.padTokenId()).isEmpty();
    assertThat(c.explicitFields()).doesNotContain("pad_token_id");

    assertThat(GenerationConfig.fromHuggingFace(Map.of("eos_token_id", 2)).eosTokenIds()).containsExactly(2L);
    assertThat(GenerationConfig.fromHuggingFace(Map.of("early_stopping", true)).earlyStopping())
        .isEqualTo(EarlyStopping.TRUE);
  }

  @Test
  void fromHuggingFace_treatsMaxLength20AsUnset() {
    assertThat(GenerationConfig.fromHuggingFace(Map.of("max_length", 20)).explicitFields()).isEmpty();
    assertThat(GenerationConfig.fromHuggingFace(Map.of("max_length", 64)).maxLength()).isEqualTo(64);
  }

  @Test
  void fromHuggingFace_rejectsWrongTypes_namingTheKey() {
    assertThatThrownBy(() -> GenerationConfig.fromHuggingFace(Map.of("top_k", "fifty")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("top_k");
    assertThatThrownBy(() -> GenerationConfig.fromHuggingFace(Map.of("max_new_tokens", 1.5)))
        .hasMessageContaining("max_new_tokens");
    assertThatThrownBy(() -> GenerationConfig.fromHuggingFace(Map.of("early_stopping", "sometimes")))
        .hasMessageContaining("early_stopping");
  }

  @Test
  void withDefaultsFrom_keepsExplicitFields_andFillsTheRest() {
    GenerationConfig base = GenerationConfig.builder().topK(5).maxNewTokens(9).seed(3).build();
    GenerationConfig user = GenerationConfig.builder().topK(7).build();
    GenerationConfig merged = user.withDefaultsFrom(base);
    assertThat(merged.topK()).isEqualTo(7);
    assertThat(merged.maxNewTokens()).hasValue(9);
    assertThat(merged.seed()).hasValue(3L);
    assertThat(merged.explicitFields()).containsExactlyInAnyOrder("top_k", "max_new_tokens", "seed");
  }

  @Test
  void withDefaultsFrom_userDefaultValueStillWins_whenSetExplicitly() {
    GenerationConfig base = GenerationConfig.builder().topK(5).build();
    assertThat(GenerationConfig.builder().topK(50).build().withDefaultsFrom(base).topK()).isEqualTo(50);
  }

  @Test
  void withModelDefaults_takesGenerationConfigThenSpecialTokens_andPadFromFirstEos() {
    ModelInfo m = model(new SpecialTokens(OptionalLong.of(1), List.of(2L, 3L), OptionalLong.empty()),
        Map.of("max_new_tokens", 12, "temperature", 0.5));
    GenerationConfig c = GenerationConfig.builder().temperature(0.9).build().withModelDefaults(m);
    assertThat(c.maxNewTokens()).hasValue(12);
    assertThat(c.temperature()).isEqualTo(0.9);
    assertThat(c.eosTokenIds()).containsExactly(2L, 3L);
    assertThat(c.padTokenId()).hasValue(2L);
  }

  @Test
  void withModelDefaults_prefersGenerationConfigEos_andModelPad() {
    ModelInfo m = model(new SpecialTokens(OptionalLong.empty(), List.of(2L), OptionalLong.of(0)),
        Map.of("eos_token_id", List.of(7, 8)));
    GenerationConfig c = GenerationConfig.defaults().withModelDefaults(m);
    assertThat(c.eosTokenIds()).containsExactly(7L, 8L);
    assertThat(c.padTokenId()).hasValue(0L);
    GenerationConfig explicit = GenerationConfig.builder().eosTokenId(5).padTokenId(6).build().withModelDefaults(m);
    assertThat(explicit.eosTokenIds()).containsExactly(5L);
    assertThat(explicit.padTokenId()).hasValue(6L);
  }

  @Test
  void withModelDefaults_leavesPadUnset_whenModelHasNoEosOrPad() {
    GenerationConfig c = GenerationConfig.defaults().withModelDefaults(model(SpecialTokens.none(), Map.of()));
    assertThat(c.padTokenId()).isEmpty();
    assertThat(c.eosTokenIds()).isEmpty();
  }

  @Test
  void earlyStopping_parsesHuggingFaceValues() {
    assertThat(EarlyStopping.fromHuggingFace(false)).isEqualTo(EarlyStopping.FALSE);
    assertThat(EarlyStopping.fromHuggingFace("never")).isEqualTo(EarlyStopping.NEVER);
    assertThatThrownBy(() -> EarlyStopping.fromHuggingFace(3)).isInstanceOf(IllegalArgumentException.class);
  }
}
