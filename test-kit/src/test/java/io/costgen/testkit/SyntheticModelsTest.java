package io.costgen.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticModelsTest {

  @TempDir
  Path cache;

  @Test
  void presets_haveTheDocumentedShapes() {
    SyntheticModel small = SyntheticModels.gpt2Small().build();
    assertThat(small.layers()).isEqualTo(12);
    assertThat(small.hiddenSize()).isEqualTo(768);
    assertThat(small.attentionHeads()).isEqualTo(12);
    assertThat(small.vocabSize()).isEqualTo(50257);
    assertThat(small.contextLength()).isEqualTo(1024);
    assertThat(small.estimatedBytes()).isGreaterThan(SyntheticModel.EXTERNAL_DATA_THRESHOLD_BYTES);
    assertThat(SyntheticModels.tiny().build().name()).isEqualTo("tiny-gpt2");
    assertThat(SyntheticModels.tinyLlama().build().kvHeads()).isLessThan(
        SyntheticModels.tinyLlama().build().attentionHeads());
  }

  @Test
  void cached_writesAMediumModelOnce_thenReusesTheFolder() throws Exception {
    // ~4.3M parameters, ~17 MB: the one medium-sized model the tests write.
    SyntheticModel m = SyntheticModels.gpt2().name("medium").layers(4).hidden(256).heads(4)
        .vocab(4096).context(256).seed(5).build();
    assertThat(m.estimatedBytes()).isBetween(5L << 20, 20L << 20);

    Path dir = SyntheticModels.cached(cache, m, Layout.WITH_PAST);
    assertThat(dir.getParent()).isEqualTo(cache.toAbsolutePath().normalize());
    assertThat(dir.getFileName().toString()).contains(m.cacheKey(Layout.WITH_PAST));
    assertThat(dir.resolve("model.onnx")).exists();
    assertThat(dir.resolve("tokenizer.json")).exists();
    Path marker = Files.createFile(dir.resolve("marker"));

    assertThat(SyntheticModels.cached(cache, m, Layout.WITH_PAST)).isEqualTo(dir);
    assertThat(marker).exists(); // not rewritten
    try (Stream<Path> entries = Files.list(cache)) {
      assertThat(entries).containsExactly(dir); // no temporary folder left behind
    }

    // The cached model runs and computes the reference logits.
    try (OrtRun ort = new OrtRun(dir.resolve("model.onnx"))) {
      long[] prompt = {1, 2000, 4095, 7};
      OrtRun.Output out = ort.run(new long[][] {prompt}, new long[][] {{1, 1, 1, 1}},
          new long[][] {{0, 1, 2, 3}}, ort.pasts(m, 1, 0, 0f));
      SyntheticModelOnnxRuntimeTest.assertClose(out.logits()[0][3],
          ReferenceForward.of(m).logits(prompt)[3], "medium model last position");
    }
  }

  @Test
  void cached_givesEachSeedAndLayoutItsOwnFolder() throws IOException {
    SyntheticModel m = SyntheticModels.tiny().build();
    Path a = SyntheticModels.cached(cache, m, Layout.WITH_PAST);
    Path b = SyntheticModels.cached(cache, m.toBuilder().seed(1).build(), Layout.WITH_PAST);
    Path c = SyntheticModels.cached(cache, m, Layout.MERGED);
    assertThat(List.of(a, b, c)).doesNotHaveDuplicates();
    assertThat(c.resolve("decoder_model_merged.onnx")).exists();
    assertThat(c.resolve("model.onnx")).doesNotExist();
  }

  @Test
  void cached_calledConcurrently_writesOneCompleteFolder() throws Exception {
    SyntheticModel m = SyntheticModels.tinyLlama().build();
    int threads = 4;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        Callable<Path> call = () -> {
          start.await();
          return SyntheticModels.cached(cache, m, Layout.NO_PAST);
        };
        results.add(pool.submit(call));
      }
      start.countDown();
      Path first = results.get(0).get();
      for (Future<Path> f : results) {
        assertThat(f.get()).isEqualTo(first);
      }
      assertThat(first.resolve("model_no_past.onnx")).exists();
      try (Stream<Path> entries = Files.list(cache)) {
        assertThat(entries).containsExactly(first);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
