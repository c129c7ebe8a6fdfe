package io.costgen.cost.budget;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One budget counter at one moment: the budget, which counter ({@code scopeKey}, e.g.
 * {@code tenant=acme}), the window, and exact amounts in the budget's unit (money in its
 * currency). {@code remaining = max(0, limit − spent − reserved)}. For per-call budgets spent and
 * reserved are zero and the window instants are empty. Immutable.
 */
public record BudgetStatus(
    Budget budget,
    String scopeKey,
    Optional<String> tenantId,
    Optional<Instant> windowStart,
    Optional<Instant> resetsAt,
    BigDecimal spent,
    BigDecimal reserved,
    BigDecimal remaining) {

  public BudgetStatus {
    Objects.requireNonNull(budget, "budget");
    Objects.requireNonNull(scopeKey, "scopeKey");
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(windowStart, "windowStart");
    Objects.requireNonNull(resetsAt, "resetsAt");
    Objects.requireNonNull(spent, "spent");
    Objects.requireNonNull(reserved, "reserved");
    Objects.requireNonNull(remaining, "remaining");
  }

  public String budgetId() {
    return budget.id();
  }

  public BigDecimal limit() {
    return budget.limit();
  }

  /**
   * For people: budget, counter and amounts, money readable ({@code remaining $4.99}); the exact
   * amounts are the record's components.
   */
  @Override
  public String toString() {
    return "BudgetStatus[" + budget.id() + " " + scopeKey + ": limit "
        + BudgetExceededException.amount(budget, budget.limit(), null)
        + ", spent " + BudgetExceededException.amount(budget, spent, null)
        + ", reserved " + BudgetExceededException.amount(budget, reserved, null)
        + ", remaining " + BudgetExceededException.amount(budget, remaining, null)
        + resetsAt.map(r -> ", resets at " + r).orElse("") + "]";
  }

  /** spent / limit as a double (may exceed 1 for soft budgets or overrun settles). */
  public double fractionSpent() {
    return spent.doubleValue() / budget.limit().doubleValue();
  }
}
