package io.costgen.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxJavaType;
import io.costgen.core.spi.DecoderSession;
import io.costgen.core.spi.Logits;
import io.costgen.core.ModelInfo;
import io.costgen.core.ModelLoadException;
import io.costgen.cost.ArchitectureFamily;
import io.costgen.onnx.OnnxModelLayout.KvCacheFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Optimum merged decoders ({@code decoder_model_merged.onnx} with {@code use_cache_branch}),
 * on a hand-written toy graph laid out like a transformers.js repository (graph under
 * {@code onnx/}, config at the root).
 */
class OnnxBackendMergedDecoderTest {

  @TempDir Path dir;

  private OnnxBackend open(boolean flagBoost) throws IOException {
    TinyOnnxGraphs.write(dir.resolve("onnx"), "decoder_model_merged.onnx",
        TinyOnnxGraphs.mergedDecoder(flagBoost));
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"gpt2\", \"n_layer\": 1,"
        + " \"n_embd\": 6, \"n_head\": 1, \"vocab_size\": 24, \"n_positions\": 64,"
        + " \"bos_token_id\": 3, \"eos_token_id\": 3, \"tie_word_embeddings\": false}");
    Files.writeString(dir.resolve("generation_config.json"),
        "{\"eos_token_id\": [3, 4], \"max_length\": 20, \"pad_token_id\": null}");
    return OnnxBackend.builder().modelDir(dir).intraOpThreads(1).build();
  }

  private final long[][] prompts = {{5, 1, 9, 12}, {2, 23}, {0, 7, 7, 3, 18, 11}};

  @Test
  void layout_isMergedDecoderFoundUnderOnnxFolder() throws IOException {
    try (OnnxBackend backend = open(false)) {
      OnnxModelLayout l = backend.layout();
      assertThat(l.modelFile()).isEqualTo(
          dir.toAbsolutePath().resolve("onnx").resolve("decoder_model_merged.onnx"));
      assertThat(l.mergedDecoder()).isTrue();
      assertThat(l.useCacheBranch()).hasValue(
          new OnnxModelLayout.Port("use_cache_branch", OnnxJavaType.BOOL));
      assertThat(l.kvCacheFormat()).isEqualTo(KvCacheFormat.SEPARATE);
      assertThat(l.positionIds()).isEmpty();
      assertThat(l.pastNames()).containsExactly("past_key_values.0.key",
          "past_key_values.0.value");
      assertThat(l.kvHeads()).isEqualTo(1);
      assertThat(l.headSize()).isEqualTo(6);
      assertThat(backend.modelInfo().shape().family()).isEqualTo(ArchitectureFamily.GPT2);
      // E, E2 (24 x 6) and W (6 x 24) float weights; int64 shape constants are not parameters
      assertThat(backend.modelInfo().shape().parameters()).isEqualTo(3 * 24 * 6);
      assertThat(backend.modelInfo().specialTokens().eosTokenIds()).containsExactly(3L, 4L);
      assertThat(backend.modelInfo().generationDefaults())
          .containsEntry("max_length", 20).doesNotContainKey("pad_token_id");
    }
  }

  @Test
  void withoutConfigJson_shapeComesFromTheGraph_andGenaiConfigTakesPrecedence()
      throws IOException {
    TinyOnnxGraphs.write(dir, "decoder_model_merged.onnx", TinyOnnxGraphs.mergedDecoder(false));
    Files.writeString(dir.resolve("generation_config.json"),
        "{\"eos_token_id\": [3, 4], \"bos_token_id\": 5, \"max_length\": 20}");
    Files.writeString(dir.resolve("genai_config.json"), "{\"model\": {\"eos_token_id\": 9,"
        + " \"pad_token_id\": 0, \"type\": \"gpt2\"}, \"search\": {\"max_length\": 30,"
        + " \"do_sample\": false, \"past_present_share_buffer\": true}}");
    assertThatThrownBy(() -> OnnxBackend.open(dir))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("decoder_model_merged.onnx")
        .hasMessageContaining("cannot determine the context length");
    try (OnnxBackend backend = OnnxBackend.builder().modelDir(dir).contextLength(128).build()) {
      ModelInfo info = backend.modelInfo();
      assertThat(info.shape().layers()).isEqualTo(1);          // one cache layer
      assertThat(info.shape().hiddenSize()).isEqualTo(6);      // the [24, 6] embedding
      assertThat(info.shape().kvHeads()).isEqualTo(1);         // past shape [b, 1, p, 6]
      assertThat(info.shape().headSize()).isEqualTo(6);
      assertThat(info.shape().attentionHeads()).isEqualTo(1);  // hidden / head size
      assertThat(info.vocabSize()).isEqualTo(24);              // logits width
      assertThat(info.contextLength()).isEqualTo(128);
      assertThat(info.shape().tiedEmbeddings()).isFalse();     // E and W both stored
      assertThat(info.specialTokens().eosTokenIds()).containsExactly(9L); // genai first
      assertThat(info.specialTokens().bosTokenId()).hasValue(5);          // then generation_config
      assertThat(info.specialTokens().padTokenId()).hasValue(0);
      assertThat(info.generationDefaults()).containsEntry("max_length", 20)
          .containsEntry("do_sample", false).containsEntry("bos_token_id", 5)
          .doesNotContainKey("past_present_share_buffer");
    }
  }

  @Test
  void genaiSearchDefaultsCanBeTurnedOff_andTopKNullMeansNoTopK() throws IOException {
    TinyOnnxGraphs.write(dir, "decoder_model_merged.onnx", TinyOnnxGraphs.mergedDecoder(false));
    Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": 3, \"top_k\": null}");
    Files.writeString(dir.resolve("genai_config.json"), "{\"model\": {\"type\": \"gpt2\"},"
        + " \"search\": {\"max_length\": 30, \"do_sample\": true, \"top_p\": 0.5}}");
    try (OnnxBackend on = OnnxBackend.builder().modelDir(dir).contextLength(128).build()) {
      assertThat(on.modelInfo().generationDefaults()).containsEntry("max_length", 30)
          .containsEntry("do_sample", true).containsEntry("top_p", 0.5).containsEntry("top_k", 0);
      assertThat(io.costgen.core.GenerationConfig.defaults().withModelDefaults(on.modelInfo()).topK()).isZero();
    }
    try (OnnxBackend off = OnnxBackend.builder().modelDir(dir).contextLength(128).genaiSearchDefaults(false).build()) {
      assertThat(off.modelInfo().generationDefaults()).doesNotContainKeys("max_length", "do_sample", "top_p")
          .containsEntry("top_k", 0);
    }
  }

  @Test
  void firstRunUsesTheNoCacheBranch_laterRunsTheCacheBranch() throws IOException {
    try (OnnxBackend backend = open(true); DecoderSession s = backend.openSession()) {
      float[] row = new float[TinyOnnxGraphs.VOCAB];
      s.prefill(new long[][] {prompts[0]}, new int[] {0}).copyRow(0, row);
      assertThat(row[7]).isLessThan(500f); // use_cache_branch = false: no bonus
      s.step(new long[] {1}).copyRow(0, row);
      assertThat(row[7]).isGreaterThan(500f); // use_cache_branch = true
    }
  }

  @Test
  void greedyWithCache_equalsRecomputingFromScratch() throws IOException {
    try (OnnxBackend backend = open(false)) {
      for (long[] p : prompts) {
        assertThat(Greedy.generate(backend, p, 15))
            .containsExactly(Greedy.generateByRecompute(backend, p, 15));
      }
    }
  }

  @Test
  void leftPaddedBatch_equalsEachRowAlone() throws IOException {
    try (OnnxBackend backend = open(false)) {
      long[][] batch = Greedy.generateBatch(backend, prompts, 15);
      for (int r = 0; r < prompts.length; r++) {
        assertThat(batch[r]).containsExactly(Greedy.generate(backend, prompts[r], 15));
      }
    }
  }

  @Test
  void chunkedPrefill_continuesLikeOnePrefill() throws IOException {
    try (OnnxBackend backend = open(false); DecoderSession s = backend.openSession()) {
      long[] p = prompts[2];
      s.prefill(new long[][] {{p[0], p[1], p[2]}}, new int[] {0});
      Logits l = s.prefill(new long[][] {{p[3], p[4], p[5]}}, new int[] {0});
      assertThat(Greedy.argmaxRows(l)[0]).isEqualTo(Greedy.generate(backend, p, 1)[p.length]);
    }
  }

  @Test
  void selectAndAppendRows_continueEachRowAsAlone() throws IOException {
    try (OnnxBackend backend = open(false)) {
      RowOperations.checkSelectAndAppend(backend, prompts);
    }
  }
}
