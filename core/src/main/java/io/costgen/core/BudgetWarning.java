package io.costgen.core;

/**
 * Why {@link CostListener#onBudgetWarning} was called: a budget limited a call that it still
 * admitted. The numbers behind the warning are on the {@link io.costgen.cost.budget.Reservation}
 * passed with it (e.g. {@code grantedTokens()}).
 */
public enum BudgetWarning {
  /**
   * At admission a {@code shrink} budget lowered the call's {@code maxNewTokens} (or a remote
   * call's output limit) to what it can hold: {@code reservation.grantedTokens()}.
   */
  SHRUNK,
  /**
   * The call's next step would pass what the budget holds for it: the call stops now with finish
   * reason {@link FinishReason#BUDGET}.
   */
  STOPPING
}
