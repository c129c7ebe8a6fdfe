package io.costgen.onnx.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.FinishReason;
import io.costgen.core.GenerationConfig;
import io.costgen.core.StreamedToken;
import io.costgen.core.TextGenerator;
import io.costgen.core.chat.ChatMessage;
import io.costgen.core.chat.ChatRequest;
import io.costgen.core.chat.ChatResult;
import io.costgen.core.chat.ChatStream;
import io.costgen.core.chat.ChatTemplate;
import io.costgen.core.testing.SharedModels;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TextGenerator.chat end to end on the three shared test models. */
class ChatE2eTest {

  static ChatTemplate chatml() throws IOException {
    try (InputStream in = ChatE2eTest.class.getResourceAsStream("/chat/chatml.jinja")) {
      return ChatTemplate.of(new String(in.readAllBytes(), StandardCharsets.UTF_8), "chatml.jinja");
    }
  }

  private static void checkChat(TextGenerator g, ChatRequest request, long bos) {
    String prompt = g.renderChat(request);
    long[] ids = g.tokenizeChatPrompt(prompt);
    ChatResult r = g.chat(request);
    assertThat(r.prompt()).isEqualTo(prompt);
    assertThat(r.usage().promptTokens()).isEqualTo(ids.length);
    long[] all = r.generation().first().tokenIds();
    assertThat(Arrays.copyOf(all, ids.length)).isEqualTo(ids);
    assertThat(r.usage().completionTokens()).isBetween(1L, 6L);
    assertThat(r.finishReason()).isIn(FinishReason.LENGTH, FinishReason.EOS);
    assertThat(Arrays.stream(ids).filter(id -> id == bos).count()).isLessThanOrEqualTo(1);
    // streaming gives the same tokens (greedy)
    StringBuilder text = new StringBuilder();
    try (ChatStream s = g.streamChat(request)) {
      s.forEachRemaining((StreamedToken t) -> text.append(t.text()));
      assertThat(s.result().generation().first().tokenIds()).isEqualTo(all);
      assertThat(text.toString()).isEqualTo(r.generation().first().completion());
    }
  }

  private static ChatRequest request(ChatTemplate template) {
    ChatRequest.Builder b = ChatRequest.builder()
        .messages(List.of(ChatMessage.system("You tell short stories."), ChatMessage.user("Once upon a time")))
        .config(GenerationConfig.builder().maxNewTokens(6).build());
    if (template != null) {
      b.template(template);
    }
    return b.build();
  }

  @Test
  void stories260kWithAChatmlTemplate() throws IOException {
    try (E2eModel m = E2eModel.shared(SharedModels.STORIES_260K)) {
      checkChat(m.generator, request(chatml()), 1);
    }
  }

  @Test
  void tinyRandomGpt2WithAnExplicitTemplate() throws IOException {
    try (E2eModel m = E2eModel.shared(SharedModels.TINY_RANDOM_GPT2)) {
      // the tiny random model's vocabulary is the first 1000 ids of GPT-2's: a template of short tokens
      ChatTemplate plain = ChatTemplate.of("{% for m in messages %}{{ m.content }}\n{% endfor %}"
          + "{% if add_generation_prompt %}a:{% endif %}");
      ChatRequest request = ChatRequest.builder()
          .messages(List.of(ChatMessage.system("a b"), ChatMessage.user("c d")))
          .config(GenerationConfig.builder().maxNewTokens(6).build()).template(plain).build();
      assertThat(m.generator.renderChat(request)).isEqualTo("a b\nc d\na:");
      checkChat(m.generator, request, -1);
    }
  }

  @Test
  void tinyRandomLlamaWithItsOwnTemplateWritesExactlyOneBos() {
    try (E2eModel m = E2eModel.shared(SharedModels.TINY_RANDOM_LLAMA_FP16)) {
      ChatRequest request = request(null);
      String prompt = m.generator.renderChat(request);
      assertThat(prompt).startsWith("<s>[INST] <<SYS>>\nYou tell short stories.\n<</SYS>>\n\nOnce upon a time [/INST]");
      long[] ids = m.generator.tokenizeChatPrompt(prompt);
      long bos = m.tokenizer.encode("<s>", false)[0];
      assertThat(ids[0]).isEqualTo(bos);
      assertThat(ids[1]).isNotEqualTo(bos);
      assertThat(m.tokenizer.encode(prompt)[1]).isEqualTo(bos); // the double-BOS pitfall encode() would hit
      checkChat(m.generator, request, bos);
    }
  }
}
