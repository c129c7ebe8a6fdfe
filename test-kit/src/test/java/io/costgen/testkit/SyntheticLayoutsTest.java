package io.costgen.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.costgen.core.FinishReason;
import io.costgen.onnx.e2e.E2eModel;
import io.costgen.onnx.e2e.RawSessionReference;
import io.costgen.core.GeneratedSequence;
import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationRequest;
import io.costgen.core.GenerationResult;
import io.costgen.core.StreamedToken;
import io.costgen.testkit.Layout;
import io.costgen.testkit.ReferenceForward;
import io.costgen.testkit.SyntheticModel;
import io.costgen.testkit.SyntheticModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Synthetic GPT-2 and Llama models (seeded weights, {@code SyntheticModels}) written in the three
 * layouts and run end to end: {@code model.onnx} (KV cache), {@code model_no_past.onnx} (no cache)
 * and {@code decoder_model_merged.onnx} in a transformers.js-style folder ({@code onnx/} beside the
 * root JSON files, as in {@code Xenova/gpt2}). For the same weights every layout gives the same
 * greedy tokens, which also equal an argmax loop over {@link ReferenceForward}, the plain-Java
 * forward pass; the merged (and the no-cache) layout matches the cached one in every decoding mode.
 */
class SyntheticLayoutsTest {

  @TempDir static Path tmp;

  static final List<String> PROMPTS = List.of("Hello world", "The quick brown fox", "a");
  static final int NEW = 16;

