package io.costgen.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.testing.SharedModels;
import io.costgen.cost.CpuCalibration;
import io.costgen.cost.HardwareProfile;
import io.costgen.onnx.OnnxBackend;
import io.costgen.testkit.Layout;
import io.costgen.testkit.SyntheticModels;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hand-written ceiling and costgen (cost on and off) must compute the same greedy tokens,
 * or the speed comparison would compare different work.
 */
class LoopAgreementTest {

  private static final HardwareProfile CPU = new CpuCalibration.Result("test cpu", "amd64", 2, 10e9, 50e9,
      8L << 30, Instant.EPOCH).toProfile();

  @TempDir
  Path cache;

  @Test
  void handWrittenLoop_matchesCostgen_onSyntheticGpt2_batch1And3() throws Exception {
    ModelRef ref = BenchModels.synthetic(cache, SyntheticModels.tiny().build(), Layout.WITH_PAST);
    assertAgree(ref, ref, 12);
  }

  @Test
  void handWrittenLoop_matchesCostgen_onSyntheticLlamaWithGroupedQueryAttention() throws Exception {
    ModelRef ref = BenchModels.synthetic(cache, SyntheticModels.tinyLlama().build(), Layout.WITH_PAST);
    assertAgree(ref, ref, 12);
  }

  @Test
  void handWrittenLoop_matchesCostgen_onStories260k() throws Exception {
    Path dir = SharedModels.model(SharedModels.STORIES_260K);
    assertAgree(new ModelRef(dir.toString(), "model.onnx"), new ModelRef(dir.toString(), "model_no_past.onnx"), 16);
  }

  @Test
  void handWrittenLoop_matchesCostgen_onStackedPastInt32Gpt2() throws Exception {
    Path dir = SharedModels.model(SharedModels.TINY_RANDOM_GPT2);
    assertAgree(new ModelRef(dir.toString(), "past.onnx"), null, 10);
  }

  @Test
  void handWrittenLoop_matchesCostgen_onFloat16Llama() throws Exception {
    Path dir = SharedModels.model(SharedModels.TINY_RANDOM_LLAMA_FP16);
    assertAgree(new ModelRef(dir.toString(), "model.onnx"), null, 10);
  }

  private static void assertAgree(ModelRef withPast, ModelRef noPast, int newTokens) throws Exception {
    try (HandLoop hand = new HandLoop(withPast, 1, false, "cpu");
        OnnxBackend backend = OnnxBackend.builder().modelDir(Path.of(withPast.dir()))
            .modelFile(Path.of(withPast.file())).intraOpThreads(1).build()) {
      CostgenLoop full = new CostgenLoop(Impl.FULL, backend, CPU);
      CostgenLoop free = new CostgenLoop(Impl.FREE, backend, CPU);
      for (int batch : new int[] {1, 3}) {
        long[][] prompts = Workloads.prompts(batch, 7, hand.vocab());
        DecodeLoop.Run h = hand.run(prompts, newTokens);
        DecodeLoop.Run on = full.run(prompts, newTokens);
        DecodeLoop.Run off = free.run(prompts, newTokens);

        assertThat(h.generated()).as("batch %d", batch).isDeepEqualTo(on.generated()).isDeepEqualTo(off.generated());
        assertThat(h.generated()[0]).hasSize(newTokens);
        assertThat(h.firstTokenNanos()).isPositive().isLessThanOrEqualTo(h.totalNanos());
      }
      assertThat(full.listener().events()).as("the cost-on listener ran").isPositive();
      if (noPast != null) {
        try (OnnxBackend nb = OnnxBackend.builder().modelDir(Path.of(noPast.dir()))
            .modelFile(Path.of(noPast.file())).intraOpThreads(1).build()) {
          long[][] prompts = Workloads.prompts(1, 7, hand.vocab());
          assertThat(new CostgenLoop(Impl.NO_PAST, nb, CPU).run(prompts, newTokens).generated())
              .isDeepEqualTo(hand.run(prompts, newTokens).generated());
        }
      }
    }
  }
}
