package io.costgen.langchain4j;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.costgen.core.TextGenerator;
import io.costgen.core.chat.ChatResult;
import io.costgen.cost.CallContext;
import io.costgen.cost.budget.BudgetExceededException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A LangChain4j {@link ChatModel} backed by a costgen {@link TextGenerator}: messages and tool
 * specifications go through the model's chat template ({@code TextGenerator.chat}), tool calls
 * come back as {@code ToolExecutionRequest}s, and every response's metadata is a
 * {@link CostgenChatResponseMetadata} carrying the call's {@code CostReport}.
 *
 * <pre>{@code
 * ChatModel model = CostgenChatModel.builder(generator).defaultTenantId("acme").build();
 * String answer = model.chat("Hello");
 * }</pre>
 *
 * <p>Parameters: {@code temperature} (0 = greedy, &gt; 0 samples), {@code topP}, {@code topK},
 * {@code maxOutputTokens}, {@code stopSequences}, {@code toolSpecifications} and
 * {@code toolChoice} AUTO/NONE are mapped; frequency/presence penalties, {@code toolChoice=REQUIRED}
 * and JSON response formats are refused with {@link IllegalArgumentException}; unset ones take
 * the model's generation defaults. The tenant and tags travel in the request as
 * {@link CostgenChatRequestParameters}, defaulting to the builder's. The generator's budgets
 * apply: a refusal throws {@link BudgetExceededException}. LangChain4j {@link ChatModelListener}s
 * given to the builder fire as for any provider. Thread-safe.
 */
public final class CostgenChatModel implements ChatModel {

  private final TextGenerator generator;
  private final String modelName;
  private final CostgenChatRequestParameters defaults;
  private final List<ChatModelListener> listeners;

  private CostgenChatModel(Builder b) {
    this.generator = b.generator;
    this.modelName = b.generator.modelInfo().name();
    this.defaults = CostgenChatRequestParameters.builder().modelName(modelName).tenantId(b.tenantId).tags(b.tags).build();
    this.listeners = List.copyOf(b.listeners);
  }

  /** A builder over {@code generator} (which needs a tokenizer and a chat template). */
  public static Builder builder(TextGenerator generator) {
    return new Builder(generator);
  }

  /**
   * Runs the conversation on the local model.
   *
   * @throws BudgetExceededException when a hard budget refuses the call
   * @throws IllegalArgumentException for unsupported parameters or content
   */
  @Override
  public ChatResponse doChat(ChatRequest request) {
    io.costgen.core.chat.ChatRequest.Builder b = ChatMapping.request(request, modelName);
    io.costgen.core.chat.ChatRequest r = b.build();
    CallContext ctx = r.context();
    ChatResult result = generator.chat(r);
    return ChatMapping.response(result, modelName, ctx);
  }

  @Override
  public ChatRequestParameters defaultRequestParameters() {
    return defaults;
  }

  @Override
  public List<ChatModelListener> listeners() {
    return listeners;
  }

  /** The generator behind this model. */
  public TextGenerator generator() {
    return generator;
  }

  /** Builder. Not thread-safe. */
  public static final class Builder {
    private final TextGenerator generator;
    private String tenantId;
    private final Map<String, String> tags = new LinkedHashMap<>();
    private final List<ChatModelListener> listeners = new ArrayList<>();

    private Builder(TextGenerator generator) {
      this.generator = Objects.requireNonNull(generator, "generator");
    }

    /** Tenant of requests that name none (default: anonymous). */
    public Builder defaultTenantId(String v) { this.tenantId = v; return this; }
    /** Tags of every call (a request's tags override same keys). */
    public Builder defaultTags(Map<String, String> v) { this.tags.putAll(v); return this; }
    /** LangChain4j listeners (onRequest / onResponse / onError). */
    public Builder listeners(List<ChatModelListener> v) { this.listeners.addAll(v); return this; }

    public CostgenChatModel build() {
      return new CostgenChatModel(this);
    }
  }
}
