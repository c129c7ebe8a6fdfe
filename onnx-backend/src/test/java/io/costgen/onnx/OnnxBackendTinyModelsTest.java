package io.costgen.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxJavaType;
import io.costgen.core.ModelInfo;
import io.costgen.core.testing.SharedModels;
import io.costgen.cost.ArchitectureFamily;
import io.costgen.cost.DType;
import io.costgen.onnx.OnnxModelLayout.KvCacheFormat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The two random-weight test models: ONNX Runtime's legacy GPT-2 export (stacked cache, int32
 * ids, contrib ops) and an onnxruntime-genai model-builder Llama (float16 cache and logits).
 */
class OnnxBackendTinyModelsTest {

  @Nested
  class TinyRandomGpt2 {
    // ids < 1000: the graph's vocabulary (its tokenizer.json is the full GPT-2 one)
    private final long[][] prompts = {{464, 329, 318, 257}, {0, 98, 7, 612, 45, 999, 3}, {11}};

    private OnnxBackend open() {
      return OnnxBackend.builder().modelDir(SharedModels.model(SharedModels.TINY_RANDOM_GPT2))
          .intraOpThreads(1).build();
    }

    @Test
    void layout_isStackedPastWithInt32Ids() {
      try (OnnxBackend backend = open()) {
        OnnxModelLayout l = backend.layout();
        assertThat(l.modelFile().getFileName().toString()).isEqualTo("past.onnx");
        assertThat(l.kvCacheFormat()).isEqualTo(KvCacheFormat.STACKED);
        assertThat(l.inputIds()).isEqualTo(
            new OnnxModelLayout.Port("input_ids", OnnxJavaType.INT32));
        assertThat(l.attentionMask()).hasValue(
            new OnnxModelLayout.Port("attention_mask", OnnxJavaType.INT32));
        assertThat(l.positionIds()).hasValue(
            new OnnxModelLayout.Port("position_ids", OnnxJavaType.INT32));
        assertThat(l.pastNames())
            .containsExactly("past_0", "past_1", "past_2", "past_3", "past_4");
        assertThat(l.presentNames())
            .containsExactly("present_0", "present_1", "present_2", "present_3", "present_4");
        assertThat(l.kvCacheType()).isEqualTo(OnnxJavaType.FLOAT);
        assertThat(l.layers()).isEqualTo(5);
        assertThat(l.kvHeads()).isEqualTo(4);
        assertThat(l.headSize()).isEqualTo(8);
        assertThat(l.vocabSize()).isEqualTo(1000);
      }
    }

    @Test
    void modelInfo_comesFromGenaiConfigAndGraph() {
      try (OnnxBackend backend = open()) {
        ModelInfo info = backend.modelInfo();
        assertThat(info.name()).isEqualTo("tiny-random-gpt2");
        assertThat(info.shape().family()).isEqualTo(ArchitectureFamily.GPT2);
        assertThat(info.shape().layers()).isEqualTo(5);
        assertThat(info.shape().hiddenSize()).isEqualTo(32); // from the [1000, 32] embedding
        assertThat(info.shape().attentionHeads()).isEqualTo(4);
        assertThat(info.shape().headSize()).isEqualTo(8);
        assertThat(info.contextLength()).isEqualTo(512);
        assertThat(info.vocabSize()).isEqualTo(1000);
        assertThat(info.shape().parameters()).isEqualTo(142_112L);
        assertThat(info.weightDtype()).isEqualTo(DType.FP32);
        assertThat(info.kvCacheDtype()).isEqualTo(DType.FP32);
        assertThat(info.specialTokens().bosTokenId()).hasValue(98);
        assertThat(info.specialTokens().eosTokenIds()).containsExactly(98L);
        assertThat(info.specialTokens().padTokenId()).hasValue(98);
      }
    }

    @Test
    void greedyWithCache_equalsRecomputingFromScratch_for20Steps() {
      try (OnnxBackend backend = open()) {
        for (long[] p : prompts) {
          assertThat(Greedy.generate(backend, p, 20))
              .containsExactly(Greedy.generateByRecompute(backend, p, 20));
        }
      }
    }

    @Test
    void leftPaddedBatch_equalsEachRowAlone() {
      try (OnnxBackend backend = open()) {
        long[][] batch = Greedy.generateBatch(backend, prompts, 20);
        for (int r = 0; r < prompts.length; r++) {
          assertThat(batch[r]).as("row %d", r)
              .containsExactly(Greedy.generate(backend, prompts[r], 20));
        }
      }
    }

