package io.costgen.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import io.costgen.core.remote.RemoteCallGuard;
import io.costgen.cost.budget.BudgetExceededException;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The streaming twin of {@link BudgetedChatModel}: costgen budgets, ledger and cost listeners
 * around ANY LangChain4j {@link StreamingChatModel}.
 *
 * <p>A budget refusal is delivered to the handler's {@code onError} as a
 * {@link BudgetExceededException} (the wrapped model is not called). Cancelling through the
 * {@code StreamingHandle} of a partial response cancels the wrapped stream and settles the input
 * estimate plus the tokens streamed so far (counted by the guard's {@code TokenCounter}); a
 * completed stream settles the provider's {@code TokenUsage}; a failed one the input estimate.
 * The final response's metadata is a {@link CostgenChatResponseMetadata}. Thread-safe when the
 * wrapped model is.
 */
public final class BudgetedStreamingChatModel implements StreamingChatModel {

  private final StreamingChatModel delegate;
  private final RemoteCallGuard guard;
  private final TokenCountEstimator estimator;
  private final int defaultMaxOutputTokens;
  private final CostgenChatRequestParameters defaults;
  private final List<ChatModelListener> listeners;

  private BudgetedStreamingChatModel(Builder b) {
    this.delegate = Objects.requireNonNull(b.delegate, "delegate");
    this.guard = Objects.requireNonNull(b.guard, "guard");
    this.estimator = b.estimator;
    this.defaultMaxOutputTokens = b.defaultMaxOutputTokens;
    this.defaults = BudgetedChatModel.defaults(delegate.defaultRequestParameters(), b.tenantId, b.tags);
    this.listeners = List.copyOf(b.listeners);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
    GuardedRequest g;
    try {
      g = GuardedRequest.begin(guard, estimator, defaultMaxOutputTokens, request);
    } catch (BudgetExceededException e) {
      handler.onError(e);
      return;
    }
    try {
      delegate.chat(g.forward, new GuardedHandler(g, handler));
    } catch (RuntimeException | Error e) {
      g.call.fail(e, null);
      throw e;
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

  @Override
  public ModelProvider provider() {
    return delegate.provider();
  }

  @Override
  public Set<Capability> supportedCapabilities() {
    return delegate.supportedCapabilities();
  }

  /** Settles the call when the wrapped stream ends, fails or is cancelled. */
  private static final class GuardedHandler implements StreamingChatResponseHandler {
    private final GuardedRequest g;
    private final StreamingChatResponseHandler user;
    private final StringBuilder text = new StringBuilder();

    GuardedHandler(GuardedRequest g, StreamingChatResponseHandler user) {
      this.g = g;
      this.user = user;
    }

    private void received(String s) {
      g.call.firstToken();
      synchronized (text) {
        text.append(s);
      }
    }

    private StreamingHandle wrap(StreamingHandle h) {
      return new StreamingHandle() {
        @Override
        public void cancel() {
          h.cancel();
          String soFar;
          synchronized (text) {
            soFar = text.toString();
          }
          g.call.cancel(null, soFar);
        }

        @Override
        public boolean isCancelled() {
          return h.isCancelled();
        }
      };
    }

    @Override
    public void onPartialResponse(String partialResponse) {
      received(partialResponse);
      user.onPartialResponse(partialResponse);
    }

    @Override
    public void onPartialResponse(PartialResponse partialResponse, PartialResponseContext context) {
      received(partialResponse.text());
      user.onPartialResponse(partialResponse, new PartialResponseContext(wrap(context.streamingHandle())));
    }

    @Override
    public void onPartialThinking(PartialThinking partialThinking) {
      user.onPartialThinking(partialThinking);
    }

    @Override
    public void onPartialThinking(PartialThinking partialThinking, PartialThinkingContext context) {
      user.onPartialThinking(partialThinking, new PartialThinkingContext(wrap(context.streamingHandle())));
    }

    @Override
    public void onPartialToolCall(PartialToolCall partialToolCall) {
      user.onPartialToolCall(partialToolCall);
    }

    @Override
    public void onPartialToolCall(PartialToolCall partialToolCall, PartialToolCallContext context) {
      user.onPartialToolCall(partialToolCall, new PartialToolCallContext(wrap(context.streamingHandle())));
    }

    @Override
    public void onCompleteToolCall(CompleteToolCall completeToolCall) {
      user.onCompleteToolCall(completeToolCall);
    }

    @Override
    public void onUnmappedRawEvent(Object rawEvent) {
      user.onUnmappedRawEvent(rawEvent);
    }

    @Override
    public void onCompleteResponse(ChatResponse completeResponse) {
      user.onCompleteResponse(g.complete(completeResponse));
    }

    @Override
    public void onError(Throwable error) {
      g.call.fail(error, null);
      user.onError(error);
    }
  }

  /** Builder; the shared settings are in {@link BudgetedModelBuilder}. Not thread-safe. */
  public static final class Builder extends BudgetedModelBuilder<StreamingChatModel, BudgetedStreamingChatModel, Builder> {
    private Builder() {}

    @Override
    public BudgetedStreamingChatModel build() {
      return new BudgetedStreamingChatModel(this);
    }
  }
}
