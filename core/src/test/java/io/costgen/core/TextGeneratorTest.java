package io.costgen.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.costgen.core.testing.FakeTicker;
import io.costgen.core.testing.ToyBackend;
import io.costgen.cost.CostModel;
import io.costgen.cost.CostReport;
import io.costgen.cost.ModelShape;
import io.costgen.cost.Money;
import io.costgen.cost.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class TextGeneratorTest {

  /** Next token = last token + 1 (mod vocab): greedy output is predictable. */
  static ToyBackend.LogitsFunction successor(int vocab) {
    return (tokens, length, out) -> {
      Arrays.fill(out, 0f);
      out[(int) ((tokens[length - 1] + 1) % vocab)] = 5f;
    };
  }

  static GenerationConfig greedy(int maxNewTokens) {
    return GenerationConfig.builder().maxNewTokens(maxNewTokens).build();
  }

  static GenerationConfig sampling(int maxNewTokens, long seed) {
    return GenerationConfig.builder().doSample(true).maxNewTokens(maxNewTokens).seed(seed).build();
  }

  private static long[] range(long from, int count) {
    long[] a = new long[count];
    for (int i = 0; i < count; i++) {
      a[i] = from + i;
    }
    return a;
  }

  // ---------------------------------------------------------------- greedy

  @Test
  void generate_greedy_picksTheArgmaxOfEachStep() {
    ToyBackend backend = ToyBackend.builder().build();
    GenerationResult r = TextGenerator.builder(backend).build()
        .generate(new long[][] {{1, 7, 9}}, GenerationConfig.builder().maxNewTokens(6).eosTokenId(99).build());
    long[] expected = {1, 7, 9};
    for (int i = 0; i < 6; i++) {
      float[] logits = backend.logitsFor(expected);
      int best = 0;
      for (int v = 1; v < logits.length; v++) {
        if (logits[v] > logits[best]) {
          best = v;
        }
      }
      expected = Arrays.copyOf(expected, expected.length + 1);
      expected[expected.length - 1] = best;
    }
    assertThat(r.first().tokenIds()).containsExactly(expected);
    assertThat(r.first().generatedTokenIds()).hasSize(6);
    assertThat(r.first().finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(r.first().score()).isEmpty();
  }

  @Test
  void generate_greedy_breaksTiesTowardTheLowestId() {
    ToyBackend backend = ToyBackend.builder().logits((t, n, out) -> {
      Arrays.fill(out, 0f);
      out[9] = 1f;
      out[5] = 1f;
    }).build();
    GenerationResult r = TextGenerator.builder(backend).build().generate(new long[][] {{1}}, greedy(3));
    assertThat(r.first().generatedTokenIds()).containsExactly(5, 5, 5);
  }

  @Test
  void generate_withoutAnyLength_generates20NewTokens() {
    ToyBackend backend = ToyBackend.builder().logits(successor(64)).eosTokenIds(63).contextLength(256).build();
    GenerationResult r = TextGenerator.builder(backend).build()
        .generate(new long[][] {{3, 4, 5}}, GenerationConfig.defaults());
    assertThat(r.first().generatedTokenIds()).containsExactly(range(6, 20));
  }

  @Test
  void generate_defaultLength_isCappedAtTheContextLength() {
    ToyBackend backend = ToyBackend.builder().logits(successor(64)).eosTokenIds(63).contextLength(10).build();
    GenerationResult r = TextGenerator.builder(backend).build()
        .generate(new long[][] {{3, 4, 5, 6}}, GenerationConfig.defaults());
    assertThat(r.first().tokenIds()).hasSize(10);
  }

  @Test
  void generate_explicitMaxLength_countsThePrompt() {
    ToyBackend backend = ToyBackend.builder().logits(successor(64)).eosTokenIds(63).build();
    GenerationResult r = TextGenerator.builder(backend).build()
        .generate(new long[][] {{3, 4, 5}}, GenerationConfig.builder().maxLength(7).build());
    assertThat(r.first().generatedTokenIds()).containsExactly(6, 7, 8, 9);
  }

  @Test
  void generate_maxNewTokens_winsOverMaxLength() {
    ToyBackend backend = ToyBackend.builder().logits(successor(64)).eosTokenIds(63).build();
    GenerationResult r = TextGenerator.builder(backend).build()
        .generate(new long[][] {{3}}, GenerationConfig.builder().maxLength(4).maxNewTokens(6).build());
    assertThat(r.first().generatedLength()).isEqualTo(6);
  }

  // ---------------------------------------------------------------- EOS and batching

  @Test
  void generate_stopsAtEos_andKeepsIt() {
    ToyBackend backend = ToyBackend.builder().logits(successor(64)).eosTokenIds(2).build();
    GenerationResult r = TextGenerator.builder(backend).build().generate(new long[][] {{61}}, greedy(10));
    assertThat(r.first().generatedTokenIds()).containsExactly(62, 63, 0, 1, 2);
    assertThat(r.first().finishReason()).isEqualTo(FinishReason.EOS);
  }

  @Test
  void generate_stopsAtAnyOfSeveralEosIds() {
    ToyBackend backend = ToyBackend.builder().logits(successor(64)).eosTokenIds(40, 63).build();
    GenerationResult r = TextGenerator.builder(backend).build().generate(new long[][] {{60}, {36}}, greedy(10));
    assertThat(r.sequences().get(0).generatedTokenIds()).containsExactly(61, 62, 63);
    assertThat(r.sequences().get(1).generatedTokenIds()).containsExactly(37, 38, 39, 40);
  }

  @Test
  void generate_stopsAtEos_whenEosInBatchRowTwo() {
    ToyBackend backend = ToyBackend.builder().logits(successor(64)).eosTokenIds(2).padTokenId(0).build();
    GenerationResult r = TextGenerator.builder(backend).build()
        .generate(new long[][] {{10}, {20, 21}, {60}}, greedy(8));
    assertThat(r.sequences()).extracting(GeneratedSequence::inputIndex).containsExactly(0, 1, 2);
    assertThat(r.sequences().get(0).generatedTokenIds()).containsExactly(range(11, 8));
    assertThat(r.sequences().get(1).generatedTokenIds()).containsExactly(range(22, 8));
    assertThat(r.sequences().get(2).generatedTokenIds()).containsExactly(61, 62, 63, 0, 1, 2);
    assertThat(r.sequences().get(2).finishReason()).isEqualTo(FinishReason.EOS);
    assertThat(r.sequences().get(0).finishReason()).isEqualTo(FinishReason.LENGTH);
    // the finished row left the backend batch instead of being fed padding
    assertThat(backend.selections()).anySatisfy(sel -> assertThat(sel).containsExactly(0, 1));
    // HF layout: finished row right-padded with pad
    long[][] padded = r.paddedTokenIds();
    assertThat(padded[2]).containsExactly(0, 60, 61, 62, 63, 0, 1, 2, 0, 0);
    assertThat(padded[0]).startsWith(0, 10, 11);
  }

  @Test
  void generate_batchWithLeftPadding_equalsEachPromptAlone_greedyAndSampling() {
    ToyBackend backend = ToyBackend.builder().build();
    TextGenerator g = TextGenerator.builder(backend).build();
    long[][] prompts = {{1, 5, 9, 13, 17}, {1, 4}, {1, 8, 8}};
    for (GenerationConfig c : List.of(greedy(12), sampling(12, 7))) {
      GenerationResult batch = g.generate(prompts, c);
      for (int b = 0; b < prompts.length; b++) {
        GenerationResult alone = g.generate(new long[][] {prompts[b]}, c);
        assertThat(batch.sequences().get(b).tokenIds()).as("row %d, %s", b, c).containsExactly(alone.first().tokenIds());
      }
    }
    assertThat(backend.prefillPaddings()).anySatisfy(p -> assertThat(p).containsExactly(0, 3, 2));
  }

  @Test
  void generate_tokenIdsOfEqualLength_areTakenWithoutPadding() {
    ToyBackend backend = ToyBackend.builder().build();
    TextGenerator.builder(backend).build().generate(new long[][] {{0, 0, 3}, {4, 0, 6}}, greedy(2));
    assertThat(backend.prefillPaddings()).containsExactly(new int[] {0, 0});
  }

  // ---------------------------------------------------------------- sampling

  @Test
  void generate_sampling_sameSeedSameOutput_differentSeedsDiffer() {
    ToyBackend backend = ToyBackend.builder().build();
    TextGenerator g = TextGenerator.builder(backend).build();
    GenerationConfig noTopK = GenerationConfig.builder().doSample(true).topK(0).maxNewTokens(30).eosTokenId(99).build();
    long[][] prompt = {{1, 2, 3}};
    GenerationResult a = g.generate(prompt, noTopK.toBuilder().seed(11).build());
    GenerationResult b = TextGenerator.builder(ToyBackend.builder().build()).build()
        .generate(prompt, noTopK.toBuilder().seed(11).build());
    GenerationResult c = g.generate(prompt, noTopK.toBuilder().seed(12).build());
    assertThat(a.first().tokenIds()).containsExactly(b.first().tokenIds());
    assertThat(a.first().tokenIds()).isNotEqualTo(c.first().tokenIds());
  }

  @Test
  void generate_sampling_isNotGreedy_withFlatDistribution() {
    ToyBackend backend = ToyBackend.builder().logits((t, n, out) -> Arrays.fill(out, 0f)).eosTokenIds(99).build();
    GenerationResult r = TextGenerator.builder(backend).build()
        .generate(new long[][] {{1}}, GenerationConfig.builder().doSample(true).maxNewTokens(40).seed(5).build());
    assertThat(Arrays.stream(r.first().generatedTokenIds()).distinct().count()).isGreaterThan(20);
  }

  @Test
  void generate_numReturnSequences_expandsEachInputInputMajor_independently() {
    ToyBackend backend = ToyBackend.builder().build();
    GenerationConfig c = GenerationConfig.builder().doSample(true).topK(0).numReturnSequences(3).maxNewTokens(10)
        .seed(3).eosTokenId(99).build();
    GenerationResult r = TextGenerator.builder(backend).build().generate(new long[][] {{1, 2}, {1, 3, 4}}, c);
    assertThat(r.sequences()).extracting(GeneratedSequence::inputIndex).containsExactly(0, 0, 0, 1, 1, 1);
    assertThat(r.sequences()).extracting(GeneratedSequence::rank).containsExactly(0, 1, 2, 0, 1, 2);
    assertThat(r.sequences().get(0).tokenIds()).startsWith(1, 2);
    assertThat(r.sequences().get(3).tokenIds()).startsWith(1, 3, 4);
    assertThat(r.sequences().get(0).tokenIds()).isNotEqualTo(r.sequences().get(1).tokenIds());
    assertThat(r.usage().sequences()).isEqualTo(6);
    assertThat(r.usage().promptTokens()).isEqualTo(5);
    // prompts are prefilled once; copies come from selectRows
    assertThat(backend.prefillPaddings()).containsExactly(new int[] {1, 0});
    assertThat(backend.selections().get(0)).containsExactly(0, 0, 0, 1, 1, 1);
  }

  // ---------------------------------------------------------------- processors through the loop

  @Test
  void generate_minNewTokens_bansEveryEosIdUntilReached() {
    ToyBackend backend = ToyBackend.builder().eosTokenIds(2, 3).logits((t, n, out) -> {
      Arrays.fill(out, 0f);
      out[2] = 9f;
      out[3] = 8f;
      out[7] = 1f;
    }).build();
    GenerationResult r = TextGenerator.builder(backend).build()
        .generate(new long[][] {{1}}, GenerationConfig.builder().minNewTokens(3).maxNewTokens(10).build());
    assertThat(r.first().generatedTokenIds()).containsExactly(7, 7, 7, 2);
    assertThat(r.first().finishReason()).isEqualTo(FinishReason.EOS);
  }

  @Test
  void generate_repetitionPenalty_appliesToGreedy_withPromptTokens() {
    // token 5 has the top logit but is in the prompt; penalty 4 makes 6 win
    ToyBackend backend = ToyBackend.builder().eosTokenIds(99).logits((t, n, out) -> {
      Arrays.fill(out, 0f);
      out[5] = 4f;
      out[6] = 3f;
    }).build();
    GenerationResult r = TextGenerator.builder(backend).build().generate(new long[][] {{5}},
        GenerationConfig.builder().repetitionPenalty(4.0).maxNewTokens(1).build());
    assertThat(r.first().generatedTokenIds()).containsExactly(6);
  }

  @Test
  void generate_userProcessorSeesPromptThenGeneratedTokens() {
    ToyBackend backend = ToyBackend.builder().logits(successor(64)).eosTokenIds(99).build();
    List<String> seen = new ArrayList<>();
    GenerationRequest req = GenerationRequest.builder().tokenIds(new long[] {10, 11}).config(greedy(3))
        .addLogitsProcessor((tokens, length, promptLength, scores) ->
            seen.add(Arrays.toString(Arrays.copyOf(tokens, length)) + "/" + promptLength))
        .build();
    TextGenerator.builder(backend).build().generate(req);
    assertThat(seen).containsExactly("[10, 11]/2", "[10, 11, 12]/2", "[10, 11, 12, 13]/2");
  }

  @Test
  void generate_userStoppingCriterion_endsWithStoppingCriterionReason() {
    ToyBackend backend = ToyBackend.builder().logits(successor(64)).eosTokenIds(99).build();
    GenerationRequest req = GenerationRequest.builder().tokenIds(new long[] {10}).config(greedy(10))
        .addStoppingCriterion((tokens, length, promptLength) -> tokens[length - 1] == 13).build();
    GenerationResult r = TextGenerator.builder(backend).build().generate(req);
    assertThat(r.first().generatedTokenIds()).containsExactly(11, 12, 13);
    assertThat(r.first().finishReason()).isEqualTo(FinishReason.STOPPING_CRITERION);
  }

  @Test
  void generate_usesGeneratorDefaultsThenModelDefaults() {
    ToyBackend backend = ToyBackend.builder().logits(successor(64)).eosTokenIds(99)
        .generationDefaults(Map.of("max_new_tokens", 4, "eos_token_id", 13)).build();
    TextGenerator g = TextGenerator.builder(backend).build();
    assertThat(g.generate(new long[][] {{1}}, GenerationConfig.defaults()).first().generatedTokenIds())
        .containsExactly(2, 3, 4, 5);
    assertThat(g.generate(new long[][] {{10}}, GenerationConfig.defaults()).first().generatedTokenIds())
        .containsExactly(11, 12, 13);
    TextGenerator withDefaults = TextGenerator.builder(backend).defaults(greedy(2)).build();
    assertThat(withDefaults.generate(new long[][] {{1}}, GenerationConfig.defaults()).first().generatedTokenIds())
        .containsExactly(2, 3);
  }

  // ---------------------------------------------------------------- usage and cost

  @Test
  void usage_countsTokensFlopsBytesAndTimes() {
    FakeTicker ticker = new FakeTicker();
    ToyBackend backend = ToyBackend.builder().logits(successor(64)).eosTokenIds(99).devices(2)
        .onForwardPass(i -> ticker.advance(Duration.ofMillis(10))).build();
    GenerationResult r = TextGenerator.builder(backend).ticker(ticker).build()
        .generate(new long[][] {{1, 2, 3}, {7}}, greedy(4));
    Usage u = r.usage();
    ModelShape shape = backend.modelInfo().shape();
    assertThat(u.promptTokens()).isEqualTo(4);
    assertThat(u.completionTokens()).isEqualTo(8);
    assertThat(u.sequences()).isEqualTo(2);
    assertThat(u.decodeSteps()).isEqualTo(3);
    double prefill = shape.forwardFlopsPerToken(1) + shape.forwardFlopsPerToken(2) + shape.forwardFlopsPerToken(3)
        + shape.forwardFlopsPerToken(1);
    assertThat(u.prefillFlops()).isCloseTo(prefill, within(1e-6 * prefill));
    double decode = 0;
    double kvTokens = 0;
    for (int step = 0; step < 3; step++) {
      decode += shape.forwardFlopsPerToken(4 + step) + shape.forwardFlopsPerToken(2 + step);
      kvTokens += (3 + step) + (1 + step);
    }
    assertThat(u.decodeFlops()).isCloseTo(decode, within(1e-6 * decode));
    double bytes = 4 * shape.weightBytes(backend.modelInfo().weightDtype())
        + kvTokens * shape.kvCacheBytesPerToken(backend.modelInfo().kvCacheDtype());
    assertThat(u.bytesMoved()).isCloseTo(bytes, within(1e-6 * bytes));
    assertThat(u.wallSeconds()).isCloseTo(0.040, within(1e-9));
    assertThat(u.deviceSeconds()).isCloseTo(0.080, within(1e-9));
    assertThat(u.devices()).isEqualTo(2);
    assertThat(u.timeToFirstToken()).contains(Duration.ofMillis(10));
    assertThat(u.model()).contains(shape);
    assertThat(r.timings().timeToFirstToken()).isEqualTo(Duration.ofMillis(10));
    assertThat(r.timings().total()).isEqualTo(Duration.ofMillis(40));
    assertThat(r.timings().perOutputToken()).isEqualTo(Duration.ofMillis(10));
  }

  @Test
  void costModel_estimatesBeforeAndPricesAfter_resultCarriesTheReport() {
    List<String> calls = new ArrayList<>();
    CostModel model = new CostModel() {
      @Override
      public CostReport estimate(ModelShape shape, long promptTokens, long maxNewTokens, int sequences) {
        calls.add("estimate " + promptTokens + " " + maxNewTokens + " " + sequences);
        return CostReport.free(Usage.none());
      }

      @Override
      public CostReport price(Usage usage) {
        calls.add("price " + usage.completionTokens());
        return new CostReport(usage, usage.deviceSeconds(), 0, 0, Money.usd("0.25"), "test");
      }
    };
    ToyBackend backend = ToyBackend.builder().logits(successor(64)).eosTokenIds(99).build();
    GenerationResult r = TextGenerator.builder(backend).costModel(model).build()
        .generate(new long[][] {{1, 2, 3}, {4}}, greedy(5));
    assertThat(calls).containsExactly("estimate 4 5 2", "price 10");
    assertThat(r.cost().money()).isEqualTo(Money.usd("0.25"));
    assertThat(r.cost().usage()).isEqualTo(r.usage());
  }

  @Test
  void costModel_estimateCoversEveryBeamRow() {
    List<Integer> sequences = new ArrayList<>();
    CostModel free = CostModel.free();
    CostModel model = new CostModel() {
      @Override
      public CostReport estimate(ModelShape shape, long promptTokens, long maxNewTokens, int rows) {
        sequences.add(rows);
        return free.estimate(shape, promptTokens, maxNewTokens, rows);
      }

      @Override
      public CostReport price(Usage usage) {
        return free.price(usage);
      }
    };
    TextGenerator.builder(ToyBackend.builder().build()).costModel(model).build()
        .generate(new long[][] {{1}, {2}}, GenerationConfig.builder().numBeams(3).maxNewTokens(2).build());
    assertThat(sequences).containsExactly(6);
  }

  // ---------------------------------------------------------------- validation

  @Test
  void validation_rejectsBadInputsWithClearMessages_beforeAnyWork() {
    ToyBackend backend = ToyBackend.builder().contextLength(16).build();
    List<String> events = new ArrayList<>();
    TextGenerator g = TextGenerator.builder(backend).addListener(new CostListener() {
      @Override
      public void onStart(io.costgen.cost.CallContext c, CostReport e) {
        events.add("start");
      }
    }).build();
    assertThatThrownBy(() -> g.generate(new long[][] {{1, 64}}, greedy(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tokenIds[0]")
        .hasMessageContaining("64").hasMessageContaining("[0, 64)");
    assertThatThrownBy(() -> g.generate(new long[][] {{-1}}, greedy(2))).hasMessageContaining("-1");
    assertThatThrownBy(() -> g.generate(new long[][] {{1}, {}}, greedy(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tokenIds[1]");
    assertThatThrownBy(() -> g.generate(new long[0][], greedy(2))).hasMessageContaining("empty batch");
    assertThatThrownBy(() -> g.generate(List.of(), greedy(2))).hasMessageContaining("prompts");
    assertThatThrownBy(() -> g.generate(new long[][] {range(1, 10)}, greedy(7)))
        .isInstanceOf(PromptTooLongException.class).hasMessageContaining("context length 16")
        .satisfies(e -> {
          PromptTooLongException p = (PromptTooLongException) e;
          assertThat(p.promptTokens()).isEqualTo(10);
          assertThat(p.maxLengthTokens()).isEqualTo(17);
          assertThat(p.contextLength()).isEqualTo(16);
        });
    assertThatThrownBy(() -> g.generate(new long[][] {range(1, 5)}, GenerationConfig.builder().maxLength(5).build()))
        .isInstanceOf(PromptTooLongException.class).hasMessageContaining("maxLength 5");
    assertThatThrownBy(() -> g.generate(new long[][] {{1}}, GenerationConfig.builder().maxLength(17).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxLength");
    assertThatThrownBy(() -> g.generate(new long[][] {range(1, 16)}, GenerationConfig.defaults()))
        .isInstanceOf(PromptTooLongException.class);
    assertThatThrownBy(() -> g.generate(new long[][] {{1}}, GenerationConfig.builder().addBadWords(70).build()))
        .hasMessageContaining("badWordsIds").hasMessageContaining("70");
    assertThatThrownBy(() -> g.generate(new long[][] {{1}}, GenerationConfig.builder().stopStrings("x").build()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("tokenizer");
    assertThatThrownBy(() -> g.generate("hello")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tokenizer");
    assertThat(events).isEmpty();
    assertThat(backend.sessionsOpened()).isZero();
  }

  // ---------------------------------------------------------------- concurrency

  @Test
  void generate_concurrentCalls_eachOpenTheirOwnSession_andMatchSequentialResults() throws Exception {
    ToyBackend backend = ToyBackend.builder().build();
    TextGenerator g = TextGenerator.builder(backend).build();
    int calls = 8;
    List<long[]> sequential = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      sequential.add(g.generate(new long[][] {{1, i}}, sampling(16, i)).first().tokenIds());
    }
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<long[]>> futures = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        int seed = i;
        Callable<long[]> task = () -> {
          go.await();
          return g.generate(new long[][] {{1, seed}}, sampling(16, seed)).first().tokenIds();
        };
        futures.add(pool.submit(task));
      }
      go.countDown();
      for (int i = 0; i < calls; i++) {
        assertThat(futures.get(i).get()).containsExactly(sequential.get(i));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(backend.sessionsOpened()).isEqualTo(2 * calls);
    assertThat(backend.sessionsClosed()).isEqualTo(2 * calls);
  }
}
