package io.costgen.springai;

import io.costgen.core.FinishReason;
import io.costgen.core.remote.RemoteCall;
import io.costgen.core.remote.RemoteCallGuard;
import io.costgen.core.remote.RemoteUsage;
import io.costgen.cost.CallContext;
import io.costgen.cost.CostReport;
import io.costgen.cost.budget.BudgetExceededException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.DefaultChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import reactor.core.publisher.Flux;

/**
 * Costgen budgets, ledger and cost listeners around ANY Spring AI {@link ChatModel} (OpenAI,
 * Anthropic, Ollama… or costgen's own), through a {@link RemoteCallGuard}: the worst case is
 * reserved before the wrapped model is called, a hard budget that cannot hold it refuses with
 * {@link BudgetExceededException} (nothing is sent), the provider's reported usage is settled
 * afterwards, and failed or cancelled calls still settle.
 *
 * <pre>{@code
 * ChatModel guarded = BudgetedChatModel.builder(openAiChatModel, guard).defaultTenantId("acme").build();
 * }</pre>
 *
 * <p>The tenant comes from {@link CostgenChatOptions} in the prompt, else the builder's default.
 * The output limit sent to the wrapped model is the prompt's {@code maxTokens} (else the wrapped
 * model's default, else {@link Builder#defaultMaxTokens}), lowered when a {@code shrink} budget
 * grants fewer; options types without a {@code setMaxTokens} are refused when the limit must
 * change. The response metadata gains {@value #COST_KEY} → the {@link CostReport}; a stream's
 * last chunk carries it. Thread-safe when the wrapped model is.
 */
public final class BudgetedChatModel implements ChatModel {

  /** Response metadata key of the call's {@link CostReport}. */
  public static final String COST_KEY = "costgen.cost";
  /** Output limit when neither the prompt nor the wrapped model sets one. */
  public static final int DEFAULT_MAX_TOKENS = 1024;

  private final ChatModel delegate;
  private final RemoteCallGuard guard;
  private final String defaultTenantId;
  private final Map<String, String> defaultTags;
  private final int defaultMaxTokens;

  private BudgetedChatModel(Builder b) {
    this.delegate = b.delegate;
    this.guard = b.guard;
    this.defaultTenantId = b.defaultTenantId;
    this.defaultTags = Map.copyOf(b.defaultTags);
    this.defaultMaxTokens = b.defaultMaxTokens;
  }

  /** A builder wrapping {@code delegate} with {@code guard}. */
  public static Builder builder(ChatModel delegate, RemoteCallGuard guard) {
    return new Builder(delegate, guard);
  }

  /**
   * Reserves, calls the wrapped model, settles.
   *
   * @throws BudgetExceededException when a hard budget refuses (the wrapped model is not called)
   */
  @Override
  public ChatResponse call(Prompt prompt) {
    Guarded g = begin(prompt);
    ChatResponse r;
    try {
      r = delegate.call(g.forward);
    } catch (RuntimeException | Error e) {
      g.call.fail(e, null);
      throw e;
    }
    return withCost(r, g.call.complete(usageOf(r, g.call), finishOf(r), textOf(r)));
  }

  /** Streams through the wrapped model; a refusal is the Flux's error; the last chunk carries the cost. */
  @Override
  public Flux<ChatResponse> stream(Prompt prompt) {
    return Flux.defer(() -> {
      Guarded g = begin(prompt);
      StringBuilder text = new StringBuilder();
      AtomicReference<ChatResponse> held = new AtomicReference<>();
      AtomicReference<Usage> usage = new AtomicReference<>();
      Flux<ChatResponse> body = delegate.stream(g.forward)
          .doOnNext(r -> {
            g.call.firstToken();
            text.append(textOf(r));
            Usage u = r.getMetadata() == null ? null : r.getMetadata().getUsage();
            if (u != null && u.getPromptTokens() != null && u.getPromptTokens() > 0) {
              usage.set(u);
            }
          })
          .concatMap(r -> {
            ChatResponse previous = held.getAndSet(r);
            return previous == null ? Flux.empty() : Flux.just(previous);
          });
      Flux<ChatResponse> tail = Flux.defer(() -> {
        ChatResponse last = held.get();
        Usage u = usage.get();
        RemoteUsage ru = u == null
            ? RemoteUsage.of(g.call.estimatedInputTokens(), guard.tokenCounter().count(text.toString()))
            : RemoteUsage.of(u.getPromptTokens(), u.getCompletionTokens() == null ? 0 : u.getCompletionTokens());
        String model = last == null || last.getMetadata() == null ? null : last.getMetadata().getModel();
        CostReport report = g.call.complete(ru.withModel(model), last == null ? FinishReason.EOS : finishOf(last),
            text.toString());
        ChatResponse base = last != null ? last : new ChatResponse(List.of(new Generation(new AssistantMessage(""))));
        return Flux.just(withCost(base, report));
      });
      return body.concatWith(tail)
          .doOnError(e -> g.call.fail(e, null))
          .doOnCancel(() -> g.call.cancel(null, text.toString()));
    });
  }

  @Override
  public ChatOptions getDefaultOptions() {
    return delegate.getDefaultOptions();
  }

  // ---------------------------------------------------------------- internals

  private record Guarded(RemoteCall call, Prompt forward) {}

