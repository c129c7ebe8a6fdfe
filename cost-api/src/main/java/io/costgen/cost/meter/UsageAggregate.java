package io.costgen.cost.meter;

import io.costgen.cost.Money;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Currency;
import java.util.Optional;

/** Mutable running totals for one (day, tenant, model, currency) group. Thread-safe (synchronized). */
final class UsageAggregate {

  /** A group: day in the report zone, tenant (empty = anonymous), model, currency. */
  record Key(LocalDate day, Optional<String> tenantId, String model, Currency currency) {
    Key allModels() {
      return new Key(day, tenantId, UsageSummary.ALL_MODELS, currency);
    }
  }

  private long calls;
  private long rejections;
  private long errors;
  private long promptTokens;
  private long completionTokens;
  private double flops;
  private double deviceSeconds;
  private double energyJoules;
  private double co2eGrams;
  private BigDecimal money = BigDecimal.ZERO;
  private double[] latencies = new double[16];
  private int latencyCount;

  synchronized void add(UsageRecord r) {
    if (r.isBudgetRejection()) {
      rejections++;
      return;
    }
    calls++;
    if (r.error().isPresent()) {
      errors++;
    }
    promptTokens += r.promptTokens();
    completionTokens += r.completionTokens();
    flops += r.flops();
    deviceSeconds += r.deviceSeconds();
    energyJoules += r.energyJoules();
    co2eGrams += r.co2eGrams();
    money = money.add(r.money().amount());
    if (latencyCount == latencies.length) {
      latencies = Arrays.copyOf(latencies, latencies.length * 2);
    }
    latencies[latencyCount++] = r.totalSeconds();
  }

  synchronized void mergeInto(UsageAggregate target) {
    synchronized (target) {
      target.calls += calls;
      target.rejections += rejections;
      target.errors += errors;
      target.promptTokens += promptTokens;
      target.completionTokens += completionTokens;
      target.flops += flops;
      target.deviceSeconds += deviceSeconds;
      target.energyJoules += energyJoules;
      target.co2eGrams += co2eGrams;
      target.money = target.money.add(money);
      if (target.latencyCount + latencyCount > target.latencies.length) {
        target.latencies = Arrays.copyOf(target.latencies, Math.max(16, target.latencyCount + latencyCount));
      }
      System.arraycopy(latencies, 0, target.latencies, target.latencyCount, latencyCount);
      target.latencyCount += latencyCount;
    }
  }

  synchronized UsageAggregate copy() {
    UsageAggregate c = new UsageAggregate();
    mergeInto(c);
    return c;
  }

  synchronized BigDecimal money() {
    return money;
  }

  synchronized long records() {
    return calls + rejections;
  }

  synchronized UsageSummary summary(Key key) {
    double[] sorted = Arrays.copyOf(latencies, latencyCount);
    Arrays.sort(sorted);
    return new UsageSummary(key.day(), key.tenantId(), key.model(), calls, rejections, errors, promptTokens,
        completionTokens, flops, deviceSeconds, energyJoules, co2eGrams, Money.of(money, key.currency()),
        percentile(sorted, 0.50), percentile(sorted, 0.95), percentile(sorted, 0.99));
  }

  /** Nearest-rank percentile: the ⌈p·n⌉-th smallest value (1-based); NaN for no samples. */
  static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
  }
}
