package io.costgen.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** One backend shared by several threads, each with its own sessions. */
class OnnxBackendConcurrencyTest {

  private static final int THREADS = 4;
  private static final int ROUNDS = 5;

  @Test
  void fourThreadsSharingOneBackend_produceTheSameGreedyIdsAsOneThread() throws Exception {
    try (OnnxBackend backend = OnnxBackend.builder().modelDir(Stories260k.dir())
        .intraOpThreads(1).allowSpinning(false).build()) {
      long[][] single = new long[Stories260k.PROMPTS.length][];
      for (int p = 0; p < single.length; p++) {
        single[p] = Greedy.generate(backend, Stories260k.PROMPTS[p], 30);
      }
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<long[][][]>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int offset = t;
          futures.add(pool.submit(() -> {
            start.await();
            long[][][] out = new long[ROUNDS][single.length][];
            for (int round = 0; round < ROUNDS; round++) {
              for (int i = 0; i < single.length; i++) {
                int p = (i + offset) % single.length; // threads interleave different prompts
                out[round][p] = Greedy.generate(backend, Stories260k.PROMPTS[p], 30);
              }
            }
            return out;
          }));
        }
        start.countDown();
        for (Future<long[][][]> f : futures) {
          long[][][] out = f.get();
          for (long[][] round : out) {
            for (int p = 0; p < single.length; p++) {
              assertThat(round[p]).as("prompt %d", p).containsExactly(single[p]);
            }
          }
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(backend.openSessions()).isZero();
    }
  }

  @Test
  void closingTheBackend_waitsForARunInFlight_thenRefusesWork() throws Exception {
    OnnxBackend backend = OnnxBackend.builder().modelDir(Stories260k.dir()).intraOpThreads(1)
        .build();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      CountDownLatch running = new CountDownLatch(1);
      Future<IllegalStateException> worker = pool.submit(() -> {
        try (var s = backend.openSession()) {
          var l = s.prefill(new long[][] {Stories260k.PROMPTS[0]}, new int[] {0});
          running.countDown();
          while (true) {
            l = s.step(new long[] {Greedy.argmaxRows(l)[0]});
          }
        } catch (IllegalStateException refused) {
          return refused;
        }
      });
      running.await();
      backend.close();
      // The decode loop in flight ends because close() makes its next step refuse work (not a crash,
      // not another error), and the closed backend opens no new session.
      assertThat(worker.get()).hasMessageContaining("is closed");
      assertThatThrownBy(backend::openSession).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("is closed");
      assertThat(backend.openSessions()).isZero();
    } finally {
      pool.shutdownNow();
    }
  }
}
