package io.costgen.cost.budget;

/**
 * What a shared {@link BudgetStore} (e.g. {@code io.costgen.redis.RedisBudgetStore}) does while
 * its backing service is unreachable (connection refused or lost, command timeout, server loading
 * or out of memory).
 *
 * <p>In both policies a settle or release that cannot reach the service is queued in memory and
 * replayed, in order, as soon as it answers again (settles are idempotent by reservation id, so a
 * replay of a settle that did arrive counts once). Spend is lost only if the process dies before
 * the replay; its own ledger still has it.
 */
public enum FailurePolicy {
  /**
   * Refuse: {@code reserve} and {@code totals} throw {@link BudgetStoreUnavailableException}, so
   * no call is admitted that the shared store did not count. The safe default for money.
   */
  FAIL_CLOSED,
  /**
   * Admit: {@code reserve} falls back to an in-memory store local to this process (limits are then
   * checked against this process's spend since the outage only: N processes may together spend up
   * to N × each limit on top of what the shared store had counted); spend recorded meanwhile is
   * replayed into the shared store when it returns. For hosts where availability matters more
   * than the limit.
   */
  FAIL_OPEN
}
