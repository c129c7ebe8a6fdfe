package io.costgen.cost.budget;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A permit from {@link Budgets#reserve}: amounts held against every applicable budget until
 * {@link Budgets#settle} or {@link Budgets#release}, or until {@code leaseExpiresAt} passes (then
 * the hold is freed; a late settle still records the spend).
 *
 * <p>{@code amounts} is what is held per unit (money in the budgets' currency);
 * {@code budgetAmounts} per budget id. {@code grantedTokens} is the number of new tokens the
 * amounts cover when the estimate was per-token (a SHRINK budget may have lowered it); empty for
 * a fixed estimate. During generation, check {@link #covers(BudgetUnit, BigDecimal)} with the
 * running total: it is a plain comparison, no store access. Immutable and thread-safe.
 */
public record Reservation(
    String id,
    Optional<String> tenantId,
    String model,
    Instant createdAt,
    Instant leaseExpiresAt,
    Map<BudgetUnit, BigDecimal> amounts,
    Map<String, BigDecimal> budgetAmounts,
    OptionalLong grantedTokens) {

  public Reservation {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(leaseExpiresAt, "leaseExpiresAt");
    amounts = Map.copyOf(amounts);
    budgetAmounts = Map.copyOf(budgetAmounts);
    Objects.requireNonNull(grantedTokens, "grantedTokens");
  }

  /** Amount held in {@code unit} (zero when the call named no such unit). */
  public BigDecimal reserved(BudgetUnit unit) {
    return amounts.getOrDefault(unit, BigDecimal.ZERO);
  }

  /** {@code reserved(unit) − spentSoFar}; negative once the call has overrun its reservation. */
  public BigDecimal remaining(BudgetUnit unit, BigDecimal spentSoFar) {
    return reserved(unit).subtract(spentSoFar);
  }

  /**
   * Whether a call that has spent {@code totalSoFar} in {@code unit} (including what it is about
   * to spend) is still within this reservation. Units the reservation does not hold are always
   * covered.
   */
  public boolean covers(BudgetUnit unit, BigDecimal totalSoFar) {
    BigDecimal r = amounts.get(unit);
    return r == null || totalSoFar.compareTo(r) <= 0;
  }

  /** Whether every amount in {@code totalsSoFar} is covered. */
  public boolean covers(Map<BudgetUnit, BigDecimal> totalsSoFar) {
    for (Map.Entry<BudgetUnit, BigDecimal> e : totalsSoFar.entrySet()) {
      if (!covers(e.getKey(), e.getValue())) {
        return false;
      }
    }
    return true;
  }
}
