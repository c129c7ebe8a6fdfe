package io.costgen.core;

import io.costgen.cost.CallContext;
import io.costgen.cost.CostReport;
import io.costgen.cost.budget.BudgetExceededException;
import io.costgen.cost.budget.Reservation;

/**
 * Observes the cost lifecycle of generation calls. Every {@link #onStart} is followed by exactly
 * one of {@link #onComplete}, {@link #onError} or {@link #onCancel}, even when the backend fails.
 * Calls rejected by validation (before any work) produce no events.
 *
 * <p>Methods run synchronously on the thread running the call and must be fast and must not
 * re-enter the generator. An exception thrown by a listener is logged at WARN and ignored: it
 * never changes the generation or its accounting. Implementations shared by concurrent calls
 * must be thread-safe. All methods default to doing nothing.
 */
public interface CostListener {

  /** A listener that does nothing. */
  CostListener NONE = new CostListener() {};

  /** The call passed validation; {@code estimate} is the cost model's worst case for it. */
  default void onStart(CallContext context, CostReport estimate) {}

  /**
   * After each decode step: {@code tokensSoFar} tokens generated so far in this call, counting
   * every row the backend decoded (each beam in beam search).
   */
  default void onToken(CallContext context, int tokensSoFar) {}

  /** The call finished (including by deadline or {@code maxTime}); {@code result.cost()} is priced. */
  default void onComplete(CallContext context, GenerationResult result) {}

  /** The call failed; {@code partial} prices the work done before the failure. */
  default void onError(CallContext context, Throwable error, CostReport partial) {}

  /** The call was cancelled; {@code partial} holds what was generated, priced. */
  default void onCancel(CallContext context, GenerationResult partial) {}

  /**
   * A budget refused the call before any work ({@code onStart} is not called for it; the call
   * throws {@code error}).
   */
  default void onBudgetExceeded(CallContext context, BudgetExceededException error) {}

  /**
   * A budget limited a running call: it shrank the call's {@code maxNewTokens} at admission, or
   * the call is about to be cut short (finish reason {@code BUDGET}) because its next step would
   * pass {@code reservation}. {@code warning} says which ({@link BudgetWarning#SHRUNK}: the granted
   * token count is {@code reservation.grantedTokens()}; {@link BudgetWarning#STOPPING}).
   */
  default void onBudgetWarning(CallContext context, Reservation reservation, BudgetWarning warning) {}

  /**
   * The call's usage record could not be written to the meter after the call ended ({@code record}
   * is the record that was lost, {@code error} the meter's failure). The call then throws
   * {@code error} (or, if it failed itself, carries it as a suppressed exception).
   */
  default void onMeterFailure(CallContext context, io.costgen.cost.meter.UsageRecord record, RuntimeException error) {}

  /**
   * A call's measured usage passed everything its hard budgets held for it: a forward pass that
   * cannot be interrupted took longer than its bound (a stalled or overloaded machine). The full
   * usage ({@code actual}) is settled and recorded with {@code overrun = true}; when it pushed a
   * budget's window past its limit, that budget refuses every call until the window resets.
   * Called after the call's terminal event.
   */
  default void onBudgetOverrun(CallContext context, Reservation reservation, CostReport actual) {}
}
