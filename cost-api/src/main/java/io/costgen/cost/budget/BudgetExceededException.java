package io.costgen.cost.budget;

import io.costgen.cost.CostgenException;
import io.costgen.cost.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A call did not fit a {@link Budget}: thrown by {@link Budgets#reserve} for hard budgets, and
 * passed (not thrown) to {@link BudgetListener#onExceeded} for soft ones.
 *
 * <p>Amounts are in the budget's unit ({@link #unit()}, money in the budget's currency):
 * {@code remaining = max(0, limit − spent − reserved)} at the moment of the decision;
 * {@code requested} is what the call needed. {@link #resetsAt()} is when the window next
 * releases spend (empty for per-call budgets). Unchecked; immutable.
 */
public final class BudgetExceededException extends CostgenException {

  private static final long serialVersionUID = 1L;

  private final transient Budget budget;
  private final String tenantId; // nullable: anonymous call
  private final String scopeKey;
  private final BigDecimal spent;
  private final BigDecimal reserved;
  private final BigDecimal requested;
  private final BigDecimal remaining;
  private final Instant resetsAt; // nullable

  public BudgetExceededException(Budget budget, Optional<String> tenantId, String scopeKey,
      BigDecimal spent, BigDecimal reserved, BigDecimal requested, Optional<Instant> resetsAt) {
    super((String) null);
    this.budget = Objects.requireNonNull(budget, "budget");
    this.tenantId = tenantId.orElse(null);
    this.scopeKey = Objects.requireNonNull(scopeKey, "scopeKey");
    this.spent = spent;
    this.reserved = reserved;
    this.requested = requested;
    this.remaining = remaining(budget.limit(), spent, reserved);
    this.resetsAt = resetsAt.orElse(null);
  }

  /** States tenant, budget, requested, limit, spent, reserved, remaining and the reset instant. */
  @Override
  public String getMessage() {
    return message(budget, tenantId(), scopeKey, spent, reserved, requested, resetsAt());
  }

  public Budget budget() { return budget; }
  public String budgetId() { return budget.id(); }
  public BudgetUnit unit() { return budget.unit(); }
  /** The call's tenant; empty for an anonymous call. */
  public Optional<String> tenantId() { return Optional.ofNullable(tenantId); }
  /** The counter that did not fit, e.g. {@code tenant=acme}. */
  public String scopeKey() { return scopeKey; }
  public BigDecimal limit() { return budget.limit(); }
  /** Settled spend in the window. */
  public BigDecimal spent() { return spent; }
  /** Held by other calls' open reservations. */
  public BigDecimal reserved() { return reserved; }
  /** What this call needed. */
  public BigDecimal requested() { return requested; }
  /** {@code max(0, limit − spent − reserved)}. */
  public BigDecimal remaining() { return remaining; }
  /** When the window next releases spend; empty for per-call budgets. */
  public Optional<Instant> resetsAt() { return Optional.ofNullable(resetsAt); }
  /** Whether the budget was soft (the call went ahead). */
  public boolean soft() { return budget.enforcement() == Budget.Enforcement.SOFT; }

  static BigDecimal remaining(BigDecimal limit, BigDecimal spent, BigDecimal reserved) {
    BigDecimal r = limit.subtract(spent).subtract(reserved);
    return r.signum() < 0 ? BigDecimal.ZERO : r;
  }

  private static String message(Budget b, Optional<String> tenant, String scopeKey, BigDecimal spent,
      BigDecimal reserved, BigDecimal requested, Optional<Instant> resetsAt) {
    BigDecimal remaining = remaining(b.limit(), spent, reserved);
    return (b.enforcement() == Budget.Enforcement.SOFT ? "soft " : "") + "budget '" + b.id() + "' ("
        + b.unit().specName() + " per " + b.window().spec() + ", scope " + b.scope().spec() + ") exceeded for "
        + tenant.map(t -> "tenant '" + t + "'").orElse("anonymous tenant")
        + " [" + scopeKey + "]: requested " + amount(b, requested, remaining)
        + ", limit " + amount(b, b.limit(), null)
        + ", spent " + amount(b, spent, null)
        + ", reserved " + amount(b, reserved, null)
        + ", remaining " + amount(b, remaining, requested)
        + resetsAt.map(r -> "; window resets at " + r).orElse("; per-call limit");
  }

  /**
   * {@code v} for people: money readable ({@code $0.0000319}, {@code $1,250.00}), other units as
   * exact decimals with their label. When {@code other} (requested vs remaining) would read the
   * same although it differs, both are shown exactly so the refusal never reads as "x > x".
   */
  static String amount(Budget b, BigDecimal v, BigDecimal other) {
    if (b.unit() == BudgetUnit.MONEY) {
      Money m = Money.of(v, b.currency().orElseThrow());
      String readable = m.format();
      if (other != null && other.compareTo(v) != 0
          && Money.of(other, b.currency().get()).format().equals(readable)) {
        return plain(v) + " " + b.unitLabel();
      }
      return readable;
    }
    return plain(v) + " " + b.unitLabel();
  }

  private static String plain(BigDecimal v) {
    return v.stripTrailingZeros().toPlainString();
  }
}
