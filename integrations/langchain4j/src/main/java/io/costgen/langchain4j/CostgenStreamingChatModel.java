package io.costgen.langchain4j;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import io.costgen.core.Cancellation;
import io.costgen.core.FinishReason;
import io.costgen.core.TextGenerator;
import io.costgen.core.chat.ChatResult;
import io.costgen.cost.budget.BudgetExceededException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * The streaming twin of {@link CostgenChatModel}: tokens arrive as partial responses while the
 * local model generates, the final response carries the cost
 * ({@link CostgenChatResponseMetadata}), and cancelling through the partial response's
 * {@link StreamingHandle} cancels the forward pass (the call then settles what it generated and
 * no completion callback follows).
 *
 * <p>Generation runs on the builder's {@link Executor} (default: a cached pool of daemon
 * threads), so {@code chat(...)} returns at once. Errors, budget refusals
 * ({@link BudgetExceededException}) and unsupported parameters reach the handler's
 * {@code onError}. Thread-safe.
 */
public final class CostgenStreamingChatModel implements StreamingChatModel {

  private static final ExecutorService DEFAULT_EXECUTOR = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "costgen-langchain4j-stream");
    t.setDaemon(true);
    return t;
  });

  private final TextGenerator generator;
  private final String modelName;
  private final CostgenChatRequestParameters defaults;
  private final List<ChatModelListener> listeners;
  private final Executor executor;

  private CostgenStreamingChatModel(Builder b) {
    this.generator = b.generator;
    this.modelName = b.generator.modelInfo().name();
    this.defaults = CostgenChatRequestParameters.builder().modelName(modelName).tenantId(b.tenantId).tags(b.tags).build();
    this.listeners = List.copyOf(b.listeners);
    this.executor = b.executor;
  }

  public static Builder builder(TextGenerator generator) {
    return new Builder(generator);
  }

  @Override
  public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
    Cancellation cancellation = Cancellation.create();
    StreamingHandle handle = new StreamingHandle() {
      @Override public void cancel() { cancellation.cancel(); }
      @Override public boolean isCancelled() { return cancellation.isCancelled(); }
    };
    io.costgen.core.chat.ChatRequest r;
    try {
      r = ChatMapping.request(request, modelName)
          .cancellation(cancellation)
          .onToken(t -> {
            if (!t.text().isEmpty() && !cancellation.isCancelled()) {
              handler.onPartialResponse(new PartialResponse(t.text()), new PartialResponseContext(handle));
            }
          })
          .build();
    } catch (RuntimeException e) {
      handler.onError(e);
      return;
    }
    try {
      executor.execute(() -> {
        ChatResult result;
        try {
          result = generator.chat(r);
        } catch (RuntimeException | Error e) {
          if (!cancellation.isCancelled()) {
            handler.onError(e);
          }
          return;
        }
        if (result.finishReason() != FinishReason.CANCELLED && !cancellation.isCancelled()) {
          handler.onCompleteResponse(ChatMapping.response(result, modelName, r.context()));
        }
      });
    } catch (RejectedExecutionException e) {
      handler.onError(e);
    }
  }

  @Override
  public ChatRequestParameters defaultRequestParameters() {
    return defaults;
  }

  @Override
  public List<ChatModelListener> listeners() {
    return listeners;
  }

  /** Builder. Not thread-safe. */
  public static final class Builder {
    private final TextGenerator generator;
    private String tenantId;
    private final Map<String, String> tags = new LinkedHashMap<>();
    private final List<ChatModelListener> listeners = new ArrayList<>();
    private Executor executor = DEFAULT_EXECUTOR;

    private Builder(TextGenerator generator) {
      this.generator = Objects.requireNonNull(generator, "generator");
    }

    /** Tenant of requests that name none (default: anonymous). */
    public Builder defaultTenantId(String v) { this.tenantId = v; return this; }
    /** Tags of every call. */
    public Builder defaultTags(Map<String, String> v) { this.tags.putAll(v); return this; }
    /** LangChain4j listeners. */
    public Builder listeners(List<ChatModelListener> v) { this.listeners.addAll(v); return this; }
    /** Where generation runs (e.g. a virtual-thread executor on Java 21+; {@code Runnable::run} runs it on the caller). */
    public Builder executor(Executor v) { this.executor = Objects.requireNonNull(v, "executor"); return this; }

    public CostgenStreamingChatModel build() {
      return new CostgenStreamingChatModel(this);
    }
  }
}
