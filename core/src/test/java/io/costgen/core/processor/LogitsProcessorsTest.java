package io.costgen.core.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.core.GenerationConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogitsProcessorsTest {

  private static final float NEG_INF = Float.NEGATIVE_INFINITY;

  /** Logits whose softmax is exactly proportional to {@code probs}. */
  private static float[] logitsOf(double... probs) {
    float[] s = new float[probs.length];
    for (int i = 0; i < probs.length; i++) {
      s[i] = (float) Math.log(probs[i]);
    }
    return s;
  }

  private static List<Integer> kept(float[] scores) {
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < scores.length; i++) {
      if (scores[i] != NEG_INF) {
        ids.add(i);
      }
    }
    return ids;
  }

  private static float[] run(LogitsProcessor p, long[] tokens, int promptLength, float[] scores) {
    float[] out = scores.clone();
    p.process(tokens, tokens.length, promptLength, out);
    return out;
  }

  // ---------------------------------------------------------------- repetition penalty

  @Test
  void repetitionPenalty_dividesPositiveAndMultipliesNegative_oncePerDistinctId() {
    float[] scores = {2f, -2f, 4f, 1f};
    float[] out = run(LogitsProcessors.repetitionPenalty(2.0), new long[] {0, 1, 0, 0}, 2, scores);
    assertThat(out).containsExactly(1f, -4f, 4f, 1f);
  }

  @Test
  void repetitionPenalty_countsPromptTokens() {
    float[] out = run(LogitsProcessors.repetitionPenalty(4.0), new long[] {3}, 1, new float[] {1f, 1f, 1f, 8f});
    assertThat(out).containsExactly(1f, 1f, 1f, 2f);
  }

  @Test
  void repetitionPenalty_rejectsNonPositive() {
    assertThatThrownBy(() -> LogitsProcessors.repetitionPenalty(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("repetitionPenalty");
  }

  // ---------------------------------------------------------------- no-repeat n-gram

  @Test
  void noRepeatNgram_bansTokenThatCompletedAnEarlierNgram_promptIncluded() {
    // prompt [1,2,3], generated [1,2]: the 3-gram (1,2,3) exists, so 3 is banned after (1,2)
    float[] out = run(LogitsProcessors.noRepeatNgram(3), new long[] {1, 2, 3, 1, 2}, 3, new float[6]);
    assertThat(kept(out)).containsExactly(0, 1, 2, 4, 5);
  }

  @Test
  void noRepeatNgram_bansEverySuccessorOfTheLastToken_forBigrams() {
    float[] out = run(LogitsProcessors.noRepeatNgram(2), new long[] {5, 1, 5, 2, 5}, 1, new float[6]);
    assertThat(kept(out)).containsExactly(0, 3, 4, 5);
  }

  @Test
  void noRepeatNgram_doesNothing_whenShorterThanN() {
    float[] out = run(LogitsProcessors.noRepeatNgram(3), new long[] {1, 1}, 1, new float[3]);
    assertThat(kept(out)).containsExactly(0, 1, 2);
  }

  // ---------------------------------------------------------------- bad words

  @Test
  void badWords_alwaysBansLengthOneSequences() {
    LogitsProcessor p = LogitsProcessors.badWords(List.of(List.of(3L)), List.of(0L));
    assertThat(kept(run(p, new long[] {1}, 1, new float[5]))).containsExactly(0, 1, 2, 4);
  }

  @Test
  void badWords_bansLastTokenOfLongerSequence_onlyAfterItsPrefix() {
    LogitsProcessor p = LogitsProcessors.badWords(List.of(List.of(1L, 2L, 4L)), List.of());
    assertThat(kept(run(p, new long[] {0, 1, 2}, 1, new float[5]))).containsExactly(0, 1, 2, 3);
    assertThat(kept(run(p, new long[] {0, 2, 1}, 1, new float[5]))).containsExactly(0, 1, 2, 3, 4);
    // the prefix may lie in the prompt
    assertThat(kept(run(p, new long[] {0, 1, 2}, 3, new float[5]))).containsExactly(0, 1, 2, 3);
    // Hugging Face skips a sequence longer than the whole context, even when its prefix matches
    assertThat(kept(run(p, new long[] {1, 2}, 2, new float[5]))).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void badWords_dropsEntriesThatAreASingleEosId() {
    LogitsProcessor p = LogitsProcessors.badWords(List.of(List.of(2L), List.of(3L)), List.of(2L));
    assertThat(kept(run(p, new long[] {1}, 1, new float[5]))).containsExactly(0, 1, 2, 4);
  }

  // ---------------------------------------------------------------- min length

  @Test
  void minLength_bansEveryEosId_whileSequenceIsShorter() {
    LogitsProcessor p = LogitsProcessors.minLength(4, List.of(2L, 3L));
    assertThat(kept(run(p, new long[] {9, 9, 9}, 2, new float[5]))).containsExactly(0, 1, 4);
    assertThat(kept(run(p, new long[] {9, 9, 9, 9}, 2, new float[5]))).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void minNewTokens_bansEveryEosId_untilEnoughNewTokens() {
    LogitsProcessor p = LogitsProcessors.minNewTokens(2, List.of(2L, 4L));
    assertThat(kept(run(p, new long[] {9, 9, 9, 1}, 3, new float[5]))).containsExactly(0, 1, 3);
    assertThat(kept(run(p, new long[] {9, 9, 9, 1, 1}, 3, new float[5]))).containsExactly(0, 1, 2, 3, 4);
  }

  // ---------------------------------------------------------------- warpers

  @Test
  void temperature_dividesEveryScore() {
    float[] out = run(LogitsProcessors.temperature(0.5), new long[] {0}, 1, new float[] {1f, -2f, NEG_INF});
    assertThat(out).containsExactly(2f, -4f, NEG_INF);
  }

  @Test
  void temperature_rejectsZero() {
    assertThatThrownBy(() -> LogitsProcessors.temperature(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("doSample=false");
  }

  @Test
  void topK_keepsTiesWithTheKthScore() {
    float[] out = run(LogitsProcessors.topK(2, 1), new long[] {0}, 1, new float[] {1f, 3f, 3f, 2f, 3f});
    assertThat(kept(out)).containsExactly(1, 2, 4);
    out = run(LogitsProcessors.topK(4, 1), new long[] {0}, 1, new float[] {1f, 3f, 3f, 2f, 0f});
    assertThat(kept(out)).containsExactly(0, 1, 2, 3);
  }

  @Test
  void topK_usesMinTokensToKeep_whenLarger() {
    float[] out = run(LogitsProcessors.topK(1, 3), new long[] {0}, 1, new float[] {4f, 3f, 2f, 1f});
    assertThat(kept(out)).containsExactly(0, 1, 2);
  }

  @Test
  void topP_keepsSmallestSetWithMassAtLeastP() {
    float[] scores = logitsOf(0.05, 0.5, 0.15, 0.3);
    assertThat(kept(run(LogitsProcessors.topP(0.8, 1), new long[] {0}, 1, scores))).containsExactly(1, 3);
    assertThat(kept(run(LogitsProcessors.topP(0.81, 1), new long[] {0}, 1, scores))).containsExactly(1, 2, 3);
    assertThat(kept(run(LogitsProcessors.topP(0.3, 1), new long[] {0}, 1, scores))).containsExactly(1);
  }

  @Test
  void topP_alwaysKeepsMinTokensToKeep() {
    float[] scores = logitsOf(0.05, 0.5, 0.15, 0.3);
    assertThat(kept(run(LogitsProcessors.topP(0.1, 3), new long[] {0}, 1, scores))).containsExactly(1, 2, 3);
  }

  @Test
  void topP_ignoresAlreadyFilteredTokens() {
    float[] scores = {NEG_INF, 0f, 0f, NEG_INF};
    assertThat(kept(run(LogitsProcessors.topP(0.9, 1), new long[] {0}, 1, scores))).containsExactly(1, 2);
  }

  @Test
  void minP_removesTokensBelowFractionOfTopProbability() {
    float[] scores = logitsOf(0.6, 0.05, 0.25, 0.1);
    assertThat(kept(run(LogitsProcessors.minP(0.2, 1), new long[] {0}, 1, scores))).containsExactly(0, 2);
    assertThat(kept(run(LogitsProcessors.minP(1.0, 2), new long[] {0}, 1, scores))).containsExactly(0, 2);
  }

  @Test
  void typical_keepsTokensClosestToTheEntropy_evenDroppingTheMostLikely() {
    // H = 1.2799 nats; |-log p - H| = 0.364, 0.076, 0.329, 1.023; sorted: 1, 2, 0, 3; cum 0.3, 0.5, ...
    float[] scores = logitsOf(0.4, 0.3, 0.2, 0.1);
    assertThat(kept(run(LogitsProcessors.typical(0.45, 1), new long[] {0}, 1, scores))).containsExactly(1, 2);
    assertThat(kept(run(LogitsProcessors.typical(0.25, 1), new long[] {0}, 1, scores))).containsExactly(1);
    assertThat(kept(run(LogitsProcessors.typical(0.25, 3), new long[] {0}, 1, scores))).containsExactly(0, 1, 2);
  }

  @Test
  void epsilon_removesTokensBelowCutoff_keepingTheMostLikely() {
    float[] scores = logitsOf(0.5, 0.3, 0.15, 0.05);
    assertThat(kept(run(LogitsProcessors.epsilon(0.1, 1), new long[] {0}, 1, scores))).containsExactly(0, 1, 2);
    assertThat(kept(run(LogitsProcessors.epsilon(0.9, 1), new long[] {0}, 1, scores))).containsExactly(0);
    assertThat(kept(run(LogitsProcessors.epsilon(0.9, 2), new long[] {0}, 1, scores))).containsExactly(0, 1);
  }

  @Test
  void eta_cutoffIsMinOfEpsilonAndEntropyScaledRoot() {
    // H = 1.2799: sqrt(0.3)·e^-H = 0.152 < 0.3, so tokens with p < 0.152 go
    float[] scores = logitsOf(0.4, 0.3, 0.2, 0.1);
    assertThat(kept(run(LogitsProcessors.eta(0.3, 1), new long[] {0}, 1, scores))).containsExactly(0, 1, 2);
    // sqrt(0.05)·e^-H = 0.062 > 0.05: eta = 0.05, nothing below it
    assertThat(kept(run(LogitsProcessors.eta(0.05, 1), new long[] {0}, 1, scores))).containsExactly(0, 1, 2, 3);
  }

  // ---------------------------------------------------------------- order and merging

  private static List<String> names(List<LogitsProcessor> list) {
    List<String> out = new ArrayList<>();
    for (LogitsProcessor p : list) {
      String s = p.toString();
      int paren = s.indexOf('(');
      out.add(paren < 0 ? "user" : s.substring(0, paren));
    }
    return out;
  }

  private static GenerationConfig.Builder everything() {
    return GenerationConfig.builder().eosTokenId(2).repetitionPenalty(1.2).noRepeatNgramSize(3)
        .addBadWords(7).minNewTokens(2).temperature(0.7).topK(10).topP(0.9).minP(0.05).typicalP(0.9)
        .epsilonCutoff(0.001).etaCutoff(0.002);
  }

  @Test
  void forConfig_buildsProcessorsInHuggingFaceOrder() {
    List<LogitsProcessor> list = LogitsProcessors.forConfig(everything().doSample(true).build(), List.of());
    assertThat(names(list)).containsExactly("RepetitionPenalty", "NoRepeatNgram", "BadWords", "MinNewTokens",
        "Temperature", "TopK", "TopP", "MinP", "Typical", "Epsilon", "Eta");
  }

  @Test
  void forConfig_ignoresSamplingSettings_whenNotSampling() {
    List<LogitsProcessor> list = LogitsProcessors.forConfig(everything().build(), List.of());
    assertThat(names(list)).containsExactly("RepetitionPenalty", "NoRepeatNgram", "BadWords", "MinNewTokens");
  }

  @Test
  void forConfig_defaultSamplingIsTopK50() {
    List<LogitsProcessor> list = LogitsProcessors.forConfig(GenerationConfig.builder().doSample(true).build(), List.of());
    assertThat(list).extracting(Object::toString).containsExactly("TopK(50)");
  }

  @Test
  void forConfig_minLengthNeedsEos() {
    assertThat(LogitsProcessors.forConfig(GenerationConfig.builder().minLength(5).build(), List.of())).isEmpty();
    assertThat(names(LogitsProcessors.forConfig(GenerationConfig.builder().minLength(5).eosTokenId(1).build(),
        List.of()))).containsExactly("MinLength");
  }

  @Test
  void forConfig_keepsEosCountPlusOneTokens_withBeamSampling() {
    GenerationConfig c = GenerationConfig.builder().doSample(true).numBeams(3).topK(1).eosTokenId(1, 2).build();
    assertThat(LogitsProcessors.forConfig(c, List.of())).extracting(Object::toString).containsExactly("TopK(3)");
  }

  @Test
  void forConfig_userProcessorOfSameTypeReplacesDefaultInPlace_othersAppendedBeforeWarpers() {
    LogitsProcessor userPenalty = LogitsProcessors.repetitionPenalty(3.0);
    LogitsProcessor custom = (t, n, p, s) -> { };
    List<LogitsProcessor> list = LogitsProcessors.forConfig(
        everything().doSample(true).build(), List.of(custom, userPenalty));
    assertThat(list.get(0)).isSameAs(userPenalty);
    assertThat(list.get(4)).isSameAs(custom);
    assertThat(names(list).subList(5, list.size())).startsWith("Temperature");
    assertThat(list).hasSize(12);
  }
}
