package io.costgen.redis;

import io.costgen.cost.budget.BudgetStore;
import io.costgen.cost.budget.BudgetStoreUnavailableException;
import io.costgen.cost.budget.BudgetUnit;
import io.costgen.cost.budget.FailurePolicy;
import io.costgen.cost.budget.SettleStatus;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BudgetStore} in Redis, so that budgets hold across processes and machines. It passes the
 * same contract suite as the in-memory store ({@code BudgetStoreContractTest}).
 *
 * <pre>{@code
 * RedisBudgetStore store = RedisBudgetStore.builder("redis://redis.internal:6379")
 *     .keyPrefix("costgen:").failurePolicy(FailurePolicy.FAIL_CLOSED).commandTimeout(Duration.ofMillis(500))
 *     .build();
 * Budgets budgets = Budgets.builder().store(store).build().register(Budget.parse("money:5/day"));
 * }</pre>
 *
 * <ul>
 *   <li><b>One script per operation.</b> Reserve (all claims admit or none, shrink included),
 *       settle (idempotent by reservation id), release, totals, alert marks and sweep each run as
 *       one Lua script, so Redis executes them atomically with respect to every other client.
 *   <li><b>Exact amounts.</b> Amounts travel and are stored as decimal strings; the scripts add and
 *       compare them with exact arbitrary-precision decimal arithmetic (never Lua doubles). An
 *       amount must be {@code >= 0}, below 10^36 and have at most 64 significant decimal places;
 *       anything else is an {@link IllegalArgumentException}, never rounded. Token counts must be
 *       below 2^53.
 *   <li><b>Caller's clock.</b> Leases and retention are judged against the {@code now} each call
 *       passes (kept to the microsecond), not Redis's clock: an expired hold is freed by the next
 *       script that touches its bucket, or by {@link #sweep}. Keys also carry a Redis time to live
 *       of (retention − now) + {@linkplain Builder#keyRetentionMargin margin}, so an abandoned
 *       namespace empties itself even if nobody sweeps.
 *   <li><b>Namespaced keys.</b> Every key starts with the prefix; budget ids, scope keys (tenant
 *       ids) and reservation ids are percent-encoded, so no id can reach another key.
 *   <li><b>Failures.</b> Every command has a timeout; the connection reconnects with exponential
 *       backoff; while Redis is unreachable the {@link FailurePolicy} decides. Settles and releases
 *       that could not reach Redis are queued and replayed ({@link #reconcile()}).
 * </ul>
 *
 * <p>Runs against a single Redis primary (standalone or Sentinel-managed); the guarantees hold for
 * what that primary has applied (see {@code docs/budgets.md} for replication and persistence).
 * Thread-safe: one multiplexed connection serves all threads, pipelining their commands. Close it
 * to release the connection.
 */
public final class RedisBudgetStore implements BudgetStore, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RedisBudgetStore.class);
  private static final String[] NO_KEYS = new String[0];
  private static final int SWEEP_BATCH = 500;
  private static final int CLAIM_FIELDS = 10;

  private final RedisClient client;
  private final ClientResources ownedResources;
  private final String prefix;
  private final FailurePolicy policy;
  private final long marginMillis;
  private final Clock clock;
  private final long timeoutMillis;
  private final LuaScripts scripts = LuaScripts.load();

  private final Object connectLock = new Object();
  private volatile StatefulRedisConnection<String, String> connection;
  private final ReconnectBackoff backoff; // guarded by connectLock
  private volatile boolean closed;

  private final BudgetStore local = BudgetStore.inMemory();
  private final OfflineJournal journal = new OfflineJournal(this::apply);
  private final AtomicBoolean degraded = new AtomicBoolean();

  private RedisBudgetStore(Builder b) {
    this.prefix = b.prefix;
    this.policy = b.policy;
    this.marginMillis = b.margin.toMillis();
    this.clock = b.clock;
    this.timeoutMillis = b.timeout.toMillis();
    this.backoff = new ReconnectBackoff(b.minBackoff, b.maxBackoff);
    RedisURI uri = RedisURI.builder(b.uri).withTimeout(b.timeout).build();
    ClientResources resources = b.resources;
    if (resources == null) {
      resources = DefaultClientResources.builder()
          .reconnectDelay(ReconnectBackoff.lettuceDelay(b.minBackoff, b.maxBackoff))
          .build();
      this.ownedResources = resources;
    } else {
      this.ownedResources = null;
    }
    this.client = RedisClient.create(resources, uri);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(b.timeout))
        .socketOptions(SocketOptions.builder().connectTimeout(b.timeout).build())
        .build());
    try {
      commands();
    } catch (BudgetStoreUnavailableException e) {
      degraded.set(true);
      LOG.warn("Redis at {}:{} is not reachable yet; the store will keep trying ({}): {}", b.uri.getHost(),
          b.uri.getPort(), policy, e.getMessage());
    }
  }

  /** A builder for a store at {@code redisUri}, e.g. {@code redis://host:6379/0}. */
  public static Builder builder(String redisUri) {
    return new Builder(RedisURI.create(Objects.requireNonNull(redisUri, "redisUri")));
  }

  /** A builder for a store at {@code uri} (the uri is copied, never modified). */
  public static Builder builder(RedisURI uri) {
    return new Builder(Objects.requireNonNull(uri, "uri"));
  }

  /** The key prefix every key of this store starts with. */
  public String keyPrefix() {
    return prefix;
  }

  /** The policy applied while Redis is unreachable. */
  public FailurePolicy failurePolicy() {
    return policy;
  }

  // ------------------------------------------------------------------ BudgetStore

  @Override
  public ReserveOutcome reserve(ReserveRequest request) {
    Objects.requireNonNull(request, "request");
    if (request.leaseExpiresAt().isBefore(request.now())) {
      throw new IllegalArgumentException("leaseExpiresAt: " + request.leaseExpiresAt() + " is before now " + request.now());
    }
    if (request.maxTokens() > RedisDecimals.MAX_TOKENS) {
      throw new IllegalArgumentException("maxTokens: " + request.maxTokens() + " must be <= " + RedisDecimals.MAX_TOKENS
          + " (2^53 - 1) for the Redis store");
    }
    List<Claim> claims = request.claims();
    List<String> args = new ArrayList<>(8 + claims.size() * CLAIM_FIELDS);
    args.add(prefix);
    args.add(RedisKeys.escape(request.reservationId()));
    args.add(Long.toString(RedisKeys.micros(request.now())));
    args.add(Long.toString(RedisKeys.micros(request.leaseExpiresAt())));
    args.add(Long.toString(request.maxTokens()));
    args.add(Long.toString(request.minTokens()));
    args.add(Long.toString(marginMillis));
    args.add(Integer.toString(claims.size()));
    for (Claim c : claims) {
      addClaim(args, c);
    }
    List<Object> r;
    try {
      requireReconciled();
      r = eval(scripts.reserve, args);
    } catch (BudgetStoreUnavailableException e) {
      if (policy == FailurePolicy.FAIL_CLOSED) {
        throw e;
      }
      return reserveOffline(request);
    }
    String kind = (String) r.get(0);
    switch (kind) {
      case "DUP":
        throw new IllegalStateException("reservationId: '" + request.reservationId() + "' already used");
      case "REJ":
        return new Rejected(Integer.parseInt((String) r.get(1)),
            new Totals(RedisDecimals.decode(r.get(2)), RedisDecimals.decode(r.get(3))), RedisDecimals.decode(r.get(4)));
      case "OK":
        int n = claims.size();
        List<BigDecimal> amounts = new ArrayList<>(n);
        List<Totals> before = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          amounts.add(RedisDecimals.decode(r.get(2 + i)));
          before.add(new Totals(RedisDecimals.decode(r.get(2 + n + i)), RedisDecimals.decode(r.get(2 + 2 * n + i))));
        }
        return new Granted(Long.parseLong((String) r.get(1)), amounts, before);
      default:
        throw new IllegalStateException("unexpected reserve reply from Redis: " + r);
    }
  }

  @Override
  public SettleOutcome settle(String reservationId, Map<BudgetUnit, BigDecimal> actual, Instant now) {
    Objects.requireNonNull(reservationId, "reservationId");
    Objects.requireNonNull(actual, "actual");
    Objects.requireNonNull(now, "now");
    Map<BudgetUnit, BigDecimal> amounts = Map.copyOf(actual);
    List<String> args = settleArgs(reservationId, amounts, now); // validates precision before any change
    OfflineJournal.Offline off = journal.offline(reservationId);
    if (off != null) {
      SettleOutcome o = local.settle(reservationId, amounts, now);
      if (o.status().recorded()) {
        journal.enqueue(new OfflineJournal.SettleReplay(reservationId, amounts, now, o.claims(), off.leaseExpiresAt()));
        journal.tryReconcile(timeoutMillis);
      }
      return o;
    }
    List<Object> r;
    try {
      requireReconciled();
      r = eval(scripts.settle, args);
    } catch (BudgetStoreUnavailableException e) {
      journal.enqueue(new OfflineJournal.SettleReplay(reservationId, amounts, now, List.of(), null));
      LOG.warn("settle of reservation '{}' queued: Redis is unreachable; it will be replayed when Redis answers",
          reservationId);
      return new SettleOutcome(SettleStatus.SETTLED, List.of(), List.of());
    }
    return parseSettle(reservationId, amounts, r);
  }

  @Override
  public boolean release(String reservationId, Instant now) {
    Objects.requireNonNull(reservationId, "reservationId");
    Objects.requireNonNull(now, "now");
    if (journal.offline(reservationId) != null) {
      boolean freed = local.release(reservationId, now);
      if (freed) {
        // In case the reserve did reach Redis before it timed out: free that hold too.
        journal.enqueue(new OfflineJournal.ReleaseReplay(reservationId, now));
        journal.tryReconcile(timeoutMillis);
      }
      return freed;
    }
    try {
      requireReconciled();
      List<Object> r = eval(scripts.release, List.of(prefix, RedisKeys.escape(reservationId),
          Long.toString(RedisKeys.micros(now))));
      return ((Long) r.get(0)) == 1L;
    } catch (BudgetStoreUnavailableException e) {
      journal.enqueue(new OfflineJournal.ReleaseReplay(reservationId, now));
      return true;
    }
  }

  @Override
  public Totals totals(Key key, Instant countFrom, Instant now) {
    Objects.requireNonNull(key, "key");
    try {
      requireReconciled();
      List<Object> r = eval(scripts.totals, List.of(prefix, RedisKeys.series(key), RedisKeys.start(countFrom),
          Long.toString(RedisKeys.micros(now))));
      return new Totals(RedisDecimals.decode(r.get(0)), RedisDecimals.decode(r.get(1)));
    } catch (BudgetStoreUnavailableException e) {
      if (policy == FailurePolicy.FAIL_CLOSED) {
        throw e;
      }
      return local.totals(key, countFrom, now);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The mark's Redis time to live is {@code retainUntil} minus the builder's clock, plus the
   * margin (this method has no caller time). While Redis is unreachable: under
   * {@link FailurePolicy#FAIL_CLOSED} false (the alert is not fired now; it fires on a later
   * settle), under {@link FailurePolicy#FAIL_OPEN} the local store decides (an alert may then fire
   * in more than one process).
   */
  @Override
  public boolean markAlert(Key key, String alert, Instant retainUntil) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(alert, "alert");
    Objects.requireNonNull(retainUntil, "retainUntil");
    long ttl = Math.max(0, Duration.between(clock.instant(), retainUntil).toMillis()) + marginMillis;
    String suffix = RedisKeys.series(key) + ':' + RedisKeys.start(key.windowStart()) + ':' + RedisKeys.escape(alert);
    try {
      requireReconciled();
      List<Object> r = eval(scripts.alert, List.of(prefix, suffix, Long.toString(RedisKeys.micros(retainUntil)),
          Long.toString(Math.max(1, ttl))));
      return ((Long) r.get(0)) == 1L;
    } catch (BudgetStoreUnavailableException e) {
      return policy == FailurePolicy.FAIL_OPEN && local.markAlert(key, alert, retainUntil);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Runs in batches of {@value #SWEEP_BATCH} entries per script so that Redis is never blocked
   * for long. Never throws for an unreachable Redis (it is called from within settles): it then
   * sweeps only the local fallback state and logs.
   */
  @Override
  public int sweep(Instant now) {
    Objects.requireNonNull(now, "now");
    int dropped = local.sweep(now);
    journal.forget(now);
    try {
      requireReconciled();
      for (int i = 0; i < 10_000; i++) {
        List<Object> r = eval(scripts.sweep, List.of(prefix, Long.toString(RedisKeys.micros(now)),
            Integer.toString(SWEEP_BATCH)));
        dropped += ((Long) r.get(0)).intValue();
        if (((Long) r.get(1)) == 0L) {
          break;
        }
      }
    } catch (BudgetStoreUnavailableException e) {
      LOG.debug("sweep skipped: Redis unreachable", e);
    }
    return dropped;
  }

  // ------------------------------------------------------------------ reconciliation

  /**
   * Replays, in order, the settles and releases queued while Redis was unreachable. Called
   * automatically before every operation while any are queued; call it to reconcile eagerly.
   *
   * @return true if nothing is left queued (Redis answered every replay)
   */
  public boolean reconcile() {
    return journal.reconcile();
  }

  /** How many settles and releases wait to be replayed into Redis. */
  public int pendingReplays() {
    return journal.size();
  }

  /** Whether the last Redis operation succeeded (false after a failure, until one succeeds). */
  public boolean isAvailable() {
    return !degraded.get();
  }

  /**
   * Applies the queued replays before the caller's operation, so that no operation of this
   * process reaches Redis ahead of a settle or release queued before it (a reserve checked
   * against totals that miss queued settles over-admits). A thread that finds another replaying
   * waits for it, at most one command timeout; then, as when the replay fails, it throws
   * {@link BudgetStoreUnavailableException} and the failure policy decides.
   */
  private void requireReconciled() {
    journal.requireReconciled(timeoutMillis);
  }

  /** Applies one queued replay to Redis (called by the journal, under its lock). */
  private void apply(OfflineJournal.Replay replay) {
    if (replay instanceof OfflineJournal.ReleaseReplay rr) {
      eval(scripts.release, List.of(prefix, RedisKeys.escape(rr.id()), Long.toString(RedisKeys.micros(rr.now()))));
      return;
    }
    OfflineJournal.SettleReplay s = (OfflineJournal.SettleReplay) replay;
    List<String> args = settleArgs(s.id(), s.actual(), s.now());
    if (!s.claims().isEmpty()) {
      args.add(Long.toString(RedisKeys.micros(s.leaseExpiresAt())));
      args.add(Integer.toString(s.claims().size()));
      for (Claim c : s.claims()) {
        addClaim(args, c);
      }
    }
    List<Object> r = eval(scripts.settle, args);
    String status = (String) r.get(0);
    if (status.equals("UNKNOWN") || status.equals("MISSING") || status.equals("NEGATIVE")) {
      LOG.warn("replayed settle of reservation '{}': {}; spend not counted in Redis", s.id(), status);
    } else {
      LOG.debug("replayed settle of reservation '{}': {}", s.id(), status);
    }
  }

  // ------------------------------------------------------------------ offline (FAIL_OPEN)

  private ReserveOutcome reserveOffline(ReserveRequest request) {
    ReserveOutcome o = local.reserve(request);
    if (o instanceof Granted) {
      journal.admittedOffline(request);
    }
    return o;
  }

  private void markUnavailable(BudgetStoreUnavailableException e) {
    if (degraded.compareAndSet(false, true)) {
      LOG.warn("Redis unreachable ({}): {}", policy == FailurePolicy.FAIL_CLOSED
          ? "FAIL_CLOSED, refusing reservations" : "FAIL_OPEN, admitting against local counters", e.getMessage());
    }
  }

  private void markAvailable() {
    if (degraded.compareAndSet(true, false)) {
      LOG.info("Redis reachable again");
    }
  }

  // ------------------------------------------------------------------ wire format

  private List<String> settleArgs(String reservationId, Map<BudgetUnit, BigDecimal> actual, Instant now) {
    List<String> args = new ArrayList<>(8 + actual.size() * 2);
    args.add(prefix);
    args.add(RedisKeys.escape(reservationId));
    args.add(Long.toString(RedisKeys.micros(now)));
    args.add(Long.toString(marginMillis));
    args.add(Integer.toString(actual.size()));
    for (Map.Entry<BudgetUnit, BigDecimal> e : actual.entrySet()) {
      Objects.requireNonNull(e.getValue(), "actual amount");
      args.add(e.getKey().name());
      args.add(e.getValue().signum() < 0 ? "-" : RedisDecimals.encode("actual " + e.getKey(), e.getValue()));
    }
    return args;
  }

  private SettleOutcome parseSettle(String reservationId, Map<BudgetUnit, BigDecimal> actual, List<Object> r) {
    String status = (String) r.get(0);
    switch (status) {
      case "UNKNOWN":
        return new SettleOutcome(SettleStatus.UNKNOWN, List.of(), List.of());
      case "DUPLICATE":
        return new SettleOutcome(SettleStatus.DUPLICATE, List.of(), List.of());
      case "MISSING": {
        Claim c = ClaimCodec.decode((String) r.get(1));
        throw new IllegalArgumentException("actual: no " + c.unit() + " amount, but reservation '" + reservationId
            + "' holds budget '" + c.key().budgetId() + "' in " + c.unit());
      }
      case "NEGATIVE": {
        Claim c = ClaimCodec.decode((String) r.get(1));
        throw new IllegalArgumentException("actual: " + c.unit() + " amount " + actual.get(c.unit()).toPlainString()
            + " must be >= 0");
      }
      default:
        int n = Integer.parseInt((String) r.get(1));
        List<Claim> claims = new ArrayList<>(n);
        List<Totals> after = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          claims.add(ClaimCodec.decode((String) r.get(2 + i)));
          after.add(new Totals(RedisDecimals.decode(r.get(2 + n + i)), RedisDecimals.decode(r.get(2 + 2 * n + i))));
        }
        return new SettleOutcome(SettleStatus.valueOf(status), claims, after);
    }
  }

  private static void addClaim(List<String> args, Claim c) {
    args.add(RedisKeys.series(c.key()));
    args.add(RedisKeys.start(c.key().windowStart()));
    args.add(RedisKeys.start(c.countFrom()));
    args.add(c.limit().isPresent() ? RedisDecimals.encode("limit of budget '" + c.key().budgetId() + "'", c.limit().get()) : "");
    args.add(RedisDecimals.encode("fixed amount for budget '" + c.key().budgetId() + "'", c.fixed()));
    args.add(RedisDecimals.encode("per-token amount for budget '" + c.key().budgetId() + "'", c.perToken()));
    args.add(c.shrinkable() ? "1" : "0");
    args.add(Long.toString(RedisKeys.micros(c.retainUntil())));
    args.add(c.unit().name());
    args.add(ClaimCodec.encode(c));
  }

  // ------------------------------------------------------------------ Redis access

  /** Runs a script; tracks availability (a success clears it, an outage sets it). */
  private List<Object> eval(LuaScripts.Script script, List<String> args) {
    try {
      List<Object> r = evalOnce(script, args);
      markAvailable();
      return r;
    } catch (BudgetStoreUnavailableException e) {
      markUnavailable(e);
      throw e;
    }
  }

  private List<Object> evalOnce(LuaScripts.Script script, List<String> args) {
    RedisCommands<String, String> cmd = commands();
    String[] values = args.toArray(new String[0]);
    try {
      try {
        return cmd.evalsha(script.sha(), ScriptOutputType.MULTI, NO_KEYS, values);
      } catch (RedisNoScriptException e) {
        return cmd.eval(script.text(), ScriptOutputType.MULTI, NO_KEYS, values); // e.g. after a restart
      }
    } catch (RedisCommandExecutionException e) {
      String m = String.valueOf(e.getMessage());
      if (m.startsWith("LOADING") || m.startsWith("BUSY") || m.startsWith("MASTERDOWN") || m.startsWith("READONLY")
          || m.startsWith("TRYAGAIN") || m.startsWith("CLUSTERDOWN") || m.startsWith("OOM")) {
        throw new BudgetStoreUnavailableException("Redis cannot serve the budget store now: " + m, e);
      }
      throw new IllegalStateException("Redis refused the " + script.name() + " script: " + m, e);
    } catch (RedisException e) {
      throw new BudgetStoreUnavailableException("Redis unreachable: " + e.getMessage(), e);
    }
  }

  /** The connection's commands, connecting first if needed (with backoff between failed attempts). */
  private RedisCommands<String, String> commands() {
    StatefulRedisConnection<String, String> c = connection;
    if (c != null) {
      return c.sync();
    }
    synchronized (connectLock) {
      if (closed) {
        throw new IllegalStateException("RedisBudgetStore is closed");
      }
      if (connection == null) {
        long t = System.nanoTime();
        long wait = backoff.nanosUntilNextAttempt(t);
        if (wait > 0) {
          throw new BudgetStoreUnavailableException("Redis unreachable (not connected; next attempt in "
              + Duration.ofNanos(wait).toMillis() + " ms)", null);
        }
        try {
          connection = client.connect(StringCodec.UTF8);
          backoff.onSuccess();
        } catch (RedisException e) {
          backoff.onFailure(t);
          throw new BudgetStoreUnavailableException("Redis unreachable: " + e.getMessage(), e);
        }
      }
      return connection.sync();
    }
  }

  /**
   * Tries once more to replay queued settles (logging what is left), then closes the connection
   * and the client. Idempotent.
   */
  @Override
  public void close() {
    synchronized (connectLock) {
      if (closed) {
        return;
      }
      if (!journal.isEmpty() && connection != null) {
        reconcile();
      }
      closed = true;
      if (!journal.isEmpty()) {
        LOG.warn("closing with {} settles/releases never replayed into Redis (Redis unreachable); their spend is "
            + "only in this process's ledger", journal.size());
      }
      if (connection != null) {
        connection.close();
        connection = null;
      }
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    if (ownedResources != null) {
      ownedResources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return "RedisBudgetStore{prefix='" + prefix + "', policy=" + policy + ", pendingReplays=" + journal.size() + "}";
  }

  /** Builder for {@link RedisBudgetStore}. Not thread-safe. */
  public static final class Builder {
    private final RedisURI uri;
    private String prefix = "costgen:";
    private FailurePolicy policy = FailurePolicy.FAIL_CLOSED;
    private Duration timeout = Duration.ofSeconds(1);
    private Duration minBackoff = Duration.ofMillis(10);
    private Duration maxBackoff = Duration.ofSeconds(2);
    private boolean backoffSet;
    private Duration margin = Duration.ofHours(1);
    private ClientResources resources;
    private Clock clock = Clock.systemUTC();

    private Builder(RedisURI uri) {
      this.uri = uri;
    }

    /**
     * Prefix of every key (default {@code costgen:}); 1–100 printable ASCII characters without
     * spaces. Stores with different prefixes never see each other's counters.
     */
    public Builder keyPrefix(String v) {
      Objects.requireNonNull(v, "keyPrefix");
      if (v.isEmpty() || v.length() > 100 || !v.chars().allMatch(ch -> ch > 0x20 && ch < 0x7F)) {
        throw new IllegalArgumentException("keyPrefix: '" + v + "' must be 1-100 printable ASCII characters without spaces");
      }
      this.prefix = v;
      return this;
    }

    /** What to do while Redis is unreachable (default {@link FailurePolicy#FAIL_CLOSED}). */
    public Builder failurePolicy(FailurePolicy v) {
      this.policy = Objects.requireNonNull(v, "failurePolicy");
      return this;
    }

    /** Timeout of every command and of connecting (default 1 s; 1 ms – 10 min). */
    public Builder commandTimeout(Duration v) {
      this.timeout = within("commandTimeout", v, Duration.ofMillis(1), Duration.ofMinutes(10));
      return this;
    }

    /**
     * Reconnection backoff: exponential from {@code min} doubling up to {@code max} (default
     * 10 ms – 2 s). Applies to the client resources the store creates; with
     * {@link #clientResources} set the resources' own reconnect delay applies.
     */
    public Builder reconnectBackoff(Duration min, Duration max) {
      within("reconnectBackoff min", min, Duration.ofMillis(1), Duration.ofMinutes(10));
      within("reconnectBackoff max", max, min, Duration.ofMinutes(10));
      this.minBackoff = min;
      this.maxBackoff = max;
      this.backoffSet = true;
      return this;
    }

    /**
     * How long keys outlive their retention in Redis's own expiry (default 1 h; 0 – 30 days): room
     * for clock skew between hosts and Redis. Counters are dropped by {@code sweep} at their
     * retention (caller's clock) and by Redis at retention + margin at the latest.
     */
    public Builder keyRetentionMargin(Duration v) {
      this.margin = within("keyRetentionMargin", v, Duration.ZERO, Duration.ofDays(30));
      return this;
    }

    /** Shared Lettuce resources (event loops); not shut down by {@link #close()}. Default: the store's own. */
    public Builder clientResources(ClientResources v) {
      this.resources = Objects.requireNonNull(v, "clientResources");
      return this;
    }

    /** Clock for alert-mark expiry only ({@code markAlert} has no caller time); default system UTC. */
    public Builder clock(Clock v) {
      this.clock = Objects.requireNonNull(v, "clock");
      return this;
    }

    /**
     * Builds the store and tries to connect once; if Redis is not reachable yet, the store keeps
     * trying on later operations (which meanwhile follow the failure policy).
     *
     * @throws IllegalStateException if both {@link #clientResources} and {@link #reconnectBackoff} are set
     */
    public RedisBudgetStore build() {
      if (resources != null && backoffSet) {
        throw new IllegalStateException("reconnectBackoff: set the reconnect delay on the shared clientResources instead");
      }
      return new RedisBudgetStore(this);
    }

    private static Duration within(String field, Duration v, Duration min, Duration max) {
      Objects.requireNonNull(v, field);
      if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
        throw new IllegalArgumentException(field + ": " + v + " must be between " + min + " and " + max);
      }
      return v;
    }
  }
}
