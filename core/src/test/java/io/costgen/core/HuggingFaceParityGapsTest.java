package io.costgen.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.core.processor.LogitsProcessor;
import io.costgen.core.processor.LogitsProcessors;
import io.costgen.core.processor.TokenRuleProcessors;
import io.costgen.core.testing.ToyBackend;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parity gaps of issue 12 (beam sampling draws, top_k null, token-rule keys, unknown keys). */
class HuggingFaceParityGapsTest {

  private static TextGenerator toy() {
    return TextGenerator.builder(ToyBackend.builder().vocabSize(64).contextLength(128).eosTokenIds(2).build()).build();
  }

  private static long[] generated(GenerationResult r, int seq) {
    GeneratedSequence s = r.sequences().get(seq);
    long[] ids = s.tokenIds();
    return Arrays.copyOfRange(ids, s.promptLength(), ids.length);
  }

  @Test
  void beamSamplingWithTopK1RunsLikeTorchMultinomial() {
    // K = 2 beams x 2 candidates = 4 draws, but top-k keeps max(1, min_tokens_to_keep = 2) tokens of the
    // one live beam: the last draws are zero-probability picks, as torch.multinomial makes them
    GenerationConfig c = GenerationConfig.builder().numBeams(2).doSample(true).topK(1).seed(3).maxNewTokens(5).build();
    GenerationResult r = toy().generate(new long[][] {{5, 6, 7}}, c);
    assertThat(r.sequences()).hasSize(1);
    assertThat(generated(r, 0)).isNotEmpty();
    assertThat(r.first().score().getAsDouble()).isFinite();
    assertThat(generated(toy().generate(new long[][] {{5, 6, 7}}, c), 0)).isEqualTo(generated(r, 0));
  }

  @Test
  void beamSamplingWithSmallTopPRuns() {
    GenerationResult r = toy().generate(new long[][] {{9, 1}}, GenerationConfig.builder().numBeams(3)
        .doSample(true).topP(0.3).seed(11).maxNewTokens(4).build());
    assertThat(r.sequences()).hasSize(1);
    assertThat(r.first().generatedLength()).isBetween(1, 4);
  }

  @Test
  void topKNullMeansNoTopKFilter() {
    Map<String, Object> json = new HashMap<>();
    json.put("top_k", null);
    json.put("do_sample", true);
    GenerationConfig c = GenerationConfig.fromHuggingFace(json);
    assertThat(c.topK()).isZero();
    assertThat(c.isExplicit("top_k")).isTrue();
    assertThat(GenerationConfig.fromHuggingFace(Map.of("do_sample", true)).topK()).isEqualTo(50);
  }

  @Test
  void suppressTokensAreNeverGenerated() {
    TextGenerator g = toy();
    long[][] prompt = {{5, 6, 7}};
    long[] free = generated(g.generate(prompt, GenerationConfig.builder().maxNewTokens(6).build()), 0);
    List<Long> banned = Arrays.stream(free).boxed().toList();
    long[] out = generated(g.generate(prompt, GenerationConfig.fromHuggingFace(Map.of("suppress_tokens", banned,
        "max_new_tokens", 6))), 0);
    for (long t : out) {
      assertThat(banned).doesNotContain(t);
    }
  }

  @Test
  void beginSuppressTokensOnlyAffectTheFirstNewToken() {
    TextGenerator g = toy();
    long[][] prompt = {{5, 6, 7}};
    long first = generated(g.generate(prompt, GenerationConfig.builder().maxNewTokens(1).build()), 0)[0];
    long[] out = generated(g.generate(prompt, GenerationConfig.builder().maxNewTokens(1)
        .beginSuppressTokens(List.of(first)).build()), 0);
    assertThat(out[0]).isNotEqualTo(first);
    LogitsProcessor p = TokenRuleProcessors.suppressAtBegin(List.of(3L), 0);
    float[] scores = new float[8];
    p.process(new long[] {1, 2, 9}, 3, 2, scores); // one new token already: no effect
    assertThat(scores[3]).isZero();
  }

  @Test
  void forcedBosAndForcedEos() {
    TextGenerator g = toy();
    GenerationResult bos = g.generate(new long[][] {{5}}, GenerationConfig.builder().maxNewTokens(3)
        .forcedBosTokenId(42).build());
    assertThat(generated(bos, 0)[0]).isEqualTo(42L);
    GenerationResult eos = g.generate(new long[][] {{5, 6}}, GenerationConfig.builder().maxNewTokens(4)
        .minNewTokens(0).forcedEosTokenIds(List.of(2L)).build());
    long[] out = generated(eos, 0);
    assertThat(out[out.length - 1]).isEqualTo(2L);
    assertThat(out.length).isLessThanOrEqualTo(4);
  }

