package io.costgen.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.spi.DecoderSession;
import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationResult;
import io.costgen.core.spi.Logits;
import io.costgen.core.TextGenerator;
import io.costgen.core.testing.SharedModels;
import io.costgen.onnx.Greedy;
import io.costgen.onnx.OnnxBackend;
import io.costgen.onnx.TinyOnnxGraphs;



import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The last-position-logits rewrite ({@link io.costgen.onnx.OnnxBackend.Builder#lastPositionLogits}): on every
 * test model and synthetic layout the rewritten graph's last-position logits equal the
 * original's (1e-5 for float32, 1e-2 for float16 logits) through a left-padded batch prefill,
 * a chunked prefill and decode steps, and greedy, sampled and beam outputs are identical.
 */
class LastPositionLogitsTest {

  @TempDir static Path tmp;

  record Case(String name, Path dir, double tolerance, int vocabLimit, boolean chunks) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> models() throws IOException {
    List<Arguments> out = new ArrayList<>();
    out.add(Arguments.of(new Case(SharedModels.STORIES_260K,
        SharedModels.model(SharedModels.STORIES_260K), 1e-5, 512, true)));
    out.add(Arguments.of(new Case(SharedModels.TINY_RANDOM_GPT2,
        SharedModels.model(SharedModels.TINY_RANDOM_GPT2), 1e-5, 1000, true)));
    out.add(Arguments.of(new Case(SharedModels.TINY_RANDOM_LLAMA_FP16,
        SharedModels.model(SharedModels.TINY_RANDOM_LLAMA_FP16), 1e-2, 32000, false)));
    for (SyntheticModel m : List.of(SyntheticModels.tiny().build(),
        SyntheticModels.tinyLlama().build())) {
      for (Layout layout : Layout.values()) {
        Path dir = SyntheticModels.cached(tmp.resolve("models"), m, layout);
        out.add(Arguments.of(new Case(m.name() + "/" + layout, dir, 1e-5, m.vocabSize(), true)));
      }
    }
    return out.stream();
  }

  private static OnnxBackend open(Path dir, boolean rewrite) {
    return OnnxBackend.builder().modelDir(dir).intraOpThreads(1).allowSpinning(false)
        .lastPositionLogits(rewrite).graphCacheDir(tmp.resolve("graphs")).build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void lastPositionLogits_equalTheOriginalGraphs_throughPrefillChunksAndSteps(Case c) {
    try (OnnxBackend original = open(c.dir(), false);
         OnnxBackend rewritten = open(c.dir(), true)) {
      assertThat(original.lastPositionLogits()).isFalse();
      assertThat(rewritten.lastPositionLogits()).as("head recognised").isTrue();
      long[][] ids = {{5, 9, 13, 2, 7, 11, 3}, {0, 0, 0, 4, 8, 6, 1}};
      for (long[] row : ids) {
        for (int i = 0; i < row.length; i++) {
          row[i] %= c.vocabLimit();
        }
      }
      int[] pad = {0, 3};
      try (DecoderSession a = original.openSession(); DecoderSession b = rewritten.openSession()) {
        // a chunked prefill (4 positions, then 3 more) where the export supports it: the
        // model-builder Llama's mask subgraph rejects several new tokens over a cache
        int split = c.chunks() ? 4 : 7;
        long[][] first = {slice(ids[0], 0, split), slice(ids[1], 0, split)};
        Logits la = a.prefill(first, pad);
        Logits lb = b.prefill(first, pad);
        assertClose(la, lb, c.tolerance());
        if (c.chunks()) {
          long[][] second = {slice(ids[0], split, 7), slice(ids[1], split, 7)};
          la = a.prefill(second, null);
          lb = b.prefill(second, null);
          assertClose(la, lb, c.tolerance());
        }
        for (int t = 0; t < 4; t++) {
          long[] next = Greedy.argmaxRows(la);
          la = a.step(next);
          lb = b.step(next);
          assertClose(la, lb, c.tolerance());
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void greedySampledAndBeamOutputs_areIdentical(Case c) {
    try (OnnxBackend original = open(c.dir(), false);
         OnnxBackend rewritten = open(c.dir(), true)) {
      TextGenerator g0 = TextGenerator.builder(original).build();
      TextGenerator g1 = TextGenerator.builder(rewritten).build();
      long[][] prompts = {{3, 1, 4, 1, 5}, {9, 2, 6}};
      List<GenerationConfig> configs = List.of(
          GenerationConfig.builder().maxNewTokens(8).build(),
          GenerationConfig.builder().maxNewTokens(8).doSample(true).seed(11).topK(20).build(),
          GenerationConfig.builder().maxNewTokens(6).numBeams(3).numReturnSequences(2).build());
      for (GenerationConfig config : configs) {
        GenerationResult r0 = g0.generate(prompts, config);
        GenerationResult r1 = g1.generate(prompts, config);
        assertThat(r1.sequences()).hasSameSizeAs(r0.sequences());
        for (int i = 0; i < r0.sequences().size(); i++) {
          assertThat(r1.sequences().get(i).tokenIds()).as("%s sequence %d", config, i)
              .containsExactly(r0.sequences().get(i).tokenIds());
        }
      }
    }
  }

  @Test
  void rewrittenGraph_isCachedByContentHash_andReusedOnTheNextLoad() throws IOException {
    Path cache = tmp.resolve("reuse");
    Path dir = SharedModels.model(SharedModels.TINY_RANDOM_LLAMA_FP16);
    try (OnnxBackend b = OnnxBackend.builder().modelDir(dir).intraOpThreads(1)
        .graphCacheDir(cache).build()) {
      assertThat(b.lastPositionLogits()).isTrue();
    }
    List<Path> entries;
    try (Stream<Path> s = Files.list(cache)) {
      entries = s.toList();
    }
    assertThat(entries).hasSize(1);
    Path graph = entries.get(0).resolve("model.onnx");
    assertThat(entries.get(0).getFileName().toString()).matches("[0-9a-f]{64}-lastpos-v1");
    // external data stays where it is: only the graph is cached
    assertThat(Files.exists(entries.get(0).resolve("model.onnx.data"))).isFalse();
    assertThat(Files.size(graph)).isLessThan(1 << 20);
    long written = Files.getLastModifiedTime(graph).toMillis();
    Files.setLastModifiedTime(graph, java.nio.file.attribute.FileTime.fromMillis(written - 60_000));
    try (OnnxBackend b = OnnxBackend.builder().modelDir(dir).intraOpThreads(1)
        .graphCacheDir(cache).build()) {
      assertThat(b.lastPositionLogits()).isTrue();
      assertThat(Greedy.generate(b, new long[] {1, 2, 3}, 3)).hasSize(6);
    }
    assertThat(Files.getLastModifiedTime(graph).toMillis()).as("not rewritten again")
        .isEqualTo(written - 60_000);
  }

  @Test
  void unrecognisedHead_isLoadedUnchanged_andStillDecodes() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("merged-flag"));
    TinyOnnxGraphs.write(dir, "decoder_model_merged.onnx", TinyOnnxGraphs.mergedDecoder(true));
    try (OnnxBackend b = OnnxBackend.builder().modelDir(dir).contextLength(64)
        .graphCacheDir(tmp.resolve("fallback")).build()) {
      assertThat(b.lastPositionLogits()).isFalse();
      try (DecoderSession s = b.openSession()) {
        assertThat(s.prefill(new long[][] {{1, 2}}, null).rows()).isEqualTo(1);
      }
    }
  }

  private static long[] slice(long[] a, int from, int to) {
    return java.util.Arrays.copyOfRange(a, from, to);
  }

  private static void assertClose(Logits expected, Logits actual, double tolerance) {
    assertThat(actual.rows()).isEqualTo(expected.rows());
    float[] e = new float[expected.vocabSize()];
    float[] a = new float[actual.vocabSize()];
    for (int r = 0; r < expected.rows(); r++) {
      expected.copyRow(r, e);
      actual.copyRow(r, a);
      double worst = 0;
      for (int i = 0; i < e.length; i++) {
        worst = Math.max(worst, Math.abs(e[i] - a[i]));
      }
      assertThat(worst).as("row %d max |Δ|", r).isLessThanOrEqualTo(tolerance);
    }
  }
}
