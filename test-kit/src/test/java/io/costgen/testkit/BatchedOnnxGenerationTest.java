package io.costgen.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.costgen.core.BatchingPolicy;
import io.costgen.core.BatchingProbe;
import io.costgen.core.spi.DecoderSession;
import io.costgen.core.testing.ForwardingDecoderSession;
import io.costgen.core.GeneratedSequence;
import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationRequest;
import io.costgen.core.GenerationResult;
import io.costgen.core.spi.Logits;
import io.costgen.core.ModelInfo;
import io.costgen.core.TextGenerator;
import io.costgen.core.spi.TransformerBackend;
import io.costgen.core.internal.batching.BatchObserver;
import io.costgen.core.testing.SharedModels;
import io.costgen.onnx.OnnxBackend;
import io.costgen.testkit.Layout;
import io.costgen.testkit.SyntheticModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Continuous batching on real ONNX graphs of every cache layout — Optimum
 * {@code past_key_values} (stories260k), legacy GPT-2 stacked {@code past_%d}
 * (tiny-random-gpt2), onnxruntime-genai fp16 (tiny-random-llama-fp16) and a synthetic GPT-2 —
 * gives every caller exactly its unbatched result while calls join, leave and are prefilled in
 * chunks around it.
 */
class BatchedOnnxGenerationTest {

  private static final int THREADS = 8;
  private static final int CALLS_PER_THREAD = 3;

  @TempDir
  static Path tmp;

  private static Path syntheticGpt2;
  private static ExecutorService pool;

  @BeforeAll
  static void setUp() throws IOException {
    syntheticGpt2 = tmp.resolve("synthetic-gpt2");
    SyntheticModels.gpt2().layers(2).hidden(64).heads(4).vocab(512).context(128).initStd(0.1).seed(21).build()
        .writeTo(syntheticGpt2, Layout.WITH_PAST);
    pool = Executors.newFixedThreadPool(THREADS);
  }

  @AfterAll
  static void tearDown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  static Stream<String> models() {
    return Stream.of(SharedModels.STORIES_260K, SharedModels.TINY_RANDOM_GPT2, SharedModels.TINY_RANDOM_LLAMA_FP16,
        "synthetic-gpt2");
  }