  @Test
  void sequenceBiasFromGenerationConfigJson() {
    TextGenerator g = toy();
    long[][] prompt = {{5, 6, 7}};
    long first = generated(g.generate(prompt, GenerationConfig.builder().maxNewTokens(1).build()), 0)[0];
    long other = first == 10 ? 11 : 10;
    GenerationConfig c = GenerationConfig.fromHuggingFace(Map.of("max_new_tokens", 1,
        "sequence_bias", List.of(List.of(List.of(other), 100.0))));
    assertThat(generated(g.generate(prompt, c), 0)[0]).isEqualTo(other);
    // a two-token sequence only biases its last token right after its first
    LogitsProcessor p = TokenRuleProcessors.sequenceBias(Map.of(List.of(7L, 3L), 5.0));
    float[] s = new float[8];
    p.process(new long[] {5, 6, 7}, 3, 3, s);
    assertThat(s[3]).isEqualTo(5f);
    float[] t = new float[8];
    p.process(new long[] {5, 7, 6}, 3, 3, t);
    assertThat(t[3]).isZero();
    assertThat(GenerationConfig.fromHuggingFace(Map.of("sequence_bias", Map.of("(7, 3)", 5.0))).sequenceBias())
        .containsEntry(List.of(7L, 3L), 5.0);
  }

  @Test
  void exponentialDecayRaisesEosAfterTheStart() {
    LogitsProcessor p = TokenRuleProcessors.exponentialDecay(2, 2.0, List.of(1L));
    float[] s = {0f, -3f, 0f};
    p.process(new long[] {9, 9, 1, 1, 1}, 5, 2, s); // 3 new tokens, start 2: factor^1 - 1 = 1
    assertThat(s[1]).isEqualTo(0f); // -3 + 3 × 1
    float[] early = {0f, -3f, 0f};
    p.process(new long[] {9, 9, 1, 1}, 4, 2, early);
    assertThat(early[1]).isEqualTo(-3f);
    GenerationConfig c = GenerationConfig.fromHuggingFace(Map.of("exponential_decay_length_penalty", List.of(2, 1.5)));
    assertThat(c.exponentialDecayLengthPenalty()).contains(new ExponentialDecayLengthPenalty(2, 1.5));
    assertThatThrownBy(() -> GenerationConfig.fromHuggingFace(Map.of("exponential_decay_length_penalty", List.of(2))))
        .hasMessageContaining("exponential_decay_length_penalty");
  }

  @Test
  void renormalizeAndRemoveInvalidValues() {
    GenerationConfig c = GenerationConfig.fromHuggingFace(Map.of("renormalize_logits", true,
        "remove_invalid_values", true, "eos_token_id", 2));
    List<LogitsProcessor> ps = LogitsProcessors.forConfig(c, List.of());
    float[] s = {1f, Float.NaN, Float.POSITIVE_INFINITY, 2f};
    LogitsProcessors.applyAll(ps, new long[] {1}, 1, 1, s);
    double total = 0;
    for (float x : s) {
      assertThat(Float.isNaN(x)).isFalse();
      total += Math.exp(x);
    }
    assertThat(total).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    assertThat(ps.get(ps.size() - 1).getClass()).isEqualTo(TokenRuleProcessors.renormalize().getClass());
  }

  @Test
  void unimplementedKeysAreWarnedOnceMetadataIsNot() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("diversity_penalty", 0.5);
    json.put("transformers_version", "4.46.0");
    GenerationConfig.fromHuggingFace(json);
    assertThat(UnsupportedKeys.warned("diversity_penalty")).isTrue();
    assertThat(UnsupportedKeys.warned("transformers_version")).isFalse();
    assertThat(GenerationConfig.fromHuggingFace(json).explicitFields()).isEmpty();
  }

  @Test
  void newFieldsMergeLikeTheOthers() {
    GenerationConfig model = GenerationConfig.builder().suppressTokens(List.of(4L)).renormalizeLogits(true).build();
    GenerationConfig call = GenerationConfig.builder().suppressTokens(List.of(5L)).build();
    GenerationConfig merged = call.withDefaultsFrom(model);
    assertThat(merged.suppressTokens()).containsExactly(5L);
    assertThat(merged.renormalizeLogits()).isTrue();
    assertThat(merged.toString()).contains("suppress_tokens=[5]");
    assertThatThrownBy(() -> GenerationConfig.builder().suppressTokens(List.of(-1L)))
        .hasMessageContaining("suppress_tokens");
  }
}
