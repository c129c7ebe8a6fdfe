package io.costgen.micrometer;

import io.costgen.cost.CallContext;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetScope;
import io.costgen.cost.budget.BudgetStatus;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.meter.Meter;
import io.costgen.cost.meter.UsageRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Meter} that publishes every {@link UsageRecord} to a Micrometer {@link MeterRegistry},
 * under the OpenTelemetry GenAI semantic-convention names where one exists (status: Development)
 * and {@code costgen.*} names otherwise.
 *
 * <pre>{@code
 * MicrometerMeter meter = MicrometerMeter.builder(registry).budgets(budgets).build();
 * }</pre>
 *
 * <table>
 *   <caption>Instruments (all tagged {@code gen_ai.operation.name}, {@code gen_ai.provider.name},
 *   {@code gen_ai.request.model}, and {@code costgen.tenant} when enabled)</caption>
 *   <tr><th>name</th><th>type, unit</th><th>value</th></tr>
 *   <tr><td>{@code gen_ai.client.token.usage}</td><td>distribution summary (OTel unit {@code {token}}, see
 *       below), OTel buckets 1, 4, 16 … 4^13</td><td>prompt ({@code gen_ai.token.type=input}) and completion
 *       ({@code output}) tokens</td></tr>
 *   <tr><td>{@code gen_ai.client.operation.duration}</td><td>timer, seconds, OTel buckets 0.01 … 81.92</td>
 *       <td>total seconds; {@code error.type} = the error's type, {@code none} on success</td></tr>
 *   <tr><td>{@code gen_ai.server.time_to_first_token}</td><td>timer, seconds</td><td>when known</td></tr>
 *   <tr><td>{@code gen_ai.server.time_per_output_token}</td><td>timer, seconds</td>
 *       <td>(total − TTFT) / (output tokens − 1), when TTFT is known and there are ≥ 2 output tokens</td></tr>
 *   <tr><td>{@code costgen.cost}</td><td>counter, tag {@code currency}</td><td>money, in the currency's units</td></tr>
 *   <tr><td>{@code costgen.flops}, {@code costgen.device.seconds}, {@code costgen.energy.joules},
 *       {@code costgen.co2e.grams}</td><td>counters</td><td>FLOPs, device-seconds, joules, grams CO2e</td></tr>
 *   <tr><td>{@code costgen.budget.rejections}</td><td>counter, tag {@code costgen.budget.id}</td>
 *       <td>records with finish reason {@value UsageRecord#BUDGET_REJECTED} (counted here only)</td></tr>
 *   <tr><td>{@code costgen.budget.spent}, {@code costgen.budget.reserved}, {@code costgen.budget.remaining},
 *       {@code costgen.budget.limit}</td><td>gauges, tags {@code costgen.budget.id},
 *       {@code costgen.budget.unit} (currency code, {@code tokens}, {@code flops}, {@code joules}),
 *       {@code costgen.budget.scope}</td><td>from {@link Budgets#status}, when {@link Builder#budgets} is set</td></tr>
 * </table>
 *
 * <p><b>Names.</b> costgen runs the model in-process, so time to first token and time per output
 * token use the OTel <em>server</em> metric names ({@code gen_ai.server.*}), which are defined as
 * measured by the engine; the call as a whole uses the client names. {@code gen_ai.provider.name}
 * defaults to {@code costgen} and {@code gen_ai.operation.name} to {@code text_completion}. The
 * token summary carries no Micrometer base unit: OTel's {@code {token}} is an annotation that
 * OTel's Prometheus mapping drops, but Micrometer's Prometheus naming would append it
 * ({@code gen_ai_client_token_usage__token_}); with none the series is
 * {@code gen_ai_client_token_usage}. {@code error.type} is {@code none} on success (Prometheus
 * needs one tag set per name), else the error's type.
 *
 * <p><b>Precision.</b> Micrometer counters are doubles: {@code costgen.cost} is the exact
 * {@code BigDecimal} money rounded to the nearest double on each increment (about 16 significant
 * digits; sums of many tiny amounts drift in the last digits). Use the ledger
 * ({@code JsonLinesLedger}) or {@code InMemoryMeter} for exact money; this meter is for dashboards.
 *
 * <p><b>Tenants</b> are tagged only when enabled ({@link Builder#tenantTags}), and then at most
 * {@link Builder#maxTenants} distinct ones (first come); later tenants are tagged
 * {@value #OTHER_TENANT}, calls without a tenant {@value #NO_TENANT}.
 *
 * <p>Thread-safe; {@link #record} never blocks on I/O (budget gauges read the budget store when
 * the registry is scraped, at most once a second per tenant; a failing read reports NaN).
 */
public final class MicrometerMeter implements Meter {

  private static final Logger LOG = LoggerFactory.getLogger(MicrometerMeter.class);

  /** Tag value for tenants beyond the cap. */
  public static final String OTHER_TENANT = "other";
  /** Tag value for calls without a tenant. */
  public static final String NO_TENANT = "none";

  static final String TOKEN_USAGE = "gen_ai.client.token.usage";
  static final String DURATION = "gen_ai.client.operation.duration";
  static final String TTFT = "gen_ai.server.time_to_first_token";
  static final String TPOT = "gen_ai.server.time_per_output_token";

  /** OTel GenAI advisory buckets for token usage: 1, 4, 16, … 67108864. */
  private static final double[] TOKEN_BUCKETS = powers(1, 4, 14);
  /** OTel GenAI advisory buckets for operation duration: 0.01 … 81.92 s. */
  private static final Duration[] DURATION_BUCKETS = seconds(powers(0.01, 2, 14));
  /** OTel GenAI advisory buckets for time to first token. */
  private static final Duration[] TTFT_BUCKETS = seconds(0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5,
      0.75, 1.0, 2.5, 5.0, 7.5, 10.0);
  /** OTel GenAI advisory buckets for time per output token. */
  private static final Duration[] TPOT_BUCKETS = seconds(0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5,
      0.75, 1.0, 2.5);
  private static final Pattern ERROR_TYPE = Pattern.compile("[A-Za-z0-9_.$-]{1,100}");

  private final MeterRegistry registry;
  private final String provider;
  private final String operation;
  private final boolean tenantTags;
  private final int maxTenants;
  private final Budgets budgets;
  private final ConcurrentHashMap<String, Boolean> tenants = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<List<String>, Instruments> instruments = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Boolean> gauges = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, CachedStatus> statusCache = new ConcurrentHashMap<>();
  private volatile long budgetsCheckedNanos;

  private record CachedStatus(long atNanos, List<BudgetStatus> statuses) {}

  /** The instruments of one (model, tenant tag) pair, created once. */
  private final class Instruments {
    final Tags base;
    final DistributionSummary input;
    final DistributionSummary output;
    final Timer ttft;
    final Timer tpot;
    final Counter flops;
    final Counter deviceSeconds;
    final Counter joules;
    final Counter grams;
    final ConcurrentHashMap<String, Timer> durationByError = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, Counter> costByCurrency = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, Counter> rejectionsByBudget = new ConcurrentHashMap<>();

    Instruments(String model, Optional<String> tenant) {
      Tags t = Tags.of(Tag.of("gen_ai.operation.name", operation), Tag.of("gen_ai.provider.name", provider),
          Tag.of("gen_ai.request.model", model));
      base = tenant.map(v -> t.and("costgen.tenant", v)).orElse(t);
      input = tokens("input");
      output = tokens("output");
      ttft = Timer.builder(TTFT).description("Time to generate the first token (measured by the engine)")
          .serviceLevelObjectives(TTFT_BUCKETS).tags(base).register(registry);
      tpot = Timer.builder(TPOT).description("Time per output token after the first (measured by the engine)")
          .serviceLevelObjectives(TPOT_BUCKETS).tags(base).register(registry);
      flops = counter("costgen.flops", "flops", "Floating-point operations of the calls (prefill + decode)");
      deviceSeconds = counter("costgen.device.seconds", "seconds", "Accelerator or CPU time the calls held");
      joules = counter("costgen.energy.joules", "joules", "Estimated energy of the calls");
      grams = counter("costgen.co2e.grams", "grams", "Estimated CO2-equivalent emissions of the calls");
    }

    private DistributionSummary tokens(String type) {
      return DistributionSummary.builder(TOKEN_USAGE).description("Number of input and output tokens used")
          .serviceLevelObjectives(TOKEN_BUCKETS).tags(base).tag("gen_ai.token.type", type)
          .register(registry);
    }

    private Counter counter(String name, String unit, String description) {
      return Counter.builder(name).baseUnit(unit).description(description).tags(base).register(registry);
    }

    Timer duration(String errorType) {
      return durationByError.computeIfAbsent(errorType, e -> Timer.builder(DURATION)
          .description("Duration of the generation call").serviceLevelObjectives(DURATION_BUCKETS).tags(base)
          .tag("error.type", e).register(registry));
    }

    Counter cost(String currency) {
      return costByCurrency.computeIfAbsent(currency, c -> Counter.builder("costgen.cost")
          .description("Money the calls cost, in the currency's units (a double: see MicrometerMeter)")
          .tags(base).tag("currency", c).register(registry));
    }

    Counter rejections(String budgetId) {
      return rejectionsByBudget.computeIfAbsent(budgetId, b -> Counter.builder("costgen.budget.rejections")
          .description("Calls a budget refused before they started").tags(base).tag("costgen.budget.id", b)
          .register(registry));
    }
  }

  private MicrometerMeter(Builder b) {
    this.registry = b.registry;
    this.provider = b.provider;
    this.operation = b.operation;
    this.tenantTags = b.tenantTags;
    this.maxTenants = b.maxTenants;
    this.budgets = b.budgets;
    this.budgetsCheckedNanos = System.nanoTime() - 2_000_000_000L; // due at once
    if (budgets != null) {
      ensureBudgetGauges(Optional.empty());
    }
  }

  public static Builder builder(MeterRegistry registry) {
    return new Builder(registry);
  }

  /** Publishes {@code record}: a call's usage, or a budget rejection. */
  @Override
  public void record(UsageRecord r) {
    Objects.requireNonNull(r, "record");
    Optional<String> tenant = tenantTags ? Optional.of(tenantTag(r.tenantId())) : Optional.empty();
    Instruments in = instruments.computeIfAbsent(List.of(r.model(), tenant.orElse("")),
        k -> new Instruments(r.model(), tenant));
    if (budgets != null) {
      ensureBudgetGauges(tenant.isPresent() && !tenant.get().equals(OTHER_TENANT) ? r.tenantId() : Optional.empty());
    }
    if (r.isBudgetRejection()) {
      String err = r.error().orElse("");
      String budgetId = err.startsWith("budget_exceeded: ") ? err.substring("budget_exceeded: ".length()) : "unknown";
      in.rejections(budgetId).increment();
      return;
    }
    in.input.record(r.promptTokens());
    in.output.record(r.completionTokens());
    in.duration(errorType(r.error())).record(nanos(r.totalSeconds()), TimeUnit.NANOSECONDS);
    if (r.timeToFirstToken().isPresent()) {
      double ttftSeconds = r.timeToFirstToken().get().toNanos() / 1e9;
      in.ttft.record(r.timeToFirstToken().get().toNanos(), TimeUnit.NANOSECONDS);
      if (r.completionTokens() > 1) {
        double perToken = Math.max(0, r.totalSeconds() - ttftSeconds) / (r.completionTokens() - 1);
        in.tpot.record(nanos(perToken), TimeUnit.NANOSECONDS);
      }
    }
    in.cost(r.money().currency().getCurrencyCode()).increment(r.money().amount().doubleValue());
    in.flops.increment(r.flops());
    in.deviceSeconds.increment(r.deviceSeconds());
    in.joules.increment(r.energyJoules());
    in.grams.increment(r.co2eGrams());
  }

  /** The tenant tag for a record: the id within the cap, {@link #OTHER_TENANT} beyond, {@link #NO_TENANT} without. */
  private String tenantTag(Optional<String> tenantId) {
    if (tenantId.isEmpty()) {
      return NO_TENANT;
    }
    String t = tenantId.get();
    if (tenants.containsKey(t)) {
      return t;
    }
    synchronized (tenants) {
      if (tenants.size() < maxTenants) {
        tenants.putIfAbsent(t, Boolean.TRUE);
        return t;
      }
    }
    return tenants.containsKey(t) ? t : OTHER_TENANT;
  }

  /**
   * The low-cardinality type of an error message {@code "<type>: <detail>"} (e.g. a class name, or
   * {@code budget_exceeded}); {@code _OTHER} if it has no such prefix, {@code none} without error.
   */
  static String errorType(Optional<String> error) {
    if (error.isEmpty()) {
      return "none";
    }
    String e = error.get();
    int colon = e.indexOf(':');
    String type = (colon < 0 ? e : e.substring(0, colon)).trim();
    return ERROR_TYPE.matcher(type).matches() ? type : "_OTHER";
  }

  // ------------------------------------------------------------------ budget gauges

  /**
   * Registers gauges for the global budgets (and, for {@code tenant}, its per-tenant budgets) not
   * yet published. Budgets registered later are picked up within a second of the next record.
   */
  private void ensureBudgetGauges(Optional<String> tenant) {
    boolean newTenant = tenant.isPresent() && gauges.putIfAbsent("tenant\u0000" + tenant.get(), Boolean.TRUE) == null;
    long now = System.nanoTime();
    boolean recheck = now - budgetsCheckedNanos > 1_000_000_000L;
    if (!newTenant && !recheck) {
      return;
    }
    List<String> forTenants = tenant.map(List::of).orElse(List.of());
    if (recheck) {
      budgetsCheckedNanos = now;
      forTenants = tenantTags ? List.copyOf(tenants.keySet()) : List.of();
    }
    for (Budget b : budgets.budgets()) {
      if (!b.window().accumulates()) {
        continue;
      }
      BudgetScope.Kind kind = b.scope().kind();
      Optional<String> fixed = b.scope().tenantId();
      if (kind == BudgetScope.Kind.GLOBAL) {
        gauge(b, Optional.empty(), "global");
      } else if (kind == BudgetScope.Kind.TENANT && fixed.isPresent()) {
        if (tenantTags && tenants.containsKey(fixed.get())) {
          gauge(b, fixed, b.scope().scopeKey(CallContext.forTenant(fixed.get()), null));
        }
      } else if (kind == BudgetScope.Kind.TENANT) {
        for (String t : forTenants) {
          gauge(b, Optional.of(t), b.scope().scopeKey(CallContext.forTenant(t), null));
        }
      }
    }
  }

  private void gauge(Budget b, Optional<String> tenant, String scopeKey) {
    String key = b.id() + '\u0000' + b.window().id() + '\u0000' + scopeKey;
    if (gauges.putIfAbsent(key, Boolean.TRUE) != null) {
      return;
    }
    String unit = switch (b.unit()) {
      case MONEY -> b.currency().map(c -> c.getCurrencyCode()).orElse("money");
      case TOKENS -> "tokens";
      case FLOPS -> "flops";
      case ENERGY_JOULES -> "joules";
    };
    Tags tags = Tags.of("costgen.budget.id", b.id(), "costgen.budget.unit", unit, "costgen.budget.scope", scopeKey);
    String id = b.id();
    register("costgen.budget.spent", "Settled spend in the current window", tags, tenant, id, s -> s.spent().doubleValue());
    register("costgen.budget.reserved", "Open reservations in the current window", tags, tenant, id,
        s -> s.reserved().doubleValue());
    register("costgen.budget.remaining", "max(0, limit - spent - reserved)", tags, tenant, id,
        s -> s.remaining().doubleValue());
    register("costgen.budget.limit", "The budget's limit", tags, tenant, id, s -> s.limit().doubleValue());
  }

  private void register(String name, String description, Tags tags, Optional<String> tenant, String budgetId,
      ToDoubleFunction<BudgetStatus> value) {
    Gauge.builder(name, this, m -> m.read(tenant, budgetId, value)).description(description).tags(tags)
        .strongReference(true).register(registry);
  }

  private double read(Optional<String> tenant, String budgetId, ToDoubleFunction<BudgetStatus> value) {
    String cacheKey = tenant.orElse("\u0000global");
    long now = System.nanoTime();
    CachedStatus c = statusCache.get(cacheKey);
    try {
      if (c == null || now - c.atNanos() > 1_000_000_000L) {
        List<BudgetStatus> s = tenant.isPresent() ? budgets.statusForTenant(tenant.get())
            : budgets.status(CallContext.anonymous(), null);
        c = new CachedStatus(now, s);
        statusCache.put(cacheKey, c);
      }
      for (BudgetStatus s : c.statuses()) {
        if (s.budgetId().equals(budgetId)) {
          return value.applyAsDouble(s);
        }
      }
      return Double.NaN; // removed since
    } catch (RuntimeException e) {
      LOG.debug("budget gauge {}: status unavailable", budgetId, e);
      return Double.NaN;
    }
  }

  // ------------------------------------------------------------------ helpers

  private static long nanos(double seconds) {
    return Math.round(seconds * 1e9);
  }

  private static double[] powers(double first, double factor, int count) {
    double[] v = new double[count];
    double x = first;
    for (int i = 0; i < count; i++) {
      v[i] = x;
      x *= factor;
    }
    return v;
  }

  private static Duration[] seconds(double... s) {
    Duration[] d = new Duration[s.length];
    for (int i = 0; i < s.length; i++) {
      d[i] = Duration.ofNanos(Math.round(s[i] * 1e9));
    }
    return d;
  }

  /** Builder for {@link MicrometerMeter}. Not thread-safe. */
  public static final class Builder {
    private final MeterRegistry registry;
    private String provider = "costgen";
    private String operation = "text_completion";
    private boolean tenantTags;
    private int maxTenants = 100;
    private Budgets budgets;

    private Builder(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** {@code gen_ai.provider.name} (default {@code costgen}). */
    public Builder providerName(String v) {
      this.provider = text("providerName", v);
      return this;
    }

    /** {@code gen_ai.operation.name} (default {@code text_completion}; {@code chat} when a chat template is applied). */
    public Builder operationName(String v) {
      this.operation = text("operationName", v);
      return this;
    }

    /** Tag every instrument with {@code costgen.tenant} (default false: tenant ids can be many and private). */
    public Builder tenantTags(boolean v) {
      this.tenantTags = v;
      return this;
    }

    /** Most distinct tenant tag values (default 100; 1 – 100,000); later tenants are tagged {@value MicrometerMeter#OTHER_TENANT}. */
    public Builder maxTenants(int v) {
      if (v < 1 || v > 100_000) {
        throw new IllegalArgumentException("maxTenants: " + v + " must be between 1 and 100000");
      }
      this.maxTenants = v;
      return this;
    }

    /**
     * Publish budget gauges from {@code v}: every global budget, and with {@link #tenantTags} the
     * per-tenant budgets of each tagged tenant seen in a record.
     */
    public Builder budgets(Budgets v) {
      this.budgets = Objects.requireNonNull(v, "budgets");
      return this;
    }

    public MicrometerMeter build() {
      return new MicrometerMeter(this);
    }

    private static String text(String field, String v) {
      if (v == null || v.isBlank()) {
        throw new IllegalArgumentException(field + ": must not be blank");
      }
      return v;
    }
  }
}
