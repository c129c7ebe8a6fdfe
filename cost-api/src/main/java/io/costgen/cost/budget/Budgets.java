package io.costgen.cost.budget;

import io.costgen.cost.CallContext;
import io.costgen.cost.CostReport;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Budgets as permits: the entry point for enforcing {@link Budget}s.
 *
 * <pre>{@code
 * Budgets budgets = Budgets.inMemory()
 *     .register(Budget.parse("money:5/day@Europe/Berlin"));          // each tenant, 5 USD a day
 * Reservation r = budgets.reserve(ctx, "gpt2", CallEstimate.of(costModel.estimate(...)), Duration.ofMinutes(2));
 * try { ...generate... } finally { budgets.settle(r.id(), actualCostReport); }
 * }</pre>
 *
 * <ol>
 *   <li>{@link #reserve} holds the call's worst case against <em>every</em> applicable budget at
 *       once (all admit or none) or throws {@link BudgetExceededException}; concurrent calls can
 *       never all pass the same check.
 *   <li>{@link #settle} replaces the hold by the actual amounts (which may be lower); a retried
 *       settle counts once; a settle after the lease expired, or after {@link #release}, still
 *       records the spend.
 *   <li>A holder that dies never settles: its hold stops counting when its lease expires.
 * </ol>
 *
 * <p>Money amounts are in the currency of the registered money budgets, which must all share one
 * currency. A priced report in another currency ({@link #amountsOf(CostReport)},
 * {@link #reserve(CallContext, String, CostReport, Duration)}, {@link #settle(String, CostReport)})
 * is refused with an {@link IllegalArgumentException} unless the builder was given an explicit
 * {@link io.costgen.cost.ExchangeRate} from its currency to the budgets'. Time comes from the builder's {@link Clock}. Thread-safe; listener callbacks are
 * guarded.
 */
public final class Budgets {

  private static final Logger LOG = LoggerFactory.getLogger(Budgets.class);
  /** Longest lease a reservation may ask for. */
  public static final Duration MAX_LEASE = Duration.ofDays(7);
  private static final Duration SWEEP_EVERY = Duration.ofMinutes(1);

  private final BudgetStore store;
  private final Clock clock;
  private final BudgetListener listener;
  private final String idPrefix;
  private final Map<Currency, io.costgen.cost.ExchangeRate> rates;
  private final AtomicLong sequence = new AtomicLong();
  private final Object registryLock = new Object();
  private volatile Map<String, Budget> registry = Map.of();
  /** {@link #currency()} of {@link #registry}, kept with it (read on every reserve and settle). */
  private volatile Optional<Currency> moneyCurrency = Optional.empty();
  private final ConcurrentHashMap<String, Boolean> firedHere = new ConcurrentHashMap<>();
  private final AtomicReference<Instant> lastSweep = new AtomicReference<>(Instant.MIN);

  private Budgets(Builder b) {
    this.store = b.store != null ? b.store : BudgetStore.inMemory();
    this.clock = b.clock;
    this.listener = BudgetListener.guarded(b.listener);
    this.rates = Map.copyOf(b.rates);
    byte[] r = new byte[8];
    new SecureRandom().nextBytes(r);
    StringBuilder hex = new StringBuilder("r-");
    for (byte x : r) {
      hex.append(String.format("%02x", x));
    }
    this.idPrefix = hex.append('-').toString();
  }

  /**
   * An in-memory ledger on the system UTC clock with no listener and no budgets yet (add them
   * with {@link #register(Budget)}).
   */
  public static Budgets inMemory() {
    return builder().build();
  }

  /** A builder for a store, clock, listener or exchange rates other than the defaults of {@link #inMemory()}. */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- registry

  /**
   * Adds {@code budget}, or replaces the budget with the same id: the one way to register
   * budgets. Replacing keeps the spend already counted in the current window when only the limit
   * (or enforcement, policy, alerts) changes; a changed window or scope starts fresh counters.
   *
   * <p>Thread-safe: may be called at any time, also while other threads reserve and settle; a
   * call that starts after this returns sees the new budget. Returns this budgets for chaining:
   * {@code Budgets.inMemory().register(a).register(b)}.
   *
   * @return this
   * @throws IllegalStateException if it is a money budget in another currency than the others
   */
  public Budgets register(Budget budget) {
    Objects.requireNonNull(budget, "budget");
    synchronized (registryLock) {
      for (Budget other : registry.values()) {
        if (!other.id().equals(budget.id()) && other.unit() == BudgetUnit.MONEY
            && budget.unit() == BudgetUnit.MONEY && !other.currency().equals(budget.currency())) {
          throw new IllegalStateException("currency: budget '" + budget.id() + "' is in "
              + budget.currency().get() + " but budget '" + other.id() + "' is in " + other.currency().get()
              + " (all money budgets of one Budgets must share a currency)");
        }
      }
      Map<String, Budget> next = new LinkedHashMap<>(registry);
      next.put(budget.id(), budget);
      publish(next);
    }
    return this;
  }

  /** Removes the budget with this id; true if there was one. Its counters are left to expire. */
  public boolean remove(String budgetId) {
    synchronized (registryLock) {
      if (!registry.containsKey(budgetId)) {
        return false;
      }
      Map<String, Budget> next = new LinkedHashMap<>(registry);
      next.remove(budgetId);
      publish(next);
      return true;
    }
  }

  /** The registered budgets in registration order. */
  public List<Budget> budgets() {
    return List.copyOf(registry.values());
  }

  public Optional<Budget> budget(String budgetId) {
    return Optional.ofNullable(registry.get(budgetId));
  }

  /** The currency of the registered money budgets; empty if there are none. */
  public Optional<Currency> currency() {
    return moneyCurrency;
  }

  /** Installs {@code next} as the registry and its money currency (under {@link #registryLock}). */
  private void publish(Map<String, Budget> next) {
    Optional<Currency> c = next.values().stream().filter(b -> b.unit() == BudgetUnit.MONEY)
        .map(b -> b.currency().get()).findFirst();
    // currency first: a reader that sees the new registry sees its currency (both volatile)
    moneyCurrency = c;
    registry = java.util.Collections.unmodifiableMap(next);
  }

  /** The budgets that count a call for {@code ctx} on {@code model}. */
  public List<Budget> applicableTo(CallContext ctx, String model) {
    Objects.requireNonNull(ctx, "ctx");
    validateModel(model);
    List<Budget> out = new ArrayList<>();
    for (Budget b : registry.values()) {
      if (b.scope().appliesTo(ctx, model)) {
        out.add(b);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- permits

  /**
   * Reserves a fixed worst case (amounts per unit; money in the budgets' currency) for a call.
   * Every applicable budget's unit must be present.
   *
   * @throws BudgetExceededException if a hard budget cannot admit it (nothing is held then)
   */
  public Reservation reserve(CallContext ctx, String model, Map<BudgetUnit, BigDecimal> worstCase, Duration lease) {
    return reserve(ctx, model, CallEstimate.of(worstCase), lease);
  }

  /**
   * Reserves a worst case priced by a cost model ({@link CallEstimate#amountsOf}).
   *
   * @throws IllegalArgumentException if the report's currency differs from the money budgets'
   * @throws BudgetExceededException if a hard budget cannot admit it
   */
  public Reservation reserve(CallContext ctx, String model, CostReport worstCase, Duration lease) {
    return reserve(ctx, model, CallEstimate.of(amountsOf(worstCase)), lease);
  }

  /**
   * A priced report's amounts per unit ({@link CallEstimate#amountsOf}) with money in the money
   * budgets' currency: unchanged when the report is already in it (or there are no money
   * budgets), converted (rounded up) by the configured {@link io.costgen.cost.ExchangeRate}
   * otherwise.
   *
   * @throws IllegalArgumentException if the report's currency differs from the money budgets' and
   *     no exchange rate between them was configured
   */
  public Map<BudgetUnit, BigDecimal> amountsOf(CostReport report) {
    Objects.requireNonNull(report, "report");
    Map<BudgetUnit, BigDecimal> amounts = CallEstimate.amountsOf(report);
    Optional<Currency> c = currency();
    Currency from = report.money().currency();
    if (c.isEmpty() || c.get().equals(from)) {
      return amounts;
    }
    io.costgen.cost.ExchangeRate rate = rates.get(from);
    if (rate == null || !rate.to().equals(c.get())) {
      throw new IllegalArgumentException("currency: the call is priced in " + from + " but the money budgets are in "
          + c.get() + "; configure an exchange rate (Budgets.builder().exchangeRate(ExchangeRate.of(\""
          + from + "\", \"" + c.get() + "\", ...))) or price in " + c.get());
    }
    Map<BudgetUnit, BigDecimal> m = new EnumMap<>(amounts);
    m.put(BudgetUnit.MONEY, rate.convert(report.money()).amount());
    return Map.copyOf(m);
  }

  /**
   * Reserves {@code estimate} against every applicable budget, atomically. With a per-token
   * estimate, {@link Budget.Policy#SHRINK} budgets lower the granted tokens
   * ({@link Reservation#grantedTokens()}) to what they afford, never below
   * {@code minNewTokens}; every other hard budget must admit the amount at the granted count.
   * Soft budgets never refuse; going over one is reported to the listener.
   *
   * @param lease how long the hold lasts if never settled or released (0 &lt; lease &le; 7 days)
   * @throws BudgetExceededException if a hard budget cannot admit the call
   * @throws IllegalArgumentException if an applicable budget's unit is missing from the estimate
   */
  public Reservation reserve(CallContext ctx, String model, CallEstimate estimate, Duration lease) {
    Objects.requireNonNull(estimate, "estimate");
    validateLease(lease);
    Instant now = clock.instant();
    List<Budget> applicable = applicableTo(ctx, model);
    requireUnits(applicable, estimate);

    long max = estimate.maxNewTokens();
    long min = estimate.minNewTokens();
    List<Budget> perCall = new ArrayList<>();
    List<Budget> windowed = new ArrayList<>();
    for (Budget b : applicable) {
      (b.window().accumulates() ? windowed : perCall).add(b);
    }
    // Per-call SHRINK budgets cap the token count before the store is asked.
    for (Budget b : perCall) {
      if (isHard(b) && b.policy() == Budget.Policy.SHRINK) {
        long cap = affordAlone(b.limit(), estimate.amountFor(b.unit(), 0), perTokenOf(estimate, b.unit()), max);
        if (cap < min) {
          throw reject(b, ctx, model, BigDecimal.ZERO, BigDecimal.ZERO, estimate.amountFor(b.unit(), min), now);
        }
        max = Math.min(max, cap);
      }
    }
    List<BudgetStore.Claim> claims = new ArrayList<>(windowed.size());
    for (Budget b : windowed) {
      claims.add(claimFor(b, ctx, model, estimate, now));
    }
    String id = idPrefix + Long.toString(sequence.incrementAndGet(), 36);
    Instant leaseEnd = now.plus(lease);
    BudgetStore.ReserveOutcome outcome =
        store.reserve(new BudgetStore.ReserveRequest(id, claims, max, min, now, leaseEnd));
    if (outcome instanceof BudgetStore.Rejected r) {
      Budget b = windowed.get(r.claimIndex());
      throw reject(b, ctx, model, r.totals().spent(), r.totals().reserved(), r.requested(), now);
    }
    BudgetStore.Granted g = (BudgetStore.Granted) outcome;
    long tokens = g.tokens();
    Map<String, BigDecimal> perBudget = new LinkedHashMap<>();
    for (Budget b : perCall) {
      BigDecimal amount = estimate.amountFor(b.unit(), tokens);
      if (amount.compareTo(b.limit()) > 0) {
        BudgetExceededException e = exceeded(b, ctx, model, BigDecimal.ZERO, BigDecimal.ZERO, amount, now);
        if (isHard(b)) {
          store.release(id, now);
          listener.onExceeded(e);
          throw e;
        }
        listener.onExceeded(e);
      }
      perBudget.put(b.id(), amount);
    }
    for (int i = 0; i < windowed.size(); i++) {
      Budget b = windowed.get(i);
      BigDecimal amount = g.amounts().get(i);
      perBudget.put(b.id(), amount);
      BudgetStore.Totals before = g.before().get(i);
      if (!isHard(b) && before.used().add(amount).compareTo(b.limit()) > 0) {
        listener.onExceeded(exceeded(b, ctx, model, before.spent(), before.reserved(), amount, now));
      }
    }
    Map<BudgetUnit, BigDecimal> amounts = new EnumMap<>(BudgetUnit.class);
    for (BudgetUnit u : BudgetUnit.values()) {
      if (estimate.covers(u)) {
        amounts.put(u, estimate.amountFor(u, tokens));
      }
    }
    maybeSweep(now);
    return new Reservation(id, ctx.tenantId(), model, now, leaseEnd, amounts, perBudget,
        estimate.perToken().isEmpty() ? OptionalLong.empty() : OptionalLong.of(tokens));
  }

  /**
   * How many new tokens of {@code estimate} every hard budget would admit now, capped at
   * {@code maxNewTokens}; empty when not even the fixed part fits. A read-only snapshot: a
   * concurrent call may take the room before a following {@link #reserve}.
   */
  public OptionalLong affordableTokens(CallContext ctx, String model, CallEstimate estimate) {
    Objects.requireNonNull(estimate, "estimate");
    Instant now = clock.instant();
    List<Budget> applicable = applicableTo(ctx, model);
    requireUnits(applicable, estimate);
    long n = estimate.maxNewTokens();
    for (Budget b : applicable) {
      if (!isHard(b)) {
        continue;
      }
      BigDecimal used = BigDecimal.ZERO;
      if (b.window().accumulates()) {
        BudgetStore.Claim c = claimFor(b, ctx, model, estimate, now);
        used = store.totals(c.key(), c.countFrom(), now).used();
      }
      long fit = affordAlone(b.limit().subtract(used), estimate.amountFor(b.unit(), 0),
          perTokenOf(estimate, b.unit()), n);
      if (fit < 0) {
        return OptionalLong.empty();
      }
      n = Math.min(n, fit);
    }
    return OptionalLong.of(n);
  }

  /**
   * Settles a reservation with the call's actual amounts (every reserved unit must be present;
   * they may be below, or above, the reservation: the actual spend is always recorded).
   * Idempotent: a retried settle of the same id is {@link SettleStatus#DUPLICATE} and counts
   * once. Fires alert thresholds the settled spend reached.
   */
  public SettleStatus settle(String reservationId, Map<BudgetUnit, BigDecimal> actual) {
    Objects.requireNonNull(reservationId, "reservationId");
    Objects.requireNonNull(actual, "actual");
    actual.forEach((u, v) -> io.costgen.cost.Amounts.requireInRange("actual." + u, v));
    Instant now = clock.instant();
    BudgetStore.SettleOutcome o = store.settle(reservationId, Map.copyOf(actual), now);
    switch (o.status()) {
      case UNKNOWN -> LOG.warn("settle: unknown reservation '{}' (never made, or its windows have ended); "
          + "spend not counted against budgets", reservationId);
      case SETTLED_AFTER_EXPIRY -> LOG.info("settle: reservation '{}' settled after its lease expired; spend recorded",
          reservationId);
      default -> { }
    }
    for (int i = 0; i < o.claims().size(); i++) {
      fireThresholds(o.claims().get(i), o.after().get(i), now);
    }
    maybeSweep(now);
    return o.status();
  }

  /** Settles with a priced report's amounts ({@link CallEstimate#amountsOf}); see {@link #settle(String, Map)}. */
  public SettleStatus settle(String reservationId, CostReport actual) {
    return settle(reservationId, amountsOf(actual));
  }

  /** Frees a reservation without spending (the call did no work); false if unknown, settled or already released. */
  public boolean release(String reservationId) {
    Objects.requireNonNull(reservationId, "reservationId");
    return store.release(reservationId, clock.instant());
  }

  // ---------------------------------------------------------------- queries

  /**
   * The state of every budget that applies to a call for {@code ctx} on {@code model}
   * ({@code model} may be null: then per-model budgets are left out).
   */
  public List<BudgetStatus> status(CallContext ctx, String model) {
    Objects.requireNonNull(ctx, "ctx");
    if (model != null) {
      validateModel(model);
    }
    Instant now = clock.instant();
    List<BudgetStatus> out = new ArrayList<>();
    for (Budget b : registry.values()) {
      if (model == null && b.scope().kind() == BudgetScope.Kind.TENANT_MODEL) {
        continue;
      }
      if (!b.scope().appliesTo(ctx, model)) {
        continue;
      }
      String scopeKey = b.scope().scopeKey(ctx, model);
      if (!b.window().accumulates()) {
        out.add(new BudgetStatus(b, scopeKey, ctx.tenantId(), Optional.empty(), Optional.empty(),
            BigDecimal.ZERO, BigDecimal.ZERO, b.limit()));
        continue;
      }
      BudgetStore.Key key = keyFor(b, scopeKey, now);
      BudgetStore.Totals t = store.totals(key, b.window().countFrom(now), now);
      out.add(statusOf(b, scopeKey, ctx.tenantId(), t, now));
    }
    return out;
  }

  /** The state of the tenant's budgets that do not depend on model or tags (tenant and global scopes). */
  public List<BudgetStatus> statusForTenant(String tenantId) {
    return status(new CallContext(Optional.of(tenantId), "status", Map.of()), null);
  }

  /** Frees expired holds and forgets ended windows now (also done lazily, about once a minute of clock time). */
  public int sweep() {
    Instant now = clock.instant();
    lastSweep.set(now);
    firedHere.clear();
    return store.sweep(now);
  }

  // ---------------------------------------------------------------- internals

  private BudgetStore.Claim claimFor(Budget b, CallContext ctx, String model, CallEstimate est, Instant now) {
    BudgetWindow w = b.window();
    return new BudgetStore.Claim(
        keyFor(b, b.scope().scopeKey(ctx, model), now),
        b.unit(),
        w.countFrom(now),
        isHard(b) ? Optional.of(b.limit()) : Optional.empty(),
        est.amountFor(b.unit(), 0),
        perTokenOf(est, b.unit()),
        isHard(b) && b.policy() == Budget.Policy.SHRINK,
        w.bucketRetainUntil(now));
  }

  private static BudgetStore.Key keyFor(Budget b, String scopeKey, Instant now) {
    return new BudgetStore.Key(b.id(), b.window().id(), scopeKey, b.window().bucketStart(now));
  }

  private static BudgetStatus statusOf(Budget b, String scopeKey, Optional<String> tenant,
      BudgetStore.Totals t, Instant now) {
    return new BudgetStatus(b, scopeKey, tenant, b.window().windowStart(now), b.window().nextReset(now),
        t.spent(), t.reserved(), BudgetExceededException.remaining(b.limit(), t.spent(), t.reserved()));
  }

  private void fireThresholds(BudgetStore.Claim c, BudgetStore.Totals after, Instant now) {
    Budget b = registry.get(c.key().budgetId());
    if (b == null || b.alertThresholds().isEmpty() || !b.window().id().equals(c.key().windowId())) {
      return;
    }
    boolean rolling = b.window().period() == BudgetWindow.Period.ROLLING;
    Instant periodStart = rolling ? b.window().alertPeriodStart(now) : c.key().windowStart();
    Instant retain = rolling ? periodStart.plus(b.window().length().get()) : c.retainUntil();
    BudgetStore.Key alertKey = new BudgetStore.Key(c.key().budgetId(), c.key().windowId(), c.key().scopeKey(), periodStart);
    for (double t : b.alertThresholds()) {
      if (after.spent().compareTo(b.limit().multiply(BigDecimal.valueOf(t))) < 0) {
        break;
      }
      String alert = "threshold:" + t;
      String local = alertKey.series() + "|" + periodStart + "|" + alert;
      if (firedHere.putIfAbsent(local, Boolean.TRUE) != null) {
        continue;
      }
      if (store.markAlert(alertKey, alert, retain)) {
        Optional<String> tenant = BudgetScope.tenantOf(c.key().scopeKey());
        listener.onThreshold(b, new BudgetStatus(b, c.key().scopeKey(), tenant,
            b.window().windowStart(now), b.window().nextReset(now), after.spent(), after.reserved(),
            BudgetExceededException.remaining(b.limit(), after.spent(), after.reserved())), t);
      }
    }
  }

  private BudgetExceededException reject(Budget b, CallContext ctx, String model, BigDecimal spent,
      BigDecimal reserved, BigDecimal requested, Instant now) {
    BudgetExceededException e = exceeded(b, ctx, model, spent, reserved, requested, now);
    listener.onExceeded(e);
    return e;
  }

  private static BudgetExceededException exceeded(Budget b, CallContext ctx, String model, BigDecimal spent,
      BigDecimal reserved, BigDecimal requested, Instant now) {
    return new BudgetExceededException(b, ctx.tenantId(), b.scope().scopeKey(ctx, model), spent, reserved,
        requested, b.window().nextReset(now));
  }

  /** Largest n in [0, max] with fixed + perToken × n ≤ room; −1 if fixed alone exceeds room. */
  private static long affordAlone(BigDecimal room, BigDecimal fixed, BigDecimal perToken, long max) {
    BigDecimal left = room.subtract(fixed);
    if (left.signum() < 0) {
      return -1;
    }
    if (perToken.signum() == 0) {
      return max;
    }
    BigDecimal fit = left.divide(perToken, 0, RoundingMode.FLOOR);
    return fit.compareTo(BigDecimal.valueOf(max)) >= 0 ? max : fit.longValueExact();
  }

  private static BigDecimal perTokenOf(CallEstimate e, BudgetUnit u) {
    return e.perToken().getOrDefault(u, BigDecimal.ZERO);
  }

  private static boolean isHard(Budget b) {
    return b.enforcement() == Budget.Enforcement.HARD;
  }

  private static void requireUnits(List<Budget> applicable, CallEstimate estimate) {
    for (Budget b : applicable) {
      if (!estimate.covers(b.unit())) {
        throw new IllegalArgumentException("estimate: no " + b.unit() + " amount, but budget '" + b.id()
            + "' limits " + b.unit() + " for this call");
      }
    }
  }

  private static void validateModel(String model) {
    if (model == null || model.isEmpty()) {
      throw new IllegalArgumentException("model: must not be empty");
    }
    io.costgen.cost.internal.Text.requireWellFormed("model", model);
    for (int i = 0; i < model.length(); i++) {
      if (Character.isISOControl(model.charAt(i))) {
        throw new IllegalArgumentException(String.format(
            "model: control character U+%04X at index %d is not allowed", (int) model.charAt(i), i));
      }
    }
  }

  private static void validateLease(Duration lease) {
    if (lease == null || lease.isNegative() || lease.isZero() || lease.compareTo(MAX_LEASE) > 0) {
      throw new IllegalArgumentException("lease: " + lease + " must be > 0 and <= " + MAX_LEASE.toDays() + " days");
    }
  }

  private void maybeSweep(Instant now) {
    Instant last = lastSweep.get();
    if (now.isAfter(last.plus(SWEEP_EVERY)) && lastSweep.compareAndSet(last, now)) {
      if (last.equals(Instant.MIN)) {
        return; // first operation: just start the schedule
      }
      firedHere.clear();
      store.sweep(now);
    }
  }

  /** Builder for {@link Budgets}. Not thread-safe. */
  public static final class Builder {
    private BudgetStore store;
    private Clock clock = Clock.systemUTC();
    private BudgetListener listener = BudgetListener.NONE;
    private final Map<Currency, io.costgen.cost.ExchangeRate> rates = new java.util.HashMap<>();

    private Builder() {}

    /**
     * An explicit rate from a price currency to the money budgets' currency; without one, calls
     * priced in another currency than the budgets are refused. One rate per {@code from} currency.
     */
    public Builder exchangeRate(io.costgen.cost.ExchangeRate v) {
      Objects.requireNonNull(v, "exchangeRate");
      rates.put(v.from(), v);
      return this;
    }

    /** Where counters live (default {@link BudgetStore#inMemory()}). */
    public Builder store(BudgetStore v) { this.store = Objects.requireNonNull(v, "store"); return this; }
    /** The time source for windows and leases (inject a fixed/advancing clock in tests). */
    public Builder clock(Clock v) { this.clock = Objects.requireNonNull(v, "clock"); return this; }
    /** Alert and exceeded callbacks (guarded). */
    public Builder listener(BudgetListener v) { this.listener = Objects.requireNonNull(v, "listener"); return this; }

    /**
     * Builds it, with no budgets registered yet: add them with {@link Budgets#register(Budget)}.
     */
    public Budgets build() {
      return new Budgets(this);
    }
  }
}
