package io.costgen.core;

import io.costgen.core.chat.ChatMessage;
import io.costgen.core.chat.ChatRequest;
import io.costgen.core.chat.ChatResult;
import io.costgen.core.chat.ChatStream;
import io.costgen.core.chat.ChatTemplate;
import io.costgen.core.chat.ChatTemplateException;
import io.costgen.core.chat.ParsedToolCalls;
import io.costgen.core.chat.ToolCallParser;
import io.costgen.core.chat.ToolCallParsers;
import io.costgen.core.spi.DecoderSession;
import io.costgen.core.spi.TransformerBackend;
import io.costgen.core.internal.NativeOffload;
import io.costgen.core.internal.batching.BatchScheduler;
import io.costgen.core.tokenizer.HuggingFaceTokenizer;
import io.costgen.cost.CostModel;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.meter.Meter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The entry point: Hugging Face {@code generate()} semantics (greedy, sampling, beam search, beam
 * sampling; processors, stopping, batching) over any {@link TransformerBackend}, with every call
 * measured ({@link io.costgen.cost.Usage}) and priced ({@link CostModel}).
 *
 * <pre>{@code
 * TextGenerator generator = TextGenerator.builder(backend)
 *     .tokenizer(HuggingFaceTokenizer.open(modelDir))
 *     .defaults(GenerationConfig.builder().maxNewTokens(64).build())
 *     .build();
 * GenerationResult r = generator.generate("Once upon a time");
 * System.out.println(r.completion() + " " + r.usage().completionTokens() + " tokens");
 * }</pre>
 *
 * <p>Configs merge field by field: explicit fields of the call's config win over the generator's
 * {@link Builder#defaults defaults}, which win over the model's {@code generation_config.json}
 * ({@link ModelInfo#generationDefaults()}), which win over Hugging Face's defaults.
 *
 * <p>Cancellation and deadlines do not throw: the call returns what it generated, with
 * {@link FinishReason#CANCELLED} or {@link FinishReason#DEADLINE}. Validation errors
 * ({@link IllegalArgumentException}, {@link PromptTooLongException}, {@link IllegalStateException})
 * are thrown before any work; backend failures as {@link BackendException}.
 *
 * <p>Thread-safe: concurrent calls each open their own backend session. The generator does not
 * own the backend or the tokenizer; close them yourself after the last call.
 *
 * <p>With {@link Builder#batching(BatchingPolicy)}, concurrent calls share forward passes
 * (continuous batching, {@code docs/batching.md}): one scheduler thread per generator runs one
 * decode step for every sequence of every call in flight; new calls are prefilled and join at the
 * next step, finished sequences leave at once. Results are those of the unbatched call (greedy,
 * seeded sampling and beam search alike); each call is still validated, estimated, priced and
 * reported on its own ({@code deviceSeconds} is its share of the measured passes). Callbacks run
 * on the calling thread; custom logits processors and stopping criteria run on the scheduler
 * thread. The scheduler thread (a daemon) starts with the first call and ends when none is left.
 *
 * <p><b>Asynchronous calls</b> ({@code docs/async.md}): {@link #generateAsync(GenerationRequest)}
 * and {@link #chatAsync(ChatRequest)} return {@link CompletableFuture}s, and
 * {@link #publish(GenerationRequest)} / {@link #publishChat(ChatRequest)} stream tokens as a
 * {@link java.util.concurrent.Flow.Publisher} with back-pressure. They run on an executor you pass,
 * or on the generator's internal one, which {@link #close()} shuts down.
 *
 * <p><b>Virtual threads</b> (Java 21+): a call made from a virtual thread runs its backend's
 * forward passes ({@code prefill}, {@code step}, {@code appendRows}) on a bounded pool of platform
 * threads while the virtual thread parks, so native passes never pin a carrier; calls from
 * platform threads run them on the calling thread as before.
 */
public final class TextGenerator implements AutoCloseable {
  private final TransformerBackend backend;
  private final ModelInfo modelInfo;
  private final Tokenizer tokenizer;
  private final GenerationConfig defaults;
  private final CostModel costModel;
  private final List<CostListener> listeners;
  private final Ticker ticker;
  private final Clock clock;
  private final Budgets budgets;
  private final Meter meter;
  private final Duration budgetLease;

  /** Default lease of a budget reservation (see {@link Builder#budgetLease}). */
  public static final Duration DEFAULT_BUDGET_LEASE = Duration.ofMinutes(15);
  private final BatchScheduler scheduler;
  /** Whether a forward pass has completed on this generator's backend (no cold start left). */
  private final java.util.concurrent.atomic.AtomicBoolean warm =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final ChatTemplate chatTemplate;
  private final ToolCallParser toolCallParser;
  private volatile ChatTemplate resolvedTemplate;
  private final AsyncCalls async = new AsyncCalls();

  private TextGenerator(Builder b) {
    // Virtual callers' native passes run on platform threads (no pinned carriers); Java 21+ only.
    this.backend = NativeOffload.wrap(b.backend);
    this.modelInfo = b.backend.modelInfo();
    this.tokenizer = b.tokenizer;
    this.defaults = b.defaults;
    this.costModel = b.costModel;
    this.listeners = List.copyOf(b.listeners);
    this.ticker = b.ticker;
    this.clock = b.clock;
    this.budgets = b.budgets;
    this.meter = b.meter;
    this.budgetLease = b.budgetLease;
    this.scheduler = b.batching == null ? null : BatchScheduler.create(this.backend, b.ticker, b.batching);
    this.chatTemplate = b.chatTemplate;
    this.toolCallParser = b.toolCallParser;
  }

  /** A builder for a generator over {@code backend}. */
  public static Builder builder(TransformerBackend backend) {
    return new Builder(backend);
  }

  /** Continues {@code prompt} with the default config. */
  public GenerationResult generate(String prompt) {
    return generate(GenerationRequest.builder().prompt(prompt).build());
  }

  /** Continues {@code prompt} with {@code config} (merged over the defaults). */
  public GenerationResult generate(String prompt, GenerationConfig config) {
    return generate(GenerationRequest.builder().prompt(prompt).config(config).build());
  }

  /** Continues a batch of prompts (left-padded together); sequences come back input-major. */
  public GenerationResult generate(List<String> prompts, GenerationConfig config) {
    return generate(GenerationRequest.builder().prompts(prompts).config(config).build());
  }

  /**
   * Continues token-id prompts as given (no special tokens added). Rows of equal length are run
   * unpadded; rows of unequal length are left-padded.
   */
  public GenerationResult generate(long[][] tokenIds, GenerationConfig config) {
    return generate(GenerationRequest.builder().tokenIds(tokenIds).config(config).build());
  }

  /** Runs {@code request} to the end (streaming to its callback, if any). */
  public GenerationResult generate(GenerationRequest request) {
    Objects.requireNonNull(request, "request");
    async.checkOpen();
    return new GenerationCall(this, request, null, null).run();
  }

  /**
   * Runs {@code request} on the generator's internal executor (one daemon platform thread per
   * running call). See {@link #generateAsync(GenerationRequest, Executor)}.
   *
   * @throws IllegalStateException when the generator is closed
   */
  public CompletableFuture<GenerationResult> generateAsync(GenerationRequest request) {
    Objects.requireNonNull(request, "request");
    return generateAsync(request, async.internalExecutor());
  }

  /**
   * Runs {@code request} on {@code executor} and returns its result as a future; returns at once.
   *
   * <p>Everything runs on the executor, so every error — validation, a budget refusal
   * ({@link io.costgen.cost.budget.BudgetExceededException}), a backend failure — completes the
   * future exceptionally instead of being thrown here (an executor that refuses the task does
   * too). A cancelled or deadline-ended call completes normally, like {@link #generate}.
   *
   * <p><b>Cancellation</b>: completing the returned future by any other means than the call itself
   * — {@link CompletableFuture#cancel(boolean) cancel(true or false)}, {@code orTimeout},
   * {@code completeExceptionally} — cancels the generation (the running forward pass is aborted);
   * the call still settles its budget reservation and is recorded by the meter and the listeners
   * ({@code onCancel}), as a cancelled synchronous call is. A call cancelled before its task
   * started does nothing (no reservation, no record). Cancelling a dependent future
   * ({@code thenApply(...)}) does not reach the generation: cancel this one. The request's own
   * {@link Cancellation}, if any, still works.
   *
   * @throws IllegalStateException when the generator is closed
   */
  public CompletableFuture<GenerationResult> generateAsync(GenerationRequest request, Executor executor) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(executor, "executor");
    return async.submit(executor, own -> new GenerationCall(this, request, null, own).run());
  }

  /**
   * The tokens of {@code request} as a cold, single-subscriber {@link TokenPublisher} on the
   * generator's internal executor. See {@link #publish(GenerationRequest, Executor)}.
   *
   * @throws IllegalStateException when the generator is closed
   */
  public TokenPublisher<GenerationResult> publish(GenerationRequest request) {
    Objects.requireNonNull(request, "request");
    return publish(request, async.internalExecutor());
  }

  /**
   * The tokens of {@code request} as a cold, single-subscriber
   * {@link java.util.concurrent.Flow.Publisher} whose signals run on {@code executor}: nothing
   * starts before the subscriber's first {@code request(n)}; tokens are delivered only as demand
   * allows (back-pressure: see {@link TokenPublisher}); {@code Subscription.cancel()} stops the
   * generation, which still settles and is recorded. {@link TokenPublisher#result()} gives the
   * call's result. Not supported with beam search (an {@code onError}).
   *
   * @throws IllegalStateException when the generator is closed
   */
  public TokenPublisher<GenerationResult> publish(GenerationRequest request, Executor executor) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(executor, "executor");
    async.checkOpen();
    return new TokenPublisher<>(async, executor, () -> {
      TokenStream s = stream(request);
      return new TokenPublisher.Source<>(s, s::result, s::abort, s::close);
    });
  }

  /**
   * Starts {@code request} and returns its tokens as a pulled stream; validation errors are
   * thrown here. The caller must close the stream. Not supported with beam search.
   */
  public TokenStream stream(GenerationRequest request) {
    Objects.requireNonNull(request, "request");
    async.checkOpen();
    return new TokenStream(this, request);
  }

  /** {@link #stream(GenerationRequest)} for one prompt with the default config. */
  public TokenStream stream(String prompt) {
    return stream(GenerationRequest.builder().prompt(prompt).build());
  }

  /**
   * Answers a conversation with {@code config} (merged over the defaults): the chat template
   * renders {@code messages} with the generation prompt, the prompt is tokenized without adding
   * special tokens (the template writes them), and the reply comes back as an assistant
   * {@link ChatMessage}. See {@link #chat(ChatRequest)}.
   */
  public ChatResult chat(List<ChatMessage> messages, GenerationConfig config) {
    return chat(ChatRequest.builder().messages(messages).config(config).build());
  }

  /**
   * Runs a chat call to the end (streaming to its callback, if any): renders the conversation
   * with the request's template, else the generator's ({@link Builder#chatTemplate}), else the
   * model's (found beside a {@link HuggingFaceTokenizer}'s {@code tokenizer.json}); tokenizes it
   * with {@code add_special_tokens=False} semantics; generates like {@link #generate} (same
   * budgets, meter, cancellation and deadlines); then, when tools were given, parses tool calls
   * with the generator's {@link ToolCallParser} (malformed calls give the raw text and
   * {@link ChatResult#toolCallsMalformed()}, never an exception).
   *
   * @throws IllegalStateException when the generator has no tokenizer
   * @throws ChatTemplateException when no template is found, or the template fails or refuses
   *     the conversation ({@link io.costgen.core.chat.TemplateRaisedException})
   */
  public ChatResult chat(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    Prepared p = prepareChat(request);
    return finishChat(request, p.prompt, generate(p.request));
  }

  /**
   * Runs a chat call on the generator's internal executor. See
   * {@link #chatAsync(ChatRequest, Executor)}.
   *
   * @throws IllegalStateException when the generator is closed
   */
  public CompletableFuture<ChatResult> chatAsync(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    return chatAsync(request, async.internalExecutor());
  }

  /**
   * Runs {@link #chat(ChatRequest)} on {@code executor}; returns at once. Template, validation,
   * budget and backend errors complete the future exceptionally. Cancellation as for
   * {@link #generateAsync(GenerationRequest, Executor)}: completing the future by other means
   * cancels the generation, which still settles and is recorded.
   *
   * @throws IllegalStateException when the generator is closed
   */
  public CompletableFuture<ChatResult> chatAsync(ChatRequest request, Executor executor) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(executor, "executor");
    return async.submit(executor, own -> {
      Prepared p = prepareChat(request);
      return finishChat(request, p.prompt, new GenerationCall(this, p.request, null, own).run());
    });
  }

  /**
   * The tokens of a chat call as a {@link TokenPublisher} on the internal executor. See
   * {@link #publishChat(ChatRequest, Executor)}.
   *
   * @throws IllegalStateException when the generator is closed
   */
  public TokenPublisher<ChatResult> publishChat(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    return publishChat(request, async.internalExecutor());
  }

  /**
   * The tokens of a chat call as a cold, single-subscriber publisher on {@code executor}, same
   * contract as {@link #publish(GenerationRequest, Executor)}; {@link TokenPublisher#result()}
   * gives the {@link ChatResult}. Template errors arrive as {@code onError}.
   *
   * @throws IllegalStateException when the generator is closed
   */
  public TokenPublisher<ChatResult> publishChat(ChatRequest request, Executor executor) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(executor, "executor");
    async.checkOpen();
    return new TokenPublisher<>(async, executor, () -> {
      Prepared p = prepareChat(request);
      TokenStream tokens = stream(p.request);
      ChatStream chat = new ChatStream(tokens, r -> finishChat(request, p.prompt, r));
      return new TokenPublisher.Source<>(chat, chat::result, tokens::abort, chat::close);
    });
  }

  /**
   * Closes the generator: new calls throw {@link IllegalStateException}; every asynchronous call
   * and publisher still running is cancelled (each still settles its budget reservation and is
   * recorded; a publisher's subscriber gets {@code onError} with a
   * {@link java.util.concurrent.CancellationException}); then waits for the internal executor's
   * threads to finish (calls on executors you passed are cancelled but not waited for).
   * Synchronous calls already running finish normally. Does not close the backend or the
   * tokenizer (the generator does not own them). Idempotent; thread-safe.
   */
  @Override
  public void close() {
    async.close();
  }

  /**
   * Starts a chat call and returns its tokens as a pulled stream; {@link ChatStream#result()}
   * gives the {@link ChatResult}. Validation and template errors are thrown here. The caller
   * must close the stream. Not supported with beam search.
   */
  public ChatStream streamChat(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    Prepared p = prepareChat(request);
    TokenStream tokens = stream(p.request);
    return new ChatStream(tokens, r -> finishChat(request, p.prompt, r));
  }

  /**
   * Renders {@code request}'s conversation with the template {@link #chat(ChatRequest)} would
   * use, without generating.
   */
  public String renderChat(ChatRequest request) {
    Objects.requireNonNull(request, "request");
    ChatTemplate t = request.template().orElseGet(this::chatTemplate);
    return t.render(request.messages(), request.tools(), request.addGenerationPrompt(), request.variables());
  }

  /**
   * The token ids of a rendered chat prompt: special-token text becomes its id, and no special
   * token is added (no second BOS when the template writes one).
   */
  public long[] tokenizeChatPrompt(String prompt) {
    Objects.requireNonNull(prompt, "prompt");
    if (tokenizer == null) {
      throw new IllegalStateException("chat: the generator has no tokenizer; set TextGenerator.Builder.tokenizer");
    }
    return tokenizer.encode(prompt, false);
  }

  /**
   * The chat template of this generator: the one given to the builder, else the model's (read
   * once from the folder of a {@link HuggingFaceTokenizer}).
   *
   * @throws ChatTemplateException naming where it looked when there is none
   */
  public ChatTemplate chatTemplate() {
    if (chatTemplate != null) {
      return chatTemplate;
    }
    ChatTemplate t = resolvedTemplate;
    if (t == null) {
      if (tokenizer instanceof HuggingFaceTokenizer hf && hf.source().toAbsolutePath().getParent() != null) {
        t = ChatTemplate.fromModelDirectory(hf.source().toAbsolutePath().getParent());
      } else {
        throw new ChatTemplateException("chat template: none given (TextGenerator.Builder.chatTemplate or "
            + "ChatRequest.Builder.template) and the tokenizer " + tokenizer
            + " is not a Hugging Face tokenizer whose folder could hold one");
      }
      resolvedTemplate = t;
    }
    return t;
  }

  private record Prepared(String prompt, GenerationRequest request) {}

  private Prepared prepareChat(ChatRequest request) {
    if (tokenizer == null) {
      throw new IllegalStateException("chat: the generator has no tokenizer; set TextGenerator.Builder.tokenizer");
    }
    String prompt = renderChat(request);
    long[] ids = tokenizeChatPrompt(prompt);
    if (ids.length == 0) {
      throw new IllegalArgumentException("messages: the chat template rendered an empty prompt (0 tokens)");
    }
    GenerationRequest.Builder g = GenerationRequest.builder().tokenIds(ids).context(request.context());
    request.config().ifPresent(g::config);
    request.cancellation().ifPresent(g::cancellation);
    request.timeout().ifPresent(g::deadline);
    request.deadline().ifPresent(g::deadline);
    request.onToken().ifPresent(g::onToken);
    request.logitsProcessors().forEach(g::addLogitsProcessor);
    request.stoppingCriteria().forEach(g::addStoppingCriterion);
    return new Prepared(prompt, g.build());
  }

  private ChatResult finishChat(ChatRequest request, String prompt, GenerationResult result) {
    GeneratedSequence s = result.first();
    long[] all = s.tokenIds();
    long[] generated = java.util.Arrays.copyOfRange(all, s.promptLength(), all.length);
    String raw = tokenizer.decode(generated, true);
    ParsedToolCalls parsed = request.tools().isEmpty() ? ParsedToolCalls.none(raw) : parseToolCalls(raw);
    ChatMessage message = parsed.hasToolCalls()
        ? ChatMessage.assistant(parsed.content(), parsed.toolCalls())
        : ChatMessage.assistant(parsed.content());
    return new ChatResult(message, parsed.malformed(), raw, prompt, result);
  }

  private ParsedToolCalls parseToolCalls(String raw) {
    try {
      ParsedToolCalls p = toolCallParser.parse(raw);
      return p == null ? ParsedToolCalls.none(raw) : p;
    } catch (RuntimeException e) {
      return ParsedToolCalls.malformed(raw);
    }
  }

  /** The backend's model description. */
  public ModelInfo modelInfo() {
    return modelInfo;
  }

  public Optional<Tokenizer> tokenizer() {
    return Optional.ofNullable(tokenizer);
  }

  /** The generator-level defaults (before the model's). */
  public GenerationConfig defaults() {
    return defaults;
  }

  /** The batching policy, when calls are batched ({@link Builder#batching}). */
  public Optional<BatchingPolicy> batching() {
    return scheduler == null ? Optional.empty() : Optional.of(scheduler.policy());
  }

  /** The batch scheduler, or null when batching is off. */
  BatchScheduler scheduler() {
    return scheduler;
  }

  TransformerBackend backend() {
    return backend;
  }

  CostModel costModel() {
    return costModel;
  }

  List<CostListener> listeners() {
    return listeners;
  }

  Ticker ticker() {
    return ticker;
  }

  /** True until a call on this generator has completed a forward pass (its bound is cold-aware). */
  boolean coldStart() {
    return !warm.get();
  }

  /** Records that a forward pass completed (later first passes are warm). */
  void markWarm() {
    warm.set(true);
  }

  Optional<Budgets> budgets() {
    return Optional.ofNullable(budgets);
  }

  Optional<Meter> meter() {
    return Optional.ofNullable(meter);
  }

  Duration budgetLease() {
    return budgetLease;
  }

  Clock clock() {
    return clock;
  }

  /** Builder for {@link TextGenerator}. Not thread-safe. */
  public static final class Builder {
    private final TransformerBackend backend;
    private Tokenizer tokenizer;
    private GenerationConfig defaults = GenerationConfig.defaults();
    private CostModel costModel = CostModel.free();
    private final List<CostListener> listeners = new ArrayList<>();
    private Ticker ticker = Ticker.system();
    private Clock clock = Clock.systemUTC();
    private Budgets budgets;
    private Meter meter;
    private Duration budgetLease = DEFAULT_BUDGET_LEASE;
    private BatchingPolicy batching;
    private ChatTemplate chatTemplate;
    private ToolCallParser toolCallParser = ToolCallParsers.auto();

    private Builder(TransformerBackend backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
    }

    /** Needed for text prompts, text results, streaming text and stop strings. */
    public Builder tokenizer(Tokenizer t) {
      this.tokenizer = Objects.requireNonNull(t, "tokenizer");
      return this;
    }

    /** Generator-wide defaults (explicit fields override the model's). */
    public Builder defaults(GenerationConfig c) {
      this.defaults = Objects.requireNonNull(c, "defaults");
      return this;
    }

    /** Prices every call; default {@link CostModel#free()}. */
    public Builder costModel(CostModel m) {
      this.costModel = Objects.requireNonNull(m, "costModel");
      return this;
    }

    /** Adds a cost listener (called in the order added). */
    public Builder addListener(CostListener l) {
      listeners.add(Objects.requireNonNull(l, "listener"));
      return this;
    }

    /** Time source for timings, deadlines and {@code maxTime}; default {@link Ticker#system()}. */
    public Builder ticker(Ticker t) {
      this.ticker = Objects.requireNonNull(t, "ticker");
      return this;
    }

    /** Wall clock for absolute deadlines ({@link GenerationRequest.Builder#deadline(java.time.Instant)}). */
    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    /**
     * Enforces {@code budgets} on every call: the worst case (cost model estimate at the call's
     * {@code maxNewTokens}) is reserved before the backend is touched, the running spend is
     * checked between steps (finish reason {@code BUDGET} when the next step would pass the
     * reservation), and the actual cost is settled when the call ends, however it ends. A
     * refusal throws {@link io.costgen.cost.budget.BudgetExceededException}.
     */
    public Builder budgets(Budgets b) {
      this.budgets = Objects.requireNonNull(b, "budgets");
      return this;
    }

    /** Records one {@link io.costgen.cost.meter.UsageRecord} per call (also failed, cancelled and refused calls). */
    public Builder meter(Meter m) {
      this.meter = Objects.requireNonNull(m, "meter");
      return this;
    }

    /**
     * How long a budget reservation is held if its call never settles (a crashed JVM); default
     * 15 minutes. Must exceed the longest call: a late settle still records the spend, but the
     * hold is released at the lease end.
     */
    public Builder budgetLease(Duration lease) {
      if (lease == null || lease.isNegative() || lease.isZero() || lease.compareTo(Budgets.MAX_LEASE) > 0) {
        throw new IllegalArgumentException("budgetLease: " + lease + " must be in (0, " + Budgets.MAX_LEASE + "]");
      }
      this.budgetLease = lease;
      return this;
    }

    /**
     * Batches concurrent calls through one scheduler thread (continuous batching); off by
     * default. The backend's sessions must support {@link DecoderSession#appendRows}; otherwise
     * batched calls run one after another.
     */
    public Builder batching(BatchingPolicy policy) {
      this.batching = Objects.requireNonNull(policy, "batching");
      return this;
    }

    /**
     * The chat template for {@link TextGenerator#chat}; default: the model's, found beside a
     * {@link HuggingFaceTokenizer}'s {@code tokenizer.json} ({@link ChatTemplate#fromModelDirectory}).
     */
    public Builder chatTemplate(ChatTemplate t) {
      this.chatTemplate = Objects.requireNonNull(t, "chatTemplate");
      return this;
    }

    /** Reads tool calls from chat replies; default {@link ToolCallParsers#auto()} (Hermes/Qwen, Llama 3 JSON). */
    public Builder toolCallParser(ToolCallParser p) {
      this.toolCallParser = Objects.requireNonNull(p, "toolCallParser");
      return this;
    }

    public TextGenerator build() {
      return new TextGenerator(this);
    }
  }
}
