package io.costgen.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxJavaType;
import io.costgen.core.spi.DecoderSession;
import io.costgen.core.GenerationCancelledException;
import io.costgen.core.spi.Logits;
import io.costgen.core.ModelInfo;
import io.costgen.cost.ArchitectureFamily;
import io.costgen.cost.DType;
import io.costgen.onnx.OnnxModelLayout.KvCacheFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Golden-token tests on the real stories260k model against llama2.c's run.c outputs. */
class OnnxBackendStories260kTest {

  private static OnnxBackend backend;

  @BeforeAll
  static void load() {
    backend = OnnxBackend.builder().modelDir(Stories260k.dir()).intraOpThreads(1).build();
  }

  @AfterAll
  static void unload() {
    backend.close();
  }

  private static int newTokens(int prompt) {
    return Stories260k.TOTAL - Stories260k.PROMPTS[prompt].length;
  }

  @Test
  void greedy_withKvCache_reproducesRunCIds_forAllFourPrompts() {
    for (int p = 0; p < Stories260k.PROMPTS.length; p++) {
      long[] out = Greedy.generate(backend, Stories260k.PROMPTS[p], newTokens(p));
      assertThat(out).as("prompt %d", p).containsExactly(Stories260k.EXPECTED[p]);
    }
    assertThat(backend.openSessions()).isZero();
  }

  @Test
  void greedy_withModelWithoutCache_reproducesRunCIds_forAllFourPrompts() {
    try (OnnxBackend noPast = OnnxBackend.builder().modelDir(Stories260k.dir())
        .modelFile(Path.of("model_no_past.onnx")).intraOpThreads(1).build()) {
      assertThat(noPast.layout().kvCacheFormat()).isEqualTo(KvCacheFormat.NONE);
      assertThat(noPast.layout().pastNames()).isEmpty();
      for (int p = 0; p < Stories260k.PROMPTS.length; p++) {
        long[] out = Greedy.generate(noPast, Stories260k.PROMPTS[p], newTokens(p));
        assertThat(out).as("prompt %d", p).containsExactly(Stories260k.EXPECTED[p]);
      }
      long[][] batch = Greedy.generateBatch(noPast, Stories260k.PROMPTS, 20);
      for (int p = 0; p < batch.length; p++) {
        assertThat(batch[p]).as("row %d", p)
            .containsExactly(Arrays.copyOf(Stories260k.EXPECTED[p], batch[p].length));
      }
    }
  }

  @Test
  void leftPaddedBatchOfAllPrompts_givesEachRowItsReferenceIds() {
    long[][] out = Greedy.generateBatch(backend, Stories260k.PROMPTS, 64);
    for (int p = 0; p < out.length; p++) {
      assertThat(Arrays.copyOf(out[p], Stories260k.TOTAL)).as("row %d", p)
          .containsExactly(Stories260k.EXPECTED[p]);
    }
  }

  @Test
  void chunkedPrefill_givesReferenceIds_evenWhenARowIsAllPaddingInTheFirstChunk() {
    long[] p0 = Stories260k.PROMPTS[0]; // 5 tokens: 7 padding positions in a 12-wide batch
    long[] p2 = Stories260k.PROMPTS[2]; // 12 tokens
    long[][] ids = new long[2][12];
    System.arraycopy(p0, 0, ids[0], 7, 5);
    System.arraycopy(p2, 0, ids[1], 0, 12);
    try (DecoderSession s = backend.openSession()) {
      s.prefill(new long[][] {Arrays.copyOfRange(ids[0], 0, 4), Arrays.copyOfRange(ids[1], 0, 4)},
          new int[] {4, 0});
      s.prefill(new long[][] {Arrays.copyOfRange(ids[0], 4, 8), Arrays.copyOfRange(ids[1], 4, 8)},
          new int[] {3, 0});
      Logits logits = s.prefill(
          new long[][] {Arrays.copyOfRange(ids[0], 8, 12), Arrays.copyOfRange(ids[1], 8, 12)},
          new int[] {0, 0});
      assertThat(s.cachedPositions()).isEqualTo(12);
      List<List<Long>> got = continueGreedy(s, logits, 40);
      assertThat(got.get(0)).containsExactlyElementsOf(expectedAfter(0, 5, 40));
      assertThat(got.get(1)).containsExactlyElementsOf(expectedAfter(2, 12, 40));
    }
  }