  /** Writes {@code model} in the three layouts; the merged one under {@code onnx/}. */
  static Map<Layout, Path> write(SyntheticModel model, String name) throws IOException {
    Map<Layout, Path> dirs = new EnumMap<>(Layout.class);
    for (Layout layout : Layout.values()) {
      Path dir = tmp.resolve(name).resolve(layout.name().toLowerCase());
      model.writeTo(dir, layout);
      dirs.put(layout, dir);
    }
    Path merged = dirs.get(Layout.MERGED);
    Path onnx = Files.createDirectories(merged.resolve("onnx"));
    Files.move(merged.resolve(Layout.MERGED.fileName()), onnx.resolve(Layout.MERGED.fileName()));
    return dirs;
  }

  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  abstract static class LayoutContract {
    SyntheticModel spec;
    final Map<Layout, E2eModel> models = new EnumMap<>(Layout.class);

    abstract SyntheticModel spec();

    @BeforeAll
    void open() throws IOException {
      spec = spec();
      Map<Layout, Path> dirs = write(spec, spec.name());
      for (Layout layout : Layout.values()) {
        models.put(layout, E2eModel.open(dirs.get(layout)));
      }
    }

    @AfterAll
    void close() {
      models.values().forEach(E2eModel::close);
    }

    E2eModel cached() {
      return models.get(Layout.WITH_PAST);
    }

    E2eModel merged() {
      return models.get(Layout.MERGED);
    }

    E2eModel noPast() {
      return models.get(Layout.NO_PAST);
    }

    @Test
    void discovery_findsEachLayout_theMergedOneUnderOnnx() {
      assertThat(cached().backend.layout().mergedDecoder()).isFalse();
      assertThat(cached().backend.layout().pastNames()).hasSize(2 * spec.layers());
      assertThat(models.get(Layout.NO_PAST).backend.layout().pastNames()).isEmpty();
      assertThat(merged().backend.layout().mergedDecoder()).isTrue();
      assertThat(merged().backend.layout().modelFile())
          .isEqualTo(merged().dir.toAbsolutePath().resolve("onnx").resolve("decoder_model_merged.onnx"));
      for (E2eModel m : models.values()) {
        assertThat(m.backend.modelInfo().shape().parameters()).isEqualTo(spec.parameterCount());
        assertThat(m.backend.modelInfo().shape().family()).isEqualTo(spec.family());
        assertThat(m.backend.modelInfo().vocabSize()).isEqualTo(spec.vocabSize());
      }
    }

    @Test
    void greedy_isTheSameInEveryLayout_andEqualsTheJavaReferenceForward() {
      ReferenceForward reference = ReferenceForward.of(spec);
      GenerationConfig c = GenerationConfig.builder().maxNewTokens(NEW).build();
      Map<Layout, GenerationResult> results = new EnumMap<>(Layout.class);
      for (Layout layout : Layout.values()) {
        results.put(layout, models.get(layout).generator.generate(PROMPTS, c));
      }
      for (int b = 0; b < PROMPTS.size(); b++) {
        long[] expected = referenceGreedy(reference, cached().tokenizer.encode(PROMPTS.get(b)), NEW,
            Set.copyOf(cached().backend.modelInfo().specialTokens().eosTokenIds()));
        for (Layout layout : Layout.values()) {
          GeneratedSequence s = results.get(layout).sequences().get(b);
          assertThat(s.tokenIds()).as("%s prompt %d", layout, b).containsExactly(expected);
          assertThat(s.text()).isEqualTo(results.get(Layout.WITH_PAST).sequences().get(b).text());
        }
      }
    }

    @Test
    void merged_leftPaddedBatch_equalsEachPromptAlone() {
      GenerationConfig c = GenerationConfig.builder().maxNewTokens(NEW).build();
      GenerationResult batch = merged().generator.generate(PROMPTS, c);
      for (int b = 0; b < PROMPTS.size(); b++) {
        assertThat(batch.sequences().get(b).tokenIds())
            .containsExactly(merged().generator.generate(PROMPTS.get(b), c).first().tokenIds());
      }
    }

    @Test
    void mergedAndNoPast_seededSampling_equalCachedLayout() {
      GenerationConfig c = GenerationConfig.builder().maxNewTokens(NEW).doSample(true).seed(99)
          .temperature(0.8).numReturnSequences(2).build();
      GenerationResult w = cached().generator.generate(PROMPTS, c);
      assertSameTokens(merged().generator.generate(PROMPTS, c), w);
      assertSameTokens(noPast().generator.generate(PROMPTS, c), w);
    }

    @Test
    void mergedAndNoPast_beamSearch_equalCachedLayout() {
      GenerationConfig c = GenerationConfig.builder().maxNewTokens(NEW).numBeams(3)
          .numReturnSequences(3).lengthPenalty(0.7).build();
      GenerationResult w = cached().generator.generate(PROMPTS, c);
      for (E2eModel other : List.of(merged(), noPast())) {
        GenerationResult m = other.generator.generate(PROMPTS, c);
        assertSameTokens(m, w);
        for (int i = 0; i < m.sequences().size(); i++) {
          assertThat(m.sequences().get(i).score().orElseThrow())
              .isCloseTo(w.sequences().get(i).score().orElseThrow(), within(1e-4));
        }
      }
    }

    @Test
    void merged_processorsAndEos_equalCachedLayout() {
      long[] greedy = cached().generator.generate(PROMPTS.get(1),
          GenerationConfig.builder().maxNewTokens(NEW).build()).first().tokenIds();
      long eos = greedy[greedy.length - NEW + 4];
      GenerationConfig c = GenerationConfig.builder().maxNewTokens(NEW).repetitionPenalty(1.3)
          .noRepeatNgramSize(2).eosTokenId(eos).build();
      GenerationResult m = merged().generator.generate(PROMPTS, c);
      assertSameTokens(m, cached().generator.generate(PROMPTS, c));
      assertThat(m.sequences()).extracting(GeneratedSequence::finishReason).contains(FinishReason.EOS);
      for (GeneratedSequence s : m.sequences()) {
        assertThat(RawSessionReference.hasRepeatedNgram(s.tokenIds(), 2)).isFalse();
      }
    }

    @Test
    void merged_streaming_equalsTheResult() {
      GenerationRequest request = GenerationRequest.builder().prompts(PROMPTS)
          .config(GenerationConfig.builder().maxNewTokens(NEW).doSample(true).seed(4).build()).build();
      List<StreamedToken> tokens = new ArrayList<>();
      GenerationResult r = merged().generator.generate(request.toBuilder().onToken(tokens::add).build());
      for (int i = 0; i < r.sequences().size(); i++) {
        int index = i;
        long[] streamed = tokens.stream().filter(t -> t.sequenceIndex() == index)
            .mapToLong(StreamedToken::tokenId).toArray();
        assertThat(streamed).containsExactly(r.sequences().get(i).generatedTokenIds());
      }
      assertSameTokens(r, merged().generator.generate(request));
    }

    static void assertSameTokens(GenerationResult actual, GenerationResult expected) {
      assertThat(actual.sequences()).hasSameSizeAs(expected.sequences());
      for (int i = 0; i < actual.sequences().size(); i++) {
        assertThat(actual.sequences().get(i).tokenIds()).as("sequence %d", i)
            .containsExactly(expected.sequences().get(i).tokenIds());
        assertThat(actual.sequences().get(i).finishReason())
            .isEqualTo(expected.sequences().get(i).finishReason());
      }
    }
  }

  /** Argmax loop recomputing the whole sequence with the plain-Java forward pass. */
  static long[] referenceGreedy(ReferenceForward reference, long[] prompt, int newTokens, Set<Long> eos) {
    long[] seq = prompt;
    for (int i = 0; i < newTokens; i++) {
      float[][] logits = reference.logits(seq);
      long next = RawSessionReference.argmax(logits[logits.length - 1]);
      seq = Arrays.copyOf(seq, seq.length + 1);
      seq[seq.length - 1] = next;
      if (eos.contains(next)) {
        break;
      }
    }
    return seq;
  }

  @Nested
  class Gpt2 extends LayoutContract {
    @Override
    SyntheticModel spec() {
      return SyntheticModels.gpt2().name("e2e-gpt2").initStd(0.1).seed(21).build();
    }
  }

  @Nested
  class Llama extends LayoutContract {
    @Override
    SyntheticModel spec() {
      return SyntheticModels.llama().name("e2e-llama").initStd(0.1).seed(22).build();
    }
  }
}
