package io.costgen.cost.meter;

import io.costgen.cost.Money;
import java.math.BigDecimal;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Aggregates records in memory per day (of the record's end time, in a zone: UTC by default),
 * tenant, model and currency: counts, token/FLOP/energy/money sums (money exact) and every
 * latency sample, so percentiles are exact. Records are not kept and ids are not de-duplicated
 * (every {@link #record} call counts). Thread-safe: a concurrent map of per-group aggregates,
 * each locked alone.
 */
public final class InMemoryMeter implements Meter {

  private final ZoneId zone;
  private final ConcurrentHashMap<UsageAggregate.Key, UsageAggregate> groups = new ConcurrentHashMap<>();

  private InMemoryMeter(ZoneId zone) {
    this.zone = Objects.requireNonNull(zone, "zone");
  }

  /** Days in UTC. */
  public static InMemoryMeter create() {
    return new InMemoryMeter(ZoneOffset.UTC);
  }

  /** Days in {@code zone}. */
  public static InMemoryMeter create(ZoneId zone) {
    return new InMemoryMeter(zone);
  }

  public ZoneId zone() {
    return zone;
  }

  @Override
  public void record(UsageRecord r) {
    Objects.requireNonNull(r, "record");
    UsageAggregate.Key key = new UsageAggregate.Key(r.end().atZone(zone).toLocalDate(), r.tenantId(), r.model(),
        r.money().currency());
    groups.computeIfAbsent(key, k -> new UsageAggregate()).add(r);
  }

  /** One summary per (day, tenant, model, currency), sorted by day, tenant, model. */
  public List<UsageSummary> summaries() {
    List<UsageSummary> out = new ArrayList<>();
    snapshot().forEach((k, a) -> out.add(a.summary(k)));
    out.sort(ORDER);
    return out;
  }

  /**
   * One summary per (day, tenant, currency) over all models (model {@link UsageSummary#ALL_MODELS}),
   * sorted by day and tenant. A consistent snapshot; safe to call while other threads record.
   */
  public List<UsageSummary> summariesByTenant() {
    Map<UsageAggregate.Key, UsageAggregate> tenants = new LinkedHashMap<>();
    snapshot().forEach((k, a) -> a.mergeInto(tenants.computeIfAbsent(k.allModels(), x -> new UsageAggregate())));
    List<UsageSummary> out = new ArrayList<>();
    tenants.forEach((k, a) -> out.add(a.summary(k)));
    out.sort(ORDER);
    return out;
  }

  /** Exact total money recorded in {@code currency}. */
  public Money totalMoney(Currency currency) {
    BigDecimal sum = BigDecimal.ZERO;
    for (Map.Entry<UsageAggregate.Key, UsageAggregate> e : groups.entrySet()) {
      if (e.getKey().currency().equals(currency)) {
        sum = sum.add(e.getValue().money());
      }
    }
    return Money.of(sum, currency);
  }

  /** Number of records recorded (calls and rejections). */
  public long count() {
    long n = 0;
    for (UsageAggregate a : groups.values()) {
      n += a.records();
    }
    return n;
  }

  /** A consistent copy of every group (each copied under its lock). */
  Map<UsageAggregate.Key, UsageAggregate> snapshot() {
    Map<UsageAggregate.Key, UsageAggregate> copy = new LinkedHashMap<>();
    groups.forEach((k, a) -> copy.put(k, a.copy()));
    return copy;
  }

  static final Comparator<UsageSummary> ORDER = Comparator.comparing(UsageSummary::day)
      .thenComparing(s -> s.tenantId().orElse(""))
      .thenComparing(s -> s.model().equals(UsageSummary.ALL_MODELS) ? "" : "\u0001" + s.model())
      .thenComparing(s -> s.money().currency().getCurrencyCode());
}
