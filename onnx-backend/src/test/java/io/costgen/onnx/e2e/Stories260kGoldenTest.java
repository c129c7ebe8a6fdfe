package io.costgen.onnx.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.FinishReason;
import io.costgen.core.GeneratedSequence;
import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationRequest;
import io.costgen.core.GenerationResult;
import io.costgen.core.StreamedToken;
import io.costgen.core.TokenStream;
import io.costgen.onnx.OnnxModelLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * stories260k reproduces llama2.c's {@code run.c} greedy outputs listed in its README exactly,
 * ids and text, through text prompts, token-id prompts, the no-cache graph and a left-padded
 * batch; and stop strings cut its greedy story where the README text says they should.
 *
 * <p>run.c's {@code -n 64} is 65 ids in all (BOS + 64), so every call here uses
 * {@code maxLength(65)}; run.c prints the whole sequence after BOS, which is
 * {@link GeneratedSequence#text()} (special tokens skipped, the first piece's leading space
 * stripped by the decoder).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Stories260kGoldenTest {

  private final List<Stories260kReference.Run> runs = Stories260kReference.runs();
  private E2eModel model;

  @BeforeAll
  void open() {
    model = E2eModel.open(Stories260kReference.dir());
  }

  @AfterAll
  void close() {
    model.close();
  }

  private static GenerationConfig total65() {
    return GenerationConfig.builder().maxLength(65).build();
  }

  private static void assertMatches(GeneratedSequence s, Stories260kReference.Run run) {
    assertThat(s.tokenIds()).as("ids for %s", run.prompt()).containsExactly(run.expectedIds());
    assertThat(s.promptLength()).isEqualTo(run.promptIds().length);
    assertThat(s.generatedLength()).isEqualTo(run.newTokens());
    assertThat(s.text()).as("text for %s", run.prompt()).isEqualTo(run.expectedText());
    // completion = text minus the prompt's text, so it keeps the leading space a prompt ends before
    assertThat(s.completion()).isEqualTo(run.expectedText().substring(run.prompt().length()));
    assertThat(s.finishReason()).isEqualTo(FinishReason.LENGTH);
  }

  @Test
  void readme_listsFourRunsOf65Tokens() {
    assertThat(runs).hasSize(4);
    assertThat(runs).allSatisfy(r -> {
      assertThat(r.maxTotalTokens()).isEqualTo(65);
      assertThat(r.expectedIds()).hasSize(65);
    });
  }

  @Test
  void textPrompts_throughTheTokenizer_reproduceRunC() {
    for (Stories260kReference.Run run : runs) {
      assertThat(model.tokenizer.encode(run.prompt())).containsExactly(run.promptIds());
      GenerationResult r = model.generator.generate(run.prompt(), total65());
      assertMatches(r.first(), run);
      assertThat(r.text()).isEqualTo(run.expectedText());
      assertThat(r.usage().promptTokens()).isEqualTo(run.promptIds().length);
      assertThat(r.usage().completionTokens()).isEqualTo(run.newTokens());
    }
  }

  @Test
  void tokenIdPrompts_reproduceRunC_withMaxLengthOrMaxNewTokens() {
    for (Stories260kReference.Run run : runs) {
      assertMatches(model.generator.generate(new long[][] {run.promptIds()}, total65()).first(), run);
      GenerationConfig newTokens = GenerationConfig.builder().maxNewTokens(run.newTokens()).build();
      assertMatches(model.generator.generate(new long[][] {run.promptIds()}, newTokens).first(), run);
    }
  }

  @Test
  void leftPaddedBatchOfTheFourTextPrompts_reproducesRunC_rowByRow() {
    List<String> prompts = runs.stream().map(Stories260kReference.Run::prompt).toList();
    GenerationResult r = model.generator.generate(prompts, total65());
    assertThat(r.sequences()).hasSize(4);
    for (int i = 0; i < 4; i++) {
      assertThat(r.sequences().get(i).inputIndex()).isEqualTo(i);
      assertMatches(r.sequences().get(i), runs.get(i));
    }
    assertThat(r.usage().promptTokens()).isEqualTo(5 + 10 + 12 + 1);
    assertThat(r.usage().completionTokens()).isEqualTo(60 + 55 + 53 + 64);
  }

  @Test
  void noCacheGraph_modelNoPast_reproducesRunC_aloneAndBatched() {
    try (E2eModel noPast = E2eModel.open(Stories260kReference.dir(), "model_no_past.onnx")) {
      OnnxModelLayout layout = noPast.backend.layout();
      assertThat(layout.modelFile().getFileName().toString()).isEqualTo("model_no_past.onnx");
      assertThat(layout.pastNames()).isEmpty();
      for (Stories260kReference.Run run : runs) {
        assertMatches(noPast.generator.generate(run.prompt(), total65()).first(), run);
      }
      long[][] ids = runs.stream().map(Stories260kReference.Run::promptIds).toArray(long[][]::new);
      GenerationResult batch = noPast.generator.generate(ids, total65());
      for (int i = 0; i < 4; i++) {
        assertMatches(batch.sequences().get(i), runs.get(i));
      }
    }
  }

  @Test
  void emptyPrompt_leftUnlimited_emitsBosAsIts346thNewToken_likeRunC() {
    // run.c stops only when the model emits BOS (1); the README: "the empty prompt run emits BOS
    // as its 346th new token, after the story ends"
    Stories260kReference.Run run = runs.get(3);
    GeneratedSequence s = model.generator.generate("",
        GenerationConfig.builder().maxNewTokens(400).eosTokenId(1).build()).first();
    assertThat(s.finishReason()).isEqualTo(FinishReason.EOS);
    assertThat(s.generatedLength()).isEqualTo(346);
    assertThat(Arrays.copyOf(s.tokenIds(), 65)).containsExactly(run.expectedIds());
    assertThat(s.text()).startsWith(run.expectedText());
  }

  // ------------------------------------------------------------------ stop strings

  /** The README text of run 0 up to and including the first {@code stop}. */
  private String textThrough(String stop) {
    String text = runs.get(0).expectedText();
    return text.substring(0, text.indexOf(stop) + stop.length());
  }

  @Test
  void stopString_ball_endsTheOutputRightAfterTheFirstBall() {
    Stories260kReference.Run run = runs.get(0);
    GenerationResult r = model.generator.generate(run.prompt(),
        GenerationConfig.builder().maxLength(65).stopStrings("ball").build());
    GeneratedSequence s = r.first();
    assertThat(s.finishReason()).isEqualTo(FinishReason.STOP_STRING);
    assertThat(s.text()).isEqualTo(textThrough("ball")).endsWith("she saw a big, red ball");
    assertThat(s.tokenIds()).containsExactly(Arrays.copyOf(run.expectedIds(), s.tokenIds().length));
    assertThat(r.usage().completionTokens()).isEqualTo(s.generatedLength());
  }

  @Test
  void stopString_acrossTokens_orEndingInsideAToken_stopsOnTheTokenThatCompletesIt() {
    Stories260kReference.Run run = runs.get(0);
    // "named Lily" spans the tokens "named" and "Lily"
    GeneratedSequence named = model.generator.generate(run.prompt(),
        GenerationConfig.builder().maxLength(65).stopStrings("named Lily").build()).first();
    assertThat(named.finishReason()).isEqualTo(FinishReason.STOP_STRING);
    assertThat(named.text()).isEqualTo(textThrough("named Lily"));
    // "bal" ends inside the token "all": that token is kept whole
    GeneratedSequence bal = model.generator.generate(run.prompt(),
        GenerationConfig.builder().maxLength(65).stopStrings("bal").build()).first();
    assertThat(bal.finishReason()).isEqualTo(FinishReason.STOP_STRING);
    assertThat(bal.text()).isEqualTo(textThrough("ball"));
  }

  @Test
  void stopString_startingInThePrompt_stopsOnTheTokenThatCompletesIt() {
    Stories260kReference.Run run = runs.get(0);
    // prompt "Once upon a", greedy continues " time": "a time" starts in the prompt
    GeneratedSequence s = model.generator.generate("Once upon a",
        GenerationConfig.builder().maxNewTokens(10).stopStrings("a time").build()).first();
    assertThat(s.finishReason()).isEqualTo(FinishReason.STOP_STRING);
    assertThat(s.generatedLength()).isEqualTo(1);
    assertThat(s.tokenIds()).containsExactly(Arrays.copyOf(run.expectedIds(), 5));
    assertThat(s.text()).isEqualTo("Once upon a time");
  }

  @Test
  void stopString_presentOnlyInThePrompt_neverMatches() {
    Stories260kReference.Run run = runs.get(2); // "Lily and Tom went to the park": no later "Lily"
    GeneratedSequence s = model.generator.generate(run.prompt(),
        GenerationConfig.builder().maxLength(65).stopStrings("Lily").build()).first();
    assertMatches(s, run);
  }

  @Test
  void stopString_inABatch_stopsOnlyTheRowsThatProduceIt() {
    List<String> prompts = List.of(runs.get(0).prompt(), runs.get(2).prompt());
    GenerationResult r = model.generator.generate(prompts,
        GenerationConfig.builder().maxLength(65).stopStrings("ball").build());
    assertThat(r.sequences().get(0).finishReason()).isEqualTo(FinishReason.STOP_STRING);
    assertThat(r.sequences().get(0).text()).isEqualTo(textThrough("ball"));
    assertMatches(r.sequences().get(1), runs.get(2));
  }

  @Test
  void stopString_streamed_endsWithTheStopTokenAndItsText() {
    Stories260kReference.Run run = runs.get(0);
    GenerationRequest request = GenerationRequest.builder().prompt(run.prompt())
        .config(GenerationConfig.builder().maxLength(65).stopStrings("ball").build()).build();
    List<StreamedToken> tokens = new ArrayList<>();
    GenerationResult result;
    try (TokenStream stream = model.generator.stream(request)) {
      stream.forEachRemaining(tokens::add);
      result = stream.result();
    }
    StringBuilder text = new StringBuilder();
    tokens.forEach(t -> text.append(t.text()));
    assertThat(text.toString()).isEqualTo(result.completion())
        .isEqualTo(textThrough("ball").substring(run.prompt().length()));
    assertThat(tokens.get(tokens.size() - 1).finishReason()).hasValue(FinishReason.STOP_STRING);
    assertThat(tokens).hasSize(result.first().generatedLength());
  }
}
