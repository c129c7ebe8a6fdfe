package io.costgen.onnx.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.costgen.core.EarlyStopping;
import io.costgen.core.FinishReason;
import io.costgen.core.GeneratedSequence;
import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationRequest;
import io.costgen.core.GenerationResult;
import io.costgen.core.StreamedToken;
import io.costgen.core.TokenStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What every real model must do end to end ({@code TextGenerator} + {@code OnnxBackend} +
 * {@code HuggingFaceTokenizer}): each decoding mode checked against an independent reference
 * computed from a raw backend session ({@link RawSessionReference}), batching, processors, EOS
 * and streaming. One subclass per model; the model is opened once per class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DecodingContract {

  /** New tokens per call in these tests. */
  static final int NEW = 20;

  E2eModel model;

  /** Opens the model under test. */
  abstract E2eModel open();

  /** At least two token-id prompts of different lengths, valid model input, no repeated bigram. */
  abstract long[][] prompts();

  /** A text prompt whose tokens are all valid model input. */
  abstract String textPrompt();

  /**
   * A repetition penalty that changes the greedy output of {@code prompts()[0]} (below 1 it
   * rewards repeating, which changes the output of a random-weight model more surely).
   */
  abstract float repetitionPenalty();

  @BeforeAll
  void openModel() {
    model = open();
  }

  @AfterAll
  void closeModel() {
    if (model != null) {
      model.close();
    }
  }

  static GenerationConfig.Builder newTokens(int n) {
    return GenerationConfig.builder().maxNewTokens(n);
  }

  Set<Long> modelEos() {
    return new HashSet<>(model.backend.modelInfo().specialTokens().eosTokenIds());
  }

  GeneratedSequence alone(long[] prompt, GenerationConfig config) {
    GenerationResult r = model.generator.generate(new long[][] {prompt}, config);
    assertThat(r.sequences()).hasSize(1);
    return r.first();
  }

  /** Greedy by hand, stopping at the model's EOS ids. */
  long[] referenceGreedy(long[] prompt, int newTokens) {
    return referenceGreedy(prompt, newTokens, modelEos());
  }

  long[] referenceGreedy(long[] prompt, int newTokens, Set<Long> eos) {
    return RawSessionReference.greedy(model.backend, prompt, newTokens, eos,
        RawSessionReference.ScoreRule.NONE);
  }

  static FinishReason expectedFinish(long[] seq, int promptLength, int newTokens, Set<Long> eos) {
    if (eos.contains(seq[seq.length - 1])) {
      return FinishReason.EOS;
    }
    assertThat(seq.length - promptLength).isEqualTo(newTokens);
    return FinishReason.LENGTH;
  }

  // ------------------------------------------------------------------ greedy

  @Test
  void greedy_equalsArgmaxLoopOverRawSession_forEveryPrompt() {
    for (long[] p : prompts()) {
      GeneratedSequence s = alone(p, newTokens(NEW).build());
      long[] expected = referenceGreedy(p, NEW);
      assertThat(s.tokenIds()).as("prompt %s", Arrays.toString(p)).containsExactly(expected);
      assertThat(s.promptLength()).isEqualTo(p.length);
      assertThat(s.finishReason()).isEqualTo(expectedFinish(expected, p.length, NEW, modelEos()));
      assertThat(s.score()).isEmpty();
    }
  }

  @Test
  void greedy_textPrompt_isEncodedByTheTokenizer_andDecodedBack() {
    long[] ids = model.tokenizer.encode(textPrompt());
    assertThat(boxed(ids)).isNotEmpty().allMatch(id -> id >= 0 && id < model.vocabSize());
    GenerationResult r = model.generator.generate(textPrompt(), newTokens(NEW).build());
    GeneratedSequence s = r.first();
    assertThat(s.tokenIds()).containsExactly(referenceGreedy(ids, NEW));
    String promptText = model.tokenizer.decode(ids, true);
    assertThat(s.text()).isEqualTo(model.tokenizer.decode(s.tokenIds(), true)).startsWith(promptText);
    assertThat(s.completion()).isEqualTo(s.text().substring(promptText.length()));
    assertThat(r.usage().promptTokens()).isEqualTo(ids.length);
    assertThat(r.usage().completionTokens()).isEqualTo(s.generatedLength());
  }

  // ------------------------------------------------------------------ sampling

  @Test
  void sampling_sameSeedGivesSameTokens_differentSeedDifferentTokens() {
    long[] p = prompts()[0];
    GenerationConfig seed7 = newTokens(NEW).doSample(true).seed(7).build();
    long[] first = alone(p, seed7).tokenIds();
    assertThat(alone(p, seed7).tokenIds()).containsExactly(first);
    long[] other = alone(p, newTokens(NEW).doSample(true).seed(8).build()).tokenIds();
    assertThat(other).isNotEqualTo(first);
    assertThat(first).isNotEqualTo(referenceGreedy(p, NEW));
  }

  @Test
  void sampling_numReturnSequences_givesDistinctSeededCopies() {
    long[] p = prompts()[0];
    GenerationConfig c = newTokens(NEW).doSample(true).seed(3).numReturnSequences(3).build();
    GenerationResult r = model.generator.generate(new long[][] {p}, c);
    assertThat(r.sequences()).hasSize(3);
    assertThat(r.sequences()).extracting(GeneratedSequence::rank).containsExactly(0, 1, 2);
    Set<List<Long>> distinct = new HashSet<>();
    for (GeneratedSequence s : r.sequences()) {
      assertThat(s.inputIndex()).isZero();
      distinct.add(boxed(s.tokenIds()));
    }
    assertThat(distinct).hasSize(3);
    // copy 0 samples from the same stream as a single-sequence call with the same seed
    assertThat(r.first().tokenIds())
        .containsExactly(alone(p, newTokens(NEW).doSample(true).seed(3).build()).tokenIds());
    assertThat(model.generator.generate(new long[][] {p}, c).sequences()).isEqualTo(r.sequences());
  }

  // ------------------------------------------------------------------ beam search

  @Test
  void beamSearch_withOneBeam_equalsGreedy() {
    long[] p = prompts()[0];
    GeneratedSequence beam1 = alone(p, newTokens(NEW).numBeams(1).lengthPenalty(2.0)
        .earlyStopping(EarlyStopping.TRUE).build());
    assertThat(beam1.tokenIds()).containsExactly(referenceGreedy(p, NEW));
  }

  @ParameterizedTest(name = "numBeams={0} numReturnSequences={1} lengthPenalty={2} earlyStopping={3}")
  @CsvSource({"3, 3, 1.0, FALSE", "4, 2, 2.0, TRUE", "4, 4, 0.5, NEVER", "3, 1, -1.0, FALSE",
      "4, 3, 0.0, NEVER"})
  void beamSearch_returnsSortedScores_equalToRecomputedLogProbs(int beams, int returned,
      double lengthPenalty, EarlyStopping earlyStopping) {
    long[] p = prompts()[0];
    GenerationConfig c = newTokens(NEW).numBeams(beams).numReturnSequences(returned)
        .lengthPenalty(lengthPenalty).earlyStopping(earlyStopping).build();
    GenerationResult r = model.generator.generate(new long[][] {p}, c);
    checkBeams(r, p, returned, lengthPenalty, modelEos());
    assertThat(r.usage().completionTokens())
        .isEqualTo(r.sequences().stream().mapToLong(GeneratedSequence::generatedLength).sum());
  }

  @Test
  void beamSearch_withoutEos_equalsPlainBeamSearchOverRawLogits() {
    long[] p = prompts()[0];
    int newTokens = 8;
    GenerationResult r = model.generator.generate(new long[][] {p}, newTokens(newTokens).numBeams(3)
        .numReturnSequences(3).eosTokenIds(List.of()).lengthPenalty(1.0).build());
    List<RawSessionReference.Beam> expected =
        RawSessionReference.beamSearchWithoutEos(model.backend, p, 3, newTokens);
    for (int i = 0; i < 3; i++) {
      GeneratedSequence s = r.sequences().get(i);
      assertThat(s.tokenIds()).as("rank %d", i).containsExactly(expected.get(i).tokens());
      assertThat(s.finishReason()).isEqualTo(FinishReason.LENGTH);
      assertThat(s.score().orElseThrow()).isCloseTo(expected.get(i).logProb() / newTokens, within(1e-4));
    }
  }

  /**
   * With an EOS id the greedy path emits first (and a length penalty of 0.5, so that short
   * hypotheses compete even on a random-weight model), hypotheses finish at different steps, so the
   * early-stopping modes differ: {@code TRUE} stops first, {@code FALSE} no earlier, {@code NEVER}
   * last, and since running beams evolve alike in all three, a later stop only adds candidates:
   * best scores are ordered NEVER >= FALSE >= TRUE.
   */
  @Test
  void beamSearch_earlyStoppingModes_withFrequentEos_orderBestScores() {
    long[] p = prompts()[0];
    long[] greedy = referenceGreedy(p, NEW, Set.of());
    long eos = greedy[p.length];
    double[] best = new double[3];
    boolean sawEos = false;
    EarlyStopping[] modes = {EarlyStopping.TRUE, EarlyStopping.FALSE, EarlyStopping.NEVER};
    for (int m = 0; m < modes.length; m++) {
      GenerationConfig c = newTokens(NEW).numBeams(3).numReturnSequences(3).eosTokenId(eos)
          .lengthPenalty(0.5).earlyStopping(modes[m]).build();
      GenerationResult r = model.generator.generate(new long[][] {p}, c);
      checkBeams(r, p, 3, 0.5, Set.of(eos));
      best[m] = r.first().score().getAsDouble();
      for (GeneratedSequence s : r.sequences()) {
        sawEos |= s.finishReason() == FinishReason.EOS;
      }
    }
    assertThat(sawEos).as("some hypothesis ends in EOS %d", eos).isTrue();
    assertThat(best[1]).isGreaterThanOrEqualTo(best[0]);
    assertThat(best[2]).isGreaterThanOrEqualTo(best[1]);
  }

  void checkBeams(GenerationResult r, long[] prompt, int returned, double lengthPenalty, Set<Long> eos) {
    assertThat(r.sequences()).hasSize(returned);
    double previous = Double.POSITIVE_INFINITY;
    for (int i = 0; i < returned; i++) {
      GeneratedSequence s = r.sequences().get(i);
      assertThat(s.rank()).isEqualTo(i);
      assertThat(s.inputIndex()).isZero();
      assertThat(Arrays.copyOf(s.tokenIds(), prompt.length)).containsExactly(prompt);
      assertThat(s.generatedLength()).isBetween(1, NEW);
      long last = s.tokenIds()[s.tokenIds().length - 1];
      if (s.finishReason() == FinishReason.EOS) {
        assertThat(eos).contains(last);
      } else {
        assertThat(s.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(s.generatedLength()).isEqualTo(NEW);
      }
      double score = s.score().orElseThrow();
      assertThat(score).as("scores sorted, best first").isLessThanOrEqualTo(previous);
      previous = score;
      double logProb = RawSessionReference.sumLogProbs(model.backend, s.tokenIds(), prompt.length);
      double expected = logProb / Math.pow(s.generatedLength(), lengthPenalty);
      assertThat(score).as("score of rank %d = sum log p / len^%s", i, lengthPenalty)
          .isCloseTo(expected, within(1e-3 * Math.max(1, Math.abs(expected))));
    }
    Set<List<Long>> distinct = new HashSet<>();
    r.sequences().forEach(s -> distinct.add(boxed(s.tokenIds())));
    assertThat(distinct).as("distinct hypotheses").hasSize(returned);
  }

  // ------------------------------------------------------------------ batching

  @Test
  void leftPaddedBatch_greedy_equalsEachPromptAlone() {
    GenerationConfig c = newTokens(NEW).build();
    GenerationResult batch = model.generator.generate(prompts(), c);
    assertThat(batch.sequences()).hasSize(prompts().length);
    for (int b = 0; b < prompts().length; b++) {
      GeneratedSequence s = batch.sequences().get(b);
      assertThat(s.inputIndex()).isEqualTo(b);
      assertThat(s.tokenIds()).as("row %d", b).containsExactly(referenceGreedy(prompts()[b], NEW));
      GeneratedSequence alone = alone(prompts()[b], c);
      assertThat(s.tokenIds()).containsExactly(alone.tokenIds());
      assertThat(s.text()).isEqualTo(alone.text());
      assertThat(s.completion()).isEqualTo(alone.completion());
      assertThat(s.finishReason()).isEqualTo(alone.finishReason());
    }
  }

  @Test
  void leftPaddedBatch_seededSampling_equalsEachPromptAlone() {
    GenerationConfig c = newTokens(NEW).doSample(true).seed(11).numReturnSequences(2).build();
    GenerationResult batch = model.generator.generate(prompts(), c);
    assertThat(batch.sequences()).hasSize(2 * prompts().length);
    for (int b = 0; b < prompts().length; b++) {
      GenerationResult single = model.generator.generate(new long[][] {prompts()[b]}, c);
      for (int j = 0; j < 2; j++) {
        GeneratedSequence inBatch = batch.sequences().get(2 * b + j);
        assertThat(inBatch.inputIndex()).isEqualTo(b);
        assertThat(inBatch.tokenIds()).as("prompt %d copy %d", b, j)
            .containsExactly(single.sequences().get(j).tokenIds());
      }
    }
  }

  @Test
  void leftPaddedBatch_beamSearch_equalsEachPromptAlone() {
    GenerationConfig c = newTokens(NEW).numBeams(3).numReturnSequences(2).build();
    GenerationResult batch = model.generator.generate(prompts(), c);
    for (int b = 0; b < prompts().length; b++) {
      GenerationResult single = model.generator.generate(new long[][] {prompts()[b]}, c);
      for (int j = 0; j < 2; j++) {
        GeneratedSequence inBatch = batch.sequences().get(2 * b + j);
        GeneratedSequence alone = single.sequences().get(j);
        assertThat(inBatch.tokenIds()).as("prompt %d rank %d", b, j).containsExactly(alone.tokenIds());
        assertThat(inBatch.score().orElseThrow()).isCloseTo(alone.score().orElseThrow(), within(1e-4));
      }
    }
  }

  /**
   * Eight random prompts (seeded, lengths 1 to 12) with EOS ids taken from their own outputs, so
   * rows finish at different steps and leave the batch in a scattered order: the batch equals
   * each prompt alone in greedy, sampling (2 copies) and beam (2 beams) modes.
   */
  @Test
  void randomBatch_withRowsFinishingAtDifferentSteps_equalsEachPromptAlone() {
    java.util.Random random = new java.util.Random(2024);
    long[][] batch = new long[8][];
    for (int b = 0; b < batch.length; b++) {
      batch[b] = new long[1 + random.nextInt(12)];
      for (int i = 0; i < batch[b].length; i++) {
        batch[b][i] = prompts()[0][0] + random.nextInt(Math.min(model.vocabSize(), 1000) - (int) prompts()[0][0]);
      }
    }
    GenerationResult free = model.generator.generate(batch, newTokens(12).eosTokenIds(List.of()).build());
    List<Long> eos = new ArrayList<>();
    for (int b = 0; b < batch.length; b += 2) {
      eos.add(free.sequences().get(b).generatedTokenIds()[1 + b]);
    }
    GenerationConfig[] configs = {
      newTokens(12).eosTokenIds(eos).build(),
      newTokens(12).eosTokenIds(eos).doSample(true).topK(3).seed(8).numReturnSequences(2).build(),
      newTokens(12).eosTokenIds(eos).numBeams(2).numReturnSequences(2).build(),
    };
    for (GenerationConfig c : configs) {
      GenerationResult together = model.generator.generate(batch, c);
      Set<Integer> lengths = new HashSet<>();
      int perInput = together.sequences().size() / batch.length;
      for (int b = 0; b < batch.length; b++) {
        GenerationResult single = model.generator.generate(new long[][] {batch[b]}, c);
        for (int j = 0; j < perInput; j++) {
          GeneratedSequence s = together.sequences().get(b * perInput + j);
          assertThat(s.tokenIds()).as("%s prompt %d seq %d", c.explicitFields(), b, j)
              .containsExactly(single.sequences().get(j).tokenIds());
          assertThat(s.finishReason()).isEqualTo(single.sequences().get(j).finishReason());
          lengths.add(s.generatedLength());
        }
      }
      assertThat(lengths).as("some rows leave the batch before others").hasSizeGreaterThanOrEqualTo(2);
    }
  }

  // ------------------------------------------------------------------ processors

  @Test
  void noRepeatNgramSize_leavesNoRepeatedNgram_andMatchesHandWrittenRule() {
    for (int n : new int[] {2, 3}) {
      for (long[] p : prompts()) {
        assertThat(RawSessionReference.hasRepeatedNgram(p, n)).as("test prompt is valid").isFalse();
        GeneratedSequence s = alone(p, newTokens(NEW).noRepeatNgramSize(n).build());
        assertThat(RawSessionReference.hasRepeatedNgram(s.tokenIds(), n))
            .as("n=%d %s", n, Arrays.toString(s.tokenIds())).isFalse();
        assertThat(s.tokenIds()).containsExactly(RawSessionReference.greedy(model.backend, p, NEW,
            modelEos(), RawSessionReference.noRepeatNgram(n)));
      }
    }
  }

  @Test
  void repetitionPenalty_changesGreedy_andMatchesPenalisedRawLogits() {
    long[] p = prompts()[0];
    float penalty = repetitionPenalty();
    GeneratedSequence s = alone(p, newTokens(NEW).repetitionPenalty(penalty).build());
    // first token: argmax of the raw logits penalised by hand
    float[] logits = RawSessionReference.nextLogits(model.backend, p);
    RawSessionReference.repetitionPenalty(penalty).apply(p, p.length, p.length, logits);
    assertThat(s.generatedTokenIds()[0]).isEqualTo(RawSessionReference.argmax(logits));
    // every token: the hand-written rule in a raw greedy loop
    assertThat(s.tokenIds()).containsExactly(RawSessionReference.greedy(model.backend, p, NEW,
        modelEos(), RawSessionReference.repetitionPenalty(penalty)));
    assertThat(s.tokenIds()).isNotEqualTo(referenceGreedy(p, NEW));
  }

  @Test
  void badWordsIds_singleAndMultiToken_matchHandWrittenRule() {
    long[] p = prompts()[0];
    long[] greedy = referenceGreedy(p, NEW, Set.of());
    int n = p.length;
    long[] single = {greedy[n + 1]};                              // bans greedy's 2nd token everywhere
    long[] pair = {greedy[n + 2], greedy[n + 3]};                 // after greedy's 3rd token
    long[] wholePrompt = Arrays.copyOf(p, n + 1);                 // k = length + 1: ignored at step 0
    wholePrompt[n] = greedy[n];
    GenerationConfig c = newTokens(NEW).addBadWords(single).addBadWords(pair).addBadWords(wholePrompt).build();
    GeneratedSequence s = alone(p, c);
    assertThat(s.tokenIds()).containsExactly(RawSessionReference.greedy(model.backend, p, NEW, modelEos(),
        RawSessionReference.badWords(single, pair, wholePrompt)));
    assertThat(boxed(s.generatedTokenIds())).doesNotContain(single[0]);
    assertThat(s.tokenIds()).isNotEqualTo(greedy);
  }

  @Test
  void minNewTokens_bansEosUntilReached() {
    long[] p = prompts()[0];
    long[] greedy = referenceGreedy(p, NEW, Set.of());
    long eos = firstNewToken(greedy, p.length, 1, new long[0]);
    int k = indexOf(greedy, p.length, eos) - p.length;
    int min = k + 3;
    GeneratedSequence s = alone(p, newTokens(NEW).eosTokenId(eos).minNewTokens(min).build());
    assertThat(s.tokenIds()).containsExactly(RawSessionReference.greedy(model.backend, p, NEW, Set.of(eos),
        RawSessionReference.minNewTokens(min, eos)));
    assertThat(s.generatedLength()).isGreaterThan(min - 1);
    assertThat(Arrays.copyOf(s.generatedTokenIds(), min - 1)).doesNotContain(eos);
  }

  @Test
  void leftPaddedBatch_withPenaltyNgramAndBadWords_equalsEachPromptAlone() {
    // costgen counts these processors per row, without padding (documented choice)
    GenerationConfig c = newTokens(NEW).repetitionPenalty(1.3).noRepeatNgramSize(2)
        .addBadWords(prompts()[1][prompts()[1].length - 1], prompts()[0][0]).build();
    GenerationResult batch = model.generator.generate(prompts(), c);
    for (int b = 0; b < prompts().length; b++) {
      assertThat(batch.sequences().get(b).tokenIds()).as("row %d", b)
          .containsExactly(alone(prompts()[b], c).tokenIds());
    }
  }

  @Test
  void beamSampling_isSeeded_andBatchEqualsAlone() {
    GenerationConfig c = newTokens(NEW).doSample(true).numBeams(3).numReturnSequences(2).seed(42).build();
    GenerationResult batch = model.generator.generate(prompts(), c);
    assertThat(model.generator.generate(prompts(), c).sequences()).isEqualTo(batch.sequences());
    for (int b = 0; b < prompts().length; b++) {
      GenerationResult single = model.generator.generate(new long[][] {prompts()[b]}, c);
      for (int j = 0; j < 2; j++) {
        GeneratedSequence s = batch.sequences().get(2 * b + j);
        assertThat(s.tokenIds()).containsExactly(single.sequences().get(j).tokenIds());
        double logProb = RawSessionReference.sumLogProbs(model.backend, s.tokenIds(), s.promptLength());
        assertThat(s.score().orElseThrow()).isCloseTo(logProb / s.generatedLength(),
            within(1e-3 * Math.max(1, Math.abs(logProb))));
      }
    }
  }

  // ------------------------------------------------------------------ EOS

  /** The model folder's EOS id, found in its config files. */
  abstract long expectedEos();

  /** The pad id a call resolves: the folder's, else its first EOS id. */
  abstract long expectedPad();

  @Test
  void defaultEosAndPad_comeFromTheModelFolder() {
    assertThat(model.backend.modelInfo().specialTokens().eosTokenIds()).containsExactly(expectedEos());
    long[] p = prompts()[0];
    long eos = expectedEos();
    // a user processor that forces the model's EOS at the 4th generated token
    GenerationRequest request = GenerationRequest.builder().tokenIds(p).config(newTokens(NEW).build())
        .addLogitsProcessor((tokens, length, promptLength, scores) -> {
          if (length - promptLength == 3) {
            Arrays.fill(scores, Float.NEGATIVE_INFINITY);
            scores[(int) eos] = 0f;
          }
        }).build();
    GenerationResult r = model.generator.generate(request);
    GeneratedSequence s = r.first();
    assertThat(s.finishReason()).isEqualTo(FinishReason.EOS);
    assertThat(s.generatedLength()).isEqualTo(4);
    assertThat(s.generatedTokenIds()[3]).isEqualTo(eos);
    assertThat(Arrays.copyOf(s.tokenIds(), p.length + 3))
        .containsExactly(Arrays.copyOf(referenceGreedy(p, NEW), p.length + 3));
    assertThat(s.text()).isEqualTo(model.tokenizer.decode(s.tokenIds(), true));
    assertThat(r.padTokenId()).hasValue(expectedPad());
  }

  /** The first generated token at step >= {@code minStep} that is new there and absent from {@code avoid}. */
  static long firstNewToken(long[] seq, int promptLength, int minStep, long[] avoid) {
    Set<Long> avoided = new HashSet<>(boxed(avoid));
    for (int k = minStep; promptLength + k < seq.length; k++) {
      long t = seq[promptLength + k];
      boolean earlier = false;
      for (int i = promptLength; i < promptLength + k; i++) {
        earlier |= seq[i] == t;
      }
      if (!earlier && !avoided.contains(t)) {
        return t;
      }
    }
    throw new AssertionError("no suitable token in " + Arrays.toString(seq));
  }

  static int indexOf(long[] seq, int from, long t) {
    for (int i = from; i < seq.length; i++) {
      if (seq[i] == t) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void eosTokenId_emittedAtStepK_stopsThereAndKeepsIt() {
    long[] p = prompts()[0];
    long[] greedy = referenceGreedy(p, NEW, Set.of());
    long eos = firstNewToken(greedy, p.length, 3, new long[0]);
    int k = indexOf(greedy, p.length, eos) - p.length;
    GeneratedSequence s = alone(p, newTokens(NEW).eosTokenId(eos).build());
    assertThat(s.finishReason()).isEqualTo(FinishReason.EOS);
    assertThat(s.generatedLength()).isEqualTo(k + 1);
    assertThat(s.tokenIds()).containsExactly(Arrays.copyOf(greedy, p.length + k + 1));
    assertThat(s.text()).isEqualTo(model.tokenizer.decode(s.tokenIds(), true));
  }

  @Test
  void eosTokenId_inBatch_stopsOnlyItsRow_andIsPaddedInPaddedTokenIds() {
    // rows a, b: a's greedy run emits the EOS at step >= 2, b's never
    long[] a = null;
    long[] b = null;
    long[] greedyA = null;
    long[] greedyB = null;
    long eos = -1;
    for (int i = 0; i < prompts().length && eos < 0; i++) {
      for (int j = 0; j < prompts().length && eos < 0; j++) {
        if (i == j) {
          continue;
        }
        a = prompts()[i];
        b = prompts()[j];
        greedyA = referenceGreedy(a, NEW, Set.of());
        greedyB = referenceGreedy(b, NEW, Set.of());
        try {
          eos = firstNewToken(greedyA, a.length, 2,
              Arrays.copyOfRange(greedyB, b.length, greedyB.length));
        } catch (AssertionError none) {
          eos = -1;
        }
      }
    }
    assertThat(eos).as("a prompt pair with a token only one of them emits").isNotNegative();
    int k = indexOf(greedyA, a.length, eos) - a.length;
    GenerationResult r = model.generator.generate(new long[][] {a, b},
        newTokens(NEW).eosTokenId(eos).build());
    GeneratedSequence rowA = r.sequences().get(0);
    GeneratedSequence rowB = r.sequences().get(1);
    assertThat(rowA.finishReason()).isEqualTo(FinishReason.EOS);
    assertThat(rowA.tokenIds()).containsExactly(Arrays.copyOf(greedyA, a.length + k + 1));
    assertThat(rowB.finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(rowB.tokenIds()).containsExactly(greedyB);

    long pad = r.padTokenId().orElseThrow();
    long expectedPad = model.backend.modelInfo().specialTokens().padTokenId().orElse(eos);
    assertThat(pad).isEqualTo(expectedPad);
    long[][] padded = r.paddedTokenIds();
    int width = Math.max(a.length, b.length) + NEW;
    assertThat(padded).hasDimensions(2, width);
    long[] expectedA = new long[width];
    Arrays.fill(expectedA, pad);
    System.arraycopy(rowA.tokenIds(), 0, expectedA, Math.max(a.length, b.length) - a.length,
        rowA.tokenIds().length);
    assertThat(padded[0]).containsExactly(expectedA);
    long[] expectedB = new long[width];
    Arrays.fill(expectedB, pad);
    System.arraycopy(greedyB, 0, expectedB, Math.max(a.length, b.length) - b.length, greedyB.length);
    assertThat(padded[1]).containsExactly(expectedB);
    assertThat(r.usage().completionTokens()).isEqualTo(k + 1 + NEW);
  }

  // ------------------------------------------------------------------ streaming

  GenerationRequest streamingRequest() {
    return GenerationRequest.builder().tokenIds(prompts())
        .config(newTokens(NEW).doSample(true).seed(5).numReturnSequences(2).build()).build();
  }

  @Test
  void streaming_callbackAndTokenStream_equalTheNonStreamedResult() {
    GenerationResult plain = model.generator.generate(streamingRequest());

    List<StreamedToken> callback = new ArrayList<>();
    GenerationResult viaCallback = model.generator.generate(
        streamingRequest().toBuilder().onToken(callback::add).build());
    assertThat(viaCallback.sequences()).isEqualTo(plain.sequences());
    checkStream(callback, plain);

    List<StreamedToken> pulled = new ArrayList<>();
    GenerationResult viaStream;
    try (TokenStream stream = model.generator.stream(streamingRequest())) {
      stream.forEachRemaining(pulled::add);
      viaStream = stream.result();
    }
    assertThat(viaStream.sequences()).isEqualTo(plain.sequences());
    assertThat(pulled).isEqualTo(callback);
  }

  private static void checkStream(List<StreamedToken> tokens, GenerationResult result) {
    for (int i = 0; i < result.sequences().size(); i++) {
      GeneratedSequence s = result.sequences().get(i);
      int index = i;
      List<StreamedToken> mine = tokens.stream().filter(t -> t.sequenceIndex() == index).toList();
      assertThat(mine).extracting(StreamedToken::tokenId).containsExactlyElementsOf(boxed(s.generatedTokenIds()));
      StringBuilder text = new StringBuilder();
      for (int j = 0; j < mine.size(); j++) {
        StreamedToken t = mine.get(j);
        assertThat(t.tokenIndex()).isEqualTo(j);
        assertThat(t.inputIndex()).isEqualTo(s.inputIndex());
        assertThat(t.isLast()).isEqualTo(j == mine.size() - 1);
        text.append(t.text());
      }
      assertThat(mine.get(mine.size() - 1).finishReason()).hasValue(s.finishReason());
      assertThat(text.toString()).as("streamed text of sequence %d", i).isEqualTo(s.completion());
    }
  }

  static List<Long> boxed(long[] ids) {
    List<Long> out = new ArrayList<>(ids.length);
    for (long id : ids) {
      out.add(id);
    }
    return out;
  }
}
