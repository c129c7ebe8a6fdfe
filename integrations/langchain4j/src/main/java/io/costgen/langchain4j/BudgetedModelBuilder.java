package io.costgen.langchain4j;

import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import io.costgen.core.remote.RemoteCallGuard;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The settings {@link BudgetedChatModel.Builder} and {@link BudgetedStreamingChatModel.Builder}
 * share: the wrapped model, the guard, input token counting, defaults and listeners. Not
 * thread-safe.
 *
 * @param <D> the wrapped model type
 * @param <M> the budgeted model built
 * @param <B> the concrete builder (setters return it)
 */
public abstract class BudgetedModelBuilder<D, M, B extends BudgetedModelBuilder<D, M, B>> {
  D delegate;
  RemoteCallGuard guard;
  TokenCountEstimator estimator;
  int defaultMaxOutputTokens = BudgetedChatModel.DEFAULT_MAX_OUTPUT_TOKENS;
  String tenantId;
  final Map<String, String> tags = new LinkedHashMap<>();
  final List<ChatModelListener> listeners = new ArrayList<>();

  BudgetedModelBuilder() {}

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /** The model to guard (required). */
  public B delegate(D v) {
    this.delegate = Objects.requireNonNull(v, "delegate");
    return self();
  }

  /** Prices, budgets, meter and cost listeners (required). */
  public B guard(RemoteCallGuard v) {
    this.guard = Objects.requireNonNull(v, "guard");
    return self();
  }

  /**
   * Counts input tokens with the remote model's own tokenizer (e.g. LangChain4j's
   * {@code OpenAiTokenCountEstimator}); default: the guard's conservative {@code TokenCounter}.
   */
  public B tokenCountEstimator(TokenCountEstimator v) {
    this.estimator = v;
    return self();
  }

  /** Tenant of requests that name none. */
  public B defaultTenantId(String v) {
    this.tenantId = v;
    return self();
  }

  /** Tags added to every call (a request's tags override same keys). */
  public B defaultTags(Map<String, String> v) {
    this.tags.putAll(v);
    return self();
  }

  /** LangChain4j listeners around the guarded call (the wrapped model keeps its own). */
  public B listeners(List<ChatModelListener> v) {
    this.listeners.addAll(v);
    return self();
  }

  /**
   * Output limit when the request and the wrapped model set none (1..10,000,000; default
   * {@value BudgetedChatModel#DEFAULT_MAX_OUTPUT_TOKENS}).
   */
  public B defaultMaxOutputTokens(int v) {
    if (v < 1 || v > 10_000_000) {
      throw new IllegalArgumentException("defaultMaxOutputTokens: " + v + " must be in [1, 10000000]");
    }
    this.defaultMaxOutputTokens = v;
    return self();
  }

  /** Builds the model. */
  public abstract M build();
}