  private static OnnxBackend open(String model) {
    Path dir = model.equals("synthetic-gpt2") ? syntheticGpt2 : SharedModels.model(model);
    return OnnxBackend.builder().modelDir(dir).intraOpThreads(1).build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void concurrentGreedyAndSampledCalls_equalTheUnbatchedResults(String model) throws Exception {
    // 8 prompts of at most 10 tokens are prefilled in one iteration: the first step has every row
    check(model, BatchingPolicy.builder(), new Random(model.hashCode()), THREADS);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void concurrentCalls_withChunkedPrefill_equalTheUnbatchedResults(String model) throws Exception {
    // 3 prompt tokens per iteration: calls join one after another, while the first ones decode
    check(model, BatchingPolicy.builder().prefillChunkTokens(3), new Random(model.hashCode() + 1), 2);
  }

  /**
   * {@value #THREADS} threads × {@value #CALLS_PER_THREAD} calls. Every thread's first call is a
   * one-row greedy call, all queued before the first prefill ends ({@link GatedBackend}); later
   * calls (greedy, two left-padded prompts, seeded sampling with two copies, beam search) join
   * and leave as they come.
   */
  private static void check(String model, BatchingPolicy.Builder policy, Random random, int minWidest)
      throws Exception {
    try (OnnxBackend backend = open(model)) {
      int vocab = Math.min(backend.modelInfo().vocabSize(), 1000);
      List<List<GenerationRequest>> work = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        List<GenerationRequest> mine = new ArrayList<>();
        for (int i = 0; i < CALLS_PER_THREAD; i++) {
          mine.add(request(random, vocab, i == 0 ? 0 : 1 + random.nextInt(4)));
        }
        work.add(mine);
      }
      TextGenerator plain = TextGenerator.builder(backend).build();
      CountDownLatch firstWave = new CountDownLatch(THREADS);
      TextGenerator batched = TextGenerator.builder(new GatedBackend(backend, firstWave))
          .batching(policy.maxBatchRows(THREADS).build()).build();
      AtomicInteger widest = new AtomicInteger();
      BatchingProbe.observe(batched, new BatchObserver() {
        @Override
        public void queued(int waiting) {
          firstWave.countDown();
        }

        @Override
        public void stepped(int rows, int calls, int positions) {
          widest.accumulateAndGet(rows, Math::max);
        }
      });
      List<Future<List<GenerationResult>>> futures = new ArrayList<>();
      for (List<GenerationRequest> mine : work) {
        futures.add(pool.submit(() -> {
          List<GenerationResult> out = new ArrayList<>();
          for (GenerationRequest r : mine) {
            out.add(batched.generate(r));
          }
          return out;
        }));
      }
      for (int t = 0; t < THREADS; t++) {
        List<GenerationResult> got = futures.get(t).get(120, TimeUnit.SECONDS);
        for (int i = 0; i < CALLS_PER_THREAD; i++) {
          GenerationResult expected = plain.generate(work.get(t).get(i));
          assertSameSequences(got.get(i), expected, model + " thread " + t + " call " + i);
        }
      }
      assertThat(widest.get()).as("rows of the widest batched step").isBetween(minWidest, THREADS);
      assertThat(backend.openSessions()).isZero();
    }
  }

  /**
   * Same tokens, finish reasons and decode steps; beam scores equal up to float rounding (a
   * batched pass may sum in another order than a single-row one: ~1e-7 relative).
   */
  static void assertSameSequences(GenerationResult got, GenerationResult expected, String what) {
    assertThat(got.sequences()).as(what).hasSameSizeAs(expected.sequences());
    for (int s = 0; s < got.sequences().size(); s++) {
      GeneratedSequence a = got.sequences().get(s);
      GeneratedSequence e = expected.sequences().get(s);
      assertThat(a.tokenIds()).as("%s sequence %d", what, s).containsExactly(e.tokenIds());
      assertThat(a.finishReason()).as("%s sequence %d", what, s).isEqualTo(e.finishReason());
      assertThat(a.score().isPresent()).isEqualTo(e.score().isPresent());
      if (e.score().isPresent()) {
        assertThat(a.score().getAsDouble()).as("%s sequence %d score", what, s)
            .isCloseTo(e.score().getAsDouble(), within(1e-5 * Math.abs(e.score().getAsDouble()) + 1e-6));
      }
    }
    assertThat(got.usage().decodeSteps()).as(what).isEqualTo(expected.usage().decodeSteps());
    assertThat(got.usage().completionTokens()).as(what).isEqualTo(expected.usage().completionTokens());
  }

  /**
   * The backend, except that the first prefill waits until {@code gate} opens (every thread's
   * first call is queued), so those calls are admitted together, whatever the thread timing.
   */
  private static final class GatedBackend implements TransformerBackend {
    private final TransformerBackend backend;
    private final CountDownLatch gate;

    GatedBackend(TransformerBackend backend, CountDownLatch gate) {
      this.backend = backend;
      this.gate = gate;
    }

    @Override
    public ModelInfo modelInfo() {
      return backend.modelInfo();
    }

    @Override
    public DecoderSession openSession() {
      return new Gated(backend.openSession());
    }

    @Override
    public void close() {}

    private final class Gated extends ForwardingDecoderSession {
      Gated(DecoderSession s) {
        super(s);
      }

      @Override
      public Logits prefill(long[][] tokenIds, int[] leftPadding) {
        try {
          gate.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
        return delegate.prefill(tokenIds, leftPadding);
      }
    }
  }

  private static GenerationRequest request(Random random, int vocab, int kind) {
    int inputs = kind == 2 ? 2 : 1;
    long[][] prompts = new long[inputs][];
    for (int b = 0; b < inputs; b++) {
      prompts[b] = new long[1 + random.nextInt(10)];
      for (int i = 0; i < prompts[b].length; i++) {
        prompts[b][i] = 3 + random.nextInt(vocab - 3);
      }
    }
    // first-wave calls (kind 0) run long enough to overlap every later join
    GenerationConfig.Builder c = GenerationConfig.builder()
        .maxNewTokens(kind == 0 ? 12 + random.nextInt(8) : 2 + random.nextInt(14));
    switch (kind) {
      case 3 -> c.doSample(true).seed(random.nextLong()).topK(40).numReturnSequences(2);
      case 4 -> c.numBeams(2).numReturnSequences(2);
      default -> { } // greedy (one or two prompts)
    }
    return GenerationRequest.builder().tokenIds(prompts).config(c.build()).build();
  }
}
