package io.costgen.onnx.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.GeneratedSequence;
import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One {@code TextGenerator} (one backend, one tokenizer) shared by 4 threads × 25 calls on
 * stories260k gives exactly the outputs of the same calls made one after another, and leaves no
 * session open.
 */
class ConcurrencyTest {

  private static final int THREADS = 4;
  private static final int CALLS_PER_THREAD = 25;
  private static final List<String> PROMPTS =
      List.of("Once upon a time", "The cat", "Lily and Tom went to the park", "", "One day, Lily saw a");

  /** Call {@code i}: a prompt, and greedy, seeded sampling, a batch or beams in turn. */
  private static GenerationResult call(E2eModel model, int i) {
    String prompt = PROMPTS.get(i % PROMPTS.size());
    GenerationConfig.Builder c = GenerationConfig.builder().maxNewTokens(6 + i % 3);
    switch (i % 4) {
      case 0:
        return model.generator.generate(prompt, c.build());
      case 1:
        return model.generator.generate(prompt, c.doSample(true).seed(i).topK(0).build());
      case 2:
        return model.generator.generate(List.of(prompt, PROMPTS.get((i + 1) % PROMPTS.size())),
            c.doSample(true).seed(i).numReturnSequences(2).build());
      default:
        return model.generator.generate(prompt, c.numBeams(2).build());
    }
  }

  @Test
  void fourThreadsSharingOneGenerator_giveTheSequentialOutputs() throws Exception {
    try (E2eModel model = E2eModel.open(Stories260kReference.dir())) {
      int calls = THREADS * CALLS_PER_THREAD;
      List<List<GeneratedSequence>> sequential = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        sequential.add(call(model, i).sequences());
      }
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<List<GeneratedSequence>>>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          futures.add(pool.submit(() -> {
            start.await();
            List<List<GeneratedSequence>> mine = new ArrayList<>();
            for (int k = 0; k < CALLS_PER_THREAD; k++) {
              mine.add(call(model, thread + THREADS * k).sequences()); // interleaved call indices
            }
            return mine;
          }));
        }
        start.countDown();
        for (int t = 0; t < THREADS; t++) {
          List<List<GeneratedSequence>> mine = futures.get(t).get(2, TimeUnit.MINUTES);
          for (int k = 0; k < CALLS_PER_THREAD; k++) {
            int i = t + THREADS * k;
            assertThat(mine.get(k)).as("call %d on thread %d", i, t).isEqualTo(sequential.get(i));
          }
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(model.backend.openSessions()).isZero();
    }
  }
}