  @Test
  void chunkedPrefill_ofOnePrompt_givesReferenceIds() {
    long[] p = Stories260k.PROMPTS[2];
    try (DecoderSession s = backend.openSession()) {
      s.prefill(new long[][] {Arrays.copyOfRange(p, 0, 5)}, new int[] {0});
      s.prefill(new long[][] {Arrays.copyOfRange(p, 5, 10)}, null);
      Logits logits = s.prefill(new long[][] {Arrays.copyOfRange(p, 10, 12)}, new int[] {0});
      assertThat(continueGreedy(s, logits, 53).get(0))
          .containsExactlyElementsOf(expectedAfter(2, 12, 53));
    }
  }

  @Test
  void selectRows_reorderAndDuplicate_continuesEachRowAsAlone() {
    long[][] prompts = {Stories260k.PROMPTS[0], Stories260k.PROMPTS[1], Stories260k.PROMPTS[2]};
    try (DecoderSession s = backend.openSession()) {
      Logits logits = prefillPadded(s, prompts);
      for (int t = 0; t < 5; t++) {
        logits = s.step(Greedy.argmaxRows(logits));
      }
      long[] pending = Greedy.argmaxRows(logits); // the view is invalid after selectRows
      int[] source = {2, 0, 0};
      s.selectRows(source);
      assertThat(s.rows()).isEqualTo(3);
      logits = s.step(new long[] {pending[2], pending[0], pending[0]});
      for (int t = 0; t < 20; t++) {
        long[] next = Greedy.argmaxRows(logits);
        for (int r = 0; r < 3; r++) {
          int at = prompts[source[r]].length + 6 + t; // 5 fed, pending, then t
          assertThat(next[r]).as("row %d step %d", r, t)
              .isEqualTo(Stories260k.EXPECTED[source[r]][at]);
        }
        logits = s.step(next);
      }
      pending = Greedy.argmaxRows(logits);
      s.selectRows(new int[] {1}); // drop rows: the kept one stays on track
      assertThat(s.rows()).isEqualTo(1);
      long next = Greedy.argmaxRows(s.step(new long[] {pending[1]}))[0];
      assertThat(next).isEqualTo(Stories260k.EXPECTED[0][prompts[0].length + 27]);
    }
  }

  @Test
  void appendRows_ofSessionsAtDifferentLengths_continuesEachRowIdentically() {
    long[] a = Stories260k.PROMPTS[0];
    long[] b = Stories260k.PROMPTS[2];
    try (DecoderSession first = backend.openSession();
        DecoderSession second = backend.openSession()) {
      long[] seqA = a.clone();
      Logits la = first.prefill(new long[][] {a}, new int[] {0});
      for (int t = 0; t < 10; t++) {
        long next = Greedy.argmaxRows(la)[0];
        seqA = append(seqA, next);
        la = first.step(new long[] {next});
      }
      long pendingA = Greedy.argmaxRows(la)[0];
      long[] seqB = b.clone();
      Logits lb = second.prefill(new long[][] {b}, new int[] {0});
      for (int t = 0; t < 3; t++) {
        long next = Greedy.argmaxRows(lb)[0];
        seqB = append(seqB, next);
        lb = second.step(new long[] {next});
      }
      long pendingB = Greedy.argmaxRows(lb)[0];
      int lengthA = first.cachedPositions();
      int lengthB = second.cachedPositions();
      assertThat(lengthA).isEqualTo(15);
      assertThat(lengthB).isEqualTo(15);
      // make them differ: one more step on the first session
      seqA = append(seqA, pendingA);
      la = first.step(new long[] {pendingA});
      pendingA = Greedy.argmaxRows(la)[0];

      first.appendRows(second);
      assertThat(first.rows()).isEqualTo(2);
      assertThat(first.cachedPositions()).isEqualTo(16);
      assertThatThrownBy(() -> second.step(new long[] {1}))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");

      Logits merged = first.step(new long[] {pendingA, pendingB});
      float[] mergedRow = new float[512];
      float[] aloneRow = new float[512];
      long[][] full = {append(seqA, pendingA), append(seqB, pendingB)};
      for (int r = 0; r < 2; r++) {
        merged.copyRow(r, mergedRow);
        try (DecoderSession alone = backend.openSession()) {
          alone.prefill(new long[][] {full[r]}, new int[] {0}).copyRow(0, aloneRow);
        }
        for (int v = 0; v < 512; v++) {
          assertThat(mergedRow[v]).as("row %d logit %d", r, v).isCloseTo(aloneRow[v], within(1e-4f));
        }
      }
      seqA = full[0];
      seqB = full[1];
      logits(first, merged, seqA, seqB);
    }
    assertThat(backend.openSessions()).isZero();
  }

