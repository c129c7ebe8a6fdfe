package io.costgen.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.BatchingPolicy;
import io.costgen.core.BatchingProbe;
import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationRequest;
import io.costgen.core.GenerationResult;
import io.costgen.core.TextGenerator;
import io.costgen.core.internal.batching.BatchObserver;
import io.costgen.core.testing.SharedModels;
import io.costgen.onnx.OnnxBackend;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Grouped joins on real ONNX graphs of every cache layout the batching tests cover: calls that
 * arrive while a batch runs and are admitted in one iteration are prefilled as the left-padded
 * rows of one pass (or of one pass per chunk), join the batch together, and each gets exactly its
 * greedy result run alone.
 */
class GroupedJoinsOnnxTest {

  @TempDir
  static Path tmp;

  private static Path syntheticGpt2;
  private static ExecutorService pool;

  @BeforeAll
  static void setUp() throws IOException {
    syntheticGpt2 = tmp.resolve("synthetic-gpt2");
    SyntheticModels.gpt2().layers(2).hidden(64).heads(4).vocab(512).context(128).initStd(0.1).seed(21).build()
        .writeTo(syntheticGpt2, Layout.WITH_PAST);
    pool = Executors.newCachedThreadPool();
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
  void callsJoiningInOneIteration_areOnePrefillPass_andEqualTheirGreedyResultsAlone(String model) throws Exception {
    // prompts of 1 to 9 tokens, one call with two prompts: 5 rows, one pass of 5 x 9
    List<int[]> passes = run(model, BatchingPolicy.defaults(), new int[][] {{9}, {1}, {5, 2}, {7}}, 5);
    assertThat(passes).hasSize(2);
    assertThat(passes.get(1)).containsExactly(5, 9);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void aGroupPrefilledInChunks_equalsTheGreedyResultsAlone(String model) throws Exception {
    // widths 6, 5, 6, 4: first chunk 4 rows x 3 columns <= 16; then 4 columns per chunk. A graph
    // that cannot prefill a chunk on a non-empty cache retries the whole block (still one group)
    List<int[]> passes = run(model, BatchingPolicy.builder().prefillChunkTokens(16).build(),
        new int[][] {{6}, {5}, {6}, {4}}, 4);
    assertThat(passes.subList(1, passes.size())).allSatisfy(p -> assertThat(p[0]).isEqualTo(4));
    assertThat(passes.subList(1, passes.size()).stream().mapToInt(p -> p[1]).sum()).isEqualTo(6);
  }

  /**
   * A first greedy call runs; after its first batched step, the joiners (one per entry of
   * {@code promptLengths}, greedy, different lengths) are all queued before the scheduler goes
   * on. Returns every prefill pass as {rows, columns}.
   */
  private static List<int[]> run(String model, BatchingPolicy policy, int[][] promptLengths, int groupRows)
      throws Exception {
    try (OnnxBackend backend = open(model)) {
      int vocab = Math.min(backend.modelInfo().vocabSize(), 1000);
      java.util.Random random = new java.util.Random(model.hashCode());
      List<GenerationRequest> joiners = new ArrayList<>();
      for (int k = 0; k < promptLengths.length; k++) {
        long[][] prompts = new long[promptLengths[k].length][];
        for (int b = 0; b < prompts.length; b++) {
          prompts[b] = random.longs(promptLengths[k][b], 3, vocab).toArray();
        }
        joiners.add(GenerationRequest.builder().tokenIds(prompts)
            .config(GenerationConfig.builder().maxNewTokens(3 + 3 * k).build()).build());
      }
      GenerationRequest first = GenerationRequest.builder().tokenIds(random.longs(4, 3, vocab).toArray())
          .config(GenerationConfig.builder().maxNewTokens(16).build()).build();
      TextGenerator batched = TextGenerator.builder(backend).batching(policy).build();
      List<Future<GenerationResult>> joined = new CopyOnWriteArrayList<>();
      List<int[]> prefills = new CopyOnWriteArrayList<>();
      AtomicInteger queued = new AtomicInteger();
      BatchingProbe.observe(batched, new BatchObserver() {
        @Override
        public void queued(int waiting) {
          queued.incrementAndGet();
        }

        @Override
        public void prefilled(int rows, int columns) {
          prefills.add(new int[] {rows, columns});
        }

        @Override
        public void stepped(int rows, int calls, int positions) {
          if (!joined.isEmpty()) {
            return;
          }
          for (GenerationRequest r : joiners) {
            joined.add(pool.submit(() -> batched.generate(r)));
          }
          while (queued.get() < 1 + joiners.size()) {
            Thread.onSpinWait(); // the scheduler thread holds still until every joiner is queued
          }
        }
      });
      GenerationResult firstResult = batched.generate(first);
      TextGenerator plain = TextGenerator.builder(backend).build();
      BatchedOnnxGenerationTest.assertSameSequences(firstResult, plain.generate(first), model + " first");
      for (int k = 0; k < joiners.size(); k++) {
        BatchedOnnxGenerationTest.assertSameSequences(joined.get(k).get(120, TimeUnit.SECONDS),
            plain.generate(joiners.get(k)), model + " joiner " + k);
      }
      assertThat(prefills.get(0)[0]).as("the first call's prefill rows").isEqualTo(1);
      assertThat(prefills.subList(1, prefills.size())).as("%s: no joiner prefilled alone", model)
          .allSatisfy(p -> assertThat(p[0]).isEqualTo(groupRows));
      assertThat(backend.openSessions()).isZero();
      return prefills;
    }
  }
}
