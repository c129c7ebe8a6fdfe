package io.costgen.core.remote;

import io.costgen.core.BudgetWarning;
import io.costgen.core.CostListener;
import io.costgen.core.Ticker;
import io.costgen.cost.CallContext;
import io.costgen.cost.RemoteModelPrice;
import io.costgen.cost.RemoteModelPrices;
import io.costgen.cost.budget.BudgetExceededException;
import io.costgen.cost.budget.BudgetUnit;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.budget.CallEstimate;
import io.costgen.cost.budget.Reservation;
import io.costgen.cost.meter.Meter;
import io.costgen.cost.meter.UsageRecord;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Currency;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts costgen budgets, meters and listeners around calls to models costgen does not run
 * (OpenAI, Anthropic, Ollama… through LangChain4j, Spring AI or a plain HTTP client). The
 * framework adapters ({@code BudgetedChatModel} in costgen-langchain4j, the Spring AI decorator
 * in costgen-spring-ai) use it; any other client can too:
 *
 * <pre>{@code
 * RemoteCallGuard guard = RemoteCallGuard.builder()
 *     .prices(RemoteModelPrices.starter())
 *     .budgets(budgets)            // the same Budgets (in-memory or Redis) local calls use
 *     .meter(ledger)
 *     .build();
 * RemoteCall call = guard.begin(CallContext.forTenant("acme"), "gpt-4o-mini",
 *     guard.estimateInputTokens(List.of(systemText, userText)), 512);
 * try {
 *   // send the request with max output tokens = call.grantedOutputTokens()
 *   call.complete(RemoteUsage.of(providerInputTokens, providerOutputTokens), FinishReason.EOS, text);
 * } catch (RuntimeException e) {
 *   call.fail(e, null);   // settles the input estimate when the provider reported nothing
 *   throw e;
 * }
 * }</pre>
 *
 * <p><b>The guarantee.</b> {@link #begin} reserves the worst case — input tokens (counted by the
 * {@link TokenCounter}, by default a conservative one token per UTF-8 byte, plus
 * {@value #MESSAGE_OVERHEAD_TOKENS} per message and {@value #REQUEST_OVERHEAD_TOKENS} per request
 * for the chat format) at the uncached input price plus {@code maxOutputTokens} at the output
 * price — against every applicable budget, atomically, before the request is sent; a hard budget
 * that cannot hold it refuses the call with {@link BudgetExceededException} and nothing is sent.
 * A {@code SHRINK} budget may lower {@link RemoteCall#grantedOutputTokens()}; the caller must send
 * that as the provider's output-token limit. As long as the provider honours that limit and the
 * input count is an upper bound, the settled spend never exceeds what was reserved, so concurrent
 * calls can never push a hard budget over its limit. Spend the provider reports beyond the
 * reservation (e.g. a provider that ignores the limit) is still recorded in full.
 *
 * <p>Budget units: MONEY from the price catalogue (the catalogue currency must equal the money
 * budgets' currency), TOKENS = input + output tokens; FLOPS and ENERGY_JOULES are unknown for a
 * remote model and count as zero.
 *
 * <p>Thread-safe; one guard serves any number of concurrent calls. Listener and meter failures
 * are logged at WARN and never fail the call.
 */
public final class RemoteCallGuard {

  private static final Logger LOG = LoggerFactory.getLogger(RemoteCallGuard.class);

  /** Tokens added per message for the chat format (role markers, separators) in {@link #estimateInputTokens}. */
  public static final int MESSAGE_OVERHEAD_TOKENS = 8;
  /** Tokens added per request (reply priming, format) in {@link #estimateInputTokens}. */
  public static final int REQUEST_OVERHEAD_TOKENS = 16;
  /** Default reservation lease: a remote call that never settles frees its hold after this. */
  public static final Duration DEFAULT_LEASE = Duration.ofMinutes(15);

  private final RemoteModelPrices prices;
  private final Optional<Budgets> budgets;
  private final Optional<Meter> meter;
  private final List<CostListener> listeners;
  private final TokenCounter tokenCounter;
  private final Clock clock;
  private final Ticker ticker;
  private final Duration lease;

  private RemoteCallGuard(Builder b) {
    this.prices = b.prices;
    this.budgets = Optional.ofNullable(b.budgets);
    this.meter = Optional.ofNullable(b.meter);
    this.listeners = List.copyOf(b.listeners);
    this.tokenCounter = b.tokenCounter;
    this.clock = b.clock;
    this.ticker = b.ticker;
    this.lease = b.lease;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The price catalogue. */
  public RemoteModelPrices prices() {
    return prices;
  }

  /** The budgets calls are reserved against, if any. */
  public Optional<Budgets> budgets() {
    return budgets;
  }

  /** The token counter used for input estimates. */
  public TokenCounter tokenCounter() {
    return tokenCounter;
  }

  /**
   * A conservative input-token count of a request made of {@code messageTexts} (one entry per
   * message or tool definition): the counter's tokens of each plus
   * {@value #MESSAGE_OVERHEAD_TOKENS} per entry plus {@value #REQUEST_OVERHEAD_TOKENS}.
   */
  public long estimateInputTokens(Collection<String> messageTexts) {
    long n = REQUEST_OVERHEAD_TOKENS;
    for (String t : messageTexts) {
      n += tokenCounter.count(t == null ? "" : t) + MESSAGE_OVERHEAD_TOKENS;
    }
    return n;
  }

  /**
   * Starts a guarded call: prices its worst case, reserves it against every applicable budget and
   * tells the listeners ({@link CostListener#onStart}).
   *
   * @param inputTokens upper bound of the request's input tokens (see {@link #estimateInputTokens})
   * @param maxOutputTokens the output-token limit the request will carry (≥ 1)
   * @throws BudgetExceededException when a hard budget refuses (recorded in the meter as a
   *     rejection and told to the listeners; nothing is held)
   * @throws IllegalArgumentException when the model has no price, a count is out of range, or
   *     the catalogue's currency differs from the money budgets'
   */
  public RemoteCall begin(CallContext ctx, String model, long inputTokens, long maxOutputTokens) {
    Objects.requireNonNull(ctx, "ctx");
    if (model == null || model.isEmpty()) {
      throw new IllegalArgumentException("model: must not be empty");
    }
    if (inputTokens < 0) {
      throw new IllegalArgumentException("inputTokens: " + inputTokens + " must be >= 0");
    }
    if (maxOutputTokens < 1) {
      throw new IllegalArgumentException("maxOutputTokens: " + maxOutputTokens + " must be >= 1 (a remote call "
          + "without an output limit has no worst case to reserve)");
    }
    RemoteModelPrice price = prices.require(model);
    Instant start = clock.instant();
    long startNanos = ticker.read();
    Reservation reservation = null;
    long granted = maxOutputTokens;
    if (budgets.isPresent() && !budgets.get().applicableTo(ctx, model).isEmpty()) {
      Optional<Currency> budgetCurrency = budgets.get().currency();
      if (budgetCurrency.isPresent() && !budgetCurrency.get().equals(price.currency())) {
        throw new IllegalArgumentException("currency: the price of '" + model + "' is in " + price.currency()
            + " but the money budgets are in " + budgetCurrency.get() + " (give the catalogue prices in "
            + budgetCurrency.get() + ")");
      }
      Map<BudgetUnit, BigDecimal> fixed = amounts(price.cost(inputTokens, 0, 0).amount(), inputTokens);
      Map<BudgetUnit, BigDecimal> perToken = amounts(price.outputPerToken(), 1);
      CallEstimate estimate = CallEstimate.perToken(fixed, perToken, maxOutputTokens, 1);
      try {
        reservation = budgets.get().reserve(ctx, model, estimate, lease);
      } catch (BudgetExceededException e) {
        record(UsageRecord.budgetRejected(ctx, model, e, start, price.currency()));
        for (CostListener l : listeners) {
          guard(l, ctx, () -> l.onBudgetExceeded(ctx, e));
        }
        throw e;
      }
      granted = reservation.grantedTokens().orElse(maxOutputTokens);
    }
    RemoteCall call = new RemoteCall(this, ctx, model, price, inputTokens, maxOutputTokens, granted,
        reservation, start, startNanos);
    if (granted < maxOutputTokens) {
      Reservation r = reservation;
      for (CostListener l : listeners) {
        guard(l, ctx, () -> l.onBudgetWarning(ctx, r, BudgetWarning.SHRUNK));
      }
    }
    for (CostListener l : listeners) {
      guard(l, ctx, () -> l.onStart(ctx, call.worstCase()));
    }
    return call;
  }

  // ---------------------------------------------------------------- used by RemoteCall

  static Map<BudgetUnit, BigDecimal> amounts(BigDecimal money, long tokens) {
    Map<BudgetUnit, BigDecimal> m = new EnumMap<>(BudgetUnit.class);
    m.put(BudgetUnit.MONEY, money);
    m.put(BudgetUnit.TOKENS, BigDecimal.valueOf(tokens));
    m.put(BudgetUnit.FLOPS, BigDecimal.ZERO);
    m.put(BudgetUnit.ENERGY_JOULES, BigDecimal.ZERO);
    return m;
  }

  Clock clock() {
    return clock;
  }

  Ticker ticker() {
    return ticker;
  }

  List<CostListener> listeners() {
    return listeners;
  }

  void settle(Reservation r, CallContext ctx, Map<BudgetUnit, BigDecimal> actual) {
    try {
      budgets.get().settle(r.id(), actual);
    } catch (RuntimeException e) {
      LOG.warn("settling remote-call reservation {} failed (request {}); its lease releases the hold",
          r.id(), ctx.requestId(), e);
    }
  }

  void record(UsageRecord record) {
    meter.ifPresent(m -> {
      try {
        m.record(record);
      } catch (RuntimeException e) {
        LOG.warn("meter failed to record remote call {}; ignored", record.requestId(), e);
      }
    });
  }

  static void guard(CostListener l, CallContext ctx, Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("cost listener {} threw; ignored (request {})", l, ctx.requestId(), e);
    }
  }

  /** Builder for {@link RemoteCallGuard}. Not thread-safe. */
  public static final class Builder {
    private RemoteModelPrices prices = RemoteModelPrices.starter();
    private Budgets budgets;
    private Meter meter;
    private final List<CostListener> listeners = new ArrayList<>();
    private TokenCounter tokenCounter = TokenCounter.utf8Bytes();
    private Clock clock = Clock.systemUTC();
    private Ticker ticker = Ticker.system();
    private Duration lease = DEFAULT_LEASE;

    private Builder() {}

    /** The price catalogue (default {@link RemoteModelPrices#starter()}; check its dates). */
    public Builder prices(RemoteModelPrices v) { this.prices = Objects.requireNonNull(v, "prices"); return this; }
    /** Budgets to reserve against (none by default: calls are only priced and recorded). */
    public Builder budgets(Budgets v) { this.budgets = Objects.requireNonNull(v, "budgets"); return this; }
    /** Where each call's {@link UsageRecord} goes (none by default). */
    public Builder meter(Meter v) { this.meter = Objects.requireNonNull(v, "meter"); return this; }
    /** Adds a listener (called synchronously; guarded). */
    public Builder addListener(CostListener v) { this.listeners.add(Objects.requireNonNull(v, "listener")); return this; }
    /** Input-token counter (default {@link TokenCounter#utf8Bytes()}, conservative). */
    public Builder tokenCounter(TokenCounter v) { this.tokenCounter = Objects.requireNonNull(v, "tokenCounter"); return this; }
    /** Time source for records and budget windows' leases. */
    public Builder clock(Clock v) { this.clock = Objects.requireNonNull(v, "clock"); return this; }
    /** Source of elapsed time (latency in records). */
    public Builder ticker(Ticker v) { this.ticker = Objects.requireNonNull(v, "ticker"); return this; }

    /** How long a reservation holds if its call never settles (0 &lt; lease &le; {@link Budgets#MAX_LEASE}). */
    public Builder lease(Duration v) {
      if (v == null || v.isNegative() || v.isZero() || v.compareTo(Budgets.MAX_LEASE) > 0) {
        throw new IllegalArgumentException("lease: " + v + " must be > 0 and <= " + Budgets.MAX_LEASE.toDays() + " days");
      }
      this.lease = v;
      return this;
    }

    public RemoteCallGuard build() {
      return new RemoteCallGuard(this);
    }
  }
}