  private static void logits(DecoderSession s, Logits start, long[] seqA, long[] seqB) {
    Logits logits = start;
    for (int t = 0; t < 20; t++) {
      long[] next = Greedy.argmaxRows(logits);
      assertThat(next[0]).isEqualTo(Stories260k.EXPECTED[0][seqA.length + t]);
      assertThat(next[1]).isEqualTo(Stories260k.EXPECTED[2][seqB.length + t]);
      logits = s.step(next);
    }
  }

  @Test
  void appendRows_intoEmptySession_takesOverTheRows() {
    try (DecoderSession target = backend.openSession();
        DecoderSession source = backend.openSession()) {
      Logits l = source.prefill(new long[][] {Stories260k.PROMPTS[1]}, new int[] {0});
      long next = Greedy.argmaxRows(l)[0];
      target.appendRows(source);
      assertThat(target.rows()).isEqualTo(1);
      assertThat(target.cachedPositions()).isEqualTo(10);
      Logits after = target.step(new long[] {next});
      assertThat(Greedy.argmaxRows(after)[0]).isEqualTo(Stories260k.EXPECTED[1][11]);
    }
  }

  @Test
  void modelInfo_describesStories260k() {
    ModelInfo info = backend.modelInfo();
    assertThat(info.name()).isEqualTo("stories260k");
    assertThat(info.shape().family()).isEqualTo(ArchitectureFamily.LLAMA);
    assertThat(info.shape().layers()).isEqualTo(5);
    assertThat(info.shape().hiddenSize()).isEqualTo(64);
    assertThat(info.shape().attentionHeads()).isEqualTo(8);
    assertThat(info.shape().kvHeads()).isEqualTo(4);
    assertThat(info.shape().headSize()).isEqualTo(8);
    assertThat(info.shape().intermediateSize()).isEqualTo(172);
    assertThat(info.vocabSize()).isEqualTo(512);
    assertThat(info.contextLength()).isEqualTo(512);
    assertThat(info.shape().tiedEmbeddings()).isTrue();
    // 292,800 stored weights less the transposed copy of the tied 512 x 64 embedding used as
    // the classifier = the formula count of a tied Llama of this shape.
    assertThat(info.shape().parameters()).isEqualTo(260_032L);
    assertThat(info.shape().parameterCountOverride()).hasValue(260_032L);
    assertThat(info.weightDtype()).isEqualTo(DType.FP32);
    assertThat(info.kvCacheDtype()).isEqualTo(DType.FP32);
    assertThat(info.specialTokens().bosTokenId()).hasValue(1);
    assertThat(info.specialTokens().eosTokenIds()).containsExactly(2L);
    assertThat(info.specialTokens().padTokenId()).isEmpty();
    assertThat(info.generationDefaults())
        .containsExactlyInAnyOrderEntriesOf(Map.of("bos_token_id", 1, "eos_token_id", 2));
    assertThat(info.device()).isEqualTo("cpu");
    assertThat(info.devices()).isEqualTo(1);
  }

