package io.costgen.core.testing;

import io.costgen.core.TextGenerator;
import io.costgen.core.Tokenizer;
import io.costgen.core.chat.ChatTemplate;
import io.costgen.cost.CostModel;
import io.costgen.cost.Money;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.meter.Meter;
import java.util.Arrays;

/**
 * A deterministic local chat model: a character tokenizer, a ChatML template with Hermes-style
 * tools, and a toy backend whose logits spell a scripted answer after the generation prompt —
 * a tool call while the conversation has no tool result, then the final answer. Used by the
 * LangChain4j and Spring AI adapters' tests (through the core test-jar).
 */
public final class ScriptedChat {

  public static final int OFFSET = 3; // ids 0..2: pad, BOS, EOS
  public static final String GENERATION_PROMPT = "<|im_start|>assistant\n";
  public static final String TOOL_CALL = "<tool_call>\n{\"name\": \"weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>";
  public static final String FINAL_ANSWER = "The weather in Paris is sunny, 21 degrees.";
  public static final String PLAIN_ANSWER = "Hello from costgen";

  public static final String CHATML_WITH_TOOLS = """
      {%- if tools %}<|im_start|>system
      You may call these tools: {{ tools | tojson }}<|im_end|>
      {% endif %}
      {%- for m in messages %}
      {%- if m.role == 'tool' %}<|im_start|>tool
      <tool_response>{{ m.content }}</tool_response><|im_end|>
      {% elif m.role == 'assistant' and m.tool_calls %}<|im_start|>assistant
      {% for tc in m.tool_calls %}<tool_call>{"name": "{{ tc.function.name }}", "arguments": {{ tc.function.arguments | tojson }}}</tool_call>{% endfor %}<|im_end|>
      {% else %}<|im_start|>{{ m.role }}
      {{ m.content }}<|im_end|>
      {% endif %}
      {%- endfor %}
      {%- if add_generation_prompt %}<|im_start|>assistant
      {% endif %}""";

  private ScriptedChat() {}

  /** One id per character (+{@value #OFFSET}); special ids decode to nothing. */
  public static final class CharTokenizer implements Tokenizer {
    @Override
    public long[] encode(String text) {
      return text.chars().mapToLong(c -> c + OFFSET).toArray();
    }

    @Override
    public String decode(long[] ids, boolean skipSpecialTokens) {
      StringBuilder b = new StringBuilder();
      for (long id : ids) {
        if (id >= OFFSET) {
          b.append((char) (id - OFFSET));
        }
      }
      return b.toString();
    }
  }

  public static String answerFor(String conversation) {
    if (conversation.contains("<tool_response>")) {
      return FINAL_ANSWER;
    }
    return conversation.contains("\"weather\"") ? TOOL_CALL : PLAIN_ANSWER;
  }

  public static ToyBackend backend() {
    return ToyBackend.builder().vocabSize(512).contextLength(8192)
        .generationDefaults(java.util.Map.of("max_new_tokens", 256)).logits((tokens, length, out) -> {
      StringBuilder text = new StringBuilder(length);
      for (int i = 0; i < length; i++) {
        text.append(tokens[i] >= OFFSET ? (char) (tokens[i] - OFFSET) : '\u0000');
      }
      int start = text.lastIndexOf(GENERATION_PROMPT);
      String answer = answerFor(text.substring(0, Math.max(0, start)));
      int n = length - (start + GENERATION_PROMPT.length());
      Arrays.fill(out, -10f);
      out[n < answer.length() ? answer.charAt(n) + OFFSET : 2] = 10f;
    }).build();
  }

  /** 1 USD per 1M input tokens, 2 USD per 1M output tokens. */
  public static TextGenerator.Builder generator() {
    return TextGenerator.builder(backend()).tokenizer(new CharTokenizer())
        .chatTemplate(ChatTemplate.of(CHATML_WITH_TOOLS))
        .costModel(CostModel.builder().perMillionTokens(Money.usd("1"), Money.usd("2")).build());
  }

  public static TextGenerator generator(Meter meter, Budgets budgets) {
    TextGenerator.Builder b = generator().meter(meter);
    if (budgets != null) {
      b.budgets(budgets);
    }
    return b.build();
  }
}
