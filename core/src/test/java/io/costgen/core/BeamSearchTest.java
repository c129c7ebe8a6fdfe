package io.costgen.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.costgen.core.testing.FakeTicker;
import io.costgen.core.testing.ToyBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Beam search against a hand-computed example. Vocabulary: 0, 1, 2 = EOS, 3 (never likely),
 * 4 = prompt filler (never generated). Next-token probabilities depend only on the generated
 * tokens so far:
 *
 * <pre>
 *   ()      → 0: .5   1: .3   EOS: .2
 *   (0)     → 0: .1   1: .1   EOS: .8
 *   (1)     → 0: .6   1: .2   EOS: .2
 *   (1,0)   → 0: .05  1: .05  EOS: .9
 *   (1,1)   → 0: .7   1: .2   EOS: .1
 *   (1,1,0) → 0: .1   1: .1   EOS: .8
 *   other   → 0: .4   1: .3   EOS: .3          (token 3 always 1e-6)
 * </pre>
 *
 * numBeams = 2, lengthPenalty = 1 (K = max(2, 1 + 1 EOS) × 2 = 4 candidates):
 * <ul>
 *   <li>step 1: candidates 0 (−0.693), 1 (−1.204), EOS (−1.609), 3; EOS is the 3rd candidate, not
 *       in the top 2, so it is not finalised. Running: [0], [1].
 *   <li>step 2: [0,EOS] −0.916, [1,0] −1.715, [1,1] −2.813, [1,EOS] −2.813 (tie: lower token first).
 *       [0,EOS] is finalised with −0.916 / 2 = −0.458. Running: [1,0], [1,1].
 *   <li>step 3: [1,0,EOS] −1.820 is finalised with −1.820 / 3 = −0.607. Two hypotheses are finished;
 *       best running [1,1,0] −3.506 / 3 = −1.169 cannot beat −0.607: done.
 * </ul>
 * The other cases were worked the same way (and cross-checked with a NumPy transcription of
 * transformers' {@code _beam_search}).
 */
class BeamSearchTest {
  private static final double[] DEFAULT = {.4, .3, .3, 1e-6};
  private static final Map<String, double[]> TABLE = Map.of(
      "[]", new double[] {.5, .3, .2, 1e-6},
      "[0]", new double[] {.1, .1, .8, 1e-6},
      "[1]", new double[] {.6, .2, .2, 1e-6},
      "[1, 0]", new double[] {.05, .05, .9, 1e-6},
      "[1, 1]", new double[] {.7, .2, .1, 1e-6},
      "[1, 1, 0]", new double[] {.1, .1, .8, 1e-6});

  static ToyBackend backend() {
    return backend(null);
  }

  static ToyBackend backend(ToyBackend.ForwardHook hook) {
    ToyBackend.Builder b = ToyBackend.builder().vocabSize(5).eosTokenIds(2).logits((tokens, length, out) -> {
      int start = 0;
      while (start < length && tokens[start] == 4) {
        start++;
      }
      long[] generated = Arrays.copyOfRange(tokens, start, length);
      double[] p = TABLE.getOrDefault(Arrays.toString(generated), DEFAULT);
      for (int v = 0; v < 4; v++) {
        out[v] = (float) Math.log(p[v]);
      }
      out[4] = Float.NEGATIVE_INFINITY;
    });
    if (hook != null) {
      b.onForwardPass(hook);
    }
    return b.build();
  }

  static GenerationConfig beams(int numBeams, int returnSequences, double lengthPenalty, EarlyStopping early) {
    return GenerationConfig.builder().numBeams(numBeams).numReturnSequences(returnSequences)
        .lengthPenalty(lengthPenalty).earlyStopping(early).maxNewTokens(6).build();
  }

  private static void assertHypothesis(GeneratedSequence s, double score, FinishReason reason, long... tokens) {
    assertThat(s.tokenIds()).containsExactly(tokens);
    assertThat(s.score()).isPresent();
    assertThat(s.score().getAsDouble()).isCloseTo(score, within(2e-5));
    assertThat(s.finishReason()).isEqualTo(reason);
  }

  private static GenerationResult run(GenerationConfig c, long[]... prompts) {
    return TextGenerator.builder(backend()).build().generate(prompts, c);
  }

  @Test
  void beamSearch_matchesHandComputedExample() {
    GenerationResult r = run(beams(2, 2, 1.0, EarlyStopping.FALSE), new long[] {4});
    assertThat(r.sequences()).hasSize(2);
    assertHypothesis(r.sequences().get(0), -0.458146, FinishReason.EOS, 4, 0, 2);
    assertHypothesis(r.sequences().get(1), -0.606721, FinishReason.EOS, 4, 1, 0, 2);
    assertThat(r.sequences()).extracting(GeneratedSequence::rank).containsExactly(0, 1);
    assertThat(r.usage().sequences()).isEqualTo(2);
    assertThat(r.usage().completionTokens()).isEqualTo(5);
    assertThat(r.usage().decodeSteps()).isEqualTo(2);
  }

  @Test
  void earlyStoppingTrue_stopsOnceNumBeamsHypothesesAreFinished() {
    // numBeams 3: EOS at step 1 is the 3rd candidate, within the top 3, so [EOS] (−1.609) is
    // finalised; after step 3 three hypotheses are finished and TRUE stops.
    GenerationResult r = run(beams(3, 3, 1.0, EarlyStopping.TRUE), new long[] {4});
    assertHypothesis(r.sequences().get(0), -0.458146, FinishReason.EOS, 4, 0, 2);
    assertHypothesis(r.sequences().get(1), -0.606721, FinishReason.EOS, 4, 1, 0, 2);
    assertHypothesis(r.sequences().get(2), -1.609439, FinishReason.EOS, 4, 2);
  }

  @Test
  void earlyStoppingFalse_continuesWhileTheBestRunningBeamCanImprove() {
    // after step 3 the best running beam [1,1,0] scores −3.170 / 3 = −1.057 > worst finished
    // −1.609, so search goes on; [1,1,0,EOS] = −3.393 / 4 = −0.848 replaces [EOS].
    GenerationResult r = run(beams(3, 3, 1.0, EarlyStopping.FALSE), new long[] {4});
    assertHypothesis(r.sequences().get(0), -0.458146, FinishReason.EOS, 4, 0, 2);
    assertHypothesis(r.sequences().get(1), -0.606721, FinishReason.EOS, 4, 1, 0, 2);
    assertHypothesis(r.sequences().get(2), -0.848308, FinishReason.EOS, 4, 1, 1, 0, 2);
  }

  @Test
  void earlyStoppingNever_withPositiveLengthPenalty_scoresRunningBeamsAtMaxLength() {
    // lengthPenalty 2 favours long hypotheses; NEVER keeps searching to maxLength and finds one
    // better than both EOS hypotheses that FALSE returns.
    GenerationResult never = run(beams(2, 2, 2.0, EarlyStopping.NEVER), new long[] {4});
    assertHypothesis(never.sequences().get(0), -0.199215, FinishReason.LENGTH, 4, 1, 1, 1, 0, 0, 0);
    assertHypothesis(never.sequences().get(1), -0.202240, FinishReason.EOS, 4, 1, 0, 2);
    GenerationResult stop = run(beams(2, 2, 2.0, EarlyStopping.FALSE), new long[] {4});
    assertHypothesis(stop.sequences().get(0), -0.202240, FinishReason.EOS, 4, 1, 0, 2);
    assertHypothesis(stop.sequences().get(1), -0.229073, FinishReason.EOS, 4, 0, 2);
  }

  @Test
  void lengthPenalty_divisorIsGeneratedLengthIncludingEos_excludingPrompt() {
    // canonical beam search (NEVER, lengthPenalty 0): raw sums of log-probabilities
    GenerationResult raw = run(beams(2, 2, 0.0, EarlyStopping.NEVER), new long[] {4, 4, 4});
    assertHypothesis(raw.sequences().get(0), -0.916293, FinishReason.EOS, 4, 4, 4, 0, 2);
    assertHypothesis(raw.sequences().get(1), -1.820162, FinishReason.EOS, 4, 4, 4, 1, 0, 2);
    // the same sums divided by 2 and 3 generated tokens: the prompt length does not count
    GenerationResult penalised = run(beams(2, 2, 1.0, EarlyStopping.FALSE), new long[] {4, 4, 4});
    assertThat(penalised.sequences().get(0).score().getAsDouble()).isCloseTo(-0.916293 / 2, within(2e-5));
    assertThat(penalised.sequences().get(1).score().getAsDouble()).isCloseTo(-1.820162 / 3, within(2e-5));
  }

  @Test
  void numReturnSequences_returnsTheBestHypothesesInScoreOrder() {
    GenerationResult r = run(beams(3, 2, 1.0, EarlyStopping.FALSE), new long[] {4});
    assertThat(r.sequences()).hasSize(2);
    assertHypothesis(r.sequences().get(0), -0.458146, FinishReason.EOS, 4, 0, 2);
    assertHypothesis(r.sequences().get(1), -0.606721, FinishReason.EOS, 4, 1, 0, 2);
    GenerationResult one = run(beams(3, 1, 1.0, EarlyStopping.FALSE), new long[] {4});
    assertThat(one.sequences()).hasSize(1);
    assertHypothesis(one.first(), -0.458146, FinishReason.EOS, 4, 0, 2);
  }

  @Test
  void batch_equalsEachPromptAlone_orderedByInputThenRank() {
    GenerationConfig c = beams(3, 3, 1.0, EarlyStopping.FALSE);
    GenerationResult batch = run(c, new long[] {4}, new long[] {4, 4, 4});
    assertThat(batch.sequences()).extracting(GeneratedSequence::inputIndex).containsExactly(0, 0, 0, 1, 1, 1);
    assertThat(batch.sequences()).extracting(GeneratedSequence::rank).containsExactly(0, 1, 2, 0, 1, 2);
    GenerationResult a = run(c, new long[] {4});
    GenerationResult b = run(c, new long[] {4, 4, 4});
    for (int i = 0; i < 3; i++) {
      assertThat(batch.sequences().get(i).tokenIds()).containsExactly(a.sequences().get(i).tokenIds());
      assertThat(batch.sequences().get(3 + i).tokenIds()).containsExactly(b.sequences().get(i).tokenIds());
      assertThat(batch.sequences().get(3 + i).score()).isEqualTo(b.sequences().get(i).score());
    }
  }

  @Test
  void beams_prefillOnce_thenExpandAndReorderWithSelectRows() {
    ToyBackend backend = backend();
    TextGenerator.builder(backend).build().generate(new long[][] {{4}}, beams(2, 2, 1.0, EarlyStopping.FALSE));
    List<int[]> sel = backend.selections();
    assertThat(sel.get(0)).containsExactly(0, 0);
    // step 2's running beams [1,0] and [1,1] both descend from beam 1
    assertThat(sel.get(1)).containsExactly(1, 1);
    assertThat(backend.prefillPaddings()).hasSize(1);
  }

  @Test
  void deadline_finalisesTheCurrentCandidates_likeMaxTime() {
    FakeTicker ticker = new FakeTicker();
    ToyBackend backend = backend(i -> ticker.advance(Duration.ofMillis(10)));
    GenerationRequest req = GenerationRequest.builder().tokenIds(new long[] {4})
        .config(beams(2, 2, 1.0, EarlyStopping.FALSE)).deadline(Duration.ofMillis(15)).build();
    GenerationResult r = TextGenerator.builder(backend).ticker(ticker).build().generate(req);
    // step 2 runs past the deadline: its top 2 candidates are finalised
    assertHypothesis(r.sequences().get(0), -0.458146, FinishReason.EOS, 4, 0, 2);
    assertHypothesis(r.sequences().get(1), (Math.log(0.3) + Math.log(0.6)) / 2, FinishReason.DEADLINE, 4, 1, 0);
  }

  @Test
  void cancelledBeforeStart_returnsThePrompts() {
    Cancellation cancel = Cancellation.create();
    cancel.cancel();
    GenerationRequest req = GenerationRequest.builder().tokenIds(new long[] {4})
        .config(beams(2, 2, 1.0, EarlyStopping.FALSE)).cancellation(cancel).build();
    GenerationResult r = TextGenerator.builder(backend()).build().generate(req);
    assertThat(r.sequences()).hasSize(2).allSatisfy(s -> {
      assertThat(s.tokenIds()).containsExactly(4);
      assertThat(s.finishReason()).isEqualTo(FinishReason.CANCELLED);
      assertThat(s.score()).isEmpty();
    });
  }

  @Test
  void beamSampling_isDeterministicPerSeed_andBatchInvariant() {
    GenerationConfig c = GenerationConfig.builder().numBeams(2).numReturnSequences(2).doSample(true).seed(9)
        .maxNewTokens(6).build();
    GenerationResult a = run(c, new long[] {4});
    GenerationResult b = run(c, new long[] {4});
    assertThat(a.sequences()).isEqualTo(b.sequences());
    GenerationResult batch = run(c, new long[] {4, 4}, new long[] {4});
    assertThat(batch.sequences().get(2).tokenIds()).containsExactly(a.sequences().get(0).tokenIds());
    assertThat(a.first().score().getAsDouble()).isGreaterThanOrEqualTo(a.sequences().get(1).score().getAsDouble());
    List<String> distinct = new ArrayList<>();
    for (long seed = 0; seed < 20; seed++) {
      distinct.add(Arrays.toString(run(c.toBuilder().seed(seed).build(), new long[] {4}).first().tokenIds()));
    }
    assertThat(distinct.stream().distinct().count()).isGreaterThan(1);
  }

  @Test
  void streaming_isRejectedWithBeams() {
    TextGenerator g = TextGenerator.builder(backend()).build();
    GenerationRequest req = GenerationRequest.builder().tokenIds(new long[] {4})
        .config(beams(2, 1, 1.0, EarlyStopping.FALSE)).onToken(t -> { }).build();
    assertThatThrownBy(() -> g.generate(req)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("beam");
    GenerationRequest plain = GenerationRequest.builder().tokenIds(new long[] {4})
        .config(beams(2, 1, 1.0, EarlyStopping.FALSE)).build();
    assertThatThrownBy(() -> g.stream(plain)).isInstanceOf(IllegalStateException.class);
  }
}
