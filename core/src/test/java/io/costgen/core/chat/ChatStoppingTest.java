package io.costgen.core.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.FinishReason;
import io.costgen.core.GenerationConfig;
import io.costgen.core.GenerationResult;
import io.costgen.core.TextGenerator;
import io.costgen.core.testing.SharedModels;
import io.costgen.core.testing.ToyBackend;
import io.costgen.core.tokenizer.HuggingFaceTokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stop strings that are the text of a special token, and EOS lists, as chat models need. */
class ChatStoppingTest {

  /** Emits 40, 41, then stories260k's special token 2 ("</s>"), then 42 forever; EOS set elsewhere. */
  private static ToyBackend backend(long... eos) {
    return ToyBackend.builder().vocabSize(512).contextLength(64).eosTokenIds(eos).logits((tokens, length, out) -> {
      java.util.Arrays.fill(out, -10f);
      long last = tokens[length - 1];
      long next = last == 40 ? 41 : last == 41 ? 2 : last == 2 ? 42 : last == 42 ? 42 : 40;
      out[(int) next] = 10f;
    }).build();
  }

  @Test
  void stopStringEqualToSpecialTokenTextFires() {
    try (HuggingFaceTokenizer t = HuggingFaceTokenizer.open(SharedModels.model(SharedModels.STORIES_260K))) {
      TextGenerator g = TextGenerator.builder(backend(500)).tokenizer(t).build();
      GenerationResult r = g.generate(new long[][] {{1, 30}}, GenerationConfig.builder().maxNewTokens(8)
          .stopStrings("</s>").build());
      assertThat(r.first().finishReason()).isEqualTo(FinishReason.STOP_STRING);
      assertThat(r.first().generatedLength()).isEqualTo(3);
      // an occurrence only in the prompt never counts
      GenerationResult inPrompt = g.generate(new long[][] {{1, 2, 30}}, GenerationConfig.builder().maxNewTokens(1)
          .stopStrings("</s>").build());
      assertThat(inPrompt.first().finishReason()).isEqualTo(FinishReason.LENGTH);
    }
  }

  @Test
  void anyOfSeveralEosIdsEndsAChatTurn() {
    try (HuggingFaceTokenizer t = HuggingFaceTokenizer.open(ChatApiTestSupport.chatmlStories())) {
      // the model's EOS list holds 7 and 2: the turn ends on 2 (as Llama 3 ends on <|eot_id|>)
      TextGenerator g = TextGenerator.builder(backend(7, 2)).tokenizer(t).build();
      ChatResult r = g.chat(List.of(ChatMessage.user("Hi")), GenerationConfig.builder().maxNewTokens(8).build());
      assertThat(r.finishReason()).isEqualTo(FinishReason.EOS);
      assertThat(r.text()).doesNotContain("</s>");
    }
  }
}
