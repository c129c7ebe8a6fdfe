package io.costgen.testkit;

import io.costgen.onnx.graph.WeightStorage;

import io.costgen.onnx.graph.OnnxModelFile;
import io.costgen.onnx.graph.TensorSpec;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated ONNX graphs, run by ONNX Runtime, against {@link ReferenceForward}: prefill,
 * KV-cache steps, left padding, the no-past file and both branches of the merged file, for a
 * GPT-2 style model, a Llama style model with grouped-query attention (4 heads, 2 KV heads)
 * and a tied Llama with multi-query attention (1 KV head).
 */
class SyntheticModelOnnxRuntimeTest {

  /** Max |ORT − reference| over a row, relative to the row's largest |reference| logit. */
  private static final double TOLERANCE = 1e-4;

  @TempDir
  static Path tmp;

  private static final Map<String, SyntheticModel> MODELS = new LinkedHashMap<>();
  private static final Map<String, ReferenceForward> REFERENCES = new HashMap<>();

  @BeforeAll
  static void writeModels() throws IOException {
    // initStd 0.1 (not 0.02) so attention is far from uniform and mask mistakes show.
    MODELS.put("gpt2", SyntheticModels.gpt2().layers(2).hidden(64).heads(4).vocab(300)
        .context(32).initStd(0.1).seed(7).build());
    MODELS.put("llama-gqa", SyntheticModels.llama().layers(2).hidden(64).heads(4).kvHeads(2)
        .intermediate(96).vocab(300).context(32).initStd(0.1).seed(8).build());
    MODELS.put("llama-mqa-tied", SyntheticModels.llama().layers(1).hidden(48).heads(3)
        .kvHeads(1).headSize(8).vocab(260).tiedEmbeddings(true).initStd(0.1).seed(9).build());
    for (Map.Entry<String, SyntheticModel> e : MODELS.entrySet()) {
      for (Layout layout : Layout.values()) {
        e.getValue().writeTo(tmp.resolve(e.getKey()), layout);
      }
      REFERENCES.put(e.getKey(), ReferenceForward.of(e.getValue()));
    }
  }

  static Stream<String> models() {
    return Stream.of("gpt2", "llama-gqa", "llama-mqa-tied");
  }

  private static Path file(String model, Layout layout) {
    return tmp.resolve(model).resolve(layout.fileName());
  }

  private static final long[] PROMPT = {17, 3, 255, 42, 99};
  private static final long[] NEXT = {5, 250, 64};

