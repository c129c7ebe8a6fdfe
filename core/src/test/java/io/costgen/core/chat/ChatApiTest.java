package io.costgen.core.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.costgen.core.GenerationConfig;
import io.costgen.core.StreamedToken;
import io.costgen.core.TextGenerator;
import io.costgen.core.testing.SharedModels;
import io.costgen.core.testing.ToyBackend;
import io.costgen.core.tokenizer.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TextGenerator.chat over a toy backend with stories260k's tokenizer and a ChatML template. */
class ChatApiTest {
  @TempDir
  static Path dir;
  static HuggingFaceTokenizer tokenizer;

  /** A model folder: stories260k's tokenizer.json beside the test resource's tokenizer_config.json (ChatML). */
  static Path chatmlStories(Path into) throws IOException {
    Files.copy(SharedModels.model(SharedModels.STORIES_260K).resolve("tokenizer.json"), into.resolve("tokenizer.json"));
    try (InputStream in = ChatApiTest.class.getResourceAsStream("/chat/stories260k-chatml/tokenizer_config.json")) {
      Files.copy(in, into.resolve("tokenizer_config.json"));
    }
    return into;
  }

  @BeforeAll
  static void open() throws IOException {
    tokenizer = HuggingFaceTokenizer.open(chatmlStories(dir));
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  private static TextGenerator generator() {
    return TextGenerator.builder(ToyBackend.builder().vocabSize(512).contextLength(512).build()).tokenizer(tokenizer)
        .build();
  }

  @Test
  void chatRendersTheModelsTemplateAndReturnsAnAssistantMessage() {
    TextGenerator g = generator();
    ChatResult r = g.chat(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi")),
        GenerationConfig.builder().maxNewTokens(5).build());
    assertThat(r.prompt()).isEqualTo("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
        + "<|im_start|>assistant\n");
    assertThat(r.message().role()).isEqualTo(ChatRole.ASSISTANT);
    assertThat(r.usage().completionTokens()).isEqualTo(5);
    long[] ids = r.generation().first().tokenIds();
    long[] generated = java.util.Arrays.copyOfRange(ids, r.generation().first().promptLength(), ids.length);
    assertThat(r.rawText()).isEqualTo(tokenizer.decode(generated, true));
    assertThat(r.text()).isEqualTo(r.rawText());
    assertThat(r.toolCallsMalformed()).isFalse();
    assertThat(r.finishReason()).isEqualTo(io.costgen.core.FinishReason.LENGTH);
  }

  @Test
  void promptIsTokenizedWithoutAddingSpecialTokens() {
    TextGenerator g = generator();
    ChatResult r = g.chat(List.of(ChatMessage.user("Hi")), GenerationConfig.builder().maxNewTokens(1).build());
    long[] withBos = tokenizer.encode(r.prompt());
    long[] without = tokenizer.encode(r.prompt(), false);
    assertThat(withBos[0]).isEqualTo(1L); // the tokenizer's own BOS
    assertThat(without[0]).isNotEqualTo(1L);
    assertThat(r.usage().promptTokens()).isEqualTo(without.length);
  }

  @Test
  void templateWritingBosGivesExactlyOneBos() {
    ChatTemplate t = ChatTemplate.of("{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}")
        .withVariables(ChatTemplate.specialTokenVariables(dir));
    TextGenerator g = TextGenerator.builder(ToyBackend.builder().vocabSize(512).contextLength(512).build())
        .tokenizer(tokenizer).chatTemplate(t).build();
    ChatRequest req = ChatRequest.builder().addMessage(ChatMessage.user("Once upon a time")).build();
    String prompt = g.renderChat(req);
    assertThat(prompt).isEqualTo("<s>Once upon a time");
    long[] ids = g.tokenizeChatPrompt(prompt);
    assertThat(ids[0]).isEqualTo(1L);
    assertThat(ids[1]).isNotEqualTo(1L); // the pitfall: encode(prompt) would give <s><s>
    assertThat(tokenizer.encode(prompt)[1]).isEqualTo(1L);
  }

  @Test
  void streamingChatGivesTokensThenTheResult() {
    TextGenerator g = generator();
    List<StreamedToken> seen = new ArrayList<>();
    try (ChatStream s = g.streamChat(ChatRequest.builder().addMessage(ChatMessage.user("Hi"))
        .config(GenerationConfig.builder().maxNewTokens(4).build()).build())) {
      s.forEachRemaining(seen::add);
      ChatResult r = s.result();
      assertThat(seen).hasSize(4);
      StringBuilder text = new StringBuilder();
      seen.forEach(t -> text.append(t.text()));
      assertThat(r.usage().completionTokens()).isEqualTo(4);
      assertThat(r.generation().first().completion()).isEqualTo(text.toString());
    }
  }

  @Test
  void requestTemplateAndVariablesOverrideTheModels() {
    TextGenerator g = generator();
    ChatRequest req = ChatRequest.builder().addMessage(ChatMessage.user("x"))
        .template(ChatTemplate.of("{{ greeting }} {{ messages[0].content }}{% if add_generation_prompt %}!{% endif %}"))
        .variable("greeting", "hello").addGenerationPrompt(false).build();
    assertThat(g.renderChat(req)).isEqualTo("hello x");
  }

  @Test
  void missingTemplateNamesWhereItLooked(@TempDir Path empty) throws IOException {
    Files.copy(SharedModels.model(SharedModels.STORIES_260K).resolve("tokenizer.json"), empty.resolve("tokenizer.json"));
    try (HuggingFaceTokenizer t = HuggingFaceTokenizer.open(empty)) {
      TextGenerator g = TextGenerator.builder(ToyBackend.builder().vocabSize(512).build()).tokenizer(t).build();
      assertThatThrownBy(() -> g.chat(List.of(ChatMessage.user("x")), GenerationConfig.defaults()))
          .isInstanceOf(ChatTemplateException.class)
          .hasMessageContaining(empty.toString())
          .hasMessageContaining("chat_template.jinja")
          .hasMessageContaining("tokenizer_config.json");
    }
  }

  @Test
  void chatWithoutTokenizerIsRefused() {
    TextGenerator g = TextGenerator.builder(ToyBackend.builder().vocabSize(512).build()).build();
    assertThatThrownBy(() -> g.chat(List.of(ChatMessage.user("x")), GenerationConfig.defaults()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("tokenizer");
  }

  @Test
  void toolCallsAreParsedOnlyWhenToolsWereGiven() {
    ToolCallParser fixed = text -> new ParsedToolCalls("", List.of(new ToolCall("call_0", "f", "{}")), false);
    TextGenerator g = TextGenerator.builder(ToyBackend.builder().vocabSize(512).contextLength(512).build())
        .tokenizer(tokenizer).toolCallParser(fixed).build();
    ChatRequest.Builder b = ChatRequest.builder().addMessage(ChatMessage.user("x"))
        .config(GenerationConfig.builder().maxNewTokens(2).build());
    assertThat(g.chat(b.build()).message().toolCalls()).isEmpty();
    ChatResult withTools = g.chat(b.addTool(ToolSpecification.builder("f").build()).build());
    assertThat(withTools.message().toolCalls()).containsExactly(new ToolCall("call_0", "f", "{}"));
  }

  @Test
  void aThrowingParserGivesMalformedNotAnException() {
    TextGenerator g = TextGenerator.builder(ToyBackend.builder().vocabSize(512).contextLength(512).build())
        .tokenizer(tokenizer).toolCallParser(text -> {
          throw new IllegalStateException("boom");
        }).build();
    ChatResult r = g.chat(ChatRequest.builder().addMessage(ChatMessage.user("x"))
        .addTool(ToolSpecification.builder("f").build())
        .config(GenerationConfig.builder().maxNewTokens(2).build()).build());
    assertThat(r.toolCallsMalformed()).isTrue();
    assertThat(r.text()).isEqualTo(r.rawText());
  }
}