  @Test
  void layout_isOptimumStyleWithSeparateKeyAndValue() {
    OnnxModelLayout l = backend.layout();
    assertThat(l.kvCacheFormat()).isEqualTo(KvCacheFormat.SEPARATE);
    assertThat(l.modelFile().getFileName().toString()).isEqualTo("model.onnx");
    assertThat(l.inputIds()).isEqualTo(new OnnxModelLayout.Port("input_ids", OnnxJavaType.INT64));
    assertThat(l.attentionMask()).hasValue(
        new OnnxModelLayout.Port("attention_mask", OnnxJavaType.INT64));
    assertThat(l.positionIds()).hasValue(
        new OnnxModelLayout.Port("position_ids", OnnxJavaType.INT64));
    assertThat(l.useCacheBranch()).isEmpty();
    assertThat(l.mergedDecoder()).isFalse();
    assertThat(l.logits()).isEqualTo(new OnnxModelLayout.Port("logits", OnnxJavaType.FLOAT));
    assertThat(l.pastNames()).hasSize(10).startsWith("past_key_values.0.key",
        "past_key_values.0.value", "past_key_values.1.key");
    assertThat(l.presentNames()).hasSize(10).startsWith("present.0.key", "present.0.value");
    assertThat(l.kvCacheType()).isEqualTo(OnnxJavaType.FLOAT);
    assertThat(l.layers()).isEqualTo(5);
    assertThat(l.kvHeads()).isEqualTo(4);
    assertThat(l.headSize()).isEqualTo(8);
    assertThat(l.vocabSize()).isEqualTo(512);
  }

  @Test
  void cancel_beforeAStep_makesTheStepThrowCancelled() {
    try (DecoderSession s = backend.openSession()) {
      Logits l = s.prefill(new long[][] {Stories260k.PROMPTS[0]}, new int[] {0});
      long next = Greedy.argmaxRows(l)[0];
      s.cancel();
      assertThatThrownBy(() -> s.step(new long[] {next}))
          .isInstanceOf(GenerationCancelledException.class)
          .hasMessageContaining("cancel()")
          .hasMessageContaining("model.onnx");
    }
  }

  @Test
  void cancel_fromAnotherThread_stopsADecodeLoopInFlight() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (DecoderSession s = backend.openSession()) {
      CountDownLatch started = new CountDownLatch(1);
      Future<GenerationCancelledException> loop = pool.submit(() -> {
        Logits l = s.prefill(new long[][] {Stories260k.PROMPTS[0]}, new int[] {0});
        started.countDown();
        try {
          while (true) {
            l = s.step(new long[] {Greedy.argmaxRows(l)[0]});
          }
        } catch (GenerationCancelledException expected) {
          return expected;
        }
      });
      started.await();
      s.cancel();
      // The loop ends with the cancellation (no other error, no hang), and the session stays cancelled.
      assertThat(loop.get()).hasMessageContaining("cancel()");
      assertThatThrownBy(() -> s.step(new long[] {0})).isInstanceOf(GenerationCancelledException.class);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void close_isIdempotent_andClosedSessionRefusesWork() {
    DecoderSession s = backend.openSession();
    s.prefill(new long[][] {{1}}, new int[] {0});
    s.close();
    s.close();
    s.cancel();
    assertThatThrownBy(() -> s.step(new long[] {1})).isInstanceOf(IllegalStateException.class);
  }

  // --- helpers

  private static Logits prefillPadded(DecoderSession s, long[][] prompts) {
    int width = Arrays.stream(prompts).mapToInt(p -> p.length).max().orElseThrow();
    long[][] ids = new long[prompts.length][width];
    int[] pad = new int[prompts.length];
    for (int r = 0; r < prompts.length; r++) {
      pad[r] = width - prompts[r].length;
      System.arraycopy(prompts[r], 0, ids[r], pad[r], prompts[r].length);
    }
    return s.prefill(ids, pad);
  }

  private static List<List<Long>> continueGreedy(DecoderSession s, Logits logits, int n) {
    List<List<Long>> out = new ArrayList<>();
    for (int r = 0; r < s.rows(); r++) {
      out.add(new ArrayList<>());
    }
    for (int t = 0; t < n; t++) {
      long[] next = Greedy.argmaxRows(logits);
      for (int r = 0; r < next.length; r++) {
        out.get(r).add(next[r]);
      }
      if (t + 1 < n) {
        logits = s.step(next);
      }
    }
    return out;
  }

  private static List<Long> expectedAfter(int prompt, int from, int n) {
    List<Long> out = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      out.add(Stories260k.EXPECTED[prompt][i]);
    }
    return out;
  }

  private static long[] append(long[] a, long v) {
    long[] out = Arrays.copyOf(a, a.length + 1);
    out[a.length] = v;
    return out;
  }
}