  @ParameterizedTest
  @MethodSource("models")
  void prefill_matchesReference(String name) throws OrtException {
    SyntheticModel m = MODELS.get(name);
    try (OrtRun ort = new OrtRun(file(name, Layout.WITH_PAST))) {
      OrtRun.Output out = ort.run(rows(PROMPT), rows(ones(5)), rows(range(0, 5)),
          ort.pasts(m, 1, 0, 0f));
      float[][] expected = REFERENCES.get(name).logits(PROMPT);
      for (int s = 0; s < PROMPT.length; s++) {
        assertClose(out.logits()[0][s], expected[s], name + " position " + s);
      }
      assertThat(out.shapes().get("present.0.key"))
          .containsExactly(1, m.kvHeads(), 5, m.headSize());
      assertThat(out.presents()).hasSize(2 * m.layers());
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void kvCacheSteps_matchReferenceOfWholeSequence(String name) throws OrtException {
    SyntheticModel m = MODELS.get(name);
    ReferenceForward ref = REFERENCES.get(name);
    try (OrtRun ort = new OrtRun(file(name, Layout.WITH_PAST))) {
      OrtRun.Output out = ort.run(rows(PROMPT), rows(ones(5)), rows(range(0, 5)),
          ort.pasts(m, 1, 0, 0f));
      long[] sequence = PROMPT;
      for (long next : NEXT) {
        sequence = append(sequence, next);
        int n = sequence.length;
        out = ort.run(rows(new long[] {next}), rows(ones(n)), rows(new long[] {n - 1}),
            ort.pastsFrom(out));
        assertThat(out.shapes().get("present.0.value"))
            .containsExactly(1, m.kvHeads(), n, m.headSize());
        float[][] expected = ref.logits(sequence);
        assertClose(out.logits()[0][0], expected[n - 1], name + " step at length " + n);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void leftPaddedBatch_realPositionsMatchUnpaddedRows_andPaddedRowsStayFinite(String name)
      throws OrtException {
    SyntheticModel m = MODELS.get(name);
    ReferenceForward ref = REFERENCES.get(name);
    long pad = m.eosTokenId();
    long[] shortPrompt = {8, 150, 33};
    long[][] ids = {{pad, pad, 8, 150, 33}, PROMPT};
    long[][] mask = {{0, 0, 1, 1, 1}, ones(5)};
    long[][] positions = {{1, 1, 0, 1, 2}, range(0, 5)}; // HF: cumsum(mask) - 1, padding -> 1
    try (OrtRun ort = new OrtRun(file(name, Layout.WITH_PAST))) {
      OrtRun.Output out = ort.run(ids, mask, positions, ort.pasts(m, 2, 0, 0f));
      float[][] expectedShort = ref.logits(shortPrompt);
      float[][] expectedLong = ref.logits(PROMPT);
      for (int s = 0; s < 3; s++) {
        assertClose(out.logits()[0][2 + s], expectedShort[s], name + " padded row, real " + s);
      }
      for (int s = 0; s < 5; s++) {
        assertClose(out.logits()[1][s], expectedLong[s], name + " full row " + s);
      }
      assertAllFinite(out.logits()[0][0]);
      assertAllFinite(out.logits()[0][1]);

      // One KV step for both rows: the padding stays in the cache and stays masked.
      OrtRun.Output step = ort.run(new long[][] {{77}, {78}},
          new long[][] {{0, 0, 1, 1, 1, 1}, ones(6)}, new long[][] {{3}, {5}},
          ort.pastsFrom(out));
      assertClose(step.logits()[0][0], ref.logits(append(shortPrompt, 77))[3],
          name + " padded row step");
      assertClose(step.logits()[1][0], ref.logits(append(PROMPT, 78))[5], name + " full row step");
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void noPastModel_matchesReference_withAndWithoutPadding(String name) throws OrtException {
    SyntheticModel m = MODELS.get(name);
    ReferenceForward ref = REFERENCES.get(name);
    try (OrtRun ort = new OrtRun(file(name, Layout.NO_PAST))) {
      assertThat(ort.session().getInputNames())
          .containsExactlyInAnyOrder("input_ids", "attention_mask", "position_ids");
      assertThat(ort.session().getOutputNames()).containsExactly("logits");
      long[] full = append(PROMPT, NEXT[0]);
      OrtRun.Output out = ort.run(new long[][] {{m.eosTokenId(), 8, 150, 33, 200, 1}, full},
          new long[][] {{0, 1, 1, 1, 1, 1}, ones(6)},
          new long[][] {{1, 0, 1, 2, 3, 4}, range(0, 6)}, Map.of());
      float[][] expectedPadded = ref.logits(new long[] {8, 150, 33, 200, 1});
      float[][] expectedFull = ref.logits(full);
      for (int s = 0; s < 5; s++) {
        assertClose(out.logits()[0][1 + s], expectedPadded[s], name + " padded " + s);
      }
      for (int s = 0; s < 6; s++) {
        assertClose(out.logits()[1][s], expectedFull[s], name + " full " + s);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void mergedModel_noCacheBranchIgnoresPast_thenCacheBranchContinues(String name)
      throws OrtException {
    SyntheticModel m = MODELS.get(name);
    ReferenceForward ref = REFERENCES.get(name);
    try (OrtRun ort = new OrtRun(file(name, Layout.MERGED))) {
      // First call: use_cache_branch=false with a dummy past of length 1 full of garbage.
      Map<String, OnnxTensor> first = new HashMap<>(ort.pasts(m, 1, 1, 1000f));
      first.put("use_cache_branch", ort.bool(false));
      OrtRun.Output out = ort.run(rows(PROMPT), rows(ones(5)), rows(range(0, 5)), first);
      float[][] expected = ref.logits(PROMPT);
      for (int s = 0; s < PROMPT.length; s++) {
        assertClose(out.logits()[0][s], expected[s], name + " no-cache branch " + s);
      }
      assertThat(out.shapes().get("present.0.key"))
          .containsExactly(1, m.kvHeads(), 5, m.headSize());

      long[] sequence = PROMPT;
      for (long next : NEXT) {
        sequence = append(sequence, next);
        int n = sequence.length;
        Map<String, OnnxTensor> step = new HashMap<>(ort.pastsFrom(out));
        step.put("use_cache_branch", ort.bool(true));
        out = ort.run(rows(new long[] {next}), rows(ones(n)), rows(new long[] {n - 1}), step);
        assertClose(out.logits()[0][0], ref.logits(sequence)[n - 1], name + " cache branch " + n);
      }
    }
  }

  @Test
  void mergedModel_presentsOfNoCacheBranchEqualWithPastPrefill() throws OrtException {
    SyntheticModel m = MODELS.get("llama-gqa");
    OrtRun.Output merged;
    OrtRun.Output withPast;
    try (OrtRun ort = new OrtRun(file("llama-gqa", Layout.MERGED))) {
      Map<String, OnnxTensor> in = new HashMap<>(ort.pasts(m, 1, 1, 0f));
      in.put("use_cache_branch", ort.bool(false));
      merged = ort.run(rows(PROMPT), rows(ones(5)), rows(range(0, 5)), in);
    }
    try (OrtRun ort = new OrtRun(file("llama-gqa", Layout.WITH_PAST))) {
      withPast = ort.run(rows(PROMPT), rows(ones(5)), rows(range(0, 5)), ort.pasts(m, 1, 0, 0f));
    }
    for (String present : withPast.presents().keySet()) {
      assertThat(merged.presents().get(present)).as(present)
          .containsExactly(withPast.presents().get(present));
    }
  }

  @Test
  void inputsAndOutputs_followOptimumNamesTypesAndSymbolicDims() throws OrtException {
    SyntheticModel m = MODELS.get("llama-gqa");
    try (OrtRun ort = new OrtRun(file("llama-gqa", Layout.MERGED))) {
      var inputs = ort.session().getInputInfo();
      assertThat(inputs.keySet()).containsExactly("input_ids", "attention_mask", "position_ids",
          "past_key_values.0.key", "past_key_values.0.value", "past_key_values.1.key",
          "past_key_values.1.value", "use_cache_branch");
      TensorInfo ids = (TensorInfo) inputs.get("input_ids").getInfo();
      assertThat(ids.type).isEqualTo(ai.onnxruntime.OnnxJavaType.INT64);
      assertThat(ids.getDimensionNames()).containsExactly("batch", "sequence");
      TensorInfo mask = (TensorInfo) inputs.get("attention_mask").getInfo();
      assertThat(mask.getDimensionNames()).containsExactly("batch", "total_sequence");
      TensorInfo past = (TensorInfo) inputs.get("past_key_values.1.value").getInfo();
      assertThat(past.type).isEqualTo(ai.onnxruntime.OnnxJavaType.FLOAT);
      assertThat(past.getShape()).containsExactly(-1, m.kvHeads(), -1, m.headSize());
      assertThat(past.getDimensionNames()[2]).isEqualTo("past_sequence");
      TensorInfo branch = (TensorInfo) inputs.get("use_cache_branch").getInfo();
      assertThat(branch.type).isEqualTo(ai.onnxruntime.OnnxJavaType.BOOL);
      assertThat(branch.getShape()).containsExactly(1);

      var outputs = ort.session().getOutputInfo();
      assertThat(outputs.keySet()).containsExactly("logits", "present.0.key", "present.0.value",
          "present.1.key", "present.1.value");
      TensorInfo logits = (TensorInfo) outputs.get("logits").getInfo();
      assertThat(logits.getShape()).containsExactly(-1, -1, m.vocabSize());
      TensorInfo present = (TensorInfo) outputs.get("present.0.key").getInfo();
      assertThat(present.getDimensionNames()[2]).isEqualTo("total_sequence");
    }
  }

  @Test
  void externalData_loadsAndMatchesInline() throws IOException, OrtException {
    SyntheticModel m = MODELS.get("llama-gqa");
    Path dir = tmp.resolve("external");
    Path file = m.writeTo(dir, Layout.WITH_PAST, WeightStorage.EXTERNAL);
    Path data = dir.resolve("model.onnx.data");
    assertThat(data).exists();
    long externalBytes = DecoderWeights.parameters(m).stream()
        .filter(t -> t.byteCount() >= OnnxModelFile.MIN_EXTERNAL_BYTES)
        .mapToLong(TensorSpec::byteCount).sum();
    assertThat(Files.size(data)).isGreaterThanOrEqualTo(externalBytes)
        .isLessThan(externalBytes + 4096L * DecoderWeights.parameters(m).size());
    assertThat(Files.size(file)).isLessThan(64 * 1024);
    try (OrtRun ort = new OrtRun(file)) {
      OrtRun.Output out = ort.run(rows(PROMPT), rows(ones(5)), rows(range(0, 5)),
          ort.pasts(m, 1, 0, 0f));
      float[][] expected = REFERENCES.get("llama-gqa").logits(PROMPT);
      for (int s = 0; s < PROMPT.length; s++) {
        assertClose(out.logits()[0][s], expected[s], "external position " + s);
      }
    }
    // Writing inline again into the same folder removes the stale data file.
    m.writeTo(dir, Layout.WITH_PAST, WeightStorage.INLINE);
    assertThat(data).doesNotExist();
  }

  // --- helpers -------------------------------------------------------------------------------

  static void assertClose(float[] actual, float[] expected, String what) {
    assertThat(actual).as(what).hasSameSizeAs(expected);
    double maxRef = 0;
    double maxDiff = 0;
    for (int i = 0; i < expected.length; i++) {
      maxRef = Math.max(maxRef, Math.abs(expected[i]));
      maxDiff = Math.max(maxDiff, Math.abs((double) actual[i] - expected[i]));
    }
    assertThat(maxRef).as(what + ": reference logits are not all zero").isGreaterThan(1e-3);
    assertThat(maxDiff / maxRef).as(what + ": max |diff| / max |ref| (max |ref| " + maxRef + ")")
        .isLessThanOrEqualTo(TOLERANCE);
  }

  static void assertAllFinite(float[] values) {
    for (float v : values) {
      assertThat(Float.isFinite(v)).as("finite logit").isTrue();
    }
  }

  static long[][] rows(long[] row) {
    return new long[][] {row};
  }

  static long[] ones(int n) {
    long[] r = new long[n];
    java.util.Arrays.fill(r, 1);
    return r;
  }

  static long[] range(int from, int to) {
    long[] r = new long[to - from];
    for (int i = 0; i < r.length; i++) {
      r[i] = from + i;
    }
    return r;
  }

  static long[] append(long[] a, long v) {
    long[] r = java.util.Arrays.copyOf(a, a.length + 1);
    r[a.length] = v;
    return r;
  }

}
