package io.costgen.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.core.GenerationLifecycleTest.Recorder;
import io.costgen.core.testing.SharedModels;
import io.costgen.core.testing.ToyBackend;
import io.costgen.core.tokenizer.HuggingFaceTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Text in, text out, streaming and stop strings, with the real stories260k tokenizer and a toy
 * backend that replays llama2.c's greedy continuation of "Once upon a time" (stories260k README).
 */
class StreamingAndTextTest {

  static final long[] STORY = {1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338,
      401, 396, 267, 337, 410, 408, 419, 292, 411, 322, 265, 282, 295, 433, 426, 385, 328, 432, 358, 394, 261, 370,
      432, 352, 266, 268, 388, 426, 338, 391, 266, 267, 337, 335, 312, 432, 398, 312, 286, 267, 414, 270, 333, 415,
      426, 13, 438, 310};
  static final String STORY_TEXT = "Once upon a time, there was a little girl named Lily. She loved to play outside in"
      + " the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high.\nLily";

  private static HuggingFaceTokenizer tokenizer;

  @BeforeAll
  static void open() {
    tokenizer = HuggingFaceTokenizer.open(SharedModels.model(SharedModels.STORIES_260K));
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  /** Greedy replays STORY while the row is a prefix of it; otherwise a seeded hash (for sampling). */
  static ToyBackend storyBackend() {
    ToyBackend.LogitsFunction hash = ToyBackend.hashFunction(7, 512);
    return ToyBackend.builder().vocabSize(512).contextLength(512).eosTokenIds(2).logits((tokens, length, out) -> {
      hash.logits(tokens, length, out);
      boolean prefix = length < STORY.length;
      for (int i = 0; prefix && i < length; i++) {
        prefix = tokens[i] == STORY[i];
      }
      if (prefix) {
        out[(int) STORY[length]] = 10f;
      }
    }).build();
  }

  private TextGenerator generator(ToyBackend backend) {
    return TextGenerator.builder(backend).tokenizer(tokenizer).build();
  }

  // ---------------------------------------------------------------- text

  @Test
  void generate_text_decodesLikeLlama2c() {
    GenerationResult r = generator(storyBackend()).generate("Once upon a time",
        GenerationConfig.builder().maxNewTokens(60).build());
    assertThat(r.first().tokenIds()).containsExactly(STORY);
    assertThat(r.text()).isEqualTo(STORY_TEXT);
    assertThat(r.completion()).isEqualTo(STORY_TEXT.substring("Once upon a time".length()));
    assertThat(r.usage().promptTokens()).isEqualTo(5);
    assertThat(r.usage().completionTokens()).isEqualTo(60);
  }

  @Test
  void generate_emptyText_isJustBos() {
    GenerationResult r = generator(storyBackend()).generate("", GenerationConfig.builder().maxNewTokens(4).build());
    assertThat(r.first().tokenIds()).containsExactly(Arrays.copyOf(STORY, 5));
    assertThat(r.completion()).isEqualTo("Once upon a time");
  }

  // ---------------------------------------------------------------- stop strings

  private GenerationResult withStops(String prompt, String... stops) {
    return generator(storyBackend()).generate(prompt,
        GenerationConfig.builder().maxNewTokens(60).stopStrings(stops).build());
  }

  @Test
  void stopStrings_stopAtTheTokenThatCompletesTheString_andKeepIt() {
    GenerationResult r = withStops("Once upon a time", "little");
    assertThat(r.first().finishReason()).isEqualTo(FinishReason.STOP_STRING);
    assertThat(r.completion()).isEqualTo(", there was a little");
  }

  @Test
  void stopStrings_matchWhenTheTokenRunsPastTheString() {
    GenerationResult r = withStops("Once upon a time", "litt");
    assertThat(r.first().finishReason()).isEqualTo(FinishReason.STOP_STRING);
    assertThat(r.completion()).startsWith(", there was a litt").endsWith("little");
  }

  @Test
  void stopStrings_mayStartInThePrompt() {
    GenerationResult r = withStops("Once upon a time", "time,");
    assertThat(r.first().finishReason()).isEqualTo(FinishReason.STOP_STRING);
    assertThat(r.completion()).isEqualTo(",");
  }

  @Test
  void stopStrings_neverMatchTextWhollyInThePrompt() {
    GenerationResult r = withStops("Once upon a time", "upon");
    assertThat(r.first().finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(r.text()).isEqualTo(STORY_TEXT);
  }

  @Test
  void stopStrings_firstToCompleteWins_acrossSeveral() {
    GenerationResult r = withStops("Once upon a time", "park", "Lily.", "girl");
    assertThat(r.completion()).isEqualTo(", there was a little girl");
  }

  @Test
  void stopStrings_spanningNewline() {
    GenerationResult r = withStops("Once upon a time", "high.\nLi");
    assertThat(r.text()).isEqualTo(STORY_TEXT);
    assertThat(r.first().finishReason()).isEqualTo(FinishReason.STOP_STRING);
  }

  // ---------------------------------------------------------------- streaming

  private static GenerationRequest samplingRequest() {
    return GenerationRequest.builder().prompts(List.of("Once upon a time", "The ball"))
        .config(GenerationConfig.builder().doSample(true).topK(20).numReturnSequences(2).maxNewTokens(25).seed(77)
            .build()).build();
  }

  private static void assertStreamMatches(List<StreamedToken> tokens, GenerationResult result) {
    Map<Integer, List<StreamedToken>> bySequence = tokens.stream()
        .collect(Collectors.groupingBy(StreamedToken::sequenceIndex, LinkedHashMap::new, Collectors.toList()));
    assertThat(bySequence).hasSize(result.sequences().size());
    for (int s = 0; s < result.sequences().size(); s++) {
      GeneratedSequence seq = result.sequences().get(s);
      List<StreamedToken> mine = bySequence.get(s);
      assertThat(mine.stream().mapToLong(StreamedToken::tokenId).toArray()).containsExactly(seq.generatedTokenIds());
      assertThat(mine.stream().map(StreamedToken::text).collect(Collectors.joining())).isEqualTo(seq.completion());
      assertThat(mine).extracting(StreamedToken::tokenIndex)
          .containsExactlyElementsOf(java.util.stream.IntStream.range(0, mine.size()).boxed().toList());
      assertThat(mine).allSatisfy(t -> assertThat(t.inputIndex()).isEqualTo(seq.inputIndex()));
      assertThat(mine.get(mine.size() - 1).finishReason()).contains(seq.finishReason());
      assertThat(mine.subList(0, mine.size() - 1)).allSatisfy(t -> assertThat(t.isLast()).isFalse());
    }
  }

  @Test
  void callbackStreaming_equalsTheNonStreamingResult() {
    TextGenerator g = generator(storyBackend());
    GenerationResult plain = g.generate(samplingRequest());
    List<StreamedToken> streamed = new ArrayList<>();
    GenerationResult withCallback = g.generate(samplingRequest().toBuilder().onToken(streamed::add).build());
    assertThat(withCallback.sequences()).isEqualTo(plain.sequences());
    assertStreamMatches(streamed, plain);
  }

  @Test
  void tokenStream_equalsTheNonStreamingResult() {
    TextGenerator g = generator(storyBackend());
    GenerationResult plain = g.generate(samplingRequest());
    List<StreamedToken> streamed = new ArrayList<>();
    GenerationResult result;
    try (TokenStream ts = g.stream(samplingRequest())) {
      ts.forEachRemaining(streamed::add);
      result = ts.result();
    }
    assertThat(result.sequences()).isEqualTo(plain.sequences());
    assertStreamMatches(streamed, plain);
  }

  @Test
  void tokenStream_asJavaStream_closesWithTheStream() {
    ToyBackend backend = storyBackend();
    TextGenerator g = generator(backend);
    String text;
    try (Stream<StreamedToken> s = g.stream(GenerationRequest.builder().prompt("Once upon a time")
        .config(GenerationConfig.builder().maxNewTokens(60).build()).build()).stream()) {
      text = s.map(StreamedToken::text).collect(Collectors.joining());
    }
    assertThat("Once upon a time" + text).isEqualTo(STORY_TEXT);
    assertThat(backend.sessionsClosed()).isEqualTo(1);
  }

  @Test
  void tokenStream_resultFirst_keepsTokensForIteration() {
    TextGenerator g = generator(storyBackend());
    try (TokenStream ts = g.stream("Once upon a time")) {
      GenerationResult r = ts.result();
      List<Long> ids = new ArrayList<>();
      ts.forEachRemaining(t -> ids.add(t.tokenId()));
      assertThat(ids).hasSize(r.first().generatedLength()).hasSize(20);
    }
  }

  @Test
  void tokenStream_closeEarly_cancels_andReleasesTheSession() {
    ToyBackend backend = storyBackend();
    Recorder rec = new Recorder();
    TextGenerator g = TextGenerator.builder(backend).tokenizer(tokenizer).addListener(rec).build();
    TokenStream ts = g.stream(GenerationRequest.builder().prompt("Once upon a time")
        .config(GenerationConfig.builder().maxNewTokens(60).build()).build());
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      texts.add(ts.next().text());
    }
    ts.close();
    GenerationResult r = ts.result();
    assertThat(String.join("", texts)).isEqualTo(", there was");
    assertThat(r.first().generatedLength()).isEqualTo(3);
    assertThat(r.first().finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(ts.hasNext()).isFalse();
    assertThat(rec.events).startsWith("start").endsWith("cancel");
    assertThat(rec.terminals()).isEqualTo(1);
    assertThat(backend.sessionsClosed()).isEqualTo(1);
  }

  @Test
  void tokenStream_closeFromAnotherThread_abortsTheRunningPass() throws Exception {
    CountDownLatch reached = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch cancelled = new CountDownLatch(1);
    ToyBackend.LogitsFunction story = (tokens, length, out) -> {
      Arrays.fill(out, 0f);
      out[(int) STORY[Math.min(length, STORY.length - 1)]] = 1f;
    };
    ToyBackend backend = ToyBackend.builder().vocabSize(512).contextLength(512).logits(story)
        .onCancel(cancelled::countDown).onForwardPass(i -> {
          if (i == 3) {
            reached.countDown();
            release.await();
          }
        }).build();
    TextGenerator g = TextGenerator.builder(backend).tokenizer(tokenizer).build();
    TokenStream ts = g.stream(GenerationRequest.builder().prompt("Once upon a time")
        .config(GenerationConfig.builder().maxNewTokens(50).build()).build());
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Integer> consumer = pool.submit(() -> {
        int n = 0;
        while (ts.hasNext()) {
          ts.next();
          n++;
        }
        return n;
      });
      assertThat(reached.await(10, TimeUnit.SECONDS)).isTrue();
      Future<?> closer = pool.submit(ts::close);
      assertThat(cancelled.await(10, TimeUnit.SECONDS)).isTrue();
      release.countDown();
      assertThat(consumer.get(10, TimeUnit.SECONDS)).isEqualTo(3);
      closer.get(10, TimeUnit.SECONDS);
      assertThat(ts.result().first().finishReason()).isEqualTo(FinishReason.CANCELLED);
      assertThat(backend.sessionsClosed()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void tokenStream_backendFailure_isThrownFromIteration_andReportedOnce() {
    ToyBackend backend = ToyBackend.builder().vocabSize(512).failAtForwardPass(2).build();
    Recorder rec = new Recorder();
    TextGenerator g = TextGenerator.builder(backend).tokenizer(tokenizer).addListener(rec).build();
    TokenStream ts = g.stream("Once upon a time");
    assertThat(ts.next()).isNotNull();
    assertThat(ts.next()).isNotNull();
    assertThatThrownBy(ts::hasNext).isInstanceOf(BackendException.class);
    assertThatThrownBy(ts::result).isInstanceOf(BackendException.class);
    ts.close();
    assertThat(rec.events).startsWith("start").endsWith("error BackendException");
    assertThat(rec.terminals()).isEqualTo(1);
    assertThat(backend.sessionsClosed()).isEqualTo(1);
  }

  @Test
  void stream_validationErrorsAreThrownByStream() {
    TextGenerator g = TextGenerator.builder(ToyBackend.builder().contextLength(8).vocabSize(512).build())
        .tokenizer(tokenizer).build();
    assertThatThrownBy(() -> g.stream(GenerationRequest.builder().prompt("Once upon a time")
        .config(GenerationConfig.builder().maxNewTokens(10).build()).build()))
        .isInstanceOf(PromptTooLongException.class);
  }
}
