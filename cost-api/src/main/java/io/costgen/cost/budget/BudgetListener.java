package io.costgen.cost.budget;

/**
 * Told about budget alerts. Callbacks run on the calling thread, must be fast and must not call
 * back into {@link Budgets}; {@link Budgets} guards them (an exception is logged at WARN and
 * ignored), so a broken listener never breaks accounting. Implementations must be thread-safe.
 */
public interface BudgetListener {

  /** Does nothing. */
  BudgetListener NONE = new BudgetListener() {};

  /**
   * Settled spend of one counter reached {@code threshold} × limit; called at most once per
   * threshold per window (per counter).
   */
  default void onThreshold(Budget budget, BudgetStatus status, double threshold) {}

  /**
   * A call did not fit: a hard budget rejected it (the exception is then thrown to the caller), or
   * a soft budget let it through ({@link BudgetExceededException#soft()}).
   */
  default void onExceeded(BudgetExceededException exceeded) {}

  /** A listener that catches and logs (WARN) whatever {@code delegate} throws. */
  static BudgetListener guarded(BudgetListener delegate) {
    return delegate instanceof GuardedBudgetListener ? delegate : new GuardedBudgetListener(delegate);
  }
}