  private Guarded begin(Prompt prompt) {
    ChatOptions options = prompt.getOptions();
    ChatOptions defaults = delegate.getDefaultOptions();
    String model = firstNonNull(options == null ? null : options.getModel(), defaults == null ? null : defaults.getModel());
    if (model == null || model.isEmpty()) {
      throw new IllegalArgumentException("model: neither the prompt's options nor the wrapped model's defaults name "
          + "a model; the remote-call guard prices calls by model name");
    }
    Integer requested = firstNonNull(options == null ? null : options.getMaxTokens(),
        defaults == null ? null : defaults.getMaxTokens());
    int maxTokens = requested != null ? requested : defaultMaxTokens;
    CallContext ctx = CostgenChatOptions.contextOf(options, defaultTenantId, defaultTags);
    List<String> parts = new ArrayList<>();
    for (Message m : prompt.getInstructions()) {
      parts.add(m.toString());
    }
    if (options != null && !(options instanceof DefaultChatOptions)) {
      parts.add(options.toString()); // provider options may carry tool definitions
    }
    RemoteCall call = guard.begin(ctx, model, guard.estimateInputTokens(parts), maxTokens);
    int granted = (int) call.grantedOutputTokens();
    ChatOptions forwarded;
    try {
      forwarded = forwardOptions(options, model, granted, granted != maxTokens || requested == null);
    } catch (RuntimeException e) {
      call.fail(e, RemoteUsage.of(0, 0));
      throw e;
    }
    return new Guarded(call, new Prompt(prompt.getInstructions(), forwarded));
  }

  private static ChatOptions forwardOptions(ChatOptions options, String model, int maxTokens, boolean mustSet) {
    if (options == null || options instanceof CostgenChatOptions) {
      DefaultChatOptions d = new DefaultChatOptions();
      CostgenChatOptions.copyPortable(options, d);
      d.setModel(model);
      d.setMaxTokens(maxTokens);
      return d;
    }
    ChatOptions copy = options.copy();
    try {
      Method set = copy.getClass().getMethod("setMaxTokens", Integer.class);
      set.invoke(copy, maxTokens);
    } catch (ReflectiveOperationException e) {
      if (mustSet) {
        throw new IllegalArgumentException("options: " + copy.getClass().getName() + " has no setMaxTokens(Integer), "
            + "so the guard cannot send the output limit " + maxTokens + "; set maxTokens in the options", e);
      }
    }
    return copy;
  }

  static ChatResponse withCost(ChatResponse r, CostReport report) {
    return ChatResponse.builder().from(r).metadata(COST_KEY, report).build();
  }

  private RemoteUsage usageOf(ChatResponse r, RemoteCall call) {
    Usage u = r.getMetadata() == null ? null : r.getMetadata().getUsage();
    Integer in = u == null ? null : u.getPromptTokens();
    Integer out = u == null ? null : u.getCompletionTokens();
    long input = in != null && in > 0 ? in : call.estimatedInputTokens();
    long output = out != null && (out > 0 || (in != null && in > 0)) ? out : guard.tokenCounter().count(textOf(r));
    return RemoteUsage.of(input, output).withModel(r.getMetadata() == null ? null : r.getMetadata().getModel());
  }

  static String textOf(ChatResponse r) {
    StringBuilder b = new StringBuilder();
    if (r.getResults() != null) {
      for (Generation g : r.getResults()) {
        if (g.getOutput() != null && g.getOutput().getText() != null) {
          b.append(g.getOutput().getText());
        }
      }
    }
    return b.toString();
  }

  static FinishReason finishOf(ChatResponse r) {
    Generation g = r.getResult();
    String f = g == null || g.getMetadata() == null ? null : g.getMetadata().getFinishReason();
    if (f == null) {
      return FinishReason.EOS;
    }
    String s = f.toLowerCase(Locale.ROOT);
    return s.equals("length") || s.equals("max_tokens") ? FinishReason.LENGTH : FinishReason.EOS;
  }

  private static <T> T firstNonNull(T a, T b) {
    return a != null ? a : b;
  }

  /** The cost report a response carries, if it went through costgen. */
  public static Optional<CostReport> costOf(ChatResponse r) {
    Object v = r.getMetadata() == null ? null : r.getMetadata().get(COST_KEY);
    return v instanceof CostReport c ? Optional.of(c) : Optional.empty();
  }

  /** Builder. Not thread-safe. */
  public static final class Builder {
    private final ChatModel delegate;
    private final RemoteCallGuard guard;
    private String defaultTenantId;
    private final Map<String, String> defaultTags = new LinkedHashMap<>();
    private int defaultMaxTokens = DEFAULT_MAX_TOKENS;

    private Builder(ChatModel delegate, RemoteCallGuard guard) {
      this.delegate = Objects.requireNonNull(delegate, "delegate");
      this.guard = Objects.requireNonNull(guard, "guard");
    }

    /** Tenant of prompts that name none. */
    public Builder defaultTenantId(String v) { this.defaultTenantId = v == null ? null : CallContext.validateTenantId(v); return this; }
    /** Tags of every call (a prompt's tags override same keys). */
    public Builder defaultTags(Map<String, String> v) { this.defaultTags.putAll(v); return this; }

    /** Output limit when the prompt and the wrapped model set none (1..10,000,000). */
    public Builder defaultMaxTokens(int v) {
      if (v < 1 || v > 10_000_000) {
        throw new IllegalArgumentException("defaultMaxTokens: " + v + " must be in [1, 10000000]");
      }
      this.defaultMaxTokens = v;
      return this;
    }

    public BudgetedChatModel build() {
      return new BudgetedChatModel(this);
    }
  }
}
