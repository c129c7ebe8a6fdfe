package io.costgen.redis;

/**
 * What a {@link RedisBudgetStore} does while Redis is unreachable (connection refused or lost,
 * command timeout, server loading or out of memory).
 *
 * <p>In both policies a settle or release that cannot reach Redis is queued in memory and replayed,
 * in order, as soon as Redis answers again (settles are idempotent by reservation id, so a replay
 * of a settle that did reach Redis counts once). Spend is lost only if the process dies before
 * the replay; its own ledger still has it.
 */
public enum FailurePolicy {
  /**
   * Refuse: {@code reserve} and {@code totals} throw {@link BudgetStoreUnavailableException}, so
   * no call is admitted that Redis did not count. The safe default for money.
   */
  FAIL_CLOSED,
  /**
   * Admit: {@code reserve} falls back to an in-memory store local to this process (limits are then
   * checked against this process's spend since the outage only: N processes may together spend up
   * to N × each limit on top of what Redis had counted); spend recorded meanwhile is replayed into
   * Redis when it returns. For hosts where availability matters more than the limit.
   */
  FAIL_OPEN
}