    @Test
    void selectAndAppendRows_onStackedCache_continueEachRowAsAlone() {
      try (OnnxBackend backend = open()) {
        RowOperations.checkSelectAndAppend(backend, prompts);
      }
    }
  }

  @Nested
  class TinyRandomLlamaFp16 {
    private final long[][] prompts = {{1, 3087, 12, 31999, 7}, {0, 2, 15043}, {1, 450, 4996,
        17354, 1701, 29916, 432, 2}};

    private OnnxBackend open() {
      return OnnxBackend.builder()
          .modelDir(SharedModels.model(SharedModels.TINY_RANDOM_LLAMA_FP16))
          .intraOpThreads(1).build();
    }

    @Test
    void layout_isModelBuilderWithFp16CacheAndLogits() {
      try (OnnxBackend backend = open()) {
        OnnxModelLayout l = backend.layout();
        assertThat(l.modelFile().getFileName().toString()).isEqualTo("model.onnx");
        assertThat(l.kvCacheFormat()).isEqualTo(KvCacheFormat.SEPARATE);
        assertThat(l.inputIds()).isEqualTo(
            new OnnxModelLayout.Port("input_ids", OnnxJavaType.INT64));
        assertThat(l.logits()).isEqualTo(new OnnxModelLayout.Port("logits", OnnxJavaType.FLOAT16));
        assertThat(l.pastNames()).containsExactly("past_key_values.0.key",
            "past_key_values.0.value", "past_key_values.1.key", "past_key_values.1.value");
        assertThat(l.presentNames()).containsExactly("present.0.key", "present.0.value",
            "present.1.key", "present.1.value");
        assertThat(l.kvCacheType()).isEqualTo(OnnxJavaType.FLOAT16);
        assertThat(l.layers()).isEqualTo(2);
        assertThat(l.kvHeads()).isEqualTo(1);
        assertThat(l.headSize()).isEqualTo(16);
        assertThat(l.vocabSize()).isEqualTo(32000);
      }
    }

    @Test
    void modelInfo_comesFromGenaiConfigAndGraph() {
      try (OnnxBackend backend = open()) {
        ModelInfo info = backend.modelInfo();
        assertThat(info.shape().family()).isEqualTo(ArchitectureFamily.LLAMA);
        assertThat(info.shape().layers()).isEqualTo(2);
        assertThat(info.shape().hiddenSize()).isEqualTo(16);
        assertThat(info.shape().attentionHeads()).isEqualTo(1);
        assertThat(info.shape().kvHeads()).isEqualTo(1);
        assertThat(info.contextLength()).isEqualTo(2048);
        // stored fp16 weights (external data) less the genai rotary tables cos_cache/sin_cache
        assertThat(info.shape().parameters()).isEqualTo(1_065_040L - 2 * 2048 * 8);
        assertThat(info.shape().tiedEmbeddings()).isFalse();
        assertThat(info.weightDtype()).isEqualTo(DType.FP16);
        assertThat(info.kvCacheDtype()).isEqualTo(DType.FP16);
        assertThat(info.specialTokens().bosTokenId()).hasValue(0);
        assertThat(info.specialTokens().eosTokenIds()).containsExactly(1L);
        assertThat(info.specialTokens().padTokenId()).hasValue(2);
      }
    }

    @Test
    void greedyWithCache_equalsRecomputingFromScratch_for20Steps() {
      try (OnnxBackend backend = open()) {
        for (long[] p : prompts) {
          assertThat(Greedy.generate(backend, p, 20))
              .containsExactly(Greedy.generateByRecompute(backend, p, 20));
        }
      }
    }

    @Test
    void leftPaddedBatch_equalsEachRowAlone() {
      try (OnnxBackend backend = open()) {
        long[][] batch = Greedy.generateBatch(backend, prompts, 20);
        for (int r = 0; r < prompts.length; r++) {
          assertThat(batch[r]).as("row %d", r)
              .containsExactly(Greedy.generate(backend, prompts[r], 20));
        }
      }
    }

    @Test
    void selectAndAppendRows_onFp16Cache_continueEachRowAsAlone() {
      try (OnnxBackend backend = open()) {
        RowOperations.checkSelectAndAppend(backend, prompts);
      }
    }
  }

}
