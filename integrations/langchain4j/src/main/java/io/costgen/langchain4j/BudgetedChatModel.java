package io.costgen.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.costgen.core.remote.RemoteCallGuard;
import io.costgen.cost.budget.BudgetExceededException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Costgen budgets, ledger and cost listeners around ANY LangChain4j {@link ChatModel} — OpenAI,
 * Anthropic, Ollama, or costgen's own. Each call reserves its worst case through a
 * {@link RemoteCallGuard} before the wrapped model is called, is refused with
 * {@link BudgetExceededException} when a hard budget cannot hold it (nothing is sent), and is
 * settled with the provider's reported {@code TokenUsage} afterwards (a failed call settles the
 * input estimate).
 *
 * <pre>{@code
 * ChatModel guarded = BudgetedChatModel.builder()
 *     .delegate(openAiModel)
 *     .guard(RemoteCallGuard.builder().budgets(budgets).meter(ledger).build())
 *     .defaultTenantId("acme")
 *     .build();
 * }</pre>
 *
 * <p>The tenant and tags come from {@link CostgenChatRequestParameters} in the request, else the
 * builder's defaults. The output limit sent to the wrapped model is the request's
 * {@code maxOutputTokens} (else {@link Builder#defaultMaxOutputTokens}), lowered when a
 * {@code SHRINK} budget grants fewer. The response's metadata is a
 * {@link CostgenChatResponseMetadata} carrying the cost, with the provider's metadata inside.
 *
 * <p>The wrapped model's listeners fire as usual; listeners given to this builder fire around
 * the guarded call. Thread-safe when the wrapped model is.
 */
public final class BudgetedChatModel implements ChatModel {

  /** Output-token limit used when neither the request nor the wrapped model sets one. */
  public static final int DEFAULT_MAX_OUTPUT_TOKENS = 1024;

  private final ChatModel delegate;
  private final RemoteCallGuard guard;
  private final TokenCountEstimator estimator;
  private final int defaultMaxOutputTokens;
  private final CostgenChatRequestParameters defaults;
  private final List<ChatModelListener> listeners;

  private BudgetedChatModel(Builder b) {
    this.delegate = Objects.requireNonNull(b.delegate, "delegate");
    this.guard = Objects.requireNonNull(b.guard, "guard");
    this.estimator = b.estimator;
    this.defaultMaxOutputTokens = b.defaultMaxOutputTokens;
    this.defaults = defaults(delegate.defaultRequestParameters(), b.tenantId, b.tags);
    this.listeners = List.copyOf(b.listeners);
  }

  public static Builder builder() {
    return new Builder();
  }

  static CostgenChatRequestParameters defaults(ChatRequestParameters delegateDefaults, String tenantId,
      Map<String, String> tags) {
    return CostgenChatRequestParameters.builder().overrideWith(delegateDefaults).tenantId(tenantId).tags(tags).build();
  }

  /**
   * Reserves, calls the wrapped model, settles.
   *
   * @throws BudgetExceededException when a hard budget refuses the call (the wrapped model is not called)
   */
  @Override
  public ChatResponse doChat(ChatRequest request) {
    GuardedRequest g = GuardedRequest.begin(guard, estimator, defaultMaxOutputTokens, request);
    ChatResponse response;
    try {
      response = delegate.chat(g.forward);
    } catch (RuntimeException | Error e) {
      g.call.fail(e, null);
      throw e;
    }
    return g.complete(response);
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

  /** Builder; the shared settings are in {@link BudgetedModelBuilder}. Not thread-safe. */
  public static final class Builder extends BudgetedModelBuilder<ChatModel, BudgetedChatModel, Builder> {
    private Builder() {}

    @Override
    public BudgetedChatModel build() {
      return new BudgetedChatModel(this);
    }
  }
}
