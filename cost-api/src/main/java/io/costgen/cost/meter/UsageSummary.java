package io.costgen.cost.meter;

import io.costgen.cost.Money;
import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;

/**
 * Totals of the records of one day (in the report's zone, by record end time), tenant and model
 * ({@value #ALL_MODELS} = every model of the tenant) in one currency.
 *
 * <p>{@code calls} counts records that are not budget rejections; {@code rejections} counts
 * {@link UsageRecord#BUDGET_REJECTED} records; {@code errors} counts calls with an error.
 * Latency percentiles are of {@code totalSeconds} over the calls, exact nearest-rank
 * (the ⌈p·n⌉-th smallest sample); NaN when there were no calls. Immutable.
 */
public record UsageSummary(
    LocalDate day,
    Optional<String> tenantId,
    String model,
    long calls,
    long rejections,
    long errors,
    long promptTokens,
    long completionTokens,
    double flops,
    double deviceSeconds,
    double energyJoules,
    double co2eGrams,
    Money money,
    double latencyP50Seconds,
    double latencyP95Seconds,
    double latencyP99Seconds) {

  /** The model value of a tenant's all-model row. */
  public static final String ALL_MODELS = "*";

  public UsageSummary {
    Objects.requireNonNull(day, "day");
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(money, "money");
  }

  /** Device-seconds / 3600. */
  public double deviceHours() {
    return deviceSeconds / 3600.0;
  }

  /** Joules / 3.6e6. */
  public double energyKwh() {
    return energyJoules / 3.6e6;
  }
}
