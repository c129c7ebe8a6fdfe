package io.costgen.cost.budget;

import io.costgen.cost.Amounts;
import io.costgen.cost.CostReport;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;

/**
 * What a call may cost, for {@link Budgets#reserve}: a fixed part (the prompt) plus a per-token
 * part for each of up to {@code maxNewTokens} new tokens. Amounts are exact, non-negative, in
 * each {@link BudgetUnit} (money in the budgets' currency), within the {@link Amounts} range
 * (at most {@value Amounts#MAX_SCALE} decimal places, below 10^{@value Amounts#MAX_INTEGER_DIGITS}).
 *
 * <p>The worst case is {@code fixed + perToken × maxNewTokens}. A {@link Budget.Policy#SHRINK}
 * budget may grant fewer tokens (never fewer than {@code minNewTokens}). For the shrink to be
 * safe, {@code perToken} must bound the average cost of the first n tokens for every n ≤ max; the
 * average over all {@code maxNewTokens} does (decode cost per token grows with the context).
 *
 * <p>Immutable and thread-safe.
 */
public record CallEstimate(
    Map<BudgetUnit, BigDecimal> fixed,
    Map<BudgetUnit, BigDecimal> perToken,
    long maxNewTokens,
    long minNewTokens) {

  public CallEstimate {
    fixed = copy("fixed", fixed);
    perToken = copy("perToken", perToken);
    if (minNewTokens < 0 || maxNewTokens < minNewTokens) {
      throw new IllegalArgumentException("minNewTokens/maxNewTokens: " + minNewTokens + "/" + maxNewTokens
          + " must satisfy 0 <= minNewTokens <= maxNewTokens");
    }
  }

  /** A fixed worst case that cannot shrink (e.g. from {@code CostModel.estimate}). */
  public static CallEstimate of(Map<BudgetUnit, BigDecimal> worstCase) {
    return new CallEstimate(worstCase, Map.of(), 0, 0);
  }

  /** A fixed worst case taken from a cost estimate ({@link #amountsOf(CostReport)}). */
  public static CallEstimate of(CostReport worstCase) {
    return of(amountsOf(worstCase));
  }

  /** A shrinkable estimate: {@code fixed + perToken × n} for n in [minNewTokens, maxNewTokens]. */
  public static CallEstimate perToken(Map<BudgetUnit, BigDecimal> fixed, Map<BudgetUnit, BigDecimal> perToken,
      long maxNewTokens, long minNewTokens) {
    return new CallEstimate(fixed, perToken, maxNewTokens, minNewTokens);
  }

  /**
   * A report's amounts per unit: MONEY = cost amount (in the report's currency), TOKENS = prompt
   * + completion tokens, FLOPS = prefill + decode FLOPs, ENERGY_JOULES = energy (doubles taken
   * through their shortest decimal form). Amounts with more than {@value Amounts#MAX_SCALE}
   * decimal places are rounded up to that many (a hold is never smaller than the cost).
   */
  public static Map<BudgetUnit, BigDecimal> amountsOf(CostReport report) {
    // evaluated in this order (the first invalid field is the one named), then one immutable map
    BigDecimal money = Amounts.roundUp(report.money().amount());
    BigDecimal tokens = BigDecimal.valueOf(report.usage().totalTokens());
    BigDecimal flops = nonNegative("flops", report.usage().totalFlops());
    BigDecimal energy = nonNegative("energyJoules", report.energyJoules());
    return Map.of(BudgetUnit.MONEY, money, BudgetUnit.TOKENS, tokens, BudgetUnit.FLOPS, flops,
        BudgetUnit.ENERGY_JOULES, energy);
  }

  /** Whether the estimate names {@code unit} (in either part). */
  public boolean covers(BudgetUnit unit) {
    return fixed.containsKey(unit) || perToken.containsKey(unit);
  }

  /** {@code fixed + perToken × tokens} in {@code unit} (zero when the unit is absent). */
  public BigDecimal amountFor(BudgetUnit unit, long tokens) {
    BigDecimal f = fixed.getOrDefault(unit, BigDecimal.ZERO);
    BigDecimal p = perToken.get(unit);
    return p == null || tokens == 0 ? f : f.add(p.multiply(BigDecimal.valueOf(tokens)));
  }

  /** Whether a shrink could change the amount (some per-token cost and a token range). */
  public boolean shrinkable() {
    return maxNewTokens > minNewTokens && perToken.values().stream().anyMatch(v -> v.signum() > 0);
  }

  private static BigDecimal nonNegative(String field, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(field + ": " + v + " must be a finite value >= 0");
    }
    return Amounts.roundUp(BigDecimal.valueOf(v));
  }

  private static Map<BudgetUnit, BigDecimal> copy(String field, Map<BudgetUnit, BigDecimal> m) {
    Objects.requireNonNull(m, field);
    for (Map.Entry<BudgetUnit, BigDecimal> e : m.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw new IllegalArgumentException(field + ": null unit or amount");
      }
      Amounts.requireInRange(field + "." + e.getKey(), e.getValue());
      if (e.getValue().signum() < 0) {
        throw new IllegalArgumentException(
            field + ": " + e.getKey() + " amount " + e.getValue().toPlainString() + " must be >= 0");
      }
    }
    return Map.copyOf(m);
  }
}
