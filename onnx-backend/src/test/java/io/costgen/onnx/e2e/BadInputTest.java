package io.costgen.onnx.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationRequest;
import io.costgen.core.ModelLoadException;
import io.costgen.core.PromptTooLongException;
import io.costgen.core.TextGenerator;
import io.costgen.core.testing.SharedModels;
import io.costgen.core.tokenizer.HuggingFaceTokenizer;
import io.costgen.onnx.OnnxBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input fails early with an exception that names the field or path, the bad value and the
 * allowed range; a call rejected by validation opens no backend session.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {

  private E2eModel stories;

  @BeforeAll
  void open() {
    stories = E2eModel.open(Stories260kReference.dir());
  }

  @AfterAll
  void close() {
    stories.close();
  }

  @AfterEach
  void noSessionLeft() {
    assertThat(stories.backend.openSessions()).isZero();
  }

  private static GenerationConfig.Builder config() {
    return GenerationConfig.builder();
  }

  // ------------------------------------------------------------------ model folders

  @Nested
  class ModelFolders {
    @TempDir Path tmp;

    @Test
    void missingModelDirectory_namesThePath() {
      Path missing = tmp.resolve("no-such-model");
      assertThatThrownBy(() -> OnnxBackend.open(missing))
          .isInstanceOf(ModelLoadException.class)
          .hasMessageContaining(missing.toAbsolutePath().toString())
          .hasMessageContaining("does not exist");
    }

    @Test
    void directoryWithoutOnnxFile_namesThePathAndTheNamesSearched() throws IOException {
      Files.copy(Stories260kReference.dir().resolve("config.json"), tmp.resolve("config.json"));
      assertThatThrownBy(() -> OnnxBackend.open(tmp))
          .isInstanceOf(ModelLoadException.class)
          .hasMessageContaining(tmp.toAbsolutePath().toString())
          .hasMessageContaining("no .onnx model file")
          .hasMessageContaining("model.onnx");
    }

    @Test
    void corruptOnnxFile_namesTheFile() throws IOException {
      Path file = tmp.resolve("model.onnx");
      Files.write(file, "this is not a protobuf\u0000\u00ff\u00fe".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      assertThatThrownBy(() -> OnnxBackend.open(tmp))
          .isInstanceOf(ModelLoadException.class)
          .hasMessageContaining(file.toAbsolutePath().toString())
          .hasMessageContaining("is not a valid ONNX model");
    }

    @Test
    void truncatedOnnxFile_likeAnInterruptedDownload_namesTheFile() throws IOException {
      byte[] real = Files.readAllBytes(Stories260kReference.dir().resolve("model.onnx"));
      Path file = tmp.resolve("model.onnx");
      Files.write(file, Arrays.copyOf(real, real.length / 2));
      Files.copy(Stories260kReference.dir().resolve("config.json"), tmp.resolve("config.json"));
      assertThatThrownBy(() -> OnnxBackend.open(tmp))
          .isInstanceOf(ModelLoadException.class)
          .hasMessageContaining(file.toAbsolutePath().toString())
          .hasMessageContaining("is not a valid ONNX model")
          .hasMessageContaining("runs past the end");
    }

    @Test
    void explicitModelFileThatDoesNotExist_namesIt() {
      assertThatThrownBy(() -> OnnxBackend.builder().modelDir(Stories260kReference.dir())
          .modelFile(Path.of("model_fp16.onnx")).build())
          .isInstanceOf(ModelLoadException.class)
          .hasMessageContaining("model_fp16.onnx")
          .hasMessageContaining("does not exist");
    }

    @Test
    void folderWithoutTokenizerJson_namesThePath() {
      assertThatThrownBy(() -> HuggingFaceTokenizer.open(tmp))
          .isInstanceOf(ModelLoadException.class)
          .hasMessageContaining(tmp.resolve("tokenizer.json").toString())
          .hasMessageContaining("not found");
    }
  }

  // ------------------------------------------------------------------ lengths

  @Test
  void promptPlusMaxNewTokensBeyondTheContext_isPromptTooLong_withTheNumbers() {
    long[] longPrompt = new long[500];
    Arrays.fill(longPrompt, 261);
    longPrompt[0] = 1;
    PromptTooLongException e = catchThrowableOfType(PromptTooLongException.class,
        () -> stories.generator.generate(new long[][] {{1, 403}, longPrompt},
            config().maxNewTokens(20).build()));
    assertThat(e).hasMessageContaining("prompt 1: 500 prompt tokens + maxNewTokens 20 = 520 exceeds"
        + " the model's context length 512");
    assertThat(e.inputIndex()).isEqualTo(1);
    assertThat(e.promptTokens()).isEqualTo(500);
    assertThat(e.maxLengthTokens()).isEqualTo(520);
    assertThat(e.contextLength()).isEqualTo(512);
  }

  @Test
  void maxLengthBeyondTheContext_orNotAboveThePrompt_isRejected() {
    assertThatThrownBy(() -> stories.generator.generate("Once", config().maxLength(600).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxLength (max_length): 600 exceeds the model's context length 512")
        .hasMessageContaining("allowed range [promptLength + 1, 512]");
    assertThatThrownBy(() -> stories.generator.generate("Once upon a time", config().maxLength(5).build()))
        .isInstanceOf(PromptTooLongException.class)
        .hasMessageContaining("prompt 0: 5 prompt tokens leave no room under maxLength 5");
  }

  @Test
  void negativeOrZeroLengths_nameTheFieldAndTheRange() {
    assertThatThrownBy(() -> config().maxNewTokens(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxNewTokens (max_new_tokens): -1 is outside the allowed range [1, ");
    assertThatThrownBy(() -> config().maxNewTokens(0))
        .hasMessageContaining("maxNewTokens (max_new_tokens): 0 is outside the allowed range [1, ");
    assertThatThrownBy(() -> config().maxLength(-5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxLength (max_length): -5 is outside the allowed range [1, ");
    assertThatThrownBy(() -> config().minLength(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minLength (min_length): -1 is outside the allowed range [0, ");
    assertThatThrownBy(() -> config().minNewTokens(-2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minNewTokens (min_new_tokens): -2 is outside the allowed range [0, ");
    assertThatThrownBy(() -> config().noRepeatNgramSize(-3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("noRepeatNgramSize (no_repeat_ngram_size): -3 is outside the allowed range [0, ");
  }

  // ------------------------------------------------------------------ token ids

  @Test
  void tokenIdOutsideTheVocabulary_namesRowPositionAndRange() {
    assertThatThrownBy(() -> stories.generator.generate(new long[][] {{1, 403}, {1, 600, 5}},
        config().maxNewTokens(3).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tokenIds[1]: token id 600 at position 1 is outside the allowed range [0, 512)"
            + " (the model's vocabulary)");
    assertThatThrownBy(() -> stories.generator.generate(new long[][] {{-1}}, config().maxNewTokens(3).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tokenIds[0]: token id -1 at position 0 is outside the allowed range [0, 512)");
  }

  @Test
  void textWhoseTokensTheGraphCannotEmbed_tinyRandomGpt2_namesThePrompt() {
    // tiny-random-gpt2's tokenizer.json is GPT-2's full one, its graph has only 1000 tokens
    try (E2eModel gpt2 = E2eModel.shared(SharedModels.TINY_RANDOM_GPT2)) {
      assertThat(gpt2.tokenizer.encode("Hello world")).containsExactly(15496, 995);
      assertThatThrownBy(() -> gpt2.generator.generate(List.of("he is a", "Hello world"),
          config().maxNewTokens(3).build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("prompts[1]: token id 15496 at position 0 is outside the allowed range [0, 1000)");
      assertThat(gpt2.backend.openSessions()).isZero();
    }
  }

  @Test
  void badWordsIdOutsideTheVocabulary_isRejected() {
    assertThatThrownBy(() -> stories.generator.generate("Once", config().maxNewTokens(3)
        .addBadWords(700).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("badWordsIds: token id 700 is outside the allowed range [0, 512)");
  }

  // ------------------------------------------------------------------ sampling and beams

  @Test
  void temperatureZeroOrNegative_withSampling_isRejected() {
    assertThatThrownBy(() -> config().doSample(true).temperature(0).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("temperature (temperature): 0.0 with doSample=true; allowed range (0, +inf)");
    assertThatThrownBy(() -> config().temperature(-0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("temperature (temperature): -0.5 is outside the allowed range [0, +inf)");
    assertThatThrownBy(() -> config().temperature(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("temperature (temperature): NaN");
  }

  @Test
  void topPOutsideZeroToOne_isRejected() {
    for (double bad : new double[] {0.0, -0.1, 1.5, Double.NaN}) {
      assertThatThrownBy(() -> config().topP(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("topP (top_p): " + bad + " is outside the allowed range (0, 1]");
    }
  }

  @Test
  void numReturnSequencesAboveNumBeams_orAboveOneWhenGreedy_isRejected() {
    assertThatThrownBy(() -> config().numBeams(3).numReturnSequences(5).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("numReturnSequences (num_return_sequences): 5 exceeds numBeams 3;"
            + " allowed range [1, numBeams]");
    assertThatThrownBy(() -> config().numReturnSequences(2).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("numReturnSequences (num_return_sequences): 2 with greedy decoding");
  }

  @Test
  void streamingWithBeams_isRejectedBeforeAnyWork() {
    GenerationRequest request = GenerationRequest.builder().prompt("Once")
        .config(config().numBeams(2).maxNewTokens(3).build()).onToken(t -> { }).build();
    assertThatThrownBy(() -> stories.generator.generate(request))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("streaming: not supported with beam search (numBeams=2)");
  }

  // ------------------------------------------------------------------ batches

  @Test
  void emptyBatch_isRejected() {
    assertThatThrownBy(() -> stories.generator.generate(List.<String>of(), config().build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("prompts: empty list; at least 1 prompt is needed");
    assertThatThrownBy(() -> stories.generator.generate(new long[0][], config().build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tokenIds: empty batch; at least 1 row is needed");
    assertThatThrownBy(() -> stories.generator.generate(new long[][] {{1}, {}}, config().build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tokenIds[1]: empty row; each prompt needs at least 1 token");
  }

  @Test
  void textPromptsOrStopStrings_withoutATokenizer_areRejected() {
    TextGenerator noTokenizer = TextGenerator.builder(stories.backend).build();
    assertThatThrownBy(() -> noTokenizer.generate("Once"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("prompts: text prompts need a tokenizer");
    assertThatThrownBy(() -> noTokenizer.generate(new long[][] {{1}},
        config().stopStrings("ball").build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("stopStrings: need a tokenizer");
  }
}
