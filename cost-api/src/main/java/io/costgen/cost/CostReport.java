package io.costgen.cost;

import java.util.Objects;

/**
 * The price of one call: its {@link Usage} plus device-seconds, energy (joules), carbon
 * (grams CO2-equivalent) and {@link #money()} (the amount, exact), and a short description of the pricing that produced it
 * (e.g. {@code "per-token(in=0.5/1M, out=1.5/1M USD)"}; see {@link CostModel.Builder}).
 *
 * <p>Immutable and thread-safe.
 */
public record CostReport(
    Usage usage,
    double deviceSeconds,
    double energyJoules,
    double co2eGrams,
    Money money,
    String pricing) {

  /** Checks the required components are present. */
  public CostReport {
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(money, "money");
    Objects.requireNonNull(pricing, "pricing");
  }

  /** A zero-cost report for {@code usage} (used when no cost model is configured). */
  public static CostReport free(Usage usage) {
    return new CostReport(usage, usage.deviceSeconds(), 0, 0, Money.zero(Money.USD), "none");
  }
}
